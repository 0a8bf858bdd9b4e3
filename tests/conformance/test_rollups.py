"""Daily rollups (ADR 8): the answer from rollups is the answer from the detail tables, on
every backend; what rollups cannot answer falls back; every write path keeps them exact."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest

from callkpi.metrics.compiler import KpiCompiler
from callkpi.metrics.query import KpiQuery
from callkpi.store import rollups
from callkpi.store.events import EVENT_SCHEMA, write_events
from callkpi.workspace import Workspace
from tests.conformance.compare import differences
from tests.conformance.conftest import Opener
from tests.conformance.test_catalog_conformance import splittable
from tests.conftest import SMALL_DATA

ROLLUP_BACKENDS = ("duckdb", "postgres")  # rollups.MAINTAINED, by backend name


@pytest.fixture(params=ROLLUP_BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    """The backends that keep rollups (Spark reads the detail tables: ADR 7 and 8)."""
    return str(request.param)


def test_a_spark_store_is_never_given_rollups() -> None:
    """On Spark, rollups are never fresh (queries read the detail) and never built: neither
    call may even reach the store."""

    class Untouchable:
        dialect = "pyspark"

        def __getattr__(self, name: str) -> Any:
            raise AssertionError(f"the rollups touched a Spark store ({name})")

    store: Any = Untouchable()
    assert rollups.fresh(store) is False
    assert rollups.rebuild(store) == {}


SLICINGS: dict[str, dict[str, Any]] = {
    "total": {},
    "campaign-month": {"by": ["campaign"], "grain": "month"},
    "agent-week-window": {
        "by": ["agent"], "grain": "week", "start": "2025-03-10", "end": "2025-09-15",
    },
    "team-campaign-name-day": {"by": ["team", "campaign_name"], "grain": "day"},
    "outcome-quarter-filtered": {
        "by": ["outcome"], "grain": "quarter", "where": {"direction": ["outbound"]},
    },
    "segment-year": {"by": ["segment"], "grain": "year"},
    # whole months: distinct counts of contacts come from the monthly table
    "agent-month-window-one-campaign": {
        "by": ["agent"], "grain": "month", "start": "2025-03-01", "end": "2025-08-31",
        "where": {"campaign": ["C02"]},
    },
    "source-month": {"by": ["source"], "grain": "month"},
    "month-two-campaigns": {
        "by": ["campaign"], "grain": "month", "where": {"campaign": ["C01", "C03"]},
    },
    "month-total": {"grain": "month", "start": "2025-02-01"},
    # whole months, no grain: the monthly mirrors of the agent rollups answer
    "team-whole-quarter": {"by": ["team"], "start": "2025-04-01", "end": "2025-06-30"},
}  # fmt: skip


@pytest.mark.parametrize("slicing", list(SLICINGS))
def test_rollups_answer_like_the_detail_tables(slicing: str, backend: str, demo_on: Opener) -> None:
    ws = demo_on(backend)
    assert ws.rollups_fresh()
    kpis = splittable(ws.compiler, SLICINGS[slicing])
    query = KpiQuery.build(kpis, **SLICINGS[slicing])
    plan = ws.compiler.compile(query, rollups=True).plan
    assert any(": rollup_" in line for line in plan), plan
    from_rollups = ws.run(query)
    detail = ws.run(query, rollups=False)
    assert detail.table.num_rows > 0
    problems = differences(detail.table, from_rollups.table, detail.dimensions)
    assert not problems, "\n".join(problems[:40])


def test_the_campaign_kpis_by_month_read_only_rollups(demo_on: Opener) -> None:
    compiler = demo_on("duckdb").compiler
    kpis = ["calls", "contact_rate", "aht", "sales_per_hour", "conversion_rate", "cac", "roi"]
    kpis += ["revenue_per_customer", "cost_per_sale", "lead_conversion_rate"]
    plan = compiler.compile(KpiQuery.build(kpis, by="campaign", grain="month"), rollups=True).plan
    readers = {line.split(": ")[1].split(" ")[0] for line in plan if not line.startswith("costs")}
    assert readers <= {*rollups.ROLLUPS, *MIRROR_NAMES, rollups.MONTHLY_TABLE}, plan
    # distinct customers (cac, revenue per customer) from the monthly counts, not per contact
    assert f"{rollups.MONTHLY_TABLE} (acquired_customers)" in "\n".join(plan)
    assert f"{rollups.MONTHLY_TABLE} (buying_customers)" in "\n".join(plan)
    # costs are read in detail (a few hundred rows), their drivers from the rollups
    sql = compiler.compile(KpiQuery.build("cost", by="campaign"), rollups=True).sql
    assert '"rollup_campaign_calls"' in sql and '"calls"' not in sql


@pytest.mark.parametrize(
    ("kpi", "slicing"),
    [
        ("calls", {"by": "source"}),  # a lookup through lead_id, not kept by the rollup
        ("calls", {"by": "attempt"}),  # not a key
        ("calls", {"where": {"region": ["x"]}}),  # a filter through contact_id
        ("calls", {"grain": "month"}),  # ... stale rollups: below
        ("speed_to_lead", {}),  # a median
        ("emails_opened", {"grain": "month"}),  # distinct recipients, no rollup
        ("revenue_with_margin", {}),  # `where` on a measure
        ("sales_cycle_km_median", {}),  # a model KPI
        ("customers_end", {"grain": "month"}),  # per-period source
    ],
)
def test_what_rollups_cannot_answer_reads_the_detail(kpi: str, slicing: dict[str, Any]) -> None:
    from callkpi.metrics.catalog import load_catalog

    compiler = KpiCompiler(load_catalog())
    query = KpiQuery.build(kpi, **slicing)
    stale = compiler.compile(query, rollups=False)
    assert all(": detail" in line for line in stale.plan)
    if slicing != {"grain": "month"}:
        assert compiler.compile(query, rollups=True).sql == stale.sql


MONTHLY_READ = rollups.MONTHLY_TABLE
MIRROR_NAMES = [mirror.name for mirror in rollups.MIRRORS.values()]


@pytest.mark.parametrize(
    ("slicing", "calls_reader"),
    [
        ({"by": "agent", "grain": "month"}, "rollup_calls_monthly"),
        ({"by": "team", "grain": "quarter", "start": "2025-04-01"}, "rollup_calls_monthly"),
        ({"by": "agent", "start": "2025-04-01", "end": "2025-04-30"}, "rollup_calls_monthly"),
        ({"by": "agent"}, "rollup_calls_monthly"),  # all time: whole months
        # part of a month, or periods that cut months: the daily rollup
        ({"by": "agent", "grain": "month", "start": "2025-04-02"}, "rollup_calls"),
        ({"by": "agent", "end": "2025-04-29"}, "rollup_calls"),
        ({"by": "agent", "grain": "week"}, "rollup_calls"),
        ({"by": "agent", "grain": "day"}, "rollup_calls"),
        # not by agent: the campaign rollup is smaller still, and kept
        ({"by": "campaign", "grain": "month"}, "rollup_campaign_calls"),
    ],
)  # fmt: skip
def test_monthly_mirrors_answer_whole_months_only(
    slicing: dict[str, Any], calls_reader: str
) -> None:
    from callkpi.metrics.catalog import load_catalog

    query = KpiQuery.build(["calls", "revenue"], **slicing)
    plan = "\n".join(KpiCompiler(load_catalog()).compile(query, rollups=True).plan)
    assert f": {calls_reader} (calls)" in plan, plan
    orders_reader = calls_reader.replace("calls", "orders")
    assert f": {orders_reader} (revenue)" in plan, plan


@pytest.mark.parametrize(
    ("slicing", "reader"),
    [
        ({"by": "campaign", "grain": "month"}, MONTHLY_READ),
        ({"by": "source", "grain": "month", "start": "2025-02-01", "end": "2025-04-30"},
         MONTHLY_READ),
        ({"grain": "month", "where": {"campaign": ["C01"]}}, MONTHLY_READ),
        # not whole months: a distinct count of part of a month, from the daily contacts
        ({"by": "campaign", "grain": "month", "start": "2025-02-02"}, "rollup_lead_conversions"),
        ({"by": "campaign", "grain": "month", "end": "2025-04-29"}, "rollup_lead_conversions"),
        ({"by": "campaign", "grain": "quarter"}, "rollup_lead_conversions"),  # months only
        # two campaigns added up would count a contact of both twice
        ({"grain": "month", "where": {"campaign": ["C01", "C02"]}}, "rollup_lead_conversions"),
        # a lookup (campaign -> channel) would add distinct counts up too
        ({"by": "channel", "grain": "month"}, "rollup_lead_conversions"),
    ],
)  # fmt: skip
def test_monthly_distinct_counts_answer_whole_months_only(
    slicing: dict[str, Any], reader: str
) -> None:
    from callkpi.metrics.catalog import load_catalog

    query = KpiQuery.build("acquired_customers", **slicing)
    plan = KpiCompiler(load_catalog()).compile(query, rollups=True).plan
    assert f": {reader} (acquired_customers)" in plan[0], plan


def test_monthly_distinct_counts_by_hand(open_empty: Opener) -> None:
    """Contacts who bought, per month: a contact buying twice in a month counts once, and a
    contact of two campaigns counts once in the total but once in each campaign."""
    ws = open_empty("duckdb")
    ws.append("campaigns", [{"campaign_id": c, "name": c} for c in ("C1", "C2")])
    ws.append("contacts", [{"contact_id": k} for k in ("K1", "K2", "K3")])
    orders = [
        ("O1", "K1", "C1", "2026-01-05"), ("O2", "K1", "C1", "2026-01-20"),
        ("O3", "K1", "C2", "2026-01-21"), ("O4", "K2", "C2", "2026-01-31"),
        ("O5", "K2", "C2", "2026-02-01"), ("O6", "K3", "C1", "2026-02-14"),
    ]  # fmt: skip
    ws.append("orders", [
        {"order_id": o, "contact_id": k, "campaign_id": c, "amount": 10.0,
         "ordered_at": dt.datetime.fromisoformat(f"{day} 12:00:00")}
        for o, k, c, day in orders
    ])  # fmt: skip
    total = ws.kpis("buying_customers", grain="month")
    assert ws.explain("buying_customers", grain="month").count(rollups.MONTHLY_TABLE) >= 1
    assert total.records() == [
        {"period": "2026-01-01", "buying_customers": 2},
        {"period": "2026-02-01", "buying_customers": 2},
    ]
    by_campaign = ws.kpis("buying_customers", by="campaign", grain="month").records()
    assert [(r["campaign"], str(r["period"]), r["buying_customers"]) for r in by_campaign] == [
        ("C1", "2026-01-01", 1), ("C2", "2026-01-01", 2),
        ("C1", "2026-02-01", 1), ("C2", "2026-02-01", 1),
    ]  # fmt: skip
    ws.append("orders", [{"order_id": "O7", "contact_id": "K3", "campaign_id": "C2",
                          "amount": 5.0, "ordered_at": dt.datetime(2026, 1, 9, 9)}])  # fmt: skip
    assert [
        r["buying_customers"] for r in ws.kpis("buying_customers", grain="month").records()
    ] == [3, 2]
    _assert_exact(ws)


def _rollup_rows(ws: Workspace) -> dict[str, list[tuple[Any, ...]]]:
    """Every rollup's rows, sorted, sums rounded (the order of additions may differ)."""
    found = {}
    tables = {name: table.columns for name, table in rollups.ROLLUPS.items()}
    tables |= {mirror.name: mirror.columns for mirror in rollups.MIRRORS.values()}
    tables[rollups.MONTHLY_TABLE] = list(rollups.MONTHLY_COLUMNS)
    for name, table_columns in tables.items():
        columns = ", ".join(f'"{c}"' for c in table_columns)
        rows = ws.store.rows(f'SELECT {columns} FROM "{name}"')
        found[name] = sorted(
            (tuple(round(v, 6) if isinstance(v, float) else v for v in row) for row in rows),
            key=repr,
        )
    return found


def _assert_exact(ws: Workspace) -> None:
    maintained = _rollup_rows(ws)
    assert sum(len(rows) for rows in maintained.values()) > 0
    ws.rebuild_rollups()
    assert maintained == _rollup_rows(ws)


def _events(*rows: tuple[str, str, str, str, str | None]) -> pa.Table:
    received = dt.datetime(2026, 3, 3)
    return pa.Table.from_pylist(
        [
            {
                "event_id": event_id, "call_id": call_id, "kind": kind,
                "at": dt.datetime.fromisoformat(at), "campaign_id": "C1", "agent_id": "A2",
                "contact_id": "K2", "lead_id": "L2", "direction": "outbound", "outcome": outcome,
                "received_at": received,
            }
            for event_id, call_id, kind, at, outcome in rows
        ],
        schema=EVENT_SCHEMA,
    )  # fmt: skip


def test_appends_and_live_events_keep_rollups_exact(backend: str, open_empty: Opener) -> None:
    ws = open_empty(backend)
    for table, rows in SMALL_DATA.items():  # leads before their calls, calls before orders
        ws.append(table, rows)
    _assert_exact(ws)
    # a live call, then the same call again on another day (deletes and reinserts the row)
    write_events(ws.store, _events(
        ("e1", "CL04", "started", "2026-03-02 09:00:00", None),
        ("e2", "CL04", "answered", "2026-03-02 09:00:10", None),
        ("e3", "CL04", "ended", "2026-03-02 09:05:00", "sale"),
        ("e4", "LIVE1", "started", "2026-01-06 15:00:00", None),
        ("e5", "LIVE1", "ended", "2026-01-06 15:00:30", "no_answer"),
    ))  # fmt: skip
    assert ws.store.scalar("SELECT count(*) FROM rollup_calls WHERE day = '2026-01-07'") == 0
    _assert_exact(ws)


def test_deferred_live_events_leave_days_pending_until_refreshed(
    backend: str, open_empty: Opener
) -> None:
    """The server defers the rollups of live events; refresh_pending makes them exact."""
    ws = open_empty(backend)
    for table, rows in SMALL_DATA.items():
        ws.append(table, rows)
    before = _rollup_rows(ws)
    written = write_events(ws.store, _events(
        ("d1", "CL04", "started", "2026-03-02 09:00:00", None),
        ("d2", "CL04", "ended", "2026-03-02 09:05:00", "sale"),
    ), defer_rollups=True)  # fmt: skip
    assert written.calls_completed == 1
    assert _rollup_rows(ws) == before  # nothing recomputed yet...
    assert rollups.pending(ws.store) > 0  # ...but the days are remembered, in the store
    assert rollups.refresh_pending(ws.store) > 0
    assert rollups.pending(ws.store) == 0
    assert _rollup_rows(ws) != before
    _assert_exact(ws)


def test_an_import_that_moves_rows_keeps_rollups_exact(
    backend: str, open_empty: Opener, tmp_path: Path
) -> None:
    """In place on DuckDB; staged, then upserted, on PostgreSQL (ingest/destinations.py)."""
    ws = open_empty(backend)
    for table, rows in SMALL_DATA.items():
        ws.append(table, rows)
    csv = tmp_path / "calls.csv"
    csv.write_text(
        "call_id,campaign_id,agent_id,contact_id,lead_id,started_at,outcome,talk_s\n"
        "CL02,C2,A2,K1,L1,2026-02-10 10:00:00,refused,30\n"  # an update: another day
        "CL99,C1,A1,K2,L2,2026-01-05 11:00:00,sale,100\n",
        encoding="utf-8",
    )
    report = ws.import_file("calls", csv)
    assert (report.inserted, report.updated) == (1, 1)
    assert ws.rollups_fresh()
    assert ws.store.scalar("SELECT sum(n) FROM rollup_calls WHERE day = '2026-01-06'") == 1
    assert ws.store.scalar("SELECT sum(n) FROM rollup_calls WHERE day = '2026-02-10'") == 1
    _assert_exact(ws)


def test_stale_rollups_are_not_read_until_rebuilt(open_empty: Opener) -> None:
    ws = open_empty("duckdb")
    ws.append("calls", SMALL_DATA["calls"])
    ws.store.execute("UPDATE rollup_state SET definition = 'older'")
    assert not ws.rollups_fresh()
    ws.append("calls", [{**SMALL_DATA["calls"][0], "call_id": "NEW"}])  # not maintained
    assert "rollups stale" in ws.explain("calls", by="campaign")
    assert ws.kpis("calls").table["calls"].to_pylist() == [11]
    ws.rebuild_rollups()
    assert ws.rollups_fresh() and "rollup_campaign_calls" in ws.explain("calls")
    assert ws.kpis("calls").table["calls"].to_pylist() == [11]


def test_explain_on_spark_gives_no_rebuild_advice(open_empty: Opener) -> None:
    """Spark keeps no rollups: reading the detail is not a sign of stale ones."""
    ws = open_empty("spark")
    explained = ws.explain_query(KpiQuery.build("calls", by="campaign", start="2026-01-01"))
    assert explained.plan == ("calls by started_at: detail (calls)",)
    assert ":period_start" in explained.sql  # Spark SQL's placeholders
    assert explained.parameters == {"period_start": "2026-01-01"}


@pytest.mark.parametrize("dialect", ["duckdb", "postgres"])
def test_the_rollup_sql_the_store_ships_is_current(dialect: str) -> None:
    from callkpi.metrics.rollups import SQL_DIR, compile_all

    shipped = (SQL_DIR / f"{dialect}.json").read_text(encoding="utf-8")
    assert shipped == compile_all(dialect), "run `python -m callkpi.metrics.rollups`"
