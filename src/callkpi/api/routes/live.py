"""Live call events in (POST /events) and the live board out (GET /live, server-sent events)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

from fastapi import APIRouter, Request
from fastapi.sse import EventSourceResponse, ServerSentEvent

from callkpi.api.errors import ApiError
from callkpi.api.schemas import EventsReceipt
from callkpi.api.security import EventWriterDep, StateDep, UserDep
from callkpi.ingest.events import EventBatch, record_events
from callkpi.store.events import EventsWritten

router = APIRouter(tags=["live"])
_HEARTBEAT_S = 15.0


@router.post("/events", response_model=EventsReceipt)
async def post_events(state: StateDep, caller: EventWriterDep, batch: EventBatch) -> EventsReceipt:
    """A batch of call events (started, answered, ended with its outcome). Idempotent on
    event_id: a retried batch is counted as duplicates. Answered only once committed."""

    def write() -> EventsWritten:
        written = record_events(state.event_store(), batch.events, defer_rollups=True)
        if written.calls_completed:
            state.rollups_dirty = True
        return written

    try:
        written = await asyncio.wrap_future(state.event_writer.submit(write))
    except ValueError as exc:
        raise ApiError(422, str(exc)) from exc
    if written.new:
        state.bump("events")
    return EventsReceipt(
        received=written.received,
        new=written.new,
        duplicates=written.duplicates,
        calls_completed=written.calls_completed,
    )


@router.get("/live", response_class=EventSourceResponse)
async def live(
    request: Request, state: StateDep, principal: UserDep
) -> AsyncIterator[ServerSentEvent]:
    """Server-sent events: today's counters per campaign and agent (calls, completed,
    contacts, sales, contact rate, agents on call), scoped to the user, sent on connection
    and again within 2 seconds of any new event."""
    hub = request.app.state.live
    sent = -1
    while not await request.is_disconnected():
        if hub.version != sent:
            sent = hub.version
            yield ServerSentEvent(
                data=hub.board_for(principal).as_dict(), event="counters", id=str(sent)
            )
        await hub.wait_for_change(sent, _HEARTBEAT_S)
