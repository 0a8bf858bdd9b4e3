"""KPIs, the catalog and the dimensions: the same query object and numbers as `callkpi kpi`."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Query, Response

from callkpi.access.policy import refusal_for, scoped_query
from callkpi.api.errors import ApiError
from callkpi.api.schemas import ColumnInfo, KpiPage, QueryEcho
from callkpi.api.security import StateDep, UserDep
from callkpi.errors import QueryError, UnsplittableError
from callkpi.metrics.describe import catalog_records, dimension_records
from callkpi.metrics.query import KpiQuery, split_filters

router = APIRouter(tags=["kpis"])

MAX_KPIS = 100


def parse_filters(items: list[str]) -> dict[str, list[str]]:
    """`where=DIM:VALUE` items into a filter (metrics.query.split_filters); 422 if malformed."""
    try:
        return split_filters(items, ":")
    except QueryError as exc:
        raise ApiError(422, f"where={exc}", details={"where": items}) from None


@router.get("/kpis", response_model=KpiPage)
def kpis(
    state: StateDep,
    principal: UserDep,
    kpi: Annotated[
        list[str], Query(min_length=1, max_length=MAX_KPIS, description="KPI ids (repeat).")
    ],
    by: Annotated[list[str], Query(max_length=5, description="Dimensions (repeat).")] = [],  # noqa: B006
    grain: Annotated[str, Query(max_length=20)] = "all",
    start: Annotated[dt.date | None, Query(alias="from", description="First day.")] = None,
    end: Annotated[dt.date | None, Query(alias="to", description="Last day (inclusive).")] = None,
    where: Annotated[
        list[str], Query(max_length=20, description="Filters DIM:VALUE (repeat; same DIM = OR).")
    ] = [],  # noqa: B006
    details: Annotated[bool, Query(description="Numerators, denominators, intervals.")] = False,
    limit: Annotated[int | None, Query(ge=1, description="Rows per page.")] = None,
    offset: Annotated[int, Query(ge=0, le=10**9)] = 0,
) -> Response:
    """KPIs by dimensions and period. A manager's question is narrowed to its teams, an
    agent's to its own agent id, whatever `by` and `where` ask."""
    page = state.config.max_page_size if limit is None else limit
    if page > state.config.max_page_size:
        raise ApiError(422, f"limit is at most {state.config.max_page_size}")
    asked = KpiQuery.build(kpi, by, grain, start, end, parse_filters(where))
    query = scoped_query(principal, asked)
    key = (query.shape(), tuple(sorted(query.parameters().items())), details, page, offset)

    def compute() -> bytes:
        records, columns = _answer(state, principal, query, details)
        return (
            KpiPage(
                query=QueryEcho(
                    kpis=list(query.kpis),
                    by=list(query.by),
                    grain=query.grain,
                    start=query.start,
                    end=query.end,
                    where={k: list(v) for k, v in query.where.items()},
                ),
                columns=columns,
                rows=records[offset : offset + page],
                total_rows=len(records),
                limit=page,
                offset=offset,
            )
            .model_dump_json()
            .encode("utf-8")
        )

    # The key holds the scoped question, so users with the same scope share answers and
    # users with different scopes never do.
    return Response(state.results.fetch(key, compute), media_type="application/json")


def _answer(
    state: StateDep, principal: UserDep, query: KpiQuery, details: bool
) -> tuple[list[dict[str, Any]], list[ColumnInfo]]:
    try:
        with state.session() as ws:
            result = ws.run(query, timeout_s=state.config.query_timeout_s)
    except UnsplittableError as exc:
        refusal = refusal_for(principal, exc, query.kpis)
        if refusal is not None:
            raise refusal from exc
        raise
    roles = ("dimension", "period", "value")
    columns = [
        ColumnInfo(name=c.name, role=c.role, kpi=c.kpi)
        for c in result.columns
        if details or c.role in roles
    ]
    return result.records(details=details), columns


@router.get("/catalog")
def catalog(state: StateDep, principal: UserDep) -> list[dict[str, Any]]:
    """Every KPI: id, fr/en labels and descriptions, unit, direction, type, formula."""
    return catalog_records(state.workspace.catalog)


@router.get("/dimensions")
def dimensions(state: StateDep, principal: UserDep) -> list[dict[str, Any]]:
    """What KPIs can be split (`by`) and filtered (`where`) by, with fr/en labels."""
    return dimension_records(state.workspace.catalog)
