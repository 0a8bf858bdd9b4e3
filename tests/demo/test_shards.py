"""A large demo made of shards (parallel call centres): coherent, deterministic, plausible.

The shard size is lowered so that three shards of 2,000 calls stand for ten of 10 million.
Keys, references and the other checks of consistency run on such a demo in test_generator.py.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from pathlib import Path

import pyarrow as pa
import pytest

import callkpi
from callkpi.demo import (
    DemoSpec,
    build_tables,
    demo_parts,
    load_parts,
    shards,
    write_csv_dir,
    write_csv_parts,
)
from callkpi.demo.build import Shard
from callkpi.demo.export import csv_bytes
from callkpi.demo.spec import MIN_CALLS
from callkpi.store import rollups
from callkpi.store.schema import TABLES
from tests.demo.test_generator import REFERENCES, SHARDED, connect

WHOLE = DemoSpec(calls=6_000, seed=7, start=dt.date(2025, 1, 1), months=12)
#: sha256 of each table's CSV bytes for a small demo, from the generator before sharding
#: existed: a demo that fits in one shard must never change. (If the generator is changed on
#: purpose, recompute them with csv_bytes and say so in the commit.)
UNSHARDED_SHA256 = {
    "campaigns": "34e91e948b652aedcc3ae604f84670c6ef5f3074342a51c68532324f689932ef",
    "agents": "3687d0b8eb18e22d77fceccde6945979e8d914a6119ff01507d7d62a03a68dd0",
    "agent_sessions": "dddb98aa1b281260402e00724738b4e92e47443f0f3c206040c064f8621a656a",
    "contacts": "4708d45c16b839c86157549a2709276cd3c19a3bbf9fcc740f32eae91c40d64c",
    "leads": "3e4a45aca9643d9ac24a0610edc20599cd27b428c1db7855a00b0e3782579d7d",
    "calls": "4464cc1298a360568f902a28c1bc4ee42b6b2e72f83d8fc0b4b488eb6a3b0e11",
    "touches": "228d63650443531ca781e360c5fb8ab5095a3ce2a7a0104e93570c26aed41ae6",
    "deals": "96d22d70d7d47862e6eacdc8da0fd90f24d84697d9ef5a2c81359e467bdbb04b",
    "deal_stages": "0b828db9fa769edede12cc251498bd63092249925fb460c7f266d1bc25f2a067",
    "orders": "bd37ecb092b0e29a23dd84e7d040547f981965953278d066aaf505519d5a4c7c",
    "customers": "026425a32cb9438f7bee3fa5af65d4743585b6e05b45d2845591498194736c5e",
    "tickets": "bb4eda9a419593fcc8c1f4beb0b146306c2c1a4e83579bc5d0beef0a3adea027",
    "surveys": "4bab2a7d22f54b484002d33d5c705bb62de0e46db8bb079eb2ad5290af1b632b",
    "costs": "3ed0665b29f8d656d22f702ee6ce914081996776094f0a7ff4f31456fcd37230",
    "email_events": "27451dff8f08dd142de3198bada5a619f8ea04058bb86e25dc1593985f7710bb",
    "targets": "643b8622662ef67f7aafd0fe6daee25a41a97b6d8d3d7becda9d7ea56e9c422a",
}


@pytest.fixture(scope="module")
def parts() -> list[dict[str, pa.Table]]:
    return list(demo_parts(SHARDED))


@pytest.fixture(scope="module")
def tables() -> dict[str, pa.Table]:
    return build_tables(SHARDED)


def test_a_demo_up_to_the_shard_size_is_one_world_as_before() -> None:
    spec = DemoSpec(calls=3_000, seed=7, start=dt.date(2026, 1, 1), months=2)
    assert shards(spec) == []
    tables = build_tables(spec)
    digests = {name: hashlib.sha256(csv_bytes(t)).hexdigest() for name, t in tables.items()}
    assert digests == UNSHARDED_SHA256
    at_the_limit = DemoSpec(calls=3_000, seed=7, start=spec.start, months=2, shard_calls=3_000)
    assert all(build_tables(at_the_limit)[n].equals(t) for n, t in tables.items())


def test_shards_are_nearly_equal_and_at_most_the_shard_size() -> None:
    assert shards(SHARDED) == [Shard(0, 2_000), Shard(1, 2_000), Shard(2, 2_000)]
    for calls in (2_001, 6_001, 9_999, 25_000_000, 100_000_000):
        spec = DemoSpec(calls=calls, shard_calls=2_000 if calls < 10_000 else 10_000_000)
        sizes = [s.calls for s in shards(spec)]
        assert sum(sizes) == calls
        assert max(sizes) <= spec.shard_calls and min(sizes) >= MIN_CALLS
        assert max(sizes) - min(sizes) <= 1
    assert [s.calls for s in shards(DemoSpec(calls=100_000_000))] == [10_000_000] * 10


def test_one_part_per_shard_then_the_shared_tables(parts: list[dict[str, pa.Table]]) -> None:
    assert len(parts) == 4
    shared = {"campaigns", "targets"}
    for part in parts[:3]:
        assert set(part) == set(TABLES) - shared
        assert part["calls"].num_rows == 2_000
        assert part["agents"].num_rows == 40
    assert set(parts[3]) == shared


def test_row_counts_are_the_sums_of_the_shards(
    parts: list[dict[str, pa.Table]], tables: dict[str, pa.Table]
) -> None:
    assert list(tables) == list(TABLES)
    for name, data in tables.items():
        assert data.num_rows == sum(p[name].num_rows for p in parts if name in p), name
        assert data.schema == parts[0 if name in parts[0] else -1][name].schema, name
    assert tables["calls"].num_rows == SHARDED.calls
    assert tables["agents"].num_rows == 120
    assert tables["campaigns"].num_rows == 20


def test_ids_have_one_width_and_go_on_from_shard_to_shard(tables: dict[str, pa.Table]) -> None:
    calls = tables["calls"]["call_id"].to_pylist()
    assert calls[0] == "CL0000001" and calls[-1] == "CL0006000"
    assert calls == sorted(calls)
    agents = tables["agents"]["agent_id"].to_pylist()
    assert agents == [f"A{i:03d}" for i in range(1, 121)]
    for name, column in (("contacts", "contact_id"), ("leads", "lead_id"), ("costs", "cost_id")):
        ids = tables[name][column].to_pylist()
        assert len({len(i) for i in ids}) == 1, name
        assert ids == sorted(ids), name


@pytest.mark.parametrize(("child", "column", "parent", "key"), REFERENCES)
def test_no_reference_leaves_its_shard(
    parts: list[dict[str, pa.Table]], child: str, column: str, parent: str, key: str
) -> None:
    if parent in ("campaigns", "targets"):
        return  # the one shared table
    for part in parts[:3]:
        inside = set(part[parent][key].to_pylist())
        used = set(part[child][column].drop_null().to_pylist())
        assert used <= inside


def test_the_same_spec_gives_the_same_shards(tables: dict[str, pa.Table]) -> None:
    again = build_tables(SHARDED)
    for name in tables:
        assert again[name].equals(tables[name]), name


def test_shards_differ_from_each_other_and_from_an_unsharded_world(
    parts: list[dict[str, pa.Table]],
) -> None:
    costs = [tuple(p["agents"]["hourly_cost"].to_pylist()) for p in parts[:3]]
    assert len(set(costs)) == 3
    whole = build_tables(DemoSpec(calls=2_000, seed=7, start=SHARDED.start, months=12))
    assert whole["agents"]["hourly_cost"].to_pylist() not in [list(c) for c in costs]


def test_every_shard_shares_the_campaigns_with_budgets_from_all_their_costs(
    tables: dict[str, pa.Table],
) -> None:
    whole = build_tables(WHOLE)
    same = ["campaign_id", "name", "channel", "start_date", "end_date", "tracking_code"]
    assert tables["campaigns"].select(same).equals(whole["campaigns"].select(same))
    rows = (
        connect(tables)
        .execute(
            "SELECT c.campaign_id, c.budget, coalesce(sum(k.amount), 0) FROM campaigns c "
            "LEFT JOIN costs k ON k.campaign_id = c.campaign_id AND k.kind = 'direct' "
            "GROUP BY ALL"
        )
        .fetchall()
    )
    for campaign, budget, direct in rows:
        if direct * 0.95 > 500:
            assert 0.95 * direct - 250 <= budget <= 1.25 * direct + 250, campaign


def _headline(tables: dict[str, pa.Table], path: Path) -> dict[str, float]:
    with callkpi.open(path) as ws:
        load_parts(ws.store, [tables])
        result = ws.kpis(
            ["contact_rate", "conversion_rate", "hit_rate", "aht", "cost_per_call", "roi"]
        )
    return {name: float(value) for name, value in result.records()[0].items()}


def test_kpis_of_a_sharded_demo_are_in_the_range_of_a_whole_one(
    tables: dict[str, pa.Table], tmp_path: Path
) -> None:
    sharded = _headline(tables, tmp_path / "sharded.duckdb")
    whole = _headline(build_tables(WHOLE), tmp_path / "whole.duckdb")
    for rate in ("contact_rate", "conversion_rate", "hit_rate"):
        assert sharded[rate] == pytest.approx(whole[rate], abs=0.05), rate
    assert sharded["aht"] == pytest.approx(whole["aht"], rel=0.15)
    # Three centres of 40 agents make a third of the calls each: salaries weigh more per call.
    assert whole["cost_per_call"] < sharded["cost_per_call"] < 4 * whole["cost_per_call"]
    assert sharded["roi"] == pytest.approx(whole["roi"], abs=0.5)


def test_parts_are_written_to_a_store_in_one_load(
    parts: list[dict[str, pa.Table]], tables: dict[str, pa.Table], tmp_path: Path
) -> None:
    with callkpi.open(tmp_path / "demo.duckdb") as ws:
        counts = load_parts(ws.store, iter(parts))
        assert counts == {name: t.num_rows for name, t in tables.items()}
        assert {name: ws.count(name) for name in TABLES} == counts
        assert ws.store.scalar("SELECT count(*) FROM imports") == len(TABLES)
        assert rollups.fresh(ws.store)  # built once, over every shard
        by_campaign = ws.kpis("calls", by="campaign").records()
        expected = ws.store.rows("SELECT campaign_id, count(*) FROM calls GROUP BY ALL")
        assert {r["campaign"]: r["calls"] for r in by_campaign if r["calls"]} == dict(expected)


def test_parts_as_csv_are_the_concatenated_tables(
    parts: list[dict[str, pa.Table]], tables: dict[str, pa.Table], tmp_path: Path
) -> None:
    write_csv_parts(parts, tmp_path / "parts")
    write_csv_dir(tables, tmp_path / "whole")
    for name in TABLES:
        file = f"{name}.csv"
        assert (tmp_path / "parts" / file).read_bytes() == (tmp_path / "whole" / file).read_bytes()
