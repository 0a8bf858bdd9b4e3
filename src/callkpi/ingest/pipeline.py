"""`import_file`: one file into one canonical table, all or nothing, every row accounted for.

The steps: open the file as text columns (`sources`), map them with a profile (`mapping`),
build the one INSERT that converts and checks every record (`scan`), run it inside a
transaction and sort out refused rows, duplicates and updates (`writing`), name the
problems (`checking`), then commit with the ledger row, or roll back (atomic mode with
rejects, dry run, any error, or the process being killed: DuckDB's WAL undoes it).
All of that runs on DuckDB: the store's own connection, or a scratch database whose outcome
a PostgreSQL or Spark store receives in one transaction (`destinations`).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import duckdb

from callkpi.errors import DataImportError
from callkpi.ingest import checking, destinations, phones, writing
from callkpi.ingest.encoding import FileHash, WrongEncodingError, scratch_dir
from callkpi.ingest.mapping import E164_FUNCTION, map_columns
from callkpi.ingest.profiles import Profile, load_profile
from callkpi.ingest.report import MAX_REJECTS, ImportReport
from callkpi.ingest.rules import REFERENCES, q
from callkpi.ingest.runtime import (
    ImportProgress,
    ProgressCallback,
    bounded_memory,
    estimate,
    polling,
)
from callkpi.ingest.scan import Scan, build_scan
from callkpi.ingest.sources import Source, open_source
from callkpi.ingest.timezones import check_zone
from callkpi.store import Store, schema
from callkpi.store.ledger import LedgerEntry, record_load, record_rejects, utcnow

Mode = Literal["atomic", "skip-invalid"]
MODES: tuple[Mode, ...] = ("atomic", "skip-invalid")


class _RetryEncodingError(Exception):
    """The head looked like UTF-8 but the body is not: read it again as cp1252/latin-1."""


def import_file(
    store: Store,
    table: str | None,
    path: str | Path,
    *,
    mode: Mode = "atomic",
    dry_run: bool = False,
    user: str | None = None,
    profile: str | Path | None = None,
    sheet: str | None = None,
    create_missing: bool = False,
    progress: ProgressCallback | None = None,
    timezone: str | None = None,
    pseudonymise_key: bytes | None = None,
) -> ImportReport:
    """Import one file into `table` (None: the profile's table); return what was done.

    `profile` is a shipped profile name (`callkpi profile list`) or a YAML path; None reads
    a canonical file (the table's own column names). `atomic` writes nothing if any row is
    rejected and raises DataImportError (the report is on its `.report`); `skip-invalid`
    writes the valid rows. `dry_run` runs everything and writes nothing, not even the
    ledger row. `timezone` is the zone of timestamps written without an offset (default:
    the profile's; UTC for canonical files); values are stored in UTC. `create_missing`
    creates the campaigns and agents the rows refer to instead of rejecting those rows.
    `pseudonymise_key` (kept outside the store) turns phone numbers into keyed hashes.
    `progress` is called from a helper thread while the file is read. `user` defaults
    to $USER, for the ledger.
    """
    if mode not in MODES:
        raise DataImportError(f"unknown import mode {mode!r}; use one of: {', '.join(MODES)}")
    if table is not None:
        schema.table(table)
    loaded_profile = load_profile(profile, table)
    zone = check_zone(timezone or loaded_profile.timezone)
    file = Path(path)
    options = _Options(mode, dry_run, user, sheet, create_missing, progress, zone, pseudonymise_key)
    with scratch_dir() as scratch:
        for encoding in (None, "cp1252", "latin-1"):
            try:
                return _run(store, loaded_profile, file, scratch, options, encoding)
            except _RetryEncodingError:
                continue
            except WrongEncodingError:
                if encoding == "cp1252":  # bytes cp1252 leaves undefined: latin-1
                    continue
                raise
    raise DataImportError(f"{file}: cannot tell the file's encoding; save it as UTF-8")


@dataclass(frozen=True)
class _Options:
    mode: Mode
    dry_run: bool
    user: str | None
    sheet: str | None
    create_missing: bool
    progress: ProgressCallback | None
    zone: str
    key: bytes | None


def _run(
    store: Store,
    profile: Profile,
    file: Path,
    scratch: Path,
    options: _Options,
    encoding: str | None,
) -> ImportReport:
    started = utcnow()
    spec = schema.table(profile.table)
    target = destinations.destination(store, spec, scratch)
    con = target.con
    try:
        source = open_source(con, file, profile, scratch, sheet=options.sheet, encoding=encoding)
    except BaseException:
        target.close()
        raise
    digest = FileHash(file)
    try:
        try:
            mapping = map_columns(profile, source.header, pseudonymise=options.key is not None)
        except DataImportError as exc:
            raise DataImportError(f"{file.name}:1: {exc}") from None
        if any(E164_FUNCTION in m.text for m in mapping.columns.values()):
            phones.register(con)  # before any other statement leaves a result open
        scan = build_scan(
            con,
            spec,
            mapping,
            source,
            zone=options.zone,
            declared=profile.date_formats,
            decimal=profile.source.decimal,
        )
        params = phones.hmac_parameters(options.key) if "$ck_ipad" in scan.sql else {}
        references = _non_empty_references(store, spec)
        con.execute("SET preserve_insertion_order = true")
        with bounded_memory(con), writing.lazy_branches(con):
            extras = {
                "file_sha256": digest,
                "ignored_columns": mapping.ignored,
                "notes": [*source.notes, *mapping.notes],
            }
            report = _transaction(
                target,
                spec,
                profile,
                source,
                scan,
                params,
                references,
                options,
                started,
                extras,
            )
        if options.progress:
            options.progress(ImportProgress("done", report.rows_read, report.rows_read))
        return report
    except duckdb.Error as exc:
        text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise DataImportError(f"{file.name}: could not import, nothing written: {text}") from exc
    finally:
        checking.drop_rejects_tables(con, source)
        if source.registered:
            con.unregister(source.registered)
        phones.unregister(con)
        digest.hexdigest()
        target.close()


def _transaction(
    target: destinations.Destination,
    spec: schema.Table,
    profile: Profile,
    source: Source,
    scan: Scan,
    params: dict[str, bytes],
    references: list[str],
    options: _Options,
    started: dt.datetime,
    extras: dict[str, object],
) -> ImportReport:
    """BEGIN, load, sort out, then COMMIT with the ledger row or ROLLBACK."""
    con = target.con
    personal = bool(spec.personal_data) or any(
        s.phone or s.pseudonymise for s in profile.columns.values()
    )
    con.execute("BEGIN TRANSACTION")
    try:
        with polling(con, options.progress, estimate(source)):
            loaded = writing.load(con, spec, scan.sql, params)
        target.loaded(spec, loaded, scan.present)
        broken = checking.broken_records(con, source, personal)
        if broken.encoding_errors and not source.encoding_certain:
            raise _RetryEncodingError
        report, created = _sort(
            con, spec, profile, source, scan, loaded, broken, references, options
        )
        digest = extras["file_sha256"]
        assert isinstance(digest, FileHash)
        report.file_sha256 = digest.hexdigest()
        report.ignored_columns = list(extras["ignored_columns"])  # type: ignore[call-overload]
        report.notes = list(extras["notes"])  # type: ignore[call-overload]
        if options.dry_run or (options.mode == "atomic" and report.rejected):
            _count_stored(report, target.stored_updates(spec, scan.present))  # as of now
            con.execute("ROLLBACK")
            if not options.dry_run:
                first = report.first_refusal
                error = DataImportError(
                    f"{source.path.name}: {report.rejected} row(s) rejected, nothing imported"
                    + (f"; first: {first.describe(source.path.name)}" if first else "")
                )
                error.report = report
                raise error
            return report
        report.import_id = uuid.uuid4().hex

        def ledger(stored: int, made: dict[str, list[str]]) -> None:  # in the write transaction
            _count_stored(report, stored)
            _count_created(report, made)
            _ledger(target.store, report, started, options.user)

        target.commit(spec, scan.present, created, ledger)
    except BaseException:
        with contextlib.suppress(duckdb.Error):
            con.execute("ROLLBACK")
        raise
    return report


def _sort(
    con: duckdb.DuckDBPyConnection,
    spec: schema.Table,
    profile: Profile,
    source: Source,
    scan: Scan,
    loaded: writing.Loaded,
    broken: checking.BrokenRecords,
    references: list[str],
    options: _Options,
) -> tuple[ImportReport, dict[str, list[str]]]:
    """The report of what `writing` sorted out, and every id `create_missing` made."""
    rows_read = loaded.count + len(broken.records)
    if rows_read == 0:
        raise DataImportError(f"{source.path.name}: the file has a header but no data rows")
    _, tag_total, tags = writing.tagged(con, spec, loaded, MAX_REJECTS)
    done = writing.sort_out(
        con,
        spec,
        loaded,
        scan.present,
        references,
        options.create_missing,
        MAX_REJECTS,
        f"_ckimport_{uuid.uuid4().hex[:12]}",
    )
    order = len(scan.checks)
    problems = [
        *broken.problems,
        *checking.tag_problems(spec, scan, tags, broken.records),
        *checking.reference_problems(spec, done.reference_rows, broken.records, order),
        *checking.duplicate_problems(spec, done.duplicate_rows, broken.records, order + 1),
    ]
    rejects, first = checking.to_rejects(source, problems)
    report = ImportReport(
        table=spec.name,
        file_name=source.path.name,
        file_sha256="",
        mode=options.mode,
        dry_run=options.dry_run,
        rows_read=rows_read,
        inserted=loaded.count - done.rejected - done.duplicates - done.updated,
        updated=done.updated,
        rejected=done.rejected + len(broken.records),
        duplicates=done.duplicates,
        rejects=rejects,
        rejects_total=len(broken.records) + tag_total + done.reference_problems + done.duplicates,
        profile=profile.name,
        file_format=source.kind,
        encoding=source.encoding if source.kind == "csv" else None,
        source_timezone=options.zone,
    )
    _count_created(report, done.created_ids)
    report.first_refusal = first
    return report, done.created_ids


def _count_stored(report: ImportReport, stored: int) -> None:
    """`stored` kept rows replace rows the store holds (a staged import counts them apart):
    updates, not inserts."""
    report.inserted, report.updated = report.inserted - stored, report.updated + stored


def _count_created(report: ImportReport, created: dict[str, list[str]]) -> None:
    """The referenced rows `create_missing` made: how many per table, and the first ids."""
    report.created = {table: len(ids) for table, ids in created.items() if ids}
    report.created_ids = {table: ids[:20] for table, ids in created.items() if ids}


def _ledger(store: Store, report: ImportReport, started: dt.datetime, user: str | None) -> None:
    assert report.import_id is not None
    record_load(
        store,
        LedgerEntry(
            table_name=report.table,
            file_name=report.file_name,
            file_sha256=report.file_sha256,
            profile=report.profile,
            mode=report.mode,
            rows_read=report.rows_read,
            inserted=report.inserted,
            updated=report.updated,
            rejected=report.rejected,
            duplicates=report.duplicates,
            started_at=started,
            user_name=user,
            import_id=report.import_id,
            source_timezone=report.source_timezone,
            file_format=report.file_format,
            encoding=report.encoding,
            created_missing=sum(report.created.values()),
        ),
    )
    record_rejects(
        store,
        report.import_id,
        [(r.line, r.column, r.code, r.value, r.message) for r in report.rejects],
    )


def _non_empty_references(store: Store, spec: schema.Table) -> list[str]:
    """The referenced tables holding at least one row in the store: the only ones checked."""
    targets = sorted({target for _, target, _ in REFERENCES.get(spec.name, ())})
    return [
        target
        for target in targets
        if store.scalar(f"SELECT count(*) FROM (SELECT 1 FROM {q(target)} LIMIT 1) AS t")
    ]
