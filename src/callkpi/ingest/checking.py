"""Sorting staged rows into refused, duplicate and accepted, and naming the problems.

Works on this import's temporary tables (`staged`, `bad`, `acc`); every query is set-wise,
and only the first MAX_REJECTS problems ever reach Python.
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb

from callkpi.ingest.csvfile import CsvFile, record_lines
from callkpi.ingest.report import MAX_REJECTS, Reject, redact
from callkpi.ingest.rules import Check, key_match, lit, q, value_sql
from callkpi.store.schema import Table


@dataclass(frozen=True)
class Counts:
    """How the valid rows split: new, already stored, repeated in the file."""

    inserted: int
    updated: int
    duplicates: int


def count(con: duckdb.DuckDBPyConnection, sql: str) -> int:
    """The single integer a `SELECT count(*)`-like query returns."""
    row = con.execute(sql).fetchone()
    return int(row[0]) if row and row[0] is not None else 0


def find_bad(con: duckdb.DuckDBPyConnection, checks: list[Check], staged: str, bad: str) -> int:
    """Copy the refused rows of `staged` to `bad`; return how many there are."""
    condition = " OR ".join(f"coalesce({c.condition}, FALSE)" for c in checks) or "FALSE"
    con.execute(f"CREATE TEMP TABLE {q(bad)} AS SELECT * FROM {q(staged)} s WHERE {condition}")
    return count(con, f"SELECT count(*) FROM {q(bad)}")


def find_accepted(
    con: duckdb.DuckDBPyConnection, spec: Table, staged: str, bad: str, accepted: str
) -> Counts:
    """Rank the valid rows within their key (`_dup`, `_first`) and flag stored keys."""
    key = ", ".join(f"s.{q(k)}" for k in spec.key)
    con.execute(
        f"CREATE TEMP TABLE {q(accepted)} AS SELECT s.*, "
        f"row_number() OVER (PARTITION BY {key} ORDER BY s._rn) AS _dup, "
        f"min(s._rn) OVER (PARTITION BY {key}) AS _first, "
        f"EXISTS (SELECT 1 FROM {q(spec.name)} x WHERE {key_match(spec, 'x', 's')}) AS _exists "
        f"FROM {q(staged)} s ANTI JOIN {q(bad)} b ON s._rn = b._rn"
    )
    row = con.execute(
        "SELECT count(*) FILTER (_dup = 1 AND NOT _exists), "
        "count(*) FILTER (_dup = 1 AND _exists), "
        f"count(*) FILTER (_dup > 1) FROM {q(accepted)}"
    ).fetchone()
    assert row is not None
    return Counts(int(row[0]), int(row[1]), int(row[2]))


# (record, check index, column, code, value, message, record of the first occurrence)
_Found = tuple[int, int, str | None, str, str | None, str, int | None]


def list_rejects(
    con: duckdb.DuckDBPyConnection,
    spec: Table,
    file: CsvFile,
    checks: list[Check],
    bad: str,
    accepted: str,
) -> tuple[list[Reject], int, Reject | None]:
    """The first MAX_REJECTS problems in file order, their total, and the first refusal.

    The first refusal (not a duplicate) is returned apart, for atomic mode's error message,
    since a file may hold more than MAX_REJECTS duplicates before it.
    """
    problems, total = _problems(con, spec, checks, bad)
    duplicates = _duplicates(con, spec, len(checks), accepted)
    total += count(con, f"SELECT count(*) FROM {q(accepted)} WHERE _dup > 1")
    found = sorted(problems + duplicates, key=lambda item: (item[0], item[1]))[:MAX_REJECTS]
    first = problems[:1]
    wanted = {item[0] for item in found + first}
    wanted |= {item[6] for item in found if item[6] is not None}
    lines = record_lines(file.path, file.delimiter, wanted)
    rejects = [_reject(spec, item, lines) for item in found]
    return rejects, total, (_reject(spec, first[0], lines) if first else None)


def _problems(
    con: duckdb.DuckDBPyConnection, spec: Table, checks: list[Check], bad: str
) -> tuple[list[_Found], int]:
    if not checks:
        return [], 0
    union = " UNION ALL ".join(
        f"SELECT s._rn AS rn, {i} AS idx, {lit(c.column)} AS col, {lit(c.code)} AS code, "
        f"CAST({value_sql(spec, c.column)} AS VARCHAR) AS value, {c.message} AS message "
        f"FROM {q(bad)} s WHERE coalesce({c.condition}, FALSE)"
        for i, c in enumerate(checks)
    )
    total = count(con, f"SELECT count(*) FROM ({union})")
    rows = con.execute(
        f"SELECT rn, idx, col, code, value, message FROM ({union}) "
        f"ORDER BY rn, idx LIMIT {MAX_REJECTS}"
    ).fetchall()
    return [
        (rn, idx, col, code, value, msg, None) for rn, idx, col, code, value, msg in rows
    ], total


def _duplicates(
    con: duckdb.DuckDBPyConnection, spec: Table, index: int, accepted: str
) -> list[_Found]:
    if len(spec.key) == 1:
        column: str | None = spec.key[0]
        key_value = value_sql(spec, spec.key[0])
    else:
        column = None
        parts = ", ".join(
            f"{lit(k + '=')} || coalesce(CAST({value_sql(spec, k)} AS VARCHAR), '')"
            for k in spec.key
        )
        key_value = f"concat_ws(', ', {parts})"
    rows = con.execute(
        f"SELECT s._rn, CAST({key_value} AS VARCHAR), s._first FROM {q(accepted)} s "
        f"WHERE s._dup > 1 ORDER BY s._rn LIMIT {MAX_REJECTS}"
    ).fetchall()
    return [(rn, index, column, "duplicate_key", value, "", first) for rn, value, first in rows]


def _reject(spec: Table, item: _Found, lines: dict[int, int]) -> Reject:
    """A problem as reported: physical line, personal data redacted."""
    record, _, column, code, value, message, first = item
    if code == "duplicate_key":
        seen = lines.get(first, first + 2) if first is not None else "?"
        message = f"key already seen on line {seen}; the first occurrence is kept"
    involved = {column} if column else set(spec.key)
    personal = bool(involved & set(spec.personal_data))
    return Reject(lines.get(record, record + 2), column, code, redact(value, personal), message)
