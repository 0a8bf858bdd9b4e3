"""What an import did: counts that add up, and the rejected rows with their reasons.

The report is the importer's only output besides the rows it writes, so the CLI, the API and
the ledger all read the same numbers; rejects carry no personal data (see `redact`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

#: Rejects kept in a report (all of them are still counted).
MAX_REJECTS = 1000
#: Longest offending value quoted in a reject, so a runaway field cannot flood a report.
MAX_VALUE_CHARS = 200
#: What a personal-data value is replaced with in a reject.
REDACTED = "***"

#: The reject codes, in the order a user should fix them. `bad_row` is a record the CSV
#: reader could not split into the header's fields (a stray quote, a truncated last line).
REJECT_CODES = (
    "bad_row",
    "missing_required",
    "bad_type",
    "bad_value",
    "unknown_reference",
    "duplicate_key",
)


@dataclass(frozen=True)
class Reject:
    """One problem found on one record of an import file.

    `line` is the physical line (1 = header) where the record starts in the file, or the
    sheet row (Excel), or the record number (Parquet, JSON lines); `column` is None for a
    problem about several columns at once (a composite key) or about the whole record.
    """

    line: int
    column: str | None
    code: str
    value: str | None
    message: str

    def describe(self, file_name: str) -> str:
        """`FILE:LINE: column COL: CODE: VALUE (message)`, the one-line form users see."""
        where = f"column {self.column}: " if self.column else ""
        value = "(empty)" if self.value is None else self.value
        return f"{file_name}:{self.line}: {where}{self.code}: {value} ({self.message})"


@dataclass
class ImportReport:
    """The outcome of one import (or dry run) of one file into one table.

    Every record read is counted exactly once: `rows_read == inserted + updated + rejected +
    duplicates`. `rejects` lists the first MAX_REJECTS problems (a rejected record may have
    several, a duplicate has one); `rejects_total` counts them all. `import_id` is the ledger
    row's id, None when nothing was written (dry run). `created` counts the referenced rows
    made by `create_missing` (campaigns, agents), with their first ids in `created_ids`.
    """

    table: str
    file_name: str
    file_sha256: str
    mode: str
    dry_run: bool
    rows_read: int
    inserted: int
    updated: int
    rejected: int
    duplicates: int
    rejects: list[Reject] = field(default_factory=list)
    import_id: str | None = None
    rejects_total: int = 0
    profile: str = "canonical"
    file_format: str = "csv"
    encoding: str | None = None
    source_timezone: str = "UTC"
    created: dict[str, int] = field(default_factory=dict)
    created_ids: dict[str, list[str]] = field(default_factory=dict)
    ignored_columns: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    first_refusal: Reject | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        counted = self.inserted + self.updated + self.rejected + self.duplicates
        assert self.rows_read == counted, (
            f"import counts do not add up: read {self.rows_read}, accounted for {counted}"
        )


def redact(value: str | None, personal: bool) -> str | None:
    """The value as quoted in a reject: personal data hidden, long values cut."""
    if value is None:
        return None
    if personal:
        return REDACTED
    if len(value) > MAX_VALUE_CHARS:
        return value[:MAX_VALUE_CHARS] + "…"
    return value
