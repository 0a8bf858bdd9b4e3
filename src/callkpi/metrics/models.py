"""Model KPIs: reduce the rows fetched for a model part to one value per group, in Python.

Used for what SQL cannot say portably, such as a Kaplan-Meier median with censored rows.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence

import numpy as np
import pyarrow as pa

from callkpi.metrics.model import ModelPart
from callkpi.metrics.stats import km_median

FUNCTIONS: dict[str, Callable[[np.ndarray, np.ndarray], float | None]] = {
    "km_median": km_median,
}


def fill_model_column(
    table: pa.Table, part: ModelPart, rows: pa.Table, keys: Sequence[str]
) -> pa.Table:
    """Replace the (null) column of `part.kpi` in `table` with the model's value per group."""
    function = FUNCTIONS[part.function]
    key_columns = [rows.column(k).to_pylist() for k in keys]
    durations = rows.column("duration").to_pylist()
    events = rows.column("event").to_pylist()
    groups: dict[tuple[object, ...], tuple[list[float], list[bool]]] = defaultdict(lambda: ([], []))
    for index, duration in enumerate(durations):
        if duration is None:
            continue
        group = tuple(column[index] for column in key_columns)
        groups[group][0].append(duration)
        groups[group][1].append(bool(events[index]))
    values = {
        group: function(np.asarray(d, dtype=np.float64), np.asarray(e, dtype=bool))
        for group, (d, e) in groups.items()
    }
    table_keys = [table.column(k).to_pylist() for k in keys]
    filled = [values.get(tuple(column[i] for column in table_keys)) for i in range(table.num_rows)]
    position = table.schema.get_field_index(part.kpi)
    return table.set_column(position, part.kpi, _float_array(filled))


def _float_array(values: list[float | None]) -> pa.Array:
    """Build the column from buffers: `pa.array` would import pandas (~0.9 s) when present."""
    data = np.array([0.0 if v is None else v for v in values], dtype=np.float64)
    valid = np.packbits(np.array([v is not None for v in values], dtype=bool), bitorder="little")
    return pa.Array.from_buffers(
        pa.float64(), len(values), [pa.py_buffer(valid), pa.py_buffer(data)]
    )
