"""Several writers on one PostgreSQL store (API servers behind a load balancer, a CLI append):
each test makes two connections meet on the same rows, in the order that used to go wrong
under READ COMMITTED, and checks the result is what one writer at a time would give."""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pyarrow as pa
import pytest

import callkpi
from callkpi.ingest import import_file
from callkpi.ingest.report import ImportReport
from callkpi.store import rollups
from callkpi.store.base import Store
from callkpi.store.events import EVENT_SCHEMA, write_events
from callkpi.store.targets import TargetRow, list_targets, put_targets
from callkpi.workspace import Workspace
from tests.conftest import SMALL_DATA

DAY = dt.datetime(2026, 3, 2, 9)


@pytest.fixture
def pg(postgres_url: str) -> Iterator[Workspace]:
    ws = callkpi.open(postgres_url)
    for table, rows in SMALL_DATA.items():
        ws.append(table, rows)
    yield ws
    ws.close()


@pytest.fixture
def two(pg: Workspace) -> Iterator[tuple[Store, Store]]:
    """Two more connections to the store, as two server processes would have."""
    a, b = pg.store.fork(), pg.store.fork()
    yield a, b
    a.close()
    b.close()


def events(*ids: int, call: Callable[[int], str] = lambda i: f"c{i // 3}") -> pa.Table:
    """Events e<i>: i // 3 is the call, i % 3 its kind (started, answered 20 s later, ended
    40 s after the start, a sale)."""
    rows = []
    for i in ids:
        kind = ("started", "answered", "ended")[i % 3]
        rows.append(
            {
                "event_id": f"e{i}",
                "call_id": call(i),
                "kind": kind,
                "at": DAY + dt.timedelta(seconds=i % 3 * 20),
                "campaign_id": "C1",
                "agent_id": "A1",
                "outcome": "sale" if kind == "ended" else None,
                "received_at": DAY,
            }
        )
    return pa.Table.from_pylist(rows, schema=EVENT_SCHEMA)


def meanwhile(store: Store, other: Callable[[], None]) -> threading.Thread:
    """Run `other` in a thread while the caller holds a transaction open; return once it is
    done or waits for a lock of the caller's (then the caller commits and it goes on)."""
    thread = threading.Thread(target=other)
    thread.start()
    deadline = time.monotonic() + 10
    while thread.is_alive():
        waiting = store.scalar(
            "SELECT count(*) FROM pg_stat_activity "
            "WHERE datname = current_database() AND wait_event_type = 'Lock'"
        )
        if waiting:
            break
        assert time.monotonic() < deadline, "the other writer neither finished nor waited"
        time.sleep(0.01)
    return thread


def rollup_rows(store: Store) -> dict[str, list[tuple]]:
    """Every rollup's rows, sorted; sums to 9 decimals (their order of addition varies)."""
    found = {}
    for rollup in [*rollups.ROLLUPS.values(), *rollups.MIRRORS.values()]:
        columns = ", ".join(f'"{c}"' for c in rollup.columns)
        rows = store.rows(f'SELECT {columns} FROM "{rollup.name}"')
        rounded = [tuple(round(v, 9) if isinstance(v, float) else v for v in r) for r in rows]
        found[rollup.name] = sorted(rounded, key=repr)
    return found


def assert_rollups_exact(ws: Workspace) -> None:
    """The rollups as maintained are what a full rebuild gives."""
    kept = rollup_rows(ws.store)
    ws.rebuild_rollups()
    rebuilt = rollup_rows(ws.store)
    wrong = {
        name: (
            [r for r in kept[name] if r not in rebuilt[name]],
            [r for r in rebuilt[name] if r not in kept[name]],
        )
        for name in kept
        if kept[name] != rebuilt[name]
    }
    assert not wrong, f"rollup rows kept but not rebuilt, and rebuilt but not kept: {wrong}"


def test_two_refreshes_of_the_same_day_do_not_both_insert(
    pg: Workspace, two: tuple[Store, Store]
) -> None:
    """Each deletes the day's rows then inserts them again: the second must wait for the
    first to commit, or it inserts a second copy of every row."""
    a, b = two
    one_call = "SELECT * FROM calls WHERE call_id = 'CL02'"

    def refresh(store: Store) -> None:
        with store.transaction():
            rollups.mark(store, "calls", one_call)
            rollups.refresh(store)

    with a.transaction():
        refresh(a)
        other = meanwhile(a, lambda: refresh(b))
    other.join()
    duplicated = pg.store.rows(
        "SELECT day, campaign_id, agent_id, outcome, count(*) FROM rollup_calls "
        "GROUP BY day, campaign_id, agent_id, direction, outcome, handled HAVING count(*) > 1"
    )
    assert duplicated == []
    assert_rollups_exact(pg)


def test_pending_rows_committed_during_a_refresh_wait_for_the_next(
    pg: Workspace, two: tuple[Store, Store], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A refresh takes the pending call rows, works out their days, and forgets them: rows a
    writer commits in between must stay pending, not be deleted unseen."""
    writer, refresher = two
    write_events(writer, events(0, 1, 2), defer_rollups=True)
    mark = rollups.mark

    def mark_while_a_batch_commits(store: Store, table: str, rows: str, params=None) -> bool:
        marked = mark(store, table, rows, params)
        if store is refresher and table == "calls":
            write_events(writer, events(3, 4, 5), defer_rollups=True)  # commits at once
        return marked

    monkeypatch.setattr(rollups, "mark", mark_while_a_batch_commits)
    assert rollups.refresh_pending(refresher) > 0
    monkeypatch.undo()
    assert rollups.pending(pg.store) == 1  # the second batch's call
    rollups.refresh_pending(refresher)
    assert rollups.pending(pg.store) == 0
    assert_rollups_exact(pg)


def test_batches_sharing_events_in_opposite_orders_never_deadlock(
    pg: Workspace, two: tuple[Store, Store]
) -> None:
    """A retried batch may reach another server while the first is still writing."""
    a, b = two
    failures: list[BaseException] = []

    def write(store: Store, ids: list[int]) -> None:
        try:
            write_events(store, events(*ids), defer_rollups=True)
        except BaseException as exc:  # a deadlock, detected by the server after 1 s
            failures.append(exc)

    for round_ in range(6):
        ids = list(range(round_ * 3000, (round_ + 1) * 3000))
        threads = [
            threading.Thread(target=write, args=(a, ids)),
            threading.Thread(target=write, args=(b, ids[::-1])),
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert failures == []
    assert pg.store.row_count("call_events") == 18_000
    assert pg.store.scalar("SELECT count(*) FROM calls WHERE call_id LIKE 'c%'") == 6_000


def test_a_call_row_waits_for_the_events_another_writer_is_committing(
    pg: Workspace, two: tuple[Store, Store]
) -> None:
    """`answered` is being written by one server when `ended` reaches another: the row must
    be built with both."""
    a, b = two
    with a.transaction():
        write_events(a, events(0, 1), defer_rollups=True)
        other = meanwhile(a, lambda: write_events(b, events(2), defer_rollups=True))
    other.join()
    assert pg.store.rows("SELECT ring_s, talk_s, outcome FROM calls WHERE call_id = 'c0'") == [
        (20.0, 20.0, "sale")
    ]


def test_two_writers_of_one_new_target_leave_one_row(
    pg: Workspace, two: tuple[Store, Store]
) -> None:
    a, b = two
    with a.transaction():
        put_targets(a, [TargetRow("calls", None, None, "month", 10.0)])
        other = meanwhile(
            a, lambda: put_targets(b, [TargetRow("calls", None, None, "month", 12.0)])
        )
    other.join()
    assert [t.target for t in list_targets(pg.store)] == [12.0]  # the last writer's


def calls_file(folder: Path, name: str, ids: range, campaign: str = "C1") -> Path:
    """A canonical calls file of calls n<i> (of `campaign`, a sale each)."""
    path = folder / name
    lines = [f"n{i},{campaign},2026-03-02 10:00:00,sale,60" for i in ids]
    path.write_text("call_id,campaign_id,started_at,outcome,talk_s\n" + "\n".join(lines) + "\n")
    return path


def assert_imports_true(ws: Workspace, expected: dict[str, tuple[int, int]]) -> None:
    """One row per call; each ledger row adds up and has the (inserted, updated) expected
    for its file."""
    assert ws.store.scalar("SELECT count(*) - count(DISTINCT call_id) FROM calls") == 0
    ledger = ws.store.rows(
        "SELECT file_name, rows_read, inserted, updated, rejected, duplicates FROM imports"
    )
    assert {name: (inserted, updated) for name, _, inserted, updated, _, _ in ledger} == expected
    for _, read, inserted, updated, rejected, duplicates in ledger:
        assert read == inserted + updated + rejected + duplicates


def before_the_write(
    monkeypatch: pytest.MonkeyPatch, store: Store, other: Callable[[], ImportReport]
) -> list[ImportReport]:
    """Run the import `other` (on another store) to its end when `store` first opens a
    transaction (an import's: the one that writes its outcome); returns [its report]."""
    reports: list[ImportReport] = []
    transaction = store.transaction

    def the_other_import_first() -> object:
        if not reports:
            reports.append(other())
        return transaction()

    monkeypatch.setattr(store, "transaction", the_other_import_first)
    return reports


def test_an_import_counts_the_keys_another_import_wrote_after_it_looked(
    pg: Workspace, two: tuple[Store, Store], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Both imports sort their rows out before either writes: the one writing last replaces
    the other's rows, so those are updates, not inserts."""
    a, b = two
    first, second = (
        calls_file(tmp_path, "a.csv", range(6)),
        calls_file(tmp_path, "b.csv", range(3, 9)),
    )
    other = before_the_write(monkeypatch, a, lambda: import_file(b, "calls", second))
    report = import_file(a, "calls", first)
    assert_imports_true(pg, {"b.csv": (6, 0), "a.csv": (3, 3)})
    assert (other[0].inserted, other[0].updated) == (6, 0)
    assert (report.inserted, report.updated) == (3, 3)
    assert_rollups_exact(pg)


def test_two_imports_creating_the_same_missing_campaign_create_it_once(
    pg: Workspace, two: tuple[Store, Store], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`create_missing` decides before the write which campaigns are missing: another import
    may have created one since, and it must not be stored (nor counted) twice."""
    a, b = two
    first = calls_file(tmp_path, "a.csv", range(3), campaign="C9")
    second = calls_file(tmp_path, "b.csv", range(3, 6), campaign="C9")
    other = before_the_write(
        monkeypatch, a, lambda: import_file(b, "calls", second, create_missing=True)
    )
    report = import_file(a, "calls", first, create_missing=True)
    assert pg.store.rows("SELECT campaign_id FROM campaigns WHERE campaign_id = 'C9'") == [("C9",)]
    created = dict(pg.store.rows("SELECT file_name, created_missing FROM imports"))
    assert created == {"b.csv": 1, "a.csv": 0}
    assert (other[0].created, report.created) == ({"campaigns": 1}, {})
    assert_imports_true(pg, {"b.csv": (3, 0), "a.csv": (3, 0)})


def test_two_imports_of_the_same_keys_at_once_write_and_count_each_key_once(
    pg: Workspace, two: tuple[Store, Store], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The second import reaches its write while the first one's is open: it must wait, then
    replace the first one's rows (not add a second copy) and count them as updates."""
    a, b = two
    first, second = (
        calls_file(tmp_path, "a.csv", range(6)),
        calls_file(tmp_path, "b.csv", range(3, 9)),
    )
    refresh = rollups.refresh
    others: list[threading.Thread] = []
    reports: list[ImportReport] = []

    def refresh_while_the_other_imports(store: Store) -> int:
        if store is a and not others:  # inside the first import's write transaction
            others.append(meanwhile(a, lambda: reports.append(import_file(b, "calls", second))))
        return refresh(store)

    monkeypatch.setattr(rollups, "refresh", refresh_while_the_other_imports)
    report = import_file(a, "calls", first)
    others[0].join()
    assert_imports_true(pg, {"a.csv": (6, 0), "b.csv": (3, 3)})
    assert (report.inserted, report.updated) == (6, 0)
    assert (reports[0].inserted, reports[0].updated) == (3, 3)
    assert_rollups_exact(pg)


@pytest.mark.parametrize("backend", ["duckdb", "postgres"])
def test_an_event_after_the_end_of_its_call_rebuilds_the_row(
    backend: str, request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    """Through a load balancer, `ended` may be committed before `answered`."""
    if backend == "postgres":
        ws = request.getfixturevalue("pg")
    else:
        ws = callkpi.open(tmp_path / "events.duckdb")
        request.addfinalizer(ws.close)
        ws.append("calls", SMALL_DATA["calls"])
    first = write_events(ws.store, events(2))
    assert (first.new, first.calls_completed) == (1, 1)
    assert ws.store.rows("SELECT ring_s, talk_s FROM calls WHERE call_id = 'c0'") == [(0.0, 0.0)]
    late = write_events(ws.store, events(0, 1, 3))  # and a call that has not ended
    assert (late.new, late.calls_completed) == (3, 0)
    assert ws.store.rows("SELECT ring_s, talk_s FROM calls WHERE call_id IN ('c0', 'c1')") == [
        (20.0, 20.0)
    ]
    assert_rollups_exact(ws)


def test_an_event_batch_waits_for_an_import_of_the_same_call(
    pg: Workspace, two: tuple[Store, Store], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A live call ends while an import holding that call is writing: the batch must wait
    for the import (else each inserts a row for the call, the other's uncommitted one being
    invisible), then replace the imported row with the one its events make."""
    a, b = two
    file = calls_file(tmp_path, "calls.csv", range(3))
    refresh = rollups.refresh
    others: list[threading.Thread] = []

    def refresh_while_a_call_ends(store: Store) -> int:
        if store is a and not others:  # inside the import's write transaction
            batch = events(0, 1, 2, call=lambda i: "n1")
            others.append(meanwhile(a, lambda: write_events(b, batch, defer_rollups=True)))
        return refresh(store)

    monkeypatch.setattr(rollups, "refresh", refresh_while_a_call_ends)
    report = import_file(a, "calls", file)
    others[0].join()
    assert (report.inserted, report.updated) == (3, 0)
    rows = pg.store.rows("SELECT call_id, talk_s FROM calls WHERE call_id LIKE 'n%' ORDER BY 1")
    assert rows == [("n0", 60.0), ("n1", 20.0), ("n2", 60.0)]  # n1: the events' row, once
    rollups.refresh_pending(pg.store)
    assert_rollups_exact(pg)
