-- Analytics from the user details and user aggregates jobs.
--
-- A segment is keyed by user and start time (segments of one kind never
-- overlap for a user). A segment still in progress has end_time NULL; when it
-- reappears finished the same row is closed. Reloading a window rewrites
-- nothing that did not change.

-- +goose Up
CREATE TABLE user_presence_segments (
    user_id                  text NOT NULL CHECK (user_id <> ''),
    start_time               timestamptz NOT NULL,
    end_time                 timestamptz,
    system_presence          text NOT NULL,
    organization_presence_id text,
    first_seen_at            timestamptz NOT NULL,
    updated_at               timestamptz NOT NULL,
    updated_run              bigint,
    PRIMARY KEY (user_id, start_time),
    CHECK (end_time IS NULL OR end_time >= start_time)
);
-- BRIN: segments arrive roughly in time order, and a BRIN index costs almost
-- nothing to maintain on bulk loads while serving date-range scans.
CREATE INDEX user_presence_segments_start_idx ON user_presence_segments USING brin (start_time);

CREATE TABLE user_routing_status_segments (
    user_id        text NOT NULL CHECK (user_id <> ''),
    start_time     timestamptz NOT NULL,
    end_time       timestamptz,
    routing_status text NOT NULL,
    first_seen_at  timestamptz NOT NULL,
    updated_at     timestamptz NOT NULL,
    updated_run    bigint,
    PRIMARY KEY (user_id, start_time),
    CHECK (end_time IS NULL OR end_time >= start_time)
);
CREATE INDEX user_routing_status_segments_start_idx ON user_routing_status_segments USING brin (start_time);

-- One statistic of one metric for one user and interval. qualifier is ''
-- when the API gives none (for example the presence definition id of
-- tOrganizationPresence, the status of tAgentRoutingStatus).
CREATE TABLE user_aggregates (
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
    PRIMARY KEY (user_id, interval_start, granularity, metric, qualifier),
    CHECK (interval_end > interval_start)
);
CREATE INDEX user_aggregates_interval_idx ON user_aggregates (interval_start, metric);

-- +goose Down
DROP TABLE user_aggregates;
DROP TABLE user_routing_status_segments;
DROP TABLE user_presence_segments;
