"""The demo as CSV files: byte-deterministic, plain formats, and read back to the same tables."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import re
from pathlib import Path

import pyarrow as pa
import pyarrow.csv as pacsv
import pytest

from callkpi.demo import DemoSpec, build_tables, write_csv_dir
from callkpi.demo.export import csv_bytes
from callkpi.store.schema import TABLES

SPEC = DemoSpec(calls=20_000, seed=11, start=dt.date(2025, 3, 1), months=12)
ARROW_TYPES = {
    "string": pa.string(),
    "int64": pa.int64(),
    "float64": pa.float64(),
    "boolean": pa.bool_(),
    "date": pa.date32(),
    "timestamp": pa.timestamp("s"),
}
PATTERNS = {
    "int64": r"-?\d+",
    "float64": r"-?\d+(\.\d+)?",
    "boolean": r"true|false",
    "date": r"\d{4}-\d{2}-\d{2}",
    "timestamp": r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}",
}


@pytest.fixture(scope="module")
def tables() -> dict[str, pa.Table]:
    return build_tables(SPEC)


@pytest.fixture(scope="module")
def csv_dir(tables: dict[str, pa.Table], tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("demo_csv")
    write_csv_dir(tables, out)
    return out


def digests(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


def test_one_file_per_table(tables: dict[str, pa.Table], csv_dir: Path, tmp_path: Path) -> None:
    paths = write_csv_dir(tables, tmp_path / "again")
    assert [p.name for p in paths] == [f"{name}.csv" for name in TABLES]
    assert sorted(p.name for p in csv_dir.iterdir()) == sorted(f"{n}.csv" for n in TABLES)


def test_same_spec_gives_identical_bytes(csv_dir: Path, tmp_path: Path) -> None:
    write_csv_dir(build_tables(SPEC), tmp_path)
    assert digests(tmp_path) == digests(csv_dir)


def test_another_seed_gives_other_bytes(csv_dir: Path, tmp_path: Path) -> None:
    other = DemoSpec(calls=SPEC.calls, seed=SPEC.seed + 1, start=SPEC.start, months=SPEC.months)
    write_csv_dir(build_tables(other), tmp_path)
    mine, theirs = digests(csv_dir), digests(tmp_path)
    assert mine["calls.csv"] != theirs["calls.csv"]
    assert mine["targets.csv"] == theirs["targets.csv"]


def test_fields_use_plain_formats(csv_dir: Path, tables: dict[str, pa.Table]) -> None:
    for name, spec in TABLES.items():
        text = (csv_dir / f"{name}.csv").read_text(encoding="utf-8")
        assert "\r" not in text
        rows = list(csv.reader(text.splitlines()))
        assert rows[0] == spec.column_names
        assert len(rows) - 1 == tables[name].num_rows
        for i, column in enumerate(spec.columns):
            pattern = PATTERNS.get(column.type)
            if pattern is None:
                continue
            regex = re.compile(pattern)
            values = [row[i] for row in rows[1:]]
            nulls = tables[name][column.name].null_count
            assert sum(v == "" for v in values) == nulls, (name, column.name)
            assert all(regex.fullmatch(v) for v in values if v), (name, column.name)


def test_files_read_back_to_the_same_tables(csv_dir: Path, tables: dict[str, pa.Table]) -> None:
    for name, spec in TABLES.items():
        types = {c.name: ARROW_TYPES[c.type] for c in spec.columns}
        read = pacsv.read_csv(
            csv_dir / f"{name}.csv",
            convert_options=pacsv.ConvertOptions(
                column_types=types, strings_can_be_null=True, quoted_strings_can_be_null=False
            ),
        )
        expected = tables[name]
        for column in spec.columns:
            got = read[column.name]
            if column.type == "timestamp":
                got = got.cast(pa.timestamp("us"))
            assert got.combine_chunks().equals(expected[column.name].combine_chunks()), (
                name,
                column.name,
            )


def test_values_are_quoted_only_when_needed() -> None:
    data = pa.table(
        {
            "name": ["Côte d'Azur", "a,b", 'say "hi"', "two\nlines", None],
            "amount": [1.5, 2.0, None, 1234567.25, 0.1],
            "at": pa.array([dt.datetime(2025, 1, 2, 3, 4, 5)] * 4 + [None], pa.timestamp("us")),
            "ok": [True, False, None, True, False],
        }
    )
    expected = (
        "name,amount,at,ok\n"
        "Côte d'Azur,1.5,2025-01-02 03:04:05,true\n"
        '"a,b",2,2025-01-02 03:04:05,false\n'
        '"say ""hi""",,2025-01-02 03:04:05,\n'
        '"two\nlines",1234567.25,2025-01-02 03:04:05,true\n'
        ",0.1,,false\n"
    )
    assert csv_bytes(data) == expected.encode("utf-8")
    assert csv_bytes(data.slice(1, 2)) == (
        b'name,amount,at,ok\n"a,b",2,2025-01-02 03:04:05,false\n'
        b'"say ""hi""",,2025-01-02 03:04:05,\n'
    )
