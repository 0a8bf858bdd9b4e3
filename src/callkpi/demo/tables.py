"""The generated world as canonical Arrow tables: ids numbered in time order, rows in id order.

A shard of a large demo numbers its ids on from the shards before it (see `Numbering`), so ids
are unique across the store; within a shard they are in time order.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from callkpi.demo.arrow import dates, floats, ids, labels, rank, table, timestamps
from callkpi.demo.calendar import Period
from callkpi.demo.contacts import FICTION_PREFIXES
from callkpi.demo.deals import DEAL_STATUSES, STAGES
from callkpi.demo.leads import LEAD_STATUSES
from callkpi.demo.reference import (
    CHANNELS,
    OBJECTIVES,
    REGION_NAMES,
    SECTORS,
    SEGMENTS,
    SITES,
    SOURCES,
    TARGETS,
    TEAMS,
    TIERS,
    Campaigns,
)
from callkpi.demo.service import SURVEY_KINDS, TICKET_CHANNELS, TOUCH_CHANNELS
from callkpi.store.schema import (
    ALLOCATION_RULES,
    CALL_DIRECTIONS,
    COST_CATEGORIES,
    COST_KINDS,
    EMAIL_EVENTS,
    OUTCOMES,
    TABLES,
)

if TYPE_CHECKING:
    from callkpi.demo.build import World


def _take(values: pa.Array, index: np.ndarray) -> pa.Array:
    """values[index], null where index < 0."""
    index = np.asarray(index, dtype=np.int64)
    return pc.take(values, pa.array(np.maximum(index, 0), pa.int64(), mask=index < 0))


#: Id prefix -> the table it numbers and the fewest digits its numbers take.
ID_PREFIXES = {
    "A": ("agents", 2), "CT": ("contacts", 6), "LD": ("leads", 7), "CL": ("calls", 7),
    "TC": ("touches", 7), "DL": ("deals", 5), "OR": ("orders", 7), "TK": ("tickets", 6),
    "SV": ("surveys", 6), "K": ("costs", 5),
}  # fmt: skip


@dataclass(frozen=True)
class Numbering:
    """How a world numbers its ids: from 1 at the usual widths (a whole demo), or on from
    the ids the shards before it used, at widths fixed for the whole demo (a shard)."""

    before: dict[str, int] = field(default_factory=dict)  # prefix -> ids already used
    width: dict[str, int] = field(default_factory=dict)  # prefix -> digits (at least)

    def ids(self, prefix: str, numbers: np.ndarray) -> pa.Array:
        """Ids for the world's own numbers (1, 2, ...)."""
        return ids(prefix, self.number(prefix, numbers), self.digits(prefix))

    def number(self, prefix: str, numbers: np.ndarray) -> np.ndarray:
        return np.asarray(numbers, dtype=np.int64) + self.before.get(prefix, 0)

    def digits(self, prefix: str) -> int:
        return max(ID_PREFIXES[prefix][1], self.width.get(prefix, 0))

    def after(self, tables: dict[str, pa.Table]) -> Numbering:
        """The numbering of the next shard, once these tables hold this one's ids."""
        used = {p: self.before.get(p, 0) + tables[t].num_rows for p, (t, _) in ID_PREFIXES.items()}
        return Numbering(before=used, width=self.width)


def campaigns_table(period: Period, cp: Campaigns, budget: np.ndarray) -> pa.Table:
    return table(
        "campaigns",
        {
            "campaign_id": pa.array(list(cp.ids), pa.string()),
            "name": [t.name for t in cp.templates],
            "channel": labels(cp.channel, CHANNELS),
            "objective": labels(cp.objective, OBJECTIVES),
            "start_date": dates(period, cp.start_day),
            "end_date": dates(period, cp.end_day),
            "budget": floats(budget),
            "tracking_code": pa.array(cp.tracking_codes(), pa.string()),
        },
    )


def targets_table() -> pa.Table:
    return table(
        "targets",
        {
            name: [row[i] for row in TARGETS]
            for i, name in enumerate(TABLES["targets"].column_names)
        },
    )


def world_tables(w: World, numbering: Numbering | None = None) -> dict[str, pa.Table]:
    n = numbering or Numbering()
    p, cp, st = w.period, w.campaigns, w.staff
    campaign_ids = pa.array(list(cp.ids), pa.string())
    codes = pa.array(cp.tracking_codes(), pa.string())
    agent_ids = n.ids("A", np.arange(1, st.n + 1))
    out: dict[str, pa.Table] = {"campaigns": campaigns_table(p, cp, w.budget)}
    out["agents"] = table(
        "agents",
        {
            "agent_id": agent_ids,
            "name": list(st.names),
            "team": labels(st.team, TEAMS),
            "site": labels(st.team, SITES),
            "hourly_cost": floats(st.hourly_cost),
        },
    )
    login = p.utc(st.s_day, w.sessions[0])
    s_order = np.lexsort((st.s_agent, login))
    out["agent_sessions"] = table(
        "agent_sessions",
        {
            "agent_id": _take(agent_ids, st.s_agent[s_order]),
            "login_at": timestamps(p, login[s_order]),
            "logout_at": timestamps(p, p.utc(st.s_day, w.sessions[1])[s_order]),
        },
    )

    ct = w.contacts
    c_num = rank(w.contact_created)
    c_order = np.argsort(c_num)
    contact_ids = n.ids("CT", c_num)
    sorted_num = n.number("CT", c_num[c_order])
    prefix = labels(ct.phone_range[c_order], FICTION_PREFIXES)
    suffix = pc.utf8_lpad(pc.cast(pa.array(ct.phone_suffix[c_order]), pa.string()), 4, "0")
    email = pc.binary_join_element_wise(
        "contact",
        pc.utf8_lpad(pc.cast(pa.array(sorted_num), pa.string()), 6, "0"),
        "@example.com",
        "",
    )
    out["contacts"] = table(
        "contacts",
        {
            "contact_id": contact_ids.take(pa.array(c_order)),
            "created_at": timestamps(p, w.contact_created[c_order]),
            "segment": labels(ct.segment[c_order], SEGMENTS),
            "sector": labels(ct.sector[c_order], SECTORS),
            "region": labels(ct.region[c_order], REGION_NAMES),
            "postal_code": pc.utf8_lpad(pc.cast(pa.array(ct.postal[c_order]), pa.string()), 5, "0"),
            "phone": pc.binary_join_element_wise(prefix, suffix, ""),
            "email": pc.if_else(
                pa.array(ct.has_email[c_order]), email, pa.scalar(None, pa.string())
            ),
            "consent": pa.array(ct.consent[c_order]),
        },
    )

    ld = w.leads
    l_num = rank(ld.created, ld.contact)
    l_order = np.argsort(l_num)
    lead_ids = n.ids("LD", l_num)
    out["leads"] = table(
        "leads",
        {
            "lead_id": lead_ids.take(pa.array(l_order)),
            "contact_id": _take(contact_ids, ld.contact[l_order]),
            "campaign_id": _take(campaign_ids, ld.campaign[l_order]),
            "source": labels(ld.source[l_order], SOURCES),
            "created_at": timestamps(p, ld.created[l_order]),
            "status": labels(ld.status[l_order], LEAD_STATUSES),
            "converted_at": timestamps(p, ld.converted[l_order]),
        },
    )

    ca = w.calls
    call_lead_row = ld.phone_row[ca.lead]
    out["calls"] = table(
        "calls",
        {
            "call_id": n.ids("CL", np.arange(1, ca.start.size + 1)),
            "campaign_id": _take(campaign_ids, ca.campaign),
            "agent_id": _take(agent_ids, ca.agent),
            "contact_id": _take(contact_ids, w.call_contact),
            "lead_id": _take(lead_ids, call_lead_row),
            "direction": labels(ca.inbound.astype(np.int64), CALL_DIRECTIONS),
            "started_at": timestamps(p, ca.start),
            "ring_s": floats(ca.ring),
            "talk_s": floats(ca.talk),
            "hold_s": floats(ca.hold),
            "wrap_s": floats(ca.wrap),
            "outcome": labels(ca.outcome, OUTCOMES),
            "attempt_no": pa.array(ca.attempt_no, pa.int64()),
            "tracking_code": _take(codes, ca.campaign),
        },
    )

    tc = w.touches
    out["touches"] = table(
        "touches",
        {
            "touch_id": n.ids("TC", np.arange(1, tc.at.size + 1)),
            "contact_id": _take(contact_ids, tc.contact),
            "at": timestamps(p, tc.at),
            "channel": labels(tc.channel, TOUCH_CHANNELS),
            "direction": labels(tc.inbound.astype(np.int64), CALL_DIRECTIONS),
            "responded": pa.array(tc.responded),
        },
    )

    dl = w.deals
    deal_ids = n.ids("DL", np.arange(1, dl.created.size + 1))
    out["deals"] = table(
        "deals",
        {
            "deal_id": deal_ids,
            "contact_id": _take(contact_ids, dl.contact),
            "campaign_id": _take(campaign_ids, dl.campaign),
            "owner_agent_id": _take(agent_ids, dl.owner),
            "created_at": timestamps(p, dl.created),
            "closed_at": timestamps(p, dl.closed),
            "status": labels(dl.status, DEAL_STATUSES),
            "amount": floats(w.deal_amount),
            "tier": labels(dl.tier, TIERS),
        },
    )
    out["deal_stages"] = table(
        "deal_stages",
        {
            "deal_id": _take(deal_ids, dl.stage_deal),
            "stage": labels(dl.stage, STAGES),
            "entered_at": timestamps(p, dl.stage_at),
        },
    )

    od = w.orders
    o_order = np.lexsort((np.arange(od.at.size), c_num[od.contact], od.at))
    out["orders"] = table(
        "orders",
        {
            "order_id": n.ids("OR", np.arange(1, od.at.size + 1)),
            "contact_id": _take(contact_ids, od.contact[o_order]),
            "ordered_at": timestamps(p, od.at[o_order]),
            "amount": floats(w.order_amount[o_order]),
            "margin": floats(w.order_margin[o_order]),
            "campaign_id": _take(campaign_ids, od.campaign[o_order]),
            "tracking_code": _take(codes, od.tracking[o_order]),
        },
    )

    cu = w.customers
    cu_order = np.argsort(c_num[cu.contact])
    out["customers"] = table(
        "customers",
        {
            "contact_id": _take(contact_ids, cu.contact[cu_order]),
            "since": timestamps(p, cu.since[cu_order]),
            "churned_at": timestamps(p, cu.churned[cu_order]),
            "tier": labels(cu.tier[cu_order], TIERS),
            "previous_tier": labels(cu.previous_tier[cu_order], TIERS),
        },
    )

    tk = w.tickets
    out["tickets"] = table(
        "tickets",
        {
            "ticket_id": n.ids("TK", np.arange(1, tk.opened.size + 1)),
            "contact_id": _take(contact_ids, tk.contact),
            "agent_id": _take(agent_ids, tk.agent),
            "opened_at": timestamps(p, tk.opened),
            "resolved_at": timestamps(p, tk.resolved),
            "first_contact_resolved": pa.array(tk.fcr),
            "channel": labels(tk.channel, TICKET_CHANNELS),
        },
    )

    sv = w.surveys
    out["surveys"] = table(
        "surveys",
        {
            "response_id": n.ids("SV", np.arange(1, sv.at.size + 1)),
            "contact_id": _take(contact_ids, sv.contact),
            "agent_id": _take(agent_ids, sv.agent),
            "campaign_id": _take(campaign_ids, sv.campaign),
            "answered_at": timestamps(p, sv.at),
            "kind": labels(sv.kind, SURVEY_KINDS),
            "score": floats(sv.score),
        },
    )

    co = w.costs
    out["costs"] = table(
        "costs",
        {
            "cost_id": n.ids("K", np.arange(1, co.amount.size + 1)),
            "campaign_id": _take(campaign_ids, co.campaign),
            "period_start": dates(p, co.first_day),
            "period_end": dates(p, co.last_day),
            "category": labels(co.category, COST_CATEGORIES),
            "kind": labels(co.kind, COST_KINDS),
            "amount": floats(co.amount),
            "allocation": labels(co.allocation, ALLOCATION_RULES),
        },
    )

    ms = w.messaging
    out["email_events"] = table(
        "email_events",
        {
            "campaign_id": _take(campaign_ids, ms.ev_campaign),
            "contact_id": _take(contact_ids, ms.ev_contact),
            "at": timestamps(p, ms.ev_at),
            "event": labels(ms.ev_event, EMAIL_EVENTS),
        },
    )

    out["targets"] = targets_table()
    return {name: out[name] for name in TABLES}
