"""The Apache Spark backend: canonical tables as Parquet folders, KPI SQL run by `spark.sql`.

A store is a *warehouse* folder with one sub-folder of Parquet files per table. Each open
registers a temporary view per table (in a SparkSession of its own, sharing the process's
SparkContext), so the SQL compiled by Ibis for the `pyspark` dialect reads the tables by
their bare names. Appends write new Parquet files; nothing is ever rewritten in place, so
there is no UPDATE and no DELETE with a condition (see docs/adr/0007-spark-backend.md).
"""

from __future__ import annotations

import contextlib
import copy
import functools
import operator
import os
import re
import shutil
import threading
import uuid
import warnings
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, urlsplit

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from callkpi.errors import StoreError
from callkpi.store import migrations
from callkpi.store.base import OneWriterProcess, Params, first_line
from callkpi.store.ledger import utcnow
from callkpi.store.loading import conform
from callkpi.store.schema import table as canonical

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

URL_SCHEME = "spark://"
_SCHEMA_TABLE = "schema_version"
#: Arrow type of a stored column -> Spark SQL type (timestamps are naive UTC: TIMESTAMP_NTZ).
_SPARK_TYPES: dict[pa.DataType, str] = {
    pa.string(): "STRING",
    pa.int64(): "BIGINT",
    pa.float64(): "DOUBLE",
    pa.bool_(): "BOOLEAN",
    pa.date32(): "DATE",
    pa.timestamp("us"): "TIMESTAMP_NTZ",
}
# Statements of the portable SQL that Spark cannot run on Parquet folders.
_DELETE_ALL = re.compile(r'^\s*DELETE\s+FROM\s+"?(\w+)"?\s*$', re.IGNORECASE)
_INSERT_VALUES = re.compile(
    r'^\s*INSERT\s+INTO\s+"?(\w+)"?\s*(?:\(([^()]*)\))?\s*VALUES\s*\(\s*\?(?:\s*,\s*\?)*\s*\)\s*$',
    re.IGNORECASE,
)
_INSERT_INTO = re.compile(r'^\s*INSERT\s+INTO\s+"?(\w+)"?', re.IGNORECASE)
_IN_PLACE = re.compile(r"^\s*(UPDATE|DELETE|MERGE|ALTER|TRUNCATE)\b", re.IGNORECASE)
# `$name` placeholders of the portable SQL (never inside quotes) -> Spark's `:name`.
_DOLLAR_PLACEHOLDER = re.compile(r"'(?:[^']|'')*'|\$([A-Za-z_]\w*)")


def is_spark_url(location: str) -> bool:
    return location.startswith(URL_SCHEME)


@dataclass(frozen=True)
class SparkLocation:
    """Where a Spark store lives: the Spark master and the warehouse folder (a Hadoop URI)."""

    master: str
    warehouse: str
    #: A folder of this machine (the URL's path), written with pyarrow, no Spark job; else a
    #: Hadoop URI (`?warehouse=`), written by Spark jobs, which reach any file system.
    is_local_folder: bool = True


def parse_url(url: str) -> SparkLocation:
    """`spark://local/abs/path` (local[*]) or `spark://HOST:PORT/abs/path` (a standalone
    cluster); `?warehouse=hdfs://...` (any Hadoop URI) replaces the path, `?master=...` the
    master (`local[4]`, `yarn`, `k8s://...`)."""
    parts = urlsplit(url)
    options = {k: v[-1] for k, v in parse_qs(parts.query).items()}
    host = parts.netloc
    if not host:
        raise StoreError(f"{url}: name the master, e.g. spark://local/path/to/warehouse")
    master = options.get("master") or ("local[*]" if host == "local" else f"spark://{host}")
    if "warehouse" in options:
        return SparkLocation(master, options["warehouse"].rstrip("/"), is_local_folder=False)
    if not parts.path.strip("/"):
        raise StoreError(f"{url}: name the warehouse folder, e.g. spark://local/data/callkpi")
    return SparkLocation(master, "file://" + str(Path(parts.path).resolve()))


def spark_session(master: str) -> SparkSession:
    """The process's SparkSession (one JVM per process): the active one if any (a notebook,
    the tests), else a new one on `master`, in UTC."""
    from pyspark.sql import SparkSession

    active = SparkSession.getActiveSession()
    if active is not None:
        return active
    builder = SparkSession.builder.appName("callkpi").master(master)
    builder = builder.config("spark.sql.session.timeZone", "UTC")
    if master.startswith("local"):
        os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
        builder = builder.config("spark.driver.host", "127.0.0.1").config(
            "spark.driver.bindAddress", "127.0.0.1"
        )
        builder = builder.config("spark.ui.enabled", "false")
    builder = builder.config("spark.ui.showConsoleProgress", "false")
    try:
        session = builder.getOrCreate()
    except Exception as exc:  # JVM missing, master unreachable: one line for the user
        raise StoreError(f"cannot start Spark on {master}: {first_line(exc)}") from exc
    # Errors reach callkpi as exceptions; Spark's own log would repeat each on stderr.
    session.sparkContext.setLogLevel(os.environ.get("CALLKPI_SPARK_LOG_LEVEL", "FATAL"))
    return session


@functools.cache
def reference_schema() -> tuple[dict[str, pa.Schema], pa.Table]:
    """Every table's Arrow schema, and the calendar's rows, at the latest migration.

    They are read from an in-memory DuckDB store that ran the migrations: the schema has one
    definition (store/migrations.py), whatever the backend. (The migrations ran there for
    the `duckdb` dialect: Parquet folders take no indexes either.)"""
    from callkpi.store.duckdb_backend import DuckDBStore

    store = DuckDBStore(":memory:")
    try:
        names = [
            row[0]
            for row in store.rows(
                # not the TEMP scratch tables that building the rollups leaves in the session
                "SELECT table_name FROM duckdb_tables() WHERE schema_name = 'main' "
                "AND NOT temporary ORDER BY table_name"
            )
        ]
        schemas = {}
        for name in names:
            empty = store.query(f'SELECT * FROM "{name}" LIMIT 0')
            schemas[name] = pa.schema(
                [pa.field(f.name, _stored_type(f.type, name, f.name)) for f in empty.schema]
            )
        calendar = store.query("SELECT * FROM calendar ORDER BY day")
    finally:
        store.close()
    return schemas, calendar.cast(schemas["calendar"])


def _stored_type(kind: pa.DataType, table: str, column: str) -> pa.DataType:
    if pa.types.is_string(kind) or pa.types.is_large_string(kind) or pa.types.is_string_view(kind):
        return pa.string()
    if pa.types.is_timestamp(kind):
        return pa.timestamp("us")
    if kind in _SPARK_TYPES:
        return kind
    raise StoreError(f"column {table}.{column} has a type ({kind}) the Spark store cannot hold")


def duckdb_typed(table: pa.Table) -> pa.Table:
    """A Spark result with the Arrow types DuckDB gives for the same SQL: every integer as
    int64, decimals (Spark's literals like 1.5 are decimal) and floats as float64, timestamps
    naive (UTC), every column nullable."""
    fields, arrays = [], []
    for column, spark_field in zip(table.columns, table.schema, strict=True):
        kind = spark_field.type
        target = kind
        if pa.types.is_integer(kind):
            target = pa.int64()
        elif pa.types.is_decimal(kind) or pa.types.is_floating(kind):
            target = pa.float64()
        elif pa.types.is_timestamp(kind):
            target = pa.timestamp("us")
        elif pa.types.is_large_string(kind) or pa.types.is_string_view(kind):
            target = pa.string()
        arrays.append(column if target == kind else pc.cast(column, target))
        fields.append(pa.field(spark_field.name, target))
    return pa.Table.from_arrays(arrays, schema=pa.schema(fields))


class _Files:
    """The warehouse's file operations through Hadoop's FileSystem (the JVM's), so a local
    folder, HDFS or an object store behave the same."""

    def __init__(self, session: SparkSession, root: str) -> None:
        jvm = session.sparkContext._jvm
        assert jvm is not None
        self._jvm = jvm
        self._fs = jvm.org.apache.hadoop.fs.Path(root).getFileSystem(
            session.sparkContext._jsc.hadoopConfiguration()  # type: ignore[union-attr]
        )

    def _path(self, uri: str) -> Any:
        return self._jvm.org.apache.hadoop.fs.Path(uri)

    def exists(self, uri: str) -> bool:
        return bool(self._fs.exists(self._path(uri)))

    def mkdirs(self, uri: str) -> None:
        self._fs.mkdirs(self._path(uri))

    def entries(self, uri: str) -> list[str]:
        """The visible entries of a folder (Spark ignores names starting with '.' or '_')."""
        if not self.exists(uri):
            return []
        names = [status.getPath().getName() for status in self._fs.listStatus(self._path(uri))]
        return sorted(n for n in names if not n.startswith((".", "_")))

    def delete(self, uri: str) -> None:
        self._fs.delete(self._path(uri), True)

    def rename(self, source: str, target: str) -> None:
        if not self._fs.rename(self._path(source), self._path(target)):
            raise StoreError(f"cannot move {source} to {target}")


@dataclass
class _Journal:
    """What a transaction changed in the warehouse, to undo it (best effort) on failure."""

    trash: str
    undo: list[Callable[[], None]] = field(default_factory=list)
    touched: set[str] = field(default_factory=set)


class SparkStore(OneWriterProcess):
    """A callkpi store in a warehouse folder of Parquet files, queried with Spark SQL.

    No multi-statement transactions: `transaction()` undoes, on failure, the appends and the
    table emptying done inside it (their files are removed or moved back), but readers see
    each write as soon as it is done. Opened `read_only`, every write is refused.
    """

    dialect = "pyspark"

    def __init__(self, url: str, *, read_only: bool = False) -> None:
        self.url = url
        self.path = url
        self.read_only = read_only
        self.location = parse_url(url)
        base = spark_session(self.location.master)
        self._session = base.newSession()
        # Per-session settings (a shared SparkSession keeps its own): UTC like the stored
        # timestamps, and "double quotes" as identifiers like the portable SQL writes them.
        self._session.conf.set("spark.sql.session.timeZone", "UTC")
        self._session.conf.set("spark.sql.ansi.enabled", "true")
        self._session.conf.set("spark.sql.ansi.doubleQuotedIdentifiers", "true")
        self._files = _Files(self._session, self.location.warehouse)
        self._journal: _Journal | None = None
        self._forked = False
        self._lock = threading.RLock()
        self._schemas, calendar = reference_schema()
        self._open(calendar)

    # -- schema ------------------------------------------------------------------------------
    def _open(self, calendar: pa.Table) -> None:
        """Create the table folders of a new store, refuse a foreign or newer one, register
        the views; a store of an older version gets the folders (and the columns, read as
        null from older files) of the latest schema."""
        root = self.location.warehouse
        entries = self._files.entries(root)
        version = self.schema_version() if _SCHEMA_TABLE in entries else 0
        latest = len(migrations.MIGRATIONS)
        if version > latest:
            raise StoreError(
                f"{self.path} has schema version {version}, newer than this callkpi "
                f"({latest}); upgrade callkpi"
            )
        if version == 0 and self.read_only:
            raise StoreError(f"store not found: {self.path}")
        if version == 0 and set(entries) - set(self._schemas):
            raise StoreError(f"{self.path} is a folder but not a callkpi store")
        for name in self._schemas:
            self._files.mkdirs(self._table_uri(name))
            self._register(name)
        if version < latest:
            read_only, self.read_only = self.read_only, False  # an upgrade, as DuckDB does
            try:
                with self.transaction():
                    if version == 0:
                        self.insert_arrow("calendar", calendar)
                    numbers = list(range(version + 1, latest + 1))
                    now = pa.scalar(utcnow(), pa.timestamp("us"))
                    self.insert_arrow(
                        _SCHEMA_TABLE,
                        pa.table({"version": numbers, "applied_at": [now] * len(numbers)}),
                    )
            finally:
                self.read_only = read_only

    def _table_uri(self, name: str) -> str:
        return f"{self.location.warehouse}/{name}"

    def _spark_columns(self, name: str) -> str:
        return ", ".join(f"`{f.name}` {_SPARK_TYPES[f.type]}" for f in self._schemas[name])

    def _register(self, name: str) -> None:
        frame = (
            self._session.read.schema(self._spark_columns(name))
            .option("recursiveFileLookup", "true")
            .parquet(self._table_uri(name))
        )
        frame.createOrReplaceTempView(name)

    def _refresh(self, name: str) -> None:
        """Make the view list its folder again (it caches the file list)."""
        self._session.catalog.refreshTable(name)

    def schema_version(self) -> int:
        if not self._files.exists(self._table_uri(_SCHEMA_TABLE)):
            return 0
        if not self._session.catalog.tableExists(_SCHEMA_TABLE):
            self._register(_SCHEMA_TABLE)
        return int(self.scalar("SELECT coalesce(max(version), 0) FROM schema_version") or 0)

    # -- running SQL ----------------------------------------------------------------------------
    def fork(self) -> SparkStore:
        """The same store for another thread (a SparkSession runs concurrent queries);
        closing the fork leaves the views to this store."""
        forked = copy.copy(self)
        forked._forked = True
        return forked

    def query(
        self,
        sql: str,
        params: Mapping[str, Any] | None = None,
        *,
        timeout_s: float | None = None,
    ) -> pa.Table:
        """Run a SELECT compiled for Spark SQL (`:name` placeholders, bound by Spark) into
        Arrow typed like DuckDB's. A time limit is refused: cancelling a Spark job group or tag
        did not stop a query fetched into Python (tried with pyspark 4.0), and a limit that
        is not kept is worse than none."""
        if timeout_s is not None:
            raise StoreError(
                "query time limits are not supported on a Spark store "
                "(docs/adr/0007-spark-backend.md)"
            )
        return duckdb_typed(self._fetch(self._sql(sql, dict(params or {}))))

    def _sql(self, sql: str, args: Mapping[str, Any] | Sequence[Any] | None) -> Any:
        """A Spark DataFrame, with Spark's errors as one-line StoreErrors."""
        from py4j.protocol import Py4JError
        from pyspark.errors import PySparkException

        try:
            return self._session.sql(sql, args=args or None)
        except (PySparkException, Py4JError) as exc:
            raise StoreError(f"Spark: {first_line(exc)}") from exc

    def _collect(self, sql: str, params: Params) -> pa.Table:
        return self._fetch(self._sql(*_portable(sql, params)))

    @staticmethod
    def _fetch(frame: Any) -> pa.Table:
        """Run a DataFrame into Arrow, with Spark's errors as one-line StoreErrors.

        pyspark leaves the socket its result comes through to the garbage collector
        (pyspark/util.py), which warns (ResourceWarning, silent by default) as it closes it:
        that one warning is ignored, during the fetch only."""
        from py4j.protocol import Py4JError
        from pyspark.errors import PySparkException

        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", "unclosed <socket", ResourceWarning)
            try:
                return frame.toArrow()
            except (PySparkException, Py4JError) as exc:
                raise StoreError(f"Spark: {first_line(exc)}") from exc

    def execute(self, sql: str, params: Params = None) -> None:
        """Run the store package's portable SQL. Emptying a table (`DELETE FROM t`) and
        one-row `INSERT ... VALUES (?, ...)` are done on files; other INSERTs run on Spark;
        UPDATE and conditional DELETE are refused (Parquet files are append-only here)."""
        if match := _DELETE_ALL.match(sql):
            self._empty(match[1])
        elif (match := _INSERT_VALUES.match(sql)) and isinstance(params, Sequence):
            self._insert_row(match[1], match[2], list(params))
        elif match := _IN_PLACE.match(sql):
            raise StoreError(
                f"{match[1].upper()} is not supported on a Spark store: its Parquet files "
                "are only appended to (docs/adr/0007-spark-backend.md)"
            )
        elif match := _INSERT_INTO.match(sql):
            self._check_writable()
            name = match[1]
            with self.transaction():
                before = set(self._files.entries(self._table_uri(name)))
                self._collect(sql, params)
                self._refresh(name)
                added = set(self._files.entries(self._table_uri(name))) - before
                self._note(name, [f"{self._table_uri(name)}/{e}" for e in added])
        else:
            self._collect(sql, params)

    def scalar(self, sql: str, params: Params = None) -> Any:
        found = self.rows(sql, params)
        return found[0][0] if found else None

    def rows(self, sql: str, params: Params = None) -> list[tuple[Any, ...]]:
        result = duckdb_typed(self._collect(sql, params))
        return [tuple(row.values()) for row in result.to_pylist()]

    @contextlib.contextmanager
    def transaction(self) -> Iterator[None]:
        """Best effort: on an exception, the files this transaction added are deleted and
        the tables it emptied get their files back. No isolation: other readers see each
        write at once. A transaction inside another joins it."""
        with self._lock:
            if self._journal is not None:
                yield
                return
            journal = self._journal = _Journal(
                f"{self.location.warehouse}/.trash-{uuid.uuid4().hex}"
            )
            try:
                yield
            except BaseException:
                for undo in reversed(journal.undo):
                    with contextlib.suppress(Exception):
                        undo()
                raise
            finally:
                self._journal = None
                with contextlib.suppress(Exception):
                    self._files.delete(journal.trash)
                for name in journal.touched:
                    self._refresh(name)

    def _note(self, table: str, added: list[str]) -> None:
        """Record files added to a table, for the transaction's undo."""
        assert self._journal is not None
        self._journal.touched.add(table)
        for uri in added:
            self._journal.undo.append(functools.partial(self._files.delete, uri))

    def insert_arrow(self, table: str, data: pa.Table) -> int:
        """Append an Arrow table (canonical column names, any order; missing ones are null)
        as one new Parquet file of the table's folder (or one Spark write off this machine)."""
        self._check_writable()
        schema = self._table_schema(table)
        unknown = set(data.column_names) - set(schema.names)
        if unknown:
            raise StoreError(f"{table} has no column(s) {', '.join(sorted(unknown))}")
        conformed = conform(data, schema)
        if conformed.num_rows == 0:
            return 0
        with self.transaction():
            folder = self._table_uri(table)
            name = f"part-{uuid.uuid4().hex}"
            if self.location.is_local_folder:
                local = folder.removeprefix("file:").removeprefix("//")
                hidden = f"{local}/.{name}.parquet"
                pq.write_table(conformed, hidden)
                Path(hidden).replace(f"{local}/{name}.parquet")
                self._note(table, [f"{folder}/{name}.parquet"])
            else:  # a Hadoop URI: Spark writes the folder (same layout, one more level)
                self._write_with_spark(conformed, f"{folder}/{name}")
                self._note(table, [f"{folder}/{name}"])
        return conformed.num_rows

    def _write_with_spark(self, data: pa.Table, target: str) -> None:
        self._frame(data).coalesce(1).write.parquet(target)

    def _frame(self, data: pa.Table) -> Any:
        """A Spark DataFrame of an Arrow table of stored types."""
        from pyspark.sql import functions as sf

        frame = self._session.createDataFrame(data)
        return frame.select(*[sf.col(f.name).cast(_SPARK_TYPES[f.type]) for f in data.schema])

    @contextlib.contextmanager
    def temporary(self, data: pa.Table) -> Iterator[str]:
        """The Arrow table as a temporary view of this store's session, while in the block.
        On a local warehouse the rows go to a hidden Parquet file beside the tables (a
        million keys held in the driver's heap by `createDataFrame` crashed a 1 GB JVM)."""
        name = f"_callkpi_tmp_{uuid.uuid4().hex}"
        schema = pa.schema(
            [pa.field(f.name, _stored_type(f.type, name, f.name)) for f in data.schema]
        )
        local = self.location.warehouse.removeprefix("file:").removeprefix("//")
        folder = Path(local) / f".{name}"  # hidden: not a table; its file must not be
        if self.location.is_local_folder:
            folder.mkdir()
            pq.write_table(data.cast(schema), folder / "part.parquet")
            columns = ", ".join(f"`{f.name}` {_SPARK_TYPES[f.type]}" for f in schema)
            self._session.read.schema(columns).parquet(str(folder)).createOrReplaceTempView(name)
        else:
            self._frame(data.cast(schema)).createOrReplaceTempView(name)
        try:
            yield name
        finally:
            self._session.catalog.dropTempView(name)
            shutil.rmtree(folder, ignore_errors=True)

    def upsert_arrow(self, table: str, data: pa.Table) -> None:
        """Write rows of a canonical table; stored rows with the same key go. Files are never
        changed in place: each file holding such a row is rewritten without them (a new file)
        and moved aside, under the transaction's journal (ADR 7)."""
        self._check_writable()
        key = list(canonical(table).key)
        with (
            self.transaction(),
            self.temporary(conform(data, self._table_schema(table)).select(key)) as keys,
        ):
            same = " AND ".join(f'k."{c}" <=> t."{c}"' for c in key)
            names = ", ".join(f'"{c}"' for c in key)
            paths = self.rows(
                f'SELECT DISTINCT t.f FROM (SELECT input_file_name() AS f, {names} FROM "{table}") '
                f'AS t WHERE EXISTS (SELECT 1 FROM "{keys}" AS k WHERE {same})'
            )
            folder = self._table_uri(table)
            for entry in self._files.entries(folder):
                if any(f"/{table}/{entry}" in str(path) for (path,) in paths):
                    stored = (
                        self._session.read.schema(self._spark_columns(table))
                        .option("recursiveFileLookup", "true")
                        .parquet(f"{folder}/{entry}")
                    )
                    new = self._session.table(keys)
                    same = [stored[c].eqNullSafe(new[c]) for c in key]  # a target's empty scope
                    kept = stored.join(
                        new, on=functools.reduce(operator.and_, same), how="left_anti"
                    )
                    self.insert_arrow(table, self._fetch(kept))
                    self._move_aside(table, entry)
            self.insert_arrow(table, data)

    def _insert_row(self, table: str, column_list: str | None, values: list[Any]) -> None:
        schema = self._table_schema(table)
        names = (
            [c.strip().strip('"') for c in column_list.split(",")]
            if column_list
            else schema.names[: len(values)]
        )
        if len(names) != len(values):
            raise StoreError(f"INSERT INTO {table}: {len(names)} columns, {len(values)} values")
        row = {n: pa.array([v], schema.field(n).type) for n, v in zip(names, values, strict=True)}
        self.insert_arrow(table, pa.table(row))

    def _empty(self, table: str) -> None:
        """`DELETE FROM table`: its files go to the transaction's trash (back on failure)."""
        self._check_writable()
        self._table_schema(table)
        with self.transaction():
            for entry in self._files.entries(self._table_uri(table)):
                self._move_aside(table, entry)

    def _move_aside(self, table: str, entry: str) -> None:
        """Move a file (or folder) of a table to the transaction's trash (back on failure)."""
        assert self._journal is not None
        folder, trash = self._table_uri(table), f"{self._journal.trash}/{table}"
        self._files.mkdirs(trash)
        self._files.rename(f"{folder}/{entry}", f"{trash}/{entry}")
        self._journal.undo.append(
            functools.partial(self._files.rename, f"{trash}/{entry}", f"{folder}/{entry}")
        )
        self._journal.touched.add(table)

    def _table_schema(self, table: str) -> pa.Schema:
        try:
            return self._schemas[table]
        except KeyError:
            raise StoreError(f"no table {table!r} in the Spark store {self.path}") from None

    def _check_writable(self) -> None:
        if self.read_only:
            raise StoreError(f"{self.path} is open read-only")

    def row_count(self, table: str) -> int:
        self._table_schema(table)
        return int(self.scalar(f'SELECT count(*) FROM "{table}"'))

    def close(self) -> None:
        """Forget this store's views; the SparkContext stays for the process's other stores."""
        if self._forked:
            return
        for name in self._schemas:
            self._session.catalog.dropTempView(name)


def _portable(sql: str, params: Params) -> tuple[str, Mapping[str, Any] | Sequence[Any] | None]:
    """Portable SQL for spark.sql: `?` is Spark's own positional marker; `$name` -> `:name`."""
    if params is None:
        return sql, None
    if isinstance(params, Mapping):
        swapped = _DOLLAR_PLACEHOLDER.sub(lambda m: f":{m[1]}" if m[1] else m[0], sql)
        return swapped, dict(params)
    return sql, list(params)
