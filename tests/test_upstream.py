"""One test per upstream behaviour callkpi works around. Each asserts the behaviour is still
there: when an upgrade makes one fail, the workaround it names can go."""

from __future__ import annotations

import subprocess
import sys

import duckdb


def test_duckdb_divides_by_zero_to_infinity() -> None:
    """Workaround: every division compiles to x / NULLIF(y, 0) (metrics/expressions.py)."""
    assert duckdb.connect().execute("SELECT 1.0 / 0.0 AS x").fetchall() == [(float("inf"),)]


def test_pyarrow_array_from_a_list_imports_pandas() -> None:
    """Workaround: metrics/models.py builds its column from buffers, saving ~0.9 s of a cold
    cached query."""
    script = "import sys, pyarrow as pa; pa.array([1.0, None]); print('pandas' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "True"


def test_ibis_compiler_package_imports_every_dialect() -> None:
    """Workaround: Ibis is imported only on a SQL-cache miss (metrics/cache.py): importing one
    dialect's compiler loads them all (~0.3 s)."""
    script = (
        "import sys, ibis.backends.sql.compilers.duckdb; "
        "print('ibis.backends.sql.compilers.bigquery' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "True"
