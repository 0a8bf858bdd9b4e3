"""Bulk appends of rows the caller already has (tests, the demo, library users)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import pyarrow as pa

from callkpi.errors import QueryError
from callkpi.store import rollups
from callkpi.store.base import Store
from callkpi.store.changes import DATA
from callkpi.store.schema import table as canonical

ARROW_TYPES: dict[str, pa.DataType] = {
    "string": pa.string(),
    "int64": pa.int64(),
    "float64": pa.float64(),
    "boolean": pa.bool_(),
    "date": pa.date32(),
    "timestamp": pa.timestamp("us"),
}


def arrow_schema(table_name: str) -> pa.Schema:
    """The Arrow schema of a canonical table, in column order."""
    table = canonical(table_name)
    return pa.schema([pa.field(c.name, ARROW_TYPES[c.type]) for c in table.columns])


def conform(data: pa.Table, schema: pa.Schema) -> pa.Table:
    """`data` with exactly `schema`'s columns, in order and cast; missing ones are null."""
    arrays = [
        data[f.name].cast(f.type) if f.name in data.column_names else pa.nulls(len(data), f.type)
        for f in schema
    ]
    return pa.Table.from_arrays(arrays, schema=schema)


def append_rows(store: Store, table_name: str, rows: Sequence[Mapping[str, Any]] | pa.Table) -> int:
    """Append rows in one transaction; missing columns are null, unknown ones an error."""
    schema = arrow_schema(table_name)
    if isinstance(rows, pa.Table):
        unknown = set(rows.column_names) - set(schema.names)
        data = rows
    else:
        unknown = {k for row in rows for k in row} - set(schema.names)
        data = None
    if unknown:
        raise QueryError(f"{table_name} has no column(s) {', '.join(sorted(unknown))}")
    if data is None:
        data = pa.Table.from_pylist([dict(r) for r in rows], schema=schema)
    else:
        data = conform(data, schema)
    with store.transaction():
        inserted = store.insert_arrow(table_name, data)
        rollups.appended(store, table_name, data)
        store.announce(DATA)
        return inserted
