"""The optional per-access-key API rate limit: a token bucket per key, in this process.

Each key's bucket holds up to ``burst`` tokens and refills at ``rate`` a second; a request takes one, and a request
that finds the bucket empty is refused with ``ThrottlingException`` (HTTP 400), which every AWS SDK and the CLI
retry with backoff. The buckets live in the process: behind a load balancer spreading requests over N nodes, a key
gets up to N times the rate. Only authenticated keys get a bucket, so their number is bounded by the keys issued.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from lsnotify.errors import ThrottlingException


class TokenBuckets:
    def __init__(self, rate: float, burst: int, clock: Callable[[], float] = time.monotonic) -> None:
        self._rate = rate
        self._burst = float(burst)
        self._clock = clock
        self._buckets: dict[str, tuple[float, float]] = {}
        """key → (tokens, when they were counted)."""

    def take(self, key: str) -> bool:
        """Take a token from ``key``'s bucket; False when it is empty."""
        now = self._clock()
        tokens, then = self._buckets.get(key, (self._burst, now))
        tokens = min(self._burst, tokens + (now - then) * self._rate)
        if tokens < 1.0:
            self._buckets[key] = (tokens, now)
            return False
        self._buckets[key] = (tokens - 1.0, now)
        return True

    def check(self, access_key_id: str) -> None:
        """Raise ``ThrottlingException`` when ``access_key_id`` is over its rate."""
        if not self.take(access_key_id):
            raise ThrottlingException(
                f"Rate exceeded: access key {access_key_id} may make {self._rate:g} requests a second "
                f"(bursts of {self._burst:g}); retry after a short wait."
            )
