-- service_and_email_by_day (pyspark)
SELECT
  `t37`.`__period` AS `period`,
  (
    100 * (
      `t37`.`promoters` - `t37`.`detractors`
    )
  ) / NULLIF(`t37`.`nps_responses`, 0) AS `nps`,
  `t37`.`tickets_first_contact_resolved` / NULLIF(`t37`.`tickets`, 0) AS `fcr`,
  `t37`.`tickets_first_contact_resolved` AS `fcr_numerator`,
  `t37`.`tickets` AS `fcr_denominator`,
  CASE
    WHEN NULLIF(`t37`.`tickets`, 0) IS NULL OR ISNAN(NULLIF(`t37`.`tickets`, 0))
    THEN CAST(NULL AS DOUBLE)
    WHEN `t37`.`tickets_first_contact_resolved` <= 0
    THEN 0.0
    WHEN (
      (
        (
          (
            `t37`.`tickets_first_contact_resolved` / NULLIF(`t37`.`tickets`, 0)
          ) + (
            3.8414588206941254 / (
              NULLIF(`t37`.`tickets`, 0) * 2
            )
          )
        ) / (
          (
            3.8414588206941254 / NULLIF(`t37`.`tickets`, 0)
          ) + 1
        )
      ) - (
        (
          SQRT(
            (
              (
                (
                  `t37`.`tickets_first_contact_resolved` / NULLIF(`t37`.`tickets`, 0)
                ) * (
                  1 - (
                    `t37`.`tickets_first_contact_resolved` / NULLIF(`t37`.`tickets`, 0)
                  )
                )
              ) / NULLIF(`t37`.`tickets`, 0)
            ) + (
              3.8414588206941254 / (
                NULLIF(`t37`.`tickets`, 0) * 4 * NULLIF(`t37`.`tickets`, 0)
              )
            )
          ) * 1.959963984540054
        ) / (
          (
            3.8414588206941254 / NULLIF(`t37`.`tickets`, 0)
          ) + 1
        )
      )
    ) < 0
    THEN 0.0
    ELSE (
      (
        (
          `t37`.`tickets_first_contact_resolved` / NULLIF(`t37`.`tickets`, 0)
        ) + (
          3.8414588206941254 / (
            NULLIF(`t37`.`tickets`, 0) * 2
          )
        )
      ) / (
        (
          3.8414588206941254 / NULLIF(`t37`.`tickets`, 0)
        ) + 1
      )
    ) - (
      (
        SQRT(
          (
            (
              (
                `t37`.`tickets_first_contact_resolved` / NULLIF(`t37`.`tickets`, 0)
              ) * (
                1 - (
                  `t37`.`tickets_first_contact_resolved` / NULLIF(`t37`.`tickets`, 0)
                )
              )
            ) / NULLIF(`t37`.`tickets`, 0)
          ) + (
            3.8414588206941254 / (
              NULLIF(`t37`.`tickets`, 0) * 4 * NULLIF(`t37`.`tickets`, 0)
            )
          )
        ) * 1.959963984540054
      ) / (
        (
          3.8414588206941254 / NULLIF(`t37`.`tickets`, 0)
        ) + 1
      )
    )
  END AS `fcr_low`,
  CASE
    WHEN NULLIF(`t37`.`tickets`, 0) IS NULL OR ISNAN(NULLIF(`t37`.`tickets`, 0))
    THEN CAST(NULL AS DOUBLE)
    WHEN `t37`.`tickets_first_contact_resolved` >= NULLIF(`t37`.`tickets`, 0)
    THEN 1.0
    WHEN (
      (
        (
          (
            `t37`.`tickets_first_contact_resolved` / NULLIF(`t37`.`tickets`, 0)
          ) + (
            3.8414588206941254 / (
              NULLIF(`t37`.`tickets`, 0) * 2
            )
          )
        ) / (
          (
            3.8414588206941254 / NULLIF(`t37`.`tickets`, 0)
          ) + 1
        )
      ) + (
        (
          SQRT(
            (
              (
                (
                  `t37`.`tickets_first_contact_resolved` / NULLIF(`t37`.`tickets`, 0)
                ) * (
                  1 - (
                    `t37`.`tickets_first_contact_resolved` / NULLIF(`t37`.`tickets`, 0)
                  )
                )
              ) / NULLIF(`t37`.`tickets`, 0)
            ) + (
              3.8414588206941254 / (
                NULLIF(`t37`.`tickets`, 0) * 4 * NULLIF(`t37`.`tickets`, 0)
              )
            )
          ) * 1.959963984540054
        ) / (
          (
            3.8414588206941254 / NULLIF(`t37`.`tickets`, 0)
          ) + 1
        )
      )
    ) > 1
    THEN 1.0
    ELSE (
      (
        (
          `t37`.`tickets_first_contact_resolved` / NULLIF(`t37`.`tickets`, 0)
        ) + (
          3.8414588206941254 / (
            NULLIF(`t37`.`tickets`, 0) * 2
          )
        )
      ) / (
        (
          3.8414588206941254 / NULLIF(`t37`.`tickets`, 0)
        ) + 1
      )
    ) + (
      (
        SQRT(
          (
            (
              (
                `t37`.`tickets_first_contact_resolved` / NULLIF(`t37`.`tickets`, 0)
              ) * (
                1 - (
                  `t37`.`tickets_first_contact_resolved` / NULLIF(`t37`.`tickets`, 0)
                )
              )
            ) / NULLIF(`t37`.`tickets`, 0)
          ) + (
            3.8414588206941254 / (
              NULLIF(`t37`.`tickets`, 0) * 4 * NULLIF(`t37`.`tickets`, 0)
            )
          )
        ) * 1.959963984540054
      ) / (
        (
          3.8414588206941254 / NULLIF(`t37`.`tickets`, 0)
        ) + 1
      )
    )
  END AS `fcr_high`,
  `t37`.`emails_opened` / NULLIF(`t37`.`emails_delivered`, 0) AS `open_rate`,
  `t37`.`emails_opened` AS `open_rate_numerator`,
  `t37`.`emails_delivered` AS `open_rate_denominator`,
  CASE
    WHEN NULLIF(`t37`.`emails_delivered`, 0) IS NULL
    OR ISNAN(NULLIF(`t37`.`emails_delivered`, 0))
    THEN CAST(NULL AS DOUBLE)
    WHEN `t37`.`emails_opened` <= 0
    THEN 0.0
    WHEN (
      (
        (
          (
            `t37`.`emails_opened` / NULLIF(`t37`.`emails_delivered`, 0)
          ) + (
            3.8414588206941254 / (
              NULLIF(`t37`.`emails_delivered`, 0) * 2
            )
          )
        ) / (
          (
            3.8414588206941254 / NULLIF(`t37`.`emails_delivered`, 0)
          ) + 1
        )
      ) - (
        (
          SQRT(
            (
              (
                (
                  `t37`.`emails_opened` / NULLIF(`t37`.`emails_delivered`, 0)
                ) * (
                  1 - (
                    `t37`.`emails_opened` / NULLIF(`t37`.`emails_delivered`, 0)
                  )
                )
              ) / NULLIF(`t37`.`emails_delivered`, 0)
            ) + (
              3.8414588206941254 / (
                NULLIF(`t37`.`emails_delivered`, 0) * 4 * NULLIF(`t37`.`emails_delivered`, 0)
              )
            )
          ) * 1.959963984540054
        ) / (
          (
            3.8414588206941254 / NULLIF(`t37`.`emails_delivered`, 0)
          ) + 1
        )
      )
    ) < 0
    THEN 0.0
    ELSE (
      (
        (
          `t37`.`emails_opened` / NULLIF(`t37`.`emails_delivered`, 0)
        ) + (
          3.8414588206941254 / (
            NULLIF(`t37`.`emails_delivered`, 0) * 2
          )
        )
      ) / (
        (
          3.8414588206941254 / NULLIF(`t37`.`emails_delivered`, 0)
        ) + 1
      )
    ) - (
      (
        SQRT(
          (
            (
              (
                `t37`.`emails_opened` / NULLIF(`t37`.`emails_delivered`, 0)
              ) * (
                1 - (
                  `t37`.`emails_opened` / NULLIF(`t37`.`emails_delivered`, 0)
                )
              )
            ) / NULLIF(`t37`.`emails_delivered`, 0)
          ) + (
            3.8414588206941254 / (
              NULLIF(`t37`.`emails_delivered`, 0) * 4 * NULLIF(`t37`.`emails_delivered`, 0)
            )
          )
        ) * 1.959963984540054
      ) / (
        (
          3.8414588206941254 / NULLIF(`t37`.`emails_delivered`, 0)
        ) + 1
      )
    )
  END AS `open_rate_low`,
  CASE
    WHEN NULLIF(`t37`.`emails_delivered`, 0) IS NULL
    OR ISNAN(NULLIF(`t37`.`emails_delivered`, 0))
    THEN CAST(NULL AS DOUBLE)
    WHEN `t37`.`emails_opened` >= NULLIF(`t37`.`emails_delivered`, 0)
    THEN 1.0
    WHEN (
      (
        (
          (
            `t37`.`emails_opened` / NULLIF(`t37`.`emails_delivered`, 0)
          ) + (
            3.8414588206941254 / (
              NULLIF(`t37`.`emails_delivered`, 0) * 2
            )
          )
        ) / (
          (
            3.8414588206941254 / NULLIF(`t37`.`emails_delivered`, 0)
          ) + 1
        )
      ) + (
        (
          SQRT(
            (
              (
                (
                  `t37`.`emails_opened` / NULLIF(`t37`.`emails_delivered`, 0)
                ) * (
                  1 - (
                    `t37`.`emails_opened` / NULLIF(`t37`.`emails_delivered`, 0)
                  )
                )
              ) / NULLIF(`t37`.`emails_delivered`, 0)
            ) + (
              3.8414588206941254 / (
                NULLIF(`t37`.`emails_delivered`, 0) * 4 * NULLIF(`t37`.`emails_delivered`, 0)
              )
            )
          ) * 1.959963984540054
        ) / (
          (
            3.8414588206941254 / NULLIF(`t37`.`emails_delivered`, 0)
          ) + 1
        )
      )
    ) > 1
    THEN 1.0
    ELSE (
      (
        (
          `t37`.`emails_opened` / NULLIF(`t37`.`emails_delivered`, 0)
        ) + (
          3.8414588206941254 / (
            NULLIF(`t37`.`emails_delivered`, 0) * 2
          )
        )
      ) / (
        (
          3.8414588206941254 / NULLIF(`t37`.`emails_delivered`, 0)
        ) + 1
      )
    ) + (
      (
        SQRT(
          (
            (
              (
                `t37`.`emails_opened` / NULLIF(`t37`.`emails_delivered`, 0)
              ) * (
                1 - (
                  `t37`.`emails_opened` / NULLIF(`t37`.`emails_delivered`, 0)
                )
              )
            ) / NULLIF(`t37`.`emails_delivered`, 0)
          ) + (
            3.8414588206941254 / (
              NULLIF(`t37`.`emails_delivered`, 0) * 4 * NULLIF(`t37`.`emails_delivered`, 0)
            )
          )
        ) * 1.959963984540054
      ) / (
        (
          3.8414588206941254 / NULLIF(`t37`.`emails_delivered`, 0)
        ) + 1
      )
    )
  END AS `open_rate_high`,
  `t37`.`speed_to_lead`
FROM (
  SELECT
    `t36`.`__period`,
    COALESCE(`t36`.`detractors`, 0.0) AS `detractors`,
    COALESCE(`t36`.`nps_responses`, 0.0) AS `nps_responses`,
    COALESCE(`t36`.`promoters`, 0.0) AS `promoters`,
    COALESCE(`t36`.`tickets_first_contact_resolved`, 0.0) AS `tickets_first_contact_resolved`,
    COALESCE(`t36`.`tickets`, 0.0) AS `tickets`,
    COALESCE(`t36`.`emails_opened`, 0.0) AS `emails_opened`,
    COALESCE(`t36`.`emails_delivered`, 0.0) AS `emails_delivered`,
    `t36`.`speed_to_lead`
  FROM (
    SELECT
      `t35`.`__period`,
      MAX(`t35`.`detractors`) AS `detractors`,
      MAX(`t35`.`nps_responses`) AS `nps_responses`,
      MAX(`t35`.`promoters`) AS `promoters`,
      MAX(`t35`.`tickets_first_contact_resolved`) AS `tickets_first_contact_resolved`,
      MAX(`t35`.`tickets`) AS `tickets`,
      MAX(`t35`.`emails_opened`) AS `emails_opened`,
      MAX(`t35`.`emails_delivered`) AS `emails_delivered`,
      MAX(`t35`.`speed_to_lead`) AS `speed_to_lead`
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
              `t19`.`__period`,
              CAST(`t19`.`detractors` AS DOUBLE) AS `detractors`,
              CAST(`t19`.`nps_responses` AS DOUBLE) AS `nps_responses`,
              CAST(`t19`.`promoters` AS DOUBLE) AS `promoters`,
              CAST(NULL AS DOUBLE) AS `tickets_first_contact_resolved`,
              CAST(NULL AS DOUBLE) AS `tickets`,
              CAST(NULL AS DOUBLE) AS `emails_opened`,
              CAST(NULL AS DOUBLE) AS `emails_delivered`,
              CAST(NULL AS DOUBLE) AS `speed_to_lead`
            FROM (
              SELECT
                `t11`.`__period_key` AS `__period`,
                SUM(CAST((
                  `t11`.`kind` = 'nps'
                ) AND (
                  `t11`.`score` <= 6
                ) AS BIGINT)) AS `detractors`,
                SUM(CAST(`t11`.`kind` = 'nps' AS BIGINT)) AS `nps_responses`,
                SUM(CAST((
                  `t11`.`kind` = 'nps'
                ) AND (
                  `t11`.`score` >= 9
                ) AS BIGINT)) AS `promoters`
              FROM (
                SELECT
                  `t1`.`response_id`,
                  `t1`.`contact_id`,
                  `t1`.`agent_id`,
                  `t1`.`campaign_id`,
                  `t1`.`answered_at`,
                  `t1`.`kind`,
                  `t1`.`score`,
                  CAST(`t1`.`answered_at` AS DATE) AS `__period_key`
                FROM `surveys` AS `t1`
                WHERE
                  `t1`.`answered_at` IS NOT NULL
              ) AS `t11`
              GROUP BY
                1
            ) AS `t19`
          ) AS `t23`
          UNION ALL
          SELECT
            *
          FROM (
            SELECT
              `t22`.`__period`,
              CAST(NULL AS DOUBLE) AS `detractors`,
              CAST(NULL AS DOUBLE) AS `nps_responses`,
              CAST(NULL AS DOUBLE) AS `promoters`,
              CAST(`t22`.`tickets_first_contact_resolved` AS DOUBLE) AS `tickets_first_contact_resolved`,
              CAST(`t22`.`tickets` AS DOUBLE) AS `tickets`,
              CAST(NULL AS DOUBLE) AS `emails_opened`,
              CAST(NULL AS DOUBLE) AS `emails_delivered`,
              CAST(NULL AS DOUBLE) AS `speed_to_lead`
            FROM (
              SELECT
                `t16`.`__period_key` AS `__period`,
                SUM(CAST(`t16`.`first_contact_resolved` = TRUE AS BIGINT)) AS `tickets_first_contact_resolved`,
                COUNT(*) AS `tickets`
              FROM (
                SELECT
                  `t2`.`ticket_id`,
                  `t2`.`contact_id`,
                  `t2`.`agent_id`,
                  `t2`.`opened_at`,
                  `t2`.`resolved_at`,
                  `t2`.`first_contact_resolved`,
                  `t2`.`channel`,
                  CAST(UNIX_TIMESTAMP(CAST(`t2`.`resolved_at` AS TIMESTAMP)) - UNIX_TIMESTAMP(CAST(`t2`.`opened_at` AS TIMESTAMP)) AS DOUBLE) / 3600.0 AS `resolution_hours`,
                  `t2`.`resolved_at` IS NOT NULL AS `resolved`,
                  CAST(`t2`.`opened_at` AS DATE) AS `__period_key`
                FROM `tickets` AS `t2`
                WHERE
                  `t2`.`opened_at` IS NOT NULL
              ) AS `t16`
              GROUP BY
                1
            ) AS `t22`
          ) AS `t27`
        ) AS `t29`
        UNION ALL
        SELECT
          *
        FROM (
          SELECT
            `t17`.`__period`,
            CAST(NULL AS DOUBLE) AS `detractors`,
            CAST(NULL AS DOUBLE) AS `nps_responses`,
            CAST(NULL AS DOUBLE) AS `promoters`,
            CAST(NULL AS DOUBLE) AS `tickets_first_contact_resolved`,
            CAST(NULL AS DOUBLE) AS `tickets`,
            CAST(`t17`.`emails_opened` AS DOUBLE) AS `emails_opened`,
            CAST(`t17`.`emails_delivered` AS DOUBLE) AS `emails_delivered`,
            CAST(NULL AS DOUBLE) AS `speed_to_lead`
          FROM (
            SELECT
              `t10`.`__period_key` AS `__period`,
              COUNT(DISTINCT IF(`t10`.`event` = 'opened', `t10`.`recipient`, NULL)) AS `emails_opened`,
              COUNT(DISTINCT IF(`t10`.`event` = 'delivered', `t10`.`recipient`, NULL)) AS `emails_delivered`
            FROM (
              SELECT
                `t0`.`campaign_id`,
                `t0`.`contact_id`,
                `t0`.`at`,
                `t0`.`event`,
                CONCAT(`t0`.`campaign_id`, ':', `t0`.`contact_id`) AS `recipient`,
                CAST(`t0`.`at` AS DATE) AS `__period_key`
              FROM `email_events` AS `t0`
              WHERE
                `t0`.`at` IS NOT NULL
            ) AS `t10`
            GROUP BY
              1
          ) AS `t17`
        ) AS `t21`
      ) AS `t30`
      UNION ALL
      SELECT
        *
      FROM (
        SELECT
          `t33`.`__period`,
          CAST(NULL AS DOUBLE) AS `detractors`,
          CAST(NULL AS DOUBLE) AS `nps_responses`,
          CAST(NULL AS DOUBLE) AS `promoters`,
          CAST(NULL AS DOUBLE) AS `tickets_first_contact_resolved`,
          CAST(NULL AS DOUBLE) AS `tickets`,
          CAST(NULL AS DOUBLE) AS `emails_opened`,
          CAST(NULL AS DOUBLE) AS `emails_delivered`,
          `t33`.`speed_to_lead`
        FROM (
          SELECT
            `t32`.`__period_key` AS `__period`,
            PERCENTILE(
              IF(
                `t32`.`first_response_at` IS NOT NULL,
                `t32`.`minutes_to_first_response`,
                CAST(NULL AS DOUBLE)
              ),
              0.5
            ) AS `speed_to_lead`
          FROM (
            SELECT
              `t31`.`lead_id`,
              `t31`.`contact_id`,
              `t31`.`campaign_id`,
              `t31`.`source`,
              `t31`.`created_at`,
              `t31`.`status`,
              `t31`.`converted_at`,
              `t31`.`calls_made`,
              `t31`.`contact_calls`,
              `t31`.`contacted`,
              `t31`.`converted`,
              `t31`.`first_call_at`,
              `t31`.`first_response_at`,
              `t31`.`minutes_to_first_response`,
              `t31`.`response_delay`,
              `t31`.`interactions_before_conversion`,
              CAST(`t31`.`created_at` AS DATE) AS `__period_key`
            FROM (
              SELECT
                `t6`.`lead_id`,
                `t6`.`contact_id`,
                `t6`.`campaign_id`,
                `t6`.`source`,
                `t6`.`created_at`,
                `t6`.`status`,
                `t6`.`converted_at`,
                COALESCE(`t28`.`lead_calls`, 0) AS `calls_made`,
                COALESCE(`t28`.`lead_contact_calls`, 0) AS `contact_calls`,
                COALESCE(`t28`.`lead_contact_calls`, 0) > 0 AS `contacted`,
                `t6`.`converted_at` IS NOT NULL AS `converted`,
                `t28`.`lead_first_call_at` AS `first_call_at`,
                CASE
                  WHEN `t28`.`lead_first_call_at` IS NULL
                  THEN `t25`.`lead_first_touch_at`
                  WHEN (
                    `t25`.`lead_first_touch_at` IS NULL
                  )
                  OR (
                    `t28`.`lead_first_call_at` <= `t25`.`lead_first_touch_at`
                  )
                  THEN `t28`.`lead_first_call_at`
                  ELSE `t25`.`lead_first_touch_at`
                END AS `first_response_at`,
                CAST(UNIX_TIMESTAMP(
                  CAST(CASE
                    WHEN `t28`.`lead_first_call_at` IS NULL
                    THEN `t25`.`lead_first_touch_at`
                    WHEN (
                      `t25`.`lead_first_touch_at` IS NULL
                    )
                    OR (
                      `t28`.`lead_first_call_at` <= `t25`.`lead_first_touch_at`
                    )
                    THEN `t28`.`lead_first_call_at`
                    ELSE `t25`.`lead_first_touch_at`
                  END AS TIMESTAMP)
                ) - UNIX_TIMESTAMP(CAST(`t6`.`created_at` AS TIMESTAMP)) AS DOUBLE) / 60.0 AS `minutes_to_first_response`,
                CASE
                  WHEN (
                    CAST(UNIX_TIMESTAMP(
                      CAST(CASE
                        WHEN `t28`.`lead_first_call_at` IS NULL
                        THEN `t25`.`lead_first_touch_at`
                        WHEN (
                          `t25`.`lead_first_touch_at` IS NULL
                        )
                        OR (
                          `t28`.`lead_first_call_at` <= `t25`.`lead_first_touch_at`
                        )
                        THEN `t28`.`lead_first_call_at`
                        ELSE `t25`.`lead_first_touch_at`
                      END AS TIMESTAMP)
                    ) - UNIX_TIMESTAMP(CAST(`t6`.`created_at` AS TIMESTAMP)) AS DOUBLE) / 60.0
                  ) IS NULL
                  OR ISNAN(
                    CAST(UNIX_TIMESTAMP(
                      CAST(CASE
                        WHEN `t28`.`lead_first_call_at` IS NULL
                        THEN `t25`.`lead_first_touch_at`
                        WHEN (
                          `t25`.`lead_first_touch_at` IS NULL
                        )
                        OR (
                          `t28`.`lead_first_call_at` <= `t25`.`lead_first_touch_at`
                        )
                        THEN `t28`.`lead_first_call_at`
                        ELSE `t25`.`lead_first_touch_at`
                      END AS TIMESTAMP)
                    ) - UNIX_TIMESTAMP(CAST(`t6`.`created_at` AS TIMESTAMP)) AS DOUBLE) / 60.0
                  )
                  THEN 'none'
                  WHEN (
                    CAST(UNIX_TIMESTAMP(
                      CAST(CASE
                        WHEN `t28`.`lead_first_call_at` IS NULL
                        THEN `t25`.`lead_first_touch_at`
                        WHEN (
                          `t25`.`lead_first_touch_at` IS NULL
                        )
                        OR (
                          `t28`.`lead_first_call_at` <= `t25`.`lead_first_touch_at`
                        )
                        THEN `t28`.`lead_first_call_at`
                        ELSE `t25`.`lead_first_touch_at`
                      END AS TIMESTAMP)
                    ) - UNIX_TIMESTAMP(CAST(`t6`.`created_at` AS TIMESTAMP)) AS DOUBLE) / 60.0
                  ) < 5
                  THEN '0-5min'
                  WHEN (
                    CAST(UNIX_TIMESTAMP(
                      CAST(CASE
                        WHEN `t28`.`lead_first_call_at` IS NULL
                        THEN `t25`.`lead_first_touch_at`
                        WHEN (
                          `t25`.`lead_first_touch_at` IS NULL
                        )
                        OR (
                          `t28`.`lead_first_call_at` <= `t25`.`lead_first_touch_at`
                        )
                        THEN `t28`.`lead_first_call_at`
                        ELSE `t25`.`lead_first_touch_at`
                      END AS TIMESTAMP)
                    ) - UNIX_TIMESTAMP(CAST(`t6`.`created_at` AS TIMESTAMP)) AS DOUBLE) / 60.0
                  ) < 60
                  THEN '5-60min'
                  WHEN (
                    CAST(UNIX_TIMESTAMP(
                      CAST(CASE
                        WHEN `t28`.`lead_first_call_at` IS NULL
                        THEN `t25`.`lead_first_touch_at`
                        WHEN (
                          `t25`.`lead_first_touch_at` IS NULL
                        )
                        OR (
                          `t28`.`lead_first_call_at` <= `t25`.`lead_first_touch_at`
                        )
                        THEN `t28`.`lead_first_call_at`
                        ELSE `t25`.`lead_first_touch_at`
                      END AS TIMESTAMP)
                    ) - UNIX_TIMESTAMP(CAST(`t6`.`created_at` AS TIMESTAMP)) AS DOUBLE) / 60.0
                  ) < 1440
                  THEN '1-24h'
                  ELSE '24h+'
                END AS `response_delay`,
                COALESCE(`t28`.`lead_calls_before`, 0) + COALESCE(`t25`.`lead_touches_before`, 0) AS `interactions_before_conversion`
              FROM `leads` AS `t6`
              LEFT OUTER JOIN (
                SELECT
                  `t20`.`lead_id`,
                  COUNT(*) AS `lead_calls`,
                  SUM(
                    CAST(`t20`.`outcome` IN ('refused', 'callback', 'do_not_call', 'promise', 'appointment', 'sale') AS BIGINT)
                  ) AS `lead_contact_calls`,
                  MIN(`t20`.`started_at`) AS `lead_first_call_at`,
                  SUM(CAST(`t20`.`started_at` <= `t20`.`call_converted_at` AS BIGINT)) AS `lead_calls_before`
                FROM (
                  SELECT
                    `t15`.`call_id`,
                    `t15`.`campaign_id`,
                    `t15`.`agent_id`,
                    `t15`.`contact_id`,
                    `t15`.`lead_id`,
                    `t15`.`direction`,
                    `t15`.`started_at`,
                    `t15`.`ring_s`,
                    `t15`.`talk_s`,
                    `t15`.`hold_s`,
                    `t15`.`wrap_s`,
                    `t15`.`outcome`,
                    `t15`.`attempt_no`,
                    `t15`.`tracking_code`,
                    `t13`.`call_lead_id`,
                    `t13`.`call_converted_at`
                  FROM (
                    SELECT
                      *
                    FROM `calls` AS `t4`
                    WHERE
                      `t4`.`lead_id` IS NOT NULL
                  ) AS `t15`
                  INNER JOIN (
                    SELECT
                      `t3`.`lead_id` AS `call_lead_id`,
                      `t3`.`converted_at` AS `call_converted_at`
                    FROM `leads` AS `t3`
                  ) AS `t13`
                    ON `t15`.`lead_id` = `t13`.`call_lead_id`
                ) AS `t20`
                GROUP BY
                  1
              ) AS `t28`
                ON `t6`.`lead_id` = `t28`.`lead_id`
              LEFT OUTER JOIN (
                SELECT
                  `t18`.`touch_lead_id`,
                  MIN(`t18`.`at`) AS `lead_first_touch_at`,
                  SUM(CAST(`t18`.`at` <= `t18`.`touch_converted_at` AS BIGINT)) AS `lead_touches_before`
                FROM (
                  SELECT
                    `t12`.`touch_lead_id`,
                    `t12`.`touch_contact_id`,
                    `t12`.`touch_created_at`,
                    `t12`.`touch_converted_at`,
                    `t7`.`touch_id`,
                    `t7`.`contact_id`,
                    `t7`.`at`,
                    `t7`.`channel`,
                    `t7`.`direction`,
                    `t7`.`responded`
                  FROM (
                    SELECT
                      `t3`.`lead_id` AS `touch_lead_id`,
                      `t3`.`contact_id` AS `touch_contact_id`,
                      `t3`.`created_at` AS `touch_created_at`,
                      `t3`.`converted_at` AS `touch_converted_at`
                    FROM `leads` AS `t3`
                  ) AS `t12`
                  INNER JOIN `touches` AS `t7`
                    ON `t12`.`touch_contact_id` = `t7`.`contact_id`
                    AND `t7`.`at` >= `t12`.`touch_created_at`
                ) AS `t18`
                GROUP BY
                  1
              ) AS `t25`
                ON `t6`.`lead_id` = `t25`.`touch_lead_id`
            ) AS `t31`
            WHERE
              `t31`.`created_at` IS NOT NULL
          ) AS `t32`
          GROUP BY
            1
        ) AS `t33`
      ) AS `t34`
    ) AS `t35`
    GROUP BY
      1
  ) AS `t36`
  ORDER BY
    `t36`.`__period` ASC NULLS LAST
) AS `t37`;
