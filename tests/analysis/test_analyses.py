"""Funnels, stage bottleneck and cohorts, worked out by hand."""

from __future__ import annotations

import datetime as dt

import pytest

import callkpi
from callkpi.analysis.cohorts import cohorts
from callkpi.analysis.funnels import funnel
from callkpi.analysis.stages import stages
from callkpi.workspace import Workspace
from tests.conftest import SMALL_DATA, make_workspace

approx = pytest.approx


def ts(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text)


def test_calls_funnel_on_the_small_fixture(tmp_path) -> None:
    ws = make_workspace(tmp_path / "s.duckdb", SMALL_DATA)
    rows = funnel(ws, "calls")
    # 10 calls, 6 contacts, 4 successes
    assert rows == [
        {"step": "dialled", "count": 10, "of_previous": 1.0, "of_first": 1.0},
        {"step": "contact", "count": 6, "of_previous": 0.6, "of_first": 0.6},
        {"step": "success", "count": 4, "of_previous": approx(4 / 6), "of_first": 0.4},
    ]
    by_campaign = funnel(ws, "calls", by=["campaign"])
    assert [(r["campaign"], r["step"], r["count"]) for r in by_campaign] == [
        ("C1", "dialled", 5), ("C1", "contact", 2), ("C1", "success", 1),
        ("C2", "dialled", 5), ("C2", "contact", 4), ("C2", "success", 3),
    ]  # fmt: skip


@pytest.fixture(scope="module")
def crm() -> Workspace:
    ws = callkpi.open(":memory:")
    ws.append("campaigns", [{"campaign_id": "A", "channel": "phone_outbound"},
                            {"campaign_id": "B", "channel": "phone_outbound"},
                            {"campaign_id": "E", "channel": "email"}])  # fmt: skip
    # Pipeline: P1 prospect (4 d) -> qualification (8 d) -> won; P2 prospect (10 d) -> lost;
    # P3 prospect (2 d) -> qualification (10 d) -> won
    stages_rows = [
        ("P1", "prospect", "2026-01-01"), ("P1", "qualification", "2026-01-05"),
        ("P1", "won", "2026-01-13"),
        ("P2", "prospect", "2026-01-01"), ("P2", "lost", "2026-01-11"),
        ("P3", "prospect", "2026-01-02"), ("P3", "qualification", "2026-01-04"),
        ("P3", "won", "2026-01-14"),
    ]  # fmt: skip
    ws.append(
        "deals",
        [
            {"deal_id": "P1", "created_at": ts("2026-01-01"), "closed_at": ts("2026-01-13"), "status": "won"},
            {"deal_id": "P2", "created_at": ts("2026-01-01"), "closed_at": ts("2026-01-11"), "status": "lost"},
            {"deal_id": "P3", "created_at": ts("2026-01-02"), "closed_at": ts("2026-01-14"), "status": "won"},
        ],
    )  # fmt: skip
    ws.append(
        "deal_stages", [{"deal_id": d, "stage": s, "entered_at": ts(a)} for d, s, a in stages_rows]
    )
    # Customers: X1 2026-01-10 active (B2B), X2 2026-01-20 -> 2026-02-15 (B2C), X3 2026-02-05 (B2B)
    ws.append("contacts", [{"contact_id": "X1", "segment": "B2B"}, {"contact_id": "X2", "segment": "B2C"},
                           {"contact_id": "X3", "segment": "B2B"}])  # fmt: skip
    ws.append(
        "customers",
        [
            {"contact_id": "X1", "since": ts("2026-01-10 10:00")},
            {"contact_id": "X2", "since": ts("2026-01-20 10:00"), "churned_at": ts("2026-02-15 10:00")},
            {"contact_id": "X3", "since": ts("2026-02-05 10:00")},
        ],
    )  # fmt: skip
    ws.append(
        "leads",
        [
            {"lead_id": "LX1", "contact_id": "X1", "campaign_id": "A", "created_at": ts("2026-01-02"),
             "converted_at": ts("2026-01-10 10:00")},
            {"lead_id": "LX2", "contact_id": "X2", "campaign_id": "A", "created_at": ts("2026-01-03"),
             "converted_at": ts("2026-01-20 10:00")},
            {"lead_id": "LX3", "contact_id": "X3", "campaign_id": "B", "created_at": ts("2026-01-04"),
             "converted_at": ts("2026-02-05 10:00")},
        ],
    )  # fmt: skip
    ws.append(
        "orders",
        [
            {"order_id": "O1", "contact_id": "X1", "ordered_at": ts("2026-01-12"), "amount": 100.0, "margin": 40.0},
            {"order_id": "O2", "contact_id": "X1", "ordered_at": ts("2026-02-10"), "amount": 50.0, "margin": 20.0},
            {"order_id": "O3", "contact_id": "X2", "ordered_at": ts("2026-01-25"), "amount": 60.0, "margin": 30.0},
            {"order_id": "O4", "contact_id": "X3", "ordered_at": ts("2026-02-06"), "amount": 200.0, "margin": 80.0},
        ],
    )  # fmt: skip
    ws.append(
        "costs",
        [
            {"cost_id": "ka", "campaign_id": "A", "period_start": dt.date(2026, 1, 1),
             "period_end": dt.date(2026, 1, 31), "amount": 90.0},
            {"cost_id": "kb", "campaign_id": "B", "period_start": dt.date(2026, 2, 1),
             "period_end": dt.date(2026, 2, 28), "amount": 100.0},
        ],
    )  # fmt: skip
    return ws


def test_pipeline_funnel_follows_the_stage_order(crm: Workspace) -> None:
    rows = funnel(crm, "pipeline")
    counts = [(r["step"], r["count"]) for r in rows]
    assert counts == [("prospect", 3), ("qualification", 2), ("proposal", 0), ("negotiation", 0),
                      ("won", 2)]  # fmt: skip
    assert rows[1]["of_previous"] == approx(2 / 3)
    assert rows[3]["of_previous"] is None  # 0 / 0
    assert rows[4]["of_first"] == approx(2 / 3)


def test_stages_name_the_bottleneck(crm: Workspace) -> None:
    rows = stages(crm)
    # prospect: P1 4 d, P2 10 d (until lost), P3 2 d: KM S(2) = 2/3, S(4) = 1/3 -> 4
    # qualification: P1 8 d, P3 10 d: KM S(8) = 1/2 -> 8 (plain median 9)
    assert [
        (r["stage"], r["stage_duration_km_median"], r["stage_duration_median"], r["bottleneck"])
        for r in rows
    ] == [("prospect", 4.0, 4.0, False), ("qualification", 8.0, 9.0, True)]


def test_month_cohorts_retention_revenue_and_payback(crm: Workspace) -> None:
    rows = cohorts(crm, "month", months=3)
    january = [r for r in rows if r["cohort"] == "2026-01-01"]
    # X1, X2: month 0 both active; month 1 X2 gone. Cumulative: X1 100, 150; X2 60.
    # Acquisition cost: January's 90 EUR over its 2 new customers = 45 per customer;
    # margin per customer 35 in month 0, 45 in month 1 -> pays back in month 1.
    assert [(r["month"], r["customers"], r["retention"], r["revenue_per_customer"],
             r["margin_per_customer"], r["acquisition_cost_per_customer"], r["paid_back"])
            for r in january] == [
        (0, 2, 1.0, 80.0, 35.0, approx(45.0), False),
        (1, 2, 0.5, 105.0, 45.0, approx(45.0), True),
        (2, 2, 0.5, 105.0, 45.0, approx(45.0), True),
    ]  # fmt: skip
    assert {r["payback_month"] for r in january} == {1}
    february = [r for r in rows if r["cohort"] == "2026-02-01"]
    # X3: 80 of margin against 100 of cost (February's 100 over its 1 new customer)
    assert [(r["month"], r["margin_per_customer"], r["paid_back"]) for r in february] == [
        (0, 80.0, False), (1, 80.0, False), (2, 80.0, False),
    ]  # fmt: skip
    assert february[0]["payback_month"] is None


def test_campaign_cohorts_use_the_campaign_cac(crm: Workspace) -> None:
    rows = cohorts(crm, "campaign", months=2)
    assert [(r["cohort"], r["month"], r["customers"], r["acquisition_cost_per_customer"],
             r["payback_month"]) for r in rows] == [
        ("A", 0, 2, approx(45.0), 1), ("A", 1, 2, approx(45.0), 1),  # 90 EUR / X1, X2
        ("B", 0, 1, approx(100.0), None), ("B", 1, 1, approx(100.0), None),
    ]  # fmt: skip


def test_cohort_filters_choose_members_not_costs(crm: Workspace) -> None:
    rows = cohorts(crm, "month", months=1, where={"segment": ["B2B"]})
    assert [(r["cohort"], r["customers"], r["revenue_per_customer"],
             r["acquisition_cost_per_customer"]) for r in rows] == [
        ("2026-01-01", 1, 100.0, approx(45.0)),  # X1 only; January's cost per new customer
        ("2026-02-01", 1, 200.0, approx(100.0)),
    ]  # fmt: skip


def test_cohorts_refuse_filters_they_cannot_apply(crm: Workspace) -> None:
    with pytest.raises(callkpi.QueryError, match="cohorts can be filtered by"):
        cohorts(crm, "month", where={"outcome": ["sale"]})
    with pytest.raises(callkpi.UnknownNameError, match="cohort kind"):
        cohorts(crm, "week")  # type: ignore[arg-type]


def test_a_tie_between_stages_is_broken_by_the_mean() -> None:
    ws = callkpi.open(":memory:")
    # Q1: prospect 3 d, proposal 3 d; Q2: prospect 3 d, proposal 9 d; Q3: prospect 5 d,
    # proposal 3 d. Both medians are 3 (KM too); means: prospect 11/3, proposal 5.
    spells = [
        ("Q1", "prospect", "2026-01-01"), ("Q1", "proposal", "2026-01-04"), ("Q1", "won", "2026-01-07"),
        ("Q2", "prospect", "2026-01-01"), ("Q2", "proposal", "2026-01-04"), ("Q2", "won", "2026-01-13"),
        ("Q3", "prospect", "2026-01-01"), ("Q3", "proposal", "2026-01-06"), ("Q3", "won", "2026-01-09"),
    ]  # fmt: skip
    ws.append(
        "deals",
        [{"deal_id": d, "created_at": ts("2026-01-01"), "status": "won",
          "closed_at": ts("2026-01-13")} for d in ("Q1", "Q2", "Q3")],
    )  # fmt: skip
    ws.append(
        "deal_stages", [{"deal_id": d, "stage": s, "entered_at": ts(a)} for d, s, a in spells]
    )
    rows = stages(ws)
    assert [(r["stage"], r["stage_duration_km_median"], r["bottleneck"]) for r in rows] == [
        ("prospect", 3.0, False),
        ("proposal", 3.0, True),
    ]
    assert rows[1]["stage_duration"] == approx(5.0)
