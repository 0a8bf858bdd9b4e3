"""Cells written for spreadsheets: a text that starts like a formula is neutralised.

A campaign named `=HYPERLINK(...)` in a CSV opened by Excel or LibreOffice would run as a
formula (CSV injection, OWASP). Text cells starting with = + - @, a tab or a carriage return
get a leading apostrophe; numbers are written as they are.
"""

from __future__ import annotations

from typing import Any

_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(value: Any) -> Any:
    if isinstance(value, str) and value.startswith(_FORMULA_STARTS):
        return "'" + value
    return value
