"""Shared fixtures: a small hand-checkable workspace (the working is in tests/metrics)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest

import callkpi
from callkpi.workspace import Workspace

# A throwaway PostgreSQL cluster and one SparkSession for the tests that need them
# (tests/conformance, store).
pytest_plugins = ["tests.postgres_server", "tests.spark_session"]


def ts(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text)


def d(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


def _call(call_id, campaign, agent, contact, lead, at, outcome, talk=0, hold=0, wrap=0):
    return {
        "call_id": call_id,
        "campaign_id": campaign,
        "agent_id": agent,
        "contact_id": contact,
        "lead_id": lead,
        "direction": "outbound",
        "started_at": ts(at),
        "ring_s": 20.0,
        "talk_s": float(talk),
        "hold_s": float(hold),
        "wrap_s": float(wrap),
        "outcome": outcome,
        "attempt_no": 1,
    }


SMALL_DATA: dict[str, list[dict]] = {
    "campaigns": [
        {
            "campaign_id": "C1",
            "name": "Prospection PME",
            "channel": "phone_outbound",
            "objective": "acquisition",
            "tracking_code": "TRK1",
        },
        {
            "campaign_id": "C2",
            "name": "Relance clients",
            "channel": "phone_outbound",
            "objective": "retention",
            "tracking_code": "TRK2",
        },
    ],
    "agents": [
        {"agent_id": "A1", "name": "Alice M.", "team": "T1", "site": "Lyon", "hourly_cost": 20.0},
        {"agent_id": "A2", "name": "Bruno K.", "team": "T2", "site": "Lille", "hourly_cost": 18.0},
    ],
    "contacts": [
        {"contact_id": "K1", "segment": "B2B", "sector": "banque", "region": "Île-de-France"},
        {"contact_id": "K2", "segment": "B2C", "sector": "retail", "region": "Occitanie"},
        {"contact_id": "K3", "segment": "B2B", "sector": "banque", "region": "Occitanie"},
        {"contact_id": "K4", "segment": "B2C", "sector": "retail", "region": "Île-de-France"},
    ],
    "leads": [
        {
            "lead_id": "L1",
            "contact_id": "K1",
            "campaign_id": "C1",
            "source": "web_form",
            "created_at": ts("2026-01-05 09:00"),
            "status": "converted",
            "converted_at": ts("2026-01-10 12:00"),
        },
        {
            "lead_id": "L2",
            "contact_id": "K2",
            "campaign_id": "C1",
            "source": "purchased_list",
            "created_at": ts("2026-01-06 09:00"),
            "status": "lost",
        },
        {
            "lead_id": "L3",
            "contact_id": "K3",
            "campaign_id": "C2",
            "source": "referral",
            "created_at": ts("2026-01-07 09:00"),
            "status": "converted",
            "converted_at": ts("2026-02-03 12:00"),
        },
        {
            "lead_id": "L4",
            "contact_id": "K4",
            "campaign_id": "C2",
            "source": "web_form",
            "created_at": ts("2026-02-01 09:00"),
            "status": "new",
        },
    ],
    "calls": [
        _call("CL01", "C1", "A1", "K1", "L1", "2026-01-05 10:00", "no_answer"),
        _call("CL02", "C1", "A1", "K1", "L1", "2026-01-06 10:00", "sale", 300, 30, 60),
        _call("CL03", "C1", "A2", "K2", "L2", "2026-01-06 11:00", "refused", 60, 0, 30),
        _call("CL04", "C1", "A2", "K2", "L2", "2026-01-07 11:00", "busy"),
        _call("CL05", "C2", "A1", "K3", "L3", "2026-01-08 14:00", "appointment", 240, 0, 60),
        _call("CL06", "C2", "A2", "K3", "L3", "2026-01-20 15:00", "promise", 180, 20, 40),
        _call("CL07", "C2", "A2", "K4", None, "2026-02-02 09:00", "voicemail"),
        _call("CL08", "C2", "A1", "K4", None, "2026-02-03 09:30", "callback", 90, 0, 30),
        _call("CL09", "C1", "A1", "K2", "L2", "2026-02-03 10:00", "wrong_party", 15),
        _call("CL10", "C2", "A2", "K3", "L3", "2026-02-05 16:00", "sale", 200, 0, 50),
    ],
    "agent_sessions": [
        {"agent_id": "A1", "login_at": ts("2026-01-06 08:00"), "logout_at": ts("2026-01-06 12:00")},
        {"agent_id": "A2", "login_at": ts("2026-01-06 09:00"), "logout_at": ts("2026-01-06 17:00")},
        {"agent_id": "A2", "login_at": ts("2026-01-07 10:00"), "logout_at": ts("2026-01-07 12:00")},
        {"agent_id": "A1", "login_at": ts("2026-02-03 09:00"), "logout_at": ts("2026-02-03 12:00")},
    ],
    "costs": [
        {
            "cost_id": "K1",
            "campaign_id": "C1",
            "period_start": d("2026-01-01"),
            "period_end": d("2026-01-31"),
            "category": "salaries",
            "kind": "direct",
            "amount": 3100.0,
        },
        {
            "cost_id": "K2",
            "campaign_id": "C2",
            "period_start": d("2026-01-16"),
            "period_end": d("2026-02-14"),
            "category": "telecom",
            "kind": "direct",
            "amount": 3000.0,
        },
        {
            "cost_id": "K3",
            "campaign_id": None,
            "period_start": d("2026-01-01"),
            "period_end": d("2026-01-31"),
            "category": "software",
            "kind": "indirect",
            "amount": 3000.0,
            "allocation": "by_calls",
        },
        {
            "cost_id": "K4",
            "campaign_id": None,
            "period_start": d("2026-02-01"),
            "period_end": d("2026-02-28"),
            "category": "infrastructure",
            "kind": "indirect",
            "amount": 2800.0,
            "allocation": None,
        },
        {
            "cost_id": "K5",
            "campaign_id": None,
            "period_start": d("2026-03-01"),
            "period_end": d("2026-03-31"),
            "category": "training",
            "kind": "indirect",
            "amount": 620.0,
            "allocation": "by_leads",
        },
    ],
    "orders": [
        {
            "order_id": "O1",
            "contact_id": "K1",
            "ordered_at": ts("2026-01-10 12:00"),
            "amount": 1000.0,
            "campaign_id": "C1",
        },
        {
            "order_id": "O2",
            "contact_id": "K3",
            "ordered_at": ts("2026-02-03 12:00"),
            "amount": 2500.0,
            "tracking_code": "TRK2",
        },
        {
            "order_id": "O3",
            "contact_id": "K1",
            "ordered_at": ts("2026-02-01 12:00"),
            "amount": 500.0,
        },
        {
            "order_id": "O4",
            "contact_id": "K2",
            "ordered_at": ts("2026-03-20 12:00"),
            "amount": 300.0,
        },
    ],
    "touches": [
        {
            "touch_id": "T1",
            "contact_id": "K1",
            "at": ts("2026-01-09 10:00"),
            "channel": "email",
            "responded": True,
        },
        {
            "touch_id": "T2",
            "contact_id": "K2",
            "at": ts("2026-01-09 10:00"),
            "channel": "email",
            "responded": False,
        },
        {
            "touch_id": "T3",
            "contact_id": "K3",
            "at": ts("2026-01-12 10:00"),
            "channel": "sms",
            "responded": True,
        },
        {
            "touch_id": "T4",
            "contact_id": "K4",
            "at": ts("2026-02-10 10:00"),
            "channel": "linkedin",
            "responded": False,
        },
        {
            "touch_id": "T5",
            "contact_id": "K1",
            "at": ts("2026-02-11 10:00"),
            "channel": "email",
            "responded": None,
        },
    ],
}


@pytest.fixture(autouse=True, scope="session")
def _private_sql_cache(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Tests never write to the user's ~/.cache; subprocesses inherit the variable."""
    patch = pytest.MonkeyPatch()
    patch.setenv("CALLKPI_CACHE_DIR", str(tmp_path_factory.mktemp("sql-cache")))
    yield
    patch.undo()


def make_workspace(path: Path, data: dict[str, list[dict]]) -> Workspace:
    ws = callkpi.open(path)
    for table, rows in data.items():
        ws.append(table, rows)
    return ws


@pytest.fixture(scope="session")
def small_ws(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Workspace]:
    """The small fixture, read-only by convention: tests must not write to it."""
    ws = make_workspace(tmp_path_factory.mktemp("small") / "small.duckdb", SMALL_DATA)
    yield ws
    ws.close()


@pytest.fixture
def empty_ws(tmp_path: Path) -> Iterator[Workspace]:
    ws = callkpi.open(tmp_path / "empty.duckdb")
    yield ws
    ws.close()


_skipped: list[str] = []


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    # An expected failure (a declared backend gap) is reported as skipped with `wasxfail`;
    # it ran and failed as declared, so it is not a skip.
    if report.skipped and not hasattr(report, "wasxfail"):
        _skipped.append(report.nodeid)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """In CI nothing may skip: a skip there hides a missing server or package."""
    import os

    if os.environ.get("CI") == "true" and _skipped:
        print(f"\nCI=true forbids skips; skipped: {', '.join(_skipped)}")
        session.exitstatus = 1
