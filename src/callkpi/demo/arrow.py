"""Turning the generator's integer codes and second counts into Arrow columns of the schema's
exact types: ids numbered in time order, labels, dates and naive-UTC microsecond timestamps."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from callkpi.demo.calendar import Period
from callkpi.store.loading import ARROW_TYPES, arrow_schema
from callkpi.store.schema import TABLES


def rank(*keys: np.ndarray) -> np.ndarray:
    """1-based position of each element when sorted by the keys (first key most significant),
    ties broken by original position: used to number ids in time order."""
    order = np.lexsort((np.arange(keys[0].size), *reversed(keys)))
    out = np.empty(order.size, dtype=np.int64)
    out[order] = np.arange(1, order.size + 1)
    return out


def ids(prefix: str, numbers: np.ndarray, width: int, null: np.ndarray | None = None) -> pa.Array:
    """'CL0000001'-style ids; `width` grows when the numbers need more digits."""
    width = max(width, len(str(int(numbers.max(initial=0)))))
    digits = pc.utf8_lpad(pc.cast(pa.array(numbers, pa.int64()), pa.string()), width, "0")
    out = pc.binary_join_element_wise(prefix, digits, "")
    if null is not None:
        out = pc.if_else(pa.array(null), pa.nulls(len(out), pa.string()), out)
    return out


def labels(codes: np.ndarray, names: Sequence[str]) -> pa.Array:
    """Codes to strings; a negative code is null."""
    codes = np.asarray(codes, dtype=np.int64)
    index = pa.array(np.maximum(codes, 0), pa.int64(), mask=codes < 0)
    return pc.take(pa.array(list(names), pa.string()), index)


def timestamps(period: Period, rel_s: np.ndarray, null: np.ndarray | None = None) -> pa.Array:
    """Rel seconds to naive UTC timestamp[us]; `null` (or a negative value) gives null."""
    rel_s = np.asarray(rel_s, dtype=np.int64)
    mask = rel_s < 0 if null is None else (null | (rel_s < 0))
    us = (np.int64(period.epoch_day) * 86_400 + rel_s) * 1_000_000
    return pa.array(us, pa.timestamp("us"), mask=mask)


def dates(period: Period, day: np.ndarray) -> pa.Array:
    return pa.array(
        (period.epoch_day + np.asarray(day, dtype=np.int64)).astype(np.int32), pa.date32()
    )


def floats(values: np.ndarray, null: np.ndarray | None = None) -> pa.Array:
    return pa.array(np.asarray(values, dtype=np.float64), pa.float64(), mask=null)


def table(name: str, columns: dict[str, pa.Array | np.ndarray | list[object]]) -> pa.Table:
    """An Arrow table with exactly the canonical columns of `name`, in order, with their types."""
    spec = TABLES[name]
    if list(columns) != spec.column_names:
        raise AssertionError(f"{name}: columns {list(columns)} != schema {spec.column_names}")
    arrays = []
    for column in spec.columns:
        value = columns[column.name]
        target = ARROW_TYPES[column.type]
        array = value if isinstance(value, pa.Array) else pa.array(value, target)
        arrays.append(array if array.type == target else array.cast(target))
    return pa.Table.from_arrays(arrays, schema=arrow_schema(spec.name))
