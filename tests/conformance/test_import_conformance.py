"""`callkpi import` of canonical CSV files gives the same KPIs on every backend."""

from __future__ import annotations

from pathlib import Path

import pytest

from callkpi.errors import StoreError
from tests.conformance.conftest import Opener


@pytest.mark.backend_gap(
    "postgres",
    raises=StoreError,
    reason="the ingest pipeline writes with DuckDB SQL (rowid upserts); ADR 5",
)
@pytest.mark.backend_gap(
    "spark",
    raises=StoreError,
    reason="the ingest pipeline writes with DuckDB SQL (rowid upserts); ADR 5 and 7",
)
def test_imported_files_give_the_hand_checked_kpis(
    backend: str, open_empty: Opener, tmp_path: Path
) -> None:
    campaigns = tmp_path / "campaigns.csv"
    campaigns.write_text("campaign_id,name\nC1,Prospection\n", encoding="utf-8")
    calls = tmp_path / "calls.csv"
    calls.write_text(
        "call_id,campaign_id,started_at,outcome,talk_s\n"
        "c1,C1,2026-01-05 10:00:00,sale,300\n"
        "c2,C1,2026-01-05 11:00:00,no_answer,0\n",
        encoding="utf-8",
    )
    ws = open_empty(backend)
    ws.import_file("campaigns", campaigns)
    ws.import_file("calls", calls)
    assert ws.kpis(["calls", "contact_rate"], by=["campaign"]).records() == [
        {"campaign": "C1", "calls": 2, "contact_rate": 0.5}
    ]
