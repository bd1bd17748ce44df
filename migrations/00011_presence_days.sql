-- A month of presence per user per day in well under a second (issue 18):
-- daily rollups of the segment tables, kept by the loader.
--
-- presence_daily_between reads and splits every segment of the range (about
-- 1.1 million for a month of 5,000 agents: 11 s measured). The rollups hold
-- its answer for the closed segments, one row per user, UTC day and value,
-- so a month is one month partition read as it is stored.
--
-- Semantics: exactly presence_daily's (00005, 00009). A segment crossing
-- midnight is split at the boundary; each part counts as one segment of its
-- day; a zero-length segment counts in its day with no time. Microseconds are
-- summed per part rounded to the microsecond, as presence_daily_between sums
-- them, so the seconds agree to the last bit. Open segments (no end yet) are
-- not stored: presence_days_between adds them when it runs, up to now(), as
-- presence_daily does, so the two give the same rows at any time.
--
-- Upkeep: the loader keeps the rollups by difference, in the transaction and
-- batch that write the segments: a closed segment inserted adds its parts to
-- the rows of its days, a segment changed takes its old parts away and adds
-- its new ones, and a row left with no segment is deleted (see
-- internal/load/rollup.go). Sums of whole microseconds and counts are exact,
-- so the rollup stays equal to the segments' answer. Segments are only
-- written by the loader; retention drops whole months of both (a rollup's
-- months follow its segment table's). A rollup can be rebuilt from the
-- segments with the statements below that fill it.
--
-- Storage: partitioned by UTC month of day like the segments (the loader
-- creates the months ahead, through ensure_month_partition), keyed by user
-- first so that one agent's month is an index range. Rows are narrow (about
-- 0.7 kB a user-day with the key index: see BenchmarkWarehouse), and
-- carry no bookkeeping columns: they are derived, never loaded.

-- +goose Up
CREATE TABLE user_presence_days (
    user_id         text NOT NULL,
    day             date NOT NULL,
    system_presence text NOT NULL,
    microseconds    bigint NOT NULL,
    segments        integer NOT NULL,
    PRIMARY KEY (user_id, day, system_presence)
) PARTITION BY RANGE (day);

CREATE TABLE user_routing_status_days (
    user_id        text NOT NULL,
    day            date NOT NULL,
    routing_status text NOT NULL,
    microseconds   bigint NOT NULL,
    segments       integer NOT NULL,
    PRIMARY KEY (user_id, day, routing_status)
) PARTITION BY RANGE (day);

-- Filled from the segments stored: every month with a closed segment's day,
-- and the current one.
SELECT ensure_month_partition('user_presence_days', m::date)
FROM (SELECT generate_series(date_trunc('month', min(start_time) AT TIME ZONE 'UTC'), date_trunc('month', max(end_time) AT TIME ZONE 'UTC'),
                             interval '1 month') AS m
      FROM user_presence_segments WHERE end_time IS NOT NULL
      UNION SELECT date_trunc('month', now() AT TIME ZONE 'UTC')) x;
INSERT INTO user_presence_days (user_id, day, system_presence, microseconds, segments)
SELECT user_id, day::date, system_presence,
       sum((date_part('epoch', least(en, day + interval '1 day') - greatest(st, day)) * 1000000)::bigint),
       count(*)
FROM (
    SELECT user_id, system_presence, st, en,
           generate_series(date_trunc('day', st),
                           CASE WHEN en <= date_trunc('day', st) + interval '1 day' THEN date_trunc('day', st) ELSE en END,
                           interval '1 day') AS day
    FROM (SELECT user_id, system_presence, start_time AT TIME ZONE 'UTC' AS st, end_time AT TIME ZONE 'UTC' AS en
          FROM user_presence_segments WHERE end_time IS NOT NULL) s
) p
WHERE day < en OR st = en
GROUP BY user_id, day, system_presence
ORDER BY 1, 2, 3;

SELECT ensure_month_partition('user_routing_status_days', m::date)
FROM (SELECT generate_series(date_trunc('month', min(start_time) AT TIME ZONE 'UTC'), date_trunc('month', max(end_time) AT TIME ZONE 'UTC'),
                             interval '1 month') AS m
      FROM user_routing_status_segments WHERE end_time IS NOT NULL
      UNION SELECT date_trunc('month', now() AT TIME ZONE 'UTC')) x;
INSERT INTO user_routing_status_days (user_id, day, routing_status, microseconds, segments)
SELECT user_id, day::date, routing_status,
       sum((date_part('epoch', least(en, day + interval '1 day') - greatest(st, day)) * 1000000)::bigint),
       count(*)
FROM (
    SELECT user_id, routing_status, st, en,
           generate_series(date_trunc('day', st),
                           CASE WHEN en <= date_trunc('day', st) + interval '1 day' THEN date_trunc('day', st) ELSE en END,
                           interval '1 day') AS day
    FROM (SELECT user_id, routing_status, start_time AT TIME ZONE 'UTC' AS st, end_time AT TIME ZONE 'UTC' AS en
          FROM user_routing_status_segments WHERE end_time IS NOT NULL) s
) p
WHERE day < en OR st = en
GROUP BY user_id, day, routing_status
ORDER BY 1, 2, 3;

-- A day's rows, for the days of a range that open segments run into (the
-- last day or two of the data, usually): a few bytes a row, as B-tree
-- deduplication stores each day once per page.
CREATE INDEX user_presence_days_day_idx ON user_presence_days (day);
CREATE INDEX user_routing_status_days_day_idx ON user_routing_status_days (day);

-- The daily rows of a rollup for [from_day, to_day] (and the users in
-- user_ids when given), with the open segments of its segment table added
-- up to now(). The open segments (found by the index of long and open
-- segments of 00009, a probe per month) are split into their days of the
-- range first: the days they do not reach are read as stored, and only the
-- rows of the days they reach are matched with them. Each query is built
-- with the range as constants, like segments_daily_between's, so that it is
-- planned for its range: the rollup's months by partition, an agent's rows by
-- the key, the open days by the day index.
-- +goose StatementBegin
CREATE FUNCTION segment_days_between(days_table regclass, segment_table regclass, value_column name, from_day date, to_day date, user_ids text[])
RETURNS TABLE (user_id text, day date, value text, seconds double precision, segments bigint, includes_open boolean)
LANGUAGE plpgsql STABLE SET search_path FROM CURRENT SET jit = off
AS $f$
DECLARE
    -- the parts of the open segments within the range, as presence_daily
    -- splits them (the series clipped to the range: the same days in it)
    open_parts constant text := format($q$
SELECT user_id, day::date AS day, %3$I AS value,
       (date_part('epoch', least(en, day + interval '1 day') - greatest(st, day)) * 1000000)::bigint AS us
FROM (
    SELECT user_id, %3$I, st, en,
           generate_series(greatest(date_trunc('day', st), %4$L::timestamp),
                           least(CASE WHEN en <= date_trunc('day', st) + interval '1 day' THEN date_trunc('day', st) ELSE en END, %5$L::timestamp),
                           interval '1 day') AS day
    FROM (SELECT user_id, %3$I, start_time AT TIME ZONE 'UTC' AS st, greatest(now(), start_time) AT TIME ZONE 'UTC' AS en
          FROM %2$s WHERE end_time IS NULL AND start_time < %6$L%7$s) s
) p
WHERE day < en OR st = en$q$,
        days_table, segment_table, value_column, from_day::timestamp, to_day::timestamp, (to_day + 1)::timestamp AT TIME ZONE 'UTC',
        CASE WHEN user_ids IS NULL THEN '' ELSE format(' AND user_id = ANY (%L::text[])', user_ids) END);
    users constant text := CASE WHEN user_ids IS NULL THEN '' ELSE format(' AND d.user_id = ANY (%L::text[])', user_ids) END;
    open_days date[];
BEGIN
    EXECUTE format('SELECT array_agg(DISTINCT day) FROM (%s) o', open_parts) INTO open_days;
    IF open_days IS NULL THEN
        RETURN QUERY EXECUTE format($q$
SELECT d.user_id, d.day, d.%3$I, d.microseconds::double precision / 1000000, d.segments::bigint, false
FROM %1$s d WHERE d.day >= %4$L AND d.day <= %5$L%6$s$q$,
            days_table, segment_table, value_column, from_day, to_day, users);
        RETURN;
    END IF;
    RETURN QUERY EXECUTE format($q$
WITH o AS (SELECT user_id, day, value, sum(us) AS us, count(*) AS n FROM (%7$s) p GROUP BY 1, 2, 3)
SELECT d.user_id, d.day, d.%3$I, d.microseconds::double precision / 1000000, d.segments::bigint, false
FROM %1$s d WHERE d.day >= %4$L AND d.day <= %5$L AND d.day <> ALL (%8$L::date[])%6$s
UNION ALL
SELECT d.user_id, d.day, d.%3$I, (d.microseconds + coalesce(o.us, 0))::double precision / 1000000, d.segments + coalesce(o.n, 0), o.n IS NOT NULL
FROM %1$s d LEFT JOIN o ON o.user_id = d.user_id AND o.day = d.day AND o.value = d.%3$I
WHERE d.day = ANY (%8$L::date[])%6$s
UNION ALL
SELECT o.user_id, o.day, o.value, o.us::double precision / 1000000, o.n, true
FROM o
WHERE NOT EXISTS (SELECT 1 FROM %1$s d WHERE d.user_id = o.user_id AND d.day = o.day AND d.%3$I = o.value)$q$,
        days_table, segment_table, value_column, from_day, to_day, users, open_parts, open_days);
END
$f$;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE FUNCTION presence_days_between(from_day date, to_day date, user_ids text[] DEFAULT NULL) RETURNS SETOF presence_daily
LANGUAGE sql STABLE
BEGIN ATOMIC
    SELECT * FROM segment_days_between('user_presence_days', 'user_presence_segments', 'system_presence', from_day, to_day, user_ids);
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE FUNCTION routing_status_days_between(from_day date, to_day date, user_ids text[] DEFAULT NULL) RETURNS SETOF routing_status_daily
LANGUAGE sql STABLE
BEGIN ATOMIC
    SELECT * FROM segment_days_between('user_routing_status_days', 'user_routing_status_segments', 'routing_status', from_day, to_day, user_ids);
END;
-- +goose StatementEnd

COMMENT ON TABLE user_presence_days IS
    'Storage of presence_days_between (query that function): the closed presence segments of each user summed per UTC day and system presence, kept by syncer''s loader with the segments; partitioned by UTC month of day; retention drops whole months with the segments'' months.';
COMMENT ON COLUMN user_presence_days.user_id IS 'Genesys user id (users.id).';
COMMENT ON COLUMN user_presence_days.day IS 'UTC day; its month is the partition.';
COMMENT ON COLUMN user_presence_days.system_presence IS 'System presence.';
COMMENT ON COLUMN user_presence_days.microseconds IS 'Microseconds of the day in that presence, closed segments only (each part rounded to the microsecond).';
COMMENT ON COLUMN user_presence_days.segments IS 'Closed segments (or their parts within the day) counted.';
COMMENT ON TABLE user_routing_status_days IS
    'Storage of routing_status_days_between (query that function): the closed routing status segments of each user summed per UTC day and status, kept by syncer''s loader with the segments; partitioned by UTC month of day.';
COMMENT ON COLUMN user_routing_status_days.user_id IS 'Genesys user id (users.id).';
COMMENT ON COLUMN user_routing_status_days.day IS 'UTC day; its month is the partition.';
COMMENT ON COLUMN user_routing_status_days.routing_status IS 'Routing status.';
COMMENT ON COLUMN user_routing_status_days.microseconds IS 'Microseconds of the day in that status, closed segments only (each part rounded to the microsecond).';
COMMENT ON COLUMN user_routing_status_days.segments IS 'Closed segments (or their parts within the day) counted.';
COMMENT ON FUNCTION segment_days_between(regclass, regclass, name, date, date, text[]) IS
    'Used by presence_days_between and routing_status_days_between: the daily rows of a rollup, with the open segments of its segment table added up to now().';
COMMENT ON FUNCTION presence_days_between(date, date, text[]) IS
    'The rows of presence_daily for the UTC days [from_day, to_day] (and the users in user_ids when given), read from the daily rollup user_presence_days: the same answer as presence_daily_between, a month of a whole org in well under a second. Open segments count up to now().';
COMMENT ON FUNCTION routing_status_days_between(date, date, text[]) IS
    'The rows of routing_status_daily for the UTC days [from_day, to_day] (and the users in user_ids when given), from the daily rollup user_routing_status_days (see presence_days_between).';

-- +goose Down
-- Nothing is lost: the rollups are derived from the segments, which stay.
DROP FUNCTION routing_status_days_between(date, date, text[]);
DROP FUNCTION presence_days_between(date, date, text[]);
DROP FUNCTION segment_days_between(regclass, regclass, name, date, date, text[]);
DROP TABLE user_routing_status_days;
DROP TABLE user_presence_days;
