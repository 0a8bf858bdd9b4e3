"""Imports over HTTP: upload a file, get the same report as `callkpi import`; the ledger."""

from __future__ import annotations

import csv
import io
import tempfile
from pathlib import Path, PurePath
from typing import Annotated, Any, Literal

from fastapi import APIRouter, File, Form, Query, UploadFile
from fastapi import Path as Path_
from fastapi.responses import Response

from callkpi.api.errors import ApiError
from callkpi.api.schemas import ImportBody, ImportPage, report_body
from callkpi.api.security import AdminDep, StateDep
from callkpi.api.state import ApiState
from callkpi.exports import spreadsheet_safe
from callkpi.store.ledger import get_load, list_loads, load_rejects

router = APIRouter(tags=["imports"])

_CHUNK = 1024 * 1024
_TEXT_SUFFIXES = {".csv", ".txt", ".tsv", ".jsonl", ".ndjson", ".json"}
_ID_PATTERN = r"^[0-9a-f]{32}$"


@router.post("/imports", response_model=ImportBody, status_code=201)
def import_upload(
    state: StateDep,
    principal: AdminDep,
    file: Annotated[UploadFile, File(description="CSV, Excel, Parquet or JSON lines.")],
    table: Annotated[str | None, Form(max_length=100)] = None,
    profile: Annotated[str | None, Form(max_length=100, pattern=r"^[A-Za-z0-9_-]+$")] = None,
    mode: Annotated[Literal["atomic", "skip-invalid"], Form()] = "atomic",
    dry_run: Annotated[bool, Form()] = False,
    create_missing: Annotated[bool, Form()] = False,
    timezone: Annotated[str | None, Form(max_length=64)] = None,
) -> ImportBody:
    """Import one file into one table. Atomic by default: one bad row and nothing is written
    (422, with the report). Only shipped profiles can be named (no paths on the server)."""
    from callkpi.ingest import import_file

    name = PurePath(file.filename or "upload").name or "upload"
    with tempfile.TemporaryDirectory(prefix="callkpi-upload-") as folder:
        path = Path(folder) / name
        _receive(state, file, path)
        with state.import_lock, state.session() as ws:
            report = import_file(
                ws.store,
                table,
                path,
                mode=mode,
                dry_run=dry_run,
                user=principal.name,
                profile=profile,
                create_missing=create_missing,
                timezone=timezone,
            )
    if not dry_run:
        state.bump("imports")
    return ImportBody(**report_body(report))


def _receive(state: ApiState, upload: UploadFile, path: Path) -> None:
    """Copy the upload to disk, refusing it as soon as it passes the size or row limit."""
    limit = state.config.max_upload_bytes
    max_lines = state.config.max_import_rows + 1  # the header
    counts_lines = path.suffix.lower() in _TEXT_SUFFIXES
    size = lines = 0
    with path.open("wb") as out:
        while chunk := upload.file.read(_CHUNK):
            size += len(chunk)
            if size > limit:
                raise ApiError(413, f"the file is larger than {_size(limit)}")
            if counts_lines:
                lines += chunk.count(b"\n")
                if lines > max_lines:
                    raise ApiError(
                        413, f"the file has more than {state.config.max_import_rows} rows"
                    )
            out.write(chunk)
    if size == 0:
        raise ApiError(422, f"{path.name} is empty")


def _size(count: int) -> str:
    return f"{count / 1024 / 1024:g} MiB" if count >= 1024 * 1024 else f"{count} bytes"


@router.get("/imports", response_model=ImportPage)
def list_imports(
    state: StateDep,
    principal: AdminDep,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    offset: Annotated[int, Query(ge=0, le=10**9)] = 0,
) -> ImportPage:
    """The ledger, newest first: every load of data, by whom, with its counts."""
    with state.session() as ws:
        rows, total = list_loads(ws.store, limit, offset)
    return ImportPage(imports=rows, total=total, limit=limit, offset=offset)


ImportId = Annotated[str, Path_(pattern=_ID_PATTERN, description="From the import report.")]


@router.get("/imports/{import_id}")
def get_import(state: StateDep, principal: AdminDep, import_id: ImportId) -> dict[str, Any]:
    """One ledger row and the rejects kept with it."""
    with state.session() as ws:
        row = get_load(ws.store, import_id)
        if row is None:
            raise ApiError(404, f"no import {import_id}")
        row["rejects"] = load_rejects(ws.store, import_id)
    return row


@router.get(
    "/imports/{import_id}/rejects.csv",
    response_class=Response,
    responses={200: {"content": {"text/csv": {}}}},
)
def get_rejects_csv(state: StateDep, principal: AdminDep, import_id: ImportId) -> Response:
    """The rejects as CSV (line, column, code, value, message), safe to open in a spreadsheet."""
    with state.session() as ws:
        if get_load(ws.store, import_id) is None:
            raise ApiError(404, f"no import {import_id}")
        rejects = load_rejects(ws.store, import_id)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["line", "column", "code", "value", "message"])
    for r in rejects:
        cells = [r["line"], r["column_name"], r["code"], r["value"], r["message"]]
        writer.writerow(["" if c is None else spreadsheet_safe(c) for c in cells])
    return Response(
        buffer.getvalue(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="rejects-{import_id}.csv"'},
    )
