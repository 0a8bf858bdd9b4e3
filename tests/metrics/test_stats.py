from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from callkpi.metrics.stats import wilson_interval


def test_wilson_textbook_values() -> None:
    # Newcombe (1998), table I: 81/263 -> 0.2553 to 0.3662; 0/10 -> 0 to 0.2775
    low, high = wilson_interval([81, 0], [263, 10])
    assert np.round(low, 4).tolist() == [0.2553, 0.0]
    assert np.round(high, 4).tolist() == [0.3662, 0.2775]


def test_wilson_without_trials_is_nan() -> None:
    low, high = wilson_interval([0], [0])
    assert math.isnan(low[0]) and math.isnan(high[0])


@given(
    st.integers(min_value=1, max_value=10**7).flatmap(
        lambda n: st.tuples(st.integers(min_value=0, max_value=n), st.just(n))
    )
)
def test_wilson_interval_holds_the_rate_and_stays_in_0_1(case: tuple[int, int]) -> None:
    k, n = case
    low, high = wilson_interval([k], [n])
    assert 0.0 <= low[0] <= k / n + 1e-12
    assert k / n - 1e-12 <= high[0] <= 1.0


# Each example runs a DuckDB query: on a busy machine one can exceed Hypothesis's 200 ms.
@settings(deadline=None)
@given(
    st.lists(
        st.integers(min_value=0, max_value=10**6).flatmap(
            lambda n: st.tuples(st.integers(min_value=0, max_value=n), st.just(n))
        ),
        min_size=1,
        max_size=30,
    )
)
def test_wilson_in_sql_matches_the_numpy_reference(cases: list[tuple[int, int]]) -> None:
    import duckdb
    import ibis

    from callkpi.metrics.stats import wilson_bounds

    table = ibis.table({"k": "int64", "n": "int64"}, name="t")
    low, high = wilson_bounds(table.k, table.n)
    sql = ibis.to_sql(table.select(low=low, high=high), dialect="duckdb")
    con = duckdb.connect()
    con.execute("CREATE TABLE t (k BIGINT, n BIGINT)")
    con.executemany("INSERT INTO t VALUES (?, ?)", cases)
    rows = con.execute(sql).fetchall()
    ref_low, ref_high = wilson_interval([k for k, _ in cases], [n for _, n in cases])
    for (got_low, got_high), want_low, want_high in zip(rows, ref_low, ref_high, strict=True):
        if math.isnan(want_low):
            assert got_low is None and got_high is None
        else:
            assert got_low == pytest.approx(want_low, rel=1e-9, abs=1e-12)
            assert got_high == pytest.approx(want_high, rel=1e-9, abs=1e-12)
