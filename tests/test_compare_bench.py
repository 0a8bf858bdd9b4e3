"""The comparison benchmark's hand-written versions (SQL, pandas, Polars) must keep giving
callkpi's numbers as the catalog evolves: otherwise bench/compare_bench.py times the wrong work
(and refuses to print timings). Checked here on a small generated store."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
from pathlib import Path

import pyarrow as pa
import pytest
from bench.compare_bench import AGENT_KPIS, CAMPAIGN_KPIS, WAYS, answer, check, differences
from bench.handwritten import ATTRIBUTION_WINDOW_DAYS

import callkpi
from callkpi.errors import UnsplittableError
from callkpi.metrics.catalog import load_catalog


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("compare") / "demo.duckdb"
    command = [sys.executable, "-m", "callkpi", "generate", "--calls", "5000"]
    subprocess.run(
        [*command, "--start", "2025-11-01", "--out", str(path)],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    return path


def test_sql_pandas_and_polars_give_callkpis_numbers(store: Path) -> None:
    results = {way: answer(way, store) for way in WAYS}
    assert check(results) == []
    # not vacuous: both queries have a group with no campaign (or agent) and null ratios
    for dim, table in results["callkpi"].items():
        assert table.num_rows > 0 and table[dim].null_count > 0
        assert table["contact_rate"].null_count > 0


def test_the_agent_query_has_every_campaign_kpi_that_splits_by_agent(store: Path) -> None:
    splittable = []
    with callkpi.open(store, read_only=True) as ws:
        for kpi in CAMPAIGN_KPIS:
            try:
                ws.kpis([kpi], by=["agent"], grain="month", end="2025-11-02")
            except UnsplittableError:
                continue
            splittable.append(kpi)
    assert splittable == AGENT_KPIS


def test_the_typed_in_attribution_window_is_the_catalogs() -> None:
    assert load_catalog().settings.attribution_window_days == ATTRIBUTION_WINDOW_DAYS


def test_differences_sees_a_changed_cell_a_null_and_a_missing_row() -> None:
    period = dt.date(2025, 11, 1)
    expected = pa.table(
        {"campaign": ["C1", None], "period": [period, period], "cost": [100.0, None]}
    )
    assert differences(expected, expected, "campaign") == []
    near = pa.table(
        {"campaign": ["C1", None], "period": [period, period], "cost": [100.0 + 1e-8, None]}
    )
    assert differences(expected, near, "campaign") == []
    for changed in ([100.001, None], [100.0, 0.0]):
        actual = pa.table({"campaign": ["C1", None], "period": [period, period], "cost": changed})
        assert len(differences(expected, actual, "campaign")) == 1
    assert differences(expected, expected.slice(0, 1), "campaign") == [
        f"row {(None, period)} missing"
    ]
