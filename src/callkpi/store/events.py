"""Live call events: stored once per event_id, and each ended call written to `calls`.

A dialer sends `started`, `answered` and `ended` events as they happen, perhaps more than once
(retries after a timeout). The batch is committed in one transaction: the new events, then for
every call whose `ended` event is new, its row in `calls` (replacing an earlier one), built from
all the call's events. A call lasts less than a day, so only the last day of events is read.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

import pyarrow as pa

from callkpi.store.duckdb_backend import DuckDBStore

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


_COMPLETED_CALLS = """
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
WHERE call_id IN (SELECT call_id FROM {new} WHERE kind = 'ended')
  AND "at" >= (SELECT min("at") FROM {new} WHERE kind = 'ended') - INTERVAL '1 day'
GROUP BY call_id
"""

_CALL_ROWS = """
SELECT
  call_id, campaign_id, agent_id, contact_id, lead_id, direction,
  coalesce(started, answered, ended) AS started_at,
  extract(epoch FROM coalesce(answered, ended) - coalesce(started, answered, ended))
    AS ring_s,
  CASE WHEN answered IS NULL THEN 0.0
       ELSE extract(epoch FROM ended - answered) END AS talk_s,
  outcome
FROM ({completed}) AS completed
"""


def write_events(store: DuckDBStore, events: pa.Table) -> EventsWritten:
    """Store a batch of validated events (EVENT_SCHEMA) and complete the ended calls."""
    batch = f"events_{uuid.uuid4().hex}"
    new = f"new_{batch}"
    store.register(batch, events.cast(EVENT_SCHEMA))
    names = ", ".join(f'"{name}"' for name, _ in EVENT_COLUMNS)
    try:
        with store.transaction():
            inserted = store.connection.execute(
                f"INSERT INTO call_events ({names}) SELECT {names} FROM {batch} "
                'ON CONFLICT DO NOTHING RETURNING call_id, kind, "at"'
            ).fetchall()
            completed = 0
            ended = [row for row in inserted if row[1] == "ended"]
            if ended:
                store.register(
                    new,
                    pa.table(
                        {
                            "call_id": pa.array([row[0] for row in ended], pa.string()),
                            "kind": pa.array([row[1] for row in ended], pa.string()),
                            "at": pa.array([row[2] for row in ended], pa.timestamp("us")),
                        }
                    ),
                )
                rows = _CALL_ROWS.format(completed=_COMPLETED_CALLS.format(new=new))
                store.execute(f"CREATE TEMP TABLE {new}_calls AS {rows}")
                completed = int(store.scalar(f"SELECT count(*) FROM {new}_calls"))
                store.execute(
                    f"DELETE FROM calls WHERE call_id IN (SELECT call_id FROM {new}_calls)"
                )
                store.execute(
                    "INSERT INTO calls (call_id, campaign_id, agent_id, contact_id, lead_id, "
                    "direction, started_at, ring_s, talk_s, outcome) "
                    f"SELECT * FROM {new}_calls"
                )
                store.execute(f"DROP TABLE {new}_calls")
                store.unregister(new)
    finally:
        store.unregister(batch)
    return EventsWritten(events.num_rows, len(inserted), completed)
