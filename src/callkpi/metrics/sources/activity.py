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
    return calls.mutate(handle_s=_handle_seconds(calls))


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
        *tables["calls"].columns, "handle_s", "agent_hours"
    )


def build_leads(context: Context) -> ir.Table:
    """Leads with how often each was called and reached (0 when never called)."""
    tables = context.tables
    leads = tables["leads"]
    calls = tables["calls"]
    per_lead = (
        calls.filter(calls.lead_id.notnull())
        .group_by("lead_id")
        .aggregate(
            lead_calls=lambda t: t.count(),
            lead_contact_calls=lambda t: t.count(where=t.outcome.isin(CONTACT_OUTCOMES)),
            lead_first_call_at=lambda t: t.started_at.min(),
        )
    )
    joined = leads.left_join(per_lead, "lead_id")
    return joined.mutate(
        calls_made=joined.lead_calls.fill_null(0),
        contact_calls=joined.lead_contact_calls.fill_null(0),
        first_call_at=joined.lead_first_call_at,
    ).select(*leads.columns, "calls_made", "contact_calls", "first_call_at")


def build_touches(context: Context) -> ir.Table:
    tables = context.tables
    return tables["touches"]
