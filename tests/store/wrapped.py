"""Running the migrations through a wrapped connection (a pool, a tracing proxy), to check
that they are told the store's dialect rather than guessing it from the connection."""

from __future__ import annotations

from collections.abc import Callable
from types import ModuleType
from typing import Any

import pytest

from callkpi.store import base, migrations


def migrate_through(
    monkeypatch: pytest.MonkeyPatch, backend: ModuleType, wrap: Callable[[Any], Any]
) -> list[str]:
    """Make the stores `backend` opens migrate through `wrap(connection)`, with one more
    migration that notes the dialect it is given: the returned list."""
    seen: list[str] = []

    def record(con: object, dialect: str) -> None:
        seen.append(dialect)

    def wrapped(store: base._Migratable, con: object, *args: Any) -> None:
        base.migrate(store, wrap(con), *args)

    monkeypatch.setattr(migrations, "MIGRATIONS", [*migrations.MIGRATIONS, record])
    monkeypatch.setattr(backend, "migrate", wrapped)
    return seen
