-- roi_and_costs_by_campaign (postgres)
WITH "t61" AS (
  SELECT
    "t7"."lead_id",
    "t7"."contact_id",
    "t7"."campaign_id",
    "t7"."source",
    "t7"."created_at",
    "t7"."status",
    "t7"."converted_at",
    COALESCE("t48"."lead_calls", 0) AS "calls_made",
    COALESCE("t48"."lead_contact_calls", 0) AS "contact_calls",
    COALESCE("t48"."lead_contact_calls", 0) > 0 AS "contacted",
    "t7"."converted_at" IS NOT NULL AS "converted",
    "t48"."lead_first_call_at" AS "first_call_at",
    CASE
      WHEN "t48"."lead_first_call_at" IS NULL
      THEN "t44"."lead_first_touch_at"
      WHEN (
        "t44"."lead_first_touch_at" IS NULL
      )
      OR (
        "t48"."lead_first_call_at" <= "t44"."lead_first_touch_at"
      )
      THEN "t48"."lead_first_call_at"
      ELSE "t44"."lead_first_touch_at"
    END AS "first_response_at",
    CAST(EXTRACT('epoch' FROM CASE
      WHEN "t48"."lead_first_call_at" IS NULL
      THEN "t44"."lead_first_touch_at"
      WHEN (
        "t44"."lead_first_touch_at" IS NULL
      )
      OR (
        "t48"."lead_first_call_at" <= "t44"."lead_first_touch_at"
      )
      THEN "t48"."lead_first_call_at"
      ELSE "t44"."lead_first_touch_at"
    END) - EXTRACT('epoch' FROM "t7"."created_at") AS DOUBLE PRECISION) / 60.0 AS "minutes_to_first_response",
    CASE
      WHEN (
        CAST(EXTRACT('epoch' FROM CASE
          WHEN "t48"."lead_first_call_at" IS NULL
          THEN "t44"."lead_first_touch_at"
          WHEN (
            "t44"."lead_first_touch_at" IS NULL
          )
          OR (
            "t48"."lead_first_call_at" <= "t44"."lead_first_touch_at"
          )
          THEN "t48"."lead_first_call_at"
          ELSE "t44"."lead_first_touch_at"
        END) - EXTRACT('epoch' FROM "t7"."created_at") AS DOUBLE PRECISION) / 60.0
      ) IS NULL
      THEN 'none'
      WHEN (
        CAST(EXTRACT('epoch' FROM CASE
          WHEN "t48"."lead_first_call_at" IS NULL
          THEN "t44"."lead_first_touch_at"
          WHEN (
            "t44"."lead_first_touch_at" IS NULL
          )
          OR (
            "t48"."lead_first_call_at" <= "t44"."lead_first_touch_at"
          )
          THEN "t48"."lead_first_call_at"
          ELSE "t44"."lead_first_touch_at"
        END) - EXTRACT('epoch' FROM "t7"."created_at") AS DOUBLE PRECISION) / 60.0
      ) < 5
      THEN '0-5min'
      WHEN (
        CAST(EXTRACT('epoch' FROM CASE
          WHEN "t48"."lead_first_call_at" IS NULL
          THEN "t44"."lead_first_touch_at"
          WHEN (
            "t44"."lead_first_touch_at" IS NULL
          )
          OR (
            "t48"."lead_first_call_at" <= "t44"."lead_first_touch_at"
          )
          THEN "t48"."lead_first_call_at"
          ELSE "t44"."lead_first_touch_at"
        END) - EXTRACT('epoch' FROM "t7"."created_at") AS DOUBLE PRECISION) / 60.0
      ) < 60
      THEN '5-60min'
      WHEN (
        CAST(EXTRACT('epoch' FROM CASE
          WHEN "t48"."lead_first_call_at" IS NULL
          THEN "t44"."lead_first_touch_at"
          WHEN (
            "t44"."lead_first_touch_at" IS NULL
          )
          OR (
            "t48"."lead_first_call_at" <= "t44"."lead_first_touch_at"
          )
          THEN "t48"."lead_first_call_at"
          ELSE "t44"."lead_first_touch_at"
        END) - EXTRACT('epoch' FROM "t7"."created_at") AS DOUBLE PRECISION) / 60.0
      ) < 1440
      THEN '1-24h'
      ELSE '24h+'
    END AS "response_delay",
    COALESCE("t48"."lead_calls_before", 0) + COALESCE("t44"."lead_touches_before", 0) AS "interactions_before_conversion"
  FROM "leads" AS "t7"
  LEFT OUTER JOIN (
    SELECT
      "t39"."lead_id",
      COUNT(*) AS "lead_calls",
      COUNT(*) FILTER(WHERE
        "t39"."outcome" IN ('refused', 'callback', 'do_not_call', 'promise', 'appointment', 'sale')) AS "lead_contact_calls",
      MIN("t39"."started_at") AS "lead_first_call_at",
      COUNT(*) FILTER(WHERE
        "t39"."started_at" <= "t39"."call_converted_at") AS "lead_calls_before"
    FROM (
      SELECT
        "t27"."call_id",
        "t27"."campaign_id",
        "t27"."agent_id",
        "t27"."contact_id",
        "t27"."lead_id",
        "t27"."direction",
        "t27"."started_at",
        "t27"."ring_s",
        "t27"."talk_s",
        "t27"."hold_s",
        "t27"."wrap_s",
        "t27"."outcome",
        "t27"."attempt_no",
        "t27"."tracking_code",
        "t16"."call_lead_id",
        "t16"."call_converted_at"
      FROM (
        SELECT
          *
        FROM "calls" AS "t4"
        WHERE
          "t4"."lead_id" IS NOT NULL
      ) AS "t27"
      INNER JOIN (
        SELECT
          "t0"."lead_id" AS "call_lead_id",
          "t0"."converted_at" AS "call_converted_at"
        FROM "leads" AS "t0"
      ) AS "t16"
        ON "t27"."lead_id" = "t16"."call_lead_id"
    ) AS "t39"
    GROUP BY
      1
  ) AS "t48"
    ON "t7"."lead_id" = "t48"."lead_id"
  LEFT OUTER JOIN (
    SELECT
      "t34"."touch_lead_id",
      MIN("t34"."at") AS "lead_first_touch_at",
      COUNT(*) FILTER(WHERE
        "t34"."at" <= "t34"."touch_converted_at") AS "lead_touches_before"
    FROM (
      SELECT
        "t15"."touch_lead_id",
        "t15"."touch_contact_id",
        "t15"."touch_created_at",
        "t15"."touch_converted_at",
        "t9"."touch_id",
        "t9"."contact_id",
        "t9"."at",
        "t9"."channel",
        "t9"."direction",
        "t9"."responded"
      FROM (
        SELECT
          "t0"."lead_id" AS "touch_lead_id",
          "t0"."contact_id" AS "touch_contact_id",
          "t0"."created_at" AS "touch_created_at",
          "t0"."converted_at" AS "touch_converted_at"
        FROM "leads" AS "t0"
      ) AS "t15"
      INNER JOIN "touches" AS "t9"
        ON "t15"."touch_contact_id" = "t9"."contact_id"
        AND "t9"."at" >= "t15"."touch_created_at"
    ) AS "t34"
    GROUP BY
      1
  ) AS "t44"
    ON "t7"."lead_id" = "t44"."touch_lead_id"
), "t63" AS (
  SELECT
    *
  FROM (
    SELECT
      "t56"."period_start",
      "t56"."period_end",
      "t56"."rule",
      "t56"."driver_campaign_id" AS "alloc_campaign_id",
      SUM("t56"."weight") AS "weight"
    FROM (
      SELECT
        "t49"."period_start",
        "t49"."period_end",
        "t49"."rule",
        "t49"."driver_campaign_id",
        "t49"."day",
        "t49"."by_calls",
        "t49"."by_talk_time",
        "t49"."by_leads",
        CASE
          WHEN "t49"."rule" = 'by_talk_time'
          THEN "t49"."by_talk_time"
          WHEN "t49"."rule" = 'by_leads'
          THEN "t49"."by_leads"
          ELSE "t49"."by_calls"
        END AS "weight"
      FROM (
        SELECT
          "t28"."period_start",
          "t28"."period_end",
          "t28"."rule",
          "t43"."driver_campaign_id",
          "t43"."day",
          "t43"."by_calls",
          "t43"."by_talk_time",
          "t43"."by_leads"
        FROM (
          SELECT DISTINCT
            "t6"."period_start",
            "t6"."period_end",
            COALESCE("t6"."allocation", 'by_calls') AS "rule"
          FROM "costs" AS "t6"
          WHERE
            "t6"."campaign_id" IS NULL
        ) AS "t28"
        INNER JOIN (
          SELECT
            "t40"."campaign_id" AS "driver_campaign_id",
            "t40"."day",
            "t40"."by_calls",
            "t40"."by_talk_time",
            "t40"."by_leads"
          FROM (
            SELECT
              *
            FROM (
              SELECT
                "t24"."campaign_id",
                "t24"."day",
                CAST(COUNT(*) AS DOUBLE PRECISION) AS "by_calls",
                SUM(COALESCE("t24"."talk_s", 0)) AS "by_talk_time",
                0.0 AS "by_leads"
              FROM (
                SELECT
                  "t4"."call_id",
                  "t4"."campaign_id",
                  "t4"."agent_id",
                  "t4"."contact_id",
                  "t4"."lead_id",
                  "t4"."direction",
                  "t4"."started_at",
                  "t4"."ring_s",
                  "t4"."talk_s",
                  "t4"."hold_s",
                  "t4"."wrap_s",
                  "t4"."outcome",
                  "t4"."attempt_no",
                  "t4"."tracking_code",
                  DATE("t4"."started_at") AS "day"
                FROM "calls" AS "t4"
                WHERE
                  "t4"."campaign_id" IS NOT NULL
              ) AS "t24"
              GROUP BY
                1,
                2
            ) AS "t36"
            UNION ALL
            SELECT
              *
            FROM (
              SELECT
                "t18"."campaign_id",
                "t18"."day",
                0.0 AS "by_calls",
                0.0 AS "by_talk_time",
                CAST(COUNT(*) AS DOUBLE PRECISION) AS "by_leads"
              FROM (
                SELECT
                  "t0"."lead_id",
                  "t0"."contact_id",
                  "t0"."campaign_id",
                  "t0"."source",
                  "t0"."created_at",
                  "t0"."status",
                  "t0"."converted_at",
                  DATE("t0"."created_at") AS "day"
                FROM "leads" AS "t0"
                WHERE
                  "t0"."campaign_id" IS NOT NULL
              ) AS "t18"
              GROUP BY
                1,
                2
            ) AS "t31"
          ) AS "t40"
        ) AS "t43"
          ON "t43"."day" >= "t28"."period_start" AND "t43"."day" <= "t28"."period_end"
      ) AS "t49"
    ) AS "t56"
    GROUP BY
      1,
      2,
      3,
      4
  ) AS "t59"
  WHERE
    "t59"."weight" > 0
), "t85" AS (
  SELECT
    "t84"."campaign_id",
    "t84"."category",
    "t84"."kind",
    "t84"."rule",
    "t84"."period_start",
    "t84"."period_end",
    "t84"."days",
    SUM("t84"."amount") AS "amount"
  FROM (
    SELECT
      *
    FROM (
      SELECT
        *
      FROM (
        SELECT
          "t6"."campaign_id",
          "t6"."category",
          "t6"."kind",
          COALESCE("t6"."allocation", 'by_calls') AS "rule",
          "t6"."period_start",
          "t6"."period_end",
          CAST(CAST(EXTRACT(epoch FROM CAST("t6"."period_end" AS TIMESTAMP) - CAST("t6"."period_start" AS TIMESTAMP)) / 86400 AS BIGINT) + 1 AS DOUBLE PRECISION) AS "days",
          "t6"."amount" * 1.0 AS "amount"
        FROM "costs" AS "t6"
        WHERE
          "t6"."campaign_id" IS NOT NULL
      ) AS "t29"
      UNION ALL
      SELECT
        *
      FROM (
        SELECT
          "t80"."alloc_campaign_id" AS "campaign_id",
          "t80"."category",
          "t80"."kind",
          "t80"."rule",
          "t80"."period_start",
          "t80"."period_end",
          "t80"."days",
          "t80"."amount" * "t80"."share" AS "amount"
        FROM (
          SELECT
            "t33"."cost_id",
            "t33"."campaign_id",
            "t33"."period_start",
            "t33"."period_end",
            "t33"."category",
            "t33"."kind",
            "t33"."amount",
            "t33"."allocation",
            "t33"."rule",
            "t33"."days",
            "t78"."alloc_campaign_id",
            "t78"."share"
          FROM (
            SELECT
              "t6"."cost_id",
              "t6"."campaign_id",
              "t6"."period_start",
              "t6"."period_end",
              "t6"."category",
              "t6"."kind",
              "t6"."amount",
              "t6"."allocation",
              COALESCE("t6"."allocation", 'by_calls') AS "rule",
              CAST(CAST(EXTRACT(epoch FROM CAST("t6"."period_end" AS TIMESTAMP) - CAST("t6"."period_start" AS TIMESTAMP)) / 86400 AS BIGINT) + 1 AS DOUBLE PRECISION) AS "days"
            FROM "costs" AS "t6"
            WHERE
              "t6"."campaign_id" IS NULL
          ) AS "t33"
          INNER JOIN (
            SELECT
              "t65"."period_start",
              "t65"."period_end",
              "t65"."rule",
              "t65"."alloc_campaign_id",
              CAST("t65"."weight" AS DOUBLE PRECISION) / "t71"."total" AS "share"
            FROM "t63" AS "t65"
            INNER JOIN (
              SELECT
                "t64"."period_start",
                "t64"."period_end",
                "t64"."rule",
                SUM("t64"."weight") AS "total"
              FROM "t63" AS "t64"
              GROUP BY
                1,
                2,
                3
            ) AS "t71"
              ON "t65"."period_start" = "t71"."period_start"
              AND "t65"."period_end" = "t71"."period_end"
              AND "t65"."rule" = "t71"."rule"
          ) AS "t78"
            ON "t33"."period_start" = "t78"."period_start"
            AND "t33"."period_end" = "t78"."period_end"
            AND "t33"."rule" = "t78"."rule"
        ) AS "t80"
      ) AS "t82"
    ) AS "t83"
    UNION ALL
    SELECT
      *
    FROM (
      SELECT
        "t79"."campaign_id",
        "t79"."category",
        "t79"."kind",
        "t79"."rule",
        "t79"."period_start",
        "t79"."period_end",
        "t79"."days",
        "t79"."amount" * 1.0 AS "amount"
      FROM (
        SELECT
          "t33"."cost_id",
          "t33"."campaign_id",
          "t33"."period_start",
          "t33"."period_end",
          "t33"."category",
          "t33"."kind",
          "t33"."amount",
          "t33"."allocation",
          "t33"."rule",
          "t33"."days"
        FROM (
          SELECT
            "t6"."cost_id",
            "t6"."campaign_id",
            "t6"."period_start",
            "t6"."period_end",
            "t6"."category",
            "t6"."kind",
            "t6"."amount",
            "t6"."allocation",
            COALESCE("t6"."allocation", 'by_calls') AS "rule",
            CAST(CAST(EXTRACT(epoch FROM CAST("t6"."period_end" AS TIMESTAMP) - CAST("t6"."period_start" AS TIMESTAMP)) / 86400 AS BIGINT) + 1 AS DOUBLE PRECISION) AS "days"
          FROM "costs" AS "t6"
          WHERE
            "t6"."campaign_id" IS NULL
        ) AS "t33"
        WHERE
          NOT EXISTS(
            SELECT
              1
            FROM (
              SELECT
                "t65"."period_start",
                "t65"."period_end",
                "t65"."rule",
                "t65"."alloc_campaign_id",
                CAST("t65"."weight" AS DOUBLE PRECISION) / "t71"."total" AS "share"
              FROM "t63" AS "t65"
              INNER JOIN (
                SELECT
                  "t64"."period_start",
                  "t64"."period_end",
                  "t64"."rule",
                  SUM("t64"."weight") AS "total"
                FROM "t63" AS "t64"
                GROUP BY
                  1,
                  2,
                  3
              ) AS "t71"
                ON "t65"."period_start" = "t71"."period_start"
                AND "t65"."period_end" = "t71"."period_end"
                AND "t65"."rule" = "t71"."rule"
            ) AS "t78"
            WHERE
              "t33"."period_start" = "t78"."period_start"
              AND "t33"."period_end" = "t78"."period_end"
              AND "t33"."rule" = "t78"."rule"
          )
      ) AS "t79"
    ) AS "t81"
  ) AS "t84"
  GROUP BY
    1,
    2,
    3,
    4,
    5,
    6,
    7
)
SELECT
  "t100"."__d0" AS "campaign",
  CAST((
    "t100"."revenue" - "t100"."cost"
  ) AS DOUBLE PRECISION) / NULLIF("t100"."cost", 0) AS "roi",
  CAST("t100"."cost" AS DOUBLE PRECISION) / NULLIF("t100"."leads", 0) AS "cpl",
  "t100"."cost" AS "cpl_numerator",
  "t100"."leads" AS "cpl_denominator",
  CAST("t100"."cost" AS DOUBLE PRECISION) / NULLIF("t100"."acquired_customers", 0) AS "cac",
  "t100"."cost" AS "cac_numerator",
  "t100"."acquired_customers" AS "cac_denominator",
  "t100"."cost",
  "t100"."revenue"
FROM (
  SELECT
    "t99"."__d0",
    COALESCE("t99"."cost", 0.0) AS "cost",
    COALESCE("t99"."revenue", 0.0) AS "revenue",
    COALESCE("t99"."leads", 0.0) AS "leads",
    COALESCE("t99"."acquired_customers", 0.0) AS "acquired_customers"
  FROM (
    SELECT
      "t98"."__d0",
      MAX("t98"."cost") AS "cost",
      MAX("t98"."revenue") AS "revenue",
      MAX("t98"."leads") AS "leads",
      MAX("t98"."acquired_customers") AS "acquired_customers"
    FROM (
      SELECT
        *
      FROM (
        SELECT
          *
        FROM (
          SELECT
            *
          FROM (
            SELECT
              "t94"."__d0",
              "t94"."cost",
              CAST(NULL AS DOUBLE PRECISION) AS "revenue",
              CAST(NULL AS DOUBLE PRECISION) AS "leads",
              CAST(NULL AS DOUBLE PRECISION) AS "acquired_customers"
            FROM (
              SELECT
                "t93"."__d0",
                SUM("t93"."amount") AS "cost"
              FROM (
                SELECT
                  "t92"."campaign_id",
                  "t92"."category",
                  "t92"."kind",
                  "t92"."rule",
                  "t92"."day",
                  CAST(NULL AS VARCHAR) AS "source",
                  "t92"."amount",
                  "t92"."campaign_id" AS "__d0"
                FROM (
                  SELECT
                    "t87"."campaign_id",
                    "t87"."category",
                    "t87"."kind",
                    "t87"."rule",
                    "t91"."day",
                    CAST("t87"."amount" AS DOUBLE PRECISION) / "t87"."days" AS "amount"
                  FROM "t85" AS "t87"
                  INNER JOIN (
                    SELECT
                      *
                    FROM "calendar" AS "t2"
                    WHERE
                      "t2"."day" >= (
                        SELECT
                          MIN("t86"."period_start") AS "Min(period_start)"
                        FROM "t85" AS "t86"
                      )
                      AND "t2"."day" <= (
                        SELECT
                          MAX("t86"."period_end") AS "Max(period_end)"
                        FROM "t85" AS "t86"
                      )
                  ) AS "t91"
                    ON "t91"."day" >= "t87"."period_start" AND "t91"."day" <= "t87"."period_end"
                ) AS "t92"
                WHERE
                  "t92"."day" IS NOT NULL
              ) AS "t93"
              GROUP BY
                1
            ) AS "t94"
          ) AS "t95"
          UNION ALL
          SELECT
            *
          FROM (
            SELECT
              "t72"."__d0",
              CAST(NULL AS DOUBLE PRECISION) AS "cost",
              "t72"."revenue",
              CAST(NULL AS DOUBLE PRECISION) AS "leads",
              CAST(NULL AS DOUBLE PRECISION) AS "acquired_customers"
            FROM (
              SELECT
                "t66"."__d0",
                SUM("t66"."amount") AS "revenue"
              FROM (
                SELECT
                  "t60"."order_id",
                  "t60"."contact_id",
                  "t60"."ordered_at",
                  "t60"."amount",
                  "t60"."margin",
                  COALESCE("t60"."campaign_id", "t60"."code_campaign_id", "t60"."call_campaign_id") AS "campaign_id",
                  "t60"."tracking_code",
                  "t60"."call_agent_id" AS "agent_id",
                  COALESCE("t60"."call_lead_id", "t60"."converted_lead_id") AS "lead_id",
                  CASE
                    WHEN "t60"."campaign_id" IS NOT NULL
                    THEN 'campaign'
                    WHEN "t60"."code_campaign_id" IS NOT NULL
                    THEN 'tracking_code'
                    WHEN "t60"."call_campaign_id" IS NOT NULL
                    THEN 'last_call'
                    ELSE CAST(NULL AS VARCHAR)
                  END AS "attributed_by",
                  COALESCE("t60"."campaign_id", "t60"."code_campaign_id", "t60"."call_campaign_id") AS "__d0"
                FROM (
                  SELECT
                    "t8"."order_id",
                    "t8"."contact_id",
                    "t8"."ordered_at",
                    "t8"."amount",
                    "t8"."margin",
                    "t8"."campaign_id",
                    "t8"."tracking_code",
                    "t35"."code",
                    "t35"."code_campaign_id",
                    "t58"."order_id" AS "order_id_right",
                    "t58"."call_campaign_id",
                    "t58"."call_agent_id",
                    "t58"."call_lead_id",
                    "t57"."converted_order_id",
                    "t57"."converted_lead_id"
                  FROM "orders" AS "t8"
                  LEFT OUTER JOIN (
                    SELECT
                      "t21"."code",
                      MIN("t21"."code_campaign_id") AS "code_campaign_id"
                    FROM (
                      SELECT
                        "t3"."tracking_code" AS "code",
                        "t3"."campaign_id" AS "code_campaign_id"
                      FROM "campaigns" AS "t3"
                      WHERE
                        "t3"."tracking_code" IS NOT NULL
                    ) AS "t21"
                    GROUP BY
                      1
                  ) AS "t35"
                    ON "t8"."tracking_code" = "t35"."code"
                  LEFT OUTER JOIN (
                    SELECT
                      "t53"."order_id",
                      "t53"."call_campaign_id",
                      "t53"."call_agent_id",
                      "t53"."call_lead_id"
                    FROM (
                      SELECT
                        "t51"."order_id",
                        "t51"."contact_id",
                        "t51"."ordered_at",
                        "t51"."call_contact_id",
                        "t51"."call_started_at",
                        "t51"."call_campaign_id",
                        "t51"."call_agent_id",
                        "t51"."call_lead_id",
                        "t51"."call_id"
                      FROM (
                        SELECT
                          *
                        FROM (
                          SELECT
                            "t38"."order_id",
                            "t38"."contact_id",
                            "t38"."ordered_at",
                            "t38"."call_contact_id",
                            "t38"."call_started_at",
                            "t38"."call_campaign_id",
                            "t38"."call_agent_id",
                            "t38"."call_lead_id",
                            "t38"."call_id",
                            ROW_NUMBER() OVER (
                              PARTITION BY "t38"."order_id"
                              ORDER BY "t38"."call_started_at" DESC NULLS LAST, "t38"."call_id" DESC NULLS LAST
                              ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING
                            ) - 1 AS "__rank"
                          FROM (
                            SELECT
                              "t19"."order_id",
                              "t19"."contact_id",
                              "t19"."ordered_at",
                              "t23"."call_contact_id",
                              "t23"."call_started_at",
                              "t23"."call_campaign_id",
                              "t23"."call_agent_id",
                              "t23"."call_lead_id",
                              "t23"."call_id"
                            FROM (
                              SELECT
                                "t1"."order_id",
                                "t1"."contact_id",
                                "t1"."ordered_at"
                              FROM "orders" AS "t1"
                            ) AS "t19"
                            INNER JOIN (
                              SELECT
                                "t4"."contact_id" AS "call_contact_id",
                                "t4"."started_at" AS "call_started_at",
                                "t4"."campaign_id" AS "call_campaign_id",
                                "t4"."agent_id" AS "call_agent_id",
                                "t4"."lead_id" AS "call_lead_id",
                                "t4"."call_id"
                              FROM "calls" AS "t4"
                            ) AS "t23"
                              ON "t19"."contact_id" = "t23"."call_contact_id"
                              AND "t23"."call_started_at" <= "t19"."ordered_at"
                              AND "t23"."call_started_at" >= (
                                "t19"."ordered_at" - INTERVAL '30 DAY'
                              )
                          ) AS "t38"
                        ) AS "t47"
                        WHERE
                          "t47"."__rank" = 0
                      ) AS "t51"
                    ) AS "t53"
                  ) AS "t58"
                    ON "t8"."order_id" = "t58"."order_id"
                  LEFT OUTER JOIN (
                    SELECT
                      "t52"."order_id" AS "converted_order_id",
                      "t52"."converted_lead_id"
                    FROM (
                      SELECT
                        "t50"."order_id",
                        "t50"."order_contact",
                        "t50"."order_at",
                        "t50"."converted_lead_id",
                        "t50"."lead_contact",
                        "t50"."lead_converted_at"
                      FROM (
                        SELECT
                          *
                        FROM (
                          SELECT
                            "t37"."order_id",
                            "t37"."order_contact",
                            "t37"."order_at",
                            "t37"."converted_lead_id",
                            "t37"."lead_contact",
                            "t37"."lead_converted_at",
                            ROW_NUMBER() OVER (
                              PARTITION BY "t37"."order_id"
                              ORDER BY "t37"."lead_converted_at" DESC NULLS LAST, "t37"."converted_lead_id" DESC NULLS LAST
                              ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING
                            ) - 1 AS "__rank"
                          FROM (
                            SELECT
                              "t20"."order_id",
                              "t20"."order_contact",
                              "t20"."order_at",
                              "t26"."converted_lead_id",
                              "t26"."lead_contact",
                              "t26"."lead_converted_at"
                            FROM (
                              SELECT
                                "t1"."order_id",
                                "t1"."contact_id" AS "order_contact",
                                "t1"."ordered_at" AS "order_at"
                              FROM "orders" AS "t1"
                            ) AS "t20"
                            INNER JOIN (
                              SELECT
                                "t0"."lead_id" AS "converted_lead_id",
                                "t0"."contact_id" AS "lead_contact",
                                "t0"."converted_at" AS "lead_converted_at"
                              FROM "leads" AS "t0"
                              WHERE
                                "t0"."converted_at" IS NOT NULL
                            ) AS "t26"
                              ON "t20"."order_contact" = "t26"."lead_contact"
                              AND "t26"."lead_converted_at" <= "t20"."order_at"
                          ) AS "t37"
                        ) AS "t46"
                        WHERE
                          "t46"."__rank" = 0
                      ) AS "t50"
                    ) AS "t52"
                  ) AS "t57"
                    ON "t8"."order_id" = "t57"."converted_order_id"
                ) AS "t60"
                WHERE
                  "t60"."ordered_at" IS NOT NULL
              ) AS "t66"
              GROUP BY
                1
            ) AS "t72"
          ) AS "t74"
        ) AS "t96"
        UNION ALL
        SELECT
          *
        FROM (
          SELECT
            "t70"."__d0",
            CAST(NULL AS DOUBLE PRECISION) AS "cost",
            CAST(NULL AS DOUBLE PRECISION) AS "revenue",
            CAST("t70"."leads" AS DOUBLE PRECISION) AS "leads",
            CAST(NULL AS DOUBLE PRECISION) AS "acquired_customers"
          FROM (
            SELECT
              "t67"."__d0",
              COUNT(*) AS "leads"
            FROM (
              SELECT
                "t62"."lead_id",
                "t62"."contact_id",
                "t62"."campaign_id",
                "t62"."source",
                "t62"."created_at",
                "t62"."status",
                "t62"."converted_at",
                "t62"."calls_made",
                "t62"."contact_calls",
                "t62"."contacted",
                "t62"."converted",
                "t62"."first_call_at",
                "t62"."first_response_at",
                "t62"."minutes_to_first_response",
                "t62"."response_delay",
                "t62"."interactions_before_conversion",
                "t62"."campaign_id" AS "__d0"
              FROM "t61" AS "t62"
              WHERE
                "t62"."created_at" IS NOT NULL
            ) AS "t67"
            GROUP BY
              1
          ) AS "t70"
        ) AS "t75"
      ) AS "t97"
      UNION ALL
      SELECT
        *
      FROM (
        SELECT
          "t73"."__d0",
          CAST(NULL AS DOUBLE PRECISION) AS "cost",
          CAST(NULL AS DOUBLE PRECISION) AS "revenue",
          CAST(NULL AS DOUBLE PRECISION) AS "leads",
          CAST("t73"."acquired_customers" AS DOUBLE PRECISION) AS "acquired_customers"
        FROM (
          SELECT
            "t68"."__d0",
            COUNT(DISTINCT "t68"."contact_id") FILTER(WHERE
              "t68"."converted") AS "acquired_customers"
          FROM (
            SELECT
              "t62"."lead_id",
              "t62"."contact_id",
              "t62"."campaign_id",
              "t62"."source",
              "t62"."created_at",
              "t62"."status",
              "t62"."converted_at",
              "t62"."calls_made",
              "t62"."contact_calls",
              "t62"."contacted",
              "t62"."converted",
              "t62"."first_call_at",
              "t62"."first_response_at",
              "t62"."minutes_to_first_response",
              "t62"."response_delay",
              "t62"."interactions_before_conversion",
              "t62"."campaign_id" AS "__d0"
            FROM "t61" AS "t62"
            WHERE
              "t62"."converted_at" IS NOT NULL
          ) AS "t68"
          GROUP BY
            1
        ) AS "t73"
      ) AS "t76"
    ) AS "t98"
    GROUP BY
      1
  ) AS "t99"
  ORDER BY
    "t99"."__d0" ASC
) AS "t100";
