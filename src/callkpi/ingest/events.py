"""Live call events from a dialer: what one event may say, checked before anything is stored.

Times with an offset are converted to UTC; a time without one is taken as UTC (say so in the
dialer's settings). An `ended` event carries the call's outcome, one of the canonical ones.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

import pyarrow as pa
from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from callkpi.store.base import Store
from callkpi.store.events import EVENT_SCHEMA, EventsWritten, write_events
from callkpi.store.schema import OUTCOMES

MAX_EVENTS_PER_BATCH = 10_000
#: A dialer clock may run a little ahead; an event dated further in the future is refused.
MAX_CLOCK_AHEAD = dt.timedelta(hours=1)

Identifier = Annotated[str, StringConstraints(min_length=1, max_length=200, strip_whitespace=True)]
Outcome = Literal[OUTCOMES]  # type: ignore[valid-type]


class CallEvent(BaseModel):
    """One thing that happened to one call."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    event_id: Identifier = Field(description="Unique per event: a retried event is ignored.")
    call_id: Identifier
    kind: Literal["started", "answered", "ended"]
    at: dt.datetime = Field(description="When it happened (ISO 8601; no offset means UTC).")
    campaign_id: Identifier
    agent_id: Identifier | None = None
    contact_id: Identifier | None = None
    lead_id: Identifier | None = None
    direction: Literal["inbound", "outbound"] | None = None
    outcome: Outcome | None = Field(  # type: ignore[valid-type]
        default=None, description="Required on `ended` events, absent on the others."
    )

    @model_validator(mode="after")
    def _outcome_on_ended_only(self) -> CallEvent:
        if self.kind == "ended" and self.outcome is None:
            raise ValueError("an ended event needs its outcome")
        if self.kind != "ended" and self.outcome is not None:
            raise ValueError(f"a {self.kind} event has no outcome")
        return self

    def utc_at(self) -> dt.datetime:
        if self.at.tzinfo is None:
            return self.at
        return self.at.astimezone(dt.UTC).replace(tzinfo=None)


class EventBatch(BaseModel):
    """What `POST /events` takes: up to MAX_EVENTS_PER_BATCH events."""

    model_config = ConfigDict(extra="forbid")

    events: list[CallEvent] = Field(min_length=1, max_length=MAX_EVENTS_PER_BATCH)


def events_table(events: list[CallEvent], received_at: dt.datetime) -> pa.Table:
    """The batch as Arrow columns, in the store's order; refuses events dated in the future."""
    latest = received_at + MAX_CLOCK_AHEAD
    times = [event.utc_at() for event in events]
    for position, at in enumerate(times):
        if at > latest:
            raise ValueError(
                f"event {position} ({events[position].event_id!r}) is dated {at.isoformat()} "
                f"UTC, more than {MAX_CLOCK_AHEAD} after the server's clock"
            )
    columns: dict[str, list[object]] = {
        name: [getattr(event, name) for event in events]
        for name in EVENT_SCHEMA.names
        if name not in ("at", "received_at")
    }
    columns["at"] = times  # type: ignore[assignment]
    columns["received_at"] = [received_at] * len(events)
    return pa.table({name: columns[name] for name in EVENT_SCHEMA.names}, schema=EVENT_SCHEMA)


def record_events(
    store: Store, events: list[CallEvent], *, defer_rollups: bool = False
) -> EventsWritten:
    """Commit a batch; returns how many were new, duplicates, and calls completed."""
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    return write_events(store, events_table(events, now), defer_rollups=defer_rollups)
