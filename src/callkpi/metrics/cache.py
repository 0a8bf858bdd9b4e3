"""A disk cache of compiled KPI SQL, so that a repeated query skips Ibis altogether.

The SQL of a query depends only on its shape (KPIs, dimensions, grain, which filters and
dates are set: their values are bound), on the catalog and on this code. The cache key hashes
all three, so editing the catalog or upgrading callkpi never serves stale SQL. A cold
`callkpi kpi` then costs the imports of the driver and the CLI, not the compiler's (~1 s).

Location: $CALLKPI_CACHE_DIR, else $XDG_CACHE_HOME/callkpi, else ~/.cache/callkpi;
CALLKPI_CACHE_DIR set to an empty string turns it off. Unwritable: silently off (a cache).
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import os
import tempfile
from dataclasses import asdict
from pathlib import Path

from callkpi.metrics.model import CompiledQuery, ModelPart, OutputColumn

CACHE_FORMAT = 3


def default_cache_dir() -> Path | None:
    explicit = os.environ.get("CALLKPI_CACHE_DIR")
    if explicit is not None:
        return Path(explicit) if explicit.strip() else None
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "callkpi"


@functools.cache
def code_fingerprint() -> str:
    """Hash of the code that shapes SQL: the metrics package (sources included), the store's
    schema and its rollup tables."""
    package = Path(__file__).resolve().parents[1]
    digest = hashlib.sha256(f"format {CACHE_FORMAT}".encode())
    files = [
        *sorted((package / "metrics").rglob("*.py")),
        package / "store" / "schema.py",
        package / "store" / "rollups.py",
    ]
    for path in files:
        digest.update(path.name.encode() + path.read_bytes())
    return digest.hexdigest()


class SqlCache:
    """Compiled SQL and output columns, one small JSON file per (catalog, dialect, shape)."""

    def __init__(self, directory: Path | None) -> None:
        self.directory = directory

    def _path(self, *parts: object) -> Path | None:
        if self.directory is None:
            return None
        key = hashlib.sha256(repr((code_fingerprint(), *parts)).encode()).hexdigest()
        return self.directory / f"{key}.json"

    def get(self, catalog: str, dialect: str, shape: tuple[object, ...]) -> CompiledQuery | None:
        path = self._path("query", catalog, dialect, shape)
        if path is None:
            return None
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            return CompiledQuery(
                data["sql"],
                tuple(OutputColumn(**c) for c in data["columns"]),
                tuple(ModelPart(**m) for m in data["models"]),
                tuple(data["plan"]),
            )
        except (OSError, ValueError, KeyError, TypeError):
            return None

    def put(
        self, catalog: str, dialect: str, shape: tuple[object, ...], compiled: CompiledQuery
    ) -> None:
        payload = {
            "sql": compiled.sql,
            "columns": [asdict(c) for c in compiled.columns],
            "models": [asdict(m) for m in compiled.models],
            "plan": list(compiled.plan),
        }
        self._write(self._path("query", catalog, dialect, shape), payload)

    def catalog_checked(self, catalog: str) -> bool:
        """Was this catalog fully checked (sources included) by this code before?"""
        path = self._path("checked", catalog)
        return path is not None and path.exists()

    def mark_catalog_checked(self, catalog: str) -> None:
        self._write(self._path("checked", catalog), {"checked": True})

    def _write(self, path: Path | None, payload: dict[str, object]) -> None:
        if path is None:
            return
        with contextlib.suppress(OSError):
            path.parent.mkdir(parents=True, exist_ok=True)
            handle, temporary = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
            with os.fdopen(handle, "w", encoding="utf-8") as file:
                json.dump(payload, file)
            Path(temporary).replace(path)
