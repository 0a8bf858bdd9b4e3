"""The PostgreSQL store: same schema and calendar as DuckDB, COPY loads, clear refusals."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import psycopg
import pyarrow as pa
import pytest
from typer.testing import CliRunner

import callkpi
from callkpi.cli.app import app
from callkpi.errors import StoreError
from callkpi.store import Store, migrations, open_store
from callkpi.store.base import redact
from callkpi.store.postgres_backend import PostgresStore
from callkpi.store.schema import CALENDAR, TABLES
from tests.conformance.compare import differences
from tests.postgres_server import PostgresServer
from tests.store.wrapped import migrate_through


@pytest.fixture
def opened() -> Iterator[Callable[..., Store]]:
    """open_store, closing what it opened at the end of the test."""
    stores: list[Store] = []

    def open_one(location: str, read_only: bool = False) -> Store:
        stores.append(open_store(location, read_only=read_only))
        return stores[-1]

    yield open_one
    for store in stores:
        store.close()


def test_a_new_database_gets_every_table_and_the_calendar_of_duckdb(
    postgres_server: PostgresServer, tmp_path: Path, opened: Callable[..., Store]
) -> None:
    store = opened(postgres_server.create_database())
    assert store.dialect == "postgres"
    assert store.schema_version() == len(migrations.MIGRATIONS)
    for table in [*TABLES.values(), CALENDAR]:
        columns = store.rows(
            "SELECT column_name FROM information_schema.columns WHERE table_name = ? "
            "ORDER BY ordinal_position",
            [table.name],
        )
        assert [c[0] for c in columns] == table.column_names
    reference = open_store(tmp_path / "s.duckdb")
    calendar = "SELECT * FROM calendar ORDER BY day"
    assert store.query(calendar).equals(reference.query(calendar))


def test_writers_find_rows_by_index_not_by_scanning(
    postgres_url: str, opened: Callable[..., Store]
) -> None:
    """Migration 8: every key, time column and lookup column is indexed on PostgreSQL (a
    live event batch scanned `calls` three times without); a DuckDB store gets none."""
    store = opened(postgres_url)
    indexed = {
        (table, definition.split("(", 1)[1].rstrip(")").replace('"', ""))
        for table, definition in store.rows(
            "SELECT tablename, indexdef FROM pg_indexes WHERE schemaname = 'public'"
        )
    }
    for name, table in TABLES.items():
        assert (name, ", ".join(table.key)) in indexed
        if table.time_column:
            assert (name, table.time_column) in indexed
    for name, columns in migrations.LOOKUP_COLUMNS.items():
        assert {(name, column) for column in columns} <= indexed
    store.execute("SET enable_seqscan = off")  # an empty table: a scan would cost nothing
    plan = store.rows("EXPLAIN SELECT * FROM calls WHERE call_id = 'x'")
    assert "calls_call_id_idx" in " ".join(row[0] for row in plan)
    duckdb_store = open_store(":memory:")
    assert duckdb_store.scalar("SELECT count(*) FROM duckdb_indexes()") == 0
    duckdb_store.close()


def test_a_bulk_load_leaves_the_planner_fresh_statistics(
    postgres_url: str, opened: Callable[..., Store]
) -> None:
    """A table loaded in bulk is analyzed after the commit (autovacuum would take up to a
    minute, while the planner took 1M calls for the few rows it had seen and scanned them);
    a small write, or a load rolled back, is left to autovacuum."""
    store = opened(postgres_url)

    def planned() -> float:
        return float(store.scalar("SELECT reltuples FROM pg_class WHERE relname = 'calls'"))

    def calls(first: int, count: int) -> pa.Table:
        at = dt.datetime(2026, 3, 2, 10)
        ids = [f"b{i}" for i in range(first, first + count)]
        return pa.table({"call_id": ids, "started_at": [at] * count})

    before = planned()
    store.insert_arrow("calls", calls(0, 10))  # outside a transaction, small
    assert planned() == before
    with pytest.raises(RuntimeError), store.transaction():
        store.insert_arrow("calls", calls(10, 3000))
        raise RuntimeError("rolled back")
    assert planned() == before
    with store.transaction():
        store.insert_arrow("calls", calls(10, 3000))
        assert planned() == before  # not before the commit
    assert planned() == 3010
    with store.transaction():  # an upsert (an import): 1200 rows, more than a tenth
        store.upsert_arrow("calls", calls(2000, 1200))
    assert planned() == 3200


class _Wrapped:
    """A psycopg connection behind a wrapper of another module (a pool, a tracing proxy)."""

    def __init__(self, con: psycopg.Connection) -> None:
        self.con = con

    def execute(self, sql: str, parameters: object = None) -> object:
        return self.con.execute(sql, parameters)  # type: ignore[arg-type]


def test_migrations_index_postgresql_by_its_dialect_not_its_driver(
    postgres_server: PostgresServer, monkeypatch: pytest.MonkeyPatch, opened: Callable[..., Store]
) -> None:
    """The runner tells every migration the store's dialect: migration 8 indexes a
    PostgreSQL store reached through a wrapped connection."""
    from callkpi.store import postgres_backend

    seen = migrate_through(monkeypatch, postgres_backend, _Wrapped)
    store = opened(postgres_server.create_database())
    assert seen == ["postgres"]
    indexes = {row[0] for row in store.rows("SELECT indexname FROM pg_indexes")}
    assert "calls_call_id_idx" in indexes
    assert "call_events_call_id_idx" in indexes


def test_reopening_does_not_migrate_again(postgres_url: str, opened: Callable[..., Store]) -> None:
    open_store(postgres_url).close()
    store = opened(postgres_url)
    assert store.scalar("SELECT count(*) FROM schema_version") == len(migrations.MIGRATIONS)


def test_databases_opened_at_once_migrate_once(
    postgres_server: PostgresServer, opened: Callable[..., Store]
) -> None:
    url = postgres_server.create_database()
    errors: list[BaseException] = []

    def open_one() -> None:
        try:
            open_store(url).close()
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=open_one) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    store = opened(url)
    assert store.scalar("SELECT count(*) FROM schema_version") == len(migrations.MIGRATIONS)
    assert store.scalar("SELECT count(*) - count(DISTINCT day) FROM calendar") == 0


def test_a_database_of_a_newer_callkpi_is_refused(postgres_url: str) -> None:
    store = open_store(postgres_url)
    store.execute("INSERT INTO schema_version (version) VALUES (?)", [99])
    store.close()
    with pytest.raises(StoreError, match="schema version 99, newer than this callkpi"):
        open_store(postgres_url)


def test_a_foreign_database_is_refused_untouched(postgres_server: PostgresServer) -> None:
    url = postgres_server.create_database()
    with psycopg.connect(url, autocommit=True) as con:
        con.execute("CREATE TABLE sales (x INT)")
    with pytest.raises(StoreError, match="is a PostgreSQL database but not a callkpi store"):
        open_store(url)
    with psycopg.connect(url) as con:
        tables = con.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'"
        ).fetchall()
    assert tables == [("sales",)]


def test_read_only_upgrades_an_older_schema_then_refuses_writes(
    postgres_url: str, monkeypatch: pytest.MonkeyPatch, opened: Callable[..., Store]
) -> None:
    def add_notes(con: object, dialect: str) -> None:  # a next version of the schema
        con.execute("CREATE TABLE notes (text VARCHAR)")  # type: ignore[attr-defined]

    monkeypatch.setattr(migrations, "MIGRATIONS", [*migrations.MIGRATIONS, add_notes])
    reader = opened(postgres_url, read_only=True)
    assert reader.schema_version() == len(migrations.MIGRATIONS)
    assert reader.row_count("notes") == 0
    with pytest.raises(psycopg.errors.ReadOnlySqlTransaction):
        reader.execute("INSERT INTO notes VALUES (?)", ["x"])


def test_read_only_on_an_empty_database_does_not_create_the_schema(
    postgres_server: PostgresServer,
) -> None:
    url = postgres_server.create_database()
    with pytest.raises(StoreError, match="needs a schema upgrade; open it read-write once"):
        open_store(url, read_only=True)
    with psycopg.connect(url) as con:
        assert con.execute("SELECT to_regclass('schema_version')").fetchone() == (None,)


def test_a_failed_connection_is_one_line_naming_the_url_without_password() -> None:
    url = "postgresql://callkpi:s3cret@127.0.0.1:1/kpis"
    with pytest.raises(StoreError) as info:
        open_store(url)
    message = str(info.value)
    assert message.startswith("cannot connect to postgresql://callkpi@127.0.0.1:1/kpis: ")
    assert "s3cret" not in message and "\n" not in message
    assert redact("postgres://u:p@[::1]:5432/d?sslmode=require") == (
        "postgres://u@[::1]:5432/d?sslmode=require"
    )


def test_copy_loads_every_type_exactly_as_duckdb_stores_it(
    postgres_url: str, tmp_path: Path
) -> None:
    rows = [
        {"contact_id": "K1", "created_at": dt.datetime(2026, 1, 5, 9, 0, 0, 123456),
         "segment": "", "sector": 'a "quoted", two-line\ntext', "region": "Île-de-France €",
         "consent": True},
        {"contact_id": "K2", "created_at": None, "segment": None, "consent": False},
        {"contact_id": "K3", "consent": None, "email": "\\N"},
    ]  # fmt: skip
    orders = [
        {"order_id": "O1", "ordered_at": dt.datetime(2026, 1, 1), "amount": 0.1 + 0.2},
        {"order_id": "O2", "ordered_at": dt.datetime(2026, 1, 2), "amount": 1e300,
         "margin": -0.0},
        {"order_id": "O3", "ordered_at": dt.datetime(2026, 1, 3), "amount": 5e-324},
    ]  # fmt: skip
    costs = [{"cost_id": "X", "period_start": dt.date(2026, 2, 1),
              "period_end": dt.date(2026, 2, 28), "amount": 1.0}]  # fmt: skip
    reference = callkpi.open(tmp_path / "ref.duckdb")
    with callkpi.open(postgres_url) as ws:
        for workspace in (ws, reference):
            workspace.append("contacts", rows)
            workspace.append("orders", orders)
            workspace.append("costs", costs)
        for table in ("contacts", "orders", "costs"):
            sql = f'SELECT * FROM "{table}" ORDER BY 1'
            assert ws.store.query(sql).equals(reference.store.query(sql)), table


def test_append_of_a_large_arrow_table_streams_in_batches(postgres_url: str) -> None:
    n = 150_000
    table = pa.table(
        {
            "touch_id": [f"T{i}" for i in range(n)],
            "at": pa.array([dt.datetime(2026, 1, 1)] * n, pa.timestamp("us")),
        }
    )
    with callkpi.open(postgres_url) as ws:
        assert ws.append("touches", table) == n
        assert ws.count("touches") == n


def test_a_failed_append_writes_nothing(postgres_url: str) -> None:
    with callkpi.open(postgres_url) as ws:
        bad = [{"order_id": "O1", "ordered_at": dt.datetime(2026, 1, 1), "amount": 1.0}] * 2
        ws.store.execute('ALTER TABLE orders ADD CONSTRAINT one_order UNIQUE ("order_id")')
        with pytest.raises(psycopg.errors.UniqueViolation):
            ws.append("orders", bad)
        assert ws.count("orders") == 0


def test_the_cli_runs_on_a_database_url(postgres_server: PostgresServer) -> None:
    runner = CliRunner()
    url = postgres_server.create_database()
    init = runner.invoke(app, ["--db", url, "init"])
    assert init.exit_code == 0, init.output
    assert f"store {url} ready (schema version" in init.stdout
    demo = runner.invoke(app, ["--db", url, "demo", "--calls", "2000"])
    assert demo.exit_code == 0, demo.output
    again = runner.invoke(app, ["--db", url, "demo", "--calls", "2000"])  # replaces the demo
    assert again.exit_code == 0, again.output
    kpi = runner.invoke(app, ["--db", url, "kpi", "calls", "--format", "json"])
    assert kpi.exit_code == 0, kpi.output
    assert '"calls": 2000' in kpi.stdout
    refused = runner.invoke(app, ["generate", "--calls", "1000", "--out", url])
    assert refused.exit_code == 1 and "already holds data; pass --force" in refused.stderr
    sharded = ["generate", "--calls", "4000", "--shard-calls", "2000", "--out", url, "--force"]
    forced = runner.invoke(app, sharded)  # two call centres, written one after the other
    assert forced.exit_code == 0, forced.output
    with callkpi.open(url, read_only=True) as ws:
        assert ws.count("calls") == 4000 and ws.count("agents") == 80
        assert ws.rollups_fresh()


def test_the_import_command_fills_a_database_like_a_duckdb_file(
    postgres_url: str, tmp_path: Path
) -> None:
    """Every generated CSV through `callkpi import` into PostgreSQL and into a DuckDB file:
    the same counts, then the same KPIs."""
    runner = CliRunner()
    out = tmp_path / "csv"
    args = ["generate", "--calls", "2000", "--start", "2026-01-01", "--months", "1"]
    assert runner.invoke(app, [*args, "--out", str(out)]).exit_code == 0
    duck = str(tmp_path / "store.duckdb")
    files = {p.stem for p in out.glob("*.csv") if len(p.read_text().splitlines()) > 1}
    tables = ["campaigns", "agents", *sorted(files - {"campaigns", "agents"})]  # referenced first
    for table in tables:
        for db in (postgres_url, duck):
            result = runner.invoke(app, ["--db", db, "import", table, str(out / f"{table}.csv")])
            assert result.exit_code == 0, result.stdout + result.stderr
            assert "rejected 0" in result.stdout
    kpis = ["calls", "contact_rate", "aht", "leads", "conversion_rate", "revenue", "cpl", "roi"]
    with callkpi.open(postgres_url) as pg, callkpi.open(duck) as dk:
        assert {t: pg.count(t) for t in tables} == {t: dk.count(t) for t in tables}
        assert pg.rollups_fresh()
        expected = dk.kpis(kpis, by=["campaign"], grain="week")
        assert expected.table.num_rows > 20
        found = pg.kpis(kpis, by=["campaign"], grain="week")
        problems = differences(expected.table, found.table, ["campaign", "period"])
        assert not problems, "\n".join(problems[:20])


def test_the_demo_never_replaces_other_data(postgres_url: str) -> None:
    with callkpi.open(postgres_url) as ws:
        ws.append("campaigns", [{"campaign_id": "MINE"}])
    result = CliRunner().invoke(app, ["--db", postgres_url, "demo", "--calls", "1000"])
    assert result.exit_code == 1
    assert "holds data that is not the demo's" in result.stderr


def test_a_store_is_a_postgres_store_by_url(
    postgres_url: str, opened: Callable[..., Store]
) -> None:
    store = opened(postgres_url.replace("postgresql://", "postgres://"))
    assert isinstance(store, PostgresStore)
    assert store.path == postgres_url.replace("postgresql://", "postgres://")
