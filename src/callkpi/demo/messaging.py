"""E-mail and SMS campaigns: waves of sends, the e-mail funnel events, and the web-form leads
that clicks produce.

Only contacts who consented (and, for e-mail, have an address) receive a wave, only once they
exist, and an unsubscribe is honoured by every later wave. Their leads are not phoned: they buy
online, and their first order carries the campaign's tracking code only, which exercises the
tracking-code attribution.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from callkpi.demo.calendar import DAY, HOUR, MINUTE, Period
from callkpi.demo.contacts import Contacts
from callkpi.demo.reference import B2C, EMAIL, SMS, Campaigns
from callkpi.store.schema import EMAIL_EVENTS

SENT, DELIVERED, OPENED, CLICKED, UNSUBSCRIBED, BOUNCED = range(6)
assert EMAIL_EVENTS[BOUNCED] == "bounced"


@dataclass
class Messaging:
    """Events (e-mail only), leads and send counts of the e-mail and SMS campaigns."""

    ev_campaign: np.ndarray
    ev_contact: np.ndarray
    ev_at: np.ndarray
    ev_event: np.ndarray
    lead_campaign: np.ndarray
    lead_contact: np.ndarray
    lead_created: np.ndarray
    lead_converted: np.ndarray  # rel seconds, -1 when not converted
    sends: np.ndarray  # (campaigns, months)
    unsubscribed: np.ndarray  # contact indexes


def _waves(period: Period, campaigns: Campaigns) -> list[tuple[int, int]]:
    """(day, campaign) of every wave: e-mails every other Tuesday, SMS every third Thursday."""
    waves: list[tuple[int, int]] = []
    for c in range(campaigns.n):
        channel = campaigns.channel[c]
        if channel not in (EMAIL, SMS):
            continue
        weekday, every = (1, 14) if channel == EMAIL else (3, 21)
        day = int(campaigns.start_day[c])
        while day < period.n_days and period.weekday[day] != weekday:
            day += 1
        while day <= campaigns.end_day[c] - 1:
            send_day = day + 1 if period.holiday[day] else day
            waves.append((send_day, c))
            day += every
    return sorted(waves)


def _lognormal(rng: np.random.Generator, median: float, sigma: float, n: int) -> np.ndarray:
    return median * np.exp(rng.normal(0.0, sigma, n))


def build_messaging(
    period: Period,
    campaigns: Campaigns,
    contacts: Contacts,
    contact_created: np.ndarray,
    rng: np.random.Generator,
) -> Messaging:
    """Send every wave, follow each message down its funnel, and turn some clicks into leads."""
    n_months = period.n_months
    sends = np.zeros((campaigns.n, n_months), dtype=np.int64)
    unsubscribed = np.zeros(contacts.n, dtype=bool)
    events: list[tuple[np.ndarray, ...]] = []
    leads: list[tuple[np.ndarray, ...]] = []
    b2c = contacts.segment == B2C
    for day, c in _waves(period, campaigns):
        is_email = campaigns.channel[c] == EMAIL
        wave_at = int(period.utc(np.array([day]), np.array([(10 if is_email else 11) * HOUR]))[0])
        eligible = b2c & contacts.consent & ~unsubscribed & (contact_created < wave_at)
        if is_email:
            eligible &= contacts.has_email
        share = np.where(contacts.sector == campaigns.sector[c], 0.3, 0.1)
        who = np.nonzero(eligible & (rng.random(contacts.n) < share))[0]
        n = who.size
        sends[c, period.month[day]] += n
        sent = wave_at + rng.integers(0, 2 * HOUR if is_email else 30 * MINUTE, n)
        if is_email:
            bounced = rng.random(n) < 0.025
            delivered_at = sent + rng.integers(2, 90, n)
            opened = ~bounced & (rng.random(n) < 0.2 + 0.06 * (c % 2))
            opened_at = delivered_at + np.maximum(_lognormal(rng, 2.5 * HOUR, 1.3, n), 30).astype(
                np.int64
            )
            clicked = opened & (rng.random(n) < 0.14)
            clicked_at = opened_at + np.maximum(_lognormal(rng, 45, 0.8, n), 5).astype(np.int64)
            unsub = opened & ~clicked & (rng.random(n) < 0.025)
            unsub_at = opened_at + rng.integers(10, 300, n)
            parts = [
                (np.ones(n, bool), sent, SENT),
                (~bounced, delivered_at, DELIVERED),
                (bounced, sent + rng.integers(5, 600, n), BOUNCED),
                (opened, opened_at, OPENED),
                (clicked, clicked_at, CLICKED),
                (unsub, unsub_at, UNSUBSCRIBED),
            ]
            for mask, at, code in parts:
                keep = mask & (at < period.total_s)
                k = int(keep.sum())
                events.append((np.full(k, c), who[keep], at[keep], np.full(k, code)))
            unsubscribed[who[unsub & (unsub_at < period.total_s)]] = True
            lead_mask = clicked & (rng.random(n) < 0.3)
            lead_at = clicked_at + rng.integers(MINUTE, 15 * MINUTE, n)
        else:
            lead_mask = rng.random(n) < 0.97 * 0.035 * 0.4
            lead_at = sent + np.maximum(_lognormal(rng, 20 * MINUTE, 1.0, n), MINUTE).astype(
                np.int64
            )
        last = period.utc(np.array([campaigns.end_day[c]]), np.array([DAY - 1]))[0]
        lead_mask &= lead_at <= min(last, period.total_s - 1)
        k = int(lead_mask.sum())
        created = lead_at[lead_mask]
        buy = rng.random(k) < (0.22 if is_email else 0.2)
        bought_at = created + np.maximum(_lognormal(rng, 20 * HOUR, 1.2, k), 10 * MINUTE).astype(
            np.int64
        )
        converted = np.where(buy & (bought_at < period.total_s), bought_at, -1)
        leads.append((np.full(k, c), who[lead_mask], created, converted))

    def cat(items: list[tuple[np.ndarray, ...]], i: int) -> np.ndarray:
        return np.concatenate([x[i] for x in items]) if items else np.zeros(0, dtype=np.int64)

    ev = [cat(events, i).astype(np.int64) for i in range(4)]
    order = np.lexsort((ev[3], ev[1], ev[0], ev[2]))
    return Messaging(
        ev_campaign=ev[0][order],
        ev_contact=ev[1][order],
        ev_at=ev[2][order],
        ev_event=ev[3][order],
        lead_campaign=cat(leads, 0).astype(np.int64),
        lead_contact=cat(leads, 1).astype(np.int64),
        lead_created=cat(leads, 2).astype(np.int64),
        lead_converted=cat(leads, 3).astype(np.int64),
        sends=sends,
        unsubscribed=np.nonzero(unsubscribed)[0],
    )
