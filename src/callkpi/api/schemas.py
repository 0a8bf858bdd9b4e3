"""The API's request and response bodies. Every input model refuses unknown fields."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from callkpi.ingest.report import ImportReport


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ErrorDetail(BaseModel):
    status: int
    code: str
    message: str
    details: Any = None


class ErrorBody(BaseModel):
    """Every error, whatever the route: a status, a stable code and a message for people."""

    error: ErrorDetail


class TokenBody(BaseModel):
    access_token: str
    token_type: Literal["bearer"] = "bearer"
    expires_in: int = Field(description="Seconds the token stays valid.")
    role: str


class Health(BaseModel):
    status: Literal["ok"]
    schema_version: int


class QueryEcho(BaseModel):
    """The question as answered, after the server narrowed it to what the caller may see."""

    kpis: list[str]
    by: list[str]
    grain: str
    start: dt.date | None
    end: dt.date | None
    where: dict[str, list[str]]


class ColumnInfo(BaseModel):
    name: str
    role: str
    kpi: str | None = None


class KpiPage(BaseModel):
    query: QueryEcho
    columns: list[ColumnInfo]
    rows: list[dict[str, Any]]
    total_rows: int
    limit: int
    offset: int


class ImportBody(BaseModel):
    """An import report: counts that add up (read = inserted + updated + rejected +
    duplicates) and the first rejects with file line, column, value and reason."""

    import_id: str | None
    table: str
    file_name: str
    profile: str
    mode: str
    dry_run: bool
    rows_read: int
    inserted: int
    updated: int
    rejected: int
    duplicates: int
    rejects_total: int
    rejects: list[dict[str, Any]]
    created: dict[str, int]
    file_format: str
    encoding: str | None
    source_timezone: str


class ImportPage(BaseModel):
    imports: list[dict[str, Any]]
    total: int
    limit: int
    offset: int


class EventsReceipt(BaseModel):
    """Sent only after the batch is committed."""

    received: int
    new: int
    duplicates: int
    calls_completed: int


class TargetIn(Strict):
    kpi: str = Field(min_length=1, max_length=100)
    scope_dimension: str = Field(
        default="all", min_length=1, max_length=100, description="A dimension, or 'all'."
    )
    scope_value: str = Field(default="", max_length=200, description="Empty for 'all'.")
    period: Literal["day", "week", "month", "quarter", "year", "all"] = "month"
    target: float = Field(allow_inf_nan=False)
    warn_threshold: float | None = Field(default=None, allow_inf_nan=False)


class TargetsIn(Strict):
    targets: list[TargetIn] = Field(min_length=1, max_length=1000)


class TargetOut(BaseModel):
    kpi: str
    scope_dimension: str
    scope_value: str
    period: str
    target: float
    warn_threshold: float | None


class TargetList(BaseModel):
    targets: list[TargetOut]


def report_body(report: ImportReport) -> dict[str, Any]:
    return ImportBody(
        import_id=report.import_id,
        table=report.table,
        file_name=report.file_name,
        profile=report.profile,
        mode=report.mode,
        dry_run=report.dry_run,
        rows_read=report.rows_read,
        inserted=report.inserted,
        updated=report.updated,
        rejected=report.rejected,
        duplicates=report.duplicates,
        rejects_total=report.rejects_total,
        rejects=[
            {
                "line": r.line,
                "column": r.column,
                "code": r.code,
                "value": r.value,
                "message": r.message,
            }
            for r in report.rejects
        ],
        created=report.created,
        file_format=report.file_format,
        encoding=report.encoding,
        source_timezone=report.source_timezone,
    ).model_dump(mode="json")
