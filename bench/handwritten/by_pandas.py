"""The standard workload in pandas: load the needed columns, then merge and groupby.

Group keys may be null (a lead or cost with no campaign, an order nobody reached), so every
groupby passes dropna=False; pandas' merge matches null keys with each other, unlike SQL, so
keys that may be null are dropped before a merge where that would be wrong.
"""

from __future__ import annotations

import duckdb
import numpy as np
import pandas as pd
import pyarrow as pa
from bench.handwritten import (
    ATTRIBUTION_WINDOW_DAYS,
    COLUMNS,
    CONTACT_OUTCOMES,
    INCONCLUSIVE_OUTCOMES,
    SUCCESS_OUTCOMES,
    select,
)

Tables = dict[str, pd.DataFrame]


def load(con: duckdb.DuckDBPyConnection) -> Tables:
    """The needed columns of the store's tables, as DataFrames."""
    return {name: con.sql(select(name)).df() for name in COLUMNS}


def run(tables: Tables) -> dict[str, pa.Table]:
    """Both queries of the workload on loaded tables."""
    calls = calls_with_hours(tables)
    orders = attributed_orders(tables)
    return {
        "campaign": campaign_month(tables, calls, orders),
        "agent": agent_month(calls, orders),
    }


def month(moments: pd.Series) -> pd.Series:
    """The first day of each moment's month."""
    return moments.dt.to_period("M").dt.start_time


def calls_with_hours(tables: Tables) -> pd.DataFrame:
    """Calls with handle time, month and their share of the agent's logged-in hours that day
    (by handle time; evenly when the day has none; talk time when the agent has no session)."""
    calls = tables["calls"]
    sessions = tables["agent_sessions"]
    talk = calls.talk_s.fillna(0)
    calls = calls.assign(
        handle_s=talk + calls.hold_s.fillna(0) + calls.wrap_s.fillna(0),
        day=calls.started_at.dt.normalize(),
        month=month(calls.started_at),
    )
    logged = (
        sessions.assign(
            day=sessions.login_at.dt.normalize(),
            logged_s=(sessions.logout_at - sessions.login_at).dt.total_seconds(),
        )
        .groupby(["agent_id", "day"], as_index=False)
        .logged_s.sum()
    )
    agent_day = calls.groupby(["agent_id", "day"], dropna=False).handle_s
    day_handle_s = agent_day.transform("sum")
    share = np.where(
        day_handle_s > 0, calls.handle_s / day_handle_s, 1 / agent_day.transform("size")
    )
    logged_s = calls[["agent_id", "day"]].merge(logged, how="left").logged_s.to_numpy()
    hours = pd.Series(logged_s * share, index=calls.index).fillna(talk) / 3600
    return calls.assign(agent_hours=hours)


def call_facts(calls: pd.DataFrame, by: str) -> pd.DataFrame:
    """Per group and month: the call counts, handle time and agent hours."""
    handled = calls.talk_s > 0
    flags = calls.assign(
        contacts=calls.outcome.isin(CONTACT_OUTCOMES),
        successes=calls.outcome.isin(SUCCESS_OUTCOMES),
        sales=calls.outcome == "sale",
        inconclusive_calls=calls.outcome.isin(INCONCLUSIVE_OUTCOMES),
        handled_calls=handled,
        handle_time=calls.handle_s.where(handled, 0.0),
    )
    return flags.groupby([by, "month"], dropna=False, as_index=False).agg(
        calls=("call_id", "size"),
        contacts=("contacts", "sum"),
        successes=("successes", "sum"),
        sales=("sales", "sum"),
        inconclusive_calls=("inconclusive_calls", "sum"),
        handled_calls=("handled_calls", "sum"),
        handle_time=("handle_time", "sum"),
        agent_hours=("agent_hours", "sum"),
    )


def attributed_orders(tables: Tables) -> pd.DataFrame:
    """Orders with their campaign (their own, else their tracking code's, else the last call's
    to the same contact in the window), the agent of that last call, and their month."""
    orders = tables["orders"]
    campaigns = tables["campaigns"]
    calls = tables["calls"]
    codes = (
        campaigns.dropna(subset=["tracking_code"])
        .groupby("tracking_code", as_index=False)
        .campaign_id.min()
        .rename(columns={"campaign_id": "code_campaign_id"})
    )
    candidates = (
        orders[["order_id", "contact_id", "ordered_at"]]
        .dropna(subset=["contact_id"])
        .merge(
            calls[["contact_id", "started_at", "call_id", "campaign_id", "agent_id"]],
            on="contact_id",
        )
    )
    window = pd.Timedelta(days=ATTRIBUTION_WINDOW_DAYS)
    in_window = candidates[
        (candidates.started_at <= candidates.ordered_at)
        & (candidates.started_at >= candidates.ordered_at - window)
    ]
    last_calls = (
        in_window.sort_values(["started_at", "call_id"])
        .drop_duplicates("order_id", keep="last")[["order_id", "campaign_id", "agent_id"]]
        .rename(columns={"campaign_id": "call_campaign_id"})
    )
    joined = orders.merge(codes, on="tracking_code", how="left").merge(
        last_calls, on="order_id", how="left"
    )
    campaign = joined.campaign_id.fillna(joined.code_campaign_id).fillna(joined.call_campaign_id)
    return joined.assign(campaign_id=campaign, month=month(joined.ordered_at))


def revenue_facts(orders: pd.DataFrame, by: str) -> pd.DataFrame:
    return orders.groupby([by, "month"], dropna=False, as_index=False).agg(
        revenue=("amount", "sum"), buying_customers=("contact_id", "nunique")
    )


def lead_facts(tables: Tables) -> pd.DataFrame:
    """Per campaign and month of creation: leads, contacted, converted, both."""
    leads = tables["leads"]
    calls = tables["calls"]
    reached = calls.lead_id[calls.outcome.isin(CONTACT_OUTCOMES)].dropna()
    contacted = leads.lead_id.isin(reached)
    converted = leads.converted_at.notna()
    flags = leads.assign(
        month=month(leads.created_at),
        leads_contacted=contacted,
        leads_converted=converted,
        leads_cc=contacted & converted,
    )
    return flags.groupby(["campaign_id", "month"], dropna=False, as_index=False).agg(
        leads=("lead_id", "size"),
        leads_contacted=("leads_contacted", "sum"),
        leads_converted=("leads_converted", "sum"),
        leads_cc=("leads_cc", "sum"),
    )


def acquisitions(tables: Tables) -> pd.DataFrame:
    """Distinct contacts with a lead converted, by campaign and month of conversion."""
    leads = tables["leads"].dropna(subset=["converted_at"])
    return (
        leads.assign(month=month(leads.converted_at))
        .groupby(["campaign_id", "month"], dropna=False, as_index=False)
        .agg(acquired_customers=("contact_id", "nunique"))
    )


def cost_facts(tables: Tables) -> pd.DataFrame:
    """Cost by campaign and month: each cost spread evenly over the days of its period; a
    shared cost (no campaign) first split across campaigns by calls, talk time or leads over
    that period, or left without campaign when there is nothing to split it by."""
    costs = tables["costs"]
    calls = tables["calls"].dropna(subset=["campaign_id"])
    leads = tables["leads"].dropna(subset=["campaign_id"])
    call_days = (
        calls.assign(day=calls.started_at.dt.normalize(), talk=calls.talk_s.fillna(0))
        .groupby(["campaign_id", "day"], as_index=False)
        .agg(by_calls=("call_id", "size"), by_talk_time=("talk", "sum"))
    )
    lead_days = (
        leads.assign(day=leads.created_at.dt.normalize())
        .groupby(["campaign_id", "day"], as_index=False)
        .agg(by_leads=("lead_id", "size"))
    )
    drivers = pd.concat([call_days, lead_days]).fillna(
        {"by_calls": 0, "by_talk_time": 0, "by_leads": 0}
    )

    shared = costs[costs.campaign_id.isna()].drop(columns="campaign_id")
    in_period = shared.merge(drivers, how="cross")
    in_period = in_period[
        (in_period.day >= in_period.period_start) & (in_period.day <= in_period.period_end)
    ]
    rule = in_period.allocation.fillna("by_calls")
    in_period = in_period.assign(
        weight=np.select(
            [rule == "by_talk_time", rule == "by_leads"],
            [in_period.by_talk_time, in_period.by_leads],
            in_period.by_calls,
        )
    )
    weights = in_period.groupby(["cost_id", "campaign_id"], as_index=False).weight.sum()
    weights = weights[weights.weight > 0]
    weights["share"] = weights.weight / weights.groupby("cost_id").weight.transform("sum")

    direct = costs[costs.campaign_id.notna()].assign(share=1.0)
    allocated = shared.merge(weights[["cost_id", "campaign_id", "share"]], on="cost_id")
    unallocated = shared[~shared.cost_id.isin(weights.cost_id)].assign(campaign_id=None, share=1.0)
    parts = pd.concat([direct, allocated, unallocated], ignore_index=True)
    days = (parts.period_end - parts.period_start).dt.days + 1
    daily = parts.assign(
        daily=parts.amount * parts.share / days,
        day=[
            pd.date_range(s, e) for s, e in zip(parts.period_start, parts.period_end, strict=True)
        ],
    ).explode("day")
    daily["month"] = month(pd.to_datetime(daily.day))
    return daily.groupby(["campaign_id", "month"], dropna=False, as_index=False).agg(
        cost=("daily", "sum")
    )


def ratio(numerator: pd.Series, denominator: pd.Series) -> pd.Series:
    """numerator / denominator, null where the denominator is 0."""
    return numerator / denominator.where(denominator != 0)


def totals(parts: list[pd.DataFrame], by: str) -> pd.DataFrame:
    """Every group and month any part has; a part it lacks counts 0."""
    stacked = pd.concat(parts, ignore_index=True)
    return stacked.groupby([by, "month"], dropna=False, as_index=False).sum(min_count=0)


def _arrow(frame: pd.DataFrame, by: str, kpis: dict[str, pd.Series]) -> pa.Table:
    out = pd.DataFrame({by: frame[by], "period": frame.month.dt.date, **kpis})
    return pa.Table.from_pandas(out, preserve_index=False)


def call_and_revenue_kpis(t: pd.DataFrame) -> dict[str, pd.Series]:
    """The KPIs both queries have, over their totals."""
    return {
        "calls": t.calls,
        "contact_rate": ratio(t.contacts, t.calls),
        "hit_rate": ratio(t.successes, t.contacts),
        "inconclusive_calls": t.inconclusive_calls,
        "aht": ratio(t.handle_time, t.handled_calls),
        "sales_per_hour": ratio(t.sales, t.agent_hours),
        "revenue": t.revenue,
        "revenue_per_call": ratio(t.revenue, t.calls),
        "revenue_per_customer": ratio(t.revenue, t.buying_customers),
    }


def campaign_month(tables: Tables, calls: pd.DataFrame, orders: pd.DataFrame) -> pa.Table:
    t = totals(
        [
            call_facts(calls, "campaign_id"),
            lead_facts(tables),
            acquisitions(tables),
            cost_facts(tables),
            revenue_facts(orders, "campaign_id"),
        ],
        "campaign_id",
    ).rename(columns={"campaign_id": "campaign"})
    return _arrow(
        t,
        "campaign",
        {
            **call_and_revenue_kpis(t),
            "conversion_rate": ratio(t.leads_cc, t.leads_contacted),
            "lead_conversion_rate": ratio(t.leads_converted, t.leads),
            "cost": t.cost,
            "cpl": ratio(t.cost, t.leads),
            "cost_per_call": ratio(t.cost, t.calls),
            "cost_per_contact": ratio(t.cost, t.contacts),
            "cost_per_sale": ratio(t.cost, t.sales),
            "cac": ratio(t.cost, t.acquired_customers),
            "revenue_per_lead": ratio(t.revenue, t.leads),
            "roi": ratio(t.revenue - t.cost, t.cost),
        },
    )


def agent_month(calls: pd.DataFrame, orders: pd.DataFrame) -> pa.Table:
    t = totals(
        [call_facts(calls, "agent_id"), revenue_facts(orders, "agent_id")], "agent_id"
    ).rename(columns={"agent_id": "agent"})
    return _arrow(t, "agent", call_and_revenue_kpis(t))
