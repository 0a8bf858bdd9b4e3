"""Bulk writes of rows the caller already has (tests, the demo, library users, imports into
a server store), and the look-ups of stored rows by key that an upsert needs."""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

import pyarrow as pa

from callkpi.errors import QueryError
from callkpi.store import rollups
from callkpi.store.base import Store
from callkpi.store.changes import DATA
from callkpi.store.schema import SQL_TYPES
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


def sql_type(kind: pa.DataType) -> str:
    """The SQL type (DuckDB, PostgreSQL) of an Arrow column of a canonical type."""
    for name, arrow in ARROW_TYPES.items():
        if kind == arrow:
            return SQL_TYPES[name]  # type: ignore[index]
    if pa.types.is_string(kind) or pa.types.is_large_string(kind) or pa.types.is_string_view(kind):
        return SQL_TYPES["string"]
    raise QueryError(f"no SQL type for Arrow type {kind}")


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


def stored_rows(
    store: Store, table_name: str, keys: pa.Table, columns: Sequence[str] | None = None
) -> pa.Table:
    """The stored rows of `table_name` equal to a row of `keys` on all of its columns (which
    are columns of the table), typed as `arrow_schema`, with all columns or `columns`. One
    look-up, however many keys."""
    full = arrow_schema(table_name)
    schema = pa.schema([full.field(c) for c in columns]) if columns else full
    if keys.num_rows == 0:
        return schema.empty_table()
    names = ", ".join(f't."{c}"' for c in schema.names)
    with _keys(store, table_name, keys) as (relation, same):
        found = store.query(
            f'SELECT {names} FROM "{table_name}" AS t WHERE EXISTS '
            f'(SELECT 1 FROM "{relation}" AS w WHERE {same})'
        )
    return conform(found, schema)


def stored_count(store: Store, table_name: str, keys: pa.Table) -> int:
    """How many rows of `keys` (distinct) have a stored row of `table_name` equal on all of
    their columns: counted where the rows are, nothing fetched."""
    if keys.num_rows == 0:
        return 0
    with _keys(store, table_name, keys) as (relation, same):
        return int(
            store.scalar(
                f'SELECT count(*) FROM "{relation}" AS w WHERE EXISTS '
                f'(SELECT 1 FROM "{table_name}" AS t WHERE {same})'
            )
        )


@contextlib.contextmanager
def _keys(store: Store, table_name: str, keys: pa.Table) -> Iterator[tuple[str, str]]:
    """`keys` as a temporary relation (`w`) and the condition matching a stored row `t`."""
    full = arrow_schema(table_name)
    wanted = conform(keys, pa.schema([full.field(c) for c in keys.column_names]))
    with store.temporary(wanted) as relation:
        yield relation, _same("w", "t", table_name, keys.column_names)


def lock_rows(store: Store, table_name: str, *, shared: bool = False) -> None:
    """Until the current transaction ends, no other transaction replaces rows of `table_name`
    by key (`upsert_with_sql`, an import): another writer of the same keys would find none of
    this one's rows to delete, insert a second copy, and count the keys as new. Taken before
    reading which keys are stored, it makes that reading true until the commit. `shared` is
    for writers that lock their own keys as well (live events, per call): they run together,
    but never while an import replaces rows. Nothing on a store one process writes at a time
    (`Store.lock`)."""
    store.lock(f"callkpi.rows.{table_name}", shared=shared)


def upsert_with_sql(store: Store, table_name: str, data: pa.Table) -> None:
    """`upsert_arrow` for the SQL stores (DuckDB, PostgreSQL), inside the caller's transaction:
    under the table's lock (`lock_rows`), the rows go to a temporary relation; the rollup days
    of the stored rows with their keys are marked (those rows copied once, then read by every
    rollup's dependency query), those rows deleted, the new ones inserted and their days
    marked (the caller then runs `rollups.refresh`)."""
    table = canonical(table_name)
    data = conform(data, arrow_schema(table_name))
    lock_rows(store, table_name)
    columns = ", ".join(f'"{c}"' for c in data.column_names)
    with store.temporary(data) as new:
        same = _same("n", f'"{table_name}"', table_name, table.key)
        replaced = f'EXISTS (SELECT 1 FROM "{new}" AS n WHERE {same})'
        if rollups.depends_on(table_name) and rollups.fresh(store):
            old = f"_callkpi_replaced_{uuid.uuid4().hex}"
            store.execute(
                f'CREATE TEMP TABLE "{old}" AS SELECT * FROM "{table_name}" WHERE {replaced}'
            )
            rollups.mark(store, table_name, f'SELECT * FROM "{old}"')
            store.execute(f'DROP TABLE "{old}"')
        store.execute(f'DELETE FROM "{table_name}" WHERE {replaced}')
        store.execute(f'INSERT INTO "{table_name}" ({columns}) SELECT {columns} FROM "{new}"')
        rollups.mark(store, table_name, f'SELECT {columns} FROM "{new}"')


def _same(left: str, right: str, table_name: str, columns: Sequence[str]) -> str:
    """Rows equal on `columns`: `=` on required columns (PostgreSQL can hash-join it), and
    null-safe on the others (a target's scope may be null)."""
    table = canonical(table_name)
    return " AND ".join(
        f'{left}."{c}" {"=" if table.column(c).required else "IS NOT DISTINCT FROM"} {right}."{c}"'
        for c in columns
    )
