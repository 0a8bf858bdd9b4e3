-- pipeline_with_a_model_kpi_by_week (pyspark)
WITH `t1` AS (
  SELECT
    `t0`.`deal_id`,
    `t0`.`contact_id`,
    `t0`.`campaign_id`,
    `t0`.`owner_agent_id`,
    `t0`.`created_at`,
    `t0`.`closed_at`,
    `t0`.`status`,
    `t0`.`amount`,
    `t0`.`tier`,
    `t0`.`owner_agent_id` AS `agent_id`,
    CAST(UNIX_TIMESTAMP(CAST(`t0`.`closed_at` AS TIMESTAMP)) - UNIX_TIMESTAMP(CAST(`t0`.`created_at` AS TIMESTAMP)) AS DOUBLE) / 86400.0 AS `cycle_days`,
    CAST(UNIX_TIMESTAMP(CAST(COALESCE(`t0`.`closed_at`, CURRENT_TIMESTAMP()) AS TIMESTAMP)) - UNIX_TIMESTAMP(CAST(`t0`.`created_at` AS TIMESTAMP)) AS DOUBLE) / 86400.0 AS `age_days`,
    `t0`.`status` = 'won' AS `won`
  FROM `deals` AS `t0`
)
SELECT
  `t11`.`__period` AS `period`,
  `t11`.`deals_won` / NULLIF(`t11`.`deals_closed`, 0) AS `close_rate`,
  `t11`.`deals_won` AS `close_rate_numerator`,
  `t11`.`deals_closed` AS `close_rate_denominator`,
  CASE
    WHEN NULLIF(`t11`.`deals_closed`, 0) IS NULL OR ISNAN(NULLIF(`t11`.`deals_closed`, 0))
    THEN CAST(NULL AS DOUBLE)
    WHEN `t11`.`deals_won` <= 0
    THEN 0.0
    WHEN (
      (
        (
          (
            `t11`.`deals_won` / NULLIF(`t11`.`deals_closed`, 0)
          ) + (
            3.8414588206941254 / (
              NULLIF(`t11`.`deals_closed`, 0) * 2
            )
          )
        ) / (
          (
            3.8414588206941254 / NULLIF(`t11`.`deals_closed`, 0)
          ) + 1
        )
      ) - (
        (
          SQRT(
            (
              (
                (
                  `t11`.`deals_won` / NULLIF(`t11`.`deals_closed`, 0)
                ) * (
                  1 - (
                    `t11`.`deals_won` / NULLIF(`t11`.`deals_closed`, 0)
                  )
                )
              ) / NULLIF(`t11`.`deals_closed`, 0)
            ) + (
              3.8414588206941254 / (
                NULLIF(`t11`.`deals_closed`, 0) * 4 * NULLIF(`t11`.`deals_closed`, 0)
              )
            )
          ) * 1.959963984540054
        ) / (
          (
            3.8414588206941254 / NULLIF(`t11`.`deals_closed`, 0)
          ) + 1
        )
      )
    ) < 0
    THEN 0.0
    ELSE (
      (
        (
          `t11`.`deals_won` / NULLIF(`t11`.`deals_closed`, 0)
        ) + (
          3.8414588206941254 / (
            NULLIF(`t11`.`deals_closed`, 0) * 2
          )
        )
      ) / (
        (
          3.8414588206941254 / NULLIF(`t11`.`deals_closed`, 0)
        ) + 1
      )
    ) - (
      (
        SQRT(
          (
            (
              (
                `t11`.`deals_won` / NULLIF(`t11`.`deals_closed`, 0)
              ) * (
                1 - (
                  `t11`.`deals_won` / NULLIF(`t11`.`deals_closed`, 0)
                )
              )
            ) / NULLIF(`t11`.`deals_closed`, 0)
          ) + (
            3.8414588206941254 / (
              NULLIF(`t11`.`deals_closed`, 0) * 4 * NULLIF(`t11`.`deals_closed`, 0)
            )
          )
        ) * 1.959963984540054
      ) / (
        (
          3.8414588206941254 / NULLIF(`t11`.`deals_closed`, 0)
        ) + 1
      )
    )
  END AS `close_rate_low`,
  CASE
    WHEN NULLIF(`t11`.`deals_closed`, 0) IS NULL OR ISNAN(NULLIF(`t11`.`deals_closed`, 0))
    THEN CAST(NULL AS DOUBLE)
    WHEN `t11`.`deals_won` >= NULLIF(`t11`.`deals_closed`, 0)
    THEN 1.0
    WHEN (
      (
        (
          (
            `t11`.`deals_won` / NULLIF(`t11`.`deals_closed`, 0)
          ) + (
            3.8414588206941254 / (
              NULLIF(`t11`.`deals_closed`, 0) * 2
            )
          )
        ) / (
          (
            3.8414588206941254 / NULLIF(`t11`.`deals_closed`, 0)
          ) + 1
        )
      ) + (
        (
          SQRT(
            (
              (
                (
                  `t11`.`deals_won` / NULLIF(`t11`.`deals_closed`, 0)
                ) * (
                  1 - (
                    `t11`.`deals_won` / NULLIF(`t11`.`deals_closed`, 0)
                  )
                )
              ) / NULLIF(`t11`.`deals_closed`, 0)
            ) + (
              3.8414588206941254 / (
                NULLIF(`t11`.`deals_closed`, 0) * 4 * NULLIF(`t11`.`deals_closed`, 0)
              )
            )
          ) * 1.959963984540054
        ) / (
          (
            3.8414588206941254 / NULLIF(`t11`.`deals_closed`, 0)
          ) + 1
        )
      )
    ) > 1
    THEN 1.0
    ELSE (
      (
        (
          `t11`.`deals_won` / NULLIF(`t11`.`deals_closed`, 0)
        ) + (
          3.8414588206941254 / (
            NULLIF(`t11`.`deals_closed`, 0) * 2
          )
        )
      ) / (
        (
          3.8414588206941254 / NULLIF(`t11`.`deals_closed`, 0)
        ) + 1
      )
    ) + (
      (
        SQRT(
          (
            (
              (
                `t11`.`deals_won` / NULLIF(`t11`.`deals_closed`, 0)
              ) * (
                1 - (
                  `t11`.`deals_won` / NULLIF(`t11`.`deals_closed`, 0)
                )
              )
            ) / NULLIF(`t11`.`deals_closed`, 0)
          ) + (
            3.8414588206941254 / (
              NULLIF(`t11`.`deals_closed`, 0) * 4 * NULLIF(`t11`.`deals_closed`, 0)
            )
          )
        ) * 1.959963984540054
      ) / (
        (
          3.8414588206941254 / NULLIF(`t11`.`deals_closed`, 0)
        ) + 1
      )
    )
  END AS `close_rate_high`,
  `t11`.`sales_cycle_median`,
  CAST(NULL AS DOUBLE) AS `sales_cycle_km_median`
FROM (
  SELECT
    `t10`.`__period`,
    COALESCE(`t10`.`deals_won`, 0.0) AS `deals_won`,
    COALESCE(`t10`.`deals_closed`, 0.0) AS `deals_closed`,
    `t10`.`sales_cycle_median`,
    COALESCE(`t10`.`__rows_sales_cycle_km_median`, 0.0) AS `__rows_sales_cycle_km_median`
  FROM (
    SELECT
      `t9`.`__period`,
      MAX(`t9`.`deals_won`) AS `deals_won`,
      MAX(`t9`.`deals_closed`) AS `deals_closed`,
      MAX(`t9`.`sales_cycle_median`) AS `sales_cycle_median`,
      MAX(`t9`.`__rows_sales_cycle_km_median`) AS `__rows_sales_cycle_km_median`
    FROM (
      SELECT
        *
      FROM (
        SELECT
          `t6`.`__period`,
          CAST(`t6`.`deals_won` AS DOUBLE) AS `deals_won`,
          CAST(`t6`.`deals_closed` AS DOUBLE) AS `deals_closed`,
          `t6`.`sales_cycle_median`,
          CAST(NULL AS DOUBLE) AS `__rows_sales_cycle_km_median`
        FROM (
          SELECT
            `t4`.`__period_key` AS `__period`,
            SUM(CAST(`t4`.`status` = 'won' AS BIGINT)) AS `deals_won`,
            SUM(CAST(`t4`.`status` IN ('won', 'lost') AS BIGINT)) AS `deals_closed`,
            PERCENTILE(IF(`t4`.`status` = 'won', `t4`.`cycle_days`, CAST(NULL AS DOUBLE)), 0.5) AS `sales_cycle_median`
          FROM (
            SELECT
              `t2`.`deal_id`,
              `t2`.`contact_id`,
              `t2`.`campaign_id`,
              `t2`.`owner_agent_id`,
              `t2`.`created_at`,
              `t2`.`closed_at`,
              `t2`.`status`,
              `t2`.`amount`,
              `t2`.`tier`,
              `t2`.`agent_id`,
              `t2`.`cycle_days`,
              `t2`.`age_days`,
              `t2`.`won`,
              CAST(DATE_TRUNC('week', `t2`.`closed_at`) AS DATE) AS `__period_key`
            FROM `t1` AS `t2`
            WHERE
              `t2`.`closed_at` IS NOT NULL
          ) AS `t4`
          GROUP BY
            1
        ) AS `t6`
      ) AS `t8`
      UNION ALL
      SELECT
        *
      FROM (
        SELECT
          `t5`.`__period`,
          CAST(NULL AS DOUBLE) AS `deals_won`,
          CAST(NULL AS DOUBLE) AS `deals_closed`,
          CAST(NULL AS DOUBLE) AS `sales_cycle_median`,
          CAST(`t5`.`__rows_sales_cycle_km_median` AS DOUBLE) AS `__rows_sales_cycle_km_median`
        FROM (
          SELECT
            `t3`.`__period_key` AS `__period`,
            SUM(CAST(`t3`.`status` <> 'lost' AS BIGINT)) AS `__rows_sales_cycle_km_median`
          FROM (
            SELECT
              `t2`.`deal_id`,
              `t2`.`contact_id`,
              `t2`.`campaign_id`,
              `t2`.`owner_agent_id`,
              `t2`.`created_at`,
              `t2`.`closed_at`,
              `t2`.`status`,
              `t2`.`amount`,
              `t2`.`tier`,
              `t2`.`agent_id`,
              `t2`.`cycle_days`,
              `t2`.`age_days`,
              `t2`.`won`,
              CAST(DATE_TRUNC('week', `t2`.`created_at`) AS DATE) AS `__period_key`
            FROM `t1` AS `t2`
            WHERE
              `t2`.`created_at` IS NOT NULL
          ) AS `t3`
          GROUP BY
            1
        ) AS `t5`
      ) AS `t7`
    ) AS `t9`
    GROUP BY
      1
  ) AS `t10`
  ORDER BY
    `t10`.`__period` ASC NULLS LAST
) AS `t11`;

-- model KPI sales_cycle_km_median
SELECT
  CAST(DATE_TRUNC('week', `t1`.`created_at`) AS DATE) AS `period`,
  `t1`.`age_days` AS `duration`,
  `t1`.`won` AS `event`
FROM (
  SELECT
    `t0`.`deal_id`,
    `t0`.`contact_id`,
    `t0`.`campaign_id`,
    `t0`.`owner_agent_id`,
    `t0`.`created_at`,
    `t0`.`closed_at`,
    `t0`.`status`,
    `t0`.`amount`,
    `t0`.`tier`,
    `t0`.`owner_agent_id` AS `agent_id`,
    CAST(UNIX_TIMESTAMP(CAST(`t0`.`closed_at` AS TIMESTAMP)) - UNIX_TIMESTAMP(CAST(`t0`.`created_at` AS TIMESTAMP)) AS DOUBLE) / 86400.0 AS `cycle_days`,
    CAST(UNIX_TIMESTAMP(CAST(COALESCE(`t0`.`closed_at`, CURRENT_TIMESTAMP()) AS TIMESTAMP)) - UNIX_TIMESTAMP(CAST(`t0`.`created_at` AS TIMESTAMP)) AS DOUBLE) / 86400.0 AS `age_days`,
    `t0`.`status` = 'won' AS `won`
  FROM `deals` AS `t0`
) AS `t1`
WHERE
  `t1`.`created_at` IS NOT NULL AND `t1`.`status` <> 'lost';
