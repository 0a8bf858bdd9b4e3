"""The one request object shared by `Workspace.kpis()`, `explain()`, the CLI and (later) the API."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from callkpi.errors import QueryError, UnknownNameError
from callkpi.metrics.model import GRAINS


@dataclass(frozen=True)
class KpiQuery:
    """What to compute: KPIs, the dimensions to slice by, the period and grain, filters.

    `end` is inclusive (a whole day). `where` maps a dimension to one value or several (OR).
    """

    kpis: tuple[str, ...]
    by: tuple[str, ...] = ()
    grain: str = "all"
    start: dt.date | None = None
    end: dt.date | None = None
    where: Mapping[str, tuple[str, ...]] = field(default_factory=dict)

    @classmethod
    def build(
        cls,
        kpis: Sequence[str] | str,
        by: Sequence[str] | str | None = None,
        grain: str = "all",
        start: dt.date | str | None = None,
        end: dt.date | str | None = None,
        where: Mapping[str, str | Sequence[str]] | None = None,
    ) -> KpiQuery:
        """Normalise loose arguments (strings, lists, ISO dates) into a checked query."""
        kpi_ids = (kpis,) if isinstance(kpis, str) else tuple(kpis)
        if not kpi_ids:
            raise QueryError("ask for at least one KPI")
        dims = (by,) if isinstance(by, str) else tuple(by or ())
        if len(set(dims)) != len(dims):
            raise QueryError("a dimension is given twice in 'by'")
        if grain not in GRAINS:
            raise UnknownNameError("grain", grain, GRAINS)
        start_date, end_date = _date(start, "start"), _date(end, "end")
        if start_date and end_date and end_date < start_date:
            raise QueryError(f"end {end_date} is before start {start_date}")
        filters: dict[str, tuple[str, ...]] = {}
        for dimension, values in (where or {}).items():
            options = (values,) if isinstance(values, str) else tuple(values)
            if not options or not all(isinstance(v, str) for v in options):
                raise QueryError(f"filter on {dimension!r} needs one or more text values")
            filters[dimension] = options
        return cls(tuple(dict.fromkeys(kpi_ids)), dims, grain, start_date, end_date, filters)


def _date(value: dt.date | str | None, name: str) -> dt.date | None:
    if value is None or isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise QueryError(f"{name} date {value!r} is not a date like 2026-10-31") from None
