"""The `imports` ledger: one row per load of data into the store, whoever did it."""

from __future__ import annotations

import datetime as dt
import getpass
import os
import uuid
from dataclasses import dataclass, field

import pyarrow as pa

from callkpi.store.base import Store
from callkpi.store.changes import DATA


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
    source_timezone: str | None = None
    file_format: str | None = None
    encoding: str | None = None
    created_missing: int | None = None


def record_load(store: Store, entry: LedgerEntry) -> None:
    """Append a ledger row; call it inside the transaction that wrote the rows (the other
    processes serving the store hear of the new data when it commits)."""
    store.announce(DATA)
    store.execute(
        "INSERT INTO imports (import_id, table_name, file_name, file_sha256, profile, "
        "mode, rows_read, inserted, updated, rejected, duplicates, started_at, "
        "finished_at, user_name, source_timezone, file_format, encoding, created_missing) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
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
            entry.source_timezone,
            entry.file_format,
            entry.encoding,
            entry.created_missing,
        ],
    )


def loaded_by_profile(store: Store, profile: str) -> int:
    """How many loads the ledger holds for a profile (e.g. 'demo')."""
    return int(store.scalar("SELECT count(*) FROM imports WHERE profile = ?", [profile]))


LEDGER_COLUMNS = (
    "import_id",
    "table_name",
    "file_name",
    "file_sha256",
    "profile",
    "mode",
    "rows_read",
    "inserted",
    "updated",
    "rejected",
    "duplicates",
    "started_at",
    "finished_at",
    "user_name",
    "source_timezone",
    "file_format",
    "encoding",
    "created_missing",
)
REJECT_COLUMNS = ("line", "column_name", "code", "value", "message")


def record_rejects(
    store: Store, import_id: str, rejects: list[tuple[int, str | None, str, str | None, str]]
) -> None:
    """Keep an import's rejects (line, column, code, value, message) beside its ledger row."""
    if not rejects:
        return
    columns = list(zip(*rejects, strict=True))
    store.insert_arrow(
        "import_rejects",
        pa.table(
            {
                "import_id": pa.array([import_id] * len(rejects), pa.string()),
                "line": pa.array(columns[0], pa.int64()),
                "column_name": pa.array(columns[1], pa.string()),
                "code": pa.array(columns[2], pa.string()),
                "value": pa.array(columns[3], pa.string()),
                "message": pa.array(columns[4], pa.string()),
            }
        ),
    )


def list_loads(store: Store, limit: int, offset: int = 0) -> tuple[list[dict], int]:
    """Ledger rows, newest first, one page of them, and how many there are in all."""
    names = ", ".join(LEDGER_COLUMNS)
    rows = store.rows(
        f"SELECT {names} FROM imports ORDER BY started_at DESC, import_id LIMIT ? OFFSET ?",
        [limit, offset],
    )
    total = int(store.scalar("SELECT count(*) FROM imports"))
    return [dict(zip(LEDGER_COLUMNS, row, strict=True)) for row in rows], total


def get_load(store: Store, import_id: str) -> dict | None:
    names = ", ".join(LEDGER_COLUMNS)
    found = store.rows(f"SELECT {names} FROM imports WHERE import_id = ?", [import_id])
    return dict(zip(LEDGER_COLUMNS, found[0], strict=True)) if found else None


def load_rejects(store: Store, import_id: str) -> list[dict]:
    names = ", ".join(REJECT_COLUMNS)
    rows = store.rows(
        f"SELECT {names} FROM import_rejects WHERE import_id = ? ORDER BY line, column_name",
        [import_id],
    )
    return [dict(zip(REJECT_COLUMNS, row, strict=True)) for row in rows]
