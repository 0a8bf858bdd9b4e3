"""The whole catalog, sliced several ways, gives the same table on every backend as on DuckDB.

Run on the hand-checked small fixture and on a small generated demo; every KPI that can be
split by a slicing's dimensions is asked in one query (so the SQL is the real, large one).
"""

from __future__ import annotations

import re
from typing import Any

import pytest

from callkpi.errors import QueryError
from callkpi.metrics.catalog import Catalog, load_catalog
from callkpi.metrics.compiler import KpiCompiler
from callkpi.metrics.query import KpiQuery
from tests.conformance.compare import differences
from tests.conformance.conftest import BACKENDS, REFERENCE, Opener

SLICINGS: dict[str, dict[str, Any]] = {
    "total": {},
    "campaign-month": {"by": ["campaign"], "grain": "month"},
    "agent-week-window": {
        "by": ["agent"], "grain": "week", "start": "2025-03-10", "end": "2026-02-15",
    },
    "team-source-quarter": {"by": ["team", "source"], "grain": "quarter"},
    "segment-year-filtered": {
        "by": ["segment"], "grain": "year", "where": {"channel": ["phone_outbound", "email"]},
    },
    "tier-month": {"by": ["tier"], "grain": "month"},
}  # fmt: skip
_UNSPLITTABLE = re.compile(r"^(?P<kpis>[\w, ]+) \(from \w+\) cannot be split")


def splittable(compiler: KpiCompiler, slicing: dict[str, Any]) -> list[str]:
    """Every KPI of the catalog that the slicing's dimensions and filters can split.

    Compiles everything, and on 'X, Y (from source) cannot be split' drops the KPIs that
    depend on X or Y, until the query compiles (one try per source, not per KPI)."""
    catalog = compiler.catalog
    kpis = list(catalog.kpis)
    while kpis:
        try:
            compiler.compile(KpiQuery.build(kpis, **slicing))
            return kpis
        except QueryError as exc:
            match = _UNSPLITTABLE.match(str(exc))
            if match is None:
                raise
            bad = {name.removeprefix("__rows_") for name in match["kpis"].split(", ")}
            kpis = [k for k in kpis if not bad & set(_closure(catalog, k))]
    return kpis


def _closure(catalog: Catalog, kpi_id: str) -> list[str]:
    found = [kpi_id]
    for dependency in catalog.dependencies(kpi_id):
        found += _closure(catalog, dependency)
    return found


@pytest.fixture(scope="module")
def kpis_by_slicing(small_on: Opener) -> dict[str, list[str]]:
    compiler = small_on(REFERENCE).compiler  # its SQL is then reused by the queries
    return {name: splittable(compiler, slicing) for name, slicing in SLICINGS.items()}


def test_every_kpi_is_compared_in_some_slicing(kpis_by_slicing: dict[str, list[str]]) -> None:
    compared = {k for kpis in kpis_by_slicing.values() for k in kpis}
    assert compared == set(load_catalog().kpis)
    assert len(kpis_by_slicing["campaign-month"]) > len(load_catalog().kpis) / 2


#: (dataset, backend) pairs. Spark runs the catalog on the demo only: each of these wide
#: queries takes seconds there, the demo gives every KPI a value, and the small fixture's
#: edge cases are already run on Spark by the hand-checked cases (test_hand_checked.py).
DATASETS = [
    (dataset, backend)
    for dataset in ("small", "demo")
    for backend in BACKENDS
    if backend != REFERENCE and (dataset, backend) != ("small", "spark")
]


@pytest.mark.parametrize(("dataset", "other_backend"), DATASETS)
@pytest.mark.parametrize("slicing", list(SLICINGS))
def test_catalog_matches_the_reference(
    dataset: str,
    slicing: str,
    other_backend: str,
    kpis_by_slicing: dict[str, list[str]],
    small_on: Opener,
    demo_on: Opener,
) -> None:
    open_dataset = small_on if dataset == "small" else demo_on
    query = KpiQuery.build(kpis_by_slicing[slicing], **SLICINGS[slicing])
    expected = open_dataset(REFERENCE).run(query)
    actual = open_dataset(other_backend).run(query)
    assert expected.table.num_rows > 0 or dataset == "small"  # no deal in the small one
    problems = differences(expected.table, actual.table, expected.dimensions)
    assert not problems, "\n".join(problems[:40])
