"""The API on a PostgreSQL store (the team server): the same routes, roles and numbers."""

from __future__ import annotations

import csv
import io
import time
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

import callkpi
from callkpi.api import create_app
from callkpi.store import accounts, changes
from callkpi.workspace import Workspace
from tests.api.conftest import API_DATA, PASSWORD, USERS, assert_error, make_config
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


def test_a_server_hears_other_writers_and_survives_losing_the_feed(pg_ws: Workspace) -> None:
    """What another process commits bumps this server's generations (its caches and board
    follow); a dropped feed connection is reopened and counts as "everything changed"."""
    app = create_app(make_config(pg_ws), pg_ws)
    with TestClient(app):
        state = app.state.callkpi
        other = pg_ws.store.fork()  # another process's connection
        try:

            def after(change, what: str) -> int:
                before = getattr(state.generations, what)
                change()
                deadline = time.monotonic() + 10
                while getattr(state.generations, what) == before:
                    assert time.monotonic() < deadline, f"{what} did not move"
                    time.sleep(0.02)
                return getattr(state.generations, what)

            after(lambda: other.announce(changes.LIVE), "events")
            after(lambda: other.announce(changes.DATA), "imports")
            killed = lambda: other.execute(  # noqa: E731
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = current_database() AND query LIKE 'LISTEN%'"
            )
            after(killed, "imports")  # reconnected: anything may have been missed
            after(lambda: other.announce(changes.DATA), "imports")  # and it hears again
        finally:
            other.close()


def test_post_imports_writes_to_a_postgresql_store(pg_ws: Workspace) -> None:
    """The upload route on the team server: a French CSV, an update, an atomic refusal that
    leaves the store as it was, and skip-invalid rejects readable afterwards."""
    from tests.api.test_imports import BAD, GOOD, HEADER, IMPORTS, upload

    app = create_app(make_config(pg_ws), pg_ws)
    with TestClient(app) as client:
        login = client.post("/api/v1/auth/token", data={"username": "admin", "password": PASSWORD})
        admin = {"Authorization": f"Bearer {login.json()['access_token']}"}

        response = upload(client, admin, HEADER + GOOD)
        assert response.status_code == 201, response.text
        report = response.json()
        assert (report["rows_read"], report["inserted"], report["updated"]) == (2, 2, 0)
        assert pg_ws.store.scalar("SELECT talk_s FROM calls WHERE call_id = 'N1'") == 120.5
        row = client.get(f"{IMPORTS}/{report['import_id']}", headers=admin).json()
        assert (row["user_name"], row["inserted"], row["table_name"]) == ("admin", 2, "calls")

        again = upload(client, admin, HEADER + GOOD.replace("120,5", "99")).json()
        assert (again["inserted"], again["updated"]) == (0, 2)
        assert pg_ws.store.scalar("SELECT talk_s FROM calls WHERE call_id = 'N1'") == 99.0

        calls = pg_ws.store.row_count("calls")
        # an atomic import with bad rows: 422 and nothing written
        response = upload(client, admin, HEADER + GOOD.replace("N", "M") + BAD)
        details = assert_error(response, 422)["details"]
        assert (details["rows_read"], details["rejected"]) == (5, 3)
        assert pg_ws.store.row_count("calls") == calls
        assert client.get(IMPORTS, headers=admin).json()["total"] == 2

        kept = upload(client, admin, HEADER + GOOD.replace("N", "M") + BAD, mode="skip-invalid")
        assert kept.status_code == 201
        assert (kept.json()["inserted"], kept.json()["rejected"]) == (2, 3)
        assert pg_ws.store.row_count("calls") == calls + 2
        rejects = client.get(f"{IMPORTS}/{kept.json()['import_id']}/rejects.csv", headers=admin)
        lines = [r["line"] for r in csv.DictReader(io.StringIO(rejects.text))]
        assert lines == ["4", "5", "6"]
