"""The embedded default backend: one DuckDB file, nothing to start."""

from __future__ import annotations

import contextlib
import threading
import uuid
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa

from callkpi.errors import QueryTimeoutError, StoreError
from callkpi.store import migrations
from callkpi.store.base import OneWriterProcess, Params, first_line, migrate
from callkpi.store.loading import upsert_with_sql


def connect(path: str = ":memory:", *, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    """A DuckDB connection without the progress bar: DuckDB draws it on stdout, even when
    stdout is not a terminal, so a long query would corrupt `--format json` output."""
    return quiet(duckdb.connect(path, read_only=read_only))


def quiet(con: duckdb.DuckDBPyConnection) -> duckdb.DuckDBPyConnection:
    """The same connection (or cursor: settings are per connection) without progress bar."""
    con.execute("SET enable_progress_bar = false")
    return con


class DuckDBStore(OneWriterProcess):
    """A callkpi store in a DuckDB file (or in memory with ``:memory:``).

    Opening a store creates the file if needed and applies any pending migration, so every
    caller sees the schema of this version of callkpi.
    """

    dialect = "duckdb"

    def __init__(self, path: str | Path, *, read_only: bool = False) -> None:
        self.path = str(path)
        if read_only and self.path != ":memory:" and not Path(self.path).exists():
            raise StoreError(f"store not found: {self.path}")
        try:
            self._con = connect(self.path, read_only=read_only)
        except duckdb.IOException as exc:
            raise StoreError(f"cannot open store {self.path}: {first_line(exc)}") from exc
        except duckdb.Error as exc:
            raise StoreError(
                f"{self.path} is not a DuckDB database callkpi can open: {first_line(exc)}"
            ) from exc
        self.read_only = read_only
        if read_only and 0 < self.schema_version() < len(migrations.MIGRATIONS):
            self._upgrade_then_reopen()
        migrate(self, self._con, self._has_foreign_tables(), "DuckDB file")

    def fork(self) -> DuckDBStore:
        """A store on its own cursor of the same database, for one thread of a server.

        DuckDB runs concurrent transactions of one process on separate cursors (MVCC), so a
        dashboard query on a fork reads a snapshot instead of waiting behind an import.
        """
        forked = object.__new__(DuckDBStore)
        forked.path = self.path
        forked.read_only = self.read_only
        forked._con = quiet(self._con.cursor())
        return forked

    def _upgrade_then_reopen(self) -> None:
        """An older store opened read-only (`callkpi kpi`): apply the forward migrations in a
        short read-write session, then read as asked. Refused if the file cannot be written."""
        self._con.close()
        try:
            DuckDBStore(self.path).close()
        except StoreError as exc:
            raise StoreError(f"{self.path} needs a schema upgrade that failed: {exc}") from exc
        self._con = connect(self.path, read_only=True)

    # -- schema ------------------------------------------------------------------------------
    def schema_version(self) -> int:
        exists = self.scalar(
            "SELECT count(*) FROM information_schema.tables WHERE table_name = 'schema_version'"
        )
        if not exists:
            return 0
        version = self.scalar("SELECT max(version) FROM schema_version")
        return int(version) if version is not None else 0

    def _has_foreign_tables(self) -> bool:
        return bool(
            self.scalar(
                "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'main'"
            )
        )

    # -- running SQL ----------------------------------------------------------------------------
    def query(
        self,
        sql: str,
        params: Mapping[str, Any] | None = None,
        *,
        timeout_s: float | None = None,
    ) -> pa.Table:
        """Run a SELECT with named parameters ($name) bound, and return an Arrow table.

        With `timeout_s`, a query still running after that many seconds is interrupted and
        raises QueryTimeoutError (a server must not let one question hold a thread forever).
        """
        cursor = self._con.cursor()
        timer = None
        if timeout_s is not None:
            timer = threading.Timer(timeout_s, cursor.interrupt)
            timer.daemon = True
            timer.start()
        try:
            return cursor.sql(sql, params=dict(params or {})).to_arrow_table()
        except duckdb.InterruptException as exc:
            raise QueryTimeoutError(f"query stopped after {timeout_s:g} s") from exc
        finally:
            if timer is not None:
                timer.cancel()
            cursor.close()

    def execute(self, sql: str, params: Params = None) -> None:
        self._con.execute(sql, params if params is not None else [])

    def scalar(self, sql: str, params: Params = None) -> Any:
        # fetchall, not fetchone: DuckDB 2.0 keeps a result that was not read to its end
        # open, and then refuses to register a function (the importer's phone UDF)
        found = self._con.execute(sql, params if params is not None else []).fetchall()
        return found[0][0] if found else None

    def rows(self, sql: str, params: Params = None) -> list[tuple[Any, ...]]:
        return self._con.execute(sql, params if params is not None else []).fetchall()

    @contextlib.contextmanager
    def transaction(self) -> Iterator[None]:
        """All or nothing: commit on success, roll back on any exception."""
        self._con.execute("BEGIN TRANSACTION")
        try:
            yield
        except BaseException:
            self._con.execute("ROLLBACK")
            raise
        self._con.execute("COMMIT")

    def insert_arrow(self, table: str, data: pa.Table) -> int:
        """Append an Arrow table's columns (canonical names, any order) to `table`.

        Read through a relation rather than a registered view: a view registered in an open
        transaction keeps its Arrow table alive until the commit, so a transaction of many
        inserts (a demo written shard by shard) would hold all of them in memory."""
        name = f"_callkpi_insert_{uuid.uuid4().hex}"
        columns = ", ".join(f'"{c}"' for c in data.column_names)
        self._con.from_arrow(data).query(
            name, f'INSERT INTO "{table}" ({columns}) SELECT {columns} FROM "{name}"'
        )
        return data.num_rows

    def upsert_arrow(self, table: str, data: pa.Table) -> None:
        """Write rows of a canonical table; stored rows with their keys go (rollups marked)."""
        upsert_with_sql(self, table, data)

    @contextlib.contextmanager
    def temporary(self, data: pa.Table) -> Iterator[str]:
        """The Arrow table as a relation of this connection, by name, while in the block."""
        name = f"_callkpi_tmp_{uuid.uuid4().hex}"
        self._con.register(name, data)
        try:
            yield name
        finally:
            self._con.unregister(name)

    def row_count(self, table: str) -> int:
        return int(self.scalar(f'SELECT count(*) FROM "{table}"'))

    def close(self) -> None:
        self._con.close()

    @property
    def connection(self) -> duckdb.DuckDBPyConnection:
        """The raw connection, for the store and ingest packages only."""
        return self._con
