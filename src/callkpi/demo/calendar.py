"""The demo's calendar: French working days, public holidays and Paris UTC offsets.

The generator reasons in local French time (calls happen 8:00-20:00 in Paris, never on a Sunday
or a public holiday) while the store holds naive UTC. So every day carries its UTC offset, and
every instant is an int64 count of seconds since the period start in UTC ("rel seconds").
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np

DAY = 86_400
HOUR = 3_600
MINUTE = 60
_EPOCH = dt.date(1970, 1, 1)


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day-of-month `months` later (only used with the 1st of a month)."""
    index = day.year * 12 + day.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, day.day)


def easter_sunday(year: int) -> dt.date:
    """Gregorian Easter (anonymous Gregorian algorithm): Easter Monday, Ascension and Whit
    Monday move with it."""
    a, b, c = year % 19, year // 100, year % 100
    d, e = b // 4, b % 4
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = c // 4, c % 4
    el = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * el) // 451
    month = (h + el - 7 * m + 114) // 31
    day = (h + el - 7 * m + 114) % 31 + 1
    return dt.date(year, month, day)


def french_public_holidays(year: int) -> list[dt.date]:
    """The eleven national public holidays of metropolitan France (no Alsace-Moselle days)."""
    easter = easter_sunday(year)
    fixed = [(1, 1), (5, 1), (5, 8), (7, 14), (8, 15), (11, 1), (11, 11), (12, 25)]
    moving = [easter + dt.timedelta(days=n) for n in (1, 39, 50)]
    return sorted([dt.date(year, m, d) for m, d in fixed] + moving)


def _last_sunday(year: int, month: int) -> dt.date:
    last = add_months(dt.date(year, month, 1), 1) - dt.timedelta(days=1)
    return last - dt.timedelta(days=(last.weekday() + 1) % 7)


def paris_offset_hours(day: dt.date) -> int:
    """UTC offset of Paris on that day (EU rule: summer time from the last Sunday of March
    to the last Sunday of October); the change-over night itself is not modelled."""
    summer = _last_sunday(day.year, 3) <= day < _last_sunday(day.year, 10)
    return 2 if summer else 1


@dataclass(frozen=True)
class Period:
    """The days of [start, end) with their weekday, holiday flag, UTC offset and month."""

    start: dt.date
    end: dt.date
    weekday: np.ndarray
    holiday: np.ndarray
    offset: np.ndarray
    month: np.ndarray
    month_starts: tuple[dt.date, ...]

    @classmethod
    def build(cls, start: dt.date, months: int) -> Period:
        end = add_months(start, months)
        n = (end - start).days
        dates = [start + dt.timedelta(days=i) for i in range(n)]
        holidays: set[dt.date] = set()
        for year in range(start.year, end.year + 1):
            holidays.update(french_public_holidays(year))
        month_starts = tuple(add_months(start, i) for i in range(months + 1))
        month = np.zeros(n, dtype=np.int64)
        for i in range(months):
            month[(month_starts[i] - start).days : (month_starts[i + 1] - start).days] = i
        return cls(
            start=start,
            end=end,
            weekday=np.array([d.weekday() for d in dates], dtype=np.int64),
            holiday=np.array([d in holidays for d in dates], dtype=bool),
            offset=np.array([paris_offset_hours(d) * HOUR for d in dates], dtype=np.int64),
            month=month,
            month_starts=month_starts,
        )

    @property
    def n_days(self) -> int:
        return int(self.weekday.size)

    @property
    def n_months(self) -> int:
        return len(self.month_starts) - 1

    @property
    def total_s(self) -> int:
        """Length of the period in seconds: every instant t must satisfy 0 <= t < total_s."""
        return self.n_days * DAY

    @property
    def epoch_day(self) -> int:
        """Days from 1970-01-01 to the start (for Arrow date32 and timestamps)."""
        return (self.start - _EPOCH).days

    @property
    def open_day(self) -> np.ndarray:
        """Days a call centre may work: not a Sunday, not a public holiday."""
        return (self.weekday < 6) & ~self.holiday

    def utc(self, day: np.ndarray, local_sec: np.ndarray) -> np.ndarray:
        """Rel seconds (UTC) of a local Paris time `local_sec` seconds after midnight of `day`."""
        day = np.asarray(day, dtype=np.int64)
        return day * DAY + np.asarray(local_sec, dtype=np.int64) - self.offset[day]

    def local_day(self, t: np.ndarray) -> np.ndarray:
        """The local day index of UTC rel seconds `t` (clipped into the period)."""
        t = np.asarray(t, dtype=np.int64)
        guess = np.clip(t // DAY, 0, self.n_days - 1)
        return np.clip((t + self.offset[guess]) // DAY, 0, self.n_days - 1)

    def office_hours(self, t: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        """Move instants outside 8:30-19:00 (Paris) or on a Sunday to a random office moment of
        the same morning's day or of the next working day, so CRM actions (deal steps,
        follow-up e-mails) do not happen at 3 a.m. Never earlier; `total_s` when the move
        would leave the period."""
        t = np.asarray(t, dtype=np.int64)
        day = self.local_day(t)
        sec = t + self.offset[day] - day * DAY
        target = np.where(sec > 19 * HOUR, day + 1, day)
        target = np.where(
            self.weekday[np.minimum(target, self.n_days - 1)] == 6, target + 1, target
        )
        outside = (sec < 8.5 * HOUR) | (sec > 19 * HOUR) | (self.weekday[day] == 6)
        inside_period = target < self.n_days
        target = np.minimum(target, self.n_days - 1)
        moved = self.utc(target, rng.integers(int(8.5 * HOUR), 19 * HOUR, t.size))
        moved = np.where(inside_period, np.maximum(moved, t), self.total_s)
        return np.where(outside, moved, t)

    def month_range(self, index: int) -> tuple[dt.date, dt.date]:
        """First and last day (inclusive) of month `index` of the period."""
        return self.month_starts[index], self.month_starts[index + 1] - dt.timedelta(days=1)
