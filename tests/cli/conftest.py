from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.conftest import SMALL_DATA, make_workspace


@pytest.fixture(scope="session")
def small_db(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The small hand-checked fixture as a store file, read-only by convention."""
    path = tmp_path_factory.mktemp("cli") / "small.duckdb"
    make_workspace(path, SMALL_DATA).close()
    yield str(path)
