"""Benchmark: callkpi against what an analyst would write instead, on the standard workload.

Run by hand (not in the test suite):

    .venv/bin/python bench/compare_bench.py --calls 1000000 [--runs 5]

The standard workload of issue 6 is two queries on a store made by `callkpi generate` (see
bench/kpi_bench.py): all the campaign KPIs by campaign x month, and those that can be split
by agent by agent x month. It runs five ways, each in its own process so that its peak memory
is its own, on the same store:
1. callkpi in-process: `callkpi.open(db, read_only=True).kpis(...)`, warm, reading its
   rollups; and again with `rollups=False`, reading the detail tables like the others;
2. the same workload hand-written in DuckDB SQL (bench/handwritten/by_sql.py), duckdb API;
3. pandas: the needed columns loaded into DataFrames (timed apart), then merge and groupby;
4. Polars: the same.
Each way does one untimed run, then `--runs` timed ones: the median is reported, with the
peak RSS and the ratio to hand-written SQL. Before printing any timing, the script checks
that the SQL, pandas and Polars results equal callkpi's in every cell (1e-9 relative, nulls
equal) and stops if they do not. Then, per query, fresh processes: a cold `callkpi kpi ...
--format json` (empty and warm SQL cache) against a cold `python -c` running the hand-written
SQL; and startup alone, `callkpi kpi` on a tiny store. Results go to stdout as Markdown.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import math
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.feather as feather

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # run as a script: make `bench.*` importable as in the tests
    sys.path.insert(0, str(ROOT))

from bench.kpi_bench import CAMPAIGN_KPIS, ensure_store  # noqa: E402

#: The CAMPAIGN_KPIS that can be split by agent (the others need leads or costs, which have
#: no agent); tests/test_compare_bench.py checks this against the catalog.
AGENT_KPIS = [
    "calls", "contact_rate", "hit_rate", "inconclusive_calls", "aht", "sales_per_hour",
    "revenue", "revenue_per_call", "revenue_per_customer",
]  # fmt: skip
#: The workload: dimension -> KPIs, each by month.
WORKLOAD: dict[str, list[str]] = {"campaign": CAMPAIGN_KPIS, "agent": AGENT_KPIS}
WAYS = ("callkpi", "callkpi-detail", "sql", "pandas", "polars")
RELATIVE_TOLERANCE = 1e-9
TINY_STORE_CALLS = 1_000

Results = dict[str, pa.Table]


# -- the five ways ------------------------------------------------------------------------------
class Way:
    """One way to answer the workload: `load` (None when it reads the store as it computes)
    and `compute`, timed apart, over what `open` returns."""

    def __init__(self, db: Path) -> None:
        self.db = db

    def load(self) -> Any:
        return None

    def compute(self, loaded: Any) -> Results:
        raise NotImplementedError

    def close(self) -> None:
        return None


class CallkpiWay(Way):
    """callkpi in-process; with `rollups=False` it reads only the detail tables, as the
    hand-written ways do (the issue's "on detail tables" goal)."""

    def __init__(self, db: Path, rollups: bool = True) -> None:
        super().__init__(db)
        import callkpi
        from callkpi.metrics.query import KpiQuery

        self.workspace = callkpi.open(db, read_only=True)
        self.queries = {
            dim: KpiQuery.build(kpis, by=[dim], grain="month") for dim, kpis in WORKLOAD.items()
        }
        self.rollups = rollups

    def compute(self, loaded: Any) -> Results:
        return {
            dim: self.workspace.run(query, rollups=self.rollups).table.select(
                [dim, "period", *WORKLOAD[dim]]
            )
            for dim, query in self.queries.items()
        }

    def close(self) -> None:
        self.workspace.close()


class SqlWay(Way):
    def __init__(self, db: Path) -> None:
        super().__init__(db)
        import duckdb

        self.con = duckdb.connect(str(db), read_only=True)

    def compute(self, loaded: Any) -> Results:
        from bench.handwritten import by_sql

        return by_sql.run(self.con)

    def close(self) -> None:
        self.con.close()


class FramesWay(SqlWay):
    """pandas or Polars: load the needed columns through the duckdb API, then compute."""

    def __init__(self, db: Path, library: str) -> None:
        super().__init__(db)
        import importlib

        self.module = importlib.import_module(f"bench.handwritten.by_{library}")

    def load(self) -> Any:
        return self.module.load(self.con)

    def compute(self, loaded: Any) -> Results:
        return self.module.run(loaded)


def open_way(name: str, db: Path) -> Way:
    if name == "callkpi":
        return CallkpiWay(db)
    if name == "callkpi-detail":
        return CallkpiWay(db, rollups=False)
    if name == "sql":
        return SqlWay(db)
    return FramesWay(db, name)


def answer(name: str, db: Path) -> Results:
    """The workload's results one way, once (what the agreement test compares)."""
    way = open_way(name, db)
    try:
        return way.compute(way.load())
    finally:
        way.close()


# -- checking ---------------------------------------------------------------------------------
def differences(expected: pa.Table, actual: pa.Table, key: str, limit: int = 10) -> list[str]:
    """Cells that differ between two results of one query (rows matched on key and period);
    numbers within RELATIVE_TOLERANCE are equal, and so are null and NaN."""
    columns = expected.column_names
    missing = [c for c in columns if c not in actual.column_names]
    if missing:
        return [f"missing columns {missing}"]
    found: list[str] = []
    want = {(r[key], r["period"]): r for r in expected.to_pylist()}
    have = {(r[key], r["period"]): r for r in actual.select(columns).to_pylist()}
    for group in sorted(want.keys() - have.keys(), key=str):
        found.append(f"row {group} missing")
    for group in sorted(have.keys() - want.keys(), key=str):
        found.append(f"row {group} not expected")
    for group in sorted(want.keys() & have.keys(), key=str):
        for column in columns:
            a, b = want[group][column], have[group][column]
            if not _same(a, b):
                found.append(f"{group} {column}: expected {a!r}, got {b!r}")
    return found[:limit] + ([f"... {len(found) - limit} more"] if len(found) > limit else [])


def _same(a: object, b: object) -> bool:
    a, b = _null(a), _null(b)
    if a is None or b is None:
        return a is b
    if isinstance(a, int | float) and isinstance(b, int | float):
        return math.isclose(a, b, rel_tol=RELATIVE_TOLERANCE, abs_tol=0.0)
    return a == b


def _null(value: object) -> object:
    return None if isinstance(value, float) and math.isnan(value) else value


def check(results: dict[str, Results]) -> list[str]:
    """Every way's differences from callkpi, query by query."""
    found = []
    for name, answered in results.items():
        if name == "callkpi":
            continue
        for dim in WORKLOAD:
            found += [
                f"{name}, by {dim}: {d}"
                for d in differences(results["callkpi"][dim], answered[dim], dim)
            ]
    return found


# -- measuring --------------------------------------------------------------------------------
def measure(name: str, db: Path, runs: int, out: Path) -> None:
    """In a fresh process: one untimed run, then `runs` timed ones; writes the timings, the
    memory and the last results to `out` for the parent."""
    way = open_way(name, db)
    ready_kb = _rss_kb()
    loaded = way.load()
    results = way.compute(loaded)
    loads, computes = [], []
    for _ in range(runs):
        del loaded, results  # a new load must not sit beside the previous one
        began = time.perf_counter()
        loaded = way.load()
        loaded_at = time.perf_counter()
        results = way.compute(loaded)
        loads.append(loaded_at - began)
        computes.append(time.perf_counter() - loaded_at)
    way.close()
    for dim, table in results.items():
        feather.write_feather(table, out / f"{name}-{dim}.arrow")
    report = {
        "load": loads if name in ("pandas", "polars") else None,
        "compute": computes,
        "ready_kb": ready_kb,
        "peak_kb": _peak_kb(),
    }
    (out / f"{name}.json").write_text(json.dumps(report), encoding="utf-8")


def _rss_kb() -> int:
    """The process's resident memory now (Linux)."""
    for line in Path("/proc/self/status").read_text(encoding="utf-8").splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def _peak_kb() -> int:
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def run_measured(name: str, db: Path, runs: int, out: Path) -> tuple[dict[str, Any], Results]:
    """One way in its own process (so that its peak memory is its own)."""
    command = [sys.executable, __file__, "--child", name, "--db", str(db), "--runs", str(runs)]
    subprocess.run([*command, "--out", str(out)], check=True)
    report = json.loads((out / f"{name}.json").read_text(encoding="utf-8"))
    results = {dim: feather.read_table(out / f"{name}-{dim}.arrow") for dim in WORKLOAD}
    return report, results


def timed_process(command: Sequence[str], env: dict[str, str]) -> tuple[float, int]:
    """Wall seconds and peak RSS (KB) of one fresh process, which must succeed."""
    began = time.perf_counter()
    process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL)
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - began
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        raise subprocess.CalledProcessError(process.returncode, list(command))
    return seconds, usage.ru_maxrss


#: A cold process running the hand-written SQL: connect, run, print the rows as JSON.
COLD_SQL = (
    "import json, sys, duckdb\n"
    "con = duckdb.connect(sys.argv[1], read_only=True)\n"
    "rows = con.sql(open(sys.argv[2]).read()).fetchall()\n"
    "print(json.dumps(rows, default=str))\n"
)


def callkpi_command(db: Path, dim: str) -> list[str]:
    kpis = WORKLOAD[dim]
    return [sys.executable, "-m", "callkpi", "--db", str(db), "kpi", *kpis, "--by", dim,
            "--grain", "month", "--format", "json"]  # fmt: skip


def cold_runs(make_command: Callable[[], list[str]], runs: int, cache: str) -> dict[str, Any]:
    """Median seconds and peak RSS of `runs` fresh processes. `cache`: "empty" gives each
    process a new compiled-SQL cache, "warm" one shared cache filled by a first run."""
    shared = tempfile.mkdtemp(prefix="callkpi-compare-cache-")
    if cache == "warm":
        timed_process(make_command(), _env(shared))
    times, peak = [], 0
    for _ in range(runs):
        folder = shared if cache == "warm" else tempfile.mkdtemp(prefix="callkpi-compare-cache-")
        seconds, rss = timed_process(make_command(), _env(folder))
        times.append(seconds)
        peak = max(peak, rss)
    return {"median": statistics.median(times), "peak_kb": peak}


def _env(cache_dir: str) -> dict[str, str]:
    return {**os.environ, "CALLKPI_CACHE_DIR": cache_dir}


# -- reporting --------------------------------------------------------------------------------
def machine() -> str:
    from importlib.metadata import version

    cpu = "unknown CPU"
    info = Path("/proc/cpuinfo")
    if info.exists():
        names = [ln for ln in info.read_text().splitlines() if ln.startswith("model name")]
        cpu = names[0].split(":", 1)[1].strip() if names else cpu
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    packages = ", ".join(
        f"{p} {version(p)}" for p in ("duckdb", "ibis-framework", "pandas", "polars", "pyarrow")
    )
    return (
        f"{platform.machine()} {cpu}, {os.cpu_count()} cores, {memory:.0f} GiB; "
        f"Python {platform.python_version()}; {packages}"
    )


def _mb(kb: int) -> str:
    return f"{kb / 1024:,.0f}"


def _s(seconds: float) -> str:
    return f"{seconds:.3f}" if seconds < 10 else f"{seconds:.1f}"


def report_in_process(reports: dict[str, dict[str, Any]]) -> list[str]:
    sql = statistics.median(reports["sql"]["compute"]) if "sql" in reports else math.nan
    lines = [
        "| way | load (s) | compute (s) | load + compute (s) | × SQL, compute | "
        "× SQL, load + compute | RSS ready (MB) | peak RSS (MB) |",
        "|---|---|---|---|---|---|---|---|",
    ]
    labels = {
        "callkpi": "callkpi, `ws.kpis(...)` (rollups)",
        "callkpi-detail": "callkpi, detail tables only",
        "sql": "hand-written DuckDB SQL",
        "pandas": "pandas",
        "polars": "Polars",
    }
    for name, r in reports.items():
        compute = statistics.median(r["compute"])
        load = statistics.median(r["load"]) if r["load"] else None
        loads = r["load"] or [0.0] * len(r["compute"])
        total = statistics.median(a + b for a, b in zip(loads, r["compute"], strict=True))
        lines.append(
            f"| {labels[name]} | {_s(load) if load is not None else '—'} | {_s(compute)} | "
            f"{_s(total)} | {compute / sql:.2f} | {total / sql:.2f} | {_mb(r['ready_kb'])} | "
            f"{_mb(r['peak_kb'])} |"
        )
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--calls", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--ways", nargs="+", choices=WAYS, default=list(WAYS))
    parser.add_argument("--no-cold", action="store_true", help="skip the cold-process runs")
    parser.add_argument("--child", choices=WAYS, help=argparse.SUPPRESS)
    parser.add_argument("--db", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.child:
        measure(options.child, options.db, options.runs, options.out)
        return

    ways = ["callkpi", *[w for w in options.ways if w != "callkpi"]]  # callkpi is the reference
    db, _ = ensure_store(options.calls)
    load_before = os.getloadavg()
    began = dt.datetime.now()
    reports: dict[str, dict[str, Any]] = {}
    results: dict[str, Results] = {}
    failed: dict[str, str] = {}
    with tempfile.TemporaryDirectory(prefix="callkpi-compare-") as folder:
        for name in ways:
            print(f"running {name}…", file=sys.stderr)
            try:
                reports[name], results[name] = run_measured(name, db, options.runs, Path(folder))
            except subprocess.CalledProcessError as exc:
                if name == "callkpi":
                    raise
                # at 100M calls pandas or Polars may not fit in memory: say so, go on
                failed[name] = f"exit status {exc.returncode}" + (
                    " (killed: out of memory?)" if exc.returncode == -9 else ""
                )
    found = check(results)
    if found:
        print("The hand-written results differ from callkpi's; no timing is printed:")
        print("\n".join(f"- {line}" for line in found))
        sys.exit(1)
    cells = sum(t.num_rows * (t.num_columns - 2) for t in results["callkpi"].values())

    cold: dict[str, dict[str, Any]] = {}
    startup: dict[str, dict[str, Any]] = {}
    if not options.no_cold:
        sql_files = {}
        from bench.handwritten.by_sql import STATEMENTS

        for dim, statement in STATEMENTS.items():
            path = Path(tempfile.mkdtemp(prefix="callkpi-compare-sql-")) / f"{dim}.sql"
            path.write_text(statement, encoding="utf-8")
            sql_files[dim] = path
        for dim in WORKLOAD:
            print(f"cold processes, by {dim}…", file=sys.stderr)
            cold[dim] = {
                "empty": cold_runs(lambda d=dim: callkpi_command(db, d), options.runs, "empty"),
                "warm": cold_runs(lambda d=dim: callkpi_command(db, d), options.runs, "warm"),
                "sql": cold_runs(
                    lambda d=dim: [sys.executable, "-c", COLD_SQL, str(db), str(sql_files[d])],
                    options.runs,
                    "empty",
                ),
            }
        tiny, _ = ensure_store(TINY_STORE_CALLS)
        for cache in ("empty", "warm"):
            startup[cache] = cold_runs(
                lambda: callkpi_command(tiny, "campaign"), options.runs, cache
            )

    print(f"Machine: {machine()}")
    print(
        f"Run: {began:%Y-%m-%d %H:%M}, load average {load_before[0]:.1f} before and "
        f"{os.getloadavg()[0]:.1f} after (1 min)"
    )
    print(
        f"Store: {db.relative_to(ROOT)} ({db.stat().st_size / 1e6:.0f} MB, {options.calls:,} calls)"
    )
    print(f"Command: .venv/bin/python bench/compare_bench.py {' '.join(sys.argv[1:])}".rstrip())
    print()
    print(
        f"Results checked: {', '.join(w for w in results if w != 'callkpi')} equal callkpi "
        f"in all {cells:,} KPI cells "
        f"(campaign x month, {len(CAMPAIGN_KPIS)} KPIs; agent x month, {len(AGENT_KPIS)} KPIs)."
    )
    print()
    print(f"In-process, warm, the whole workload (both queries); median of {options.runs}:")
    print()
    print("\n".join(report_in_process(reports)))
    for name, why in failed.items():
        print(f"\n{name} did not finish: {why}.")
    if cold:
        print()
        print(f"Cold processes, one query each; median of {options.runs}:")
        print()
        print(
            "| query | `callkpi kpi`, empty SQL cache (s) | `callkpi kpi`, SQL cached (s) | "
            "hand-written SQL, `python -c` (s) | × SQL, empty / cached | peak RSS callkpi / "
            "SQL (MB) |"
        )
        print("|---|---|---|---|---|---|")
        for dim, c in cold.items():
            sql = c["sql"]["median"]
            print(
                f"| by {dim} x month ({len(WORKLOAD[dim])} KPIs) | {_s(c['empty']['median'])} | "
                f"{_s(c['warm']['median'])} | {_s(sql)} | {c['empty']['median'] / sql:.2f} / "
                f"{c['warm']['median'] / sql:.2f} | "
                f"{_mb(max(c['empty']['peak_kb'], c['warm']['peak_kb']))} / "
                f"{_mb(c['sql']['peak_kb'])} |"
            )
        print()
        print(
            f"Startup: `callkpi kpi` ({len(CAMPAIGN_KPIS)} KPIs by campaign x month) on a "
            f"{TINY_STORE_CALLS:,}-call store: {_s(startup['empty']['median'])} s with an empty "
            f"SQL cache, {_s(startup['warm']['median'])} s with it warm (median of "
            f"{options.runs})."
        )


if __name__ == "__main__":
    main()
