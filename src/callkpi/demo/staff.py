"""Agents and their working days: who is logged in when, so every call has a staffed slot.

Sessions come first and calls are placed inside them, which keeps `agent_sessions` and `calls`
consistent by construction (a call's agent is logged in at that moment) and makes the per-agent
figures (sales per hour, occupancy) meaningful.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np

from callkpi.demo.calendar import HOUR, MINUTE, Period
from callkpi.demo.reference import FIRST_NAMES, INITIALS, TEAMS

N_AGENTS = 40
PER_TEAM = N_AGENTS // len(TEAMS)


@dataclass(frozen=True)
class Staff:
    """Agents (index = agent number - 1) and sessions (sorted by day, then agent)."""

    names: tuple[str, ...]
    team: np.ndarray
    hourly_cost: np.ndarray
    reach: np.ndarray
    skill: np.ndarray
    talk: np.ndarray
    care: np.ndarray
    s_agent: np.ndarray
    s_day: np.ndarray
    s_login: np.ndarray
    s_logout: np.ndarray
    s_break0: np.ndarray
    s_break1: np.ndarray
    of: np.ndarray  # (days, agents) -> session index or -1
    day_ptr: np.ndarray
    day_agents: np.ndarray
    team_ptr: np.ndarray
    team_agents: np.ndarray
    day_hours: np.ndarray
    team_hours: np.ndarray

    @property
    def n(self) -> int:
        return len(self.names)

    @property
    def n_sessions(self) -> int:
        return int(self.s_agent.size)


def _agents(rng: np.random.Generator) -> dict[str, np.ndarray]:
    skill = rng.lognormal(0.0, 0.33, N_AGENTS)
    skill /= skill.mean()
    seniority = np.argsort(np.argsort(skill + rng.normal(0, 0.3, N_AGENTS))) / (N_AGENTS - 1)
    cost = np.round((14.0 + 8.0 * (0.6 * seniority + 0.4 * rng.random(N_AGENTS))) * 2) / 2
    return {
        "team": np.arange(N_AGENTS) // PER_TEAM,
        "hourly_cost": cost,
        "reach": rng.lognormal(0.0, 0.07, N_AGENTS),
        "skill": skill,
        "talk": rng.lognormal(0.0, 0.15, N_AGENTS),
        "care": rng.normal(0.0, 0.45, N_AGENTS),
    }


def _names(rng: np.random.Generator) -> tuple[str, ...]:
    order = rng.permutation(len(FIRST_NAMES))[:N_AGENTS]
    letters = rng.integers(0, len(INITIALS), N_AGENTS)
    return tuple(f"{FIRST_NAMES[o]} {INITIALS[k]}." for o, k in zip(order, letters, strict=True))


def _vacations(period: Period, rng: np.random.Generator) -> np.ndarray:
    """(days, agents) mask of paid leave: a summer block, often Christmas, a few other weeks."""
    n = period.n_days
    week = (np.arange(n) + period.weekday[0]) // 7
    dates = [period.start + dt.timedelta(days=i) for i in range(n)]
    summer = np.array([d.month in (7, 8) for d in dates])
    christmas = np.array(
        [(d.month, d.day) >= (12, 22) or (d.month, d.day) <= (1, 2) for d in dates]
    )
    summer_weeks = np.unique(week[summer])
    xmas_weeks = np.unique(week[christmas])
    all_weeks = np.unique(week)
    off = np.zeros((n, N_AGENTS), dtype=bool)
    for a in range(N_AGENTS):
        weeks: list[int] = []
        if summer_weeks.size >= 2:
            first = int(rng.integers(0, summer_weeks.size - 1))
            span = 3 if rng.random() < 0.3 else 2
            weeks += [int(w) for w in summer_weeks[first : first + span]]
        if xmas_weeks.size and rng.random() < 0.6:
            weeks.append(int(xmas_weeks[rng.integers(0, xmas_weeks.size)]))
        extra = int(rng.integers(1, 3)) * n // 365
        weeks += [int(w) for w in rng.choice(all_weeks, size=min(extra, all_weeks.size))]
        off[:, a] = np.isin(week, weeks)
    return off


def build_staff(period: Period, rng: np.random.Generator) -> Staff:
    """Agents, then one session per agent and day worked (Mon-Fri, a Saturday rota)."""
    agents = _agents(rng)
    names = _names(rng)
    n_days = period.n_days
    late = (np.arange(N_AGENTS) % PER_TEAM) >= PER_TEAM - 2
    open_day = period.open_day[:, None]
    weekday = period.weekday[:, None]
    away = _vacations(period, rng) | (rng.random((n_days, N_AGENTS)) < 0.025)
    saturday_rota = rng.random((n_days, N_AGENTS)) < 0.2
    present = open_day & ~away & ((weekday < 5) | ((weekday == 5) & saturday_rota))
    s_day, s_agent = np.nonzero(present)
    n = s_day.size
    saturday = period.weekday[s_day] == 5
    is_late = late[s_agent] & ~saturday
    habit = rng.uniform(0, 40 * MINUTE, N_AGENTS)[s_agent]

    def jitter(low: float, high: float) -> np.ndarray:
        return rng.uniform(low, high, n)

    login = np.where(is_late, 11.5 * HOUR, 8.5 * HOUR) + habit + jitter(0, 20 * MINUTE)
    logout = np.where(
        is_late, 19.5 * HOUR + jitter(0, 30 * MINUTE), 17 * HOUR + jitter(0, 90 * MINUTE)
    )
    break0 = np.where(
        is_late, 15.75 * HOUR + jitter(0, 30 * MINUTE), 12 * HOUR + jitter(0, 75 * MINUTE)
    )
    break1 = break0 + np.where(
        is_late, jitter(20 * MINUTE, 35 * MINUTE), jitter(40 * MINUTE, 60 * MINUTE)
    )
    login = np.where(saturday, 9 * HOUR + jitter(0, 30 * MINUTE), login)
    logout = np.where(saturday, 12.5 * HOUR + jitter(0, 60 * MINUTE), logout)
    break0 = np.where(saturday, logout, break0)
    break1 = np.where(saturday, logout, break1)
    login, logout, break0, break1 = (
        np.round(x).astype(np.int64) for x in (login, logout, break0, break1)
    )

    of = np.full((n_days, N_AGENTS), -1, dtype=np.int64)
    of[s_day, s_agent] = np.arange(n)
    hours = (logout - login - (break1 - break0)) / HOUR
    day_ptr = np.concatenate([[0], np.cumsum(np.bincount(s_day, minlength=n_days))])
    n_teams = len(TEAMS)
    team_key = s_day * n_teams + agents["team"][s_agent]
    order = np.argsort(team_key, kind="stable")
    team_ptr = np.concatenate([[0], np.cumsum(np.bincount(team_key, minlength=n_days * n_teams))])
    team_hours = np.bincount(team_key, weights=hours, minlength=n_days * n_teams)
    return Staff(
        names=names,
        s_agent=s_agent.astype(np.int64),
        s_day=s_day.astype(np.int64),
        s_login=login,
        s_logout=logout,
        s_break0=break0,
        s_break1=break1,
        of=of,
        day_ptr=day_ptr,
        day_agents=s_agent.astype(np.int64),
        team_ptr=team_ptr,
        team_agents=s_agent[order].astype(np.int64),
        day_hours=np.bincount(s_day, weights=hours, minlength=n_days),
        team_hours=team_hours.reshape(n_days, n_teams),
        **agents,
    )
