-- A year fits: the analytics tables are partitioned by UTC month, and user
-- aggregates are stored one row per user, UTC day and granularity.
--
-- Partitions. user_presence_segments and user_routing_status_segments are
-- partitioned by the month of start_time, user_aggregate_days by the month of
-- day, all with native declarative partitioning (no extension, and the schema
-- still belongs to the ordinary role that runs the migrations). Months are UTC
-- months. The loader creates a month's partition, in its own transaction,
-- before it loads the first row into it (ensure_month_partition); there is no
-- default partition. Retention drops whole months (DROP TABLE of a
-- partition), never a DELETE.
--
-- Aggregates. The API gives one row per user, bucket, metric and qualifier
-- (about 144 a user-day at PT30M, each carrying the user id, two times, the
-- granularity, metric and qualifier names and a key index entry: 58 KB a
-- user-day measured). user_aggregate_days keeps the same values, one row per
-- user, UTC day (of the bucket start) and granularity, in parallel arrays
-- ordered by bucket start, metric and qualifier: the repeated names and the
-- key are stored once a day, and the row is compressed by Postgres (TOAST)
-- because it passes 2 KB: 2.3 KB a user-day. Nothing is lost: the view
-- user_aggregates unpacks the arrays into exactly the rows and columns the
-- table of that name had, NULL statistics included.
--
-- The conversion rewrites the three tables (double their space until it
-- commits, and minutes for a large history); it runs in the migration's one
-- transaction, so it is all or nothing. The views and functions over the
-- segment tables are recreated with the same definitions.

-- +goose Up

-- +goose StatementBegin
CREATE FUNCTION ensure_month_partition(parent regclass, month date) RETURNS regclass
LANGUAGE plpgsql AS $$
DECLARE
    m        date := date_trunc('month', month)::date;
    ns       name;
    rel      name;
    part     text;
    found    regclass;
    key_type regtype;
    lo       text;
    hi       text;
BEGIN
    SELECT n.nspname, c.relname INTO ns, rel
    FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE c.oid = parent AND c.relkind = 'p';
    IF rel IS NULL THEN
        RAISE EXCEPTION 'ensure_month_partition: % is not a partitioned table', parent;
    END IF;
    part := format('%I.%I', ns, rel || '_' || to_char(m, 'YYYY_MM'));
    found := to_regclass(part);
    IF found IS NULL THEN
        -- Two loaders creating the same month wait for each other here.
        PERFORM pg_advisory_xact_lock(hashtextextended('syncer partition ' || part, 0));
        found := to_regclass(part);
    END IF;
    IF found IS NOT NULL THEN
        IF NOT EXISTS (SELECT 1 FROM pg_inherits WHERE inhrelid = found AND inhparent = parent) THEN
            RAISE EXCEPTION 'ensure_month_partition: % exists but is not a partition of %', found, parent;
        END IF;
        RETURN found;
    END IF;
    SELECT a.atttypid::regtype INTO key_type
    FROM pg_partitioned_table p JOIN pg_attribute a ON a.attrelid = p.partrelid AND a.attnum = p.partattrs[0]
    WHERE p.partrelid = parent;
    lo := m::text;
    hi := (m + interval '1 month')::date::text;
    IF key_type <> 'date'::regtype THEN
        lo := lo || ' 00:00:00+00';
        hi := hi || ' 00:00:00+00';
    END IF;
    -- CREATE then ATTACH rather than CREATE ... PARTITION OF: ATTACH takes
    -- only a SHARE UPDATE EXCLUSIVE lock on the parent, so BI queries and
    -- loads of other months go on while a month is added.
    EXECUTE format('CREATE TABLE %s (LIKE %s INCLUDING DEFAULTS INCLUDING CONSTRAINTS)', part, parent);
    EXECUTE format('ALTER TABLE %s ATTACH PARTITION %s FOR VALUES FROM (%L) TO (%L)', parent, part, lo, hi);
    RETURN part::regclass;
END
$$;
-- +goose StatementEnd
COMMENT ON FUNCTION ensure_month_partition(regclass, date) IS
    'Used by syncer: creates (if missing) the partition of a table partitioned by month holding the UTC month of the given day, named <table>_YYYY_MM, and returns it.';

-- The views and functions over the segment tables are bound to the tables
-- (and the functions to the views' row types): dropped here, recreated below
-- over the partitioned tables.
DROP FUNCTION routing_status_daily_between(date, date);
DROP FUNCTION presence_daily_between(date, date);
DROP VIEW routing_status_daily;
DROP VIEW presence_daily;

ALTER TABLE user_presence_segments RENAME TO user_presence_segments_unpartitioned;
ALTER INDEX user_presence_segments_pkey RENAME TO user_presence_segments_unpartitioned_pkey;
CREATE TABLE user_presence_segments (
    user_id                  text NOT NULL CHECK (user_id <> ''),
    start_time               timestamptz NOT NULL,
    end_time                 timestamptz,
    system_presence          text NOT NULL,
    organization_presence_id text,
    first_seen_at            timestamptz NOT NULL,
    updated_at               timestamptz NOT NULL,
    updated_run              bigint,
    PRIMARY KEY (start_time, user_id),
    CHECK (end_time IS NULL OR end_time >= start_time)
) PARTITION BY RANGE (start_time);

ALTER TABLE user_routing_status_segments RENAME TO user_routing_status_segments_unpartitioned;
ALTER INDEX user_routing_status_segments_pkey RENAME TO user_routing_status_segments_unpartitioned_pkey;
CREATE TABLE user_routing_status_segments (
    user_id        text NOT NULL CHECK (user_id <> ''),
    start_time     timestamptz NOT NULL,
    end_time       timestamptz,
    routing_status text NOT NULL,
    first_seen_at  timestamptz NOT NULL,
    updated_at     timestamptz NOT NULL,
    updated_run    bigint,
    PRIMARY KEY (start_time, user_id),
    CHECK (end_time IS NULL OR end_time >= start_time)
) PARTITION BY RANGE (start_time);

-- A query for a range of days must also find the segments that began
-- before it and still run into it: those that began the day before (read by
-- the key), and older ones, which are long (an OFFLINE weekend, a leave) or
-- still open. This index holds only the long and open ones, a few per user
-- and month, so that finding them in every older month costs an index probe
-- each instead of a scan (presence_daily_between).
CREATE INDEX user_presence_segments_long_idx ON user_presence_segments (end_time)
    WHERE end_time IS NULL OR end_time - start_time > interval '1 day';
CREATE INDEX user_routing_status_segments_long_idx ON user_routing_status_segments (end_time)
    WHERE end_time IS NULL OR end_time - start_time > interval '1 day';
-- One agent's month reads that agent's segments, not the month's: the key
-- leads with start_time (segments arrive in time order). B-tree
-- deduplication stores each user id once per page with the list of its
-- rows, so this costs a few bytes a segment.
CREATE INDEX user_presence_segments_user_idx ON user_presence_segments (user_id);
CREATE INDEX user_routing_status_segments_user_idx ON user_routing_status_segments (user_id);

SELECT ensure_month_partition('user_presence_segments', m)
FROM (SELECT DISTINCT (date_trunc('month', start_time AT TIME ZONE 'UTC'))::date AS m FROM user_presence_segments_unpartitioned
      UNION SELECT (date_trunc('month', now() AT TIME ZONE 'UTC'))::date) x;
INSERT INTO user_presence_segments
SELECT user_id, start_time, end_time, system_presence, organization_presence_id, first_seen_at, updated_at, updated_run
FROM user_presence_segments_unpartitioned ORDER BY start_time, user_id;
DROP TABLE user_presence_segments_unpartitioned;

SELECT ensure_month_partition('user_routing_status_segments', m)
FROM (SELECT DISTINCT (date_trunc('month', start_time AT TIME ZONE 'UTC'))::date AS m FROM user_routing_status_segments_unpartitioned
      UNION SELECT (date_trunc('month', now() AT TIME ZONE 'UTC'))::date) x;
INSERT INTO user_routing_status_segments
SELECT user_id, start_time, end_time, routing_status, first_seen_at, updated_at, updated_run
FROM user_routing_status_segments_unpartitioned ORDER BY start_time, user_id;
DROP TABLE user_routing_status_segments_unpartitioned;

-- The entries of a row are ordered by interval start, then metric and
-- qualifier in byte order (the loader's order); the arrays have one element
-- per entry, NULL where the API gave no such statistic.
CREATE TABLE user_aggregate_days (
    user_id         text NOT NULL CHECK (user_id <> ''),
    day             date NOT NULL,
    granularity     text NOT NULL,
    interval_starts timestamptz[] NOT NULL,
    interval_ends   timestamptz[] NOT NULL,
    metrics         text[] NOT NULL,
    qualifiers      text[] NOT NULL,
    sums            double precision[] NOT NULL,
    counts          bigint[] NOT NULL,
    mins            double precision[] NOT NULL,
    maxes           double precision[] NOT NULL,
    first_seen_at   timestamptz NOT NULL,
    updated_at      timestamptz NOT NULL,
    updated_run     bigint,
    PRIMARY KEY (day, user_id, granularity),
    CHECK (cardinality(interval_starts) > 0
       AND cardinality(interval_ends) = cardinality(interval_starts)
       AND cardinality(metrics) = cardinality(interval_starts)
       AND cardinality(qualifiers) = cardinality(interval_starts)
       AND cardinality(sums) = cardinality(interval_starts)
       AND cardinality(counts) = cardinality(interval_starts)
       AND cardinality(mins) = cardinality(interval_starts)
       AND cardinality(maxes) = cardinality(interval_starts))
) PARTITION BY RANGE (day);

SELECT ensure_month_partition('user_aggregate_days', m)
FROM (SELECT DISTINCT (date_trunc('month', interval_start AT TIME ZONE 'UTC'))::date AS m FROM user_aggregates
      UNION SELECT (date_trunc('month', now() AT TIME ZONE 'UTC'))::date) x;
INSERT INTO user_aggregate_days
SELECT user_id, (interval_start AT TIME ZONE 'UTC')::date, granularity,
       array_agg(interval_start ORDER BY interval_start, metric COLLATE "C", qualifier COLLATE "C"),
       array_agg(interval_end ORDER BY interval_start, metric COLLATE "C", qualifier COLLATE "C"),
       array_agg(metric ORDER BY interval_start, metric COLLATE "C", qualifier COLLATE "C"),
       array_agg(qualifier ORDER BY interval_start, metric COLLATE "C", qualifier COLLATE "C"),
       array_agg(sum ORDER BY interval_start, metric COLLATE "C", qualifier COLLATE "C"),
       array_agg(count ORDER BY interval_start, metric COLLATE "C", qualifier COLLATE "C"),
       array_agg(min ORDER BY interval_start, metric COLLATE "C", qualifier COLLATE "C"),
       array_agg(max ORDER BY interval_start, metric COLLATE "C", qualifier COLLATE "C"),
       min(first_seen_at), max(updated_at),
       (array_agg(updated_run ORDER BY updated_at DESC, updated_run DESC NULLS LAST))[1]
FROM user_aggregates
GROUP BY 1, 2, 3
ORDER BY 2, 1, 3;
DROP TABLE user_aggregates;

CREATE VIEW user_aggregates AS
SELECT d.user_id,
       e.interval_start,
       e.interval_end,
       d.granularity,
       e.metric,
       e.qualifier,
       e.sum,
       e.count,
       e.min,
       e.max,
       d.first_seen_at,
       d.updated_at,
       d.updated_run
FROM user_aggregate_days d
CROSS JOIN LATERAL unnest(d.interval_starts, d.interval_ends, d.metrics, d.qualifiers, d.sums, d.counts, d.mins, d.maxes)
    AS e(interval_start, interval_end, metric, qualifier, sum, count, min, max);

-- user_aggregates over [from_time, to_time) only: the days outside are
-- skipped by the key (and whole months by partition), where a condition on
-- the view's interval_start is applied after every stored day is unpacked.
-- +goose StatementBegin
CREATE FUNCTION user_aggregates_between(from_time timestamptz, to_time timestamptz) RETURNS SETOF user_aggregates
LANGUAGE sql STABLE
BEGIN ATOMIC
    SELECT d.user_id, e.interval_start, e.interval_end, d.granularity, e.metric, e.qualifier,
           e.sum, e.count, e.min, e.max, d.first_seen_at, d.updated_at, d.updated_run
    FROM user_aggregate_days d
    CROSS JOIN LATERAL unnest(d.interval_starts, d.interval_ends, d.metrics, d.qualifiers, d.sums, d.counts, d.mins, d.maxes)
        AS e(interval_start, interval_end, metric, qualifier, sum, count, min, max)
    WHERE d.day >= (from_time AT TIME ZONE 'UTC')::date
      AND d.day <= (to_time AT TIME ZONE 'UTC')::date
      AND e.interval_start >= from_time
      AND e.interval_start < to_time;
END;
-- +goose StatementEnd

-- The daily views and their range functions answer as before (00005), in a
-- form that costs less per segment: a segment within one UTC day (nearly
-- all) is one piece without a day series, seconds are summed as whole
-- microseconds (the same double precision value as the numeric sum), and a
-- range function reads the months of its range by partition, the day before
-- by the key and older long or open segments by their index. The functions
-- build their query with the range as constants, so that each run is planned
-- for its range (partitions and indexes chosen for it), and run without JIT,
-- which costs more to compile these plans than they take to run; both range
-- functions share one (segments_daily_between).
CREATE VIEW presence_daily AS
SELECT user_id,
       day::date AS day,
       system_presence,
       sum((date_part('epoch', least(en, day + interval '1 day') - greatest(st, day)) * 1000000)::bigint)::double precision / 1000000 AS seconds,
       count(*) AS segments,
       bool_or(open) AS includes_open
FROM (
    SELECT user_id, system_presence, open, st, en,
           generate_series(date_trunc('day', st),
                           CASE WHEN en <= date_trunc('day', st) + interval '1 day' THEN date_trunc('day', st) ELSE en END,
                           interval '1 day') AS day
    FROM (
        SELECT user_id, system_presence,
               start_time AT TIME ZONE 'UTC' AS st,
               coalesce(end_time, greatest(now(), start_time)) AT TIME ZONE 'UTC' AS en,
               end_time IS NULL AS open
        FROM user_presence_segments
    ) s
) p
WHERE day < en OR st = en
GROUP BY user_id, day, system_presence;

CREATE VIEW routing_status_daily AS
SELECT user_id,
       day::date AS day,
       routing_status,
       sum((date_part('epoch', least(en, day + interval '1 day') - greatest(st, day)) * 1000000)::bigint)::double precision / 1000000 AS seconds,
       count(*) AS segments,
       bool_or(open) AS includes_open
FROM (
    SELECT user_id, routing_status, open, st, en,
           generate_series(date_trunc('day', st),
                           CASE WHEN en <= date_trunc('day', st) + interval '1 day' THEN date_trunc('day', st) ELSE en END,
                           interval '1 day') AS day
    FROM (
        SELECT user_id, routing_status,
               start_time AT TIME ZONE 'UTC' AS st,
               coalesce(end_time, greatest(now(), start_time)) AT TIME ZONE 'UTC' AS en,
               end_time IS NULL AS open
        FROM user_routing_status_segments
    ) s
) p
WHERE day < en OR st = en
GROUP BY user_id, day, routing_status;

-- +goose StatementBegin
CREATE FUNCTION segments_daily_between(segment_table regclass, value_column name, from_day date, to_day date, user_ids text[])
RETURNS TABLE (user_id text, day date, value text, seconds double precision, segments bigint, includes_open boolean)
LANGUAGE plpgsql STABLE SET search_path FROM CURRENT SET jit = off
AS $f$
BEGIN
    RETURN QUERY EXECUTE format($q$
SELECT user_id, day::date, %7$I,
       sum((date_part('epoch', least(en, day + interval '1 day') - greatest(st, day)) * 1000000)::bigint)::double precision / 1000000,
       count(*), bool_or(open)
FROM (
    SELECT user_id, %7$I, open, st, en,
           generate_series(date_trunc('day', st),
                           CASE WHEN en <= date_trunc('day', st) + interval '1 day' THEN date_trunc('day', st) ELSE en END,
                           interval '1 day') AS day
    FROM (
        SELECT user_id, %7$I, end_time IS NULL AS open, start_time AT TIME ZONE 'UTC' AS st,
               coalesce(end_time, greatest(now(), start_time)) AT TIME ZONE 'UTC' AS en
        FROM %8$s
        WHERE start_time >= %1$L AND start_time < %2$L AND (end_time IS NULL OR end_time > %1$L)%6$s
        UNION ALL
        SELECT user_id, %7$I, end_time IS NULL, start_time AT TIME ZONE 'UTC', coalesce(end_time, greatest(now(), start_time)) AT TIME ZONE 'UTC'
        FROM %8$s
        WHERE start_time >= %3$L AND start_time < %1$L AND (end_time IS NULL OR end_time > %1$L)%6$s
        UNION ALL
        SELECT user_id, %7$I, end_time IS NULL, start_time AT TIME ZONE 'UTC', coalesce(end_time, greatest(now(), start_time)) AT TIME ZONE 'UTC'
        FROM %8$s
        WHERE start_time < %3$L AND (end_time IS NULL OR end_time - start_time > interval '1 day')
          AND (end_time IS NULL OR end_time > %1$L)%6$s
    ) s
) p
WHERE (day < en OR st = en) AND day >= %4$L AND day <= %5$L
GROUP BY user_id, day, %7$I$q$,
        from_day::timestamp AT TIME ZONE 'UTC', (to_day + 1)::timestamp AT TIME ZONE 'UTC', (from_day - 1)::timestamp AT TIME ZONE 'UTC',
        from_day::timestamp, to_day::timestamp,
        CASE WHEN user_ids IS NULL THEN '' ELSE format(' AND user_id = ANY (%L::text[])', user_ids) END,
        value_column, segment_table);
END
$f$;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE FUNCTION presence_daily_between(from_day date, to_day date, user_ids text[] DEFAULT NULL) RETURNS SETOF presence_daily
LANGUAGE sql STABLE
BEGIN ATOMIC
    SELECT * FROM segments_daily_between('user_presence_segments', 'system_presence', from_day, to_day, user_ids);
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE FUNCTION routing_status_daily_between(from_day date, to_day date, user_ids text[] DEFAULT NULL) RETURNS SETOF routing_status_daily
LANGUAGE sql STABLE
BEGIN ATOMIC
    SELECT * FROM segments_daily_between('user_routing_status_segments', 'routing_status', from_day, to_day, user_ids);
END;
-- +goose StatementEnd

COMMENT ON TABLE user_presence_segments IS
    'Primary presence segments of each user (analytics user details jobs), one row per user and start time; partitioned by UTC month of start_time (partitions <table>_YYYY_MM); retention drops whole months.';
COMMENT ON COLUMN user_presence_segments.user_id IS 'Genesys user id (users.id).';
COMMENT ON COLUMN user_presence_segments.start_time IS 'When the segment began; its UTC month is the partition.';
COMMENT ON COLUMN user_presence_segments.end_time IS 'When the segment ended; NULL while it was still in progress at the last load (closed by a later load, never reopened).';
COMMENT ON COLUMN user_presence_segments.system_presence IS 'System presence: AVAILABLE, ON_QUEUE, BUSY, AWAY, BREAK, MEAL, MEETING, TRAINING, IDLE, OFFLINE.';
COMMENT ON COLUMN user_presence_segments.organization_presence_id IS 'The organisation presence definition the user chose (NULL when the API gave none).';
COMMENT ON COLUMN user_presence_segments.first_seen_at IS 'When syncer first loaded the segment.';
COMMENT ON COLUMN user_presence_segments.updated_at IS 'When syncer last changed the row (e.g. closed it).';
COMMENT ON COLUMN user_presence_segments.updated_run IS 'The sync_runs id that last inserted or changed the row.';

COMMENT ON TABLE user_routing_status_segments IS
    'Routing status segments of each user (analytics user details jobs), one row per user and start time; partitioned by UTC month of start_time; retention drops whole months.';
COMMENT ON COLUMN user_routing_status_segments.user_id IS 'Genesys user id (users.id).';
COMMENT ON COLUMN user_routing_status_segments.start_time IS 'When the segment began; its UTC month is the partition.';
COMMENT ON COLUMN user_routing_status_segments.end_time IS 'When the segment ended; NULL while it was still in progress at the last load.';
COMMENT ON COLUMN user_routing_status_segments.routing_status IS 'OFF_QUEUE, IDLE, INTERACTING, NOT_RESPONDING or COMMUNICATING.';
COMMENT ON COLUMN user_routing_status_segments.first_seen_at IS 'When syncer first loaded the segment.';
COMMENT ON COLUMN user_routing_status_segments.updated_at IS 'When syncer last changed the row.';
COMMENT ON COLUMN user_routing_status_segments.updated_run IS 'The sync_runs id that last inserted or changed the row.';

COMMENT ON TABLE user_aggregate_days IS
    'Storage of user_aggregates (query that view, or user_aggregates_between): one row per user, UTC day of the bucket start and granularity, the day''s metric rows as parallel arrays; partitioned by UTC month of day; retention drops whole months.';
COMMENT ON COLUMN user_aggregate_days.day IS 'UTC date of the buckets'' start; its month is the partition.';
COMMENT ON COLUMN user_aggregate_days.granularity IS 'Bucket length requested from the API (ISO-8601, e.g. PT30M).';
COMMENT ON COLUMN user_aggregate_days.interval_starts IS 'Bucket start of each entry, in order.';
COMMENT ON COLUMN user_aggregate_days.user_id IS 'Genesys user id (users.id).';
COMMENT ON COLUMN user_aggregate_days.interval_ends IS 'Bucket end of each entry.';
COMMENT ON COLUMN user_aggregate_days.metrics IS 'Metric of each entry (tSystemPresence, tOrganizationPresence, tAgentRoutingStatus).';
COMMENT ON COLUMN user_aggregate_days.qualifiers IS 'Qualifier of each entry; empty when the API gives none.';
COMMENT ON COLUMN user_aggregate_days.sums IS 'Sum of each entry, milliseconds (NULL elements where the API gave none).';
COMMENT ON COLUMN user_aggregate_days.counts IS 'Count of each entry (NULL elements where the API gave none).';
COMMENT ON COLUMN user_aggregate_days.mins IS 'Min of each entry, milliseconds.';
COMMENT ON COLUMN user_aggregate_days.maxes IS 'Max of each entry, milliseconds.';
COMMENT ON COLUMN user_aggregate_days.first_seen_at IS 'When syncer first loaded a bucket of this user-day.';
COMMENT ON COLUMN user_aggregate_days.updated_at IS 'When syncer last changed any entry of this user-day.';
COMMENT ON COLUMN user_aggregate_days.updated_run IS 'The sync_runs id that last changed this user-day.';

COMMENT ON VIEW user_aggregates IS
    'Aggregate metrics per user, bucket, metric and qualifier, as the analytics user aggregates jobs give them (tSystemPresence, tOrganizationPresence, tAgentRoutingStatus; milliseconds). For a time range use user_aggregates_between(from, to): a condition on interval_start here is applied after unpacking every stored day.';
COMMENT ON COLUMN user_aggregates.user_id IS 'Genesys user id (users.id).';
COMMENT ON COLUMN user_aggregates.interval_start IS 'Bucket start.';
COMMENT ON COLUMN user_aggregates.interval_end IS 'Bucket end (the last bucket of a window may be shorter).';
COMMENT ON COLUMN user_aggregates.granularity IS 'Bucket length requested (ISO-8601, e.g. PT30M).';
COMMENT ON COLUMN user_aggregates.metric IS 'tSystemPresence, tOrganizationPresence or tAgentRoutingStatus.';
COMMENT ON COLUMN user_aggregates.qualifier IS 'System presence, organisation presence id or routing status; empty when the API gives none.';
COMMENT ON COLUMN user_aggregates.sum IS 'Milliseconds spent in the qualifier within the bucket (NULL when the API gave no sum).';
COMMENT ON COLUMN user_aggregates.count IS 'Segments overlapping the bucket (NULL when the API gave no count).';
COMMENT ON COLUMN user_aggregates.min IS 'Shortest part of a segment within the bucket, milliseconds.';
COMMENT ON COLUMN user_aggregates.max IS 'Longest part of a segment within the bucket, milliseconds.';
COMMENT ON COLUMN user_aggregates.first_seen_at IS 'When syncer first loaded a bucket of this user and UTC day.';
COMMENT ON COLUMN user_aggregates.updated_at IS 'When syncer last changed any bucket of this user and UTC day.';
COMMENT ON COLUMN user_aggregates.updated_run IS 'The sync_runs id that last changed this user and UTC day.';
COMMENT ON FUNCTION user_aggregates_between(timestamptz, timestamptz) IS
    'The rows of user_aggregates whose bucket starts in [from_time, to_time), reading only the days (and month partitions) of the range.';

COMMENT ON VIEW presence_daily IS
    'Seconds per user, UTC day and system presence, from user_presence_segments; segments crossing midnight are split, open ones count up to now. For a range of days use presence_daily_between.';
COMMENT ON COLUMN presence_daily.user_id IS 'Genesys user id (users.id).';
COMMENT ON COLUMN presence_daily.day IS 'UTC day.';
COMMENT ON COLUMN presence_daily.system_presence IS 'System presence.';
COMMENT ON COLUMN presence_daily.seconds IS 'Seconds of the day in that presence (open segments up to now).';
COMMENT ON COLUMN presence_daily.segments IS 'Segments (or their parts within the day) counted.';
COMMENT ON COLUMN presence_daily.includes_open IS 'Whether a segment still in progress counts (its seconds grow until it closes).';
COMMENT ON COLUMN routing_status_daily.user_id IS 'Genesys user id (users.id).';
COMMENT ON COLUMN routing_status_daily.day IS 'UTC day.';
COMMENT ON COLUMN routing_status_daily.routing_status IS 'Routing status.';
COMMENT ON COLUMN routing_status_daily.seconds IS 'Seconds of the day in that status (open segments up to now).';
COMMENT ON COLUMN routing_status_daily.segments IS 'Segments (or their parts within the day) counted.';
COMMENT ON COLUMN routing_status_daily.includes_open IS 'Whether a segment still in progress counts.';
COMMENT ON VIEW routing_status_daily IS
    'Seconds per user, UTC day and routing status, from user_routing_status_segments (split at midnight, open ones up to now). For a range of days use routing_status_daily_between.';
COMMENT ON FUNCTION segments_daily_between(regclass, name, date, date, text[]) IS
    'Used by presence_daily_between and routing_status_daily_between: the daily rows of a segment table by its value column.';
COMMENT ON FUNCTION presence_daily_between(date, date, text[]) IS
    'presence_daily for the UTC days [from_day, to_day] only, and for the users in user_ids when given: reads the month partitions of the range, and, by index, the segments of earlier months still running into it (and only those users'' segments).';
COMMENT ON FUNCTION routing_status_daily_between(date, date, text[]) IS
    'routing_status_daily for the UTC days [from_day, to_day] only, and the users in user_ids when given (see presence_daily_between).';

-- +goose Down
-- Months that retention dropped stay dropped, and the aggregates'
-- first_seen_at, updated_at and updated_run come back per user and UTC day
-- (the values of the day's stored row), not per metric row as before the
-- upgrade. Every other row and value is restored, in unpartitioned tables.
DROP FUNCTION routing_status_daily_between(date, date, text[]);
DROP FUNCTION presence_daily_between(date, date, text[]);
DROP FUNCTION segments_daily_between(regclass, name, date, date, text[]);
DROP VIEW routing_status_daily;
DROP VIEW presence_daily;
DROP FUNCTION user_aggregates_between(timestamptz, timestamptz);

CREATE TABLE user_aggregates_unpacked (
    user_id        text NOT NULL CHECK (user_id <> ''),
    interval_start timestamptz NOT NULL,
    interval_end   timestamptz NOT NULL,
    granularity    text NOT NULL,
    metric         text NOT NULL,
    qualifier      text NOT NULL DEFAULT '',
    sum            double precision,
    count          bigint,
    min            double precision,
    max            double precision,
    first_seen_at  timestamptz NOT NULL,
    updated_at     timestamptz NOT NULL,
    updated_run    bigint,
    PRIMARY KEY (interval_start, user_id, granularity, metric, qualifier),
    CHECK (interval_end > interval_start)
);
INSERT INTO user_aggregates_unpacked SELECT * FROM user_aggregates ORDER BY interval_start, user_id;
DROP VIEW user_aggregates;
DROP TABLE user_aggregate_days;
ALTER TABLE user_aggregates_unpacked RENAME TO user_aggregates;
ALTER INDEX user_aggregates_unpacked_pkey RENAME TO user_aggregates_pkey;

CREATE TABLE user_presence_segments_plain (
    user_id                  text NOT NULL CHECK (user_id <> ''),
    start_time               timestamptz NOT NULL,
    end_time                 timestamptz,
    system_presence          text NOT NULL,
    organization_presence_id text,
    first_seen_at            timestamptz NOT NULL,
    updated_at               timestamptz NOT NULL,
    updated_run              bigint,
    PRIMARY KEY (start_time, user_id),
    CHECK (end_time IS NULL OR end_time >= start_time)
);
INSERT INTO user_presence_segments_plain SELECT * FROM user_presence_segments ORDER BY start_time, user_id;
DROP TABLE user_presence_segments;
ALTER TABLE user_presence_segments_plain RENAME TO user_presence_segments;
ALTER INDEX user_presence_segments_plain_pkey RENAME TO user_presence_segments_pkey;

CREATE TABLE user_routing_status_segments_plain (
    user_id        text NOT NULL CHECK (user_id <> ''),
    start_time     timestamptz NOT NULL,
    end_time       timestamptz,
    routing_status text NOT NULL,
    first_seen_at  timestamptz NOT NULL,
    updated_at     timestamptz NOT NULL,
    updated_run    bigint,
    PRIMARY KEY (start_time, user_id),
    CHECK (end_time IS NULL OR end_time >= start_time)
);
INSERT INTO user_routing_status_segments_plain SELECT * FROM user_routing_status_segments ORDER BY start_time, user_id;
DROP TABLE user_routing_status_segments;
ALTER TABLE user_routing_status_segments_plain RENAME TO user_routing_status_segments;
ALTER INDEX user_routing_status_segments_plain_pkey RENAME TO user_routing_status_segments_pkey;

DROP FUNCTION ensure_month_partition(regclass, date);

CREATE VIEW presence_daily AS
SELECT s.user_id,
       d.day::date AS day,
       s.system_presence,
       sum(extract(epoch FROM least(s.en, d.day + interval '1 day') - greatest(s.st, d.day)))::double precision AS seconds,
       count(*) AS segments,
       bool_or(s.open) AS includes_open
FROM (
    SELECT user_id, system_presence,
           start_time AT TIME ZONE 'UTC' AS st,
           coalesce(end_time, greatest(now(), start_time)) AT TIME ZONE 'UTC' AS en,
           end_time IS NULL AS open
    FROM user_presence_segments
) s
CROSS JOIN LATERAL generate_series(date_trunc('day', s.st), s.en, interval '1 day') AS d(day)
WHERE d.day < s.en OR s.st = s.en
GROUP BY s.user_id, d.day, s.system_presence;

CREATE VIEW routing_status_daily AS
SELECT s.user_id,
       d.day::date AS day,
       s.routing_status,
       sum(extract(epoch FROM least(s.en, d.day + interval '1 day') - greatest(s.st, d.day)))::double precision AS seconds,
       count(*) AS segments,
       bool_or(s.open) AS includes_open
FROM (
    SELECT user_id, routing_status,
           start_time AT TIME ZONE 'UTC' AS st,
           coalesce(end_time, greatest(now(), start_time)) AT TIME ZONE 'UTC' AS en,
           end_time IS NULL AS open
    FROM user_routing_status_segments
) s
CROSS JOIN LATERAL generate_series(date_trunc('day', s.st), s.en, interval '1 day') AS d(day)
WHERE d.day < s.en OR s.st = s.en
GROUP BY s.user_id, d.day, s.routing_status;

-- +goose StatementBegin
CREATE FUNCTION presence_daily_between(from_day date, to_day date) RETURNS SETOF presence_daily
LANGUAGE sql STABLE
BEGIN ATOMIC
    SELECT s.user_id,
           d.day::date,
           s.system_presence,
           sum(extract(epoch FROM least(s.en, d.day + interval '1 day') - greatest(s.st, d.day)))::double precision,
           count(*),
           bool_or(s.open)
    FROM (
        SELECT user_id, system_presence,
               start_time AT TIME ZONE 'UTC' AS st,
               coalesce(end_time, greatest(now(), start_time)) AT TIME ZONE 'UTC' AS en,
               end_time IS NULL AS open
        FROM user_presence_segments
        WHERE start_time < (to_day + 1)::timestamp AT TIME ZONE 'UTC'
          AND (end_time IS NULL OR end_time > from_day::timestamp AT TIME ZONE 'UTC')
    ) s
    CROSS JOIN LATERAL generate_series(date_trunc('day', s.st), s.en, interval '1 day') AS d(day)
    WHERE (d.day < s.en OR s.st = s.en) AND d.day >= from_day AND d.day <= to_day
    GROUP BY s.user_id, d.day, s.system_presence;
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE FUNCTION routing_status_daily_between(from_day date, to_day date) RETURNS SETOF routing_status_daily
LANGUAGE sql STABLE
BEGIN ATOMIC
    SELECT s.user_id,
           d.day::date,
           s.routing_status,
           sum(extract(epoch FROM least(s.en, d.day + interval '1 day') - greatest(s.st, d.day)))::double precision,
           count(*),
           bool_or(s.open)
    FROM (
        SELECT user_id, routing_status,
               start_time AT TIME ZONE 'UTC' AS st,
               coalesce(end_time, greatest(now(), start_time)) AT TIME ZONE 'UTC' AS en,
               end_time IS NULL AS open
        FROM user_routing_status_segments
        WHERE start_time < (to_day + 1)::timestamp AT TIME ZONE 'UTC'
          AND (end_time IS NULL OR end_time > from_day::timestamp AT TIME ZONE 'UTC')
    ) s
    CROSS JOIN LATERAL generate_series(date_trunc('day', s.st), s.en, interval '1 day') AS d(day)
    WHERE (d.day < s.en OR s.st = s.en) AND d.day >= from_day AND d.day <= to_day
    GROUP BY s.user_id, d.day, s.routing_status;
END;
-- +goose StatementEnd
