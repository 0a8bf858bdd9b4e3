"""The demo generator: deterministic, the requested size, schema-exact, consistent, realistic."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from zoneinfo import ZoneInfo

import duckdb
import numpy as np
import pyarrow as pa
import pytest

from callkpi.demo import DemoSpec, build_tables, default_start, load_into_store
from callkpi.store import open_store
from callkpi.store.schema import CONTACT_OUTCOMES, SUCCESS_OUTCOMES, TABLES

SPEC = DemoSpec(calls=20_000, seed=7, start=dt.date(2025, 1, 1), months=12)
#: Three shards of 2,000 calls stand for ten of 10 million (see test_shards.py).
SHARDED = DemoSpec(calls=6_000, seed=7, start=dt.date(2025, 1, 1), months=12, shard_calls=2_000)
START = dt.datetime(2025, 1, 1)
END = dt.datetime(2026, 1, 1)
# Metropolitan French public holidays of 2025, written out by hand.
HOLIDAYS_2025 = {
    dt.date(2025, 1, 1), dt.date(2025, 4, 21), dt.date(2025, 5, 1), dt.date(2025, 5, 8),
    dt.date(2025, 5, 29), dt.date(2025, 6, 9), dt.date(2025, 7, 14), dt.date(2025, 8, 15),
    dt.date(2025, 11, 1), dt.date(2025, 11, 11), dt.date(2025, 12, 25),
}  # fmt: skip
ARROW_TYPES = {
    "string": pa.string(),
    "int64": pa.int64(),
    "float64": pa.float64(),
    "boolean": pa.bool_(),
    "date": pa.date32(),
    "timestamp": pa.timestamp("us"),
}


@pytest.fixture(scope="module")
def tables() -> dict[str, pa.Table]:
    return build_tables(SPEC)


def connect(tables: dict[str, pa.Table]) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    for name, data in tables.items():
        con.register(name, data)
    return con


@pytest.fixture(scope="module")
def whole_db(tables: dict[str, pa.Table]) -> duckdb.DuckDBPyConnection:
    return connect(tables)


@pytest.fixture(scope="module", params=["whole", "sharded"])
def db(
    request: pytest.FixtureRequest, whole_db: duckdb.DuckDBPyConnection
) -> duckdb.DuckDBPyConnection:
    """The demo, then a demo made of three shards (see test_shards.py): every check of
    consistency and realism below holds for both."""
    return whole_db if request.param == "whole" else connect(build_tables(SHARDED))


def scalar(con: duckdb.DuckDBPyConnection, sql: str) -> object:
    row = con.execute(sql).fetchone()
    assert row is not None
    return row[0]


def test_same_spec_gives_equal_tables(tables: dict[str, pa.Table]) -> None:
    again = build_tables(SPEC)
    assert list(again) == list(tables)
    for name in tables:
        assert again[name].equals(tables[name]), name


def test_another_seed_gives_other_data(tables: dict[str, pa.Table]) -> None:
    other = build_tables(DemoSpec(calls=20_000, seed=8, start=SPEC.start, months=12))
    assert not other["calls"].equals(tables["calls"])
    assert not other["contacts"].equals(tables["contacts"])
    assert other["calls"].num_rows == 20_000


def test_exactly_the_requested_number_of_calls(tables: dict[str, pa.Table]) -> None:
    assert tables["calls"].num_rows == SPEC.calls
    assert tables["calls"]["call_id"][0].as_py() == "CL0000001"
    assert tables["calls"]["call_id"][-1].as_py() == "CL0020000"


def test_every_canonical_table_with_its_columns_in_order_and_types(
    tables: dict[str, pa.Table],
) -> None:
    assert list(tables) == list(TABLES)
    for name, spec in TABLES.items():
        schema = tables[name].schema
        assert schema.names == spec.column_names, name
        for column in spec.columns:
            assert schema.field(column.name).type == ARROW_TYPES[column.type], (name, column.name)
        for column in spec.required_columns:
            assert tables[name][column].null_count == 0, (name, column)
        assert tables[name].num_rows > 0, name


def test_keys_are_unique(db: duckdb.DuckDBPyConnection) -> None:
    for name, spec in TABLES.items():
        key = ", ".join(f'"{k}"' for k in spec.key)
        dupes = scalar(
            db, f"SELECT count(*) FROM (SELECT {key} FROM {name} GROUP BY ALL HAVING count(*) > 1)"
        )
        assert dupes == 0, name


#: Every reference between canonical tables: (child, column, parent, key).
REFERENCES = [
    ("calls", "campaign_id", "campaigns", "campaign_id"),
    ("calls", "agent_id", "agents", "agent_id"),
    ("calls", "contact_id", "contacts", "contact_id"),
    ("calls", "lead_id", "leads", "lead_id"),
    ("calls", "tracking_code", "campaigns", "tracking_code"),
    ("leads", "contact_id", "contacts", "contact_id"),
    ("leads", "campaign_id", "campaigns", "campaign_id"),
    ("agent_sessions", "agent_id", "agents", "agent_id"),
    ("touches", "contact_id", "contacts", "contact_id"),
    ("deals", "contact_id", "contacts", "contact_id"),
    ("deals", "campaign_id", "campaigns", "campaign_id"),
    ("deals", "owner_agent_id", "agents", "agent_id"),
    ("deal_stages", "deal_id", "deals", "deal_id"),
    ("orders", "contact_id", "customers", "contact_id"),
    ("orders", "campaign_id", "campaigns", "campaign_id"),
    ("orders", "tracking_code", "campaigns", "tracking_code"),
    ("customers", "contact_id", "contacts", "contact_id"),
    ("tickets", "contact_id", "customers", "contact_id"),
    ("tickets", "agent_id", "agents", "agent_id"),
    ("surveys", "contact_id", "contacts", "contact_id"),
    ("surveys", "agent_id", "agents", "agent_id"),
    ("surveys", "campaign_id", "campaigns", "campaign_id"),
    ("costs", "campaign_id", "campaigns", "campaign_id"),
    ("email_events", "campaign_id", "campaigns", "campaign_id"),
    ("email_events", "contact_id", "contacts", "contact_id"),
]


@pytest.mark.parametrize(("child", "column", "parent", "key"), REFERENCES)
def test_references_point_to_existing_rows(
    db: duckdb.DuckDBPyConnection, child: str, column: str, parent: str, key: str
) -> None:
    orphans = scalar(
        db,
        f"SELECT count(*) FROM {child} c WHERE c.{column} IS NOT NULL "
        f"AND NOT EXISTS (SELECT 1 FROM {parent} p WHERE p.{key} = c.{column})",
    )
    assert orphans == 0


def test_a_call_belongs_to_its_lead_campaign_and_contact(db: duckdb.DuckDBPyConnection) -> None:
    assert scalar(db, "SELECT avg((lead_id IS NOT NULL)::int) FROM calls") > 0.9
    mismatched = scalar(
        db,
        "SELECT count(*) FROM calls c JOIN leads l USING (lead_id) "
        "WHERE c.campaign_id <> l.campaign_id OR c.contact_id <> l.contact_id "
        "OR c.started_at < l.created_at",
    )
    assert mismatched == 0
    wrong_code = "SELECT count(*) FROM calls c JOIN campaigns USING (campaign_id) "
    wrong_code += "WHERE c.tracking_code <> campaigns.tracking_code"
    assert scalar(db, wrong_code) == 0
    inbound = "SELECT count(DISTINCT direction) FROM calls JOIN campaigns USING (campaign_id) "
    assert scalar(db, inbound + "WHERE channel = 'phone_inbound' AND direction = 'outbound'") == 0
    assert scalar(db, inbound + "WHERE channel = 'phone_outbound' AND direction = 'inbound'") == 0


def test_attempt_numbers_count_a_lead_s_calls_in_time_order(db: duckdb.DuckDBPyConnection) -> None:
    wrong = scalar(
        db,
        "SELECT count(*) FROM (SELECT attempt_no, row_number() OVER "
        "(PARTITION BY lead_id ORDER BY started_at, call_id) AS n FROM calls "
        "WHERE lead_id IS NOT NULL) WHERE attempt_no <> n",
    )
    assert wrong == 0


def test_conversions_follow_the_calls(db: duckdb.DuckDBPyConnection) -> None:
    assert scalar(db, "SELECT count(*) FROM leads WHERE converted_at < created_at") == 0
    status = "SELECT count(*) FROM leads WHERE (status = 'converted') <> (converted_at IS NOT NULL)"
    assert scalar(db, status) == 0
    # A lead with a sale call is converted, at or after the first such call.
    late = scalar(
        db,
        "SELECT count(*) FROM leads l JOIN (SELECT lead_id, min(started_at) AS sold FROM calls "
        "WHERE outcome = 'sale' GROUP BY 1) s USING (lead_id) "
        "WHERE l.converted_at IS NULL OR l.converted_at < s.sold",
    )
    assert late == 0
    # A phoned lead only converts after a real conversation.
    contacts = ", ".join(f"'{o}'" for o in CONTACT_OUTCOMES)
    unexplained = scalar(
        db,
        "SELECT count(*) FROM leads l JOIN campaigns c USING (campaign_id) "
        "WHERE l.converted_at IS NOT NULL AND c.channel LIKE 'phone%' AND NOT EXISTS ("
        f"SELECT 1 FROM calls k WHERE k.lead_id = l.lead_id AND k.outcome IN ({contacts}) "
        "AND k.started_at <= l.converted_at)",
    )
    assert unexplained == 0


def test_deal_stages_move_forward(db: duckdb.DuckDBPyConnection) -> None:
    order = "CASE stage WHEN 'prospect' THEN 0 WHEN 'qualification' THEN 1 WHEN 'proposal' THEN 2 "
    order += "WHEN 'negotiation' THEN 3 ELSE 4 END"
    backwards = scalar(
        db,
        f"SELECT count(*) FROM (SELECT {order} AS k, entered_at, "
        f"lag({order}) OVER w AS prev_k, lag(entered_at) OVER w AS prev_at FROM deal_stages "
        "WINDOW w AS (PARTITION BY deal_id ORDER BY entered_at)) "
        "WHERE prev_k IS NOT NULL AND (k <> prev_k + 1 AND k <> 4 OR entered_at <= prev_at)",
    )
    assert backwards == 0
    first = "SELECT count(*) FROM deals d WHERE NOT EXISTS (SELECT 1 FROM deal_stages s "
    first += "WHERE s.deal_id = d.deal_id AND s.stage = 'prospect' AND s.entered_at = d.created_at)"
    assert scalar(db, first) == 0
    closed = scalar(
        db,
        "SELECT count(*) FROM deals WHERE (closed_at IS NOT NULL) <> (status IN ('won', 'lost')) "
        "OR closed_at < created_at",
    )
    assert closed == 0
    final = scalar(
        db,
        "SELECT count(*) FROM deals d JOIN deal_stages s ON s.deal_id = d.deal_id "
        "AND s.stage IN ('won', 'lost') WHERE s.stage <> d.status OR s.entered_at <> d.closed_at",
    )
    assert final == 0
    assert scalar(db, "SELECT count(DISTINCT status) FROM deals") == 3


def test_every_timestamp_lies_inside_the_period(tables: dict[str, pa.Table]) -> None:
    for name, spec in TABLES.items():
        for column in spec.columns:
            values = tables[name][column.name]
            if column.type == "timestamp":
                low, high = START, END
            elif column.type == "date":
                low, high = START.date(), END.date()
            else:
                continue
            present = [v for v in values.to_pylist() if v is not None]
            assert all(low <= v < high for v in present), (name, column.name)


def test_calls_happen_in_french_working_hours(tables: dict[str, pa.Table]) -> None:
    paris = ZoneInfo("Europe/Paris")
    utc = dt.UTC
    for started in tables["calls"]["started_at"].to_pylist():
        local = started.replace(tzinfo=utc).astimezone(paris)
        assert local.weekday() != 6, local
        assert local.date() not in HOLIDAYS_2025, local
        assert 8 <= local.hour < 20, local


def test_calls_sit_inside_their_agent_s_session_without_overlap(
    db: duckdb.DuckDBPyConnection,
) -> None:
    outside = scalar(
        db,
        "SELECT count(*) FROM calls c WHERE NOT EXISTS (SELECT 1 FROM agent_sessions s "
        "WHERE s.agent_id = c.agent_id AND c.started_at BETWEEN s.login_at AND s.logout_at)",
    )
    assert outside == 0
    overlapping = scalar(
        db,
        "SELECT count(*) FROM (SELECT started_at, lag(started_at + to_seconds("
        "(ring_s + talk_s + hold_s + wrap_s)::bigint)) OVER (PARTITION BY agent_id "
        "ORDER BY started_at) AS prev_end FROM calls) WHERE started_at < prev_end",
    )
    assert overlapping == 0
    per_day = "SELECT max(n) FROM (SELECT agent_id, login_at::date, count(*) AS n "
    per_day += "FROM agent_sessions GROUP BY ALL)"
    assert scalar(db, per_day) == 1


def test_rates_are_in_realistic_bands(db: duckdb.DuckDBPyConnection) -> None:
    contacts = ", ".join(f"'{o}'" for o in CONTACT_OUTCOMES)
    successes = ", ".join(f"'{o}'" for o in SUCCESS_OUTCOMES)
    contact_rate = scalar(db, f"SELECT avg((outcome IN ({contacts}))::int) FROM calls")
    assert 0.2 < contact_rate < 0.5
    hit_rate = scalar(
        db,
        f"SELECT avg((outcome IN ({successes}))::int) FROM calls WHERE outcome IN ({contacts})",
    )
    assert 0.1 < hit_rate < 0.3
    by_source = dict(
        db.execute(
            "SELECT source, avg((converted_at IS NOT NULL)::int) FROM leads GROUP BY 1"
        ).fetchall()
    )
    assert by_source["referral"] == max(v for k, v in by_source.items() if k != "inbound_call")
    assert by_source["purchased_list"] == min(by_source.values())


def test_some_campaigns_pay_off_and_some_do_not(db: duckdb.DuckDBPyConnection) -> None:
    rows = db.execute(
        """
        WITH revenue AS (
          SELECT coalesce(o.campaign_id, c.campaign_id) AS campaign_id, sum(o.amount) AS revenue
          FROM orders o LEFT JOIN campaigns c ON o.tracking_code = c.tracking_code GROUP BY 1),
        cost AS (SELECT campaign_id, sum(amount) AS cost FROM costs
                 WHERE campaign_id IS NOT NULL GROUP BY 1)
        SELECT campaign_id, (coalesce(revenue, 0) - cost) / cost
        FROM cost LEFT JOIN revenue USING (campaign_id)
        """
    ).fetchall()
    roi = dict(rows)
    assert len(roi) == 20
    losing = [c for c, r in roi.items() if r < 0]
    assert 1 <= len(losing) <= 6
    assert sum(r > 0 for r in roi.values()) >= 12


def test_costs_are_direct_by_month_or_shared_with_a_rule(
    db: duckdb.DuckDBPyConnection, whole_db: duckdb.DuckDBPyConnection
) -> None:
    bad = scalar(
        db,
        "SELECT count(*) FROM costs WHERE (campaign_id IS NULL) <> (kind = 'indirect') "
        "OR (allocation IS NULL) <> (kind = 'direct') OR amount <= 0 OR period_end < period_start",
    )
    assert bad == 0
    quarterly = "SELECT count(*) FROM costs WHERE kind = 'indirect' "
    quarterly += "AND period_end - period_start > 40"
    assert scalar(db, quarterly) > 0
    salaries = scalar(db, "SELECT sum(amount) FROM costs WHERE category = 'salaries'")
    paid_hours = scalar(
        db,
        "SELECT sum(epoch(logout_at - login_at) / 3600 * hourly_cost) "
        "FROM agent_sessions JOIN agents USING (agent_id)",
    )
    assert salaries <= paid_hours * 1.001
    if db is whole_db:  # a 2,000-call shard leaves most sessions without a call to pay
        assert 0.5 * paid_hours < salaries


def test_email_funnel_narrows(db: duckdb.DuckDBPyConnection) -> None:
    counts = dict(db.execute("SELECT event, count(*) FROM email_events GROUP BY 1").fetchall())
    assert counts["delivered"] + counts["bounced"] == counts["sent"]
    assert counts["sent"] > counts["delivered"] > counts["opened"] > counts["clicked"]
    assert 0 < counts["unsubscribed"] < counts["opened"]
    channels = "SELECT DISTINCT channel FROM email_events JOIN campaigns USING (campaign_id)"
    assert db.execute(channels).fetchall() == [("email",)]


def test_customers_come_from_conversions(db: duckdb.DuckDBPyConnection) -> None:
    mismatch = scalar(
        db,
        "SELECT count(*) FROM customers c FULL JOIN (SELECT contact_id, min(converted_at) AS first "
        "FROM leads WHERE converted_at IS NOT NULL GROUP BY 1) l USING (contact_id) "
        "WHERE c.since IS DISTINCT FROM l.first",
    )
    assert mismatch == 0
    assert scalar(db, "SELECT count(*) FROM customers WHERE churned_at <= since") == 0
    upsold = "SELECT count(*) FROM customers WHERE previous_tier = 'bronze' AND tier = 'silver'"
    assert scalar(db, upsold) > 0
    margins = "SELECT min(margin / amount), max(margin / amount) FROM orders"
    low, high = db.execute(margins).fetchone() or (0, 0)
    assert low > 0.24 and high < 0.46
    early = "SELECT count(*) FROM orders o JOIN customers c USING (contact_id) "
    early += "WHERE o.ordered_at < c.since"
    assert scalar(db, early) == 0


def test_tickets_and_surveys_are_plausible(db: duckdb.DuckDBPyConnection) -> None:
    assert scalar(db, "SELECT count(*) FROM tickets WHERE resolved_at <= opened_at") == 0
    assert 0 < scalar(db, "SELECT count(*) FROM tickets WHERE resolved_at IS NULL") < 100
    ranges = "SELECT kind, min(score), max(score), bool_and(score = round(score)) FROM surveys "
    scores = {
        k: (lo, hi, whole) for k, lo, hi, whole in db.execute(ranges + "GROUP BY 1").fetchall()
    }
    assert scores["nps"][0] >= 0 and scores["nps"][1] <= 10 and scores["nps"][2]
    assert scores["csat"][0] >= 1 and scores["csat"][1] <= 5 and scores["csat"][2]


def test_default_start_is_twelve_months_back() -> None:
    assert default_start(dt.date(2026, 11, 15)) == dt.date(2025, 11, 1)
    assert default_start(dt.date(2026, 1, 31)) == dt.date(2025, 1, 1)
    assert DemoSpec().start == default_start()


@pytest.mark.parametrize(
    "kwargs",
    [
        {"start": dt.date(2025, 1, 2)},
        {"months": 0},
        {"calls": 10},
        {"seed": -1},
        {"shard_calls": 1999},
    ],
)
def test_invalid_specs_are_refused(kwargs: dict[str, object]) -> None:
    with pytest.raises(ValueError):
        DemoSpec(**kwargs)  # type: ignore[arg-type]


def test_load_into_a_fresh_store_gives_the_same_counts(
    tables: dict[str, pa.Table], tmp_path: Path
) -> None:
    store = open_store(tmp_path / "demo.duckdb")
    try:
        counts = load_into_store(store, tables)
        assert counts == {name: t.num_rows for name, t in tables.items()}
        assert {name: store.row_count(name) for name in tables} == counts
        total = store.scalar("SELECT sum(amount) FROM orders")
        assert total == pytest.approx(float(np.sum(tables["orders"]["amount"].to_numpy())))
    finally:
        store.close()


def test_load_is_all_or_nothing(tables: dict[str, pa.Table], tmp_path: Path) -> None:
    broken = dict(tables)
    broken["targets"] = pa.table({name: pa.array(["x"]) for name in TABLES["targets"].column_names})
    store = open_store(tmp_path / "demo.duckdb")
    try:
        with pytest.raises(duckdb.Error):
            load_into_store(store, broken)
        assert store.row_count("calls") == 0
    finally:
        store.close()
