"""Benchmark the analyses on a generated demo store (run by hand, after bench/kpi_bench.py).

    .venv/bin/python bench/analysis_bench.py [--calls 1000000] [--runs 5]

Median of N runs, in one process after a first warm-up run, of each analysis.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import callkpi
from callkpi.analysis.cohorts import cohorts
from callkpi.analysis.funnels import funnel
from callkpi.analysis.stages import stages

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--calls", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=5)
    options = parser.parse_args()
    db = ROOT / "bench" / "data" / f"demo-{options.calls}.duckdb"
    if not db.exists():
        raise SystemExit(f"{db} is missing: run bench/kpi_bench.py --calls {options.calls} first")
    cases: list[tuple[str, Callable[[Any], object]]] = [
        ("funnel calls by campaign", lambda ws: funnel(ws, "calls", by=["campaign"])),
        ("funnel pipeline", lambda ws: funnel(ws, "pipeline")),
        ("funnel email by campaign", lambda ws: funnel(ws, "email", by=["campaign"])),
        ("stages", lambda ws: stages(ws)),
        ("cohorts by month, 12 months", lambda ws: cohorts(ws, "month", months=12)),
        ("cohorts by campaign, 12 months", lambda ws: cohorts(ws, "campaign", months=12)),
    ]
    print(f"Store: {db.name}")
    print()
    print("| analysis | warm median (s) |")
    print("|---|---|")
    with callkpi.open(db, read_only=True) as ws:
        for name, run in cases:
            run(ws)
            times = []
            for _ in range(options.runs):
                began = time.perf_counter()
                run(ws)
                times.append(time.perf_counter() - began)
            print(f"| {name} | {statistics.median(times):.3f} |")


if __name__ == "__main__":
    main()
