"""Invariants on random data (Hypothesis): counts and costs add up, rates stay in [0, 1]."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import callkpi
from callkpi.store.schema import ALLOCATION_RULES, OUTCOMES

FIRST = dt.date(2026, 1, 1)
DAYS = 90  # January to March 2026
CAMPAIGNS = ["C1", "C2", "C3"]

day_offsets = st.integers(min_value=0, max_value=DAYS - 1)

calls = st.lists(
    st.tuples(
        st.sampled_from(CAMPAIGNS),
        day_offsets,
        st.integers(min_value=0, max_value=23),
        st.sampled_from(OUTCOMES),
        st.integers(min_value=0, max_value=900),
    ),
    max_size=40,
)
costs = st.lists(
    st.tuples(
        st.sampled_from([*CAMPAIGNS, None]),
        day_offsets,
        st.integers(min_value=0, max_value=60),
        st.floats(min_value=0, max_value=1e6, allow_nan=False),
        st.sampled_from([*ALLOCATION_RULES, None]),
    ),
    max_size=12,
)


def build(call_rows: list, cost_rows: list) -> callkpi.Workspace:
    ws = callkpi.open(":memory:")
    ws.append("campaigns", [{"campaign_id": c} for c in CAMPAIGNS])
    ws.append(
        "calls",
        [
            {
                "call_id": f"K{i}",
                "campaign_id": campaign,
                "started_at": dt.datetime.combine(FIRST + dt.timedelta(days=day), dt.time(hour)),
                "outcome": outcome,
                "talk_s": float(talk),
            }
            for i, (campaign, day, hour, outcome, talk) in enumerate(call_rows)
        ],
    )
    ws.append(
        "costs",
        [
            {
                "cost_id": f"Q{i}",
                "campaign_id": campaign,
                "period_start": FIRST + dt.timedelta(days=day),
                "period_end": FIRST + dt.timedelta(days=day + length),
                "amount": amount,
                "allocation": rule,
            }
            for i, (campaign, day, length, amount, rule) in enumerate(cost_rows)
        ],
    )
    return ws


relaxed = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@relaxed
@given(calls, costs)
def test_counts_and_costs_add_up_across_any_split(call_rows: list, cost_rows: list) -> None:
    ws = build(call_rows, cost_rows)
    total = ws.kpis(["calls", "contacts", "cost"]).records()[0]
    assert total["calls"] == len(call_rows)
    assert total["cost"] == pytest.approx(sum(c[3] for c in cost_rows), rel=1e-9, abs=1e-6)
    for dims, grain in [(["campaign"], "all"), ([], "month"), (["campaign"], "week")]:
        rows = ws.kpis(["calls", "contacts", "cost"], by=dims, grain=grain).records()
        assert sum(r["calls"] for r in rows) == total["calls"]
        assert sum(r["contacts"] for r in rows) == total["contacts"]
        assert sum(r["cost"] for r in rows) == pytest.approx(total["cost"], rel=1e-9, abs=1e-6)


@relaxed
@given(calls, costs, day_offsets)
def test_adjacent_periods_share_a_cost_exactly(call_rows: list, cost_rows: list, cut: int) -> None:
    ws = build(call_rows, cost_rows)
    last = FIRST + dt.timedelta(days=DAYS + 60)
    middle = FIRST + dt.timedelta(days=cut)

    def cost(start: dt.date, end: dt.date) -> float:
        return ws.kpis(["cost"], start=start, end=end).records()[0]["cost"]

    whole = cost(FIRST, last)
    parts = cost(FIRST, middle) + cost(middle + dt.timedelta(days=1), last)
    assert parts == pytest.approx(whole, rel=1e-9, abs=1e-6)


@relaxed
@given(calls)
def test_rates_and_intervals_stay_between_0_and_1(call_rows: list) -> None:
    ws = build(call_rows, [])
    result = ws.kpis(["contact_rate", "hit_rate"], by=["campaign"], grain="week")
    for row in result.records(details=True):
        for kpi in ("contact_rate", "hit_rate"):
            value, low, high = row[kpi], row[f"{kpi}_low"], row[f"{kpi}_high"]
            if row[f"{kpi}_denominator"] == 0:
                assert value is None and low is None and high is None
            else:
                assert 0.0 <= low <= value <= high <= 1.0
