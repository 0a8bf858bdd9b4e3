"""Layer rules, checked on the import graph: a face never writes SQL; stages stay apart."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "callkpi"


def imports_of(path: Path) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
    return found


def modules(package: str) -> list[Path]:
    return sorted((PACKAGE / package).rglob("*.py"))


@pytest.mark.parametrize("face", ["cli"])
def test_faces_never_import_ibis_or_sqlglot_or_a_driver(face: str) -> None:
    for path in modules(face):
        bad = {m for m in imports_of(path) if m.split(".")[0] in {"ibis", "sqlglot", "duckdb"}}
        assert not bad, f"{path.name} imports {bad}"


@pytest.mark.parametrize(("package", "forbidden"), [("ingest", "metrics"), ("metrics", "ingest")])
def test_ingest_and_metrics_never_import_each_other(package: str, forbidden: str) -> None:
    for path in modules(package):
        bad = {m for m in imports_of(path) if m.startswith(f"callkpi.{forbidden}")}
        assert not bad, f"{path} imports {bad}"


def test_store_imports_no_other_stage() -> None:
    for path in modules("store"):
        bad = {
            m
            for m in imports_of(path)
            if m.startswith(("callkpi.ingest", "callkpi.metrics", "callkpi.cli", "callkpi.demo"))
        }
        assert not bad, f"{path} imports {bad}"


def test_modules_stay_small() -> None:
    for path in PACKAGE.rglob("*.py"):
        lines = len(path.read_text(encoding="utf-8").splitlines())
        assert lines <= 600, f"{path.relative_to(PACKAGE)} has {lines} lines: split it"
