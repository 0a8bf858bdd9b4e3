"""After the sale: support tickets, satisfaction surveys and the non-call touches.

Tickets are handled by agents on duty that day; surveys follow calls and tickets and lean on
the agent's care for customers (so satisfaction differs by agent) and on how the call or ticket
went; touches (e-mails, SMS, LinkedIn messages, meetings) nurture leads and customers.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from callkpi.demo.calendar import DAY, HOUR, MINUTE, Period
from callkpi.demo.contacts import Contacts
from callkpi.demo.customers import Customers
from callkpi.demo.dialer import Calls
from callkpi.demo.leads import Leads
from callkpi.demo.outcomes import (
    APPOINTMENT,
    CONTACT_MIN,
    DO_NOT_CALL,
    PROMISE,
    REFUSED,
    SALE,
    categorical,
)
from callkpi.demo.reference import B2B
from callkpi.demo.staff import Staff

TICKET_CHANNELS = ("phone", "email", "chat")
TOUCH_CHANNELS = ("email", "sms", "linkedin", "meeting")
T_EMAIL, T_SMS, T_LINKEDIN, T_MEETING = range(4)
RESPONSE_P = np.array([0.18, 0.10, 0.28, 0.85])
SURVEY_KINDS = ("nps", "csat")
NPS, CSAT = range(2)
NONE = -1


@dataclass
class Tickets:
    """Support tickets (resolved = -1 while open)."""

    contact: np.ndarray
    agent: np.ndarray
    opened: np.ndarray
    resolved: np.ndarray  # -1 while unresolved
    fcr: np.ndarray
    channel: np.ndarray


@dataclass
class Surveys:
    """Survey answers (campaign = -1 after a ticket)."""

    contact: np.ndarray
    agent: np.ndarray
    campaign: np.ndarray  # -1 after a ticket
    at: np.ndarray
    kind: np.ndarray
    score: np.ndarray


@dataclass
class Touches:
    """Non-call interactions."""

    contact: np.ndarray
    at: np.ndarray
    channel: np.ndarray
    inbound: np.ndarray
    responded: np.ndarray


def _lognormal(rng: np.random.Generator, median: float, sigma: float, n: int) -> np.ndarray:
    return median * np.exp(rng.normal(0.0, sigma, n))


def _next_staffed_day(staff: Staff, n_days: int) -> np.ndarray:
    """For each day, the first day at or after it with someone logged in (-1 if none)."""
    staffed = np.diff(staff.day_ptr) > 0
    nxt = np.where(staffed, np.arange(n_days), n_days)
    nxt = np.minimum.accumulate(nxt[::-1])[::-1]
    return np.where(nxt < n_days, nxt, NONE)


def build_tickets(
    customers: Customers, contacts: Contacts, staff: Staff, period: Period, rng: np.random.Generator
) -> Tickets:
    """Customers open a ticket now and then while they are customers (companies more
    often); phone and chat tickets are mostly solved at once, e-mails take hours, a few stay
    open."""
    total = period.total_s
    until = np.minimum(customers.active_until, total)
    b2b = contacts.segment[customers.contact] == B2B
    months = np.maximum(until - customers.since, 0) / (30.44 * DAY)
    owner = np.repeat(
        np.arange(customers.since.size), rng.poisson(np.where(b2b, 0.12, 0.07) * months)
    )
    wish = customers.since[owner] + (
        rng.random(owner.size) * (until - customers.since)[owner]
    ).astype(np.int64)
    day = _next_staffed_day(staff, period.n_days)[period.local_day(wish)]
    ok = day >= 0
    owner, day = owner[ok], day[ok]
    opened = period.utc(day, rng.integers(int(8.5 * HOUR), int(18.5 * HOUR), day.size))
    ok = (opened >= customers.since[owner] + HOUR) & (opened < total)
    owner, day, opened = owner[ok], day[ok], opened[ok]
    n = owner.size
    n_present = staff.day_ptr[day + 1] - staff.day_ptr[day]
    agent = staff.day_agents[staff.day_ptr[day] + (rng.random(n) * n_present).astype(np.int64)]
    channel = categorical(rng, np.array([[0.5, 0.3, 0.2]]), np.zeros(n, dtype=np.int64))
    fcr_p = np.array([0.72, 0.45, 0.62])[channel] + 0.08 * staff.care[agent]
    fcr = rng.random(n) < fcr_p
    quick = np.select(
        [channel == 0, channel == 2],
        [rng.uniform(3 * MINUTE, 25 * MINUTE, n), rng.uniform(5 * MINUTE, 40 * MINUTE, n)],
        _lognormal(rng, 3 * HOUR, 0.6, n),
    )
    slow = np.maximum(_lognormal(rng, 30 * HOUR, 1.0, n), 2 * HOUR)
    resolved = opened + np.where(fcr, quick, slow).astype(np.int64)
    stuck = rng.random(n) < 0.015
    resolved = np.where((resolved < total) & ~stuck, resolved, NONE)
    order = np.lexsort((owner, opened))
    contact = customers.contact[owner]
    return Tickets(
        contact[order], agent[order], opened[order], resolved[order], fcr[order], channel[order]
    )


def _scores(rng: np.random.Generator, kind: np.ndarray, mood: np.ndarray) -> np.ndarray:
    z = mood + rng.normal(0.0, 1.0, mood.size)
    nps = np.clip(np.round(8.2 + 1.5 * z), 0, 10)
    csat = np.clip(np.round(4.1 + 0.8 * z), 1, 5)
    return np.where(kind == NPS, nps, csat).astype(np.float64)


def build_surveys(
    calls: Calls,
    call_contact: np.ndarray,
    tickets: Tickets,
    staff: Staff,
    period: Period,
    rng: np.random.Generator,
) -> Surveys:
    """A few contacts answer a survey after a conversation or a resolved ticket."""
    total = period.total_s
    # People who refused or asked not to be called again rarely answer a survey.
    answer_p = np.where(np.isin(calls.outcome, (REFUSED, DO_NOT_CALL)), 0.015, 0.05)
    idx = np.nonzero((calls.outcome >= CONTACT_MIN) & (rng.random(calls.outcome.size) < answer_p))[
        0
    ]
    effect = np.zeros(11)
    effect[[REFUSED, DO_NOT_CALL, PROMISE, APPOINTMENT, SALE]] = [-0.7, -1.5, 0.4, 0.5, 0.9]
    c_mood = staff.care[calls.agent[idx]] + effect[calls.outcome[idx]]
    c_at = calls.start[idx] + (calls.ring + calls.talk)[idx].astype(np.int64)
    c_at = c_at + rng.integers(5 * MINUTE, 48 * HOUR, idx.size)
    c_kind = np.where(rng.random(idx.size) < 0.4, NPS, CSAT)
    t = np.nonzero((tickets.resolved >= 0) & (rng.random(tickets.resolved.size) < 0.15))[0]
    slow = tickets.resolved[t] - tickets.opened[t] > 48 * HOUR
    t_mood = staff.care[tickets.agent[t]] + np.where(tickets.fcr[t], 0.6, -0.3) - 0.5 * slow
    t_at = tickets.resolved[t] + rng.integers(10 * MINUTE, 72 * HOUR, t.size)
    t_kind = np.where(rng.random(t.size) < 0.3, NPS, CSAT)
    kind = np.concatenate([c_kind, t_kind])
    at = np.concatenate([c_at, t_at])
    score = _scores(rng, kind, np.concatenate([c_mood, t_mood]))
    contact = np.concatenate([call_contact[idx], tickets.contact[t]])
    agent = np.concatenate([calls.agent[idx], tickets.agent[t]])
    campaign = np.concatenate([calls.campaign[idx], np.full(t.size, NONE)])
    keep = at < total
    order = np.lexsort((contact[keep], at[keep]))
    return Surveys(*(x[keep][order] for x in (contact, agent, campaign, at, kind, score)))


def build_touches(
    n_target: int,
    calls: Calls,
    call_contact: np.ndarray,
    call_segment: np.ndarray,
    leads: Leads,
    customers: Customers,
    contacts: Contacts,
    period: Period,
    rng: np.random.Generator,
) -> Touches:
    """Meetings after company appointments, then nurturing touches to leads and customers."""
    total = period.total_s
    appt = np.nonzero((calls.outcome == APPOINTMENT) & (call_segment == B2B))[0]
    m_at = calls.start[appt] + np.maximum(_lognormal(rng, 5 * DAY, 0.5, appt.size), DAY).astype(
        np.int64
    )
    m_contact = call_contact[appt]
    rest = max(n_target - appt.size, 0)
    n_lead, n_cust = rest * 55 // 100, rest - rest * 55 // 100
    lead_b2b = contacts.segment[leads.contact] == B2B
    p = np.where(lead_b2b, 2.0, 1.0)
    li = rng.choice(leads.contact.size, size=n_lead, p=p / p.sum())
    l_at = leads.created[li] + np.maximum(
        _lognormal(rng, 3 * DAY, 1.0, n_lead), 10 * MINUTE
    ).astype(np.int64)
    l_channel = np.where(
        lead_b2b[li],
        categorical(rng, np.array([[0.5, 0.15, 0.35, 0.0]]), np.zeros(n_lead, dtype=np.int64)),
        categorical(rng, np.array([[0.6, 0.4, 0.0, 0.0]]), np.zeros(n_lead, dtype=np.int64)),
    )
    until = np.minimum(customers.active_until, total)
    span = np.maximum(until - customers.since, 1).astype(np.float64)
    ci = (
        rng.choice(span.size, size=n_cust, p=span / span.sum())
        if span.size
        else np.zeros(0, np.int64)
    )
    c_at = customers.since[ci] + (rng.random(ci.size) * span[ci]).astype(np.int64)
    c_b2b = contacts.segment[customers.contact[ci]] == B2B
    c_channel = np.where(
        c_b2b,
        categorical(rng, np.array([[0.45, 0.25, 0.15, 0.15]]), np.zeros(ci.size, dtype=np.int64)),
        categorical(rng, np.array([[0.6, 0.4, 0.0, 0.0]]), np.zeros(ci.size, dtype=np.int64)),
    )
    contact = np.concatenate([m_contact, leads.contact[li], customers.contact[ci]])
    at = np.concatenate([m_at, l_at, c_at])
    channel = np.concatenate([np.full(appt.size, T_MEETING), l_channel, c_channel])
    inbound = (channel != T_MEETING) & (rng.random(at.size) < 0.08)
    at = np.where(inbound, at, period.office_hours(at, rng))  # people write back any time
    responded = inbound | (rng.random(at.size) < RESPONSE_P[channel])
    keep = at < total
    order = np.lexsort((contact[keep], at[keep]))
    return Touches(*(x[keep][order] for x in (contact, at, channel, inbound, responded)))
