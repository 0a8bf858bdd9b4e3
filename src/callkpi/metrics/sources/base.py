"""What every source builder receives, and the registry entry that describes a source."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import ibis
import ibis.expr.types as ir

from callkpi.metrics.model import Settings
from callkpi.store.rollups import MIRRORS, MONTHLY_KEYS, MONTHLY_TABLE, ROLLUPS
from callkpi.store.schema import CALENDAR, TABLES


class TableSet:
    """Unbound Ibis tables named like the store's tables: compiled SQL refers to them by name."""

    def __init__(self) -> None:
        self._tables = {
            name: ibis.table(table.ibis_schema(), name=name) for name, table in TABLES.items()
        }
        self._tables["calendar"] = ibis.table(CALENDAR.ibis_schema(), name="calendar")
        for rollup in [*ROLLUPS.values(), *MIRRORS.values()]:
            schema = {"day": "date", **dict(rollup.keys), "n": "int64"}
            schema |= {m: "float64" for m in rollup.measures}
            self._tables[rollup.name] = ibis.table(schema, name=rollup.name)
        monthly = {"month": "date", "measure": "string", "grouped": "string"}
        monthly |= {k: "string" for k in MONTHLY_KEYS} | {"n": "int64"}
        self._tables[MONTHLY_TABLE] = ibis.table(monthly, name=MONTHLY_TABLE)

    def __getitem__(self, name: str) -> ir.Table:
        return self._tables[name]

    def replaced(self, **tables: ir.Table) -> TableSet:
        """The same tables with some replaced (cut to the rows a rollup refresh needs)."""
        copy = object.__new__(TableSet)
        copy._tables = {**self._tables, **tables}
        return copy


def first_per_group(table: ir.Table, group_by: str, order_by: list[ir.Value]) -> ir.Table:
    """The first row of each group in `order_by` order (ties must be broken by the caller's
    keys, so that the choice is the same on every run and backend)."""
    ranked = table.mutate(__rank=ibis.row_number().over(group_by=group_by, order_by=order_by))
    return ranked.filter(ranked["__rank"] == 0).drop("__rank")


@dataclass(frozen=True)
class Context:
    """A builder's inputs: the unbound tables, the catalog settings, and the period spine
    (one row per period asked: `period_label`, `period_start`, `period_end` exclusive).
    With `rollups`, a builder may read the daily rollups instead of detail (ADR 8). Without
    `lead_sources`, costs are not split across lead sources: a query that neither slices,
    filters nor counts by source gets the same sums (the shares add up to 1) without the
    join that multiplies every campaign-day by its sources."""

    tables: TableSet
    settings: Settings
    periods: ir.Table
    rollups: bool = False
    lead_sources: bool = True


Builder = Callable[[Context], ir.Table]


@dataclass(frozen=True)
class Source:
    """A relation KPIs aggregate.

    An event source credits each row to the period of its `time` column. A per-period source
    (`per_period=True`) is built against the period spine and already holds one row per entity
    and period, with a `period_label` column: it answers "active at period start" questions.
    """

    name: str
    time: str
    build: Builder
    per_period: bool = False

    def columns(self) -> dict[str, str]:
        """Column name -> type, computed from an unbound build (no database needed)."""
        from callkpi.metrics.periods import default_spine

        tables = TableSet()
        context = Context(tables, Settings(), default_spine(tables))
        schema = self.build(context).schema()
        return {name: str(dtype) for name, dtype in schema.items()}
