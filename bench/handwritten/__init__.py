"""The standard workload of issue 6 written by hand, the way an analyst would without callkpi.

Three versions of the same two queries (the campaign KPIs by campaign x month, and those that
can be split by agent by agent x month): DuckDB SQL (`by_sql`), pandas (`by_pandas`) and
Polars (`by_polars`). Each reproduces callkpi's rules from docs/kpis.md by hand (costs spread
per day and shared costs allocated, orders attributed to campaigns, agent hours spread over
the day's calls), because that is the work an analyst would have to do; bench/compare_bench.py
times them against callkpi and tests/test_compare_bench.py keeps them equal to it.

Every version returns, per query, an Arrow table: the dimension (`campaign` or `agent`),
`period` (the month's first day, a date) and one column per KPI, null where a denominator is
0. Each computes every KPI of its query; callkpi's numerators, denominators and Wilson
intervals are not reproduced (an analyst would not write them).
"""

from __future__ import annotations

from callkpi.store.schema import CONTACT_OUTCOMES, INCONCLUSIVE_OUTCOMES, SUCCESS_OUTCOMES

#: The catalog's settings.attribution_window_days, typed in as an analyst would (a test checks).
ATTRIBUTION_WINDOW_DAYS = 30

#: What the pandas and Polars versions load from the store: the columns they need, by table.
COLUMNS: dict[str, tuple[str, ...]] = {
    "calls": (
        "call_id", "campaign_id", "agent_id", "contact_id", "lead_id", "started_at",
        "talk_s", "hold_s", "wrap_s", "outcome",
    ),
    "agent_sessions": ("agent_id", "login_at", "logout_at"),
    "leads": ("lead_id", "contact_id", "campaign_id", "created_at", "converted_at"),
    "costs": ("cost_id", "campaign_id", "period_start", "period_end", "amount", "allocation"),
    "orders": ("order_id", "contact_id", "ordered_at", "amount", "campaign_id", "tracking_code"),
    "campaigns": ("campaign_id", "tracking_code"),
}  # fmt: skip


def select(table: str) -> str:
    """The SELECT that loads a table's needed columns."""
    return f"SELECT {', '.join(COLUMNS[table])} FROM {table}"


__all__ = [
    "ATTRIBUTION_WINDOW_DAYS",
    "COLUMNS",
    "CONTACT_OUTCOMES",
    "INCONCLUSIVE_OUTCOMES",
    "SUCCESS_OUTCOMES",
    "select",
]
