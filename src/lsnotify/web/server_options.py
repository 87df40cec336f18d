"""How lsnotify runs uvicorn: the keyword arguments of ``lsnotify serve`` and the connection limits that
``ThreadedServer`` shares with it.

uvicorn bounds the connections and requests served at once (``limit_concurrency``: beyond it each request is
answered 503 and its connection closed, rather than the process running out of file descriptors). Its HTTP protocol
is ``TimedHttpProtocol``, which closes a connection that waits for the client too long: ``timeout_keep_alive`` for a
request to begin (on a new connection too, not only after a response), ``header_timeout`` for a begun request head.
The time a request body takes to arrive is the API endpoint's to bound (``body_timeout``). TLS is left to the
reverse proxy in front of a public server (see the README).
"""

from __future__ import annotations

import resource
from typing import Any

from lsnotify.config import Settings
from lsnotify.web.connection_timeouts import timed_http_protocol

GRACEFUL_SHUTDOWN_SECONDS = 30
FILES_KEPT_BACK = 64
"""Open files left to the store (SQLite's database, WAL and index files), logs and outbound connections."""
MOST_CONNECTIONS = 4096


def connection_limit(settings: Settings) -> int:
    """``max_connections``, or when it is 0 the process's open-file limit less ``FILES_KEPT_BACK``. uvicorn counts
    a request's task apart from its connection, and finished tasks until their callbacks run, so the limit is set
    well above the connections a busy client holds (256 keep-alive connections passed 500 of them)."""
    if settings.max_connections:
        return settings.max_connections
    soft, _ = resource.getrlimit(resource.RLIMIT_NOFILE)
    available = MOST_CONNECTIONS if soft == resource.RLIM_INFINITY else soft - FILES_KEPT_BACK
    return max(FILES_KEPT_BACK, min(MOST_CONNECTIONS, available))


def connection_options(settings: Settings) -> dict[str, Any]:
    """The uvicorn options that bound what clients can hold open."""
    return {
        "http": timed_http_protocol(settings.header_timeout),
        "timeout_keep_alive": settings.keep_alive_timeout,
        "limit_concurrency": connection_limit(settings),
    }


# performance: the benchmark's floor (bench/floor.py) runs on uvicorn with exactly these options
def uvicorn_options(settings: Settings) -> dict[str, Any]:
    """How ``serve`` runs uvicorn."""
    return {
        "host": settings.host,
        "port": settings.port,
        "log_level": settings.log_level,
        "access_log": False,
        "lifespan": "on",
        "timeout_graceful_shutdown": GRACEFUL_SHUTDOWN_SECONDS,
        "log_config": None,
        **connection_options(settings),
    }
