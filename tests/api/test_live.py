"""The live stream end to end: a real server on loopback, events posted, counters pushed."""

from __future__ import annotations

import datetime as dt
import json
import queue
import threading
import time
from collections.abc import Iterator

import httpx2 as httpx
import pytest
import uvicorn

from callkpi.api import create_app
from callkpi.api.live import day_start
from callkpi.workspace import Workspace
from tests.api.conftest import make_config
from tests.postgres_server import free_port


@pytest.fixture
def server(api_ws: Workspace) -> Iterator[str]:
    app = create_app(make_config(api_ws), api_ws)
    port = free_port()
    config = uvicorn.Config(
        app, host="127.0.0.1", port=port, log_level="warning", timeout_graceful_shutdown=1
    )
    runner = uvicorn.Server(config)
    thread = threading.Thread(target=runner.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not runner.started:
        assert time.monotonic() < deadline, "server did not start"
        time.sleep(0.02)
    yield f"http://127.0.0.1:{port}/api/v1"
    runner.should_exit = True
    thread.join(10)


def listen(url: str, headers: dict, boards: queue.Queue, stop: threading.Event) -> None:
    """Read the stream in a thread, putting each board on the queue as it arrives."""
    with httpx.Client(timeout=httpx.Timeout(5, read=30)) as client:
        try:
            with client.stream("GET", f"{url}/live", headers=headers) as response:
                assert response.headers["content-type"].startswith("text/event-stream")
                for line in response.iter_lines():
                    if line.startswith("data: "):
                        boards.put((time.monotonic(), json.loads(line[6:])))
                    if stop.is_set():
                        return
        except httpx.TransportError:
            if not stop.is_set():  # the server going away at the end of the test is expected
                raise


def next_board(boards: queue.Queue, until) -> tuple[float, dict]:
    deadline = time.monotonic() + 10
    while True:
        at, board = boards.get(timeout=max(deadline - time.monotonic(), 0.01))
        if until(board):
            return at, board


@pytest.fixture
def stop() -> Iterator[threading.Event]:
    """Set before the server stops, so the listeners take the closed stream quietly."""
    event = threading.Event()
    yield event
    event.set()


def test_counters_change_within_two_seconds_of_an_event(
    server: str, auth: dict, stop: threading.Event
) -> None:
    streams = {}
    for user in ("admin", "agent2", "manager1"):
        streams[user] = queue.Queue()
        threading.Thread(
            target=listen, args=(server, auth[user], streams[user], stop), daemon=True
        ).start()
    for user in streams:  # the board as it is on connection: nothing today yet
        _, first = next_board(streams[user], lambda b: True)
        assert first["totals"]["calls"] == 0
        assert first["day"] == day_start("UTC")[0]

    now = dt.datetime.now(dt.UTC)
    at = lambda seconds: (now - dt.timedelta(seconds=seconds)).isoformat()  # noqa: E731
    events = [
        {
            "event_id": "a1",
            "call_id": "k1",
            "kind": "started",
            "at": at(60),
            "campaign_id": "C1",
            "agent_id": "A1",
        },
        {
            "event_id": "a2",
            "call_id": "k1",
            "kind": "answered",
            "at": at(50),
            "campaign_id": "C1",
            "agent_id": "A1",
        },
        {
            "event_id": "a3",
            "call_id": "k1",
            "kind": "ended",
            "at": at(10),
            "campaign_id": "C1",
            "agent_id": "A1",
            "outcome": "sale",
        },
        {
            "event_id": "b1",
            "call_id": "k2",
            "kind": "started",
            "at": at(30),
            "campaign_id": "C1",
            "agent_id": "A2",
        },
        {
            "event_id": "b2",
            "call_id": "k2",
            "kind": "answered",
            "at": at(20),
            "campaign_id": "C1",
            "agent_id": "A2",
        },
        {
            "event_id": "c1",
            "call_id": "k3",
            "kind": "started",
            "at": at(40),
            "campaign_id": "C2",
            "agent_id": "A3",
        },
        {
            "event_id": "c2",
            "call_id": "k3",
            "kind": "ended",
            "at": at(5),
            "campaign_id": "C2",
            "agent_id": "A3",
            "outcome": "no_answer",
        },
    ]
    posted = time.monotonic()
    receipt = httpx.post(f"{server}/events", json={"events": events}, headers=auth["key"]).json()
    assert receipt["new"] == 7 and receipt["calls_completed"] == 2

    seen_at, admin = next_board(streams["admin"], lambda b: b["totals"]["calls"] == 3)
    assert seen_at - posted < 2.0
    assert admin["totals"] == {
        "calls": 3,
        "completed": 2,
        "contacts": 1,
        "sales": 1,
        "contact_rate": 0.5,
        "agents_on_call": 1,
    }
    assert {c["campaign_id"]: c["agents_on_call"] for c in admin["campaigns"]} == {"C1": 1, "C2": 0}
    assert {a["agent_id"]: a["on_call"] for a in admin["agents"]} == {
        "A1": False,
        "A2": True,
        "A3": False,
    }

    _, agent = next_board(streams["agent2"], lambda b: b["totals"]["calls"] > 0)
    assert [a["agent_id"] for a in agent["agents"]] == ["A2"]
    assert agent["campaigns"] == [
        {
            "campaign_id": "C1",
            "calls": 1,
            "completed": 0,
            "contacts": 0,
            "sales": 0,
            "contact_rate": None,
            "agents_on_call": 1,
        }
    ]

    _, manager = next_board(streams["manager1"], lambda b: b["totals"]["calls"] > 0)
    assert [a["agent_id"] for a in manager["agents"]] == ["A1", "A3"]
    assert manager["totals"]["calls"] == 2 and manager["totals"]["sales"] == 1

    # The call that was running ends: the board follows.
    end = {
        "event_id": "b3",
        "call_id": "k2",
        "kind": "ended",
        "at": at(0),
        "campaign_id": "C1",
        "agent_id": "A2",
        "outcome": "refused",
    }
    httpx.post(f"{server}/events", json={"events": [end]}, headers=auth["key"])
    _, agent = next_board(streams["agent2"], lambda b: b["totals"]["completed"] == 1)
    assert agent["totals"]["agents_on_call"] == 0 and agent["totals"]["contact_rate"] == 1.0


def test_the_stream_needs_a_login(server: str) -> None:
    response = httpx.get(f"{server}/live")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "unauthorized"
