"""Render KPI results and the catalog as a Rich table, CSV or JSON."""

from __future__ import annotations

import csv
import io
import json

from rich.table import Table

from callkpi.exports import spreadsheet_safe
from callkpi.i18n import UNITS, format_period, format_value, word
from callkpi.metrics.catalog import Catalog
from callkpi.metrics.describe import catalog_records
from callkpi.metrics.result import KpiResult
from callkpi.settings import Lang


def result_json(result: KpiResult, details: bool = False) -> str:
    """The JSON contract: an array, one object per group, dimension keys then KPI ids
    (with `details`, each rate's `_numerator`, `_denominator`, `_low` and `_high` too)."""
    return json.dumps(result.records(details=details), ensure_ascii=False, indent=2)


def result_csv(result: KpiResult, details: bool = False) -> str:
    """Plain machine CSV: comma, '.' decimal, ids as header, empty cell for null; text that
    would run as a spreadsheet formula is neutralised (callkpi.exports)."""
    records = result.records(details=details)
    roles = ("dimension", "period", "value")
    columns = [c.name for c in result.columns if details or c.role in roles]
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(columns)
    for row in records:
        writer.writerow(["" if row[c] is None else spreadsheet_safe(row[c]) for c in columns])
    return buffer.getvalue()


def result_table(
    result: KpiResult, catalog: Catalog, lang: Lang, title: str | None = None
) -> Table:
    """A Rich table with French or English labels and locally formatted values."""
    value_columns = [c for c in result.columns if c.role == "value"]
    key_columns = [c for c in result.columns if c.role in ("dimension", "period")]
    rows = []
    for row in result.records():
        cells = []
        for column in key_columns:
            value = row[column.name]
            if column.role == "period":
                cells.append(format_period(value, result.query.grain, lang))
            elif value is None:
                dimension = catalog.dimension(column.name)
                none = dimension.null_label.get(lang) if dimension.null_label else None
                cells.append(none or word("none", lang))
            else:
                cells.append(str(value))
        for column in value_columns:
            unit = catalog.kpi(column.name).unit
            cells.append(format_value(row[column.name], unit, lang))
        rows.append(cells)

    table = Table(title=title, title_justify="left", header_style="bold")

    def widest(offset: int) -> int:
        return max((len(r[offset]) for r in rows), default=1)

    for offset, column in enumerate(key_columns):
        if column.role == "period":
            header = word("period", lang)
        else:
            header = catalog.dimension(column.name).label.get(lang)
        table.add_column(header, min_width=min(max(widest(offset), len(header)), 14))
    for offset, column in enumerate(value_columns, start=len(key_columns)):
        # A number is never cut: its column is at least as wide as its widest value.
        label = catalog.kpi(column.name).label.get(lang)
        table.add_column(label, justify="right", min_width=widest(offset))
    for cells in rows:
        table.add_row(*cells)
    return table


def catalog_table(catalog: Catalog, lang: Lang) -> Table:
    table = Table(title=word("catalog_title", lang), title_justify="left", header_style="bold")
    for key in ("id", "label", "unit", "direction", "formula"):
        table.add_column(word(key, lang))
    for record in catalog_records(catalog):
        table.add_row(
            record["id"],
            record["label"][lang],
            _unit_word(record["unit"], lang),
            word(record["direction"], lang),
            record["formula"],
        )
    return table


def _unit_word(unit: str, lang: Lang) -> str:
    return UNITS[unit][lang]
