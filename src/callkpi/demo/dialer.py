"""Phone leads and their calls: a vectorised dialer that calls each lead until it is closed.

Leads are created every day in proportion to the staff on duty, then called attempt after
attempt (attempt k of every open lead at once). Each attempt is snapped to a real slot: a day
the centre is open (Saturdays and short-staffed days accept fewer calls), an agent logged in
that day (preferably of the campaign's team) and a time inside the session, outside breaks.
The outcome then depends on that moment, and decides whether the lead gets another attempt.
Exactly `n_calls` calls are kept by taking whole leads in random order, and calls are finally
spaced so that an agent never holds two calls at once.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from callkpi.demo.calendar import DAY, HOUR, MINUTE, Period
from callkpi.demo.contacts import REGION_P, SECTOR_P, Contacts
from callkpi.demo.outcomes import (
    CALLBACK,
    HOUR_FACTOR,
    PROMISE,
    WEEKDAY_FACTOR,
    draw_durations,
    draw_outcomes,
    is_terminal,
)
from callkpi.demo.reference import (
    B2B,
    INBOUND,
    INBOUND_CH,
    LIST,
    OBJECTIVES,
    SOCIAL,
    SOURCE_FIRST_DELAY_H,
    SOURCE_REACH,
    SOURCE_SELL,
    WEB,
    Campaigns,
)
from callkpi.demo.slots import SlotFinder
from callkpi.demo.staff import Staff

_RETENTION = OBJECTIVES.index("retention")


@dataclass
class PhoneLeads:
    """Leads of phone campaigns (index = internal lead number)."""

    campaign: np.ndarray
    source: np.ndarray
    segment: np.ndarray
    contact: np.ndarray
    created: np.ndarray  # rel seconds (UTC)
    service: np.ndarray  # inbound service call: no lead row, lead_id null on its calls
    invalid: np.ndarray  # rejected at creation (duplicate, bad data): never called
    planned: np.ndarray  # attempts the dialer would make at most


@dataclass
class Calls:
    """Calls in call-id order (sorted by start time)."""

    lead: np.ndarray
    campaign: np.ndarray
    agent: np.ndarray
    session: np.ndarray
    day: np.ndarray
    start: np.ndarray  # rel seconds (UTC)
    outcome: np.ndarray
    ring: np.ndarray
    talk: np.ndarray
    hold: np.ndarray
    wrap: np.ndarray
    attempt_no: np.ndarray
    inbound: np.ndarray


class _Dialer:
    """Creates phone leads and calls them, one batch at a time."""

    def __init__(
        self,
        period: Period,
        campaigns: Campaigns,
        staff: Staff,
        contacts: Contacts,
        rng: np.random.Generator,
    ) -> None:
        self.period, self.cp, self.staff = period, campaigns, staff
        self.contacts, self.rng = contacts, rng
        self.slots = SlotFinder(period, campaigns, staff, rng)
        weights = campaigns.active * (campaigns.weight * campaigns.phone)[None, :]
        total = weights.sum(axis=1, keepdims=True)
        share = np.divide(weights, total, out=np.zeros_like(weights), where=total > 0)
        # Leads arrive in proportion to the staff on duty, shared among running campaigns.
        self.lead_p = (staff.day_hours[:, None] * share).ravel()
        self.lead_p /= self.lead_p.sum()

    # -- leads -------------------------------------------------------------------------------
    def new_leads(self, n: int) -> tuple[PhoneLeads, dict[str, np.ndarray]]:
        rng, cp, period = self.rng, self.cp, self.period
        flat = rng.choice(self.lead_p.size, size=n, p=self.lead_p)
        day0, campaign = flat // cp.n, flat % cp.n
        cum = np.cumsum(cp.source_p, axis=1)[campaign]
        source = (rng.random(n)[:, None] >= cum[:, :-1]).sum(axis=1)
        segment = np.where(rng.random(n) < cp.b2b[campaign], B2B, 1 - B2B)
        sector = np.where(
            (cp.sector[campaign] >= 0) & (rng.random(n) < 0.85),
            cp.sector[campaign],
            rng.choice(SECTOR_P.size, size=n, p=SECTOR_P),
        )
        region = np.where(
            (cp.region[campaign] >= 0) & (rng.random(n) < 0.8),
            cp.region[campaign],
            rng.choice(REGION_P.size, size=n, p=REGION_P),
        )
        contact = self.contacts.pick(rng, segment, sector, region)
        inbound = source == INBOUND
        web = (source == WEB) | (source == SOCIAL)
        lag = np.where(
            web,
            rng.choice(3, size=n, p=[0.6, 0.3, 0.1]),
            np.where(source == LIST, rng.integers(0, 4, n), rng.integers(0, 2, n)),
        )
        day = np.maximum(day0 - np.where(inbound, 0, lag), cp.start_day[campaign])
        sec = np.where(
            web, rng.uniform(7 * HOUR, 23 * HOUR, n), rng.uniform(8.5 * HOUR, 18 * HOUR, n)
        )
        sec = np.where(inbound, rng.uniform(8.5 * HOUR, 19.5 * HOUR, n), sec).astype(np.int64)
        cap_attempts = cp.max_attempts[campaign]
        attempts = np.where(
            rng.random(n) < 0.85, cap_attempts, rng.integers(1, 1 << 30, n) % cap_attempts + 1
        )
        invalid = ~inbound & (rng.random(n) < 0.04)
        attempts = np.where(invalid, 0, attempts)
        delay_h = SOURCE_FIRST_DELAY_H[source] * np.exp(rng.normal(0, 1.0, n))
        speed = np.select([delay_h < 1, delay_h < 24, delay_h < 72], [1.3, 1.1, 0.95], 0.8)
        service = inbound & (cp.objective[campaign] == _RETENTION) & (rng.random(n) < 0.4)
        leads = PhoneLeads(
            campaign=campaign,
            source=source,
            segment=segment,
            contact=contact,
            created=period.utc(day, sec),
            service=service,
            invalid=invalid,
            planned=attempts,
        )
        hidden = {
            "local": day * DAY + sec,
            "first_delay": np.round(delay_h * HOUR).astype(np.int64),
            "reach": rng.lognormal(-0.125, 0.5, n),
            "quality": rng.lognormal(-0.08, 0.4, n) * speed * SOURCE_SELL[source],
        }
        return leads, hidden

    # -- one batch of leads called to the end --------------------------------------------------
    def run_batch(self, n: int) -> tuple[PhoneLeads, dict[str, np.ndarray]]:
        rng, cp, st, period = self.rng, self.cp, self.staff, self.period
        leads, h = self.new_leads(n)
        camp = leads.campaign
        inbound_lead = cp.channel[camp] == INBOUND_CH
        last_day = np.minimum(cp.end_day[camp], period.n_days - 1)
        prev = h["local"].copy()
        alive = leads.planned >= 1
        after_callback = np.zeros(n, dtype=bool)
        after_promise = np.zeros(n, dtype=bool)
        parts: list[dict[str, np.ndarray]] = []
        for k in range(1, int(leads.planned.max(initial=0)) + 1):
            idx = np.nonzero(alive & (leads.planned >= k))[0]
            if idx.size == 0:
                break
            if k == 1:
                wish = prev[idx] + h["first_delay"][idx]
            else:
                median = np.where(
                    after_callback[idx],
                    6 * HOUR,
                    np.where(after_promise[idx], 72 * HOUR, 20 * HOUR),
                )
                median = np.where(inbound_lead[idx], 48 * HOUR, median)
                gap = median * np.exp(rng.normal(0, 0.75, idx.size))
                wish = prev[idx] + np.maximum(gap, 2 * HOUR).astype(np.int64)
            slot = self.slots.snap(wish, cp.team[camp[idx]], last_day[idx])
            placed = slot["day"] >= 0
            alive[idx[~placed]] = False
            idx = idx[placed]
            slot = {key: v[placed] for key, v in slot.items()}
            c, a, d = camp[idx], slot["agent"], slot["day"]
            seg = leads.segment[idx]
            hour = np.minimum(slot["sec"] // HOUR, 23)
            boost_cb, boost_pr = after_callback[idx], after_promise[idx]
            contact_p = (
                cp.contact[c] * HOUR_FACTOR[seg, hour] * WEEKDAY_FACTOR[seg, period.weekday[d]]
                * st.reach[a] * SOURCE_REACH[leads.source[idx]] * h["reach"][idx]
                * 0.92 ** (k - 1) * np.where(boost_cb, 1.6, 1.0) * np.where(boost_pr, 1.4, 1.0)
            )  # fmt: skip
            contact_p = np.where(inbound_lead[idx], cp.contact[c], contact_p)
            success_p = (
                0.9 * cp.success[c] * st.skill[a] * h["quality"][idx]
                * np.where(boost_cb, 1.25, 1.0) * np.where(boost_pr, 1.8, 1.0)
            )  # fmt: skip
            outcome = draw_outcomes(
                rng,
                contact_p=contact_p,
                success_p=success_p,
                inbound=inbound_lead[idx],
                service=leads.service[idx],
                segment=seg,
                objective=cp.objective[c],
                source=leads.source[idx],
                after_promise=boost_pr,
            )
            final = is_terminal(rng, outcome, boost_pr)
            alive[idx[final]] = False
            after_callback[idx] = outcome == CALLBACK
            after_promise[idx] = (outcome == PROMISE) | boost_pr
            prev[idx] = d * DAY + slot["sec"]
            parts.append({"lead": idx, "outcome": outcome, **slot})
        calls = {key: np.concatenate([p[key] for p in parts]) for key in parts[0]} if parts else {}
        return leads, calls


def _concat_leads(batches: list[PhoneLeads]) -> PhoneLeads:
    fields = PhoneLeads.__dataclass_fields__
    return PhoneLeads(**{f: np.concatenate([getattr(b, f) for b in batches]) for f in fields})


def _push_later(session: np.ndarray, wish: np.ndarray, busy: np.ndarray) -> np.ndarray:
    """start_i = max(wish_i, end of call i-1) within each session, for all sessions at once:
    with D_i the busy time before call i in its session, start_i - D_i is a running maximum
    of wish_i - D_i (calls sorted by session, then wished time)."""
    before = np.cumsum(busy) - busy
    first = np.r_[True, session[1:] != session[:-1]]
    offset = before - before[np.maximum.accumulate(np.where(first, np.arange(session.size), 0))]
    big = np.int64(1) << 34
    key = session * big + (wish - offset) + (big >> 1)
    return np.maximum.accumulate(key) - session * big - (big >> 1) + offset


def _space_calls(
    session: np.ndarray, wish: np.ndarray, busy: np.ndarray, login: np.ndarray, limit: np.ndarray
) -> np.ndarray:
    """Start times so that an agent never holds two calls at once and, when the session can
    hold them, the last call ends by `limit`: push later, pull back before the limit (the
    latest start that still lets every later call fit), never before login."""
    later = _push_later(session, wish, busy)
    last = np.r_[session[1:] != session[:-1], True]
    after = np.cumsum(busy[::-1])[::-1]  # busy time from call i to the end of all calls
    end_group = np.minimum.accumulate(np.where(last, np.arange(session.size), session.size)[::-1])[
        ::-1
    ]
    remaining = after - after[end_group] + busy[end_group]
    latest = limit - remaining
    return _push_later(session, np.maximum(np.minimum(later, latest), login), busy)


def simulate_calls(
    n_calls: int,
    period: Period,
    campaigns: Campaigns,
    staff: Staff,
    contacts: Contacts,
    rng: np.random.Generator,
) -> tuple[PhoneLeads, Calls, np.ndarray]:
    """Leads and exactly `n_calls` calls; also each session's actual login and logout (local
    seconds, shape (2, sessions)), stretched when its calls needed it."""
    dialer = _Dialer(period, campaigns, staff, contacts, rng)
    batches: list[PhoneLeads] = []
    attempts: list[dict[str, np.ndarray]] = []
    offset, total, size = 0, 0, int(n_calls / 2.3 * 1.15) + 200
    while total < n_calls:
        leads, calls = dialer.run_batch(size)
        if calls:
            calls["lead"] = calls["lead"] + offset
            attempts.append(calls)
            total += calls["lead"].size
        batches.append(leads)
        offset += leads.campaign.size
        per_lead = max(total / offset, 0.1)
        size = int((n_calls - total) / per_lead * 1.2) + 200
    leads = _concat_leads(batches)
    att = {key: np.concatenate([a[key] for a in attempts]) for key in attempts[0]}
    # Keep whole leads in random order until exactly n_calls calls.
    order = np.lexsort((att["sec"], att["day"], att["lead"]))
    att = {key: v[order] for key, v in att.items()}
    n_leads = leads.campaign.size
    count = np.bincount(att["lead"], minlength=n_leads)
    perm = rng.permutation(n_leads)
    cum = np.cumsum(count[perm])
    cut = int(np.searchsorted(cum, n_calls))
    keep = np.zeros(n_leads, dtype=bool)
    keep[perm[: cut + 1]] = True
    quota = np.where(keep, count, 0)
    quota[perm[cut]] -= int(cum[cut] - n_calls)
    rank = np.arange(att["lead"].size) - np.searchsorted(att["lead"], att["lead"])
    chosen = rank < quota[att["lead"]]
    att = {key: v[chosen] for key, v in att.items()}
    new_index = np.cumsum(keep) - 1
    leads = PhoneLeads(**{f: getattr(leads, f)[keep] for f in PhoneLeads.__dataclass_fields__})
    att["lead"] = new_index[att["lead"]]
    return _finish(att, leads, period, campaigns, staff, rng)


def _finish(
    att: dict[str, np.ndarray],
    leads: PhoneLeads,
    period: Period,
    campaigns: Campaigns,
    staff: Staff,
    rng: np.random.Generator,
) -> tuple[PhoneLeads, Calls, np.ndarray]:
    """Durations, spacing, final times and attempt numbers; the sessions' actual login and
    logout (local seconds, shape (2, sessions))."""
    camp = leads.campaign[att["lead"]]
    inbound = campaigns.channel[camp] == INBOUND_CH
    ring, talk, hold, wrap = draw_durations(
        rng, att["outcome"], inbound, leads.segment[att["lead"]], staff.talk[att["agent"]]
    )
    busy = (ring + talk + hold + wrap).astype(np.int64) + rng.integers(3, 11, ring.size)
    by_session = np.lexsort((att["sec"], att["session"]))
    s_sorted = att["session"][by_session]
    limit = np.minimum(staff.s_logout + 15 * MINUTE, 20 * HOUR)[s_sorted]
    floor = np.maximum(staff.s_login - HOUR, 8 * HOUR)[s_sorted]
    sec = np.empty_like(att["sec"])
    sec[by_session] = _space_calls(s_sorted, att["sec"][by_session], busy[by_session], floor, limit)
    # A session stretches when its calls need it: the agent came early or left late.
    ends = np.full(staff.n_sessions, -1, dtype=np.int64)
    np.maximum.at(ends, att["session"], sec + busy)
    logout = np.maximum(staff.s_logout, ends + rng.integers(MINUTE, 5 * MINUTE, staff.n_sessions))
    starts = np.full(staff.n_sessions, DAY, dtype=np.int64)
    np.minimum.at(starts, att["session"], sec)
    login = np.minimum(staff.s_login, starts - rng.integers(MINUTE, 5 * MINUTE, staff.n_sessions))
    start = period.utc(att["day"], sec)
    # Inbound leads are created by their first call; an outbound first call pulled back
    # before its lead's creation (a crowded session) makes the lead a little older.
    never = np.iinfo(np.int64).max
    first = np.full(leads.campaign.size, never)
    np.minimum.at(first, att["lead"], start)
    inbound_lead = campaigns.channel[leads.campaign] == INBOUND_CH
    earlier = first - rng.integers(MINUTE, 20 * MINUTE, first.size)
    created = np.where((first < never) & (first <= leads.created), earlier, leads.created)
    leads.created = np.where(inbound_lead & (first < never), first, created)
    order = np.lexsort((att["session"], start))
    by_lead = np.lexsort((start, att["lead"]))
    attempt_no = np.empty(start.size, dtype=np.int64)
    sorted_lead = att["lead"][by_lead]
    attempt_no[by_lead] = np.arange(start.size) - np.searchsorted(sorted_lead, sorted_lead) + 1
    calls = Calls(
        lead=att["lead"][order],
        campaign=camp[order],
        agent=att["agent"][order],
        session=att["session"][order],
        day=att["day"][order],
        start=start[order],
        outcome=att["outcome"][order],
        ring=ring[order],
        talk=talk[order],
        hold=hold[order],
        wrap=wrap[order],
        attempt_no=attempt_no[order],
        inbound=inbound[order],
    )
    return leads, calls, np.stack([login, logout])
