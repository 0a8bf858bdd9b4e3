"""`callkpi analyze`: same numbers as the library, three formats, the same filters as `kpi`."""

from __future__ import annotations

import csv
import io
import json

from typer.testing import CliRunner

from callkpi.cli.app import app
from tests.conftest import make_workspace

runner = CliRunner()


def test_funnel_json_matches_the_hand_counts(small_db: str) -> None:
    result = runner.invoke(
        app,
        ["--db", small_db, "analyze", "funnel", "calls", "--where", "team=T2", "--format", "json"],
    )
    assert result.exit_code == 0, result.stderr
    # T2 = agent A2: CL03 refused, CL04 busy, CL06 promise, CL07 voicemail, CL10 sale
    assert [(r["step"], r["count"]) for r in json.loads(result.stdout)] == [
        ("dialled", 5), ("contact", 3), ("success", 2),
    ]  # fmt: skip


def test_funnel_csv_and_french_table(small_db: str) -> None:
    result = runner.invoke(app, ["--db", small_db, "analyze", "funnel", "calls", "--format", "csv"])
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert rows[1] == {"step": "contact", "count": "6", "of_previous": "0.6", "of_first": "0.6"}
    table = runner.invoke(app, ["--db", small_db, "analyze", "funnel", "calls", "--lang", "fr"])
    assert "% de l'étape précédente" in table.stdout and "60,0" in table.stdout


def test_unknown_funnel_says_did_you_mean(small_db: str) -> None:
    result = runner.invoke(app, ["--db", small_db, "analyze", "funnel", "cals"])
    assert result.exit_code == 1
    assert "unknown funnel 'cals'; did you mean 'calls'" in result.stderr


def test_cohorts_and_stages_run_on_an_empty_store(tmp_path) -> None:
    db = tmp_path / "empty.duckdb"
    make_workspace(db, {}).close()
    for command in (["cohorts"], ["stages"], ["funnel", "pipeline"]):
        result = runner.invoke(app, ["--db", str(db), "analyze", *command, "--format", "json"])
        assert result.exit_code == 0, result.stderr
    result = runner.invoke(app, ["--db", str(db), "analyze", "cohorts"])
    assert "No data" in result.stdout


def test_cohorts_reject_a_bad_kind(small_db: str) -> None:
    result = runner.invoke(app, ["--db", small_db, "analyze", "cohorts", "--cohort", "week"])
    assert result.exit_code == 1
    assert "unknown cohort kind 'week'" in result.stderr
