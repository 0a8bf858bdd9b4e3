"""Statistics on KPI results: the 95 % Wilson score interval for proportions.

Wilson rather than the normal ("Wald") interval because KPIs are often asked on small groups
(an agent's week) where Wald gives bounds below 0 or above 1. `wilson_bounds` compiles it into
the query (so every backend computes it); `wilson_interval` is the NumPy reference it is tested
against.
"""

from __future__ import annotations

import ibis
import ibis.expr.types as ir
import numpy as np
import numpy.typing as npt

Z_95 = 1.959963984540054


def wilson_bounds(
    successes: ir.NumericValue, trials: ir.NumericValue, z: float = Z_95
) -> tuple[ir.FloatingValue, ir.FloatingValue]:
    """Low and high bounds as Ibis expressions; null when there is no trial."""
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
