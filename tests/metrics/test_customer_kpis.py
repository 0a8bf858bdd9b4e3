"""Customer KPIs counted at the calendar's period boundaries, worked out by hand.

Customers (since -> churned):
  U1 2025-11-10 -> never, gold (was silver)       U2 2025-12-01 -> 2026-01-15
  U3 2026-01-05 -> never                          U4 2026-01-20 -> 2026-02-25
  U5 2025-06-01 -> 2025-12-20 (gone before)       U6 2026-02-10 -> never, silver (was bronze)
  U7 2026-01-01 00:00 -> never (new on the first instant of January)
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest

import callkpi
from callkpi.workspace import Workspace

approx = pytest.approx


def ts(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text)


CUSTOMERS = [
    ("U1", "2025-11-10 10:00", None, "gold", "silver", "B2B"),
    ("U2", "2025-12-01 10:00", "2026-01-15 00:00", "silver", None, "B2B"),
    ("U3", "2026-01-05 00:00", None, "bronze", None, "B2B"),
    ("U4", "2026-01-20 00:00", "2026-02-25 00:00", "bronze", None, "B2C"),
    ("U5", "2025-06-01 00:00", "2025-12-20 00:00", "silver", None, "B2C"),
    ("U6", "2026-02-10 00:00", None, "silver", "bronze", "B2C"),
    ("U7", "2026-01-01 00:00", None, "bronze", None, "B2C"),
]
KPIS = ["customers_start", "new_customers", "customers_lost", "customers_end"]


@pytest.fixture(scope="module")
def ws(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Workspace]:
    path: Path = tmp_path_factory.mktemp("customers") / "c.duckdb"
    workspace = callkpi.open(path)
    workspace.append("contacts", [{"contact_id": c[0], "segment": c[5]} for c in CUSTOMERS])
    workspace.append(
        "customers",
        [
            {"contact_id": c, "since": ts(since), "churned_at": ts(end) if end else None,
             "tier": tier, "previous_tier": previous}
            for c, since, end, tier, previous, _ in CUSTOMERS
        ],
    )  # fmt: skip
    yield workspace
    workspace.close()


def months(ws: Workspace, kpis: list[str], **kwargs: object) -> list[dict[str, object]]:
    return ws.kpis(kpis, grain="month", start="2026-01-01", end="2026-02-28", **kwargs).records()  # type: ignore[arg-type]


def test_counts_at_start_and_end_of_each_month(ws: Workspace) -> None:
    assert months(ws, KPIS) == [
        # start: U1, U2 (U7 arrives at 00:00, U5 is gone); new U3, U4, U7; lost U2
        {"period": "2026-01-01", "customers_start": 2, "new_customers": 3,
         "customers_lost": 1, "customers_end": 4},
        # start: U1, U3, U4, U7; new U6; lost U4 on 02-25
        {"period": "2026-02-01", "customers_start": 4, "new_customers": 1,
         "customers_lost": 1, "customers_end": 4},
    ]  # fmt: skip


def test_churn_and_retention_follow_the_issue_formulas(ws: Workspace) -> None:
    rows = months(ws, ["churn_rate", "retention_rate"])
    assert rows == [
        {
            "period": "2026-01-01",
            "churn_rate": approx(1 / 2),
            "retention_rate": approx((4 - 3) / 2),
        },
        {
            "period": "2026-02-01",
            "churn_rate": approx(1 / 4),
            "retention_rate": approx((4 - 1) / 4),
        },
    ]


def test_a_whole_window_counts_at_its_own_bounds(ws: Workspace) -> None:
    row = ws.kpis([*KPIS, "churn_rate"], start="2026-01-01", end="2026-02-28").records()[0]
    # start U1, U2; new U3, U4, U6, U7; lost U2, U4; end U1, U3, U6, U7
    assert row == {"customers_start": 2, "new_customers": 4, "customers_lost": 2,
                   "customers_end": 4, "churn_rate": approx(2 / 2)}  # fmt: skip


def test_mid_month_bounds_clip_the_period(ws: Workspace) -> None:
    rows = ws.kpis(["customers_start", "customers_end"], grain="month",
                   start="2026-01-16", end="2026-01-31").records()  # fmt: skip
    # at 01-16 00:00: U1, U3, U7 (U2 left on the 15th); at 02-01: U1, U3, U4, U7
    assert rows == [{"period": "2026-01-01", "customers_start": 3, "customers_end": 4}]


def test_without_dates_start_is_before_any_data_and_end_is_now(ws: Workspace) -> None:
    row = ws.kpis(["customers_start", "customers_end", "churn_rate"]).records()[0]
    assert row == {"customers_start": 0, "customers_end": 4, "churn_rate": None}


def test_upsell_rate_is_upsold_customers_at_end(ws: Workspace) -> None:
    rows = months(ws, ["upsell_rate"])
    # end of January: U1 upsold of U1, U3, U4, U7; end of February: U1, U6 of U1, U3, U6, U7
    assert [r["upsell_rate"] for r in rows] == [approx(1 / 4), approx(2 / 4)]


def test_customer_months_are_days_active_in_the_period(ws: Workspace) -> None:
    rows = months(ws, ["customer_months"])
    days_per_month = 365.25 / 12
    # Jan: U1 31, U2 14, U3 27, U4 12, U7 31; Feb: U1 28, U3 28, U4 24, U6 19, U7 28
    assert [r["customer_months"] for r in rows] == [
        approx(115 / days_per_month), approx(127 / days_per_month)
    ]  # fmt: skip


def test_customers_by_segment(ws: Workspace) -> None:
    rows = ws.kpis(KPIS, by=["segment"], start="2026-02-01", end="2026-02-28").records()
    assert rows == [
        {"segment": "B2B", "customers_start": 2, "new_customers": 0, "customers_lost": 0,
         "customers_end": 2},
        {"segment": "B2C", "customers_start": 2, "new_customers": 1, "customers_lost": 1,
         "customers_end": 2},
    ]  # fmt: skip


def test_customers_cannot_be_split_by_campaign(ws: Workspace) -> None:
    with pytest.raises(callkpi.QueryError, match="cannot be split or filtered by 'campaign'"):
        ws.kpis(["churn_rate"], by=["campaign"])
