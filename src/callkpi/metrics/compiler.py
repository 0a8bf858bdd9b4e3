"""Compile a KpiQuery into one SQL statement with Ibis, values bound as parameters.

Plan: the simple KPIs are grouped by (source, time column); each group is one filtered
GROUP BY over its source; the groups are stacked (UNION ALL) and regrouped on (period, dims),
so a group present in one source only (a campaign with costs but no call) is kept and nulls
in dimension values match; ratios and derived KPIs are then computed on the summed
components, never averaged. Filter values never enter the SQL text: they are compiled as
unique sentinel literals that are swapped for named placeholders in the SQL tree.
"""

from __future__ import annotations

from collections.abc import Iterable

import ibis
import ibis.expr.types as ir

from callkpi.errors import UnsplittableError
from callkpi.metrics import expressions, rollups
from callkpi.metrics.binding import placeholder, to_sql
from callkpi.metrics.catalog import SETS, Catalog
from callkpi.metrics.model import (
    CompiledQuery,
    DerivedKpi,
    Dimension,
    ModelKpi,
    ModelPart,
    OutputColumn,
    RatioKpi,
    SimpleKpi,
)
from callkpi.metrics.periods import build_spine
from callkpi.metrics.query import END_PARAMETER, START_PARAMETER, KpiQuery, where_parameter
from callkpi.metrics.rollups import MonthlyRead, RollupSource
from callkpi.metrics.sources import SOURCES, Context, TableSet
from callkpi.metrics.stats import wilson_bounds

#: What stands for a source when rollups answer: a daily rollup or a monthly count.
Rollup = RollupSource | MonthlyRead

_TRUNCATE_UNIT = {"day": "D", "week": "W", "month": "M", "quarter": "Q", "year": "Y"}
_ADDITIVE = ("count", "count_distinct", "sum")
_CACHE_SIZE = 256


class KpiCompiler:
    """Turns queries into SQL for one dialect; caches the SQL per query shape."""

    def __init__(self, catalog: Catalog, dialect: str = "duckdb") -> None:
        self.catalog = catalog
        self.dialect = dialect
        self._cache: dict[tuple[object, ...], CompiledQuery] = {}
        self._columns: dict[str, list[str]] = {}

    # -- public ---------------------------------------------------------------------------------
    def compile(
        self, query: KpiQuery, *, pretty: bool = False, rollups: bool = False
    ) -> CompiledQuery:
        """The query's SQL; with `rollups` (the store's rollups are fresh), each KPI a daily
        rollup answers exactly is read from it (ADR 8), the others from the detail tables."""
        key = (query.shape(), pretty, rollups)
        cached = self._cache.get(key)
        if cached is not None:
            return cached
        for kpi_id in query.kpis:
            self.catalog.kpi(kpi_id)
        dimensions = [self.catalog.dimension(d) for d in query.by]
        for name in query.where:
            self.catalog.dimension(name)
        needed = self._closure(query.kpis)
        context = self._context(query, rollups, self._reads_lead_source(query, needed))
        plan: list[str] = []
        table = self._build(context, query, needed, dimensions, plan)
        models = tuple(
            ModelPart(
                kpi.id,
                kpi.function,
                self._sql(self._model_rows(context, kpi, query, dimensions), pretty),
            )
            for kpi in (self.catalog.kpi(k) for k in needed)
            if isinstance(kpi, ModelKpi)
        )
        compiled = CompiledQuery(
            self._sql(table, pretty), self._outputs(query), models, tuple(plan)
        )
        if len(self._cache) >= _CACHE_SIZE:
            self._cache.pop(next(iter(self._cache)))
        self._cache[key] = compiled
        return compiled

    def _sql(self, table: ir.Table, pretty: bool) -> str:
        return to_sql(table, self.dialect, pretty)

    def _context(self, query: KpiQuery, rollups: bool, lead_sources: bool = True) -> Context:
        tables = TableSet()
        spine = build_spine(tables, query.grain, query.start is not None, query.end is not None)
        return Context(tables, self.catalog.settings, spine, rollups, lead_sources)

    def _reads_lead_source(self, query: KpiQuery, needed: list[str]) -> bool:
        """Does the query slice or filter by the `source` column, or a KPI's `where` read it?
        (Else costs need no split across lead sources.)"""
        names = [*query.by, *query.where]
        if any(self.catalog.dimension(name).column == "source" for name in names):
            return True
        for kpi_id in needed:
            kpi = self.catalog.kpi(kpi_id)
            where = getattr(kpi, "where", None)
            if where and "source" in expressions.parse(where).names:
                return True
        return False

    # -- planning ---------------------------------------------------------------------------
    def _closure(self, kpi_ids: Iterable[str]) -> list[str]:
        """Every KPI needed, dependencies first."""
        ordered: list[str] = []

        def visit(kpi_id: str) -> None:
            if kpi_id in ordered:
                return
            for dependency in self.catalog.dependencies(kpi_id):
                visit(dependency)
            ordered.append(kpi_id)

        for kpi_id in kpi_ids:
            visit(kpi_id)
        return ordered

    def _outputs(self, query: KpiQuery) -> tuple[OutputColumn, ...]:
        columns = [OutputColumn(d, "dimension") for d in query.by]
        if query.grain != "all":
            columns.append(OutputColumn("period", "period"))
        for kpi_id in query.kpis:
            columns.append(OutputColumn(kpi_id, "value", kpi_id))
            kpi = self.catalog.kpi(kpi_id)
            if isinstance(kpi, RatioKpi):
                columns.append(OutputColumn(f"{kpi_id}_numerator", "numerator", kpi_id))
                columns.append(OutputColumn(f"{kpi_id}_denominator", "denominator", kpi_id))
                if kpi.interval == "wilson":
                    columns.append(OutputColumn(f"{kpi_id}_low", "low", kpi_id))
                    columns.append(OutputColumn(f"{kpi_id}_high", "high", kpi_id))
        return tuple(columns)

    # -- building -----------------------------------------------------------------------------
    def _build(
        self,
        context: Context,
        query: KpiQuery,
        needed: list[str],
        dimensions: list[Dimension],
        plan: list[str],
    ) -> ir.Table:
        components = [self._component(k) for k in needed]
        simple_kpis = [k for k in components if k is not None]
        simple = [k.id for k in simple_kpis]
        sliced = dimensions + [self.catalog.dimension(name) for name in query.where]
        groups: dict[tuple[str, str, Rollup | None], list[SimpleKpi]] = {}
        for kpi in simple_kpis:
            time = kpi.time or SOURCES[kpi.source].time
            rollup: Rollup | None = None
            if context.rollups:
                rollup = self._monthly(kpi, time, query, dimensions)
                rollup = rollup or self._rollup(kpi, time, sliced, query.whole_months())
            groups.setdefault((kpi.source, time, rollup), []).append(kpi)
        for (source, time, rollup), kpis in groups.items():
            read = rollup.name if rollup else "detail"
            plan.append(f"{source} by {time}: {read} ({', '.join(k.id for k in kpis)})")

        keys = [f"__d{i}" for i in range(len(dimensions))]
        if query.grain != "all":
            keys.append("__period")
        parts = [
            self._aggregate(context, source, time, kpis, query, dimensions, rollup)
            for (source, time, rollup), kpis in groups.items()
        ]
        if len(parts) == 1:
            combined = parts[0]
        else:
            aligned = [
                p.select(
                    *keys,
                    **{
                        k: (p[k] if k in p.columns else ibis.null("float64")).cast("float64")
                        for k in simple
                    },
                )
                for p in parts
            ]
            stacked = aligned[0]
            for part in aligned[1:]:
                stacked = stacked.union(part, distinct=False)
            regrouped = stacked.group_by(keys) if keys else stacked
            combined = regrouped.aggregate(**{k: stacked[k].max() for k in simple})
        combined = combined.mutate(**self._filled(simple_kpis, combined))
        return self._final(combined, query)

    def _rollup(
        self, kpi: SimpleKpi, time: str, dimensions: list[Dimension], whole_months: bool
    ) -> RollupSource | None:
        """The daily rollup that answers this KPI exactly (its monthly mirror, if it has one,
        for a query of whole months), or None (read the detail)."""
        source = SOURCES[kpi.source]
        if source.per_period:
            return None
        columns = self._source_columns(kpi.source)
        daily = rollups.covering(kpi, columns, time, dimensions, self.catalog.settings)
        return rollups.monthly_mirror(daily) if daily and whole_months else daily

    def _source_columns(self, name: str) -> list[str]:
        """A source's column names, computed once per compiler (an unbound Ibis build)."""
        if name not in self._columns:
            self._columns[name] = list(SOURCES[name].columns())
        return self._columns[name]

    def _monthly(
        self, kpi: SimpleKpi, time: str, query: KpiQuery, dimensions: list[Dimension]
    ) -> MonthlyRead | None:
        """The monthly distinct count that answers this KPI exactly, for a query of whole
        calendar months, or None."""
        source = SOURCES[kpi.source]
        if query.grain != "month" or not query.whole_periods() or source.per_period:
            return None
        where = [(self.catalog.dimension(name), len(v)) for name, v in query.where.items()]
        columns = self._source_columns(kpi.source)
        return rollups.monthly_covering(
            kpi, columns, time, dimensions, where, self.catalog.settings
        )

    def _value(self, kpi_id: str, table: ir.Table) -> ir.Value:
        """A KPI as an expression over the regrouped simple KPIs (ratios of sums)."""
        kpi = self.catalog.kpi(kpi_id)
        if isinstance(kpi, RatioKpi):
            numerator = self._value(kpi.numerator, table).cast("float64")
            denominator = self._value(kpi.denominator, table).cast("float64").nullif(0)
            return numerator / denominator
        if isinstance(kpi, DerivedKpi):
            expression = expressions.parse(kpi.expr)
            return expression.compile(lambda name: self._value(name, table), SETS).cast("float64")
        if isinstance(kpi, ModelKpi):
            return ibis.null("float64")  # filled in from the model part's rows
        return table[kpi_id]

    def _component(self, kpi_id: str) -> SimpleKpi | None:
        """The simple KPI summed in the main query for a KPI: itself, or for a model KPI a
        hidden row count (so that its groups exist in the result); None otherwise."""
        kpi = self.catalog.kpi(kpi_id)
        if isinstance(kpi, SimpleKpi):
            return kpi
        if isinstance(kpi, ModelKpi):
            return SimpleKpi(
                type="simple", id=f"__rows_{kpi.id}", label=kpi.label,
                description=kpi.description, unit="count", source=kpi.source, agg="count",
                where=kpi.where, time=kpi.time,
            )  # fmt: skip
        return None

    def _filled(self, simple: list[SimpleKpi], table: ir.Table) -> dict[str, ir.Value]:
        filled = {}
        for kpi in simple:
            kpi_id = kpi.id
            fill = kpi.fill_zero if kpi.fill_zero is not None else kpi.agg in _ADDITIVE
            value = table[kpi_id].cast("float64")
            filled[kpi_id] = value.fill_null(0.0) if fill else value
        return filled

    def _final(self, table: ir.Table, query: KpiQuery) -> ir.Table:
        selection: dict[str, ir.Value] = {}
        for i, dimension in enumerate(query.by):
            selection[dimension] = table[f"__d{i}"]
        if query.grain != "all":
            selection["period"] = table["__period"]
        for kpi_id in query.kpis:
            kpi = self.catalog.kpi(kpi_id)
            value = self._value(kpi_id, table)
            selection[kpi_id] = value.cast("int64") if kpi.unit == "count" else value
            if isinstance(kpi, RatioKpi):
                numerator = self._value(kpi.numerator, table)
                denominator = self._value(kpi.denominator, table)
                selection[f"{kpi_id}_numerator"] = numerator
                selection[f"{kpi_id}_denominator"] = denominator
                if kpi.interval == "wilson":
                    low, high = wilson_bounds(numerator, denominator)
                    selection[f"{kpi_id}_low"] = low
                    selection[f"{kpi_id}_high"] = high
        # period first, then dimensions in the order asked
        order = ([table["__period"]] if query.grain != "all" else []) + [
            table[f"__d{i}"] for i in range(len(query.by))
        ]
        if order:
            table = table.order_by([o.asc(nulls_first=False) for o in order])
        return table.select(**selection)

    def _aggregate(
        self,
        context: Context,
        source_name: str,
        time: str,
        kpis: list[SimpleKpi],
        query: KpiQuery,
        dimensions: list[Dimension],
        rollup: Rollup | None = None,
    ) -> ir.Table:
        relation, keys = self._filtered(context, source_name, time, kpis, query, dimensions, rollup)
        metrics = {kpi.id: self._metric(relation, kpi, rollup) for kpi in kpis}
        if not keys:
            return relation.aggregate(**metrics)
        return relation.group_by(**keys).aggregate(**metrics)

    def _model_rows(
        self, context: Context, kpi: ModelKpi, query: KpiQuery, dimensions: list[Dimension]
    ) -> ir.Table:
        """The rows a model KPI reduces: output keys, duration and event, one per entity."""
        time = kpi.time or SOURCES[kpi.source].time
        relation, keys = self._filtered(context, kpi.source, time, [kpi], query, dimensions)
        if kpi.where:
            condition = expressions.parse(kpi.where).compile(lambda n: relation[n], SETS)
            relation = relation.filter(condition)
        names = {f"__d{i}": d for i, d in enumerate(query.by)} | {"__period": "period"}
        selection = {
            names[key]: relation["__period_key" if key == "__period" else key] for key in keys
        }
        return relation.select(
            **selection,
            duration=relation[kpi.duration].cast("float64"),
            event=relation[kpi.event].cast("boolean"),
        )

    def _filtered(
        self,
        context: Context,
        source_name: str,
        time: str,
        kpis: list[SimpleKpi] | list[ModelKpi],
        query: KpiQuery,
        dimensions: list[Dimension],
        rollup: Rollup | None = None,
    ) -> tuple[ir.Table, dict[str, ir.Value]]:
        """A source (or the rollup that stands for it) with its dimension columns, filtered
        to the query: and its group keys."""
        source = SOURCES[source_name]
        tables = context.tables
        if isinstance(rollup, MonthlyRead):
            relation = rollups.monthly_relation(rollup, tables)
        elif rollup is not None:
            relation = rollups.relation(rollup, tables)
        else:
            relation = source.build(context)
        wanted = {f"__d{i}": d for i, d in enumerate(dimensions)}
        filters = {f"__w_{name}": self.catalog.dimension(name) for name in query.where}
        relation = self._with_dimensions(relation, tables, {**wanted, **filters}, kpis)

        # A per-period source is already cut along the spine; an event source is filtered.
        predicates = [] if source.per_period else self._time_range(relation, time, query)
        for i, (column, dimension) in enumerate(filters.items()):
            count = len(query.where[dimension.id])
            values = [placeholder(where_parameter(i, j)) for j in range(count)]
            predicates.append(relation[column].isin(values))
        if predicates:
            relation = relation.filter(*predicates)

        if query.grain != "all" and source.per_period:
            relation = relation.mutate(__period_key=relation["period_label"])
        elif query.grain != "all":
            moment = relation[time]
            if query.grain == "day":
                period = moment.cast("date")
            else:
                # via timestamp: some engines truncate a DATE to a TIMESTAMP
                unit = _TRUNCATE_UNIT[query.grain]
                period = moment.cast("timestamp").truncate(unit).cast("date")
            relation = relation.mutate(__period_key=period)
        keys: dict[str, ir.Value] = {name: relation[name] for name in wanted}
        if query.grain != "all":
            keys["__period"] = relation["__period_key"]
        return relation, keys

    def _time_range(self, relation: ir.Table, time: str, query: KpiQuery) -> list[ir.Value]:
        column = relation[time]
        is_date = column.type().is_date()
        # A row with no time (a lead never converted, for `time: converted_at`) is in no period.
        predicates = [column.notnull()]

        def bound(name: str) -> ir.Value:
            return placeholder(name).cast("date" if is_date else "timestamp")

        if query.start is not None:
            predicates.append(column >= bound(START_PARAMETER))
        if query.end is not None:
            predicates.append(column < bound(END_PARAMETER))
        return predicates

    def _metric(self, relation: ir.Table, kpi: SimpleKpi, rollup: Rollup | None = None) -> ir.Value:
        if isinstance(rollup, MonthlyRead):
            return relation.n.sum()  # one row per group, the KPI's `where` counted in
        where = None
        if kpi.where:
            where = expressions.parse(kpi.where).compile(lambda n: relation[n], SETS)
        if rollup is not None:
            return rollups.metric(relation, kpi, where)
        if kpi.agg == "count":
            return relation.count(where=where)
        column = relation[kpi.column]
        if kpi.agg == "median" and where is not None and self.dialect == "pyspark":
            # Ibis's PySpark compiler filters the 0.5 of percentile() too, which Spark refuses
            # (it must be a constant): filter the values instead; the median skips nulls.
            return where.ifelse(column, ibis.null(column.type())).median()
        method = {"count_distinct": "nunique", "avg": "mean"}.get(kpi.agg, kpi.agg)
        return getattr(column, method)(where=where)

    def _with_dimensions(
        self,
        relation: ir.Table,
        tables: TableSet,
        wanted: dict[str, Dimension],
        kpis: list[SimpleKpi],
    ) -> ir.Table:
        """Add one text column per dimension: a source column, or a lookup join.

        The joins come first and the columns are read from the final relation, so that no
        expression refers to a relation a later join replaced."""
        sources: dict[str, str] = {}
        for name, dimension in wanted.items():
            if dimension.column is not None and dimension.column in relation.columns:
                sources[name] = dimension.column
                continue
            lookup = dimension.lookup
            if lookup is None or lookup.key not in relation.columns:
                raise UnsplittableError(
                    self._unreachable(dimension, kpis, relation),
                    dimension.id,
                    tuple(k.id for k in kpis),
                )
            side = tables[lookup.table]
            looked_up = f"{name}_value"
            side = side.select(**{f"{name}_key": side[lookup.key], looked_up: side[lookup.column]})
            relation = relation.left_join(side, relation[lookup.key] == side[f"{name}_key"])
            relation = relation.drop(f"{name}_key")
            sources[name] = looked_up
        if not sources:
            return relation
        return relation.mutate(**{name: relation[c].cast("string") for name, c in sources.items()})

    def _unreachable(self, dimension: Dimension, kpis: list[SimpleKpi], relation: ir.Table) -> str:
        reachable = [
            d.id
            for d in self.catalog.dimensions.values()
            if (d.column and d.column in relation.columns)
            or (d.lookup and d.lookup.key in relation.columns)
        ]
        names = ", ".join(k.id for k in kpis)
        return (
            f"{names} (from {kpis[0].source}) cannot be split or filtered by "
            f"{dimension.id!r}; possible: {', '.join(reachable)}"
        )
