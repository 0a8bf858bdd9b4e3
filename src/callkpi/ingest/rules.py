"""How text becomes typed values, and which rows are refused: all as SQL, so DuckDB checks
millions of rows set-wise and Python only ever sees the (bounded) list of problems.

Every check is a `Check`: a SQL condition over one staged row (alias `s`) that is true when
the row is refused, the column to blame, the reject code and a message. Checks on personal
data never quote other columns' values in their message.
"""

from __future__ import annotations

from dataclasses import dataclass

from callkpi.store import schema
from callkpi.store.schema import ColumnType, Table

#: Spellings accepted for booleans (compared case-insensitively).
TRUE_WORDS = ("true", "1", "yes", "oui", "vrai")
FALSE_WORDS = ("false", "0", "no", "non", "faux")

_DATE_RE = r"^(\d{4}-\d{1,2}-\d{1,2}|\d{1,2}/\d{1,2}/\d{4})$"
_TIMESTAMP_RE = (
    r"^(\d{4}-\d{1,2}-\d{1,2}|\d{1,2}/\d{1,2}/\d{4})"
    r"([T ]\d{1,2}:\d{2}(:\d{2}(\.\d{1,9})?)? ?(Z|z|[+-]\d{2}(:?\d{2})?)?)?$"
)
_OFFSET_RE = r":\d{2}(?:\.\d+)? ?(Z|z|[+-]\d{2}(?::?\d{2})?)$"
_DMY_FORMATS = ("%d/%m/%Y %H:%M:%S.%f", "%d/%m/%Y %H:%M:%S", "%d/%m/%Y %H:%M", "%d/%m/%Y")
_INT_RE = r"^[+-]?\d+$"
_FLOAT_RE = r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$"

#: What each type accepts, for `bad_type` messages.
TYPE_HINTS: dict[ColumnType, str] = {
    "string": "text",
    "int64": "expected int64: a whole number like 42",
    "float64": "expected float64: a number like 12.5",
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
#: the referenced table is not empty in the store, so tables may be imported in any order
#: by a user who does not keep the referenced table at all.
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
    """A SQL condition on a staged row (alias `s`) that refuses the row when true."""

    column: str
    code: str
    condition: str
    message: str  # a SQL expression giving the message text


def q(name: str) -> str:
    """A quoted SQL identifier."""
    return '"' + name.replace('"', '""') + '"'


def lit(text: str) -> str:
    """A SQL string literal."""
    return "'" + text.replace("'", "''") + "'"


def key_match(table: Table, left: str, right: str) -> str:
    """SQL matching two aliases on the table's key, nulls equal (a key part may be null)."""
    return " AND ".join(f"{left}.{q(k)} IS NOT DISTINCT FROM {right}.{q(k)}" for k in table.key)


def raw_name(column: str) -> str:
    """The staged column keeping a non-string column's trimmed text, to quote in rejects."""
    return f"_raw_{column}"


def text_sql(column: str) -> str:
    """The trimmed text of a raw CSV field, NULL when empty or blank."""
    return f"nullif(trim({q(column)}, ' ' || chr(9)), '')"


def convert_sql(text: str, type_: ColumnType, delimiter: str) -> str:
    """SQL turning trimmed text (an expression, NULL if empty) into `type_`; NULL if it can't.

    Stricter than DuckDB's casts on purpose: '12.5' is not an int, 'infinity' and 'epoch' are
    not timestamps, and an offset on a timestamp is applied (to UTC) rather than ignored.
    """
    if type_ == "string":
        return text
    if type_ == "int64":
        return (
            f"CASE WHEN regexp_full_match({text}, {lit(_INT_RE)}) "
            f"THEN TRY_CAST({text} AS BIGINT) END"
        )
    if type_ == "float64":
        number = text
        if delimiter == ";":  # a decimal comma is usual in files that use ';'
            number = f"regexp_replace({text}, '^([+-]?\\d*),(\\d+)$', '\\1.\\2')"
        value = f"TRY_CAST({number} AS DOUBLE)"
        return (
            f"CASE WHEN regexp_full_match({number}, {lit(_FLOAT_RE)}) AND isfinite({value}) "
            f"THEN {value} END"
        )
    if type_ == "boolean":
        lowered = f"lower({text})"
        return (
            f"CASE WHEN {lowered} IN ({', '.join(map(lit, TRUE_WORDS))}) THEN TRUE "
            f"WHEN {lowered} IN ({', '.join(map(lit, FALSE_WORDS))}) THEN FALSE END"
        )
    if type_ == "date":
        return (
            f"CASE WHEN regexp_full_match({text}, {lit(_DATE_RE)}) THEN "
            f"CAST(try_strptime({text}, ['%Y-%m-%d', '%d/%m/%Y']) AS DATE) END"
        )
    if type_ == "timestamp":
        return _timestamp_sql(text)
    raise AssertionError(f"unhandled column type {type_}")


def _timestamp_sql(text: str) -> str:
    """ISO or dd/mm/yyyy timestamps; a trailing UTC offset or Z is applied, giving naive UTC."""
    offset = f"regexp_extract({text}, {lit(_OFFSET_RE)}, 1)"
    naive_text = f"rtrim(left({text}, length({text}) - length({offset})))"
    dmy = ", ".join(map(lit, _DMY_FORMATS))
    naive = f"coalesce(TRY_CAST({naive_text} AS TIMESTAMP), try_strptime({naive_text}, [{dmy}]))"
    digits = f"replace(substr({offset}, 2), ':', '')"
    minutes = (
        f"CASE WHEN {offset} IN ('', 'Z', 'z') THEN 0 ELSE "
        f"(CASE WHEN left({offset}, 1) = '-' THEN -1 ELSE 1 END) * "
        f"(CAST(left({digits}, 2) AS INTEGER) * 60 "
        f"+ coalesce(TRY_CAST(nullif(substr({digits}, 3, 2), '') AS INTEGER), 0)) END"
    )
    return (
        f"CASE WHEN regexp_full_match({text}, {lit(_TIMESTAMP_RE)}) THEN "
        f"CAST({naive} AS TIMESTAMP) - to_minutes(CAST({minutes} AS BIGINT)) END"
    )


def value_sql(table: Table, column: str) -> str:
    """The text to quote for `column` of staged row `s` in a reject."""
    if table.column(column).type == "string":
        return f"s.{q(column)}"
    return f"s.{q(raw_name(column))}"


def checks_for(table: Table, present: list[str], references: list[str]) -> list[Check]:
    """Every check for a file of `table` with columns `present`, in reporting order.

    `references` lists the referenced tables that are not empty in the store.
    """
    checks: list[Check] = []
    for column in table.columns:
        if column.name not in present:
            continue
        value = value_sql(table, column.name)
        if column.required:
            checks.append(
                Check(
                    column.name,
                    "missing_required",
                    f"{value} IS NULL",
                    lit("required column is empty"),
                )
            )
        if column.type != "string":
            checks.append(
                Check(
                    column.name,
                    "bad_type",
                    f"{value} IS NOT NULL AND s.{q(column.name)} IS NULL",
                    lit(TYPE_HINTS[column.type]),
                )
            )
    checks.extend(_value_checks(table, present))
    for column, target, target_column in REFERENCES.get(table.name, ()):
        if column in present and target in references:
            condition = (
                f"s.{q(column)} IS NOT NULL AND NOT EXISTS (SELECT 1 FROM {q(target)} r "
                f"WHERE r.{q(target_column)} = s.{q(column)})"
            )
            message = lit(f"not found in {target}.{target_column}")
            checks.append(Check(column, "unknown_reference", condition, message))
    return checks


def _value_checks(table: Table, present: list[str]) -> list[Check]:
    checks: list[Check] = []
    for (name, column), allowed in DOMAINS.items():
        if name == table.name and column in present:
            condition = f"s.{q(column)} NOT IN ({', '.join(map(lit, allowed))})"
            message = lit("expected one of: " + ", ".join(allowed))
            checks.append(Check(column, "bad_value", condition, message))
    for column in NON_NEGATIVE.get(table.name, ()):
        if column in present:
            checks.append(Check(column, "bad_value", f"s.{q(column)} < 0", lit("must be >= 0")))
    for earlier, later in ORDERED.get(table.name, ()):
        if earlier in present and later in present:
            condition = f"s.{q(later)} < s.{q(earlier)}"
            message = f"{lit(f'is before {earlier} ')} || {value_sql(table, earlier)}"
            checks.append(Check(later, "bad_value", condition, message))
    if table.name == "surveys" and "kind" in present and "score" in present:
        for kind, (low, high) in SCORE_RANGES.items():
            condition = f"s.kind = {lit(kind)} AND s.score NOT BETWEEN {low} AND {high}"
            message = lit(f"a {kind} score must be between {low} and {high}")
            checks.append(Check("score", "bad_value", condition, message))
    return checks
