"""Finding a staffed slot for a call: an open day, an agent on duty, a moment in the session.

A wished time moves forward until it fits: closed days (Sundays, holidays) and thinly staffed
ones (Saturdays, summer) accept fewer calls and pass the rest on to the next days; the agent is
one logged in that day, of the campaign's team unless that team is overloaded; the moment is
the wished one when the agent is at work then, otherwise a random moment of the session
outside its break.
"""

from __future__ import annotations

import numpy as np

from callkpi.demo.calendar import DAY, MINUTE, Period
from callkpi.demo.reference import INBOUND_CH, TEAMS, Campaigns
from callkpi.demo.staff import Staff


class SlotFinder:
    """Routing tables computed once per demo, then `snap` for any batch of wished times."""

    def __init__(
        self, period: Period, campaigns: Campaigns, staff: Staff, rng: np.random.Generator
    ) -> None:
        self.staff, self.rng = staff, rng
        cap = staff.day_hours
        ref = np.quantile(cap[cap > 0], 0.9) if (cap > 0).any() else 1.0
        self.accept = np.minimum(1.0, cap / ref)
        weights = campaigns.active * (campaigns.weight * campaigns.phone)[None, :]
        total = weights.sum(axis=1, keepdims=True)
        share = np.divide(weights, total, out=np.zeros_like(weights), where=total > 0)
        n_teams = len(TEAMS)
        load = np.zeros((period.n_days, n_teams))
        # Inbound and B2B calls last longer: weigh a team's load by handle time, not calls.
        handle = np.where(campaigns.channel == INBOUND_CH, 3.0, 1.0 + 0.3 * campaigns.b2b)
        busy = share * handle[None, :]
        busy_total = busy.sum(axis=1, keepdims=True)
        busy = np.divide(busy, busy_total, out=np.zeros_like(busy), where=busy_total > 0)
        for t in range(n_teams):
            load[:, t] = busy[:, campaigns.team == t].sum(axis=1)
        cap_share = np.divide(
            staff.team_hours,
            cap[:, None],
            out=np.zeros_like(staff.team_hours),
            where=cap[:, None] > 0,
        )
        ratio = np.divide(cap_share, load, out=np.ones_like(load), where=load > 0)
        self.p_own = 0.9 * np.minimum(1.0, ratio)

    def snap(self, t: np.ndarray, team: np.ndarray, last_day: np.ndarray) -> dict[str, np.ndarray]:
        """Move each wished local time to the first staffed slot at or after it."""
        rng, st = self.rng, self.staff
        n = t.size
        day, sec = t // DAY, t % DAY
        fresh = np.zeros(n, dtype=bool)
        out = {k: np.full(n, -1, dtype=np.int64) for k in ("day", "agent", "session", "sec")}
        pending = np.arange(n)
        n_teams = len(TEAMS)
        for _ in range(60):
            if pending.size == 0:
                break
            pending = pending[day[pending] <= last_day[pending]]
            d = day[pending]
            ok = rng.random(pending.size) < self.accept[d]
            rejected = pending[~ok]
            pending, d = pending[ok], d[ok]
            tm = team[pending]
            key = d * n_teams + np.maximum(tm, 0)
            n_team = np.where(tm >= 0, st.team_ptr[key + 1] - st.team_ptr[key], 0)
            n_day = st.day_ptr[d + 1] - st.day_ptr[d]
            u = rng.random(pending.size)
            own = (n_team > 0) & (rng.random(pending.size) < self.p_own[d, np.maximum(tm, 0)])
            own_pos = np.minimum(
                st.team_ptr[key] + (u * n_team).astype(np.int64), st.team_agents.size - 1
            )
            day_pos = np.minimum(
                st.day_ptr[d] + (u * n_day).astype(np.int64), st.day_agents.size - 1
            )
            agent = np.where(own, st.team_agents[own_pos], st.day_agents[day_pos])
            s = st.of[d, agent]
            login, logout = st.s_login[s], st.s_logout[s]
            b0, b1 = st.s_break0[s], st.s_break1[s]
            tau = sec[pending]
            work = np.maximum(logout - login - (b1 - b0) - 5 * MINUTE, MINUTE)
            rnd = login + (rng.random(pending.size) * work).astype(np.int64)
            rnd = np.where(rnd >= b0, rnd + (b1 - b0), rnd)
            placed = np.where(fresh[pending] | (tau < login), rnd, tau)
            in_break = (placed >= b0) & (placed < b1)
            placed = np.where(in_break, b1 + rng.integers(0, 10 * MINUTE, pending.size), placed)
            late = placed > logout - 5 * MINUTE
            done = pending[~late]
            out["day"][done], out["agent"][done] = d[~late], agent[~late]
            out["session"][done], out["sec"][done] = s[~late], placed[~late]
            moved = np.concatenate([rejected, pending[late]])
            # Spread the backlog of a closed or full day over the next two days.
            day[moved] += 1 + (rng.random(moved.size) < 0.4)
            fresh[moved] = True
            pending = np.sort(moved)
        return out
