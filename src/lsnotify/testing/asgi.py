"""Driving an ASGI app without a server: its lifespan, and one HTTP request held wholly in memory.

This is what an ASGI server does for an app, minus the sockets: ``Lifespan`` sends ``lifespan.startup`` and
``lifespan.shutdown`` and raises the app's own error when either fails; ``asgi_request`` builds the HTTP scope a
server would (the raw path and headers exactly as received, so a SigV4 signature over them still verifies) and
collects the response.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import Any
from urllib.parse import unquote, urlsplit

from starlette.types import ASGIApp, Message

_DEFAULT_PORTS = {"http": 80, "https": 443}


class LifespanError(RuntimeError):
    """The app failed to start or to stop; the message is the app's own report."""


class Lifespan:
    """One app's lifespan: ``startup()`` and ``shutdown()``, awaited on the loop that serves the app."""

    def __init__(self, app: ASGIApp) -> None:
        self._app = app
        self._to_app: asyncio.Queue[Message] = asyncio.Queue()
        self._from_app: asyncio.Queue[Message] = asyncio.Queue()
        self._task: asyncio.Task[None] | None = None

    async def startup(self) -> None:
        scope = {"type": "lifespan", "asgi": {"version": "3.0", "spec_version": "2.0"}, "state": {}}

        async def run_app() -> None:
            await self._app(scope, self._to_app.get, self._from_app.put)

        self._task = asyncio.create_task(run_app())
        await self._to_app.put({"type": "lifespan.startup"})
        await self._expect("lifespan.startup.complete", "start")

    async def shutdown(self) -> None:
        if self._task is None or self._task.done():
            return
        await self._to_app.put({"type": "lifespan.shutdown"})
        await self._expect("lifespan.shutdown.complete", "stop")
        await self._task

    async def _expect(self, wanted: str, what: str) -> None:
        assert self._task is not None
        reply = asyncio.ensure_future(self._from_app.get())
        await asyncio.wait({reply, self._task}, return_when=asyncio.FIRST_COMPLETED)
        if reply.done():
            message = reply.result()
            if message["type"] == wanted:
                return
            await asyncio.gather(self._task, return_exceptions=True)  # the app re-raises after reporting
            raise LifespanError(f"lsnotify failed to {what}:\n{message.get('message', '')}".rstrip())
        reply.cancel()
        error = self._task.exception()
        raise LifespanError(f"lsnotify failed to {what}: {error!r}") from error


def host_header(url: str) -> bytes:
    """The ``Host`` an HTTP client sends for ``url``: no userinfo, and no port when it is the scheme's default."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    if ":" in host:
        host = f"[{host}]"
    if parts.port is not None and parts.port != _DEFAULT_PORTS.get(parts.scheme):
        host = f"{host}:{parts.port}"
    return host.encode("idna")


async def asgi_request(
    app: ASGIApp, method: str, url: str, headers: Sequence[tuple[bytes, bytes]], body: bytes
) -> tuple[int, list[tuple[bytes, bytes]], bytes]:
    """Send one request to ``app``; ``headers`` are lower-case names and raw values, as on the wire."""
    parts = urlsplit(url)
    raw_path = parts.path or "/"
    scope: dict[str, Any] = {
        "type": "http",
        "asgi": {"version": "3.0", "spec_version": "2.3"},
        "http_version": "1.1",
        "method": method.upper(),
        "scheme": parts.scheme or "http",
        "path": unquote(raw_path),
        "raw_path": raw_path.encode("latin-1"),
        "query_string": parts.query.encode("latin-1"),
        "root_path": "",
        "headers": list(headers),
        "client": ("127.0.0.1", 0),
        "server": (parts.hostname or "localhost", parts.port or _DEFAULT_PORTS.get(parts.scheme, 80)),
        "state": {},
    }
    body_sent = False

    async def receive() -> Message:
        nonlocal body_sent
        if body_sent:
            return {"type": "http.disconnect"}
        body_sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    status = 500
    response_headers: list[tuple[bytes, bytes]] = []
    chunks: list[bytes] = []

    async def send(message: Message) -> None:
        nonlocal status, response_headers
        if message["type"] == "http.response.start":
            status = message["status"]
            response_headers = [(bytes(name), bytes(value)) for name, value in message.get("headers", ())]
        elif message["type"] == "http.response.body":
            chunks.append(message.get("body", b""))

    await app(scope, receive, send)
    return status, response_headers, b"".join(chunks)
