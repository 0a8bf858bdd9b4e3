"""B2B opportunities: a deal per qualified company lead, moving through the pipeline stages.

Negotiation is the slow stage on purpose (the bottleneck the stage-duration KPI should find);
deals drop out at every step, and a deal whose next step would fall after the period end is
still open, so the pipeline at the end of the demo looks like a live one.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from callkpi.demo.calendar import HOUR, Period
from callkpi.demo.reference import TIER_VALUE

STAGES = ("prospect", "qualification", "proposal", "negotiation", "won", "lost")
WON, LOST = 4, 5
DEAL_STATUSES = ("open", "won", "lost")
OPEN, STATUS_WON, STATUS_LOST = range(3)
#: Median days spent in prospect, qualification, proposal and negotiation.
STAGE_DAYS = np.array([3.0, 7.0, 6.0, 21.0])
#: Chance to move on after prospect, qualification, proposal; then to win the negotiation.
CARRY_ON = np.array([0.85, 0.78, 0.8, 0.62])
TIER_P = np.array([0.45, 0.38, 0.17])


@dataclass
class Deals:
    """Deals (index = deal number - 1 after sorting by creation) and their stage rows."""

    lead: np.ndarray
    contact: np.ndarray
    campaign: np.ndarray
    owner: np.ndarray
    created: np.ndarray
    closed: np.ndarray  # -1 while open
    status: np.ndarray
    tier: np.ndarray
    base: np.ndarray  # amount in value units (see costs.calibrate)
    stage_deal: np.ndarray
    stage: np.ndarray
    stage_at: np.ndarray


def build_deals(
    lead: np.ndarray,
    contact: np.ndarray,
    campaign: np.ndarray,
    owner: np.ndarray,
    qualified_at: np.ndarray,
    period: Period,
    rng: np.random.Generator,
) -> Deals:
    """Open a deal a few hours after each qualifying call and play its pipeline forward;
    every step is recorded during office hours."""
    total_s = period.total_s
    created = period.office_hours(qualified_at + rng.integers(2 * HOUR, 48 * HOUR, lead.size), rng)
    keep = created < total_s
    lead, contact, campaign, owner, created = (
        x[keep] for x in (lead, contact, campaign, owner, created)
    )
    order = np.lexsort((lead, created))
    lead, contact, campaign, owner, created = (
        x[order] for x in (lead, contact, campaign, owner, created)
    )
    n = lead.size
    days = STAGE_DAYS[None, :] * np.exp(rng.normal(0.0, 0.55, (n, 4)))
    steps = np.maximum(np.round(days), 1).astype(np.int64)
    # times[:, j] = when stage j is entered (j = 0..4; 4 = the closing stage, won or lost):
    # whole days after the previous step (skipping Sundays), at an office-hours moment.
    times = np.empty((n, 5), dtype=np.int64)
    times[:, 0] = created
    day = period.local_day(created)
    for j in range(4):
        day = day + steps[:, j]
        sunday = period.weekday[np.minimum(day, period.n_days - 1)] == 6
        day = day + sunday
        moment = period.utc(
            np.minimum(day, period.n_days - 1), rng.integers(int(8.5 * HOUR), 19 * HOUR, n)
        )
        times[:, j + 1] = np.where(day < period.n_days, moment, total_s)
    go_on = rng.random((n, 4)) < CARRY_ON[None, :]
    # Stages reached before closing: 1 + number of leading "carry on" in the first three steps.
    reached = 1 + np.cumprod(go_on[:, :3], axis=1).sum(axis=1)
    won = (reached == 4) & go_on[:, 3]
    close_at = times[np.arange(n), reached]
    closed_in_period = close_at < total_s
    status = np.where(closed_in_period, np.where(won, STATUS_WON, STATUS_LOST), OPEN)
    rows_deal, rows_stage, rows_at = [], [], []
    for j in range(4):
        mask = (reached > j) & (times[:, j] < total_s)
        rows_deal.append(np.nonzero(mask)[0])
        rows_stage.append(np.full(int(mask.sum()), j))
        rows_at.append(times[mask, j])
    final = np.nonzero(closed_in_period)[0]
    rows_deal.append(final)
    rows_stage.append(np.where(won[final], WON, LOST))
    rows_at.append(close_at[final])
    d, s, at = (np.concatenate(x).astype(np.int64) for x in (rows_deal, rows_stage, rows_at))
    order = np.lexsort((at, d))
    tier = rng.choice(3, size=n, p=TIER_P)
    return Deals(
        lead=lead,
        contact=contact,
        campaign=campaign,
        owner=owner,
        created=created,
        closed=np.where(closed_in_period, close_at, -1),
        status=status,
        tier=tier,
        base=2.5 * TIER_VALUE[tier] * np.exp(rng.normal(0.0, 0.35, n)),
        stage_deal=d[order],
        stage=s[order],
        stage_at=at[order],
    )
