"""What every backend offers the rest of callkpi, and the migration runner they share.

`query` takes SQL compiled for the store's `dialect` (the KPI compiler's output, named
placeholders of that dialect). `execute`, `scalar` and `rows` take the small portable SQL the
store package writes itself (ledger, erasure, counts) with `?` placeholders and a list of
values; each backend binds them its own way. Bulk data goes through `insert_arrow` (append)
or `upsert_arrow` (rows replace the stored rows of the same key); `temporary` gives the
session a relation holding an Arrow table (keys to look up, rows to stage), by name.

Several processes may write a PostgreSQL store at once (API servers behind a load balancer);
`lock`, `move_rows`, `announce` and `watch` are what writers and caches need for that, so the
modules above stay backend-neutral. A store written by one process at a time (DuckDB, Spark)
gets them from `OneWriterProcess`, where they cost nothing.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from contextlib import AbstractContextManager
from typing import Any, Protocol
from urllib.parse import urlsplit, urlunsplit

import pyarrow as pa

from callkpi.errors import StoreError
from callkpi.store import migrations, rollups
from callkpi.store.migrations import Connection

Params = Mapping[str, Any] | Sequence[Any] | None


class Store(Protocol):
    """A callkpi store: canonical tables at the latest schema, on some SQL engine."""

    dialect: str
    path: str
    read_only: bool

    def schema_version(self) -> int: ...

    def query(
        self, sql: str, params: Mapping[str, Any] | None = None, *, timeout_s: float | None = None
    ) -> pa.Table: ...

    def fork(self) -> Store: ...

    def execute(self, sql: str, params: Params = None) -> None: ...

    def scalar(self, sql: str, params: Params = None) -> Any: ...

    def rows(self, sql: str, params: Params = None) -> list[tuple[Any, ...]]: ...

    def transaction(self) -> AbstractContextManager[None]: ...

    def insert_arrow(self, table: str, data: pa.Table) -> int: ...

    def upsert_arrow(self, table: str, data: pa.Table) -> None: ...

    def temporary(self, data: pa.Table) -> AbstractContextManager[str]: ...

    def row_count(self, table: str) -> int: ...

    def close(self) -> None: ...

    # -- several writing processes (PostgreSQL; nothing to do on the others) -------------------
    def lock(self, name: str, keys: str | None = None, *, shared: bool = False) -> None:
        """Until the current transaction ends, no other transaction of any process holds the
        lock `name` (or, with `keys`, a SELECT of one column: the lock on each of its values);
        waits for it. `shared` (without `keys`): any number of transactions may hold `name`
        shared at once, none while another holds it exclusively. Call inside a transaction."""
        ...

    def move_rows(self, source: str, target: str) -> None:
        """Move every row of table `source` into `target` (same columns): rows other
        transactions commit meanwhile are neither moved nor lost."""
        ...

    def announce(self, topic: str) -> None:
        """Tell every process watching this store (`watch`) that `topic` changed, when the
        current transaction commits (at once outside one)."""
        ...

    def watch(self) -> ChangeFeed | None:
        """The topics announced by any process, on a connection of its own; None when no
        other process can write the store."""
        ...


class ChangeFeed(Protocol):
    """Topics announced by writers (`Store.announce`), as they commit."""

    def wait(self, timeout_s: float) -> set[str]:
        """The topics announced since the last call; waits up to `timeout_s` for one."""
        ...

    def close(self) -> None: ...


class OneWriterProcess:
    """The multi-process part of `Store` for backends that one process writes at a time: a
    transaction there sees a snapshot, and no other process writes, so nothing is needed."""

    execute: Any  # the backend's own

    def lock(self, name: str, keys: str | None = None, *, shared: bool = False) -> None:
        return None

    def move_rows(self, source: str, target: str) -> None:
        # Both statements read the transaction's snapshot: rows committed meanwhile stay.
        self.execute(f'INSERT INTO "{target}" SELECT * FROM "{source}"')
        self.execute(f'DELETE FROM "{source}"')

    def announce(self, topic: str) -> None:
        return None

    def watch(self) -> ChangeFeed | None:
        return None


class _Migratable(Protocol):
    dialect: str
    path: str
    read_only: bool

    def schema_version(self) -> int: ...

    def execute(self, sql: str, params: Params = None) -> None: ...

    def transaction(self) -> AbstractContextManager[None]: ...


SCHEMA_VERSION_DDL = (
    "CREATE TABLE IF NOT EXISTS schema_version "
    "(version BIGINT, applied_at TIMESTAMP DEFAULT current_timestamp)"
)


def migrate(store: _Migratable, con: Connection, has_foreign_tables: bool, kind: str) -> None:
    """Bring a store to the latest schema, one transaction per migration, each given `con`
    and the store's dialect (never guessed from the connection: it may be wrapped).

    Refuses a newer schema (an older callkpi must not write it), a read-only store that
    needs an upgrade, and a database of `kind` that holds other tables but no callkpi schema.
    """
    latest = len(migrations.MIGRATIONS)  # read at call time: tests add a migration
    version = store.schema_version()
    if version > latest:
        raise StoreError(
            f"{store.path} has schema version {version}, newer than this callkpi "
            f"({latest}); upgrade callkpi"
        )
    if version == latest:
        return
    if store.read_only:
        raise StoreError(f"{store.path} needs a schema upgrade; open it read-write once")
    if version == 0 and has_foreign_tables:
        raise StoreError(f"{store.path} is a {kind} but not a callkpi store")
    for number, migration in enumerate(migrations.MIGRATIONS[version:], start=version + 1):
        with store.transaction():
            store.execute(SCHEMA_VERSION_DDL)
            migration(con, store.dialect)
            store.execute("INSERT INTO schema_version (version) VALUES (?)", [number])
    if any(version < number <= latest for number in rollups.ROLLUPS_MIGRATIONS):
        # derived data: computed from whatever the store holds (nothing, for a new one)
        with store.transaction():
            rollups.rebuild(store)  # type: ignore[arg-type]


def first_line(exc: BaseException) -> str:
    """A driver's error message on one line (they often add hints and context lines)."""
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def redact(url: str) -> str:
    """The URL without its password, fit for messages and logs."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    host = parts.hostname or ""
    if ":" in host:  # IPv6
        host = f"[{host}]"
    netloc = f"{parts.username or ''}@{host}" + (f":{parts.port}" if parts.port else "")
    return urlunsplit(parts._replace(netloc=netloc))
