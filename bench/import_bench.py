"""Import speed: callkpi's validated import vs DuckDB's bare read_csv vs pandas, same run.

    .venv/bin/python bench/import_bench.py --rows 10000000 --repeat 3
    .venv/bin/python bench/import_bench.py --rows 1000000 --db duckdb --db postgresql://postgres@127.0.0.1:5432/postgres

Writes a French-style calls CSV (`;`, decimal comma, dd/mm/yyyy HH:MM:SS, UTF-8 with BOM)
and the same rows in cp1252 into a temporary folder (nothing is kept unless --keep), then
times, each in a fresh process so that peak memory is the task's own:
- `callkpi`: `callkpi.ingest.import_file` into a new DuckDB file, full validation, times
  read as Europe/Paris and stored in UTC; with `--db postgresql://USER@HOST:PORT/DB` (a user
  who may create databases) into a new database made for each run next to DB and dropped
  after, and with `--db spark://local/FOLDER` into a new warehouse below FOLDER (the JVM
  starts before the clock does). `--db` may be given several times; default `duckdb`;
- `again` (with `--updates`): the UTF-8 file imported twice into the same new store, the
  second import timed (every row an update of a stored key);
- `duckdb`: `CREATE TABLE calls AS SELECT * FROM read_csv(file)` into a new DuckDB file
  (auto-detected types; DuckDB cannot read cp1252 without downloading an extension);
- `pandas`: `pandas.read_csv(file, sep=';', decimal=',')` into memory only.
Prints a Markdown table (median of the runs) for docs/performance.md.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

HEADER = (
    "call_id;campaign_id;agent_id;contact_id;lead_id;direction;started_at;ring_s;talk_s;"
    "hold_s;wrap_s;outcome;attempt_no;tracking_code\n"
)
OUTCOMES = (
    "['no_answer','busy','voicemail','failed','wrong_party','refused','callback',"
    "'do_not_call','promise','appointment','sale']"
)


def write_files(folder: Path, rows: int) -> tuple[Path, Path]:
    """The UTF-8 (BOM) file, written by DuckDB's COPY, and its cp1252 twin."""
    import duckdb

    body = folder / "body.csv"
    decimal = "replace(printf('%.1f', {x}), '.', ',')"
    duckdb.connect().execute(
        f"""
COPY (
  SELECT
    'C' || lpad(CAST(i AS VARCHAR), 9, '0'),
    'K' || CAST(i % 40 AS VARCHAR),
    'A' || CAST(i % 300 AS VARCHAR),
    'P' || CAST((i * 7) % 2000000 AS VARCHAR),
    CASE WHEN i % 3 = 0 THEN NULL ELSE 'L' || CAST((i * 3) % 4000000 AS VARCHAR) END,
    CASE WHEN i % 10 = 0 THEN 'inbound' ELSE 'outbound' END,
    strftime(TIMESTAMP '2025-01-01 08:00:00' + to_seconds(CAST((i * 37) % 31536000 AS BIGINT)),
             '%d/%m/%Y %H:%M:%S'),
    {decimal.format(x="(i % 300) / 10.0")},
    {decimal.format(x="(i * 13 % 9000) / 10.0")},
    {decimal.format(x="(i % 60) / 1.0")},
    {decimal.format(x="(i % 1200) / 10.0")},
    ({OUTCOMES})[1 + CAST(i % 11 AS INTEGER)],
    CAST(1 + i % 5 AS VARCHAR),
    CASE WHEN i % 4 = 0 THEN NULL ELSE 'Été ' || CAST(i % 40 AS VARCHAR) || ' €' END
  FROM range({rows}) t(i)
) TO '{body}' (FORMAT csv, DELIMITER ';', HEADER false)
"""
    )
    utf8, cp1252 = folder / "calls_fr_utf8.csv", folder / "calls_fr_cp1252.csv"
    with utf8.open("wb") as out8, cp1252.open("wb") as out1252, body.open("rb") as source:
        out8.write(b"\xef\xbb\xbf" + HEADER.encode())
        out1252.write(HEADER.encode("cp1252"))
        while chunk := source.read(1 << 24):
            cut = chunk.rfind(b"\n") + 1 or len(chunk)  # whole lines: no split character
            out8.write(chunk[:cut])
            out1252.write(chunk[:cut].decode("utf-8").encode("cp1252"))
            source.seek(cut - len(chunk), 1)
    body.unlink()
    return utf8, cp1252


@contextlib.contextmanager
def new_store(db: str, folder: Path) -> Iterator[str]:
    """The location of a new, empty store of kind `db` (see the module doc), removed after."""
    if db == "duckdb":
        yield str(folder / f"callkpi-{time.time_ns()}.duckdb")
    elif db.startswith("spark://"):
        warehouse = f"{db.rstrip('/')}/bench-{time.time_ns()}"
        try:
            yield warehouse
        finally:
            shutil.rmtree(urlsplit(warehouse).path, ignore_errors=True)
    else:
        import psycopg

        name = f"callkpi_bench_{time.time_ns()}"
        with psycopg.connect(db, autocommit=True) as con:
            con.execute(f'CREATE DATABASE "{name}"')
        try:
            yield urlunsplit(urlsplit(db)._replace(path=f"/{name}"))
        finally:
            with psycopg.connect(db, autocommit=True) as con:
                con.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def child(task: str, file: Path, where: str) -> dict[str, float]:
    """Run one task in this (fresh) process; return seconds, rows and peak RSS. `where` is
    the store's location (callkpi) or a scratch folder."""
    started = time.perf_counter()
    folder = Path(where)
    if task in ("callkpi", "again"):
        from callkpi.ingest import import_file
        from callkpi.store import open_store

        store = open_store(where)
        if task == "again":  # the file once, untimed: the timed import updates every row
            import_file(store, "calls", file, timezone="Europe/Paris")
        started = time.perf_counter()
        report = import_file(store, "calls", file, timezone="Europe/Paris")
        rows = report.inserted if task == "callkpi" else report.updated
        assert report.rejected == 0 and rows == report.rows_read
        store.close()
    elif task == "duckdb":
        import duckdb

        con = duckdb.connect(str(folder / f"bare-{time.time_ns()}.duckdb"))
        started = time.perf_counter()
        con.execute(f"CREATE TABLE calls AS SELECT * FROM read_csv('{file}')")
        rows = con.execute("SELECT count(*) FROM calls").fetchall()[0][0]
        con.close()
    else:
        import pandas as pd

        encoding = "cp1252" if "cp1252" in file.name else "utf-8-sig"
        started = time.perf_counter()
        rows = len(pd.read_csv(file, sep=";", decimal=",", encoding=encoding))
    seconds = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {"seconds": seconds, "rows": rows, "peak_mb": peak}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--keep", type=Path, help="Write the files here and keep them.")
    parser.add_argument(
        "--db",
        action="append",
        help="Where callkpi imports: duckdb (default), a PostgreSQL URL or spark://local/DIR.",
    )
    parser.add_argument(
        "--updates",
        action="store_true",
        help="Also time a second import of the UTF-8 file into the same store (every row an "
        "update), per --db.",
    )
    parser.add_argument("--child", nargs=3, metavar=("TASK", "FILE", "DIR"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        task, file, folder = args.child
        print(json.dumps(child(task, Path(file), folder)))
        return
    stores = args.db or ["duckdb"]
    with tempfile.TemporaryDirectory(prefix="callkpi-bench-") as scratch:
        folder = args.keep or Path(scratch)
        folder.mkdir(parents=True, exist_ok=True)
        started = time.perf_counter()
        utf8, cp1252 = write_files(folder, args.rows)
        print(
            f"files written in {time.perf_counter() - started:.1f} s: "
            f"{utf8.stat().st_size / 1e6:.0f} MB and {cp1252.stat().st_size / 1e6:.0f} MB",
            file=sys.stderr,
        )
        plan = [
            *((f"callkpi {db.split(':')[0]}", db, utf8) for db in stores),
            ("duckdb", "", utf8),
            ("pandas", "", utf8),
            *((f"callkpi {db.split(':')[0]}", db, cp1252) for db in stores),
            ("pandas", "", cp1252),
            *((f"again {db.split(':')[0]}", db, utf8) for db in stores if args.updates),
        ]
        results: dict[tuple[str, str], list[dict[str, float]]] = {}
        for _ in range(args.repeat):
            for label, db, file in plan:
                task = label.split()[0]
                with new_store(db, folder) if db else contextlib.nullcontext(str(folder)) as where:
                    output = subprocess.run(
                        [sys.executable, __file__, "--child", task, str(file), where],
                        check=True,
                        capture_output=True,
                        text=True,
                    ).stdout
                run = json.loads(output.strip().splitlines()[-1])
                results.setdefault((label, file.name), []).append(run)
                print(label, file.name, run, file=sys.stderr)
                for leftover in folder.glob("*.duckdb*"):
                    leftover.unlink()
        print(
            f"| task | file | rows | seconds (median of {args.repeat}) | rows/s | peak RSS (MB) |"
        )
        print("|---|---|---|---|---|---|")
        for (task, name), runs in results.items():
            seconds = statistics.median(r["seconds"] for r in runs)
            rows = int(runs[0]["rows"])
            peak = max(r["peak_mb"] for r in runs)
            print(
                f"| {task} | {name} | {rows:,} | {seconds:.2f} | {rows / seconds:,.0f} | "
                f"{peak:,.0f} |"
            )


if __name__ == "__main__":
    main()
