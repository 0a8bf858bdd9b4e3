"""The Spark store: Parquet folders, DuckDB's schema and calendar, best-effort transactions,
clear refusals of what Parquet folders cannot do, and the CLI on a spark:// URL."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pyarrow as pa
import pytest
from typer.testing import CliRunner

import callkpi
from callkpi.cli.app import app
from callkpi.errors import StoreError
from callkpi.store import migrations, open_store
from callkpi.store.spark_backend import SparkLocation, parse_url
from tests.spark_session import spark_url

ORDER = {"order_id": "O1", "ordered_at": dt.datetime(2026, 1, 5, 10, 0, 0, 123456), "amount": 2.5}


def test_urls_name_the_master_and_the_warehouse() -> None:
    assert parse_url("spark://local/data/wh") == SparkLocation("local[*]", "file:///data/wh")
    assert parse_url("spark://node1:7077/shared/wh/") == SparkLocation(
        "spark://node1:7077", "file:///shared/wh"
    )
    assert parse_url("spark://local?master=yarn&warehouse=hdfs://nn:8020/callkpi") == (
        SparkLocation("yarn", "hdfs://nn:8020/callkpi", is_local_folder=False)
    )
    with pytest.raises(StoreError, match="name the warehouse folder"):
        parse_url("spark://local")


def test_a_new_warehouse_gets_every_table_and_the_calendar_of_duckdb(
    spark_store_url: str, tmp_path: Path
) -> None:
    store = open_store(spark_store_url)
    reference = open_store(tmp_path / "s.duckdb")
    try:
        assert store.dialect == "pyspark"
        assert store.schema_version() == len(migrations.MIGRATIONS)
        tables = reference.rows(
            "SELECT table_name FROM duckdb_tables() WHERE schema_name = 'main' AND NOT temporary"
        )
        for (name,) in tables:
            empty = f'SELECT * FROM "{name}" LIMIT 0'
            assert store.query(empty).schema == reference.query(empty).schema, name
        calendar = "SELECT * FROM calendar ORDER BY day"
        assert store.query(calendar).equals(reference.query(calendar))
    finally:
        store.close()
        reference.close()


def test_appends_are_parquet_files_read_back_exactly(spark_store_url: str) -> None:
    with callkpi.open(spark_store_url) as ws:
        ws.append("orders", [ORDER])
        ws.store.execute(
            "INSERT INTO erasures (subject, subject_id, erased_at) VALUES (?, ?, ?)",
            ["contact", "K1", dt.datetime(2026, 1, 1)],
        )
        assert ws.store.rows("SELECT order_id, ordered_at, amount, margin FROM orders") == [
            ("O1", ORDER["ordered_at"], 2.5, None)
        ]
        assert ws.store.scalar("SELECT count(*) FROM erasures WHERE subject = ?", ["contact"])
    folder = Path(parse_url(spark_store_url).warehouse.removeprefix("file://")) / "orders"
    assert [p.suffix for p in folder.iterdir()] == [".parquet"]
    with callkpi.open(spark_store_url, read_only=True) as ws:
        ws.fork().close()  # a server thread's fork: closing it leaves the store open
        assert ws.count("orders") == 1
        with pytest.raises(StoreError, match="read-only"):
            ws.append("orders", [ORDER])


def test_a_failed_transaction_takes_back_its_appends_and_emptied_tables(
    spark_store_url: str,
) -> None:
    with callkpi.open(spark_store_url) as ws:
        ws.append("orders", [ORDER])
        store = ws.store
        with pytest.raises(RuntimeError), store.transaction():
            store.execute('DELETE FROM "orders"')
            store.insert_arrow("campaigns", pa.table({"campaign_id": ["C1"]}))
            assert ws.count("orders") == 0 and ws.count("campaigns") == 1
            raise RuntimeError("boom")
        assert ws.count("orders") == 1 and ws.count("campaigns") == 0
        with store.transaction():
            store.execute('DELETE FROM "orders"')
        assert ws.count("orders") == 0


def test_what_parquet_folders_cannot_do_is_refused_in_one_line(spark_store_url: str) -> None:
    with callkpi.open(spark_store_url) as ws:
        ws.append("contacts", [{"contact_id": "K1", "phone": "+33600000000"}])
        with pytest.raises(StoreError, match="UPDATE is not supported on a Spark store"):
            ws.store.execute("UPDATE contacts SET phone = NULL WHERE contact_id = ?", ["K1"])
        with pytest.raises(StoreError, match="erase is not supported on a Spark store"):
            ws.erase("contact", ["K1"])
        with pytest.raises(StoreError, match="no table 'nope'"):
            ws.store.row_count("nope")
        with pytest.raises(StoreError, match=r"^Spark: \[TABLE_OR_VIEW_NOT_FOUND\]"):
            ws.store.query("SELECT * FROM nope")


def test_a_query_time_limit_is_refused_not_ignored(spark_store_url: str) -> None:
    with callkpi.open(spark_store_url) as ws, pytest.raises(StoreError, match="time limits"):
        ws.store.query("SELECT 1", timeout_s=1.0)


def test_foreign_and_newer_warehouses_are_refused(spark_session: object, tmp_path: Path) -> None:
    (tmp_path / "mine" / "photos").mkdir(parents=True)
    with pytest.raises(StoreError, match="is a folder but not a callkpi store"):
        open_store(spark_url(tmp_path / "mine"))
    with pytest.raises(StoreError, match="store not found"):
        open_store(spark_url(tmp_path / "none"), read_only=True)
    url = spark_url(tmp_path / "wh")
    with callkpi.open(url) as ws:
        ws.store.execute("INSERT INTO schema_version (version) VALUES (?)", [99])
    with pytest.raises(StoreError, match="newer than this callkpi"):
        open_store(url)


def test_a_hadoop_warehouse_is_written_by_spark(spark_session: object, tmp_path: Path) -> None:
    """A warehouse given as a Hadoop URI (hdfs://, s3a://...; file:// here) is written by
    Spark jobs instead of pyarrow: same tables, same results, same undo."""
    url = f"spark://local?warehouse=file://{tmp_path}/wh"
    with callkpi.open(url) as ws:
        ws.append("orders", [ORDER])
        with pytest.raises(RuntimeError), ws.store.transaction():
            ws.append("orders", [ORDER])
            raise RuntimeError("boom")
        assert ws.store.rows("SELECT order_id, ordered_at FROM orders") == [
            ("O1", ORDER["ordered_at"])
        ]
    entries = (tmp_path / "wh" / "orders").iterdir()
    assert [p.is_dir() for p in entries if not p.name.startswith(".")] == [True]


def test_the_cli_runs_on_a_spark_url(spark_session: object, tmp_path: Path) -> None:
    runner = CliRunner()
    url = spark_url(tmp_path / "wh")
    generated = runner.invoke(app, ["generate", "--calls", "1000", "--out", url])
    assert generated.exit_code == 0, generated.output
    refused = runner.invoke(app, ["generate", "--calls", "1200", "--out", url])
    assert refused.exit_code == 1 and "already holds data; pass --force" in refused.stderr
    sharded = ["generate", "--calls", "4000", "--shard-calls", "2000", "--out", url, "--force"]
    forced = runner.invoke(app, sharded)  # two call centres, written one after the other
    assert forced.exit_code == 0, forced.output
    kpi = runner.invoke(app, ["--db", url, "kpi", "calls", "--format", "json"])
    assert kpi.exit_code == 0, kpi.output
    assert '"calls": 4000' in kpi.stdout
    status = runner.invoke(app, ["--db", url, "rollup", "status"])
    assert status.exit_code == 0 and "keeps no rollups" in status.stdout
