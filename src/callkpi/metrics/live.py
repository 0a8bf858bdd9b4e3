"""The live wallboard's counters: today's calls per campaign and agent, from live call events.

One query (compiled by Ibis for the store's dialect, like every KPI) returns a cell per campaign
and agent; the per-campaign and per-agent views, scoped to what a user may see, are sums of
cells. Definitions:

- calls: calls whose first event is today (started, ringing or talking, or ended);
- completed: those with an `ended` event; contacts and sales: completed calls whose outcome is
  a contact (docs/kpis.md) or a sale;
- contact_rate: contacts / completed calls (a call still running has no outcome yet);
- on call: an agent with a call answered and not yet ended.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from typing import Any

from callkpi.store.schema import CONTACT_OUTCOMES, TABLES

DAY_START = "live_day_start"
WINDOW_START = "live_window_start"

_EVENT_SCHEMA = {
    "event_id": "string",
    "call_id": "string",
    "kind": "string",
    "at": "timestamp",
    "campaign_id": "string",
    "agent_id": "string",
    "contact_id": "string",
    "lead_id": "string",
    "direction": "string",
    "outcome": "string",
    "received_at": "timestamp",
}
COUNTERS = ("calls", "completed", "contacts", "sales")


@cache
def cells_sql(dialect: str) -> str:
    """SQL returning campaign_id, agent_id, team, calls, completed, contacts, sales, on_call."""
    import ibis

    from callkpi.metrics.binding import placeholder, to_sql

    events = ibis.table(_EVENT_SCHEMA, name="call_events")
    agents = ibis.table(TABLES["agents"].ibis_schema(), name="agents")
    recent = events.filter(events.at >= placeholder(WINDOW_START).cast("timestamp"))
    per_call = recent.group_by("call_id").agg(
        first_at=recent.at.min(),
        campaign_id=recent.campaign_id.max(),
        agent_id=recent.agent_id.max(),
        answered=(recent.kind == "answered").any(),
        ended=(recent.kind == "ended").any(),
        outcome=recent.outcome.max(),
    )
    today = per_call.filter(per_call.first_at >= placeholder(DAY_START).cast("timestamp"))
    teams = agents.select(team_agent=agents.agent_id, team=agents.team)
    joined = today.left_join(teams, today.agent_id == teams.team_agent).drop("team_agent")
    cells = joined.group_by("campaign_id", "agent_id", "team").agg(
        calls=joined.count(),
        completed=joined.count(where=joined.ended),
        contacts=joined.count(where=joined.ended & joined.outcome.isin(CONTACT_OUTCOMES)),
        sales=joined.count(where=joined.ended & (joined.outcome == "sale")),
        on_call=joined.count(where=joined.answered & ~joined.ended),
    )
    return to_sql(cells.order_by("campaign_id", "agent_id"), dialect)


def parameters(day_start: dt.datetime) -> dict[str, str]:
    """Bound values: the day's first instant (UTC) and a day before it for calls spanning it."""
    return {
        DAY_START: day_start.isoformat(sep=" "),
        WINDOW_START: (day_start - dt.timedelta(days=1)).isoformat(sep=" "),
    }


@dataclass(frozen=True)
class LiveBoard:
    """The counters one user sees: per campaign and per agent, with totals."""

    day: str
    campaigns: list[dict[str, Any]]
    agents: list[dict[str, Any]]
    totals: dict[str, Any]

    def as_dict(self) -> dict[str, Any]:
        return {
            "day": self.day,
            "totals": self.totals,
            "campaigns": self.campaigns,
            "agents": self.agents,
        }


def board(day: str, cells: Iterable[dict[str, Any]]) -> LiveBoard:
    """Sum cells (already scoped to a user) into campaign, agent and total rows."""
    by_campaign: dict[str, dict[str, Any]] = {}
    by_agent: dict[str, dict[str, Any]] = {}
    totals = _empty()
    on_call_agents: dict[str, set[str]] = {}
    busy: set[str] = set()
    for cell in cells:
        campaign = by_campaign.setdefault(cell["campaign_id"], _empty())
        _add(campaign, cell)
        _add(totals, cell)
        if cell["agent_id"] is not None:
            agent = by_agent.setdefault(cell["agent_id"], {**_empty(), "team": cell["team"]})
            _add(agent, cell)
            if cell["on_call"]:
                on_call_agents.setdefault(cell["campaign_id"], set()).add(cell["agent_id"])
                busy.add(cell["agent_id"])
    campaigns = [
        {"campaign_id": key, **_rated(row), "agents_on_call": len(on_call_agents.get(key, ()))}
        for key, row in sorted(by_campaign.items())
    ]
    agents = [
        {"agent_id": key, **_rated(row), "on_call": key in busy}
        for key, row in sorted(by_agent.items())
    ]
    return LiveBoard(day, campaigns, agents, {**_rated(totals), "agents_on_call": len(busy)})


def _empty() -> dict[str, Any]:
    return dict.fromkeys(COUNTERS, 0)


def _add(row: dict[str, Any], cell: dict[str, Any]) -> None:
    for name in COUNTERS:
        row[name] += int(cell[name])


def _rated(row: dict[str, Any]) -> dict[str, Any]:
    rate = row["contacts"] / row["completed"] if row["completed"] else None
    return {**row, "contact_rate": rate}
