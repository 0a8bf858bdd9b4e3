"""Getting the demo out: into a store (one transaction) or as a directory of plain CSV files.

The CSV writer formats every value itself (ISO dates, 'YYYY-MM-DD HH:MM:SS' timestamps,
true/false, '.' decimals, empty field for null, quotes only when a value needs them) so that
the bytes depend on the data alone, not on a library's defaults.
"""

from __future__ import annotations

import contextlib
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Literal

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from callkpi.store import Store, rollups
from callkpi.store.ledger import LedgerEntry, loaded_by_profile, record_load
from callkpi.store.schema import TABLES

DEMO_PROFILE = "demo"
#: DuckDB's memory limit while a demo is written, then while its rollups are rebuilt (SET
#: memory_limit, restored after; its default is 80 % of RAM, and it keeps the blocks it wrote
#: cached up to that). The generator needs ~5 GB of its own for a 10M-call shard; the rollups
#: of 100M calls need ~3.5 GB that DuckDB cannot spill (docs/performance.md).
DUCKDB_MEMORY = {"write": "2GB", "rollups": "6GB"}

_NEEDS_QUOTES = r'[",\r\n]'


def load_into_store(store: Store, tables: Mapping[str, pa.Table]) -> dict[str, int]:
    """Insert every table in one transaction (all or nothing); returns rows inserted per table."""
    return load_parts(store, [tables])


def replace_data(store: Store, tables: Mapping[str, pa.Table]) -> dict[str, int]:
    """Empty every canonical table and the ledger, then load: one transaction (for a
    server database, which cannot be deleted and recreated like a file)."""
    return load_parts(store, [tables], replace=True)


def load_parts(
    store: Store, parts: Iterable[Mapping[str, pa.Table]], *, replace: bool = False
) -> dict[str, int]:
    """Insert the parts of a demo one after the other (see shards.demo_parts), then record
    one load per table and rebuild the rollups once: one transaction, emptying every
    canonical table and the ledger first with `replace`. Returns rows inserted per table."""
    counts: Counter[str] = Counter()
    with store.transaction():
        if replace:
            for name in [*TABLES, "imports"]:
                store.execute(f'DELETE FROM "{name}"')
        with _duckdb_memory(store, DUCKDB_MEMORY["write"]):
            for part in parts:
                counts.update(_insert(store, part))
                del part  # else held while the next part is generated
        ordered = {name: counts[name] for name in TABLES if name in counts}
        for name, rows in ordered.items():
            record_load(
                store,
                LedgerEntry(
                    table_name=name,
                    file_name="callkpi demo",
                    file_sha256=None,
                    profile=DEMO_PROFILE,
                    mode="atomic",
                    rows_read=rows,
                    inserted=rows,
                ),
            )
        with _duckdb_memory(store, DUCKDB_MEMORY["rollups"]):
            rollups.rebuild(store)  # every day is new: recompute them all at once
        return ordered


@contextlib.contextmanager
def _duckdb_memory(store: Store, limit: str) -> Iterator[None]:
    """Set DuckDB's memory limit for a while, then put it back (other stores: nothing)."""
    if store.dialect != "duckdb":
        yield
        return
    before = store.scalar("SELECT current_setting('memory_limit')")
    store.execute(f"SET memory_limit = '{limit}'")
    try:
        yield
    finally:
        store.execute(f"SET memory_limit = '{before}'")


def _insert(store: Store, tables: Mapping[str, pa.Table]) -> dict[str, int]:
    return {
        name: store.insert_arrow(name, tables[name].select(TABLES[name].column_names))
        for name in TABLES
        if name in tables
    }


def contents(store: Store) -> Literal["empty", "demo", "other"]:
    """What a store holds: nothing, only the demo's loads, or other data (never replaced)."""
    loads = int(store.scalar("SELECT count(*) FROM imports"))
    if loads:
        return "demo" if loaded_by_profile(store, DEMO_PROFILE) == loads else "other"
    return "empty" if all(store.row_count(name) == 0 for name in TABLES) else "other"


def is_demo_store(path: str | Path) -> bool:
    """True for a store that holds only demo data (so `callkpi demo` may replace it)."""
    from callkpi.store import open_store

    store = open_store(path, read_only=True)
    try:
        loads = int(store.scalar("SELECT count(*) FROM imports"))
        return loads > 0 and loaded_by_profile(store, DEMO_PROFILE) == loads
    finally:
        store.close()


def _text(column: pa.ChunkedArray | pa.Array) -> pa.Array:
    """One column as CSV field text (nulls as empty fields)."""
    array = column.combine_chunks() if isinstance(column, pa.ChunkedArray) else column
    kind = array.type
    if pa.types.is_timestamp(kind):
        # Casting whole seconds to text gives 'YYYY-MM-DD HH:MM:SS' (25x faster than strftime).
        text = pc.cast(array, pa.timestamp("s"), safe=False).cast(pa.string())
    elif pa.types.is_string(kind):
        quoted = pc.binary_join_element_wise('"', pc.replace_substring(array, '"', '""'), '"', "")
        text = pc.if_else(pc.match_substring_regex(array, _NEEDS_QUOTES), quoted, array)
    else:  # dates (ISO), booleans (true/false), integers and floats (shortest round-trip)
        text = array.cast(pa.string())
    return pc.fill_null(text, "")


def _csv_parts(data: pa.Table) -> tuple[bytes, memoryview]:
    """Header and body of a table's CSV (the body is a view on Arrow memory, not a copy)."""
    header = (",".join(data.column_names) + "\n").encode("utf-8")
    if data.num_rows == 0:
        return header, memoryview(b"")
    fields = [_text(data.column(i)) for i in range(data.num_columns)]
    lines = pc.binary_join_element_wise(*fields, ",")
    lines = pc.binary_join_element_wise(lines, "", "\n").cast(pa.large_string())
    # The lines are contiguous in the values buffer: take them in one slice, no Python loop.
    offsets = np.frombuffer(lines.buffers()[1], dtype=np.int64)
    begin, end = offsets[lines.offset], offsets[lines.offset + len(lines)]
    return header, memoryview(lines.buffers()[2])[begin:end]


def csv_bytes(data: pa.Table) -> bytes:
    """A table as UTF-8 CSV: header of column names, comma separated, LF line ends."""
    header, body = _csv_parts(data)
    return header + bytes(body)


def write_csv_dir(tables: Mapping[str, pa.Table], out_dir: Path) -> list[Path]:
    """One `<table>.csv` per table in `out_dir` (created if needed); returns the paths."""
    return write_csv_parts([tables], out_dir)


def write_csv_parts(parts: Iterable[Mapping[str, pa.Table]], out_dir: Path) -> list[Path]:
    """The parts of a demo (see shards.demo_parts) as one `<table>.csv` per table: a table's
    header, then its rows part after part. Returns the paths in schema order."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    written: set[str] = set()
    for part in parts:
        _append_csv(part, out_dir, written)
        del part  # else held while the next part is generated
    return [out_dir / f"{name}.csv" for name in TABLES if name in written]


def _append_csv(tables: Mapping[str, pa.Table], out_dir: Path, written: set[str]) -> None:
    """Add the tables' rows to their files; a file not `written` yet starts anew with its
    header (and joins `written`)."""
    for name in TABLES:
        if name not in tables:
            continue
        header, body = _csv_parts(tables[name])
        with (out_dir / f"{name}.csv").open("ab" if name in written else "wb") as out:
            if name not in written:
                out.write(header)
            out.write(body)
        written.add(name)
