"""The catalog's data model: dimensions and KPIs (simple, ratio, derived), validated by pydantic.

The vocabulary follows dbt's MetricFlow, made thinner: a `simple` KPI aggregates one column of
one source; a `ratio` divides two KPIs after each is summed at the query grain (never an average
of ratios); a `derived` KPI is an arithmetic expression over other KPIs.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

Unit = Literal[
    "count", "percent", "eur", "seconds", "minutes", "hours", "days", "ratio", "per_hour", "score"
]
Direction = Literal["higher", "lower", "neutral"]
Aggregation = Literal["count", "count_distinct", "sum", "avg", "median", "min", "max"]
Grain = Literal["day", "week", "month", "quarter", "year", "all"]

GRAINS: tuple[str, ...] = ("day", "week", "month", "quarter", "year", "all")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Label(_Strict):
    fr: str
    en: str

    def get(self, lang: str) -> str:
        return self.fr if lang == "fr" else self.en


class Lookup(_Strict):
    """Reach a dimension through a key column: `key` in the source -> `table`.`column`."""

    table: str
    key: str
    column: str


class Dimension(_Strict):
    """A way to slice KPIs. A source has the dimension if it holds `column` itself, or holds
    the lookup's key column (then the lookup table is joined)."""

    id: str
    label: Label
    column: str | None = None
    lookup: Lookup | None = None
    null_label: Label | None = None  # how a face shows a missing value (default "(none)")


class _KpiBase(_Strict):
    id: str
    label: Label
    description: Label
    unit: Unit
    direction: Direction = "neutral"
    seeds: list[str] = Field(default_factory=list)


class SimpleKpi(_KpiBase):
    type: Literal["simple"]
    source: str
    agg: Aggregation
    column: str | None = None
    where: str | None = None
    time: str | None = None  # the column that credits a row to a period; default: the source's
    fill_zero: bool | None = None  # count and sum default to 0 when a group has no row


class RatioKpi(_KpiBase):
    type: Literal["ratio"]
    numerator: str
    denominator: str
    interval: Literal["wilson"] | None = None  # only for proportions (numerator within denominator)


class DerivedKpi(_KpiBase):
    type: Literal["derived"]
    expr: str


class ModelKpi(_KpiBase):
    """A KPI computed in Python from the rows of a source, one group at a time.

    `km_median`: the Kaplan-Meier median of `duration`, rows where `event` is false being
    censored (a deal still open). Its `time` column credits rows to periods as for `simple`.
    """

    type: Literal["model"]
    source: str
    function: Literal["km_median"]
    duration: str
    event: str
    where: str | None = None
    time: str | None = None


AnyKpi = SimpleKpi | RatioKpi | DerivedKpi | ModelKpi
Kpi = Annotated[AnyKpi, Field(discriminator="type")]


@dataclass(frozen=True)
class OutputColumn:
    """A column of a KPI result: a dimension, the period, a KPI value or one of its parts."""

    name: str
    role: str  # dimension, period, value, numerator, denominator, low, high
    kpi: str | None = None


@dataclass(frozen=True)
class ModelPart:
    """The rows a model KPI needs (keys, duration, event) and the function that reduces them."""

    kpi: str
    function: str
    sql: str


@dataclass(frozen=True)
class CompiledQuery:
    """SQL with named placeholders (values: `KpiQuery.parameters()`) and its columns.

    Model KPIs come back null from `sql`; each `models` part fetches their rows. `plan` says
    which relation answers each group of KPIs: a daily rollup or the detail (ADR 8).
    """

    sql: str
    columns: tuple[OutputColumn, ...]
    models: tuple[ModelPart, ...] = ()
    plan: tuple[str, ...] = ()


class Settings(_Strict):
    attribution_window_days: int = 30
    tiers: list[str] = Field(default_factory=lambda: ["bronze", "silver", "gold"])
    pipeline_stages: list[str] = Field(
        default_factory=lambda: ["prospect", "qualification", "proposal", "negotiation"]
    )
