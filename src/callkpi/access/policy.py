"""The role policy: admin sees everything, a manager the figures of its teams, an agent its own.

Every KPI question from a manager or an agent is narrowed on the server by a filter on `team`
or `agent`, intersected with whatever filter the question already had; a KPI that cannot be
filtered that way (costs by agent...) is refused rather than answered for everyone.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

from callkpi.errors import AccessDeniedError, UnsplittableError
from callkpi.metrics.query import KpiQuery

Role = Literal["admin", "manager", "agent"]
#: Target scopes that name people: only those people's managers see and set them.
PERSONAL_SCOPES = ("agent", "team")


@dataclass(frozen=True)
class Principal:
    """An authenticated user, as the policy needs it."""

    name: str
    role: Role
    agent_id: str | None = None
    teams: tuple[str, ...] = ()

    @property
    def scope(self) -> tuple[str, tuple[str, ...]] | None:
        """The dimension and values every figure is restricted to (None: unrestricted)."""
        if self.role == "agent":
            return ("agent", (self.agent_id or "",))
        if self.role == "manager":
            return ("team", self.teams)
        return None


def scoped_query(principal: Principal, query: KpiQuery) -> KpiQuery:
    """The question narrowed to what the principal may see."""
    scope = principal.scope
    if scope is None:
        return query
    dimension, allowed = scope
    asked = query.where.get(dimension)
    values = allowed if asked is None else tuple(v for v in asked if v in allowed)
    if not values:
        raise AccessDeniedError(
            f"{principal.name} ({principal.role}) may only see figures of {dimension} "
            f"{', '.join(allowed)}"
        )
    where = {**query.where, dimension: values}
    return dataclasses.replace(query, where=where)


def refusal_for(
    principal: Principal, error: UnsplittableError, asked: tuple[str, ...]
) -> AccessDeniedError | None:
    """An unsplittable KPI on the principal's own scope is a refusal, not a bad question."""
    scope = principal.scope
    if scope is None or error.dimension != scope[0]:
        return None
    through = [k for k in error.kpis if k not in asked]
    via = f" (through {', '.join(through)})" if through else ""
    return AccessDeniedError(
        f"{', '.join(asked)}{via}: cannot be restricted to one {scope[0]}, so "
        f"{'an' if principal.role == 'agent' else 'a'} {principal.role} may not ask for it"
    )


def sees_person(principal: Principal, agent_id: str | None, team: str | None) -> bool:
    """Whether the principal may see the figures of this agent (of this team)."""
    if principal.role == "admin":
        return True
    if principal.role == "manager":
        return team is not None and team in principal.teams
    return agent_id is not None and agent_id == principal.agent_id


def may_read_target(
    principal: Principal, dimension: str, value: str, team_of: dict[str, str]
) -> bool:
    """Targets on campaigns, channels... are goals, visible to all; a person's only to them."""
    if dimension not in PERSONAL_SCOPES or principal.role == "admin":
        return True
    if dimension == "team":
        if principal.role == "manager":
            return value in principal.teams
        return team_of.get(principal.agent_id or "") == value
    return sees_person(principal, value, team_of.get(value))


def may_set_target(
    principal: Principal, dimension: str, value: str, team_of: dict[str, str]
) -> bool:
    """Admins set any target; managers those of their teams and their agents; agents none."""
    if principal.role == "admin":
        return True
    if principal.role != "manager":
        return False
    if dimension == "team":
        return value in principal.teams
    if dimension == "agent":
        return team_of.get(value) in principal.teams
    return False


def visible(
    principal: Principal, rows: Iterable[dict], agent_key: str = "agent_id", team_key: str = "team"
) -> list[dict]:
    """The rows (one per agent, or per campaign and agent) the principal may see."""
    return [r for r in rows if sees_person(principal, r.get(agent_key), r.get(team_key))]
