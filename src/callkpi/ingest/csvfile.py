"""Line numbers of CSV records, for reject reports: a record's physical line in the file.

DuckDB parses the records but gives no line number for a record it accepts, and numbers
the records it rejects by *logical* line (records and blank lines, not the newlines inside
quoted fields). This scanner walks the file once, following the quoting, to translate both
into physical lines; it runs only when there is something to report, and stops after the
last record asked for.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path


def _records(
    file: Path, delimiter: str, quote: str, header: bool
) -> Iterator[tuple[int, int, int]]:
    """(record index, physical line, logical line) of each record; record 0 is the first
    data record, after the header when there is one."""
    delim = delimiter.encode()
    quote_byte = quote.encode()
    index = -2 if header else -1
    logical = 0
    inside = False
    with file.open("rb") as stream:
        for number, line in enumerate(stream, start=1):
            if not inside:
                logical += 1
                if not line.strip(b"\r\n"):
                    continue
                index += 1
                if index >= 0:
                    yield index, number, logical
            if quote_byte and line.count(quote_byte) % 2:
                inside = _still_inside(line, inside, delim, quote_byte)


def record_lines(
    file: Path, delimiter: str, records: Iterable[int], *, header: bool = True, quote: str = '"'
) -> dict[int, int]:
    """Physical line (1-based) where each data record starts; record 0 follows the header.

    Follows the CSV quoting so that a quoted field spanning lines counts every line, and
    skips blank lines as DuckDB does. Quote state is tracked by parity, with an exact scan of
    the lines holding an odd number of quotes; a line with an even number of quotes of which
    one is a stray quote inside an unquoted field (`ab"c`) can still shift later numbers.
    """
    wanted = set(records)
    found: dict[int, int] = {}
    if not wanted:
        return found
    last = max(wanted)
    for index, physical, _ in _records(file, delimiter, quote, header):
        if index in wanted:
            found[index] = physical
        if index >= last:
            break
    return found


def logical_to_records(
    file: Path, delimiter: str, logical: Iterable[int], *, header: bool = True, quote: str = '"'
) -> dict[int, tuple[int, int]]:
    """DuckDB's line number of a rejected record -> (record index, physical line)."""
    wanted = set(logical)
    found: dict[int, tuple[int, int]] = {}
    if not wanted:
        return found
    last = max(wanted)
    for index, physical, line in _records(file, delimiter, quote, header):
        if line in wanted:
            found[line] = (index, physical)
        if line >= last:
            break
    return found


def _still_inside(line: bytes, inside: bool, delim: bytes, quote: bytes) -> bool:
    """Whether a record is inside a quoted field at the end of `line` (exact scan)."""
    at_field_start = not inside
    i, size = 0, len(line)
    while i < size:
        char = line[i : i + 1]
        if inside:
            if char == quote:
                if line[i + 1 : i + 2] == quote:
                    i += 1
                else:
                    inside = False
                    at_field_start = False
        elif char == quote and at_field_start:
            inside = True
        else:
            at_field_start = char == delim
        i += 1
    return inside
