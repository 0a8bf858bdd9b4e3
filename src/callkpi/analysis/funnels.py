"""Funnels: a count at each step, with the share of the previous and of the first step.

Each step is a KPI of the catalog, so a funnel gives exactly the numbers `callkpi kpi` gives.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from callkpi.errors import UnknownNameError
from callkpi.workspace import Workspace


@dataclass(frozen=True)
class Step:
    name: str
    kpi: str
    label_fr: str
    label_en: str


FUNNELS: dict[str, tuple[Step, ...]] = {
    "calls": (
        Step("dialled", "calls", "Appels passés", "Calls dialled"),
        Step("contact", "contacts", "Contacts utiles", "Contacts"),
        Step("success", "successes", "Succès", "Successes"),
    ),
    "email": (
        Step("sent", "emails_sent", "Envoyés", "Sent"),
        Step("delivered", "emails_delivered", "Délivrés", "Delivered"),
        Step("opened", "emails_opened", "Ouverts", "Opened"),
        Step("clicked", "emails_clicked", "Cliqués", "Clicked"),
        Step("purchased", "buying_customers", "Acheteurs", "Purchased"),
    ),
}
#: The email funnel only looks at email campaigns (orders of other campaigns are not its own).
IMPLIED_FILTERS: dict[str, dict[str, list[str]]] = {"email": {"channel": ["email"]}}


def funnel_steps(ws: Workspace, name: str) -> tuple[Step, ...]:
    if name == "pipeline":
        stages = [*ws.catalog.settings.pipeline_stages, "won"]
        return tuple(Step(stage, "stage_entries", stage, stage) for stage in stages)
    try:
        return FUNNELS[name]
    except KeyError:
        raise UnknownNameError("funnel", name, [*FUNNELS, "pipeline"]) from None


def funnel(
    ws: Workspace,
    name: str,
    by: Sequence[str] = (),
    start: str | None = None,
    end: str | None = None,
    where: Mapping[str, Sequence[str]] | None = None,
) -> list[dict[str, Any]]:
    """Rows of (dimensions..., step, count, of_previous, of_first), steps in order.

    The pipeline funnel counts the deals entering each stage (`settings.pipeline_stages`,
    then won); the others take one KPI per step. A share whose base is 0 is None.
    """
    steps = funnel_steps(ws, name)
    filters = {k: list(v) for k, v in (where or {}).items()}
    for dimension, values in IMPLIED_FILTERS.get(name, {}).items():
        filters.setdefault(dimension, values)
    if name == "pipeline":
        result = ws.kpis(["stage_entries"], by=[*by, "stage"], start=start, end=end, where=filters)
        counts = {
            (tuple(r[d] for d in by), r["stage"]): r["stage_entries"] for r in result.records()
        }
    else:
        kpis = [step.kpi for step in steps]
        result = ws.kpis(kpis, by=list(by), start=start, end=end, where=filters)
        counts = {
            (tuple(r[d] for d in by), step.name): r[step.kpi]
            for r in result.records()
            for step in steps
        }
    groups = sorted({group for group, _ in counts}, key=lambda g: [str(v) for v in g])
    rows: list[dict[str, Any]] = []
    for group in groups:
        first = previous = None
        for index, step in enumerate(steps):
            count = counts.get((group, step.name), 0) or 0
            if index == 0:
                first = count
            rows.append(
                {
                    **dict(zip(by, group, strict=True)),
                    "step": step.name,
                    "count": count,
                    "of_previous": _share(count, previous) if index else 1.0 if count else None,
                    "of_first": _share(count, first) if index else 1.0 if count else None,
                }
            )
            previous = count
    return rows


def _share(part: float, whole: float | None) -> float | None:
    return part / whole if whole else None
