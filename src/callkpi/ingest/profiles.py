"""Source profiles: how one tool's export maps onto one canonical table.

A profile is a small YAML file (see docs/import.md): which file columns feed which canonical
column, how their values translate (a disposition map), which date formats and time zone the
tool writes. callkpi ships profiles for common dialers and CRMs in `ingest/profiles/`; a user
profile may `extends:` one of them and override only what differs (maps are merged).

Two profiles are built in code: `canonical` (the table's own column names, strict, UTC) and
`generic` (canonical names plus usual English and French headers, other columns ignored).
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from callkpi.errors import DataImportError, UnknownNameError
from callkpi.ingest.rules import DOMAINS
from callkpi.store import schema

CANONICAL = "canonical"
GENERIC = "generic"
#: `other:` value meaning "an unmapped value is a bad_value reject" (the default).
REJECT = "__reject__"


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Condition(_Model):
    """`when: {from: Stage, in: [Won, Gagné]}`: the value only when this holds."""

    from_: list[str] = Field(alias="from")
    in_: list[str] = Field(alias="in")

    @field_validator("from_", "in_", mode="before")
    @classmethod
    def _listify(cls, value: Any) -> Any:
        return [value] if isinstance(value, str) else value


class ColumnSpec(_Model):
    """Where one canonical column comes from, and how its text is transformed."""

    from_: list[str] = Field(default_factory=list, alias="from")
    value: str | None = None
    concat: list[str] = Field(default_factory=list)
    coalesce: list[ColumnSpec] = Field(default_factory=list)
    extract: str | None = None
    map: dict[str, str | None] | None = None
    other: str | None = REJECT
    minus: str | None = None
    phone: bool = False
    pseudonymise: bool = False
    when: Condition | None = None

    @field_validator("from_", "concat", mode="before")
    @classmethod
    def _listify(cls, value: Any) -> Any:
        return [value] if isinstance(value, str) else value

    @field_validator("map", mode="before")
    @classmethod
    def _text_keys(cls, value: Any) -> Any:
        if isinstance(value, dict):
            return {
                str(k).strip().lower(): (None if v is None else str(v)) for k, v in value.items()
            }
        return value

    @field_validator("value", "other", mode="before")
    @classmethod
    def _text_value(cls, value: Any) -> Any:
        return value if value is None or isinstance(value, str) else str(value)

    def sources(self) -> int:
        """How many ways of getting a value this spec declares (exactly one is allowed)."""
        return sum(
            bool(x) for x in (self.from_, self.value is not None, self.concat, self.coalesce)
        )


class SourceSpec(_Model):
    """How to read the file: header or not, names for a headerless file, footer lines."""

    header: bool | Literal["auto"] = True
    names: list[str] = Field(default_factory=list)
    delimiter: str | None = None
    quote: str = '"'
    decimal: Literal[".", ","] | None = None
    footer: list[str] = Field(default_factory=list)


class ProfileModel(_Model):
    name: str
    table: str | None = None
    description: str = ""
    extends: str | None = None
    source: SourceSpec = SourceSpec()
    timezone: str | None = None
    date_formats: list[str] = Field(default_factory=list)
    phone_region: str = "FR"
    columns: dict[str, ColumnSpec | str] = Field(default_factory=dict)


@dataclass(frozen=True)
class Profile:
    """A loaded, checked profile for one table."""

    name: str
    table: str
    description: str
    source: SourceSpec
    timezone: str
    date_formats: tuple[str, ...]
    phone_region: str
    columns: dict[str, ColumnSpec]
    strict: bool = False  # canonical: unknown header columns are errors, not ignored
    origin: str = "built in"
    raw: dict[str, Any] = field(default_factory=dict, compare=False)


def normalise(name: str) -> str:
    """A header name reduced for matching: no accents, case, spaces or punctuation."""
    text = unicodedata.normalize("NFKD", name)
    return "".join(c for c in text.lower() if c.isalnum() and not unicodedata.combining(c))


def shipped_names() -> list[str]:
    """Names of the profiles shipped with callkpi, built-in ones first."""
    folder = resources.files("callkpi.ingest") / "profiles"
    names = sorted(p.name[:-5] for p in folder.iterdir() if p.name.endswith(".yaml"))
    return [CANONICAL, GENERIC, *names]


def load_profile(ref: str | Path | None, table: str | None) -> Profile:
    """A profile by shipped name or YAML path (None: canonical) for `table`.

    `table` may be None when the profile names its table; a mismatch is an error.
    """
    if ref is None or str(ref) == CANONICAL:
        return canonical_profile(_need_table(table, CANONICAL))
    if str(ref) == GENERIC:
        return generic_profile(_need_table(table, GENERIC))
    data, origin = _read(ref)
    profile = _build(data, origin)
    if table is not None and schema.table(table).name != profile.table:
        raise DataImportError(
            f"profile {profile.name!r} loads table {profile.table}, not {table}; "
            f"leave the table out or use a profile for {table}"
        )
    return profile


def _need_table(table: str | None, name: str) -> str:
    if table is None:
        raise DataImportError(f"profile {name!r} needs a table: say which table to load")
    return schema.table(table).name


def _read(ref: str | Path) -> tuple[dict[str, Any], str]:
    text = str(ref)
    if text in shipped_names():
        return _shipped(text), f"shipped profile {text}"
    path = Path(text)
    if not path.suffix and not path.exists():
        raise UnknownNameError("profile", text, shipped_names())
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise DataImportError(f"{path}: cannot read the profile: {exc.strerror}") from None
    except yaml.YAMLError as exc:
        raise DataImportError(f"{path}: not valid YAML: {exc}") from None
    if not isinstance(data, dict):
        raise DataImportError(f"{path}: a profile is a YAML mapping (name:, table:, columns:)")
    data.setdefault("name", path.stem)
    return data, str(path)


@cache
def _shipped_cached(name: str) -> str:
    return (resources.files("callkpi.ingest") / "profiles" / f"{name}.yaml").read_text("utf-8")


def _shipped(name: str) -> dict[str, Any]:
    data = yaml.safe_load(_shipped_cached(name))
    assert isinstance(data, dict)
    return data


def _build(data: dict[str, Any], origin: str, depth: int = 0) -> Profile:
    if data.get("extends"):
        if depth > 4:
            raise DataImportError(f"{origin}: profiles extend each other in a loop")
        base_name = str(data["extends"])
        if base_name in (CANONICAL, GENERIC):
            raise DataImportError(f"{origin}: extend a source profile, not {base_name!r}")
        base, base_origin = _read(base_name)
        data = merge(base, {k: v for k, v in data.items() if k != "extends"})
        return _build(data, f"{origin} (extends {base_origin})", depth + 1)
    try:
        model = ProfileModel.model_validate(data)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in err['loc'])}: {err['msg']}" for err in exc.errors()
        )
        raise DataImportError(f"{origin}: invalid profile: {problems}") from None
    if model.table is None:
        raise DataImportError(f"{origin}: a profile names its table (table: calls, ...)")
    spec = schema.table(model.table)
    columns = {
        name: ColumnSpec.model_validate({"from": value}) if isinstance(value, str) else value
        for name, value in model.columns.items()
    }
    problems = _check_columns(spec.name, columns)
    if problems:
        raise DataImportError(f"{origin}: invalid profile: " + "; ".join(problems))
    return Profile(
        name=model.name,
        table=spec.name,
        description=model.description,
        source=model.source,
        timezone=model.timezone or "Europe/Paris",
        date_formats=tuple(model.date_formats),
        phone_region=model.phone_region,
        columns=columns,
        origin=origin,
        raw=data,
    )


def _check_columns(table: str, columns: dict[str, ColumnSpec]) -> list[str]:
    spec = schema.table(table)
    problems: list[str] = []
    for name, column in columns.items():
        if name not in spec.column_names:
            problems.append(f"columns.{name}: {table} has no such column")
            continue
        problems += [
            f"columns.{name}: {p}" for p in _check_spec(column, DOMAINS.get((table, name)))
        ]
    missing = [c for c in spec.required_columns if c not in columns]
    if missing:
        problems.append(f"no mapping for required column(s): {', '.join(missing)}")
    return problems


def _check_spec(column: ColumnSpec, domain: tuple[str, ...] | None) -> list[str]:
    if column.sources() != 1:
        return ["give exactly one of from, value, concat, coalesce"]
    problems: list[str] = []
    for sub in column.coalesce:
        problems += _check_spec(sub, domain)
    if domain:
        values = [*(column.map or {}).values(), column.other, column.value]
        wrong = sorted({v for v in values if v not in (None, REJECT) and v not in domain})
        if wrong:
            problems.append(f"{', '.join(wrong)} not among: {', '.join(domain)}")
    if column.extract is not None:
        import re

        try:
            if re.compile(column.extract).groups < 1:
                problems.append("extract needs a (group) to keep")
        except re.error as exc:
            problems.append(f"extract is not a valid regular expression: {exc}")
    return problems


def merge(base: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:
    """Deep merge: mappings merge key by key, anything else in `override` replaces."""
    merged = dict(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def canonical_profile(table: str) -> Profile:
    """The table's own column names, nothing else; timestamps without an offset are UTC."""
    spec = schema.table(table)
    return Profile(
        name=CANONICAL,
        table=spec.name,
        description="the table's own column names (the format `callkpi generate` writes)",
        source=SourceSpec(),
        timezone="UTC",
        date_formats=(),
        phone_region="FR",
        columns={
            c: ColumnSpec.model_validate(_plain(spec.name, c, [c])) for c in spec.column_names
        },
        strict=True,
    )


def _plain(table: str, column: str, names: list[str]) -> dict[str, Any]:
    """A column read by name; phone numbers are always normalised (and pseudonymised when a
    key is given)."""
    data: dict[str, Any] = {"from": names}
    if (table, column) == ("contacts", "phone"):
        data.update({"phone": True, "pseudonymise": True})
    return data


def generic_profile(table: str) -> Profile:
    """Canonical names and the usual English and French headers; other columns are ignored."""
    from callkpi.ingest.synonyms import HEADER_SYNONYMS, VALUE_SYNONYMS

    spec = schema.table(table)
    columns: dict[str, ColumnSpec] = {}
    for column in spec.column_names:
        names = [column, *HEADER_SYNONYMS.get((spec.name, column), ())]
        data = _plain(spec.name, column, names)
        values = VALUE_SYNONYMS.get((spec.name, column))
        if values:
            data["map"] = values
        columns[column] = ColumnSpec.model_validate(data)
    return Profile(
        name=GENERIC,
        table=spec.name,
        description="canonical names plus usual English and French headers",
        source=SourceSpec(),
        timezone="Europe/Paris",
        date_formats=(),
        phone_region="FR",
        columns=columns,
    )


def profile_yaml(profile: Profile) -> str:
    """The profile as YAML, as `callkpi profile show` prints it."""
    if profile.raw:
        data = dict(profile.raw)
    else:
        data = {
            "name": profile.name,
            "table": profile.table,
            "description": profile.description,
            "timezone": profile.timezone,
            "columns": {k: spec_data(v) for k, v in profile.columns.items()},
        }
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=100)


def spec_data(spec: ColumnSpec) -> Any:
    """A column spec as plain data for YAML (a bare name when that is all it is)."""
    data = spec.model_dump(by_alias=True, exclude_defaults=True)
    if list(data) == ["from"] and len(spec.from_) == 1:
        return spec.from_[0]
    if data.get("other") == REJECT:
        del data["other"]
    return data
