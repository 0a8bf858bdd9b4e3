"""The byte-level side of a CSV import: existence, encoding, header, delimiter, line numbers.

DuckDB parses the records; this module does what it cannot say clearly: refuse a missing,
empty, binary or non-UTF-8 file with a message a user can act on, hash the bytes for the
ledger, read the header to map columns, and turn record numbers back into physical lines.
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from callkpi.errors import DataImportError

_CHUNK = 1 << 20
_MAX_HEADER_BYTES = 1 << 20
_UTF8_BOM = codecs.BOM_UTF8
_SAVE_AS_UTF8 = "save it as UTF-8 (in Excel: 'CSV UTF-8') and import it again"


@dataclass(frozen=True)
class CsvFile:
    """What was learnt about a file before parsing it."""

    path: Path
    name: str
    sha256: str
    delimiter: str
    header: list[str]


def inspect_csv(path: str | Path) -> CsvFile:
    """Check a file is a non-empty UTF-8 text file, hash it and read its header.

    Reads the whole file once (hash and UTF-8 check together), in chunks.
    """
    file = Path(path)
    if not file.exists():
        raise DataImportError(f"{file}: file not found")
    if not file.is_file():
        raise DataImportError(f"{file}: not a file")
    if file.stat().st_size == 0:
        raise DataImportError(f"{file}: the file is empty (0 bytes)")
    sha256 = _hash_and_check_utf8(file)
    header_line = _first_line(file)
    if not header_line.strip():
        raise DataImportError(
            f"{file}:1: no header: the first line is empty; it must name the columns"
        )
    delimiter = detect_delimiter(header_line)
    header = next(csv.reader([header_line], delimiter=delimiter, quotechar='"'))
    return CsvFile(file, file.name, sha256, delimiter, header)


def detect_delimiter(header_line: str) -> str:
    """`;` if the header has more semicolons than commas outside quotes, else `,`."""
    unquoted = re.sub(r'"[^"]*"', "", header_line)
    return ";" if unquoted.count(";") > unquoted.count(",") else ","


def _hash_and_check_utf8(file: Path) -> str:
    digest = hashlib.sha256()
    decoder = codecs.getincrementaldecoder("utf-8")()
    newlines = 0
    with file.open("rb") as stream:
        first = True
        while chunk := stream.read(_CHUNK):
            if first:
                _refuse_binary(file, chunk)
                first = False
            digest.update(chunk)
            try:
                decoder.decode(chunk)
            except UnicodeDecodeError as exc:
                line = newlines + chunk.count(b"\n", 0, max(exc.start, 0)) + 1
                bad = chunk[exc.start : exc.start + 1].hex().upper()
                raise DataImportError(
                    f"{file}:{line}: the encoding is not UTF-8 (byte 0x{bad}); {_SAVE_AS_UTF8}"
                ) from None
            newlines += chunk.count(b"\n")
        try:
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            raise DataImportError(
                f"{file}: the encoding is not UTF-8 (the file ends in the middle of a "
                f"character); {_SAVE_AS_UTF8}"
            ) from None
    return digest.hexdigest()


def _refuse_binary(file: Path, head: bytes) -> None:
    """Name the usual suspects (spreadsheet, UTF-16 export) rather than a decode error."""
    if head.startswith(b"PK\x03\x04") or head.startswith(b"\xd0\xcf\x11\xe0"):
        raise DataImportError(
            f"{file}: this is a spreadsheet or archive, not a CSV text file; "
            "export it as CSV UTF-8 and import that"
        )
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise DataImportError(f"{file}: the encoding is UTF-16, not UTF-8; {_SAVE_AS_UTF8}")
    if b"\x00" in head:
        raise DataImportError(
            f"{file}: this looks like a binary file (it contains NUL bytes), not a CSV text "
            f"file; if it is text in another encoding, {_SAVE_AS_UTF8}"
        )


def _first_line(file: Path) -> str:
    with file.open("rb") as stream:
        raw = stream.readline(_MAX_HEADER_BYTES)
    return raw.removeprefix(_UTF8_BOM).decode("utf-8").rstrip("\r\n")


def record_lines(file: Path, delimiter: str, records: Iterable[int]) -> dict[int, int]:
    """Physical line (1-based) where each data record starts; record 0 follows the header.

    Follows the CSV quoting so that a quoted field spanning lines counts every line, and
    skips blank lines as DuckDB does. Quote state is tracked by parity, with an exact scan of
    the lines holding an odd number of quotes; a line with an even number of quotes of which
    one is a stray quote inside an unquoted field (`ab"c`) can still shift later numbers.
    The scan stops after the last record asked for.
    """
    wanted = set(records)
    if not wanted:
        return {}
    last = max(wanted)
    found: dict[int, int] = {}
    delim = delimiter.encode()
    index = -2  # the header is record -1
    inside = False
    with file.open("rb") as stream:
        for number, line in enumerate(stream, start=1):
            if not inside:
                if not line.strip(b"\r\n"):
                    continue
                index += 1
                if index > last:
                    break
                if index in wanted:
                    found[index] = number
            if line.count(b'"') % 2:
                inside = _still_inside(line, inside, delim)
    return found


def _still_inside(line: bytes, inside: bool, delim: bytes) -> bool:
    """Whether a record is inside a quoted field at the end of `line` (exact scan)."""
    at_field_start = not inside
    i, size = 0, len(line)
    while i < size:
        char = line[i : i + 1]
        if inside:
            if char == b'"':
                if line[i + 1 : i + 2] == b'"':
                    i += 1
                else:
                    inside = False
                    at_field_start = False
        elif char == b'"' and at_field_start:
            inside = True
        else:
            at_field_start = char == delim
        i += 1
    return inside
