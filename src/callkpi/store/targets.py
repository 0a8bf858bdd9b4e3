"""Targets per KPI and scope: "contact_rate of campaign C1 should reach 0.30 each month".

A scope is one dimension and one of its values; the whole business is the scope ('all', '').
The KPI and dimension names are checked by the caller against the catalog (the store does not
know the catalog).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from callkpi.store.duckdb_backend import DuckDBStore
from callkpi.store.ledger import utcnow

WHOLE_SCOPE = "all"


@dataclass(frozen=True)
class TargetRow:
    kpi: str
    scope_dimension: str
    scope_value: str
    grain: str
    target: float
    warn_threshold: float | None
    updated_at: dt.datetime
    updated_by: str | None


def list_targets(store: DuckDBStore) -> list[TargetRow]:
    rows = store.connection.execute(
        "SELECT kpi, scope_dimension, scope_value, grain, target, warn_threshold, updated_at, "
        "updated_by FROM targets ORDER BY kpi, scope_dimension, scope_value, grain"
    ).fetchall()
    return [TargetRow(*row) for row in rows]


def put_targets(store: DuckDBStore, targets: list[TargetRow]) -> None:
    """Insert or replace targets (keyed by KPI, scope and grain), all or nothing."""
    with store.transaction():
        for t in targets:
            store.execute(
                "DELETE FROM targets WHERE kpi = ? AND scope_dimension = ? AND scope_value = ? "
                "AND grain = ?",
                [t.kpi, t.scope_dimension, t.scope_value, t.grain],
            )
            store.execute(
                "INSERT INTO targets VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    t.kpi,
                    t.scope_dimension,
                    t.scope_value,
                    t.grain,
                    t.target,
                    t.warn_threshold,
                    t.updated_at or utcnow(),
                    t.updated_by,
                ],
            )


def delete_target(
    store: DuckDBStore, kpi: str, scope_dimension: str, scope_value: str, grain: str
) -> bool:
    """Remove one target; False when there was none."""
    key = [kpi, scope_dimension, scope_value, grain]
    condition = "kpi = ? AND scope_dimension = ? AND scope_value = ? AND grain = ?"
    found = store.scalar(f"SELECT count(*) FROM targets WHERE {condition}", key)
    if found:
        store.execute(f"DELETE FROM targets WHERE {condition}", key)
    return bool(found)
