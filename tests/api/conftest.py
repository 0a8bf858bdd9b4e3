"""An API over the small hand-checked fixture plus a third agent, with one user per role.

Agents A1 and A3 are in team T1, A2 in team T2. Users: `admin`; `manager1` (team T1);
`manager2` (team T2); `agent1` (A1); `agent2` (A2). Passwords are hashed once per session and
tokens are minted directly, so only the login tests pay for Argon2.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from callkpi.access.credentials import digest, hash_password, new_api_key, new_token
from callkpi.api import ApiConfig, create_app
from callkpi.store import accounts
from callkpi.workspace import Workspace
from tests.conftest import SMALL_DATA, _call, make_workspace

PASSWORD = "correct horse battery"
USERS = {
    "admin": ("admin", None, ()),
    "manager1": ("manager", None, ("T1",)),
    "manager2": ("manager", None, ("T2",)),
    "agent1": ("agent", "A1", ()),
    "agent2": ("agent", "A2", ()),
}

API_DATA = {
    **SMALL_DATA,
    "agents": [
        *SMALL_DATA["agents"],
        {"agent_id": "A3", "name": "Chloé D.", "team": "T1", "site": "Lyon", "hourly_cost": 19.0},
    ],
    "calls": [
        *SMALL_DATA["calls"],
        _call("CL21", "C1", "A3", "K4", "L4", "2026-01-09 10:00", "sale", 200, 0, 20),
        _call("CL22", "C2", "A3", "K4", "L4", "2026-01-12 10:00", "no_answer"),
    ],
}


@pytest.fixture(scope="session")
def password_hash() -> str:
    return hash_password(PASSWORD)


@pytest.fixture
def api_ws(tmp_path: Path, password_hash: str) -> Iterator[Workspace]:
    ws = make_workspace(tmp_path / "api.duckdb", API_DATA)
    for name, (role, agent_id, teams) in USERS.items():
        accounts.add_user(ws.store, name, password_hash, role, agent_id, teams)
    yield ws
    ws.close()


def make_config(ws: Workspace, **limits: object) -> ApiConfig:
    settings = {"live_interval_s": 0.05, "rollup_refresh_s": 0.1, "live_staleness_s": 0.2}
    return ApiConfig(db=ws.store.path, **{**settings, **limits})  # type: ignore[arg-type]


@pytest.fixture
def client(api_ws: Workspace) -> Iterator[TestClient]:
    app = create_app(make_config(api_ws), api_ws)
    with TestClient(app, raise_server_exceptions=False) as test_client:
        yield test_client


def mint_token(ws: Workspace, user: str, minutes: int = 15) -> str:
    token = new_token()
    accounts.save_token(ws.store, digest(token), user, dt.timedelta(minutes=minutes))
    return token


@pytest.fixture
def auth(api_ws: Workspace) -> dict[str, dict[str, str]]:
    """Authorization headers per user name, plus `key` for an event source's API key."""
    headers = {name: {"Authorization": f"Bearer {mint_token(api_ws, name)}"} for name in USERS}
    key = new_api_key()
    accounts.add_api_key(api_ws.store, "dialer", digest(key))
    headers["key"] = {"Authorization": f"Bearer {key}"}
    return headers


def assert_error(response, status: int, code: str | None = None) -> dict:
    """Every error has the one shape: {"error": {status, code, message, details}}."""
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"error"}
    error = body["error"]
    assert set(error) == {"status", "code", "message", "details"}
    assert error["status"] == status
    assert error["message"]
    if code is not None:
        assert error["code"] == code
    return error
