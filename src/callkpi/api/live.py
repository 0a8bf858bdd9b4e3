"""The live board's engine: recount today's cells after new events, and wake the streams.

One task per server polls a generation counter every `live_interval_s`; when events arrived
(or every 30 s, for the day's rollover) it runs the cells query once, for everybody. Each
stream then sums the cells its user may see (callkpi.access.policy).
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
import threading
import time
from typing import Any
from zoneinfo import ZoneInfo

from starlette.concurrency import run_in_threadpool

from callkpi.access.policy import Principal, visible
from callkpi.api.state import ApiState
from callkpi.metrics.live import LiveBoard, board, cells_sql, parameters

log = logging.getLogger("callkpi.api")
_REFRESH_ANYWAY_S = 30.0


def day_start(zone: str, now: dt.datetime | None = None) -> tuple[str, dt.datetime]:
    """Today's date in the zone, and its first instant in UTC (naive, as stored)."""
    tz = ZoneInfo(zone)
    local = (now or dt.datetime.now(dt.UTC)).astimezone(tz)
    midnight = dt.datetime.combine(local.date(), dt.time(), tzinfo=tz)
    return local.date().isoformat(), midnight.astimezone(dt.UTC).replace(tzinfo=None)


class LiveHub:
    """Holds the latest cells and a version number that streams wait on."""

    def __init__(self, state: ApiState) -> None:
        self.state = state
        self.version = 0
        self.day = ""
        self.cells: list[dict[str, Any]] = []
        self._changed: asyncio.Condition | None = None
        self._sql = cells_sql(state.workspace.store.dialect)
        self._busy = threading.Lock()

    def recount(self) -> None:
        """Run the cells query (in a worker thread) and keep its rows."""
        day, start = day_start(self.state.config.timezone)
        with self._busy, self.state.session() as ws:
            table = ws.store.query(self._sql, parameters(start))
        self.day, self.cells = day, table.to_pylist()

    def wait_idle(self) -> None:
        """Block until a recount in flight is done (before the store is closed)."""
        with self._busy:
            pass

    async def run(self) -> None:
        self._changed = asyncio.Condition()
        seen, refreshed = -1, 0.0
        while True:
            self.state.refresh_rollups_soon()
            generation = self.state.generations.events + self.state.generations.imports
            stale = time.monotonic() - refreshed > _REFRESH_ANYWAY_S
            if generation != seen or stale:
                try:
                    await run_in_threadpool(self.recount)
                    seen, refreshed = generation, time.monotonic()
                    async with self._changed:
                        self.version += 1
                        self._changed.notify_all()
                except Exception:  # keep the board alive; the next round tries again
                    log.exception("live board recount failed")
            await asyncio.sleep(self.state.config.live_interval_s)

    async def wait_for_change(self, version: int, timeout_s: float) -> None:
        """Return when the version moves past `version`, or after the timeout."""
        if self.version != version:
            return
        if self._changed is None:  # the hub has not started (no lifespan): nothing will come
            await asyncio.sleep(timeout_s)
            return
        async with self._changed:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(
                    self._changed.wait_for(lambda: self.version != version), timeout_s
                )

    def board_for(self, principal: Principal) -> LiveBoard:
        return board(self.day, visible(principal, self.cells))
