"""`callkpi import` and `callkpi profile`, mounted as app.py mounts them (cli/imports.py)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import pytest
import typer
from typer.testing import CliRunner

from callkpi.cli.common import state
from callkpi.cli.imports import import_command, profile_app
from callkpi.store import open_store
from tests.ingest.helpers import write_text

app = typer.Typer(rich_markup_mode=None, pretty_exceptions_enable=False, add_completion=False)


@app.callback()
def _options(db: Annotated[str | None, typer.Option("--db")] = None) -> None:
    state.db = db


app.command("import")(import_command)
app.add_typer(profile_app, name="profile")

CALLS = "call_id,campaign_id,started_at,outcome\nc1,K1,2024-01-05 10:00,sale\n"
FRENCH = "Id appel;Date d'appel;Statut;Campagne\nX1;05/01/2024 10:00;Vente;K1\nX2;05/01/2024 11:00;Bof;K1\n"


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def test_canonical_import_works_as_before(runner: CliRunner, tmp_path: Path) -> None:
    db = str(tmp_path / "s.duckdb")
    result = runner.invoke(
        app, ["--db", db, "import", "calls", str(write_text(tmp_path, "c.csv", CALLS))]
    )
    assert result.exit_code == 0, result.output
    assert "read 1 = inserted 1 + updated 0 + rejected 0 + duplicates 0" in result.stdout
    assert "times read as UTC" in result.stdout


def test_profile_implies_the_table_and_rejects_exit_1(runner: CliRunner, tmp_path: Path) -> None:
    db = str(tmp_path / "s.duckdb")
    path = str(write_text(tmp_path, "appels.csv", FRENCH))
    args = ["--db", db, "import", "calls", path, "--profile", "generic", "--mode", "skip-invalid"]
    result = runner.invoke(app, [*args, "--format", "json", "--create-missing"])
    assert result.exit_code == 1
    report = json.loads(result.stdout)
    assert (report["inserted"], report["rejected"], report["created"]) == (1, 1, {"campaigns": 1})
    assert report["rejects"][0]["line"] == 3 and report["source_timezone"] == "Europe/Paris"
    quiet = runner.invoke(app, [*args, "--quiet", "--timezone", "UTC", "--dry-run"])
    assert (quiet.exit_code, quiet.stdout) == (1, "")


def test_usage_and_data_errors(runner: CliRunner, tmp_path: Path) -> None:
    path = str(write_text(tmp_path, "c.csv", CALLS))
    db = str(tmp_path / "s.duckdb")
    usage = runner.invoke(app, ["--db", db, "import", path])
    assert usage.exit_code == 2 and "give the table" in usage.output
    mismatch = runner.invoke(
        app, ["--db", db, "import", "deals", path, "--profile", "asterisk_cdr"]
    )
    assert mismatch.exit_code == 1 and "loads table calls, not deals" in mismatch.stderr
    missing = runner.invoke(app, ["--db", db, "import", "calls", str(tmp_path / "nope.csv")])
    assert (
        missing.exit_code == 1
        and missing.stderr.startswith("error: ")
        and "file not found" in missing.stderr
    )
    zone = runner.invoke(app, ["--db", db, "import", "calls", path, "--timezone", "Nowhere"])
    assert zone.exit_code == 1 and "unknown time zone" in zone.stderr


def test_pseudonym_key_from_a_file(runner: CliRunner, tmp_path: Path) -> None:
    key = write_text(tmp_path, "key", "secret\n")
    contacts = write_text(tmp_path, "c.csv", "contact_id,phone\nP1,06 12 34 56 78\n")
    db = str(tmp_path / "s.duckdb")
    args = ["--db", db, "import", "contacts", str(contacts), "--pseudonym-key-file", str(key)]
    assert runner.invoke(app, args).exit_code == 0
    store = open_store(db)
    try:
        from callkpi.ingest.phones import pseudonym

        assert store.scalar("SELECT phone FROM contacts") == pseudonym(b"secret", "+33612345678")
    finally:
        store.close()


def test_profile_commands(runner: CliRunner, tmp_path: Path) -> None:
    listed = runner.invoke(app, ["profile", "list", "--format", "json"])
    names = {p["name"]: p["table"] for p in json.loads(listed.stdout)}
    assert names["asterisk_cdr"] == "calls" and names["hubspot_deals"] == "deals"
    shown = runner.invoke(app, ["profile", "show", "asterisk_cdr"])
    assert shown.exit_code == 0 and "ANSWERED: callback" in shown.stdout
    generic = runner.invoke(app, ["profile", "show", "generic", "--table", "calls"])
    assert "date d'appel" in generic.stdout.lower()
    suggested = runner.invoke(
        app, ["profile", "suggest", str(write_text(tmp_path, "a.csv", FRENCH))]
    )
    assert suggested.exit_code == 0 and "table: calls" in suggested.stdout
    assert "values not mapped" in suggested.stdout and "Bof" in suggested.stdout
    unknown = runner.invoke(app, ["profile", "show", "asterix"])
    assert unknown.exit_code == 1 and "did you mean 'asterisk_cdr'" in unknown.stderr
