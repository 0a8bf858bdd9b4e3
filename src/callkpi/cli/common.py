"""What every command shares: consoles, output formats, the --db and --lang options, and the
one-line error contract (exit 1 on bad data, 2 on bad usage)."""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Iterator
from enum import StrEnum
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console

from callkpi.errors import CallkpiError
from callkpi.settings import Lang, detect_lang, load_settings

if TYPE_CHECKING:
    from callkpi.metrics.query import KpiQuery

# In a pipe or a file there is no screen width to respect: do not wrap tables at 80 columns.
stdout = Console(width=None if sys.stdout.isatty() else 160)
stderr = Console(stderr=True, soft_wrap=True)


class OutputFormat(StrEnum):
    table = "table"
    csv = "csv"
    json = "json"


class TableOrJson(StrEnum):
    """For outputs with no CSV form (the catalog, dimensions, an import report)."""

    table = "table"
    json = "json"


class TextOrJson(StrEnum):
    """For outputs that are text already (SQL), or JSON for machines."""

    text = "text"
    json = "json"


class LangOption(StrEnum):
    fr = "fr"
    en = "en"


class _State:
    """The global options, set by the app's callback before any command runs."""

    db: str | None = None


state = _State()

LangArg = Annotated[
    LangOption | None,
    typer.Option("--lang", help="Language of labels and numbers (default: from LANG)."),
]


def lang_of(option: LangOption | None) -> Lang:
    return option.value if option is not None else detect_lang()  # type: ignore[return-value]


def db_location() -> str:
    return state.db or load_settings().db


@contextlib.contextmanager
def clean_errors() -> Iterator[None]:
    """Turn expected failures into one line on stderr and exit code 1."""
    try:
        yield
    except CallkpiError as exc:
        stderr.print(f"error: {exc}", markup=False, highlight=False)
        raise typer.Exit(1) from None
    except (OSError, ValueError) as exc:
        stderr.print(f"error: {exc}", markup=False, highlight=False)
        raise typer.Exit(1) from None


def parse_where(items: list[str]) -> dict[str, list[str]]:
    """`DIM=VALUE` options into a filter (metrics.query.split_filters); a usage error if not."""
    from callkpi.metrics.query import split_filters

    try:
        return split_filters(items, "=")
    except CallkpiError as exc:
        raise typer.BadParameter(str(exc), param_hint="--where") from None


# The query options of `callkpi kpi`, `explain` and `analyze`: the same, checked the same way.
KpisArg = Annotated[list[str], typer.Argument(help="KPI ids (see `callkpi catalog`).")]
ByOption = Annotated[
    list[str] | None, typer.Option("--by", help="Dimension to split by (repeatable).")
]
GrainOption = Annotated[
    str, typer.Option("--grain", help="day, week, month, quarter, year or all.")
]
FromOption = Annotated[
    str | None, typer.Option("--from", help="First day, YYYY-MM-DD (inclusive).")
]
ToOption = Annotated[str | None, typer.Option("--to", help="Last day, YYYY-MM-DD (inclusive).")]
WhereOption = Annotated[
    list[str] | None,
    typer.Option("--where", help="Filter DIM=VALUE (repeatable; same DIM twice = either)."),
]


def kpi_query(
    kpis: list[str],
    by: list[str] | None,
    grain: str,
    start: str | None,
    end: str | None,
    where: list[str] | None,
) -> KpiQuery:
    """The options as a query: a malformed --where is a usage error (exit 2); a bad grain or
    date is a QueryError, and an unknown KPI or dimension fails when compiled (exit 1 inside
    `clean_errors`)."""
    from callkpi.metrics.query import KpiQuery

    return KpiQuery.build(kpis, by or [], grain, start, end, parse_where(where or []))
