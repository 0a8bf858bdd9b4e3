"""KpiQuery: what the compiled SQL depends on (its shape), whole periods included."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from callkpi.metrics.query import KpiQuery, first_of_period


@pytest.mark.parametrize(
    ("grain", "start", "end", "whole"),
    [
        ("month", None, None, True),
        ("month", "2026-01-01", "2026-03-31", True),
        ("month", "2026-01-01", "2026-02-28", True),
        ("month", "2024-02-01", "2024-02-29", True),  # leap year
        ("month", "2026-01-02", None, False),
        ("month", None, "2026-03-30", False),
        ("quarter", "2026-04-01", "2026-06-30", True),
        ("quarter", "2026-02-01", "2026-06-30", False),
        ("year", "2026-01-01", "2026-12-31", True),
        ("year", "2026-01-01", "2026-11-30", False),
        ("week", "2026-11-16", "2026-11-22", True),  # Monday to Sunday
        ("week", "2026-11-17", "2026-11-22", False),
        ("day", "2026-11-17", "2026-11-17", True),
        ("all", None, None, False),  # no periods
    ],
)
def test_whole_periods(grain: str, start: str | None, end: str | None, whole: bool) -> None:
    assert KpiQuery.build("calls", grain=grain, start=start, end=end).whole_periods() is whole


def test_whole_periods_are_part_of_the_shape() -> None:
    """The SQL may differ (monthly distinct counts), so the SQL cache must tell them apart."""
    aligned = KpiQuery.build("calls", grain="month", start="2026-01-01")
    ragged = KpiQuery.build("calls", grain="month", start="2026-01-02")
    assert aligned.shape() != ragged.shape()
    assert aligned.shape() == KpiQuery.build("calls", grain="month", start="2025-07-01").shape()


@given(st.dates(min_value=dt.date(2000, 1, 1), max_value=dt.date(2060, 12, 31)))
def test_a_period_starts_where_the_day_before_is_in_another_period(day: dt.date) -> None:
    before = day - dt.timedelta(days=1)
    key = {
        "week": lambda d: d.isocalendar()[:2],
        "month": lambda d: (d.year, d.month),
        "quarter": lambda d: (d.year, (d.month - 1) // 3),
        "year": lambda d: d.year,
    }
    for grain, period in key.items():
        assert first_of_period(day, grain) is (period(day) != period(before)), grain
