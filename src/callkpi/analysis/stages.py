"""Time in each pipeline stage, in pipeline order, and the bottleneck (the slowest stage)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from callkpi.workspace import Workspace

STAGE_KPIS = [
    "stage_entries",
    "stage_duration",
    "stage_duration_median",
    "stage_duration_km_median",
]


def stages(
    ws: Workspace,
    by: Sequence[str] = (),
    start: str | None = None,
    end: str | None = None,
    where: Mapping[str, Sequence[str]] | None = None,
) -> list[dict[str, Any]]:
    """One row per group and stage, stages in pipeline order, `bottleneck` true on the one
    stage with the longest median (Kaplan-Meier when it can be told, else over ended stays;
    the mean breaks a tie)."""
    order = ws.catalog.settings.pipeline_stages
    result = ws.kpis(STAGE_KPIS, by=[*by, "stage"], start=start, end=end, where=where)
    rows = [r for r in result.records() if r["stage"] in order]
    groups: dict[tuple[Any, ...], list[dict[str, Any]]] = {}
    for row in rows:
        groups.setdefault(tuple(row[d] for d in by), []).append(row)
    out: list[dict[str, Any]] = []
    for group in sorted(groups, key=lambda g: [str(v) for v in g]):
        members = sorted(groups[group], key=lambda r: order.index(r["stage"]))
        ranked = [r for r in members if _median(r) is not None]
        slowest = max(ranked, key=_slowness, default=None)
        for row in members:
            out.append({**row, "bottleneck": row is slowest})
    return out


def _slowness(row: dict[str, Any]) -> tuple[float, float]:
    """Longest median first; the mean breaks a tie."""
    return (_median(row) or 0.0, row["stage_duration"] or 0.0)


def _median(row: dict[str, Any]) -> float | None:
    km = row["stage_duration_km_median"]
    return km if km is not None else row["stage_duration_median"]
