from __future__ import annotations

import json

from typer.testing import CliRunner

from callkpi.cli.app import app

runner = CliRunner()


def test_catalog_json_lists_every_kpi_with_labels_unit_direction_formula() -> None:
    result = runner.invoke(app, ["catalog", "--format", "json"])
    assert result.exit_code == 0
    records = {r["id"]: r for r in json.loads(result.stdout)}
    assert records["roi"] == {
        "id": "roi",
        "label": {"fr": "Retour sur investissement", "en": "Return on investment"},
        "description": records["roi"]["description"],
        "unit": "percent",
        "direction": "higher",
        "type": "derived",
        "formula": "(revenue - cost) / cost",
    }
    assert records["contact_rate"]["formula"] == "contacts / calls"
    assert {"calls", "cpl", "cac", "sales_per_hour", "response_rate"} <= set(records)


def test_catalog_table_in_french_and_english() -> None:
    fr = runner.invoke(app, ["catalog", "--lang", "fr"])
    en = runner.invoke(app, ["catalog", "--lang", "en"])
    assert fr.exit_code == en.exit_code == 0
    assert "Coût par lead" in fr.stdout
    assert "Cost per lead" in en.stdout


def test_help_lists_the_commands() -> None:
    result = runner.invoke(app, ["--help"])
    assert result.exit_code == 0
    for command in ("kpi", "catalog", "import", "demo", "generate"):
        assert command in result.stdout


def test_unknown_command_is_a_usage_error() -> None:
    result = runner.invoke(app, ["kpis"])
    assert result.exit_code == 2
