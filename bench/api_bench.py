"""Benchmark: the HTTP API under load, on loopback, against a real `callkpi serve` process.

Run by hand (not in the test suite):
    .venv/bin/python bench/api_bench.py [--calls 1000000] [--clients 50] [--seconds 20]
    .venv/bin/python bench/api_bench.py --db postgresql --processes 1,2

It copies the demo store (bench/data/demo-<calls>.duckdb, generated once like kpi_bench.py),
or, with `--db postgresql`, generates the demo into a database of a throwaway PostgreSQL
cluster (as the tests start one; `--db postgresql://user@host/` uses a server of yours, where
it creates a database). It adds an admin user, a manager and an agent, and an API key, starts
`callkpi serve` N times on free ports (N > 1 needs PostgreSQL; clients spread over the
processes as a load balancer would, each client sticking to one), then runs three phases and
prints Markdown:
1. dashboard: N concurrent clients ask the dashboard's KPI queries (campaign KPIs by campaign
   x month and by agent x month, team and source views) in a loop, after one warm-up pass
   (the "cached" figures of issue 5); admin, manager and agent tokens mixed;
2. events: K concurrent clients post batches of call events (started, answered, ended) as fast
   as they are acknowledged;
3. mixed: both at once (the dashboard's answers then age out every `live_staleness_s`).
For each: requests, errors, throughput, p50/p90/p99/max latency. With several values of
`--processes`, the same store is used for each, with the live events of the previous run
removed and the rollups rebuilt in between.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime as dt
import itertools
import json
import os
import platform
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx2 as httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
from kpi_bench import CALLKPI, CAMPAIGN_KPIS, ROOT, ensure_store

PASSWORD = "bench password 1"
AGENT_KPIS = ["calls", "contact_rate", "hit_rate", "aht", "sales_per_hour"]
DASHBOARD = [
    {"kpi": CAMPAIGN_KPIS, "by": "campaign", "grain": "month"},
    {"kpi": AGENT_KPIS, "by": "agent", "grain": "month"},
    {"kpi": ["contact_rate", "hit_rate", "aht"], "by": "team", "grain": "week"},
    {"kpi": ["revenue", "cost", "roi", "cpl"], "by": "source", "grain": "month"},
    {"kpi": ["calls", "contact_rate"], "grain": "day"},
    {"kpi": ["nps", "csat"], "by": "campaign"},
]


@dataclass
class Tally:
    latencies: list[float] = field(default_factory=list)
    errors: dict[str, int] = field(default_factory=dict)
    items: int = 0  # events accepted, for the events phase

    def error(self, what: str) -> None:
        self.errors[what] = self.errors.get(what, 0) + 1


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def prepare(db: str) -> str:
    """Add users and an API key to the demo store at `db`; returns the key."""
    from callkpi.access.credentials import digest, hash_password, new_api_key
    from callkpi.store import accounts, open_store

    store = open_store(db)
    try:
        password = hash_password(PASSWORD)
        team = store.scalar("SELECT team FROM agents ORDER BY agent_id LIMIT 1")
        agent = store.scalar("SELECT agent_id FROM agents ORDER BY agent_id LIMIT 1")
        accounts.add_user(store, "admin", password, "admin")
        accounts.add_user(store, "manager", password, "manager", teams=(team,))
        accounts.add_user(store, "agent", password, "agent", agent_id=agent)
        key = new_api_key()
        accounts.add_api_key(store, "bench", digest(key))
    finally:
        store.close()
    return key


@contextlib.contextmanager
def demo_store(args: argparse.Namespace, folder: Path) -> Iterator[str]:
    """The demo with `args.calls` calls: a copy of the DuckDB file, or a PostgreSQL database."""
    if args.db == "duckdb":
        source, _ = ensure_store(args.calls)
        db = folder / "api-bench.duckdb"
        shutil.copy(source, db)
        yield str(db)
        return
    if args.db == "postgresql":
        sys.path.insert(0, str(ROOT))
        from tests.postgres_server import _binaries, throwaway_cluster

        binaries = _binaries()
        if binaries is None:
            raise SystemExit("PostgreSQL server binaries not found: apt-get install postgresql")
        cluster = throwaway_cluster(binaries)
    else:  # a server of the user's: postgresql://user@host:port/
        sys.path.insert(0, str(ROOT))
        from tests.postgres_server import PostgresServer

        cluster = contextlib.nullcontext(PostgresServer(args.db.rstrip("/") + "/"))
    with cluster as server:
        url = server.create_database()
        began = time.perf_counter()
        generate = ["generate", "--calls", str(args.calls), "--start", "2025-11-01", "--out", url]
        subprocess.run([*CALLKPI, *generate], check=True, stdout=subprocess.DEVNULL)
        print(f"(demo generated into PostgreSQL in {time.perf_counter() - began:.0f} s)")
        yield url


def forget_live_events(db: str) -> None:
    """Between two runs on one store: remove the bench's events and calls, rebuild rollups."""
    import callkpi

    ws = callkpi.open(db)
    try:
        with ws.store.transaction():
            ws.store.execute("DELETE FROM calls WHERE call_id LIKE 'bench-%'")
            ws.store.execute("DELETE FROM call_events")
        ws.rebuild_rollups()
    finally:
        ws.close()


def start_server(db: str, port: int, cache_dir: str) -> subprocess.Popen:
    command = [*CALLKPI, "--db", db, "serve", "--port", str(port)]
    env = {**os.environ, "CALLKPI_CACHE_DIR": cache_dir}
    server = subprocess.Popen(command, env=env, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/api/v1/health").status_code == 200:
                return server
        except httpx.TransportError:
            time.sleep(0.2)
    server.kill()
    raise SystemExit("the server did not start")


def tokens(base: str) -> list[dict[str, str]]:
    headers = []
    for user in ("admin", "manager", "agent"):
        body = httpx.post(f"{base}/auth/token", data={"username": user, "password": PASSWORD})
        body.raise_for_status()
        headers.append({"Authorization": f"Bearer {body.json()['access_token']}"})
    return headers


def allowed(query: dict, who: int) -> bool:
    """Agents and managers cannot ask for KPIs that cannot be split by agent (costs, leads,
    revenue): the server refuses them with 403, so the bench asks them as admin only."""
    return who == 0 or query["kpi"] in (AGENT_KPIS, ["contact_rate", "hit_rate", "aht"])


async def dashboard_client(
    client: httpx.AsyncClient, base: str, auth: list[dict], until: float, tally: Tally, seed: int
) -> None:
    pairs = [(q, w) for q in DASHBOARD for w in range(3) if allowed(q, w)]
    for query, who in itertools.islice(itertools.cycle(pairs), seed, None):
        if time.monotonic() >= until:
            return
        began = time.perf_counter()
        try:
            response = await client.get(f"{base}/kpis", params=query, headers=auth[who])
            if response.status_code != 200:
                tally.error(str(response.status_code))
        except httpx.HTTPError as exc:
            tally.error(type(exc).__name__)
            continue
        tally.latencies.append(time.perf_counter() - began)


def batch_template(size: int, campaigns: list[str], agents: list[str]) -> str:
    """One batch as JSON text, with BATCHNO where each batch's number goes: the poster only
    substitutes it, so the client spends its time sending, not building dictionaries."""
    return json.dumps(make_batch("BATCHNO", size, campaigns, agents))


def make_batch(number: int | str, size: int, campaigns: list[str], agents: list[str]) -> dict:
    now = dt.datetime.now(dt.UTC)
    events = []
    for i in range(size):
        call = f"bench-{number}-{i // 3}"
        kind = ("started", "answered", "ended")[i % 3]
        event = {
            "event_id": f"{call}-{kind}",
            "call_id": call,
            "kind": kind,
            "at": (now + dt.timedelta(seconds=i % 3 * 20)).isoformat(),
            "campaign_id": campaigns[i % len(campaigns)],
            "agent_id": agents[(i // 3) % len(agents)],
        }
        if kind == "ended":
            event["outcome"] = ("sale", "no_answer", "refused", "callback")[i % 4]
        events.append(event)
    return {"events": events}


async def events_client(
    client: httpx.AsyncClient,
    base: str,
    key: dict,
    until: float,
    tally: Tally,
    counter: itertools.count,
    template: str,
) -> None:
    headers = {**key, "Content-Type": "application/json"}
    while time.monotonic() < until:
        body = template.replace("BATCHNO", str(next(counter)))
        began = time.perf_counter()
        try:
            response = await client.post(f"{base}/events", content=body, headers=headers)
            if response.status_code != 200:
                tally.error(str(response.status_code))
                continue
            tally.items += response.json()["new"]
        except httpx.HTTPError as exc:
            tally.error(type(exc).__name__)
            continue
        tally.latencies.append(time.perf_counter() - began)


async def run_phase(
    bases: list[str],
    auth: list[dict],
    key: dict,
    args: argparse.Namespace,
    *,
    dashboard: int,
    posters: int,
    template: str,
    counter: itertools.count,
) -> tuple[Tally, Tally, float]:
    limits = httpx.Limits(max_connections=dashboard + posters + 5)
    timeout = httpx.Timeout(60)
    queries, events = Tally(), Tally()
    async with httpx.AsyncClient(limits=limits, timeout=timeout) as client:
        began = time.monotonic()
        until = began + args.seconds
        # Each client sticks to one process, as behind a load balancer with keep-alive.
        tasks = [
            dashboard_client(client, bases[seed % len(bases)], auth, until, queries, seed)
            for seed in range(dashboard)
        ] + [
            events_client(client, bases[i % len(bases)], key, until, events, counter, template)
            for i in range(posters)
        ]
        await asyncio.gather(*tasks)
        elapsed = time.monotonic() - began
    return queries, events, elapsed


def row(name: str, tally: Tally, elapsed: float, unit: str = "req") -> str:
    lat = sorted(tally.latencies)
    if not lat:
        return f"| {name} | 0 | {sum(tally.errors.values())} | – | – | – | – | – | – |"

    def pct(p: float) -> str:
        return f"{lat[min(int(p * len(lat)), len(lat) - 1)] * 1000:.0f}"

    errors = sum(tally.errors.values())
    detail = f" ({', '.join(f'{k}: {v}' for k, v in tally.errors.items())})" if errors else ""
    extra = f"{tally.items / elapsed:,.0f} events/s" if tally.items else "–"
    return (
        f"| {name} | {len(lat)} | {errors}{detail} | {len(lat) / elapsed:.1f} {unit}/s | {extra} "
        f"| {pct(0.5)} | {pct(0.9)} | {pct(0.99)} | {lat[-1] * 1000:.0f} |"
    )


def warm_up(bases: list[str], auth: list[dict], key: dict, template: str) -> tuple[Tally, float]:
    """Compile and cache every dashboard query on every process, and post one batch of
    events to each (the first one creates the writer's scratch tables)."""
    warm = Tally()
    began = time.perf_counter()
    with httpx.Client(timeout=120) as client:
        for number, base in enumerate(bases):
            for query in DASHBOARD:
                for who in range(3):
                    if allowed(query, who):
                        response = client.get(f"{base}/kpis", params=query, headers=auth[who])
                        if response.status_code != 200:
                            warm.error(f"{response.status_code} {response.text[:200]}")
            body = template.replace("BATCHNO", f"warm-up-{number}")
            headers_json = {**key, "Content-Type": "application/json"}
            response = client.post(f"{base}/events", content=body, headers=headers_json)
            if response.status_code != 200:
                warm.error(f"events {response.status_code} {response.text[:200]}")
    return warm, time.perf_counter() - began


def run_servers(db: str, key: str, processes: int, args: argparse.Namespace) -> list[str]:
    """Start `processes` servers on the store, run the three phases; Markdown lines."""
    folder = Path(tempfile.mkdtemp(prefix="callkpi-api-bench-"))
    ports = [free_port() for _ in range(processes)]
    bases = [f"http://127.0.0.1:{port}/api/v1" for port in ports]
    servers = [start_server(db, port, str(folder / "sql-cache")) for port in ports]
    try:
        auth = tokens(bases[0])  # tokens live in the store: every process accepts them
        headers = {"Authorization": f"Bearer {key}"}
        campaigns = [f"C{i:02d}" for i in range(1, 21)]
        agents = [f"A{i:02d}" for i in range(1, 41)]
        template = batch_template(args.batch, campaigns, agents)
        counter = itertools.count()
        warm, warm_s = warm_up(bases, auth, headers, template)
        phases = [
            ("dashboard (cached)", dict(dashboard=args.clients, posters=0)),
            ("events", dict(dashboard=0, posters=args.posters)),
            ("mixed: dashboard", dict(dashboard=args.clients, posters=args.posters)),
        ]
        lines = []
        for name, sizes in phases:
            queries, events, elapsed = asyncio.run(
                run_phase(bases, auth, headers, args, template=template, counter=counter, **sizes)
            )
            if sizes["dashboard"]:
                lines.append(row(name, queries, elapsed))
            if sizes["posters"]:
                label = "mixed: events" if sizes["dashboard"] else name
                lines.append(row(label, events, elapsed))
        rss = [
            int(
                subprocess.run(
                    ["ps", "-o", "rss=", "-p", str(server.pid)], capture_output=True, text=True
                ).stdout.strip()
                or 0
            )
            // 1024
            for server in servers
        ]
    finally:
        for server in servers:
            server.terminate()
        for server in servers:
            server.wait(30)
        shutil.rmtree(folder, ignore_errors=True)
    header = [
        f"### {processes} server process{'es' if processes > 1 else ''} on {args.db}",
        "",
        f"Warm-up (first answer of each dashboard query on each process, compile + run): "
        f"{warm_s:.1f} s; errors: {warm.errors or 0}. Server memory at the end: "
        f"{', '.join(f'{m} MiB' for m in rss)}.",
        "",
        "| phase | requests | errors | throughput | accepted | p50 ms | p90 ms | p99 ms | max ms |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    return header + lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=1_000_000)
    parser.add_argument("--clients", type=int, default=50, help="Concurrent dashboard clients.")
    parser.add_argument("--posters", type=int, default=4, help="Concurrent event posters.")
    parser.add_argument("--batch", type=int, default=1000, help="Events per POST.")
    parser.add_argument("--seconds", type=float, default=20.0, help="Length of each phase.")
    parser.add_argument(
        "--db",
        default="duckdb",
        help="duckdb (default), postgresql (a throwaway local cluster), or postgresql://... "
        "(a server where the bench may create a database).",
    )
    parser.add_argument(
        "--processes",
        default="1",
        help="Server processes; several values (1,2) run one after the other on the same store.",
    )
    args = parser.parse_args()
    counts = [int(n) for n in args.processes.split(",")]
    if args.db == "duckdb" and max(counts) > 1:
        raise SystemExit("a DuckDB file has one writing process: use --db postgresql")

    folder = Path(tempfile.mkdtemp(prefix="callkpi-api-bench-store-"))
    results = []
    try:
        with demo_store(args, folder) as db:
            key = prepare(db)
            for number, processes in enumerate(counts):
                if number:
                    forget_live_events(db)
                results.append(run_servers(db, key, processes, args))
    finally:
        shutil.rmtree(folder, ignore_errors=True)

    print(
        f"## API load, {args.calls:,} calls, {platform.processor() or platform.machine()}, "
        f"{os.cpu_count()} cores, Python {platform.python_version()}"
    )
    print()
    print(
        f"`{' '.join(sys.argv)}`: {args.clients} dashboard clients, {args.posters} event "
        f"posters ({args.batch} events a batch), {args.seconds:g} s a phase; clients, "
        "servers (and PostgreSQL) share the machine's cores."
    )
    for lines in results:
        print()
        print("\n".join(lines))


if __name__ == "__main__":
    main()
