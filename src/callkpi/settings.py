"""Typed settings read from CALLKPI_* environment variables (and the locale for the language)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Literal

Lang = Literal["fr", "en"]
LANGS: tuple[Lang, ...] = ("fr", "en")
DEFAULT_DB = "callkpi.duckdb"
DEMO_DB = "callkpi-demo.duckdb"


@dataclass(frozen=True)
class Settings:
    db: str
    lang: Lang


def detect_lang(environ: dict[str, str] | None = None) -> Lang:
    """CALLKPI_LANG, else the locale (LC_ALL, LC_MESSAGES, LANG): French if it starts with fr."""
    env = os.environ if environ is None else environ
    explicit = env.get("CALLKPI_LANG", "").strip().lower()
    if explicit in LANGS:
        return explicit  # type: ignore[return-value]
    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = env.get(name, "")
        if value:
            return "fr" if value.lower().startswith("fr") else "en"
    return "en"


def load_settings(environ: dict[str, str] | None = None) -> Settings:
    env = os.environ if environ is None else environ
    return Settings(db=env.get("CALLKPI_DB") or DEFAULT_DB, lang=detect_lang(environ))
