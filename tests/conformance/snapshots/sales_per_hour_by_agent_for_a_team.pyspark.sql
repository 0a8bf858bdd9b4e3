-- sales_per_hour_by_agent_for_a_team (pyspark)
SELECT
  `t28`.`__d0` AS `agent`,
  `t28`.`sales` / NULLIF(`t28`.`agent_hours`, 0) AS `sales_per_hour`,
  `t28`.`sales` AS `sales_per_hour_numerator`,
  `t28`.`agent_hours` AS `sales_per_hour_denominator`,
  `t28`.`agent_hours`
FROM (
  SELECT
    `t27`.`__d0`,
    COALESCE(`t27`.`sales`, 0.0) AS `sales`,
    COALESCE(`t27`.`agent_hours`, 0.0) AS `agent_hours`
  FROM (
    SELECT
      `t26`.`__d0`,
      MAX(`t26`.`sales`) AS `sales`,
      MAX(`t26`.`agent_hours`) AS `agent_hours`
    FROM (
      SELECT
        *
      FROM (
        SELECT
          `t17`.`__d0`,
          CAST(`t17`.`sales` AS DOUBLE) AS `sales`,
          CAST(NULL AS DOUBLE) AS `agent_hours`
        FROM (
          SELECT
            `t15`.`__d0`,
            SUM(CAST(`t15`.`outcome` = 'sale' AS BIGINT)) AS `sales`
          FROM (
            SELECT
              `t14`.`call_id`,
              `t14`.`campaign_id`,
              `t14`.`agent_id`,
              `t14`.`contact_id`,
              `t14`.`lead_id`,
              `t14`.`direction`,
              `t14`.`started_at`,
              `t14`.`ring_s`,
              `t14`.`talk_s`,
              `t14`.`hold_s`,
              `t14`.`wrap_s`,
              `t14`.`outcome`,
              `t14`.`attempt_no`,
              `t14`.`tracking_code`,
              `t14`.`handle_s`,
              `t14`.`handled`,
              `t14`.`__w_team_value`,
              `t14`.`agent_id` AS `__d0`,
              `t14`.`__w_team_value` AS `__w_team`
            FROM (
              SELECT
                `t12`.`call_id`,
                `t12`.`campaign_id`,
                `t12`.`agent_id`,
                `t12`.`contact_id`,
                `t12`.`lead_id`,
                `t12`.`direction`,
                `t12`.`started_at`,
                `t12`.`ring_s`,
                `t12`.`talk_s`,
                `t12`.`hold_s`,
                `t12`.`wrap_s`,
                `t12`.`outcome`,
                `t12`.`attempt_no`,
                `t12`.`tracking_code`,
                `t12`.`handle_s`,
                `t12`.`handled`,
                `t12`.`__w_team_value`
              FROM (
                SELECT
                  `t8`.`call_id`,
                  `t8`.`campaign_id`,
                  `t8`.`agent_id`,
                  `t8`.`contact_id`,
                  `t8`.`lead_id`,
                  `t8`.`direction`,
                  `t8`.`started_at`,
                  `t8`.`ring_s`,
                  `t8`.`talk_s`,
                  `t8`.`hold_s`,
                  `t8`.`wrap_s`,
                  `t8`.`outcome`,
                  `t8`.`attempt_no`,
                  `t8`.`tracking_code`,
                  `t8`.`handle_s`,
                  `t8`.`handled`,
                  `t4`.`__w_team_key`,
                  `t4`.`__w_team_value`
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
                    `t0`.`talk_s` > 0 AS `handled`
                  FROM `calls` AS `t0`
                ) AS `t8`
                LEFT OUTER JOIN (
                  SELECT
                    `t1`.`agent_id` AS `__w_team_key`,
                    `t1`.`team` AS `__w_team_value`
                  FROM `agents` AS `t1`
                ) AS `t4`
                  ON `t8`.`agent_id` = `t4`.`__w_team_key`
              ) AS `t12`
            ) AS `t14`
            WHERE
              `t14`.`started_at` IS NOT NULL
              AND `t14`.`__w_team_value` IN (:where_0_0, :where_0_1)
          ) AS `t15`
          GROUP BY
            1
        ) AS `t17`
      ) AS `t18`
      UNION ALL
      SELECT
        *
      FROM (
        SELECT
          `t24`.`__d0`,
          CAST(NULL AS DOUBLE) AS `sales`,
          `t24`.`agent_hours`
        FROM (
          SELECT
            `t23`.`__d0`,
            SUM(`t23`.`agent_hours`) AS `agent_hours`
          FROM (
            SELECT
              `t22`.`call_id`,
              `t22`.`campaign_id`,
              `t22`.`agent_id`,
              `t22`.`contact_id`,
              `t22`.`lead_id`,
              `t22`.`direction`,
              `t22`.`started_at`,
              `t22`.`ring_s`,
              `t22`.`talk_s`,
              `t22`.`hold_s`,
              `t22`.`wrap_s`,
              `t22`.`outcome`,
              `t22`.`attempt_no`,
              `t22`.`tracking_code`,
              `t22`.`handle_s`,
              `t22`.`handled`,
              `t22`.`agent_hours`,
              `t22`.`__w_team_value`,
              `t22`.`agent_id` AS `__d0`,
              `t22`.`__w_team_value` AS `__w_team`
            FROM (
              SELECT
                `t21`.`call_id`,
                `t21`.`campaign_id`,
                `t21`.`agent_id`,
                `t21`.`contact_id`,
                `t21`.`lead_id`,
                `t21`.`direction`,
                `t21`.`started_at`,
                `t21`.`ring_s`,
                `t21`.`talk_s`,
                `t21`.`hold_s`,
                `t21`.`wrap_s`,
                `t21`.`outcome`,
                `t21`.`attempt_no`,
                `t21`.`tracking_code`,
                `t21`.`handle_s`,
                `t21`.`handled`,
                `t21`.`agent_hours`,
                `t21`.`__w_team_value`
              FROM (
                SELECT
                  `t20`.`call_id`,
                  `t20`.`campaign_id`,
                  `t20`.`agent_id`,
                  `t20`.`contact_id`,
                  `t20`.`lead_id`,
                  `t20`.`direction`,
                  `t20`.`started_at`,
                  `t20`.`ring_s`,
                  `t20`.`talk_s`,
                  `t20`.`hold_s`,
                  `t20`.`wrap_s`,
                  `t20`.`outcome`,
                  `t20`.`attempt_no`,
                  `t20`.`tracking_code`,
                  `t20`.`handle_s`,
                  `t20`.`handled`,
                  `t20`.`agent_hours`,
                  `t4`.`__w_team_key`,
                  `t4`.`__w_team_value`
                FROM (
                  SELECT
                    `t16`.`call_id`,
                    `t16`.`campaign_id`,
                    `t16`.`agent_id`,
                    `t16`.`contact_id`,
                    `t16`.`lead_id`,
                    `t16`.`direction`,
                    `t16`.`started_at`,
                    `t16`.`ring_s`,
                    `t16`.`talk_s`,
                    `t16`.`hold_s`,
                    `t16`.`wrap_s`,
                    `t16`.`outcome`,
                    `t16`.`attempt_no`,
                    `t16`.`tracking_code`,
                    `t16`.`handle_s`,
                    `t16`.`handled`,
                    COALESCE(
                      `t16`.`logged_s` * CASE
                        WHEN `t16`.`day_handle_s` > 0
                        THEN `t16`.`handle_s` / `t16`.`day_handle_s`
                        ELSE 1.0 / CAST(`t16`.`day_calls` AS DOUBLE)
                      END,
                      COALESCE(`t16`.`talk_s`, 0)
                    ) / 3600.0 AS `agent_hours`
                  FROM (
                    SELECT
                      `t13`.`call_id`,
                      `t13`.`campaign_id`,
                      `t13`.`agent_id`,
                      `t13`.`contact_id`,
                      `t13`.`lead_id`,
                      `t13`.`direction`,
                      `t13`.`started_at`,
                      `t13`.`ring_s`,
                      `t13`.`talk_s`,
                      `t13`.`hold_s`,
                      `t13`.`wrap_s`,
                      `t13`.`outcome`,
                      `t13`.`attempt_no`,
                      `t13`.`tracking_code`,
                      `t13`.`handle_s`,
                      `t13`.`handled`,
                      `t13`.`work_day`,
                      `t13`.`day_handle_s`,
                      `t13`.`day_calls`,
                      `t11`.`agent_id` AS `agent_id_right`,
                      `t11`.`work_day` AS `work_day_right`,
                      `t11`.`logged_s`
                    FROM (
                      SELECT
                        `t7`.`call_id`,
                        `t7`.`campaign_id`,
                        `t7`.`agent_id`,
                        `t7`.`contact_id`,
                        `t7`.`lead_id`,
                        `t7`.`direction`,
                        `t7`.`started_at`,
                        `t7`.`ring_s`,
                        `t7`.`talk_s`,
                        `t7`.`hold_s`,
                        `t7`.`wrap_s`,
                        `t7`.`outcome`,
                        `t7`.`attempt_no`,
                        `t7`.`tracking_code`,
                        `t7`.`handle_s`,
                        `t7`.`handled`,
                        `t7`.`work_day`,
                        SUM(`t7`.`handle_s`) OVER (
                          PARTITION BY `t7`.`agent_id`, `t7`.`work_day`
                          ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING
                        ) AS `day_handle_s`,
                        COUNT(`t7`.`call_id`) OVER (
                          PARTITION BY `t7`.`agent_id`, `t7`.`work_day`
                          ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING
                        ) AS `day_calls`
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
                          CAST(`t0`.`started_at` AS DATE) AS `work_day`
                        FROM `calls` AS `t0`
                      ) AS `t7`
                    ) AS `t13`
                    LEFT OUTER JOIN (
                      SELECT
                        `t5`.`agent_id`,
                        `t5`.`work_day`,
                        CAST(SUM(`t5`.`seconds`) AS DOUBLE) AS `logged_s`
                      FROM (
                        SELECT
                          `t2`.`agent_id`,
                          `t2`.`login_at`,
                          `t2`.`logout_at`,
                          CAST(`t2`.`login_at` AS DATE) AS `work_day`,
                          UNIX_TIMESTAMP(CAST(`t2`.`logout_at` AS TIMESTAMP)) - UNIX_TIMESTAMP(CAST(`t2`.`login_at` AS TIMESTAMP)) AS `seconds`
                        FROM `agent_sessions` AS `t2`
                      ) AS `t5`
                      GROUP BY
                        1,
                        2
                    ) AS `t11`
                      ON `t13`.`agent_id` = `t11`.`agent_id` AND `t13`.`work_day` = `t11`.`work_day`
                  ) AS `t16`
                ) AS `t20`
                LEFT OUTER JOIN (
                  SELECT
                    `t1`.`agent_id` AS `__w_team_key`,
                    `t1`.`team` AS `__w_team_value`
                  FROM `agents` AS `t1`
                ) AS `t4`
                  ON `t20`.`agent_id` = `t4`.`__w_team_key`
              ) AS `t21`
            ) AS `t22`
            WHERE
              `t22`.`started_at` IS NOT NULL
              AND `t22`.`__w_team_value` IN (:where_0_0, :where_0_1)
          ) AS `t23`
          GROUP BY
            1
        ) AS `t24`
      ) AS `t25`
    ) AS `t26`
    GROUP BY
      1
  ) AS `t27`
  ORDER BY
    `t27`.`__d0` ASC NULLS LAST
) AS `t28`;
