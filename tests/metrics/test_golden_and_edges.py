"""The seeds' golden case, zero denominators, empty stores and query errors."""

from __future__ import annotations

import datetime as dt

import pytest

from callkpi.errors import QueryError, UnknownNameError
from callkpi.workspace import Workspace


def test_seed_golden_case_roi_is_150_percent(empty_ws: Workspace) -> None:
    # Seed 001: revenue 30,000 EUR and cost 12,000 EUR give ROI 1.50 (150 %).
    empty_ws.append("campaigns", [{"campaign_id": "G"}])
    empty_ws.append(
        "costs",
        [
            {
                "cost_id": "g1",
                "campaign_id": "G",
                "period_start": dt.date(2026, 3, 1),
                "period_end": dt.date(2026, 3, 31),
                "amount": 12_000.0,
                "kind": "direct",
            }
        ],
    )
    empty_ws.append(
        "orders",
        [
            {
                "order_id": "o1",
                "ordered_at": dt.datetime(2026, 3, 10),
                "amount": 30_000.0,
                "campaign_id": "G",
            }
        ],
    )
    result = empty_ws.kpis(["revenue", "cost", "roi"], by=["campaign"])
    assert result.records() == [
        {
            "campaign": "G",
            "revenue": 30_000.0,
            "cost": pytest.approx(12_000.0),
            "roi": pytest.approx(1.5),
        }
    ]


def test_roi_with_zero_cost_is_null_not_infinite(empty_ws: Workspace) -> None:
    empty_ws.append(
        "orders", [{"order_id": "o1", "ordered_at": dt.datetime(2026, 3, 10), "amount": 10.0}]
    )
    assert empty_ws.kpis(["roi", "cost"]).records() == [{"roi": None, "cost": 0.0}]


def test_rates_with_no_call_are_null(empty_ws: Workspace) -> None:
    row = empty_ws.kpis(["calls", "contact_rate", "aht"]).records(details=True)[0]
    assert row["calls"] == 0
    assert row["contact_rate"] is None
    assert row["contact_rate_low"] is None and row["contact_rate_high"] is None
    assert row["aht"] is None


def test_empty_store_by_campaign_gives_no_rows(empty_ws: Workspace) -> None:
    assert empty_ws.kpis(["calls", "roi"], by=["campaign"], grain="month").records() == []


def test_period_filter_is_inclusive_of_the_end_day(small_ws: Workspace) -> None:
    # CL02 and CL03 are on 2026-01-06 at 10:00 and 11:00
    result = small_ws.kpis(["calls"], start="2026-01-06", end="2026-01-06")
    assert result.records() == [{"calls": 2}]


def test_grains_label_periods_by_their_first_day(small_ws: Workspace) -> None:
    def periods(grain: str) -> list[str]:
        return [r["period"] for r in small_ws.kpis(["calls"], grain=grain).records()]

    assert periods("week") == ["2026-01-05", "2026-01-19", "2026-02-02"]
    assert periods("month") == ["2026-01-01", "2026-02-01"]
    assert periods("quarter") == ["2026-01-01"]
    assert periods("year") == ["2026-01-01"]
    assert len(periods("day")) == 8  # 10 calls; CL02-CL03 share 01-06, CL08-CL09 02-03


def test_where_filters_on_allowed_dimensions(small_ws: Workspace) -> None:
    assert small_ws.kpis(["calls"], where={"team": "T1"}).records() == [{"calls": 5}]
    assert small_ws.kpis(["calls"], where={"campaign": ["C1", "C2"]}).records() == [{"calls": 10}]


def test_filter_values_are_bound_never_spliced_into_sql(small_ws: Workspace) -> None:
    evil = "C1' OR '1'='1"
    sql = small_ws.explain(["calls"], where={"campaign": evil})
    assert evil not in sql and "OR '1'" not in sql
    assert "$where_0_0" in sql
    assert small_ws.kpis(["calls"], where={"campaign": evil}).records() == [{"calls": 0}]


def test_dates_are_bound_too_so_one_sql_serves_every_period(small_ws: Workspace) -> None:
    january = small_ws.explain(["calls"], by=["campaign"], start="2026-01-01", end="2026-01-31")
    february = small_ws.explain(["calls"], by=["campaign"], start="2026-02-01", end="2026-02-28")
    assert january == february
    assert "2026" not in january and "$period_start" in january


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"kpis": ["contact_rat"]}, "unknown KPI 'contact_rat'; did you mean 'contact_rate'"),
        (
            {"kpis": ["calls"], "by": ["campain"]},
            "unknown dimension 'campain'; did you mean 'campaign'",
        ),
        ({"kpis": ["calls"], "grain": "mounth"}, "unknown grain 'mounth'; did you mean 'month'?"),
        (
            {"kpis": ["calls"], "where": {"agnt": "A1"}},
            "unknown dimension 'agnt'; did you mean 'agent'",
        ),
    ],
)
def test_unknown_names_say_did_you_mean(
    small_ws: Workspace, kwargs: dict[str, object], message: str
) -> None:
    with pytest.raises(UnknownNameError) as info:
        small_ws.kpis(**kwargs)  # type: ignore[arg-type]
    assert message in str(info.value)


def test_a_kpi_that_cannot_be_split_by_a_dimension_says_which_it_can(small_ws: Workspace) -> None:
    with pytest.raises(
        QueryError, match=r"cost \(from costs\) cannot be split .* 'agent'; possible: campaign"
    ):
        small_ws.kpis(["cost"], by=["agent"])


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"kpis": []}, "at least one KPI"),
        ({"kpis": ["calls"], "start": "31/01/2026"}, "is not a date like"),
        ({"kpis": ["calls"], "start": "2026-02-01", "end": "2026-01-01"}, "before start"),
        ({"kpis": ["calls"], "by": ["agent", "agent"]}, "given twice"),
    ],
)
def test_bad_queries_are_refused_clearly(
    small_ws: Workspace, kwargs: dict[str, object], message: str
) -> None:
    with pytest.raises(QueryError, match=message):
        small_ws.kpis(**kwargs)  # type: ignore[arg-type]


def test_results_convert_to_arrow_and_pandas(small_ws: Workspace) -> None:
    result = small_ws.kpis(["calls", "contact_rate"], by=["campaign"])
    assert result.to_arrow().column("calls").to_pylist() == [5, 5]
    frame = result.to_pandas()
    assert list(frame["campaign"]) == ["C1", "C2"]
    assert list(frame["contact_rate"]) == [0.4, 0.8]
