"""The store: canonical tables in an embedded DuckDB file, a PostgreSQL database or a
Spark warehouse of Parquet files."""

from __future__ import annotations

from pathlib import Path

from callkpi.errors import StoreError
from callkpi.store.base import Store
from callkpi.store.duckdb_backend import DuckDBStore


def open_store(location: str | Path, *, read_only: bool = False) -> Store:
    """Open a store by path or URL: `x.duckdb`, `duckdb:///x.duckdb`, `:memory:`,
    `postgresql://user@host:port/db` (or `postgres://`), `spark://local/path/to/warehouse`
    or `spark://HOST:7077/path` (docs/backends.md)."""
    text = str(location)
    if text.startswith(("postgresql://", "postgres://")):
        from callkpi.store.postgres_backend import PostgresStore  # psycopg only when asked

        return PostgresStore(text, read_only=read_only)
    if text.startswith("spark://"):
        from callkpi.store.spark_backend import SparkStore  # pyspark only when asked

        return SparkStore(text, read_only=read_only)
    if text.startswith("duckdb://"):
        text = text.removeprefix("duckdb://") or ":memory:"
    elif "://" in text:
        scheme = text.split("://", 1)[0]
        raise StoreError(
            f"unsupported store URL scheme {scheme!r}: use a DuckDB file (a path, "
            "'duckdb:///path' or ':memory:'), 'postgresql://user@host:port/database' "
            "or 'spark://local/path/to/warehouse'"
        )
    return DuckDBStore(text, read_only=read_only)


__all__ = ["DuckDBStore", "Store", "open_store"]
