-- Operations: sync runs, per-stream runs, watermarks, and the plan journal of
-- the reverse path.

-- +goose Up
CREATE TABLE sync_runs (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    pipeline    text NOT NULL CHECK (pipeline <> ''),
    status      text NOT NULL DEFAULT 'running'
                CHECK (status IN ('running', 'succeeded', 'failed', 'interrupted')),
    started_at  timestamptz NOT NULL DEFAULT now(),
    finished_at timestamptz,
    error       text,
    -- rows per table, as the pipeline reports them
    counts      jsonb NOT NULL DEFAULT '{}',
    -- API calls by endpoint and status, 429s, retries, wait time
    calls       jsonb NOT NULL DEFAULT '{}',
    CHECK ((status = 'running') = (finished_at IS NULL))
);
CREATE INDEX sync_runs_pipeline_idx ON sync_runs (pipeline, started_at DESC);

CREATE TABLE sync_stream_runs (
    run_id      bigint NOT NULL REFERENCES sync_runs (id) ON DELETE CASCADE,
    stream      text NOT NULL CHECK (stream <> ''),
    status      text NOT NULL DEFAULT 'running'
                CHECK (status IN ('running', 'succeeded', 'failed', 'interrupted')),
    started_at  timestamptz NOT NULL DEFAULT now(),
    finished_at timestamptz,
    error       text,
    counts      jsonb NOT NULL DEFAULT '{}',
    calls       jsonb NOT NULL DEFAULT '{}',
    PRIMARY KEY (run_id, stream),
    CHECK ((status = 'running') = (finished_at IS NULL))
);

-- The point up to which a stream's data is loaded. Written by the loader in
-- the same transaction as the stream's data.
CREATE TABLE sync_watermarks (
    pipeline   text NOT NULL CHECK (pipeline <> ''),
    stream     text NOT NULL CHECK (stream <> ''),
    watermark  timestamptz,
    cursor     text,
    run_id     bigint REFERENCES sync_runs (id) ON DELETE SET NULL,
    updated_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (pipeline, stream)
);

CREATE TABLE plans (
    id          text PRIMARY KEY CHECK (id <> ''),
    fingerprint text NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    status      text NOT NULL DEFAULT 'pending'
                CHECK (status IN ('pending', 'applying', 'applied', 'failed', 'refused')),
    body        jsonb NOT NULL,
    updated_at  timestamptz NOT NULL DEFAULT now()
);

-- One operation of a plan, journaled before and after its API call.
CREATE TABLE plan_operations (
    plan_id        text NOT NULL REFERENCES plans (id) ON DELETE CASCADE,
    seq            integer NOT NULL CHECK (seq >= 0),
    kind           text NOT NULL CHECK (kind <> ''),
    user_key       text NOT NULL DEFAULT '',
    payload        jsonb NOT NULL DEFAULT '{}',
    status         text NOT NULL DEFAULT 'pending'
                   CHECK (status IN ('pending', 'running', 'done', 'failed', 'skipped')),
    attempts       integer NOT NULL DEFAULT 0,
    http_status    integer,
    correlation_id text,
    error_code     text,
    error          text,
    result         jsonb,
    started_at     timestamptz,
    finished_at    timestamptz,
    PRIMARY KEY (plan_id, seq)
);
CREATE INDEX plan_operations_status_idx ON plan_operations (plan_id, status);

-- +goose Down
DROP TABLE plan_operations;
DROP TABLE plans;
DROP TABLE sync_watermarks;
DROP TABLE sync_stream_runs;
DROP TABLE sync_runs;
