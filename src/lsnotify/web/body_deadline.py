"""``BodyDeadline``: the time a request body has to arrive, kept for every request by one timer.

``asyncio.timeout`` arms and cancels a timer per request, which costs more than reading a small body that has
already arrived (the usual case: it came in the same packet as the headers). Here each read only notes its deadline
in a dictionary; one timer, running while reads are pending, looks over them every tenth of the allowed time (at
most every second) and cancels the reads that are overdue, which then raise ``BodyTooSlow``. A body may so take up
to a tenth longer than allowed.
"""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from typing import Any, TypeVar

T = TypeVar("T")


class BodyTooSlow(Exception):
    """The body did not arrive in time."""


class BodyDeadline:
    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self._interval = min(max(seconds / 10, 0.01), 1.0)
        self._reads: dict[asyncio.Task[Any], float] = {}
        self._overdue: set[asyncio.Task[Any]] = set()
        self._timer: asyncio.TimerHandle | None = None

    async def within(self, read: Coroutine[Any, Any, T]) -> T:
        """The result of ``read``, awaited in the current task; ``BodyTooSlow`` when it takes too long."""
        task = asyncio.current_task()
        if task is None:  # not in a task: nothing to cancel
            return await read
        loop = asyncio.get_running_loop()
        self._reads[task] = loop.time() + self.seconds
        if self._timer is None:
            self._timer = loop.call_later(self._interval, self._sweep, loop)
        try:
            return await read
        except asyncio.CancelledError:
            if task not in self._overdue:
                raise
            self._overdue.discard(task)
            task.uncancel()
            raise BodyTooSlow from None
        finally:
            del self._reads[task]

    def _sweep(self, loop: asyncio.AbstractEventLoop) -> None:
        now = loop.time()
        for task, deadline in self._reads.items():
            if deadline <= now and task not in self._overdue:
                self._overdue.add(task)
                task.cancel()
        self._timer = loop.call_later(self._interval, self._sweep, loop) if self._reads else None
