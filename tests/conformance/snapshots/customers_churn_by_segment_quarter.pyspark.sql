-- customers_churn_by_segment_quarter (pyspark)
SELECT
  `t14`.`__d0` AS `segment`,
  `t14`.`__period` AS `period`,
  CAST(`t14`.`customers_start` AS BIGINT) AS `customers_start`,
  CAST(`t14`.`customers_end` AS BIGINT) AS `customers_end`,
  `t14`.`customers_lost` / NULLIF(`t14`.`customers_start`, 0) AS `churn_rate`,
  `t14`.`customers_lost` AS `churn_rate_numerator`,
  `t14`.`customers_start` AS `churn_rate_denominator`,
  `t14`.`customers_upsold` / NULLIF(`t14`.`customers_end`, 0) AS `upsell_rate`,
  `t14`.`customers_upsold` AS `upsell_rate_numerator`,
  `t14`.`customers_end` AS `upsell_rate_denominator`,
  CASE
    WHEN NULLIF(`t14`.`customers_end`, 0) IS NULL
    OR ISNAN(NULLIF(`t14`.`customers_end`, 0))
    THEN CAST(NULL AS DOUBLE)
    WHEN `t14`.`customers_upsold` <= 0
    THEN 0.0
    WHEN (
      (
        (
          (
            `t14`.`customers_upsold` / NULLIF(`t14`.`customers_end`, 0)
          ) + (
            3.8414588206941254 / (
              NULLIF(`t14`.`customers_end`, 0) * 2
            )
          )
        ) / (
          (
            3.8414588206941254 / NULLIF(`t14`.`customers_end`, 0)
          ) + 1
        )
      ) - (
        (
          SQRT(
            (
              (
                (
                  `t14`.`customers_upsold` / NULLIF(`t14`.`customers_end`, 0)
                ) * (
                  1 - (
                    `t14`.`customers_upsold` / NULLIF(`t14`.`customers_end`, 0)
                  )
                )
              ) / NULLIF(`t14`.`customers_end`, 0)
            ) + (
              3.8414588206941254 / (
                NULLIF(`t14`.`customers_end`, 0) * 4 * NULLIF(`t14`.`customers_end`, 0)
              )
            )
          ) * 1.959963984540054
        ) / (
          (
            3.8414588206941254 / NULLIF(`t14`.`customers_end`, 0)
          ) + 1
        )
      )
    ) < 0
    THEN 0.0
    ELSE (
      (
        (
          `t14`.`customers_upsold` / NULLIF(`t14`.`customers_end`, 0)
        ) + (
          3.8414588206941254 / (
            NULLIF(`t14`.`customers_end`, 0) * 2
          )
        )
      ) / (
        (
          3.8414588206941254 / NULLIF(`t14`.`customers_end`, 0)
        ) + 1
      )
    ) - (
      (
        SQRT(
          (
            (
              (
                `t14`.`customers_upsold` / NULLIF(`t14`.`customers_end`, 0)
              ) * (
                1 - (
                  `t14`.`customers_upsold` / NULLIF(`t14`.`customers_end`, 0)
                )
              )
            ) / NULLIF(`t14`.`customers_end`, 0)
          ) + (
            3.8414588206941254 / (
              NULLIF(`t14`.`customers_end`, 0) * 4 * NULLIF(`t14`.`customers_end`, 0)
            )
          )
        ) * 1.959963984540054
      ) / (
        (
          3.8414588206941254 / NULLIF(`t14`.`customers_end`, 0)
        ) + 1
      )
    )
  END AS `upsell_rate_low`,
  CASE
    WHEN NULLIF(`t14`.`customers_end`, 0) IS NULL
    OR ISNAN(NULLIF(`t14`.`customers_end`, 0))
    THEN CAST(NULL AS DOUBLE)
    WHEN `t14`.`customers_upsold` >= NULLIF(`t14`.`customers_end`, 0)
    THEN 1.0
    WHEN (
      (
        (
          (
            `t14`.`customers_upsold` / NULLIF(`t14`.`customers_end`, 0)
          ) + (
            3.8414588206941254 / (
              NULLIF(`t14`.`customers_end`, 0) * 2
            )
          )
        ) / (
          (
            3.8414588206941254 / NULLIF(`t14`.`customers_end`, 0)
          ) + 1
        )
      ) + (
        (
          SQRT(
            (
              (
                (
                  `t14`.`customers_upsold` / NULLIF(`t14`.`customers_end`, 0)
                ) * (
                  1 - (
                    `t14`.`customers_upsold` / NULLIF(`t14`.`customers_end`, 0)
                  )
                )
              ) / NULLIF(`t14`.`customers_end`, 0)
            ) + (
              3.8414588206941254 / (
                NULLIF(`t14`.`customers_end`, 0) * 4 * NULLIF(`t14`.`customers_end`, 0)
              )
            )
          ) * 1.959963984540054
        ) / (
          (
            3.8414588206941254 / NULLIF(`t14`.`customers_end`, 0)
          ) + 1
        )
      )
    ) > 1
    THEN 1.0
    ELSE (
      (
        (
          `t14`.`customers_upsold` / NULLIF(`t14`.`customers_end`, 0)
        ) + (
          3.8414588206941254 / (
            NULLIF(`t14`.`customers_end`, 0) * 2
          )
        )
      ) / (
        (
          3.8414588206941254 / NULLIF(`t14`.`customers_end`, 0)
        ) + 1
      )
    ) + (
      (
        SQRT(
          (
            (
              (
                `t14`.`customers_upsold` / NULLIF(`t14`.`customers_end`, 0)
              ) * (
                1 - (
                  `t14`.`customers_upsold` / NULLIF(`t14`.`customers_end`, 0)
                )
              )
            ) / NULLIF(`t14`.`customers_end`, 0)
          ) + (
            3.8414588206941254 / (
              NULLIF(`t14`.`customers_end`, 0) * 4 * NULLIF(`t14`.`customers_end`, 0)
            )
          )
        ) * 1.959963984540054
      ) / (
        (
          3.8414588206941254 / NULLIF(`t14`.`customers_end`, 0)
        ) + 1
      )
    )
  END AS `upsell_rate_high`
FROM (
  SELECT
    `t13`.`__d0`,
    `t13`.`__period`,
    COALESCE(CAST(`t13`.`customers_start` AS DOUBLE), 0.0) AS `customers_start`,
    COALESCE(CAST(`t13`.`customers_end` AS DOUBLE), 0.0) AS `customers_end`,
    COALESCE(CAST(`t13`.`customers_lost` AS DOUBLE), 0.0) AS `customers_lost`,
    COALESCE(CAST(`t13`.`customers_upsold` AS DOUBLE), 0.0) AS `customers_upsold`
  FROM (
    SELECT
      `t12`.`__d0`,
      `t12`.`__period_key` AS `__period`,
      SUM(CAST(`t12`.`at_start` AS BIGINT)) AS `customers_start`,
      SUM(CAST(`t12`.`at_end` AS BIGINT)) AS `customers_end`,
      SUM(CAST(`t12`.`lost` AS BIGINT)) AS `customers_lost`,
      SUM(CAST(`t12`.`at_end` AND `t12`.`upsold` AS BIGINT)) AS `customers_upsold`
    FROM (
      SELECT
        `t11`.`contact_id`,
        `t11`.`tier`,
        `t11`.`previous_tier`,
        `t11`.`period_label`,
        `t11`.`period_start`,
        `t11`.`period_end`,
        `t11`.`at_start`,
        `t11`.`at_end`,
        `t11`.`is_new`,
        `t11`.`lost`,
        `t11`.`upsold`,
        `t11`.`exposure_months`,
        `t11`.`__d0_value`,
        `t11`.`__d0_value` AS `__d0`,
        `t11`.`period_label` AS `__period_key`
      FROM (
        SELECT
          `t10`.`contact_id`,
          `t10`.`tier`,
          `t10`.`previous_tier`,
          `t10`.`period_label`,
          `t10`.`period_start`,
          `t10`.`period_end`,
          `t10`.`at_start`,
          `t10`.`at_end`,
          `t10`.`is_new`,
          `t10`.`lost`,
          `t10`.`upsold`,
          `t10`.`exposure_months`,
          `t10`.`__d0_value`
        FROM (
          SELECT
            `t3`.`contact_id`,
            `t3`.`tier`,
            `t3`.`previous_tier`,
            `t9`.`period_label`,
            `t9`.`period_start`,
            `t9`.`period_end`,
            (
              `t3`.`since` < `t9`.`period_start`
            )
            AND (
              (
                `t3`.`churned_at` IS NULL
              ) OR (
                `t3`.`churned_at` >= `t9`.`period_start`
              )
            ) AS `at_start`,
            (
              `t3`.`since` < `t9`.`period_end`
            )
            AND (
              (
                `t3`.`churned_at` IS NULL
              ) OR (
                `t3`.`churned_at` >= `t9`.`period_end`
              )
            ) AS `at_end`,
            (
              `t3`.`since` >= `t9`.`period_start`
            )
            AND (
              `t3`.`since` < `t9`.`period_end`
            ) AS `is_new`,
            (
              `t3`.`churned_at` IS NOT NULL
            )
            AND (
              `t3`.`churned_at` >= `t9`.`period_start`
            )
            AND (
              `t3`.`churned_at` < `t9`.`period_end`
            ) AS `lost`,
            COALESCE(
              CASE
                WHEN `t3`.`tier` = 'bronze'
                THEN 0
                WHEN `t3`.`tier` = 'silver'
                THEN 1
                WHEN `t3`.`tier` = 'gold'
                THEN 2
                ELSE NULL
              END > CASE
                WHEN `t3`.`previous_tier` = 'bronze'
                THEN 0
                WHEN `t3`.`previous_tier` = 'silver'
                THEN 1
                WHEN `t3`.`previous_tier` = 'gold'
                THEN 2
                ELSE NULL
              END,
              FALSE
            ) AS `upsold`,
            CAST(GREATEST(
              UNIX_TIMESTAMP(
                CAST(LEAST(COALESCE(`t3`.`churned_at`, `t9`.`period_end`), `t9`.`period_end`) AS TIMESTAMP)
              ) - UNIX_TIMESTAMP(CAST(GREATEST(`t3`.`since`, `t9`.`period_start`) AS TIMESTAMP)),
              0
            ) AS DOUBLE) / 2629800.0 AS `exposure_months`,
            `t5`.`__d0_key`,
            `t5`.`__d0_value`
          FROM `customers` AS `t3`
          INNER JOIN (
            SELECT
              `t7`.`period_label`,
              CAST(GREATEST(`t7`.`first`, MAKE_DATE(2000, 1, 1)) AS TIMESTAMP) AS `period_start`,
              CAST(LEAST(`t7`.`last` + INTERVAL '1' DAY, CURRENT_DATE + INTERVAL '1' DAY) AS TIMESTAMP) AS `period_end`
            FROM (
              SELECT
                *
              FROM (
                SELECT
                  `t2`.`quarter_start` AS `period_label`,
                  MIN(`t2`.`day`) AS `first`,
                  MAX(`t2`.`day`) AS `last`
                FROM `calendar` AS `t2`
                GROUP BY
                  1
              ) AS `t6`
              WHERE
                `t6`.`last` >= MAKE_DATE(2000, 1, 1)
                AND `t6`.`first` < (
                  CURRENT_DATE + INTERVAL '1' DAY
                )
            ) AS `t7`
          ) AS `t9`
            ON `t3`.`since` < `t9`.`period_end`
            AND (
              (
                `t3`.`churned_at` IS NULL
              ) OR (
                `t3`.`churned_at` >= `t9`.`period_start`
              )
            )
          LEFT OUTER JOIN (
            SELECT
              `t1`.`contact_id` AS `__d0_key`,
              `t1`.`segment` AS `__d0_value`
            FROM `contacts` AS `t1`
          ) AS `t5`
            ON `t3`.`contact_id` = `t5`.`__d0_key`
        ) AS `t10`
      ) AS `t11`
    ) AS `t12`
    GROUP BY
      1,
      2
  ) AS `t13`
  ORDER BY
    `t13`.`__period` ASC NULLS LAST,
    `t13`.`__d0` ASC NULLS LAST
) AS `t14`;
