"""Per-period customer sources: each customer in each period of the query's spine.

A customer is active from `since` until `churned_at` (excluded). For each period the flags say
whether it was active at the period's start and end, new or lost in it, so that
customers_end = customers_start + new_customers - customers_lost holds by construction, and
retention ((CE - CN) / CS) and churn (lost / CS) add up to 1.
"""

from __future__ import annotations

import ibis
import ibis.expr.types as ir

from callkpi.metrics.sources.base import Context

DAYS_PER_MONTH = 365.25 / 12


def _tier_rank(tier: ir.StringValue, tiers: list[str]) -> ir.IntegerValue:
    return ibis.cases(*((tier == name, rank) for rank, name in enumerate(tiers)), else_=None)


def build_customer_periods(context: Context) -> ir.Table:
    customers = context.tables["customers"]
    periods = context.periods
    joined = customers.join(
        periods,
        [
            customers.since < periods.period_end,
            customers.churned_at.isnull() | (customers.churned_at >= periods.period_start),
        ],
    )
    start, end = joined.period_start, joined.period_end
    since, churned = joined.since, joined.churned_at

    def active_at(moment: ir.TimestampValue) -> ir.BooleanValue:
        return (since < moment) & (churned.isnull() | (churned >= moment))

    tiers = context.settings.tiers
    first_day = ibis.greatest(since, start)
    last_day = ibis.least(ibis.coalesce(churned, end), end)
    exposure_seconds = last_day.epoch_seconds() - first_day.epoch_seconds()
    return joined.select(
        "contact_id",
        "tier",
        "previous_tier",
        "period_label",
        "period_start",
        "period_end",
        at_start=active_at(start),
        at_end=active_at(end),
        is_new=(since >= start) & (since < end),
        lost=churned.notnull() & (churned >= start) & (churned < end),
        upsold=ibis.coalesce(
            _tier_rank(joined.tier, tiers) > _tier_rank(joined.previous_tier, tiers), False
        ),
        exposure_months=ibis.greatest(exposure_seconds, 0).cast("float64")
        / (86400 * DAYS_PER_MONTH),
    )
