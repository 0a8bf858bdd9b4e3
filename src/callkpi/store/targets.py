"""Targets per KPI and scope: "contact_rate of campaign C1 should reach 0.30 each month".

The canonical `targets` table (also importable from a file): a scope is one dimension and one
of its values, or none (NULL) for the whole business; `period` is the grain the target is for.
KPI and dimension names are checked by the caller against the catalog.
"""

from __future__ import annotations

from dataclasses import dataclass

from callkpi.store.base import Store

_COLUMNS = "kpi, scope_dimension, scope_value, period, target, warn_threshold"
_KEY = (
    "kpi = ? AND scope_dimension IS NOT DISTINCT FROM ? "
    "AND scope_value IS NOT DISTINCT FROM ? AND period = ?"
)


@dataclass(frozen=True)
class TargetRow:
    kpi: str
    scope_dimension: str | None  # None: the whole business
    scope_value: str | None
    period: str
    target: float
    warn_threshold: float | None = None

    def key(self) -> list[str | None]:
        return [self.kpi, self.scope_dimension, self.scope_value, self.period]


def list_targets(store: Store) -> list[TargetRow]:
    rows = store.rows(
        f"SELECT {_COLUMNS} FROM targets "
        "ORDER BY kpi, scope_dimension NULLS FIRST, scope_value NULLS FIRST, period"
    )
    return [TargetRow(*row) for row in rows]


def put_targets(store: Store, targets: list[TargetRow]) -> None:
    """Insert or replace targets (keyed by KPI, scope and period), all or nothing. Writers
    take turns (`Store.lock`): two at once would both find no row to replace, and insert."""
    with store.transaction():
        store.lock("callkpi.targets")
        for t in targets:
            store.execute(f"DELETE FROM targets WHERE {_KEY}", t.key())
            store.execute(
                f"INSERT INTO targets ({_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?)",
                [*t.key(), t.target, t.warn_threshold],
            )


def delete_target(
    store: Store, kpi: str, scope_dimension: str | None, scope_value: str | None, period: str
) -> bool:
    """Remove one target; False when there was none."""
    key = [kpi, scope_dimension, scope_value, period]
    found = store.scalar(f"SELECT count(*) FROM targets WHERE {_KEY}", key)
    if found:
        store.execute(f"DELETE FROM targets WHERE {_KEY}", key)
    return bool(found)
