"""build_world: the demo world (or one shard of a large demo) from a DemoSpec, step by step.

Each step draws from its own random stream derived from the seed and the step's name index,
so the dataset is a pure function of the spec, and changing one step leaves the others' draws
untouched. A shard (see shards.py) draws from streams derived from the same seed, step and its
shard number, so shards differ from each other and from an unsharded world.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from callkpi.demo.calendar import Period
from callkpi.demo.contacts import Contacts, build_contacts
from callkpi.demo.costs import Costs, budgets, build_costs, calibrate, price
from callkpi.demo.customers import Customers, Orders, build_customers
from callkpi.demo.deals import Deals
from callkpi.demo.dialer import Calls, PhoneLeads, simulate_calls
from callkpi.demo.leads import Leads, contact_created, resolve_leads
from callkpi.demo.messaging import Messaging, build_messaging
from callkpi.demo.outcomes import DO_NOT_CALL
from callkpi.demo.reference import Campaigns, build_campaigns
from callkpi.demo.service import (
    Surveys,
    Tickets,
    Touches,
    build_surveys,
    build_tickets,
    build_touches,
)
from callkpi.demo.spec import DemoSpec
from callkpi.demo.staff import Staff, build_staff

#: One random stream per step; append new steps at the end to keep older streams stable.
STEPS = (
    "campaigns", "staff", "contacts", "calls", "contact_created", "messaging", "leads",
    "customers", "prices", "tickets", "surveys", "touches", "budgets",
)  # fmt: skip


@dataclass
class World:
    """Everything generated, before it is turned into tables."""

    period: Period
    campaigns: Campaigns
    staff: Staff
    sessions: np.ndarray
    contacts: Contacts
    contact_created: np.ndarray
    phone: PhoneLeads
    calls: Calls
    call_contact: np.ndarray
    messaging: Messaging
    leads: Leads
    deals: Deals
    deal_amount: np.ndarray
    customers: Customers
    orders: Orders
    order_amount: np.ndarray
    order_margin: np.ndarray
    costs: Costs
    budget: np.ndarray
    tickets: Tickets
    surveys: Surveys
    touches: Touches


@dataclass(frozen=True)
class Shard:
    """One shard of a large demo: its number (0, 1, ...) and how many calls it makes."""

    index: int
    calls: int


def stream(seed: int, step: str, shard: int | None = None) -> np.random.Generator:
    """The random stream of a step; a shard's is spawned from it by the shard number (a
    spawn key never collides with another seed, step or shard)."""
    entropy = [seed, STEPS.index(step)]
    if shard is None:
        return np.random.default_rng(entropy)
    return np.random.default_rng(np.random.SeedSequence(entropy, spawn_key=(shard,)))


def build_world(spec: DemoSpec, shard: Shard | None = None) -> World:
    """Generate every part of the demo, in dependency order; with `shard`, only that shard's
    part of a large demo (its own staff, contacts, calls...) on the spec's campaigns."""

    def rng(step: str) -> np.random.Generator:
        return stream(spec.seed, step, None if shard is None else shard.index)

    n_calls = spec.calls if shard is None else shard.calls
    period = Period.build(spec.start, spec.months)
    campaigns = build_campaigns(period, stream(spec.seed, "campaigns"))  # shared by all shards
    staff = build_staff(period, rng("staff"))
    contacts = build_contacts(max(n_calls // 4, 500), rng("contacts"))
    phone, calls, sessions = simulate_calls(
        n_calls, period, campaigns, staff, contacts, rng("calls")
    )
    created = contact_created(contacts.n, phone, period, rng("contact_created"))
    messaging = build_messaging(period, campaigns, contacts, created, rng("messaging"))
    leads, deals = resolve_leads(phone, calls, messaging, campaigns, period, rng("leads"))
    customers, orders = build_customers(leads, deals, contacts, campaigns, period, rng("customers"))
    lead_segment = contacts.segment[leads.contact]
    costs = build_costs(
        period, campaigns, staff, sessions, calls, leads, lead_segment, messaging.sends
    )
    unit = calibrate(campaigns, costs, calls, leads, orders)
    amount, margin, deal_amount = price(unit, orders, deals, rng("prices"))
    call_contact = phone.contact[calls.lead]
    tickets = build_tickets(customers, contacts, staff, period, rng("tickets"))
    surveys = build_surveys(calls, call_contact, tickets, staff, period, rng("surveys"))
    touches = build_touches(
        n_calls // 5,
        calls,
        call_contact,
        contacts.segment[call_contact],
        leads,
        customers,
        contacts,
        period,
        rng("touches"),
    )
    # Opt-outs are honoured: a do-not-call or an unsubscribe withdraws consent.
    contacts.consent[call_contact[calls.outcome == DO_NOT_CALL]] = False
    contacts.consent[messaging.unsubscribed] = False
    return World(
        period=period,
        campaigns=campaigns,
        staff=staff,
        sessions=sessions,
        contacts=contacts,
        contact_created=created,
        phone=phone,
        calls=calls,
        call_contact=call_contact,
        messaging=messaging,
        leads=leads,
        deals=deals,
        deal_amount=deal_amount,
        customers=customers,
        orders=orders,
        order_amount=amount,
        order_margin=margin,
        costs=costs,
        budget=budgets(costs.direct_by_campaign, rng("budgets")),
        tickets=tickets,
        surveys=surveys,
        touches=touches,
    )
