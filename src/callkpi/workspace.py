"""The library face: a store plus the KPI catalog. Every other face goes through it."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any

import pyarrow as pa

from callkpi.metrics.cache import SqlCache, default_cache_dir
from callkpi.metrics.catalog import Catalog, default_catalog_text, load_catalog
from callkpi.metrics.model import CompiledQuery, ModelPart
from callkpi.metrics.models import fill_model_column
from callkpi.metrics.query import KpiQuery
from callkpi.metrics.result import KpiResult
from callkpi.store import Store, open_store, rollups
from callkpi.store.loading import append_rows

if TYPE_CHECKING:
    from callkpi.metrics.compiler import KpiCompiler


@dataclass(frozen=True)
class Explanation:
    """A query's plan (what answers each group of KPIs: a rollup or the detail tables), its
    SQL with named placeholders, and the values bound to them (`KpiQuery.parameters()`).
    `models` are the statements that fetch the rows of model KPIs (reduced in Python)."""

    plan: tuple[str, ...]
    sql: str
    parameters: dict[str, str]
    models: tuple[ModelPart, ...] = ()

    def text(self) -> str:
        """The plan as SQL comments, then the SQL (then each model KPI's, after a `;`)."""
        statements = ["\n".join([*(f"-- {line}" for line in self.plan), self.sql])]
        statements += [
            f"-- {part.kpi}: the rows that {part.function} reduces per group\n{part.sql}"
            for part in self.models
        ]
        return ";\n\n".join(statements)


class Workspace:
    """Open with `callkpi.open(path_or_url)`; ask KPIs with `ws.kpis(...)`.

    The catalog and the compiler (Ibis) are loaded on first need, and compiled SQL is kept in
    a disk cache (`metrics.cache`), so a process that repeats a known query never imports Ibis.
    """

    def __init__(
        self, store: Store, catalog: Catalog | None = None, cache: SqlCache | None = None
    ) -> None:
        self.store = store
        self._catalog = catalog
        self._compiler: KpiCompiler | None = None
        self._fingerprint: str | None = None
        self.cache = cache if cache is not None else SqlCache(default_cache_dir())
        self._compile_lock = threading.Lock()

    def fork(self) -> Workspace:
        """A workspace on its own cursor of the same store, sharing the catalog, the compiler
        and their caches: one per request thread of a server (see DuckDBStore.fork)."""
        self.compiler  # noqa: B018 -- load once here rather than once per fork
        forked = Workspace(self.store.fork(), self._catalog, self.cache)
        forked._compiler = self._compiler
        forked._fingerprint = self._fingerprint
        forked._compile_lock = self._compile_lock
        return forked

    @property
    def catalog(self) -> Catalog:
        if self._catalog is None:
            fingerprint = self._catalog_fingerprint()
            checked = self.cache.catalog_checked(fingerprint)
            self._catalog = load_catalog(checked=checked)
            if not checked:
                self.cache.mark_catalog_checked(fingerprint)
        return self._catalog

    def _catalog_fingerprint(self) -> str:
        """The catalog's hash, without parsing it (a cached query needs nothing more)."""
        if self._catalog is not None:
            return self._catalog.fingerprint
        if self._fingerprint is None:
            import hashlib

            text = default_catalog_text().encode("utf-8")
            self._fingerprint = hashlib.sha256(text).hexdigest()
        return self._fingerprint

    @property
    def compiler(self) -> KpiCompiler:
        if self._compiler is None:
            from callkpi.metrics.compiler import KpiCompiler

            self._compiler = KpiCompiler(self.catalog, self.store.dialect)
        return self._compiler

    # -- KPIs -----------------------------------------------------------------------------
    def kpis(
        self,
        kpis: Sequence[str] | str,
        by: Sequence[str] | str | None = None,
        grain: str = "all",
        start: dt.date | str | None = None,
        end: dt.date | str | None = None,
        where: Mapping[str, str | Sequence[str]] | None = None,
    ) -> KpiResult:
        """Compute KPIs by dimensions and period; see KpiQuery for the arguments."""
        return self.run(KpiQuery.build(kpis, by, grain, start, end, where))

    def run(
        self, query: KpiQuery, *, timeout_s: float | None = None, rollups: bool = True
    ) -> KpiResult:
        """Answer a query; `timeout_s` stops each of its statements after that long.
        `rollups=False` reads only the detail tables (to check the rollups' answer)."""
        compiled = self._compiled(query, rollups)
        parameters = query.parameters()
        table = self.store.query(compiled.sql, parameters, timeout_s=timeout_s)
        for part in compiled.models:
            rows = self.store.query(part.sql, parameters, timeout_s=timeout_s)
            table = fill_model_column(
                table,
                part,
                rows,
                keys=list(query.by) + (["period"] if query.grain != "all" else []),
            )
        return KpiResult(query, table, compiled.columns, compiled.sql)

    def _compiled(self, query: KpiQuery, allow_rollups: bool = True) -> CompiledQuery:
        # Rollups are read only while built by this code (else they are stale: ADR 8), and the
        # SQL differs with them: the choice is part of the cache key.
        use_rollups = allow_rollups and rollups.fresh(self.store)
        key = (self._catalog_fingerprint(), self.store.dialect, (*query.shape(), use_rollups))
        cached = self.cache.get(*key)
        if cached is not None:
            return cached
        with self._compile_lock:  # the compiler's caches are shared by forks, not thread-safe
            compiled = self.compiler.compile(query, rollups=use_rollups)
        self.cache.put(*key, compiled)
        return compiled

    def explain(self, kpis: Sequence[str] | str, **kwargs: Any) -> str:
        """The SQL a query runs (filter values and dates appear as named placeholders),
        after comment lines saying what answers each group of KPIs: a rollup or detail."""
        return self.explain_query(KpiQuery.build(kpis, **kwargs)).text()

    def explain_query(self, query: KpiQuery) -> Explanation:
        """What `run(query)` would send to the store, without running it: the plan, the SQL
        in this store's dialect and the values bound to its placeholders."""
        use_rollups = rollups.fresh(self.store)
        compiled = self.compiler.compile(query, pretty=True, rollups=use_rollups)
        stale = not use_rollups and self.rollups_kept()
        note = " (rollups stale: run `callkpi rollup rebuild`)" if stale else ""
        plan = tuple(f"{line}{note if 'detail' in line else ''}" for line in compiled.plan)
        return Explanation(plan, compiled.sql, query.parameters(), compiled.models)

    # -- data -----------------------------------------------------------------------------
    def append(self, table: str, rows: Sequence[Mapping[str, Any]] | pa.Table) -> int:
        """Append rows (dicts with canonical column names, or an Arrow table) in one go."""
        return append_rows(self.store, table, rows)

    def rebuild_rollups(self) -> dict[str, int]:
        """Recompute the daily rollups from the detail tables (one transaction); returns rows
        per rollup. Needed after an upgrade that changed how they are computed."""
        with self.store.transaction():
            return rollups.rebuild(self.store)

    def rollups_kept(self) -> bool:
        """Does this backend keep rollups at all (not Spark: it reads the detail tables)?"""
        return self.store.dialect in rollups.MAINTAINED

    def rollups_fresh(self) -> bool:
        """Are the rollups built by this code, so that queries read them?"""
        return rollups.fresh(self.store)

    def import_file(self, table: str | None, path: str | Path, **options: Any) -> Any:
        """Import a canonical CSV file into a table; see callkpi.ingest.import_file."""
        from callkpi.ingest import import_file

        return import_file(self.store, table, path, **options)

    def erase(self, subject: str, ids: list[str]) -> Any:
        """Blank the personal data of contacts or agents (see callkpi.store.erasure)."""
        from callkpi.store.erasure import erase

        return erase(self.store, subject, ids)  # type: ignore[arg-type]

    def count(self, table: str) -> int:
        from callkpi.store.schema import table as canonical

        return self.store.row_count(canonical(table).name)

    # -- lifecycle --------------------------------------------------------------------------
    def close(self) -> None:
        self.store.close()

    def __enter__(self) -> Workspace:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


def open(location: str | Path, *, read_only: bool = False) -> Workspace:
    """Open (creating if needed) a store by path or URL and return its workspace."""
    return Workspace(open_store(location, read_only=read_only))
