"""The hand-checked cases of tests/metrics, run as they are on every backend.

Each case is a test function of tests/metrics that takes the small fixture (`small_ws`) or
an empty store (`empty_ws`, which it fills: the golden ROI case 30,000 / 12,000 -> 1.5).
The assertions are the hand-worked numbers themselves, so a backend passes only if it gives
them. Cases that read DuckDB's SQL text are left to the SQL snapshots.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable

import pytest

from tests.conformance.conftest import Opener
from tests.metrics import test_golden_and_edges, test_kpis_by_hand

#: They assert on DuckDB placeholders in `explain()`; test_sql_snapshots covers each dialect.
_SQL_TEXT_CASES = {
    "test_filter_values_are_bound_never_spliced_into_sql",
    "test_dates_are_bound_too_so_one_sql_serves_every_period",
}


def _cases(fixture: str) -> list[Callable[..., None]]:
    found = []
    for module in (test_kpis_by_hand, test_golden_and_edges):
        for name, function in vars(module).items():
            if not name.startswith("test_") or name in _SQL_TEXT_CASES:
                continue
            if list(inspect.signature(function).parameters) == [fixture]:
                found.append(function)
    return found


SMALL_CASES = _cases("small_ws")
EMPTY_CASES = _cases("empty_ws")


def test_the_cases_are_found() -> None:
    assert len(SMALL_CASES) >= 25
    assert test_golden_and_edges.test_seed_golden_case_roi_is_150_percent in EMPTY_CASES


@pytest.mark.parametrize("case", SMALL_CASES, ids=lambda f: f.__name__)
def test_small_fixture_case(case: Callable[..., None], backend: str, small_on: Opener) -> None:
    case(small_on(backend))


@pytest.mark.parametrize("case", EMPTY_CASES, ids=lambda f: f.__name__)
def test_empty_store_case(case: Callable[..., None], backend: str, open_empty: Opener) -> None:
    case(open_empty(backend))


def test_filter_values_are_bound_on_every_backend(backend: str, small_on: Opener) -> None:
    ws = small_on(backend)
    evil = "C1' OR '1'='1"
    assert evil not in ws.explain(["calls"], where={"campaign": evil})
    assert ws.kpis(["calls"], where={"campaign": evil}).records() == [{"calls": 0}]
    assert ws.kpis(["calls"], where={"campaign": "C1%"}).records() == [{"calls": 0}]
