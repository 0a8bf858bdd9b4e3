"""`callkpi profile suggest FILE`: a first profile from a file's header and a sample.

It matches headers against the canonical names and the usual English and French ones
(`synonyms`), guesses the table when none is given, reads the date format and decimal mark
off the sample, and maps the dispositions it recognises. What it cannot tell is written as
YAML comments, so the user knows what to check before importing with the profile.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from callkpi.ingest.encoding import scratch_dir
from callkpi.ingest.profiles import generic_profile, normalise
from callkpi.ingest.sources import open_source, records_sample
from callkpi.ingest.synonyms import HEADER_SYNONYMS, VALUE_SYNONYMS
from callkpi.store import schema
from callkpi.store.duckdb_backend import connect

_SAMPLE = 500
_DATE_CANDIDATES = (
    "%Y-%m-%dT%H:%M:%S.%fZ",
    "%Y-%m-%dT%H:%M:%SZ",
    "%Y-%m-%dT%H:%M:%S%z",
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%dT%H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%Y-%m-%d",
    "%d/%m/%Y %H:%M:%S",
    "%d/%m/%Y %H:%M",
    "%d/%m/%Y",
    "%m/%d/%Y %H:%M:%S",
    "%m/%d/%Y %H:%M",
    "%m/%d/%Y",
    "%d.%m.%Y %H:%M:%S",
    "%d.%m.%Y",
    "%d-%m-%Y %H:%M:%S",
    "%d-%m-%Y",
)


@dataclass
class Suggestion:
    table: str
    data: dict[str, Any]
    comments: list[str] = field(default_factory=list)

    def to_yaml(self) -> str:
        body = yaml.safe_dump(self.data, allow_unicode=True, sort_keys=False, width=100)
        head = "".join(f"# {c}\n" for c in self.comments)
        return head + body


def suggest(path: str | Path, table: str | None = None, sheet: str | None = None) -> Suggestion:
    """Read the header and a sample of `path` and propose a profile (for `table` if given)."""
    file = Path(path)
    con = connect()
    try:
        with scratch_dir() as scratch:
            source = open_source(con, file, generic_profile("calls"), scratch, sheet=sheet)
            rows = records_sample(con, source, _SAMPLE)
            if source.registered:
                con.unregister(source.registered)
    finally:
        con.close()
    header = source.header
    columns = list(zip(*rows, strict=False)) if rows else [() for _ in header]
    chosen = schema.table(table).name if table else _guess_table(header)
    spec = schema.table(chosen)
    used: set[int] = set()
    mapping: dict[str, Any] = {}
    comments = [
        f"profile suggested by callkpi for {file.name} ({source.kind}"
        + (f", {source.encoding}, delimiter {source.delimiter!r}" if source.kind == "csv" else "")
        + "); check it, then: callkpi import FILE --profile THIS.yaml"
    ]
    formats: list[str] = []
    decimal: str | None = None
    for column in spec.columns:
        position = _match(column.name, spec.name, header, used)
        if position is None:
            if column.required:
                comments.append(f"TODO: no column found for required {column.name}")
            continue
        used.add(position)
        values = [str(v) for v in columns[position] if v not in (None, "")]
        entry: dict[str, Any] = {"from": header[position]}
        if column.type in ("timestamp", "date"):
            fmt, note = _date_format(values)
            # ISO with Z or an offset is read (as UTC) without a declared format
            if fmt and "Z" not in fmt and "%z" not in fmt and fmt not in formats:
                formats.append(fmt)
            if note:
                comments.append(f"{column.name}: {note}")
        if column.type == "float64" and any(re.search(r"\d,\d", v) for v in values):
            decimal = ","
        if column.name == "phone" or (spec.name == "calls" and column.name == "contact_id"):
            entry.update({"phone": True, "pseudonymise": True})
        known = VALUE_SYNONYMS.get((spec.name, column.name))
        if known:
            entry["map"], unknown = _value_map(values, known)
            if unknown:
                comments.append(
                    f"{column.name}: values not mapped (rows with them are rejected until you "
                    f"map them): {', '.join(sorted(unknown)[:20])}"
                )
        mapping[column.name] = entry["from"] if list(entry) == ["from"] else entry
    ignored = [h for i, h in enumerate(header) if i not in used and h.strip()]
    if ignored:
        comments.append(f"columns left out: {', '.join(ignored)}")
    data: dict[str, Any] = {
        "name": re.sub(r"\W+", "_", file.stem.lower()).strip("_") or "suggested",
        "table": spec.name,
        "description": f"suggested from {file.name}",
        "timezone": "Europe/Paris",
    }
    if formats:
        data["date_formats"] = formats
    source_data: dict[str, Any] = {}
    if source.kind == "csv" and source.delimiter:
        source_data["delimiter"] = source.delimiter
    if decimal:
        source_data["decimal"] = decimal
    if source_data:
        data["source"] = source_data
    data["columns"] = mapping
    return Suggestion(spec.name, data, comments)


def _names(table: str, column: str) -> list[str]:
    return [column, *HEADER_SYNONYMS.get((table, column), ())]


def _match(column: str, table: str, header: list[str], used: set[int]) -> int | None:
    """The header field for a canonical column: an exact known name, else a close one."""
    normalised = [normalise(h) for h in header]
    wanted = [normalise(n) for n in _names(table, column)]
    for name in wanted:
        for position, found in enumerate(normalised):
            if found == name and position not in used:
                return position
    free = {found: p for p, found in enumerate(normalised) if p not in used and found}
    close = difflib.get_close_matches(normalise(column), list(free), n=1, cutoff=0.85)
    return free[close[0]] if close else None


def _guess_table(header: list[str]) -> str:
    """The table whose required columns the header fills best, then most columns."""
    best, best_score = "calls", (-1, -1)
    for table in schema.TABLES.values():
        used: set[int] = set()
        hits = required = 0
        for column in table.columns:
            position = _match(column.name, table.name, header, used)
            if position is not None:
                used.add(position)
                hits += 1
                required += column.required
        score = (required - len(table.required_columns), hits)
        if score > best_score:
            best, best_score = table.name, score
    return best


def _date_format(values: list[str]) -> tuple[str | None, str | None]:
    """The format that reads every sampled value, and a note when days and months mix."""
    import datetime as dt

    sample = values[:200]
    if not sample:
        return None, None
    fitting = []
    for fmt in _DATE_CANDIDATES:
        try:
            for value in sample:
                dt.datetime.strptime(value.strip(), fmt)
        except ValueError:
            continue
        fitting.append(fmt)
    if not fitting:
        return None, "no single date format reads the sample: check date_formats"
    first = fitting[0]
    swapped = first.replace("%d/%m", "%m/%d") if "%d/%m" in first else None
    if swapped in fitting:
        return first, f"day and month cannot be told apart in the sample; {first} assumed"
    return first, None


def _value_map(values: list[str], known: dict[str, str]) -> tuple[dict[str, str], set[str]]:
    by_normal = {normalise(k): v for k, v in known.items()}
    found: dict[str, str] = {}
    unknown: set[str] = set()
    for value in dict.fromkeys(v.strip() for v in values):
        target = by_normal.get(normalise(value))
        if target is None:
            unknown.add(value)
        else:
            found[value] = target
    return found, unknown
