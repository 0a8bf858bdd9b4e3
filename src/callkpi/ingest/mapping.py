"""From a profile and a file's header to one SQL text expression per canonical column.

Each canonical column the file can fill gets a `Mapped`: the SQL giving its text (trimmed,
empty = NULL, after extract / map / phone / pseudonym steps), the SQL of the raw text quoted
in rejects, and any extra checks the mapping implies (a value missing from a map, a phone
number that is not one). Expressions read the source columns `c0, c1, ...` (file order).
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field

from callkpi.errors import DataImportError
from callkpi.ingest.profiles import REJECT, ColumnSpec, Profile, normalise
from callkpi.ingest.rules import lit, q
from callkpi.store import schema

#: Names of the SQL functions the importer registers for one import (see `phones`).
E164_FUNCTION = "ck_import_e164"


@dataclass(frozen=True)
class ExtraCheck:
    """A check the mapping adds: `flag` is a SQL boolean over the source row."""

    code: str
    flag: str
    message: str


@dataclass
class Mapped:
    name: str
    text: str
    raw: str
    headers: list[str]
    personal: bool = False
    checks: list[ExtraCheck] = field(default_factory=list)


@dataclass
class Mapping:
    """Every canonical column the file fills, plus what was left aside.

    `cleaned` gives, for each source position used, the SQL of its cleaned text (read as
    `s._s<position>` by the expressions): trimmed when it feeds text, only NULL-if-empty
    when it feeds a typed column directly (conversions ignore spaces; trimming 10M values
    costs more than converting them).
    """

    columns: dict[str, Mapped]
    ignored: list[str]
    notes: list[str]
    cleaned: dict[int, str] = field(default_factory=dict)


@dataclass
class _Context:
    index: dict[str, int]  # normalised header -> position
    header: list[str]
    profile: Profile
    pseudonymise: bool  # a key was given
    used: set[int] = field(default_factory=set)
    trimmed: set[int] = field(default_factory=set)
    typed: bool = False  # the column being built is not text

    def column(self, position: int, *, plain: bool = False) -> str:
        """The cleaned source field; `plain` when it goes straight to a typed column."""
        self.used.add(position)
        if not (plain and self.typed):
            self.trimmed.add(position)
        return f"s.{q(f'_s{position}')}"


def map_columns(profile: Profile, header: list[str], *, pseudonymise: bool) -> Mapping:
    """Resolve the profile against the header; refuse a file that cannot fill the table."""
    table = schema.table(profile.table)
    if profile.strict:
        _check_strict(table, header)
    index: dict[str, int] = {}
    for position, name in enumerate(header):
        index.setdefault(normalise(name), position)
    context = _Context(index, header, profile, pseudonymise)
    columns: dict[str, Mapped] = {}
    notes: list[str] = []
    for name, spec in profile.columns.items():
        personal = name in table.personal_data or spec.phone or spec.pseudonymise
        context.typed = table.column(name).type != "string"
        built = _build(spec, context, name)
        if built is None:
            continue
        text, raw, checks, headers = built
        if spec.pseudonymise and not pseudonymise and name not in table.personal_data:
            notes.append(
                f"{name} left empty: it would hold personal data ({', '.join(headers)}); "
                "give a pseudonym key to fill it with a keyed hash"
            )
            continue
        columns[name] = Mapped(name, text, raw, headers, personal, checks)
    missing = [c for c in table.required_columns if c not in columns]
    if missing:
        wanted = "; ".join(f"{c} from {_wanted(profile.columns.get(c))}" for c in missing)
        raise DataImportError(
            f"the file cannot fill the required column(s) of {table.name} with profile "
            f"{profile.name!r}: {wanted} (header: {', '.join(header)})"
        )
    ignored = [h for i, h in enumerate(header) if i not in context.used and h.strip()]
    cleaned = {
        p: (_trimmed(p) if p in context.trimmed else f"nullif(s.{q(f'c{p}')}, '')")
        for p in sorted(context.used)
    }
    return Mapping(columns, ignored, notes, cleaned)


def _check_strict(table: schema.Table, header: list[str]) -> None:
    """The canonical profile: every header field must be a column of the table."""
    names = [h.strip().lower() for h in header]
    known = table.column_names
    if not any(name in known for name in names):
        raise DataImportError(
            f"no header row for table {table.name}: the first line names none of its columns "
            f"({', '.join(known)}); for another tool's export use a profile (--profile "
            "generic, a shipped one, or your own from `callkpi profile suggest FILE`)"
        )
    problems: list[str] = []
    for position, name in enumerate(names, start=1):
        if not name:
            problems.append(f"column {position} of the header has no name")
        elif name not in known:
            close = difflib.get_close_matches(name, known, n=1, cutoff=0.6)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            problems.append(f"unknown column {name!r} for table {table.name}{hint}")
    for name in sorted({n for n in names if n and names.count(n) > 1}):
        problems.append(f"column {name!r} appears more than once in the header")
    missing = [c for c in table.required_columns if c not in names]
    if missing:
        problems.append(f"missing required column(s): {', '.join(missing)}")
    if problems:
        raise DataImportError("; ".join(problems))


def _wanted(spec: ColumnSpec | None) -> str:
    if spec is None:
        return "nothing (not in the profile)"
    names = spec.from_ or spec.concat or [n for s in spec.coalesce for n in s.from_ + s.concat]
    return " or ".join(repr(n) for n in names) or "a constant"


def _find(context: _Context, names: list[str]) -> int | None:
    for name in names:
        position = context.index.get(normalise(name))
        if position is not None:
            return position
    return None


def _trimmed(position: int) -> str:
    """A source field trimmed of spaces and tabs, NULL when empty (trim only if needed:
    `trim` costs ~4x a LIKE test on 10M values)."""
    x = f"s.{q(f'c{position}')}"
    edges = " OR ".join(f"{x} LIKE {p}" for p in ("' %'", "'% '", "'\t%'", "'%\t'"))
    return f"nullif(CASE WHEN {edges} THEN trim({x}, ' \t') ELSE {x} END, '')"


_Built = tuple[str, str, list[ExtraCheck], list[str]]


def _build(spec: ColumnSpec, context: _Context, name: str) -> _Built | None:
    """(text SQL, raw SQL, checks, headers used) for a spec, None when the file lacks it."""
    headers: list[str] = []
    if spec.coalesce:
        parts = [b for b in (_build(s, context, name) for s in spec.coalesce) if b is not None]
        if not parts:
            return None
        if len(parts) == 1:
            return parts[0]
        text = f"coalesce({', '.join(p[0] for p in parts)})"
        # the raw text quoted in a reject: that of the part that gave the value, else the
        # first one there is (which explains why no part gave one)
        whens = " ".join(f"WHEN {p[0]} IS NOT NULL THEN {p[1]}" for p in parts)
        raw = f"CASE {whens} ELSE coalesce({', '.join(p[1] for p in parts)}) END"
        checks = [c for p in parts for c in p[2]]
        return text, raw, checks, [h for p in parts for h in p[3]]
    if spec.value is not None:
        base = raw = lit(spec.value)
    elif spec.concat:
        positions = [_find(context, [n]) for n in spec.concat]
        if any(p is None for p in positions):
            return None
        found = [p for p in positions if p is not None]
        headers = [context.header[p] for p in found]
        joined = ", ".join(context.column(p) for p in found)
        base = raw = f"nullif(concat_ws('|', {joined}), '')"
    else:
        position = _find(context, spec.from_)
        if position is None:
            return None
        headers = [context.header[position]]
        plain = not (spec.extract or spec.map is not None or spec.minus or spec.phone)
        base = raw = context.column(position, plain=plain and not spec.pseudonymise)
    checks: list[ExtraCheck] = []
    if spec.minus:
        other = _find(context, [spec.minus])
        if other is None:
            return None
        headers.append(context.header[other])
        other_sql = _number(context.column(other))
        base = raw = f"CAST({_number(base)} - coalesce({other_sql}, 0) AS VARCHAR)"
    if spec.extract:
        base = f"nullif(regexp_extract({base}, {lit(spec.extract)}, 1), '')"
    if spec.map is not None:
        base, unmapped = _map_sql(base, spec.map, spec.other)
        if unmapped is not None:
            where = ", ".join(headers) or "the value"
            checks.append(
                ExtraCheck("bad_value", unmapped, f"not in the profile's map for {where}")
            )
    if spec.phone:
        region = lit(context.profile.phone_region)
        phone = f"{E164_FUNCTION}({base}, {region})"
        checks.append(
            ExtraCheck("bad_value", f"{base} IS NOT NULL AND {phone} IS NULL", "not a phone number")
        )
        base = phone
    if spec.pseudonymise and context.pseudonymise:
        base = _hmac_sql(base)
    if spec.when is not None:
        condition = _find(context, spec.when.from_)
        if condition is None:
            return None
        values = ", ".join(lit(v.strip().lower()) for v in spec.when.in_)
        holds = f"list_contains([{values}], lower({context.column(condition)}))"
        base = f"CASE WHEN {holds} THEN {base} END"
        raw = f"CASE WHEN {holds} THEN {raw} END"
        checks = [ExtraCheck(c.code, f"{holds} AND {c.flag}", c.message) for c in checks]
    return base, raw, checks, headers


def _number(text: str) -> str:
    return f"TRY_CAST(replace({text}, ',', '.') AS DOUBLE)"


def _map_sql(
    text: str, mapping: dict[str, str | None], other: str | None
) -> tuple[str, str | None]:
    """CASE over the lower-cased text; the flag SQL for a value the map does not know."""
    if not mapping:
        return text, None
    whens = " ".join(
        f"WHEN {lit(key)} THEN {'NULL' if value is None else lit(value)}"
        for key, value in mapping.items()
    )
    fallback = "NULL" if other in (None, REJECT) else lit(other)
    sql = f"CASE lower({text}) {whens} ELSE {fallback} END"
    if other != REJECT:
        return sql, None
    keys = ", ".join(lit(k) for k in mapping)
    return sql, f"{text} IS NOT NULL AND NOT list_contains([{keys}], lower({text}))"


def _hmac_sql(text: str) -> str:
    """HMAC-SHA256 of the text, keyed by the $ck_ipad / $ck_opad parameters (never stored)."""
    inner = f"unhex(sha256($ck_ipad || encode({text})))"
    return f"CASE WHEN {text} IS NOT NULL THEN left(sha256($ck_opad || {inner}), 32) END"
