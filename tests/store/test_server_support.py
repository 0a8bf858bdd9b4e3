"""What a server needs from a store: a cursor per thread, and queries that stop in time."""

from __future__ import annotations

import time

import pytest

import callkpi
from callkpi.errors import QueryTimeoutError
from callkpi.workspace import Workspace

SLOW = {
    "duckdb": "SELECT count(*) AS n FROM range(100000000000) AS a(x) WHERE x % 7 = 3",
    "postgres": "SELECT pg_sleep(5) AS n",
}


def open_on(backend: str, tmp_path, request) -> Workspace:
    if backend == "duckdb":
        return callkpi.open(tmp_path / "s.duckdb")
    return callkpi.open(request.getfixturevalue("postgres_url"))


@pytest.mark.parametrize("backend", ["duckdb", "postgres"])
def test_a_query_past_its_time_limit_is_stopped(backend: str, tmp_path, request) -> None:
    with open_on(backend, tmp_path, request) as ws:
        began = time.monotonic()
        with pytest.raises(QueryTimeoutError, match=r"stopped after 0\.3 s"):
            ws.store.query(SLOW[backend], timeout_s=0.3)
        assert time.monotonic() - began < 3
        # The store is still usable, without the limit.
        assert ws.store.query("SELECT 1 AS one").column("one").to_pylist() == [1]


@pytest.mark.parametrize("backend", ["duckdb", "postgres"])
def test_a_fork_reads_a_snapshot_while_another_writes(backend: str, tmp_path, request) -> None:
    with open_on(backend, tmp_path, request) as ws:
        ws.append("campaigns", [{"campaign_id": "C1"}])
        writer, reader = ws.store.fork(), ws.store.fork()
        try:
            with writer.transaction():
                writer.execute("INSERT INTO campaigns (campaign_id) VALUES (?)", ["C2"])
                # Not committed yet: the reader does not wait and does not see it.
                assert reader.scalar("SELECT count(*) FROM campaigns") == 1
            assert reader.scalar("SELECT count(*) FROM campaigns") == 2
        finally:
            writer.close()
            reader.close()
        assert ws.count("campaigns") == 2  # closing forks leaves the store open
