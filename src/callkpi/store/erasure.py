"""Erasing a person's personal data (GDPR right to erasure), in one transaction.

Personal data lives only in `contacts` (phone, email, postal code) and `agents` (name): the
schema says which columns (`Table.personal_data`). Erasing blanks those columns and keeps the
ids, so the person's calls, orders and deals still count in the KPIs without naming anyone.
Every erasure is recorded in `erasures` (which id, when, by whom; never what was erased).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from callkpi.errors import QueryError, StoreError
from callkpi.store.base import Store
from callkpi.store.ledger import current_user, utcnow
from callkpi.store.schema import TABLES

Subject = Literal["contact", "agent"]
_TABLES: dict[str, tuple[str, str]] = {
    "contact": ("contacts", "contact_id"),
    "agent": ("agents", "agent_id"),
}


@dataclass(frozen=True)
class Erasure:
    subject: str
    ids: tuple[str, ...]
    erased: int  # rows whose personal data was blanked
    missing: tuple[str, ...]  # ids not found


def erase(store: Store, subject: Subject, ids: list[str], user: str | None = None) -> Erasure:
    """Blank the personal data of these contacts or agents; unknown ids are reported."""
    if subject not in _TABLES:
        raise QueryError(f"can erase a contact or an agent, not {subject!r}")
    if not ids:
        raise QueryError("name at least one id to erase")
    if store.dialect == "pyspark":
        raise StoreError(
            "erase is not supported on a Spark store: its Parquet files are only appended "
            "to, never updated in place (docs/adr/0007-spark-backend.md)"
        )
    table, key = _TABLES[subject]
    columns = TABLES[table].personal_data
    assignments = ", ".join(f'"{c}" = NULL' for c in columns)
    # A typed list: PostgreSQL cannot guess the type of a bare array parameter.
    chosen = f'"{key}" IN (SELECT unnest(CAST(? AS VARCHAR[])))'
    found = {row[0] for row in store.rows(f'SELECT "{key}" FROM "{table}" WHERE {chosen}', [ids])}
    with store.transaction():
        store.execute(f'UPDATE "{table}" SET {assignments} WHERE {chosen}', [ids])
        for subject_id in sorted(found):
            store.execute(
                "INSERT INTO erasures VALUES (?, ?, ?, ?)",
                [subject, subject_id, utcnow(), user or current_user()],
            )
    missing = tuple(i for i in ids if i not in found)
    return Erasure(subject, tuple(ids), len(found), missing)
