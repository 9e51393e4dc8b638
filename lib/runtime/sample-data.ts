/**
 * The sample dataset every app starts with: `taxi_trips`, 10,000 rows, deterministic (pure
 * arithmetic on the row number, no random source), so every instance builds the same table.
 */
export const TAXI_TRIPS_ROWS = 10_000;

/** The tables an app's database must hold, with their row counts: checked before a file is used. */
export const SAMPLE_TABLES: Readonly<Record<string, number>> = { taxi_trips: TAXI_TRIPS_ROWS };

export const CREATE_SAMPLE_DATA = `
CREATE TABLE taxi_trips AS
WITH base AS (
  SELECT
    i,
    (i * 7919 + 104729) % 10007 AS r1,
    (i * 4513 + 7577) % 9973 AS r2,
    (i * 2851 + 1301) % 9949 AS r3
  FROM range(${TAXI_TRIPS_ROWS}) AS t(i)
)
SELECT
  CAST(i + 1 AS INTEGER) AS trip_id,
  TIMESTAMP '2024-01-01 00:00:00' + to_seconds(CAST(i * 259 + r1 % 240 AS BIGINT)) AS pickup_datetime,
  TIMESTAMP '2024-01-01 00:00:00' + to_seconds(CAST(i * 259 + r1 % 240 + 240 + r2 % 2400 AS BIGINT)) AS dropoff_datetime,
  CAST(1 + r1 % 4 + CASE WHEN r2 % 10 = 0 THEN 2 ELSE 0 END AS INTEGER) AS passenger_count,
  CAST(round(0.4 + (r2 % 1800) / 100.0, 2) AS DOUBLE) AS trip_distance,
  CAST(round(3.0 + (r2 % 1800) / 100.0 * 2.5, 2) AS DOUBLE) AS fare_amount,
  CAST(CASE WHEN r3 % 4 = 0 THEN 0 ELSE round((3.0 + (r2 % 1800) / 100.0 * 2.5) * (10 + r3 % 15) / 100.0, 2) END AS DOUBLE) AS tip_amount,
  CAST(round(3.0 + (r2 % 1800) / 100.0 * 2.5
    + CASE WHEN r3 % 4 = 0 THEN 0 ELSE round((3.0 + (r2 % 1800) / 100.0 * 2.5) * (10 + r3 % 15) / 100.0, 2) END
    + 1.0, 2) AS DOUBLE) AS total_amount,
  CASE WHEN r3 % 4 = 0 THEN 'cash' ELSE 'card' END AS payment_type
FROM base
ORDER BY i
`;
