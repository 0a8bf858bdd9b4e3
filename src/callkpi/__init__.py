"""callkpi: KPIs, ROI and advice for telemarketing campaigns and CRM work.

>>> import callkpi
>>> ws = callkpi.open("callkpi.duckdb")
>>> ws.kpis(["contact_rate", "roi"], by=["campaign"], grain="month").records()
"""

from callkpi.errors import (
    CallkpiError,
    CatalogError,
    DataImportError,
    QueryError,
    StoreError,
    UnknownNameError,
)
from callkpi.metrics.query import KpiQuery
from callkpi.metrics.result import KpiResult
from callkpi.workspace import Workspace, open

__version__ = "0.1.0"

__all__ = [
    "CallkpiError",
    "CatalogError",
    "DataImportError",
    "KpiQuery",
    "KpiResult",
    "QueryError",
    "StoreError",
    "UnknownNameError",
    "Workspace",
    "__version__",
    "open",
]
