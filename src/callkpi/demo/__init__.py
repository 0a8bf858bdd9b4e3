"""A deterministic, realistic demo dataset: a year of a French telemarketing and CRM operation.

`build_tables(DemoSpec(...))` returns one Arrow table per canonical table; the same spec always
gives the same tables and the same CSV bytes. `load_into_store` and `write_csv_dir` put them in
a store or in a directory of CSV files.
"""

from __future__ import annotations

from callkpi.demo.build import build_tables
from callkpi.demo.export import (
    contents,
    is_demo_store,
    load_into_store,
    replace_data,
    write_csv_dir,
)
from callkpi.demo.spec import DemoSpec, default_start

__all__ = [
    "DemoSpec",
    "build_tables",
    "contents",
    "default_start",
    "is_demo_store",
    "load_into_store",
    "replace_data",
    "write_csv_dir",
]
