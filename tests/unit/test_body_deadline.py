"""BodyDeadline: a read past its time raises BodyTooSlow; any other cancellation stays a cancellation."""

from __future__ import annotations

import asyncio
import time

import pytest

from lsnotify.web.body_deadline import BodyDeadline, BodyTooSlow


async def arrives(after: float, value: bytes = b"{}") -> bytes:
    await asyncio.sleep(after)
    return value


def test_a_read_in_time_returns_its_body_and_a_late_one_is_too_slow() -> None:
    async def run() -> float:
        deadline = BodyDeadline(0.3)
        assert await deadline.within(arrives(0)) == b"{}"
        assert await deadline.within(arrives(0.05)) == b"{}"
        started = time.monotonic()
        with pytest.raises(BodyTooSlow):
            await deadline.within(arrives(5))
        elapsed = time.monotonic() - started
        assert asyncio.current_task().cancelling() == 0  # type: ignore[union-attr]
        assert await deadline.within(arrives(0.01, b"next")) == b"next"  # the task goes on
        return elapsed

    assert 0.3 <= asyncio.run(run()) < 1.0


def test_reads_of_several_requests_are_timed_apart() -> None:
    async def run() -> list[object]:
        deadline = BodyDeadline(0.3)
        reads = [asyncio.create_task(deadline.within(arrives(after))) for after in (0.05, 5, 0.1, 5)]
        return await asyncio.gather(*reads, return_exceptions=True)

    results = asyncio.run(run())
    assert results[0] == results[2] == b"{}"
    assert isinstance(results[1], BodyTooSlow) and isinstance(results[3], BodyTooSlow)


def test_a_cancellation_from_elsewhere_stays_one() -> None:
    async def run() -> None:
        deadline = BodyDeadline(10)
        read = asyncio.create_task(deadline.within(arrives(5)))
        await asyncio.sleep(0.05)
        read.cancel()  # as at shutdown
        with pytest.raises(asyncio.CancelledError):
            await read

    asyncio.run(run())
