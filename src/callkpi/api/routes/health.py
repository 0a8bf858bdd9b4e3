"""Liveness that means something: 200 only when the store answers a query."""

from __future__ import annotations

from fastapi import APIRouter

from callkpi.api.errors import ApiError
from callkpi.api.schemas import Health
from callkpi.api.security import StateDep

router = APIRouter(tags=["health"])


@router.get("/health", response_model=Health)
def health(state: StateDep) -> Health:
    """No login needed; 503 when the store cannot be queried."""
    try:
        with state.session() as ws:
            version = ws.store.schema_version()
    except Exception as exc:  # any failure of the store means unhealthy
        raise ApiError(503, f"the store does not answer: {type(exc).__name__}") from exc
    return Health(status="ok", schema_version=version)
