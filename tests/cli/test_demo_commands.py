"""`callkpi demo` and `callkpi generate` from the command line."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from typer.testing import CliRunner

import callkpi
from callkpi.cli.app import app

runner = CliRunner()


def test_demo_builds_the_store_and_prints_last_month_by_campaign(tmp_path: Path) -> None:
    db = tmp_path / "callkpi-demo.duckdb"
    result = runner.invoke(app, ["--db", str(db), "demo", "--calls", "5000", "--lang", "en"])
    assert result.exit_code == 0, result.stderr
    assert "Headline KPIs by campaign" in result.stdout
    for label in ("Calls made", "Contact rate", "Conversion rate", "Cost per lead", "Revenue"):
        assert label in result.stdout
    with callkpi.open(db, read_only=True) as ws:
        assert ws.count("calls") == 5000


def test_demo_replaces_its_own_store_but_never_a_real_one(tmp_path: Path) -> None:
    db = tmp_path / "demo.duckdb"
    args = ["--db", str(db), "demo", "--calls", "2000"]
    assert runner.invoke(app, args).exit_code == 0
    assert runner.invoke(app, args).exit_code == 0  # again: replaced, not doubled
    with callkpi.open(db, read_only=True) as ws:
        assert ws.count("calls") == 2000

    real = tmp_path / "real.duckdb"
    with callkpi.open(real) as ws:
        ws.append("campaigns", [{"campaign_id": "X"}])
    result = runner.invoke(app, ["--db", str(real), "demo", "--calls", "2000"])
    assert result.exit_code == 1
    assert "is not a demo store" in result.stderr


def test_generate_csv_is_byte_identical_for_the_same_seed(tmp_path: Path) -> None:
    def digest(folder: Path) -> str:
        sha = hashlib.sha256()
        for path in sorted(folder.glob("*.csv")):
            sha.update(path.name.encode() + path.read_bytes())
        return sha.hexdigest()

    base = ["generate", "--calls", "3000", "--seed", "7", "--start", "2026-01-01", "--months", "2"]
    for name in ("a", "b"):
        result = runner.invoke(app, [*base, "--out", str(tmp_path / name)])
        assert result.exit_code == 0, result.stderr
    assert digest(tmp_path / "a") == digest(tmp_path / "b")
    assert (tmp_path / "a" / "calls.csv").read_text().startswith("call_id,campaign_id,agent_id")


def test_generated_csv_imports_back_with_the_import_command(tmp_path: Path) -> None:
    out = tmp_path / "csv"
    args = ["generate", "--calls", "2000", "--start", "2026-01-01", "--months", "1"]
    assert runner.invoke(app, [*args, "--out", str(out)]).exit_code == 0
    db = str(tmp_path / "store.duckdb")
    for table in ("campaigns", "agents", "calls"):
        result = runner.invoke(app, ["--db", db, "import", table, str(out / f"{table}.csv")])
        assert result.exit_code == 0, result.stdout + result.stderr
        assert "rejected 0" in result.stdout
    with callkpi.open(db, read_only=True) as ws:
        assert ws.count("calls") == 2000


def test_generate_above_the_shard_size_writes_shard_by_shard(tmp_path: Path) -> None:
    base = ["generate", "--calls", "5000", "--shard-calls", "2000", "--start", "2026-01-01"]
    db = tmp_path / "sharded.duckdb"
    result = runner.invoke(app, [*base, "--out", str(db)])
    assert result.exit_code == 0, result.stderr
    assert "shard 3/3 written" in result.stdout
    assert "calls 5,000," in result.stdout and "agents 120," in result.stdout
    with callkpi.open(db, read_only=True) as ws:
        assert ws.count("calls") == 5000 and ws.count("agents") == 120
        assert ws.rollups_fresh()
        by_campaign = ws.kpis(["calls", "contact_rate", "conversion_rate"], by="campaign")
        assert sum(r["calls"] for r in by_campaign.records()) == 5000
    folders = [tmp_path / "csv-a", tmp_path / "csv-b"]
    for folder in folders:
        assert runner.invoke(app, [*base, "--out", str(folder)]).exit_code == 0
    first, second = ({p.name: p.read_bytes() for p in f.iterdir()} for f in folders)
    assert first == second
    assert first["calls.csv"].count(b"\n") == 5001


def test_generate_refuses_to_overwrite_without_force(tmp_path: Path) -> None:
    target = tmp_path / "g.duckdb"
    args = ["generate", "--calls", "1000", "--out", str(target)]
    assert runner.invoke(app, args).exit_code == 0
    again = runner.invoke(app, args)
    assert again.exit_code == 1 and "--force" in again.stderr
    assert runner.invoke(app, [*args, "--force"]).exit_code == 0


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["generate", "--calls", "10", "--out", "x"], "1000"),
        (["generate", "--out", "x", "--start", "2026-01-15"], "first day of a month"),
        (["generate", "--out", "x", "--start", "janvier"], "is not a date"),
        (["generate", "--out", "x", "--shard-calls", "1000"], "2000"),
    ],
)
def test_generate_bad_arguments_are_usage_errors(args: list[str], message: str) -> None:
    result = runner.invoke(app, args)
    assert result.exit_code == 2
    assert message in result.stderr


def test_import_with_a_bad_row_writes_nothing_and_names_the_line(tmp_path: Path) -> None:
    csv_file = tmp_path / "calls.csv"
    csv_file.write_text(
        "call_id,campaign_id,started_at,outcome\n"
        "c1,C1,2026-01-05 10:00,sale\n"
        "c2,C1,2026-01-05 11:00,vendu\n",
        encoding="utf-8",
    )
    db = str(tmp_path / "s.duckdb")
    result = runner.invoke(app, ["--db", db, "import", "calls", str(csv_file)])
    assert result.exit_code == 1
    assert "calls.csv:3: column outcome: bad_value: vendu" in result.stderr
    with callkpi.open(db, read_only=True) as ws:
        assert ws.count("calls") == 0
    result = runner.invoke(
        app, ["--db", db, "import", "calls", str(csv_file), "--mode", "skip-invalid"]
    )
    assert result.exit_code == 1  # rows were rejected: a script must notice
    assert "read 2 = inserted 1 + updated 0 + rejected 1 + duplicates 0" in result.stdout
