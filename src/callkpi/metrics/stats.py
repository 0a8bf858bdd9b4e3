"""Statistics on KPI results: the 95 % Wilson score interval for proportions."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

Z_95 = 1.959963984540054


def wilson_interval(
    successes: npt.ArrayLike, trials: npt.ArrayLike, z: float = Z_95
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    """Wilson score interval, element-wise; NaN where there is no trial.

    Wilson rather than the normal ("Wald") interval because KPIs are often asked on small
    groups (an agent's week) where Wald gives bounds below 0 or above 1.
    """
    k = np.asarray(successes, dtype=np.float64)
    n = np.asarray(trials, dtype=np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        p = k / n
        z2 = z * z
        centre = (p + z2 / (2 * n)) / (1 + z2 / n)
        half = z * np.sqrt(p * (1 - p) / n + z2 / (4 * n * n)) / (1 + z2 / n)
        low = np.clip(centre - half, 0.0, 1.0)
        high = np.clip(centre + half, 0.0, 1.0)
    invalid = ~(n > 0) | np.isnan(k)
    low[invalid] = np.nan
    high[invalid] = np.nan
    return low, high
