"""The loop watch (lsnotify.web.loop_watch) on a real event loop: the lag histogram, and which requests it names."""

from __future__ import annotations

import asyncio
import logging
import time

import pytest
from prometheus_client import CollectorRegistry, generate_latest

from lsnotify.web.loop_watch import LoopWatch


def histogram(watch: LoopWatch) -> dict[str, float]:
    registry = CollectorRegistry()
    registry.register(watch)
    lines = generate_latest(registry).decode().splitlines()
    samples = (line.rsplit(" ", 1) for line in lines if line.startswith("lsnotify_event_loop_lag_seconds"))
    return {name: float(value) for name, value in samples}


async def request(watch: LoopWatch, request_id: str, *, blocking: float = 0.0, waiting: float = 0.0) -> None:
    """A request as the API endpoint runs one: it computes for ``blocking`` s and awaits for ``waiting`` s, then
    reports itself when it took longer than the watch's threshold."""
    started = time.perf_counter()
    await asyncio.sleep(waiting)
    time.sleep(blocking)  # the loop is held: nothing else runs
    ended = time.perf_counter()
    if ended - started > 0.1:
        watch.request_finished(request_id, "GetAlarms", started, ended)


async def test_the_lag_histogram_counts_a_blocked_loop() -> None:
    watch = LoopWatch()
    async with watch.watching():
        await asyncio.sleep(0.1)
        time.sleep(0.3)
        await asyncio.sleep(0.05)
    samples = histogram(watch)
    total = samples["lsnotify_event_loop_lag_seconds_count"]
    assert total >= 3
    assert samples['lsnotify_event_loop_lag_seconds_bucket{le="0.1"}'] <= total - 1  # the stall is above 0.1 s
    assert samples['lsnotify_event_loop_lag_seconds_bucket{le="+Inf"}'] == total
    assert samples["lsnotify_event_loop_lag_seconds_sum"] >= 0.25


async def test_a_request_that_blocks_the_loop_is_logged(caplog: pytest.LogCaptureFixture) -> None:
    watch = LoopWatch()
    with caplog.at_level(logging.WARNING, logger="lsnotify.loop"):
        async with watch.watching():
            await asyncio.sleep(0.05)
            await request(watch, "req-blocking", blocking=0.2)  # finishes before the watch wakes: still going on
            await request(watch, "req-waiting", waiting=0.2)  # only waits: not the loop's problem
            await asyncio.sleep(0.05)
    (record,) = caplog.records
    assert record.levelname == "WARNING"
    message = record.getMessage()
    assert "during request req-blocking (GetAlarms)" in message, message
    blocked = float(message.split("blocked for ")[1].split(" s")[0])
    assert 0.1 < blocked <= 0.25


async def test_a_request_that_blocked_then_waited_is_logged(caplog: pytest.LogCaptureFixture) -> None:
    """The watch has woken (late) before the request finishes: the stall is found among the recent ones."""
    watch = LoopWatch()
    with caplog.at_level(logging.WARNING, logger="lsnotify.loop"):
        async with watch.watching():
            await asyncio.sleep(0.05)
            started = time.perf_counter()
            time.sleep(0.2)
            await asyncio.sleep(0.1)
            watch.request_finished("req-later", None, started, time.perf_counter())
    (record,) = caplog.records
    assert "during request req-later (no operation)" in record.getMessage()


async def test_a_request_that_started_after_a_stall_is_not_logged(caplog: pytest.LogCaptureFixture) -> None:
    watch = LoopWatch()
    with caplog.at_level(logging.WARNING, logger="lsnotify.loop"):
        async with watch.watching():
            await asyncio.sleep(0.05)
            time.sleep(0.2)  # not inside any request
            await asyncio.sleep(0.05)
            await request(watch, "req-after", waiting=0.15)
    assert caplog.records == []


async def test_without_a_running_watch_nothing_is_logged(caplog: pytest.LogCaptureFixture) -> None:
    watch = LoopWatch()
    with caplog.at_level(logging.WARNING, logger="lsnotify.loop"):
        await request(watch, "req-unwatched", blocking=0.15)
    assert caplog.records == []
