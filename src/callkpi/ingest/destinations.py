"""Where an import's scan runs, and how what it decided reaches the store.

Every import parses, checks and sorts out its rows in DuckDB (`scan`, `writing`). Two
destinations:

- `InPlace`, a DuckDB store: the scan inserts into the store's own table inside the store's
  transaction; refused rows, duplicates and the old versions of updated rows are deleted
  there (by rowid), then the rollups are refreshed and the ledger row written before COMMIT.
- `Staged`, a server store (PostgreSQL, Spark; ADR 5 and 7): the same SQL runs on a scratch
  DuckDB file whose tables start empty. After the load it receives from the store the
  referenced rows (campaigns, agents) the file names, so the reference checks are the same.
  Then one store transaction, under the table's lock (`loading.lock_rows`: another import
  of the table waits for its commit), receives the stored rows of the keys it keeps (an
  update takes from them the columns the file does not have, as in place, and is counted as
  one) and writes the kept rows with `Store.upsert_arrow` (stored rows of the same key go),
  the referenced rows `create_missing` made that are still missing (under their tables'
  locks too), the rollup days and the ledger row with its rejects. Nothing reaches the
  store before that transaction: a refused import leaves it untouched. Two imports of the
  same keys at once thus write and count each key, and each created id, once.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb
import pyarrow as pa

from callkpi.errors import CallkpiError, StoreError
from callkpi.ingest import writing
from callkpi.ingest.rules import REFERENCES, q
from callkpi.store import Store, rollups, schema
from callkpi.store.base import first_line
from callkpi.store.duckdb_backend import connect
from callkpi.store.loading import lock_rows, stored_count, stored_rows
from callkpi.store.migrations import create_table_sql


class InPlace:
    """A DuckDB store: the import works in the store's own tables and transaction."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.con: duckdb.DuckDBPyConnection = store.connection  # type: ignore[attr-defined]

    def loaded(self, spec: schema.Table, loaded: writing.Loaded, present: list[str]) -> None:
        """Before the old rows of updated keys go: note the rollup days of the rows loaded
        and of those old rows (an update may move a row to another day)."""
        if not rollups.depends_on(spec.name):
            return
        same_key = " AND ".join(f"n.{q(k)} = o.{q(k)}" for k in spec.key)
        rows = (
            f"SELECT * FROM {q(spec.name)} AS o WHERE o.rowid > {loaded.old_max} OR EXISTS "
            f"(SELECT 1 FROM {q(spec.name)} AS n WHERE n.rowid > {loaded.old_max} AND {same_key})"
        )
        rollups.mark(self.store, spec.name, rows)

    def stored_updates(self, spec: schema.Table, present: list[str]) -> int:
        """Updates the store holds beyond those `writing` counted: none, it saw every row."""
        return 0

    def commit(
        self,
        spec: schema.Table,
        present: list[str],
        created: dict[str, list[str]],
        ledger: Callable[[int, dict[str, list[str]]], None],
    ) -> None:
        """The scan's transaction is the store's: no update to add (`stored_updates`), and
        the referenced rows are created in it."""
        rollups.refresh(self.store)
        ledger(0, created)
        self.con.execute("COMMIT")

    def close(self) -> None:
        """The store's connection stays open."""


class Staged:
    """A server store: the import decides in a scratch DuckDB file, then writes once."""

    def __init__(self, store: Store, spec: schema.Table, scratch: Path) -> None:
        self.store = store
        self.path = scratch / "staging.duckdb"
        self.con = connect(str(self.path))
        referenced = {target for _, target, _ in REFERENCES.get(spec.name, ())}
        for name in sorted({spec.name, *referenced}):
            self.con.execute(create_table_sql(schema.table(name)))

    def loaded(self, spec: schema.Table, loaded: writing.Loaded, present: list[str]) -> None:
        """Copy the stored referenced rows the file names (all of them are checked when the
        stored table is not empty, or created with `create_missing` when missing)."""
        for column, target, target_column in REFERENCES.get(spec.name, ()):
            if column not in present:
                continue
            named = self.con.sql(
                f"SELECT DISTINCT {q(column)} AS {q(target_column)} FROM {q(spec.name)} "
                f"WHERE {q(column)} IS NOT NULL"
            ).to_arrow_table()
            with self._server("read the referenced " + target):
                found = stored_rows(self.store, target, named)
            self._append(target, found)

    def stored_updates(self, spec: schema.Table, present: list[str]) -> int:
        """The kept keys the store already holds: those rows are updates. Each kept row takes
        the columns the file does not have from the stored row (any one, if the store holds
        several with its key, which the upsert then replaces all). `commit` calls it under the
        table's lock; unlocked, for a dry run's report, another writer may change it."""
        keys = ", ".join(q(k) for k in spec.key)
        kept = self.con.sql(f"SELECT {keys} FROM {q(spec.name)}").to_arrow_table()
        absent = [c for c in spec.column_names if c not in present]
        with self._server(f"read the stored {spec.name}"):
            if not absent:  # nothing to take from the stored rows: count them where they are
                return stored_count(self.store, spec.name, kept)
            old = stored_rows(self.store, spec.name, kept)
        if old.num_rows == 0:
            return 0
        name = "_ckimport_stored"
        self.con.register(name, old)
        try:
            same = " AND ".join(
                f"{q(spec.name)}.{q(k)} IS NOT DISTINCT FROM o.{q(k)}" for k in spec.key
            )
            self.con.execute(
                f"UPDATE {q(spec.name)} SET "
                + ", ".join(f"{q(c)} = o.{q(c)}" for c in absent)
                + f" FROM (SELECT DISTINCT ON ({keys}) * FROM {name}) AS o WHERE {same}"
            )
            distinct = f"SELECT count(*) FROM (SELECT DISTINCT {keys} FROM {name})"
            return writing.count(self.con, distinct)
        finally:
            self.con.unregister(name)

    def commit(
        self,
        spec: schema.Table,
        present: list[str],
        created: dict[str, list[str]],
        ledger: Callable[[int, dict[str, list[str]]], None],
    ) -> None:
        """One store transaction under the locks of the table and of the referenced tables
        `create_missing` adds to: the stored rows of the kept keys (`stored_updates`), the
        referenced ids still missing, the kept rows, rollups, then `ledger` with the number
        of updates and the ids created."""
        with self._server(f"write to {spec.name}"), self.store.transaction():
            for name in sorted({spec.name, *created}):  # one order: no two imports wait in a cycle
                lock_rows(self.store, name)
            stored = self.stored_updates(spec, present)
            rows = self.con.sql(f"SELECT * FROM {q(spec.name)}").to_arrow_table()
            self.con.execute("ROLLBACK")  # the scratch database has done its work
            made = {target: self._create(target, ids) for target, ids in created.items()}
            self.store.upsert_arrow(spec.name, rows)
            rollups.refresh(self.store)
            ledger(stored, made)

    def _create(self, target: str, ids: list[str]) -> list[str]:
        """Store the referenced rows of `ids` that are still missing (another import may have
        made some since the scan decided); returns those."""
        column = schema.table(target).key[0]
        wanted = pa.table({column: pa.array(ids, pa.string())})
        found = set(stored_rows(self.store, target, wanted, [column])[column].to_pylist())
        missing = [i for i in ids if i not in found]
        if missing:
            self.store.insert_arrow(target, pa.table({column: pa.array(missing, pa.string())}))
        return missing

    def close(self) -> None:
        """Close and remove the scratch database (a retry in another encoding starts anew)."""
        self.con.close()
        for path in self.path.parent.glob(self.path.name + "*"):
            path.unlink(missing_ok=True)

    def _append(self, table: str, rows: pa.Table) -> None:
        if rows.num_rows == 0:
            return
        self.con.register("_ckimport_rows", rows)
        try:
            self.con.execute(f"INSERT INTO {q(table)} BY NAME SELECT * FROM _ckimport_rows")
        finally:
            self.con.unregister("_ckimport_rows")

    @contextmanager
    def _server(self, what: str) -> Iterator[None]:
        """A driver's error of the store as a one-line StoreError (nothing was written)."""
        try:
            yield
        except CallkpiError:
            raise
        except Exception as exc:
            raise StoreError(f"{self.store.path}: could not {what}: {first_line(exc)}") from exc


Destination = InPlace | Staged


def destination(store: Store, spec: schema.Table, scratch: Path) -> Destination:
    """In place for a DuckDB store; staged in `scratch` for the others."""
    if store.dialect == "duckdb":
        return InPlace(store)
    return Staged(store, spec, scratch)
