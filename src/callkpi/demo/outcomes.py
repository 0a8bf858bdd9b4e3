"""How a call ends and how long it lasts, drawn per call from the moment, the agent and the lead.

Contact chances follow the hour and weekday (private people answer at lunch and after 17 h,
companies mid-morning and mid-afternoon), fall with each new attempt and differ by lead source
and agent; the chance of a success once in contact follows the campaign, the agent's skill,
the lead's source and how fast the lead was called. That is what makes the "best time to call",
per-agent and per-source tables worth reading.
"""

from __future__ import annotations

import numpy as np

from callkpi.demo.reference import B2B, LIST, OBJECTIVES
from callkpi.store.schema import OUTCOMES

NO_ANSWER, BUSY, VOICEMAIL, FAILED, WRONG_PARTY = range(5)
REFUSED, CALLBACK, DO_NOT_CALL, PROMISE, APPOINTMENT, SALE = range(5, 11)
assert OUTCOMES[SALE] == "sale" and OUTCOMES[NO_ANSWER] == "no_answer"
CONTACT_MIN = REFUSED

_HOURS = np.arange(24)
# fmt: off
_B2C_HOURS = {8: .75, 9: .80, 10: .85, 11: .90, 12: 1.35, 13: 1.3, 14: .85, 15: .80, 16: .85,
              17: 1.15, 18: 1.40, 19: 1.30}
_B2B_HOURS = {8: .85, 9: 1.10, 10: 1.15, 11: 1.05, 12: .80, 13: .85, 14: 1.05, 15: 1.10,
              16: 1.0, 17: .90, 18: .75, 19: .60}
# fmt: on
#: (segment, local hour) -> contact multiplier; (segment, weekday) -> contact multiplier.
HOUR_FACTOR = np.array(
    [[_B2B_HOURS.get(h, 0.5) for h in _HOURS], [_B2C_HOURS.get(h, 0.5) for h in _HOURS]]
)
WEEKDAY_FACTOR = np.array(
    [[0.95, 1.08, 1.02, 1.05, 0.85, 0.40, 0.3], [0.95, 1.0, 1.05, 1.0, 0.92, 1.15, 0.3]]
)

# Rows: how a non-contact ends (no_answer, busy, voicemail, failed, wrong_party).
_NON_CONTACT = np.array(
    [
        [0.48, 0.10, 0.27, 0.08, 0.07],  # usual lead
        [0.42, 0.09, 0.22, 0.15, 0.12],  # purchased list: more dead or wrong numbers
        [0.30, 0.00, 0.00, 0.70, 0.00],  # inbound: abandoned in queue or dropped
    ]
)
# Rows: how a contact without success ends (refused, callback, do_not_call).
_NO_SUCCESS = np.array([[0.58, 0.32, 0.10], [0.55, 0.25, 0.20], [0.40, 0.55, 0.05]])
# Rows: how a success ends (promise, appointment, sale).
_SUCCESS = np.array(
    [
        [0.30, 0.20, 0.50],  # B2C acquisition
        [0.25, 0.10, 0.65],  # B2C retention / upsell / reactivation
        [0.40, 0.45, 0.15],  # B2B acquisition
        [0.35, 0.30, 0.35],  # B2B retention / upsell
        [0.30, 0.10, 0.60],  # inbound
        [0.15, 0.05, 0.80],  # closing call after a promise
    ]
)
ACQUISITION = OBJECTIVES.index("acquisition")


def categorical(rng: np.random.Generator, table: np.ndarray, row: np.ndarray) -> np.ndarray:
    """One draw per element from the distribution `table[row]` (rows sum to 1)."""
    cum = np.cumsum(table, axis=1)[row]
    return (rng.random(row.size)[:, None] >= cum[:, :-1]).sum(axis=1)


def draw_outcomes(
    rng: np.random.Generator,
    *,
    contact_p: np.ndarray,
    success_p: np.ndarray,
    inbound: np.ndarray,
    service: np.ndarray,
    segment: np.ndarray,
    objective: np.ndarray,
    source: np.ndarray,
    after_promise: np.ndarray,
) -> np.ndarray:
    """Outcome codes (indexes into schema.OUTCOMES) from per-call probabilities."""
    n = contact_p.size
    contacted = rng.random(n) < np.clip(contact_p, 0.02, 0.95)
    success = contacted & ~service & (rng.random(n) < np.clip(success_p, 0.005, 0.8))
    non_row = np.where(inbound, 2, np.where(source == LIST, 1, 0))
    no_row = np.where(service, 2, np.where(source == LIST, 1, 0))
    b2b = segment == B2B
    success_row = np.where(b2b, 2, 0) + (objective != ACQUISITION)
    success_row = np.where(inbound, 4, success_row)
    success_row = np.where(after_promise, 5, success_row)
    non = categorical(rng, _NON_CONTACT, non_row)
    no = REFUSED + categorical(rng, _NO_SUCCESS, no_row)
    yes = PROMISE + categorical(rng, _SUCCESS, success_row)
    return np.where(success, yes, np.where(contacted, no, non)).astype(np.int64)


def is_terminal(
    rng: np.random.Generator, outcome: np.ndarray, after_promise: np.ndarray
) -> np.ndarray:
    """Whether the lead is closed after this call (no further attempt)."""
    final = np.isin(outcome, (SALE, APPOINTMENT, REFUSED, DO_NOT_CALL, WRONG_PARTY))
    coin = rng.random(outcome.size) < 0.5
    final |= (outcome == PROMISE) & (coin | after_promise)
    final |= (outcome == FAILED) & coin
    return final


def _lognormal(rng: np.random.Generator, median: np.ndarray, sigma: float) -> np.ndarray:
    return median * np.exp(rng.normal(0.0, sigma, np.shape(median)))


def draw_durations(
    rng: np.random.Generator,
    outcome: np.ndarray,
    inbound: np.ndarray,
    segment: np.ndarray,
    agent_talk: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Ring, talk, hold and wrap-up seconds (whole seconds): talk only for real conversations
    (and a few seconds for a wrong party), longer for B2B and for sales."""
    n = outcome.size
    contact = outcome >= CONTACT_MIN
    ring_low = np.array([25, 2, 12, 0, 4, 4, 4, 4, 4, 4, 4])[outcome]
    ring_high = np.array([45, 8, 28, 4, 22, 22, 22, 22, 22, 22, 22])[outcome]
    ring = rng.integers(0, 1 << 30, n) % (ring_high - ring_low + 1) + ring_low
    queue = _lognormal(rng, np.where(outcome == FAILED, 60.0, 25.0), 0.6)
    ring = np.where(inbound, queue, ring)
    talk_median = np.array([0, 0, 0, 0, 20, 55, 80, 35, 260, 300, 540], dtype=float)[outcome]
    talk_median = np.where(inbound & (outcome == REFUSED), 180.0, talk_median)
    talk = _lognormal(rng, talk_median, 0.45) * agent_talk * np.where(segment == B2B, 1.25, 1.0)
    talk = np.where(outcome == WRONG_PARTY, rng.uniform(8, 40, n), talk)
    hold_share = np.where(outcome == SALE, 0.6, 0.25)
    hold = np.where(
        contact & (rng.random(n) < hold_share), _lognormal(rng, np.full(n, 45.0), 0.6), 0
    )
    wrap_median = np.array([6, 5, 8, 5, 12, 30, 40, 25, 70, 80, 110], dtype=float)[outcome]
    wrap = _lognormal(rng, wrap_median, 0.45)
    return tuple(np.round(x).astype(np.float64) for x in (ring, talk, hold, wrap))  # type: ignore[return-value]
