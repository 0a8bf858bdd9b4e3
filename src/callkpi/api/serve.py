"""Run the API with uvicorn, as the one process that writes the store."""

from __future__ import annotations

from typing import Any

from callkpi.api.config import API_PREFIX, ApiConfig
from callkpi.errors import StoreError


def open_for_serving(db: str) -> Any:
    """Open the store read-write; a second server on the same DuckDB file gets a clear no."""
    from callkpi.workspace import open as open_workspace

    try:
        return open_workspace(db)
    except StoreError as exc:
        if "lock" in str(exc).lower():
            raise StoreError(
                f"{db} is already open in another process (another `callkpi serve`, or a "
                "command still running). DuckDB allows one writing process: stop the other "
                "one, or use a PostgreSQL store to run several servers. "
                f"DuckDB said: {exc}"
            ) from exc
        raise


def check_port(host: str, port: int) -> None:
    """Fail in one line, before opening the store, when the address cannot be listened on."""
    import os
    import socket

    try:
        with socket.create_server((host, port)):
            pass
    except OSError as exc:
        raise OSError(
            f"cannot listen on {host}:{port}: {os.strerror(exc.errno) if exc.errno else exc} "
            "(another server? choose "
            "another with --port)"
        ) from exc


def serve(db: str, *, host: str, port: int, console: Any, **limits: Any) -> None:
    import uvicorn

    check_port(host, port)
    from callkpi.api.app import create_app
    from callkpi.store.accounts import count_users

    workspace = open_for_serving(db)
    config = ApiConfig(db=db, **limits)
    app = create_app(config, workspace)
    if count_users(workspace.store) == 0:
        console.print(
            "no API user yet: stop the server and create one with "
            "`callkpi user add NAME --role admin`",
            highlight=False,
        )
    console.print(
        f"callkpi API on http://{host}:{port}{API_PREFIX}/ (docs: {API_PREFIX}/docs), store {db}",
        highlight=False,
    )
    uvicorn.run(app, host=host, port=port, log_level="warning", timeout_graceful_shutdown=2)
