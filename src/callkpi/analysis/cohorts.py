"""Acquisition cohorts: retention month by month, cumulative revenue and margin per customer
against the cohort's acquisition cost, and the month the cohort pays back.

A customer's month 0 is the calendar month of its `since`; month k ends k + 1 months after the
start of month 0. Only months already over are shown. Cohorts are the acquisition month, or
the campaign of the contact's first converted lead. The acquisition cost per customer of a
month cohort is that month's whole cost over the customers won that month; of a campaign
cohort, the campaign's CAC over the window (`--from`/`--to`). Filters (segment...) choose the
cohort's members, not its cost. Payback: the first month whose cumulative margin per customer
(revenue where no margin is known) reaches the acquisition cost per customer.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any, Literal

import ibis
import ibis.expr.types as ir
import pyarrow as pa

from callkpi.errors import QueryError, UnknownNameError
from callkpi.metrics.binding import placeholder, to_sql
from callkpi.metrics.query import KpiQuery, where_parameter
from callkpi.metrics.sources import TableSet
from callkpi.metrics.sources.base import first_per_group
from callkpi.workspace import Workspace

CohortKind = Literal["month", "campaign"]
CONTACT_DIMENSIONS = ("segment", "sector", "region")


def cohorts(
    ws: Workspace,
    kind: CohortKind = "month",
    months: int = 12,
    start: str | dt.date | None = None,
    end: str | dt.date | None = None,
    where: Mapping[str, Sequence[str]] | None = None,
) -> list[dict[str, Any]]:
    """Rows (cohort, month, customers, retention, revenue and margin per customer to date,
    acquisition cost per customer, paid_back) plus the cohort's `payback_month` (or None)."""
    if kind not in ("month", "campaign"):
        raise UnknownNameError("cohort kind", kind, ["month", "campaign"])
    if not 1 <= months <= 60:
        raise QueryError("months must be between 1 and 60")
    query = KpiQuery.build(["customers_end"], start=start, end=end, where=where or {})
    allowed = (*CONTACT_DIMENSIONS, "campaign")
    for name in query.where:
        if name not in allowed:
            raise QueryError(f"cohorts can be filtered by {', '.join(allowed)}; not {name!r}")
    table = _cohort_table(kind, months, query)
    result = ws.store.query(to_sql(table, ws.store.dialect), query.parameters())
    # Integers as Ibis typed them: PostgreSQL's EXTRACT gives numeric where DuckDB's does not.
    for name, dtype in table.schema().items():
        if dtype.is_integer():
            position = result.schema.get_field_index(name)
            result = result.set_column(position, name, result[name].cast(pa.int64()))
    rows = result.to_pylist()
    costs = _acquisition_costs(ws, kind, query)
    return _with_payback(rows, costs)


def _cohort_table(kind: CohortKind, months: int, query: KpiQuery) -> ir.Table:
    tables = TableSet()
    customers = _with_first_campaign(tables, tables["customers"])
    month0 = customers.since.cast("timestamp").truncate("M").cast("date")
    base = customers.mutate(
        month0=month0,
        cohort=month0.cast("string") if kind == "month" else customers.cohort_campaign,
    )
    base = _filtered(tables, base, query)
    calendar = tables["calendar"]
    month_starts = calendar.filter(calendar.day == calendar.month_start).select(month=calendar.day)
    today = ibis.today()
    month_index = lambda m, m0: (m.year() * 12 + m.month()) - (m0.year() * 12 + m0.month())  # noqa: E731
    grid = base.join(
        month_starts,
        [
            month_starts.month >= base.month0,
            month_index(month_starts.month, base.month0) <= months - 1,
            (month_starts.month + ibis.interval(months=1)) <= today,
        ],
    )
    grid = grid.mutate(
        k=month_index(grid.month, grid.month0),
        month_end=(grid.month + ibis.interval(months=1)).cast("timestamp"),
    )
    orders = tables["orders"]
    spend = (
        orders.mutate(order_month=orders.ordered_at.cast("timestamp").truncate("M").cast("date"))
        .group_by([orders.contact_id.name("buyer"), "order_month"])
        .aggregate(
            revenue=lambda t: t.amount.sum().cast("float64"),
            margin=lambda t: t.margin.sum().cast("float64"),
        )
    )
    grid = grid.left_join(spend, [grid.contact_id == spend.buyer, grid.month == spend.order_month])
    window = ibis.cumulative_window(group_by=grid.contact_id, order_by=grid.k)
    grid = grid.mutate(
        active=(grid.since < grid.month_end)
        & (grid.churned_at.isnull() | (grid.churned_at >= grid.month_end)),
        cum_revenue=grid.revenue.fill_null(0.0).sum().over(window),
        cum_margin=grid.margin.fill_null(0.0).sum().over(window),
    )
    return (
        grid.group_by(["cohort", "k"])
        .aggregate(
            customers=lambda t: t.count(),
            active=lambda t: t.count(where=t.active),
            revenue_per_customer=lambda t: t.cum_revenue.mean(),
            margin_per_customer=lambda t: t.cum_margin.mean(),
        )
        .order_by([ibis.asc("cohort", nulls_first=False), "k"])
    )


def _with_first_campaign(tables: TableSet, customers: ir.Table) -> ir.Table:
    """Each customer with the campaign of its contact's first converted lead (or null)."""
    leads = tables["leads"]
    converted = leads.filter(leads.converted_at.notnull())
    earliest = first_per_group(converted, "contact_id", [converted.converted_at, converted.lead_id])
    first = earliest.select(first_contact=earliest.contact_id, cohort_campaign=earliest.campaign_id)
    joined = customers.left_join(first, customers.contact_id == first.first_contact)
    return joined.select(*customers.columns, "cohort_campaign")


def _filtered(tables: TableSet, base: ir.Table, query: KpiQuery) -> ir.Table:
    predicates = []
    if query.start is not None:
        predicates.append(base.since >= placeholder("period_start").cast("timestamp"))
    if query.end is not None:
        predicates.append(base.since < placeholder("period_end_exclusive").cast("timestamp"))
    contacts = tables["contacts"]
    for i, (name, values) in enumerate(query.where.items()):
        options = [placeholder(where_parameter(i, j)) for j in range(len(values))]
        if name == "campaign":
            predicates.append(base.cohort_campaign.isin(options))
        else:
            matching = contacts.filter(contacts[name].isin(options)).select("contact_id")
            predicates.append(base.contact_id.isin(matching.contact_id))
    return base.filter(*predicates) if predicates else base


def _acquisition_costs(ws: Workspace, kind: CohortKind, query: KpiQuery) -> dict[Any, float]:
    """Acquisition cost per customer of each cohort: its month's cost over the customers won
    that month, or its campaign's CAC; filters on the cohorts do not apply to it."""
    if kind == "month":
        result = ws.kpis(["cost", "new_customers"], grain="month", start=query.start, end=query.end)
        return {
            r["period"]: r["cost"] / r["new_customers"]
            for r in result.records()
            if r["new_customers"]
        }
    result = ws.kpis(["cac"], by=["campaign"], start=query.start, end=query.end)
    return {r["campaign"]: r["cac"] for r in result.records() if r["cac"] is not None}


def _with_payback(rows: list[dict[str, Any]], costs: dict[Any, float]) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    payback: dict[Any, int | None] = {}
    for row in rows:
        cohort = row["cohort"]
        cac = costs.get(cohort)
        margin = row["margin_per_customer"]
        value = margin if margin else row["revenue_per_customer"]
        # costs are spread by day in floating point: compare to the cent's billionth
        paid = cac is not None and value is not None and value >= cac * (1 - 1e-9)
        if paid and cohort not in payback:
            payback[cohort] = row["k"]
        out.append(
            {
                "cohort": cohort,
                "month": row["k"],
                "customers": row["customers"],
                "retention": row["active"] / row["customers"] if row["customers"] else None,
                "revenue_per_customer": row["revenue_per_customer"],
                "margin_per_customer": row["margin_per_customer"],
                "acquisition_cost_per_customer": cac,
                "paid_back": paid,
            }
        )
    for row in out:
        row["payback_month"] = payback.get(row["cohort"])
    return out
