"""The standard workload in Polars: load the needed columns, then join and group_by.

Written eagerly, one step after another, as in a notebook. Polars groups null keys together
(a lead or cost with no campaign, an order nobody reached) and its joins never match nulls,
as in SQL.
"""

from __future__ import annotations

import duckdb
import polars as pl
import pyarrow as pa
from bench.handwritten import (
    ATTRIBUTION_WINDOW_DAYS,
    COLUMNS,
    CONTACT_OUTCOMES,
    INCONCLUSIVE_OUTCOMES,
    SUCCESS_OUTCOMES,
    select,
)

Tables = dict[str, pl.DataFrame]


def load(con: duckdb.DuckDBPyConnection) -> Tables:
    """The needed columns of the store's tables, as DataFrames."""
    return {name: con.sql(select(name)).pl() for name in COLUMNS}


def run(tables: Tables) -> dict[str, pa.Table]:
    """Both queries of the workload on loaded tables."""
    calls = calls_with_hours(tables)
    orders = attributed_orders(tables)
    return {
        "campaign": campaign_month(tables, calls, orders),
        "agent": agent_month(calls, orders),
    }


def month(column: str) -> pl.Expr:
    """The first day of the column's month, as a date."""
    return pl.col(column).dt.truncate("1mo").cast(pl.Date)


def calls_with_hours(tables: Tables) -> pl.DataFrame:
    """Calls with handle time, month and their share of the agent's logged-in hours that day
    (by handle time; evenly when the day has none; talk time when the agent has no session)."""
    talk = pl.col("talk_s").fill_null(0)
    calls = tables["calls"].with_columns(
        handle_s=talk + pl.col("hold_s").fill_null(0) + pl.col("wrap_s").fill_null(0),
        day=pl.col("started_at").dt.date(),
        month=month("started_at"),
    )
    logged = (
        tables["agent_sessions"]
        .with_columns(
            day=pl.col("login_at").dt.date(),
            logged_s=(pl.col("logout_at") - pl.col("login_at")).dt.total_microseconds() / 1e6,
        )
        .group_by("agent_id", "day")
        .agg(pl.col("logged_s").sum())
    )
    day_handle_s = pl.col("handle_s").sum().over("agent_id", "day")
    share = (
        pl.when(day_handle_s > 0)
        .then(pl.col("handle_s") / day_handle_s)
        .otherwise(1 / pl.len().over("agent_id", "day"))
    )
    return calls.join(logged, on=["agent_id", "day"], how="left").with_columns(
        agent_hours=pl.coalesce(pl.col("logged_s") * share, talk) / 3600
    )


def call_facts(calls: pl.DataFrame, by: str) -> pl.DataFrame:
    """Per group and month: the call counts, handle time and agent hours."""
    outcome = pl.col("outcome")
    handled = pl.col("talk_s") > 0
    return calls.group_by(by, "month").agg(
        calls=pl.len(),
        contacts=outcome.is_in(CONTACT_OUTCOMES).sum(),
        successes=outcome.is_in(SUCCESS_OUTCOMES).sum(),
        sales=(outcome == "sale").sum(),
        inconclusive_calls=outcome.is_in(INCONCLUSIVE_OUTCOMES).sum(),
        handled_calls=handled.sum(),
        handle_time=pl.col("handle_s").filter(handled).sum(),
        agent_hours=pl.col("agent_hours").sum(),
    )


def attributed_orders(tables: Tables) -> pl.DataFrame:
    """Orders with their campaign (their own, else their tracking code's, else the last call's
    to the same contact in the window), the agent of that last call, and their month."""
    orders = tables["orders"]
    codes = (
        tables["campaigns"]
        .drop_nulls("tracking_code")
        .group_by("tracking_code")
        .agg(code_campaign_id=pl.col("campaign_id").min())
    )
    calls = tables["calls"].select(
        "contact_id", "started_at", "call_id", "agent_id", call_campaign_id="campaign_id"
    )
    window = pl.duration(days=ATTRIBUTION_WINDOW_DAYS)
    last_calls = (
        orders.select("order_id", "contact_id", "ordered_at")
        .join(calls, on="contact_id")
        .filter(
            pl.col("started_at") <= pl.col("ordered_at"),
            pl.col("started_at") >= pl.col("ordered_at") - window,
        )
        .sort("started_at", "call_id")
        .group_by("order_id")
        .agg(pl.col("call_campaign_id", "agent_id").last())
    )
    return (
        orders.join(codes, on="tracking_code", how="left")
        .join(last_calls, on="order_id", how="left")
        .with_columns(
            campaign_id=pl.coalesce("campaign_id", "code_campaign_id", "call_campaign_id"),
            month=month("ordered_at"),
        )
    )


def revenue_facts(orders: pl.DataFrame, by: str) -> pl.DataFrame:
    return orders.group_by(by, "month").agg(
        revenue=pl.col("amount").sum(),
        buying_customers=pl.col("contact_id").drop_nulls().n_unique(),
    )


def lead_facts(tables: Tables) -> pl.DataFrame:
    """Per campaign and month of creation: leads, contacted, converted, both."""
    calls = tables["calls"]
    reached = calls.filter(pl.col("outcome").is_in(CONTACT_OUTCOMES))["lead_id"].drop_nulls()
    contacted, converted = pl.col("contacted"), pl.col("converted")
    return (
        tables["leads"]
        .with_columns(
            month=month("created_at"),
            contacted=pl.col("lead_id").is_in(reached.implode()),
            converted=pl.col("converted_at").is_not_null(),
        )
        .group_by("campaign_id", "month")
        .agg(
            leads=pl.len(),
            leads_contacted=contacted.sum(),
            leads_converted=converted.sum(),
            leads_cc=(contacted & converted).sum(),
        )
    )


def acquisitions(tables: Tables) -> pl.DataFrame:
    """Distinct contacts with a lead converted, by campaign and month of conversion."""
    return (
        tables["leads"]
        .drop_nulls("converted_at")
        .with_columns(month=month("converted_at"))
        .group_by("campaign_id", "month")
        .agg(acquired_customers=pl.col("contact_id").drop_nulls().n_unique())
    )


def cost_facts(tables: Tables) -> pl.DataFrame:
    """Cost by campaign and month: each cost spread evenly over the days of its period; a
    shared cost (no campaign) first split across campaigns by calls, talk time or leads over
    that period, or left without campaign when there is nothing to split it by."""
    costs = tables["costs"]
    call_days = (
        tables["calls"]
        .drop_nulls("campaign_id")
        .group_by("campaign_id", day=pl.col("started_at").dt.date())
        .agg(by_calls=pl.len(), by_talk_time=pl.col("talk_s").fill_null(0).sum())
    )
    lead_days = (
        tables["leads"]
        .drop_nulls("campaign_id")
        .group_by("campaign_id", day=pl.col("created_at").dt.date())
        .agg(by_leads=pl.len())
    )
    drivers = pl.concat([call_days, lead_days], how="diagonal_relaxed").fill_null(0)

    shared = costs.filter(pl.col("campaign_id").is_null()).drop("campaign_id")
    rule = pl.col("allocation").fill_null("by_calls")
    weight = (
        pl.when(rule == "by_talk_time")
        .then(pl.col("by_talk_time"))
        .when(rule == "by_leads")
        .then(pl.col("by_leads"))
        .otherwise(pl.col("by_calls"))
    )
    weights = (
        shared.join(drivers, how="cross")
        .filter(pl.col("day").is_between(pl.col("period_start"), pl.col("period_end")))
        .group_by("cost_id", "campaign_id")
        .agg(weight=weight.sum())
        .filter(pl.col("weight") > 0)
        .with_columns(share=pl.col("weight") / pl.col("weight").sum().over("cost_id"))
    )

    direct = costs.filter(pl.col("campaign_id").is_not_null()).with_columns(share=pl.lit(1.0))
    allocated = shared.join(weights.select("cost_id", "campaign_id", "share"), on="cost_id")
    unallocated = shared.join(weights, on="cost_id", how="anti").with_columns(
        campaign_id=pl.lit(None, pl.String), share=pl.lit(1.0)
    )
    days = (pl.col("period_end") - pl.col("period_start")).dt.total_days() + 1
    return (
        pl.concat([direct, allocated, unallocated], how="diagonal_relaxed")
        .with_columns(
            daily=pl.col("amount") * pl.col("share") / days,
            day=pl.date_ranges("period_start", "period_end"),
        )
        .explode("day")
        .group_by("campaign_id", month=pl.col("day").dt.month_start())
        .agg(cost=pl.col("daily").sum())
    )


def ratio(numerator: str | pl.Expr, denominator: str) -> pl.Expr:
    """numerator / denominator, null where the denominator is 0."""
    top = pl.col(numerator) if isinstance(numerator, str) else numerator
    bottom = pl.col(denominator)
    return pl.when(bottom != 0).then(top / bottom)


def totals(parts: list[pl.DataFrame], by: str) -> pl.DataFrame:
    """Every group and month any part has; a part it lacks counts 0."""
    stacked = pl.concat(parts, how="diagonal_relaxed")
    return stacked.group_by(by, "month").agg(pl.all().sum())


def call_and_revenue_kpis() -> dict[str, pl.Expr]:
    """The KPIs both queries have, over their totals."""
    return {
        "calls": pl.col("calls"),
        "contact_rate": ratio("contacts", "calls"),
        "hit_rate": ratio("successes", "contacts"),
        "inconclusive_calls": pl.col("inconclusive_calls"),
        "aht": ratio("handle_time", "handled_calls"),
        "sales_per_hour": ratio("sales", "agent_hours"),
        "revenue": pl.col("revenue"),
        "revenue_per_call": ratio("revenue", "calls"),
        "revenue_per_customer": ratio("revenue", "buying_customers"),
    }


def campaign_month(tables: Tables, calls: pl.DataFrame, orders: pl.DataFrame) -> pa.Table:
    t = totals(
        [
            call_facts(calls, "campaign_id"),
            lead_facts(tables),
            acquisitions(tables),
            cost_facts(tables),
            revenue_facts(orders, "campaign_id"),
        ],
        "campaign_id",
    )
    return t.select(
        campaign="campaign_id",
        period="month",
        **call_and_revenue_kpis(),
        conversion_rate=ratio("leads_cc", "leads_contacted"),
        lead_conversion_rate=ratio("leads_converted", "leads"),
        cost="cost",
        cpl=ratio("cost", "leads"),
        cost_per_call=ratio("cost", "calls"),
        cost_per_contact=ratio("cost", "contacts"),
        cost_per_sale=ratio("cost", "sales"),
        cac=ratio("cost", "acquired_customers"),
        revenue_per_lead=ratio("revenue", "leads"),
        roi=ratio(pl.col("revenue") - pl.col("cost"), "cost"),
    ).to_arrow()


def agent_month(calls: pl.DataFrame, orders: pl.DataFrame) -> pa.Table:
    t = totals([call_facts(calls, "agent_id"), revenue_facts(orders, "agent_id")], "agent_id")
    return t.select(agent="agent_id", period="month", **call_and_revenue_kpis()).to_arrow()
