"""The canonical CSV importer: formats, types, checks, modes, errors and the ledger."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from callkpi.errors import DataImportError, UnknownNameError
from callkpi.ingest import MAX_REJECTS, ImportReport, Reject, import_file, rules
from callkpi.ingest.csvfile import record_lines
from callkpi.ingest.report import REDACTED, redact
from callkpi.store import Store, open_store
from callkpi.store.schema import TABLES

CALLS_HEADER = "call_id,campaign_id,agent_id,started_at,talk_s,outcome,attempt_no"


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    s = open_store(tmp_path / "t.duckdb")
    yield s
    s.close()


def write(tmp_path: Path, text: str, name: str = "in.csv", *, bom: bool = False) -> Path:
    path = tmp_path / name
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + text.encode("utf-8"))
    return path


def rows(store: Store, sql: str) -> list[dict[str, Any]]:
    return store.query(sql).to_pylist()


def ledger(store: Store) -> list[dict[str, Any]]:
    return rows(store, "SELECT * FROM imports ORDER BY started_at")


def codes(report: ImportReport) -> list[tuple[int, str | None, str]]:
    return [(r.line, r.column, r.code) for r in report.rejects]


def call_line(call_id: str = "c1", **values: str) -> str:
    fields = {
        "campaign_id": "K1",
        "agent_id": "A1",
        "started_at": "2024-01-05 10:00",
        "talk_s": "60",
        "outcome": "sale",
        "attempt_no": "1",
    }
    fields.update(values)
    return ",".join([call_id, *fields.values()])


def calls_file(tmp_path: Path, *lines: str) -> Path:
    return write(tmp_path, "\n".join([CALLS_HEADER, *lines]) + "\n")


# -- type conversions ---------------------------------------------------------------------
# (table, header, row, column, expected)
CONVERSIONS = [
    ("campaigns", "campaign_id,name", "  K1 ,  Spring  ", "name", "Spring"),
    ("calls", CALLS_HEADER, call_line(attempt_no="+3"), "attempt_no", 3),
    ("calls", CALLS_HEADER, call_line(attempt_no="-2"), "attempt_no", -2),
    ("calls", CALLS_HEADER, call_line(talk_s="12.5"), "talk_s", 12.5),
    ("calls", CALLS_HEADER, call_line(talk_s=".5"), "talk_s", 0.5),
    ("calls", CALLS_HEADER, call_line(talk_s="1e2"), "talk_s", 100.0),
    ("calls", CALLS_HEADER, call_line(talk_s="7"), "talk_s", 7.0),
    ("campaigns", "campaign_id,start_date", "K1,2024-03-09", "start_date", dt.date(2024, 3, 9)),
    ("campaigns", "campaign_id,start_date", "K1,09/03/2024", "start_date", dt.date(2024, 3, 9)),
    ("campaigns", "campaign_id,start_date", "K1,2024-3-9", "start_date", dt.date(2024, 3, 9)),
]
TIMESTAMPS = [
    ("2024-01-05 10:00", dt.datetime(2024, 1, 5, 10, 0)),
    ("2024-01-05 10:00:30", dt.datetime(2024, 1, 5, 10, 0, 30)),
    ("2024-01-05T10:00:30", dt.datetime(2024, 1, 5, 10, 0, 30)),
    ("2024-01-05 10:00:30.250", dt.datetime(2024, 1, 5, 10, 0, 30, 250000)),
    ("2024-01-05T10:00:00Z", dt.datetime(2024, 1, 5, 10, 0)),
    ("2024-01-05T10:00:00+02:00", dt.datetime(2024, 1, 5, 8, 0)),
    ("2024-01-05 10:00+0530", dt.datetime(2024, 1, 5, 4, 30)),
    ("2024-01-05 23:00:00-05", dt.datetime(2024, 1, 6, 4, 0)),
    ("05/01/2024 10:00", dt.datetime(2024, 1, 5, 10, 0)),
    ("05/01/2024 10:00:30", dt.datetime(2024, 1, 5, 10, 0, 30)),
    ("2024-01-05", dt.datetime(2024, 1, 5)),
]
BOOLEANS = [
    ("true", True),
    ("FALSE", False),
    ("1", True),
    ("0", False),
    ("yes", True),
    ("No", False),
    ("oui", True),
    ("NON", False),
    ("vrai", True),
    ("Faux", False),
]


@pytest.mark.parametrize(("table", "header", "row", "column", "expected"), CONVERSIONS)
def test_values_are_converted_to_the_column_type(
    store: Store, tmp_path: Path, table: str, header: str, row: str, column: str, expected: Any
) -> None:
    import_file(store, table, write(tmp_path, f"{header}\n{row}\n"))
    assert rows(store, f"SELECT {column} AS v FROM {table}") == [{"v": expected}]


@pytest.mark.parametrize(("text", "expected"), TIMESTAMPS)
def test_timestamps_with_offsets_are_stored_as_naive_utc(
    store: Store, tmp_path: Path, text: str, expected: dt.datetime
) -> None:
    import_file(store, "calls", calls_file(tmp_path, call_line(started_at=text)))
    assert rows(store, "SELECT started_at AS v FROM calls") == [{"v": expected}]


@pytest.mark.parametrize(("text", "expected"), BOOLEANS)
def test_boolean_words_in_english_and_french(
    store: Store, tmp_path: Path, text: str, expected: bool
) -> None:
    import_file(store, "contacts", write(tmp_path, f"contact_id,consent\nP1,{text}\n"))
    assert rows(store, "SELECT consent AS v FROM contacts") == [{"v": expected}]


def test_empty_fields_and_missing_optional_columns_are_null(store: Store, tmp_path: Path) -> None:
    import_file(store, "calls", calls_file(tmp_path, call_line(agent_id="", attempt_no='""')))
    (row,) = rows(store, "SELECT agent_id, attempt_no, ring_s, direction FROM calls")
    assert row == {"agent_id": None, "attempt_no": None, "ring_s": None, "direction": None}


def test_semicolon_file_accepts_decimal_commas(store: Store, tmp_path: Path) -> None:
    text = (
        "call_id;campaign_id;started_at;talk_s;ring_s;outcome\nc1;K1;2024-01-05 10:00;12,5;3;sale\n"
    )
    report = import_file(store, "calls", write(tmp_path, text))
    assert report.inserted == 1
    assert rows(store, "SELECT talk_s, ring_s FROM calls") == [{"talk_s": 12.5, "ring_s": 3.0}]


def test_decimal_comma_is_a_bad_type_in_a_dot_decimal_column(store: Store, tmp_path: Path) -> None:
    path = calls_file(
        tmp_path,
        call_line(talk_s="1.5"),
        call_line("c2", talk_s="2.25"),
        call_line("c3", talk_s='"12,5"'),
    )
    report = import_file(store, "calls", path, mode="skip-invalid")
    assert codes(report) == [(4, "talk_s", "bad_type")]


def test_decimal_comma_is_detected_in_a_comma_file(store: Store, tmp_path: Path) -> None:
    """Issue 3: the decimal mark is found per column, so quoted "12,5" reads as 12.5."""
    import_file(store, "calls", calls_file(tmp_path, call_line(talk_s='"12,5"')))
    assert rows(store, "SELECT talk_s FROM calls") == [{"talk_s": 12.5}]


def test_bom_header_names_case_and_spaces_are_ignored(store: Store, tmp_path: Path) -> None:
    text = " Campaign_ID ,NAME,Budget\nK1,Spring,1000.5\n"
    import_file(store, "campaigns", write(tmp_path, text, bom=True))
    assert rows(store, "SELECT campaign_id, name, budget FROM campaigns") == [
        {"campaign_id": "K1", "name": "Spring", "budget": 1000.5}
    ]


def test_quoted_fields_may_span_lines_and_line_numbers_stay_physical(
    store: Store, tmp_path: Path
) -> None:
    text = 'campaign_id,name,budget\r\nK1,"two\r\nlines, and ""quotes""",1\r\n\r\nK2,plain,oops\r\n'
    report = import_file(store, "campaigns", write(tmp_path, text), mode="skip-invalid")
    assert rows(store, "SELECT name FROM campaigns") == [{"name": 'two\r\nlines, and "quotes"'}]
    assert codes(report) == [(5, "budget", "bad_type")]


def test_record_lines_follow_quotes_and_skip_blank_lines(tmp_path: Path) -> None:
    text = 'a,b\n1,"x\ny\nz"\n\n2,y\n3,"q""\n"\n4,ab"c\n5,e\n'
    lines = record_lines(write(tmp_path, text), ",", range(6))
    assert lines == {0: 2, 1: 6, 2: 7, 3: 9, 4: 10}


# -- bad types and required columns ---------------------------------------------------------
BAD_TYPES = [
    ("attempt_no", "12.5"),
    ("attempt_no", "x"),
    ("attempt_no", "99999999999999999999"),
    ("talk_s", "abc"),
    ("talk_s", "inf"),
    ("talk_s", "1.2.3"),
    ("started_at", "2024-13-01 10:00"),
    ("started_at", "2024-02-30 10:00"),
    ("started_at", "yesterday"),
    ("started_at", "infinity"),
    ("started_at", "2024-01-05 10:00 Europe/Paris"),
    ("started_at", "31/02/2024 10:00"),
]


@pytest.mark.parametrize(("column", "text"), BAD_TYPES)
def test_unconvertible_values_are_bad_type(
    store: Store, tmp_path: Path, column: str, text: str
) -> None:
    report = import_file(
        store, "calls", calls_file(tmp_path, call_line(**{column: text})), mode="skip-invalid"
    )
    assert report.rejected == 1
    (reject,) = report.rejects
    assert (reject.line, reject.column, reject.code, reject.value) == (2, column, "bad_type", text)
    assert f"expected {TABLES['calls'].column(column).type}" in reject.message


@pytest.mark.parametrize(
    ("header", "row", "column"),
    [
        ("contact_id,consent", "P1,maybe", "consent"),
        ("campaign_id,start_date", "K1,2024-02-30", "start_date"),
        ("campaign_id,start_date", "K1,05/01/24", "start_date"),
        ("campaign_id,budget", "K1,12.000.00", "budget"),
        ("campaign_id,budget", "K1,1_000", "budget"),
    ],
)
def test_bad_types_of_other_column_types(
    store: Store, tmp_path: Path, header: str, row: str, column: str
) -> None:
    table = "contacts" if header.startswith("contact_id") else "campaigns"
    report = import_file(store, table, write(tmp_path, f"{header}\n{row}\n"), mode="skip-invalid")
    assert codes(report) == [(2, column, "bad_type")]


def test_empty_required_value_is_missing_required(store: Store, tmp_path: Path) -> None:
    path = calls_file(tmp_path, call_line(outcome=""), call_line("c2", started_at="  "))
    report = import_file(store, "calls", path, mode="skip-invalid")
    assert codes(report) == [
        (2, "outcome", "missing_required"),
        (3, "started_at", "missing_required"),
    ]
    assert report.rejects[0].value is None


# -- value checks ---------------------------------------------------------------------------
BAD_VALUES = [
    ("calls", CALLS_HEADER, call_line(outcome="Sale"), "outcome"),
    ("calls", CALLS_HEADER + ",direction", call_line() + ",sideways", "direction"),
    ("calls", CALLS_HEADER, call_line(talk_s="-1"), "talk_s"),
    (
        "calls",
        "call_id,campaign_id,started_at,outcome,wrap_s",
        "c1,K1,2024-01-05,sale,-0.5",
        "wrap_s",
    ),
    (
        "costs",
        "cost_id,period_start,period_end,amount,kind",
        "x,2024-01-01,2024-01-31,5,mixed",
        "kind",
    ),
    (
        "costs",
        "cost_id,period_start,period_end,amount,allocation",
        "x,2024-01-01,2024-01-31,5,by_luck",
        "allocation",
    ),
    ("costs", "cost_id,period_start,period_end,amount", "x,2024-01-01,2024-01-31,-5", "amount"),
    ("costs", "cost_id,period_start,period_end,amount", "x,2024-02-01,2024-01-31,5", "period_end"),
    ("deals", "deal_id,created_at,status", "d1,2024-01-01 09:00,pending", "status"),
    ("email_events", "campaign_id,contact_id,at,event", "K1,P1,2024-01-01 09:00,read", "event"),
    (
        "leads",
        "lead_id,created_at,converted_at",
        "l1,2024-01-02 09:00,2024-01-01 09:00",
        "converted_at",
    ),
    ("tickets", "ticket_id,opened_at,resolved_at", "t1,2024-01-02 09:00,2024-01-01", "resolved_at"),
    (
        "agent_sessions",
        "agent_id,login_at,logout_at",
        "A1,2024-01-02 09:00,2024-01-02 08:00",
        "logout_at",
    ),
    ("surveys", "response_id,answered_at,kind,score", "r1,2024-01-01 09:00,nps,11", "score"),
    ("surveys", "response_id,answered_at,kind,score", "r1,2024-01-01 09:00,nps,-1", "score"),
    ("surveys", "response_id,answered_at,kind,score", "r1,2024-01-01 09:00,csat,0", "score"),
    ("surveys", "response_id,answered_at,kind,score", "r1,2024-01-01 09:00,csat,6", "score"),
]


@pytest.mark.parametrize(("table", "header", "row", "column"), BAD_VALUES)
def test_domain_checks_refuse_bad_values(
    store: Store, tmp_path: Path, table: str, header: str, row: str, column: str
) -> None:
    report = import_file(store, table, write(tmp_path, f"{header}\n{row}\n"), mode="skip-invalid")
    assert codes(report) == [(2, column, "bad_value")]
    assert store.row_count(table) == 0


@pytest.mark.parametrize(
    ("table", "header", "row"),
    [
        (
            "costs",
            "cost_id,period_start,period_end,amount,kind,allocation",
            "x,2024-01-01,2024-01-01,0,direct,",
        ),
        ("surveys", "response_id,answered_at,kind,score", "r1,2024-01-01 09:00,nps,0"),
        ("surveys", "response_id,answered_at,kind,score", "r1,2024-01-01 09:00,csat,5"),
        ("surveys", "response_id,answered_at,kind,score", "r1,2024-01-01 09:00,ces,42"),
        ("leads", "lead_id,created_at,converted_at", "l1,2024-01-01 09:00,2024-01-01 09:00"),
    ],
)
def test_boundary_values_are_accepted(
    store: Store, tmp_path: Path, table: str, header: str, row: str
) -> None:
    assert import_file(store, table, write(tmp_path, f"{header}\n{row}\n")).inserted == 1


def test_references_are_checked_against_non_empty_tables(store: Store, tmp_path: Path) -> None:
    import_file(store, "campaigns", write(tmp_path, "campaign_id\nK1\n", "campaigns.csv"))
    path = calls_file(tmp_path, call_line("c1"), call_line("c2", campaign_id="K9"))
    report = import_file(store, "calls", path, mode="skip-invalid")
    assert codes(report) == [(3, "campaign_id", "unknown_reference")]
    assert report.rejects[0].value == "K9"
    import_file(store, "agents", write(tmp_path, "agent_id\nA1\n", "agents.csv"))
    path = calls_file(tmp_path, call_line("c3", agent_id="A2"), call_line("c4", agent_id=""))
    report = import_file(store, "calls", path, mode="skip-invalid")
    assert codes(report) == [(2, "agent_id", "unknown_reference")]
    assert report.inserted == 1


def test_references_to_an_empty_table_are_not_checked(store: Store, tmp_path: Path) -> None:
    report = import_file(store, "calls", calls_file(tmp_path, call_line(campaign_id="K9")))
    assert report.inserted == 1


@pytest.mark.parametrize("table", ["leads", "costs", "orders", "deals", "surveys"])
def test_campaign_references_of_other_tables(store: Store, tmp_path: Path, table: str) -> None:
    import_file(store, "campaigns", write(tmp_path, "campaign_id\nK1\n", "campaigns.csv"))
    header, first, second = {
        "leads": ("lead_id,created_at", "l1,2024-01-01 09:00", "l2,2024-01-01 09:00"),
        "costs": (
            "cost_id,period_start,period_end,amount",
            "x1,2024-01-01,2024-01-31,5",
            "x2,2024-01-01,2024-01-31,5",
        ),
        "orders": ("order_id,ordered_at,amount", "o1,2024-01-01 09:00,5", "o2,2024-01-01,5"),
        "deals": ("deal_id,created_at,status", "d1,2024-01-01 09:00,open", "d2,2024-01-01,won"),
        "surveys": (
            "response_id,answered_at,kind,score",
            "r1,2024-01-01 09:00,nps,9",
            "r2,2024-01-01 09:00,csat,4",
        ),
    }[table]
    path = write(tmp_path, f"{header},campaign_id\n{first},K1\n{second},K2\n")
    report = import_file(store, table, path, mode="skip-invalid")
    assert codes(report) == [(3, "campaign_id", "unknown_reference")]
    assert report.inserted == 1


# -- duplicates, upserts, modes ----------------------------------------------------------------
def test_in_file_duplicates_keep_the_first_occurrence(store: Store, tmp_path: Path) -> None:
    path = calls_file(
        tmp_path, call_line("c1", talk_s="1"), call_line("c2"), call_line("c1", talk_s="2")
    )
    report = import_file(store, "calls", path)
    assert (report.inserted, report.duplicates, report.rejected) == (2, 1, 0)
    assert codes(report) == [(4, "call_id", "duplicate_key")]
    assert "line 2" in report.rejects[0].message
    assert rows(store, "SELECT talk_s FROM calls WHERE call_id = 'c1'") == [{"talk_s": 1.0}]


def test_a_duplicate_of_a_rejected_row_is_kept(store: Store, tmp_path: Path) -> None:
    path = calls_file(tmp_path, call_line("c1", outcome="nope"), call_line("c1", talk_s="2"))
    report = import_file(store, "calls", path, mode="skip-invalid")
    assert (report.inserted, report.duplicates, report.rejected) == (1, 0, 1)


def test_composite_keys_compare_typed_values(store: Store, tmp_path: Path) -> None:
    text = (
        "campaign_id,contact_id,at,event\n"
        "K1,P1,2024-01-01 09:00,sent\n"
        "K1,P1,2024-01-01T09:00:00,sent\n"
        "K1,P1,2024-01-01 09:00,opened\n"
    )
    report = import_file(store, "email_events", write(tmp_path, text))
    assert (report.inserted, report.duplicates) == (2, 1)
    (reject,) = report.rejects
    assert (reject.line, reject.column, reject.code) == (3, None, "duplicate_key")
    assert reject.value == "campaign_id=K1, contact_id=P1, at=2024-01-01 09:00:00, event=sent"


def test_reimporting_the_same_file_updates_everything(store: Store, tmp_path: Path) -> None:
    path = calls_file(tmp_path, call_line("c1"), call_line("c2"), call_line("c3"))
    first = import_file(store, "calls", path)
    second = import_file(store, "calls", path)
    assert (first.inserted, first.updated) == (3, 0)
    assert (second.inserted, second.updated) == (0, 3)
    assert store.row_count("calls") == 3
    assert first.file_sha256 == second.file_sha256 == hashlib.sha256(path.read_bytes()).hexdigest()


def test_update_overwrites_present_columns_and_keeps_absent_ones(
    store: Store, tmp_path: Path
) -> None:
    import_file(store, "campaigns", write(tmp_path, "campaign_id,name,budget\nK1,Spring,10\n"))
    report = import_file(store, "campaigns", write(tmp_path, "campaign_id,name\nK1,\nK2,New\n"))
    assert (report.inserted, report.updated) == (1, 1)
    assert rows(store, "SELECT campaign_id, name, budget FROM campaigns ORDER BY 1") == [
        {"campaign_id": "K1", "name": None, "budget": 10.0},
        {"campaign_id": "K2", "name": "New", "budget": None},
    ]


def test_atomic_mode_writes_nothing_and_names_the_first_reject(
    store: Store, tmp_path: Path
) -> None:
    import_file(store, "calls", calls_file(tmp_path, call_line("c0")))
    before = rows(store, "SELECT * FROM calls")
    path = calls_file(
        tmp_path, call_line("c0", talk_s="5"), call_line("c1"), call_line("c2", attempt_no="x")
    )
    with pytest.raises(DataImportError) as caught:
        import_file(store, "calls", path)
    message = str(caught.value)
    assert "in.csv" in message and "1 row(s) rejected" in message
    assert "in.csv:4: column attempt_no: bad_type: x (expected int64" in message
    report = caught.value.report  # type: ignore[attr-defined]
    assert (report.rejected, report.inserted, report.updated, report.import_id) == (1, 1, 1, None)
    assert rows(store, "SELECT * FROM calls") == before
    assert len(ledger(store)) == 1


def test_skip_invalid_writes_the_valid_rows(store: Store, tmp_path: Path) -> None:
    path = calls_file(
        tmp_path,
        call_line("c1"),
        call_line("c2", outcome="bad", attempt_no="x"),
        call_line("c3"),
        call_line("c1"),
    )
    report = import_file(store, "calls", path, mode="skip-invalid", user="ana")
    assert (report.rows_read, report.inserted, report.rejected, report.duplicates) == (4, 2, 1, 1)
    assert report.rejects_total == 3
    assert codes(report) == [
        (3, "attempt_no", "bad_type"),
        (3, "outcome", "bad_value"),
        (5, "call_id", "duplicate_key"),
    ]
    assert rows(store, "SELECT call_id FROM calls ORDER BY 1") == [
        {"call_id": "c1"},
        {"call_id": "c3"},
    ]
    (entry,) = ledger(store)
    assert entry["import_id"] == report.import_id and len(entry["import_id"]) == 32
    assert {k: entry[k] for k in ("table_name", "file_name", "profile", "mode", "user_name")} == {
        "table_name": "calls",
        "file_name": "in.csv",
        "profile": "canonical",
        "mode": "skip-invalid",
        "user_name": "ana",
    }
    counts = ("rows_read", "inserted", "updated", "rejected", "duplicates")
    assert [entry[k] for k in counts] == [4, 2, 0, 1, 1]
    assert entry["file_sha256"] == hashlib.sha256(path.read_bytes()).hexdigest()
    assert entry["started_at"] <= entry["finished_at"]
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    assert abs(entry["finished_at"] - now) < dt.timedelta(minutes=5)


@pytest.mark.parametrize("mode", ["atomic", "skip-invalid"])
def test_dry_run_reports_but_writes_nothing(store: Store, tmp_path: Path, mode: str) -> None:
    path = calls_file(tmp_path, call_line("c1"), call_line("c2", outcome="bad"))
    report = import_file(store, "calls", path, mode=mode, dry_run=True)  # type: ignore[arg-type]
    assert (report.dry_run, report.inserted, report.rejected, report.import_id) == (
        True,
        1,
        1,
        None,
    )
    assert store.row_count("calls") == 0
    assert ledger(store) == []


def test_rejects_are_capped_but_all_counted(store: Store, tmp_path: Path) -> None:
    bad = [call_line(f"c{i}", outcome="x", attempt_no="y") for i in range(MAX_REJECTS)]
    report = import_file(store, "calls", calls_file(tmp_path, *bad), mode="skip-invalid")
    assert report.rejected == MAX_REJECTS
    assert report.rejects_total == 2 * MAX_REJECTS
    assert len(report.rejects) == MAX_REJECTS
    assert report.rejects[-1].line == MAX_REJECTS // 2 + 1


def test_personal_data_is_redacted_in_rejects(
    store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(rules.DOMAINS, ("contacts", "email"), ("nobody@example.org",))
    path = write(tmp_path, "contact_id,email,region\nP1,jane@example.org,North\n")
    with pytest.raises(DataImportError) as caught:
        import_file(store, "contacts", path)
    assert "jane" not in str(caught.value)
    (reject,) = caught.value.report.rejects  # type: ignore[attr-defined]
    assert (reject.column, reject.value) == ("email", REDACTED)
    assert "jane" not in reject.message
    assert redact("0612345678", personal=True) == REDACTED
    assert redact("x" * 500, personal=False) == "x" * 200 + "…"


def test_reject_describe() -> None:
    reject = Reject(7, "talk_s", "bad_value", "-1", "must be >= 0")
    assert reject.describe("f.csv") == "f.csv:7: column talk_s: bad_value: -1 (must be >= 0)"


def test_report_counts_must_add_up() -> None:
    with pytest.raises(AssertionError):
        ImportReport("calls", "f.csv", "", "atomic", False, 3, 1, 0, 0, 0)


# -- refused files -------------------------------------------------------------------------------
def refused(store: Store, path: Path, table: str = "calls") -> str:
    with pytest.raises(DataImportError) as caught:
        import_file(store, table, path)
    return str(caught.value)


def test_missing_file(store: Store, tmp_path: Path) -> None:
    assert "file not found" in refused(store, tmp_path / "nope.csv")


def test_zero_byte_file(store: Store, tmp_path: Path) -> None:
    assert "empty (0 bytes)" in refused(store, write(tmp_path, ""))


def test_header_only_file(store: Store, tmp_path: Path) -> None:
    assert "no data rows" in refused(store, write(tmp_path, CALLS_HEADER + "\n"))


def test_no_header(store: Store, tmp_path: Path) -> None:
    assert "no header" in refused(store, write(tmp_path, call_line() + "\n"))
    assert "no header" in refused(store, write(tmp_path, "\n" + CALLS_HEADER + "\n"))


def test_binary_file(store: Store, tmp_path: Path) -> None:
    path = tmp_path / "x.bin"
    path.write_bytes(bytes(range(256)) * 4)
    assert "binary" in refused(store, path)
    path.write_bytes(b"PK\x03\x04" + bytes(100))
    assert "spreadsheet" in refused(store, path)


def test_non_utf8_file_is_read_as_cp1252(store: Store, tmp_path: Path) -> None:
    """Issue 3: cp1252 and latin-1 files are detected and decoded, not refused."""
    path = tmp_path / "latin1.csv"
    path.write_bytes(("campaign_id,name\nK1,Été\n").encode("latin-1"))
    report = import_file(store, "campaigns", path)
    assert report.encoding == "cp1252"
    assert rows(store, "SELECT name FROM campaigns") == [{"name": "Été"}]


def test_unknown_column_suggests_a_name(store: Store, tmp_path: Path) -> None:
    message = refused(store, write(tmp_path, CALLS_HEADER.replace("outcome", "outcom") + "\nx\n"))
    assert "unknown column 'outcom' for table calls (did you mean 'outcome'?)" in message
    assert "missing required column(s): outcome" in message


def test_missing_required_column(store: Store, tmp_path: Path) -> None:
    message = refused(store, write(tmp_path, "call_id,campaign_id,outcome\nc1,K1,sale\n"))
    assert "missing required column(s): started_at" in message


def test_duplicate_header_column(store: Store, tmp_path: Path) -> None:
    message = refused(store, write(tmp_path, "campaign_id,name,NAME\nK1,a,b\n"), "campaigns")
    assert "'name' appears more than once" in message


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('campaign_id,name\nK1,a\nK2,"unterminated\nK3,c\n', "a quote is not closed"),
        ("campaign_id,name\nK1,a\nK2,b,c\n", "Expected Number of Columns: 2 Found: 3"),
        ("campaign_id,name\nK1,a\nK2\n", "Expected Number of Columns: 2 Found: 1"),
    ],
)
def test_broken_csv_records_are_bad_rows_naming_the_line(
    store: Store, tmp_path: Path, text: str, expected: str
) -> None:
    message = refused(store, write(tmp_path, text), "campaigns")
    assert "1 row(s) rejected" in message and "in.csv:3: bad_row:" in message
    assert expected in message
    assert store.row_count("campaigns") == 0
    report = import_file(store, "campaigns", write(tmp_path, text), mode="skip-invalid")
    assert (report.rows_read, report.inserted, report.rejected) == (2, 1, 1)


def test_unknown_table_and_mode(store: Store, tmp_path: Path) -> None:
    path = calls_file(tmp_path, call_line())
    with pytest.raises(UnknownNameError, match="did you mean 'calls'"):
        import_file(store, "callz", path)
    with pytest.raises(DataImportError, match="unknown import mode"):
        import_file(store, "calls", path, mode="lenient")  # type: ignore[arg-type]


def test_temporary_tables_are_dropped(store: Store, tmp_path: Path) -> None:
    import_file(
        store,
        "calls",
        calls_file(tmp_path, call_line(), call_line(outcome="x")),
        mode="skip-invalid",
    )
    with pytest.raises(DataImportError):
        import_file(store, "calls", calls_file(tmp_path, call_line(outcome="x")))
    leftovers = store.scalar(
        "SELECT count(*) FROM duckdb_tables() WHERE table_name LIKE '_ckimport_%'"
    )
    assert leftovers == 0


# -- property: every row is counted once ---------------------------------------------------------
VALID = {
    "call_id": ["c1", "c2", "c3", "c4", "c5"],
    "campaign_id": ["K1", "K2"],
    "started_at": ["2024-01-05 10:00", "05/01/2024 10:00:00", "2024-01-05T10:00Z"],
    "talk_s": ["", "0", "12.5", "60"],
    "outcome": ["sale", "busy", "no_answer"],
    "attempt_no": ["", "1", "3"],
}
INVALID = {
    "campaign_id": [""],
    "started_at": ["", "soon", "2024-02-30 10:00"],
    "talk_s": ["-1", "abc", "1;5"],
    "outcome": ["", "won", "Sale"],
    "attempt_no": ["1.5", "x"],
}
FIELDS = list(VALID)


@st.composite
def call_rows(draw: st.DrawFn) -> tuple[dict[str, str], bool]:
    row = {name: draw(st.sampled_from(values)) for name, values in VALID.items()}
    bad = draw(st.sets(st.sampled_from(sorted(INVALID)), max_size=2))
    for name in bad:
        row[name] = draw(st.sampled_from(INVALID[name]))
    return row, not bad


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(call_rows(), min_size=1, max_size=25))
def test_every_row_is_counted_once(generated: list[tuple[dict[str, str], bool]]) -> None:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=FIELDS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(row for row, _ in generated)
    valid_keys = [row["call_id"] for row, ok in generated if ok]
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / "calls.csv"
        path.write_text(buffer.getvalue(), encoding="utf-8")
        store = open_store(":memory:")
        try:
            report = import_file(store, "calls", path, mode="skip-invalid")
            assert report.rows_read == len(generated)
            total = report.inserted + report.updated + report.rejected + report.duplicates
            assert report.rows_read == total
            assert store.row_count("calls") == report.inserted == len(set(valid_keys))
            assert report.rejected == len(generated) - len(valid_keys)
            assert report.duplicates == len(valid_keys) - len(set(valid_keys))
            assert report.updated == 0
        finally:
            store.close()
