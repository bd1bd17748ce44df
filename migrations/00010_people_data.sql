-- The rest of the people data (issue 18): what the users listing's expands
-- carry, the dimensions the membership ids point at, and the two optional
-- streams (utilization, development activities).
--
-- Slow-changing data keeps history like the routing skills (users columns,
-- profile skills, certifications, utilization). Volatile data is current
-- only, so that a re-run writes no history version for an agent who merely
-- logged in or changed presence: stations (the associated station moves at
-- every login), presence, routing status, last login. Out-of-office periods
-- are kept as periods: a period seen once stays, so "who was out last
-- Tuesday" is a query long after the API stopped showing that period.

-- +goose Up
ALTER TABLE users
    ADD COLUMN employee_type text,
    ADD COLUMN official_name text,
    ADD COLUMN date_hire     date,
    ADD COLUMN team_id       text,
    ADD COLUMN team_name     text;
ALTER TABLE users_history
    ADD COLUMN employee_type text,
    ADD COLUMN official_name text,
    ADD COLUMN date_hire     date,
    ADD COLUMN team_id       text,
    ADD COLUMN team_name     text;
CREATE INDEX users_team_idx ON users (team_id) WHERE team_id IS NOT NULL;

-- Dimensions: every group, location and station id in the schema joins to
-- a name.
CREATE TABLE groups (
    id            text PRIMARY KEY CHECK (id <> ''),
    name          text NOT NULL DEFAULT '',
    description   text,
    type          text,
    visibility    text,
    state         text,
    member_count  integer,
    date_modified timestamptz,
    raw           jsonb,
    row_hash      uuid NOT NULL,
    first_seen_at timestamptz NOT NULL,
    updated_at    timestamptz NOT NULL,
    updated_run   bigint,
    deleted_at    timestamptz
);

CREATE TABLE locations (
    id              text PRIMARY KEY CHECK (id <> ''),
    name            text NOT NULL DEFAULT '',
    state           text,
    address_street1 text,
    address_city    text,
    address_state   text,
    address_zipcode text,
    address_country text,
    raw             jsonb,
    row_hash        uuid NOT NULL,
    first_seen_at   timestamptz NOT NULL,
    updated_at      timestamptz NOT NULL,
    updated_run     bigint,
    deleted_at      timestamptz
);

CREATE TABLE stations (
    id                 text PRIMARY KEY CHECK (id <> ''),
    name               text NOT NULL DEFAULT '',
    type               text,
    status             text,
    user_id            text,
    web_rtc_user_id    text,
    line_appearance_id text,
    raw                jsonb,
    row_hash           uuid NOT NULL,
    first_seen_at      timestamptz NOT NULL,
    updated_at         timestamptz NOT NULL,
    updated_run        bigint,
    deleted_at         timestamptz
);

-- Per-user expands, current only (volatile). One row per user that has
-- something to say; a user with none has no row.
CREATE TABLE user_stations (
    user_id                    text PRIMARY KEY REFERENCES users (id) DEFERRABLE INITIALLY DEFERRED,
    default_station_id         text,
    associated_station_id      text,
    associated_date            timestamptz,
    effective_station_id       text,
    last_associated_station_id text,
    row_hash                   uuid NOT NULL,
    first_seen_at              timestamptz NOT NULL,
    updated_at                 timestamptz NOT NULL,
    updated_run                bigint
);
CREATE INDEX user_stations_default_idx ON user_stations (default_station_id);

CREATE TABLE user_presence (
    user_id                  text PRIMARY KEY REFERENCES users (id) DEFERRABLE INITIALLY DEFERRED,
    system_presence          text,
    organization_presence_id text,
    modified_at              timestamptz,
    row_hash                 uuid NOT NULL,
    first_seen_at            timestamptz NOT NULL,
    updated_at               timestamptz NOT NULL,
    updated_run              bigint
);

CREATE TABLE user_routing_status (
    user_id       text PRIMARY KEY REFERENCES users (id) DEFERRABLE INITIALLY DEFERRED,
    status        text,
    start_time    timestamptz,
    row_hash      uuid NOT NULL,
    first_seen_at timestamptz NOT NULL,
    updated_at    timestamptz NOT NULL,
    updated_run   bigint
);

CREATE TABLE user_last_login (
    user_id       text PRIMARY KEY REFERENCES users (id) DEFERRABLE INITIALLY DEFERRED,
    last_login_at timestamptz NOT NULL,
    row_hash      uuid NOT NULL,
    first_seen_at timestamptz NOT NULL,
    updated_at    timestamptz NOT NULL,
    updated_run   bigint
);

-- Out-of-office periods, upserted by (user, start) and never deleted.
CREATE TABLE user_out_of_office (
    user_id       text NOT NULL CHECK (user_id <> ''),
    start_date    timestamptz NOT NULL,
    end_date      timestamptz,
    indefinite    boolean NOT NULL DEFAULT false,
    active        boolean NOT NULL DEFAULT false,
    ooo_id        text,
    first_seen_at timestamptz NOT NULL,
    updated_at    timestamptz NOT NULL,
    updated_run   bigint,
    PRIMARY KEY (user_id, start_date),
    CHECK (end_date IS NULL OR end_date >= start_date)
);
CREATE INDEX user_out_of_office_dates_idx ON user_out_of_office (start_date, end_date);

-- Lists with history, like user_skills.
CREATE TABLE user_profile_skills (
    user_id       text NOT NULL REFERENCES users (id) DEFERRABLE INITIALLY DEFERRED,
    profile_skill text NOT NULL CHECK (profile_skill <> ''),
    row_hash      uuid NOT NULL,
    first_seen_at timestamptz NOT NULL,
    updated_at    timestamptz NOT NULL,
    updated_run   bigint,
    PRIMARY KEY (user_id, profile_skill)
);
CREATE TABLE user_profile_skills_history (
    user_id       text NOT NULL,
    profile_skill text NOT NULL,
    row_hash      uuid NOT NULL,
    valid_from    timestamptz NOT NULL,
    valid_to      timestamptz,
    run_id        bigint,
    PRIMARY KEY (user_id, profile_skill, valid_from),
    CHECK (valid_to IS NULL OR valid_to > valid_from)
);
CREATE UNIQUE INDEX user_profile_skills_history_current_idx ON user_profile_skills_history (user_id, profile_skill) WHERE valid_to IS NULL;

CREATE TABLE user_certifications (
    user_id       text NOT NULL REFERENCES users (id) DEFERRABLE INITIALLY DEFERRED,
    certification text NOT NULL CHECK (certification <> ''),
    row_hash      uuid NOT NULL,
    first_seen_at timestamptz NOT NULL,
    updated_at    timestamptz NOT NULL,
    updated_run   bigint,
    PRIMARY KEY (user_id, certification)
);
CREATE TABLE user_certifications_history (
    user_id       text NOT NULL,
    certification text NOT NULL,
    row_hash      uuid NOT NULL,
    valid_from    timestamptz NOT NULL,
    valid_to      timestamptz,
    run_id        bigint,
    PRIMARY KEY (user_id, certification, valid_from),
    CHECK (valid_to IS NULL OR valid_to > valid_from)
);
CREATE UNIQUE INDEX user_certifications_history_current_idx ON user_certifications_history (user_id, certification) WHERE valid_to IS NULL;

-- Utilization (optional stream, one call per user): one row per user and
-- media type. level is Agent when the user has settings of their own,
-- Organization when the values are the org default.
CREATE TABLE user_utilization (
    user_id                   text NOT NULL CHECK (user_id <> ''),
    media_type                text NOT NULL CHECK (media_type <> ''),
    maximum_capacity          integer,
    interruptible_media_types text[],
    include_non_acd           boolean,
    level                     text NOT NULL,
    row_hash                  uuid NOT NULL,
    first_seen_at             timestamptz NOT NULL,
    updated_at                timestamptz NOT NULL,
    updated_run               bigint,
    PRIMARY KEY (user_id, media_type)
);
CREATE TABLE user_utilization_history (
    user_id                   text NOT NULL,
    media_type                text NOT NULL,
    maximum_capacity          integer,
    interruptible_media_types text[],
    include_non_acd           boolean,
    level                     text NOT NULL,
    row_hash                  uuid NOT NULL,
    valid_from                timestamptz NOT NULL,
    valid_to                  timestamptz,
    run_id                    bigint,
    PRIMARY KEY (user_id, media_type, valid_from),
    CHECK (valid_to IS NULL OR valid_to > valid_from)
);
CREATE UNIQUE INDEX user_utilization_history_current_idx ON user_utilization_history (user_id, media_type) WHERE valid_to IS NULL;

-- Development activities (optional windowed stream): one row per activity
-- and attendee, upserted, never deleted (a window is not a snapshot).
CREATE TABLE user_development_activities (
    activity_id      text NOT NULL CHECK (activity_id <> ''),
    user_id          text NOT NULL CHECK (user_id <> ''),
    name             text,
    type             text,
    status           text,
    module_id        text,
    date_created     timestamptz,
    date_due         timestamptz,
    date_completed   timestamptz,
    is_overdue       boolean,
    is_passed        boolean,
    percentage_score double precision,
    created_by_id    text,
    facilitator_id   text,
    raw              jsonb,
    first_seen_at    timestamptz NOT NULL,
    updated_at       timestamptz NOT NULL,
    updated_run      bigint,
    PRIMARY KEY (activity_id, user_id)
);
CREATE INDEX user_development_activities_user_idx ON user_development_activities (user_id, date_due);

-- +goose Down
-- The people data goes with its tables: stations, presence, routing status,
-- last logins, out-of-office periods, profile skills and certifications with
-- their history, utilization with its history, development activities, the
-- groups, locations and stations dimensions, and the users' and
-- users_history's employee type, official name, hire date and team columns.
-- A forward run after migrate up loads the current state again; the history
-- and the out-of-office periods the API no longer shows do not come back.
DROP TABLE user_development_activities;
DROP TABLE user_utilization_history;
DROP TABLE user_utilization;
DROP TABLE user_certifications_history;
DROP TABLE user_certifications;
DROP TABLE user_profile_skills_history;
DROP TABLE user_profile_skills;
DROP TABLE user_out_of_office;
DROP TABLE user_last_login;
DROP TABLE user_routing_status;
DROP TABLE user_presence;
DROP TABLE user_stations;
DROP TABLE stations;
DROP TABLE locations;
DROP TABLE groups;
DROP INDEX users_team_idx;
ALTER TABLE users_history
    DROP COLUMN employee_type, DROP COLUMN official_name, DROP COLUMN date_hire, DROP COLUMN team_id, DROP COLUMN team_name;
ALTER TABLE users
    DROP COLUMN employee_type, DROP COLUMN official_name, DROP COLUMN date_hire, DROP COLUMN team_id, DROP COLUMN team_name;
