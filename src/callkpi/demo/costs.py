"""Costs per campaign and month, shared overheads, and the pricing that sets each campaign's
revenue against them.

Salaries follow the agents' logged-in time (hours x hourly cost), spread over the calls of the
day by handle time exactly as the `staffed_calls` source does, so cost per call and sales per
hour agree. Order amounts are then priced per campaign so that revenue / cost lands near the
ratio each campaign was designed for (see reference.TEMPLATES): most pay off, a few do not,
whatever the number of calls asked for.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from callkpi.demo.calendar import Period
from callkpi.demo.customers import Orders
from callkpi.demo.deals import Deals
from callkpi.demo.dialer import Calls
from callkpi.demo.leads import Leads
from callkpi.demo.reference import (
    B2B,
    EMAIL,
    LIST,
    PARTNER,
    SMS,
    SOCIAL,
    TRADE_SHOW,
    Campaigns,
)
from callkpi.demo.staff import Staff
from callkpi.store.schema import ALLOCATION_RULES, COST_CATEGORIES

CATEGORY = {name: i for i, name in enumerate(COST_CATEGORIES)}
RULE = {name: i for i, name in enumerate(ALLOCATION_RULES)}
DIRECT, INDIRECT = 0, 1
#: Shared costs: category, monthly amount (EUR), allocation rule, months per invoice (1 or 3).
SHARED = (
    ("software", 2_200.0, "by_calls", 3),
    ("infrastructure", 2_600.0, "by_talk_time", 1),
    ("supervision", 19_000.0, "by_talk_time", 1),
    ("training", 1_600.0, "by_leads", 3),
)


@dataclass
class Costs:
    """Cost rows in cost-id order, plus totals used to price the orders."""

    campaign: np.ndarray  # -1 for shared costs
    first_day: np.ndarray  # day index of period_start
    last_day: np.ndarray  # day index of period_end (inclusive)
    category: np.ndarray
    kind: np.ndarray
    amount: np.ndarray
    allocation: np.ndarray  # -1 for direct costs
    direct_by_campaign: np.ndarray
    shared_total: float


def _call_costs(
    calls: Calls, staff: Staff, login: np.ndarray, logout: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Salary and telecom cost of every call."""
    handle = calls.talk + calls.hold + calls.wrap
    per_session_handle = np.bincount(calls.session, weights=handle, minlength=staff.n_sessions)
    per_session_calls = np.bincount(calls.session, minlength=staff.n_sessions)
    share = np.where(
        per_session_handle[calls.session] > 0,
        handle / np.maximum(per_session_handle[calls.session], 1e-9),
        1.0 / np.maximum(per_session_calls[calls.session], 1),
    )
    session_cost = (logout - login) / 3600.0 * staff.hourly_cost[staff.s_agent]
    salary = share * session_cost[calls.session]
    minutes = (calls.ring + calls.talk + calls.hold) / 60.0
    telecom = np.where(calls.inbound, 0.025 * minutes, 0.012 + 0.018 * minutes)
    return salary, telecom


def _invoice_periods(period: Period, span: int) -> list[tuple[int, int]]:
    """(first, last) month indexes of each invoice: every month, or calendar quarters (cut at
    the ends of the period)."""
    starts = period.month_starts[:-1]
    keys = [(d.year, (d.month - 1) // span) for d in starts]
    groups: list[tuple[int, int]] = []
    for m, key in enumerate(keys):
        if m > 0 and key == keys[m - 1]:
            groups[-1] = (groups[-1][0], m)
        else:
            groups.append((m, m))
    return groups


def build_costs(
    period: Period,
    campaigns: Campaigns,
    staff: Staff,
    sessions: np.ndarray,
    calls: Calls,
    leads: Leads,
    lead_segment: np.ndarray,
    sends: np.ndarray,
) -> Costs:
    """Direct costs by campaign, month and category, then shared costs by month or quarter."""
    n_c, n_m = campaigns.n, period.n_months
    salary, telecom = _call_costs(calls, staff, sessions[0], sessions[1])
    call_cm = calls.campaign * n_m + period.month[calls.day]
    lead_cm = leads.campaign * n_m + period.month[period.local_day(leads.created)]
    table = np.zeros((len(COST_CATEGORIES), n_c * n_m))
    table[CATEGORY["salaries"]] = np.bincount(call_cm, weights=salary, minlength=n_c * n_m)
    table[CATEGORY["telecom"]] = np.bincount(call_cm, weights=telecom, minlength=n_c * n_m)
    b2b = lead_segment == B2B
    list_price = np.where(b2b, 6.5, 3.0) * (leads.source == LIST)
    partner_fee = np.where(b2b, 15.0, 8.0) * (leads.source == PARTNER)
    table[CATEGORY["lead_purchase"]] = np.bincount(
        lead_cm, weights=list_price + partner_fee, minlength=n_c * n_m
    )
    ads = 6.0 * (leads.source == SOCIAL)
    table[CATEGORY["advertising"]] = np.bincount(lead_cm, weights=ads, minlength=n_c * n_m)
    month_active = np.zeros((n_c, n_m), dtype=bool)
    for m in range(n_m):
        month_active[:, m] = campaigns.active[period.month == m].any(axis=0)
    phone = campaigns.phone[:, None] & month_active
    email = (campaigns.channel == EMAIL)[:, None]
    sms = (campaigns.channel == SMS)[:, None]
    fixed = np.where(phone, 90.0, 0.0).ravel()
    table[CATEGORY["telecom"]] += fixed
    per_send = np.where(email, 0.004 * sends + 350.0 * (sends > 0), 0.0)
    per_send += np.where(sms, 0.065 * sends + 150.0 * (sends > 0), 0.0)
    table[CATEGORY["advertising"]] += per_send.ravel()
    shows = campaigns.source_p[:, TRADE_SHOW] >= 0.5
    first_month = period.month[campaigns.start_day]
    for c in np.nonzero(shows)[0]:
        table[CATEGORY["other"], c * n_m + first_month[c]] += 4_500.0
    table = np.round(table, 2)
    table[:, ~month_active.ravel()] = 0.0

    cat, cell = np.nonzero(table > 0)
    camp, month = cell // n_m, cell % n_m
    month_first = np.array([(period.month_range(m)[0] - period.start).days for m in range(n_m)])
    month_last = np.array([(period.month_range(m)[1] - period.start).days for m in range(n_m)])
    rows = [
        (camp, month_first[month], month_last[month], cat, np.full(cat.size, DIRECT),
         table[cat, cell], np.full(cat.size, -1))
    ]  # fmt: skip
    shared_total = 0.0
    for name, monthly, rule, span in SHARED:
        for m0, m1 in _invoice_periods(period, span):
            amount = round(monthly * (m1 - m0 + 1), 2)
            shared_total += amount
            one = np.ones(1, dtype=np.int64)
            rows.append(
                (-one, month_first[m0] * one, month_last[m1] * one, CATEGORY[name] * one,
                 INDIRECT * one, np.array([amount]), RULE[rule] * one)
            )  # fmt: skip
    parts = [np.concatenate([r[i] for r in rows]) for i in range(7)]
    order = np.lexsort((parts[3], np.where(parts[0] < 0, n_c, parts[0]), parts[1]))
    direct = table.sum(axis=0).reshape(n_c, n_m).sum(axis=1)
    return Costs(
        campaign=parts[0][order].astype(np.int64),
        first_day=parts[1][order].astype(np.int64),
        last_day=parts[2][order].astype(np.int64),
        category=parts[3][order].astype(np.int64),
        kind=parts[4][order].astype(np.int64),
        amount=parts[5][order].astype(np.float64),
        allocation=parts[6][order].astype(np.int64),
        direct_by_campaign=direct,
        shared_total=shared_total,
    )


def calibrate(
    campaigns: Campaigns, costs: Costs, calls: Calls, leads: Leads, orders: Orders
) -> np.ndarray:
    """EUR per value unit for each campaign: designed revenue/cost ratio x (direct costs + its
    share of shared costs) / the value units of the orders credited to it."""
    n = campaigns.n
    call_share = np.bincount(calls.campaign, minlength=n) / max(calls.campaign.size, 1)
    lead_share = np.bincount(leads.campaign, minlength=n) / max(leads.campaign.size, 1)
    cost = costs.direct_by_campaign + costs.shared_total * (0.85 * call_share + 0.15 * lead_share)
    credited = orders.credited >= 0
    units = np.bincount(orders.credited[credited], weights=orders.base[credited], minlength=n)
    unit = np.divide(campaigns.value * cost, units, out=np.zeros(n), where=units > 0)
    priced = (unit > 0) & campaigns.phone
    typical = float(np.median(unit[priced])) if priced.any() else 100.0
    # E-mail and SMS cost next to nothing: they sell at the usual prices (and earn a lot).
    return np.where(priced, unit, typical)


def price(
    unit: np.ndarray, orders: Orders, deals: Deals, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Order amounts and margins (25-45 %), and deal amounts, in EUR (cents)."""
    amount = np.maximum(np.round(unit[orders.priced_by] * orders.base, 2), 5.0)
    margin = np.round(amount * rng.uniform(0.25, 0.45, amount.size), 2)
    deal_amount = np.maximum(np.round(unit[deals.campaign] * deals.base, 2), 5.0)
    return amount, margin, deal_amount


def budgets(direct_by_campaign: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Each campaign's planned budget: its direct costs give or take, rounded to 500 EUR."""
    planned = direct_by_campaign * rng.uniform(0.95, 1.25, direct_by_campaign.size)
    return np.maximum(np.round(planned / 500.0) * 500.0, 500.0)
