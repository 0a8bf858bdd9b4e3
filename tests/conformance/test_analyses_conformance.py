"""Funnels, pipeline stages and acquisition cohorts give the same rows on every backend."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pyarrow as pa
import pytest

from callkpi.analysis.cohorts import cohorts
from callkpi.analysis.funnels import funnel
from callkpi.analysis.stages import stages
from callkpi.workspace import Workspace
from tests.conformance.compare import differences
from tests.conformance.conftest import REFERENCE, Opener

ANALYSES: dict[str, tuple[Callable[[Workspace], list[dict[str, Any]]], list[str]]] = {
    "calls-funnel-by-team": (lambda ws: funnel(ws, "calls", by=["team"]), ["team", "step"]),
    "pipeline-funnel": (lambda ws: funnel(ws, "pipeline"), ["step"]),
    "stages": (lambda ws: stages(ws), ["stage"]),
    "month-cohorts": (lambda ws: cohorts(ws, months=6), ["cohort", "month"]),
    "campaign-cohorts": (lambda ws: cohorts(ws, "campaign", months=3), ["cohort", "month"]),
}


@pytest.mark.parametrize("analysis", list(ANALYSES))
def test_analysis_matches_the_reference(analysis: str, other_backend: str, demo_on: Opener) -> None:
    run, keys = ANALYSES[analysis]
    expected = pa.Table.from_pylist(run(demo_on(REFERENCE)))
    actual = pa.Table.from_pylist(run(demo_on(other_backend)))
    assert expected.num_rows > 0
    problems = differences(expected, actual, keys)
    assert not problems, "\n".join(problems[:40])
