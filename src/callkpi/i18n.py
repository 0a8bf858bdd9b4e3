"""French and English: interface words, and numbers, money and periods shown the local way.

Values are stored raw (fractions, EUR, seconds); only the faces format them, through here.
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

from babel.dates import format_date
from babel.numbers import format_currency, format_decimal, format_percent

from callkpi.settings import Lang

LOCALES: dict[str, str] = {"fr": "fr_FR", "en": "en_GB"}
MISSING = "n/a"

WORDS: dict[str, dict[str, str]] = {
    "period": {"fr": "Période", "en": "Period"},
    "id": {"fr": "Identifiant", "en": "Id"},
    "label": {"fr": "Libellé", "en": "Label"},
    "unit": {"fr": "Unité", "en": "Unit"},
    "direction": {"fr": "Sens", "en": "Better when"},
    "formula": {"fr": "Formule", "en": "Formula"},
    "higher": {"fr": "plus haut", "en": "higher"},
    "lower": {"fr": "plus bas", "en": "lower"},
    "neutral": {"fr": "—", "en": "—"},
    "none": {"fr": "(aucun)", "en": "(none)"},
    "no_rows": {"fr": "Aucune donnée pour cette requête.", "en": "No data for this query."},
    "headline": {
        "fr": "Indicateurs clés par campagne — {period}",
        "en": "Headline KPIs by campaign — {period}",
    },
    "catalog_title": {"fr": "Catalogue des indicateurs", "en": "KPI catalog"},
    "kpi_title": {"fr": "Indicateurs", "en": "KPIs"},
    "error": {"fr": "Erreur", "en": "Error"},
    # analyses
    "step": {"fr": "Étape", "en": "Step"},
    "count": {"fr": "Nombre", "en": "Count"},
    "of_previous": {"fr": "% de l'étape précédente", "en": "% of previous step"},
    "of_first": {"fr": "% de la première étape", "en": "% of first step"},
    "cohort": {"fr": "Cohorte", "en": "Cohort"},
    "month": {"fr": "Mois n°", "en": "Month"},
    "customers": {"fr": "Clients", "en": "Customers"},
    "retention": {"fr": "Rétention", "en": "Retention"},
    "revenue_per_customer": {"fr": "CA cumulé par client", "en": "Cumulative revenue per customer"},
    "margin_per_customer": {
        "fr": "Marge cumulée par client",
        "en": "Cumulative margin per customer",
    },
    "acquisition_cost_per_customer": {
        "fr": "Coût d'acquisition par client",
        "en": "Acquisition cost per customer",
    },
    "paid_back": {"fr": "Rentabilisé", "en": "Paid back"},
    "payback_month": {"fr": "Mois de retour", "en": "Payback month"},
    "bottleneck": {"fr": "Goulot", "en": "Bottleneck"},
}

UNITS: dict[str, dict[str, str]] = {
    "count": {"fr": "nombre", "en": "count"},
    "percent": {"fr": "%", "en": "%"},
    "eur": {"fr": "€", "en": "EUR"},
    "seconds": {"fr": "secondes", "en": "seconds"},
    "minutes": {"fr": "minutes", "en": "minutes"},
    "hours": {"fr": "heures", "en": "hours"},
    "days": {"fr": "jours", "en": "days"},
    "ratio": {"fr": "ratio", "en": "ratio"},
    "per_hour": {"fr": "par heure", "en": "per hour"},
    "score": {"fr": "score", "en": "score"},
}


def word(key: str, lang: Lang) -> str:
    return WORDS[key][lang]


def format_value(value: Any, unit: str, lang: Lang) -> str:
    """A KPI value as a person reads it: '25,3 %', '1 234,50 €', 'n/a' for a null."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return MISSING
    locale = LOCALES[lang]
    if unit == "count":
        return format_decimal(value, format="#,##0", locale=locale)
    if unit == "percent":
        pattern = "#,##0.0\u00a0%" if lang == "fr" else "#,##0.0%"
        return format_percent(value, format=pattern, locale=locale)
    if unit == "eur":
        return format_currency(value, "EUR", locale=locale)
    suffix = {
        "seconds": " s",
        "minutes": " min",
        "hours": " h",
        "days": " j" if lang == "fr" else " d",
    }.get(unit, "")
    if unit == "per_hour":
        suffix = " /h"
    return format_decimal(value, format="#,##0.00", locale=locale) + suffix


def format_period(value: str | dt.date | None, grain: str, lang: Lang) -> str:
    """A period (its first day) named for its grain: 'oct. 2026', '2026-W41', 'T4 2026'."""
    if value is None:
        return MISSING
    day = dt.date.fromisoformat(value) if isinstance(value, str) else value
    locale = LOCALES[lang]
    if grain == "day":
        return format_date(day, format="medium", locale=locale)
    if grain == "week":
        year, week, _ = day.isocalendar()
        return f"{year}-W{week:02d}"
    if grain == "month":
        return format_date(day, format="MMM y", locale=locale)
    if grain == "quarter":
        return f"{'T' if lang == 'fr' else 'Q'}{(day.month - 1) // 3 + 1} {day.year}"
    return str(day.year)
