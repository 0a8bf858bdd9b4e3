"""A sliding-window counter per key, for login attempts (per client address and per user)."""

from __future__ import annotations

import threading
import time
from collections import defaultdict, deque
from collections.abc import Callable


class SlidingWindowLimiter:
    """At most `limit` hits per key within `window_s` seconds."""

    def __init__(
        self, limit: int, window_s: float, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.limit = limit
        self.window_s = window_s
        self._clock = clock
        self._hits: dict[str, deque[float]] = defaultdict(deque)
        self._lock = threading.Lock()

    def retry_after(self, key: str) -> float | None:
        """Seconds to wait if the key is over its limit now, else None (nothing recorded)."""
        with self._lock:
            hits = self._prune(key)
            if len(hits) < self.limit:
                return None
            return max(hits[0] + self.window_s - self._clock(), 0.0)

    def hit(self, key: str) -> None:
        with self._lock:
            self._prune(key).append(self._clock())

    def _prune(self, key: str) -> deque[float]:
        hits = self._hits[key]
        oldest = self._clock() - self.window_s
        while hits and hits[0] <= oldest:
            hits.popleft()
        if not hits:
            # Forget idle keys so the table does not grow with every address ever seen.
            self._hits.pop(key, None)
            hits = self._hits[key]
        return hits
