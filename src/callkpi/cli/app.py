"""`callkpi`: the command line. A contract scripts rely on: exit 0 on success, 1 with a one-line
error on bad input or data, 2 on a usage error; JSON and CSV output for machines."""

from __future__ import annotations

import datetime as dt
import sys
from typing import Annotated

import typer

from callkpi.cli.analyze import analyze_app
from callkpi.cli.common import (
    ByOption,
    FromOption,
    GrainOption,
    KpisArg,
    LangArg,
    OutputFormat,
    TableOrJson,
    TextOrJson,
    ToOption,
    WhereOption,
    clean_errors,
    db_location,
    kpi_query,
    lang_of,
    state,
    stdout,
)
from callkpi.cli.imports import import_command, profile_app
from callkpi.cli.server import apikey_app, serve_command, user_app
from callkpi.settings import DEMO_DB

app = typer.Typer(
    name="callkpi",
    help="KPIs, ROI and advice for telemarketing campaigns and CRM work.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
    rich_markup_mode=None,
)


@app.callback()
def main_options(
    db: Annotated[
        str | None,
        typer.Option(
            "--db",
            help="Store path or URL (default: $CALLKPI_DB, then callkpi.duckdb).",
            show_default=False,
            metavar="PATH",
        ),
    ] = None,
) -> None:
    """callkpi turns call logs, CRM exports and costs into trustworthy KPIs."""
    state.db = db


@app.command("kpi")
def kpi_command(
    kpis: KpisArg,
    by: ByOption = None,
    grain: GrainOption = "all",
    start: FromOption = None,
    end: ToOption = None,
    where: WhereOption = None,
    output: Annotated[OutputFormat, typer.Option("--format", help="Output format.")] = (
        OutputFormat.table
    ),
    details: Annotated[
        bool,
        typer.Option(
            "--details", help="csv/json: add each rate's numerator, denominator and 95% interval."
        ),
    ] = False,
    lang: LangArg = None,
) -> None:
    """Compute KPIs by dimension and period."""
    with clean_errors():
        query = kpi_query(kpis, by, grain, start, end, where)
        from callkpi.cli.render import result_csv, result_json, result_table
        from callkpi.workspace import open as open_workspace

        with open_workspace(db_location(), read_only=True) as ws:
            result = ws.run(query)
            if output is OutputFormat.json:
                sys.stdout.write(result_json(result, details) + "\n")
            elif output is OutputFormat.csv:
                sys.stdout.write(result_csv(result, details))
            else:
                language = lang_of(lang)
                if len(result) == 0:
                    from callkpi.i18n import word

                    stdout.print(word("no_rows", language))
                else:
                    stdout.print(result_table(result, ws.catalog, language))


@app.command("explain")
def explain_command(
    kpis: KpisArg,
    by: ByOption = None,
    grain: GrainOption = "all",
    start: FromOption = None,
    end: ToOption = None,
    where: WhereOption = None,
    plan_only: Annotated[
        bool,
        typer.Option("--plan", help="Only the plan: what answers each group of KPIs."),
    ] = False,
    output: Annotated[
        TextOrJson,
        typer.Option(
            "--format",
            help='text, or json: {"plan": [...], "sql": "...", "parameters": {...}, "models": '
            "[...]} with the values bound to the placeholders.",
        ),
    ] = TextOrJson.text,
) -> None:
    """Show the SQL `callkpi kpi` runs for these KPIs and options, without running it.

    First the plan, one line per group of KPIs: the rollup that answers it, or `detail` (the
    detail tables). Then the SQL in the store's dialect, with filter values and dates as named
    placeholders ($period_start on DuckDB, %(period_start)s on PostgreSQL, :period_start on
    Spark): --format json gives their values (the period ends before period_end_exclusive, the
    day after --to). A model KPI (a Kaplan-Meier median) adds a statement, whose rows are
    reduced in Python."""
    import dataclasses
    import json

    with clean_errors():
        query = kpi_query(kpis, by, grain, start, end, where)
        from callkpi.workspace import open as open_workspace

        with open_workspace(db_location(), read_only=True) as ws:
            explanation = ws.explain_query(query)
    if output is TextOrJson.json:
        fields = dataclasses.asdict(explanation)
        shown = {"plan": fields["plan"]} if plan_only else fields
        sys.stdout.write(json.dumps(shown, ensure_ascii=False, indent=2) + "\n")
    elif plan_only:
        sys.stdout.write("".join(f"{line}\n" for line in explanation.plan))
    else:
        sys.stdout.write(explanation.text() + "\n")


@app.command("dimensions")
def dimensions_command(
    output: Annotated[TableOrJson, typer.Option("--format", help="Output format.")] = (
        TableOrJson.table
    ),
    lang: LangArg = None,
) -> None:
    """List the dimensions KPIs can be split and filtered by (--by, --where)."""
    import json

    from rich.table import Table

    from callkpi.metrics.catalog import load_catalog
    from callkpi.metrics.describe import dimension_records

    with clean_errors():
        records = dimension_records(load_catalog())
        if output is TableOrJson.json:
            sys.stdout.write(json.dumps(records, ensure_ascii=False, indent=2) + "\n")
            return
        language = lang_of(lang)
        table = Table(header_style="bold")
        for header in ("id", "label", "from"):
            table.add_column(header)
        for record in records:
            lookup = record["lookup"]
            origin = [record["column"]] if record["column"] else []
            if lookup:
                origin.append(f"{lookup['table']}.{lookup['column']} via {lookup['key']}")
            table.add_row(record["id"], record["label"][language], " | ".join(origin))
        stdout.print(table)


@app.command("catalog")
def catalog_command(
    output: Annotated[TableOrJson, typer.Option("--format", help="Output format.")] = (
        TableOrJson.table
    ),
    lang: LangArg = None,
) -> None:
    """List every KPI with its labels, unit, direction and formula."""
    import json

    from callkpi.cli.render import catalog_table
    from callkpi.metrics.catalog import load_catalog
    from callkpi.metrics.describe import catalog_records

    with clean_errors():
        catalog = load_catalog()
        if output is TableOrJson.json:
            sys.stdout.write(json.dumps(catalog_records(catalog), ensure_ascii=False, indent=2))
            sys.stdout.write("\n")
        else:
            stdout.print(catalog_table(catalog, lang_of(lang)))


@app.command("init")
def init_command() -> None:
    """Create the store (or bring an existing one to this version's schema)."""
    from callkpi.workspace import open as open_workspace

    with clean_errors(), open_workspace(db_location()) as ws:
        version = ws.store.schema_version()
        location = ws.store.path
    stdout.print(f"store {location} ready (schema version {version})", highlight=False)


@app.command("erase")
def erase_command(
    subject: Annotated[str, typer.Argument(help="contact or agent.")],
    ids: Annotated[list[str], typer.Argument(help="Their ids.")],
) -> None:
    """Erase the personal data (phone, email, postal code; an agent's name) of people, keeping
    their ids so that their calls and orders still count. Logged in the `erasures` table."""
    from callkpi.workspace import open as open_workspace

    with clean_errors(), open_workspace(db_location()) as ws:
        done = ws.erase(subject, ids)
    stdout.print(f"erased the personal data of {done.erased} {subject}(s)", highlight=False)
    if done.missing:
        stdout.print(f"not found: {', '.join(done.missing)}", highlight=False)
        raise typer.Exit(1)


rollup_app = typer.Typer(
    help="Daily rollups: derived tables that answer additive KPIs fast (ADR 8).",
    no_args_is_help=True,
)


@rollup_app.command("rebuild")
def rollup_rebuild_command() -> None:
    """Recompute every daily rollup from the detail tables (after an upgrade that says they
    are stale; writes keep them up to date otherwise)."""
    from callkpi.workspace import open as open_workspace

    with clean_errors(), open_workspace(db_location()) as ws:
        counts = ws.rebuild_rollups()
    for name, rows in counts.items():
        stdout.print(f"{name}: {rows:,} rows", highlight=False)


@rollup_app.command("status")
def rollup_status_command() -> None:
    """Say whether queries read the rollups (built by this version) or the detail tables."""
    from callkpi.workspace import open as open_workspace

    with clean_errors(), open_workspace(db_location(), read_only=True) as ws:
        fresh = ws.rollups_fresh()
        kept = ws.rollups_kept()
    if not kept:
        stdout.print(
            "this backend keeps no rollups: queries read the detail tables (ADR 8)",
            highlight=False,
        )
        return
    if fresh:
        stdout.print("rollups are up to date: eligible queries read them", highlight=False)
        return
    stdout.print("rollups are stale: run `callkpi rollup rebuild`", highlight=False)
    raise typer.Exit(1)


@app.command("generate")
def generate_command(
    out: Annotated[
        str,
        typer.Option(
            "--out",
            help="A .duckdb store, a postgresql:// or spark:// URL, or a folder for CSV files.",
        ),
    ],
    calls: Annotated[int, typer.Option("--calls", min=1000, help="Number of calls.")] = 300_000,
    seed: Annotated[int, typer.Option("--seed", help="Random seed: same seed, same data.")] = 42,
    start: Annotated[
        str | None,
        typer.Option("--start", help="First month, YYYY-MM-01 (default: 12 months ago)."),
    ] = None,
    months: Annotated[int, typer.Option("--months", min=1, max=60)] = 12,
    force: Annotated[bool, typer.Option("--force", help="Replace an existing output.")] = False,
    shard_calls: Annotated[
        int,
        typer.Option(
            "--shard-calls",
            min=2000,
            help="More calls than this are made in shards of at most this many, each a "
            "parallel call centre, one at a time (bounded memory; other data).",
        ),
    ] = 10_000_000,
) -> None:
    """Write a deterministic, realistic demo dataset (a store or canonical CSV files)."""
    from callkpi.cli.demo import generate

    with clean_errors():
        generate(
            out,
            calls=calls,
            seed=seed,
            start=_month(start),
            months=months,
            force=force,
            console=stdout,
            shard_calls=shard_calls,
        )


@app.command("demo")
def demo_command(
    calls: Annotated[int, typer.Option("--calls", min=1000, help="Number of calls.")] = 300_000,
    seed: Annotated[int, typer.Option("--seed")] = 42,
    lang: LangArg = None,
) -> None:
    """Generate the demo store (callkpi-demo.duckdb) and print last month's headline KPIs."""
    from callkpi.cli.demo import run_demo

    with clean_errors():
        run_demo(state.db or DEMO_DB, calls=calls, seed=seed, lang=lang_of(lang), console=stdout)


def _month(text: str | None) -> dt.date | None:
    if text is None:
        return None
    try:
        day = dt.date.fromisoformat(text)
    except ValueError:
        raise typer.BadParameter(
            f"{text!r} is not a date like 2026-01-01", param_hint="--start"
        ) from None
    if day.day != 1:
        raise typer.BadParameter(
            "the demo starts on the first day of a month", param_hint="--start"
        )
    return day


app.command("import")(import_command)
app.command("serve")(serve_command)
app.add_typer(user_app, name="user")
app.add_typer(apikey_app, name="apikey")
app.add_typer(profile_app, name="profile")
app.add_typer(analyze_app, name="analyze")
app.add_typer(rollup_app, name="rollup")


def main() -> None:
    app()
