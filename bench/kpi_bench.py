"""Benchmark: the campaign KPIs of the catalog by campaign x month on a generated demo store.

Run by hand (not in the test suite):  .venv/bin/python bench/kpi_bench.py [--calls 1000000]
It generates the store once (bench/data/demo-<calls>.duckdb), then measures, median of N runs:
- the cold CLI: a fresh `callkpi kpi ... --format json` process, with an empty compiled-SQL
  cache (imports + compile + run) and with a warm one (imports + run);
- the warm library call: ws.kpis(...) in one process, after a first call;
and the peak memory (max RSS) of the CLI processes. Results go to stdout as Markdown.
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

CAMPAIGN_KPIS = [
    "calls", "contact_rate", "hit_rate", "conversion_rate", "lead_conversion_rate",
    "inconclusive_calls", "aht", "sales_per_hour", "cost", "cpl", "cost_per_call",
    "cost_per_contact", "cost_per_sale", "cac", "revenue", "revenue_per_call",
    "revenue_per_lead", "revenue_per_customer", "roi",
]  # fmt: skip
ROOT = Path(__file__).resolve().parents[1]
CALLKPI = [sys.executable, "-m", "callkpi"]


def ensure_store(calls: int) -> tuple[Path, float]:
    path = ROOT / "bench" / "data" / f"demo-{calls}.duckdb"
    if path.exists():
        return path, float("nan")
    path.parent.mkdir(parents=True, exist_ok=True)
    began = time.perf_counter()
    subprocess.run(
        [*CALLKPI, "generate", "--calls", str(calls), "--start", "2025-11-01", "--out", str(path)],
        check=True,
    )
    return path, time.perf_counter() - began


def cold_runs(db: Path, args: list[str], runs: int, cached: bool) -> tuple[list[float], int]:
    """Fresh processes; `cached`: the compiled-SQL cache is warm, else empty every run."""
    times, peak_kb = [], 0
    shared = tempfile.mkdtemp(prefix="callkpi-bench-cache-")
    command = [*CALLKPI, "--db", str(db), *args, "--format", "json"]
    if cached:  # warm the cache once
        subprocess.run(command, check=True, stdout=subprocess.DEVNULL, env=_env(shared))
    for _ in range(runs):
        cache_dir = shared if cached else tempfile.mkdtemp(prefix="callkpi-bench-cache-")
        began = time.perf_counter()
        subprocess.run(command, check=True, stdout=subprocess.DEVNULL, env=_env(cache_dir))
        times.append(time.perf_counter() - began)
        peak_kb = max(peak_kb, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
    return times, peak_kb


def _env(cache_dir: str) -> dict[str, str]:
    return {**os.environ, "CALLKPI_CACHE_DIR": cache_dir}


def warm_runs(db: Path, kpis: list[str], by: list[str], grain: str, runs: int) -> list[float]:
    import callkpi

    times = []
    with callkpi.open(db, read_only=True) as ws:
        ws.kpis(kpis, by=by, grain=grain)  # first call: imports and compile caches
        for _ in range(runs):
            began = time.perf_counter()
            ws.kpis(kpis, by=by, grain=grain)
            times.append(time.perf_counter() - began)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--calls", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--only", help="run the cases whose name contains this text")
    options = parser.parse_args()

    db, generate_s = ensure_store(options.calls)
    cases = [
        ("campaign KPIs by campaign x month", CAMPAIGN_KPIS, ["campaign"], "month"),
        ("campaign KPIs by agent x month", [k for k in CAMPAIGN_KPIS if k in {
            "calls", "contact_rate", "hit_rate", "inconclusive_calls", "aht", "sales_per_hour",
            "revenue"}], ["agent"], "month"),
        ("response_rate by segment x month", ["response_rate"], ["segment"], "month"),
        ("contact_rate, all time", ["contact_rate"], [], "all"),
        ("customers by month", ["customers_start", "customers_end", "new_customers",
            "customers_lost", "churn_rate", "retention_rate", "upsell_rate"], [], "month"),
        ("pipeline by month", ["close_rate", "avg_deal_size", "sales_cycle_length",
            "sales_cycle_km_median"], [], "month"),
        ("time in stage by stage", ["stage_entries", "stage_duration",
            "stage_duration_median", "stage_duration_km_median"], ["stage"], "all"),
        ("service and email by month", ["nps", "csat", "fcr", "ticket_resolution_time",
            "open_rate", "click_rate"], [], "month"),
        ("engagement by month", ["speed_to_lead", "touches_to_convert", "freshness_7d",
            "freshness_30d"], [], "month"),
        ("value by segment", ["clv", "aov", "purchase_frequency", "customer_lifetime_months"],
            ["segment"], "all"),
        ("profitability by source", ["revenue", "cost", "roi", "cpl"], ["source"], "all"),
    ]  # fmt: skip
    print(
        f"Machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
    )
    print(f"Store: {db.name} ({db.stat().st_size / 1e6:.0f} MB)", end="")
    print(f", generated in {generate_s:.1f} s" if generate_s == generate_s else "")
    print()
    print(
        "| query | cold CLI, no SQL cache (s) | cold CLI, SQL cached (s) | warm library (s) "
        "| CLI peak RSS (MB) |"
    )
    print("|---|---|---|---|---|")
    selected = [c for c in cases if options.only is None or options.only in c[0]]
    for name, kpis, by, grain in selected:
        args = ["kpi", *kpis, "--grain", grain]
        for dimension in by:
            args += ["--by", dimension]
        cold, _ = cold_runs(db, args, options.runs, cached=False)
        cached, peak_kb = cold_runs(db, args, options.runs, cached=True)
        warm = warm_runs(db, kpis, by, grain, options.runs)
        print(
            f"| {name} ({len(kpis)} KPIs) | {statistics.median(cold):.2f} | "
            f"{statistics.median(cached):.2f} | {statistics.median(warm):.3f} | "
            f"{peak_kb / 1024:.0f} |"
        )


if __name__ == "__main__":
    main()
