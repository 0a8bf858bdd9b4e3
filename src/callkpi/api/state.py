"""What the server holds for its whole life: the store (the one writing process), the shared
workspace, caches, locks and limiters. Each request works on its own fork of the workspace."""

from __future__ import annotations

import contextlib
import threading
import time
from collections import OrderedDict
from collections.abc import Hashable, Iterator
from dataclasses import dataclass
from typing import Any

from callkpi.access.policy import Principal
from callkpi.access.ratelimit import SlidingWindowLimiter
from callkpi.api.config import ApiConfig
from callkpi.workspace import Workspace

_TOKEN_CACHE_SECONDS = 30.0


@dataclass
class Generations:
    """Counters bumped on every write, so caches know when an answer may be stale."""

    imports: int = 0
    events: int = 0


class ResultCache:
    """Recent KPI answers. An answer stays good until an import or a change made through the
    API; live events make it stale only after `live_staleness_s` (dashboards poll, the live
    board streams)."""

    def __init__(self, generations: Generations, live_staleness_s: float, size: int = 512):
        self._generations = generations
        self._staleness = live_staleness_s
        self._size = size
        self._entries: OrderedDict[Hashable, tuple[int, int, float, Any]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Hashable) -> Any | None:
        with self._lock:
            entry = self._entries.get(key)
            if entry is None:
                return None
            imports, events, made, value = entry
            fresh = imports == self._generations.imports and (
                events == self._generations.events or time.monotonic() - made < self._staleness
            )
            if not fresh:
                del self._entries[key]
                return None
            self._entries.move_to_end(key)
            return value

    def put(self, key: Hashable, value: Any, imports: int, events: int) -> None:
        """Store an answer computed at the given generations (read before computing)."""
        with self._lock:
            self._entries[key] = (imports, events, time.monotonic(), value)
            self._entries.move_to_end(key)
            while len(self._entries) > self._size:
                self._entries.popitem(last=False)


class TokenCache:
    """Principals of recently seen tokens, so most requests skip the token lookup."""

    def __init__(self) -> None:
        self._entries: dict[str, tuple[float, Principal]] = {}
        self._lock = threading.Lock()

    def get(self, digest: str) -> Principal | None:
        with self._lock:
            entry = self._entries.get(digest)
            if entry is None or entry[0] <= time.monotonic():
                self._entries.pop(digest, None)
                return None
            return entry[1]

    def put(self, digest: str, principal: Principal, seconds_left: float) -> None:
        with self._lock:
            if len(self._entries) > 10_000:
                self._entries.clear()
            until = time.monotonic() + min(seconds_left, _TOKEN_CACHE_SECONDS)
            self._entries[digest] = (until, principal)

    def drop(self, digest: str) -> None:
        with self._lock:
            self._entries.pop(digest, None)


class ApiState:
    """Shared by every request of one server process."""

    def __init__(self, config: ApiConfig, workspace: Workspace) -> None:
        self.config = config
        self.workspace = workspace
        workspace.catalog  # noqa: B018 -- parse and check the catalog before serving
        self.generations = Generations()
        self.results = ResultCache(self.generations, config.live_staleness_s)
        self.tokens = TokenCache()
        self.import_lock = threading.Lock()
        self.events_lock = threading.Lock()
        self.generation_lock = threading.Lock()
        self.login_by_address = SlidingWindowLimiter(config.login_attempts_per_address, 60.0)
        self.login_failures = SlidingWindowLimiter(config.login_failures_per_user, 60.0)

    @contextlib.contextmanager
    def session(self) -> Iterator[Workspace]:
        """A workspace on a cursor of its own, for one request."""
        forked = self.workspace.fork()
        try:
            yield forked
        finally:
            forked.store.close()

    def bump(self, what: str) -> None:
        with self.generation_lock:
            setattr(self.generations, what, getattr(self.generations, what) + 1)
