"""Every campaign KPI against numbers worked out by hand on the small fixture (tests/conftest.py).

The working is in the comments: calls CL01..CL10, leads L1..L4, costs K1..K5, orders O1..O4.
"""

from __future__ import annotations

import pytest

from callkpi.workspace import Workspace

approx = pytest.approx


def one(ws: Workspace, kpi: str, **kwargs: object) -> object:
    result = ws.kpis([kpi], **kwargs)  # type: ignore[arg-type]
    assert len(result) == 1
    return result.records()[0][kpi]


def by(ws: Workspace, kpi: str, dim: str, **kwargs: object) -> dict[object, object]:
    result = ws.kpis([kpi], by=[dim], **kwargs)  # type: ignore[arg-type]
    return {row[dim]: row[kpi] for row in result.records()}


# ---- calls ---------------------------------------------------------------------------------


def test_calls_counts_every_attempt(small_ws: Workspace) -> None:
    assert one(small_ws, "calls") == 10
    assert by(small_ws, "calls", "campaign") == {"C1": 5, "C2": 5}


def test_contacts_are_conversations_with_the_right_person(small_ws: Workspace) -> None:
    # sale CL02, refused CL03, appointment CL05, promise CL06, callback CL08, sale CL10;
    # wrong_party CL09 talked but is not a contact.
    assert one(small_ws, "contacts") == 6


def test_contact_rate_is_contacts_over_calls(small_ws: Workspace) -> None:
    assert one(small_ws, "contact_rate") == approx(6 / 10)
    assert by(small_ws, "contact_rate", "campaign") == {"C1": approx(2 / 5), "C2": approx(4 / 5)}


def test_contact_rate_has_numerator_denominator_and_wilson_interval(small_ws: Workspace) -> None:
    row = small_ws.kpis(["contact_rate"]).records(details=True)[0]
    assert row["contact_rate_numerator"] == 6
    assert row["contact_rate_denominator"] == 10
    # Wilson 95 % for 6/10 (textbook value, e.g. Newcombe 1998 tables): 0.3127 to 0.8318
    assert row["contact_rate_low"] == approx(0.3127, abs=5e-5)
    assert row["contact_rate_high"] == approx(0.8318, abs=5e-5)


def test_hit_rate_is_successes_over_contacts(small_ws: Workspace) -> None:
    # successes: CL02 sale, CL05 appointment, CL06 promise, CL10 sale = 4 of 6 contacts
    assert one(small_ws, "hit_rate") == approx(4 / 6)
    # C1 contacts CL02 (sale), CL03 (refused); C2 CL05, CL06, CL08 (callback), CL10
    assert by(small_ws, "hit_rate", "campaign") == {"C1": approx(1 / 2), "C2": approx(3 / 4)}


def test_inconclusive_calls_are_refused_callback_or_do_not_call(small_ws: Workspace) -> None:
    assert one(small_ws, "inconclusive_calls") == 2  # CL03 refused, CL08 callback


def test_aht_is_talk_hold_wrap_over_handled_calls(small_ws: Workspace) -> None:
    # handled (talk > 0): CL02 390, CL03 90, CL05 300, CL06 240, CL08 120, CL09 15, CL10 250
    assert one(small_ws, "aht") == approx(1405 / 7)
    assert by(small_ws, "aht", "campaign") == {"C1": approx(495 / 3), "C2": approx(910 / 4)}


def test_sales_per_hour_uses_logged_hours_spread_by_handle_time(small_ws: Workspace) -> None:
    # Logged: A1 4 h on 01-06 (only CL02), A2 8 h on 01-06 (CL03), A2 2 h on 01-07 (CL04,
    # no handle time: whole share), A1 3 h on 02-03 split CL08 120 s / CL09 15 s of 135 s.
    # No login data: talk hours of CL05 240 s, CL06 180 s, CL10 200 s (CL01, CL07: 0).
    hours_a1 = 4 + 3 + 240 / 3600
    hours_a2 = 8 + 2 + (180 + 200) / 3600
    assert by(small_ws, "agent_hours", "agent") == {"A1": approx(hours_a1), "A2": approx(hours_a2)}
    assert one(small_ws, "sales_per_hour") == approx(2 / (hours_a1 + hours_a2))
    per_agent = by(small_ws, "sales_per_hour", "agent")
    assert per_agent == {"A1": approx(1 / hours_a1), "A2": approx(1 / hours_a2)}
    # C1 calls: CL02 4 h, CL03 8 h, CL04 2 h, CL09 3 h * 15/135; one sale (CL02)
    c1_hours = 4 + 8 + 2 + 3 * 15 / 135
    assert by(small_ws, "sales_per_hour", "campaign")["C1"] == approx(1 / c1_hours)


# ---- leads -----------------------------------------------------------------------------------


def test_lead_conversion_rate_is_converted_over_generated(small_ws: Workspace) -> None:
    assert one(small_ws, "lead_conversion_rate") == approx(2 / 4)  # L1, L3 of L1..L4


def test_conversion_rate_is_converted_over_contacted(small_ws: Workspace) -> None:
    # contacted: L1 (CL02), L2 (CL03), L3 (CL05...); L4 never called. Converted: L1, L3.
    assert one(small_ws, "conversion_rate") == approx(2 / 3)
    result = small_ws.kpis(["conversion_rate"], by=["campaign"])
    assert {r["campaign"]: r["conversion_rate"] for r in result.records()} == {
        "C1": approx(0.5),
        "C2": approx(1.0),
    }


def test_conversion_rate_with_no_contacted_lead_is_null(small_ws: Workspace) -> None:
    # February: L4 is the only lead created and was never called: 0 / 0 -> null
    feb = small_ws.kpis(["conversion_rate", "leads"], start="2026-02-01", end="2026-02-28")
    assert feb.records() == [{"conversion_rate": None, "leads": 1}]


def test_acquired_customers_are_counted_when_the_lead_converts(small_ws: Workspace) -> None:
    result = small_ws.kpis(["acquired_customers"], by=["campaign"], grain="month")
    assert result.records() == [
        {"campaign": "C1", "period": "2026-01-01", "acquired_customers": 1},  # L1 on 01-10
        {"campaign": "C2", "period": "2026-02-01", "acquired_customers": 1},  # L3 on 02-03
    ]


def test_response_rate_counts_unknown_answers_as_no_answer(small_ws: Workspace) -> None:
    # T1 yes, T2 no, T3 yes, T4 no, T5 unknown: 2 / 5; B2B contacts K1, K3: T1, T3, T5
    assert one(small_ws, "response_rate") == approx(2 / 5)
    assert by(small_ws, "response_rate", "segment") == {"B2B": approx(2 / 3), "B2C": 0.0}


# ---- costs -----------------------------------------------------------------------------------


def test_cost_spreads_pro_rata_and_allocates_shared_costs(small_ws: Workspace) -> None:
    # K1 C1 3100 over January. K2 C2 3000 over 01-16..02-14 (30 days): 1600 Jan, 1400 Feb.
    # K3 shared 3000 in January by calls: C1 4 calls (CL01-04), C2 2 (CL05-06): 2000 / 1000.
    # K4 shared 2800 in February, no rule = by calls: C1 1 (CL09), C2 3: 700 / 2100.
    # K5 shared 620 in March by leads: no lead in March -> stays unallocated (campaign null).
    result = small_ws.kpis(["cost"], by=["campaign"], grain="month")
    assert result.records() == [
        {"campaign": "C1", "period": "2026-01-01", "cost": approx(3100 + 2000)},
        {"campaign": "C2", "period": "2026-01-01", "cost": approx(1600 + 1000)},
        {"campaign": "C1", "period": "2026-02-01", "cost": approx(700)},
        {"campaign": "C2", "period": "2026-02-01", "cost": approx(1400 + 2100)},
        {"campaign": None, "period": "2026-03-01", "cost": approx(620)},
    ]


def test_total_cost_is_never_lost_by_allocation(small_ws: Workspace) -> None:
    assert one(small_ws, "cost") == approx(3100 + 3000 + 3000 + 2800 + 620)


def test_a_period_that_splits_a_cost_gets_its_days_share(small_ws: Workspace) -> None:
    # K2: 100 EUR a day; 01-20..02-02 holds 14 of its days. K3 (C2 share 1000 over 31 days)
    # adds 12 January days of it.
    cost = by(small_ws, "cost", "campaign", start="2026-01-20", end="2026-02-02")
    k4_c2 = 2100 / 28 * 2
    assert cost["C2"] == approx(14 * 100 + 1000 / 31 * 12 + k4_c2)


def test_cost_by_category(small_ws: Workspace) -> None:
    assert by(small_ws, "cost", "cost_category") == {
        "salaries": approx(3100),
        "telecom": approx(3000),
        "software": approx(3000),
        "infrastructure": approx(2800),
        "training": approx(620),
    }


def test_cost_per_lead_call_contact_sale(small_ws: Workspace) -> None:
    c1_cost = 3100 + 2000 + 700
    assert by(small_ws, "cpl", "campaign")["C1"] == approx(c1_cost / 2)  # L1, L2
    assert by(small_ws, "cost_per_call", "campaign")["C1"] == approx(c1_cost / 5)
    assert by(small_ws, "cost_per_contact", "campaign")["C1"] == approx(c1_cost / 2)
    assert by(small_ws, "cost_per_sale", "campaign")["C1"] == approx(c1_cost / 1)  # CL02


def test_cost_per_lead_with_zero_leads_is_null(small_ws: Workspace) -> None:
    assert by(small_ws, "cpl", "campaign")[None] is None  # K5: 620 EUR, no lead


def test_cac_is_cost_over_acquired_customers(small_ws: Workspace) -> None:
    assert by(small_ws, "cac", "campaign") == {
        "C1": approx(5800),
        "C2": approx(1600 + 1400 + 1000 + 2100),
        None: None,
    }


# ---- revenue ---------------------------------------------------------------------------------


def test_revenue_is_attributed_by_campaign_code_or_last_call(small_ws: Workspace) -> None:
    # O1 1000 campaign C1; O2 2500 tracking code TRK2 -> C2; O3 500 no code: last call to K1
    # within 30 days is CL02 (C1, 26 days before); O4 300: last call to K2 is 45 days before
    # -> not attributed.
    assert by(small_ws, "revenue", "campaign") == {"C1": 1500.0, "C2": 2500.0, None: 300.0}
    assert by(small_ws, "revenue", "agent") == {"A1": 1500.0, "A2": 2500.0, None: 300.0}


def test_revenue_per_call_lead_customer(small_ws: Workspace) -> None:
    assert by(small_ws, "revenue_per_call", "campaign")["C1"] == approx(1500 / 5)
    assert by(small_ws, "revenue_per_lead", "campaign")["C1"] == approx(1500 / 2)
    assert by(small_ws, "revenue_per_customer", "campaign")["C1"] == approx(1500 / 1)  # K1
    assert one(small_ws, "revenue_per_customer") == approx(4300 / 3)  # K1, K2, K3


def test_roi_is_revenue_minus_cost_over_cost(small_ws: Workspace) -> None:
    assert one(small_ws, "roi") == approx((4300 - 12520) / 12520)
    assert by(small_ws, "roi", "campaign")["C1"] == approx((1500 - 5800) / 5800)


# ---- dimensions -----------------------------------------------------------------------------


def test_dimensions_reached_through_lookups(small_ws: Workspace) -> None:
    assert by(small_ws, "calls", "team") == {"T1": 5, "T2": 5}
    # K1 CL01-02, K3 CL05, CL06, CL10 are B2B; K2 CL03, CL04, CL09, K4 CL07-08 are B2C
    assert by(small_ws, "calls", "segment") == {"B2B": 5, "B2C": 5}
    assert by(small_ws, "calls", "source") == {
        "web_form": 2,
        "purchased_list": 3,
        "referral": 3,
        None: 2,  # CL07, CL08 have no lead
    }
    assert by(small_ws, "contacts", "outcome")["sale"] == 2
    assert by(small_ws, "leads", "source") == {"web_form": 2, "purchased_list": 1, "referral": 1}
    assert by(small_ws, "cost", "channel") == {"phone_outbound": approx(11900), None: approx(620)}
