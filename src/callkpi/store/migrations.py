"""Forward-only schema migrations, recorded in the `schema_version` table.

A migration is a function of a DB-API-like connection; each runs in its own transaction and
records its number, so opening an old store upgrades it and opening a newer one is refused.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from callkpi.store.calendar import calendar_insert_sql
from callkpi.store.schema import CALENDAR, SQL_TYPES, TABLES, Table


class Connection(Protocol):
    def execute(self, sql: str, parameters: object = ..., /) -> object: ...


def create_table_sql(table: Table) -> str:
    """DDL for one canonical table (types shared by DuckDB and PostgreSQL)."""
    columns = ",\n  ".join(f'"{c.name}" {SQL_TYPES[c.type]}' for c in table.columns)
    return f'CREATE TABLE IF NOT EXISTS "{table.name}" (\n  {columns}\n)'


IMPORTS_LEDGER_SQL = """
CREATE TABLE IF NOT EXISTS imports (
  import_id VARCHAR,
  table_name VARCHAR,
  file_name VARCHAR,
  file_sha256 VARCHAR,
  profile VARCHAR,
  mode VARCHAR,
  rows_read BIGINT,
  inserted BIGINT,
  updated BIGINT,
  rejected BIGINT,
  duplicates BIGINT,
  started_at TIMESTAMP,
  finished_at TIMESTAMP,
  user_name VARCHAR
)
"""


def _migration_1(con: Connection) -> None:
    """Create every canonical table, the calendar and the imports ledger."""
    for table in TABLES.values():
        con.execute(create_table_sql(table))
    con.execute(create_table_sql(CALENDAR))
    con.execute(calendar_insert_sql())
    con.execute(IMPORTS_LEDGER_SQL)


def _migration_2(con: Connection) -> None:
    """Ledger columns for issue 3's imports: the source's time zone, format and encoding, and
    how many referenced rows (campaigns, agents) the import created."""
    for column, sql_type in (
        ("source_timezone", "VARCHAR"),
        ("file_format", "VARCHAR"),
        ("encoding", "VARCHAR"),
        ("created_missing", "BIGINT"),
    ):
        con.execute(f"ALTER TABLE imports ADD COLUMN IF NOT EXISTS {column} {sql_type}")


def _migration_3(con: Connection) -> None:
    """The erasure log: which person's personal data was erased, when and by whom."""
    con.execute(
        "CREATE TABLE IF NOT EXISTS erasures "
        "(subject VARCHAR, subject_id VARCHAR, erased_at TIMESTAMP, user_name VARCHAR)"
    )


MIGRATIONS: list[Callable[[Connection], None]] = [_migration_1, _migration_2, _migration_3]
LATEST_VERSION = len(MIGRATIONS)
