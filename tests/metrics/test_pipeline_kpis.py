"""Pipeline KPIs worked out by hand: close rate, deal size, cycle, time in stage.

Deals (created -> closed, status, amount, owner):
  D1 01-05 -> 01-25 won 1000 A1 (20 days)     D2 01-10 -> 02-09 won 3000 A2 (30 days)
  D3 01-15 -> 01-20 lost 500 A1               D4 02-01 -> open 2000 A1
  D5 02-03 -> 02-13 lost A2                   D6 02-05 -> 03-07 won 2000 A1 (30 days)
  D8 01-02 -> 01-12 won 100 A3 (10 days)      D9, D10 01-02 -> open A3
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest

import callkpi
from callkpi.workspace import Workspace

approx = pytest.approx

DEALS = [
    ("D1", "2026-01-05", "2026-01-25", "won", 1000.0, "A1"),
    ("D2", "2026-01-10", "2026-02-09", "won", 3000.0, "A2"),
    ("D3", "2026-01-15", "2026-01-20", "lost", 500.0, "A1"),
    ("D4", "2026-02-01", None, "open", 2000.0, "A1"),
    ("D5", "2026-02-03", "2026-02-13", "lost", None, "A2"),
    ("D6", "2026-02-05", "2026-03-07", "won", 2000.0, "A1"),
    ("D8", "2026-01-02", "2026-01-12", "won", 100.0, "A3"),
    ("D9", "2026-01-02", None, "open", None, "A3"),
    ("D10", "2026-01-02", None, "open", None, "A3"),
]
STAGES = [
    ("D1", "prospect", "2026-01-05"), ("D1", "qualification", "2026-01-08"),
    ("D1", "proposal", "2026-01-15"), ("D1", "won", "2026-01-25"),
    ("D2", "prospect", "2026-01-10"), ("D2", "proposal", "2026-01-12"), ("D2", "won", "2026-02-09"),
    ("D3", "prospect", "2026-01-15"), ("D3", "lost", "2026-01-20"),
    ("D4", "prospect", "2026-02-01"), ("D4", "qualification", "2026-02-04"),
    ("D6", "prospect", "2026-02-05"),  # closed won 03-07 without a 'won' stage row
]  # fmt: skip


def day(text: str | None) -> dt.datetime | None:
    return dt.datetime.fromisoformat(text) if text else None


@pytest.fixture(scope="module")
def ws(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Workspace]:
    path: Path = tmp_path_factory.mktemp("deals") / "d.duckdb"
    workspace = callkpi.open(path)
    workspace.append(
        "agents", [{"agent_id": a, "team": "T1" if a != "A2" else "T2"} for a in ("A1", "A2", "A3")]
    )
    workspace.append(
        "deals",
        [
            {"deal_id": d, "created_at": day(c), "closed_at": day(e), "status": s,
             "amount": amount, "owner_agent_id": owner}
            for d, c, e, s, amount, owner in DEALS
        ],
    )  # fmt: skip
    workspace.append(
        "deal_stages", [{"deal_id": d, "stage": s, "entered_at": day(at)} for d, s, at in STAGES]
    )
    yield workspace
    workspace.close()


def test_close_rate_is_won_over_won_plus_lost_by_closing_month(ws: Workspace) -> None:
    rows = ws.kpis(["close_rate", "deals_won", "deals_closed"], grain="month").records()
    assert rows == [
        {"period": "2026-01-01", "close_rate": approx(2 / 3), "deals_won": 2, "deals_closed": 3},
        {"period": "2026-02-01", "close_rate": approx(1 / 2), "deals_won": 1, "deals_closed": 2},
        {"period": "2026-03-01", "close_rate": approx(1.0), "deals_won": 1, "deals_closed": 1},
    ]  # Jan: D1, D8 won, D3 lost; Feb: D2 won, D5 lost; Mar: D6 won


def test_average_deal_size_is_the_mean_of_won_amounts(ws: Workspace) -> None:
    row = ws.kpis(["avg_deal_size", "close_rate"]).records()[0]
    assert row == {
        "avg_deal_size": approx((1000 + 3000 + 2000 + 100) / 4),
        "close_rate": approx(4 / 6),
    }


def test_sales_cycle_over_won_deals(ws: Workspace) -> None:
    row = ws.kpis(["sales_cycle_length", "sales_cycle_median"]).records()[0]
    assert row == {
        "sales_cycle_length": approx((20 + 30 + 30 + 10) / 4),
        "sales_cycle_median": 25.0,
    }


def test_kaplan_meier_cycle_does_not_ignore_open_deals(ws: Workspace) -> None:
    rows = {
        r["agent"]: r
        for r in ws.kpis(["sales_cycle_median", "sales_cycle_km_median"], by=["agent"]).records()
    }
    # A1: D1 20 won, D4 open (censored at today), D6 30 won; D3 lost is left out:
    # S(20) = 2/3, S(30) = 1/3 -> 30.
    assert rows["A1"]["sales_cycle_km_median"] == 30.0
    # A3: D8 won in 10 days, D9 and D10 still open: S(10) = 2/3 and never 1/2 -> unknown,
    # where the plain median over won deals says 10.
    assert rows["A3"]["sales_cycle_median"] == 10.0
    assert rows["A3"]["sales_cycle_km_median"] is None
    assert rows["A2"]["sales_cycle_km_median"] == 30.0  # D2 only (D5 lost)


def test_kaplan_meier_by_team_and_month(ws: Workspace) -> None:
    rows = ws.kpis(["sales_cycle_km_median", "deals_created"], by=["team"], grain="month").records()
    assert rows == [
        # January, created: T1 D1 (20, won), D3 (lost, out), D8 (10, won), D9, D10 (open)
        # -> S(10) = 3/4, S(20) = 2/4 -> 20
        {"team": "T1", "period": "2026-01-01", "sales_cycle_km_median": 20.0, "deals_created": 5},
        {"team": "T2", "period": "2026-01-01", "sales_cycle_km_median": 30.0, "deals_created": 1},
        # February: T1 D4 open, D6 30 won -> S(30) = 1/2 -> 30; T2 D5 lost only -> no value
        {"team": "T1", "period": "2026-02-01", "sales_cycle_km_median": 30.0, "deals_created": 2},
        {"team": "T2", "period": "2026-02-01", "sales_cycle_km_median": None, "deals_created": 1},
    ]


def test_time_in_each_stage(ws: Workspace) -> None:
    rows = {
        r["stage"]: r
        for r in ws.kpis(
            [
                "stage_entries",
                "stage_duration",
                "stage_duration_median",
                "stage_duration_km_median",
            ],
            by=["stage"],
        ).records()
    }
    assert set(rows) == {"prospect", "qualification", "proposal", "won", "lost"}
    assert rows["won"]["stage_entries"] == 2  # D1, D2 (D6 closed without a 'won' row)
    assert rows["won"]["stage_duration"] is None  # won and lost are not stays
    # prospect: D1 3, D2 2, D3 5 (until lost), D4 3, D6 30 (until closed)
    assert rows["prospect"] == {
        "stage": "prospect", "stage_entries": 5, "stage_duration": approx(43 / 5),
        "stage_duration_median": 3.0, "stage_duration_km_median": 3.0,
    }  # fmt: skip
    # qualification: D1 7 ended; D4 still in it (censored): S(7) = 1/2 -> 7
    assert rows["qualification"]["stage_duration"] == approx(7.0)
    assert rows["qualification"]["stage_duration_km_median"] == 7.0
    # proposal: D1 10, D2 28
    assert rows["proposal"]["stage_duration"] == approx(19.0)
    assert rows["proposal"]["stage_duration_median"] == approx(19.0)
