"""callkpi: KPIs, ROI and advice for telemarketing campaigns and CRM work.

    >>> import callkpi
    >>> ws = callkpi.open("callkpi.duckdb")
    >>> ws.kpis(["contact_rate", "roi"], by=["campaign"], grain="month").records()

The heavy parts (Ibis, the KPI compiler) are imported on first use, so that `callkpi --help`
and scripts that only import the errors start fast.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from callkpi.errors import (
    CallkpiError,
    CatalogError,
    DataImportError,
    QueryError,
    StoreError,
    UnknownNameError,
)

if TYPE_CHECKING:
    from callkpi.metrics.query import KpiQuery
    from callkpi.metrics.result import KpiResult
    from callkpi.workspace import Explanation, Workspace, open

__version__ = "0.1.0"

_LAZY = {
    "Explanation": "callkpi.workspace",
    "KpiQuery": "callkpi.metrics.query",
    "KpiResult": "callkpi.metrics.result",
    "Workspace": "callkpi.workspace",
    "open": "callkpi.workspace",
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'callkpi' has no attribute {name!r}")


__all__ = [
    "CallkpiError",
    "CatalogError",
    "DataImportError",
    "Explanation",
    "KpiQuery",
    "KpiResult",
    "QueryError",
    "StoreError",
    "UnknownNameError",
    "Workspace",
    "__version__",
    "open",
]
