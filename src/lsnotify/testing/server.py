"""``ThreadedServer``: a real lsnotify HTTP server on a free port, in a thread of the current process.

For clients in other processes (the AWS CLI, Node) and for tests that need what only an in-process server allows,
such as an injected clock. The app is ``web.app.build_app(settings, clock=...)`` and uvicorn serves it on the same
event loop (``AppThread``); the socket is bound before the app is built, so ``settings.port`` — and with it the
links in emails — is the real port. ``start`` returns once the server answers; ``stop`` lets requests in flight
finish, closes the store, and joins the thread.
"""

from __future__ import annotations

import concurrent.futures
import socket
import tempfile
import time
from dataclasses import replace
from pathlib import Path
from typing import Any, Self

import uvicorn

from lsnotify.clock import Clock, system_clock
from lsnotify.config import Settings, without_limits
from lsnotify.testing.app_thread import STARTUP_TIMEOUT, AppThread
from lsnotify.testing.credentials import Credentials
from lsnotify.testing.host import AppHost
from lsnotify.web.app import Components
from lsnotify.web.server_options import connection_options

GRACEFUL_SHUTDOWN_SECONDS = 10.0


class ThreadedServer(AppHost):
    """``ThreadedServer(settings=None, *, clock=..., port=0, limits=False)``; ``start()``/``stop()`` or ``with``.

    Without ``settings`` the data directory is a temporary one, removed on ``stop``. ``port=0`` picks a free port
    (``settings.port`` is ignored, so a test never collides with a server on 8080); ``.url`` says which.
    The server's limits (``config.LIMITS_OFF``) are off unless ``limits=True``, which keeps those of ``settings``.
    ``.credentials`` is the first account's key (created on first start of an empty data directory).
    """

    noun = "server"

    def __init__(
        self, settings: Settings | None = None, *, clock: Clock = system_clock, port: int = 0, limits: bool = False
    ) -> None:
        super().__init__()
        self._own_dir: tempfile.TemporaryDirectory[str] | None = None
        if settings is None:
            self._own_dir = tempfile.TemporaryDirectory(prefix="lsnotify-server-")
            settings = Settings(data_dir=Path(self._own_dir.name), access_log=False)
        self.settings = settings if limits else without_limits(settings)
        self._clock = clock
        self._port = port
        self._server: uvicorn.Server | None = None
        self._serving: concurrent.futures.Future[None] | None = None
        self._socket: socket.socket | None = None
        self._used = False

    # -- lifecycle ------------------------------------------------------------------------------------------------
    def start(self) -> Self:
        if self._used:
            raise RuntimeError(
                "a ThreadedServer starts once; to restart on the same data, make a new one with the same settings"
            )
        self._used = True
        sock = _bind(self.settings.host, self._port)
        self._socket = sock
        self.settings = replace(self.settings, port=sock.getsockname()[1])
        try:
            self._app = AppThread(self.settings, clock=self._clock, name=f"lsnotify-server-{self.settings.port}")
            self._app.start()
            config = uvicorn.Config(
                self._app.components.app,
                lifespan="off",  # AppThread has run it, and runs the shutdown after the server has stopped
                log_config=None,  # leave the embedding process's logging alone
                log_level=None,
                access_log=False,
                timeout_graceful_shutdown=int(GRACEFUL_SHUTDOWN_SECONDS),
                **connection_options(self.settings),
            )
            self._server = uvicorn.Server(config)
            self._serving = self._app.submit(self._server.serve(sockets=[sock]))
            self._wait_until_serving()
            self._credentials = self._app.run(self._app.first_credentials(), timeout=STARTUP_TIMEOUT)
        except BaseException:
            self.stop()
            raise
        return self

    def stop(self) -> None:
        """Stop serving (requests in flight finish), close the store, end the thread; safe to call twice."""
        app, server, serving = self._app, self._server, self._serving
        self._app = self._server = self._serving = None
        try:
            if server is not None and serving is not None:
                server.should_exit = True
                try:
                    serving.result(timeout=GRACEFUL_SHUTDOWN_SECONDS + 5)
                except concurrent.futures.TimeoutError:
                    server.force_exit = True
                    serving.result(timeout=5)
        finally:
            try:
                if app is not None:
                    app.stop()
            finally:
                if self._socket is not None:
                    self._socket.close()
                    self._socket = None
                if self._own_dir is not None:
                    self._own_dir.cleanup()

    # -- what a test uses -----------------------------------------------------------------------------------------
    @property
    def url(self) -> str:
        host = self.settings.host
        return f"http://{f'[{host}]' if ':' in host else host}:{self.settings.port}"

    @property
    def components(self) -> Components:
        """The store, services and app the server runs (use the store through ``run`` only)."""
        return self._running_app().components

    def run(self, coro: Any, timeout: float | None = STARTUP_TIMEOUT) -> Any:
        """Run a coroutine on the server's event loop (where its store lives) and return its result."""
        return self._running_app().run(coro, timeout=timeout)

    def new_account(self, account_id: str | None = None) -> Credentials:
        """Issue an access key for ``account_id`` (a new random account when None)."""
        app = self._running_app()
        credentials: Credentials = app.run(app.issue_key(account_id), timeout=STARTUP_TIMEOUT)
        return credentials

    def env(self, credentials: Credentials | None = None, region: str = "us-east-1") -> dict[str, str]:
        """The variables that point an AWS SDK or the AWS CLI in another process at this server."""
        return {
            **(credentials or self.credentials).env(),
            "AWS_ENDPOINT_URL_LIGHTSAIL": self.url,
            "AWS_REGION": region,
            "AWS_DEFAULT_REGION": region,
        }

    def client(self, credentials: Credentials | None = None, region: str = "us-east-1", **kwargs: Any) -> Any:
        """A boto3 Lightsail client for this server (boto3 must be installed)."""
        import boto3

        use = credentials or self.credentials
        return boto3.client(
            "lightsail",
            endpoint_url=self.url,
            region_name=region,
            aws_access_key_id=use.access_key_id,
            aws_secret_access_key=use.secret_access_key,
            **kwargs,
        )

    def _wait_until_serving(self) -> None:
        assert self._server is not None and self._serving is not None
        deadline = time.monotonic() + STARTUP_TIMEOUT
        while not self._server.started:
            if self._serving.done():
                error = self._serving.exception()
                raise RuntimeError(f"lsnotify's server on {self.url} stopped while starting: {error!r}") from error
            if time.monotonic() > deadline:
                raise RuntimeError(f"lsnotify's server on {self.url} did not start within {STARTUP_TIMEOUT}s")
            time.sleep(0.005)


def _bind(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # proto must say TCP: asyncio disables Nagle's algorithm only on sockets that do, and without that every
    # response (headers and body are two writes) waits for the client's delayed ACK, some 40 ms.
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
    except OSError:
        sock.close()
        raise
    return sock
