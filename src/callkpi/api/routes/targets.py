"""Targets per KPI and scope: everyone reads those they may see; admins and managers set them."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query

from callkpi.access.policy import Principal, may_read_target, may_set_target
from callkpi.api.errors import ApiError
from callkpi.api.schemas import TargetList, TargetOut, TargetsIn
from callkpi.api.security import StateDep, UserDep
from callkpi.api.state import ApiState
from callkpi.store.accounts import agent_teams
from callkpi.store.ledger import utcnow
from callkpi.store.targets import WHOLE_SCOPE, TargetRow, delete_target, list_targets, put_targets

router = APIRouter(tags=["targets"])
Grain = Literal["day", "week", "month", "quarter", "year", "all"]


def _visible_targets(state: ApiState, principal: Principal) -> TargetList:
    with state.session() as ws:
        rows = list_targets(ws.store)
        teams = agent_teams(ws.store)
    return TargetList(
        targets=[
            TargetOut(**row.__dict__)
            for row in rows
            if may_read_target(principal, row.scope_dimension, row.scope_value, teams)
        ]
    )


@router.get("/targets", response_model=TargetList)
def get_targets(state: StateDep, principal: UserDep) -> TargetList:
    """Targets on the whole business, campaigns, channels... and on the people the user may
    see (an agent its own, a manager its teams and their agents)."""
    return _visible_targets(state, principal)


@router.put("/targets", response_model=TargetList)
def put_targets_route(state: StateDep, principal: UserDep, body: TargetsIn) -> TargetList:
    """Create or replace targets (keyed by KPI, scope and grain), all or nothing. A manager
    may set those of its teams and their agents; an admin any."""
    catalog = state.workspace.catalog
    with state.session() as ws:
        teams = agent_teams(ws.store)
    rows = []
    for position, item in enumerate(body.targets):
        catalog.kpi(item.kpi)
        if item.scope_dimension == WHOLE_SCOPE:
            if item.scope_value:
                raise ApiError(422, f"targets.{position}: scope 'all' takes no scope_value")
        else:
            catalog.dimension(item.scope_dimension)
            if not item.scope_value:
                raise ApiError(422, f"targets.{position}: scope_value is required")
        if not may_set_target(principal, item.scope_dimension, item.scope_value, teams):
            raise ApiError(
                403,
                f"{principal.name} ({principal.role}) may not set a target on "
                f"{item.scope_dimension} {item.scope_value!r}".rstrip(" '"),
            )
        rows.append(
            TargetRow(
                item.kpi,
                item.scope_dimension,
                item.scope_value,
                item.grain,
                item.target,
                item.warn_threshold,
                utcnow(),
                principal.name,
            )
        )
    with state.session() as ws:
        put_targets(ws.store, rows)
    return _visible_targets(state, principal)


@router.delete("/targets", status_code=204)
def delete_target_route(
    state: StateDep,
    principal: UserDep,
    kpi: Annotated[str, Query(min_length=1, max_length=100)],
    scope_dimension: Annotated[str, Query(min_length=1, max_length=100)] = WHOLE_SCOPE,
    scope_value: Annotated[str, Query(max_length=200)] = "",
    grain: Annotated[Grain, Query()] = "month",
) -> None:
    """Remove one target; the same rights as setting it."""
    with state.session() as ws:
        teams = agent_teams(ws.store)
        if not may_set_target(principal, scope_dimension, scope_value, teams):
            raise ApiError(403, f"{principal.name} ({principal.role}) may not remove this target")
        if not delete_target(ws.store, kpi, scope_dimension, scope_value, grain):
            raise ApiError(404, "no such target")
