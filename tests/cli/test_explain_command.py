"""`callkpi explain`: the plan and the SQL of a `callkpi kpi` query, without running it."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner

from callkpi.cli.app import app
from tests.conftest import SMALL_DATA, make_workspace

runner = CliRunner()


def invoke(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_explain_prints_the_plan_as_comments_then_the_sql(small_db: str) -> None:
    code, out, _ = invoke("--db", small_db, "explain", "calls", "--by", "campaign")
    assert code == 0
    lines = out.splitlines()
    assert lines[0] == "-- calls by started_at: rollup_campaign_calls (calls)"
    assert lines[1] == "SELECT"
    assert 'FROM "rollup_campaign_calls"' in out


def test_explain_shows_placeholders_not_values(small_db: str) -> None:
    code, out, _ = invoke(
        "--db", small_db, "explain", "calls", "--where", "campaign=C1", "--from", "2026-01-01"
    )
    assert code == 0
    assert "$where_0_0" in out and "$period_start" in out
    assert "C1" not in out and "2026-01-01" not in out


@pytest.mark.parametrize(
    "slicing",
    [
        ["--by", "source"],  # a lookup through lead_id, which no rollup keeps
        ["--where", "region=north"],  # a filter through contact_id
        ["--by", "team", "--by", "source", "--grain", "day"],
    ],
)
def test_explain_plan_says_detail_when_no_rollup_answers(small_db: str, slicing: list[str]) -> None:
    code, out, _ = invoke("--db", small_db, "explain", "calls", *slicing, "--plan")
    assert code == 0
    assert out == "calls by started_at: detail (calls)\n"


def test_explain_plan_prints_no_sql(small_db: str) -> None:
    code, out, _ = invoke(
        "--db", small_db, "explain", "calls", "contact_rate", "cost", "--by", "campaign", "--plan"
    )
    assert code == 0
    assert "SELECT" not in out and "--" not in out
    assert out.splitlines() == [
        "calls by started_at: rollup_campaign_calls (calls, contacts)",
        "costs by day: detail (cost)",
    ]


def test_explain_says_when_rollups_are_stale(tmp_path: Path) -> None:
    db = tmp_path / "stale.duckdb"
    with make_workspace(db, {"calls": SMALL_DATA["calls"]}) as ws:
        ws.store.execute("UPDATE rollup_state SET definition = 'older'")
    code, out, _ = invoke("--db", str(db), "explain", "calls", "--by", "campaign", "--plan")
    assert code == 0
    assert out == (
        "calls by started_at: detail (calls) (rollups stale: run `callkpi rollup rebuild`)\n"
    )


def test_explain_json_gives_the_sql_and_its_bound_values(small_db: str) -> None:
    code, out, _ = invoke(
        "--db", small_db, "explain", "calls", "--where", "campaign=C1", "--where", "campaign=C2",
        "--where", "team=T2", "--from", "2026-01-01", "--to", "2026-01-31", "--format", "json",
    )  # fmt: skip
    assert code == 0
    explained = json.loads(out)
    # January whole: the monthly mirror of the agent rollup (team is reached through agent)
    assert explained["plan"] == ["calls by started_at: rollup_calls_monthly (calls)"]
    assert explained["models"] == []
    assert explained["parameters"] == {
        "where_0_0": "C1",
        "where_0_1": "C2",
        "where_1_0": "T2",
        "period_start": "2026-01-01",
        "period_end_exclusive": "2026-02-01",  # the day after --to
    }
    # the SQL and its parameters reproduce `callkpi kpi` (test_kpi_where_and_dates: 3 calls)
    with duckdb.connect(small_db, read_only=True) as con:
        rows = con.execute(explained["sql"], explained["parameters"]).fetchall()
    assert rows == [(3,)]


def test_explain_json_plan_only(small_db: str) -> None:
    code, out, _ = invoke("--db", small_db, "explain", "calls", "--plan", "--format", "json")
    assert code == 0
    assert json.loads(out) == {"plan": ["calls by started_at: rollup_campaign_calls (calls)"]}


def test_explain_shows_the_statement_of_a_model_kpi(small_db: str) -> None:
    code, out, _ = invoke("--db", small_db, "explain", "sales_cycle_km_median", "--format", "json")
    assert code == 0
    [model] = json.loads(out)["models"]
    assert model["kpi"] == "sales_cycle_km_median" and model["function"] == "km_median"
    code, out, _ = invoke("--db", small_db, "explain", "sales_cycle_km_median")
    assert code == 0
    assert out.count("SELECT\n") >= 2
    assert ";\n\n-- sales_cycle_km_median: the rows that km_median reduces per group\n" in out


@pytest.mark.parametrize(
    "args",
    [
        ["contact_rat"],
        ["calls", "--by", "agnt"],
        ["calls", "--grain", "mois"],
        ["calls", "--from", "31/01/2026"],
        ["calls", "--from", "2026-02-01", "--to", "2026-01-01"],
        ["cost", "--by", "agent"],
        ["calls", "--where", "campaign"],
    ],
)
def test_explain_rejects_what_kpi_rejects_the_same_way(small_db: str, args: list[str]) -> None:
    kpi = invoke("--db", small_db, "kpi", *args)
    code, out, err = invoke("--db", small_db, "explain", *args)
    assert code != 0 and out == ""
    assert (code, err.replace("explain", "kpi")) == (kpi[0], kpi[2])


def test_explain_of_an_unknown_kpi_names_it(small_db: str) -> None:
    code, out, err = invoke("--db", small_db, "explain", "calls", "contact_rat")
    assert code == 1 and out == ""
    assert err.startswith("error: unknown KPI 'contact_rat'; did you mean 'contact_rate'")
    assert len(err.splitlines()) == 1


def test_explain_opens_the_store_read_only(tmp_path: Path) -> None:
    missing = tmp_path / "nope.duckdb"
    code, _, err = invoke("--db", str(missing), "explain", "calls")
    assert code == 1 and "store not found" in err
    assert not missing.exists()


def test_explain_speaks_the_dialect_of_the_store(postgres_url: str) -> None:
    code, out, _ = invoke("--db", postgres_url, "explain", "calls", "--from", "2026-01-01")
    assert code == 0
    assert out.startswith("-- calls by started_at: rollup_campaign_calls (calls)\n")
    assert "%(period_start)s" in out and "$period_start" not in out
