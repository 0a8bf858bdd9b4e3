"""Ingest: read exports, validate them, and load them into the store's canonical tables.

`import_file` loads one canonical CSV (the format `callkpi generate` writes) into one table.
"""

from __future__ import annotations

from callkpi.ingest.canonical import MODES, Mode, import_file
from callkpi.ingest.report import MAX_REJECTS, ImportReport, Reject

__all__ = ["MAX_REJECTS", "MODES", "ImportReport", "Mode", "Reject", "import_file"]
