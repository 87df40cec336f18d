"""TimedHttpProtocol on an in-memory transport: a connection serving whole requests keeps one timer, not one per
request, and a head deadline shorter than the pending idle one still closes the connection in time."""

from __future__ import annotations

import asyncio
import time
from typing import Any

from uvicorn.config import Config
from uvicorn.server import ServerState

from lsnotify.web.connection_timeouts import REQUEST_TIMEOUT, TimedHttpProtocol, timed_http_protocol

REQUEST = b"POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 2\r\n\r\n{}"


async def ok(scope: Any, receive: Any, send: Any) -> None:
    await receive()
    await send({"type": "http.response.start", "status": 200, "headers": [(b"content-length", b"2")]})
    await send({"type": "http.response.body", "body": b"ok"})


class MemoryTransport(asyncio.Transport):
    def __init__(self) -> None:
        super().__init__()
        self.written = b""
        self.closed_at: float | None = None

    def write(self, data: bytes | bytearray | memoryview) -> None:
        self.written += bytes(data)

    def close(self) -> None:
        if self.closed_at is None:
            self.closed_at = time.monotonic()

    def is_closing(self) -> bool:
        return self.closed_at is not None

    def get_extra_info(self, name: str, default: Any = None) -> Any:
        return {"sockname": ("127.0.0.1", 8080), "peername": ("127.0.0.1", 50000)}.get(name, default)

    def pause_reading(self) -> None:
        pass

    def resume_reading(self) -> None:
        pass


def connection(header_timeout: float, keep_alive: float) -> tuple[TimedHttpProtocol, MemoryTransport]:
    config = Config(ok, log_config=None, lifespan="off", timeout_keep_alive=keep_alive)  # type: ignore[arg-type]
    protocol = timed_http_protocol(header_timeout)(config, ServerState(), {}, _loop=asyncio.get_running_loop())
    transport = MemoryTransport()
    protocol.connection_made(transport)
    return protocol, transport


def test_whole_requests_on_one_connection_arm_one_timer() -> None:
    async def run() -> tuple[int, bytes, bool]:
        loop = asyncio.get_running_loop()
        armed = []
        call_at = loop.call_at

        def counting(when: float, callback: Any, *args: Any, **kwargs: Any) -> asyncio.TimerHandle:
            if getattr(callback, "__name__", "") == "_on_timer":
                armed.append(when)
            return call_at(when, callback, *args, **kwargs)

        loop.call_at = counting  # type: ignore[method-assign]
        protocol, transport = connection(header_timeout=10, keep_alive=5)
        for _ in range(200):
            protocol.data_received(REQUEST)
            for _ in range(5):  # the app's task runs and answers
                await asyncio.sleep(0)
        protocol.connection_lost(None)
        return len(armed), transport.written, transport.is_closing()

    armed, written, closed = asyncio.run(run())
    assert written.count(b"HTTP/1.1 200 OK\r\n") == 200
    assert armed == 1
    assert closed


def test_a_head_deadline_earlier_than_the_idle_one_is_kept() -> None:
    async def run() -> tuple[float, bytes]:
        protocol, transport = connection(header_timeout=0.2, keep_alive=30)
        protocol.data_received(REQUEST)  # a whole request, answered: idle again, for 30 s
        for _ in range(5):
            await asyncio.sleep(0)
        started = time.monotonic()
        protocol.data_received(b"GET / HTTP/1.1\r\nHo")  # a head begins: 0.2 s for the rest
        while not transport.is_closing() and time.monotonic() - started < 5:
            await asyncio.sleep(0.01)
        assert transport.closed_at is not None
        protocol.connection_lost(None)
        return transport.closed_at - started, transport.written

    elapsed, written = asyncio.run(run())
    assert 0.15 < elapsed < 1, elapsed
    assert written.startswith(b"HTTP/1.1 200 OK\r\n") and written.endswith(b"ok" + REQUEST_TIMEOUT)
