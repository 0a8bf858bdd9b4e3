from __future__ import annotations

import ibis
import pytest

from callkpi.metrics.expressions import ExpressionError, parse

TABLE = ibis.table({"outcome": "string", "talk_s": "float64", "n": "int64"}, name="t")


@pytest.mark.parametrize(
    "text",
    [
        "outcome in contact_outcomes",
        "outcome == 'sale' and talk_s > 0",
        "not (talk_s >= 10 or outcome != 'busy')",
        "outcome in ['sale', 'promise']",
        "outcome is None",
        "outcome is not None",
        "coalesce(talk_s, 0) / n - 1",
        "-abs(talk_s) * 2",
    ],
)
def test_allowed_expressions_compile_to_sql(text: str) -> None:
    expression = parse(text)
    value = expression.compile(lambda name: TABLE[name], {"contact_outcomes": ["sale"]})
    assert "SELECT" in ibis.to_sql(TABLE.select(x=value), dialect="duckdb")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("__import__('os')", "function '__import__' is not allowed"),
        ("talk_s.real", "Attribute is not allowed"),
        ("outcome[0]", "Subscript is not allowed"),
        ("lambda: 1", "Lambda is not allowed"),
        ("1 < talk_s < 3", "chained comparisons"),
        ("talk_s ** 2", "operator Pow is not allowed"),
        ("outcome in [n]", "'in' lists may only hold literals"),
        ("outcome is 'x'", "'is' may only compare with None"),
        ("outcome ==", "syntax error"),
        ("f'{talk_s}'", "JoinedStr is not allowed"),
    ],
)
def test_anything_else_is_refused(text: str, message: str) -> None:
    with pytest.raises(ExpressionError, match=message):
        parse(text)


def test_parse_collects_names() -> None:
    assert parse("(revenue - cost) / cost").names == {"revenue", "cost"}


def test_division_by_zero_is_null() -> None:
    import duckdb

    value = parse("n / talk_s").compile(lambda name: TABLE[name], {})
    sql = ibis.to_sql(TABLE.select(x=value), dialect="duckdb")
    con = duckdb.connect()
    con.execute("CREATE TABLE t (outcome VARCHAR, talk_s DOUBLE, n BIGINT)")
    con.execute("INSERT INTO t VALUES ('a', 0, 5), ('b', 2, 5)")
    assert [r[0] for r in con.execute(sql).fetchall()] == [None, 2.5]
