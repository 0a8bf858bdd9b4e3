"""GET /kpis answers the same question with the same numbers as the library and the CLI."""

from __future__ import annotations

from fastapi.testclient import TestClient

from callkpi.store.migrations import LATEST_VERSION
from callkpi.workspace import Workspace
from tests.api.conftest import API_DATA, assert_error

KPIS = "/api/v1/kpis"


def test_admin_gets_the_library_numbers(client: TestClient, api_ws: Workspace, auth: dict) -> None:
    response = client.get(
        KPIS,
        params={
            "kpi": ["contact_rate", "roi", "calls"],
            "by": "campaign",
            "grain": "month",
            "from": "2026-01-01",
            "to": "2026-02-28",
            "where": "objective:acquisition",
        },
        headers=auth["admin"],
    )
    assert response.status_code == 200, response.text
    body = response.json()
    expected = api_ws.kpis(
        ["contact_rate", "roi", "calls"],
        by="campaign",
        grain="month",
        start="2026-01-01",
        end="2026-02-28",
        where={"objective": "acquisition"},
    )
    assert body["rows"] == expected.records()
    assert body["total_rows"] == len(expected)
    assert body["query"]["where"] == {"objective": ["acquisition"]}
    assert len(body["rows"]) == 2  # C1 in January and February
    assert [c["name"] for c in body["columns"]] == [
        "campaign",
        "period",
        "contact_rate",
        "roi",
        "calls",
    ]


def test_calls_by_agent_match_a_count_of_the_fixture(client: TestClient, auth: dict) -> None:
    body = client.get(KPIS, params={"kpi": "calls", "by": "agent"}, headers=auth["admin"]).json()
    counted = {}
    for call in API_DATA["calls"]:
        counted[call["agent_id"]] = counted.get(call["agent_id"], 0) + 1
    assert {r["agent"]: r["calls"] for r in body["rows"]} == counted


def test_details_add_numerators_denominators_and_intervals(client: TestClient, auth: dict) -> None:
    body = client.get(
        KPIS, params={"kpi": "contact_rate", "details": "true"}, headers=auth["admin"]
    ).json()
    row = body["rows"][0]
    assert row["contact_rate"] == row["contact_rate_numerator"] / row["contact_rate_denominator"]
    assert row["contact_rate_low"] < row["contact_rate"] < row["contact_rate_high"]


def test_rows_come_in_pages(client: TestClient, auth: dict) -> None:
    params = {"kpi": "calls", "by": "agent", "limit": 2}
    first = client.get(KPIS, params=params, headers=auth["admin"]).json()
    second = client.get(KPIS, params={**params, "offset": 2}, headers=auth["admin"]).json()
    assert first["total_rows"] == 3 and len(first["rows"]) == 2 and len(second["rows"]) == 1
    assert_error(
        client.get(KPIS, params={"kpi": "calls", "limit": 5000}, headers=auth["admin"]), 422
    )


def test_bad_questions_get_a_useful_error(client: TestClient, auth: dict) -> None:
    error = assert_error(
        client.get(KPIS, params={"kpi": "contact_rat"}, headers=auth["admin"]), 400
    )
    assert "contact_rate" in error["message"]
    assert error["details"]["suggestions"][0] == "contact_rate"
    error = assert_error(
        client.get(KPIS, params={"kpis": "roi"}, headers=auth["admin"]), 422, "unknown_parameter"
    )
    assert "kpis" in error["message"]
    assert_error(
        client.get(KPIS, params={"kpi": "roi", "where": "segment"}, headers=auth["admin"]), 422
    )
    assert_error(
        client.get(KPIS, params={"kpi": "roi", "from": "31/01/2026"}, headers=auth["admin"]), 422
    )
    assert_error(
        client.get(KPIS, params={"kpi": "roi", "grain": "fortnight"}, headers=auth["admin"]), 400
    )
    assert_error(
        client.get(KPIS, params={"kpi": "roi", "by": "colour"}, headers=auth["admin"]), 400
    )


def test_filter_values_are_bound_not_spliced(client: TestClient, auth: dict) -> None:
    hostile = "B2B' OR '1'='1"
    body = client.get(
        KPIS, params={"kpi": "calls", "where": f"segment:{hostile}"}, headers=auth["admin"]
    ).json()
    assert body["rows"] == [] or body["rows"][0]["calls"] in (None, 0)


def test_catalog_and_dimensions_have_french_and_english_labels(
    client: TestClient, auth: dict
) -> None:
    catalog = client.get("/api/v1/catalog", headers=auth["agent1"]).json()
    roi = next(k for k in catalog if k["id"] == "roi")
    assert roi["label"] == {"fr": "ROI", "en": "ROI"} or set(roi["label"]) == {"fr", "en"}
    dimensions = client.get("/api/v1/dimensions", headers=auth["agent1"]).json()
    assert {"campaign", "agent", "team"} <= {d["id"] for d in dimensions}


def test_health_needs_no_login_and_fails_when_the_store_does_not_answer(
    client: TestClient, api_ws: Workspace, monkeypatch
) -> None:
    health = {"status": "ok", "schema_version": LATEST_VERSION}
    assert client.get("/api/v1/health").json() == health

    def down() -> None:
        raise OSError("the disk went away")

    monkeypatch.setattr(api_ws.store, "fork", down)
    error = assert_error(client.get("/api/v1/health"), 503, "unavailable")
    assert "OSError" in error["message"]


def test_unknown_routes_and_methods_use_the_error_shape(client: TestClient, auth: dict) -> None:
    assert_error(client.get("/api/v1/nothing", headers=auth["admin"]), 404, "not_found")
    assert_error(client.post("/api/v1/catalog", headers=auth["admin"]), 405)


def test_dashboard_queries_do_not_wait_behind_an_import(
    client: TestClient, auth: dict, monkeypatch
) -> None:
    """An import holding its transaction open does not delay a KPI question."""
    import threading
    import time

    import callkpi.ingest

    inside, release = threading.Event(), threading.Event()

    def slow_import(store, *args, **kwargs):
        with store.transaction():
            store.execute("INSERT INTO campaigns (campaign_id) VALUES (?)", ["C9"])
            inside.set()
            assert release.wait(10)
        raise ValueError("stopped on purpose")

    monkeypatch.setattr(callkpi.ingest, "import_file", slow_import)
    files = {"file": ("calls.csv", b"call_id\n1\n", "text/csv")}
    importer = threading.Thread(
        target=client.post,
        args=("/api/v1/imports",),
        kwargs={"files": files, "headers": auth["admin"]},
    )
    importer.start()
    try:
        assert inside.wait(10)
        began = time.monotonic()
        response = client.get(
            KPIS, params={"kpi": "calls", "by": "campaign"}, headers=auth["agent1"]
        )
        assert response.status_code == 200
        assert time.monotonic() - began < 2
    finally:
        release.set()
        importer.join(10)
    assert client.get("/api/v1/health").status_code == 200
