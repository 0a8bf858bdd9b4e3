"""`callkpi import TABLE FILE`: load a canonical CSV into the store, set-wise in DuckDB.

The file is parsed by DuckDB as text, converted and checked in SQL (see `rules`), then
upserted on the table's key in one transaction with its row in the `imports` ledger. Python
only reads the header, hashes the bytes and builds the bounded list of rejects.

Rules worth knowing:
- a reject's `line` is the physical line where its record starts (header = line 1), quoted
  fields spanning lines and blank lines included (see `csvfile.record_lines`);
- values are trimmed of spaces and tabs; an empty or blank field is null; a timestamp may
  also be a bare date (midnight); an offset or Z is applied and the result stored as UTC;
- a reference (a call's campaign_id...) is only checked when the referenced table is not
  empty in the store, so a user who has no agents table can still import calls;
- a key seen twice in the file keeps its first valid occurrence; the others are
  `duplicates` (listed as `duplicate_key` rejects, but not counted in `rejected`);
- on update, columns absent from the file keep their stored value; columns present, even
  empty, overwrite it.
"""

from __future__ import annotations

import difflib
import re
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Literal

import duckdb

from callkpi.errors import DataImportError
from callkpi.ingest.checking import count, find_accepted, find_bad, list_rejects
from callkpi.ingest.csvfile import CsvFile, inspect_csv
from callkpi.ingest.report import ImportReport
from callkpi.ingest.rules import REFERENCES, checks_for, convert_sql, lit, q, raw_name, text_sql
from callkpi.ingest.writing import write_accepted
from callkpi.store import Store, schema
from callkpi.store.ledger import utcnow
from callkpi.store.schema import Table

Mode = Literal["atomic", "skip-invalid"]
MODES: tuple[Mode, ...] = ("atomic", "skip-invalid")


def import_file(
    store: Store,
    table: str,
    path: str | Path,
    *,
    mode: Mode = "atomic",
    dry_run: bool = False,
    user: str | None = None,
) -> ImportReport:
    """Import a canonical CSV file into `table`; return what was (or would be) done.

    `atomic` writes nothing if any row is rejected and raises DataImportError (the report is
    on its `.report`); `skip-invalid` writes the valid rows. `dry_run` writes nothing at all,
    not even the ledger row, and returns the report even when atomic mode would refuse the
    file (its `rejected` says so). `user` defaults to $USER, for the ledger.
    """
    spec = schema.table(table)
    if mode not in MODES:
        raise DataImportError(f"unknown import mode {mode!r}; use one of: {', '.join(MODES)}")
    started = utcnow()
    file = inspect_csv(path)
    columns = map_header(spec, file)
    con = store.connection
    with _scratch(con) as names:
        rows_read = _load(con, spec, file, columns, names["raw"], names["staged"])
        checks = checks_for(spec, columns, _non_empty_references(con, spec))
        rejected = find_bad(con, checks, names["staged"], names["bad"])
        counts = find_accepted(con, spec, names["staged"], names["bad"], names["acc"])
        rejects, total, first = list_rejects(con, spec, file, checks, names["bad"], names["acc"])
        report = ImportReport(
            table=spec.name,
            file_name=file.name,
            file_sha256=file.sha256,
            mode=mode,
            dry_run=dry_run,
            rows_read=rows_read,
            inserted=counts.inserted,
            updated=counts.updated,
            rejected=rejected,
            duplicates=counts.duplicates,
            rejects=rejects,
            rejects_total=total,
        )
        if mode == "atomic" and first is not None and not dry_run:
            error = DataImportError(
                f"{file.name}: {rejected} row(s) rejected, nothing imported; first: "
                f"{first.describe(file.name)}"
            )
            error.report = report
            raise error
        if not dry_run:
            report.import_id = uuid.uuid4().hex
            try:
                write_accepted(store, spec, columns, names["acc"], report, started, user)
            except DataImportError:
                report.import_id = None
                raise
    return report


def map_header(table: Table, file: CsvFile) -> list[str]:
    """The canonical column of each header field, in file order; refuse what cannot map.

    Names are trimmed and case-insensitive; every problem is listed in one message.
    """
    names = [name.strip().lower() for name in file.header]
    known = table.column_names
    if not any(name in known for name in names):
        raise DataImportError(
            f"{file.name}:1: no header row for table {table.name}: the first line must name "
            f"the columns ({', '.join(known)})"
        )
    problems: list[str] = []
    for position, name in enumerate(names, start=1):
        if not name:
            problems.append(f"column {position} of the header has no name")
        elif name not in known:
            close = difflib.get_close_matches(name, known, n=1, cutoff=0.6)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            problems.append(f"unknown column {name!r} for table {table.name}{hint}")
    for name in sorted({n for n in names if n and names.count(n) > 1}):
        problems.append(f"column {name!r} appears more than once in the header")
    missing = [c for c in table.required_columns if c not in names]
    if missing:
        problems.append(f"missing required column(s): {', '.join(missing)}")
    if problems:
        raise DataImportError(f"{file.name}:1: " + "; ".join(problems))
    return names


@contextmanager
def _scratch(con: duckdb.DuckDBPyConnection) -> Iterator[dict[str, str]]:
    """Names for this import's temporary tables, dropped however the import ends."""
    tag = uuid.uuid4().hex[:12]
    names = {part: f"_ckimport_{part}_{tag}" for part in ("raw", "staged", "bad", "acc")}
    try:
        yield names
    finally:
        for name in names.values():
            con.execute(f"DROP TABLE IF EXISTS temp.{q(name)}")


def _load(
    con: duckdb.DuckDBPyConnection,
    spec: Table,
    file: CsvFile,
    columns: list[str],
    raw: str,
    staged: str,
) -> int:
    """Parse the file as trimmed text into `raw` (rowid = record number), type it into `staged`.

    `staged` has every column of the table (null when absent from the file), typed, plus the
    trimmed text of each non-string column of the file, to quote in rejects.
    """
    types = ", ".join(f"{lit(c)}: 'VARCHAR'" for c in columns)
    source = (
        f"read_csv({lit(str(file.path))}, header = true, auto_detect = false, "
        f"columns = {{{types}}}, delim = {lit(file.delimiter)}, quote = '\"', escape = '\"', "
        "strict_mode = true, null_padding = false, encoding = 'utf-8')"
    )
    texts = ", ".join(f"{text_sql(c)} AS {q(c)}" for c in columns)
    try:
        con.execute(f"CREATE TEMP TABLE {q(raw)} AS SELECT {texts} FROM {source}")
    except duckdb.Error as exc:
        raise DataImportError(f"{file.name}: {_csv_error(exc)}") from None
    rows = count(con, f"SELECT count(*) FROM {q(raw)}")
    if rows == 0:
        raise DataImportError(f"{file.name}: the file has a header but no data rows")
    typed: list[str] = []
    for column in spec.columns:
        name = q(column.name)
        if column.name not in columns:
            typed.append(f"CAST(NULL AS {schema.SQL_TYPES[column.type]}) AS {name}")
            continue
        typed.append(f"{convert_sql(name, column.type, file.delimiter)} AS {name}")
        if column.type != "string":
            typed.append(f"{name} AS {q(raw_name(column.name))}")
    con.execute(
        f"CREATE TEMP TABLE {q(staged)} AS SELECT rowid AS _rn, {', '.join(typed)} FROM {q(raw)}"
    )
    con.execute(f"DROP TABLE {q(raw)}")
    return rows


def _csv_error(exc: duckdb.Error) -> str:
    """DuckDB's CSV error cut down to what a user needs: the line and what is wrong."""
    lines = [line.strip() for line in str(exc).splitlines() if line.strip()]
    found = re.search(r"Error on Line: (\d+)", str(exc))
    line_no = found.group(1) if found else None
    # DuckDB puts the reason just before its "Possible fixes" / "Possible Solution" advice.
    end = next((i for i, ln in enumerate(lines) if ln.startswith("Possible")), None)
    reason = lines[end - 1] if end else (lines[0] if lines else type(exc).__name__)
    if reason.startswith("Original Line") or "Error on Line" in reason:
        reason = lines[0]
    where = f"line {line_no}: " if line_no else ""
    return f"broken CSV structure: {where}{reason}"


def _non_empty_references(con: duckdb.DuckDBPyConnection, spec: Table) -> list[str]:
    """The referenced tables holding at least one row: the only ones checked against."""
    targets = sorted({target for _, target, _ in REFERENCES.get(spec.name, ())})
    return [t for t in targets if count(con, f"SELECT count(*) FROM (FROM {q(t)} LIMIT 1)")]
