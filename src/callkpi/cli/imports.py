"""`callkpi import [TABLE] FILE` and `callkpi profile list|show|suggest`.

Wired into `callkpi.cli.app` by `app.command("import")(import_command)` and
`app.add_typer(profile_app, name="profile")`. Same contract as the other commands: exit 0
on success, 1 with a one-line `error: ...` on bad data or when rows were rejected, 2 on a
usage error. The progress bar goes to stderr, so `--format json` output stays clean.
"""

from __future__ import annotations

import json
import sys
from dataclasses import asdict
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    Progress,
    ProgressColumn,
    Task,
    TextColumn,
    TimeElapsedColumn,
)
from rich.table import Table
from rich.text import Text

from callkpi.cli.common import TableOrJson, clean_errors, db_location, stdout

if TYPE_CHECKING:
    from callkpi.ingest.pipeline import ImportProgress
    from callkpi.ingest.report import ImportReport

MAX_REJECTS_SHOWN = 20


class ImportMode(StrEnum):
    atomic = "atomic"
    skip_invalid = "skip-invalid"


profile_app = typer.Typer(
    help="Source profiles: how a tool's export maps onto a canonical table.",
    no_args_is_help=True,
    rich_markup_mode=None,
)


def import_command(
    arguments: Annotated[
        list[str],
        typer.Argument(
            metavar="[TABLE] FILE",
            help="The table (calls, leads, costs...) and the file; the table may be left out "
            "when --profile names one (asterisk_cdr loads calls).",
        ),
    ],
    profile: Annotated[
        str | None,
        typer.Option(
            "--profile",
            help="Shipped profile (`callkpi profile list`) or a YAML file; default: the "
            "table's own column names.",
        ),
    ] = None,
    sheet: Annotated[
        str | None, typer.Option("--sheet", help="Excel sheet (default: the first).")
    ] = None,
    mode: Annotated[
        ImportMode,
        typer.Option(
            "--mode", help="atomic: any bad row writes nothing; skip-invalid: keep good rows."
        ),
    ] = ImportMode.atomic,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Check everything, write nothing.")
    ] = False,
    create_missing: Annotated[
        bool,
        typer.Option(
            "--create-missing",
            help="Create the campaigns and agents rows refer to instead of rejecting them.",
        ),
    ] = False,
    timezone: Annotated[
        str | None,
        typer.Option(
            "--timezone",
            help="Zone of times written without an offset (default: the profile's; UTC "
            "for canonical files). Stored in UTC.",
            metavar="ZONE",
        ),
    ] = None,
    key_file: Annotated[
        Path | None,
        typer.Option(
            "--pseudonym-key-file",
            help="Key for pseudonymising phone numbers (default: $CALLKPI_PSEUDONYM_KEY_FILE, "
            "$CALLKPI_PSEUDONYM_KEY); never stored.",
            metavar="PATH",
        ),
    ] = None,
    quiet: Annotated[
        bool, typer.Option("--quiet", "-q", help="No progress bar and no summary.")
    ] = False,
    output: Annotated[TableOrJson, typer.Option("--format", help="Report format.")] = (
        TableOrJson.table
    ),
) -> None:
    """Import a file (CSV, Excel, Parquet, JSON lines) into a table of the store."""

    if len(arguments) > 2:
        raise typer.BadParameter("give at most a TABLE and a FILE", param_hint="[TABLE] FILE")
    if len(arguments) == 1 and profile is None:
        raise typer.BadParameter(
            "give the table (callkpi import calls FILE) or a --profile that names one",
            param_hint="[TABLE] FILE",
        )
    table, file = (None, arguments[0]) if len(arguments) == 1 else arguments
    with clean_errors():
        from callkpi.ingest.phones import key_from_environment
        from callkpi.workspace import open as open_workspace

        key = key_from_environment(key_file)
        show = not quiet and sys.stderr.isatty()
        with open_workspace(db_location()) as ws, _ProgressBar(show) as bar:
            report = ws.import_file(
                table,
                Path(file),
                mode=mode.value,
                dry_run=dry_run,
                profile=profile,
                sheet=sheet,
                create_missing=create_missing,
                timezone=timezone,
                pseudonymise_key=key,
                progress=bar.update if show else None,
            )
        if output is TableOrJson.json:
            sys.stdout.write(report_json(report) + "\n")
        elif not quiet:
            print_report(report, stdout)
        if report.rejected:
            raise typer.Exit(1)


def report_json(report: ImportReport) -> str:
    data = asdict(report)
    data.pop("first_refusal", None)
    return json.dumps(data, default=str, ensure_ascii=False, indent=2)


def print_report(report: ImportReport, console: Console) -> None:
    """The counts (which always add up), what was created or left aside, the first rejects."""
    verb = "checked (dry run, nothing written)" if report.dry_run else "imported"
    console.print(
        f"{report.file_name} → {report.table} {verb} with profile {report.profile}: "
        f"read {report.rows_read:,} = inserted {report.inserted:,} + updated "
        f"{report.updated:,} + rejected {report.rejected:,} + duplicates {report.duplicates:,}",
        markup=False,
        highlight=False,
    )
    details = [f"times read as {report.source_timezone}, stored in UTC"]
    if report.encoding and report.encoding != "utf-8":
        details.append(f"encoding {report.encoding}")
    for table, count in report.created.items():
        ids = ", ".join(report.created_ids.get(table, [])[:5])
        would = "would create" if report.dry_run else "created"
        details.append(f"{would} {count:,} {table} ({ids}{'…' if count > 5 else ''})")
    console.print("; ".join(details), markup=False, highlight=False, style="dim")
    for note in report.notes:
        console.print(f"note: {note}", markup=False, highlight=False, style="dim")
    if report.ignored_columns:
        console.print(
            f"columns not used: {', '.join(report.ignored_columns)}",
            markup=False,
            highlight=False,
            style="dim",
        )
    if not report.rejects:
        return
    table = Table(title="Rejected rows", title_justify="left")
    for name in ("line", "column", "code", "value", "message"):
        table.add_column(name)
    for reject in report.rejects[:MAX_REJECTS_SHOWN]:
        table.add_row(
            str(reject.line), reject.column or "", reject.code, reject.value or "", reject.message
        )
    console.print(table)
    hidden = report.rejects_total - min(len(report.rejects), MAX_REJECTS_SHOWN)
    if hidden > 0:
        console.print(f"… and {hidden:,} more problem(s)", markup=False)


class _RowsPerSecond(ProgressColumn):
    def render(self, task: Task) -> Text:
        speed = task.finished_speed or task.speed
        return Text(f"{speed:,.0f} rows/s" if speed else "", style="progress.data.speed")


class _ProgressBar:
    """A Rich progress bar on stderr fed by the importer's progress callback."""

    def __init__(self, show: bool) -> None:
        self.show = show
        self.progress: Progress | None = None
        self.task: Any = None

    def __enter__(self) -> _ProgressBar:
        if self.show:
            self.progress = Progress(
                TextColumn("{task.description}"),
                BarColumn(),
                TextColumn("{task.completed:,.0f} rows"),
                _RowsPerSecond(),
                TimeElapsedColumn(),
                console=Console(stderr=True),
                transient=True,
            )
            self.progress.start()
            self.task = self.progress.add_task("reading", total=None)
        return self

    def update(self, event: ImportProgress) -> None:
        if self.progress is not None:
            self.progress.update(
                self.task, description=event.phase, completed=event.rows, total=event.total
            )

    def __exit__(self, *exc: object) -> None:
        if self.progress is not None:
            self.progress.stop()


@profile_app.command("list")
def profile_list(
    output: Annotated[TableOrJson, typer.Option("--format", help="Output format.")] = (
        TableOrJson.table
    ),
) -> None:
    """List the shipped profiles and the table each one loads."""
    from callkpi.ingest.profiles import CANONICAL, GENERIC, load_profile, shipped_names

    with clean_errors():
        rows = []
        for name in shipped_names():
            if name in (CANONICAL, GENERIC):
                description = (
                    "the table's own column names, strict; times in UTC"
                    if name == CANONICAL
                    else "canonical names plus usual English and French headers"
                )
                rows.append({"name": name, "table": "any", "description": description})
                continue
            loaded = load_profile(name, None)
            rows.append({"name": name, "table": loaded.table, "description": loaded.description})
        if output is TableOrJson.json:
            sys.stdout.write(json.dumps(rows, ensure_ascii=False, indent=2) + "\n")
            return
        table = Table()
        for column in ("name", "table", "description"):
            table.add_column(column)
        for row in rows:
            table.add_row(row["name"], row["table"], row["description"])
        stdout.print(table)


@profile_app.command("show")
def profile_show(
    name: Annotated[str, typer.Argument(help="A shipped profile name or a YAML file.")],
    table: Annotated[
        str | None, typer.Option("--table", help="Table, for canonical and generic.")
    ] = None,
) -> None:
    """Print a profile as YAML (a starting point for your own, with extends:)."""
    from callkpi.ingest.profiles import load_profile, profile_yaml

    with clean_errors():
        sys.stdout.write(profile_yaml(load_profile(name, table)))


@profile_app.command("suggest")
def profile_suggest(
    file: Annotated[Path, typer.Argument(help="An export (CSV, Excel, Parquet, JSON lines).")],
    table: Annotated[
        str | None, typer.Option("--table", help="The table to load (default: guessed).")
    ] = None,
    sheet: Annotated[str | None, typer.Option("--sheet", help="Excel sheet.")] = None,
) -> None:
    """Propose a profile (YAML) from the file's header and a sample of its rows."""
    from callkpi.ingest.suggest import suggest

    with clean_errors():
        sys.stdout.write(suggest(file, table, sheet).to_yaml())
