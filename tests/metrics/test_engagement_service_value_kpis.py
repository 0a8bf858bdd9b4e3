"""Engagement, service, email, customer value and source profitability, worked out by hand."""

from __future__ import annotations

import datetime as dt

import pytest

import callkpi
from callkpi.workspace import Workspace

approx = pytest.approx


def ts(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text)


def by(ws: Workspace, kpis: list[str], dim: str, **kwargs: object) -> dict[object, dict]:
    return {r[dim]: r for r in ws.kpis(kpis, by=[dim], **kwargs).records()}  # type: ignore[arg-type]


# ---- engagement -----------------------------------------------------------------------------
# L1 (K1) 03-02 09:00: call 09:03 (no answer), sale call 03-03 10:00, converted 10:05; touch 12:00
# L2 (K2) 03-02 10:00: touch 11:30          L3 (K3) 03-05 08:00: call 08:20 (refused); an
# L4 (K4) 03-06 09:00: nothing              earlier touch 03-01 is before the lead: ignored
# L5 (K1) 03-10 09:00: touch 03-12 09:00, converted 03-13 09:00


@pytest.fixture(scope="module")
def engagement() -> Workspace:
    ws = callkpi.open(":memory:")
    ws.append("campaigns", [{"campaign_id": "C"}])
    leads = [
        ("L1", "K1", "2026-03-02 09:00", "2026-03-03 10:05"),
        ("L2", "K2", "2026-03-02 10:00", None),
        ("L3", "K3", "2026-03-05 08:00", None),
        ("L4", "K4", "2026-03-06 09:00", None),
        ("L5", "K1", "2026-03-10 09:00", "2026-03-13 09:00"),
    ]
    ws.append(
        "leads",
        [
            {"lead_id": i, "contact_id": k, "campaign_id": "C", "created_at": ts(c),
             "converted_at": ts(v) if v else None}
            for i, k, c, v in leads
        ],
    )  # fmt: skip
    calls = [
        ("c1", "K1", "L1", "2026-03-02 09:03", "no_answer", 1),
        ("c2", "K1", "L1", "2026-03-03 10:00", "sale", 2),
        ("c3", "K3", "L3", "2026-03-05 08:20", "refused", 1),
    ]
    ws.append(
        "calls",
        [
            {"call_id": i, "campaign_id": "C", "contact_id": k, "lead_id": lead,
             "started_at": ts(at), "outcome": outcome, "attempt_no": attempt}
            for i, k, lead, at, outcome, attempt in calls
        ],
    )  # fmt: skip
    touches = [
        ("t1", "K1", "2026-03-02 12:00"),
        ("t2", "K2", "2026-03-02 11:30"),
        ("t3", "K3", "2026-03-01 10:00"),
        ("t4", "K1", "2026-03-12 09:00"),
    ]
    ws.append("touches", [{"touch_id": i, "contact_id": k, "at": ts(at)} for i, k, at in touches])
    return ws


def test_speed_to_lead_is_the_median_delay_to_first_call_or_touch(engagement: Workspace) -> None:
    row = engagement.kpis(["speed_to_lead", "leads_never_contacted"]).records()[0]
    # L1 3 min (call before touch), L2 90 min (touch), L3 20 min, L5 2 days; L4 never
    assert row == {"speed_to_lead": approx((20 + 90) / 2), "leads_never_contacted": 1}


def test_conversion_by_response_delay(engagement: Workspace) -> None:
    rows = by(engagement, ["leads", "lead_conversion_rate", "conversion_rate"], "response_delay")
    assert {
        k: (r["leads"], r["lead_conversion_rate"], r["conversion_rate"]) for k, r in rows.items()
    } == {
        "0-5min": (1, 1.0, 1.0),  # L1, reached (sale) and converted
        "5-60min": (1, 0.0, 0.0),  # L3, reached (refused)
        "1-24h": (1, 0.0, None),  # L2, touched but never reached by phone
        "24h+": (1, 1.0, None),  # L5
        "none": (1, 0.0, None),  # L4
    }


def test_touches_to_convert_counts_calls_and_touches_before_conversion(
    engagement: Workspace,
) -> None:
    # L1: c1, c2 and t1 before 03-03 10:05 -> 3; L5: t4 (t1 predates L5) -> 1
    assert engagement.kpis(["touches_to_convert"]).records() == [{"touches_to_convert": 2.0}]


def test_contact_rate_by_attempt_number(engagement: Workspace) -> None:
    rows = by(engagement, ["contact_rate"], "attempt")
    assert {k: r["contact_rate"] for k, r in rows.items()} == {"1": 0.5, "2": 1.0}


# ---- service and email ----------------------------------------------------------------------


@pytest.fixture(scope="module")
def service() -> Workspace:
    ws = callkpi.open(":memory:")
    tickets = [
        ("T1", "A1", "phone", "2026-03-01 10:00", "2026-03-01 12:00", True),
        ("T2", "A1", "email", "2026-03-02 10:00", "2026-03-03 10:00", False),
        ("T3", "A2", "chat", "2026-03-04 10:00", None, False),
        ("T4", "A2", "phone", "2026-03-05 10:00", "2026-03-05 16:00", True),
    ]
    ws.append(
        "tickets",
        [
            {"ticket_id": i, "agent_id": a, "channel": ch, "opened_at": ts(o),
             "resolved_at": ts(r) if r else None, "first_contact_resolved": f}
            for i, a, ch, o, r, f in tickets
        ],
    )  # fmt: skip
    answers = [("nps", s) for s in (10, 9, 8, 7, 6, 0, 10)] + [("csat", s) for s in (5, 4, 3, 1)]
    ws.append(
        "surveys",
        [
            {"response_id": f"R{i}", "kind": kind, "score": float(score),
             "answered_at": ts("2026-03-10 10:00")}
            for i, (kind, score) in enumerate(answers)
        ],
    )  # fmt: skip
    events = [("E1", k, "sent") for k in ("K1", "K2", "K3", "K4")] + [
        ("E1", "K1", "delivered"), ("E1", "K2", "delivered"), ("E1", "K3", "delivered"),
        ("E1", "K4", "bounced"), ("E1", "K1", "opened"), ("E1", "K1", "opened"),
        ("E1", "K2", "opened"), ("E1", "K1", "clicked"), ("E1", "K2", "unsubscribed"),
        ("E2", "K1", "sent"),
    ]  # fmt: skip
    ws.append(
        "email_events",
        [
            {"campaign_id": c, "contact_id": k, "event": e,
             "at": ts("2026-03-10 10:00") + dt.timedelta(minutes=i)}
            for i, (c, k, e) in enumerate(events)
        ],
    )  # fmt: skip
    return ws


def test_ticket_resolution_time_and_fcr(service: Workspace) -> None:
    kpis = [
        "tickets",
        "tickets_resolved",
        "ticket_resolution_time",
        "ticket_resolution_median",
        "fcr",
    ]
    assert service.kpis(kpis).records() == [
        {"tickets": 4, "tickets_resolved": 3, "ticket_resolution_time": approx((2 + 24 + 6) / 3),
         "ticket_resolution_median": 6.0, "fcr": 0.5}
    ]  # fmt: skip
    assert {k: r["fcr"] for k, r in by(service, ["fcr"], "channel").items()} == {
        "chat": 0.0, "email": 0.0, "phone": 1.0
    }  # fmt: skip
    assert by(service, ["ticket_resolution_time"], "agent")["A1"]["ticket_resolution_time"] == 13.0


def test_nps_on_the_0_to_10_scale(service: Workspace) -> None:
    row = service.kpis(["nps", "promoters", "detractors", "nps_responses"]).records()[0]
    # promoters 10, 9, 10; detractors 6, 0; passives 8, 7
    assert row == {"nps": approx(100 * (3 - 2) / 7), "promoters": 3, "detractors": 2,
                   "nps_responses": 7}  # fmt: skip


def test_csat_is_the_share_of_4_and_5(service: Workspace) -> None:
    assert service.kpis(["csat"]).records() == [{"csat": 0.5}]


def test_email_funnel_rates_count_each_recipient_once(service: Workspace) -> None:
    row = by(
        service,
        [
            "emails_sent",
            "delivery_rate",
            "open_rate",
            "click_rate",
            "unsubscribe_rate",
            "bounce_rate",
        ],
        "campaign",
    )["E1"]
    assert row == {"campaign": "E1", "emails_sent": 4, "delivery_rate": 3 / 4, "open_rate": 2 / 3,
                   "click_rate": 1 / 2, "unsubscribe_rate": approx(1 / 3), "bounce_rate": 1 / 4}  # fmt: skip
    # K1 received E1 and E2: two recipients
    assert service.kpis(["emails_sent"]).records() == [{"emails_sent": 5}]


# ---- customer value -------------------------------------------------------------------------
# March 2026: V1 active all month, V2 churned 03-16 (15 days), V3 since 03-11 (21 days).
# Orders: V1 100 (margin 30), V1 200 (margin 60), V3 300 (margin unknown).


@pytest.fixture(scope="module")
def value() -> Workspace:
    ws = callkpi.open(":memory:")
    ws.append(
        "customers",
        [
            {"contact_id": "V1", "since": ts("2026-01-01 00:00")},
            {"contact_id": "V2", "since": ts("2026-02-01 00:00"), "churned_at": ts("2026-03-16 00:00")},
            {"contact_id": "V3", "since": ts("2026-03-11 00:00")},
        ],
    )  # fmt: skip
    ws.append(
        "orders",
        [
            {"order_id": "O1", "contact_id": "V1", "ordered_at": ts("2026-03-05 10:00"),
             "amount": 100.0, "margin": 30.0},
            {"order_id": "O2", "contact_id": "V1", "ordered_at": ts("2026-03-20 10:00"),
             "amount": 200.0, "margin": 60.0},
            {"order_id": "O3", "contact_id": "V3", "ordered_at": ts("2026-03-25 10:00"),
             "amount": 300.0},
        ],
    )  # fmt: skip
    ws.append("campaigns", [{"campaign_id": "C"}])
    ws.append(
        "calls",
        [{"call_id": "x", "campaign_id": "C", "contact_id": "V1", "outcome": "callback",
          "started_at": ts("2026-03-28 10:00")}],
    )  # fmt: skip
    ws.append("touches", [{"touch_id": "y", "contact_id": "V3", "at": ts("2026-03-10 10:00")}])
    return ws


MARCH = {"start": "2026-03-01", "end": "2026-03-31"}


def test_clv_components(value: Workspace) -> None:
    kpis = ["orders", "aov", "margin_rate", "customer_months", "customers_lost",
            "purchase_frequency", "customer_lifetime_months", "clv"]  # fmt: skip
    row = value.kpis(kpis, **MARCH).records()[0]
    months = (31 + 15 + 21) / (365.25 / 12)
    assert row == {
        "orders": 3,
        "aov": 200.0,
        "margin_rate": approx(90 / 300),  # only the orders whose margin is known
        "customer_months": approx(months),
        "customers_lost": 1,
        "purchase_frequency": approx(3 / months),
        "customer_lifetime_months": approx(months / 1),
        "clv": approx(200 * (3 / months) * months * 0.3),  # = 180
    }
    assert row["clv"] == approx(180.0)


def test_clv_without_churn_is_unknown(value: Workspace) -> None:
    row = value.kpis(["clv"], start="2026-03-20", end="2026-03-31").records()[0]
    assert row == {"clv": None}  # nobody left: no lifetime estimate


def test_freshness_is_the_share_of_active_customers_touched_recently(value: Workspace) -> None:
    # active on 04-01: V1 (call 03-28, within 7 days) and V3 (touch 03-10: within 30 only)
    row = value.kpis(["freshness_7d", "freshness_30d", "customers_end"], **MARCH).records()[0]
    assert row == {"freshness_7d": 0.5, "freshness_30d": 1.0, "customers_end": 2}


# ---- profitability by lead source ---------------------------------------------------------
# Campaign S costs 3,100 EUR in March; its March leads: 3 web_form, 1 referral.
# O1 (contact W1) follows a call on W1's web_form lead; O2 (contact R1) has no call but R1's
# referral lead converted before it.


def test_cost_and_revenue_by_lead_source() -> None:
    ws = callkpi.open(":memory:")
    ws.append("campaigns", [{"campaign_id": "S"}])
    ws.append(
        "costs",
        [{"cost_id": "k", "campaign_id": "S", "period_start": dt.date(2026, 3, 1),
          "period_end": dt.date(2026, 3, 31), "amount": 3100.0}],
    )  # fmt: skip
    march = ts("2026-03-02 09:00")
    ws.append(
        "leads",
        [{"lead_id": f"W{i}", "contact_id": f"W{i}", "campaign_id": "S", "source": "web_form",
          "created_at": march} for i in (1, 2, 3)]
        + [{"lead_id": "R1", "contact_id": "R1", "campaign_id": "S", "source": "referral",
            "created_at": march, "converted_at": ts("2026-03-05 09:00")}],
    )  # fmt: skip
    ws.append(
        "calls",
        [{"call_id": "c", "campaign_id": "S", "contact_id": "W1", "lead_id": "W1",
          "outcome": "sale", "started_at": ts("2026-03-10 10:00")}],
    )  # fmt: skip
    ws.append(
        "orders",
        [{"order_id": "O1", "contact_id": "W1", "ordered_at": ts("2026-03-11 10:00"), "amount": 500.0},
         {"order_id": "O2", "contact_id": "R1", "ordered_at": ts("2026-03-12 10:00"), "amount": 1000.0}],
    )  # fmt: skip
    rows = by(ws, ["cost", "cpl", "revenue", "roi", "profit"], "source")
    assert rows["web_form"] == {
        "source": "web_form", "cost": approx(2325.0), "cpl": approx(775.0), "revenue": 500.0,
        "roi": approx((500 - 2325) / 2325), "profit": approx(500 - 2325),
    }  # fmt: skip
    assert rows["referral"]["cost"] == approx(775.0)
    assert rows["referral"]["revenue"] == 1000.0
    assert ws.kpis(["cost"]).records() == [{"cost": approx(3100.0)}]  # nothing lost
