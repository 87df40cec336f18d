"""A small HTTP/1.1 load generator in Python (uvloop + httptools): closed loop, or open loop at a constant rate.

The closed loop keeps ``connections`` requests in flight, as wrk does; the smoke run uses it where wrk may be
missing. The open loop (wrk2's model, which wrk lacks) sends at a fixed rate whatever the server does and measures
each latency from the moment its request was *due*, so a stalled server cannot hide its queue (no coordinated
omission). It dispatches by busy-polling the event loop near each due time, as a timer of 1 ms granularity would
bunch requests; run it pinned to a core of its own.

``python -m bench.pyload SPEC.json`` prints one JSON result; SPEC gives host, port, connections, duration, rate
(null for the closed loop) and requests (each the base64 of a raw HTTP/1.1 request).
"""

from __future__ import annotations

import asyncio
import base64
import json
import sys
import time
from collections import deque
from collections.abc import Callable
from typing import Any, cast

import httptools
import uvloop

SPIN_SECONDS = 0.002  # closer to a due time than this, the sender polls instead of sleeping


class _Connection(asyncio.Protocol):
    def __init__(self, done: Callable[[_Connection, int], None], lost: Callable[[], None]) -> None:
        self._done = done
        self._lost = lost
        self._parser = httptools.HttpResponseParser(self)
        self.transport: asyncio.WriteTransport | None = None
        self.due = 0.0

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = cast(asyncio.WriteTransport, transport)  # uvloop's transports subclass no asyncio class

    def connection_lost(self, exc: Exception | None) -> None:
        self._lost()

    def data_received(self, data: bytes) -> None:
        self._parser.feed_data(data)

    def on_message_complete(self) -> None:
        self._done(self, self._parser.get_status_code())

    def send(self, request: bytes, due: float) -> None:
        assert self.transport is not None
        self.due = due
        self.transport.write(request)


class _Run:
    def __init__(self, requests: list[bytes]) -> None:
        self.requests = requests
        self.next = 0
        self.latencies: list[float] = []
        self.non_2xx = 0
        self.idle: deque[_Connection] = deque()
        self.backlog: deque[float] = deque()
        self.closed_loop = True
        self.stopping = False
        self.errors = 0

    def on_lost(self) -> None:
        if not self.stopping:
            self.errors += 1

    def request(self) -> bytes:
        request = self.requests[self.next]
        self.next = (self.next + 1) % len(self.requests)
        return request

    def on_response(self, conn: _Connection, status: int) -> None:
        now = time.perf_counter()
        if not self.stopping:
            self.latencies.append(now - conn.due)
            if not 200 <= status < 300:
                self.non_2xx += 1
        if self.stopping:
            self.idle.append(conn)
        elif self.closed_loop:
            conn.send(self.request(), now)
        elif self.backlog:
            conn.send(self.request(), self.backlog.popleft())
        else:
            self.idle.append(conn)

    def dispatch(self, due: float) -> None:
        if self.idle:
            self.idle.popleft().send(self.request(), due)
        else:
            self.backlog.append(due)


async def run(spec: dict[str, Any]) -> dict[str, Any]:
    loop = asyncio.get_running_loop()
    state = _Run([base64.b64decode(item) for item in spec["requests"]])
    conns = []
    for _ in range(spec["connections"]):
        _, conn = await loop.create_connection(
            lambda: _Connection(state.on_response, state.on_lost), spec["host"], spec["port"]
        )
        conns.append(conn)
    rate = spec.get("rate")
    duration = float(spec["duration"])
    started = time.perf_counter()
    deadline = started + duration
    if rate is None:
        for conn in conns:
            conn.send(state.request(), started)
        await asyncio.sleep(duration)
    else:
        state.closed_loop = False
        state.idle.extend(conns)
        interval = 1.0 / rate
        sent = 0
        while (now := time.perf_counter()) < deadline:
            while started + sent * interval <= now:
                state.dispatch(started + sent * interval)
                sent += 1
            wait = started + sent * interval - now
            await asyncio.sleep(wait - SPIN_SECONDS if wait > 2 * SPIN_SECONDS else 0)
    elapsed = time.perf_counter() - started
    state.stopping = True
    completed = len(state.latencies)
    for conn in conns:
        assert conn.transport is not None
        conn.transport.close()
    latencies = sorted(state.latencies)
    return {
        "requests": completed,
        "seconds": elapsed,
        "non_2xx": state.non_2xx,
        "errors": state.errors,
        "unsent": len(state.backlog),
        "latency_ms": {name: _percentile(latencies, q) * 1000 for name, q in PERCENTILES.items()},
    }


PERCENTILES = {"p50": 50.0, "p90": 90.0, "p99": 99.0, "max": 100.0}


def _percentile(ordered: list[float], q: float) -> float:
    if not ordered:
        return 0.0
    return ordered[min(len(ordered) - 1, int(len(ordered) * q / 100))]


def main() -> None:
    with open(sys.argv[1]) as file:
        spec = json.load(file)
    print(json.dumps(uvloop.run(run(spec))))


if __name__ == "__main__":
    main()
