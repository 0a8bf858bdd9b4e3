"""The compiled-SQL disk cache: same answers, no Ibis on a hit, never stale."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

import callkpi
from callkpi.metrics.cache import SqlCache
from callkpi.workspace import Workspace
from tests.conftest import SMALL_DATA, make_workspace


@pytest.fixture
def db(tmp_path: Path) -> str:
    path = tmp_path / "small.duckdb"
    make_workspace(path, SMALL_DATA).close()
    return str(path)


def test_a_cache_hit_gives_the_same_result_as_a_compile(db: str, tmp_path: Path) -> None:
    cache = SqlCache(tmp_path / "cache")
    store = callkpi.open(db, read_only=True).store
    first = Workspace(store, cache=cache).kpis(["roi", "contact_rate"], by=["campaign"])
    assert len(list((tmp_path / "cache").glob("*.json"))) >= 1
    second_ws = Workspace(store, cache=cache)
    second = second_ws.kpis(["roi", "contact_rate"], by=["campaign"])
    assert second_ws._compiler is None  # answered from the cache
    # same SQL; DuckDB's parallel sums may differ in the last bit between runs
    assert second.sql == first.sql
    for got, want in zip(second.records(details=True), first.records(details=True), strict=True):
        assert got.keys() == want.keys()
        for key, value in want.items():
            assert got[key] == (pytest.approx(value) if isinstance(value, float) else value)


def test_other_filter_values_and_dates_reuse_the_cached_sql(db: str, tmp_path: Path) -> None:
    cache = SqlCache(tmp_path / "cache")
    store = callkpi.open(db, read_only=True).store
    Workspace(store, cache=cache).kpis(["calls"], where={"campaign": "C1"}, start="2026-01-01")
    ws = Workspace(store, cache=cache)
    result = ws.kpis(["calls"], where={"campaign": "C2"}, start="2026-02-01")
    assert ws._compiler is None
    assert result.records() == [{"calls": 3}]  # CL07, CL08, CL10


def test_a_different_catalog_never_gets_another_catalogs_sql(db: str, tmp_path: Path) -> None:
    cache = SqlCache(tmp_path / "cache")
    store = callkpi.open(db, read_only=True).store
    Workspace(store, cache=cache).kpis(["calls"])
    from callkpi.metrics.catalog import default_catalog_text, parse_catalog

    text = default_catalog_text().replace(
        '    agg: count\n    seeds: ["000"]',
        "    agg: count\n    where: outcome == 'sale'\n    seeds: [\"000\"]",
        1,
    )
    assert text != default_catalog_text()
    changed = parse_catalog(text, "changed.yaml")
    assert Workspace(store, catalog=changed, cache=cache).kpis(["calls"]).records() == [
        {"calls": 2}
    ]


def test_an_unwritable_cache_is_silently_off(db: str, tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    ws = Workspace(callkpi.open(db, read_only=True).store, cache=SqlCache(blocker / "cache"))
    assert ws.kpis(["calls"]).records() == [{"calls": 10}]


def test_a_corrupt_cache_entry_is_ignored(db: str, tmp_path: Path) -> None:
    cache = SqlCache(tmp_path / "cache")
    store = callkpi.open(db, read_only=True).store
    Workspace(store, cache=cache).kpis(["calls"])
    for entry in (tmp_path / "cache").glob("*.json"):
        entry.write_text("{broken")
    assert Workspace(store, cache=cache).kpis(["calls"]).records() == [{"calls": 10}]


def test_a_repeated_cli_query_does_not_import_ibis(db: str, tmp_path: Path) -> None:
    script = (
        "import sys, json; from callkpi.cli.app import main; sys.argv = ['callkpi', '--db', "
        f"{db!r}, 'kpi', 'contact_rate', '--by', 'team', '--format', 'json'];\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        "print('IBIS' if 'ibis' in sys.modules else 'NO-IBIS', file=sys.stderr)"
    )
    env = {"CALLKPI_CACHE_DIR": str(tmp_path / "cli-cache"), "PATH": "/usr/bin:/bin"}
    runs = [
        subprocess.run(
            [sys.executable, "-c", script], capture_output=True, text=True, env=env, check=True
        )
        for _ in range(2)
    ]
    assert runs[0].stderr.strip() == "IBIS"  # first time: compiled
    assert runs[1].stderr.strip() == "NO-IBIS"  # then: from the cache
    assert json.loads(runs[0].stdout) == json.loads(runs[1].stdout)
