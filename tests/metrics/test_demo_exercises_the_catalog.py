"""The demo dataset exercises every KPI of the catalog with plausible figures."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest

import callkpi
from callkpi.demo import DemoSpec, build_tables, load_into_store
from callkpi.metrics.catalog import load_catalog


@pytest.fixture(scope="module")
def demo_ws(tmp_path_factory: pytest.TempPathFactory) -> Iterator[callkpi.Workspace]:
    path: Path = tmp_path_factory.mktemp("demo") / "demo.duckdb"
    ws = callkpi.open(path)
    load_into_store(ws.store, build_tables(DemoSpec(calls=20_000, start=dt.date(2025, 1, 1))))
    yield ws
    ws.close()


def test_every_kpi_has_a_value_on_the_demo(demo_ws: callkpi.Workspace) -> None:
    kpis = list(load_catalog().kpis)
    # the second half of the demo year, so that there are customers at the start
    row = demo_ws.kpis(kpis, start="2025-07-01", end="2025-12-31").records()[0]
    missing = [k for k in kpis if row[k] is None]
    assert not missing, f"no value on the demo for {missing}"


def test_demo_figures_are_plausible(demo_ws: callkpi.Workspace) -> None:
    row = demo_ws.kpis(["contact_rate", "hit_rate", "aht", "roi", "response_rate"]).records()[0]
    assert 0.2 < row["contact_rate"] < 0.5
    assert 0.05 < row["hit_rate"] < 0.4
    assert 60 < row["aht"] < 900  # seconds
    assert row["roi"] > 0


def test_some_campaigns_lose_money_and_others_earn(demo_ws: callkpi.Workspace) -> None:
    rois = [
        r["roi"]
        for r in demo_ws.kpis(["roi"], by=["campaign"]).records()
        if r["campaign"] is not None
    ]
    assert min(rois) < 0 < max(rois)


def test_every_dimension_splits_some_kpi_on_the_demo(demo_ws: callkpi.Workspace) -> None:
    probes = {
        "cost_category": "cost",
        "cost_kind": "cost",
        "source": "leads",
        "tier": "customers_end",
        "stage": "stage_entries",
        "response_delay": "leads",
        "survey_kind": "csat_responses",
    }
    for dimension in load_catalog().dimensions:
        kpi = probes.get(dimension, "calls")
        rows = demo_ws.kpis([kpi], by=[dimension]).records()
        assert len([r for r in rows if r[dimension] is not None]) >= 2, dimension
