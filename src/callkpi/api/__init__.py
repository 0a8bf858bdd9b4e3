"""The HTTP API face (FastAPI): the same KPI results as the library and the CLI, by role.

`create_app(config)` builds the application; `callkpi serve` runs it with uvicorn.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from callkpi.api.app import create_app
    from callkpi.api.config import ApiConfig


def __getattr__(name: str) -> Any:
    if name == "create_app":
        from callkpi.api.app import create_app

        return create_app
    if name == "ApiConfig":
        from callkpi.api.config import ApiConfig

        return ApiConfig
    raise AttributeError(name)


__all__ = ["ApiConfig", "create_app"]
