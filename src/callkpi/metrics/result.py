"""KpiResult: what every face renders; an Arrow table plus what each column means."""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from typing import Any

import pyarrow as pa

from callkpi.metrics.model import OutputColumn
from callkpi.metrics.query import KpiQuery


@dataclass(frozen=True)
class KpiResult:
    """One row per group (dimensions and period), one column per KPI.

    Ratios also carry `<id>_numerator` and `<id>_denominator`; proportions `<id>_low` and
    `<id>_high` (95 % Wilson interval). A KPI whose denominator is 0 is null.
    """

    query: KpiQuery
    table: pa.Table
    columns: tuple[OutputColumn, ...]
    sql: str

    def __len__(self) -> int:
        return self.table.num_rows

    @property
    def dimensions(self) -> list[str]:
        return [c.name for c in self.columns if c.role in ("dimension", "period")]

    def records(self, details: bool = False) -> list[dict[str, Any]]:
        """Rows as dicts: dimensions, `period` (ISO date), KPI values; parts if `details`."""
        wanted = [
            c.name for c in self.columns if details or c.role in ("dimension", "period", "value")
        ]
        rows = self.table.select(wanted).to_pylist()
        return [{k: _plain(v) for k, v in row.items()} for row in rows]

    def to_arrow(self) -> pa.Table:
        return self.table

    def to_pandas(self) -> Any:
        return self.table.to_pandas()


def _plain(value: Any) -> Any:
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, dt.date):
        return value.isoformat()
    return value
