"""Nothing lost, nothing doubled: bad inputs, re-imports, overlaps, kills, dirty files."""

from __future__ import annotations

import csv
import io
import random
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from callkpi.errors import DataImportError
from callkpi.ingest import ImportProgress, import_file
from callkpi.store import Store, open_store
from tests.ingest.helpers import rows, write_bytes, write_text

HEADER = "call_id;campaign_id;agent_id;started_at;talk_s;outcome"
BIG_ROWS = 300_000


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    s = open_store(tmp_path / "t.duckdb")
    yield s
    s.close()


def call(i: int, **values: str) -> str:
    fields = {
        "campaign_id": f"K{i % 3}",
        "agent_id": f"A{i % 5}",
        "started_at": f"{1 + i % 28:02d}/03/2024 {8 + i % 10:02d}:{i % 60:02d}:00",
        "talk_s": f"{i % 600},5",
        "outcome": ("sale", "busy", "no_answer", "callback")[i % 4],
    }
    fields.update(values)
    return ";".join([f"C{i:07d}", *fields.values()])


def calls_file(folder: Path, name: str, lines: list[str]) -> Path:
    return write_text(folder, name, "\n".join([HEADER, *lines]) + "\n")


@pytest.fixture(scope="module")
def big_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """300k calls with a quoted multi-line agent early on and three bad rows far apart."""
    bad = {1_000: {"talk_s": "-3"}, 150_000: {"outcome": "won"}, BIG_ROWS - 1: {"started_at": "x"}}
    lines = [call(i, **bad.get(i, {})) for i in range(BIG_ROWS)]
    lines[5] = call(5, agent_id='"two\nlines"')
    return calls_file(tmp_path_factory.mktemp("big"), "big.csv", lines)


# -- bad inputs ----------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "the file is empty (0 bytes)"),
        (HEADER.encode() + b"\n", "the file has a header but no data rows"),
        (bytes(range(256)) * 8, "binary file"),
        (b"\x89PNG\r\n\x1a\n" + bytes(200), "binary file"),
        (b"PK\x03\x04" + bytes(100), "spreadsheet or an archive"),
        (b"call_id;outcome\nc1;sale\n", "missing required column(s): campaign_id, started_at"),
        (b"\n\ncall_id\n", "no header"),
    ],
)
def test_files_that_cannot_be_imported(
    store: Store, tmp_path: Path, data: bytes, message: str
) -> None:
    with pytest.raises(DataImportError, match=re.escape(message)):
        import_file(store, "calls", write_bytes(tmp_path, "in.csv", data))
    assert store.row_count("calls") == 0
    assert rows(store, "SELECT * FROM imports") == []


def test_bad_values_are_rejected_with_line_column_code_and_value(
    store: Store, tmp_path: Path
) -> None:
    lines = [
        call(1),
        call(2, started_at="31/02/2024 10:00"),
        call(3, talk_s="-12"),
        call(4, started_at="2024-13-45"),
        call(1),  # in-file duplicate of line 2
        call(6, outcome=""),
    ]
    report = import_file(store, "calls", calls_file(tmp_path, "in.csv", lines), mode="skip-invalid")
    assert [(r.line, r.column, r.code, r.value) for r in report.rejects] == [
        (3, "started_at", "bad_type", "31/02/2024 10:00"),
        (4, "talk_s", "bad_value", "-12"),
        (5, "started_at", "bad_type", "2024-13-45"),
        (6, "call_id", "duplicate_key", "C0000001"),
        (7, "outcome", "missing_required", None),
    ]
    assert (report.rows_read, report.inserted, report.rejected, report.duplicates) == (6, 1, 4, 1)


def test_truncated_file_keeps_the_good_rows(store: Store, tmp_path: Path) -> None:
    text = "\n".join([HEADER, call(1), call(2), call(3)[:15]])  # cut mid-record, no newline
    path = write_text(tmp_path, "cut.csv", text)
    with pytest.raises(DataImportError, match=r"cut\.csv:4: bad_row"):
        import_file(store, "calls", path)
    report = import_file(store, "calls", path, mode="skip-invalid")
    assert (report.rows_read, report.inserted, report.rejected) == (3, 2, 1)
    assert report.rejects[0].message.startswith("fewer fields than the header")


def test_line_numbers_hold_across_a_large_file(store: Store, big_file: Path) -> None:
    """Record order survives DuckDB's parallel scan: reject lines are exact far in the file."""
    report = import_file(store, "calls", big_file, mode="skip-invalid")
    assert [(r.line, r.column, r.code) for r in report.rejects] == [
        (1_003, "talk_s", "bad_value"),
        (150_003, "outcome", "bad_value"),
        (BIG_ROWS + 2, "started_at", "bad_type"),
    ]
    assert (report.inserted, report.rejected) == (BIG_ROWS - 3, 3)
    assert rows(store, "SELECT agent_id FROM calls WHERE call_id = 'C0000005'") == [
        {"agent_id": "two\nlines"}
    ]


# -- idempotency and overlaps ------------------------------------------------------------------
def test_reimport_and_overlapping_exports_never_double_or_lose(
    store: Store, tmp_path: Path
) -> None:
    january = calls_file(tmp_path, "jan.csv", [call(i) for i in range(0, 100)])
    overlap = calls_file(tmp_path, "overlap.csv", [call(i, outcome="sale") for i in range(50, 150)])
    first = import_file(store, "calls", january)
    before = rows(store, "SELECT * FROM calls ORDER BY call_id")
    again = import_file(store, "calls", january)
    assert (first.inserted, again.inserted, again.updated) == (100, 0, 100)
    assert rows(store, "SELECT * FROM calls ORDER BY call_id") == before
    later = import_file(store, "calls", overlap)
    assert (later.inserted, later.updated) == (50, 50)
    assert store.row_count("calls") == 150
    assert (
        store.scalar(
            "SELECT count(*) FILTER (outcome = 'sale') FROM calls WHERE call_id >= 'C0000050'"
        )
        == 100
    )
    ledger = rows(store, "SELECT rows_read, inserted, updated FROM imports ORDER BY started_at")
    assert ledger == [
        {"rows_read": 100, "inserted": 100, "updated": 0},
        {"rows_read": 100, "inserted": 0, "updated": 100},
        {"rows_read": 100, "inserted": 50, "updated": 50},
    ]


def test_update_keeps_columns_the_profile_does_not_fill(store: Store, tmp_path: Path) -> None:
    import_file(store, "calls", calls_file(tmp_path, "a.csv", [call(1)]))
    store.execute("UPDATE calls SET lead_id = 'L1', wrap_s = 9")
    import_file(store, "calls", calls_file(tmp_path, "b.csv", [call(1, outcome="busy")]))
    assert rows(store, "SELECT lead_id, wrap_s, outcome FROM calls") == [
        {"lead_id": "L1", "wrap_s": 9.0, "outcome": "busy"}
    ]


def test_create_missing_and_dry_run(store: Store, tmp_path: Path) -> None:
    import_file(store, "campaigns", write_text(tmp_path, "k.csv", "campaign_id\nK0\n"))
    path = calls_file(tmp_path, "c.csv", [call(i) for i in range(6)])
    refused = import_file(store, "calls", path, mode="skip-invalid", dry_run=True)
    assert (refused.rejected, refused.rejects[0].code) == (4, "unknown_reference")
    preview = import_file(store, "calls", path, create_missing=True, dry_run=True)
    assert (preview.inserted, preview.created) == (6, {"campaigns": 2, "agents": 5})
    assert store.row_count("campaigns") == 1 and store.row_count("calls") == 0
    report = import_file(store, "calls", path, create_missing=True)
    assert report.created_ids["campaigns"] == ["K1", "K2"]
    assert store.row_count("campaigns") == 3 and store.row_count("calls") == 6
    assert store.scalar("SELECT created_missing FROM imports WHERE table_name = 'calls'") == 7


def test_progress_is_reported(store: Store, big_file: Path) -> None:
    events: list[ImportProgress] = []
    import_file(store, "calls", big_file, mode="skip-invalid", progress=events.append)
    assert events[0].phase == "reading" and events[-1].phase == "done"
    assert events[-1].rows == BIG_ROWS and events[0].total and events[0].total > BIG_ROWS / 2


# -- kills -------------------------------------------------------------------------------------
_IMPORT = (
    "import sys; from callkpi.store import open_store; from callkpi.ingest import import_file; "
    "s = open_store(sys.argv[1]); print('ready', flush=True); "
    "import_file(s, 'calls', sys.argv[2], mode='skip-invalid'); s.close()"
)


def _start(db: Path, file: Path) -> subprocess.Popen[str]:
    """An import subprocess, returned once it is about to import (startup is not timed)."""
    process = subprocess.Popen(
        [sys.executable, "-c", _IMPORT, str(db), str(file)], stdout=subprocess.PIPE, text=True
    )
    assert process.stdout is not None and process.stdout.readline().strip() == "ready"
    return process


def test_killing_an_import_leaves_all_or_nothing(tmp_path: Path, big_file: Path) -> None:
    """SIGKILL imports at random moments of their run (parsing, loading, sorting out rejects
    and duplicates, writing the ledger, committing): the store opens, with all or nothing."""
    baseline = tmp_path / "baseline.duckdb"
    seed = open_store(baseline)
    earlier = [call(i) for i in range(9_000_000, 9_000_010)]  # keys the big file does not have
    import_file(seed, "calls", calls_file(tmp_path, "seed.csv", earlier))
    seed.close()
    shutil.copy(baseline, tmp_path / "timing.duckdb")
    started = time.monotonic()
    timing = _start(tmp_path / "timing.duckdb", big_file)
    timing.communicate(timeout=60)
    duration = time.monotonic() - started
    rng = random.Random(3)
    outcomes: list[str] = []
    for attempt in range(10):
        db = tmp_path / f"kill{attempt}.duckdb"
        shutil.copy(baseline, db)
        process = _start(db, big_file)
        time.sleep(rng.uniform(0, duration * 1.1))
        process.kill()
        process.communicate(timeout=30)
        store = open_store(db)
        try:
            count = store.row_count("calls")
            loads = store.scalar("SELECT count(*) FROM imports")
            assert (count, loads) in ((10, 1), (10 + BIG_ROWS - 3, 2)), (attempt, count, loads)
            outcomes.append("all" if loads == 2 else "none")
            store.execute("CHECKPOINT")
        finally:
            store.close()
    assert "none" in outcomes, outcomes


# -- properties --------------------------------------------------------------------------------
_TEXT = st.text(st.characters(blacklist_categories=("Cs",)), max_size=12)
_FIELD = st.one_of(
    _TEXT,
    st.sampled_from(["", " ", "sale", "busy", "12,5", "-1", "1e400", "05/03/2024 10:00"]),
    st.sampled_from(["2024-03-05T10:00:00+02:00", '"', ";", "\n", "\x00", "NaN", "C1", "C2"]),
)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(st.lists(_FIELD, min_size=4, max_size=7), min_size=1, max_size=20),
    st.sampled_from(["utf-8", "cp1252"]),
)
def test_any_dirty_file_keeps_the_counts_identity(records: list[list[str]], encoding: str) -> None:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\n")
    writer.writerow(HEADER.split(";"))
    writer.writerows(records)
    data = buffer.getvalue().encode(encoding, errors="replace")
    with tempfile.TemporaryDirectory() as folder:
        path = write_bytes(Path(folder), "dirty.csv", data)
        store = open_store(":memory:")
        try:
            try:
                report = import_file(store, "calls", path, mode="skip-invalid")
            except DataImportError as exc:  # a whole-file refusal, never a partial write
                assert store.row_count("calls") == 0, exc
                return
            counted = report.inserted + report.updated + report.rejected + report.duplicates
            assert report.rows_read == counted
            assert store.row_count("calls") == report.inserted
            assert store.scalar("SELECT sum(rows_read) FROM imports") == report.rows_read
            assert report.rejects_total >= report.rejected
        finally:
            store.close()
