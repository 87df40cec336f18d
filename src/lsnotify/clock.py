"""Time as the rest of lsnotify sees it: epoch seconds from one injectable source."""

from __future__ import annotations

import time
from typing import Protocol


class Clock(Protocol):
    def __call__(self) -> float:
        """Return the current time in epoch seconds."""
        ...


def system_clock() -> float:
    return time.time()


class OffsetClock:
    """The system clock shifted by an offset a test can move: lets a test send a whole server into the future."""

    def __init__(self, offset_seconds: float = 0.0) -> None:
        self.offset_seconds = offset_seconds

    def __call__(self) -> float:
        return time.time() + self.offset_seconds

    def advance(self, seconds: float) -> None:
        self.offset_seconds += seconds
