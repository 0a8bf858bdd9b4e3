"""The FastAPI application: routers under /api/v1, one error shape, the live board's task."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Iterator

from fastapi import APIRouter, Depends, FastAPI, Request
from fastapi.dependencies.models import Dependant

from callkpi.api import errors
from callkpi.api.config import API_PREFIX, ApiConfig
from callkpi.api.errors import ApiError
from callkpi.api.live import LiveHub
from callkpi.api.routes import auth, health, imports, kpis, live, targets
from callkpi.api.schemas import ErrorBody
from callkpi.api.state import ApiState
from callkpi.workspace import Workspace


def _query_names(dependant: Dependant) -> Iterator[str]:
    for param in dependant.query_params:
        yield param.alias
    for sub in dependant.dependencies:
        yield from _query_names(sub)


def known_query_parameters(request: Request) -> None:
    """Refuse a query parameter the route does not take (`kpis=` for `kpi=`), rather than
    silently answer another question."""
    route = request.scope.get("route")
    dependant = getattr(route, "dependant", None)
    if dependant is None:
        return
    unknown = sorted(set(request.query_params) - set(_query_names(dependant)))
    if unknown:
        allowed = sorted(set(_query_names(dependant)))
        raise ApiError(
            422,
            f"unknown query parameter(s) {', '.join(unknown)}; this route takes: "
            f"{', '.join(allowed) or 'none'}",
            code="unknown_parameter",
        )


def _document_names(app: FastAPI, state: ApiState) -> None:
    """Publish the catalog's KPI ids, dimensions and grains as enums of /kpis' parameters, so
    the schema says what can be asked (the server checks them anyway, with "did you mean")."""
    from callkpi.metrics.model import GRAINS

    catalog = state.workspace.catalog
    names = {
        "kpi": sorted(catalog.kpis),
        "by": sorted(catalog.dimensions),
        "grain": list(GRAINS),
    }

    def openapi() -> dict:
        if app.openapi_schema is None:
            schema = FastAPI.openapi(app)
            for parameter in schema["paths"][f"{API_PREFIX}/kpis"]["get"]["parameters"]:
                if parameter["name"] in names:
                    target = parameter["schema"]
                    target = target.get("items", target)
                    target["enum"] = names[parameter["name"]]
            app.openapi_schema = schema
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


def create_app(config: ApiConfig, workspace: Workspace | None = None) -> FastAPI:
    """Open the store (this process becomes its one writer) and build the application."""
    if workspace is None:
        from callkpi.workspace import open as open_workspace

        workspace = open_workspace(config.db)
    state = ApiState(config, workspace)
    hub = LiveHub(state)

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        state.start()
        task = asyncio.create_task(hub.run())
        try:
            yield
        finally:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
            hub.wait_idle()
            state.shutdown()

    app = FastAPI(
        title="callkpi",
        summary="KPIs, ROI and live counters of telemarketing campaigns and CRM work.",
        version="1",
        openapi_url=f"{API_PREFIX}/openapi.json",
        docs_url=f"{API_PREFIX}/docs",
        redoc_url=None,
        lifespan=lifespan,
        responses={
            code: {"model": ErrorBody, "description": text}
            for code, text in (
                (400, "A question that cannot be answered (unknown KPI...)"),
                (401, "Not logged in"),
                (403, "Not allowed for this role"),
                (404, "No such resource"),
                (413, "Upload too large"),
                (422, "Invalid input"),
                (429, "Too many requests"),
                (503, "Store unavailable or query too long"),
            )
        },
    )
    _document_names(app, state)
    app.state.callkpi = state
    app.state.live = hub
    errors.install(app)
    api = APIRouter(prefix=API_PREFIX, dependencies=[Depends(known_query_parameters)])
    for module in (health, auth, kpis, imports, live, targets):
        api.include_router(module.router)
    app.include_router(api)
    return app
