"""The library face: a store plus the KPI catalog. Every other face goes through it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from pathlib import Path
from types import TracebackType
from typing import Any

import pyarrow as pa

from callkpi.metrics.catalog import Catalog, load_catalog
from callkpi.metrics.compiler import KpiCompiler
from callkpi.metrics.query import KpiQuery
from callkpi.metrics.result import KpiResult
from callkpi.store import Store, open_store
from callkpi.store.loading import append_rows


class Workspace:
    """Open with `callkpi.open(path_or_url)`; ask KPIs with `ws.kpis(...)`."""

    def __init__(self, store: Store, catalog: Catalog | None = None) -> None:
        self.store = store
        self.catalog = catalog or load_catalog()
        self._compiler = KpiCompiler(self.catalog, store.dialect)

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

    def run(self, query: KpiQuery) -> KpiResult:
        compiled = self._compiler.compile(query)
        table = self.store.query(compiled.sql, compiled.params)
        return KpiResult(query, table, compiled.columns, compiled.sql)

    def explain(self, kpis: Sequence[str] | str, **kwargs: Any) -> str:
        """The SQL a query runs (filter values appear as named placeholders)."""
        return self._compiler.compile(KpiQuery.build(kpis, **kwargs)).sql

    # -- data -----------------------------------------------------------------------------
    def append(self, table: str, rows: Sequence[Mapping[str, Any]] | pa.Table) -> int:
        """Append rows (dicts with canonical column names, or an Arrow table) in one go."""
        return append_rows(self.store, table, rows)

    def import_file(self, table: str, path: str | Path, **options: Any) -> Any:
        """Import a canonical CSV file into a table; see callkpi.ingest.import_file."""
        from callkpi.ingest import import_file

        return import_file(self.store, table, path, **options)

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
