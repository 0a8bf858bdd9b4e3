"""Sources: the relations KPIs aggregate, built with Ibis over the canonical tables.

Most sources are a canonical table plus a few derived columns. Some carry business rules that
must hold on every backend, so they live here once:
- `costs` (money.py): every cost spread pro rata over the days of its period (from the
  calendar), and shared costs (no campaign) allocated to campaigns by calls, talk time or leads
  over that period; a shared cost with nothing to allocate it by stays unallocated (campaign
  null), so the total cost is never lost.
- `orders` (money.py): each order attributed to a campaign by its own campaign, else its
  tracking code, else the last call to the same contact within the attribution window.
- `staffed_calls` (activity.py): agents' logged-in hours spread over their calls of the day.
- `customer_periods` (customers.py): each customer in each period asked, with whether it was
  active at the period's start and end, new, lost...: counted from the calendar.
"""

from __future__ import annotations

from callkpi.metrics.sources.activity import (
    build_calls,
    build_leads,
    build_staffed_calls,
    build_touches,
)
from callkpi.metrics.sources.base import Context, Source, TableSet
from callkpi.metrics.sources.customers import build_customer_periods
from callkpi.metrics.sources.money import build_costs, build_orders
from callkpi.metrics.sources.pipeline import build_deals, build_stage_spells
from callkpi.metrics.sources.service import (
    build_customer_contact_periods,
    build_email_events,
    build_surveys,
    build_tickets,
)

SOURCES: dict[str, Source] = {
    s.name: s
    for s in [
        Source("calls", "started_at", build_calls),
        Source("staffed_calls", "started_at", build_staffed_calls),
        Source("leads", "created_at", build_leads),
        Source("touches", "at", build_touches),
        Source("costs", "day", build_costs),
        Source("orders", "ordered_at", build_orders),
        Source("customer_periods", "period_start", build_customer_periods, per_period=True),
        Source("deals", "created_at", build_deals),
        Source("stage_spells", "entered_at", build_stage_spells),
        Source("tickets", "opened_at", build_tickets),
        Source("surveys", "answered_at", build_surveys),
        Source("email_events", "at", build_email_events),
        Source(
            "customer_contact_periods",
            "period_start",
            build_customer_contact_periods,
            per_period=True,
        ),
    ]
}

__all__ = ["SOURCES", "Context", "Source", "TableSet"]
