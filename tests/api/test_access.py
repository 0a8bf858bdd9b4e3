"""Broken object level authorization (OWASP API1): every route, every role, someone else's id.

An agent never sees another agent's numbers, not through `by=agent`, a `where`, a team total,
a target or the live board; a manager sees only its teams (T1 = A1 and A3; T2 = A2).
"""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from callkpi.workspace import Workspace
from tests.api.conftest import API_DATA, USERS, assert_error

KPIS = "/api/v1/kpis"


def calls_of(*agents: str) -> int:
    return sum(1 for call in API_DATA["calls"] if call["agent_id"] in agents)


@pytest.mark.parametrize(
    ("user", "visible_agents"),
    [
        ("admin", {"A1", "A2", "A3"}),
        ("manager1", {"A1", "A3"}),
        ("manager2", {"A2"}),
        ("agent1", {"A1"}),
        ("agent2", {"A2"}),
    ],
)
def test_by_agent_shows_only_the_agents_a_user_may_see(
    client: TestClient, auth: dict, user: str, visible_agents: set[str]
) -> None:
    body = client.get(KPIS, params={"kpi": "calls", "by": "agent"}, headers=auth[user]).json()
    assert {r["agent"]: r["calls"] for r in body["rows"]} == {
        agent: calls_of(agent) for agent in visible_agents
    }


@pytest.mark.parametrize(
    ("user", "total"),
    [
        ("admin", calls_of("A1", "A2", "A3")),
        ("manager1", calls_of("A1", "A3")),
        ("agent1", calls_of("A1")),
        ("agent2", calls_of("A2")),
    ],
)
def test_totals_and_team_totals_hold_only_what_the_user_may_see(
    client: TestClient, auth: dict, user: str, total: int
) -> None:
    whole = client.get(KPIS, params={"kpi": "calls"}, headers=auth[user]).json()
    assert whole["rows"][0]["calls"] == total
    teams = client.get(KPIS, params={"kpi": "calls", "by": "team"}, headers=auth[user]).json()
    assert sum(r["calls"] for r in teams["rows"]) == total
    if user == "agent1":  # its team T1 also has A3, whose calls must not show
        assert teams["rows"] == [{"team": "T1", "calls": calls_of("A1")}]


@pytest.mark.parametrize(
    ("user", "where"),
    [
        ("agent1", "agent:A2"),
        ("agent1", "agent:A3"),
        ("agent2", "team:T1"),
        ("manager1", "team:T2"),
        ("manager1", "agent:A2"),
        ("manager2", "agent:A1"),
    ],
)
def test_asking_for_someone_elses_figures_is_refused_or_empty(
    client: TestClient, auth: dict, user: str, where: str
) -> None:
    response = client.get(
        KPIS,
        params={"kpi": ["calls", "contact_rate"], "by": "agent", "where": where},
        headers=auth[user],
    )
    if response.status_code == 403:
        assert_error(response, 403, "forbidden")
    else:  # a filter on another dimension, intersected with the user's scope: nothing left
        assert response.status_code == 200 and response.json()["rows"] == []


def test_an_agent_filtering_on_itself_among_others_sees_only_itself(
    client: TestClient, auth: dict
) -> None:
    body = client.get(
        KPIS,
        params={"kpi": "calls", "by": "agent", "where": ["agent:A1", "agent:A2"]},
        headers=auth["agent1"],
    ).json()
    assert body["query"]["where"] == {"agent": ["A1"]}
    assert [r["agent"] for r in body["rows"]] == ["A1"]


@pytest.mark.parametrize("user", ["manager1", "agent1"])
def test_kpis_that_cannot_be_narrowed_to_the_users_scope_are_refused(
    client: TestClient, auth: dict, user: str
) -> None:
    error = assert_error(client.get(KPIS, params={"kpi": "roi"}, headers=auth[user]), 403)
    assert "roi" in error["message"]


def test_an_admin_may_ask_for_roi(client: TestClient, auth: dict) -> None:
    assert client.get(KPIS, params={"kpi": "roi"}, headers=auth["admin"]).status_code == 200


# -- the other routes ---------------------------------------------------------------------
EVENT = {
    "events": [
        {
            "event_id": "e1",
            "call_id": "c1",
            "kind": "started",
            "at": "2026-01-05T10:00:00Z",
            "campaign_id": "C1",
            "agent_id": "A2",
        }
    ]
}
TARGET_FOR = {
    "A2": {
        "targets": [
            {"kpi": "contact_rate", "scope_dimension": "agent", "scope_value": "A2", "target": 0.5}
        ]
    },
    "T2": {
        "targets": [
            {"kpi": "contact_rate", "scope_dimension": "team", "scope_value": "T2", "target": 0.5}
        ]
    },
    "T1": {
        "targets": [
            {"kpi": "contact_rate", "scope_dimension": "team", "scope_value": "T1", "target": 0.5}
        ]
    },
}


@pytest.mark.parametrize(
    ("method", "path", "body", "allowed"),
    [
        ("get", "/api/v1/catalog", None, set(USERS)),
        ("get", "/api/v1/dimensions", None, set(USERS)),
        ("get", "/api/v1/targets", None, set(USERS)),
        ("get", "/api/v1/imports", None, {"admin"}),
        ("get", "/api/v1/imports/0123456789abcdef0123456789abcdef", None, {"admin"}),
        ("get", "/api/v1/imports/0123456789abcdef0123456789abcdef/rejects.csv", None, {"admin"}),
        ("post", "/api/v1/events", EVENT, {"admin"}),
        ("put", "/api/v1/targets", TARGET_FOR["A2"], {"admin", "manager2"}),
        ("put", "/api/v1/targets", TARGET_FOR["T2"], {"admin", "manager2"}),
        ("put", "/api/v1/targets", TARGET_FOR["T1"], {"admin", "manager1"}),
    ],
)
@pytest.mark.parametrize("user", sorted(USERS))
def test_every_route_refuses_the_roles_it_does_not_serve(
    client: TestClient,
    auth: dict,
    method: str,
    path: str,
    body: dict | None,
    allowed: set[str],
    user: str,
) -> None:
    response = getattr(client, method)(path, headers=auth[user], **({"json": body} if body else {}))
    if user in allowed:
        assert response.status_code in (200, 404), response.text  # 404: no such import
    else:
        assert_error(response, 403, "forbidden")


def test_imports_upload_is_for_admins_only(client: TestClient, auth: dict) -> None:
    files = {"file": ("calls.csv", b"call_id,campaign_id,started_at,outcome\n", "text/csv")}
    for user in ("manager1", "agent1"):
        assert_error(client.post("/api/v1/imports", files=files, headers=auth[user]), 403)


def test_targets_of_other_people_are_hidden(client: TestClient, auth: dict) -> None:
    for body in (
        *TARGET_FOR.values(),
        {
            "targets": [
                {
                    "kpi": "contact_rate",
                    "scope_dimension": "agent",
                    "scope_value": "A1",
                    "target": 0.4,
                },
                {
                    "kpi": "contact_rate",
                    "scope_dimension": "campaign",
                    "scope_value": "C1",
                    "target": 0.3,
                },
                {"kpi": "contact_rate", "target": 0.35},
            ]
        },
    ):
        assert client.put("/api/v1/targets", json=body, headers=auth["admin"]).status_code == 200

    def seen(user: str) -> set[tuple[str, str]]:
        rows = client.get("/api/v1/targets", headers=auth[user]).json()["targets"]
        return {(t["scope_dimension"], t["scope_value"]) for t in rows}

    shared = {("all", ""), ("campaign", "C1")}
    assert seen("admin") == shared | {
        ("agent", "A1"),
        ("agent", "A2"),
        ("team", "T1"),
        ("team", "T2"),
    }
    assert seen("manager1") == shared | {("agent", "A1"), ("team", "T1")}
    assert seen("manager2") == shared | {("agent", "A2"), ("team", "T2")}
    assert seen("agent1") == shared | {("agent", "A1"), ("team", "T1")}
    assert seen("agent2") == shared | {("agent", "A2"), ("team", "T2")}
    # Deleting someone else's target is refused like setting it.
    params = {"kpi": "contact_rate", "scope_dimension": "agent", "scope_value": "A2"}
    assert_error(client.delete("/api/v1/targets", params=params, headers=auth["manager1"]), 403)
    assert_error(client.delete("/api/v1/targets", params=params, headers=auth["agent2"]), 403)
    assert (
        client.delete("/api/v1/targets", params=params, headers=auth["manager2"]).status_code == 204
    )


def test_the_live_board_shows_each_user_only_its_scope(api_ws: Workspace) -> None:
    from callkpi.access.policy import Principal, visible
    from callkpi.metrics.live import board

    cells = [
        {
            "campaign_id": "C1",
            "agent_id": "A1",
            "team": "T1",
            "calls": 3,
            "completed": 2,
            "contacts": 1,
            "sales": 1,
            "on_call": 1,
        },
        {
            "campaign_id": "C1",
            "agent_id": "A2",
            "team": "T2",
            "calls": 5,
            "completed": 5,
            "contacts": 4,
            "sales": 0,
            "on_call": 0,
        },
        {
            "campaign_id": "C2",
            "agent_id": "A3",
            "team": "T1",
            "calls": 1,
            "completed": 1,
            "contacts": 0,
            "sales": 0,
            "on_call": 1,
        },
    ]
    agent = board("2026-01-05", visible(Principal("a", "agent", "A1"), cells)).as_dict()
    assert [a["agent_id"] for a in agent["agents"]] == ["A1"]
    assert agent["campaigns"] == [
        {
            "campaign_id": "C1",
            "calls": 3,
            "completed": 2,
            "contacts": 1,
            "sales": 1,
            "contact_rate": 0.5,
            "agents_on_call": 1,
        }
    ]
    manager = board(
        "2026-01-05", visible(Principal("m", "manager", teams=("T1",)), cells)
    ).as_dict()
    assert [a["agent_id"] for a in manager["agents"]] == ["A1", "A3"]
    assert manager["totals"]["calls"] == 4 and manager["totals"]["agents_on_call"] == 2
