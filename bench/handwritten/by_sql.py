"""The standard workload in hand-written DuckDB SQL: one statement per grouping, a few CTEs.

The two statements share their building blocks (calls with their agent hours, orders with
their campaign and agent), kept once below and put in each statement's WITH clause.
"""

from __future__ import annotations

import duckdb
import pyarrow as pa
from bench.handwritten import (
    ATTRIBUTION_WINDOW_DAYS,
    CONTACT_OUTCOMES,
    INCONCLUSIVE_OUTCOMES,
    SUCCESS_OUTCOMES,
)


def _in(values: tuple[str, ...]) -> str:
    return "(" + ", ".join(f"'{v}'" for v in values) + ")"


# Each call with its handle time and its share of the agent's logged-in hours that day (by
# handle time; evenly when the day has none; talk time when the agent has no session).
CALLS_WITH_HOURS = """
calls_handled AS (
    SELECT *,
           coalesce(talk_s, 0) + coalesce(hold_s, 0) + coalesce(wrap_s, 0) AS handle_s,
           started_at::DATE AS day
    FROM calls
),
logged AS (
    SELECT agent_id, login_at::DATE AS day, sum(epoch(logout_at) - epoch(login_at)) AS logged_s
    FROM agent_sessions
    GROUP BY ALL
),
calls_with_hours AS (
    SELECT c.*,
           coalesce(
               l.logged_s * CASE WHEN sum(c.handle_s) OVER agent_day > 0
                                 THEN c.handle_s / sum(c.handle_s) OVER agent_day
                                 ELSE 1 / count(*) OVER agent_day END,
               coalesce(c.talk_s, 0)
           ) / 3600 AS agent_hours
    FROM calls_handled c
    LEFT JOIN logged l ON l.agent_id = c.agent_id AND l.day = c.day
    WINDOW agent_day AS (PARTITION BY c.agent_id, c.day)
)"""

# Per group and month: the call counts, handle time and agent hours.
CALL_FACTS = f"""
    count(*) AS calls,
    count(*) FILTER (WHERE outcome IN {_in(CONTACT_OUTCOMES)}) AS contacts,
    count(*) FILTER (WHERE outcome IN {_in(SUCCESS_OUTCOMES)}) AS successes,
    count(*) FILTER (WHERE outcome = 'sale') AS sales,
    count(*) FILTER (WHERE outcome IN {_in(INCONCLUSIVE_OUTCOMES)}) AS inconclusive_calls,
    count(*) FILTER (WHERE talk_s > 0) AS handled_calls,
    sum(handle_s) FILTER (WHERE talk_s > 0) AS handle_time,
    sum(agent_hours) AS agent_hours"""

# Each order with its campaign (its own, else its tracking code's, else the last call's to the
# same contact in the window) and the agent of that last call.
ATTRIBUTED_ORDERS = f"""
tracking_codes AS (
    SELECT tracking_code, min(campaign_id) AS campaign_id
    FROM campaigns
    WHERE tracking_code IS NOT NULL
    GROUP BY ALL
),
last_calls AS (
    SELECT o.order_id, c.campaign_id, c.agent_id
    FROM orders o
    JOIN calls c
      ON c.contact_id = o.contact_id
     AND c.started_at BETWEEN o.ordered_at - INTERVAL {ATTRIBUTION_WINDOW_DAYS} DAY
                          AND o.ordered_at
    QUALIFY row_number() OVER (
        PARTITION BY o.order_id ORDER BY c.started_at DESC, c.call_id DESC) = 1
),
attributed_orders AS (
    SELECT o.*,
           coalesce(o.campaign_id, t.campaign_id, lc.campaign_id) AS attributed_campaign_id,
           lc.agent_id
    FROM orders o
    LEFT JOIN tracking_codes t ON t.tracking_code = o.tracking_code
    LEFT JOIN last_calls lc ON lc.order_id = o.order_id
)"""

# The KPIs both queries have, over their totals.
CALL_AND_REVENUE_KPIS = """
       calls,
       contacts / nullif(calls, 0) AS contact_rate,
       successes / nullif(contacts, 0) AS hit_rate,
       inconclusive_calls,
       handle_time / nullif(handled_calls, 0) AS aht,
       sales / nullif(agent_hours, 0) AS sales_per_hour,
       revenue,
       revenue / nullif(calls, 0) AS revenue_per_call,
       revenue / nullif(buying_customers, 0) AS revenue_per_customer"""

CAMPAIGN_MONTH = f"""
WITH {CALLS_WITH_HOURS},
{ATTRIBUTED_ORDERS},
call_facts AS (
    SELECT campaign_id, date_trunc('month', started_at)::DATE AS month, {CALL_FACTS}
    FROM calls_with_hours
    GROUP BY ALL
),
lead_facts AS (
    SELECT campaign_id, date_trunc('month', created_at)::DATE AS month,
           count(*) AS leads,
           count(*) FILTER (WHERE contacted) AS leads_contacted,
           count(*) FILTER (WHERE converted_at IS NOT NULL) AS leads_converted,
           count(*) FILTER (WHERE contacted AND converted_at IS NOT NULL) AS leads_cc
    FROM (
        SELECT *, lead_id IN (SELECT lead_id FROM calls
                              WHERE outcome IN {_in(CONTACT_OUTCOMES)}) AS contacted
        FROM leads
    )
    GROUP BY ALL
),
acquisitions AS (  -- credited to the month of conversion
    SELECT campaign_id, date_trunc('month', converted_at)::DATE AS month,
           count(DISTINCT contact_id) AS acquired_customers
    FROM leads
    WHERE converted_at IS NOT NULL
    GROUP BY ALL
),
drivers AS (  -- what shared costs are allocated by, per campaign and day
    SELECT campaign_id, started_at::DATE AS day,
           count(*) AS by_calls, sum(coalesce(talk_s, 0)) AS by_talk_time, 0 AS by_leads
    FROM calls WHERE campaign_id IS NOT NULL GROUP BY ALL
    UNION ALL
    SELECT campaign_id, created_at::DATE, 0, 0, count(*)
    FROM leads WHERE campaign_id IS NOT NULL GROUP BY ALL
),
shared_weights AS (  -- each shared cost's weight per campaign over the cost's own period
    SELECT k.cost_id, d.campaign_id,
           sum(CASE coalesce(k.allocation, 'by_calls')
                   WHEN 'by_talk_time' THEN d.by_talk_time
                   WHEN 'by_leads' THEN d.by_leads
                   ELSE d.by_calls END) AS weight
    FROM costs k
    JOIN drivers d ON d.day BETWEEN k.period_start AND k.period_end
    WHERE k.campaign_id IS NULL
    GROUP BY ALL
    HAVING weight > 0
),
cost_shares AS (  -- direct costs whole; shared ones split; with nothing to split by, no campaign
    SELECT cost_id, campaign_id, 1.0 AS share FROM costs WHERE campaign_id IS NOT NULL
    UNION ALL
    SELECT cost_id, campaign_id, weight / sum(weight) OVER (PARTITION BY cost_id)
    FROM shared_weights
    UNION ALL
    SELECT cost_id, NULL, 1.0 FROM costs
    WHERE campaign_id IS NULL AND cost_id NOT IN (SELECT cost_id FROM shared_weights)
),
cost_facts AS (  -- spread evenly over the days of each cost's period
    SELECT s.campaign_id, date_trunc('month', d.day)::DATE AS month,
           sum(k.amount * s.share / (k.period_end - k.period_start + 1)) AS cost
    FROM cost_shares s
    JOIN costs k USING (cost_id)
    JOIN calendar d ON d.day BETWEEN k.period_start AND k.period_end
    GROUP BY ALL
),
revenue_facts AS (
    SELECT attributed_campaign_id AS campaign_id, date_trunc('month', ordered_at)::DATE AS month,
           sum(amount) AS revenue, count(DISTINCT contact_id) AS buying_customers
    FROM attributed_orders
    GROUP BY ALL
),
totals AS (  -- every campaign and month any part has; a part it lacks counts 0
    SELECT campaign_id, month, coalesce(sum(COLUMNS(* EXCLUDE (campaign_id, month))), 0)
    FROM (
        SELECT * FROM call_facts
        UNION ALL BY NAME SELECT * FROM lead_facts
        UNION ALL BY NAME SELECT * FROM acquisitions
        UNION ALL BY NAME SELECT * FROM cost_facts
        UNION ALL BY NAME SELECT * FROM revenue_facts
    )
    GROUP BY campaign_id, month
)
SELECT campaign_id AS campaign, month AS period, {CALL_AND_REVENUE_KPIS},
       leads_cc / nullif(leads_contacted, 0) AS conversion_rate,
       leads_converted / nullif(leads, 0) AS lead_conversion_rate,
       cost,
       cost / nullif(leads, 0) AS cpl,
       cost / nullif(calls, 0) AS cost_per_call,
       cost / nullif(contacts, 0) AS cost_per_contact,
       cost / nullif(sales, 0) AS cost_per_sale,
       cost / nullif(acquired_customers, 0) AS cac,
       revenue / nullif(leads, 0) AS revenue_per_lead,
       (revenue - cost) / nullif(cost, 0) AS roi
FROM totals
ORDER BY period, campaign NULLS LAST
"""

AGENT_MONTH = f"""
WITH {CALLS_WITH_HOURS},
{ATTRIBUTED_ORDERS},
call_facts AS (
    SELECT agent_id, date_trunc('month', started_at)::DATE AS month, {CALL_FACTS}
    FROM calls_with_hours
    GROUP BY ALL
),
revenue_facts AS (  -- credited to the agent of the order's last call
    SELECT agent_id, date_trunc('month', ordered_at)::DATE AS month,
           sum(amount) AS revenue, count(DISTINCT contact_id) AS buying_customers
    FROM attributed_orders
    GROUP BY ALL
),
totals AS (
    SELECT agent_id, month, coalesce(sum(COLUMNS(* EXCLUDE (agent_id, month))), 0)
    FROM (SELECT * FROM call_facts UNION ALL BY NAME SELECT * FROM revenue_facts)
    GROUP BY agent_id, month
)
SELECT agent_id AS agent, month AS period, {CALL_AND_REVENUE_KPIS}
FROM totals
ORDER BY period, agent NULLS LAST
"""

#: The statement of each query of the workload, by its dimension.
STATEMENTS = {"campaign": CAMPAIGN_MONTH, "agent": AGENT_MONTH}


def run(con: duckdb.DuckDBPyConnection) -> dict[str, pa.Table]:
    """Both queries on an open connection to the store."""
    return {name: con.sql(sql).to_arrow_table() for name, sql in STATEMENTS.items()}
