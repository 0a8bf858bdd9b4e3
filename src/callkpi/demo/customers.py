"""Customers and their orders: a first order at conversion, repeat purchases until churn.

Amounts are drawn in "value units" here and priced per campaign later (see costs.calibrate),
because a campaign's revenue must be set against its costs to get the intended ROI mix.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from callkpi.demo.calendar import DAY, Period
from callkpi.demo.contacts import Contacts
from callkpi.demo.deals import Deals
from callkpi.demo.leads import Leads
from callkpi.demo.reference import B2B, EMAIL, OBJECTIVES, SMS, TIER_VALUE, Campaigns

MONTH = 30.44 * DAY
NONE = -1
#: Repeat purchases per customer and month, by sector (assurance ... retail).
REPEAT_RATE = np.array([0.1, 0.12, 0.2, 0.1, 0.05, 0.45])
CHURN_PER_MONTH = {B2B: 0.015, 1 - B2B: 0.03}
TIER_P = np.array([[0.45, 0.38, 0.17], [0.55, 0.33, 0.12]])  # by segment


@dataclass
class Customers:
    """One row per converted contact."""

    contact: np.ndarray
    since: np.ndarray
    churned: np.ndarray  # -1 when still a customer
    tier: np.ndarray
    previous_tier: np.ndarray  # -1 when unchanged

    @property
    def active_until(self) -> np.ndarray:
        return np.where(self.churned >= 0, self.churned, np.iinfo(np.int64).max)


@dataclass
class Orders:
    """Orders before pricing (amounts in value units)."""

    contact: np.ndarray
    at: np.ndarray
    base: np.ndarray  # value units
    campaign: np.ndarray  # campaign_id column (-1 = null)
    tracking: np.ndarray  # campaign whose tracking code the order carries (-1 = null)
    credited: np.ndarray  # campaign the order is meant to be attributed to (-1 = none)
    priced_by: np.ndarray  # campaign whose unit value prices the order


def pick_active(
    campaigns: Campaigns, day: np.ndarray, allowed: np.ndarray, rng: np.random.Generator
) -> np.ndarray:
    """A random campaign among those `allowed` and running on `day`, or -1 if none."""
    rows = campaigns.active[day] & allowed[None, :]
    count = rows.sum(axis=1)
    target = (rng.random(day.size) * count).astype(np.int64)
    cum = np.cumsum(rows, axis=1)
    choice = (cum <= target[:, None]).sum(axis=1)
    return np.where(count > 0, choice, NONE)


def build_customers(
    leads: Leads,
    deals: Deals,
    contacts: Contacts,
    campaigns: Campaigns,
    period: Period,
    rng: np.random.Generator,
) -> tuple[Customers, Orders]:
    """Customers from conversions (churn, upsells, downgrades) and all their orders."""
    total = period.total_s
    conv = np.nonzero(leads.converted >= 0)[0]
    conv = conv[np.lexsort((conv, leads.converted[conv], leads.contact[conv]))]
    contact, at, camp = leads.contact[conv], leads.converted[conv], leads.campaign[conv]
    segment = contacts.segment[contact]
    deal = leads.deal[conv]
    has_deal = deal >= 0
    drawn = (rng.random(conv.size)[:, None] >= np.cumsum(TIER_P, 1)[segment][:, :-1]).sum(1)
    tier = np.where(has_deal, deals.tier[np.maximum(deal, 0)], drawn)
    scale = np.where(segment == B2B, 2.5, 1.0)
    base = np.where(
        has_deal,
        deals.base[np.maximum(deal, 0)],
        TIER_VALUE[tier] * scale * np.exp(rng.normal(0, 0.3, conv.size)),
    )
    # First orders: phone conversions carry campaign and code (or only the code, or nothing:
    # then the last call attributes them); e-mail and SMS buyers only carry the code.
    messaging = np.isin(campaigns.channel[camp], (EMAIL, SMS))
    u = rng.random(conv.size)
    first_campaign = np.where(~messaging & (has_deal | (u < 0.7)), camp, NONE)
    first_tracking = np.where(messaging | has_deal | (u < 0.85), camp, NONE)

    # One customer per contact, from its first conversion.
    first = np.r_[True, contact[1:] != contact[:-1]]
    c_contact, since, tier0, c_seg = contact[first], at[first], tier[first], segment[first]
    c_camp = camp[first]
    n = c_contact.size
    hazard = np.where(c_seg == B2B, CHURN_PER_MONTH[B2B], CHURN_PER_MONTH[1 - B2B])
    churn_at = since + DAY + (rng.exponential(1.0, n) / hazard * MONTH).astype(np.int64)
    churned = np.where(churn_at < total, churn_at, NONE)
    end = np.minimum(np.where(churned >= 0, churned, total), total)
    up_at = (
        since + 20 * DAY + (rng.random(n) * np.maximum(end - since - 20 * DAY, 0)).astype(np.int64)
    )
    upsold = (tier0 < 2) & (rng.random(n) < 0.14) & (up_at < end) & (end - since > 20 * DAY)
    downgraded = ~upsold & (tier0 > 0) & (rng.random(n) < 0.03)
    tier_now = np.where(upsold, tier0 + 1, np.where(downgraded, tier0 - 1, tier0))
    previous = np.where(upsold | downgraded, tier0, NONE)
    customers = Customers(c_contact, since, churned, tier_now, previous)

    # Upgrade orders, credited to an upsell campaign running that day when there is one.
    upsell = campaigns.objective == OBJECTIVES.index("upsell")
    up_idx = np.nonzero(upsold)[0]
    up_camp = pick_active(campaigns, period.local_day(up_at[up_idx]), upsell, rng)
    up_base = 0.8 * TIER_VALUE[tier_now[up_idx]] * np.where(c_seg[up_idx] == B2B, 2.5, 1.0)

    # Repeat purchases while a customer, a share of them prompted by a retention campaign.
    months = np.maximum(end - since - DAY, 0) / MONTH
    rate = REPEAT_RATE[contacts.sector[c_contact]] * np.where(c_seg == B2B, 1.5, 1.0)
    k = rng.poisson(rate * months)
    owner = np.repeat(np.arange(n), k)
    rep_at = (
        since[owner]
        + DAY
        + (rng.random(owner.size) * (end[owner] - since[owner] - DAY)).astype(np.int64)
    )
    nurture = campaigns.objective != OBJECTIVES.index("acquisition")
    rep_camp = pick_active(campaigns, period.local_day(rep_at), nurture, rng)
    prompted = (rng.random(owner.size) < 0.3) & (rep_camp >= 0)
    rep_camp = np.where(prompted, rep_camp, NONE)
    with_id = rng.random(owner.size) < 0.5
    rep_base = (
        0.3 * TIER_VALUE[tier0[owner]] * np.where(c_seg[owner] == B2B, 2.5, 1.0)
        * np.exp(rng.normal(0, 0.5, owner.size))
    )  # fmt: skip

    orders = Orders(
        contact=np.concatenate([contact, c_contact[up_idx], c_contact[owner]]),
        at=np.concatenate([at, up_at[up_idx], rep_at]),
        base=np.concatenate([base, up_base, rep_base]),
        campaign=np.concatenate([first_campaign, up_camp, np.where(with_id, rep_camp, NONE)]),
        tracking=np.concatenate([first_tracking, up_camp, rep_camp]),
        credited=np.concatenate([camp, up_camp, rep_camp]),
        priced_by=np.concatenate(
            [
                camp,
                np.where(up_camp >= 0, up_camp, c_camp[up_idx]),
                np.where(rep_camp >= 0, rep_camp, c_camp[owner]),
            ]
        ),
    )
    return customers, orders
