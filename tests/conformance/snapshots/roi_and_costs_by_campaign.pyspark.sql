-- roi_and_costs_by_campaign (pyspark)
WITH `t64` AS (
  SELECT
    `t7`.`lead_id`,
    `t7`.`contact_id`,
    `t7`.`campaign_id`,
    `t7`.`source`,
    `t7`.`created_at`,
    `t7`.`status`,
    `t7`.`converted_at`,
    COALESCE(`t51`.`lead_calls`, 0) AS `calls_made`,
    COALESCE(`t51`.`lead_contact_calls`, 0) AS `contact_calls`,
    COALESCE(`t51`.`lead_contact_calls`, 0) > 0 AS `contacted`,
    `t7`.`converted_at` IS NOT NULL AS `converted`,
    `t51`.`lead_first_call_at` AS `first_call_at`,
    CASE
      WHEN `t51`.`lead_first_call_at` IS NULL
      THEN `t46`.`lead_first_touch_at`
      WHEN (
        `t46`.`lead_first_touch_at` IS NULL
      )
      OR (
        `t51`.`lead_first_call_at` <= `t46`.`lead_first_touch_at`
      )
      THEN `t51`.`lead_first_call_at`
      ELSE `t46`.`lead_first_touch_at`
    END AS `first_response_at`,
    CAST(UNIX_TIMESTAMP(
      CAST(CASE
        WHEN `t51`.`lead_first_call_at` IS NULL
        THEN `t46`.`lead_first_touch_at`
        WHEN (
          `t46`.`lead_first_touch_at` IS NULL
        )
        OR (
          `t51`.`lead_first_call_at` <= `t46`.`lead_first_touch_at`
        )
        THEN `t51`.`lead_first_call_at`
        ELSE `t46`.`lead_first_touch_at`
      END AS TIMESTAMP)
    ) - UNIX_TIMESTAMP(CAST(`t7`.`created_at` AS TIMESTAMP)) AS DOUBLE) / 60.0 AS `minutes_to_first_response`,
    CASE
      WHEN (
        CAST(UNIX_TIMESTAMP(
          CAST(CASE
            WHEN `t51`.`lead_first_call_at` IS NULL
            THEN `t46`.`lead_first_touch_at`
            WHEN (
              `t46`.`lead_first_touch_at` IS NULL
            )
            OR (
              `t51`.`lead_first_call_at` <= `t46`.`lead_first_touch_at`
            )
            THEN `t51`.`lead_first_call_at`
            ELSE `t46`.`lead_first_touch_at`
          END AS TIMESTAMP)
        ) - UNIX_TIMESTAMP(CAST(`t7`.`created_at` AS TIMESTAMP)) AS DOUBLE) / 60.0
      ) IS NULL
      OR ISNAN(
        CAST(UNIX_TIMESTAMP(
          CAST(CASE
            WHEN `t51`.`lead_first_call_at` IS NULL
            THEN `t46`.`lead_first_touch_at`
            WHEN (
              `t46`.`lead_first_touch_at` IS NULL
            )
            OR (
              `t51`.`lead_first_call_at` <= `t46`.`lead_first_touch_at`
            )
            THEN `t51`.`lead_first_call_at`
            ELSE `t46`.`lead_first_touch_at`
          END AS TIMESTAMP)
        ) - UNIX_TIMESTAMP(CAST(`t7`.`created_at` AS TIMESTAMP)) AS DOUBLE) / 60.0
      )
      THEN 'none'
      WHEN (
        CAST(UNIX_TIMESTAMP(
          CAST(CASE
            WHEN `t51`.`lead_first_call_at` IS NULL
            THEN `t46`.`lead_first_touch_at`
            WHEN (
              `t46`.`lead_first_touch_at` IS NULL
            )
            OR (
              `t51`.`lead_first_call_at` <= `t46`.`lead_first_touch_at`
            )
            THEN `t51`.`lead_first_call_at`
            ELSE `t46`.`lead_first_touch_at`
          END AS TIMESTAMP)
        ) - UNIX_TIMESTAMP(CAST(`t7`.`created_at` AS TIMESTAMP)) AS DOUBLE) / 60.0
      ) < 5
      THEN '0-5min'
      WHEN (
        CAST(UNIX_TIMESTAMP(
          CAST(CASE
            WHEN `t51`.`lead_first_call_at` IS NULL
            THEN `t46`.`lead_first_touch_at`
            WHEN (
              `t46`.`lead_first_touch_at` IS NULL
            )
            OR (
              `t51`.`lead_first_call_at` <= `t46`.`lead_first_touch_at`
            )
            THEN `t51`.`lead_first_call_at`
            ELSE `t46`.`lead_first_touch_at`
          END AS TIMESTAMP)
        ) - UNIX_TIMESTAMP(CAST(`t7`.`created_at` AS TIMESTAMP)) AS DOUBLE) / 60.0
      ) < 60
      THEN '5-60min'
      WHEN (
        CAST(UNIX_TIMESTAMP(
          CAST(CASE
            WHEN `t51`.`lead_first_call_at` IS NULL
            THEN `t46`.`lead_first_touch_at`
            WHEN (
              `t46`.`lead_first_touch_at` IS NULL
            )
            OR (
              `t51`.`lead_first_call_at` <= `t46`.`lead_first_touch_at`
            )
            THEN `t51`.`lead_first_call_at`
            ELSE `t46`.`lead_first_touch_at`
          END AS TIMESTAMP)
        ) - UNIX_TIMESTAMP(CAST(`t7`.`created_at` AS TIMESTAMP)) AS DOUBLE) / 60.0
      ) < 1440
      THEN '1-24h'
      ELSE '24h+'
    END AS `response_delay`,
    COALESCE(`t51`.`lead_calls_before`, 0) + COALESCE(`t46`.`lead_touches_before`, 0) AS `interactions_before_conversion`
  FROM `leads` AS `t7`
  LEFT OUTER JOIN (
    SELECT
      `t40`.`lead_id`,
      COUNT(*) AS `lead_calls`,
      SUM(
        CAST(`t40`.`outcome` IN ('refused', 'callback', 'do_not_call', 'promise', 'appointment', 'sale') AS BIGINT)
      ) AS `lead_contact_calls`,
      MIN(`t40`.`started_at`) AS `lead_first_call_at`,
      SUM(CAST(`t40`.`started_at` <= `t40`.`call_converted_at` AS BIGINT)) AS `lead_calls_before`
    FROM (
      SELECT
        `t28`.`call_id`,
        `t28`.`campaign_id`,
        `t28`.`agent_id`,
        `t28`.`contact_id`,
        `t28`.`lead_id`,
        `t28`.`direction`,
        `t28`.`started_at`,
        `t28`.`ring_s`,
        `t28`.`talk_s`,
        `t28`.`hold_s`,
        `t28`.`wrap_s`,
        `t28`.`outcome`,
        `t28`.`attempt_no`,
        `t28`.`tracking_code`,
        `t18`.`call_lead_id`,
        `t18`.`call_converted_at`
      FROM (
        SELECT
          *
        FROM `calls` AS `t4`
        WHERE
          `t4`.`lead_id` IS NOT NULL
      ) AS `t28`
      INNER JOIN (
        SELECT
          `t0`.`lead_id` AS `call_lead_id`,
          `t0`.`converted_at` AS `call_converted_at`
        FROM `leads` AS `t0`
      ) AS `t18`
        ON `t28`.`lead_id` = `t18`.`call_lead_id`
    ) AS `t40`
    GROUP BY
      1
  ) AS `t51`
    ON `t7`.`lead_id` = `t51`.`lead_id`
  LEFT OUTER JOIN (
    SELECT
      `t35`.`touch_lead_id`,
      MIN(`t35`.`at`) AS `lead_first_touch_at`,
      SUM(CAST(`t35`.`at` <= `t35`.`touch_converted_at` AS BIGINT)) AS `lead_touches_before`
    FROM (
      SELECT
        `t17`.`touch_lead_id`,
        `t17`.`touch_contact_id`,
        `t17`.`touch_created_at`,
        `t17`.`touch_converted_at`,
        `t10`.`touch_id`,
        `t10`.`contact_id`,
        `t10`.`at`,
        `t10`.`channel`,
        `t10`.`direction`,
        `t10`.`responded`
      FROM (
        SELECT
          `t0`.`lead_id` AS `touch_lead_id`,
          `t0`.`contact_id` AS `touch_contact_id`,
          `t0`.`created_at` AS `touch_created_at`,
          `t0`.`converted_at` AS `touch_converted_at`
        FROM `leads` AS `t0`
      ) AS `t17`
      INNER JOIN `touches` AS `t10`
        ON `t17`.`touch_contact_id` = `t10`.`contact_id`
        AND `t10`.`at` >= `t17`.`touch_created_at`
    ) AS `t35`
    GROUP BY
      1
  ) AS `t46`
    ON `t7`.`lead_id` = `t46`.`touch_lead_id`
), `t66` AS (
  SELECT
    *
  FROM (
    SELECT
      `t59`.`cost_id`,
      `t59`.`driver_campaign_id` AS `alloc_campaign_id`,
      SUM(`t59`.`weight`) AS `weight`
    FROM (
      SELECT
        `t52`.`cost_id`,
        `t52`.`campaign_id`,
        `t52`.`period_start`,
        `t52`.`period_end`,
        `t52`.`category`,
        `t52`.`kind`,
        `t52`.`amount`,
        `t52`.`allocation`,
        `t52`.`rule`,
        `t52`.`days`,
        `t52`.`driver_campaign_id`,
        `t52`.`day`,
        `t52`.`by_calls`,
        `t52`.`by_talk_time`,
        `t52`.`by_leads`,
        CASE
          WHEN `t52`.`rule` = 'by_talk_time'
          THEN `t52`.`by_talk_time`
          WHEN `t52`.`rule` = 'by_leads'
          THEN `t52`.`by_leads`
          ELSE `t52`.`by_calls`
        END AS `weight`
      FROM (
        SELECT
          `t33`.`cost_id`,
          `t33`.`campaign_id`,
          `t33`.`period_start`,
          `t33`.`period_end`,
          `t33`.`category`,
          `t33`.`kind`,
          `t33`.`amount`,
          `t33`.`allocation`,
          `t33`.`rule`,
          `t33`.`days`,
          `t44`.`driver_campaign_id`,
          `t44`.`day`,
          `t44`.`by_calls`,
          `t44`.`by_talk_time`,
          `t44`.`by_leads`
        FROM (
          SELECT
            `t6`.`cost_id`,
            `t6`.`campaign_id`,
            `t6`.`period_start`,
            `t6`.`period_end`,
            `t6`.`category`,
            `t6`.`kind`,
            `t6`.`amount`,
            `t6`.`allocation`,
            COALESCE(`t6`.`allocation`, 'by_calls') AS `rule`,
            CAST(DATEDIFF(DAY, `t6`.`period_start`, `t6`.`period_end`) + 1 AS DOUBLE) AS `days`
          FROM `costs` AS `t6`
          WHERE
            `t6`.`campaign_id` IS NULL
        ) AS `t33`
        INNER JOIN (
          SELECT
            `t41`.`campaign_id` AS `driver_campaign_id`,
            `t41`.`day`,
            `t41`.`by_calls`,
            `t41`.`by_talk_time`,
            `t41`.`by_leads`
          FROM (
            SELECT
              *
            FROM (
              SELECT
                `t25`.`campaign_id`,
                `t25`.`day`,
                CAST(COUNT(*) AS DOUBLE) AS `by_calls`,
                SUM(COALESCE(`t25`.`talk_s`, 0)) AS `by_talk_time`,
                0.0 AS `by_leads`
              FROM (
                SELECT
                  `t4`.`call_id`,
                  `t4`.`campaign_id`,
                  `t4`.`agent_id`,
                  `t4`.`contact_id`,
                  `t4`.`lead_id`,
                  `t4`.`direction`,
                  `t4`.`started_at`,
                  `t4`.`ring_s`,
                  `t4`.`talk_s`,
                  `t4`.`hold_s`,
                  `t4`.`wrap_s`,
                  `t4`.`outcome`,
                  `t4`.`attempt_no`,
                  `t4`.`tracking_code`,
                  CAST(`t4`.`started_at` AS DATE) AS `day`
                FROM `calls` AS `t4`
                WHERE
                  `t4`.`campaign_id` IS NOT NULL
              ) AS `t25`
              GROUP BY
                1,
                2
            ) AS `t37`
            UNION ALL
            SELECT
              *
            FROM (
              SELECT
                `t16`.`campaign_id`,
                `t16`.`day`,
                0.0 AS `by_calls`,
                0.0 AS `by_talk_time`,
                CAST(COUNT(*) AS DOUBLE) AS `by_leads`
              FROM (
                SELECT
                  `t0`.`lead_id`,
                  `t0`.`contact_id`,
                  `t0`.`campaign_id`,
                  `t0`.`source`,
                  `t0`.`created_at`,
                  `t0`.`status`,
                  `t0`.`converted_at`,
                  CAST(`t0`.`created_at` AS DATE) AS `day`
                FROM `leads` AS `t0`
                WHERE
                  `t0`.`campaign_id` IS NOT NULL
              ) AS `t16`
              GROUP BY
                1,
                2
            ) AS `t31`
          ) AS `t41`
        ) AS `t44`
          ON `t44`.`day` >= `t33`.`period_start` AND `t44`.`day` <= `t33`.`period_end`
      ) AS `t52`
    ) AS `t59`
    GROUP BY
      1,
      2
  ) AS `t62`
  WHERE
    `t62`.`weight` > 0
)
SELECT
  `t101`.`__d0` AS `campaign`,
  (
    `t101`.`revenue` - `t101`.`cost`
  ) / NULLIF(`t101`.`cost`, 0) AS `roi`,
  `t101`.`cost` / NULLIF(`t101`.`leads`, 0) AS `cpl`,
  `t101`.`cost` AS `cpl_numerator`,
  `t101`.`leads` AS `cpl_denominator`,
  `t101`.`cost` / NULLIF(`t101`.`acquired_customers`, 0) AS `cac`,
  `t101`.`cost` AS `cac_numerator`,
  `t101`.`acquired_customers` AS `cac_denominator`,
  `t101`.`cost`,
  `t101`.`revenue`
FROM (
  SELECT
    `t100`.`__d0`,
    COALESCE(`t100`.`cost`, 0.0) AS `cost`,
    COALESCE(`t100`.`revenue`, 0.0) AS `revenue`,
    COALESCE(`t100`.`leads`, 0.0) AS `leads`,
    COALESCE(`t100`.`acquired_customers`, 0.0) AS `acquired_customers`
  FROM (
    SELECT
      `t99`.`__d0`,
      MAX(`t99`.`cost`) AS `cost`,
      MAX(`t99`.`revenue`) AS `revenue`,
      MAX(`t99`.`leads`) AS `leads`,
      MAX(`t99`.`acquired_customers`) AS `acquired_customers`
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
              `t95`.`__d0`,
              `t95`.`cost`,
              CAST(NULL AS DOUBLE) AS `revenue`,
              CAST(NULL AS DOUBLE) AS `leads`,
              CAST(NULL AS DOUBLE) AS `acquired_customers`
            FROM (
              SELECT
                `t94`.`__d0`,
                SUM(`t94`.`amount`) AS `cost`
              FROM (
                SELECT
                  `t93`.`cost_id`,
                  `t93`.`campaign_id`,
                  `t93`.`category`,
                  `t93`.`kind`,
                  `t93`.`rule`,
                  `t93`.`day`,
                  `t93`.`source`,
                  `t93`.`amount`,
                  `t93`.`campaign_id` AS `__d0`
                FROM (
                  SELECT
                    `t92`.`cost_id`,
                    `t92`.`campaign_id`,
                    `t92`.`category`,
                    `t92`.`kind`,
                    `t92`.`rule`,
                    `t92`.`day`,
                    `t48`.`source`,
                    `t92`.`amount` * COALESCE(`t48`.`source_share`, 1.0) AS `amount`
                  FROM (
                    SELECT
                      `t90`.`cost_id`,
                      `t90`.`campaign_id`,
                      `t90`.`category`,
                      `t90`.`kind`,
                      `t90`.`rule`,
                      `t90`.`day`,
                      (
                        `t90`.`amount` * `t90`.`share`
                      ) / `t90`.`days` AS `amount`,
                      CAST(DATE_TRUNC('month', CAST(`t90`.`day` AS TIMESTAMP)) AS DATE) AS `cost_month`
                    FROM (
                      SELECT
                        `t89`.`cost_id`,
                        `t89`.`campaign_id`,
                        `t89`.`period_start`,
                        `t89`.`period_end`,
                        `t89`.`category`,
                        `t89`.`kind`,
                        `t89`.`amount`,
                        `t89`.`allocation`,
                        `t89`.`rule`,
                        `t89`.`days`,
                        `t89`.`share`,
                        `t9`.`day`,
                        `t9`.`week_start`,
                        `t9`.`month_start`,
                        `t9`.`quarter_start`,
                        `t9`.`year`,
                        `t9`.`iso_weekday`
                      FROM (
                        SELECT
                          *
                        FROM (
                          SELECT
                            *
                          FROM (
                            SELECT
                              `t6`.`cost_id`,
                              `t6`.`campaign_id`,
                              `t6`.`period_start`,
                              `t6`.`period_end`,
                              `t6`.`category`,
                              `t6`.`kind`,
                              `t6`.`amount`,
                              `t6`.`allocation`,
                              COALESCE(`t6`.`allocation`, 'by_calls') AS `rule`,
                              CAST(DATEDIFF(DAY, `t6`.`period_start`, `t6`.`period_end`) + 1 AS DOUBLE) AS `days`,
                              1.0 AS `share`
                            FROM `costs` AS `t6`
                            WHERE
                              `t6`.`campaign_id` IS NOT NULL
                          ) AS `t29`
                          UNION ALL
                          SELECT
                            *
                          FROM (
                            SELECT
                              `t84`.`cost_id`,
                              `t84`.`alloc_campaign_id` AS `campaign_id`,
                              `t84`.`period_start`,
                              `t84`.`period_end`,
                              `t84`.`category`,
                              `t84`.`kind`,
                              `t84`.`amount`,
                              `t84`.`allocation`,
                              `t84`.`rule`,
                              `t84`.`days`,
                              `t84`.`share`
                            FROM (
                              SELECT
                                `t33`.`cost_id`,
                                `t33`.`campaign_id`,
                                `t33`.`period_start`,
                                `t33`.`period_end`,
                                `t33`.`category`,
                                `t33`.`kind`,
                                `t33`.`amount`,
                                `t33`.`allocation`,
                                `t33`.`rule`,
                                `t33`.`days`,
                                `t82`.`alloc_campaign_id`,
                                `t82`.`weight`,
                                `t82`.`total`,
                                `t82`.`share`
                              FROM (
                                SELECT
                                  `t6`.`cost_id`,
                                  `t6`.`campaign_id`,
                                  `t6`.`period_start`,
                                  `t6`.`period_end`,
                                  `t6`.`category`,
                                  `t6`.`kind`,
                                  `t6`.`amount`,
                                  `t6`.`allocation`,
                                  COALESCE(`t6`.`allocation`, 'by_calls') AS `rule`,
                                  CAST(DATEDIFF(DAY, `t6`.`period_start`, `t6`.`period_end`) + 1 AS DOUBLE) AS `days`
                                FROM `costs` AS `t6`
                                WHERE
                                  `t6`.`campaign_id` IS NULL
                              ) AS `t33`
                              INNER JOIN (
                                SELECT
                                  `t80`.`cost_id`,
                                  `t80`.`alloc_campaign_id`,
                                  `t80`.`weight`,
                                  `t80`.`total`,
                                  `t80`.`weight` / `t80`.`total` AS `share`
                                FROM (
                                  SELECT
                                    `t68`.`cost_id`,
                                    `t68`.`alloc_campaign_id`,
                                    `t68`.`weight`,
                                    `t74`.`total`
                                  FROM `t66` AS `t68`
                                  INNER JOIN (
                                    SELECT
                                      `t67`.`cost_id`,
                                      SUM(`t67`.`weight`) AS `total`
                                    FROM `t66` AS `t67`
                                    GROUP BY
                                      1
                                  ) AS `t74`
                                    ON `t68`.`cost_id` = `t74`.`cost_id`
                                ) AS `t80`
                              ) AS `t82`
                                ON `t33`.`cost_id` = `t82`.`cost_id`
                            ) AS `t84`
                          ) AS `t86`
                        ) AS `t87`
                        UNION ALL
                        SELECT
                          *
                        FROM (
                          SELECT
                            `t83`.`cost_id`,
                            `t83`.`campaign_id`,
                            `t83`.`period_start`,
                            `t83`.`period_end`,
                            `t83`.`category`,
                            `t83`.`kind`,
                            `t83`.`amount`,
                            `t83`.`allocation`,
                            `t83`.`rule`,
                            `t83`.`days`,
                            1.0 AS `share`
                          FROM (
                            SELECT
                              `t33`.`cost_id`,
                              `t33`.`campaign_id`,
                              `t33`.`period_start`,
                              `t33`.`period_end`,
                              `t33`.`category`,
                              `t33`.`kind`,
                              `t33`.`amount`,
                              `t33`.`allocation`,
                              `t33`.`rule`,
                              `t33`.`days`
                            FROM (
                              SELECT
                                `t6`.`cost_id`,
                                `t6`.`campaign_id`,
                                `t6`.`period_start`,
                                `t6`.`period_end`,
                                `t6`.`category`,
                                `t6`.`kind`,
                                `t6`.`amount`,
                                `t6`.`allocation`,
                                COALESCE(`t6`.`allocation`, 'by_calls') AS `rule`,
                                CAST(DATEDIFF(DAY, `t6`.`period_start`, `t6`.`period_end`) + 1 AS DOUBLE) AS `days`
                              FROM `costs` AS `t6`
                              WHERE
                                `t6`.`campaign_id` IS NULL
                            ) AS `t33`
                            LEFT ANTI JOIN (
                              SELECT
                                `t80`.`cost_id`,
                                `t80`.`alloc_campaign_id`,
                                `t80`.`weight`,
                                `t80`.`total`,
                                `t80`.`weight` / `t80`.`total` AS `share`
                              FROM (
                                SELECT
                                  `t68`.`cost_id`,
                                  `t68`.`alloc_campaign_id`,
                                  `t68`.`weight`,
                                  `t74`.`total`
                                FROM `t66` AS `t68`
                                INNER JOIN (
                                  SELECT
                                    `t67`.`cost_id`,
                                    SUM(`t67`.`weight`) AS `total`
                                  FROM `t66` AS `t67`
                                  GROUP BY
                                    1
                                ) AS `t74`
                                  ON `t68`.`cost_id` = `t74`.`cost_id`
                              ) AS `t80`
                            ) AS `t82`
                              ON `t33`.`cost_id` = `t82`.`cost_id`
                          ) AS `t83`
                        ) AS `t85`
                      ) AS `t89`
                      INNER JOIN `calendar` AS `t9`
                        ON `t9`.`day` >= `t89`.`period_start` AND `t9`.`day` <= `t89`.`period_end`
                    ) AS `t90`
                  ) AS `t92`
                  LEFT OUTER JOIN (
                    SELECT
                      `t34`.`mix_campaign_id`,
                      `t34`.`mix_month`,
                      `t34`.`source`,
                      `t34`.`leads_n`,
                      `t34`.`leads_n` / SUM(`t34`.`leads_n`) OVER (
                        PARTITION BY `t34`.`mix_campaign_id`, `t34`.`mix_month`
                        ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING
                      ) AS `source_share`
                    FROM (
                      SELECT
                        `t26`.`campaign_id` AS `mix_campaign_id`,
                        `t26`.`mix_month`,
                        `t26`.`source`,
                        CAST(COUNT(*) AS DOUBLE) AS `leads_n`
                      FROM (
                        SELECT
                          `t0`.`lead_id`,
                          `t0`.`contact_id`,
                          `t0`.`campaign_id`,
                          `t0`.`source`,
                          `t0`.`created_at`,
                          `t0`.`status`,
                          `t0`.`converted_at`,
                          CAST(DATE_TRUNC('month', `t0`.`created_at`) AS DATE) AS `mix_month`
                        FROM `leads` AS `t0`
                        WHERE
                          `t0`.`campaign_id` IS NOT NULL
                      ) AS `t26`
                      GROUP BY
                        1,
                        2,
                        3
                    ) AS `t34`
                  ) AS `t48`
                    ON `t92`.`campaign_id` = `t48`.`mix_campaign_id`
                    AND `t92`.`cost_month` = `t48`.`mix_month`
                ) AS `t93`
                WHERE
                  `t93`.`day` IS NOT NULL
              ) AS `t94`
              GROUP BY
                1
            ) AS `t95`
          ) AS `t96`
          UNION ALL
          SELECT
            *
          FROM (
            SELECT
              `t75`.`__d0`,
              CAST(NULL AS DOUBLE) AS `cost`,
              `t75`.`revenue`,
              CAST(NULL AS DOUBLE) AS `leads`,
              CAST(NULL AS DOUBLE) AS `acquired_customers`
            FROM (
              SELECT
                `t69`.`__d0`,
                SUM(`t69`.`amount`) AS `revenue`
              FROM (
                SELECT
                  `t63`.`order_id`,
                  `t63`.`contact_id`,
                  `t63`.`ordered_at`,
                  `t63`.`amount`,
                  `t63`.`margin`,
                  COALESCE(`t63`.`campaign_id`, `t63`.`code_campaign_id`, `t63`.`call_campaign_id`) AS `campaign_id`,
                  `t63`.`tracking_code`,
                  `t63`.`call_agent_id` AS `agent_id`,
                  COALESCE(`t63`.`call_lead_id`, `t63`.`converted_lead_id`) AS `lead_id`,
                  CASE
                    WHEN `t63`.`campaign_id` IS NOT NULL
                    THEN 'campaign'
                    WHEN `t63`.`code_campaign_id` IS NOT NULL
                    THEN 'tracking_code'
                    WHEN `t63`.`call_campaign_id` IS NOT NULL
                    THEN 'last_call'
                    ELSE CAST(NULL AS STRING)
                  END AS `attributed_by`,
                  COALESCE(`t63`.`campaign_id`, `t63`.`code_campaign_id`, `t63`.`call_campaign_id`) AS `__d0`
                FROM (
                  SELECT
                    `t8`.`order_id`,
                    `t8`.`contact_id`,
                    `t8`.`ordered_at`,
                    `t8`.`amount`,
                    `t8`.`margin`,
                    `t8`.`campaign_id`,
                    `t8`.`tracking_code`,
                    `t36`.`code`,
                    `t36`.`code_campaign_id`,
                    `t61`.`order_id` AS `order_id_right`,
                    `t61`.`call_campaign_id`,
                    `t61`.`call_agent_id`,
                    `t61`.`call_lead_id`,
                    `t60`.`converted_order_id`,
                    `t60`.`converted_lead_id`
                  FROM `orders` AS `t8`
                  LEFT OUTER JOIN (
                    SELECT
                      `t22`.`code`,
                      MIN(`t22`.`code_campaign_id`) AS `code_campaign_id`
                    FROM (
                      SELECT
                        `t2`.`tracking_code` AS `code`,
                        `t2`.`campaign_id` AS `code_campaign_id`
                      FROM `campaigns` AS `t2`
                      WHERE
                        `t2`.`tracking_code` IS NOT NULL
                    ) AS `t22`
                    GROUP BY
                      1
                  ) AS `t36`
                    ON `t8`.`tracking_code` = `t36`.`code`
                  LEFT OUTER JOIN (
                    SELECT
                      `t56`.`order_id`,
                      `t56`.`call_campaign_id`,
                      `t56`.`call_agent_id`,
                      `t56`.`call_lead_id`
                    FROM (
                      SELECT
                        `t54`.`order_id`,
                        `t54`.`contact_id`,
                        `t54`.`ordered_at`,
                        `t54`.`call_contact_id`,
                        `t54`.`call_started_at`,
                        `t54`.`call_campaign_id`,
                        `t54`.`call_agent_id`,
                        `t54`.`call_lead_id`,
                        `t54`.`call_id`
                      FROM (
                        SELECT
                          *
                        FROM (
                          SELECT
                            `t39`.`order_id`,
                            `t39`.`contact_id`,
                            `t39`.`ordered_at`,
                            `t39`.`call_contact_id`,
                            `t39`.`call_started_at`,
                            `t39`.`call_campaign_id`,
                            `t39`.`call_agent_id`,
                            `t39`.`call_lead_id`,
                            `t39`.`call_id`,
                            ROW_NUMBER() OVER (
                              PARTITION BY `t39`.`order_id`
                              ORDER BY `t39`.`call_started_at` DESC, `t39`.`call_id` DESC
                            ) - 1 AS `__rank`
                          FROM (
                            SELECT
                              `t20`.`order_id`,
                              `t20`.`contact_id`,
                              `t20`.`ordered_at`,
                              `t24`.`call_contact_id`,
                              `t24`.`call_started_at`,
                              `t24`.`call_campaign_id`,
                              `t24`.`call_agent_id`,
                              `t24`.`call_lead_id`,
                              `t24`.`call_id`
                            FROM (
                              SELECT
                                `t1`.`order_id`,
                                `t1`.`contact_id`,
                                `t1`.`ordered_at`
                              FROM `orders` AS `t1`
                            ) AS `t20`
                            INNER JOIN (
                              SELECT
                                `t4`.`contact_id` AS `call_contact_id`,
                                `t4`.`started_at` AS `call_started_at`,
                                `t4`.`campaign_id` AS `call_campaign_id`,
                                `t4`.`agent_id` AS `call_agent_id`,
                                `t4`.`lead_id` AS `call_lead_id`,
                                `t4`.`call_id`
                              FROM `calls` AS `t4`
                            ) AS `t24`
                              ON `t20`.`contact_id` = `t24`.`call_contact_id`
                              AND `t24`.`call_started_at` <= `t20`.`ordered_at`
                              AND `t24`.`call_started_at` >= (
                                `t20`.`ordered_at` - INTERVAL '30' DAY
                              )
                          ) AS `t39`
                        ) AS `t50`
                        WHERE
                          `t50`.`__rank` = 0
                      ) AS `t54`
                    ) AS `t56`
                  ) AS `t61`
                    ON `t8`.`order_id` = `t61`.`order_id`
                  LEFT OUTER JOIN (
                    SELECT
                      `t55`.`order_id` AS `converted_order_id`,
                      `t55`.`converted_lead_id`
                    FROM (
                      SELECT
                        `t53`.`order_id`,
                        `t53`.`order_contact`,
                        `t53`.`order_at`,
                        `t53`.`converted_lead_id`,
                        `t53`.`lead_contact`,
                        `t53`.`lead_converted_at`
                      FROM (
                        SELECT
                          *
                        FROM (
                          SELECT
                            `t38`.`order_id`,
                            `t38`.`order_contact`,
                            `t38`.`order_at`,
                            `t38`.`converted_lead_id`,
                            `t38`.`lead_contact`,
                            `t38`.`lead_converted_at`,
                            ROW_NUMBER() OVER (
                              PARTITION BY `t38`.`order_id`
                              ORDER BY `t38`.`lead_converted_at` DESC, `t38`.`converted_lead_id` DESC
                            ) - 1 AS `__rank`
                          FROM (
                            SELECT
                              `t21`.`order_id`,
                              `t21`.`order_contact`,
                              `t21`.`order_at`,
                              `t27`.`converted_lead_id`,
                              `t27`.`lead_contact`,
                              `t27`.`lead_converted_at`
                            FROM (
                              SELECT
                                `t1`.`order_id`,
                                `t1`.`contact_id` AS `order_contact`,
                                `t1`.`ordered_at` AS `order_at`
                              FROM `orders` AS `t1`
                            ) AS `t21`
                            INNER JOIN (
                              SELECT
                                `t0`.`lead_id` AS `converted_lead_id`,
                                `t0`.`contact_id` AS `lead_contact`,
                                `t0`.`converted_at` AS `lead_converted_at`
                              FROM `leads` AS `t0`
                              WHERE
                                `t0`.`converted_at` IS NOT NULL
                            ) AS `t27`
                              ON `t21`.`order_contact` = `t27`.`lead_contact`
                              AND `t27`.`lead_converted_at` <= `t21`.`order_at`
                          ) AS `t38`
                        ) AS `t49`
                        WHERE
                          `t49`.`__rank` = 0
                      ) AS `t53`
                    ) AS `t55`
                  ) AS `t60`
                    ON `t8`.`order_id` = `t60`.`converted_order_id`
                ) AS `t63`
                WHERE
                  `t63`.`ordered_at` IS NOT NULL
              ) AS `t69`
              GROUP BY
                1
            ) AS `t75`
          ) AS `t77`
        ) AS `t97`
        UNION ALL
        SELECT
          *
        FROM (
          SELECT
            `t73`.`__d0`,
            CAST(NULL AS DOUBLE) AS `cost`,
            CAST(NULL AS DOUBLE) AS `revenue`,
            CAST(`t73`.`leads` AS DOUBLE) AS `leads`,
            CAST(NULL AS DOUBLE) AS `acquired_customers`
          FROM (
            SELECT
              `t70`.`__d0`,
              COUNT(*) AS `leads`
            FROM (
              SELECT
                `t65`.`lead_id`,
                `t65`.`contact_id`,
                `t65`.`campaign_id`,
                `t65`.`source`,
                `t65`.`created_at`,
                `t65`.`status`,
                `t65`.`converted_at`,
                `t65`.`calls_made`,
                `t65`.`contact_calls`,
                `t65`.`contacted`,
                `t65`.`converted`,
                `t65`.`first_call_at`,
                `t65`.`first_response_at`,
                `t65`.`minutes_to_first_response`,
                `t65`.`response_delay`,
                `t65`.`interactions_before_conversion`,
                `t65`.`campaign_id` AS `__d0`
              FROM `t64` AS `t65`
              WHERE
                `t65`.`created_at` IS NOT NULL
            ) AS `t70`
            GROUP BY
              1
          ) AS `t73`
        ) AS `t78`
      ) AS `t98`
      UNION ALL
      SELECT
        *
      FROM (
        SELECT
          `t76`.`__d0`,
          CAST(NULL AS DOUBLE) AS `cost`,
          CAST(NULL AS DOUBLE) AS `revenue`,
          CAST(NULL AS DOUBLE) AS `leads`,
          CAST(`t76`.`acquired_customers` AS DOUBLE) AS `acquired_customers`
        FROM (
          SELECT
            `t71`.`__d0`,
            COUNT(DISTINCT IF(`t71`.`converted`, `t71`.`contact_id`, NULL)) AS `acquired_customers`
          FROM (
            SELECT
              `t65`.`lead_id`,
              `t65`.`contact_id`,
              `t65`.`campaign_id`,
              `t65`.`source`,
              `t65`.`created_at`,
              `t65`.`status`,
              `t65`.`converted_at`,
              `t65`.`calls_made`,
              `t65`.`contact_calls`,
              `t65`.`contacted`,
              `t65`.`converted`,
              `t65`.`first_call_at`,
              `t65`.`first_response_at`,
              `t65`.`minutes_to_first_response`,
              `t65`.`response_delay`,
              `t65`.`interactions_before_conversion`,
              `t65`.`campaign_id` AS `__d0`
            FROM `t64` AS `t65`
            WHERE
              `t65`.`converted_at` IS NOT NULL
          ) AS `t71`
          GROUP BY
            1
        ) AS `t76`
      ) AS `t79`
    ) AS `t99`
    GROUP BY
      1
  ) AS `t100`
  ORDER BY
    `t100`.`__d0` ASC NULLS LAST
) AS `t101`;
