"""Aggregate awareness (ADR 8): which source each daily rollup is built from, the SQL that
builds it, and whether a KPI of a query can be answered from one.

A rollup is the GROUP BY (day, keys) of a source, with the row count `n` and sums of
measures. A simple KPI over a source it serves is answered from it, exactly, when:
- its aggregation is additive over the rollup's rows: `count` (sum of `n`), `sum` of a
  measure, or `count_distinct` of a key (distinct over key groups is distinct over rows);
- its `where` reads only key columns;
- every dimension of the query (by and where) is reached the same way as on the source (the
  same key column, or a lookup through the same key);
- its time column is the one the rollup's day comes from (any grain is whole days).
The compiler then reads the rollup relation instead of the source: the same column names, so
ratios, derived KPIs and intervals are computed as before. Anything else reads the detail.

`python -m callkpi.metrics.rollups` writes the build SQL per dialect for the store
(`store/rollup_sql/*.json`); a test fails when it is out of date.
"""

from __future__ import annotations

import dataclasses
import functools
import itertools
import json
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import ibis
import ibis.expr.types as ir

from callkpi.metrics import expressions
from callkpi.metrics.binding import to_sql
from callkpi.metrics.catalog import SETS
from callkpi.metrics.model import Dimension, Settings, SimpleKpi
from callkpi.metrics.periods import default_spine
from callkpi.metrics.sources import SOURCES, Context, TableSet
from callkpi.store.rollups import (
    DAYS_TABLE,
    MIRRORS,
    MONTHLY,
    MONTHLY_KEYS,
    MONTHLY_TABLE,
    ROLLUPS,
    MonthlyDistinct,
    RollupTable,
)

Restrict = Callable[[TableSet, ir.Column], TableSet]
SQL_DIR = Path(__file__).resolve().parents[1] / "store" / "rollup_sql"
DIALECTS = ("duckdb", "postgres", "pyspark")


def _on_days(moment: ir.TimestampColumn, days: ir.Column) -> list[ir.BooleanValue]:
    """Rows whose moment falls on one of the days: the day test, and the range of the days
    on the column itself, which lets the engine skip blocks by their min/max (a refresh at
    10M calls reads a day's calls in a few ms instead of scanning them all)."""
    first = days.min().cast("timestamp")
    after_last = days.max().cast("timestamp") + ibis.interval(days=1)
    return [moment.date().isin(days), moment >= first, moment < after_last]


def _calls_of_days(tables: TableSet, days: ir.Column) -> TableSet:
    """Calls and sessions of the days asked: staffed hours are spread within an agent-day."""
    calls, sessions = tables["calls"], tables["agent_sessions"]
    return tables.replaced(
        calls=calls.filter(*_on_days(calls.started_at, days)),
        agent_sessions=sessions.filter(*_on_days(sessions.login_at, days)),
    )


def _leads_by(column: str) -> Restrict:
    """Leads whose `column` falls on the days asked, with the calls and touches they read."""

    def restrict(tables: TableSet, days: ir.Column) -> TableSet:
        leads = tables["leads"]
        leads = leads.filter(*_on_days(leads[column], days))
        calls, touches = tables["calls"], tables["touches"]
        return tables.replaced(
            leads=leads,
            calls=calls.filter(calls.lead_id.isin(leads.lead_id)),
            touches=touches.filter(touches.contact_id.isin(leads.contact_id)),
        )

    return restrict


def _orders_of_days(tables: TableSet, days: ir.Column) -> TableSet:
    """Orders of the days asked, with their contacts' calls and leads (attribution)."""
    orders = tables["orders"]
    orders = orders.filter(*_on_days(orders.ordered_at, days))
    calls, leads = tables["calls"], tables["leads"]
    return tables.replaced(
        orders=orders,
        calls=calls.filter(calls.contact_id.isin(orders.contact_id)),
        leads=leads.filter(leads.contact_id.isin(orders.contact_id)),
    )


@dataclass(frozen=True, eq=False)  # compared by identity: one object per rollup
class RollupSource:
    """A rollup table, the source and time column it aggregates, the sources it answers for
    (a source whose columns are a subset), the catalog settings its content depends on, and
    how to cut the detail tables to the days being recomputed (exactly, not approximately)."""

    table: RollupTable
    source: str
    time: str
    serves: tuple[str, ...]
    restrict: Restrict
    settings: tuple[str, ...] = ()

    @property
    def name(self) -> str:
        return self.table.name

    @property
    def keys(self) -> set[str]:
        return {k for k, _ in self.table.keys}


#: In order of preference: the first rollup that covers a KPI answers it (smallest first).
ROLLUP_SOURCES: tuple[RollupSource, ...] = (
    RollupSource(
        ROLLUPS["rollup_campaign_calls"], "staffed_calls", "started_at",
        ("calls", "staffed_calls"), _calls_of_days,
    ),
    RollupSource(
        ROLLUPS["rollup_calls"], "staffed_calls", "started_at", ("calls", "staffed_calls"),
        _calls_of_days,
    ),
    RollupSource(
        ROLLUPS["rollup_leads"], "leads", "created_at", ("leads",), _leads_by("created_at"),
    ),
    RollupSource(
        ROLLUPS["rollup_lead_conversions"], "leads", "converted_at", ("leads",),
        _leads_by("converted_at"),
    ),
    RollupSource(
        ROLLUPS["rollup_campaign_orders"], "orders", "ordered_at", ("orders",),
        _orders_of_days, ("attribution_window_days",),
    ),
    RollupSource(
        ROLLUPS["rollup_orders"], "orders", "ordered_at", ("orders",), _orders_of_days,
        ("attribution_window_days",),
    ),
    RollupSource(
        ROLLUPS["rollup_order_customers"], "orders", "ordered_at", ("orders",), _orders_of_days,
        ("attribution_window_days",),
    ),
)  # fmt: skip


#: The monthly mirrors, read in place of their daily rollup by queries of whole months.
MIRROR_SOURCES: dict[str, RollupSource] = {
    source.name: dataclasses.replace(source, table=MIRRORS[source.name])
    for source in ROLLUP_SOURCES
    if source.name in MIRRORS
}


def monthly_mirror(rollup: RollupSource) -> RollupSource:
    """The rollup's monthly mirror if it has one (for a query of whole months), else itself."""
    return MIRROR_SOURCES.get(rollup.name, rollup)


# -- building ---------------------------------------------------------------------------------
def build_select(rollup: RollupSource, days: bool) -> ir.Table:
    """The rollup's rows from the detail tables: every day, or the days in DAYS_TABLE."""
    tables = TableSet()
    if days:
        listed = ibis.table({"rollup": "string", "day": "date"}, name=DAYS_TABLE)
        listed = listed.filter(listed.rollup == rollup.name)
        tables = rollup.restrict(tables, listed.day)
    relation = SOURCES[rollup.source].build(Context(tables, Settings(), default_spine(tables)))
    relation = relation.filter(relation[rollup.time].notnull())
    keys = {"day": relation[rollup.time].cast("date")}
    keys |= {k: relation[k] for k, _ in rollup.table.keys}  # in order: the SQL is stable
    return relation.group_by(**keys).aggregate(
        n=relation.count().cast("int64"),
        **{m: relation[m].cast("float64").sum() for m in rollup.table.measures},
    )


def _month(day: ir.Value) -> ir.Value:
    """The first day of a day's month (via timestamp: some engines truncate a DATE to a
    TIMESTAMP)."""
    return day.cast("timestamp").truncate("M").cast("date")


def _listed_months(base: str) -> ir.Table:
    """The months of the days of `base` listed for recomputing."""
    listed = ibis.table({"rollup": "string", "day": "date"}, name=DAYS_TABLE)
    listed = listed.filter(listed.rollup == base)
    return listed.select(month=_month(listed.day)).distinct()


def build_mirror(rollup: RollupTable, months: bool) -> ir.Table:
    """A daily rollup summed by month (`day` its first day): every month, or the months of
    its days listed in DAYS_TABLE."""
    tables = TableSet()
    base = tables[rollup.name]
    base = base.mutate(__month=_month(base.day))
    if months:
        listed = _listed_months(rollup.name).month
        # a range of dates on `day` itself lets the engine skip the other months' blocks (the
        # last day from the calendar: date + interval would compare as timestamps)
        calendar = tables["calendar"]
        last = calendar.filter(calendar.month_start == listed.max()).day.max()
        base = base.filter(base["__month"].isin(listed), base.day >= listed.min(), base.day <= last)
    keys = {"day": base["__month"]} | {k: base[k] for k, _ in rollup.keys}
    return base.group_by(**keys).aggregate(
        n=base.n.sum().cast("int64"), **{m: base[m].sum() for m in rollup.measures}
    )


def build_monthly(monthly: MonthlyDistinct, months: bool) -> ir.Table:
    """A measure's monthly distinct counts from its daily rollup, one grouping set after the
    other: every month, or the months of the base's days in DAYS_TABLE."""
    base = TableSet()[monthly.base]
    base = base.mutate(month=_month(base.day))
    if months:
        base = base.filter(base.month.isin(_listed_months(monthly.base).month))
    where = None
    if monthly.where:
        where = expressions.parse(monthly.where).compile(lambda n: base[n], SETS)
    parts = []
    for size in range(len(monthly.keys) + 1):
        for grouped in itertools.combinations(monthly.keys, size):
            counts = base.group_by(["month", *grouped]).aggregate(
                n=base[monthly.column].nunique(where=where).cast("int64")
            )
            parts.append(
                counts.select(
                    "month",
                    measure=ibis.literal(monthly.measure),
                    grouped=ibis.literal(",".join(grouped)),
                    **{k: counts[k] if k in grouped else ibis.null("string") for k in MONTHLY_KEYS},
                    n=counts.n,
                )
            )
    return functools.reduce(lambda a, b: a.union(b, distinct=False), parts)


def compile_all(dialect: str) -> str:
    """The JSON the store builds rollups with (see store/rollups.py)."""
    statements = {
        r.name: {
            "full": to_sql(build_select(r, days=False), dialect),
            "days": to_sql(build_select(r, days=True), dialect),
        }
        for r in ROLLUP_SOURCES
    }
    monthly = {
        m.measure: {
            "full": to_sql(build_monthly(m, months=False), dialect),
            "months": to_sql(build_monthly(m, months=True), dialect),
            "touched": to_sql(_listed_months(m.base), dialect),
        }
        for m in MONTHLY.values()
    }
    mirrors = {
        name: {
            "full": to_sql(build_mirror(ROLLUPS[name], months=False), dialect),
            "months": to_sql(build_mirror(ROLLUPS[name], months=True), dialect),
            "touched": to_sql(_listed_months(name), dialect),
        }
        for name in MIRRORS
    }
    document = {"rollups": statements, "monthly": monthly, "mirrors": mirrors}
    return json.dumps(document, indent=1, sort_keys=True) + "\n"


# -- reading ----------------------------------------------------------------------------------
def relation(rollup: RollupSource, tables: TableSet) -> ir.Table:
    """The rollup as the compiler reads it: its columns, and the source's time column as the
    day's midnight (so the same range filters and period truncation apply)."""
    table = tables[rollup.name]
    return table.mutate(**{rollup.time: table.day.cast("timestamp")})


def _reached(dimension: Dimension, columns: set[str] | Sequence[str]) -> tuple[str, str] | None:
    """How a relation with these columns reaches a dimension (as the compiler does)."""
    if dimension.column is not None and dimension.column in columns:
        return ("column", dimension.column)
    if dimension.lookup is not None and dimension.lookup.key in columns:
        return ("lookup", dimension.lookup.key)
    return None


def covering(
    kpi: SimpleKpi,
    source_columns: Sequence[str],
    time: str,
    dimensions: Sequence[Dimension],
    settings: Settings,
) -> RollupSource | None:
    """The first rollup that answers this KPI exactly for these dimensions, if any."""
    defaults = Settings()
    names: frozenset[str] = frozenset()
    if kpi.where:
        names = expressions.parse(kpi.where).names - set(SETS)
    for rollup in ROLLUP_SOURCES:
        if kpi.source not in rollup.serves or rollup.time != time:
            continue
        if any(getattr(settings, s) != getattr(defaults, s) for s in rollup.settings):
            continue  # built with the default settings
        keys = rollup.keys
        if kpi.agg == "sum":
            additive = kpi.column in rollup.table.measures
        elif kpi.agg == "count_distinct":
            additive = kpi.column in keys
        else:
            additive = kpi.agg == "count"
        if not additive or not names <= keys:
            continue
        if all(
            (way := _reached(d, source_columns)) is not None and way == _reached(d, keys)
            for d in dimensions
        ):
            return rollup
    return None


@dataclass(frozen=True)
class MonthlyRead:
    """Reading one measure of the monthly distinct counts, for one grouping set, in place of
    a source: the month as the source's time column, the grouped keys as its columns."""

    measure: str
    grouped: tuple[str, ...]
    time: str

    @property
    def name(self) -> str:
        return MONTHLY_TABLE


def monthly_covering(
    kpi: SimpleKpi,
    source_columns: Sequence[str],
    time: str,
    by: Sequence[Dimension],
    where: Sequence[tuple[Dimension, int]],
    settings: Settings,
) -> MonthlyRead | None:
    """The monthly distinct count that answers this KPI exactly, if any.

    The caller checks the query asks whole calendar months. Each dimension must be a key
    column itself (a lookup, say an agent's team, would add up distinct counts), and a filter
    on several values must also be a dimension (else the rows of those values would add up).
    """
    if kpi.agg != "count_distinct":
        return None
    daily = covering(kpi, source_columns, time, [], settings)
    for monthly in MONTHLY.values():
        if daily is None or monthly.base != daily.name or monthly.column != kpi.column:
            continue
        if _normal(monthly.where) != _normal(kpi.where):
            continue
        used = set()
        for dimension in [*by, *(d for d, _ in where)]:
            way = _reached(dimension, source_columns)
            if way is None or way[0] != "column" or way[1] not in monthly.keys:
                return None
            used.add(way[1])
        grouped_by = {d.id for d in by}
        if any(count > 1 and d.id not in grouped_by for d, count in where):
            return None
        return MonthlyRead(monthly.measure, tuple(k for k in monthly.keys if k in used), time)
    return None


def _normal(where: str | None) -> str:
    return " ".join((where or "").split())


def monthly_relation(read: MonthlyRead, tables: TableSet) -> ir.Table:
    """The rows of one measure and grouping set, with the month as the source's time."""
    table = tables[MONTHLY_TABLE]
    table = table.filter(table.measure == read.measure, table.grouped == ",".join(read.grouped))
    return table.mutate(**{read.time: table.month.cast("timestamp")})


def metric(table: ir.Table, kpi: SimpleKpi, where: ir.BooleanValue | None) -> ir.Value:
    """A KPI's aggregate over rollup rows: the sum of counts or of sums."""
    if kpi.agg == "count":
        return table.n.sum(where=where).fill_null(0).cast("int64")
    if kpi.agg == "count_distinct":
        return table[kpi.column].nunique(where=where)
    return table[kpi.column].sum(where=where)


def main(argv: Sequence[str] = ()) -> int:
    """Write store/rollup_sql/<dialect>.json (after a change to a source or a rollup)."""
    SQL_DIR.mkdir(exist_ok=True)
    for dialect in DIALECTS:
        (SQL_DIR / f"{dialect}.json").write_text(compile_all(dialect), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
