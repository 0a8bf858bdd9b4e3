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

    def shape(self) -> tuple[object, ...]:
        """What the SQL depends on: everything but the filter values and dates (bound later)."""
        return (
            self.kpis,
            self.by,
            self.grain,
            tuple((name, len(values)) for name, values in self.where.items()),
            self.start is not None,
            self.end is not None,
            # the only alignment the compiler reads (ADR 8): monthly rollups answer whole
            # months; at grain month it is `whole_periods()`, the monthly distinct counts' test
            self.whole_months(),
        )

    def whole_periods(self) -> bool:
        """Do the start and end (when given) fall on the grain's period boundaries?"""
        return self.grain != "all" and self._bounds_start(self.grain)

    def whole_months(self) -> bool:
        """Is every period asked made of whole calendar months (grain month, quarter, year or
        all, bounds on month boundaries)? Monthly rollups then answer exactly."""
        return self.grain in ("all", "month", "quarter", "year") and self._bounds_start("month")

    def _bounds_start(self, grain: str) -> bool:
        """Do the start and the day after the end (when given) each begin a `grain` period?"""
        return all(
            first_of_period(day, grain)
            for day in (self.start, self.end and self.end + dt.timedelta(days=1))
            if day is not None
        )

    def parameters(self) -> dict[str, str]:
        """The values bound to the placeholders of the compiled SQL, named by their place."""
        values: dict[str, str] = {}
        for i, options in enumerate(self.where.values()):
            for j, value in enumerate(options):
                values[where_parameter(i, j)] = value
        if self.start is not None:
            values[START_PARAMETER] = self.start.isoformat()
        if self.end is not None:
            values[END_PARAMETER] = (self.end + dt.timedelta(days=1)).isoformat()
        return values


def first_of_period(day: dt.date, grain: str) -> bool:
    """Is this day the first of a period of the grain (ISO weeks start on Monday)?"""
    if grain == "week":
        return day.weekday() == 0
    month_starts = {"month": range(1, 13), "quarter": (1, 4, 7, 10), "year": (1,)}
    return grain == "day" or (day.day == 1 and day.month in month_starts[grain])


#: The period is [start, day after end): `end` is inclusive of its whole day.
START_PARAMETER = "period_start"
END_PARAMETER = "period_end_exclusive"


def split_filters(items: Sequence[str], separator: str) -> dict[str, list[str]]:
    """`DIM<separator>VALUE` items (the CLI's `--where DIM=VALUE`, the API's `where=DIM:VALUE`)
    into a filter; the same DIM twice means either value. A malformed item is a QueryError."""
    filters: dict[str, list[str]] = {}
    for item in items:
        name, sep, value = item.partition(separator)
        if not sep or not name.strip():
            raise QueryError(f"{item!r} is not DIM{separator}VALUE")
        filters.setdefault(name.strip(), []).append(value)
    return filters


def where_parameter(dimension_index: int, value_index: int) -> str:
    return f"where_{dimension_index}_{value_index}"


def _date(value: dt.date | str | None, name: str) -> dt.date | None:
    if value is None or isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise QueryError(f"{name} date {value!r} is not a date like 2026-10-31") from None
