"""The store: created and versioned by the package, a calendar from the calendar, clear errors."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb
import pyarrow as pa
import pytest

import callkpi
from callkpi.errors import StoreError
from callkpi.store import open_store
from callkpi.store.migrations import LATEST_VERSION
from callkpi.store.schema import TABLES
from tests.store.wrapped import migrate_through


def test_a_new_store_has_every_canonical_table_with_its_columns(tmp_path: Path) -> None:
    store = open_store(tmp_path / "s.duckdb")
    for table in TABLES.values():
        columns = [
            row[0]
            for row in store.connection.execute(
                "SELECT column_name FROM information_schema.columns WHERE table_name = ? "
                "ORDER BY ordinal_position",
                [table.name],
            ).fetchall()
        ]
        assert columns == table.column_names
    assert store.schema_version() == LATEST_VERSION


def test_the_design_tables_are_all_there() -> None:
    assert set(TABLES) == {
        "campaigns", "agents", "agent_sessions", "contacts", "leads", "calls", "touches",
        "deals", "deal_stages", "orders", "customers", "tickets", "surveys", "costs",
        "email_events", "targets",
    }  # fmt: skip


def test_calendar_has_one_row_per_day_and_monday_weeks(tmp_path: Path) -> None:
    store = open_store(tmp_path / "s.duckdb")
    rows = store.query(
        "SELECT day, week_start, month_start, quarter_start, year, iso_weekday FROM calendar "
        "WHERE day BETWEEN DATE '2026-02-27' AND DATE '2026-03-02' ORDER BY day"
    ).to_pylist()
    assert [r["day"] for r in rows] == [
        dt.date(2026, 2, 27), dt.date(2026, 2, 28), dt.date(2026, 3, 1), dt.date(2026, 3, 2)
    ]  # fmt: skip
    assert rows[2] == {
        "day": dt.date(2026, 3, 1),
        "week_start": dt.date(2026, 2, 23),  # a Sunday belongs to the week of Monday 23rd
        "month_start": dt.date(2026, 3, 1),
        "quarter_start": dt.date(2026, 1, 1),
        "year": 2026,
        "iso_weekday": 7,
    }
    assert store.scalar("SELECT count(*) - count(DISTINCT day) FROM calendar") == 0


def test_reopening_does_not_migrate_again(tmp_path: Path) -> None:
    path = tmp_path / "s.duckdb"
    open_store(path).close()
    store = open_store(path)
    assert store.scalar("SELECT count(*) FROM schema_version") == LATEST_VERSION
    assert store.row_count("calendar") == store.scalar(
        "SELECT DATE '2060-12-31' - DATE '2000-01-01' + 1"
    )


def test_a_store_from_a_newer_callkpi_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "s.duckdb"
    store = open_store(path)
    store.execute("INSERT INTO schema_version (version) VALUES (?)", [LATEST_VERSION + 1])
    store.close()
    with pytest.raises(StoreError, match="newer than this callkpi"):
        open_store(path)


def test_a_foreign_duckdb_file_is_refused_untouched(tmp_path: Path) -> None:
    path = tmp_path / "other.duckdb"
    con = duckdb.connect(str(path))
    con.execute("CREATE TABLE sales (x INT)")
    con.close()
    with pytest.raises(StoreError, match="not a callkpi store"):
        open_store(path)
    con = duckdb.connect(str(path))
    assert [r[0] for r in con.execute("SHOW TABLES").fetchall()] == ["sales"]


def test_a_file_that_is_not_duckdb_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "notes.duckdb"
    path.write_text("hello")
    with pytest.raises(StoreError, match="cannot open store"):
        open_store(path)


def test_read_only_on_a_missing_file_does_not_create_it(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="store not found"):
        open_store(tmp_path / "missing.duckdb", read_only=True)
    assert not (tmp_path / "missing.duckdb").exists()


def test_other_backends_are_refused_clearly() -> None:
    with pytest.raises(StoreError, match="unsupported store URL scheme 'mysql'"):
        open_store("mysql://host/db")


def test_a_spark_url_without_a_warehouse_is_refused_before_spark_starts() -> None:
    with pytest.raises(StoreError, match="name the warehouse folder"):
        open_store("spark://host:7077")


def test_duckdb_urls_and_memory(tmp_path: Path) -> None:
    assert open_store(f"duckdb://{tmp_path / 'u.duckdb'}").schema_version() == LATEST_VERSION
    assert (tmp_path / "u.duckdb").exists()
    assert callkpi.open(":memory:").count("calls") == 0


def test_an_older_store_opened_read_only_is_upgraded_first(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from callkpi.store import migrations

    path = tmp_path / "old.duckdb"
    open_store(path).close()  # a store of the current version

    def add_notes(con: object, dialect: str) -> None:  # a next version of the schema
        con.execute("CREATE TABLE notes (text VARCHAR)")  # type: ignore[attr-defined]

    newer = [*migrations.MIGRATIONS, add_notes]
    monkeypatch.setattr(migrations, "MIGRATIONS", newer)
    reader = open_store(path, read_only=True)
    assert reader.read_only
    assert reader.schema_version() == len(newer)
    assert reader.row_count("notes") == 0


class _LooksLikePsycopg:
    """A DuckDB connection behind a wrapper whose module says psycopg: the migrations must
    take the engine from the store's dialect, not from the connection's type."""

    __module__ = "psycopg.connection"

    def __init__(self, con: duckdb.DuckDBPyConnection) -> None:
        self.con = con

    def execute(self, sql: str, parameters: object = None) -> object:
        return self.con.execute(sql, parameters if parameters is not None else [])


def test_migrations_receive_the_dialect_and_duckdb_gets_no_index(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Migration 8 indexes PostgreSQL only: a DuckDB store gets no index, whatever its
    connection looks like, and every migration is told the store's dialect."""
    from callkpi.store import duckdb_backend, migrations

    seen = migrate_through(monkeypatch, duckdb_backend, _LooksLikePsycopg)
    store = open_store(tmp_path / "s.duckdb")
    assert seen == ["duckdb"]
    assert store.schema_version() == len(migrations.MIGRATIONS)
    assert store.scalar("SELECT count(*) FROM duckdb_indexes()") == 0
    store.close()


def test_small_reads_leave_no_result_open(tmp_path: Path) -> None:
    """DuckDB 2.0 refuses to register a function (the importer's phone normaliser) while a
    result is not read to its end: a scalar read must not leave one open."""
    store = open_store(tmp_path / "s.duckdb")
    assert store.scalar("SELECT count(*) FROM calls") == 0
    assert store.schema_version() == LATEST_VERSION
    store.connection.create_function("ck_probe", lambda x: x, ["VARCHAR"], "VARCHAR")  # type: ignore[attr-defined]
    store.close()


def test_contacts_with_phones_import_into_a_reopened_store(tmp_path: Path) -> None:
    calls = tmp_path / "calls.csv"
    calls.write_text("call_id,campaign_id,started_at,outcome\nc1,C1,2026-01-05 10:00,sale\n")
    contacts = tmp_path / "contacts.csv"
    contacts.write_text("contact_id,created_at,phone\nK1,2026-01-01,06 12 34 56 78\n")
    with callkpi.open(tmp_path / "s.duckdb") as ws:
        ws.import_file("calls", calls)
    ws = callkpi.open(tmp_path / "s.duckdb")  # opening reads the schema version
    assert ws.import_file("contacts", contacts).inserted == 1
    assert ws.store.scalar("SELECT phone FROM contacts") == "+33612345678"
    ws.close()


def test_an_insert_does_not_hold_its_arrow_table_until_the_commit(tmp_path: Path) -> None:
    """A demo written shard by shard inserts gigabytes in one transaction: each Arrow table
    must be freed once inserted, not kept until the commit."""
    store = open_store(tmp_path / "s.duckdb")
    try:
        with store.transaction():
            before = pa.total_allocated_bytes()
            for shard in range(3):
                ids = pa.array([f"C{shard}-{i}" for i in range(100_000)])
                data = pa.table({"campaign_id": ids, "name": ids})
                assert store.insert_arrow("campaigns", data) == 100_000
                del ids, data
            assert pa.total_allocated_bytes() - before < 100_000
            assert store.row_count("campaigns") == 300_000
            assert store.scalar("SELECT count(DISTINCT name) FROM campaigns") == 300_000
    finally:
        store.close()
