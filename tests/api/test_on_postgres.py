"""The API on a PostgreSQL store (the team server): the same routes, roles and numbers."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

import callkpi
from callkpi.api import create_app
from callkpi.store import accounts
from callkpi.workspace import Workspace
from tests.api.conftest import API_DATA, PASSWORD, USERS, make_config
from tests.api.test_events import CALL


@pytest.fixture
def pg_ws(postgres_url: str, password_hash: str) -> Iterator[Workspace]:
    ws = callkpi.open(postgres_url)
    for table, rows in API_DATA.items():
        ws.append(table, rows)
    for name, (role, agent_id, teams) in USERS.items():
        accounts.add_user(ws.store, name, password_hash, role, agent_id, teams)
    yield ws
    ws.close()


def test_the_api_serves_a_postgresql_store(pg_ws: Workspace, small_ws: Workspace) -> None:
    app = create_app(make_config(pg_ws), pg_ws)
    with TestClient(app) as client:
        login = client.post("/api/v1/auth/token", data={"username": "agent1", "password": PASSWORD})
        agent = {"Authorization": f"Bearer {login.json()['access_token']}"}
        login = client.post("/api/v1/auth/token", data={"username": "admin", "password": PASSWORD})
        admin = {"Authorization": f"Bearer {login.json()['access_token']}"}

        rows = client.get(
            "/api/v1/kpis", params={"kpi": ["calls", "contact_rate"], "by": "agent"}, headers=agent
        ).json()["rows"]
        expected = small_ws.kpis(["calls", "contact_rate"], by="agent", where={"agent": "A1"})
        assert rows == expected.records()  # A1's calls are the same in both fixtures

        first = client.post("/api/v1/events", json={"events": CALL}, headers=admin).json()
        again = client.post("/api/v1/events", json={"events": CALL}, headers=admin).json()
        assert (first["new"], first["calls_completed"], again["duplicates"]) == (3, 1, 3)
        assert pg_ws.store.scalar("SELECT talk_s FROM calls WHERE call_id = 'live1'") == 240.0

        put = client.put(
            "/api/v1/targets",
            headers=admin,
            json={
                "targets": [
                    {
                        "kpi": "contact_rate",
                        "scope_dimension": "agent",
                        "scope_value": "A1",
                        "target": 0.4,
                    }
                ]
            },
        )
        assert put.status_code == 200
        seen = client.get("/api/v1/targets", headers=agent).json()["targets"]
        assert [(t["scope_value"], t["target"]) for t in seen] == [("A1", 0.4)]
        assert client.get("/api/v1/health").json()["status"] == "ok"
