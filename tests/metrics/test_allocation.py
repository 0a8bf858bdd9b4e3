"""Shared costs allocated by each declared rule, worked out by hand."""

from __future__ import annotations

import datetime as dt

import pytest

import callkpi
from callkpi.metrics.query import KpiQuery

JAN = (dt.date(2026, 1, 1), dt.date(2026, 1, 31))


def workspace(rule: str | None) -> callkpi.Workspace:
    ws = callkpi.open(":memory:")
    ws.append("campaigns", [{"campaign_id": "A"}, {"campaign_id": "B"}])
    at = dt.datetime(2026, 1, 10, 10)
    # A: 3 calls with 100 s of talk in all, 1 lead; B: 1 call with 300 s, 3 leads
    ws.append(
        "calls",
        [
            {"call_id": "a1", "campaign_id": "A", "started_at": at, "outcome": "busy",
             "talk_s": 0.0},
            {"call_id": "a2", "campaign_id": "A", "started_at": at, "outcome": "sale",
             "talk_s": 60.0},
            {"call_id": "a3", "campaign_id": "A", "started_at": at, "outcome": "refused",
             "talk_s": 40.0},
            {"call_id": "b1", "campaign_id": "B", "started_at": at, "outcome": "sale",
             "talk_s": 300.0},
        ],
    )  # fmt: skip
    ws.append(
        "leads",
        [{"lead_id": "la", "campaign_id": "A", "created_at": at}]
        + [{"lead_id": f"lb{i}", "campaign_id": "B", "created_at": at} for i in range(3)],
    )
    ws.append(
        "costs",
        [{"cost_id": "s", "campaign_id": None, "period_start": JAN[0], "period_end": JAN[1],
          "kind": "indirect", "category": "software", "amount": 1200.0, "allocation": rule}],
    )  # fmt: skip
    return ws


@pytest.mark.parametrize(
    ("rule", "share_a"),
    [
        ("by_calls", 3 / 4),
        (None, 3 / 4),  # no rule: by calls
        ("by_talk_time", 100 / 400),
        ("by_leads", 1 / 4),
    ],
)
def test_a_shared_cost_follows_its_allocation_rule(rule: str | None, share_a: float) -> None:
    cost = {
        r["campaign"]: r["cost"] for r in workspace(rule).kpis(["cost"], by=["campaign"]).records()
    }
    assert cost == {"A": pytest.approx(1200 * share_a), "B": pytest.approx(1200 * (1 - share_a))}


def test_an_allocated_cost_is_still_spread_over_its_days() -> None:
    ws = workspace("by_calls")
    first_week = ws.kpis(["cost"], by=["campaign"], start="2026-01-01", end="2026-01-07")
    assert {r["campaign"]: r["cost"] for r in first_week.records()} == {
        "A": pytest.approx(900 / 31 * 7),
        "B": pytest.approx(300 / 31 * 7),
    }


def test_costs_are_split_across_lead_sources_only_when_a_query_reads_the_source() -> None:
    """By source, B's 300 EUR follow its leads (2 web, 1 fair); by campaign, the split is
    skipped (its shares add up to 1) and the sums are the same."""
    ws = workspace("by_calls")
    ws.append(
        "leads",
        [{"lead_id": "lw1", "campaign_id": "B", "source": "web",
          "created_at": dt.datetime(2026, 1, 12, 9)}],
    )  # fmt: skip
    ws.store.execute("UPDATE leads SET source = 'web' WHERE lead_id IN ('lb0', 'lb1')")
    ws.store.execute("UPDATE leads SET source = 'fair' WHERE lead_id = 'lb2'")
    ws.rebuild_rollups()
    by_source = {
        (r["campaign"], r["source"]): r["cost"]
        for r in ws.kpis(["cost"], by=["campaign", "source"]).records()
    }
    assert by_source == {
        ("A", None): pytest.approx(900.0),  # A's only lead has no source
        ("B", "web"): pytest.approx(300 * 3 / 4),
        ("B", "fair"): pytest.approx(300 * 1 / 4),
    }
    by_campaign = ws.kpis(["cost"], by=["campaign"]).records()
    assert {r["campaign"]: r["cost"] for r in by_campaign} == {
        "A": pytest.approx(900.0), "B": pytest.approx(300.0),
    }  # fmt: skip
    compiler = ws.compiler
    split = "source_share"
    assert split not in compiler.compile(KpiQuery.build("cost", by="campaign")).sql
    assert split in compiler.compile(KpiQuery.build("cost", by="source")).sql
    assert split in compiler.compile(KpiQuery.build("cost", where={"source": "web"})).sql


def test_cost_lines_of_one_period_and_rule_share_their_allocation() -> None:
    """Costs are merged by campaign, category, kind, rule and period before being spread, and
    shares are worked out once per period and rule: each line must still land where it would
    alone. A: 3 calls, 1 lead; B: 1 call, 3 leads, all on 01-10."""
    ws = workspace("by_calls")  # s: 1200 software, shared by calls over January
    shared = {"campaign_id": None, "kind": "indirect"}
    ws.append(
        "costs",
        [
            # same period and rule as s: merged with it, A 3/4 and B 1/4 of 1200 + 400
            {**shared, "cost_id": "s2", "period_start": JAN[0], "period_end": JAN[1],
             "category": "software", "amount": 400.0, "allocation": "by_calls"},
            # same period, other rule: A 1/4 and B 3/4 of 800
            {**shared, "cost_id": "t", "period_start": JAN[0], "period_end": JAN[1],
             "category": "telecom", "amount": 800.0, "allocation": "by_leads"},
            # same rule, a period without calls: stays unallocated, the others are not
            {**shared, "cost_id": "late", "period_start": dt.date(2026, 1, 20),
             "period_end": JAN[1], "category": "software", "amount": 300.0,
             "allocation": "by_calls"},
        ],
    )  # fmt: skip
    ws.rebuild_rollups()
    for use_rollups in (True, False):  # the rollups' drivers, then the detail tables'

        def cost(
            by: list[str], use_rollups: bool = use_rollups, **period: str
        ) -> dict[tuple[str | None, ...], float]:
            query = KpiQuery.build(["cost"], by=by, **period)
            rows = ws.run(query, rollups=use_rollups).records()
            return {tuple(r[d] for d in by): r["cost"] for r in rows}

        assert cost(["campaign", "cost_category"]) == {
            ("A", "software"): pytest.approx(1200.0),
            ("A", "telecom"): pytest.approx(200.0),
            ("B", "software"): pytest.approx(400.0),
            ("B", "telecom"): pytest.approx(600.0),
            (None, "software"): pytest.approx(300.0),
        }
        assert cost(["campaign"], start="2026-01-01", end="2026-01-07") == {
            ("A",): pytest.approx(1400 / 31 * 7),
            ("B",): pytest.approx(1000 / 31 * 7),
        }
