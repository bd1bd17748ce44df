-- Current state: dimensions and users with their memberships.
--
-- Every current table carries raw (the API's JSON), row_hash (over the typed
-- values and raw; unchanged rows are never rewritten), first_seen_at,
-- updated_at, updated_run (the sync run that last inserted or changed the row)
-- and, for entities, deleted_at: set when the row vanished from a complete
-- snapshot of its stream, cleared when it reappears. Membership rows are
-- deleted when they vanish; their past lives in the *_history tables.
--
-- Membership tables have no foreign key to the dimensions: dimensions and
-- memberships come from different streams that commit independently, and a
-- skill appearing on a user before the skills stream committed must not fail
-- the users stream. BI joins them with LEFT JOIN.

-- +goose Up
CREATE TABLE divisions (
    id            text PRIMARY KEY CHECK (id <> ''),
    name          text NOT NULL DEFAULT '',
    description   text,
    home_division boolean NOT NULL DEFAULT false,
    raw           jsonb,
    row_hash      uuid NOT NULL,
    first_seen_at timestamptz NOT NULL,
    updated_at    timestamptz NOT NULL,
    updated_run   bigint,
    deleted_at    timestamptz
);

CREATE TABLE skills (
    id            text PRIMARY KEY CHECK (id <> ''),
    name          text NOT NULL DEFAULT '',
    state         text,
    raw           jsonb,
    row_hash      uuid NOT NULL,
    first_seen_at timestamptz NOT NULL,
    updated_at    timestamptz NOT NULL,
    updated_run   bigint,
    deleted_at    timestamptz
);
CREATE INDEX skills_name_idx ON skills (lower(name));

CREATE TABLE languages (
    id            text PRIMARY KEY CHECK (id <> ''),
    name          text NOT NULL DEFAULT '',
    state         text,
    raw           jsonb,
    row_hash      uuid NOT NULL,
    first_seen_at timestamptz NOT NULL,
    updated_at    timestamptz NOT NULL,
    updated_run   bigint,
    deleted_at    timestamptz
);
CREATE INDEX languages_name_idx ON languages (lower(name));

CREATE TABLE queues (
    id                  text PRIMARY KEY CHECK (id <> ''),
    name                text NOT NULL DEFAULT '',
    division_id         text,
    member_count        integer,
    joined_member_count integer,
    raw                 jsonb,
    row_hash            uuid NOT NULL,
    first_seen_at       timestamptz NOT NULL,
    updated_at          timestamptz NOT NULL,
    updated_run         bigint,
    deleted_at          timestamptz
);
CREATE INDEX queues_name_idx ON queues (lower(name));
CREATE INDEX queues_division_idx ON queues (division_id);

CREATE TABLE roles (
    id            text PRIMARY KEY CHECK (id <> ''),
    name          text NOT NULL DEFAULT '',
    description   text,
    raw           jsonb,
    row_hash      uuid NOT NULL,
    first_seen_at timestamptz NOT NULL,
    updated_at    timestamptz NOT NULL,
    updated_run   bigint,
    deleted_at    timestamptz
);
CREATE INDEX roles_name_idx ON roles (lower(name));

CREATE TABLE users (
    id              text PRIMARY KEY CHECK (id <> ''),
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
    first_seen_at   timestamptz NOT NULL,
    updated_at      timestamptz NOT NULL,
    updated_run     bigint,
    deleted_at      timestamptz
);
-- Division and manager filters scan: every extra index on users is written
-- by every changed user, and a few hundred thousand users scan in
-- milliseconds. (00006 drops the two below: the reverse path matches in
-- memory.)
CREATE INDEX users_email_idx ON users (lower(email));
CREATE INDEX users_employee_id_idx ON users (employee_id);

-- Memberships of a user reference users with a deferred key: they are loaded
-- by the same stream as the user, in the same transaction, in any order.
CREATE TABLE user_skills (
    user_id       text NOT NULL REFERENCES users (id) DEFERRABLE INITIALLY DEFERRED,
    skill_id      text NOT NULL CHECK (skill_id <> ''),
    skill_name    text,
    proficiency   double precision,
    row_hash      uuid NOT NULL,
    first_seen_at timestamptz NOT NULL,
    updated_at    timestamptz NOT NULL,
    updated_run   bigint,
    PRIMARY KEY (user_id, skill_id)
);
CREATE INDEX user_skills_skill_idx ON user_skills (skill_id);

CREATE TABLE user_languages (
    user_id       text NOT NULL REFERENCES users (id) DEFERRABLE INITIALLY DEFERRED,
    language_id   text NOT NULL CHECK (language_id <> ''),
    language_name text,
    proficiency   double precision,
    row_hash      uuid NOT NULL,
    first_seen_at timestamptz NOT NULL,
    updated_at    timestamptz NOT NULL,
    updated_run   bigint,
    PRIMARY KEY (user_id, language_id)
);
CREATE INDEX user_languages_language_idx ON user_languages (language_id);

-- Queue memberships come from their own stream (queue side or per user), so
-- they carry no foreign key to users.
CREATE TABLE user_queues (
    user_id       text NOT NULL CHECK (user_id <> ''),
    queue_id      text NOT NULL CHECK (queue_id <> ''),
    joined        boolean NOT NULL DEFAULT false,
    row_hash      uuid NOT NULL,
    first_seen_at timestamptz NOT NULL,
    updated_at    timestamptz NOT NULL,
    updated_run   bigint,
    PRIMARY KEY (user_id, queue_id)
);
CREATE INDEX user_queues_queue_idx ON user_queues (queue_id);

CREATE TABLE user_groups (
    user_id       text NOT NULL REFERENCES users (id) DEFERRABLE INITIALLY DEFERRED,
    group_id      text NOT NULL CHECK (group_id <> ''),
    group_name    text,
    row_hash      uuid NOT NULL,
    first_seen_at timestamptz NOT NULL,
    updated_at    timestamptz NOT NULL,
    updated_run   bigint,
    PRIMARY KEY (user_id, group_id)
);
CREATE INDEX user_groups_group_idx ON user_groups (group_id);

CREATE TABLE user_locations (
    user_id       text NOT NULL REFERENCES users (id) DEFERRABLE INITIALLY DEFERRED,
    location_id   text NOT NULL CHECK (location_id <> ''),
    location_name text,
    notes         text,
    row_hash      uuid NOT NULL,
    first_seen_at timestamptz NOT NULL,
    updated_at    timestamptz NOT NULL,
    updated_run   bigint,
    PRIMARY KEY (user_id, location_id)
);
CREATE INDEX user_locations_location_idx ON user_locations (location_id);

-- Role grants come from their own stream: no foreign key to users.
CREATE TABLE user_role_grants (
    user_id       text NOT NULL CHECK (user_id <> ''),
    role_id       text NOT NULL CHECK (role_id <> ''),
    division_id   text NOT NULL CHECK (division_id <> ''),
    row_hash      uuid NOT NULL,
    first_seen_at timestamptz NOT NULL,
    updated_at    timestamptz NOT NULL,
    updated_run   bigint,
    PRIMARY KEY (user_id, role_id, division_id)
);
CREATE INDEX user_role_grants_role_idx ON user_role_grants (role_id, division_id);

-- External ids (authority, key) registered on users; the reverse path matches
-- HR records through them.
CREATE TABLE user_external_ids (
    user_id        text NOT NULL REFERENCES users (id) DEFERRABLE INITIALLY DEFERRED,
    authority_name text NOT NULL CHECK (authority_name <> ''),
    external_key   text NOT NULL,
    row_hash       uuid NOT NULL,
    first_seen_at  timestamptz NOT NULL,
    updated_at     timestamptz NOT NULL,
    updated_run    bigint,
    PRIMARY KEY (user_id, authority_name, external_key)
);
CREATE INDEX user_external_ids_key_idx ON user_external_ids (authority_name, external_key);

-- +goose Down
DROP TABLE user_external_ids;
DROP TABLE user_role_grants;
DROP TABLE user_locations;
DROP TABLE user_groups;
DROP TABLE user_queues;
DROP TABLE user_languages;
DROP TABLE user_skills;
DROP TABLE users;
DROP TABLE roles;
DROP TABLE queues;
DROP TABLE languages;
DROP TABLE skills;
DROP TABLE divisions;
