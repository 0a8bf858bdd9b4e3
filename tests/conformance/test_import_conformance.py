"""`callkpi import` gives the same rows, reports, ledger and KPIs on every backend.

On DuckDB the import works in the store's own tables; on PostgreSQL and Spark it decides in a
scratch DuckDB and writes the outcome in one store transaction (ingest/destinations.py). These
cases pin what must not differ: updates of stored keys (the columns a file does not have are
kept), duplicates inside a file, rejects kept in skip-invalid mode, nothing written when an
import fails, French CSV files, and `create_missing`.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from callkpi.errors import DataImportError, StoreError
from callkpi.ingest.report import ImportReport
from callkpi.store import rollups
from callkpi.store.ledger import get_load, load_rejects
from callkpi.workspace import Workspace
from tests.conformance.conftest import Opener

CAMPAIGNS = "campaign_id,name\nC1,Prospection\nC2,Relance\n"
CALLS = (
    "call_id,campaign_id,started_at,outcome,talk_s\n"
    "c1,C1,2026-01-05 10:00:00,sale,300\n"
    "c2,C1,2026-01-05 11:00:00,no_answer,15\n"
    "c3,C2,2026-01-06 09:00:00,refused,60\n"
)
CALL_COLUMNS = ("call_id", "campaign_id", "started_at", "outcome", "talk_s")


def write(folder: Path, name: str, text: str, encoding: str = "utf-8") -> Path:
    path = folder / name
    path.write_text(text, encoding=encoding)
    return path


def rows(ws: Workspace, table: str, columns: tuple[str, ...]) -> list[tuple[Any, ...]]:
    names = ", ".join(f'"{c}"' for c in columns)
    return sorted(ws.store.rows(f'SELECT {names} FROM "{table}"'))


def counts(ws: Workspace) -> dict[str, int]:
    """What an import may change: the rows of its tables, the ledger and its rejects."""
    tables = ("calls", "campaigns", "agents", "imports", "import_rejects")
    return {t: ws.store.row_count(t) for t in tables}


def adds_up(report: ImportReport) -> bool:
    parts = report.inserted + report.updated + report.rejected + report.duplicates
    return report.rows_read == parts


def with_calls(backend: str, open_empty: Opener, folder: Path) -> Workspace:
    ws = open_empty(backend)
    ws.import_file("campaigns", write(folder, "campaigns.csv", CAMPAIGNS))
    ws.import_file("calls", write(folder, "calls.csv", CALLS))
    return ws


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


def test_a_second_import_updates_stored_rows_and_keeps_the_columns_it_lacks(
    backend: str, open_empty: Opener, tmp_path: Path
) -> None:
    ws = with_calls(backend, open_empty, tmp_path)
    update = write(
        tmp_path,
        "update.csv",
        "call_id,campaign_id,started_at,outcome\n"
        "c2,C1,2026-01-07 11:00:00,sale\n"  # stored: another day, outcome and no talk_s
        "c4,C2,2026-01-07 12:00:00,busy\n",
    )
    report = ws.import_file("calls", update)
    assert (report.rows_read, report.inserted, report.updated) == (2, 1, 1)
    assert adds_up(report) and report.duplicates == report.rejected == 0
    assert rows(ws, "calls", CALL_COLUMNS) == [
        ("c1", "C1", dt.datetime(2026, 1, 5, 10), "sale", 300.0),
        ("c2", "C1", dt.datetime(2026, 1, 7, 11), "sale", 15.0),  # talk_s kept
        ("c3", "C2", dt.datetime(2026, 1, 6, 9), "refused", 60.0),
        ("c4", "C2", dt.datetime(2026, 1, 7, 12), "busy", None),
    ]
    ledger = get_load(ws.store, report.import_id or "")
    assert ledger is not None and (ledger["inserted"], ledger["updated"]) == (1, 1)
    assert ws.kpis(["calls", "sales"], by=["campaign"]).records() == [
        {"campaign": "C1", "calls": 2, "sales": 2},
        {"campaign": "C2", "calls": 2, "sales": 0},
    ]
    again = ws.import_file("calls", update)  # the same file again: two updates, no new row
    assert (again.inserted, again.updated) == (0, 2)
    assert ws.count("calls") == 4


def test_duplicates_inside_a_file_keep_the_first_and_are_reported(
    backend: str, open_empty: Opener, tmp_path: Path
) -> None:
    ws = with_calls(backend, open_empty, tmp_path)
    file = write(
        tmp_path,
        "dups.csv",
        "call_id,campaign_id,started_at,outcome\n"
        "d1,C1,2026-01-08 10:00:00,sale\n"
        "d1,C1,2026-01-08 11:00:00,busy\n"
        "c1,C2,2026-01-08 12:00:00,busy\n"  # updates a stored row...
        "c1,C2,2026-01-08 13:00:00,sale\n",  # ...and is a duplicate
    )
    report = ws.import_file("calls", file)
    assert (report.rows_read, report.inserted, report.updated, report.duplicates) == (4, 1, 1, 2)
    assert adds_up(report) and report.rejected == 0
    assert [(r.line, r.code) for r in report.rejects] == [
        (3, "duplicate_key"),
        (5, "duplicate_key"),
    ]
    kept = [r for r in rows(ws, "calls", CALL_COLUMNS) if r[0] in ("c1", "d1")]
    assert kept == [
        ("c1", "C2", dt.datetime(2026, 1, 8, 12), "busy", 300.0),
        ("d1", "C1", dt.datetime(2026, 1, 8, 10), "sale", None),
    ]
    ledger = get_load(ws.store, report.import_id or "")
    assert ledger is not None and ledger["duplicates"] == 2


BAD_CALLS = (
    "call_id,campaign_id,started_at,outcome,talk_s\n"
    "s1,C1,2026-01-09 10:00:00,sale,10\n"
    "s2,C9,2026-01-09 11:00:00,sale,10\n"  # no campaign C9 in the store
    "c1,C1,2026-01-09 12:00:00,sale,abc\n"  # not a number (and a stored key)
)


def test_skip_invalid_writes_the_valid_rows_and_keeps_the_rejects(
    backend: str, open_empty: Opener, tmp_path: Path
) -> None:
    ws = with_calls(backend, open_empty, tmp_path)
    report = ws.import_file("calls", write(tmp_path, "bad.csv", BAD_CALLS), mode="skip-invalid")
    assert (report.rows_read, report.inserted, report.updated, report.rejected) == (3, 1, 0, 2)
    assert adds_up(report)
    assert report.import_id is not None
    ledger = get_load(ws.store, report.import_id)
    assert ledger is not None
    assert (ledger["mode"], ledger["rows_read"], ledger["inserted"], ledger["rejected"]) == (
        "skip-invalid",
        3,
        1,
        2,
    )
    assert (ledger["file_format"], ledger["source_timezone"]) == ("csv", "UTC")
    kept = [
        (r["line"], r["column_name"], r["code"], r["value"])
        for r in load_rejects(ws.store, report.import_id)
    ]
    assert kept == [(3, "campaign_id", "unknown_reference", "C9"), (4, "talk_s", "bad_type", "abc")]
    assert ws.store.scalar("SELECT talk_s FROM calls WHERE call_id = 'c1'") == 300.0
    assert ws.count("calls") == 4


def test_a_failing_import_leaves_nothing_behind(
    backend: str, open_empty: Opener, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ws = with_calls(backend, open_empty, tmp_path)
    before, stored = counts(ws), rows(ws, "calls", CALL_COLUMNS)
    bad = write(tmp_path, "bad.csv", BAD_CALLS)
    with pytest.raises(DataImportError, match="2 row\\(s\\) rejected, nothing imported") as info:
        ws.import_file("calls", bad)  # atomic: one bad row and nothing is written
    refused: ImportReport = info.value.report  # type: ignore[attr-defined]
    assert adds_up(refused) and refused.rejected == 2 and refused.import_id is None
    dry = ws.import_file("calls", bad, mode="skip-invalid", dry_run=True)
    assert (dry.inserted, dry.rejected, dry.import_id) == (1, 2, None)
    assert counts(ws) == before

    # a failure while writing (here: refreshing the rollups, after the rows went in)
    def broken(store: object) -> int:
        raise RuntimeError("the disk is full")

    monkeypatch.setattr(rollups, "refresh", broken)
    update = write(
        tmp_path,
        "update.csv",
        "call_id,campaign_id,started_at,outcome\n"
        + "c1,C2,2026-02-01 10:00:00,busy\nc9,C1,2026-02-01 11:00:00,sale\n",
    )
    with pytest.raises((RuntimeError, StoreError), match="the disk is full"):
        ws.import_file("calls", update, create_missing=True)
    monkeypatch.undo()
    assert counts(ws) == before
    assert rows(ws, "calls", CALL_COLUMNS) == stored
    assert ws.import_file("calls", update).updated == 1  # and the store still takes imports


def test_a_french_csv_reads_the_same_everywhere(
    backend: str, open_empty: Opener, tmp_path: Path
) -> None:
    """`;`, decimal commas, thousands spaces, dd/mm/yyyy dates, cp1252 (issue 3's files)."""
    ws = open_empty(backend)
    campaigns = write(
        tmp_path,
        "campagnes.csv",
        "campaign_id;name;start_date;budget\nC1;Relancé été;05/01/2026;1 234,50\n",
        encoding="cp1252",
    )
    calls = write(
        tmp_path,
        "appels.csv",
        "call_id;campaign_id;started_at;outcome;talk_s\n"
        "f1;C1;05/01/2026 10:00;sale;12,5\n"
        "f2;C1;13/01/2026 17:45:30;no_answer;0\n",
        encoding="cp1252",
    )
    first = ws.import_file("campaigns", campaigns)
    assert first.encoding == "cp1252"
    ws.import_file("calls", calls)
    assert rows(ws, "campaigns", ("campaign_id", "name", "start_date", "budget")) == [
        ("C1", "Relancé été", dt.date(2026, 1, 5), 1234.5)
    ]
    assert rows(ws, "calls", CALL_COLUMNS) == [
        ("f1", "C1", dt.datetime(2026, 1, 5, 10), "sale", 12.5),
        ("f2", "C1", dt.datetime(2026, 1, 13, 17, 45, 30), "no_answer", 0.0),
    ]


def test_create_missing_writes_the_referenced_rows(
    backend: str, open_empty: Opener, tmp_path: Path
) -> None:
    ws = with_calls(backend, open_empty, tmp_path)
    ws.append("agents", [{"agent_id": "A1", "name": "Ana"}])
    file = write(
        tmp_path,
        "new.csv",
        "call_id,campaign_id,agent_id,started_at,outcome\n"
        "n1,C7,A1,2026-01-10 10:00:00,sale\n"
        "n2,C8,A9,2026-01-10 11:00:00,sale\n",
    )
    report = ws.import_file("calls", file, create_missing=True)
    assert report.created == {"campaigns": 2, "agents": 1}
    assert report.created_ids == {"campaigns": ["C7", "C8"], "agents": ["A9"]}
    assert [r[0] for r in rows(ws, "campaigns", ("campaign_id",))] == ["C1", "C2", "C7", "C8"]
    assert rows(ws, "agents", ("agent_id", "name")) == [("A1", "Ana"), ("A9", None)]
    ledger = get_load(ws.store, report.import_id or "")
    assert ledger is not None and ledger["created_missing"] == 3


def test_keys_with_empty_parts_are_updated_not_doubled(
    backend: str, open_empty: Opener, tmp_path: Path
) -> None:
    """A target's scope may be empty (the whole company): its key matches null to null."""
    ws = open_empty(backend)
    header = "kpi,scope_dimension,scope_value,period,target\n"
    first = write(tmp_path, "t1.csv", header + "contact_rate,,,,0.4\ncontact_rate,agent,A1,,0.5\n")
    ws.import_file("targets", first)
    second = write(tmp_path, "t2.csv", header + "contact_rate,,,,0.45\n")
    report = ws.import_file("targets", second)
    assert (report.inserted, report.updated) == (0, 1)
    found = ws.store.rows("SELECT coalesce(scope_value, '-'), target FROM \"targets\"")
    assert sorted(found) == [("-", 0.45), ("A1", 0.5)]


def test_keys_with_a_time_are_updated_not_doubled(
    backend: str, open_empty: Opener, tmp_path: Path
) -> None:
    """An email event's key holds its time: the same event again is an update."""
    ws = open_empty(backend)
    header = "campaign_id,contact_id,at,event\n"
    events = "E1,K1,2026-01-05 10:00:00.250,sent\nE1,K1,2026-01-05 10:05:00,opened\n"
    ws.import_file("email_events", write(tmp_path, "e1.csv", header + events))
    again = ws.import_file("email_events", write(tmp_path, "e2.csv", header + events))
    assert (again.inserted, again.updated) == (0, 2)
    assert rows(ws, "email_events", ("at", "event")) == [
        (dt.datetime(2026, 1, 5, 10, 0, 0, 250000), "sent"),
        (dt.datetime(2026, 1, 5, 10, 5), "opened"),
    ]


def test_a_late_cp1252_byte_restarts_the_staged_import(
    other_backend: str, open_empty: Opener, tmp_path: Path
) -> None:
    """The head says UTF-8, a byte past it says cp1252: the import starts over (a new scratch
    database) and writes each row once (tests/ingest/test_formats.py on DuckDB)."""
    ws = open_empty(other_backend)
    lines = [f"K{i},plain text" for i in range(80_000)] + ["K_last,Été"]
    path = tmp_path / "late.csv"
    path.write_bytes(("campaign_id,name\n" + "\n".join(lines) + "\n").encode("cp1252"))
    report = ws.import_file("campaigns", path)
    assert (report.encoding, report.inserted, report.rejected) == ("cp1252", 80_001, 0)
    assert ws.count("campaigns") == 80_001
    assert ws.store.scalar("SELECT name FROM campaigns WHERE campaign_id = 'K_last'") == "Été"
