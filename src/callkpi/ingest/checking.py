"""From the refused rows DuckDB found to the rejects users read: line, column, code, value.

Problems come from four places (records the CSV reader could not split, tagged rows from the
scan, unknown references, in-file duplicates); each is numbered by its record in the file,
sorted in file order, cut at MAX_REJECTS, and given its physical line.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import duckdb

from callkpi.ingest.csvfile import logical_to_records, record_lines
from callkpi.ingest.report import MAX_REJECTS, REDACTED, Reject, redact
from callkpi.ingest.rules import REFERENCES, q
from callkpi.ingest.scan import Scan
from callkpi.ingest.sources import Source
from callkpi.store.schema import Table

_BAD_ROW = {
    "TOO MANY COLUMNS": "more fields than the header",
    "MISSING COLUMNS": "fewer fields than the header (a truncated line?)",
    "UNQUOTED VALUE": "a quote is not closed where it should be (the record may run on)",
    "INVALID ENCODING": "bytes that are not valid in the file's encoding",
    "LINE SIZE OVER MAXIMUM": "the line is too long",
}


@dataclass(frozen=True)
class Problem:
    record: int  # index among all records of the file
    order: int  # check order within a record
    column: str | None
    code: str
    value: str | None
    message: str
    first: int | None = None  # duplicates: record of the kept occurrence


@dataclass(frozen=True)
class BrokenRecords:
    """Records the CSV reader refused: their file record indices and first problems."""

    records: list[int]
    problems: list[Problem]
    encoding_errors: int


def broken_records(con: duckdb.DuckDBPyConnection, source: Source, personal: bool) -> BrokenRecords:
    """Read this import's rejects table (CSV only)."""
    if source.kind != "csv" or not source.rejects_table:
        return BrokenRecords([], [], 0)
    try:
        rows = con.execute(
            f"SELECT e.line, any_value(e.error_type), any_value(e.error_message), "
            f"any_value(e.csv_line) FROM {q(source.rejects_table)} e "
            f"GROUP BY e.line ORDER BY e.line"
        ).fetchall()
    except duckdb.CatalogException:
        return BrokenRecords([], [], 0)
    assert source.read_path is not None and source.delimiter is not None
    located = logical_to_records(
        source.read_path,
        source.delimiter,
        [int(r[0]) for r in rows],
        header=source.has_header,
        quote=source.quote,
    )
    records: list[int] = []
    problems: list[Problem] = []
    encoding_errors = 0
    for line, kind, message, text in rows:
        record, _ = located.get(int(line), (int(line) - 2, int(line)))
        records.append(record)
        encoding_errors += kind == "INVALID ENCODING"
        reason = _BAD_ROW.get(str(kind), str(kind).lower())
        detail = (
            f"{reason}: {message}" if kind in ("TOO MANY COLUMNS", "MISSING COLUMNS") else reason
        )
        value = REDACTED if personal and text else redact(str(text or "").strip() or None, False)
        problems.append(Problem(record, -1, None, "bad_row", value, detail))
    return BrokenRecords(sorted(records), problems, encoding_errors)


def file_record(index: int, broken: list[int]) -> int:
    """The file record of the `index`-th record DuckDB accepted (broken ones are skipped)."""
    record = index
    for skipped in broken:
        if skipped <= record:
            record += 1
        else:
            break
    return record


def tag_problems(
    table: Table, scan: Scan, tags: list[tuple[int, str]], broken: list[int]
) -> list[Problem]:
    """Decode the scan's tags (mask + raw values) into one problem per failed check."""
    problems: list[Problem] = []
    for index, tag in tags:
        mask_text, _, payload = tag[1:].partition("\x02")
        mask = int(mask_text)
        try:
            raws = json.loads(payload) if payload else []
        except json.JSONDecodeError:  # pragma: no cover - the scan writes valid JSON
            raws = []
        values = dict(zip(scan.raw_columns, raws, strict=False))
        record = file_record(index, broken)
        for row_check in scan.checks:
            if not mask & (1 << row_check.index):
                continue
            check = row_check.check
            message = check.message
            if check.quote:
                message = f"{message} {values.get(check.quote) or ''}".rstrip()
            value = values.get(check.column)
            personal = check.column in table.personal_data
            problems.append(
                Problem(
                    record,
                    row_check.index,
                    check.column,
                    check.code,
                    redact(value, personal and value != REDACTED),
                    message,
                )
            )
    return problems


def reference_problems(
    table: Table, rows: list[tuple[int, str, str]], broken: list[int], base: int
) -> list[Problem]:
    targets = {c: f"{t}.{tc}" for c, t, tc in REFERENCES.get(table.name, ())}
    return [
        Problem(
            file_record(index, broken),
            base,
            column,
            "unknown_reference",
            value,
            f"not found in {targets[column]}",
        )
        for index, column, value in rows
    ]


def duplicate_problems(
    table: Table, rows: list[tuple[int, int, list[str | None]]], broken: list[int], base: int
) -> list[Problem]:
    problems: list[Problem] = []
    for index, first, key in rows:
        if len(table.key) == 1:
            column: str | None = table.key[0]
            value = key[0]
        else:
            column = None
            value = ", ".join(f"{k}={v or ''}" for k, v in zip(table.key, key, strict=True))
        problems.append(
            Problem(
                file_record(index, broken),
                base,
                column,
                "duplicate_key",
                value,
                "",
                file_record(first, broken),
            )
        )
    return problems


def to_rejects(source: Source, problems: list[Problem]) -> tuple[list[Reject], Reject | None]:
    """The first MAX_REJECTS problems in file order, with lines; and the first refusal."""
    ordered = sorted(problems, key=lambda p: (p.record, p.order))
    shown = ordered[:MAX_REJECTS]
    first = next((p for p in ordered if p.code != "duplicate_key"), None)
    wanted = {p.record for p in shown} | {p.first for p in shown if p.first is not None}
    if first is not None:
        wanted.add(first.record)
    lines = line_numbers(source, wanted)

    def reject(problem: Problem) -> Reject:
        message = problem.message
        if problem.code == "duplicate_key" and problem.first is not None:
            seen = lines.get(problem.first, problem.first + 2)
            message = f"key already seen on line {seen}; the first occurrence is kept"
        line = lines.get(problem.record, problem.record + 2)
        return Reject(line, problem.column, problem.code, problem.value, message)

    return [reject(p) for p in shown], (reject(first) if first else None)


def line_numbers(source: Source, records: set[int]) -> dict[int, int]:
    """File record index -> the line (CSV), sheet row (Excel) or record number users see."""
    if source.kind == "csv":
        assert source.read_path is not None and source.delimiter is not None
        return record_lines(
            source.read_path,
            source.delimiter,
            records,
            header=source.has_header,
            quote=source.quote,
        )
    if source.kind == "excel" and source.row_numbers is not None:
        numbers = source.row_numbers
        return {r: numbers[r] for r in records if 0 <= r < len(numbers)}
    return {r: r + 1 for r in records}


def drop_rejects_tables(con: duckdb.DuckDBPyConnection, source: Source) -> None:
    for name in (source.rejects_table, source.rejects_scan):
        if name:
            con.execute(f"DROP TABLE IF EXISTS temp.{q(name)}")
