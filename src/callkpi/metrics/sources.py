"""Sources: the relations KPIs aggregate, built with Ibis over the canonical tables.

Most sources are a canonical table plus a few derived columns. Three carry business rules
that must hold on every backend, so they live here once:
- `costs`: every cost spread pro rata over the days of its period (from the calendar), and
  shared costs (no campaign) allocated to campaigns by calls, talk time or leads over that
  period; a shared cost with nothing to allocate it by stays unallocated (campaign null), so
  the total cost is never lost.
- `orders`: each order attributed to a campaign by its own campaign, else its tracking code,
  else the last call to the same contact within the attribution window.
- `staffed_calls`: agents' logged-in hours spread over their calls of the day.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import ibis
import ibis.expr.types as ir

from callkpi.metrics.model import Settings
from callkpi.store.schema import CALENDAR, CONTACT_OUTCOMES, TABLES


class TableSet:
    """Unbound Ibis tables named like the store's tables: compiled SQL refers to them by name."""

    def __init__(self) -> None:
        self._tables = {
            name: ibis.table(table.ibis_schema(), name=name) for name, table in TABLES.items()
        }
        self._tables["calendar"] = ibis.table(CALENDAR.ibis_schema(), name="calendar")

    def __getitem__(self, name: str) -> ir.Table:
        return self._tables[name]


def _handle_seconds(t: ir.Table) -> ir.FloatingValue:
    return (
        t.talk_s.fill_null(0).cast("float64")
        + t.hold_s.fill_null(0).cast("float64")
        + t.wrap_s.fill_null(0).cast("float64")
    )


def build_calls(tables: TableSet, settings: Settings) -> ir.Table:
    calls = tables["calls"]
    return calls.mutate(handle_s=_handle_seconds(calls))


def build_staffed_calls(tables: TableSet, settings: Settings) -> ir.Table:
    """Each call with its share of its agent's logged-in hours that day."""
    calls = build_calls(tables, settings)
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


def build_leads(tables: TableSet, settings: Settings) -> ir.Table:
    """Leads with how often each was called and reached (0 when never called)."""
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


def build_touches(tables: TableSet, settings: Settings) -> ir.Table:
    return tables["touches"]


def _driver_totals(tables: TableSet) -> ir.Table:
    """Per campaign and day: calls, talk seconds and leads (what shared costs follow)."""
    calls = tables["calls"]
    leads = tables["leads"]
    call_days = (
        calls.filter(calls.campaign_id.notnull())
        .mutate(day=calls.started_at.date())
        .group_by(["campaign_id", "day"])
        .aggregate(
            by_calls=lambda t: t.count().cast("float64"),
            by_talk_time=lambda t: t.talk_s.fill_null(0).sum().cast("float64"),
            by_leads=lambda t: ibis.literal(0.0),
        )
    )
    lead_days = (
        leads.filter(leads.campaign_id.notnull())
        .mutate(day=leads.created_at.date())
        .group_by(["campaign_id", "day"])
        .aggregate(
            by_calls=lambda t: ibis.literal(0.0),
            by_talk_time=lambda t: ibis.literal(0.0),
            by_leads=lambda t: t.count().cast("float64"),
        )
    )
    return call_days.union(lead_days).rename(driver_campaign_id="campaign_id")


def build_costs(tables: TableSet, settings: Settings) -> ir.Table:
    """One row per cost, campaign and day: the daily share of every cost (see module doc)."""
    costs = tables["costs"]
    calendar = tables["calendar"]
    costs = costs.mutate(
        rule=costs.allocation.fill_null("by_calls"),
        days=(costs.period_end.delta(costs.period_start, unit="day") + 1).cast("float64"),
    )
    direct = costs.filter(costs.campaign_id.notnull()).mutate(share=ibis.literal(1.0))
    shared = costs.filter(costs.campaign_id.isnull())

    drivers = _driver_totals(tables).view()
    in_period = shared.join(
        drivers,
        [drivers.day >= shared.period_start, drivers.day <= shared.period_end],
    )
    weight = ibis.cases(
        (in_period.rule == "by_talk_time", in_period.by_talk_time),
        (in_period.rule == "by_leads", in_period.by_leads),
        else_=in_period.by_calls,
    )
    weights = (
        in_period.mutate(weight=weight)
        .group_by(["cost_id", in_period.driver_campaign_id.name("alloc_campaign_id")])
        .aggregate(weight=lambda t: t.weight.sum())
    )
    weights = weights.filter(weights.weight > 0)
    totals = weights.group_by("cost_id").aggregate(total=lambda t: t.weight.sum())
    shares = weights.join(totals, "cost_id").mutate(share=lambda t: t.weight / t.total)
    allocated = shared.join(shares, "cost_id").mutate(campaign_id=lambda t: t.alloc_campaign_id)
    unallocated = shared.anti_join(shares, "cost_id").mutate(share=ibis.literal(1.0))

    columns = [*tables["costs"].columns, "rule", "days", "share"]
    parts = [p.select(*columns) for p in (direct, allocated, unallocated)]
    spread_input = parts[0].union(parts[1]).union(parts[2])
    spread = spread_input.join(
        calendar,
        [calendar.day >= spread_input.period_start, calendar.day <= spread_input.period_end],
    )
    return spread.mutate(amount=spread.amount * spread.share / spread.days).select(
        "cost_id", "campaign_id", "category", "kind", "rule", "day", "amount"
    )


def build_orders(tables: TableSet, settings: Settings) -> ir.Table:
    """Orders with the campaign (and agent) they are attributed to, and how."""
    orders = tables["orders"]
    campaigns = tables["campaigns"]
    calls = tables["calls"]
    window = ibis.interval(days=settings.attribution_window_days)

    by_code = campaigns.filter(campaigns.tracking_code.notnull()).select(
        code=campaigns.tracking_code, code_campaign_id=campaigns.campaign_id
    )
    # One campaign per tracking code even if a code was (wrongly) reused.
    by_code = by_code.group_by("code").aggregate(
        code_campaign_id=lambda t: t.code_campaign_id.min()
    )

    order_keys = orders.select("order_id", "contact_id", "ordered_at")
    call_keys = calls.select(
        call_contact_id=calls.contact_id,
        call_started_at=calls.started_at,
        call_campaign_id=calls.campaign_id,
        call_agent_id=calls.agent_id,
        call_id=calls.call_id,
    )
    candidates = order_keys.join(
        call_keys,
        [
            order_keys.contact_id == call_keys.call_contact_id,
            call_keys.call_started_at <= order_keys.ordered_at,
            call_keys.call_started_at >= order_keys.ordered_at - window,
        ],
    )
    ranked = candidates.mutate(
        rank=ibis.row_number().over(
            group_by="order_id", order_by=[ibis.desc("call_started_at"), ibis.desc("call_id")]
        )
    )
    last_call = ranked.filter(ranked["rank"] == 0).select(
        "order_id", "call_campaign_id", "call_agent_id"
    )

    joined = orders.left_join(by_code, orders.tracking_code == by_code.code).left_join(
        last_call, "order_id"
    )
    attributed_by = ibis.cases(
        (joined.campaign_id.notnull(), "campaign"),
        (joined.code_campaign_id.notnull(), "tracking_code"),
        (joined.call_campaign_id.notnull(), "last_call"),
        else_=ibis.null("string"),
    )
    return joined.mutate(
        campaign_id=ibis.coalesce(
            joined.campaign_id, joined.code_campaign_id, joined.call_campaign_id
        ),
        agent_id=joined.call_agent_id,
        attributed_by=attributed_by,
    ).select(*orders.columns, "agent_id", "attributed_by")


@dataclass(frozen=True)
class Source:
    """A relation KPIs aggregate; `time` is the column that credits a row to a period."""

    name: str
    time: str
    build: Callable[[TableSet, Settings], ir.Table]

    def columns(self) -> dict[str, str]:
        """Column name -> type, computed from an unbound build (no database needed)."""
        schema = self.build(TableSet(), Settings()).schema()
        return {name: str(dtype) for name, dtype in schema.items()}


SOURCES: dict[str, Source] = {
    s.name: s
    for s in [
        Source("calls", "started_at", build_calls),
        Source("staffed_calls", "started_at", build_staffed_calls),
        Source("leads", "created_at", build_leads),
        Source("touches", "at", build_touches),
        Source("costs", "day", build_costs),
        Source("orders", "ordered_at", build_orders),
    ]
}
