"""`callkpi demo` and `callkpi generate`: build the demo dataset and show what callkpi does."""

from __future__ import annotations

import datetime as dt
import itertools
import sys
import time
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from rich.console import Console

from callkpi.errors import CallkpiError
from callkpi.i18n import format_period, word
from callkpi.settings import Lang
from callkpi.store.base import redact
from callkpi.store.schema import TABLES

if TYPE_CHECKING:
    import pyarrow as pa
    from rich.status import Status

    from callkpi.demo import DemoSpec

HEADLINE_KPIS = ["calls", "contact_rate", "conversion_rate", "cpl", "revenue", "roi"]


def generate(
    out: str,
    *,
    calls: int,
    seed: int,
    start: dt.date | None,
    months: int,
    force: bool,
    console: Console,
    shard_calls: int | None = None,
) -> None:
    """Write the dataset as a store (a .duckdb path or a server URL) or as canonical CSV files
    (a folder); a demo of more than `shard_calls` calls shard by shard (see demo.shards)."""
    from callkpi.demo import SHARD_CALLS, DemoSpec, default_start, write_csv_parts

    spec = DemoSpec(
        calls=calls,
        seed=seed,
        start=start or default_start(),
        months=months,
        shard_calls=shard_calls or SHARD_CALLS,
    )
    if is_server_url(out):
        if not force and _contents(out) != "empty":
            raise CallkpiError(f"{redact(out)} already holds data; pass --force to replace it")
    elif Path(out).exists() and not force:
        raise CallkpiError(f"{out} already exists; pass --force to replace it")
    began = time.perf_counter()
    rows: dict[str, int] = {}
    with console.status(f"Generating {calls:,} calls…") as status:
        if is_server_url(out) or Path(out).suffix == ".duckdb":
            if not is_server_url(out):
                Path(out).parent.mkdir(parents=True, exist_ok=True)
            closing = "Building the daily rollups…"
            _replace_store(out, _progress(spec, rows, closing, status, console))
        else:
            write_csv_parts(_progress(spec, rows, "Done", status, console), Path(out))
    counts = ", ".join(f"{name} {rows[name]:,}" for name in TABLES if name in rows)
    console.print(f"Wrote {redact(out)} in {time.perf_counter() - began:.1f} s: {counts}")


def _progress(
    spec: DemoSpec, rows: dict[str, int], closing: str, status: Status, console: Console
) -> Iterator[dict[str, pa.Table]]:
    """The demo's parts, passed on one at a time (never two held), with their rows counted
    into `rows`; a sharded demo says which shard is being made and when each one is written,
    then `closing` while the writer finishes."""
    from callkpi.demo import demo_parts, shards

    parts = demo_parts(spec)
    pieces = shards(spec)
    began = time.perf_counter()
    for i in itertools.count():
        if i < len(pieces):
            status.update(f"Generating shard {i + 1}/{len(pieces)} ({pieces[i].calls:,} calls)…")
        part = next(parts, None)
        if part is None:
            status.update(closing)
            return
        for name, data in part.items():
            rows[name] = rows.get(name, 0) + data.num_rows
        yield part
        del part
        if i < len(pieces):
            took = time.perf_counter() - began
            console.print(f"shard {i + 1}/{len(pieces)} written ({took:.0f} s so far)")


def run_demo(path: str, *, calls: int, seed: int, lang: Lang, console: Console) -> None:
    """(Re)create the demo store, then print last full month's headline KPIs per campaign."""
    from callkpi.demo import DemoSpec, default_start, demo_parts
    from callkpi.workspace import open as open_workspace

    if is_server_url(path):
        if _contents(path) == "other":
            raise CallkpiError(
                f"{redact(path)} holds data that is not the demo's; choose another --db"
            )
    elif Path(path).exists() and not _is_demo_store(path):
        raise CallkpiError(
            f"{path} exists and is not a demo store; choose another --db or remove it"
        )
    spec = DemoSpec(calls=calls, seed=seed, start=default_start())
    began = time.perf_counter()
    with console.status(f"Generating the demo dataset ({calls:,} calls)…"):
        _replace_store(path, demo_parts(spec))
    console.print(f"Demo store {redact(path)} ready in {time.perf_counter() - began:.1f} s.")

    today = dt.date.today()
    last_day = today.replace(day=1) - dt.timedelta(days=1)
    first_day = last_day.replace(day=1)
    from callkpi.cli.render import result_table

    with open_workspace(path, read_only=True) as ws:
        result = ws.kpis(
            HEADLINE_KPIS, by=["campaign", "campaign_name"], start=first_day, end=last_day
        )
        title = word("headline", lang).format(period=format_period(first_day, "month", lang))
        console.print(result_table(result, ws.catalog, lang, title=title))
    program = sys.argv[0] if sys.argv[0].endswith("callkpi") else "callkpi"
    console.print(
        f"Next: {program} --db {redact(path)} kpi roi cpl --by campaign --grain month  ·  "
        f"{program} catalog",
        markup=False,
        highlight=False,
    )


def is_server_url(location: str) -> bool:
    """A database server's URL (emptied and refilled) rather than a file (replaced)."""
    return "://" in location and not location.startswith("duckdb://")


def _replace_store(location: str, parts: Iterable[dict[str, pa.Table]]) -> None:
    from callkpi.demo import load_parts
    from callkpi.workspace import open as open_workspace

    if is_server_url(location):
        with open_workspace(location) as ws:
            load_parts(ws.store, parts, replace=True)
        return
    path = Path(location)
    for stale in (path, path.with_name(path.name + ".wal")):
        stale.unlink(missing_ok=True)
    with open_workspace(path) as ws:
        load_parts(ws.store, parts)


def _contents(location: str) -> str:
    """What a server database holds: empty, demo or other (see demo.contents)."""
    from callkpi.demo import contents
    from callkpi.store import open_store

    store = open_store(location)
    try:
        return contents(store)
    finally:
        store.close()


def _is_demo_store(path: str) -> bool:
    from callkpi.demo import is_demo_store

    try:
        return is_demo_store(path)
    except CallkpiError:
        return False
