"""Equality of two KPI results across backends: same columns and types, rows matched by
their keys (dimensions and period), numbers equal to 1e-9 relative, nulls equal."""

from __future__ import annotations

import math
from typing import Any

import pyarrow as pa

RELATIVE = 1e-9
#: Below this, two numbers are equal whatever their ratio (a difference of sums near 0).
ABSOLUTE = 1e-9


def same(a: Any, b: Any) -> bool:
    if isinstance(a, float) or isinstance(b, float):
        if a is None or b is None:
            return a is b
        if math.isnan(a) or math.isnan(b):
            return math.isnan(a) and math.isnan(b)
        return math.isclose(a, b, rel_tol=RELATIVE, abs_tol=ABSOLUTE)
    return bool(a == b)


def differences(expected: pa.Table, actual: pa.Table, keys: list[str]) -> list[str]:
    """What differs, one line per problem (empty when the results are the same)."""
    if expected.schema != actual.schema:
        return [f"schema differs:\n{expected.schema}\n---\n{actual.schema}"]
    problems: list[str] = []

    def index(table: pa.Table) -> dict[tuple[Any, ...], dict[str, Any]]:
        rows = {tuple(r[k] for k in keys): r for r in table.to_pylist()}
        if len(rows) != table.num_rows:
            problems.append(f"keys {keys} are not unique")
        return rows

    left, right = index(expected), index(actual)
    for key in sorted(left.keys() ^ right.keys(), key=repr):
        side = "missing" if key in left else "extra"
        problems.append(f"{side} row {dict(zip(keys, key, strict=True))}")
    for key in sorted(left.keys() & right.keys(), key=repr):
        for column, value in left[key].items():
            if not same(value, right[key][column]):
                problems.append(f"{key} {column}: {value!r} != {right[key][column]!r}")
    return problems
