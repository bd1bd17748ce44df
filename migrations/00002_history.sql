-- SCD2 history. Each row is one version of a key, valid over
-- [valid_from, valid_to); valid_to NULL marks the current version.
--
-- Non-overlap is enforced without extensions: a unique partial index allows
-- exactly one open row per key, a check keeps every interval non-empty, and
-- the loader only ever closes the open row at a time not before its start
-- and opens the next one at that same instant. An exclusion constraint over
-- tstzrange would need btree_gist, which a least-privilege schema owner cannot
-- always create, so it is not used.

-- +goose Up
CREATE TABLE users_history (
    id              text NOT NULL,
    name            text,
    email           text,
    username        text,
    title           text,
    department      text,
    state           text,
    division_id     text,
    manager_id      text,
    employee_id     text,
    acd_auto_answer boolean,
    version         integer,
    raw             jsonb,
    row_hash        uuid NOT NULL,
    valid_from      timestamptz NOT NULL,
    valid_to        timestamptz,
    run_id          bigint,
    PRIMARY KEY (id, valid_from),
    CHECK (valid_to IS NULL OR valid_to > valid_from)
);
CREATE UNIQUE INDEX users_history_current_idx ON users_history (id) WHERE valid_to IS NULL;

CREATE TABLE user_skills_history (
    user_id     text NOT NULL,
    skill_id    text NOT NULL,
    skill_name  text,
    proficiency double precision,
    row_hash    uuid NOT NULL,
    valid_from  timestamptz NOT NULL,
    valid_to    timestamptz,
    run_id      bigint,
    PRIMARY KEY (user_id, skill_id, valid_from),
    CHECK (valid_to IS NULL OR valid_to > valid_from)
);
CREATE UNIQUE INDEX user_skills_history_current_idx ON user_skills_history (user_id, skill_id) WHERE valid_to IS NULL;
CREATE INDEX user_skills_history_skill_idx ON user_skills_history (skill_id, valid_from);

CREATE TABLE user_queues_history (
    user_id    text NOT NULL,
    queue_id   text NOT NULL,
    joined     boolean NOT NULL,
    row_hash   uuid NOT NULL,
    valid_from timestamptz NOT NULL,
    valid_to   timestamptz,
    run_id     bigint,
    PRIMARY KEY (user_id, queue_id, valid_from),
    CHECK (valid_to IS NULL OR valid_to > valid_from)
);
CREATE UNIQUE INDEX user_queues_history_current_idx ON user_queues_history (user_id, queue_id) WHERE valid_to IS NULL;
CREATE INDEX user_queues_history_queue_idx ON user_queues_history (queue_id, valid_from);

-- +goose Down
DROP TABLE user_queues_history;
DROP TABLE user_skills_history;
DROP TABLE users_history;
