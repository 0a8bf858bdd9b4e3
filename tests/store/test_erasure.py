"""Erasing personal data keeps the KPIs and names nobody."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from typer.testing import CliRunner

import callkpi
from callkpi.cli.app import app


@pytest.fixture(params=["duckdb", "postgres"])
def db(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """The same small store on each backend (a DuckDB file, a PostgreSQL database URL)."""
    if request.param == "postgres":
        path = str(request.getfixturevalue("postgres_url"))
    else:
        path = str(tmp_path / "e.duckdb")
    with callkpi.open(path) as ws:
        ws.append(
            "contacts",
            [
                {"contact_id": "K1", "phone": "+33199001234", "email": "a@example.com",
                 "postal_code": "69001", "segment": "B2B"},
                {"contact_id": "K2", "phone": "+33199005678", "email": "b@example.com"},
            ],
        )  # fmt: skip
        ws.append("agents", [{"agent_id": "A1", "name": "Alice M.", "team": "T1"}])
        ws.append("campaigns", [{"campaign_id": "C"}])
        ws.append(
            "calls",
            [{"call_id": "c1", "campaign_id": "C", "agent_id": "A1", "contact_id": "K1",
              "started_at": dt.datetime(2026, 3, 1, 10), "outcome": "sale"}],
        )  # fmt: skip
    return path


def test_erasing_a_contact_blanks_its_personal_data_only(db: str) -> None:
    with callkpi.open(db) as ws:
        done = ws.erase("contact", ["K1"])
        assert (done.erased, done.missing) == (1, ())
        rows = ws.store.query("SELECT * FROM contacts ORDER BY contact_id").to_pylist()
        assert rows[0]["phone"] is None and rows[0]["email"] is None
        assert rows[0]["postal_code"] is None
        assert rows[0]["segment"] == "B2B"  # not personal: kept for the KPIs
        assert rows[1]["phone"] == "+33199005678"  # someone else: untouched
        assert ws.kpis(["sales"], by=["segment"]).records() == [{"segment": "B2B", "sales": 1}]
        log = ws.store.query("SELECT subject, subject_id FROM erasures").to_pylist()
        assert log == [{"subject": "contact", "subject_id": "K1"}]


def test_erase_from_the_command_line(db: str) -> None:
    runner = CliRunner()
    result = runner.invoke(app, ["--db", db, "erase", "agent", "A1"])
    assert result.exit_code == 0, result.stderr
    with callkpi.open(db, read_only=True) as ws:
        assert ws.store.query("SELECT name, team FROM agents").to_pylist() == [
            {"name": None, "team": "T1"}
        ]
    missing = runner.invoke(app, ["--db", db, "erase", "contact", "K9"])
    assert missing.exit_code == 1 and "not found: K9" in missing.stdout
    wrong = runner.invoke(app, ["--db", db, "erase", "campaign", "C"])
    assert wrong.exit_code == 1 and "can erase a contact or an agent" in wrong.stderr
