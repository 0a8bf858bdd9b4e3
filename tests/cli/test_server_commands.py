"""`callkpi user`, `callkpi apikey` and `callkpi serve` from the command line."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import httpx2 as httpx
from typer.testing import CliRunner

import callkpi
from callkpi.cli.app import app
from tests.postgres_server import free_port

runner = CliRunner()
PASSWORD = "a long enough secret\n"


def test_users_are_added_listed_and_removed(tmp_path: Path) -> None:
    db = str(tmp_path / "users.duckdb")
    add = ["--db", db, "user", "add"]
    ok = runner.invoke(app, [*add, "boss", "--role", "admin", "--password-stdin"], input=PASSWORD)
    assert ok.exit_code == 0, ok.stderr
    ok = runner.invoke(
        app,
        [*add, "lea", "--role", "manager", "--team", "Nord", "--team", "Sud", "--password-stdin"],
        input=PASSWORD,
    )
    assert ok.exit_code == 0, ok.stderr
    listed = json.loads(runner.invoke(app, ["--db", db, "user", "list", "--format", "json"]).stdout)
    assert listed == [
        {"user": "boss", "role": "admin", "agent_id": None, "teams": []},
        {"user": "lea", "role": "manager", "agent_id": None, "teams": ["Nord", "Sud"]},
    ]
    assert runner.invoke(app, ["--db", db, "user", "remove", "lea"]).exit_code == 0
    assert runner.invoke(app, ["--db", db, "user", "remove", "lea"]).exit_code == 1


def test_bad_users_get_one_line_errors(tmp_path: Path) -> None:
    db = str(tmp_path / "users.duckdb")
    add = ["--db", db, "user", "add"]
    cases = [
        ([*add, "a", "--role", "agent", "--password-stdin"], PASSWORD, "agent_id"),
        ([*add, "m", "--role", "manager", "--password-stdin"], PASSWORD, "team"),
        ([*add, "s", "--role", "admin", "--password-stdin"], "short\n", "at least 10"),
    ]
    for args, password, hint in cases:
        result = runner.invoke(app, args, input=password)
        assert result.exit_code == 1 and hint in result.stderr, result.stderr
    assert (
        runner.invoke(
            app, [*add, "x", "--role", "boss", "--password-stdin"], input=PASSWORD
        ).exit_code
        == 2
    )
    runner.invoke(app, [*add, "d", "--role", "admin", "--password-stdin"], input=PASSWORD)
    again = runner.invoke(app, [*add, "d", "--role", "admin", "--password-stdin"], input=PASSWORD)
    assert again.exit_code == 1 and "already exists" in again.stderr


def test_api_keys_are_shown_once_and_can_be_revoked(tmp_path: Path) -> None:
    db = str(tmp_path / "keys.duckdb")
    created = runner.invoke(app, ["--db", db, "apikey", "add", "dialer"])
    assert created.exit_code == 0
    key = created.stdout.strip()
    assert key.startswith("ckk_") and len(key) > 40
    with callkpi.open(db) as ws:
        assert key not in str(ws.store.query("SELECT * FROM api_keys").to_pylist())
    assert "dialer" in runner.invoke(app, ["--db", db, "apikey", "list"]).stdout
    assert runner.invoke(app, ["--db", db, "apikey", "revoke", "dialer"]).exit_code == 0
    assert runner.invoke(app, ["--db", db, "apikey", "revoke", "dialer"]).exit_code == 1


def test_serve_refuses_a_bad_time_zone(tmp_path: Path) -> None:
    result = runner.invoke(
        app, ["--db", str(tmp_path / "x.duckdb"), "serve", "--timezone", "Mars/Base"]
    )
    assert result.exit_code == 2 and "Mars/Base" in result.stderr


def test_a_second_server_on_the_same_file_fails_clearly(tmp_path: Path) -> None:
    db = tmp_path / "served.duckdb"
    callkpi.open(db).close()
    port = free_port()
    command = [sys.executable, "-m", "callkpi.cli", "--db", str(db), "serve", "--port"]
    first = subprocess.Popen(
        [*command, str(port)],
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                if httpx.get(f"http://127.0.0.1:{port}/api/v1/health").status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert first.poll() is None and time.monotonic() < deadline, "first server died"
            time.sleep(0.1)
        second = subprocess.run(
            [*command, str(free_port())], capture_output=True, text=True, timeout=30
        )
        assert second.returncode == 1
        assert "already open in another process" in second.stderr
        assert "PostgreSQL" in second.stderr
        assert second.stderr.count("\n") == 1  # one line, no traceback
    finally:
        first.terminate()
        _, first_stderr = first.communicate(timeout=10)
    assert "no API user yet" in first_stderr


def test_serve_on_a_busy_port_fails_in_one_line(tmp_path: Path) -> None:
    import socket

    with socket.create_server(("127.0.0.1", 0)) as busy:
        port = busy.getsockname()[1]
        result = runner.invoke(
            app, ["--db", str(tmp_path / "x.duckdb"), "serve", "--port", str(port)]
        )
    assert result.exit_code == 1
    assert f"cannot listen on 127.0.0.1:{port}" in result.stderr
