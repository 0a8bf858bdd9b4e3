"""Targets per KPI and scope: everyone reads those they may see; admins and managers set them."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query

from callkpi.access.policy import Principal, may_read_target, may_set_target
from callkpi.api.errors import ApiError
from callkpi.api.schemas import TargetIn, TargetList, TargetOut, TargetsIn
from callkpi.api.security import StateDep, UserDep
from callkpi.api.state import ApiState
from callkpi.store.accounts import agent_teams
from callkpi.store.targets import TargetRow, delete_target, list_targets, put_targets

router = APIRouter(tags=["targets"])
Period = Literal["day", "week", "month", "quarter", "year", "all"]
WHOLE = "all"


def _out(row: TargetRow) -> TargetOut:
    return TargetOut(
        kpi=row.kpi,
        scope_dimension=row.scope_dimension or WHOLE,
        scope_value=row.scope_value or "",
        period=row.period,
        target=row.target,
        warn_threshold=row.warn_threshold,
    )


def _visible_targets(state: ApiState, principal: Principal) -> TargetList:
    with state.session() as ws:
        rows = list_targets(ws.store)
        teams = agent_teams(ws.store)
    return TargetList(
        targets=[
            _out(row)
            for row in rows
            if may_read_target(
                principal, row.scope_dimension or WHOLE, row.scope_value or "", teams
            )
        ]
    )


@router.get("/targets", response_model=TargetList)
def get_targets(state: StateDep, principal: UserDep) -> TargetList:
    """Targets on the whole business, campaigns, channels... and on the people the user may
    see (an agent its own and its team's, a manager its teams and their agents)."""
    return _visible_targets(state, principal)


def _row(state: ApiState, position: int, item: TargetIn) -> TargetRow:
    catalog = state.workspace.catalog
    catalog.kpi(item.kpi)
    if item.scope_dimension == WHOLE:
        if item.scope_value:
            raise ApiError(422, f"targets.{position}: scope 'all' takes no scope_value")
        return TargetRow(item.kpi, None, None, item.period, item.target, item.warn_threshold)
    catalog.dimension(item.scope_dimension)
    if not item.scope_value:
        raise ApiError(422, f"targets.{position}: scope_value is required")
    return TargetRow(
        item.kpi,
        item.scope_dimension,
        item.scope_value,
        item.period,
        item.target,
        item.warn_threshold,
    )


@router.put("/targets", response_model=TargetList)
def put_targets_route(state: StateDep, principal: UserDep, body: TargetsIn) -> TargetList:
    """Create or replace targets (keyed by KPI, scope and period), all or nothing. A manager
    may set those of its teams and their agents; an admin any; an agent none."""
    with state.session() as ws:
        teams = agent_teams(ws.store)
    rows = []
    for position, item in enumerate(body.targets):
        row = _row(state, position, item)
        if not may_set_target(principal, item.scope_dimension, item.scope_value, teams):
            raise ApiError(
                403,
                f"{principal.name} ({principal.role}) may not set a target on "
                f"{item.scope_dimension} {item.scope_value}".rstrip(),
            )
        rows.append(row)
    with state.session() as ws:
        put_targets(ws.store, rows)
    return _visible_targets(state, principal)


@router.delete("/targets", status_code=204)
def delete_target_route(
    state: StateDep,
    principal: UserDep,
    kpi: Annotated[str, Query(min_length=1, max_length=100)],
    scope_dimension: Annotated[str, Query(min_length=1, max_length=100)] = WHOLE,
    scope_value: Annotated[str, Query(max_length=200)] = "",
    period: Annotated[Period, Query()] = "month",
) -> None:
    """Remove one target; the same rights as setting it."""
    with state.session() as ws:
        teams = agent_teams(ws.store)
        if not may_set_target(principal, scope_dimension, scope_value, teams):
            raise ApiError(403, f"{principal.name} ({principal.role}) may not remove this target")
        whole = scope_dimension == WHOLE
        found = delete_target(
            ws.store,
            kpi,
            None if whole else scope_dimension,
            None if whole else scope_value,
            period,
        )
        if not found:
            raise ApiError(404, "no such target")
