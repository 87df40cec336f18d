"""Which names are this machine's own: whether an address to listen on is loopback, and whether a request came
straight from a local client to a name of this server.

A page on any web site can make a browser send requests to ``127.0.0.1`` under a name its attacker controls (DNS
rebinding): such a request carries that name in ``Host``. A reverse proxy on the same machine turns a remote client's
request into a local one, and says so with ``Forwarded``, ``X-Forwarded-For`` and the like. ``LocalRequests``
admits only requests that name a loopback host or the public URL's host and carry none of those headers.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from urllib.parse import urlsplit

PROXY_HEADERS = frozenset({b"forwarded", b"x-forwarded-for", b"x-forwarded-host", b"x-real-ip"})


def is_loopback(host: str) -> bool:
    """Whether ``host`` (an address or name to listen on, or a ``Host`` without its port) is this machine alone:
    ``localhost``, a name under ``.localhost``, or an address of 127.0.0.0/8 or ``::1``."""
    host = host.lower().rstrip(".")
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host.removeprefix("[").removesuffix("]")).is_loopback
    except ValueError:
        return False


def host_name(header: str) -> str:
    """The name of a ``Host`` header, without its port: ``[::1]:8080`` → ``::1``, ``Example.org.:80`` →
    ``example.org``."""
    header = header.strip().lower()
    if header.startswith("["):
        return header[1 : header.find("]")] if "]" in header else header
    return header.rpartition(":")[0].rstrip(".") if header.count(":") == 1 else header.rstrip(".")


class LocalRequests:
    """Admits requests that name a loopback host or the host of ``public_url``, and that no proxy forwarded."""

    def __init__(self, public_url: str) -> None:
        public = urlsplit(public_url).hostname
        self._public = public.rstrip(".") if public else None

    def refusal(self, headers: Iterable[tuple[bytes, bytes]]) -> str | None:
        """None for a request with these headers that may go on; else why not."""
        host = None
        for name, value in headers:
            if name in PROXY_HEADERS:
                return f"a request that came through a proxy ({name.decode()}) needs the admin token"
            if name == b"host":
                host = host_name(value.decode("latin-1"))
        if host is None:
            return "a request without a Host header needs the admin token"
        if is_loopback(host) or host == self._public:
            return None
        return "this server answers here only to localhost or its public URL's host, unless given the admin token"
