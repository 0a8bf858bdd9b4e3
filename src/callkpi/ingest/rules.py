"""How text becomes typed values, and which rows are refused: all as SQL, so DuckDB checks
millions of rows set-wise and Python only ever sees the (bounded) list of problems.

Every check is a `Check`: a SQL condition over one typed row (alias `s`: typed columns under
their canonical names, the raw text under `_raw_<column>`) that is true when the row is
refused, the column to blame, the reject code and a message. Conversions have a fast path
(the format most rows use, found on a sample) and a general one for the other rows, so a
well-formed file pays for one regular expression or one `strptime` per value.
"""

from __future__ import annotations

from dataclasses import dataclass

from callkpi.ingest.timezones import utc_sql
from callkpi.store import schema
from callkpi.store.schema import ColumnType, Table

#: Spellings accepted for booleans (compared case-insensitively).
TRUE_WORDS = ("true", "1", "yes", "oui", "vrai")
FALSE_WORDS = ("false", "0", "no", "non", "faux")

_TIMESTAMP_RE = (
    r"^(\d{4}-\d{1,2}-\d{1,2}|\d{1,2}/\d{1,2}/\d{4})"
    r"([T ]\d{1,2}:\d{2}(:\d{2}(\.\d{1,9})?)? ?(Z|z|UTC|[+-]\d{2}(:?\d{2})?)?)?$"
)
_OFFSET_RE = r":\d{2}(?:\.\d+)? ?(Z|z|UTC|[+-]\d{2}(?::?\d{2})?)$"
_DMY_FORMATS = ("%d/%m/%Y %H:%M:%S.%f", "%d/%m/%Y %H:%M:%S", "%d/%m/%Y %H:%M", "%d/%m/%Y")
_DATE_FORMATS = ("%Y-%m-%d", "%Y-%m-%d 00:00:00")
_INT_RE = r"^[+-]?\d+$"
_FLOAT_RE = r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$"
#: Years outside this range are refused: `05/01/24` read with %Y would be year 24.
MIN_YEAR, MAX_YEAR = 1000, 9999
#: Thousands separators removed from numbers: space, no-break space, narrow no-break space.
_GROUPING = "' ' || chr(160) || chr(8239)"

#: What each type accepts, for `bad_type` messages.
TYPE_HINTS: dict[ColumnType, str] = {
    "string": "text",
    "int64": "expected int64: a whole number like 42",
    "float64": "expected float64: a number like 12.5 (or 12,5 / 1 234,5 in a decimal-comma file)",
    "boolean": "expected boolean: " + "/".join(TRUE_WORDS + FALSE_WORDS),
    "date": "expected date: YYYY-MM-DD or dd/mm/yyyy",
    "timestamp": (
        "expected timestamp: YYYY-MM-DD HH:MM[:SS] (or with T, optionally +HH:MM or Z), "
        "or dd/mm/yyyy HH:MM[:SS]"
    ),
}

#: Closed vocabularies: (table, column) -> allowed values (null is always allowed here;
#: required columns are checked separately).
DOMAINS: dict[tuple[str, str], tuple[str, ...]] = {
    ("calls", "outcome"): schema.OUTCOMES,
    ("calls", "direction"): schema.CALL_DIRECTIONS,
    ("costs", "kind"): schema.COST_KINDS,
    ("costs", "allocation"): schema.ALLOCATION_RULES,
    ("deals", "status"): schema.DEAL_STATUSES,
    ("email_events", "event"): schema.EMAIL_EVENTS,
}
NON_NEGATIVE: dict[str, tuple[str, ...]] = {
    "calls": ("ring_s", "talk_s", "hold_s", "wrap_s"),
    "costs": ("amount",),
}
#: table -> (earlier, later) pairs: `later` may not be before `earlier`.
ORDERED: dict[str, tuple[tuple[str, str], ...]] = {
    "costs": (("period_start", "period_end"),),
    "leads": (("created_at", "converted_at"),),
    "tickets": (("opened_at", "resolved_at"),),
    "agent_sessions": (("login_at", "logout_at"),),
}
#: survey kind -> inclusive score range.
SCORE_RANGES: dict[str, tuple[int, int]] = {"nps": (0, 10), "csat": (1, 5)}
#: table -> (column, referenced table, referenced column). A reference is only checked when
#: the referenced table is not empty in the store (or created with `create_missing`).
REFERENCES: dict[str, tuple[tuple[str, str, str], ...]] = {
    "calls": (("campaign_id", "campaigns", "campaign_id"), ("agent_id", "agents", "agent_id")),
    "leads": (("campaign_id", "campaigns", "campaign_id"),),
    "costs": (("campaign_id", "campaigns", "campaign_id"),),
    "orders": (("campaign_id", "campaigns", "campaign_id"),),
    "deals": (("campaign_id", "campaigns", "campaign_id"),),
    "surveys": (("campaign_id", "campaigns", "campaign_id"),),
}


@dataclass(frozen=True)
class Check:
    """A SQL condition on a typed row (alias `s`) that refuses the row when true.

    `message` is plain text; when `quote` names a column, its raw value is appended.
    `suspect` is a cheaper condition that holds whenever `condition` may (the scan tests
    suspects on every row and the exact conditions only on suspect rows).
    """

    column: str
    code: str
    condition: str
    message: str
    quote: str | None = None
    suspect: str | None = None


@dataclass(frozen=True)
class ValueFormats:
    """How one column's text is read: decimal mark, date formats, source time zone."""

    decimal: str = "."
    fast: str | None = None  # the format most sampled values have
    declared: tuple[str, ...] = ()  # formats a profile names
    zone: str = "UTC"
    day_first: bool = True  # dd/mm/yyyy accepted by the general path


def q(name: str) -> str:
    """A quoted SQL identifier."""
    return '"' + name.replace('"', '""') + '"'


def lit(text: str) -> str:
    """A SQL string literal."""
    return "'" + text.replace("'", "''") + "'"


def raw_name(column: str) -> str:
    """The column keeping a mapped column's raw text, to quote in rejects."""
    return f"_raw_{column}"


def convert_sql(text: str, type_: ColumnType, formats: ValueFormats | None = None) -> str:
    """SQL turning trimmed text (an expression, NULL if empty) into `type_`; NULL if it can't.

    Stricter than DuckDB's casts on purpose: '12.5' is not an int, 'infinity' and 'epoch' are
    not timestamps, and an offset on a timestamp is applied (to UTC) rather than ignored.
    """
    formats = formats or ValueFormats()
    if type_ == "string":
        return text
    if type_ == "int64":
        digits = f"translate({text}, {_GROUPING}, '')"
        fast = f"CASE WHEN regexp_full_match({text}, {lit(_INT_RE)}) THEN {text} END"
        general = f"CASE WHEN regexp_full_match({digits}, {lit(_INT_RE)}) THEN {digits} END"
        return f"TRY_CAST(coalesce({fast}, {general}) AS BIGINT)"
    if type_ == "float64":
        return _float_sql(text, formats.decimal)
    if type_ == "boolean":
        lowered = f"lower(trim({text}))"
        return (
            f"CASE WHEN {lowered} IN ({', '.join(map(lit, TRUE_WORDS))}) THEN TRUE "
            f"WHEN {lowered} IN ({', '.join(map(lit, FALSE_WORDS))}) THEN FALSE END"
        )
    if type_ == "date":
        accepted = [*formats.declared, *_DATE_FORMATS]
        if formats.day_first:
            accepted.append("%d/%m/%Y")
        listed = ", ".join(lit(f) for f in dict.fromkeys(accepted))
        trimmed = f"trim({text})"
        parsed = f"try_strptime({trimmed}, [{listed}])"
        day = f"CAST(CASE WHEN {_digit_first(trimmed)} THEN {parsed} END AS DATE)"
        return f"CASE WHEN year({day}) BETWEEN {MIN_YEAR} AND {MAX_YEAR} THEN {day} END"
    if type_ == "timestamp":
        return _timestamp_sql(text, formats)
    raise AssertionError(f"unhandled column type {type_}")


def _float_sql(text: str, decimal: str) -> str:
    """Numbers with '.' or ',' decimals and space, no-break space or dot/comma grouping.

    The fast path (plain digits and one decimal mark) costs one regular expression; other
    spellings go through the general path. Infinite values are refused by the check.
    """
    s = f"translate({text}, {_GROUPING}, '')"
    if decimal == ",":
        # no '.' (thousands?) and no '_' (DuckDB reads 1_000): the cast alone is exact
        simple = f"NOT contains({text}, '.') AND NOT contains({text}, '_')"
        fast = f"CASE WHEN {simple} THEN TRY_CAST(replace({text}, ',', '.') AS DOUBLE) END"
        general = (
            f"CASE WHEN regexp_full_match({s}, '^[+-]?\\d{{1,3}}(\\.\\d{{3}})+(,\\d*)?$') "
            f"THEN replace(replace({s}, '.', ''), ',', '.') "
            f"WHEN regexp_full_match({s}, {lit(_FLOAT_RE)}) THEN {s} "
            f"WHEN regexp_full_match({s}, '^[+-]?(\\d*,\\d+|\\d+,)$') "
            f"THEN replace({s}, ',', '.') END"
        )
    else:
        simple = f"NOT contains({text}, ',') AND NOT contains({text}, '_')"
        fast = f"CASE WHEN {simple} THEN TRY_CAST({text} AS DOUBLE) END"
        general = (
            f"CASE WHEN regexp_full_match({s}, '^[+-]?\\d{{1,3}}(,\\d{{3}})+(\\.\\d*)?$') "
            f"THEN replace({s}, ',', '') "
            f"WHEN regexp_full_match({s}, {lit(_FLOAT_RE)}) THEN {s} END"
        )
    return f"coalesce({fast}, TRY_CAST({general} AS DOUBLE))"


def timestamp_parts(text: str, formats: ValueFormats) -> tuple[str, str]:
    """(naive local SQL, UTC SQL) for a timestamp text; at most one of them is not NULL.

    The naive part (known formats, then ISO or dd/mm/yyyy without an offset) still has to go
    through `utc_sql` with the source zone; the other is a value with an offset or Z, already
    turned into UTC. Kept apart so the zone conversion reads a column, not an expression.
    """
    naive_formats = [f for f in dict.fromkeys(filter(None, [formats.fast, *formats.declared]))]
    aware_formats = [f for f in naive_formats if "%z" in f or "%Z" in f]
    naive_formats = [f for f in naive_formats if f not in aware_formats]
    fast_text, text = text, f"trim({text})"  # the general path also reads padded values
    offset = f"regexp_extract({text}, {lit(_OFFSET_RE)}, 1)"
    bare = f"rtrim(left({text}, length({text}) - length({offset})))"
    parsed = f"TRY_CAST({bare} AS TIMESTAMP)"
    if formats.day_first:
        dmy = ", ".join(map(lit, _DMY_FORMATS))
        parsed = f"coalesce({parsed}, try_strptime({bare}, [{dmy}]))"
    shaped = f"regexp_full_match({text}, {lit(_TIMESTAMP_RE)})"
    general_naive = f"CASE WHEN {shaped} AND {offset} = '' THEN CAST({parsed} AS TIMESTAMP) END"
    naive = [_strptime(fast_text, f) for f in naive_formats] + [general_naive]
    digits = f"replace(substr({offset}, 2), ':', '')"
    minutes = (
        f"(CASE WHEN left({offset}, 1) = '-' THEN -1 ELSE 1 END) * "
        f"(CAST(left({digits}, 2) AS INTEGER) * 60 "
        f"+ coalesce(TRY_CAST(nullif(substr({digits}, 3, 2), '') AS INTEGER), 0))"
    )
    general_aware = (
        f"CASE WHEN {shaped} AND {offset} IN ('Z', 'z', 'UTC') THEN CAST({parsed} AS TIMESTAMP) "
        f"WHEN {shaped} AND {offset} <> '' THEN "
        f"CAST({parsed} AS TIMESTAMP) - to_minutes(CAST({minutes} AS BIGINT)) END"
    )
    aware = [
        f"CAST(timezone('UTC', try_strptime({text}, {lit(f)})) AS TIMESTAMP)" for f in aware_formats
    ] + [general_aware]
    return _coalesce(naive), _coalesce(aware)


def _digit_first(text: str) -> str:
    """Cheap guard: DuckDB's strptime reads 'infinity' or 'epoch' as 1900-01-01."""
    return f"ascii({text}) BETWEEN 48 AND 57"


def _strptime(text: str, fmt: str) -> str:
    if fmt[:2] in ("%Y", "%y", "%d", "%m", "%H", "%e", "%j"):
        return f"CASE WHEN {_digit_first(text)} THEN try_strptime({text}, {lit(fmt)}) END"
    return f"try_strptime({text}, {lit(fmt)})"


def plausible(value: str) -> str:
    """SQL keeping a timestamp column only when its year is plausible (four digits)."""
    return f"CASE WHEN year({value}) BETWEEN {MIN_YEAR} AND {MAX_YEAR} THEN {value} END"


def _coalesce(parts: list[str]) -> str:
    return parts[0] if len(parts) == 1 else f"coalesce({', '.join(parts)})"


def _timestamp_sql(text: str, formats: ValueFormats) -> str:
    """A timestamp in one expression (naive values read in the source zone), as UTC."""
    naive, aware = timestamp_parts(text, formats)
    return f"coalesce({utc_sql(plausible(naive), formats.zone)}, {plausible(aware)})"


def checks_for(table: Table, present: list[str]) -> list[Check]:
    """Every row check for a file of `table` with columns `present`, in reporting order.

    References (`unknown_reference`) are checked after loading, set-wise; see `writing`.
    """
    checks: list[Check] = []
    for column in table.columns:
        if column.name not in present:
            continue
        raw = f"s.{q(raw_name(column.name))}"
        typed = f"s.{q(column.name)}"
        # a typed column's raw text is not trimmed (see mapping): blank = empty
        blank = f" OR ({typed} IS NULL AND trim({raw}) = '')" if column.type != "string" else ""
        suspect = None
        if column.type != "string":
            suspect = (
                f"{typed} IS NULL"
                if column.required
                else f"({typed} IS NULL AND {raw} IS NOT NULL)"
            )
            if column.type == "float64":
                suspect = f"({suspect} OR NOT isfinite({typed}))"
        if column.required:
            checks.append(
                Check(
                    column.name,
                    "missing_required",
                    f"{raw} IS NULL{blank}",
                    "required column is empty",
                    suspect=suspect,
                )
            )
        if column.type != "string":
            refused = f"{typed} IS NULL"
            if column.type == "float64":
                refused = f"({typed} IS NULL OR NOT isfinite({typed}))"
            checks.append(
                Check(
                    column.name,
                    "bad_type",
                    f"{raw} IS NOT NULL AND {refused} AND trim({raw}) <> ''",
                    TYPE_HINTS[column.type],
                    suspect=suspect,
                )
            )
    checks.extend(_value_checks(table, present))
    return checks


def _value_checks(table: Table, present: list[str]) -> list[Check]:
    checks: list[Check] = []
    for (name, column), allowed in DOMAINS.items():
        if name == table.name and column in present:
            # list_contains, not NOT IN: DuckDB turns a long IN list into a join, and a
            # join in the scan would lose the file order the line numbers rely on
            condition = f"NOT list_contains([{', '.join(map(lit, allowed))}], s.{q(column)})"
            message = "expected one of: " + ", ".join(allowed)
            checks.append(Check(column, "bad_value", condition, message))
    signed = [c for c in NON_NEGATIVE.get(table.name, ()) if c in present]
    any_negative = f"least({', '.join(f's.{q(c)}' for c in signed)}) < 0"
    for column in signed:
        checks.append(
            Check(column, "bad_value", f"s.{q(column)} < 0", "must be >= 0", suspect=any_negative)
        )
    for earlier, later in ORDERED.get(table.name, ()):
        if earlier in present and later in present:
            condition = f"s.{q(later)} < s.{q(earlier)}"
            checks.append(Check(later, "bad_value", condition, f"is before {earlier}", earlier))
    if table.name == "surveys" and "kind" in present and "score" in present:
        for kind, (low, high) in SCORE_RANGES.items():
            condition = f"s.kind = {lit(kind)} AND s.score NOT BETWEEN {low} AND {high}"
            message = f"a {kind} score must be between {low} and {high}"
            checks.append(Check("score", "bad_value", condition, message))
    return checks


def key_match(table: Table, left: str, right: str) -> str:
    """SQL matching two aliases on the table's key, nulls equal (a key part may be null)."""
    return " AND ".join(f"{left}.{q(k)} IS NOT DISTINCT FROM {right}.{q(k)}" for k in table.key)
