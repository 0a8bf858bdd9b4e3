"""From calls to lead outcomes: who converted when, who is qualified, lost or still in play.

A lead converts only through what happened to it: a `sale` call (converted when that call
ends), a won deal (company leads qualified by a promise or an appointment), a private
customer signing a few days after a promise or an appointment, or an online purchase after an
e-mail or SMS click. Statuses then follow from the same facts.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from callkpi.demo.calendar import DAY, HOUR, Period
from callkpi.demo.deals import STATUS_LOST, STATUS_WON, Deals, build_deals
from callkpi.demo.dialer import Calls, PhoneLeads
from callkpi.demo.messaging import Messaging
from callkpi.demo.outcomes import (
    APPOINTMENT,
    DO_NOT_CALL,
    PROMISE,
    REFUSED,
    SALE,
    WRONG_PARTY,
)
from callkpi.demo.reference import B2B, WEB, Campaigns

LEAD_STATUSES = ("new", "contacted", "qualified", "converted", "lost")
NEW, CONTACTED, QUALIFIED, CONVERTED, LOST = range(5)
NO = -1


@dataclass
class Leads:
    """Every lead row (phone leads first, then e-mail/SMS leads), not yet in id order."""

    campaign: np.ndarray
    contact: np.ndarray
    source: np.ndarray
    created: np.ndarray
    converted: np.ndarray  # rel seconds or -1
    status: np.ndarray
    deal: np.ndarray  # deal that converted it, or -1
    phone_row: np.ndarray  # call-side lead index -> row here, -1 for service calls


def contact_created(
    n_contacts: int, leads: PhoneLeads, period: Period, rng: np.random.Generator
) -> np.ndarray:
    """When each contact entered the CRM: at or before its first lead (often the lead itself
    created it, else a whole number of days before, at the same time of day); contacts
    without a phone lead appear during office hours of a random day."""
    first = np.full(n_contacts, period.total_s, dtype=np.int64)
    np.minimum.at(first, leads.contact, leads.created)
    used = first < period.total_s
    days_before = (rng.random(n_contacts) * (first // DAY)).astype(np.int64) * DAY
    created = np.where(rng.random(n_contacts) < 0.5, first, first - days_before)
    spare_day = rng.integers(0, period.n_days - 1, n_contacts)
    spare = period.utc(spare_day, rng.integers(int(8.5 * HOUR), 19 * HOUR, n_contacts))
    return np.where(used, created, spare)


def _first_per_lead(lead: np.ndarray, mask: np.ndarray, n: int) -> np.ndarray:
    """Index of the first call (calls are in time order) of each lead matching `mask`."""
    out = np.full(n, NO, dtype=np.int64)
    idx = np.nonzero(mask)[0]
    uniq, pos = np.unique(lead[idx], return_index=True)
    out[uniq] = idx[pos]
    return out


def resolve_leads(
    phone: PhoneLeads,
    calls: Calls,
    messaging: Messaging,
    campaigns: Campaigns,
    period: Period,
    rng: np.random.Generator,
) -> tuple[Leads, Deals]:
    """Conversions, deals and statuses of every lead."""
    n = phone.campaign.size
    total = period.total_s
    end_of_call = calls.start + calls.ring + calls.talk.astype(np.int64)
    sale = _first_per_lead(calls.lead, calls.outcome == SALE, n)
    qualify = _first_per_lead(calls.lead, np.isin(calls.outcome, (PROMISE, APPOINTMENT)), n)
    n_calls = np.bincount(calls.lead, minlength=n)
    last = np.full(n, NO, dtype=np.int64)
    np.maximum.at(last, calls.lead, np.arange(calls.lead.size))  # calls are in time order
    last_outcome = np.where(last >= 0, calls.outcome[np.maximum(last, 0)], NO)
    last_at = np.where(last >= 0, calls.start[np.maximum(last, 0)], NO)

    converted = np.where(sale >= 0, end_of_call[np.maximum(sale, 0)], NO)
    qualified = (qualify >= 0) & (sale < 0)
    q_end = end_of_call[np.maximum(qualify, 0)]
    b2b = phone.segment == B2B
    candidates = np.nonzero(qualified & b2b & (rng.random(n) < 0.8))[0]
    q_call = qualify[candidates]
    deals = build_deals(
        candidates,
        phone.contact[candidates],
        phone.campaign[candidates],
        calls.agent[q_call],
        q_end[candidates],
        period,
        rng,
    )
    won = deals.status == STATUS_WON
    won_deal = np.full(n, NO, dtype=np.int64)
    won_deal[deals.lead[won]] = np.nonzero(won)[0]
    converted[deals.lead[won]] = deals.closed[won]
    deal_lost = np.zeros(n, dtype=bool)
    deal_lost[deals.lead[deals.status == STATUS_LOST]] = True
    # Private customers often sign a few days after a promise or an appointment.
    sign_p = np.where(calls.outcome[np.maximum(qualify, 0)] == APPOINTMENT, 0.45, 0.3)
    later = q_end + np.maximum(4 * DAY * np.exp(rng.normal(0, 0.6, n)), 2 * HOUR).astype(np.int64)
    signs = qualified & ~b2b & (rng.random(n) < sign_p) & (later < total)
    converted = np.where(signs, later, converted)

    closed = np.isin(last_outcome, (REFUSED, DO_NOT_CALL, WRONG_PARTY))
    reached = np.bincount(calls.lead[calls.outcome >= REFUSED], minlength=n) > 0
    in_play = (
        (n_calls < phone.planned)
        & (campaigns.end_day[phone.campaign] >= period.n_days - 1)
        & (last_at >= total - 30 * DAY)
    )
    # New: not called yet (recent); lost: refused, unreachable after every attempt, or
    # dropped when its campaign ended; contacted: a conversation that ended without a
    # decision, or still being dialled.
    status = np.select(
        [
            converted >= 0,
            phone.invalid | deal_lost,
            qualify >= 0,
            (n_calls == 0) & (phone.created >= total - 30 * DAY),
            closed | (n_calls == 0),
            reached | in_play,
        ],
        [CONVERTED, LOST, QUALIFIED, NEW, LOST, CONTACTED],
        LOST,
    )
    keep = ~phone.service
    phone_row = np.where(keep, np.cumsum(keep) - 1, NO)
    m = messaging
    m_status = np.where(
        m.lead_converted >= 0, CONVERTED, np.where(m.lead_created >= total - 21 * DAY, NEW, LOST)
    )
    k = m.lead_campaign.size
    leads = Leads(
        campaign=np.concatenate([phone.campaign[keep], m.lead_campaign]),
        contact=np.concatenate([phone.contact[keep], m.lead_contact]),
        source=np.concatenate([phone.source[keep], np.full(k, WEB)]),
        created=np.concatenate([phone.created[keep], m.lead_created]),
        converted=np.concatenate([converted[keep], m.lead_converted]),
        status=np.concatenate([status[keep], m_status]),
        deal=np.concatenate([won_deal[keep], np.full(k, NO)]),
        phone_row=phone_row,
    )
    deals.lead = phone_row[deals.lead]
    return leads, deals
