"""POST /events: validated, idempotent on event_id, committed before the answer; an ended call
becomes a row of `calls` that the KPIs count."""

from __future__ import annotations

import datetime as dt
import time

from fastapi.testclient import TestClient

from callkpi.workspace import Workspace
from tests.api.conftest import assert_error

EVENTS = "/api/v1/events"


def event(event_id: str, call_id: str, kind: str, at: str, **extra: object) -> dict:
    return {
        "event_id": event_id,
        "call_id": call_id,
        "kind": kind,
        "at": at,
        "campaign_id": "C1",
        "agent_id": "A1",
        **extra,
    }


CALL = [
    event("e1", "live1", "started", "2026-03-02T09:00:00+01:00", contact_id="K1"),
    event("e2", "live1", "answered", "2026-03-02T09:00:15+01:00"),
    event("e3", "live1", "ended", "2026-03-02T09:04:15+01:00", outcome="sale"),
]


def test_an_ended_call_becomes_a_call_row(
    client: TestClient, api_ws: Workspace, auth: dict
) -> None:
    response = client.post(EVENTS, json={"events": CALL}, headers=auth["key"])
    assert response.json() == {"received": 3, "new": 3, "duplicates": 0, "calls_completed": 1}
    row = api_ws.store.query("SELECT * FROM calls WHERE call_id = 'live1'").to_pylist()
    assert len(row) == 1
    # Times are stored in UTC; ring = answered - started, talk = ended - answered.
    assert row[0]["started_at"] == dt.datetime(2026, 3, 2, 8, 0, 0)
    assert (row[0]["ring_s"], row[0]["talk_s"]) == (15.0, 240.0)
    assert (row[0]["outcome"], row[0]["contact_id"], row[0]["agent_id"]) == ("sale", "K1", "A1")
    # KPI answers read the daily rollups, which the server updates from live events a moment
    # later (rollup_refresh_s), and cached answers may lag by live_staleness_s.
    deadline = time.monotonic() + 10
    while True:
        sales = client.get(
            "/api/v1/kpis", params={"kpi": "sales", "from": "2026-03-01"}, headers=auth["admin"]
        ).json()["rows"]
        if sales == [{"sales": 1}] or time.monotonic() > deadline:
            break
        time.sleep(0.05)
    assert sales == [{"sales": 1}]
    assert api_ws.store.scalar("SELECT count(*) FROM rollup_pending") == 0


def test_events_are_idempotent_on_event_id(
    client: TestClient, api_ws: Workspace, auth: dict
) -> None:
    first = client.post(EVENTS, json={"events": CALL[:2]}, headers=auth["key"]).json()
    again = client.post(EVENTS, json={"events": CALL}, headers=auth["key"]).json()
    assert (first["new"], again["new"], again["duplicates"]) == (2, 1, 2)
    twice_in_one = client.post(EVENTS, json={"events": [CALL[0], CALL[0]]}, headers=auth["key"])
    assert twice_in_one.json()["new"] == 0
    assert api_ws.count("calls") == 13  # the fixture's 12, plus live1 once
    assert api_ws.store.scalar("SELECT count(*) FROM call_events") == 3


def test_a_call_never_answered_rings_until_it_ends(
    client: TestClient, api_ws: Workspace, auth: dict
) -> None:
    events = [
        event("n1", "live2", "started", "2026-03-02T08:00:00Z"),
        event("n2", "live2", "ended", "2026-03-02T08:00:30Z", outcome="no_answer"),
    ]
    client.post(EVENTS, json={"events": events}, headers=auth["key"])
    row = api_ws.store.query("SELECT ring_s, talk_s FROM calls WHERE call_id = 'live2'").to_pylist()
    assert row == [{"ring_s": 30.0, "talk_s": 0.0}]


def test_bad_events_are_refused_whole_with_the_place_of_the_fault(
    client: TestClient, api_ws: Workspace, auth: dict
) -> None:
    good = CALL[0]
    cases = [
        ({**CALL[2], "outcome": None}, "outcome"),
        ({**CALL[1], "outcome": "sale"}, "no outcome"),
        ({**good, "outcome_code": "x"}, "outcome_code"),
        ({**good, "kind": "ringing"}, "kind"),
        ({**good, "at": "yesterday"}, "at"),
        ({**good, "campaign_id": ""}, "campaign_id"),
        ({**CALL[2], "outcome": "maybe"}, "outcome"),
    ]
    for bad, hint in cases:
        error = assert_error(
            client.post(EVENTS, json={"events": [good, bad]}, headers=auth["key"]), 422
        )
        assert "events.1" in error["message"] and hint in error["message"], error
    assert api_ws.store.scalar("SELECT count(*) FROM call_events") == 0


def test_events_far_in_the_future_and_empty_batches_are_refused(
    client: TestClient, auth: dict
) -> None:
    future = (dt.datetime.now(dt.UTC) + dt.timedelta(days=2)).isoformat()
    error = assert_error(
        client.post(
            EVENTS, json={"events": [event("f", "c", "started", future)]}, headers=auth["key"]
        ),
        422,
    )
    assert "after the server's clock" in error["message"]
    assert_error(client.post(EVENTS, json={"events": []}, headers=auth["key"]), 422)
    assert_error(client.post(EVENTS, json={"event": []}, headers=auth["key"]), 422)
    assert_error(
        client.post(
            EVENTS, content=b"not json", headers={**auth["key"], "content-type": "application/json"}
        ),
        422,
    )


def test_a_batch_has_at_most_ten_thousand_events(client: TestClient, auth: dict) -> None:
    many = [event(f"m{i}", f"c{i}", "started", "2026-03-02T08:00:00Z") for i in range(10_001)]
    assert_error(client.post(EVENTS, json={"events": many}, headers=auth["key"]), 422)
