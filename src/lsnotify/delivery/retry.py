"""When a failed message is tried again: exponential backoff with jitter, bounded by attempts and age. Pure.

The n-th retry waits ``base_delay * 2**(n-1)``, at most ``max_delay``, less a random share of up to ``jitter`` of
it (so that messages that failed together do not all come back together). A message is dead-lettered once it has
had ``max_attempts`` attempts, or when its next attempt would fall more than ``max_age`` seconds after its round of
attempts began.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass

_MAX_DOUBLINGS = 62  # past this the delay is max_delay anyway; keeps 2**n a sane float


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    max_attempts: int
    max_age: float
    base_delay: float
    max_delay: float
    jitter: float = 0.5
    """The share of each delay that is random: 0.5 waits between half the delay and all of it."""

    def delay(self, attempts: int, draw: float) -> float:
        """Seconds to wait after the ``attempts``-th failed attempt; ``draw`` is uniform in [0, 1)."""
        full = min(self.max_delay, self.base_delay * 2.0 ** min(max(attempts - 1, 0), _MAX_DOUBLINGS))
        return full * (1.0 - self.jitter * draw)

    def next_attempt_at(
        self, attempts: int, queued_at: float, now: float, draw: Callable[[], float] = random.random
    ) -> float | None:
        """When to try again after ``attempts`` failed attempts, or None to dead-letter the message."""
        if attempts >= self.max_attempts:
            return None
        at = now + self.delay(attempts, draw())
        if at - queued_at > self.max_age:
            return None
        return at
