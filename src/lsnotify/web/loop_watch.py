"""Watching the event loop: how late it runs a task that asks to wake every ``TICK`` seconds (the lag), as the
``lsnotify_event_loop_lag_seconds`` histogram of ``/metrics``, and a warning for each API request during which the
loop was blocked for more than ``BLOCKED`` seconds.

Every tenant's calls, ``/healthz``, the verification pages, the outbox worker and the alarm evaluator share one loop,
and all of them wait while any one callback computes. The lag is measured from outside: a task sleeps ``TICK`` and
records how much later than due it woke, which is at least as long as the loop was held (and at most ``TICK`` less).

Naming the request that held the loop costs the hot path one comparison: the API endpoint already times every request
for ``/metrics``, and only a request that took longer than ``BLOCKED`` reports itself (``request_finished``). A
request that blocked the loop took at least as long as the block, so none is missed. The watch then compares the
request's span with the stalls it has seen — including one still going on as the request finishes, when the request's
own code is what runs — and logs when the loop was blocked for more than ``BLOCKED`` during it. A request that only
waited (on the database, on a slow client) is not logged. The loop cannot say which coroutine was running during a
stall, so a request that was waiting through another's stall is named too; the message says what was observed.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import logging
import math
import time
from bisect import bisect_left
from collections import deque
from collections.abc import AsyncIterator, Iterator

from prometheus_client.core import HistogramMetricFamily, Metric
from prometheus_client.registry import Collector

log = logging.getLogger("lsnotify.loop")

TICK = 0.02
"""Seconds between the watch task's wake-ups: 50 a second, a few microseconds of loop time each."""
BLOCKED = 0.1
"""A stall longer than this is logged against the requests in progress."""
LAG_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
_RECENT_STALLS = 64


class LoopWatch(Collector):
    """The lag histogram and the recent stalls of the loop that runs ``watching()``."""

    def __init__(self, tick: float = TICK, blocked: float = BLOCKED) -> None:
        self._tick = tick
        self.blocked = blocked  # a request that took less need not report itself
        self._counts = [0] * (len(LAG_BUCKETS) + 1)  # one per bucket and one for +Inf, not cumulative
        self._sum = 0.0
        self._due = math.inf  # perf_counter time at which the watch task should wake next
        self._stalls: deque[tuple[float, float]] = deque(maxlen=_RECENT_STALLS)  # (due, woke) above `blocked`

    @contextlib.asynccontextmanager
    async def watching(self) -> AsyncIterator[None]:
        """Run the watch task for the duration."""
        task = asyncio.create_task(self._run(), name="lsnotify-loop-watch")
        try:
            yield
        finally:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
            self._due = math.inf

    async def _run(self) -> None:
        while True:
            self._due = time.perf_counter() + self._tick
            await asyncio.sleep(self._tick)
            woke = time.perf_counter()
            self.observe(woke - self._due, woke)

    def observe(self, lag: float, woke: float) -> None:
        """Count one wake-up that came ``lag`` seconds late, at ``woke`` (perf_counter)."""
        lag = max(lag, 0.0)  # the loop may run a timer a clock tick early
        self._counts[bisect_left(LAG_BUCKETS, lag)] += 1
        self._sum += lag
        if lag > self.blocked:
            self._stalls.append((woke - lag, woke))

    def request_finished(self, request_id: str, operation: str | None, started: float, ended: float) -> None:
        """Called for a request that took longer than ``blocked`` (perf_counter times): log it when the loop was
        blocked that long while it was in progress."""
        ongoing = ended - max(self._due, started)
        blocked = max([ongoing, *(min(woke, ended) - max(due, started) for due, woke in self._stalls)])
        if blocked > self.blocked:
            log.warning(
                "the event loop was blocked for %.3f s during request %s (%s), which took %.3f s",
                blocked,
                request_id,
                operation or "no operation",
                ended - started,
            )

    def collect(self) -> Iterator[Metric]:
        lag = HistogramMetricFamily(
            "lsnotify_event_loop_lag_seconds",
            f"Seconds the event loop ran a task later than due; the task asks to run every {self._tick:g} s.",
        )
        bounds = [*(repr(float(bound)) for bound in LAG_BUCKETS), "+Inf"]
        lag.add_metric([], list(zip(bounds, itertools.accumulate(self._counts), strict=True)), self._sum)
        yield lag
