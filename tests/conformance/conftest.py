"""Conformance: the same cases on every backend, and the `backend_gap` marker.

A test takes the `backend` fixture (every backend) or `other_backend` (every backend but
DuckDB, the reference it is compared with). A known gap is declared, never skipped:

    @pytest.mark.backend_gap("postgres", raises=SomeError, reason="why")

which makes the test a strict xfail on that backend only: it must fail with that exception,
and the day the gap is fixed the test fails until the marker goes.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator

import pyarrow as pa
import pytest

import callkpi
from callkpi.demo import DemoSpec, build_tables, load_into_store
from callkpi.workspace import Workspace
from tests.conftest import SMALL_DATA
from tests.postgres_server import PostgresServer
from tests.spark_session import spark_url

REFERENCE = "duckdb"
BACKENDS = ("duckdb", "postgres", "spark")
#: A small demo: every KPI of the catalog gets a value (tests/metrics checks it at 20k calls).
DEMO_SPEC = DemoSpec(calls=6_000, start=dt.date(2025, 1, 1))


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "backend_gap(backend, raises, reason): a known gap of one backend, run as a strict "
        "xfail that must raise `raises` (tests/conformance/conftest.py)",
    )


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        callspec = getattr(item, "callspec", None)
        params = callspec.params if callspec else {}
        backend = params.get("backend", params.get("other_backend"))
        for gap in item.iter_markers("backend_gap"):
            (name,) = gap.args
            if "raises" not in gap.kwargs or "reason" not in gap.kwargs:
                raise pytest.UsageError(f"{item.nodeid}: backend_gap needs raises= and reason=")
            if name not in BACKENDS:
                raise pytest.UsageError(f"{item.nodeid}: backend_gap on unknown backend {name!r}")
            if name == backend:
                item.add_marker(
                    pytest.mark.xfail(
                        raises=gap.kwargs["raises"],
                        reason=f"backend gap on {name}: {gap.kwargs['reason']}",
                        strict=True,
                    )
                )


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture(params=[b for b in BACKENDS if b != REFERENCE])
def other_backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


Opener = Callable[[str], Workspace]


@pytest.fixture(scope="session")
def open_empty(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Opener]:
    """Opens a new empty workspace on a backend; the server starts only when needed."""
    opened: list[Workspace] = []

    def open_on(backend: str) -> Workspace:
        if backend == "duckdb":
            ws = callkpi.open(tmp_path_factory.mktemp("conformance") / "store.duckdb")
        elif backend == "spark":
            request.getfixturevalue("spark_session")
            ws = callkpi.open(spark_url(tmp_path_factory.mktemp("conformance") / "warehouse"))
        else:
            server: PostgresServer = request.getfixturevalue("postgres_server")
            template = request.getfixturevalue("postgres_template")
            ws = callkpi.open(server.create_database(template=template))
        opened.append(ws)
        return ws

    yield open_on
    for ws in opened:
        ws.close()


def _cached(open_empty: Opener, fill: Callable[[Workspace], None]) -> Opener:
    workspaces: dict[str, Workspace] = {}

    def get(backend: str) -> Workspace:
        if backend not in workspaces:
            ws = open_empty(backend)
            fill(ws)
            workspaces[backend] = ws
        return workspaces[backend]

    return get


@pytest.fixture(scope="session")
def small_on(open_empty: Opener) -> Opener:
    """The hand-checked small fixture of tests/conftest.py, per backend (read-only)."""

    def fill(ws: Workspace) -> None:
        for table, rows in SMALL_DATA.items():
            ws.append(table, rows)

    return _cached(open_empty, fill)


@pytest.fixture(scope="session")
def demo_tables() -> dict[str, pa.Table]:
    return build_tables(DEMO_SPEC)


@pytest.fixture(scope="session")
def demo_on(open_empty: Opener, demo_tables: dict[str, pa.Table]) -> Opener:
    """The small generated demo, per backend (read-only)."""
    return _cached(open_empty, lambda ws: load_into_store(ws.store, demo_tables))
