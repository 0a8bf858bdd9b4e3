"""Sources of activity: calls (with handle time and staffed hours), leads, touches."""

from __future__ import annotations

import ibis
import ibis.expr.types as ir

from callkpi.metrics.sources.base import Context
from callkpi.store.schema import CONTACT_OUTCOMES


def _handle_seconds(t: ir.Table) -> ir.FloatingValue:
    return (
        t.talk_s.fill_null(0).cast("float64")
        + t.hold_s.fill_null(0).cast("float64")
        + t.wrap_s.fill_null(0).cast("float64")
    )


def build_calls(context: Context) -> ir.Table:
    tables = context.tables
    calls = tables["calls"]
    # `handled` (answered by a person) is a column so that daily rollups can keep it (ADR 8)
    return calls.mutate(handle_s=_handle_seconds(calls), handled=calls.talk_s > 0)


def build_staffed_calls(context: Context) -> ir.Table:
    """Each call with its share of its agent's logged-in hours that day."""
    tables = context.tables
    calls = build_calls(context)
    calls = calls.mutate(work_day=calls.started_at.date())
    sessions = tables["agent_sessions"]
    logged = (
        sessions.mutate(
            work_day=sessions.login_at.date(),
            seconds=sessions.logout_at.epoch_seconds() - sessions.login_at.epoch_seconds(),
        )
        .group_by(["agent_id", "work_day"])
        .aggregate(logged_s=lambda t: t.seconds.sum().cast("float64"))
    )
    day = {"group_by": ["agent_id", "work_day"]}
    calls = calls.mutate(
        day_handle_s=calls.handle_s.sum().over(**day),
        day_calls=calls.call_id.count().over(**day),
    )
    joined = calls.left_join(logged, ["agent_id", "work_day"])
    share = ibis.cases(
        (joined.day_handle_s > 0, joined.handle_s / joined.day_handle_s),
        else_=1.0 / joined.day_calls.cast("float64"),
    )
    hours = ibis.coalesce(joined.logged_s * share, joined.talk_s.fill_null(0).cast("float64"))
    return joined.mutate(agent_hours=hours / 3600.0).select(
        *tables["calls"].columns, "handle_s", "handled", "agent_hours"
    )


#: Buckets of delay between a lead's creation and its first call or touch.
RESPONSE_DELAYS = ("0-5min", "5-60min", "1-24h", "24h+", "none")


def build_leads(context: Context) -> ir.Table:
    """Leads with their calls and touches: how often called and reached, the first response,
    and the interactions before conversion (0 when never called)."""
    tables = context.tables
    leads = tables["leads"]
    calls = tables["calls"]
    touches = tables["touches"]
    conversions = leads.select(call_lead_id=leads.lead_id, call_converted_at=leads.converted_at)
    lead_calls = calls.filter(calls.lead_id.notnull()).join(
        conversions, calls.lead_id == conversions.call_lead_id
    )
    per_lead = lead_calls.group_by("lead_id").aggregate(
        lead_calls=lambda t: t.count(),
        lead_contact_calls=lambda t: t.count(where=t.outcome.isin(CONTACT_OUTCOMES)),
        lead_first_call_at=lambda t: t.started_at.min(),
        lead_calls_before=lambda t: t.count(where=t.started_at <= t.call_converted_at),
    )
    lead_touches = leads.select(
        touch_lead_id=leads.lead_id,
        touch_contact_id=leads.contact_id,
        touch_created_at=leads.created_at,
        touch_converted_at=leads.converted_at,
    )
    lead_touches = lead_touches.join(
        touches,
        [
            lead_touches.touch_contact_id == touches.contact_id,
            touches.at >= lead_touches.touch_created_at,
        ],
    )
    per_lead_touch = lead_touches.group_by("touch_lead_id").aggregate(
        lead_first_touch_at=lambda t: t.at.min(),
        lead_touches_before=lambda t: t.count(where=t.at <= t.touch_converted_at),
    )
    joined = leads.left_join(per_lead, "lead_id").left_join(
        per_lead_touch, leads.lead_id == per_lead_touch.touch_lead_id
    )
    first_call, first_touch = joined.lead_first_call_at, joined.lead_first_touch_at
    first_response = ibis.cases(
        (first_call.isnull(), first_touch),
        (first_touch.isnull() | (first_call <= first_touch), first_call),
        else_=first_touch,
    )
    minutes = (first_response.epoch_seconds() - joined.created_at.epoch_seconds()).cast(
        "float64"
    ) / 60.0
    delay = ibis.cases(
        (minutes.isnull(), RESPONSE_DELAYS[4]),
        (minutes < 5, RESPONSE_DELAYS[0]),
        (minutes < 60, RESPONSE_DELAYS[1]),
        (minutes < 24 * 60, RESPONSE_DELAYS[2]),
        else_=RESPONSE_DELAYS[3],
    )
    before = joined.lead_calls_before.fill_null(0) + joined.lead_touches_before.fill_null(0)
    contact_calls = joined.lead_contact_calls.fill_null(0)
    return joined.select(
        *leads.columns,
        calls_made=joined.lead_calls.fill_null(0),
        contact_calls=contact_calls,
        contacted=contact_calls > 0,
        converted=joined.converted_at.notnull(),
        first_call_at=first_call,
        first_response_at=first_response,
        minutes_to_first_response=minutes,
        response_delay=delay,
        interactions_before_conversion=before,
    )


def build_touches(context: Context) -> ir.Table:
    tables = context.tables
    return tables["touches"]
