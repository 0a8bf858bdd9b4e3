"""Statistics on KPI results: the 95 % Wilson score interval for proportions.

Wilson rather than the normal ("Wald") interval because KPIs are often asked on small groups
(an agent's week) where Wald gives bounds below 0 or above 1. `wilson_bounds` compiles it into
the query (so every backend computes it); `wilson_interval` is the NumPy reference it is tested
against.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt

if TYPE_CHECKING:  # the query path of a cached query never imports Ibis
    import ibis.expr.types as ir

Z_95 = 1.959963984540054


def wilson_bounds(
    successes: ir.NumericValue, trials: ir.NumericValue, z: float = Z_95
) -> tuple[ir.FloatingValue, ir.FloatingValue]:
    """Low and high bounds as Ibis expressions; null when there is no trial."""
    import ibis

    k = successes.cast("float64")
    n = trials.cast("float64").nullif(0)
    p = k / n
    z2 = z * z
    centre = (p + z2 / (2 * n)) / (1 + z2 / n)
    half = z * (p * (1 - p) / n + z2 / (4 * n * n)).sqrt() / (1 + z2 / n)
    low, high = centre - half, centre + half
    # Exact at the edges (0/n -> 0, n/n -> 1) whatever the rounding; a null stays null
    # (greatest()/least() would skip it on some engines).
    none = ibis.null("float64")
    return (
        ibis.cases((n.isnull(), none), (k <= 0, 0.0), (low < 0, 0.0), else_=low),
        ibis.cases((n.isnull(), none), (k >= n, 1.0), (high > 1, 1.0), else_=high),
    )


def wilson_interval(
    successes: npt.ArrayLike, trials: npt.ArrayLike, z: float = Z_95
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    """Wilson score interval, element-wise; NaN where there is no trial."""
    k = np.asarray(successes, dtype=np.float64)
    n = np.asarray(trials, dtype=np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        p = k / n
        z2 = z * z
        centre = (p + z2 / (2 * n)) / (1 + z2 / n)
        half = z * np.sqrt(p * (1 - p) / n + z2 / (4 * n * n)) / (1 + z2 / n)
        low = np.clip(centre - half, 0.0, 1.0)
        high = np.clip(centre + half, 0.0, 1.0)
    low[k <= 0] = 0.0
    high[k >= n] = 1.0
    invalid = ~(n > 0) | np.isnan(k)
    low[invalid] = np.nan
    high[invalid] = np.nan
    return low, high


def km_median(durations: npt.ArrayLike, events: npt.ArrayLike) -> float | None:
    """Kaplan-Meier median: the first time the survival curve falls to 0.5 or below.

    `events[i]` is true when the i-th duration ended with the event (a deal won), false
    when it was censored (a deal still open). None when the curve never reaches 0.5 (too
    many censored durations to tell). Convention as lifelines' `median_survival_time_`
    (R's survfit takes the midpoint when the curve sits exactly at 0.5). Ties: events
    are counted before censorings at the same time.
    """
    time = np.asarray(durations, dtype=np.float64)
    event = np.asarray(events, dtype=bool)
    keep = ~np.isnan(time)
    time, event = time[keep], event[keep]
    if time.size == 0:
        return None
    order = np.argsort(time, kind="stable")
    time, event = time[order], event[order]
    moments, first, counts = np.unique(time, return_index=True, return_counts=True)
    deaths = np.add.reduceat(event.astype(np.int64), first)
    at_risk = time.size - np.concatenate(([0], np.cumsum(counts)[:-1]))
    survival = np.cumprod(1.0 - deaths / at_risk)
    reached = np.flatnonzero(survival <= 0.5)
    return float(moments[reached[0]]) if reached.size else None
