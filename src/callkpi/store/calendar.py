"""The `calendar` table: one row per day, so that periods come from the calendar, not the data.

Costs are spread over its days and period boundaries (week, month...) are read from it, so a
month with no call still exists and a cost declared over 10 days gets exactly 10 shares.
"""

from __future__ import annotations

import datetime as dt

CALENDAR_FIRST_DAY = dt.date(2000, 1, 1)
CALENDAR_LAST_DAY = dt.date(2060, 12, 31)


def calendar_insert_sql(
    first: dt.date = CALENDAR_FIRST_DAY, last: dt.date = CALENDAR_LAST_DAY
) -> str:
    """SQL that fills the calendar between two days inclusive; DuckDB and PostgreSQL both
    run it (generate_series over timestamps, extract(): no engine-specific function)."""
    return f"""
INSERT INTO calendar
SELECT
  CAST(d AS DATE) AS day,
  CAST(date_trunc('week', d) AS DATE) AS week_start,
  CAST(date_trunc('month', d) AS DATE) AS month_start,
  CAST(date_trunc('quarter', d) AS DATE) AS quarter_start,
  CAST(extract(year FROM d) AS BIGINT) AS year,
  CAST(extract(isodow FROM d) AS BIGINT) AS iso_weekday
FROM generate_series(TIMESTAMP '{first.isoformat()}', TIMESTAMP '{last.isoformat()}',
                     INTERVAL '1 day') AS r(d)
"""
