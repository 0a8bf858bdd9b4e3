"""The CLI contract: `callkpi kpi` output formats, errors and exit codes."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from callkpi.cli.app import app

runner = CliRunner()


def invoke(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_kpi_json_is_one_object_per_group(small_db: str) -> None:
    code, out, _ = invoke(
        "--db", small_db, "kpi", "calls", "contact_rate", "roi",
        "--by", "campaign", "--grain", "month", "--format", "json",
    )  # fmt: skip
    assert code == 0
    rows = json.loads(out)
    assert rows[0] == {
        "campaign": "C1",
        "period": "2026-01-01",
        "calls": 4,
        "contact_rate": 0.5,  # CL01-CL04: sale CL02 and refused CL03
        "roi": pytest.approx((1000 - 5100) / 5100),
    }
    assert [(r["campaign"], r["period"]) for r in rows] == [
        ("C1", "2026-01-01"), ("C2", "2026-01-01"), ("C1", "2026-02-01"), ("C2", "2026-02-01"),
        (None, "2026-03-01"),
    ]  # fmt: skip


def test_kpi_json_gives_null_for_zero_denominators(small_db: str) -> None:
    code, out, _ = invoke("--db", small_db, "kpi", "cpl", "--by", "campaign", "--format", "json")
    assert code == 0
    assert json.loads(out)[-1] == {"campaign": None, "cpl": None}


def test_kpi_csv_is_plain_machine_csv(small_db: str) -> None:
    code, out, _ = invoke(
        "--db", small_db, "kpi", "calls", "hit_rate", "--by", "team", "--format", "csv"
    )
    assert code == 0
    rows = list(csv.DictReader(io.StringIO(out)))
    assert rows == [
        {"team": "T1", "calls": "5", "hit_rate": str(2 / 3)},  # A1: CL02 sale, CL05, CL08
        {"team": "T2", "calls": "5", "hit_rate": str(2 / 3)},  # A2: CL03, CL06, CL10
    ]


def test_kpi_where_and_dates(small_db: str) -> None:
    code, out, _ = invoke(
        "--db", small_db, "kpi", "calls", "--where", "campaign=C1", "--where", "campaign=C2",
        "--where", "team=T2", "--from", "2026-01-01", "--to", "2026-01-31", "--format", "json",
    )  # fmt: skip
    assert code == 0
    assert json.loads(out) == [{"calls": 3}]  # CL03, CL04, CL06


def test_kpi_table_in_french(small_db: str) -> None:
    code, out, _ = invoke(
        "--db", small_db, "kpi", "contact_rate", "cost", "--by", "campaign", "--lang", "fr"
    )
    assert code == 0
    assert "Taux de joignabilité" in out and "Coût total" in out
    plain = out.replace("\u202f", " ").replace("\xa0", " ")
    assert "40,0 %" in plain  # C1: 2 / 5
    assert "5 800,00 €" in plain
    assert "(non attribué)" in out and "n/a" in out  # K5: the unallocated shared cost


def test_kpi_table_in_english(small_db: str) -> None:
    code, out, _ = invoke(
        "--db", small_db, "kpi", "contact_rate", "--by", "campaign", "--lang", "en"
    )
    assert code == 0
    assert "Contact rate" in out and "40.0%" in out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["kpi", "contact_rat"], "unknown KPI 'contact_rat'; did you mean 'contact_rate'"),
        (["kpi", "calls", "--by", "agnt"], "did you mean 'agent'"),
        (["kpi", "calls", "--grain", "mois"], "unknown grain 'mois'"),
        (["kpi", "calls", "--from", "31/01/2026"], "is not a date like 2026-10-31"),
        (["kpi", "cost", "--by", "agent"], "cannot be split or filtered by 'agent'"),
    ],
)
def test_kpi_errors_are_one_line_with_exit_code_1(
    small_db: str, args: list[str], message: str
) -> None:
    code, out, err = invoke("--db", small_db, *args)
    assert code == 1
    assert out == ""
    assert message in err
    assert len(err.strip().splitlines()) == 1
    assert err.startswith("error: ")


def test_kpi_on_a_missing_store_says_so(tmp_path: Path) -> None:
    code, _, err = invoke("--db", str(tmp_path / "nope.duckdb"), "kpi", "calls")
    assert code == 1
    assert "store not found" in err
    assert not (tmp_path / "nope.duckdb").exists()


def test_bad_where_syntax_is_a_usage_error(small_db: str) -> None:
    code, _, err = invoke("--db", small_db, "kpi", "calls", "--where", "campaign")
    assert code == 2
    assert "is not DIM=VALUE" in err


def test_db_defaults_to_the_environment_variable(
    small_db: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CALLKPI_DB", small_db)
    code, out, _ = invoke("kpi", "calls", "--format", "json")
    assert code == 0 and json.loads(out) == [{"calls": 10}]


def test_lang_defaults_from_the_locale(small_db: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CALLKPI_LANG", raising=False)
    monkeypatch.delenv("LC_ALL", raising=False)
    monkeypatch.delenv("LC_MESSAGES", raising=False)
    monkeypatch.setenv("LANG", "fr_FR.UTF-8")
    code, out, _ = invoke("--db", small_db, "kpi", "calls")
    assert code == 0 and "Appels passés" in out


def test_the_installed_command_runs_as_a_process(small_db: str) -> None:
    completed = subprocess.run(
        [sys.executable, "-m", "callkpi", "--db", small_db, "kpi", "calls", "--format", "json"],
        capture_output=True, text=True, check=False, timeout=60,
    )  # fmt: skip
    assert completed.returncode == 0, completed.stderr
    assert json.loads(completed.stdout) == [{"calls": 10}]


def test_kpi_details_adds_the_parts_of_each_rate(small_db: str) -> None:
    code, out, _ = invoke("--db", small_db, "kpi", "contact_rate", "--format", "json", "--details")
    assert code == 0
    [row] = json.loads(out)
    assert row["contact_rate_numerator"] == 6 and row["contact_rate_denominator"] == 10
    assert row["contact_rate_low"] == pytest.approx(0.3127, abs=5e-5)


def test_dimensions_lists_what_by_and_where_accept() -> None:
    code, out, _ = invoke("dimensions", "--format", "json")
    assert code == 0
    ids = {d["id"]: d for d in json.loads(out)}
    assert ids["team"]["lookup"] == {"table": "agents", "key": "agent_id", "column": "team"}
    assert ids["campaign"]["label"] == {"fr": "Campagne", "en": "Campaign"}


def test_init_creates_an_empty_store_that_kpi_can_read(tmp_path: Path) -> None:
    db = str(tmp_path / "new.duckdb")
    code, out, _ = invoke("--db", db, "init")
    assert code == 0 and "ready (schema version" in out
    code, out, _ = invoke("--db", db, "kpi", "calls", "--format", "json")
    assert code == 0 and json.loads(out) == [{"calls": 0}]
