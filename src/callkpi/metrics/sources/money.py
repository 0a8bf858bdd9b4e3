"""Sources of money: costs spread and allocated, orders attributed to campaigns."""

from __future__ import annotations

import ibis
import ibis.expr.types as ir

from callkpi.metrics.sources.base import Context, TableSet, first_per_group


def _driver_totals(tables: TableSet, rollups: bool) -> ir.Table:
    """Per campaign and day: calls, talk seconds and leads (what shared costs follow); from
    the daily rollups when they are read (the same sums, without scanning calls)."""
    if rollups:
        calls, leads = tables["rollup_campaign_calls"], tables["rollup_leads"]
        call_days = calls.filter(calls.campaign_id.notnull()).group_by(["campaign_id", "day"])
        call_days = call_days.aggregate(
            by_calls=lambda t: t.n.sum().cast("float64"),
            by_talk_time=lambda t: t.talk_s.fill_null(0).sum().cast("float64"),
            by_leads=lambda t: ibis.literal(0.0),
        )
        lead_days = leads.filter(leads.campaign_id.notnull()).group_by(["campaign_id", "day"])
        lead_days = lead_days.aggregate(
            by_calls=lambda t: ibis.literal(0.0),
            by_talk_time=lambda t: ibis.literal(0.0),
            by_leads=lambda t: t.n.sum().cast("float64"),
        )
        return call_days.union(lead_days).rename(driver_campaign_id="campaign_id")
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


def build_costs(context: Context) -> ir.Table:
    """One row per campaign, day and kind of cost: the daily share of the costs (see module
    doc). Cost lines are merged before being spread: a cost's daily amount depends only on
    its period, rule and share, and no KPI counts cost lines, so the lines of one campaign,
    category, kind, rule and period add up first (hundreds of rows spread instead of
    thousands). A shared cost's shares depend on its period and rule alone, so they are
    worked out once per period and rule, not per cost."""
    tables = context.tables
    costs = tables["costs"]
    calendar = tables["calendar"]
    costs = costs.mutate(
        rule=costs.allocation.fill_null("by_calls"),
        days=(costs.period_end.delta(costs.period_start, unit="day") + 1).cast("float64"),
    )
    direct = costs.filter(costs.campaign_id.notnull()).mutate(share=ibis.literal(1.0))
    shared = costs.filter(costs.campaign_id.isnull())

    shares = _shares(shared, _driver_totals(tables, context.rollups))
    allocated = shared.join(shares, _PERIOD_RULE).mutate(campaign_id=lambda t: t.alloc_campaign_id)
    unallocated = shared.anti_join(shares, _PERIOD_RULE).mutate(share=ibis.literal(1.0))

    columns = ["campaign_id", "category", "kind", "rule", "period_start", "period_end", "days"]
    parts = [
        p.select(*columns, amount=p.amount * p.share) for p in (direct, allocated, unallocated)
    ]
    lines = parts[0].union(parts[1]).union(parts[2])
    merged = lines.group_by(columns).aggregate(amount=lambda t: t.amount.sum())
    # The calendar cut to the costs' days first: the planner then joins a few hundred days,
    # not the calendar's sixty years (at 100M calls, DuckDB then chose an IE join of under
    # 1 ms instead of a 30 ms piecewise merge join over every calendar day).
    calendar = calendar.filter(
        calendar.day >= merged.period_start.min(), calendar.day <= merged.period_end.max()
    )
    spread = merged.join(
        calendar,
        [calendar.day >= merged.period_start, calendar.day <= merged.period_end],
    )
    daily = spread.select(
        "campaign_id", "category", "kind", "rule", "day", amount=spread.amount / spread.days
    )
    if not context.lead_sources:
        return daily.select(
            "campaign_id", "category", "kind", "rule", "day",
            source=ibis.null("string"), amount=daily.amount,
        )  # fmt: skip
    return _split_by_lead_source(daily, _lead_mix(tables, context.rollups))


_PERIOD_RULE = ["period_start", "period_end", "rule"]


def _shares(shared: ir.Table, drivers: ir.Table) -> ir.Table:
    """Per period and rule of the shared costs: each campaign's share (`alloc_campaign_id`,
    `share`) of the rule's driver over the period's days. A campaign with no driver then has
    no share; a period where no campaign has any leaves its costs unallocated."""
    periods = shared.select(*_PERIOD_RULE).distinct()
    drivers = drivers.view()
    in_period = periods.join(
        drivers,
        [drivers.day >= periods.period_start, drivers.day <= periods.period_end],
    )
    weight = ibis.cases(
        (in_period.rule == "by_talk_time", in_period.by_talk_time),
        (in_period.rule == "by_leads", in_period.by_leads),
        else_=in_period.by_calls,
    )
    weights = (
        in_period.mutate(weight=weight)
        .group_by([*_PERIOD_RULE, in_period.driver_campaign_id.name("alloc_campaign_id")])
        .aggregate(weight=lambda t: t.weight.sum())
    )
    weights = weights.filter(weights.weight > 0)
    totals = weights.group_by(_PERIOD_RULE).aggregate(total=lambda t: t.weight.sum())
    return weights.join(totals, _PERIOD_RULE).select(
        *_PERIOD_RULE, "alloc_campaign_id", share=lambda t: t.weight / t.total
    )


def _lead_mix(tables: TableSet, rollups: bool) -> ir.Table:
    """Leads per campaign, month (`mix_month`) and source (from the rollup when read)."""
    if rollups:
        leads = tables["rollup_leads"]
        month, count = leads.day, lambda t: t.n.sum().cast("float64")
    else:
        leads = tables["leads"]
        month, count = leads.created_at, lambda t: t.count().cast("float64")
    month = month.cast("timestamp").truncate("M").cast("date")
    return (
        leads.filter(leads.campaign_id.notnull())
        .mutate(mix_month=month)
        .group_by(
            [leads.campaign_id.name("mix_campaign_id"), "mix_month", leads.source.name("source")]
        )
        .aggregate(leads_n=count)
    )


def _split_by_lead_source(daily: ir.Table, mix: ir.Table) -> ir.Table:
    """Split each campaign's daily cost across lead sources, by the sources' share of the
    campaign's leads that month (so cost per source and CPL per source exist). A campaign
    with no lead that month keeps its cost under no source: nothing is lost."""
    mix = mix.mutate(
        source_share=mix.leads_n / mix.leads_n.sum().over(group_by=["mix_campaign_id", "mix_month"])
    )
    daily = daily.mutate(cost_month=daily.day.cast("timestamp").truncate("M").cast("date"))
    joined = daily.left_join(
        mix,
        [daily.campaign_id == mix.mix_campaign_id, daily.cost_month == mix.mix_month],
    )
    return joined.select(
        "campaign_id", "category", "kind", "rule", "day", "source",
        amount=joined.amount * ibis.coalesce(joined.source_share, 1.0),
    )  # fmt: skip


def build_orders(context: Context) -> ir.Table:
    """Orders with the campaign (and agent) they are attributed to, and how."""
    tables = context.tables
    orders = tables["orders"]
    campaigns = tables["campaigns"]
    calls = tables["calls"]
    window = ibis.interval(days=context.settings.attribution_window_days)

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
        call_lead_id=calls.lead_id,
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
    last_call = first_per_group(
        candidates, "order_id", [ibis.desc("call_started_at"), ibis.desc("call_id")]
    ).select("order_id", "call_campaign_id", "call_agent_id", "call_lead_id")

    joined = orders.left_join(by_code, orders.tracking_code == by_code.code).left_join(
        last_call, "order_id"
    )
    converting = _converting_leads(orders, tables["leads"])
    joined = joined.left_join(converting, joined.order_id == converting.converted_order_id)
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
        lead_id=ibis.coalesce(joined.call_lead_id, joined.converted_lead_id),
        attributed_by=attributed_by,
    ).select(*orders.columns, "agent_id", "lead_id", "attributed_by")


def _converting_leads(orders: ir.Table, leads: ir.Table) -> ir.Table:
    """For each order, the contact's last lead converted at or before it (its lead source)."""
    order_keys = orders.select(
        order_id=orders.order_id, order_contact=orders.contact_id, order_at=orders.ordered_at
    )
    converted = leads.filter(leads.converted_at.notnull()).select(
        converted_lead_id=leads.lead_id,
        lead_contact=leads.contact_id,
        lead_converted_at=leads.converted_at,
    )
    candidates = order_keys.join(
        converted,
        [
            order_keys.order_contact == converted.lead_contact,
            converted.lead_converted_at <= order_keys.order_at,
        ],
    )
    first = first_per_group(
        candidates, "order_id", [ibis.desc("lead_converted_at"), ibis.desc("converted_lead_id")]
    )
    return first.select(
        converted_order_id=first.order_id, converted_lead_id=first.converted_lead_id
    )
