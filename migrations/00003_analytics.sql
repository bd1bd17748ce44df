-- Analytics from the user details and user aggregates jobs.
--
-- A segment is keyed by start time and user (segments of one kind never
-- overlap for a user). The key leads with the time: segments arrive in time
-- order, so the index grows at its right edge instead of being rewritten all
-- over, and date-range queries read one slice of it. A query for one user's
-- whole history scans. A segment still in progress has end_time NULL; when it
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
    PRIMARY KEY (start_time, user_id),
    CHECK (end_time IS NULL OR end_time >= start_time)
);

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
);

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
    PRIMARY KEY (interval_start, user_id, granularity, metric, qualifier),
    CHECK (interval_end > interval_start)
);

-- +goose Down
DROP TABLE user_aggregates;
DROP TABLE user_routing_status_segments;
DROP TABLE user_presence_segments;
