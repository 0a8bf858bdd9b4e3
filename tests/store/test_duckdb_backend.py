"""DuckDB connections: what callkpi sets on every one of them."""

from __future__ import annotations

from pathlib import Path

from callkpi.store.duckdb_backend import DuckDBStore, connect


def test_no_connection_draws_a_progress_bar(tmp_path: Path) -> None:
    """DuckDB draws its progress bar on stdout even when it is a pipe: a long query would
    corrupt `callkpi kpi --format json > file`."""
    path = tmp_path / "store.duckdb"
    stores = [DuckDBStore(path)]
    stores.append(stores[0].fork())
    stores[0].close()
    stores = [DuckDBStore(path, read_only=True)]
    for store in [*stores, stores[0].fork()]:
        assert store.scalar("SELECT current_setting('enable_progress_bar')") is False
    assert connect().execute("SELECT current_setting('enable_progress_bar')").fetchone() == (False,)
