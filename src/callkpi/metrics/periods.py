"""The period spine: one row per period of a query, read from the calendar table.

"Customers at period start" must be counted at the calendar's boundaries, not at the first
or last date found in the data; the spine gives every per-period source those boundaries:
`period_label` (the period's first day, what the result shows), `period_start` and
`period_end` (exclusive), both timestamps, clipped to the query's from/to. With no `to`, the
last period ends today (the database's CURRENT_DATE), so "customers at end" means now.
"""

from __future__ import annotations

import ibis
import ibis.expr.types as ir

from callkpi.metrics.binding import placeholder
from callkpi.metrics.query import END_PARAMETER, START_PARAMETER
from callkpi.store.calendar import CALENDAR_FIRST_DAY

_CALENDAR_COLUMN = {
    "day": "day",
    "week": "week_start",
    "month": "month_start",
    "quarter": "quarter_start",
}


def build_spine(tables: object, grain: str, has_start: bool, has_end: bool) -> ir.Table:
    """Periods of `grain` (or one period for "all") between the query's bounds."""
    calendar = tables["calendar"]  # type: ignore[index]
    start = (
        placeholder(START_PARAMETER).cast("date") if has_start else ibis.date(CALENDAR_FIRST_DAY)
    )
    end = (
        placeholder(END_PARAMETER).cast("date")
        if has_end
        else (ibis.today() + ibis.interval(days=1)).cast("date")
    )
    if grain == "all":
        anchor = calendar.filter(calendar.day == ibis.date(CALENDAR_FIRST_DAY))
        return anchor.select(
            period_label=ibis.null("date"),
            period_start=start.cast("timestamp"),
            period_end=end.cast("timestamp"),
        )
    if grain == "year":
        label = ibis.date(calendar.year.cast("int32"), 1, 1)
    else:
        label = calendar[_CALENDAR_COLUMN[grain]]
    periods = calendar.group_by(period_label=label).aggregate(
        first=calendar.day.min(), last=calendar.day.max()
    )
    periods = periods.filter(periods["last"] >= start, periods["first"] < end)
    return periods.select(
        "period_label",
        period_start=ibis.greatest(periods["first"], start).cast("timestamp"),
        period_end=ibis.least(periods["last"] + ibis.interval(days=1), end).cast("timestamp"),
    )


def default_spine(tables: object) -> ir.Table:
    """A spine for building sources without a query (catalog checks, docs)."""
    return build_spine(tables, "month", has_start=False, has_end=False)


__all__ = ["build_spine", "default_spine"]
