"""The only part of an import that writes: an upsert and its ledger row, in one transaction."""

from __future__ import annotations

import datetime as dt

import duckdb

from callkpi.errors import DataImportError
from callkpi.ingest.report import ImportReport
from callkpi.ingest.rules import key_match, q
from callkpi.store import Store
from callkpi.store.ledger import LedgerEntry, record_load
from callkpi.store.schema import Table

PROFILE = "canonical"


def write_accepted(
    store: Store,
    spec: Table,
    columns: list[str],
    accepted: str,
    report: ImportReport,
    started: dt.datetime,
    user: str | None,
) -> None:
    """Upsert the rows of temp table `accepted` on the key, and record the import.

    Rows whose key is stored are updated on the columns the file has (absent columns keep
    their value); the others are inserted in file order. All or nothing.
    """
    acc = q(accepted)
    updates = [c for c in columns if c not in spec.key]
    all_columns = ", ".join(q(c) for c in spec.column_names)
    try:
        with store.transaction():
            if report.updated and updates:
                assignments = ", ".join(f"{q(c)} = a.{q(c)}" for c in updates)
                store.execute(
                    f"UPDATE {q(spec.name)} AS x SET {assignments} FROM {acc} a "
                    f"WHERE a._dup = 1 AND a._exists AND {key_match(spec, 'x', 'a')}"
                )
            if report.inserted:
                store.execute(
                    f"INSERT INTO {q(spec.name)} ({all_columns}) SELECT {all_columns} "
                    f"FROM {acc} WHERE _dup = 1 AND NOT _exists ORDER BY _rn"
                )
            record_load(
                store,
                LedgerEntry(
                    table_name=report.table,
                    file_name=report.file_name,
                    file_sha256=report.file_sha256,
                    profile=PROFILE,
                    mode=report.mode,
                    rows_read=report.rows_read,
                    inserted=report.inserted,
                    updated=report.updated,
                    rejected=report.rejected,
                    duplicates=report.duplicates,
                    started_at=started,
                    user_name=user,
                    import_id=report.import_id or "",
                ),
            )
    except duckdb.Error as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise DataImportError(
            f"{report.file_name}: could not write to the store, nothing imported: {first}"
        ) from exc
