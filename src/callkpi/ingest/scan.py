"""The one statement that reads, converts, checks and loads a file: `INSERT ... SELECT`.

Every record of the file becomes one new row of the target table inside the import's
transaction, in file order, so the file is parsed once and written once (the write is what
costs most). A record that fails a row check is still inserted, with its first key column
replaced by a *tag*: chr(1), the bitmask of failed checks, chr(2), then its raw values as
JSON. `writing` then lists and deletes the tagged rows before anything is committed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import duckdb

from callkpi.errors import DataImportError
from callkpi.ingest.mapping import Mapping
from callkpi.ingest.rules import (
    Check,
    ValueFormats,
    checks_for,
    convert_sql,
    plausible,
    q,
    raw_name,
    timestamp_parts,
)
from callkpi.ingest.sources import Source, read_csv_sql
from callkpi.ingest.timezones import utc_sql
from callkpi.store import schema
from callkpi.store.schema import Table

TAG = "chr(1)"
_SAMPLE_ROWS = 2000
_FAST_FORMATS = (
    "%Y-%m-%d %H:%M:%S",
    "%d/%m/%Y %H:%M:%S",
    "%Y-%m-%dT%H:%M:%S",
    "%d/%m/%Y %H:%M",
    "%Y-%m-%d %H:%M",
    "%Y-%m-%d",
    "%d/%m/%Y",
)


@dataclass(frozen=True)
class RowCheck:
    """A check as evaluated in the scan: bit `1 << index` of the tag's mask."""

    check: Check
    index: int


@dataclass
class Scan:
    sql: str
    checks: list[RowCheck]
    raw_columns: list[str]  # order of the raw values in a tag's JSON
    present: list[str]
    formats: dict[str, ValueFormats]


def text_name(column: str) -> str:
    return f"_t_{column}"


def build_scan(
    con: duckdb.DuckDBPyConnection,
    table: Table,
    mapping: Mapping,
    source: Source,
    *,
    zone: str,
    declared: tuple[str, ...],
    decimal: str | None,
) -> Scan:
    """The INSERT statement for this file, with the formats found on a sample of it."""
    present = [c for c in table.column_names if c in mapping.columns]
    formats = _detect_formats(con, table, mapping, source, zone, declared, decimal)
    extra: list[tuple[str, str, str, str]] = []  # (column, code, flag column, message)
    cleaned = [f"{sql} AS {q(f'_s{p}')}" for p, sql in mapping.cleaned.items()] or ["1 AS _s"]
    level1: list[str] = []
    texts: dict[str, str] = {}  # column -> the level-1 name holding its text
    for name in present:
        mapped = mapping.columns[name]
        level1.append(f"{mapped.raw} AS {q(raw_name(name))}")
        texts[name] = raw_name(name)
        if mapped.text != mapped.raw:
            level1.append(f"{mapped.text} AS {q(text_name(name))}")
            texts[name] = text_name(name)
        for check in mapped.checks:
            flag = f"_x{len(extra)}"
            level1.append(f"{check.flag} AS {q(flag)}")
            extra.append((name, check.code, flag, check.message))
    passed = [q(raw_name(n)) for n in present] + [q(flag) for _, _, flag, _ in extra]
    level2: list[str] = []
    for column in table.columns:
        name = column.name
        if name not in present:
            level2.append(f"CAST(NULL AS {schema.SQL_TYPES[column.type]}) AS {q(name)}")
            continue
        text = q(texts[name])
        if column.type == "timestamp":
            naive, _ = timestamp_parts(text, formats[name])
            level2.append(f"{naive} AS {q('_n_' + name)}")
            if texts[name] != raw_name(name):
                level2.append(text)
        else:
            level2.append(f"{convert_sql(text, column.type, formats.get(name))} AS {q(name)}")
    level2 += passed
    level3: list[str] = []
    for column in table.columns:
        name = column.name
        if column.type == "timestamp" and name in present:
            # the offset-aware parse runs only for values the naive parse did not read
            _, aware = timestamp_parts(q(texts[name]), formats[name])
            utc = utc_sql(plausible(q("_n_" + name)), formats[name].zone)
            level3.append(f"coalesce({utc}, {plausible(aware)}) AS {q(name)}")
        else:
            level3.append(q(name))
    level3 += passed
    checks = [
        RowCheck(check, i)
        for i, check in enumerate(
            checks_for(table, present)
            + [
                Check(column, code, f"s.{q(flag)} AND s.{q(column)} IS NULL", message)
                for column, code, flag, message in extra
            ]
        )
    ]
    if len(checks) > 62:
        raise DataImportError(f"too many checks for one import ({len(checks)})")  # pragma: no cover
    # valid rows (nearly all) pay for one OR chain; the bitmask is built for refused ones
    bits = " | ".join(
        f"(CASE WHEN {c.check.condition} THEN {1 << c.index} ELSE 0 END)" for c in checks
    )
    suspects = dict.fromkeys(c.check.suspect or c.check.condition for c in checks)
    refused = " OR ".join(suspects)
    mask = f"CASE WHEN {refused} THEN {bits} ELSE 0 END" if checks else ""
    raws = ", ".join(_raw_for_tag(table, mapping, n) for n in present)
    key = table.key[0]
    tagged = (
        f"CASE WHEN s._f <> 0 THEN {TAG} || CAST(s._f AS VARCHAR) || chr(2) || "
        f"CAST(to_json([{raws}]) AS VARCHAR) ELSE s.{q(key)} END"
    )
    final = [f"{tagged} AS {q(c)}" if c == key else f"s.{q(c)}" for c in table.column_names]
    columns = ", ".join(q(c) for c in table.column_names)
    sql = (
        f"INSERT INTO {q(table.name)} ({columns}) SELECT {', '.join(final)} FROM ("
        f"SELECT s.*, CAST({mask or '0'} AS BIGINT) AS _f FROM ("
        f"SELECT {', '.join(level3)} FROM ("
        f"SELECT {', '.join(level2)} FROM ("
        f"SELECT {', '.join(level1)} FROM ("
        f"SELECT {', '.join(cleaned)} FROM {source.sql} AS s) AS s) AS s) AS s) AS s) AS s"
    )
    return Scan(sql, checks, present, present, formats)


def _raw_for_tag(table: Table, mapping: Mapping, name: str) -> str:
    raw = f"s.{q(raw_name(name))}"
    if mapping.columns[name].personal or name in table.personal_data:
        return f"CASE WHEN {raw} IS NOT NULL THEN '***' END"
    return raw


def _detect_formats(
    con: duckdb.DuckDBPyConnection,
    table: Table,
    mapping: Mapping,
    source: Source,
    zone: str,
    declared: tuple[str, ...],
    decimal: str | None,
) -> dict[str, ValueFormats]:
    """Per column: the decimal mark and the date format most sampled values use."""
    wanted = [
        c.name
        for c in table.columns
        if c.name in mapping.columns and c.type in ("float64", "timestamp", "date")
    ]
    day_first = not any(f.startswith("%m") for f in declared)
    default_decimal = decimal or ("," if source.delimiter == ";" else ".")
    found: dict[str, ValueFormats] = {}
    if not wanted:
        return found
    texts = ", ".join(f"{mapping.columns[n].text} AS {q(n)}" for n in wanted)
    cleaned = ", ".join(f"{sql} AS {q(f'_s{p}')}" for p, sql in mapping.cleaned.items())
    sample_source = records_sample_sql(source)
    try:
        rows = con.execute(
            f"SELECT {texts} FROM (SELECT {cleaned} FROM "
            f"(SELECT * FROM {sample_source} LIMIT {_SAMPLE_ROWS}) AS s) AS s"
        ).fetchall()
    except duckdb.Error:
        rows = []
    for index, name in enumerate(wanted):
        values = [str(row[index]) for row in rows if row[index] is not None]
        column_type = table.column(name).type
        if column_type == "float64":
            found[name] = ValueFormats(decimal=decimal or _decimal_of(values, default_decimal))
        else:
            fast = _fast_format(con, values, declared, day_first)
            found[name] = ValueFormats(fast=fast, declared=declared, zone=zone, day_first=day_first)
    return found


def records_sample_sql(source: Source) -> str:
    """The source without its rejects table, for the bounded sample read."""
    return read_csv_sql(source, keep_rejects=False) if source.kind == "csv" else source.sql


_COMMA_DECIMAL = re.compile(r"^[+-]?\d*,\d+$|^[+-]?\d{1,3}(\.\d{3})+,\d*$")
_DOT_DECIMAL = re.compile(r"^[+-]?\d*\.\d+([eE][+-]?\d+)?$|^[+-]?\d{1,3}(,\d{3})+\.\d*$")
_AMBIGUOUS = re.compile(r"^[+-]?\d{1,3}([.,]\d{3})+$")


def _decimal_of(values: list[str], default: str) -> str:
    """',' or '.', by the unambiguous values of the sample (1.234 or 1,234 say nothing)."""
    comma = dot = 0
    for value in values:
        text = re.sub(r"[\s\u00a0\u202f]", "", value)
        if _AMBIGUOUS.match(text):
            continue
        comma += bool(_COMMA_DECIMAL.match(text))
        dot += bool(_DOT_DECIMAL.match(text))
    if comma > dot:
        return ","
    if dot > comma:
        return "."
    return default


def _fast_format(
    con: duckdb.DuckDBPyConnection, values: list[str], declared: tuple[str, ...], day_first: bool
) -> str | None:
    """The candidate format that parses the most sampled values (at least half of them)."""
    if not values:
        return declared[0] if declared else None
    candidates = [*declared, *(f for f in _FAST_FORMATS if day_first or "%d/%m" not in f)]
    candidates = [f for f in dict.fromkeys(candidates) if "%z" not in f and "%Z" not in f]
    best, best_hits = None, 0
    sample = values[:500]
    for fmt in candidates:
        row = con.execute(
            "SELECT count(try_strptime(v, $f)) FROM unnest($v) AS t(v)", {"f": fmt, "v": sample}
        ).fetchall()[0]
        hits = int(row[0]) if row else 0
        if hits > best_hits:
            best, best_hits = fmt, hits
    return best if best_hits * 2 >= len(sample) else None
