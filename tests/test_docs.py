"""Docs are part of the product: every KPI, table, column and command is documented."""

from __future__ import annotations

import re
from pathlib import Path

from typer.testing import CliRunner

from callkpi.cli.app import app
from callkpi.metrics.catalog import load_catalog
from callkpi.store.schema import TABLES

ROOT = Path(__file__).resolve().parents[1]


def test_readme_starts_with_the_two_commands() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    first_block = readme.split("```")[1]
    assert "make demo" in first_block and "make test" in first_block


def test_every_kpi_and_dimension_is_in_the_kpi_docs() -> None:
    text = (ROOT / "docs" / "kpis.md").read_text(encoding="utf-8")
    catalog = load_catalog()
    missing = [k for k in catalog.kpis if f"`{k}`" not in text]
    assert not missing, f"undocumented KPIs: {missing}"
    missing_dims = [d for d in catalog.dimensions if f"`{d}`" not in text]
    assert not missing_dims, f"undocumented dimensions: {missing_dims}"


def test_every_table_and_column_is_in_the_data_docs() -> None:
    text = (ROOT / "docs" / "data.md").read_text(encoding="utf-8")
    for table in TABLES.values():
        section = text.split(f"### `{table.name}`", 1)
        assert len(section) == 2, f"table {table.name} is not documented"
        body = section[1].split("### ", 1)[0]
        for column in table.column_names:
            assert f"`{column}`" in body, f"{table.name}.{column} is not documented"


def test_readme_commands_run() -> None:
    """Every `callkpi ...` line of the README parses (its options exist)."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    runner = CliRunner()
    for line in re.findall(r"^\.venv/bin/callkpi (.+)$", readme, flags=re.M):
        args = [a for a in line.split() if not a.startswith("#")]
        result = runner.invoke(app, [*args, "--help"])
        assert result.exit_code == 0, f"{line}: {result.stderr}"


def test_every_command_has_help() -> None:
    runner = CliRunner()
    for command in (
        "kpi",
        "explain",
        "catalog",
        "dimensions",
        "import",
        "profile",
        "demo",
        "generate",
        "analyze",
    ):
        result = runner.invoke(app, [command, "--help"])
        assert result.exit_code == 0
        assert "Usage" in result.stdout
