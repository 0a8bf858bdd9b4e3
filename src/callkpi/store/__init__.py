"""The store: canonical tables in an embedded DuckDB file (PostgreSQL and Spark come later)."""

from __future__ import annotations

from pathlib import Path

from callkpi.errors import StoreError
from callkpi.store.duckdb_backend import DuckDBStore

Store = DuckDBStore


def open_store(location: str | Path, *, read_only: bool = False) -> Store:
    """Open a store by path or URL (`x.duckdb`, `duckdb:///x.duckdb`, `:memory:`)."""
    text = str(location)
    if text.startswith("duckdb://"):
        text = text.removeprefix("duckdb://") or ":memory:"
    elif "://" in text:
        scheme = text.split("://", 1)[0]
        raise StoreError(
            f"unsupported store URL scheme {scheme!r}: this version opens DuckDB files "
            "(a path, 'duckdb:///path' or ':memory:')"
        )
    return DuckDBStore(text, read_only=read_only)


__all__ = ["DuckDBStore", "Store", "open_store"]
