"""The `imports` ledger: one row per load of data into the store, whoever did it."""

from __future__ import annotations

import datetime as dt
import getpass
import os
import uuid
from dataclasses import dataclass, field

from callkpi.store.base import Store


def utcnow() -> dt.datetime:
    """Now in UTC, naive, as the ledger stores it."""
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def current_user() -> str:
    """$USER, or the login name, or '' when neither is known (a container, a service)."""
    try:
        return os.environ.get("USER") or getpass.getuser()
    except (KeyError, OSError):
        return ""


@dataclass(frozen=True)
class LedgerEntry:
    table_name: str
    file_name: str
    file_sha256: str | None
    profile: str
    mode: str
    rows_read: int
    inserted: int
    updated: int = 0
    rejected: int = 0
    duplicates: int = 0
    started_at: dt.datetime = field(default_factory=utcnow)
    user_name: str | None = None
    import_id: str = field(default_factory=lambda: uuid.uuid4().hex)


def record_load(store: Store, entry: LedgerEntry) -> None:
    """Append a ledger row; call it inside the transaction that wrote the rows."""
    store.execute(
        "INSERT INTO imports (import_id, table_name, file_name, file_sha256, profile, "
        "mode, rows_read, inserted, updated, rejected, duplicates, started_at, "
        "finished_at, user_name) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            entry.import_id,
            entry.table_name,
            entry.file_name,
            entry.file_sha256,
            entry.profile,
            entry.mode,
            entry.rows_read,
            entry.inserted,
            entry.updated,
            entry.rejected,
            entry.duplicates,
            entry.started_at,
            utcnow(),
            entry.user_name or current_user(),
        ],
    )


def loaded_by_profile(store: Store, profile: str) -> int:
    """How many loads the ledger holds for a profile (e.g. 'demo')."""
    return int(store.scalar("SELECT count(*) FROM imports WHERE profile = ?", [profile]))
