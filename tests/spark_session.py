"""One SparkSession for the whole test run (a pytest plugin, see tests/conftest.py).

The JVM takes ~15 s to start, so every Spark test shares one session (local[2], no UI,
2 shuffle partitions, UTC, a temporary warehouse, bound to 127.0.0.1, no adaptive execution
nor whole-stage code generation, which only slow small data down). SparkStore finds it
as the active session and opens its own child session per store. Without Java or pyspark,
the tests that need Spark skip with the reason (CI installs Java, and CI fails on any skip).
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from pyspark.sql import SparkSession


def spark_url(folder: os.PathLike[str] | str) -> str:
    """The store URL of a warehouse folder on this machine."""
    return f"spark://local{os.path.abspath(folder)}"  # noqa: PTH100 -- a URL, not a Path


@pytest.fixture(scope="session")
def spark_session(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SparkSession]:
    """The session's SparkSession; skips (with the reason) without Java or pyspark."""
    if shutil.which("java") is None:
        pytest.skip("Spark tests need Java: apt-get install openjdk-17-jre-headless")
    pytest.importorskip("pyspark", reason="Spark tests need pyspark: pip install -e '.[spark]'")
    from pyspark.sql import SparkSession

    os.environ["SPARK_LOCAL_IP"] = "127.0.0.1"
    session = (
        SparkSession.builder.master("local[2]")
        .appName("callkpi-tests")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.sql.shuffle.partitions", "2")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.sql.warehouse.dir", str(tmp_path_factory.mktemp("spark-warehouse")))
        .config("spark.driver.host", "127.0.0.1")
        .config("spark.driver.bindAddress", "127.0.0.1")
        # Small data, wide plans: adaptive execution's stage-by-stage re-planning and Java code
        # generation cost more than they save here (the catalog query runs ~2.5x faster).
        .config("spark.sql.adaptive.enabled", "false")
        .config("spark.sql.codegen.wholeStage", "false")
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("FATAL")
    yield session
    session.stop()


@pytest.fixture
def spark_store_url(spark_session: SparkSession, tmp_path: os.PathLike[str]) -> str:
    """The URL of a new, empty warehouse folder for one test."""
    return spark_url(os.path.join(tmp_path, "warehouse"))  # noqa: PTH118
