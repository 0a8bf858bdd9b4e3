"""The catalog described as plain records: the JSON contract of the CLI and the HTTP API."""

from __future__ import annotations

from typing import Any

from callkpi.metrics.catalog import Catalog


def catalog_records(catalog: Catalog) -> list[dict[str, Any]]:
    """Every KPI with its id, labels, unit, direction, type and formula (the JSON contract)."""
    return [
        {
            "id": kpi.id,
            "label": {"fr": kpi.label.fr, "en": kpi.label.en},
            "description": {"fr": kpi.description.fr, "en": kpi.description.en},
            "unit": kpi.unit,
            "direction": kpi.direction,
            "type": kpi.type,
            "formula": catalog.formula(kpi.id),
        }
        for kpi in catalog.kpis.values()
    ]


def dimension_records(catalog: Catalog) -> list[dict[str, Any]]:
    """Every dimension with its labels and where it comes from."""
    return [
        {
            "id": d.id,
            "label": {"fr": d.label.fr, "en": d.label.en},
            "column": d.column,
            "lookup": None if d.lookup is None else d.lookup.model_dump(),
        }
        for d in catalog.dimensions.values()
    ]
