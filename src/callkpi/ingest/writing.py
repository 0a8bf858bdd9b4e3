"""One import, one transaction: load every record, sort out the refused ones, upsert, log.

Inside `BEGIN ... COMMIT` (never visible to anyone before the commit, undone by a crash):
1. the scan inserts every record of the file after the table's existing rows; new rows have
   row ids above the old ones, contiguous and in file order (checked);
2. refused records (tagged by the scan, or whose reference is unknown) are counted, the
   first ones listed, then deleted;
3. keys seen more than once among old and new rows are resolved: the first new row of a key
   is kept; an old row of that key gives it the columns the file does not have, then goes
   (an update); later new rows are in-file duplicates and go;
4. the ledger row is written; atomic mode with rejects and dry runs roll everything back.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass, field

import duckdb

from callkpi.ingest.rules import REFERENCES, lit, q
from callkpi.ingest.scan import TAG
from callkpi.store.schema import Table


@dataclass
class Loaded:
    """What the scan put in the table, before anything is removed."""

    first_new: int  # row id of the first new row (the file's record 0)
    old_max: int  # highest row id before the import (-1 for an empty table)
    count: int


@dataclass
class Sorted:
    rejected: int
    reference_rows: list[tuple[int, str, str]]  # (record, column, value), first ones
    reference_problems: int
    duplicates: int
    updated: int
    duplicate_rows: list[tuple[int, int, list[str | None]]]  # (record, first record, key)
    created: dict[str, int] = field(default_factory=dict)
    created_ids: dict[str, list[str]] = field(default_factory=dict)  # all of them


def count(con: duckdb.DuckDBPyConnection, sql: str, params: object = None) -> int:
    row = con.execute(sql, params if params is not None else []).fetchall()[0]
    return int(row[0]) if row and row[0] is not None else 0


def load(con: duckdb.DuckDBPyConnection, table: Table, sql: str, params: dict) -> Loaded:
    """Run the scan; return where its rows are. Call inside the import's transaction."""
    old_max = con.execute(f"SELECT max(rowid) FROM {q(table.name)}").fetchall()[0]
    before = -1 if not old_max or old_max[0] is None else int(old_max[0])
    inserted = con.execute(sql, params).fetchall()[0]
    total = int(inserted[0]) if inserted else 0
    if total == 0:
        return Loaded(0, before, 0)
    row = con.execute(
        f"SELECT min(rowid), max(rowid), count(*) FROM {q(table.name)} WHERE rowid > $m",
        {"m": before},
    ).fetchall()[0]
    assert row is not None
    low, high, seen = int(row[0]), int(row[1]), int(row[2])
    if seen != total or high - low + 1 != total:  # pragma: no cover - a DuckDB change
        raise RuntimeError("new rows are not contiguous: cannot number them; nothing imported")
    return Loaded(low, before, total)


@contextlib.contextmanager
def lazy_branches(con: duckdb.DuckDBPyConnection) -> Iterator[None]:
    """Run the scan without DuckDB's common-subexpression and IN-clause passes (a
    connection setting: enter it outside the import's transaction).

    That pass hoists expressions out of CASE and COALESCE branches, so the general
    conversion paths (meant for the few odd values) would run on every value: +40% CPU.
    The scan is written so that no costly expression appears twice outside a branch.
    An IN list rewritten as a join would lose the file order that line numbers rely on.
    """
    row = con.execute("SELECT current_setting('disabled_optimizers')").fetchall()[0]
    before = str(row[0]) if row and row[0] else ""
    names = [n for n in before.split(",") if n.strip()]
    con.execute(
        "SET disabled_optimizers = $v",
        {"v": ",".join([*names, "common_subexpressions", "in_clause"])},
    )
    try:
        yield
    finally:
        con.execute("SET disabled_optimizers = $v", {"v": before})


def tagged(
    con: duckdb.DuckDBPyConnection, table: Table, loaded: Loaded, limit: int
) -> tuple[int, int, list[tuple[int, str]]]:
    """(refused rows, their problems, first `limit` (record, tag)) of the scan's tags."""
    key = q(table.key[0])
    where = f"rowid > {loaded.old_max} AND starts_with({key}, {TAG})"
    mask = f"CAST(split_part(substr({key}, 2), chr(2), 1) AS BIGINT)"
    row = con.execute(
        f"SELECT count(*), coalesce(sum(bit_count({mask})), 0) FROM {q(table.name)} WHERE {where}"
    ).fetchall()[0]
    assert row is not None
    first = con.execute(
        f"SELECT rowid - {loaded.first_new}, {key} FROM {q(table.name)} WHERE {where} "
        f"ORDER BY rowid LIMIT {int(limit)}"
    ).fetchall()
    return int(row[0]), int(row[1]), [(int(r), str(t)) for r, t in first]


def sort_out(
    con: duckdb.DuckDBPyConnection,
    table: Table,
    loaded: Loaded,
    present: list[str],
    references: list[str],
    create_missing: bool,
    limit: int,
    scratch: str,
) -> Sorted:
    """Steps 2 and 3 of the module doc; `scratch` prefixes this import's temp tables."""
    name = q(table.name)
    new = f"rowid > {loaded.old_max}"
    key = q(table.key[0])
    valid = f"{new} AND NOT starts_with({key}, {TAG})"
    created: dict[str, int] = {}
    created_ids: dict[str, list[str]] = {}
    refs = q(f"{scratch}_refs")
    parts: list[str] = []
    for column, target, target_column in REFERENCES.get(table.name, ()):
        if column not in present:
            continue
        missing = (
            f"{q(column)} IS NOT NULL AND NOT EXISTS (SELECT 1 FROM {q(target)} r "
            f"WHERE r.{q(target_column)} = n.{q(column)})"
        )
        if create_missing:
            ids = [
                str(r[0])
                for r in con.execute(
                    f"SELECT DISTINCT n.{q(column)} FROM {name} n WHERE {valid} AND {missing} "
                    "ORDER BY 1"
                ).fetchall()
            ]
            if ids:
                con.execute(
                    f"INSERT INTO {q(target)} ({q(target_column)}) SELECT unnest($ids)",
                    {"ids": ids},
                )
                created[target] = len(ids)
                created_ids[target] = ids
        elif target in references:
            parts.append(
                f"SELECT rowid AS rid, {lit(column)} AS col, n.{q(column)} AS value "
                f"FROM {name} n WHERE {new} AND {missing}"
            )
    reference_rows: list[tuple[int, str, str]] = []
    reference_problems = 0
    if parts:
        con.execute(f"CREATE TEMP TABLE {refs} AS {' UNION ALL '.join(parts)}")
        reference_problems = count(con, f"SELECT count(*) FROM {refs}")
        reference_rows = [
            (int(r[0]) - loaded.first_new, str(r[1]), str(r[2]))
            for r in con.execute(
                f"SELECT rid, col, value FROM {refs} ORDER BY rid LIMIT {int(limit)}"
            ).fetchall()
        ]
    refused_where = f"{new} AND (starts_with({key}, {TAG})"
    refused_where += f" OR rowid IN (SELECT rid FROM {refs}))" if parts else ")"
    rejected = count(con, f"SELECT count(*) FROM {name} WHERE {refused_where}")
    con.execute(f"DELETE FROM {name} WHERE {refused_where}")
    if parts:
        con.execute(f"DROP TABLE {refs}")
    duplicates, updated, duplicate_rows = _resolve_keys(con, table, loaded, present, limit, scratch)
    return Sorted(
        rejected,
        reference_rows,
        reference_problems,
        duplicates,
        updated,
        duplicate_rows,
        created,
        created_ids,
    )


def _resolve_keys(
    con: duckdb.DuckDBPyConnection,
    table: Table,
    loaded: Loaded,
    present: list[str],
    limit: int,
    scratch: str,
) -> tuple[int, int, list[tuple[int, int, list[str | None]]]]:
    """Step 3: (in-file duplicates, updated keys, first duplicates as (record, first, key))."""
    name = q(table.name)
    keys = ", ".join(q(k) for k in table.key)
    groups = q(f"{scratch}_keys")
    m = loaded.old_max
    # First the 64-bit hashes of keys seen twice (a fixed-size GROUP BY, ~20% cheaper than
    # grouping the text keys), then the real keys among those rows only: usually none. The
    # hashes stay in a table, joined: a list parameter tested per row (list_contains) is
    # quadratic, minutes for a re-import of 100k rows.
    hashed = f"hash({keys})"
    twice = q(f"{scratch}_hashes")
    con.execute(
        f"CREATE TEMP TABLE {twice} AS SELECT {hashed} AS h FROM {name} "
        f"GROUP BY h HAVING count(*) > 1 AND max(rowid) > {m}"
    )
    try:
        if not count(con, f"SELECT count(*) FROM {twice}"):
            return 0, 0, []
        con.execute(
            f"CREATE TEMP TABLE {groups} AS SELECT {keys}, "
            f"list(rowid ORDER BY rowid) FILTER (rowid > {m}) AS fresh, "
            f"max(rowid) FILTER (rowid <= {m}) AS old "
            f"FROM {name} WHERE {hashed} IN (SELECT h FROM {twice}) "
            f"GROUP BY ALL HAVING count(*) > 1 AND max(rowid) > {m}"
        )
    finally:
        con.execute(f"DROP TABLE {twice}")
    try:
        row = con.execute(
            f"SELECT coalesce(sum(len(fresh) - 1), 0), count(old) FROM {groups}"
        ).fetchall()[0]
        assert row is not None
        duplicates, updated = int(row[0]), int(row[1])
        duplicate_rows: list[tuple[int, int, list[str | None]]] = []
        if duplicates:
            cast_keys = ", ".join(f"CAST({q(k)} AS VARCHAR)" for k in table.key)
            for rid, first, *key in con.execute(
                f"SELECT unnest(fresh[2:]) AS rid, fresh[1], {cast_keys} FROM {groups} "
                f"ORDER BY rid LIMIT {int(limit)}"
            ).fetchall():
                duplicate_rows.append(
                    (int(rid) - loaded.first_new, int(first) - loaded.first_new, list(key))
                )
            con.execute(
                f"DELETE FROM {name} WHERE rowid IN (SELECT unnest(fresh[2:]) FROM {groups})"
            )
        if updated:
            absent = [c for c in table.column_names if c not in present]
            if absent:
                assignments = ", ".join(f"{q(c)} = o.{q(c)}" for c in absent)
                selected = ", ".join(f"o.{q(c)}" for c in absent)
                con.execute(
                    f"UPDATE {name} SET {assignments} FROM (SELECT g.fresh[1] AS keep, "
                    f"{selected} FROM {groups} g JOIN {name} o ON o.rowid = g.old) o "
                    f"WHERE {name}.rowid = o.keep"
                )
            con.execute(
                f"DELETE FROM {name} WHERE rowid <= {m} AND rowid IN "
                f"(SELECT o.rowid FROM {name} o JOIN {groups} g ON "
                + " AND ".join(f"o.{q(k)} IS NOT DISTINCT FROM g.{q(k)}" for k in table.key)
                + ")"
            )
    finally:
        con.execute(f"DROP TABLE IF EXISTS {groups}")
    return duplicates, updated, duplicate_rows
