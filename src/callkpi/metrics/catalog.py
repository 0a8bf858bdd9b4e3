"""Load and validate the KPI catalog (YAML), collecting every problem with its file:line."""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Iterator
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import yaml
from pydantic import TypeAdapter, ValidationError

from callkpi.errors import CatalogError, UnknownNameError
from callkpi.metrics import expressions
from callkpi.metrics.model import (
    AnyKpi,
    DerivedKpi,
    Dimension,
    Kpi,
    ModelKpi,
    RatioKpi,
    Settings,
    SimpleKpi,
)
from callkpi.store.schema import (
    CONTACT_OUTCOMES,
    INCONCLUSIVE_OUTCOMES,
    NON_CONTACT_OUTCOMES,
    SUCCESS_OUTCOMES,
    TABLES,
)

#: Named sets usable in expressions (`outcome in contact_outcomes`); from the schema's constants.
SETS: dict[str, tuple[str, ...]] = {
    "contact_outcomes": CONTACT_OUTCOMES,
    "success_outcomes": SUCCESS_OUTCOMES,
    "inconclusive_outcomes": INCONCLUSIVE_OUTCOMES,
    "non_contact_outcomes": NON_CONTACT_OUTCOMES,
}

_KPI_ADAPTER: TypeAdapter[Kpi] = TypeAdapter(Kpi)


class _LineLoader(yaml.SafeLoader):
    """A YAML loader that remembers the line of every mapping (as key `__line__`)."""


def _construct_mapping(loader: _LineLoader, node: yaml.MappingNode) -> dict[str, Any]:
    mapping = loader.construct_mapping(node, deep=True)
    mapping["__line__"] = node.start_mark.line + 1
    mapping["__keylines__"] = {
        key.value: key.start_mark.line + 1 for key, _ in node.value if hasattr(key, "value")
    }
    return mapping


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def _strip_lines(value: Any) -> Any:
    if isinstance(value, dict):
        return {
            k: _strip_lines(v) for k, v in value.items() if k not in ("__line__", "__keylines__")
        }
    if isinstance(value, list):
        return [_strip_lines(v) for v in value]
    return value


@dataclass(frozen=True)
class Catalog:
    """Every KPI and dimension, validated; the compiler's only input besides the query."""

    kpis: dict[str, AnyKpi]
    dimensions: dict[str, Dimension]
    settings: Settings
    path: str
    fingerprint: str  # sha256 of the YAML text: identifies the catalog in caches

    def kpi(self, kpi_id: str) -> AnyKpi:
        try:
            return self.kpis[kpi_id]
        except KeyError:
            raise UnknownNameError("KPI", kpi_id, self.kpis) from None

    def dimension(self, dimension_id: str) -> Dimension:
        try:
            return self.dimensions[dimension_id]
        except KeyError:
            raise UnknownNameError("dimension", dimension_id, self.dimensions) from None

    def dependencies(self, kpi_id: str) -> list[str]:
        """KPIs a KPI is computed from (direct ones only)."""
        kpi = self.kpi(kpi_id)
        if isinstance(kpi, RatioKpi):
            return [kpi.numerator, kpi.denominator]
        if isinstance(kpi, DerivedKpi):
            return sorted(expressions.parse(kpi.expr).names)
        return []

    def formula(self, kpi_id: str) -> str:
        """A one-line formula generated from the definition (so it can never disagree)."""
        kpi = self.kpi(kpi_id)
        if isinstance(kpi, RatioKpi):
            return f"{kpi.numerator} / {kpi.denominator}"
        if isinstance(kpi, DerivedKpi):
            return kpi.expr
        if isinstance(kpi, ModelKpi):
            return f"{kpi.function}({kpi.duration}, event {kpi.event}) of {kpi.source}"
        target = f"{kpi.column}" if kpi.column else "*"
        text = f"{kpi.agg}({target}) of {kpi.source}"
        if kpi.where:
            text += f" where {kpi.where}"
        return text


def load_catalog(path: str | Path | None = None, *, checked: bool = False) -> Catalog:
    """Load a catalog file (default: the one shipped in the package) and validate it all.

    `checked=True` skips the checks against the sources' columns (which need Ibis) for a
    catalog whose fingerprint was already checked by this code (see metrics.cache).
    """
    if path is None:
        return _default_catalog(checked)
    text = Path(path).read_text(encoding="utf-8")
    return parse_catalog(text, str(path), check_sources=not checked)


def default_catalog_text() -> str:
    return resources.files("callkpi.metrics").joinpath("catalog.yaml").read_text("utf-8")


@functools.cache
def _default_catalog(checked: bool) -> Catalog:
    text = default_catalog_text()
    return parse_catalog(text, "callkpi/metrics/catalog.yaml", check_sources=not checked)


def parse_catalog(text: str, filename: str, *, check_sources: bool = True) -> Catalog:
    try:
        raw = yaml.load(text, Loader=_LineLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{filename}:{mark.line + 1}" if mark else filename
        raise CatalogError([f"{where}: not valid YAML: {exc}"]) from None
    if not isinstance(raw, dict):
        raise CatalogError([f"{filename}:1: the catalog must be a mapping"])
    problems: list[str] = []
    settings = _parse_settings(raw.get("settings") or {}, filename, problems)
    dimensions = _parse_items(
        _section(raw, "dimensions", filename, problems), filename, problems, _dimension
    )
    kpis = _parse_items(_section(raw, "kpis", filename, problems), filename, problems, _kpi)
    lines = _lines(raw.get("kpis"))
    dim_lines = _lines(raw.get("dimensions"))
    for problem in _check_references(kpis, dimensions, check_sources):
        kind, name, message = problem
        line = lines.get(name, 0) if kind == "kpi" else dim_lines.get(name, 0)
        problems.append(f"{filename}:{line}: {kind} {name!r}: {message}")
    if problems:
        raise CatalogError(problems)
    fingerprint = hashlib.sha256(text.encode("utf-8")).hexdigest()
    return Catalog(kpis, dimensions, settings, filename, fingerprint)


def _section(raw: dict[str, Any], name: str, filename: str, problems: list[str]) -> dict:
    section = raw.get(name) or {}
    if not isinstance(section, dict):
        problems.append(f"{filename}:{raw.get('__line__', 1)}: {name!r} must be a mapping")
        return {}
    return section


def _lines(section: Any) -> dict[str, int]:
    """The line of each entry's name in a section (kpis, dimensions)."""
    if not isinstance(section, dict):
        return {}
    return dict(section.get("__keylines__", {}))


def _parse_settings(raw: dict[str, Any], filename: str, problems: list[str]) -> Settings:
    try:
        return Settings.model_validate(_strip_lines(raw))
    except ValidationError as exc:
        for error in exc.errors():
            problems.append(f"{filename}:{raw.get('__line__', 0)}: settings: {error['msg']}")
        return Settings()


def _dimension(name: str, raw: dict[str, Any]) -> Dimension:
    return Dimension.model_validate({"id": name, **_strip_lines(raw)})


def _kpi(name: str, raw: dict[str, Any]) -> AnyKpi:
    return _KPI_ADAPTER.validate_python({"id": name, **_strip_lines(raw)})


def _parse_items(raw: dict[str, Any], filename: str, problems: list[str], build: Any) -> dict:
    items: dict[str, Any] = {}
    name_lines = _lines(raw)
    for name, body in raw.items():
        if name in ("__line__", "__keylines__"):
            continue
        line = name_lines.get(name, 0)
        if not isinstance(body, dict):
            problems.append(f"{filename}:{line}: {name!r} must be a mapping")
            continue
        try:
            items[name] = build(name, body)
        except ValidationError as exc:
            for error in exc.errors():
                loc = error["loc"]
                if loc and loc[0] in ("simple", "ratio", "derived"):
                    loc = loc[1:]  # the union's tag, not a field of the user's YAML
                field = ".".join(str(p) for p in loc)
                field_line = _field_line(body, loc) or line
                problems.append(f"{filename}:{field_line}: {name!r}: {field}: {error['msg']}")
    return items


def _field_line(body: dict[str, Any], loc: tuple[Any, ...]) -> int | None:
    """The line of the deepest key on the error's path that exists in the YAML."""
    line = None
    node: Any = body
    for part in loc:
        if not isinstance(node, dict):
            break
        line = node.get("__keylines__", {}).get(part, line)
        if part not in node:
            break
        node = node[part]
    return line


def _check_references(
    kpis: dict[str, Any], dimensions: dict[str, Dimension], check_sources: bool
) -> Iterator[tuple[str, str, str]]:
    for name, dimension in dimensions.items():
        if dimension.column is None and dimension.lookup is None:
            yield "dimension", name, "needs a column, a lookup, or both"
        if dimension.lookup is not None:
            table = TABLES.get(dimension.lookup.table)
            if table is None:
                yield "dimension", name, f"unknown lookup table {dimension.lookup.table!r}"
            elif {dimension.lookup.key, dimension.lookup.column} - set(table.column_names):
                yield "dimension", name, f"lookup columns not in {table.name}"
    source_columns = _source_columns() if check_sources else {}
    for name, kpi in kpis.items():
        if isinstance(kpi, SimpleKpi | ModelKpi):
            if not check_sources:
                continue
            yield from _check_simple(name, kpi, source_columns)
        elif isinstance(kpi, RatioKpi):
            for part in (kpi.numerator, kpi.denominator):
                if part not in kpis:
                    yield "kpi", name, f"unknown KPI {part!r}"
            yield from _no_model_parts(name, [kpi.numerator, kpi.denominator], kpis)
        elif isinstance(kpi, DerivedKpi):
            try:
                expression = expressions.parse(kpi.expr)
            except expressions.ExpressionError as exc:
                yield "kpi", name, str(exc)
                continue
            for part in sorted(expression.names - set(kpis)):
                yield "kpi", name, f"unknown KPI {part!r} in expr"
            yield from _no_model_parts(name, sorted(expression.names), kpis)
    yield from _check_cycles(kpis)


def _no_model_parts(
    name: str, parts: list[str], kpis: dict[str, Any]
) -> Iterator[tuple[str, str, str]]:
    """A model KPI's value exists only after SQL: it cannot feed a ratio or an expression."""
    for part in parts:
        if isinstance(kpis.get(part), ModelKpi):
            yield "kpi", name, f"{part!r} is a model KPI and cannot be used in a formula"


def _source_columns() -> dict[str, dict[str, str]]:
    from callkpi.metrics.sources import SOURCES  # imports Ibis: only when checking sources

    return {name: source.columns() for name, source in SOURCES.items()}


def _check_simple(
    name: str, kpi: SimpleKpi | ModelKpi, source_columns: dict[str, dict[str, str]]
) -> Iterator[tuple[str, str, str]]:
    columns = source_columns.get(kpi.source)
    if columns is None:
        known = ", ".join(source_columns)
        yield "kpi", name, f"unknown source {kpi.source!r}; known: {known}"
        return
    if isinstance(kpi, ModelKpi):
        referenced = (kpi.duration, kpi.event, kpi.time)
    else:
        referenced = (kpi.column, kpi.time)
        if kpi.agg != "count" and kpi.column is None:
            yield "kpi", name, f"aggregation {kpi.agg!r} needs a column"
    for column in referenced:
        if column is not None and column not in columns:
            yield "kpi", name, f"source {kpi.source!r} has no column {column!r}"
    if kpi.where:
        try:
            expression = expressions.parse(kpi.where)
        except expressions.ExpressionError as exc:
            yield "kpi", name, str(exc)
            return
        for part in sorted(expression.names - set(columns) - set(SETS)):
            yield "kpi", name, f"unknown column {part!r} in where"


def _check_cycles(kpis: dict[str, Any]) -> Iterator[tuple[str, str, str]]:
    def parts(kpi: Any) -> list[str]:
        if isinstance(kpi, RatioKpi):
            return [kpi.numerator, kpi.denominator]
        if isinstance(kpi, DerivedKpi):
            try:
                return sorted(expressions.parse(kpi.expr).names)
            except expressions.ExpressionError:
                return []
        return []

    reported: set[frozenset[str]] = set()
    for start in kpis:
        stack, seen = [(start, [start])], set()
        while stack:
            current, path = stack.pop()
            for part in parts(kpis.get(current)):
                if part == start:
                    if frozenset(path) not in reported:
                        reported.add(frozenset(path))
                        yield "kpi", start, "circular definition: " + " -> ".join([*path, part])
                    stack.clear()
                    break
                if part in kpis and part not in seen:
                    seen.add(part)
                    stack.append((part, [*path, part]))
