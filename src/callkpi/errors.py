"""The callkpi error tree.

Each error is also a standard-library error (ValueError, KeyError...) so callers that do not
know callkpi can still catch it, and each carries a message fit to print on one line.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from typing import Any


class CallkpiError(Exception):
    """Base of every error callkpi raises on purpose."""


class UnknownNameError(CallkpiError, KeyError):
    """A KPI, dimension, grain, table... that does not exist, with a 'did you mean'."""

    def __init__(self, kind: str, name: str, known: Iterable[str]) -> None:
        self.kind = kind
        self.name = name
        self.known = sorted(known)
        self.suggestions = difflib.get_close_matches(name, self.known, n=3, cutoff=0.6)
        super().__init__(name)

    def __str__(self) -> str:
        message = f"unknown {self.kind} {self.name!r}"
        if self.suggestions:
            message += "; did you mean " + " or ".join(repr(s) for s in self.suggestions) + "?"
        else:
            message += "; known: " + ", ".join(self.known)
        return message


class QueryError(CallkpiError, ValueError):
    """A KPI query that cannot be answered as asked (bad date, unsupported slice...)."""


class UnsplittableError(QueryError):
    """Some KPIs asked for cannot be split or filtered by a dimension (costs by agent...)."""

    def __init__(self, message: str, dimension: str, kpis: tuple[str, ...]) -> None:
        self.dimension = dimension
        self.kpis = kpis
        super().__init__(message)


class QueryTimeoutError(QueryError):
    """A query ran longer than the limit it was given, and was stopped."""


class AccessDeniedError(CallkpiError, PermissionError):
    """The user's role does not allow this (an agent asking for another agent's figures)."""


class CatalogError(CallkpiError, ValueError):
    """The KPI catalog (YAML) is invalid; the message lists every problem with file:line."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("invalid KPI catalog:\n" + "\n".join(f"  {p}" for p in problems))


class StoreError(CallkpiError, RuntimeError):
    """The store cannot be opened or is not a callkpi store of a known version."""


class DataImportError(CallkpiError, ValueError):
    """An import was refused; nothing was written (atomic mode).

    `report` holds the import report (counts and rejects) when the file could be read.
    """

    report: Any = None


__all__ = [
    "AccessDeniedError",
    "CallkpiError",
    "CatalogError",
    "DataImportError",
    "QueryError",
    "QueryTimeoutError",
    "StoreError",
    "UnknownNameError",
    "UnsplittableError",
]
