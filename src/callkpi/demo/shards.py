"""A large demo in shards: each a parallel call centre, generated and written one at a time.

A demo of up to `spec.shard_calls` calls (10 million by default) is one world, built in
memory at once. A larger one is cut into ceil(calls / shard_calls) shards of nearly equal size,
and each shard is a call centre of its own working the same 20 campaigns: its own 40 agents
(in the same five teams and sites), sessions, contact pool, leads, calls, deals, customers,
orders, tickets, surveys, touches, e-mail waves and costs (salaries, telecom, lead purchases,
fees and overheads: each centre pays for itself, and its order prices are calibrated against
its own costs). A shard draws from random streams spawned from the seed, the step and the
shard number, so the whole demo is still a pure function of the spec.

Concatenating shards keeps every key unique and every reference inside the store: each
shard's ids go on from the previous shards' (see tables.Numbering, at widths fixed for the
whole demo), its rows only refer to its own agents, contacts, leads and deals, and all of them
to the one campaigns table, written last with budgets drawn from the direct costs of every
shard. Ids are in time order within a shard, not across shards.
"""

from __future__ import annotations

import contextlib
import ctypes
import gc
from collections.abc import Iterator

import numpy as np
import pyarrow as pa

from callkpi.demo.build import Shard, build_world, stream
from callkpi.demo.costs import budgets
from callkpi.demo.reference import TEMPLATES
from callkpi.demo.spec import DemoSpec
from callkpi.demo.staff import N_AGENTS
from callkpi.demo.tables import (
    ID_PREFIXES,
    Numbering,
    campaigns_table,
    targets_table,
    world_tables,
)
from callkpi.store.schema import TABLES

#: Tables that every shard shares, written once after the shards.
SHARED_TABLES = ("campaigns", "targets")


def shards(spec: DemoSpec) -> list[Shard]:
    """The shards of a demo, or none when it is built as one world."""
    if spec.calls <= spec.shard_calls:
        return []
    count = -(-spec.calls // spec.shard_calls)
    size, extra = divmod(spec.calls, count)
    return [Shard(index=i, calls=size + (i < extra)) for i in range(count)]


def _widths(calls: int, count: int) -> dict[str, int]:
    """Digits of every id of a sharded demo: as many as the number of calls has (no table
    has more rows than calls), agents as many as their count."""
    width = dict.fromkeys(ID_PREFIXES, len(str(calls)))
    width["A"] = len(str(N_AGENTS * count))
    return width


def demo_parts(spec: DemoSpec) -> Iterator[dict[str, pa.Table]]:
    """The demo as parts to write one after the other: the whole world in one part when it
    is not sharded (the same tables as ever), else one part per shard (every table but the
    shared ones), then campaigns and targets. Only one shard is in memory at a time, provided
    the caller drops each part before asking for the next."""
    parts = shards(spec)
    if not parts:
        yield world_tables(build_world(spec))
        return
    numbering = Numbering(width=_widths(spec.calls, len(parts)))
    direct = np.zeros(len(TEMPLATES))
    for shard in parts:
        world = build_world(spec, shard)
        direct += world.costs.direct_by_campaign
        period, campaigns = world.period, world.campaigns
        tables = world_tables(world, numbering)
        del world
        for name in SHARED_TABLES:
            del tables[name]
        numbering = numbering.after(tables)
        yield tables
        del tables
        _give_back_memory()
    budget = budgets(direct, stream(spec.seed, "budgets"))
    yield {"campaigns": campaigns_table(period, campaigns, budget), "targets": targets_table()}


def _give_back_memory() -> None:
    """Return the freed memory of a shard to the system before the next one. Arrow's
    allocator (mimalloc) and C's (glibc, numpy's) each keep what they freed for their own
    reuse, so without this the next shard's peak stacks on top of both (4.7 GB for the first
    10M-call shard, 7.7 GB for the second)."""
    gc.collect()
    pa.default_memory_pool().release_unused()
    with contextlib.suppress(OSError, AttributeError):  # not glibc: nothing to trim
        ctypes.CDLL("libc.so.6").malloc_trim(0)


def build_tables(spec: DemoSpec) -> dict[str, pa.Table]:
    """One Arrow table per canonical table, columns in schema order with the schema's types
    (a sharded demo's parts concatenated: all in memory, so writers take `demo_parts`)."""
    parts = list(demo_parts(spec))
    if len(parts) == 1:
        return parts[0]
    return {name: pa.concat_tables([p[name] for p in parts if name in p]) for name in TABLES}
