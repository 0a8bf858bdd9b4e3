"""Service and marketing sources: tickets, surveys, email events, and contact freshness."""

from __future__ import annotations

import ibis
import ibis.expr.types as ir

from callkpi.metrics.sources.base import Context
from callkpi.metrics.sources.customers import build_customer_periods

SECONDS_PER_HOUR = 3600.0


def build_tickets(context: Context) -> ir.Table:
    """Tickets with their resolution time in hours (null while unresolved)."""
    tickets = context.tables["tickets"]
    hours = (tickets.resolved_at.epoch_seconds() - tickets.opened_at.epoch_seconds()).cast(
        "float64"
    ) / SECONDS_PER_HOUR
    return tickets.mutate(resolution_hours=hours, resolved=tickets.resolved_at.notnull())


def build_surveys(context: Context) -> ir.Table:
    return context.tables["surveys"]


def build_email_events(context: Context) -> ir.Table:
    """Email events with a `recipient` (campaign and contact): an email opened twice by the
    same person is one open, but the same person in two campaigns is two recipients."""
    events = context.tables["email_events"]
    return events.mutate(recipient=events.campaign_id.concat(":", events.contact_id))


def build_customer_contact_periods(context: Context) -> ir.Table:
    """Customers active at each period's end, with whether they were called or touched in
    the 7 and 30 days before it (relationship freshness)."""
    calls = context.tables["calls"]
    touches = context.tables["touches"]
    periods = context.periods
    interactions = calls.select(who=calls.contact_id, at=calls.started_at).union(
        touches.select(who=touches.contact_id, at=touches.at)
    )
    window = ibis.interval(days=30)
    recent = interactions.join(
        periods,
        [interactions.at >= periods.period_end - window, interactions.at < periods.period_end],
    )
    last_touch = recent.group_by(["who", "period_start", "period_end"]).aggregate(
        last_at=lambda t: t.at.max()
    )
    customers = build_customer_periods(context)
    active = customers.filter(customers.at_end)
    joined = active.left_join(
        last_touch,
        [
            active.contact_id == last_touch.who,
            active.period_start == last_touch.period_start,
            active.period_end == last_touch.period_end,
        ],
    )
    week = ibis.interval(days=7)
    return joined.select(
        "contact_id",
        "tier",
        "period_label",
        "period_start",
        "period_end",
        touched_30d=joined.last_at.notnull(),
        touched_7d=ibis.coalesce(joined.last_at >= joined.period_end - week, False),
    )
