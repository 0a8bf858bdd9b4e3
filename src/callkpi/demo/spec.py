"""What to generate: the few knobs of the demo dataset, validated once."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from callkpi.demo.calendar import add_months

#: Below this many calls the per-campaign and per-agent figures are mostly noise.
MIN_CALLS = 1_000
#: A demo of more calls is generated (and written) shard by shard: see shards.py.
SHARD_CALLS = 10_000_000


def default_start(today: dt.date | None = None) -> dt.date:
    """First day of the month 12 months before today's month, so that a 12-month demo ends
    at the start of the current month and never shows a future event."""
    today = today or dt.date.today()
    return add_months(today.replace(day=1), -12)


@dataclass(frozen=True)
class DemoSpec:
    """A demo dataset is a pure function of these fields (same spec, same bytes)."""

    calls: int = 300_000
    seed: int = 42
    start: dt.date = field(default_factory=default_start)
    months: int = 12
    shard_calls: int = SHARD_CALLS

    def __post_init__(self) -> None:
        if isinstance(self.start, dt.datetime):  # a datetime is a date too: keep the day only
            object.__setattr__(self, "start", self.start.date())
        if self.calls < MIN_CALLS:
            raise ValueError(f"a demo needs at least {MIN_CALLS} calls, got {self.calls}")
        if self.months < 1:
            raise ValueError(f"a demo covers at least 1 month, got {self.months}")
        if self.start.day != 1:
            raise ValueError(f"a demo starts on the first day of a month, got {self.start}")
        if self.shard_calls < 2 * MIN_CALLS:
            raise ValueError(
                f"a shard holds at least {2 * MIN_CALLS} calls, got {self.shard_calls}"
            )
        if self.seed < 0:
            raise ValueError(f"the seed must be a non-negative integer, got {self.seed}")

    @property
    def end(self) -> dt.date:
        """First day after the data (exclusive bound)."""
        return add_months(self.start, self.months)
