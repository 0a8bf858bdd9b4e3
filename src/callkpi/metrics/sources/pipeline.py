"""Pipeline sources: deals with their cycle, and each stage a deal spent time in."""

from __future__ import annotations

import ibis
import ibis.expr.types as ir

from callkpi.metrics.sources.base import Context

SECONDS_PER_DAY = 86400.0


def days_between(start: ir.TimestampValue, end: ir.TimestampValue) -> ir.FloatingValue:
    return (end.epoch_seconds() - start.epoch_seconds()).cast("float64") / SECONDS_PER_DAY


def build_deals(context: Context) -> ir.Table:
    """Deals, owner as `agent_id` (so agent and team work), with their cycle in days.

    `cycle_days` is creation to close for closed deals; `open_days` creation to now for open
    ones (censored, for the Kaplan-Meier estimate of the cycle).
    """
    deals = context.tables["deals"]
    now = ibis.now().cast("timestamp")
    return deals.mutate(
        agent_id=deals.owner_agent_id,
        cycle_days=days_between(deals.created_at, deals.closed_at),
        age_days=days_between(deals.created_at, ibis.coalesce(deals.closed_at, now)),
        won=deals.status == "won",
    )


def build_stage_spells(context: Context) -> ir.Table:
    """Each stage a deal entered, with when it left (the next stage entered).

    Every entry is a row (so funnels count deals reaching won or lost too); `stay` marks the
    stages a deal spends time in (not won, not lost). A stay's end is the next stage entered,
    else the deal's close; while the deal is open its last stay has no end (censored at now).
    """
    stages = context.tables["deal_stages"]
    deals = context.tables["deals"]
    ordered = stages.mutate(
        left_at=stages.entered_at.lead().over(
            group_by=stages.deal_id, order_by=[stages.entered_at, stages.stage]
        )
    )
    owners = deals.select(
        spell_deal_id=deals.deal_id,
        campaign_id=deals.campaign_id,
        agent_id=deals.owner_agent_id,
        contact_id=deals.contact_id,
        deal_closed_at=deals.closed_at,
    )
    spells = ordered.join(owners, ordered.deal_id == owners.spell_deal_id)
    stay = ~spells.stage.isin(["won", "lost"])
    left = ibis.coalesce(spells.left_at, spells.deal_closed_at)
    now = ibis.now().cast("timestamp")
    return spells.select(
        "deal_id",
        "stage",
        "entered_at",
        "campaign_id",
        "agent_id",
        "contact_id",
        stay=stay,
        left_at=left,
        ended=left.notnull(),
        stage_days=days_between(spells.entered_at, ibis.coalesce(left, now)),
    )
