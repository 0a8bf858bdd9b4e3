"""Live call events: stored once per event_id, and each ended call written to `calls`.

A dialer sends `started`, `answered` and `ended` events as they happen, perhaps more than once
(retries after a timeout). The batch is committed in one transaction: the new events, then for
every call whose `ended` event is new, its row in `calls` (replacing an earlier one), built from
all the call's events, and the daily rollups of the days those rows touch. A call lasts less
than a day, so only the last day of events is read. An event that arrives after its call's
`ended` one (late, or through another server process) rebuilds the call's row as well.

Several processes may write events at once (API servers on PostgreSQL): a batch holds the
lock of each of its calls (`Store.lock`) from before its insert to its commit, so the row of a
call is built by one batch at a time, from every event committed before it. Events go in
event_id order, so two batches sharing event ids never wait for each other in a cycle. Batches
hold the `calls` rows lock shared (`loading.lock_rows`), which an import holds exclusively: a
batch and an import never replace the same call's row at once.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pyarrow as pa

from callkpi.store import rollups
from callkpi.store.base import Store
from callkpi.store.changes import LIVE
from callkpi.store.loading import lock_rows

EVENT_COLUMNS: tuple[tuple[str, pa.DataType], ...] = (
    ("event_id", pa.string()),
    ("call_id", pa.string()),
    ("kind", pa.string()),
    ("at", pa.timestamp("us")),
    ("campaign_id", pa.string()),
    ("agent_id", pa.string()),
    ("contact_id", pa.string()),
    ("lead_id", pa.string()),
    ("direction", pa.string()),
    ("outcome", pa.string()),
    ("received_at", pa.timestamp("us")),
)
EVENT_SCHEMA = pa.schema([pa.field(name, dtype) for name, dtype in EVENT_COLUMNS])


@dataclass(frozen=True)
class EventsWritten:
    received: int
    new: int
    calls_completed: int

    @property
    def duplicates(self) -> int:
        return self.received - self.new


_STAGING = "_callkpi_event_batch"
_ENDED = "_callkpi_ended_calls"
_COMPLETED = "_callkpi_completed_calls"
_REPLACED = "_callkpi_replaced_calls"
_NEW = "_callkpi_new_calls"
_LATE = "_callkpi_late_calls"
#: Held per call (Store.lock) by the batch writing its events and its row.
CALL_LOCK = "callkpi.calls"

_COMPLETED_CALLS = f"""
SELECT
  call_id,
  max(campaign_id) AS campaign_id,
  max(agent_id) AS agent_id,
  max(contact_id) AS contact_id,
  max(lead_id) AS lead_id,
  max(direction) AS direction,
  min("at") FILTER (WHERE kind = 'started') AS started,
  min("at") FILTER (WHERE kind = 'answered') AS answered,
  max("at") FILTER (WHERE kind = 'ended') AS ended,
  max(outcome) FILTER (WHERE kind = 'ended') AS outcome
FROM call_events
WHERE call_id IN (SELECT call_id FROM {_ENDED})
  AND "at" >= (SELECT min("at") FROM {_ENDED}) - INTERVAL '1 day'
GROUP BY call_id
"""

_CALL_ROWS = f"""
SELECT
  call_id, campaign_id, agent_id, contact_id, lead_id, direction,
  coalesce(started, answered, ended) AS started_at,
  extract(epoch FROM coalesce(answered, ended) - coalesce(started, answered, ended))
    AS ring_s,
  CASE WHEN answered IS NULL THEN 0.0
       ELSE extract(epoch FROM ended - answered) END AS talk_s,
  outcome
FROM ({_COMPLETED_CALLS}) AS completed
"""
_CALL_COLUMNS = (
    "call_id, campaign_id, agent_id, contact_id, lead_id, direction, started_at, ring_s, "
    "talk_s, outcome"
)


def _staging_tables(store: Store) -> None:
    """Session-local scratch tables (DuckDB and PostgreSQL both have TEMP tables), made once
    per store (a server's event writer keeps one store for its life) outside any
    transaction, so a rolled-back batch cannot take them away."""
    if getattr(store, "_event_scratch", False) is not True:
        columns = ", ".join(
            f'"{name}" {"TIMESTAMP" if pa.types.is_timestamp(t) else "VARCHAR"}'
            for name, t in EVENT_COLUMNS
        )
        store.execute(f"CREATE TEMP TABLE IF NOT EXISTS {_STAGING} ({columns})")
        store.execute(f'CREATE TEMP TABLE IF NOT EXISTS {_ENDED} (call_id VARCHAR, "at" TIMESTAMP)')
        store.execute(f"CREATE TEMP TABLE IF NOT EXISTS {_LATE} (call_id VARCHAR)")
        store.execute(
            f"CREATE TEMP TABLE IF NOT EXISTS {_COMPLETED} (call_id VARCHAR, "
            "campaign_id VARCHAR, agent_id VARCHAR, contact_id VARCHAR, lead_id VARCHAR, "
            "direction VARCHAR, started_at TIMESTAMP, ring_s DOUBLE PRECISION, "
            "talk_s DOUBLE PRECISION, outcome VARCHAR)"
        )
        for copy in (_REPLACED, _NEW):
            store.execute(f"CREATE TEMP TABLE IF NOT EXISTS {copy} AS SELECT * FROM calls LIMIT 0")
        store._event_scratch = True  # type: ignore[attr-defined]


def write_events(store: Store, events: pa.Table, *, defer_rollups: bool = False) -> EventsWritten:
    """Store a batch of validated events (EVENT_SCHEMA) and complete the ended calls.

    The rollups of the days the completed calls touch are recomputed in the same
    transaction, or, with `defer_rollups` (the server), left pending for
    `rollups.refresh_pending`."""
    names = ", ".join(f'"{name}"' for name, _ in EVENT_COLUMNS)
    _staging_tables(store)
    with store.transaction():
        for table in (_STAGING, _ENDED, _COMPLETED, _LATE):
            store.execute(f"DELETE FROM {table}")
        store.insert_arrow(_STAGING, events.cast(EVENT_SCHEMA))
        # Imports replace call rows under the table's lock: a batch waits for them (and they
        # for it), else an import and a batch writing one call would both insert its row.
        lock_rows(store, "calls", shared=True)
        store.lock(CALL_LOCK, f"SELECT call_id FROM {_STAGING}")
        inserted = store.rows(
            f"INSERT INTO call_events ({names}) SELECT {names} FROM {_STAGING} "
            'ORDER BY event_id ON CONFLICT DO NOTHING RETURNING call_id, kind, "at"'
        )
        if inserted:
            store.announce(LIVE)
        completed, rebuild = _ended_calls(store, inserted)
        if rebuild:
            store.execute(f"INSERT INTO {_COMPLETED} {_CALL_ROWS}")
            # Every call in _ENDED gets its row (its events include the `ended` one).
            changed = f"SELECT * FROM calls WHERE call_id IN (SELECT call_id FROM {_COMPLETED})"
            if defer_rollups:
                # Old and new versions of the rows go to the pending table as they are.
                rollups.defer_calls(store, changed)
                store.execute(
                    f"DELETE FROM calls WHERE call_id IN (SELECT call_id FROM {_COMPLETED})"
                )
                store.execute(
                    f"INSERT INTO calls ({_CALL_COLUMNS}) SELECT {_CALL_COLUMNS} FROM {_COMPLETED}"
                )
                rollups.defer_calls(store, changed)
            else:
                # Both versions marked in one pass: the days they affect are read from other
                # tables (a call's lead, its contact's orders), which this write leaves alone.
                for copy in (_REPLACED, _NEW):
                    store.execute(f"DELETE FROM {copy}")
                store.execute(f"INSERT INTO {_REPLACED} {changed}")
                store.execute(
                    f"INSERT INTO {_NEW} ({_CALL_COLUMNS}) SELECT {_CALL_COLUMNS} FROM {_COMPLETED}"
                )
                store.execute(
                    f"DELETE FROM calls WHERE call_id IN (SELECT call_id FROM {_REPLACED})"
                )
                store.execute(f"INSERT INTO calls SELECT * FROM {_NEW}")
                rollups.mark(
                    store, "calls", f"SELECT * FROM {_REPLACED} UNION ALL SELECT * FROM {_NEW}"
                )
                rollups.refresh(store)
    return EventsWritten(events.num_rows, len(inserted), completed)


def _ended_calls(store: Store, inserted: list[tuple]) -> tuple[int, bool]:
    """Fill _ENDED with the calls whose row is to be (re)built: those with a new `ended`
    event, and those with another new event if they have ended. Returns how many calls
    ended in this batch, and whether there is any row to build."""
    ended = [row for row in inserted if row[1] == "ended"]
    if ended:
        store.insert_arrow(
            _ENDED,
            pa.table(
                {
                    "call_id": pa.array([row[0] for row in ended], pa.string()),
                    "at": pa.array([row[2] for row in ended], pa.timestamp("us")),
                }
            ),
        )
    completed = {row[0] for row in ended}
    late = [row for row in inserted if row[0] not in completed]
    ended_before = []
    if late:
        calls = sorted({row[0] for row in late})
        store.insert_arrow(_LATE, pa.table({"call_id": pa.array(calls, pa.string())}))
        ended_before = store.rows(
            f'INSERT INTO {_ENDED} SELECT call_id, max("at") FROM call_events '
            f"WHERE kind = 'ended' AND call_id IN (SELECT call_id FROM {_LATE}) "
            'AND "at" >= ? GROUP BY call_id RETURNING call_id',
            [min(row[2] for row in late) - dt.timedelta(days=1)],
        )
    return len(completed), bool(ended or ended_before)
