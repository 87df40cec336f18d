"""The sign-in rate limit: after ``ATTEMPTS`` failed sign-ins from one client address within ``WINDOW_SECONDS``,
that client's sign-ins are refused, right pair or not, until the oldest failure leaves the window.

Only failures count, so people who sign in and out often are never held up, while guessing is bounded to a few
tries a minute. Counted in this process's memory: behind several nodes a client gets that many tries per node. The
table is bounded: when it fills, clients whose failures have all left the window are dropped, then the oldest.
"""

from __future__ import annotations

from collections import deque

ATTEMPTS = 10
WINDOW_SECONDS = 300.0
MAX_CLIENTS = 10_000


class AttemptLimiter:
    def __init__(self, attempts: int = ATTEMPTS, window: float = WINDOW_SECONDS) -> None:
        self._attempts = attempts
        self._window = window
        self._failures: dict[str, deque[float]] = {}

    def retry_after(self, client: str, now: float) -> float:
        """Seconds until ``client`` may try to sign in again; 0 when it may now."""
        times = self._failures.get(client)
        if times is None:
            return 0.0
        while times and times[0] <= now - self._window:
            times.popleft()
        if len(times) < self._attempts:
            return 0.0
        return times[0] + self._window - now

    def failed(self, client: str, now: float) -> None:
        """Count a failed sign-in of ``client``."""
        times = self._failures.get(client)
        if times is None:
            if len(self._failures) >= MAX_CLIENTS:
                self._make_room(now)
            times = self._failures[client] = deque()
        times.append(now)

    def _make_room(self, now: float) -> None:
        for client in [c for c, times in self._failures.items() if not times or times[-1] <= now - self._window]:
            del self._failures[client]
        while len(self._failures) >= MAX_CLIENTS:
            del self._failures[next(iter(self._failures))]
