"""Issue 3 formats: dialects, encodings, numbers, dates and zones, Excel, Parquet, JSON lines."""

from __future__ import annotations

import datetime as dt
import gzip
from collections.abc import Iterator
from pathlib import Path

import pytest

from callkpi.errors import DataImportError
from callkpi.ingest import import_file
from callkpi.ingest.timezones import utc_sql
from callkpi.store import Store, open_store
from tests.ingest.helpers import rows, write_bytes, write_text, write_xlsx

HEADER = ["call_id", "campaign_id", "started_at", "talk_s", "outcome"]


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    s = open_store(tmp_path / "t.duckdb")
    yield s
    s.close()


def calls(delimiter: str, *lines: list[str]) -> str:
    return "\n".join(delimiter.join(f) for f in [HEADER, *lines]) + "\n"


@pytest.mark.parametrize("delimiter", [",", ";", "\t", "|"])
def test_delimiters_are_detected(store: Store, tmp_path: Path, delimiter: str) -> None:
    text = calls(delimiter, ["c1", "K1", "2024-01-05 10:00", "60", "sale"])
    import_file(store, "calls", write_text(tmp_path, "in.csv", text))
    assert rows(store, "SELECT call_id, talk_s FROM calls") == [{"call_id": "c1", "talk_s": 60.0}]


@pytest.mark.parametrize(
    ("encoding", "prefix", "expected"),
    [
        ("utf-8", b"", "utf-8"),
        ("utf-8", b"\xef\xbb\xbf", "utf-8"),
        ("cp1252", b"", "cp1252"),
        ("utf-16", b"", "utf-16"),
    ],
)
def test_encodings_are_detected(
    store: Store, tmp_path: Path, encoding: str, prefix: bytes, expected: str
) -> None:
    text = "campaign_id;name\nK1;Prospection été 2024 – 5 €\nK2;Cœur de cible\n"
    report = import_file(
        store, "campaigns", write_bytes(tmp_path, "c.csv", prefix + text.encode(encoding))
    )
    assert report.encoding == expected
    assert rows(store, "SELECT name FROM campaigns ORDER BY 1") == [
        {"name": "Cœur de cible"},
        {"name": "Prospection été 2024 – 5 €"},
    ]


def test_latin1_bytes_that_cp1252_lacks(store: Store, tmp_path: Path) -> None:
    data = "campaign_id,name\nK1,Été\n".encode("latin-1") + b"K2,x\x81y\n"
    report = import_file(store, "campaigns", write_bytes(tmp_path, "l.csv", data))
    assert report.encoding == "latin-1"
    assert store.row_count("campaigns") == 2


def test_cp1252_after_a_long_ascii_head_is_retried(store: Store, tmp_path: Path) -> None:
    """The head decides 'UTF-8' tentatively; a later cp1252 byte makes the import start over."""
    lines = [f"K{i},plain text" for i in range(80_000)] + ["K_last,Été"]
    data = ("campaign_id,name\n" + "\n".join(lines) + "\n").encode("cp1252")
    assert len(data) > 1 << 20
    report = import_file(store, "campaigns", write_bytes(tmp_path, "late.csv", data))
    assert (report.encoding, report.inserted, report.rejected) == ("cp1252", 80_001, 0)
    assert rows(store, "SELECT name FROM campaigns WHERE campaign_id = 'K_last'") == [
        {"name": "Été"}
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("12,5", 12.5),
        ("1 234,5", 1234.5),
        ("1\u00a0234,5", 1234.5),
        ("1\u202f234,5", 1234.5),
        ("1.234,5", 1234.5),
        ("1.234.567", 1234567.0),
        ("-0,25", -0.25),
        ("3", 3.0),
    ],
)
def test_decimal_comma_and_thousands_separators(
    store: Store, tmp_path: Path, text: str, expected: float
) -> None:
    body = f"campaign_id;budget\nK0;10,5\nK1;{text}\n"
    import_file(store, "campaigns", write_text(tmp_path, "b.csv", body))
    assert rows(store, "SELECT budget FROM campaigns WHERE campaign_id = 'K1'") == [
        {"budget": expected}
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [("1,234.5", 1234.5), ("1 234.5", 1234.5), ("0.125", 0.125), ("1e3", 1000.0)],
)
def test_dot_decimals_with_comma_thousands(
    store: Store, tmp_path: Path, text: str, expected: float
) -> None:
    body = f'campaign_id,budget\nK0,10.5\nK1,"{text}"\n'
    import_file(store, "campaigns", write_text(tmp_path, "b.csv", body))
    assert rows(store, "SELECT budget FROM campaigns WHERE campaign_id = 'K1'") == [
        {"budget": expected}
    ]


@pytest.mark.parametrize(
    ("text", "zone", "expected"),
    [
        ("05/01/2024 10:00", "Europe/Paris", dt.datetime(2024, 1, 5, 9, 0)),
        ("05/07/2024 10:00:30", "Europe/Paris", dt.datetime(2024, 7, 5, 8, 0, 30)),
        ("2024-07-05 10:00", "Europe/Paris", dt.datetime(2024, 7, 5, 8, 0)),
        ("2024-07-05", "Europe/Paris", dt.datetime(2024, 7, 4, 22, 0)),
        ("05/07/2024", "UTC", dt.datetime(2024, 7, 5)),
        ("2024-07-05T10:00:00+02:00", "America/New_York", dt.datetime(2024, 7, 5, 8, 0)),
        ("2024-07-05 10:00Z", "Europe/Paris", dt.datetime(2024, 7, 5, 10, 0)),
        ("2024-07-05 10:00", "America/New_York", dt.datetime(2024, 7, 5, 14, 0)),
        ("2024-07-05 10:00", "Australia/Sydney", dt.datetime(2024, 7, 5, 0, 0)),
    ],
)
def test_local_times_are_stored_in_utc_with_the_zone_in_the_ledger(
    store: Store, tmp_path: Path, text: str, zone: str, expected: dt.datetime
) -> None:
    body = calls(";", ["c1", "K1", text, "1", "sale"])
    report = import_file(store, "calls", write_text(tmp_path, "t.csv", body), timezone=zone)
    assert rows(store, "SELECT started_at FROM calls") == [{"started_at": expected}]
    (entry,) = rows(store, "SELECT source_timezone, file_format, encoding FROM imports")
    assert entry == {"source_timezone": zone, "file_format": "csv", "encoding": "utf-8"}
    assert report.source_timezone == zone


def test_canonical_files_are_utc_and_profiles_default_to_paris(
    store: Store, tmp_path: Path
) -> None:
    body = calls(",", ["c1", "K1", "2024-07-05 10:00", "1", "sale"])
    path = write_text(tmp_path, "t.csv", body)
    assert import_file(store, "calls", path).source_timezone == "UTC"
    assert import_file(store, "calls", path, profile="generic").source_timezone == "Europe/Paris"
    assert rows(store, "SELECT started_at FROM calls") == [
        {"started_at": dt.datetime(2024, 7, 5, 8, 0)}
    ]


def test_unknown_zone_is_refused(store: Store, tmp_path: Path) -> None:
    body = calls(",", ["c1", "K1", "2024-07-05 10:00", "1", "sale"])
    with pytest.raises(DataImportError, match="unknown time zone 'Mars/Olympus'"):
        import_file(store, "calls", write_text(tmp_path, "t.csv", body), timezone="Mars/Olympus")


def test_fast_zone_conversion_matches_icu_around_transitions(store: Store) -> None:
    """The per-year lists give ICU's answer, including the hour that does not exist (spring)
    and the hour that exists twice (autumn)."""
    for zone in ("Europe/Paris", "America/New_York", "Australia/Sydney"):
        icu = f"CAST(timezone('UTC', timezone('{zone}', ts)) AS TIMESTAMP)"
        differ = store.scalar(
            f"SELECT count(*) FILTER ({icu} IS DISTINCT FROM {utc_sql('ts', zone)}) FROM "
            "(SELECT TIMESTAMP '2023-01-01' + to_minutes(CAST(i * 15 AS BIGINT)) AS ts "
            "FROM range(2 * 35136) r(i))"
        )
        assert differ == 0, zone


def test_quoted_fields_with_newlines_and_crlf(store: Store, tmp_path: Path) -> None:
    text = 'campaign_id;name\r\nK1;"deux\r\nlignes; et ""guillemets"""\r\nK2;simple\r\n'
    import_file(store, "campaigns", write_text(tmp_path, "q.csv", text))
    assert rows(store, "SELECT name FROM campaigns ORDER BY campaign_id") == [
        {"name": 'deux\r\nlignes; et "guillemets"'},
        {"name": "simple"},
    ]


def test_gzipped_csv(store: Store, tmp_path: Path) -> None:
    data = gzip.compress(calls(";", ["c1", "K1", "05/01/2024 10:00", "1,5", "sale"]).encode())
    import_file(store, "calls", write_bytes(tmp_path, "calls.csv.gz", data))
    assert rows(store, "SELECT talk_s FROM calls") == [{"talk_s": 1.5}]


def test_excel_first_sheet_or_named_sheet(store: Store, tmp_path: Path) -> None:
    path = write_xlsx(
        tmp_path / "export.xlsx",
        {
            "Appels": [
                HEADER,
                ["c1", "K1", dt.datetime(2024, 1, 5, 10, 0), 12.5, "sale"],
                [None, None, None, None, None],
                ["c2", "K1", "05/01/2024 11:00", 3, "busy"],
                ["c3", "K1", "never", 3, "busy"],
            ],
            "Campagnes": [["campaign_id", "budget"], ["K1", 1000]],
        },
    )
    report = import_file(store, "calls", path, mode="skip-invalid")
    assert (report.file_format, report.inserted, report.rejected) == ("excel", 2, 1)
    assert [(r.line, r.column) for r in report.rejects] == [(5, "started_at")]
    assert rows(store, "SELECT call_id, started_at, talk_s FROM calls ORDER BY 1") == [
        {"call_id": "c1", "started_at": dt.datetime(2024, 1, 5, 10, 0), "talk_s": 12.5},
        {"call_id": "c2", "started_at": dt.datetime(2024, 1, 5, 11, 0), "talk_s": 3.0},
    ]
    import_file(store, "campaigns", path, sheet="Campagnes")
    assert rows(store, "SELECT budget FROM campaigns") == [{"budget": 1000.0}]
    with pytest.raises(DataImportError, match="no sheet named 'Nope'; sheets: Appels, Campagnes"):
        import_file(store, "campaigns", path, sheet="Nope")


def test_parquet_and_json_lines(store: Store, tmp_path: Path) -> None:
    parquet = tmp_path / "calls.parquet"
    store.execute(
        f"COPY (SELECT 'c1' AS call_id, 'K1' AS campaign_id, TIMESTAMP '2024-01-05 10:00' "
        f"AS started_at, 12.5 AS talk_s, 'sale' AS outcome) TO '{parquet}' (FORMAT parquet)"
    )
    jsonl = write_text(
        tmp_path,
        "calls.jsonl",
        '{"call_id": "c2", "campaign_id": "K1", "started_at": "2024-01-05T11:00:00Z", '
        '"talk_s": 3, "outcome": "busy"}\n'
        '{"call_id": "c3", "campaign_id": "K1", "started_at": "2024-01-05 12:00", '
        '"outcome": "no_answer", "extra": {"nested": true}}\n',
    )
    assert import_file(store, "calls", parquet).file_format == "parquet"
    report = import_file(store, "calls", jsonl, profile="generic", timezone="UTC")
    assert (report.file_format, report.inserted, report.ignored_columns) == ("jsonl", 2, ["extra"])
    assert rows(store, "SELECT call_id, started_at, talk_s FROM calls ORDER BY 1") == [
        {"call_id": "c1", "started_at": dt.datetime(2024, 1, 5, 10, 0), "talk_s": 12.5},
        {"call_id": "c2", "started_at": dt.datetime(2024, 1, 5, 11, 0), "talk_s": 3.0},
        {"call_id": "c3", "started_at": dt.datetime(2024, 1, 5, 12, 0), "talk_s": None},
    ]


def test_a_bad_byte_in_a_utf8_file_is_a_bad_row(store: Store, tmp_path: Path) -> None:
    """Wrong encoding on one line of a file that is UTF-8 (its head says so): that line only."""
    data = "campaign_id,name\nK1,Été\n".encode() + b"K2,caf\xe9\nK3,ok\n"
    path = write_bytes(tmp_path, "mixed.csv", data)
    report = import_file(store, "campaigns", path, mode="skip-invalid")
    assert (report.encoding, report.inserted, report.rejected) == ("utf-8", 2, 1)
    (reject,) = report.rejects
    assert (reject.line, reject.code) == (3, "bad_row") and "not valid" in reject.message


def test_an_atomic_refusal_of_a_cp1252_file_is_not_retried(store: Store, tmp_path: Path) -> None:
    data = "campaign_id;budget\nK1;5 €\n".encode("cp1252")
    with pytest.raises(DataImportError) as caught:
        import_file(store, "campaigns", write_bytes(tmp_path, "euro.csv", data))
    report = caught.value.report  # type: ignore[attr-defined]
    assert (report.encoding, report.rejects[0].value) == ("cp1252", "5 €")
