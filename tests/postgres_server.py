"""A throwaway PostgreSQL cluster for the tests (a pytest plugin, see tests/conftest.py).

Debian's `postgresql` package gives the server binaries; the session starts its own cluster
in a temporary directory on a free port (fsync off), and stops it at the end: no system
state is touched. `initdb` refuses root, so as root the server runs as the `postgres` user.
Without the binaries, tests that need the server skip with the reason (CI installs them,
and CI fails on any skip). CALLKPI_TEST_POSTGRES_URL points the tests at a server of yours
instead (the user needs CREATEDB).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

TEMPLATE = "callkpi_template"


@dataclass
class PostgresServer:
    """A server the tests may create databases on; `base_url` ends with '/'."""

    base_url: str

    def url(self, database: str) -> str:
        return f"{self.base_url}{database}"

    def create_database(self, template: str | None = None) -> str:
        """A new, empty (or template-copied) database; returns its URL."""
        import psycopg

        name = f"t_{uuid.uuid4().hex[:12]}"
        with psycopg.connect(self.url("postgres"), autocommit=True) as con:
            suffix = f' TEMPLATE "{template}"' if template else ""
            con.execute(f'CREATE DATABASE "{name}"{suffix}')
        return self.url(name)


def _binaries() -> Path | None:
    """The newest /usr/lib/postgresql/<version>/bin holding initdb (or $CALLKPI_PG_BIN)."""
    explicit = os.environ.get("CALLKPI_PG_BIN")
    candidates = [Path(explicit)] if explicit else []
    root = Path("/usr/lib/postgresql")
    if root.is_dir():
        versions = sorted(
            (p for p in root.iterdir() if p.name.isdigit()), key=lambda p: int(p.name)
        )
        candidates += [p / "bin" for p in reversed(versions)]
    return next((c for c in candidates if (c / "initdb").exists()), None)


def free_port() -> int:
    """A port nobody listens on now, on loopback (servers the tests start take it)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextlib.contextmanager
def throwaway_cluster(binaries: Path) -> Iterator[PostgresServer]:
    """initdb + pg_ctl start in a temporary directory; stopped and removed on exit."""
    as_root = os.geteuid() == 0
    run_as = ["runuser", "-u", "postgres", "--"] if as_root else []
    home = Path(tempfile.mkdtemp(prefix="callkpi-pg-"))
    if as_root:
        shutil.chown(home, user="postgres")
    data, port = home / "data", free_port()

    def run(*args: str) -> None:
        subprocess.run([*run_as, *args], check=True, capture_output=True, timeout=60)

    try:
        run(str(binaries / "initdb"), "-D", str(data), "-A", "trust", "-U", "postgres",
            "-E", "UTF8", "--locale", "C", "--no-sync")  # fmt: skip
        options = (
            f"-p {port} -k {home} -c listen_addresses=127.0.0.1 -c fsync=off "
            "-c synchronous_commit=off -c full_page_writes=off"
        )
        run(str(binaries / "pg_ctl"), "-D", str(data), "-o", options, "-l",
            str(home / "server.log"), "-w", "start")  # fmt: skip
    except (subprocess.CalledProcessError, subprocess.TimeoutExpired) as exc:
        log = home / "server.log"
        detail = log.read_text() if log.exists() else getattr(exc, "stderr", b"").decode()
        shutil.rmtree(home, ignore_errors=True)
        raise RuntimeError(f"could not start a test PostgreSQL cluster: {detail}") from exc
    try:
        yield PostgresServer(f"postgresql://postgres@127.0.0.1:{port}/")
    finally:
        with contextlib.suppress(subprocess.CalledProcessError, subprocess.TimeoutExpired):
            run(str(binaries / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop")
        shutil.rmtree(home, ignore_errors=True)


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    """The session's PostgreSQL server; skips (with the reason) when there is none."""
    pytest.importorskip("psycopg")
    url = os.environ.get("CALLKPI_TEST_POSTGRES_URL")
    if url:
        yield PostgresServer(url.rsplit("/", 1)[0] + "/")
        return
    binaries = _binaries()
    if binaries is None:
        pytest.skip("PostgreSQL server binaries not found: apt-get install postgresql")
    with throwaway_cluster(binaries) as server:
        yield server


@pytest.fixture(scope="session")
def postgres_template(postgres_server: PostgresServer) -> str:
    """A migrated, empty callkpi database that new test databases are copied from."""
    import psycopg

    from callkpi.store.postgres_backend import PostgresStore

    with psycopg.connect(postgres_server.url("postgres"), autocommit=True) as con:
        con.execute(f'DROP DATABASE IF EXISTS "{TEMPLATE}"')
        con.execute(f'CREATE DATABASE "{TEMPLATE}"')
    PostgresStore(postgres_server.url(TEMPLATE)).close()
    return TEMPLATE


@pytest.fixture
def postgres_url(postgres_server: PostgresServer, postgres_template: str) -> str:
    """A fresh callkpi database (schema applied) for one test."""
    return postgres_server.create_database(template=postgres_template)
