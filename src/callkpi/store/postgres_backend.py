"""The team-server backend: a PostgreSQL database, reached with psycopg 3.

The KPI SQL is compiled for the `postgres` dialect (see docs/adr/0005-postgresql-backend.md)
and run here; results come back as Arrow tables typed like DuckDB's (numeric as float64,
every integer as int64), so the same query gives the same table on both backends.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import re
import uuid
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

import psycopg
import pyarrow as pa
import pyarrow.csv as pa_csv
from psycopg.postgres import types as pg_types
from psycopg.types.numeric import FloatLoader

from callkpi.errors import QueryTimeoutError, StoreError
from callkpi.store import migrations
from callkpi.store.base import Params, first_line, migrate, redact
from callkpi.store.loading import sql_type, upsert_with_sql

URL_SCHEMES = ("postgresql://", "postgres://")

#: PostgreSQL type name -> the Arrow type DuckDB gives for the same SQL.
_ARROW_TYPES: dict[str, pa.DataType] = {
    "int2": pa.int64(),
    "int4": pa.int64(),
    "int8": pa.int64(),
    "float4": pa.float64(),
    "float8": pa.float64(),
    "numeric": pa.float64(),  # SUM/AVG of integers; loaded as float by FloatLoader
    "bool": pa.bool_(),
    "date": pa.date32(),
    "timestamp": pa.timestamp("us"),
    "timestamptz": pa.timestamp("us", tz="UTC"),
}
_COPY_BATCH_ROWS = 65_536
#: Temporary tables of callkpi are named so (`temporary`, the writers' scratch tables): no
#: statistics to keep for them.
_TEMPORARY_PREFIX = "_callkpi_"
#: A bulk load of fewer rows leaves the planner's statistics to autovacuum.
_ANALYZE_MIN_ROWS = 1_000
# One advisory lock key for callkpi's migrations, so two processes never migrate at once.
_MIGRATION_LOCK = 0x63616C6C6B7069  # "callkpi"
# Sessions in UTC (timestamps are stored naive in UTC) and READ COMMITTED, whatever the
# database's default: writers serialized by `lock` must see what the previous one committed.
_SESSION_OPTIONS = r"-c TimeZone=UTC -c default_transaction_isolation=read\ committed"
# The channel writers announce their changes on (Store.announce), per database.
CHANGES_CHANNEL = "callkpi_changes"
# A `%` of the compiled SQL that is not a `%(name)s` placeholder (a LIKE pattern, a literal).
_STRAY_PERCENT = re.compile(r"%(?!\(\w+\)s)")
# `?` and `$name` placeholders of the store package's portable SQL (never inside quotes).
_PORTABLE_PLACEHOLDER = re.compile(r"'(?:[^']|'')*'|\?|\$([A-Za-z_]\w*)|%")


def is_postgres_url(location: str) -> bool:
    return location.startswith(URL_SCHEMES)


class PostgresStore:
    """A callkpi store in a PostgreSQL database (its current schema, `public` by default).

    Opening applies pending migrations under an advisory lock, so several processes (API
    workers) may open a new database at once. `read_only` makes every transaction read-only.
    """

    dialect = "postgres"

    def __init__(self, url: str, *, read_only: bool = False, migrate: bool = True) -> None:
        """`migrate=False` (a fork) trusts the schema another store of the URL migrated."""
        self.url = url
        self.path = redact(url)
        self.read_only = read_only
        try:
            self._con = psycopg.connect(
                url, autocommit=True, options=_SESSION_OPTIONS, connect_timeout=10
            )
        except psycopg.Error as exc:
            raise StoreError(f"cannot connect to {self.path}: {first_line(exc)}") from exc
        self._con.adapters.register_loader("numeric", FloatLoader)
        self._written: dict[str, int] = {}
        self._depth = 0
        try:
            if migrate:
                self._migrate()
        except BaseException:
            self._con.close()
            raise
        if read_only:
            self._con.execute("SET default_transaction_read_only = on")

    def _migrate(self) -> None:
        """Migrate under a session advisory lock; an older schema opened read-only is
        upgraded first (as the DuckDB store does), a missing one is refused."""
        latest = len(migrations.MIGRATIONS)
        if self.schema_version() == latest:
            return
        self._con.execute("SELECT pg_advisory_lock(%s)", [_MIGRATION_LOCK])
        try:
            # An older schema opened read-only is upgraded first; no schema at all is refused.
            read_only, self.read_only = self.read_only, self.read_only and not self.schema_version()
            try:
                migrate(self, self._con, self._has_foreign_tables(), "PostgreSQL database")
            finally:
                self.read_only = read_only
        finally:
            self._con.execute("SELECT pg_advisory_unlock(%s)", [_MIGRATION_LOCK])

    # -- schema ------------------------------------------------------------------------------
    def schema_version(self) -> int:
        if self.scalar("SELECT to_regclass('schema_version') IS NULL"):
            return 0
        return int(self.scalar("SELECT coalesce(max(version), 0) FROM schema_version"))

    def _has_foreign_tables(self) -> bool:
        return bool(
            self.scalar(
                "SELECT count(*) FROM information_schema.tables "
                "WHERE table_schema = current_schema()"
            )
        )

    # -- running SQL ----------------------------------------------------------------------------
    def fork(self) -> PostgresStore:
        """A store on a connection of its own, for one thread of a server (the schema is
        already migrated by this one)."""
        return PostgresStore(self.url, read_only=self.read_only, migrate=False)

    def query(
        self,
        sql: str,
        params: Mapping[str, Any] | None = None,
        *,
        timeout_s: float | None = None,
    ) -> pa.Table:
        """Run a SELECT compiled for PostgreSQL (`%(name)s` placeholders) into Arrow;
        `timeout_s` sets the statement timeout (QueryTimeoutError when it is reached)."""
        with self._con.cursor() as cursor:
            try:
                if timeout_s is not None:
                    cursor.execute(f"SET statement_timeout = {int(timeout_s * 1000)}")
                cursor.execute(_STRAY_PERCENT.sub("%%", sql), dict(params or {}))
                rows = cursor.fetchall()
                description = cursor.description or []
            except psycopg.errors.QueryCanceled as exc:
                raise QueryTimeoutError(f"query stopped after {timeout_s:g} s") from exc
            finally:
                if timeout_s is not None:
                    cursor.execute("SET statement_timeout = 0")
        names = [c.name for c in description]
        kinds = [_arrow_type(c.type_code) for c in description]
        columns = list(zip(*rows, strict=True)) if rows else [() for _ in names]
        arrays = [pa.array(list(v), type=k) for v, k in zip(columns, kinds, strict=True)]
        return pa.Table.from_arrays(arrays, names=names)

    def execute(self, sql: str, params: Params = None) -> None:
        self._con.execute(*_portable(sql, params))

    def scalar(self, sql: str, params: Params = None) -> Any:
        row = self._con.execute(*_portable(sql, params)).fetchone()
        return row[0] if row else None

    def rows(self, sql: str, params: Params = None) -> list[tuple[Any, ...]]:
        return self._con.execute(*_portable(sql, params)).fetchall()

    @contextlib.contextmanager
    def transaction(self) -> Iterator[None]:
        """All or nothing; a transaction inside another is a savepoint. After the outermost
        commits, the tables it loaded in bulk get fresh planner statistics (`_analyze`)."""
        self._depth += 1
        try:
            with self._con.transaction():
                yield
        except BaseException:
            if self._depth == 1:
                self._written.clear()
            raise
        finally:
            self._depth -= 1
        if self._depth == 0:
            self._analyze()

    def _loaded(self, table: str, rows: int) -> None:
        """Count rows written in bulk to a stored table (outside a transaction: analyze now)."""
        if table.startswith(_TEMPORARY_PREFIX):
            return
        self._written[table] = self._written.get(table, 0) + rows
        if self._depth == 0:
            self._analyze()

    def _analyze(self) -> None:
        """ANALYZE each table loaded with at least `_ANALYZE_MIN_ROWS` rows and a tenth of what
        the planner thought it held. Autovacuum would do it, but up to a minute later: until
        then the planner takes a table of a few rows for what it was before the load, and
        scans instead of using the indexes (a 1000-event batch took 0.28 s on a store
        generated with 1M calls, 0.016 s after ANALYZE)."""
        written, self._written = self._written, {}
        for table, rows in written.items():
            if rows < _ANALYZE_MIN_ROWS:
                continue
            planned = self.scalar(
                "SELECT reltuples FROM pg_class WHERE oid = to_regclass(?)", [f'"{table}"']
            )
            if planned is None:
                continue
            if rows >= 0.1 * max(float(planned), 0.0):
                self._con.execute(f'ANALYZE "{table}"')

    def insert_arrow(self, table: str, data: pa.Table) -> int:
        """Append an Arrow table with COPY (CSV text written by Arrow, no Python per row)."""
        columns = ", ".join(f'"{c}"' for c in data.column_names)
        options = pa_csv.WriteOptions(include_header=False)
        with (
            self._con.cursor() as cursor,
            cursor.copy(f'COPY "{table}" ({columns}) FROM STDIN (FORMAT csv)') as copy,
        ):
            for batch in data.to_batches(max_chunksize=_COPY_BATCH_ROWS):
                buffer = io.BytesIO()
                pa_csv.write_csv(batch, buffer, options)
                copy.write(buffer.getbuffer())
        self._loaded(table, data.num_rows)
        return data.num_rows

    def upsert_arrow(self, table: str, data: pa.Table) -> None:
        """Write rows of a canonical table; stored rows with their keys go (rollups marked).
        Call inside a transaction: the rows are COPied to a temporary table first."""
        upsert_with_sql(self, table, data)
        self._loaded(table, data.num_rows)

    @contextlib.contextmanager
    def temporary(self, data: pa.Table) -> Iterator[str]:
        """A TEMP table of this session holding the Arrow table (COPY), dropped after the
        block (inside a transaction that fails, the rollback drops it)."""
        name = f"{_TEMPORARY_PREFIX}tmp_{uuid.uuid4().hex}"
        columns = ", ".join(f'"{f.name}" {sql_type(f.type)}' for f in data.schema)
        self._con.execute(f'CREATE TEMP TABLE "{name}" ({columns})')
        try:
            self.insert_arrow(name, data)
            yield name
        finally:
            with contextlib.suppress(psycopg.Error):
                self._con.execute(f'DROP TABLE IF EXISTS "{name}"')

    def row_count(self, table: str) -> int:
        return int(self.scalar(f'SELECT count(*) FROM "{table}"'))

    def close(self) -> None:
        self._con.close()

    # -- several writing processes ------------------------------------------------------------
    def lock(self, name: str, keys: str | None = None, *, shared: bool = False) -> None:
        """A transaction-scoped advisory lock: on `name` (a 64-bit key; `shared` or not), or
        on (`name`, each value of `keys`) (two 32-bit keys, taken in one statement in key
        order, so that two writers never wait for each other in a cycle). Values may share a
        lock by hash: more waiting, never less."""
        digest = hashlib.sha256(name.encode("utf-8")).digest()
        if keys is None:
            key = int.from_bytes(digest[:8], "big", signed=True)
            function = "pg_advisory_xact_lock_shared" if shared else "pg_advisory_xact_lock"
            self._con.execute(f"SELECT {function}(%s)", [key])
            return
        if shared:
            raise ValueError("a shared lock is taken on a name, not on keys")
        space = int.from_bytes(digest[:4], "big", signed=True)
        self._con.execute(
            "SELECT count(pg_advisory_xact_lock(%s, k)) FROM (SELECT DISTINCT "
            f"hashtext(CAST(v AS text)) AS k FROM ({_STRAY_PERCENT.sub('%%', keys)}) AS x(v) "
            "ORDER BY k) AS ordered",
            [space],
        )

    def move_rows(self, source: str, target: str) -> None:
        """One statement: each statement of a READ COMMITTED transaction sees what was
        committed before it, so a copy then a delete would lose rows committed between."""
        self._con.execute(
            f'WITH moved AS (DELETE FROM "{source}" RETURNING *) '
            f'INSERT INTO "{target}" SELECT * FROM moved'
        )

    def announce(self, topic: str) -> None:
        """NOTIFY: delivered when the transaction commits, never if it rolls back."""
        self._con.execute("SELECT pg_notify(%s, %s)", [CHANGES_CHANNEL, topic])

    def watch(self) -> PostgresChangeFeed:
        return PostgresChangeFeed(self.url, self.path)


class PostgresChangeFeed:
    """LISTEN on a connection of its own: the topics writers announce (`Store.announce`)."""

    def __init__(self, url: str, path: str) -> None:
        try:
            self._con = psycopg.connect(url, autocommit=True, connect_timeout=10)
            self._con.execute(f"LISTEN {CHANGES_CHANNEL}")
        except psycopg.Error as exc:
            raise StoreError(f"cannot connect to {path}: {first_line(exc)}") from exc

    def wait(self, timeout_s: float) -> set[str]:
        """What was announced since the last call, waiting up to `timeout_s` for something;
        StoreError when the connection is lost (notifications may have been missed)."""
        try:
            topics = {n.payload for n in self._con.notifies(timeout=timeout_s, stop_after=1)}
            if topics:  # and whatever else has arrived
                topics.update(n.payload for n in self._con.notifies(timeout=0.0))
        except psycopg.Error as exc:
            raise StoreError(f"lost the change feed: {first_line(exc)}") from exc
        return topics

    def close(self) -> None:
        self._con.close()


def _arrow_type(oid: int) -> pa.DataType:
    info = pg_types.get(oid)
    return _ARROW_TYPES.get(info.name if info else "", pa.string())


def _portable(sql: str, params: Params) -> tuple[str, Sequence[Any] | Mapping[str, Any] | None]:
    """Portable SQL (`?` or `$name`) as psycopg SQL (`%s` or `%(name)s`, `%` doubled)."""
    if params is None:
        return sql, None

    def swap(match: re.Match[str]) -> str:
        text = match.group(0)
        if text == "?":
            return "%s"
        if text == "%":
            return "%%"
        if match.group(1):
            return f"%({match.group(1)})s"
        return text.replace("%", "%%")  # a quoted literal

    values = dict(params) if isinstance(params, Mapping) else list(params)
    return _PORTABLE_PLACEHOLDER.sub(swap, sql), values
