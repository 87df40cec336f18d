"""The sign-in rate limit: at most ``ATTEMPTS`` sign-in attempts per client address in any ``WINDOW_SECONDS``.

Counted in this process's memory: behind several nodes a client gets that many attempts per node, which still bounds
guessing to a handful a minute. The table is bounded: when it fills, windows that have ended are dropped, and if that
is not enough, the oldest clients go.
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
        self._seen: dict[str, deque[float]] = {}

    def retry_after(self, client: str, now: float) -> float:
        """Seconds until ``client`` may try again: 0 when it may now, in which case the attempt is counted."""
        times = self._seen.get(client)
        if times is None:
            if len(self._seen) >= MAX_CLIENTS:
                self._make_room(now)
            times = self._seen[client] = deque()
        while times and times[0] <= now - self._window:
            times.popleft()
        if len(times) >= self._attempts:
            return times[0] + self._window - now
        times.append(now)
        return 0.0

    def _make_room(self, now: float) -> None:
        for client in [c for c, times in self._seen.items() if not times or times[-1] <= now - self._window]:
            del self._seen[client]
        while len(self._seen) >= MAX_CLIENTS:
            del self._seen[next(iter(self._seen))]
