-- call_rates_by_campaign_month (pyspark)
SELECT
  `t3`.`__d0` AS `campaign`,
  `t3`.`__period` AS `period`,
  CAST(`t3`.`calls` AS BIGINT) AS `calls`,
  `t3`.`contacts` / NULLIF(`t3`.`calls`, 0) AS `contact_rate`,
  `t3`.`contacts` AS `contact_rate_numerator`,
  `t3`.`calls` AS `contact_rate_denominator`,
  CASE
    WHEN NULLIF(`t3`.`calls`, 0) IS NULL OR ISNAN(NULLIF(`t3`.`calls`, 0))
    THEN CAST(NULL AS DOUBLE)
    WHEN `t3`.`contacts` <= 0
    THEN 0.0
    WHEN (
      (
        (
          (
            `t3`.`contacts` / NULLIF(`t3`.`calls`, 0)
          ) + (
            3.8414588206941254 / (
              NULLIF(`t3`.`calls`, 0) * 2
            )
          )
        ) / (
          (
            3.8414588206941254 / NULLIF(`t3`.`calls`, 0)
          ) + 1
        )
      ) - (
        (
          SQRT(
            (
              (
                (
                  `t3`.`contacts` / NULLIF(`t3`.`calls`, 0)
                ) * (
                  1 - (
                    `t3`.`contacts` / NULLIF(`t3`.`calls`, 0)
                  )
                )
              ) / NULLIF(`t3`.`calls`, 0)
            ) + (
              3.8414588206941254 / (
                NULLIF(`t3`.`calls`, 0) * 4 * NULLIF(`t3`.`calls`, 0)
              )
            )
          ) * 1.959963984540054
        ) / (
          (
            3.8414588206941254 / NULLIF(`t3`.`calls`, 0)
          ) + 1
        )
      )
    ) < 0
    THEN 0.0
    ELSE (
      (
        (
          `t3`.`contacts` / NULLIF(`t3`.`calls`, 0)
        ) + (
          3.8414588206941254 / (
            NULLIF(`t3`.`calls`, 0) * 2
          )
        )
      ) / (
        (
          3.8414588206941254 / NULLIF(`t3`.`calls`, 0)
        ) + 1
      )
    ) - (
      (
        SQRT(
          (
            (
              (
                `t3`.`contacts` / NULLIF(`t3`.`calls`, 0)
              ) * (
                1 - (
                  `t3`.`contacts` / NULLIF(`t3`.`calls`, 0)
                )
              )
            ) / NULLIF(`t3`.`calls`, 0)
          ) + (
            3.8414588206941254 / (
              NULLIF(`t3`.`calls`, 0) * 4 * NULLIF(`t3`.`calls`, 0)
            )
          )
        ) * 1.959963984540054
      ) / (
        (
          3.8414588206941254 / NULLIF(`t3`.`calls`, 0)
        ) + 1
      )
    )
  END AS `contact_rate_low`,
  CASE
    WHEN NULLIF(`t3`.`calls`, 0) IS NULL OR ISNAN(NULLIF(`t3`.`calls`, 0))
    THEN CAST(NULL AS DOUBLE)
    WHEN `t3`.`contacts` >= NULLIF(`t3`.`calls`, 0)
    THEN 1.0
    WHEN (
      (
        (
          (
            `t3`.`contacts` / NULLIF(`t3`.`calls`, 0)
          ) + (
            3.8414588206941254 / (
              NULLIF(`t3`.`calls`, 0) * 2
            )
          )
        ) / (
          (
            3.8414588206941254 / NULLIF(`t3`.`calls`, 0)
          ) + 1
        )
      ) + (
        (
          SQRT(
            (
              (
                (
                  `t3`.`contacts` / NULLIF(`t3`.`calls`, 0)
                ) * (
                  1 - (
                    `t3`.`contacts` / NULLIF(`t3`.`calls`, 0)
                  )
                )
              ) / NULLIF(`t3`.`calls`, 0)
            ) + (
              3.8414588206941254 / (
                NULLIF(`t3`.`calls`, 0) * 4 * NULLIF(`t3`.`calls`, 0)
              )
            )
          ) * 1.959963984540054
        ) / (
          (
            3.8414588206941254 / NULLIF(`t3`.`calls`, 0)
          ) + 1
        )
      )
    ) > 1
    THEN 1.0
    ELSE (
      (
        (
          `t3`.`contacts` / NULLIF(`t3`.`calls`, 0)
        ) + (
          3.8414588206941254 / (
            NULLIF(`t3`.`calls`, 0) * 2
          )
        )
      ) / (
        (
          3.8414588206941254 / NULLIF(`t3`.`calls`, 0)
        ) + 1
      )
    ) + (
      (
        SQRT(
          (
            (
              (
                `t3`.`contacts` / NULLIF(`t3`.`calls`, 0)
              ) * (
                1 - (
                  `t3`.`contacts` / NULLIF(`t3`.`calls`, 0)
                )
              )
            ) / NULLIF(`t3`.`calls`, 0)
          ) + (
            3.8414588206941254 / (
              NULLIF(`t3`.`calls`, 0) * 4 * NULLIF(`t3`.`calls`, 0)
            )
          )
        ) * 1.959963984540054
      ) / (
        (
          3.8414588206941254 / NULLIF(`t3`.`calls`, 0)
        ) + 1
      )
    )
  END AS `contact_rate_high`,
  `t3`.`successes` / NULLIF(`t3`.`contacts`, 0) AS `hit_rate`,
  `t3`.`successes` AS `hit_rate_numerator`,
  `t3`.`contacts` AS `hit_rate_denominator`,
  CASE
    WHEN NULLIF(`t3`.`contacts`, 0) IS NULL OR ISNAN(NULLIF(`t3`.`contacts`, 0))
    THEN CAST(NULL AS DOUBLE)
    WHEN `t3`.`successes` <= 0
    THEN 0.0
    WHEN (
      (
        (
          (
            `t3`.`successes` / NULLIF(`t3`.`contacts`, 0)
          ) + (
            3.8414588206941254 / (
              NULLIF(`t3`.`contacts`, 0) * 2
            )
          )
        ) / (
          (
            3.8414588206941254 / NULLIF(`t3`.`contacts`, 0)
          ) + 1
        )
      ) - (
        (
          SQRT(
            (
              (
                (
                  `t3`.`successes` / NULLIF(`t3`.`contacts`, 0)
                ) * (
                  1 - (
                    `t3`.`successes` / NULLIF(`t3`.`contacts`, 0)
                  )
                )
              ) / NULLIF(`t3`.`contacts`, 0)
            ) + (
              3.8414588206941254 / (
                NULLIF(`t3`.`contacts`, 0) * 4 * NULLIF(`t3`.`contacts`, 0)
              )
            )
          ) * 1.959963984540054
        ) / (
          (
            3.8414588206941254 / NULLIF(`t3`.`contacts`, 0)
          ) + 1
        )
      )
    ) < 0
    THEN 0.0
    ELSE (
      (
        (
          `t3`.`successes` / NULLIF(`t3`.`contacts`, 0)
        ) + (
          3.8414588206941254 / (
            NULLIF(`t3`.`contacts`, 0) * 2
          )
        )
      ) / (
        (
          3.8414588206941254 / NULLIF(`t3`.`contacts`, 0)
        ) + 1
      )
    ) - (
      (
        SQRT(
          (
            (
              (
                `t3`.`successes` / NULLIF(`t3`.`contacts`, 0)
              ) * (
                1 - (
                  `t3`.`successes` / NULLIF(`t3`.`contacts`, 0)
                )
              )
            ) / NULLIF(`t3`.`contacts`, 0)
          ) + (
            3.8414588206941254 / (
              NULLIF(`t3`.`contacts`, 0) * 4 * NULLIF(`t3`.`contacts`, 0)
            )
          )
        ) * 1.959963984540054
      ) / (
        (
          3.8414588206941254 / NULLIF(`t3`.`contacts`, 0)
        ) + 1
      )
    )
  END AS `hit_rate_low`,
  CASE
    WHEN NULLIF(`t3`.`contacts`, 0) IS NULL OR ISNAN(NULLIF(`t3`.`contacts`, 0))
    THEN CAST(NULL AS DOUBLE)
    WHEN `t3`.`successes` >= NULLIF(`t3`.`contacts`, 0)
    THEN 1.0
    WHEN (
      (
        (
          (
            `t3`.`successes` / NULLIF(`t3`.`contacts`, 0)
          ) + (
            3.8414588206941254 / (
              NULLIF(`t3`.`contacts`, 0) * 2
            )
          )
        ) / (
          (
            3.8414588206941254 / NULLIF(`t3`.`contacts`, 0)
          ) + 1
        )
      ) + (
        (
          SQRT(
            (
              (
                (
                  `t3`.`successes` / NULLIF(`t3`.`contacts`, 0)
                ) * (
                  1 - (
                    `t3`.`successes` / NULLIF(`t3`.`contacts`, 0)
                  )
                )
              ) / NULLIF(`t3`.`contacts`, 0)
            ) + (
              3.8414588206941254 / (
                NULLIF(`t3`.`contacts`, 0) * 4 * NULLIF(`t3`.`contacts`, 0)
              )
            )
          ) * 1.959963984540054
        ) / (
          (
            3.8414588206941254 / NULLIF(`t3`.`contacts`, 0)
          ) + 1
        )
      )
    ) > 1
    THEN 1.0
    ELSE (
      (
        (
          `t3`.`successes` / NULLIF(`t3`.`contacts`, 0)
        ) + (
          3.8414588206941254 / (
            NULLIF(`t3`.`contacts`, 0) * 2
          )
        )
      ) / (
        (
          3.8414588206941254 / NULLIF(`t3`.`contacts`, 0)
        ) + 1
      )
    ) + (
      (
        SQRT(
          (
            (
              (
                `t3`.`successes` / NULLIF(`t3`.`contacts`, 0)
              ) * (
                1 - (
                  `t3`.`successes` / NULLIF(`t3`.`contacts`, 0)
                )
              )
            ) / NULLIF(`t3`.`contacts`, 0)
          ) + (
            3.8414588206941254 / (
              NULLIF(`t3`.`contacts`, 0) * 4 * NULLIF(`t3`.`contacts`, 0)
            )
          )
        ) * 1.959963984540054
      ) / (
        (
          3.8414588206941254 / NULLIF(`t3`.`contacts`, 0)
        ) + 1
      )
    )
  END AS `hit_rate_high`,
  `t3`.`handle_time` / NULLIF(`t3`.`handled_calls`, 0) AS `aht`,
  `t3`.`handle_time` AS `aht_numerator`,
  `t3`.`handled_calls` AS `aht_denominator`
FROM (
  SELECT
    `t2`.`__d0`,
    `t2`.`__period`,
    COALESCE(CAST(`t2`.`calls` AS DOUBLE), 0.0) AS `calls`,
    COALESCE(CAST(`t2`.`contacts` AS DOUBLE), 0.0) AS `contacts`,
    COALESCE(CAST(`t2`.`successes` AS DOUBLE), 0.0) AS `successes`,
    COALESCE(`t2`.`handle_time`, 0.0) AS `handle_time`,
    COALESCE(CAST(`t2`.`handled_calls` AS DOUBLE), 0.0) AS `handled_calls`
  FROM (
    SELECT
      `t1`.`__d0`,
      `t1`.`__period_key` AS `__period`,
      COUNT(*) AS `calls`,
      SUM(
        CAST(`t1`.`outcome` IN ('refused', 'callback', 'do_not_call', 'promise', 'appointment', 'sale') AS BIGINT)
      ) AS `contacts`,
      SUM(CAST(`t1`.`outcome` IN ('promise', 'appointment', 'sale') AS BIGINT)) AS `successes`,
      SUM(IF(`t1`.`handled`, `t1`.`handle_s`, NULL)) AS `handle_time`,
      SUM(CAST(`t1`.`handled` AS BIGINT)) AS `handled_calls`
    FROM (
      SELECT
        `t0`.`call_id`,
        `t0`.`campaign_id`,
        `t0`.`agent_id`,
        `t0`.`contact_id`,
        `t0`.`lead_id`,
        `t0`.`direction`,
        `t0`.`started_at`,
        `t0`.`ring_s`,
        `t0`.`talk_s`,
        `t0`.`hold_s`,
        `t0`.`wrap_s`,
        `t0`.`outcome`,
        `t0`.`attempt_no`,
        `t0`.`tracking_code`,
        COALESCE(`t0`.`talk_s`, 0) + COALESCE(`t0`.`hold_s`, 0) + COALESCE(`t0`.`wrap_s`, 0) AS `handle_s`,
        `t0`.`talk_s` > 0 AS `handled`,
        `t0`.`campaign_id` AS `__d0`,
        CAST(DATE_TRUNC('month', `t0`.`started_at`) AS DATE) AS `__period_key`
      FROM `calls` AS `t0`
      WHERE
        `t0`.`started_at` IS NOT NULL
        AND `t0`.`started_at` >= CAST(:period_start AS TIMESTAMP)
        AND `t0`.`started_at` < CAST(:period_end_exclusive AS TIMESTAMP)
    ) AS `t1`
    GROUP BY
      1,
      2
  ) AS `t2`
  ORDER BY
    `t2`.`__period` ASC NULLS LAST,
    `t2`.`__d0` ASC NULLS LAST
) AS `t3`;
