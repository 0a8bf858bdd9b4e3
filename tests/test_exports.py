from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from typer.testing import CliRunner

import callkpi
from callkpi.cli.app import app
from callkpi.exports import spreadsheet_safe


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ('=HYPERLINK("http://x")', '\'=HYPERLINK("http://x")'),
        ("+33 1 99", "'+33 1 99"),
        ("-10% promo", "'-10% promo"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tcmd", "'\tcmd"),
        ("Prospection", "Prospection"),
        (-1.5, -1.5),
        (3, 3),
    ],
)
def test_text_that_starts_like_a_formula_is_neutralised(value: object, expected: object) -> None:
    assert spreadsheet_safe(value) == expected


def test_kpi_csv_neutralises_a_formula_in_a_dimension_value(tmp_path: Path) -> None:
    db = tmp_path / "x.duckdb"
    import datetime as dt

    with callkpi.open(db) as ws:
        ws.append("campaigns", [{"campaign_id": "=cmd|' /C calc'!A0"}])
        ws.append(
            "orders",
            [{"order_id": "o", "ordered_at": dt.datetime(2026, 1, 1), "amount": -5.0,
              "campaign_id": "=cmd|' /C calc'!A0"}],
        )  # fmt: skip
    result = CliRunner().invoke(
        app, ["--db", str(db), "kpi", "revenue", "--by", "campaign", "--format", "csv"]
    )
    assert list(csv.DictReader(io.StringIO(result.stdout))) == [
        {"campaign": "'=cmd|' /C calc'!A0", "revenue": "-5.0"}  # numbers stay numbers
    ]
