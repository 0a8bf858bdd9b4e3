"""Ingest: read users' exports, map them with a source profile, validate, load one table.

`import_file` loads one file (CSV in any common dialect and encoding, Excel, Parquet, JSON
lines) into one canonical table, all or nothing; `profiles` holds the source profiles.
Imports are lazy so that `import callkpi.ingest.timezones` does not pull in the pipeline.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from callkpi.ingest.pipeline import MODES, Mode, import_file
    from callkpi.ingest.report import MAX_REJECTS, ImportReport, Reject
    from callkpi.ingest.runtime import ImportProgress

_LAZY = {
    "MODES": "callkpi.ingest.pipeline",
    "Mode": "callkpi.ingest.pipeline",
    "ImportProgress": "callkpi.ingest.runtime",
    "import_file": "callkpi.ingest.pipeline",
    "MAX_REJECTS": "callkpi.ingest.report",
    "ImportReport": "callkpi.ingest.report",
    "Reject": "callkpi.ingest.report",
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name]), name)
    if name == "rules":
        return importlib.import_module("callkpi.ingest.rules")
    raise AttributeError(f"module 'callkpi.ingest' has no attribute {name!r}")


__all__ = [
    "MAX_REJECTS",
    "MODES",
    "ImportProgress",
    "ImportReport",
    "Mode",
    "Reject",
    "import_file",
]
