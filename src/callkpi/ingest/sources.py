"""Any supported file as one SQL source of text columns `c0, c1, ...` in file order.

CSV (any delimiter among `; , tab |`, any of UTF-8, UTF-8 with BOM, UTF-16, cp1252,
latin-1; optionally gzipped) is read by DuckDB's `read_csv`, streamed, with broken records
kept aside in a rejects table instead of stopping the import. Parquet and JSON lines are
read by DuckDB's built-in readers. Excel sheets are read with python-calamine into Arrow.
"""

from __future__ import annotations

import csv
import io
import json
import re
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb

from callkpi.errors import DataImportError
from callkpi.ingest.encoding import kind_of, read_head, sniff, transcode
from callkpi.ingest.profiles import Profile, SourceSpec, normalise
from callkpi.ingest.rules import lit, q

DELIMITERS = (",", ";", "\t", "|")
_SAMPLE_LINES = 50


@dataclass
class Source:
    """A file ready to be read with `FROM {sql}`; `header` names its columns in order."""

    path: Path
    kind: str
    header: list[str]
    sql: str
    encoding: str = "utf-8"
    encoding_certain: bool = True
    delimiter: str | None = None
    has_header: bool = True
    read_path: Path | None = None  # the file DuckDB reads (a UTF-8 copy when transcoded)
    rejects_table: str | None = None
    rejects_scan: str | None = None
    row_numbers: list[int] | None = None  # Excel: the sheet row of each record
    size: int = 0
    quote: str = '"'
    registered: str | None = None  # Excel: the Arrow table registered on the connection
    notes: list[str] = field(default_factory=list)


def open_source(
    con: duckdb.DuckDBPyConnection,
    path: Path,
    profile: Profile,
    scratch: Path,
    *,
    sheet: str | None = None,
    encoding: str | None = None,
) -> Source:
    """Inspect the file and build its SQL source; refuse what cannot be read."""
    if not path.exists():
        raise DataImportError(f"{path}: file not found")
    if not path.is_file():
        raise DataImportError(f"{path}: not a file")
    size = path.stat().st_size
    if size == 0:
        raise DataImportError(f"{path}: the file is empty (0 bytes)")
    head = read_head(path)
    kind = kind_of(path, head)
    if kind == "excel":
        from callkpi.ingest.excel import open_excel

        return open_excel(con, path, profile.source, sheet, size)
    if kind == "parquet":
        return _parquet(con, path, size)
    if kind == "jsonl":
        return _jsonl(path, head, size)
    return _csv(path, head, profile.source, scratch, size, encoding)


def _parquet(con: duckdb.DuckDBPyConnection, path: Path, size: int) -> Source:
    reader = f"read_parquet({lit(str(path))})"
    try:
        names = [row[0] for row in con.execute(f"DESCRIBE SELECT * FROM {reader}").fetchall()]
    except duckdb.Error as exc:
        raise DataImportError(f"{path}: not a readable Parquet file: {_first(exc)}") from None
    columns = ", ".join(f"CAST({q(n)} AS VARCHAR) AS c{i}" for i, n in enumerate(names))
    return Source(path, "parquet", names, f"(SELECT {columns} FROM {reader})", size=size)


def _jsonl(path: Path, head: bytes, size: int) -> Source:
    sniffed = sniff(path, head)
    if sniffed.encoding != "utf-8":
        raise DataImportError(f"{path}: JSON lines must be UTF-8 (found {sniffed.encoding})")
    names: dict[str, None] = {}
    for number, line in enumerate(sniffed.head.splitlines()[:1000], start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            if number == len(sniffed.head.splitlines()) and len(head) >= (1 << 20):
                break  # the head cut the line
            raise DataImportError(f"{path}:{number}: not a JSON object: {exc.msg}") from None
        if not isinstance(record, dict):
            raise DataImportError(f"{path}:{number}: each line must be a JSON object")
        names.update(dict.fromkeys(record))
    if not names:
        raise DataImportError(f"{path}: no JSON object found")
    header = list(names)
    columns = ", ".join(f"{lit(n)}: 'VARCHAR'" for n in header)
    reader = f"read_json({lit(str(path))}, format = 'newline_delimited', columns = {{{columns}}})"
    select = ", ".join(f"{q(n)} AS c{i}" for i, n in enumerate(header))
    return Source(path, "jsonl", header, f"(SELECT {select} FROM {reader})", size=size)


def _csv(
    path: Path, head: bytes, spec: SourceSpec, scratch: Path, size: int, forced: str | None
) -> Source:
    sniffed = sniff(path, head)
    encoding = forced or sniffed.encoding
    text = head.decode(encoding, errors="replace") if forced else sniffed.head
    text = text.removeprefix("\ufeff")
    lines = text.splitlines()
    if not lines or not lines[0].strip():
        raise DataImportError(
            f"{path}:1: no header: the first line is empty; it must name the columns"
        )
    delimiter = spec.delimiter or detect_delimiter(lines[:_SAMPLE_LINES])
    first = _fields(lines[0], delimiter, spec.quote)
    has_header = _has_header(first, spec)
    if has_header:
        header = first
    else:
        count = max(len(first), 1)
        header = [*spec.names[:count], *(f"_extra_{i}" for i in range(len(spec.names), count))]
    stop = footer_offset(path, encoding, spec.footer) if spec.footer else None
    read_path = path
    if encoding != "utf-8" or stop is not None:
        read_path = scratch / f"{uuid.uuid4().hex}.csv"
        skip = _bom_length(head) if encoding == "utf-8" else 0
        transcode(path, read_path, encoding, skip=skip, stop=stop)
    tag = uuid.uuid4().hex[:12]
    source = Source(
        path,
        "csv",
        header,
        "",
        encoding=encoding,
        encoding_certain=sniffed.certain or forced is not None,
        delimiter=delimiter,
        has_header=has_header,
        read_path=read_path,
        rejects_table=f"_ckimport_rejects_{tag}",
        rejects_scan=f"_ckimport_scans_{tag}",
        size=size,
        quote=spec.quote,
    )
    source.sql = read_csv_sql(source)
    return source


def read_csv_sql(source: Source, *, keep_rejects: bool = True) -> str:
    """DuckDB's streaming CSV reader for the source; broken records go to its rejects table."""
    assert source.read_path is not None and source.delimiter is not None
    columns = ", ".join(f"'c{i}': 'VARCHAR'" for i in range(len(source.header)))
    rejects = (
        f"store_rejects = true, rejects_table = {lit(source.rejects_table or '')}, "
        f"rejects_scan = {lit(source.rejects_scan or '')}, "
        if keep_rejects
        else ""
    )
    return (
        f"read_csv({lit(str(source.read_path))}, header = {str(source.has_header).lower()}, "
        f"auto_detect = false, columns = {{{columns}}}, delim = {lit(source.delimiter)}, "
        f"quote = {lit(source.quote)}, escape = {lit(source.quote)}, strict_mode = true, "
        f"null_padding = false, encoding = 'utf-8', ignore_errors = true, {rejects}"
        "max_line_size = 10000000)"
    )


def detect_delimiter(lines: list[str]) -> str:
    """The candidate that splits the header in most fields, consistently over the sample."""
    best, best_score = ",", (-1.0, 0)
    complete = lines[:-1] if len(lines) > 1 else lines
    for delimiter in DELIMITERS:
        counts = [len(_fields(line, delimiter, '"')) for line in complete if line.strip()]
        if not counts or counts[0] < 2:
            continue
        consistent = sum(c == counts[0] for c in counts) / len(counts)
        score = (round(consistent, 2), counts[0])
        if score > best_score:
            best, best_score = delimiter, score
    return best


def _fields(line: str, delimiter: str, quote: str) -> list[str]:
    if not quote:
        return line.split(delimiter)
    return next(csv.reader([line], delimiter=delimiter, quotechar=quote), [])


def _has_header(first: list[str], spec: SourceSpec) -> bool:
    if spec.header is True:
        return True
    if spec.header is False:
        return False
    known = {normalise(n) for n in spec.names}
    hits = sum(normalise(f) in known for f in first)
    return hits >= min(3, max(1, len(first) // 2))


def _bom_length(head: bytes) -> int:
    return 3 if head.startswith(b"\xef\xbb\xbf") else 0


def footer_offset(path: Path, encoding: str, patterns: list[str]) -> int | None:
    """Byte offset where trailing footer lines start (Salesforce reports), None if none.

    A footer is a run of lines at the end of the file, each blank, matching one of the
    patterns, or holding no delimiter at all (an organisation name), with at least one match.
    """
    if path.suffix.lower() == ".gz":
        return None
    with path.open("rb") as stream:
        stream.seek(0, io.SEEK_END)
        total = stream.tell()
        stream.seek(max(total - 65536, 0))
        data = stream.read()
    lines = data.decode(encoding, errors="replace").splitlines(keepends=True)
    compiled = [re.compile(p, re.IGNORECASE) for p in patterns]
    cut: int | None = None
    matched = False
    for index in range(len(lines) - 1, 0, -1):
        line = lines[index].strip()
        is_match = any(p.search(line) for p in compiled)
        if line and not is_match and any(d in line for d in DELIMITERS):
            break
        matched = matched or is_match
        cut = index
    if cut is None or not matched:
        return None
    kept = "".join(lines[:cut]).encode(encoding, errors="replace")
    return total - len(data) + len(kept)


def _first(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def records_sample(
    con: duckdb.DuckDBPyConnection, source: Source, limit: int
) -> list[tuple[Any, ...]]:
    """The first `limit` records as text, for format detection (a cheap, bounded read)."""
    sql = read_csv_sql(source, keep_rejects=False) if source.kind == "csv" else source.sql
    try:
        return con.execute(f"SELECT * FROM {sql} LIMIT {int(limit)}").fetchall()
    except duckdb.Error as exc:
        raise DataImportError(f"{source.path.name}: cannot read the file: {_first(exc)}") from None
