"""What the server holds for its whole life: the store, the shared workspace, caches, locks
and limiters. Each request works on its own fork of the workspace.

On DuckDB the server is the store's one writing process. On PostgreSQL several servers may
share the store: each keeps its own caches, limiters and live board, and follows what the
others write through the store's change feed (`Store.watch`), which bumps the same
generation counters as its own writes."""

from __future__ import annotations

import contextlib
import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from callkpi.access.ratelimit import SlidingWindowLimiter
from callkpi.api.config import ApiConfig
from callkpi.store import changes, rollups
from callkpi.workspace import Workspace

_TOKEN_CACHE_SECONDS = 30.0
log = logging.getLogger("callkpi.api")


@dataclass
class Generations:
    """Counters bumped on every write, so caches know when an answer may be stale."""

    imports: int = 0
    events: int = 0


class ResultCache:
    """Recent answers (serialized), shared by all users with the same scoped question.

    An answer stays good until an import. Live events make it stale after `live_staleness_s`;
    a stale answer is still served while one background refresh runs (dashboards poll, the
    live board streams). A missing answer is computed once however many ask at the same time
    (single flight), so fifty dashboards opening at once run one query.
    """

    def __init__(
        self,
        generations: Generations,
        live_staleness_s: float,
        refresher: ThreadPoolExecutor,
        size: int = 512,
    ) -> None:
        self._generations = generations
        self._staleness = live_staleness_s
        self._refresher = refresher
        self._size = size
        self._entries: OrderedDict[Hashable, tuple[int, int, float, Any]] = OrderedDict()
        self._flights: dict[Hashable, Future[Any]] = {}
        self._refreshing: set[Hashable] = set()
        self._lock = threading.Lock()

    def fetch(self, key: Hashable, compute: Callable[[], Any]) -> Any:
        """The cached answer for `key`, computing it with `compute()` if need be."""
        with self._lock:
            entry = self._entries.get(key)
            if entry is not None:
                imports, events, made, value = entry
                if imports == self._generations.imports:
                    self._entries.move_to_end(key)
                    aged = time.monotonic() - made >= self._staleness
                    if events != self._generations.events and aged:
                        self._refresh_later(key, compute)
                    return value
                del self._entries[key]
            flight = self._flights.get(key)
            leader = flight is None
            if flight is None:
                flight = self._flights[key] = Future()
        if not leader:
            return flight.result()
        try:
            value = self._compute(key, compute)
        except BaseException as exc:
            flight.set_exception(exc)
            raise
        else:
            flight.set_result(value)
            return value
        finally:
            with self._lock:
                self._flights.pop(key, None)

    def _compute(self, key: Hashable, compute: Callable[[], Any]) -> Any:
        imports, events = self._generations.imports, self._generations.events
        value = compute()
        with self._lock:
            self._entries[key] = (imports, events, time.monotonic(), value)
            self._entries.move_to_end(key)
            while len(self._entries) > self._size:
                self._entries.popitem(last=False)
        return value

    def _refresh_later(self, key: Hashable, compute: Callable[[], Any]) -> None:
        """Called under the lock: one background refresh per key at a time."""
        if key in self._refreshing:
            return
        self._refreshing.add(key)

        def refresh() -> None:
            try:
                self._compute(key, compute)
            except Exception:  # the stale answer stays; the next request tries again
                log.exception("background refresh failed")
            finally:
                with self._lock:
                    self._refreshing.discard(key)

        self._refresher.submit(refresh)


class TokenCache:
    """Callers of recently seen tokens and API keys (a Principal or an event source), so most
    requests skip the lookup. A revocation reaches a running server within 30 s."""

    def __init__(self) -> None:
        self._entries: dict[str, tuple[float, Any]] = {}
        self._lock = threading.Lock()

    def get(self, digest: str) -> Any | None:
        with self._lock:
            entry = self._entries.get(digest)
            if entry is None or entry[0] <= time.monotonic():
                self._entries.pop(digest, None)
                return None
            return entry[1]

    def put(self, digest: str, principal: Any, seconds_left: float) -> None:
        with self._lock:
            if len(self._entries) > 10_000:
                self._entries.clear()
            until = time.monotonic() + min(seconds_left, _TOKEN_CACHE_SECONDS)
            self._entries[digest] = (until, principal)

    def drop(self, digest: str) -> None:
        with self._lock:
            self._entries.pop(digest, None)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


class ApiState:
    """Shared by every request of one server process."""

    def __init__(self, config: ApiConfig, workspace: Workspace) -> None:
        self.config = config
        self.workspace = workspace
        workspace.catalog  # noqa: B018 -- parse and check the catalog before serving
        self.generations = Generations()
        #: Background refreshes of stale answers.
        self.refresher = ThreadPoolExecutor(2, thread_name_prefix="callkpi-refresh")
        #: The one thread that writes live events: they never wait behind dashboard queries
        #: for a worker thread, and this process commits its batches in arrival order.
        self.event_writer = ThreadPoolExecutor(1, thread_name_prefix="callkpi-events")
        #: The one thread that recomputes the rollup days live events left pending, on its
        #: own store fork: a refresh (it reads the whole day) never holds up event batches.
        #: Both only append to the pending rows; the refresh deletes what it has seen.
        self.rollup_writer = ThreadPoolExecutor(1, thread_name_prefix="callkpi-rollups")
        self._rollup_store: Any = None
        self.results = ResultCache(self.generations, config.live_staleness_s, self.refresher)
        self.tokens = TokenCache()
        self.import_lock = threading.Lock()
        self._event_store: Any = None
        #: Live events leave their rollup days pending; the event writer recomputes them at
        #: most every `rollup_refresh_s` (see refresh_rollups).
        self.rollups_dirty = True  # days a previous run left pending are done first
        self._rollups_queued = False
        self._rollups_refreshed = 0.0
        self.generation_lock = threading.Lock()
        #: Per process: with N servers, a client may try up to N times as often.
        self.login_by_address = SlidingWindowLimiter(config.login_attempts_per_address, 60.0)
        self.login_failures = SlidingWindowLimiter(config.login_failures_per_user, 60.0)
        self._stopping = threading.Event()
        self._follower: threading.Thread | None = None

    def start(self) -> None:
        """Follow what other processes write to the store, if any can (PostgreSQL)."""
        feed = self.workspace.store.watch()
        if feed is not None:
            self._follower = threading.Thread(
                target=self._follow_changes, args=(feed,), name="callkpi-changes", daemon=True
            )
            self._follower.start()

    def _follow_changes(self, feed: Any) -> None:
        """Bump the generations (and drop remembered callers) as other processes announce
        their commits. A lost connection is reopened; anything may have changed meanwhile."""
        while not self._stopping.is_set():
            try:
                if feed is None:
                    feed = self.workspace.store.watch()
                    self.heard({changes.DATA, changes.LIVE, changes.ACCOUNTS})
                topics = feed.wait(0.5)
            except Exception:  # StoreError when the connection is lost
                log.warning("lost the store's change feed; reconnecting", exc_info=True)
                if feed is not None:
                    with contextlib.suppress(Exception):
                        feed.close()
                feed = None
                self._stopping.wait(1.0)
                continue
            if topics:
                self.heard(topics)
        if feed is not None:
            feed.close()

    def heard(self, topics: set[str]) -> None:
        """Another process (or this one) committed a change of these kinds."""
        if changes.DATA in topics:
            self.bump("imports")
        if changes.LIVE in topics:
            self.rollups_dirty = True  # its rollup days may be pending: any process can do them
            self.bump("events")
        if changes.ACCOUNTS in topics:
            self.tokens.clear()

    def event_store(self) -> Any:
        """The event writer thread's own store fork, kept for the server's life (its scratch
        tables are made once). Only ever used from that one thread."""
        if self._event_store is None:
            self._event_store = self.workspace.store.fork()
        return self._event_store

    @contextlib.contextmanager
    def session(self) -> Iterator[Workspace]:
        """A workspace on a cursor of its own, for one request."""
        forked = self.workspace.fork()
        try:
            yield forked
        finally:
            forked.store.close()

    def refresh_rollups_soon(self) -> None:
        """Queue a recount of the pending rollup days on the rollup thread, if some are
        pending and the last one is old enough."""
        due = time.monotonic() - self._rollups_refreshed >= self.config.rollup_refresh_s
        if self.rollups_dirty and due and not self._rollups_queued:
            self._rollups_queued = True
            self.rollup_writer.submit(self.refresh_rollups)

    def refresh_rollups(self) -> None:
        """Recompute pending rollup days, unless an import is running (it would conflict on
        the same days): then the next round tries again."""
        self._rollups_queued = False
        if not self.import_lock.acquire(blocking=False):
            return
        try:
            self.rollups_dirty = False
            if self._rollup_store is None:
                self._rollup_store = self.workspace.store.fork()
            if rollups.refresh_pending(self._rollup_store):
                self.bump("events")
            # Rows a batch committed during the refresh wait for the next round.
            if rollups.pending(self._rollup_store):
                self.rollups_dirty = True
        except Exception:
            self.rollups_dirty = True
            log.exception("rollup refresh failed; retrying later")
        finally:
            self._rollups_refreshed = time.monotonic()
            self.import_lock.release()

    def shutdown(self) -> None:
        """Let running writes and refreshes finish (before the store is closed)."""
        self._stopping.set()
        if self._follower is not None:
            self._follower.join(5)
        self.event_writer.shutdown(wait=True)
        if self.rollups_dirty:
            self.rollup_writer.submit(self.refresh_rollups)
        self.rollup_writer.shutdown(wait=True)
        if self._rollup_store is not None:
            self._rollup_store.close()
        self.refresher.shutdown(wait=True, cancel_futures=True)
        if self._event_store is not None:
            self._event_store.close()

    def bump(self, what: str) -> None:
        with self.generation_lock:
            setattr(self.generations, what, getattr(self.generations, what) + 1)
