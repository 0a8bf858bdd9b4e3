"""The SQL of representative queries, per dialect, compiled from unbound tables (no server).

A change to the compiler, the sources or the catalog that changes the SQL shows up here as a
diff to review. Refresh the stored SQL after an intended change with
`CALLKPI_UPDATE_SNAPSHOTS=1 .venv/bin/python -m pytest tests/conformance/test_sql_snapshots.py`.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from callkpi.metrics.catalog import load_catalog
from callkpi.metrics.compiler import KpiCompiler
from callkpi.metrics.query import KpiQuery

SNAPSHOTS = Path(__file__).parent / "snapshots"
DIALECTS = ("duckdb", "postgres", "pyspark")
QUERIES: dict[str, dict[str, Any]] = {
    "call_rates_by_campaign_month": {
        "kpis": ["calls", "contact_rate", "hit_rate", "aht"], "by": ["campaign"],
        "grain": "month", "start": "2026-01-01", "end": "2026-06-30",
    },
    "roi_and_costs_by_campaign": {"kpis": ["roi", "cpl", "cac", "cost", "revenue"], "by": ["campaign"]},
    "sales_per_hour_by_agent_for_a_team": {
        "kpis": ["sales_per_hour", "agent_hours"], "by": ["agent"], "where": {"team": ["T1", "T2"]},
    },
    "customers_churn_by_segment_quarter": {
        "kpis": ["customers_start", "customers_end", "churn_rate", "upsell_rate"],
        "by": ["segment"], "grain": "quarter",
    },
    "pipeline_with_a_model_kpi_by_week": {
        "kpis": ["close_rate", "sales_cycle_median", "sales_cycle_km_median"], "grain": "week",
    },
    "service_and_email_by_day": {"kpis": ["nps", "fcr", "open_rate", "speed_to_lead"], "grain": "day"},
}  # fmt: skip


def compiled_sql(name: str, dialect: str) -> str:
    """The main statement, then each model KPI's rows statement, as stored in a snapshot."""
    compiled = KpiCompiler(load_catalog(), dialect).compile(
        KpiQuery.build(**QUERIES[name]), pretty=True
    )
    parts = [f"-- {name} ({dialect})\n{compiled.sql}"]
    parts += [f"-- model KPI {part.kpi}\n{part.sql}" for part in compiled.models]
    return ";\n\n".join(parts) + ";\n"


@pytest.mark.parametrize("dialect", DIALECTS)
@pytest.mark.parametrize("name", list(QUERIES))
def test_sql_matches_its_snapshot(name: str, dialect: str) -> None:
    path = SNAPSHOTS / f"{name}.{dialect}.sql"
    sql = compiled_sql(name, dialect)
    if os.environ.get("CALLKPI_UPDATE_SNAPSHOTS") == "1":
        path.write_text(sql, encoding="utf-8")
    assert path.exists(), f"no snapshot {path.name}: run with CALLKPI_UPDATE_SNAPSHOTS=1"
    assert sql == path.read_text(encoding="utf-8"), (
        f"the SQL of {name} for {dialect} changed; if intended, refresh the snapshots "
        "(CALLKPI_UPDATE_SNAPSHOTS=1) and review the diff"
    )


def test_no_stale_snapshot_files() -> None:
    expected = {f"{name}.{dialect}.sql" for name in QUERIES for dialect in DIALECTS}
    assert {p.name for p in SNAPSHOTS.glob("*.sql")} == expected


def test_postgres_sql_binds_values_as_pyformat_placeholders() -> None:
    sql = compiled_sql("sales_per_hour_by_agent_for_a_team", "postgres")
    assert "%(where_0_0)s" in sql and "%(where_0_1)s" in sql and "$where" not in sql
    assert "'T1'" not in sql


def test_spark_sql_binds_values_as_named_parameters() -> None:
    sql = compiled_sql("sales_per_hour_by_agent_for_a_team", "pyspark")
    assert ":where_0_0" in sql and ":where_0_1" in sql and "$where" not in sql
    assert "'T1'" not in sql
