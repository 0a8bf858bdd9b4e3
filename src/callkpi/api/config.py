"""The server's settings and limits, with defaults fit for a team on one machine."""

from __future__ import annotations

from dataclasses import dataclass

API_PREFIX = "/api/v1"


@dataclass(frozen=True)
class ApiConfig:
    """Everything `callkpi serve` can be told; every limit is enforced by the API."""

    db: str
    #: Bearer tokens are short-lived: log in again after this.
    token_minutes: int = 15
    #: Uploads above this are refused with 413 while they arrive.
    max_upload_bytes: int = 200 * 1024 * 1024
    #: Text uploads (CSV, JSON lines) with more lines than this are refused with 413.
    max_import_rows: int = 5_000_000
    #: Largest page of KPI rows or imports one request returns.
    max_page_size: int = 1000
    #: A KPI query still running after this is stopped (503).
    query_timeout_s: float = 30.0
    #: Login attempts per client address per minute, and failed ones per user per minute.
    login_attempts_per_address: int = 20
    login_failures_per_user: int = 5
    #: How often the live board looks for new events (it is pushed within 2 s of an event).
    live_interval_s: float = 1.0
    #: Live events update the rollups (pre-aggregated days) at most this often.
    rollup_refresh_s: float = 2.0
    #: A cached KPI result may lag live events by this much (imports invalidate at once).
    live_staleness_s: float = 5.0
    #: The time zone of the live board's day ("today" starts at midnight there).
    timezone: str = "UTC"
