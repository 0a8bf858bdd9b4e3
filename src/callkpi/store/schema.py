"""The canonical tables: the one source of truth for the store's schema.

Every other part (DDL, importers, the demo generator, the KPI compiler's unbound tables)
reads the column lists from here, so a column is added in exactly one place.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

ColumnType = Literal["string", "int64", "float64", "boolean", "date", "timestamp"]

#: Column type -> DuckDB / PostgreSQL SQL type (both accept these names).
SQL_TYPES: dict[ColumnType, str] = {
    "string": "VARCHAR",
    "int64": "BIGINT",
    "float64": "DOUBLE PRECISION",
    "boolean": "BOOLEAN",
    "date": "DATE",
    "timestamp": "TIMESTAMP",
}


@dataclass(frozen=True)
class Column:
    """One column of a canonical table."""

    name: str
    type: ColumnType
    required: bool = False
    description: str = ""


@dataclass(frozen=True)
class Table:
    """A canonical table: its key columns identify a row (used for upserts)."""

    name: str
    columns: tuple[Column, ...]
    key: tuple[str, ...]
    time_column: str | None = None
    personal_data: tuple[str, ...] = field(default=())
    description: str = ""

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]

    @property
    def required_columns(self) -> list[str]:
        return [c.name for c in self.columns if c.required]

    def column(self, name: str) -> Column:
        for c in self.columns:
            if c.name == name:
                return c
        raise KeyError(name)

    def ibis_schema(self) -> dict[str, str]:
        return {c.name: c.type for c in self.columns}


def _c(name: str, type_: ColumnType, required: bool = False, description: str = "") -> Column:
    return Column(name, type_, required, description)


# Call outcomes (canonical dispositions), see docs/kpis.md.
NON_CONTACT_OUTCOMES = ("no_answer", "busy", "voicemail", "failed", "wrong_party")
CONTACT_OUTCOMES = ("refused", "callback", "do_not_call", "promise", "appointment", "sale")
SUCCESS_OUTCOMES = ("promise", "appointment", "sale")
INCONCLUSIVE_OUTCOMES = ("refused", "callback", "do_not_call")
OUTCOMES = NON_CONTACT_OUTCOMES + CONTACT_OUTCOMES

COST_CATEGORIES = (
    "salaries",
    "telecom",
    "software",
    "training",
    "infrastructure",
    "supervision",
    "advertising",
    "lead_purchase",
    "other",
)
COST_KINDS = ("direct", "indirect")
ALLOCATION_RULES = ("by_calls", "by_talk_time", "by_leads")
DEAL_STATUSES = ("open", "won", "lost")
EMAIL_EVENTS = ("sent", "delivered", "opened", "clicked", "unsubscribed", "bounced")
CALL_DIRECTIONS = ("outbound", "inbound")

TABLES: dict[str, Table] = {
    t.name: t
    for t in [
        Table(
            "campaigns",
            (
                _c("campaign_id", "string", True),
                _c("name", "string"),
                _c("channel", "string"),
                _c("objective", "string"),
                _c("start_date", "date"),
                _c("end_date", "date"),
                _c("budget", "float64"),
                _c("tracking_code", "string"),
            ),
            key=("campaign_id",),
            time_column="start_date",
        ),
        Table(
            "agents",
            (
                _c("agent_id", "string", True),
                _c("name", "string"),
                _c("team", "string"),
                _c("site", "string"),
                _c("hourly_cost", "float64"),
            ),
            key=("agent_id",),
            personal_data=("name",),
        ),
        Table(
            "agent_sessions",
            (
                _c("agent_id", "string", True),
                _c("login_at", "timestamp", True),
                _c("logout_at", "timestamp", True),
            ),
            key=("agent_id", "login_at"),
            time_column="login_at",
        ),
        Table(
            "contacts",
            (
                _c("contact_id", "string", True),
                _c("created_at", "timestamp"),
                _c("segment", "string"),
                _c("sector", "string"),
                _c("region", "string"),
                _c("postal_code", "string"),
                _c("phone", "string"),
                _c("email", "string"),
                _c("consent", "boolean"),
            ),
            key=("contact_id",),
            time_column="created_at",
            personal_data=("phone", "email", "postal_code"),
        ),
        Table(
            "leads",
            (
                _c("lead_id", "string", True),
                _c("contact_id", "string"),
                _c("campaign_id", "string"),
                _c("source", "string"),
                _c("created_at", "timestamp", True),
                _c("status", "string"),
                _c("converted_at", "timestamp"),
            ),
            key=("lead_id",),
            time_column="created_at",
        ),
        Table(
            "calls",
            (
                _c("call_id", "string", True),
                _c("campaign_id", "string", True),
                _c("agent_id", "string"),
                _c("contact_id", "string"),
                _c("lead_id", "string"),
                _c("direction", "string"),
                _c("started_at", "timestamp", True),
                _c("ring_s", "float64"),
                _c("talk_s", "float64"),
                _c("hold_s", "float64"),
                _c("wrap_s", "float64"),
                _c("outcome", "string", True),
                _c("attempt_no", "int64"),
                _c("tracking_code", "string"),
            ),
            key=("call_id",),
            time_column="started_at",
        ),
        Table(
            "touches",
            (
                _c("touch_id", "string", True),
                _c("contact_id", "string"),
                _c("at", "timestamp", True),
                _c("channel", "string"),
                _c("direction", "string"),
                _c("responded", "boolean"),
            ),
            key=("touch_id",),
            time_column="at",
        ),
        Table(
            "deals",
            (
                _c("deal_id", "string", True),
                _c("contact_id", "string"),
                _c("campaign_id", "string"),
                _c("owner_agent_id", "string"),
                _c("created_at", "timestamp", True),
                _c("closed_at", "timestamp"),
                _c("status", "string", True),
                _c("amount", "float64"),
                _c("tier", "string"),
            ),
            key=("deal_id",),
            time_column="created_at",
        ),
        Table(
            "deal_stages",
            (
                _c("deal_id", "string", True),
                _c("stage", "string", True),
                _c("entered_at", "timestamp", True),
            ),
            key=("deal_id", "stage", "entered_at"),
            time_column="entered_at",
        ),
        Table(
            "orders",
            (
                _c("order_id", "string", True),
                _c("contact_id", "string"),
                _c("ordered_at", "timestamp", True),
                _c("amount", "float64", True),
                _c("margin", "float64"),
                _c("campaign_id", "string"),
                _c("tracking_code", "string"),
            ),
            key=("order_id",),
            time_column="ordered_at",
        ),
        Table(
            "customers",
            (
                _c("contact_id", "string", True),
                _c("since", "timestamp", True),
                _c("churned_at", "timestamp"),
                _c("tier", "string"),
                _c("previous_tier", "string"),
            ),
            key=("contact_id",),
            time_column="since",
        ),
        Table(
            "tickets",
            (
                _c("ticket_id", "string", True),
                _c("contact_id", "string"),
                _c("agent_id", "string"),
                _c("opened_at", "timestamp", True),
                _c("resolved_at", "timestamp"),
                _c("first_contact_resolved", "boolean"),
                _c("channel", "string"),
            ),
            key=("ticket_id",),
            time_column="opened_at",
        ),
        Table(
            "surveys",
            (
                _c("response_id", "string", True),
                _c("contact_id", "string"),
                _c("agent_id", "string"),
                _c("campaign_id", "string"),
                _c("answered_at", "timestamp", True),
                _c("kind", "string", True),
                _c("score", "float64", True),
            ),
            key=("response_id",),
            time_column="answered_at",
        ),
        Table(
            "costs",
            (
                _c("cost_id", "string", True),
                _c("campaign_id", "string"),
                _c("period_start", "date", True),
                _c("period_end", "date", True),
                _c("category", "string"),
                _c("kind", "string"),
                _c("amount", "float64", True),
                _c("allocation", "string"),
            ),
            key=("cost_id",),
            time_column="period_start",
        ),
        Table(
            "email_events",
            (
                _c("campaign_id", "string", True),
                _c("contact_id", "string", True),
                _c("at", "timestamp", True),
                _c("event", "string", True),
            ),
            key=("campaign_id", "contact_id", "at", "event"),
            time_column="at",
        ),
        Table(
            "targets",
            (
                _c("kpi", "string", True),
                _c("scope_dimension", "string"),
                _c("scope_value", "string"),
                _c("period", "string"),
                _c("target", "float64", True),
                _c("warn_threshold", "float64"),
            ),
            key=("kpi", "scope_dimension", "scope_value", "period"),
        ),
    ]
}

#: Tables the store maintains itself (not importable).
CALENDAR = Table(
    "calendar",
    (
        _c("day", "date", True),
        _c("week_start", "date", True),
        _c("month_start", "date", True),
        _c("quarter_start", "date", True),
        _c("year", "int64", True),
        _c("iso_weekday", "int64", True),
    ),
    key=("day",),
    time_column="day",
)


def table(name: str) -> Table:
    """Return a canonical table by name, with a "did you mean" error otherwise."""
    from callkpi.errors import UnknownNameError

    try:
        return TABLES[name]
    except KeyError:
        raise UnknownNameError("table", name, TABLES) from None
