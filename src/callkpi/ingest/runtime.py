"""What runs around the import's statements: progress reports and a memory ceiling.

Both are connection settings of DuckDB; they are set for the import and put back after.
"""

from __future__ import annotations

import contextlib
import re
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import duckdb

from callkpi.ingest.sources import Source

#: DuckDB's memory limit during an import: the scan streams, and the key check spills to
#: disk past it, so a 10M-row file peaks under 1 GB of RSS instead of 2 GB.
IMPORT_MEMORY_LIMIT = "1GB"


@dataclass(frozen=True)
class ImportProgress:
    """Where a running import is; `rows` and `total` are estimates while reading."""

    phase: str  # reading, checking, done
    rows: int
    total: int | None


ProgressCallback = Callable[[ImportProgress], None]


def estimate(source: Source) -> int | None:
    """Rows in the file, guessed from its size and the length of its first lines."""
    if source.row_numbers is not None:
        return len(source.row_numbers)
    if source.kind not in ("csv", "jsonl") or source.path.suffix.lower() == ".gz":
        return None
    try:
        with source.path.open("rb") as stream:
            head = stream.read(1 << 16)
    except OSError:  # pragma: no cover
        return None
    lines = head.count(b"\n")
    return max(int(source.size / (len(head) / lines)) - 1, 1) if lines else None


@contextlib.contextmanager
def bounded_memory(con: duckdb.DuckDBPyConnection) -> Iterator[None]:
    """Lower DuckDB's memory limit (a database-wide setting) for the import, then restore it."""
    row = con.execute("SELECT current_setting('memory_limit')").fetchall()[0]
    before = str(row[0]) if row else ""
    if _bytes(before) <= _bytes(IMPORT_MEMORY_LIMIT):
        yield
        return
    con.execute(f"SET memory_limit = '{IMPORT_MEMORY_LIMIT}'")
    try:
        yield
    finally:
        con.execute("RESET memory_limit")  # exact default, no rounding drift
        row = con.execute("SELECT current_setting('memory_limit')").fetchall()[0]
        if row and str(row[0]) != before:
            con.execute("SET memory_limit = $v", {"v": before})


def _bytes(text: str) -> float:
    """'18.8 GiB' or '1GB' in bytes (infinite when unreadable or unlimited)."""
    found = re.match(r"\s*([\d.]+)\s*([KMGT]?)i?B", text, re.IGNORECASE)
    if not found:
        return float("inf")
    scale = {"": 1, "K": 1e3, "M": 1e6, "G": 1e9, "T": 1e12}[found.group(2).upper()]
    return float(found.group(1)) * scale


@contextlib.contextmanager
def polling(
    con: duckdb.DuckDBPyConnection, callback: ProgressCallback | None, total: int | None
) -> Iterator[None]:
    """Report DuckDB's progress on the running statement every 0.2 s, from a thread."""
    if callback is None:
        yield
        return
    settings = ("enable_progress_bar", "enable_progress_bar_print")
    before = con.execute(
        f"SELECT {', '.join(f'current_setting({chr(39)}{n}{chr(39)})' for n in settings)}"
    ).fetchall()[0]
    con.execute("SET enable_progress_bar = true")
    con.execute("SET enable_progress_bar_print = false")
    stop = threading.Event()

    def poll() -> None:
        while not stop.wait(0.2):
            try:
                percent = con.query_progress()
            except duckdb.Error:  # pragma: no cover - between statements
                continue
            if percent >= 0:
                rows = int((total or 0) * min(percent, 100.0) / 100)
                callback(ImportProgress("reading", rows, total))

    callback(ImportProgress("reading", 0, total))
    thread = threading.Thread(target=poll, daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join()
        for name, value in zip(settings, before, strict=True):
            with contextlib.suppress(duckdb.Error):  # not in an aborted transaction
                con.execute(f"SET {name} = {str(bool(value)).lower()}")
        callback(ImportProgress("checking", total or 0, total))
