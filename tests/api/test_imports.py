"""POST /imports gives the same report as `callkpi import`; the ledger and rejects are readable."""

from __future__ import annotations

import csv
import io

from fastapi.testclient import TestClient

from callkpi.api import create_app
from callkpi.workspace import Workspace
from tests.api.conftest import assert_error, make_config

IMPORTS = "/api/v1/imports"
HEADER = "call_id;campaign_id;agent_id;started_at;talk_s;outcome\n"
GOOD = "N1;C1;A1;02/03/2026 09:00;120,5;sale\nN2;C2;A2;02/03/2026 10:00;0;no_answer\n"
BAD = "N3;C9;A1;02/03/2026 11:00;10;sale\nN4;C1;A1;31/02/2026 11:00;10;sale\nN5;C1;A1;02/03/2026 12:00;10;=HYPERLINK(1)\n"


def upload(client: TestClient, headers: dict, text: str, **form: str):
    files = {"file": ("appels.csv", text.encode("cp1252"), "text/csv")}
    return client.post(IMPORTS, files=files, data={"table": "calls", **form}, headers=headers)


def test_a_french_csv_is_imported_and_counted(
    client: TestClient, api_ws: Workspace, auth: dict
) -> None:
    response = upload(client, auth["admin"], HEADER + GOOD)
    assert response.status_code == 201, response.text
    report = response.json()
    assert (report["rows_read"], report["inserted"], report["rejected"]) == (2, 2, 0)
    assert report["encoding"] in ("utf-8", "cp1252", "ascii")
    talk = api_ws.store.scalar("SELECT talk_s FROM calls WHERE call_id = 'N1'")
    assert talk == 120.5
    ledger = client.get(IMPORTS, headers=auth["admin"]).json()
    assert ledger["total"] == 1
    assert ledger["imports"][0]["import_id"] == report["import_id"]
    assert ledger["imports"][0]["user_name"] == "admin"


def test_an_atomic_import_with_bad_rows_writes_nothing_and_says_where(
    client: TestClient, api_ws: Workspace, auth: dict
) -> None:
    error = assert_error(upload(client, auth["admin"], HEADER + GOOD + BAD), 422)
    report = error["details"]
    assert report["rows_read"] == 5 and report["rejected"] == 3
    assert (
        report["rows_read"]
        == report["inserted"] + report["updated"] + report["rejected"] + report["duplicates"]
    )
    lines = {(r["line"], r["column"]) for r in report["rejects"]}
    assert {(4, "campaign_id"), (5, "started_at"), (6, "outcome")} <= lines
    assert api_ws.store.scalar("SELECT count(*) FROM calls WHERE call_id LIKE 'N%'") == 0
    assert client.get(IMPORTS, headers=auth["admin"]).json()["total"] == 0


def test_skip_invalid_keeps_the_rejects_for_later(
    client: TestClient, api_ws: Workspace, auth: dict
) -> None:
    report = upload(client, auth["admin"], HEADER + GOOD + BAD, mode="skip-invalid").json()
    assert (report["inserted"], report["rejected"]) == (2, 3)
    one = client.get(f"{IMPORTS}/{report['import_id']}", headers=auth["admin"]).json()
    assert one["rejected"] == 3 and len(one["rejects"]) == 3
    response = client.get(f"{IMPORTS}/{report['import_id']}/rejects.csv", headers=auth["admin"])
    assert response.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert [r["line"] for r in rows] == ["4", "5", "6"]
    # A value that would run as a spreadsheet formula is neutralised.
    assert rows[2]["value"] == "'=HYPERLINK(1)"


def test_a_dry_run_writes_nothing(client: TestClient, api_ws: Workspace, auth: dict) -> None:
    report = upload(client, auth["admin"], HEADER + GOOD, dry_run="true").json()
    assert report["dry_run"] is True and report["import_id"] is None and report["inserted"] == 2
    assert api_ws.store.scalar("SELECT count(*) FROM calls WHERE call_id LIKE 'N%'") == 0


def test_unknown_import_ids_and_bad_ids(client: TestClient, auth: dict) -> None:
    assert_error(client.get(f"{IMPORTS}/{'0' * 32}", headers=auth["admin"]), 404)
    assert_error(client.get(f"{IMPORTS}/../etc", headers=auth["admin"]), 404)
    assert_error(client.get(f"{IMPORTS}/not-an-id", headers=auth["admin"]), 422)


def test_uploads_over_the_limits_are_refused(api_ws: Workspace, auth: dict) -> None:
    app = create_app(make_config(api_ws, max_upload_bytes=200, max_import_rows=2), api_ws)
    with TestClient(app) as client:
        error = assert_error(upload(client, auth["admin"], HEADER + GOOD + BAD), 413, "too_large")
        assert "larger than 200 bytes" in error["message"]
        error = assert_error(upload(client, auth["admin"], HEADER + GOOD + GOOD[:40] + "\n"), 413)
        assert "more than 2 rows" in error["message"]
        assert_error(
            client.post(
                IMPORTS,
                files={"file": ("x.csv", b"", "text/csv")},
                data={"table": "calls"},
                headers=auth["admin"],
            ),
            422,
        )


def test_bad_form_values_are_refused(client: TestClient, auth: dict) -> None:
    assert_error(upload(client, auth["admin"], HEADER + GOOD, mode="best-effort"), 422)
    assert_error(upload(client, auth["admin"], HEADER + GOOD, profile="../../etc/passwd"), 422)
    error = assert_error(upload(client, auth["admin"], HEADER + GOOD, table="callz"), 400)
    assert "calls" in error["message"]
