"""`callkpi analyze funnel|stages|cohorts`: the analyses, with the filters of `callkpi kpi`."""

from __future__ import annotations

import csv
import io
import json
import sys
from typing import Annotated, Any

import typer
from rich.table import Table

from callkpi.cli.common import (
    ByOption,
    FromOption,
    LangArg,
    OutputFormat,
    ToOption,
    WhereOption,
    clean_errors,
    db_location,
    lang_of,
    parse_where,
    stdout,
)
from callkpi.exports import spreadsheet_safe
from callkpi.i18n import MISSING, WORDS, format_value, word

analyze_app = typer.Typer(
    help="Funnels, time in pipeline stages, acquisition cohorts.", no_args_is_help=True
)

FormatOption = Annotated[OutputFormat, typer.Option("--format", help="Output format.")]


@analyze_app.command("funnel")
def funnel_command(
    name: Annotated[str, typer.Argument(help="calls, pipeline or email.")],
    by: ByOption = None,
    start: FromOption = None,
    end: ToOption = None,
    where: WhereOption = None,
    output: FormatOption = OutputFormat.table,
    lang: LangArg = None,
) -> None:
    """Count at each step, % of the previous step and % of the first."""
    from callkpi.analysis.funnels import funnel
    from callkpi.workspace import open as open_workspace

    with clean_errors():
        filters = parse_where(where or [])
        with open_workspace(db_location(), read_only=True) as ws:
            rows = funnel(ws, name, by=by or [], start=start, end=end, where=filters)
        units = {"count": "count", "of_previous": "percent", "of_first": "percent"}
        _emit(rows, output, lang_of(lang), units, title=f"funnel: {name}")


@analyze_app.command("stages")
def stages_command(
    by: ByOption = None,
    start: FromOption = None,
    end: ToOption = None,
    where: WhereOption = None,
    output: FormatOption = OutputFormat.table,
    lang: LangArg = None,
) -> None:
    """Days spent in each pipeline stage, and the bottleneck."""
    from callkpi.analysis.stages import stages
    from callkpi.workspace import open as open_workspace

    with clean_errors():
        filters = parse_where(where or [])
        with open_workspace(db_location(), read_only=True) as ws:
            rows = stages(ws, by=by or [], start=start, end=end, where=filters)
        units = {
            "stage_entries": "count",
            "stage_duration": "days",
            "stage_duration_median": "days",
            "stage_duration_km_median": "days",
        }
        _emit(rows, output, lang_of(lang), units, title="stages")


@analyze_app.command("cohorts")
def cohorts_command(
    cohort: Annotated[
        str, typer.Option("--cohort", help="month (acquisition month) or campaign.")
    ] = "month",
    months: Annotated[int, typer.Option("--months", min=1, max=60)] = 12,
    start: FromOption = None,
    end: ToOption = None,
    where: WhereOption = None,
    output: FormatOption = OutputFormat.table,
    lang: LangArg = None,
) -> None:
    """Retention and cumulative value per customer of each acquisition cohort; payback."""
    from callkpi.analysis.cohorts import cohorts
    from callkpi.workspace import open as open_workspace

    with clean_errors():
        filters = parse_where(where or [])
        with open_workspace(db_location(), read_only=True) as ws:
            rows = cohorts(
                ws,
                cohort,
                months=months,
                start=start,
                end=end,
                where=filters,  # type: ignore[arg-type]
            )
        units = {
            "customers": "count",
            "retention": "percent",
            "revenue_per_customer": "eur",
            "margin_per_customer": "eur",
            "acquisition_cost_per_customer": "eur",
        }
        _emit(rows, output, lang_of(lang), units, title=f"cohorts by {cohort}")


def _emit(
    rows: list[dict[str, Any]], output: OutputFormat, lang: str, units: dict[str, str], title: str
) -> None:
    if output is OutputFormat.json:
        sys.stdout.write(json.dumps(rows, ensure_ascii=False, indent=2, default=str) + "\n")
        return
    if output is OutputFormat.csv:
        buffer = io.StringIO()
        if rows:
            writer = csv.DictWriter(buffer, fieldnames=list(rows[0]), lineterminator="\n")
            writer.writeheader()
            writer.writerows(
                {k: "" if v is None else spreadsheet_safe(v) for k, v in r.items()} for r in rows
            )
        sys.stdout.write(buffer.getvalue())
        return
    if not rows:
        stdout.print(word("no_rows", lang))  # type: ignore[arg-type]
        return
    table = Table(title=title, title_justify="left", header_style="bold")
    columns = list(rows[0])
    for column in columns:
        table.add_column(_header(column, lang), justify="right" if column in units else "left")
    for row in rows:
        table.add_row(*(_cell(row[c], units.get(c), lang) for c in columns))
    stdout.print(table)


def _header(column: str, lang: str) -> str:
    """A column's label: a dimension's or a KPI's from the catalog, else an interface word."""
    from callkpi.metrics.catalog import load_catalog

    catalog = load_catalog()
    if column in catalog.dimensions:
        return catalog.dimensions[column].label.get(lang)
    if column in catalog.kpis:
        return catalog.kpis[column].label.get(lang)
    return word(column, lang) if column in WORDS else column  # type: ignore[arg-type]


def _cell(value: Any, unit: str | None, lang: str) -> str:
    if unit is not None:
        return format_value(value, unit, lang)  # type: ignore[arg-type]
    if value is None:
        return MISSING
    if isinstance(value, bool):
        return "★" if value else ""
    return str(value)
