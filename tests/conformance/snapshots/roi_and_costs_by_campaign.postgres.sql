-- roi_and_costs_by_campaign (postgres)
WITH "t60" AS (
  SELECT
    "t7"."lead_id",
    "t7"."contact_id",
    "t7"."campaign_id",
    "t7"."source",
    "t7"."created_at",
    "t7"."status",
    "t7"."converted_at",
    COALESCE("t47"."lead_calls", 0) AS "calls_made",
    COALESCE("t47"."lead_contact_calls", 0) AS "contact_calls",
    COALESCE("t47"."lead_contact_calls", 0) > 0 AS "contacted",
    "t7"."converted_at" IS NOT NULL AS "converted",
    "t47"."lead_first_call_at" AS "first_call_at",
    CASE
      WHEN "t47"."lead_first_call_at" IS NULL
      THEN "t43"."lead_first_touch_at"
      WHEN (
        "t43"."lead_first_touch_at" IS NULL
      )
      OR (
        "t47"."lead_first_call_at" <= "t43"."lead_first_touch_at"
      )
      THEN "t47"."lead_first_call_at"
      ELSE "t43"."lead_first_touch_at"
    END AS "first_response_at",
    CAST(EXTRACT('epoch' FROM CASE
      WHEN "t47"."lead_first_call_at" IS NULL
      THEN "t43"."lead_first_touch_at"
      WHEN (
        "t43"."lead_first_touch_at" IS NULL
      )
      OR (
        "t47"."lead_first_call_at" <= "t43"."lead_first_touch_at"
      )
      THEN "t47"."lead_first_call_at"
      ELSE "t43"."lead_first_touch_at"
    END) - EXTRACT('epoch' FROM "t7"."created_at") AS DOUBLE PRECISION) / 60.0 AS "minutes_to_first_response",
    CASE
      WHEN (
        CAST(EXTRACT('epoch' FROM CASE
          WHEN "t47"."lead_first_call_at" IS NULL
          THEN "t43"."lead_first_touch_at"
          WHEN (
            "t43"."lead_first_touch_at" IS NULL
          )
          OR (
            "t47"."lead_first_call_at" <= "t43"."lead_first_touch_at"
          )
          THEN "t47"."lead_first_call_at"
          ELSE "t43"."lead_first_touch_at"
        END) - EXTRACT('epoch' FROM "t7"."created_at") AS DOUBLE PRECISION) / 60.0
      ) IS NULL
      THEN 'none'
      WHEN (
        CAST(EXTRACT('epoch' FROM CASE
          WHEN "t47"."lead_first_call_at" IS NULL
          THEN "t43"."lead_first_touch_at"
          WHEN (
            "t43"."lead_first_touch_at" IS NULL
          )
          OR (
            "t47"."lead_first_call_at" <= "t43"."lead_first_touch_at"
          )
          THEN "t47"."lead_first_call_at"
          ELSE "t43"."lead_first_touch_at"
        END) - EXTRACT('epoch' FROM "t7"."created_at") AS DOUBLE PRECISION) / 60.0
      ) < 5
      THEN '0-5min'
      WHEN (
        CAST(EXTRACT('epoch' FROM CASE
          WHEN "t47"."lead_first_call_at" IS NULL
          THEN "t43"."lead_first_touch_at"
          WHEN (
            "t43"."lead_first_touch_at" IS NULL
          )
          OR (
            "t47"."lead_first_call_at" <= "t43"."lead_first_touch_at"
          )
          THEN "t47"."lead_first_call_at"
          ELSE "t43"."lead_first_touch_at"
        END) - EXTRACT('epoch' FROM "t7"."created_at") AS DOUBLE PRECISION) / 60.0
      ) < 60
      THEN '5-60min'
      WHEN (
        CAST(EXTRACT('epoch' FROM CASE
          WHEN "t47"."lead_first_call_at" IS NULL
          THEN "t43"."lead_first_touch_at"
          WHEN (
            "t43"."lead_first_touch_at" IS NULL
          )
          OR (
            "t47"."lead_first_call_at" <= "t43"."lead_first_touch_at"
          )
          THEN "t47"."lead_first_call_at"
          ELSE "t43"."lead_first_touch_at"
        END) - EXTRACT('epoch' FROM "t7"."created_at") AS DOUBLE PRECISION) / 60.0
      ) < 1440
      THEN '1-24h'
      ELSE '24h+'
    END AS "response_delay",
    COALESCE("t47"."lead_calls_before", 0) + COALESCE("t43"."lead_touches_before", 0) AS "interactions_before_conversion"
  FROM "leads" AS "t7"
  LEFT OUTER JOIN (
    SELECT
      "t38"."lead_id",
      COUNT(*) AS "lead_calls",
      COUNT(*) FILTER(WHERE
        "t38"."outcome" IN ('refused', 'callback', 'do_not_call', 'promise', 'appointment', 'sale')) AS "lead_contact_calls",
      MIN("t38"."started_at") AS "lead_first_call_at",
      COUNT(*) FILTER(WHERE
        "t38"."started_at" <= "t38"."call_converted_at") AS "lead_calls_before"
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
        "t17"."call_lead_id",
        "t17"."call_converted_at"
      FROM (
        SELECT
          *
        FROM "calls" AS "t5"
        WHERE
          "t5"."lead_id" IS NOT NULL
      ) AS "t27"
      INNER JOIN (
        SELECT
          "t0"."lead_id" AS "call_lead_id",
          "t0"."converted_at" AS "call_converted_at"
        FROM "leads" AS "t0"
      ) AS "t17"
        ON "t27"."lead_id" = "t17"."call_lead_id"
    ) AS "t38"
    GROUP BY
      1
  ) AS "t47"
    ON "t7"."lead_id" = "t47"."lead_id"
  LEFT OUTER JOIN (
    SELECT
      "t33"."touch_lead_id",
      MIN("t33"."at") AS "lead_first_touch_at",
      COUNT(*) FILTER(WHERE
        "t33"."at" <= "t33"."touch_converted_at") AS "lead_touches_before"
    FROM (
      SELECT
        "t16"."touch_lead_id",
        "t16"."touch_contact_id",
        "t16"."touch_created_at",
        "t16"."touch_converted_at",
        "t10"."touch_id",
        "t10"."contact_id",
        "t10"."at",
        "t10"."channel",
        "t10"."direction",
        "t10"."responded"
      FROM (
        SELECT
          "t0"."lead_id" AS "touch_lead_id",
          "t0"."contact_id" AS "touch_contact_id",
          "t0"."created_at" AS "touch_created_at",
          "t0"."converted_at" AS "touch_converted_at"
        FROM "leads" AS "t0"
      ) AS "t16"
      INNER JOIN "touches" AS "t10"
        ON "t16"."touch_contact_id" = "t10"."contact_id"
        AND "t10"."at" >= "t16"."touch_created_at"
    ) AS "t33"
    GROUP BY
      1
  ) AS "t43"
    ON "t7"."lead_id" = "t43"."touch_lead_id"
), "t62" AS (
  SELECT
    *
  FROM (
    SELECT
      "t55"."cost_id",
      "t55"."driver_campaign_id" AS "alloc_campaign_id",
      SUM("t55"."weight") AS "weight"
    FROM (
      SELECT
        "t48"."cost_id",
        "t48"."campaign_id",
        "t48"."period_start",
        "t48"."period_end",
        "t48"."category",
        "t48"."kind",
        "t48"."amount",
        "t48"."allocation",
        "t48"."rule",
        "t48"."days",
        "t48"."driver_campaign_id",
        "t48"."day",
        "t48"."by_calls",
        "t48"."by_talk_time",
        "t48"."by_leads",
        CASE
          WHEN "t48"."rule" = 'by_talk_time'
          THEN "t48"."by_talk_time"
          WHEN "t48"."rule" = 'by_leads'
          THEN "t48"."by_leads"
          ELSE "t48"."by_calls"
        END AS "weight"
      FROM (
        SELECT
          "t31"."cost_id",
          "t31"."campaign_id",
          "t31"."period_start",
          "t31"."period_end",
          "t31"."category",
          "t31"."kind",
          "t31"."amount",
          "t31"."allocation",
          "t31"."rule",
          "t31"."days",
          "t42"."driver_campaign_id",
          "t42"."day",
          "t42"."by_calls",
          "t42"."by_talk_time",
          "t42"."by_leads"
        FROM (
          SELECT
            "t3"."cost_id",
            "t3"."campaign_id",
            "t3"."period_start",
            "t3"."period_end",
            "t3"."category",
            "t3"."kind",
            "t3"."amount",
            "t3"."allocation",
            COALESCE("t3"."allocation", 'by_calls') AS "rule",
            CAST(CAST(EXTRACT(epoch FROM CAST("t3"."period_end" AS TIMESTAMP) - CAST("t3"."period_start" AS TIMESTAMP)) / 86400 AS BIGINT) + 1 AS DOUBLE PRECISION) AS "days"
          FROM "costs" AS "t3"
          WHERE
            "t3"."campaign_id" IS NULL
        ) AS "t31"
        INNER JOIN (
          SELECT
            "t39"."campaign_id" AS "driver_campaign_id",
            "t39"."day",
            "t39"."by_calls",
            "t39"."by_talk_time",
            "t39"."by_leads"
          FROM (
            SELECT
              *
            FROM (
              SELECT
                "t25"."campaign_id",
                "t25"."day",
                CAST(COUNT(*) AS DOUBLE PRECISION) AS "by_calls",
                SUM(COALESCE("t25"."talk_s", 0)) AS "by_talk_time",
                0.0 AS "by_leads"
              FROM (
                SELECT
                  "t5"."call_id",
                  "t5"."campaign_id",
                  "t5"."agent_id",
                  "t5"."contact_id",
                  "t5"."lead_id",
                  "t5"."direction",
                  "t5"."started_at",
                  "t5"."ring_s",
                  "t5"."talk_s",
                  "t5"."hold_s",
                  "t5"."wrap_s",
                  "t5"."outcome",
                  "t5"."attempt_no",
                  "t5"."tracking_code",
                  DATE("t5"."started_at") AS "day"
                FROM "calls" AS "t5"
                WHERE
                  "t5"."campaign_id" IS NOT NULL
              ) AS "t25"
              GROUP BY
                1,
                2
            ) AS "t35"
            UNION ALL
            SELECT
              *
            FROM (
              SELECT
                "t19"."campaign_id",
                "t19"."day",
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
              ) AS "t19"
              GROUP BY
                1,
                2
            ) AS "t30"
          ) AS "t39"
        ) AS "t42"
          ON "t42"."day" >= "t31"."period_start" AND "t42"."day" <= "t31"."period_end"
      ) AS "t48"
    ) AS "t55"
    GROUP BY
      1,
      2
  ) AS "t58"
  WHERE
    "t58"."weight" > 0
)
SELECT
  "t94"."__d0" AS "campaign",
  CAST((
    "t94"."revenue" - "t94"."cost"
  ) AS DOUBLE PRECISION) / NULLIF("t94"."cost", 0) AS "roi",
  CAST("t94"."cost" AS DOUBLE PRECISION) / NULLIF("t94"."leads", 0) AS "cpl",
  "t94"."cost" AS "cpl_numerator",
  "t94"."leads" AS "cpl_denominator",
  CAST("t94"."cost" AS DOUBLE PRECISION) / NULLIF("t94"."acquired_customers", 0) AS "cac",
  "t94"."cost" AS "cac_numerator",
  "t94"."acquired_customers" AS "cac_denominator",
  "t94"."cost",
  "t94"."revenue"
FROM (
  SELECT
    "t93"."__d0",
    COALESCE("t93"."cost", 0.0) AS "cost",
    COALESCE("t93"."revenue", 0.0) AS "revenue",
    COALESCE("t93"."leads", 0.0) AS "leads",
    COALESCE("t93"."acquired_customers", 0.0) AS "acquired_customers"
  FROM (
    SELECT
      "t92"."__d0",
      MAX("t92"."cost") AS "cost",
      MAX("t92"."revenue") AS "revenue",
      MAX("t92"."leads") AS "leads",
      MAX("t92"."acquired_customers") AS "acquired_customers"
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
              "t88"."__d0",
              "t88"."cost",
              CAST(NULL AS DOUBLE PRECISION) AS "revenue",
              CAST(NULL AS DOUBLE PRECISION) AS "leads",
              CAST(NULL AS DOUBLE PRECISION) AS "acquired_customers"
            FROM (
              SELECT
                "t87"."__d0",
                SUM("t87"."amount") AS "cost"
              FROM (
                SELECT
                  "t86"."cost_id",
                  "t86"."campaign_id",
                  "t86"."category",
                  "t86"."kind",
                  "t86"."rule",
                  "t86"."day",
                  CAST(NULL AS VARCHAR) AS "source",
                  CAST((
                    "t86"."amount" * "t86"."share"
                  ) AS DOUBLE PRECISION) / "t86"."days" AS "amount",
                  "t86"."campaign_id" AS "__d0"
                FROM (
                  SELECT
                    "t85"."cost_id",
                    "t85"."campaign_id",
                    "t85"."period_start",
                    "t85"."period_end",
                    "t85"."category",
                    "t85"."kind",
                    "t85"."amount",
                    "t85"."allocation",
                    "t85"."rule",
                    "t85"."days",
                    "t85"."share",
                    "t9"."day",
                    "t9"."week_start",
                    "t9"."month_start",
                    "t9"."quarter_start",
                    "t9"."year",
                    "t9"."iso_weekday"
                  FROM (
                    SELECT
                      *
                    FROM (
                      SELECT
                        *
                      FROM (
                        SELECT
                          "t3"."cost_id",
                          "t3"."campaign_id",
                          "t3"."period_start",
                          "t3"."period_end",
                          "t3"."category",
                          "t3"."kind",
                          "t3"."amount",
                          "t3"."allocation",
                          COALESCE("t3"."allocation", 'by_calls') AS "rule",
                          CAST(CAST(EXTRACT(epoch FROM CAST("t3"."period_end" AS TIMESTAMP) - CAST("t3"."period_start" AS TIMESTAMP)) / 86400 AS BIGINT) + 1 AS DOUBLE PRECISION) AS "days",
                          1.0 AS "share"
                        FROM "costs" AS "t3"
                        WHERE
                          "t3"."campaign_id" IS NOT NULL
                      ) AS "t28"
                      UNION ALL
                      SELECT
                        *
                      FROM (
                        SELECT
                          "t80"."cost_id",
                          "t80"."alloc_campaign_id" AS "campaign_id",
                          "t80"."period_start",
                          "t80"."period_end",
                          "t80"."category",
                          "t80"."kind",
                          "t80"."amount",
                          "t80"."allocation",
                          "t80"."rule",
                          "t80"."days",
                          "t80"."share"
                        FROM (
                          SELECT
                            "t31"."cost_id",
                            "t31"."campaign_id",
                            "t31"."period_start",
                            "t31"."period_end",
                            "t31"."category",
                            "t31"."kind",
                            "t31"."amount",
                            "t31"."allocation",
                            "t31"."rule",
                            "t31"."days",
                            "t78"."alloc_campaign_id",
                            "t78"."weight",
                            "t78"."total",
                            "t78"."share"
                          FROM (
                            SELECT
                              "t3"."cost_id",
                              "t3"."campaign_id",
                              "t3"."period_start",
                              "t3"."period_end",
                              "t3"."category",
                              "t3"."kind",
                              "t3"."amount",
                              "t3"."allocation",
                              COALESCE("t3"."allocation", 'by_calls') AS "rule",
                              CAST(CAST(EXTRACT(epoch FROM CAST("t3"."period_end" AS TIMESTAMP) - CAST("t3"."period_start" AS TIMESTAMP)) / 86400 AS BIGINT) + 1 AS DOUBLE PRECISION) AS "days"
                            FROM "costs" AS "t3"
                            WHERE
                              "t3"."campaign_id" IS NULL
                          ) AS "t31"
                          INNER JOIN (
                            SELECT
                              "t76"."cost_id",
                              "t76"."alloc_campaign_id",
                              "t76"."weight",
                              "t76"."total",
                              CAST("t76"."weight" AS DOUBLE PRECISION) / "t76"."total" AS "share"
                            FROM (
                              SELECT
                                "t64"."cost_id",
                                "t64"."alloc_campaign_id",
                                "t64"."weight",
                                "t70"."total"
                              FROM "t62" AS "t64"
                              INNER JOIN (
                                SELECT
                                  "t63"."cost_id",
                                  SUM("t63"."weight") AS "total"
                                FROM "t62" AS "t63"
                                GROUP BY
                                  1
                              ) AS "t70"
                                ON "t64"."cost_id" = "t70"."cost_id"
                            ) AS "t76"
                          ) AS "t78"
                            ON "t31"."cost_id" = "t78"."cost_id"
                        ) AS "t80"
                      ) AS "t82"
                    ) AS "t83"
                    UNION ALL
                    SELECT
                      *
                    FROM (
                      SELECT
                        "t79"."cost_id",
                        "t79"."campaign_id",
                        "t79"."period_start",
                        "t79"."period_end",
                        "t79"."category",
                        "t79"."kind",
                        "t79"."amount",
                        "t79"."allocation",
                        "t79"."rule",
                        "t79"."days",
                        1.0 AS "share"
                      FROM (
                        SELECT
                          "t31"."cost_id",
                          "t31"."campaign_id",
                          "t31"."period_start",
                          "t31"."period_end",
                          "t31"."category",
                          "t31"."kind",
                          "t31"."amount",
                          "t31"."allocation",
                          "t31"."rule",
                          "t31"."days"
                        FROM (
                          SELECT
                            "t3"."cost_id",
                            "t3"."campaign_id",
                            "t3"."period_start",
                            "t3"."period_end",
                            "t3"."category",
                            "t3"."kind",
                            "t3"."amount",
                            "t3"."allocation",
                            COALESCE("t3"."allocation", 'by_calls') AS "rule",
                            CAST(CAST(EXTRACT(epoch FROM CAST("t3"."period_end" AS TIMESTAMP) - CAST("t3"."period_start" AS TIMESTAMP)) / 86400 AS BIGINT) + 1 AS DOUBLE PRECISION) AS "days"
                          FROM "costs" AS "t3"
                          WHERE
                            "t3"."campaign_id" IS NULL
                        ) AS "t31"
                        WHERE
                          NOT EXISTS(
                            SELECT
                              1
                            FROM (
                              SELECT
                                "t76"."cost_id",
                                "t76"."alloc_campaign_id",
                                "t76"."weight",
                                "t76"."total",
                                CAST("t76"."weight" AS DOUBLE PRECISION) / "t76"."total" AS "share"
                              FROM (
                                SELECT
                                  "t64"."cost_id",
                                  "t64"."alloc_campaign_id",
                                  "t64"."weight",
                                  "t70"."total"
                                FROM "t62" AS "t64"
                                INNER JOIN (
                                  SELECT
                                    "t63"."cost_id",
                                    SUM("t63"."weight") AS "total"
                                  FROM "t62" AS "t63"
                                  GROUP BY
                                    1
                                ) AS "t70"
                                  ON "t64"."cost_id" = "t70"."cost_id"
                              ) AS "t76"
                            ) AS "t78"
                            WHERE
                              "t31"."cost_id" = "t78"."cost_id"
                          )
                      ) AS "t79"
                    ) AS "t81"
                  ) AS "t85"
                  INNER JOIN "calendar" AS "t9"
                    ON "t9"."day" >= "t85"."period_start" AND "t9"."day" <= "t85"."period_end"
                ) AS "t86"
                WHERE
                  "t86"."day" IS NOT NULL
              ) AS "t87"
              GROUP BY
                1
            ) AS "t88"
          ) AS "t89"
          UNION ALL
          SELECT
            *
          FROM (
            SELECT
              "t71"."__d0",
              CAST(NULL AS DOUBLE PRECISION) AS "cost",
              "t71"."revenue",
              CAST(NULL AS DOUBLE PRECISION) AS "leads",
              CAST(NULL AS DOUBLE PRECISION) AS "acquired_customers"
            FROM (
              SELECT
                "t65"."__d0",
                SUM("t65"."amount") AS "revenue"
              FROM (
                SELECT
                  "t59"."order_id",
                  "t59"."contact_id",
                  "t59"."ordered_at",
                  "t59"."amount",
                  "t59"."margin",
                  COALESCE("t59"."campaign_id", "t59"."code_campaign_id", "t59"."call_campaign_id") AS "campaign_id",
                  "t59"."tracking_code",
                  "t59"."call_agent_id" AS "agent_id",
                  COALESCE("t59"."call_lead_id", "t59"."converted_lead_id") AS "lead_id",
                  CASE
                    WHEN "t59"."campaign_id" IS NOT NULL
                    THEN 'campaign'
                    WHEN "t59"."code_campaign_id" IS NOT NULL
                    THEN 'tracking_code'
                    WHEN "t59"."call_campaign_id" IS NOT NULL
                    THEN 'last_call'
                    ELSE CAST(NULL AS VARCHAR)
                  END AS "attributed_by",
                  COALESCE("t59"."campaign_id", "t59"."code_campaign_id", "t59"."call_campaign_id") AS "__d0"
                FROM (
                  SELECT
                    "t8"."order_id",
                    "t8"."contact_id",
                    "t8"."ordered_at",
                    "t8"."amount",
                    "t8"."margin",
                    "t8"."campaign_id",
                    "t8"."tracking_code",
                    "t34"."code",
                    "t34"."code_campaign_id",
                    "t57"."order_id" AS "order_id_right",
                    "t57"."call_campaign_id",
                    "t57"."call_agent_id",
                    "t57"."call_lead_id",
                    "t56"."converted_order_id",
                    "t56"."converted_lead_id"
                  FROM "orders" AS "t8"
                  LEFT OUTER JOIN (
                    SELECT
                      "t22"."code",
                      MIN("t22"."code_campaign_id") AS "code_campaign_id"
                    FROM (
                      SELECT
                        "t4"."tracking_code" AS "code",
                        "t4"."campaign_id" AS "code_campaign_id"
                      FROM "campaigns" AS "t4"
                      WHERE
                        "t4"."tracking_code" IS NOT NULL
                    ) AS "t22"
                    GROUP BY
                      1
                  ) AS "t34"
                    ON "t8"."tracking_code" = "t34"."code"
                  LEFT OUTER JOIN (
                    SELECT
                      "t52"."order_id",
                      "t52"."call_campaign_id",
                      "t52"."call_agent_id",
                      "t52"."call_lead_id"
                    FROM (
                      SELECT
                        "t50"."order_id",
                        "t50"."contact_id",
                        "t50"."ordered_at",
                        "t50"."call_contact_id",
                        "t50"."call_started_at",
                        "t50"."call_campaign_id",
                        "t50"."call_agent_id",
                        "t50"."call_lead_id",
                        "t50"."call_id"
                      FROM (
                        SELECT
                          *
                        FROM (
                          SELECT
                            "t37"."order_id",
                            "t37"."contact_id",
                            "t37"."ordered_at",
                            "t37"."call_contact_id",
                            "t37"."call_started_at",
                            "t37"."call_campaign_id",
                            "t37"."call_agent_id",
                            "t37"."call_lead_id",
                            "t37"."call_id",
                            ROW_NUMBER() OVER (
                              PARTITION BY "t37"."order_id"
                              ORDER BY "t37"."call_started_at" DESC NULLS LAST, "t37"."call_id" DESC NULLS LAST
                              ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING
                            ) - 1 AS "__rank"
                          FROM (
                            SELECT
                              "t20"."order_id",
                              "t20"."contact_id",
                              "t20"."ordered_at",
                              "t24"."call_contact_id",
                              "t24"."call_started_at",
                              "t24"."call_campaign_id",
                              "t24"."call_agent_id",
                              "t24"."call_lead_id",
                              "t24"."call_id"
                            FROM (
                              SELECT
                                "t1"."order_id",
                                "t1"."contact_id",
                                "t1"."ordered_at"
                              FROM "orders" AS "t1"
                            ) AS "t20"
                            INNER JOIN (
                              SELECT
                                "t5"."contact_id" AS "call_contact_id",
                                "t5"."started_at" AS "call_started_at",
                                "t5"."campaign_id" AS "call_campaign_id",
                                "t5"."agent_id" AS "call_agent_id",
                                "t5"."lead_id" AS "call_lead_id",
                                "t5"."call_id"
                              FROM "calls" AS "t5"
                            ) AS "t24"
                              ON "t20"."contact_id" = "t24"."call_contact_id"
                              AND "t24"."call_started_at" <= "t20"."ordered_at"
                              AND "t24"."call_started_at" >= (
                                "t20"."ordered_at" - INTERVAL '30 DAY'
                              )
                          ) AS "t37"
                        ) AS "t46"
                        WHERE
                          "t46"."__rank" = 0
                      ) AS "t50"
                    ) AS "t52"
                  ) AS "t57"
                    ON "t8"."order_id" = "t57"."order_id"
                  LEFT OUTER JOIN (
                    SELECT
                      "t51"."order_id" AS "converted_order_id",
                      "t51"."converted_lead_id"
                    FROM (
                      SELECT
                        "t49"."order_id",
                        "t49"."order_contact",
                        "t49"."order_at",
                        "t49"."converted_lead_id",
                        "t49"."lead_contact",
                        "t49"."lead_converted_at"
                      FROM (
                        SELECT
                          *
                        FROM (
                          SELECT
                            "t36"."order_id",
                            "t36"."order_contact",
                            "t36"."order_at",
                            "t36"."converted_lead_id",
                            "t36"."lead_contact",
                            "t36"."lead_converted_at",
                            ROW_NUMBER() OVER (
                              PARTITION BY "t36"."order_id"
                              ORDER BY "t36"."lead_converted_at" DESC NULLS LAST, "t36"."converted_lead_id" DESC NULLS LAST
                              ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING
                            ) - 1 AS "__rank"
                          FROM (
                            SELECT
                              "t21"."order_id",
                              "t21"."order_contact",
                              "t21"."order_at",
                              "t26"."converted_lead_id",
                              "t26"."lead_contact",
                              "t26"."lead_converted_at"
                            FROM (
                              SELECT
                                "t1"."order_id",
                                "t1"."contact_id" AS "order_contact",
                                "t1"."ordered_at" AS "order_at"
                              FROM "orders" AS "t1"
                            ) AS "t21"
                            INNER JOIN (
                              SELECT
                                "t0"."lead_id" AS "converted_lead_id",
                                "t0"."contact_id" AS "lead_contact",
                                "t0"."converted_at" AS "lead_converted_at"
                              FROM "leads" AS "t0"
                              WHERE
                                "t0"."converted_at" IS NOT NULL
                            ) AS "t26"
                              ON "t21"."order_contact" = "t26"."lead_contact"
                              AND "t26"."lead_converted_at" <= "t21"."order_at"
                          ) AS "t36"
                        ) AS "t45"
                        WHERE
                          "t45"."__rank" = 0
                      ) AS "t49"
                    ) AS "t51"
                  ) AS "t56"
                    ON "t8"."order_id" = "t56"."converted_order_id"
                ) AS "t59"
                WHERE
                  "t59"."ordered_at" IS NOT NULL
              ) AS "t65"
              GROUP BY
                1
            ) AS "t71"
          ) AS "t73"
        ) AS "t90"
        UNION ALL
        SELECT
          *
        FROM (
          SELECT
            "t69"."__d0",
            CAST(NULL AS DOUBLE PRECISION) AS "cost",
            CAST(NULL AS DOUBLE PRECISION) AS "revenue",
            CAST("t69"."leads" AS DOUBLE PRECISION) AS "leads",
            CAST(NULL AS DOUBLE PRECISION) AS "acquired_customers"
          FROM (
            SELECT
              "t66"."__d0",
              COUNT(*) AS "leads"
            FROM (
              SELECT
                "t61"."lead_id",
                "t61"."contact_id",
                "t61"."campaign_id",
                "t61"."source",
                "t61"."created_at",
                "t61"."status",
                "t61"."converted_at",
                "t61"."calls_made",
                "t61"."contact_calls",
                "t61"."contacted",
                "t61"."converted",
                "t61"."first_call_at",
                "t61"."first_response_at",
                "t61"."minutes_to_first_response",
                "t61"."response_delay",
                "t61"."interactions_before_conversion",
                "t61"."campaign_id" AS "__d0"
              FROM "t60" AS "t61"
              WHERE
                "t61"."created_at" IS NOT NULL
            ) AS "t66"
            GROUP BY
              1
          ) AS "t69"
        ) AS "t74"
      ) AS "t91"
      UNION ALL
      SELECT
        *
      FROM (
        SELECT
          "t72"."__d0",
          CAST(NULL AS DOUBLE PRECISION) AS "cost",
          CAST(NULL AS DOUBLE PRECISION) AS "revenue",
          CAST(NULL AS DOUBLE PRECISION) AS "leads",
          CAST("t72"."acquired_customers" AS DOUBLE PRECISION) AS "acquired_customers"
        FROM (
          SELECT
            "t67"."__d0",
            COUNT(DISTINCT "t67"."contact_id") FILTER(WHERE
              "t67"."converted") AS "acquired_customers"
          FROM (
            SELECT
              "t61"."lead_id",
              "t61"."contact_id",
              "t61"."campaign_id",
              "t61"."source",
              "t61"."created_at",
              "t61"."status",
              "t61"."converted_at",
              "t61"."calls_made",
              "t61"."contact_calls",
              "t61"."contacted",
              "t61"."converted",
              "t61"."first_call_at",
              "t61"."first_response_at",
              "t61"."minutes_to_first_response",
              "t61"."response_delay",
              "t61"."interactions_before_conversion",
              "t61"."campaign_id" AS "__d0"
            FROM "t60" AS "t61"
            WHERE
              "t61"."converted_at" IS NOT NULL
          ) AS "t67"
          GROUP BY
            1
        ) AS "t72"
      ) AS "t75"
    ) AS "t92"
    GROUP BY
      1
  ) AS "t93"
  ORDER BY
    "t93"."__d0" ASC
) AS "t94";
