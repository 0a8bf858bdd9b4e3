"""Logging in and out, token expiry, API keys, and the login rate limit."""

from __future__ import annotations

from fastapi.testclient import TestClient

from callkpi.api import create_app
from callkpi.workspace import Workspace
from tests.api.conftest import PASSWORD, assert_error, make_config, mint_token

TOKEN = "/api/v1/auth/token"


def test_login_gives_a_short_lived_bearer_token_that_opens_the_api(client: TestClient) -> None:
    response = client.post(TOKEN, data={"username": "manager1", "password": PASSWORD})
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["token_type"] == "bearer"
    assert body["expires_in"] == 15 * 60
    assert body["role"] == "manager"
    headers = {"Authorization": f"Bearer {body['access_token']}"}
    assert client.get("/api/v1/catalog", headers=headers).status_code == 200


def test_a_wrong_password_and_an_unknown_user_get_the_same_answer(client: TestClient) -> None:
    wrong = client.post(TOKEN, data={"username": "admin", "password": "not the one"})
    unknown = client.post(TOKEN, data={"username": "nobody", "password": "not the one"})
    assert assert_error(wrong, 401) == assert_error(unknown, 401)
    assert wrong.headers["WWW-Authenticate"] == "Bearer"


def test_failed_logins_are_rate_limited_per_user(api_ws: Workspace) -> None:
    app = create_app(make_config(api_ws, login_failures_per_user=3), api_ws)
    with TestClient(app) as client:
        for _ in range(3):
            assert (
                client.post(TOKEN, data={"username": "agent1", "password": "x"}).status_code == 401
            )
        blocked = client.post(TOKEN, data={"username": "agent1", "password": PASSWORD})
        assert_error(blocked, 429, "too_many_requests")
        assert int(blocked.headers["Retry-After"]) >= 1
        # Another user is not blocked by agent1's failures.
        assert (
            client.post(TOKEN, data={"username": "agent2", "password": PASSWORD}).status_code == 200
        )


def test_login_attempts_are_rate_limited_per_address(api_ws: Workspace) -> None:
    app = create_app(make_config(api_ws, login_attempts_per_address=2), api_ws)
    with TestClient(app) as client:
        for name in ("agent1", "agent2"):
            assert (
                client.post(TOKEN, data={"username": name, "password": PASSWORD}).status_code == 200
            )
        assert_error(client.post(TOKEN, data={"username": "admin", "password": PASSWORD}), 429)


def test_no_token_a_bad_token_and_an_expired_token_are_refused(
    client: TestClient, api_ws: Workspace
) -> None:
    assert_error(client.get("/api/v1/catalog"), 401, "unauthorized")
    assert_error(client.get("/api/v1/catalog", headers={"Authorization": "Bearer nope"}), 401)
    assert_error(client.get("/api/v1/catalog", headers={"Authorization": "Basic YTpi"}), 401)
    expired = mint_token(api_ws, "admin", minutes=-1)
    assert_error(client.get("/api/v1/catalog", headers={"Authorization": f"Bearer {expired}"}), 401)


def test_log_out_revokes_the_token(client: TestClient, api_ws: Workspace) -> None:
    headers = {"Authorization": f"Bearer {mint_token(api_ws, 'agent1')}"}
    assert client.get("/api/v1/catalog", headers=headers).status_code == 200
    assert client.delete(TOKEN, headers=headers).status_code == 204
    assert_error(client.get("/api/v1/catalog", headers=headers), 401)


def test_tokens_and_keys_are_stored_only_as_digests(
    client: TestClient, api_ws: Workspace, auth: dict
) -> None:
    token = auth["admin"]["Authorization"].removeprefix("Bearer ")
    key = auth["key"]["Authorization"].removeprefix("Bearer ")
    stored = (
        api_ws.store.query(
            "SELECT token_sha256 AS s FROM tokens UNION ALL SELECT key_sha256 FROM api_keys "
            "UNION ALL SELECT password_hash FROM users"
        )
        .column("s")
        .to_pylist()
    )
    assert token not in stored and key not in stored
    assert all(h.startswith("$argon2id$") for h in stored if len(h) != 64)


def test_an_api_key_may_post_events_and_nothing_else(client: TestClient, auth: dict) -> None:
    for path in ("/api/v1/catalog", "/api/v1/kpis?kpi=calls", "/api/v1/targets", "/api/v1/imports"):
        assert_error(client.get(path, headers=auth["key"]), 403)


def test_a_revoked_api_key_is_refused(client: TestClient, api_ws: Workspace, auth: dict) -> None:
    from callkpi.store.accounts import revoke_api_key

    revoke_api_key(api_ws.store, "dialer")
    body = {
        "events": [
            {
                "event_id": "e",
                "call_id": "c",
                "kind": "started",
                "at": "2026-01-01T10:00:00Z",
                "campaign_id": "C1",
            }
        ]
    }
    assert_error(client.post("/api/v1/events", json=body, headers=auth["key"]), 401)
