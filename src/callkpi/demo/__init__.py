"""A deterministic, realistic demo dataset: a year of a French telemarketing and CRM operation.

`build_tables(DemoSpec(...))` returns one Arrow table per canonical table; the same spec always
gives the same tables and the same CSV bytes. `load_into_store` and `write_csv_dir` put them in
a store or in a directory of CSV files. A demo of more than `spec.shard_calls` calls (10
million by default) is made of shards, parallel call centres: `demo_parts` yields it shard by
shard and `load_parts` / `write_csv_parts` write it so, in bounded memory (see shards.py).
"""

from __future__ import annotations

from callkpi.demo.export import (
    contents,
    is_demo_store,
    load_into_store,
    load_parts,
    replace_data,
    write_csv_dir,
    write_csv_parts,
)
from callkpi.demo.shards import build_tables, demo_parts, shards
from callkpi.demo.spec import SHARD_CALLS, DemoSpec, default_start

__all__ = [
    "SHARD_CALLS",
    "DemoSpec",
    "build_tables",
    "contents",
    "default_start",
    "demo_parts",
    "is_demo_store",
    "load_into_store",
    "load_parts",
    "replace_data",
    "shards",
    "write_csv_dir",
    "write_csv_parts",
]
