-- BI on the people data of 00010 (issue 18), and a COMMENT on every table,
-- column, view and function of the schema, which BI tools show next to the
-- names.
--
-- Views. Who has no station; who is out of office now, who will be in the
-- next seven days, and every period with names (plus a function for any
-- time range); capacity per media type with custom vs default; overdue
-- development activities, per activity and per manager; group and location
-- memberships named from the new dimensions. current_agents gains the new
-- user columns (appended, so existing queries keep their columns), and
-- queue_membership's member_since becomes the start of the uninterrupted
-- membership instead of the last change of its joined flag (joined_since,
-- appended, keeps that).
--
-- Who is in them: the views about people leave deleted users out (they are
-- gone from Genesys), like current_agents; those that ask for action
-- (agents_without_station, the overdue activities) take active users only,
-- since an inactive user can neither log in to a phone nor complete
-- anything. The membership views keep deleted users with a flag, like
-- queue_membership.
--
-- Comments. Month partitions get none: the loader creates them later, BI
-- reads the parent (which has them), and tools that list partitions show
-- them under their parent or as <table>_YYYY_MM next to it. The daily
-- rollups of 00011 carry their own.

-- +goose Up

-- current_agents: the columns of 00005 first, in order, then the new ones.
CREATE OR REPLACE VIEW current_agents AS
SELECT u.id              AS user_id,
       u.name,
       u.email,
       u.username,
       u.title,
       u.department,
       u.state,
       u.employee_id,
       u.acd_auto_answer,
       u.division_id,
       d.name            AS division_name,
       u.manager_id,
       m.name            AS manager_name,
       m.email           AS manager_email,
       coalesce(sk.skills, '[]'::jsonb)       AS skills,
       coalesce(sk.skill_names, '{}'::text[]) AS skill_names,
       coalesce(la.languages, '[]'::jsonb)    AS languages,
       coalesce(qu.queue_count, 0)            AS queue_count,
       coalesce(qu.joined_queue_count, 0)     AS joined_queue_count,
       u.updated_at,
       u.team_id,
       u.team_name,
       u.employee_type,
       u.official_name,
       u.date_hire,
       nullif(st.default_station_id, '')      AS default_station_id,
       ds.name                                AS default_station_name,
       nullif(st.effective_station_id, '')    AS effective_station_id,
       es.name                                AS effective_station_name,
       ll.last_login_at
FROM users u
LEFT JOIN divisions d ON d.id = u.division_id
LEFT JOIN users m ON m.id = u.manager_id
LEFT JOIN LATERAL (
    SELECT jsonb_agg(jsonb_build_object('id', us.skill_id,
                                        'name', coalesce(s.name, us.skill_name),
                                        'proficiency', us.proficiency)
                     ORDER BY coalesce(s.name, us.skill_name), us.skill_id) AS skills,
           array_agg(coalesce(s.name, us.skill_name) ORDER BY coalesce(s.name, us.skill_name), us.skill_id) AS skill_names
    FROM user_skills us
    LEFT JOIN skills s ON s.id = us.skill_id
    WHERE us.user_id = u.id
) sk ON true
LEFT JOIN LATERAL (
    SELECT jsonb_agg(jsonb_build_object('id', ul.language_id,
                                        'name', coalesce(l.name, ul.language_name),
                                        'proficiency', ul.proficiency)
                     ORDER BY coalesce(l.name, ul.language_name), ul.language_id) AS languages
    FROM user_languages ul
    LEFT JOIN languages l ON l.id = ul.language_id
    WHERE ul.user_id = u.id
) la ON true
LEFT JOIN LATERAL (
    SELECT count(*) AS queue_count, count(*) FILTER (WHERE uq.joined) AS joined_queue_count
    FROM user_queues uq
    WHERE uq.user_id = u.id
) qu ON true
LEFT JOIN user_stations st ON st.user_id = u.id
LEFT JOIN stations ds ON ds.id = st.default_station_id
LEFT JOIN stations es ON es.id = st.effective_station_id
LEFT JOIN user_last_login ll ON ll.user_id = u.id
WHERE u.deleted_at IS NULL AND u.state IS DISTINCT FROM 'deleted';

-- queue_membership: member_since is the first version of the last run of
-- versions without a gap (the loader opens a version at the instant it
-- closes the one before, so a change of joined leaves no gap; a membership
-- removed and added again does). joined_since is the current version's.
-- A join on a grouped subquery rather than a lateral one: a query that
-- does not read member_since skips it (join removal), one about a user or a
-- queue reads only its history (the condition reaches the window's
-- partition), and the whole view reads the history once (1.1 s for 250,000
-- memberships, against 3.5 s per-row).
CREATE OR REPLACE VIEW queue_membership AS
SELECT uq.queue_id,
       q.name          AS queue_name,
       q.division_id   AS queue_division_id,
       qd.name         AS queue_division_name,
       uq.user_id,
       u.name          AS user_name,
       u.email         AS user_email,
       u.state         AS user_state,
       uq.joined,
       ms.member_since,
       (u.deleted_at IS NOT NULL OR u.state = 'deleted') AS user_deleted,
       h.valid_from    AS joined_since
FROM user_queues uq
LEFT JOIN queues q ON q.id = uq.queue_id
LEFT JOIN divisions qd ON qd.id = q.division_id
LEFT JOIN users u ON u.id = uq.user_id
LEFT JOIN user_queues_history h
       ON h.user_id = uq.user_id AND h.queue_id = uq.queue_id AND h.valid_to IS NULL
LEFT JOIN (
    SELECT v.user_id, v.queue_id, max(v.valid_from) AS member_since
    FROM (SELECT user_id, queue_id, valid_from,
                 lag(valid_to) OVER (PARTITION BY user_id, queue_id ORDER BY valid_from) AS previous_to
          FROM user_queues_history) v
    WHERE v.previous_to IS DISTINCT FROM v.valid_from
    GROUP BY v.user_id, v.queue_id
) ms ON ms.user_id = uq.user_id AND ms.queue_id = uq.queue_id;

CREATE VIEW agents_without_station AS
SELECT u.id                                     AS user_id,
       u.name,
       u.email,
       u.title,
       u.department,
       u.division_id,
       d.name                                   AS division_name,
       u.manager_id,
       m.name                                   AS manager_name,
       m.email                                  AS manager_email,
       ll.last_login_at,
       p.system_presence,
       p.modified_at                            AS presence_since,
       nullif(st.last_associated_station_id, '') AS last_associated_station_id,
       ls.name                                  AS last_associated_station_name,
       coalesce(qu.queue_count, 0)              AS queue_count
FROM users u
LEFT JOIN user_stations st ON st.user_id = u.id
LEFT JOIN divisions d ON d.id = u.division_id
LEFT JOIN users m ON m.id = u.manager_id
LEFT JOIN user_last_login ll ON ll.user_id = u.id
LEFT JOIN user_presence p ON p.user_id = u.id
LEFT JOIN stations ls ON ls.id = st.last_associated_station_id
LEFT JOIN LATERAL (SELECT count(*) AS queue_count FROM user_queues uq WHERE uq.user_id = u.id) qu ON true
WHERE u.deleted_at IS NULL AND u.state = 'active'
  AND nullif(st.default_station_id, '') IS NULL
  AND nullif(st.associated_station_id, '') IS NULL
  AND nullif(st.effective_station_id, '') IS NULL;

-- A period is [start_date, end_date): out at start_date, back at end_date.
-- An indefinite period, or one without an end, has no end.
CREATE VIEW out_of_office_periods AS
SELECT o.user_id,
       u.name          AS user_name,
       u.email         AS user_email,
       u.state         AS user_state,
       u.division_id,
       d.name          AS division_name,
       u.manager_id,
       m.name          AS manager_name,
       o.start_date,
       CASE WHEN o.indefinite THEN NULL ELSE o.end_date END AS end_date,
       o.indefinite OR o.end_date IS NULL AS indefinite,
       o.active        AS active_when_read,
       o.ooo_id,
       o.first_seen_at,
       o.updated_at
FROM user_out_of_office o
LEFT JOIN users u ON u.id = o.user_id
LEFT JOIN divisions d ON d.id = u.division_id
LEFT JOIN users m ON m.id = u.manager_id
WHERE u.deleted_at IS NULL AND u.state IS DISTINCT FROM 'deleted';

-- One row per user: should two stored periods of a user cover now (a
-- period moved in Genesys leaves the old one stored), the one syncer
-- changed last.
CREATE VIEW out_of_office_now AS
SELECT DISTINCT ON (p.user_id) p.*
FROM out_of_office_periods p
WHERE p.start_date <= now() AND (p.indefinite OR p.end_date > now())
ORDER BY p.user_id, p.updated_at DESC, p.start_date DESC;

CREATE VIEW out_of_office_next_7_days AS
SELECT p.*
FROM out_of_office_periods p
WHERE p.start_date >= now() AND p.start_date < now() + interval '7 days';

-- +goose StatementBegin
CREATE FUNCTION out_of_office_between(from_time timestamptz, to_time timestamptz) RETURNS SETOF out_of_office_periods
LANGUAGE sql STABLE
BEGIN ATOMIC
    SELECT * FROM out_of_office_periods p
    WHERE p.start_date < to_time AND (p.indefinite OR p.end_date > from_time);
END;
-- +goose StatementEnd

-- The org default of a media type is what the users on it (level
-- Organization) were last read with: the values of the most recently
-- changed such row, so that a change of the default counts from the run
-- that saw it, even while some users still have the old values stored.
CREATE VIEW utilization_by_media_type AS
WITH org_default AS (
    SELECT DISTINCT ON (ut.media_type)
           ut.media_type, ut.maximum_capacity, ut.interruptible_media_types, ut.include_non_acd
    FROM user_utilization ut
    LEFT JOIN users u ON u.id = ut.user_id
    WHERE ut.level = 'Organization' AND u.deleted_at IS NULL AND u.state IS DISTINCT FROM 'deleted'
    ORDER BY ut.media_type, ut.updated_at DESC, ut.user_id
)
SELECT ut.user_id,
       u.name                        AS user_name,
       u.email                       AS user_email,
       u.state                       AS user_state,
       u.division_id,
       d.name                        AS division_name,
       ut.media_type,
       ut.maximum_capacity,
       ut.interruptible_media_types,
       ut.include_non_acd,
       ut.level,
       ut.level = 'Agent'            AS custom,
       od.maximum_capacity           AS default_maximum_capacity,
       od.interruptible_media_types  AS default_interruptible_media_types,
       od.include_non_acd            AS default_include_non_acd,
       CASE WHEN od.media_type IS NOT NULL THEN
           (ut.maximum_capacity, ut.interruptible_media_types, ut.include_non_acd)
           IS DISTINCT FROM (od.maximum_capacity, od.interruptible_media_types, od.include_non_acd)
       END                           AS differs_from_default,
       ut.updated_at
FROM user_utilization ut
LEFT JOIN users u ON u.id = ut.user_id
LEFT JOIN divisions d ON d.id = u.division_id
LEFT JOIN org_default od ON od.media_type = ut.media_type
WHERE u.deleted_at IS NULL AND u.state IS DISTINCT FROM 'deleted';

-- Overdue: due before now, not completed (status Completed or a completion
-- date). Every other status counts: Planned and InProgress, InvalidSchedule
-- (an appointment that could not be scheduled is still owed) and
-- NotCompleted (Genesys gave up waiting; nobody did it).
CREATE VIEW overdue_development_activities AS
SELECT a.activity_id,
       a.user_id,
       u.name                  AS user_name,
       u.email                 AS user_email,
       u.manager_id,
       m.name                  AS manager_name,
       m.email                 AS manager_email,
       a.name                  AS activity_name,
       a.type,
       a.status,
       a.module_id,
       a.date_created,
       a.date_due,
       floor(extract(epoch FROM now() - a.date_due) / 86400)::integer AS days_overdue,
       a.is_overdue            AS api_is_overdue,
       a.facilitator_id,
       f.name                  AS facilitator_name,
       a.updated_at
FROM user_development_activities a
JOIN users u ON u.id = a.user_id
LEFT JOIN users m ON m.id = u.manager_id
LEFT JOIN users f ON f.id = a.facilitator_id
WHERE a.date_due < now()
  AND a.status IS DISTINCT FROM 'Completed' AND a.date_completed IS NULL
  AND u.deleted_at IS NULL AND u.state = 'active';

-- Reports are joined by coalesce(manager_id, ''), so that the users
-- without a manager meet their row (a user id is never empty) by a hash
-- join.
CREATE VIEW overdue_development_activities_by_manager AS
SELECT o.manager_id,
       o.manager_name,
       o.manager_email,
       coalesce(r.direct_reports, 0) AS direct_reports,
       o.reports_with_overdue,
       o.overdue_activities,
       o.overdue_coaching,
       o.oldest_date_due,
       o.max_days_overdue
FROM (
    SELECT manager_id, manager_name, manager_email,
           count(DISTINCT user_id)                    AS reports_with_overdue,
           count(*)                                   AS overdue_activities,
           count(*) FILTER (WHERE type = 'Coaching')  AS overdue_coaching,
           min(date_due)                              AS oldest_date_due,
           max(days_overdue)                          AS max_days_overdue
    FROM overdue_development_activities
    GROUP BY manager_id, manager_name, manager_email
) o
LEFT JOIN (
    SELECT coalesce(manager_id, '') AS manager_key, count(*) AS direct_reports
    FROM users
    WHERE deleted_at IS NULL AND state = 'active'
    GROUP BY 1
) r ON r.manager_key = coalesce(o.manager_id, '');

CREATE VIEW user_group_membership AS
SELECT ug.group_id,
       coalesce(nullif(g.name, ''), ug.group_name) AS group_name,
       g.type                                      AS group_type,
       g.visibility                                AS group_visibility,
       g.deleted_at IS NOT NULL                    AS group_deleted,
       ug.user_id,
       u.name                                      AS user_name,
       u.email                                     AS user_email,
       u.state                                     AS user_state,
       (u.deleted_at IS NOT NULL OR u.state = 'deleted') AS user_deleted,
       ug.first_seen_at                            AS member_seen_since
FROM user_groups ug
LEFT JOIN groups g ON g.id = ug.group_id
LEFT JOIN users u ON u.id = ug.user_id;

CREATE VIEW user_location_membership AS
SELECT ul.location_id,
       coalesce(nullif(l.name, ''), ul.location_name) AS location_name,
       l.address_city                                 AS location_city,
       l.address_country                              AS location_country,
       l.deleted_at IS NOT NULL                       AS location_deleted,
       ul.notes,
       ul.user_id,
       u.name                                         AS user_name,
       u.email                                        AS user_email,
       u.state                                        AS user_state,
       (u.deleted_at IS NOT NULL OR u.state = 'deleted') AS user_deleted
FROM user_locations ul
LEFT JOIN locations l ON l.id = ul.location_id
LEFT JOIN users u ON u.id = ul.user_id;

-- users_as_of returns the rows of users_history, but its body, bound when
-- 00005 created it, lists the columns of then: since 00010 added columns it
-- fails (return type mismatch). Replaced, it lists them all.
-- +goose StatementBegin
CREATE OR REPLACE FUNCTION users_as_of(as_of timestamptz) RETURNS SETOF users_history
LANGUAGE sql STABLE
BEGIN ATOMIC
    SELECT * FROM users_history h
    WHERE h.valid_from <= as_of AND (h.valid_to IS NULL OR h.valid_to > as_of);
END;
-- +goose StatementEnd

-- "As of" functions over the history tables of 00010, like users_as_of.
-- +goose StatementBegin
CREATE FUNCTION user_profile_skills_as_of(as_of timestamptz) RETURNS SETOF user_profile_skills_history
LANGUAGE sql STABLE
BEGIN ATOMIC
    SELECT * FROM user_profile_skills_history h
    WHERE h.valid_from <= as_of AND (h.valid_to IS NULL OR h.valid_to > as_of);
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE FUNCTION user_certifications_as_of(as_of timestamptz) RETURNS SETOF user_certifications_history
LANGUAGE sql STABLE
BEGIN ATOMIC
    SELECT * FROM user_certifications_history h
    WHERE h.valid_from <= as_of AND (h.valid_to IS NULL OR h.valid_to > as_of);
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE FUNCTION user_utilization_as_of(as_of timestamptz) RETURNS SETOF user_utilization_history
LANGUAGE sql STABLE
BEGIN ATOMIC
    SELECT * FROM user_utilization_history h
    WHERE h.valid_from <= as_of AND (h.valid_to IS NULL OR h.valid_to > as_of);
END;
-- +goose StatementEnd

-- Comments: what each object holds, for the analysts whose tools show them.
-- The bookkeeping columns mean the same everywhere: row_hash is the
-- change detector, first_seen_at/updated_at/updated_run when and by which
-- run syncer first loaded and last changed the row, deleted_at when an
-- entity vanished from a complete listing.

COMMENT ON TABLE goose_db_version IS
    'syncer''s migration bookkeeping (goose): one row per migration applied (a rollback deletes its row). Not data; `syncer migrate status` reads it.';
COMMENT ON COLUMN goose_db_version.id IS 'Sequence of the bookkeeping rows.';
COMMENT ON COLUMN goose_db_version.version_id IS 'Migration number (the file migrations/NNNNN_*.sql); 0 is goose''s own first row.';
COMMENT ON COLUMN goose_db_version.is_applied IS 'Whether the migration is applied (goose writes true; a rolled-back migration has no row).';
COMMENT ON COLUMN goose_db_version.tstamp IS 'When the migration was applied (UTC, timestamp without time zone).';

-- Reference entities (00001, 00010).
COMMENT ON TABLE divisions IS
    'Divisions of the org (reference stream, GET /api/v2/authorization/divisions), current state; deleted_at set when gone from a complete listing.';
COMMENT ON COLUMN divisions.id IS 'Genesys division id.';
COMMENT ON COLUMN divisions.name IS 'Division name.';
COMMENT ON COLUMN divisions.description IS 'Description, as set in Genesys.';
COMMENT ON COLUMN divisions.home_division IS 'Whether this is the org''s home division.';

COMMENT ON TABLE skills IS
    'Routing skills of the org (reference stream, GET /api/v2/routing/skills), current state.';
COMMENT ON COLUMN skills.id IS 'Genesys routing skill id.';
COMMENT ON COLUMN skills.name IS 'Skill name.';
COMMENT ON COLUMN skills.state IS 'Skill state in Genesys (active, inactive, deleted).';

COMMENT ON TABLE languages IS
    'Routing languages of the org (reference stream, GET /api/v2/routing/languages), current state.';
COMMENT ON COLUMN languages.id IS 'Genesys routing language id.';
COMMENT ON COLUMN languages.name IS 'Language name.';
COMMENT ON COLUMN languages.state IS 'Language state in Genesys (active, inactive, deleted).';

COMMENT ON TABLE queues IS
    'Routing queues of the org (reference stream, GET /api/v2/routing/queues), current state. Members are in user_queues (view queue_membership).';
COMMENT ON COLUMN queues.id IS 'Genesys queue id.';
COMMENT ON COLUMN queues.name IS 'Queue name.';
COMMENT ON COLUMN queues.division_id IS 'Division of the queue (divisions.id).';
COMMENT ON COLUMN queues.member_count IS 'Members, as the queue listing counted them when read.';
COMMENT ON COLUMN queues.joined_member_count IS 'Joined members, as the queue listing counted them when read.';

COMMENT ON TABLE roles IS
    'Authorization roles of the org (reference stream, GET /api/v2/authorization/roles), current state. Grants are in user_role_grants.';
COMMENT ON COLUMN roles.id IS 'Genesys role id.';
COMMENT ON COLUMN roles.name IS 'Role name.';
COMMENT ON COLUMN roles.description IS 'Description, as set in Genesys.';

COMMENT ON TABLE groups IS
    'Groups of the org (directory stream, GET /api/v2/groups), current state: names for user_groups.group_id (view user_group_membership).';
COMMENT ON COLUMN groups.id IS 'Genesys group id.';
COMMENT ON COLUMN groups.name IS 'Group name.';
COMMENT ON COLUMN groups.description IS 'Description, as set in Genesys.';
COMMENT ON COLUMN groups.type IS 'Group type (official or social).';
COMMENT ON COLUMN groups.visibility IS 'Who can see the group (public, owners, members).';
COMMENT ON COLUMN groups.state IS 'Group state in Genesys (active, inactive, deleted).';
COMMENT ON COLUMN groups.member_count IS 'Members, as the listing counted them when read.';
COMMENT ON COLUMN groups.date_modified IS 'When the group was last modified in Genesys.';

COMMENT ON TABLE locations IS
    'Locations of the org (directory stream, GET /api/v2/locations), current state: names and addresses for user_locations.location_id (view user_location_membership).';
COMMENT ON COLUMN locations.id IS 'Genesys location id.';
COMMENT ON COLUMN locations.name IS 'Location name.';
COMMENT ON COLUMN locations.state IS 'Location state in Genesys (active, deleted).';
COMMENT ON COLUMN locations.address_street1 IS 'Street address, first line.';
COMMENT ON COLUMN locations.address_city IS 'City.';
COMMENT ON COLUMN locations.address_state IS 'State or region of the address.';
COMMENT ON COLUMN locations.address_zipcode IS 'Postal code.';
COMMENT ON COLUMN locations.address_country IS 'Country of the address.';

COMMENT ON TABLE stations IS
    'Stations (phones) of the org (directory stream, GET /api/v2/stations), current state: names for the ids of user_stations. Current only: a station''s user changes at every login.';
COMMENT ON COLUMN stations.id IS 'Genesys station id.';
COMMENT ON COLUMN stations.name IS 'Station name (often the phone''s name or the agent''s).';
COMMENT ON COLUMN stations.type IS 'Station type, as Genesys gives it (e.g. inin_webrtc_softphone).';
COMMENT ON COLUMN stations.status IS 'Station status when read (AVAILABLE, ASSOCIATED).';
COMMENT ON COLUMN stations.user_id IS 'User associated with the station when read (users.id); NULL when none.';
COMMENT ON COLUMN stations.web_rtc_user_id IS 'For a WebRTC softphone, the user it belongs to (users.id).';
COMMENT ON COLUMN stations.line_appearance_id IS 'Line appearance id of the station.';

-- Users and their current memberships (00001, 00010).
COMMENT ON TABLE users IS
    'Users of the org (users stream, GET /api/v2/users with expands), current state, active, inactive and deleted; deleted_at set when a user vanished from a complete listing. History in users_history; for BI start from current_agents.';
COMMENT ON COLUMN users.id IS 'Genesys user id.';
COMMENT ON COLUMN users.name IS 'Display name.';
COMMENT ON COLUMN users.email IS 'Email address (the Genesys login).';
COMMENT ON COLUMN users.username IS 'Username (usually the email).';
COMMENT ON COLUMN users.title IS 'Job title.';
COMMENT ON COLUMN users.department IS 'Department.';
COMMENT ON COLUMN users.state IS 'Genesys state: active, inactive or deleted.';
COMMENT ON COLUMN users.division_id IS 'Division of the user (divisions.id).';
COMMENT ON COLUMN users.manager_id IS 'The user''s manager (users.id); NULL when none.';
COMMENT ON COLUMN users.employee_id IS 'Employee id from employerInfo (the HR key when the feed matches on it).';
COMMENT ON COLUMN users.acd_auto_answer IS 'Whether ACD interactions are answered automatically.';
COMMENT ON COLUMN users.version IS 'Genesys version of the user object (grows with every change in Genesys).';
COMMENT ON COLUMN users.employee_type IS 'Employee type from employerInfo (e.g. Full-time, Part-time, Contractor).';
COMMENT ON COLUMN users.official_name IS 'Official (legal) name from employerInfo.';
COMMENT ON COLUMN users.date_hire IS 'Hire date from employerInfo.';
COMMENT ON COLUMN users.team_id IS 'Work team of the user (team expand); NULL when none.';
COMMENT ON COLUMN users.team_name IS 'Name of the work team.';

COMMENT ON TABLE user_skills IS
    'Routing skills of each user (skills expand, or GET /api/v2/users/{id}/routingskills), current; a removed skill''s row is deleted and its history closed in user_skills_history.';
COMMENT ON COLUMN user_skills.user_id IS 'Genesys user id (users.id).';
COMMENT ON COLUMN user_skills.skill_id IS 'Routing skill id (skills.id).';
COMMENT ON COLUMN user_skills.skill_name IS 'Skill name as the user''s listing gave it (skills.name is the reference).';
COMMENT ON COLUMN user_skills.proficiency IS 'Proficiency, 0 to 5.';

COMMENT ON TABLE user_languages IS
    'Routing languages of each user (languages expand), current; a removed language''s row is deleted.';
COMMENT ON COLUMN user_languages.user_id IS 'Genesys user id (users.id).';
COMMENT ON COLUMN user_languages.language_id IS 'Routing language id (languages.id).';
COMMENT ON COLUMN user_languages.language_name IS 'Language name as the user''s listing gave it (languages.name is the reference).';
COMMENT ON COLUMN user_languages.proficiency IS 'Proficiency, 0 to 5.';

COMMENT ON TABLE user_queues IS
    'Queue memberships (queue memberships stream), current; a removed membership''s row is deleted and its history closed in user_queues_history. With names: view queue_membership.';
COMMENT ON COLUMN user_queues.user_id IS 'Genesys user id (users.id).';
COMMENT ON COLUMN user_queues.queue_id IS 'Queue id (queues.id).';
COMMENT ON COLUMN user_queues.joined IS 'Whether the member has joined the queue (receives its interactions when on queue).';

COMMENT ON TABLE user_groups IS
    'Group memberships (groups expand), current. With names: view user_group_membership.';
COMMENT ON COLUMN user_groups.user_id IS 'Genesys user id (users.id).';
COMMENT ON COLUMN user_groups.group_id IS 'Group id (groups.id).';
COMMENT ON COLUMN user_groups.group_name IS 'Group name as the user''s listing gave it, often empty (groups.name is the reference).';

COMMENT ON TABLE user_locations IS
    'Locations of each user (locations expand), current. With names: view user_location_membership.';
COMMENT ON COLUMN user_locations.user_id IS 'Genesys user id (users.id).';
COMMENT ON COLUMN user_locations.location_id IS 'Location id (locations.id).';
COMMENT ON COLUMN user_locations.location_name IS 'Location name as the user''s listing gave it (locations.name is the reference).';
COMMENT ON COLUMN user_locations.notes IS 'The user''s notes on the location (e.g. desk or floor).';

COMMENT ON TABLE user_role_grants IS
    'Roles granted to each user per division (role grants stream), current; a revoked grant''s row is deleted.';
COMMENT ON COLUMN user_role_grants.user_id IS 'Genesys user id (users.id).';
COMMENT ON COLUMN user_role_grants.role_id IS 'Role id (roles.id).';
COMMENT ON COLUMN user_role_grants.division_id IS 'Division the role is granted in (divisions.id; * for all divisions).';

COMMENT ON TABLE user_external_ids IS
    'External ids registered on users (authority and key); the HR feed matches people through them.';
COMMENT ON COLUMN user_external_ids.user_id IS 'Genesys user id (users.id).';
COMMENT ON COLUMN user_external_ids.authority_name IS 'The authority (system) the key belongs to, e.g. the HR system.';
COMMENT ON COLUMN user_external_ids.external_key IS 'The user''s key in that system.';

-- Per-user expands, current only (00010).
COMMENT ON TABLE user_stations IS
    'Station (phone) assignment of each user (station expand), current only, no history: the associated station changes at every login. A user with no station of any kind has no row. Names in stations; who has none: view agents_without_station.';
COMMENT ON COLUMN user_stations.user_id IS 'Genesys user id (users.id).';
COMMENT ON COLUMN user_stations.default_station_id IS 'The user''s default station (stations.id), used when they log in without choosing one.';
COMMENT ON COLUMN user_stations.associated_station_id IS 'The station the user is associated with now (logged in on), when read.';
COMMENT ON COLUMN user_stations.associated_date IS 'When the user associated with that station.';
COMMENT ON COLUMN user_stations.effective_station_id IS 'The station calls reach: the associated one, else the default.';
COMMENT ON COLUMN user_stations.last_associated_station_id IS 'The station the user was last associated with (possibly not now).';

COMMENT ON TABLE user_presence IS
    'Presence of each user when syncer last read the listing (presence expand), current only, no history: presence changes all day. Presence over time: user_presence_segments and presence_daily.';
COMMENT ON COLUMN user_presence.user_id IS 'Genesys user id (users.id).';
COMMENT ON COLUMN user_presence.system_presence IS 'System presence when read: AVAILABLE, ON_QUEUE, BUSY, AWAY, BREAK, MEAL, MEETING, TRAINING, IDLE, OFFLINE.';
COMMENT ON COLUMN user_presence.organization_presence_id IS 'The organisation presence definition the user had chosen.';
COMMENT ON COLUMN user_presence.modified_at IS 'When the user entered that presence.';

COMMENT ON TABLE user_routing_status IS
    'Routing status of each user when syncer last read the listing (routingStatus expand), current only, no history. Over time: user_routing_status_segments and routing_status_daily.';
COMMENT ON COLUMN user_routing_status.user_id IS 'Genesys user id (users.id).';
COMMENT ON COLUMN user_routing_status.status IS 'OFF_QUEUE, IDLE, INTERACTING, NOT_RESPONDING or COMMUNICATING, when read.';
COMMENT ON COLUMN user_routing_status.start_time IS 'When the user entered that status.';

COMMENT ON TABLE user_last_login IS
    'When each user last logged in (dateLastLogin), current only, no history (it changes at every login). A user who never logged in has no row.';
COMMENT ON COLUMN user_last_login.user_id IS 'Genesys user id (users.id).';
COMMENT ON COLUMN user_last_login.last_login_at IS 'Last login, as Genesys reported it when read.';

COMMENT ON TABLE user_out_of_office IS
    'Out-of-office periods (outOfOffice expand), one row per user and start, kept after the API stops showing them, never deleted: past absences stay queryable. With names: out_of_office_periods, out_of_office_now, out_of_office_next_7_days, out_of_office_between(from, to).';
COMMENT ON COLUMN user_out_of_office.user_id IS 'Genesys user id (users.id).';
COMMENT ON COLUMN user_out_of_office.start_date IS 'Start of the absence (inclusive).';
COMMENT ON COLUMN user_out_of_office.end_date IS 'End of the absence (exclusive: back at this time); NULL when none was given.';
COMMENT ON COLUMN user_out_of_office.indefinite IS 'Whether the period has no end (end_date then means nothing).';
COMMENT ON COLUMN user_out_of_office.active IS 'The API''s active flag when syncer last read the period (whether it was in effect then); not whether it is now: compare the dates with now.';
COMMENT ON COLUMN user_out_of_office.ooo_id IS 'The API''s id of the out-of-office setting.';

-- Lists with history (00010).
COMMENT ON TABLE user_profile_skills IS
    'Profile skills of each user (profileSkills expand: free-text skills on the profile, not routing skills), current. History in user_profile_skills_history.';
COMMENT ON COLUMN user_profile_skills.user_id IS 'Genesys user id (users.id).';
COMMENT ON COLUMN user_profile_skills.profile_skill IS 'The profile skill, as written on the profile.';

COMMENT ON TABLE user_certifications IS
    'Certifications on each user''s profile (certifications expand), current. History in user_certifications_history.';
COMMENT ON COLUMN user_certifications.user_id IS 'Genesys user id (users.id).';
COMMENT ON COLUMN user_certifications.certification IS 'The certification, as written on the profile.';

COMMENT ON TABLE user_utilization IS
    'Utilization (capacity) of each user per media type (optional utilization stream, GET /api/v2/routing/users/{userId}/utilization), current. History in user_utilization_history; with the org default: view utilization_by_media_type.';
COMMENT ON COLUMN user_utilization.user_id IS 'Genesys user id (users.id).';
COMMENT ON COLUMN user_utilization.media_type IS 'Media type: call, callback, chat, email, message, ...';
COMMENT ON COLUMN user_utilization.maximum_capacity IS 'How many interactions of this media type the user takes at once.';
COMMENT ON COLUMN user_utilization.interruptible_media_types IS 'Media types that may interrupt an interaction of this type, sorted.';
COMMENT ON COLUMN user_utilization.include_non_acd IS 'Whether non-ACD interactions count against the capacity.';
COMMENT ON COLUMN user_utilization.level IS 'Agent: the user has settings of their own (custom); Organization: the user has the org default.';

COMMENT ON TABLE user_development_activities IS
    'Development activities (coaching, learning assignments...) per attendee (optional development_activities stream, GET /api/v2/users/development/activities), upserted by windows of due and completion dates, never deleted. Overdue ones: views overdue_development_activities and overdue_development_activities_by_manager.';
COMMENT ON COLUMN user_development_activities.activity_id IS 'Genesys activity id.';
COMMENT ON COLUMN user_development_activities.user_id IS 'The attendee (users.id); an activity with several attendees has a row each.';
COMMENT ON COLUMN user_development_activities.name IS 'Activity name.';
COMMENT ON COLUMN user_development_activities.type IS 'Informational, Coaching, AssessedContent, Assessment or External.';
COMMENT ON COLUMN user_development_activities.status IS 'Planned, InProgress, Completed, InvalidSchedule or NotCompleted, as last read.';
COMMENT ON COLUMN user_development_activities.module_id IS 'The learning module of an assignment; NULL for coaching.';
COMMENT ON COLUMN user_development_activities.date_created IS 'When the activity was created in Genesys.';
COMMENT ON COLUMN user_development_activities.date_due IS 'When the activity is due.';
COMMENT ON COLUMN user_development_activities.date_completed IS 'When it was completed; NULL when not (yet).';
COMMENT ON COLUMN user_development_activities.is_overdue IS 'The API''s overdue flag when read; NULL where it gives none. The views compute overdue from date_due and status instead.';
COMMENT ON COLUMN user_development_activities.is_passed IS 'Whether an assessment was passed; NULL where it does not apply.';
COMMENT ON COLUMN user_development_activities.percentage_score IS 'Score of an assessment, percent; NULL where it does not apply.';
COMMENT ON COLUMN user_development_activities.created_by_id IS 'Who created the activity (users.id).';
COMMENT ON COLUMN user_development_activities.facilitator_id IS 'The facilitator of a coaching appointment (users.id).';
COMMENT ON COLUMN user_development_activities.raw IS 'The API''s JSON for the activity as last read.';

-- History (SCD2; 00002, 00010).
COMMENT ON TABLE users_history IS
    'Versions of each user (SCD2), one row per version valid over [valid_from, valid_to); valid_to NULL is the current one. valid_from is when syncer saw the change, not when it happened in Genesys; history starts at the first sync. users_as_of(ts) gives the versions valid at ts.';
COMMENT ON TABLE user_skills_history IS
    'Versions of each user''s routing skills (SCD2) over [valid_from, valid_to); a removed skill''s version is closed. valid_from is when syncer saw the change; history starts at the first sync. user_skills_as_of(ts).';
COMMENT ON TABLE user_queues_history IS
    'Versions of each queue membership (SCD2) over [valid_from, valid_to): a new version when joined changes, closed when the membership goes. valid_from is when syncer saw the change; history starts at the first sync. user_queues_as_of(ts).';
COMMENT ON TABLE user_profile_skills_history IS
    'Versions of each user''s profile skills (SCD2) over [valid_from, valid_to). valid_from is when syncer saw the change; history starts at the first sync. user_profile_skills_as_of(ts).';
COMMENT ON TABLE user_certifications_history IS
    'Versions of each user''s certifications (SCD2) over [valid_from, valid_to). valid_from is when syncer saw the change; history starts at the first sync. user_certifications_as_of(ts).';
COMMENT ON TABLE user_utilization_history IS
    'Versions of each user''s utilization per media type (SCD2) over [valid_from, valid_to). valid_from is when syncer saw the change; history starts at the first sync the utilization stream ran. user_utilization_as_of(ts).';

-- Operations (00004, 00007).
COMMENT ON TABLE sync_runs IS
    'One row per run of a forward pipeline (syncer run, a scheduled run of syncer serve, the demo): status, times, rows per table and API calls.';
COMMENT ON COLUMN sync_runs.id IS 'Run id; the updated_run and run_id columns of the data tables point here.';
COMMENT ON COLUMN sync_runs.pipeline IS 'Pipeline name (the key under pipelines in the config).';
COMMENT ON COLUMN sync_runs.status IS 'running, succeeded, failed, interrupted (its process died or was stopped) or awaiting_approval (a scheduled feed''s plan parked for approval).';
COMMENT ON COLUMN sync_runs.started_at IS 'When the run started.';
COMMENT ON COLUMN sync_runs.finished_at IS 'When it ended; NULL while running.';
COMMENT ON COLUMN sync_runs.error IS 'Why it failed; NULL on success.';
COMMENT ON COLUMN sync_runs.counts IS 'Rows written per table, as JSON.';
COMMENT ON COLUMN sync_runs.calls IS 'API calls by endpoint and status, 429s, retries and wait time, as JSON.';

COMMENT ON TABLE sync_stream_runs IS 'One row per stream of a run: its own status, times, rows and calls.';
COMMENT ON COLUMN sync_stream_runs.run_id IS 'The run (sync_runs.id).';
COMMENT ON COLUMN sync_stream_runs.stream IS 'Stream name (users, queues, user_details, ...).';
COMMENT ON COLUMN sync_stream_runs.status IS 'running, succeeded, failed or interrupted.';
COMMENT ON COLUMN sync_stream_runs.started_at IS 'When the stream started.';
COMMENT ON COLUMN sync_stream_runs.finished_at IS 'When it ended; NULL while running.';
COMMENT ON COLUMN sync_stream_runs.error IS 'Why it failed; NULL on success.';
COMMENT ON COLUMN sync_stream_runs.counts IS 'Rows written per table by this stream, as JSON.';
COMMENT ON COLUMN sync_stream_runs.calls IS 'API calls of this stream, as JSON.';

COMMENT ON TABLE sync_watermarks IS
    'How far each incremental stream of each pipeline has loaded; written in the same transaction as the data, so it never runs ahead of it.';
COMMENT ON COLUMN sync_watermarks.pipeline IS 'Pipeline name.';
COMMENT ON COLUMN sync_watermarks.stream IS 'Stream name.';
COMMENT ON COLUMN sync_watermarks.watermark IS 'The time up to which the stream''s data is loaded; NULL for a stream that keeps a cursor.';
COMMENT ON COLUMN sync_watermarks.cursor IS 'The stream''s cursor; NULL when it keeps none.';
COMMENT ON COLUMN sync_watermarks.run_id IS 'The run that last advanced it (sync_runs.id).';
COMMENT ON COLUMN sync_watermarks.updated_at IS 'When it was last advanced.';

COMMENT ON TABLE plans IS 'The apply journal of the reverse path: one row per plan applied (or being applied) to Genesys.';
COMMENT ON COLUMN plans.id IS 'Plan id: a hash of its operations and of the state it was made from.';
COMMENT ON COLUMN plans.fingerprint IS 'Fingerprint of the state the plan was made from; an apply refuses a plan whose state changed since.';
COMMENT ON COLUMN plans.created_at IS 'When the apply began.';
COMMENT ON COLUMN plans.status IS 'pending, applying, applied, failed or refused.';
COMMENT ON COLUMN plans.body IS 'The plan, as `syncer plan --out` saves it (JSON).';
COMMENT ON COLUMN plans.updated_at IS 'When the status last changed.';

COMMENT ON TABLE plan_operations IS
    'One API operation of a plan, journaled before and after its call, so an interrupted apply resumes without repeating what was done.';
COMMENT ON COLUMN plan_operations.plan_id IS 'The plan (plans.id).';
COMMENT ON COLUMN plan_operations.seq IS 'Position of the operation in the plan, from 0.';
COMMENT ON COLUMN plan_operations.kind IS 'Operation kind (create_user, update_user, set_skills, add_queue_members, ...; the kinds table of docs/extending.md).';
COMMENT ON COLUMN plan_operations.user_key IS 'The user the operation is about (id, email or employee id); empty for an operation on no one user.';
COMMENT ON COLUMN plan_operations.payload IS 'What the operation sends, as JSON.';
COMMENT ON COLUMN plan_operations.status IS 'pending, running (call begun: it may or may not have happened), done, failed or skipped.';
COMMENT ON COLUMN plan_operations.attempts IS 'Calls made for it (retries included).';
COMMENT ON COLUMN plan_operations.http_status IS 'HTTP status of the last call.';
COMMENT ON COLUMN plan_operations.correlation_id IS 'Genesys correlation id of the last call (for Genesys support).';
COMMENT ON COLUMN plan_operations.error_code IS 'Genesys error code of a failed call.';
COMMENT ON COLUMN plan_operations.error IS 'Error message of a failed call.';
COMMENT ON COLUMN plan_operations.result IS 'What the call returned that later operations need (e.g. a created user''s id), as JSON.';
COMMENT ON COLUMN plan_operations.started_at IS 'When the first call began.';
COMMENT ON COLUMN plan_operations.finished_at IS 'When it finished.';

COMMENT ON TABLE plan_approvals IS
    'Plans of scheduled feeds parked because they tripped a guard, awaiting a person''s approval; at most one per feed awaits.';
COMMENT ON COLUMN plan_approvals.plan_id IS 'Plan id (the id plans gives it once applied).';
COMMENT ON COLUMN plan_approvals.feed IS 'The feed whose plan it is.';
COMMENT ON COLUMN plan_approvals.job IS 'The scheduled job (feed:NAME) whose lock an apply of the plan holds.';
COMMENT ON COLUMN plan_approvals.status IS 'awaiting_approval, approved, applied, failed, rejected, expired, superseded (a later run parked another plan) or replanned (stale when approved: planned again into replaced_by).';
COMMENT ON COLUMN plan_approvals.body IS 'The plan, as `syncer plan --out` saves it (JSON).';
COMMENT ON COLUMN plan_approvals.tripped IS 'The guard verdicts that tripped, as JSON.';
COMMENT ON COLUMN plan_approvals.run_id IS 'The run that parked it (sync_runs.id).';
COMMENT ON COLUMN plan_approvals.parked_at IS 'When it was parked.';
COMMENT ON COLUMN plan_approvals.expires_at IS 'When it expires unapproved.';
COMMENT ON COLUMN plan_approvals.decided_by IS 'Who approved or rejected it.';
COMMENT ON COLUMN plan_approvals.decided_at IS 'When.';
COMMENT ON COLUMN plan_approvals.reason IS 'The reason given with the decision.';
COMMENT ON COLUMN plan_approvals.replaces IS 'The stale approved plan this one was planned again from.';
COMMENT ON COLUMN plan_approvals.replaced_by IS 'The plan that took this one''s place.';
COMMENT ON COLUMN plan_approvals.updated_at IS 'When the row last changed.';

COMMENT ON TABLE plan_approval_events IS 'The approval journal: every step of a parked plan, who took it and why.';
COMMENT ON COLUMN plan_approval_events.id IS 'Event sequence.';
COMMENT ON COLUMN plan_approval_events.plan_id IS 'The parked plan (plan_approvals.plan_id).';
COMMENT ON COLUMN plan_approval_events.at IS 'When.';
COMMENT ON COLUMN plan_approval_events.event IS 'parked, approved, rejected, expired, superseded, replanned, applied or failed.';
COMMENT ON COLUMN plan_approval_events.actor IS 'Who took the step (the approver''s name); empty when syncer did.';
COMMENT ON COLUMN plan_approval_events.reason IS 'The reason given.';
COMMENT ON COLUMN plan_approval_events.detail IS 'More on the event (e.g. the error of a failed apply).';

-- Bookkeeping and history columns.
COMMENT ON COLUMN divisions.deleted_at IS 'When the entity vanished from a complete listing; NULL while it exists (cleared if it comes back).';
COMMENT ON COLUMN divisions.first_seen_at IS 'When syncer first loaded this row.';
COMMENT ON COLUMN divisions.raw IS 'The API''s JSON for the entity as last read.';
COMMENT ON COLUMN divisions.row_hash IS 'Change detector (a hash of the row''s values): a reload that finds the same hash writes nothing. Not for BI.';
COMMENT ON COLUMN divisions.updated_at IS 'When syncer last changed this row (an unchanged reload writes nothing).';
COMMENT ON COLUMN divisions.updated_run IS 'The sync_runs id of the run that last inserted or changed this row.';
COMMENT ON COLUMN groups.deleted_at IS 'When the entity vanished from a complete listing; NULL while it exists (cleared if it comes back).';
COMMENT ON COLUMN groups.first_seen_at IS 'When syncer first loaded this row.';
COMMENT ON COLUMN groups.raw IS 'The API''s JSON for the entity as last read.';
COMMENT ON COLUMN groups.row_hash IS 'Change detector (a hash of the row''s values): a reload that finds the same hash writes nothing. Not for BI.';
COMMENT ON COLUMN groups.updated_at IS 'When syncer last changed this row (an unchanged reload writes nothing).';
COMMENT ON COLUMN groups.updated_run IS 'The sync_runs id of the run that last inserted or changed this row.';
COMMENT ON COLUMN languages.deleted_at IS 'When the entity vanished from a complete listing; NULL while it exists (cleared if it comes back).';
COMMENT ON COLUMN languages.first_seen_at IS 'When syncer first loaded this row.';
COMMENT ON COLUMN languages.raw IS 'The API''s JSON for the entity as last read.';
COMMENT ON COLUMN languages.row_hash IS 'Change detector (a hash of the row''s values): a reload that finds the same hash writes nothing. Not for BI.';
COMMENT ON COLUMN languages.updated_at IS 'When syncer last changed this row (an unchanged reload writes nothing).';
COMMENT ON COLUMN languages.updated_run IS 'The sync_runs id of the run that last inserted or changed this row.';
COMMENT ON COLUMN locations.deleted_at IS 'When the entity vanished from a complete listing; NULL while it exists (cleared if it comes back).';
COMMENT ON COLUMN locations.first_seen_at IS 'When syncer first loaded this row.';
COMMENT ON COLUMN locations.raw IS 'The API''s JSON for the entity as last read.';
COMMENT ON COLUMN locations.row_hash IS 'Change detector (a hash of the row''s values): a reload that finds the same hash writes nothing. Not for BI.';
COMMENT ON COLUMN locations.updated_at IS 'When syncer last changed this row (an unchanged reload writes nothing).';
COMMENT ON COLUMN locations.updated_run IS 'The sync_runs id of the run that last inserted or changed this row.';
COMMENT ON COLUMN queues.deleted_at IS 'When the entity vanished from a complete listing; NULL while it exists (cleared if it comes back).';
COMMENT ON COLUMN queues.first_seen_at IS 'When syncer first loaded this row.';
COMMENT ON COLUMN queues.raw IS 'The API''s JSON for the entity as last read.';
COMMENT ON COLUMN queues.row_hash IS 'Change detector (a hash of the row''s values): a reload that finds the same hash writes nothing. Not for BI.';
COMMENT ON COLUMN queues.updated_at IS 'When syncer last changed this row (an unchanged reload writes nothing).';
COMMENT ON COLUMN queues.updated_run IS 'The sync_runs id of the run that last inserted or changed this row.';
COMMENT ON COLUMN roles.deleted_at IS 'When the entity vanished from a complete listing; NULL while it exists (cleared if it comes back).';
COMMENT ON COLUMN roles.first_seen_at IS 'When syncer first loaded this row.';
COMMENT ON COLUMN roles.raw IS 'The API''s JSON for the entity as last read.';
COMMENT ON COLUMN roles.row_hash IS 'Change detector (a hash of the row''s values): a reload that finds the same hash writes nothing. Not for BI.';
COMMENT ON COLUMN roles.updated_at IS 'When syncer last changed this row (an unchanged reload writes nothing).';
COMMENT ON COLUMN roles.updated_run IS 'The sync_runs id of the run that last inserted or changed this row.';
COMMENT ON COLUMN skills.deleted_at IS 'When the entity vanished from a complete listing; NULL while it exists (cleared if it comes back).';
COMMENT ON COLUMN skills.first_seen_at IS 'When syncer first loaded this row.';
COMMENT ON COLUMN skills.raw IS 'The API''s JSON for the entity as last read.';
COMMENT ON COLUMN skills.row_hash IS 'Change detector (a hash of the row''s values): a reload that finds the same hash writes nothing. Not for BI.';
COMMENT ON COLUMN skills.updated_at IS 'When syncer last changed this row (an unchanged reload writes nothing).';
COMMENT ON COLUMN skills.updated_run IS 'The sync_runs id of the run that last inserted or changed this row.';
COMMENT ON COLUMN stations.deleted_at IS 'When the entity vanished from a complete listing; NULL while it exists (cleared if it comes back).';
COMMENT ON COLUMN stations.first_seen_at IS 'When syncer first loaded this row.';
COMMENT ON COLUMN stations.raw IS 'The API''s JSON for the entity as last read.';
COMMENT ON COLUMN stations.row_hash IS 'Change detector (a hash of the row''s values): a reload that finds the same hash writes nothing. Not for BI.';
COMMENT ON COLUMN stations.updated_at IS 'When syncer last changed this row (an unchanged reload writes nothing).';
COMMENT ON COLUMN stations.updated_run IS 'The sync_runs id of the run that last inserted or changed this row.';
COMMENT ON COLUMN user_certifications.first_seen_at IS 'When syncer first loaded this row.';
COMMENT ON COLUMN user_certifications.row_hash IS 'Change detector (a hash of the row''s values): a reload that finds the same hash writes nothing. Not for BI.';
COMMENT ON COLUMN user_certifications.updated_at IS 'When syncer last changed this row (an unchanged reload writes nothing).';
COMMENT ON COLUMN user_certifications.updated_run IS 'The sync_runs id of the run that last inserted or changed this row.';
COMMENT ON COLUMN user_certifications_history.certification IS 'The certification, as written on the profile.';
COMMENT ON COLUMN user_certifications_history.row_hash IS 'Change detector of the version (a hash of its values). Not for BI.';
COMMENT ON COLUMN user_certifications_history.run_id IS 'The sync_runs id of the run that opened this version.';
COMMENT ON COLUMN user_certifications_history.user_id IS 'Genesys user id (users.id).';
COMMENT ON COLUMN user_certifications_history.valid_from IS 'When syncer first saw this version (the load that wrote it), not when it changed in Genesys; a key''s first version starts at the first sync that saw it.';
COMMENT ON COLUMN user_certifications_history.valid_to IS 'When syncer saw this version replaced (the next one starts at this instant) or gone; NULL for the current version.';
COMMENT ON COLUMN user_development_activities.first_seen_at IS 'When syncer first loaded this row.';
COMMENT ON COLUMN user_development_activities.updated_at IS 'When syncer last changed this row (an unchanged reload writes nothing).';
COMMENT ON COLUMN user_development_activities.updated_run IS 'The sync_runs id of the run that last inserted or changed this row.';
COMMENT ON COLUMN user_external_ids.first_seen_at IS 'When syncer first loaded this row.';
COMMENT ON COLUMN user_external_ids.row_hash IS 'Change detector (a hash of the row''s values): a reload that finds the same hash writes nothing. Not for BI.';
COMMENT ON COLUMN user_external_ids.updated_at IS 'When syncer last changed this row (an unchanged reload writes nothing).';
COMMENT ON COLUMN user_external_ids.updated_run IS 'The sync_runs id of the run that last inserted or changed this row.';
COMMENT ON COLUMN user_groups.first_seen_at IS 'When syncer first loaded this row.';
COMMENT ON COLUMN user_groups.row_hash IS 'Change detector (a hash of the row''s values): a reload that finds the same hash writes nothing. Not for BI.';
COMMENT ON COLUMN user_groups.updated_at IS 'When syncer last changed this row (an unchanged reload writes nothing).';
COMMENT ON COLUMN user_groups.updated_run IS 'The sync_runs id of the run that last inserted or changed this row.';
COMMENT ON COLUMN user_languages.first_seen_at IS 'When syncer first loaded this row.';
COMMENT ON COLUMN user_languages.row_hash IS 'Change detector (a hash of the row''s values): a reload that finds the same hash writes nothing. Not for BI.';
COMMENT ON COLUMN user_languages.updated_at IS 'When syncer last changed this row (an unchanged reload writes nothing).';
COMMENT ON COLUMN user_languages.updated_run IS 'The sync_runs id of the run that last inserted or changed this row.';
COMMENT ON COLUMN user_last_login.first_seen_at IS 'When syncer first loaded this row.';
COMMENT ON COLUMN user_last_login.row_hash IS 'Change detector (a hash of the row''s values): a reload that finds the same hash writes nothing. Not for BI.';
COMMENT ON COLUMN user_last_login.updated_at IS 'When syncer last changed this row (an unchanged reload writes nothing).';
COMMENT ON COLUMN user_last_login.updated_run IS 'The sync_runs id of the run that last inserted or changed this row.';
COMMENT ON COLUMN user_locations.first_seen_at IS 'When syncer first loaded this row.';
COMMENT ON COLUMN user_locations.row_hash IS 'Change detector (a hash of the row''s values): a reload that finds the same hash writes nothing. Not for BI.';
COMMENT ON COLUMN user_locations.updated_at IS 'When syncer last changed this row (an unchanged reload writes nothing).';
COMMENT ON COLUMN user_locations.updated_run IS 'The sync_runs id of the run that last inserted or changed this row.';
COMMENT ON COLUMN user_out_of_office.first_seen_at IS 'When syncer first loaded this row.';
COMMENT ON COLUMN user_out_of_office.updated_at IS 'When syncer last changed this row (an unchanged reload writes nothing).';
COMMENT ON COLUMN user_out_of_office.updated_run IS 'The sync_runs id of the run that last inserted or changed this row.';
COMMENT ON COLUMN user_presence.first_seen_at IS 'When syncer first loaded this row.';
COMMENT ON COLUMN user_presence.row_hash IS 'Change detector (a hash of the row''s values): a reload that finds the same hash writes nothing. Not for BI.';
COMMENT ON COLUMN user_presence.updated_at IS 'When syncer last changed this row (an unchanged reload writes nothing).';
COMMENT ON COLUMN user_presence.updated_run IS 'The sync_runs id of the run that last inserted or changed this row.';
COMMENT ON COLUMN user_profile_skills.first_seen_at IS 'When syncer first loaded this row.';
COMMENT ON COLUMN user_profile_skills.row_hash IS 'Change detector (a hash of the row''s values): a reload that finds the same hash writes nothing. Not for BI.';
COMMENT ON COLUMN user_profile_skills.updated_at IS 'When syncer last changed this row (an unchanged reload writes nothing).';
COMMENT ON COLUMN user_profile_skills.updated_run IS 'The sync_runs id of the run that last inserted or changed this row.';
COMMENT ON COLUMN user_profile_skills_history.profile_skill IS 'The profile skill, as written on the profile.';
COMMENT ON COLUMN user_profile_skills_history.row_hash IS 'Change detector of the version (a hash of its values). Not for BI.';
COMMENT ON COLUMN user_profile_skills_history.run_id IS 'The sync_runs id of the run that opened this version.';
COMMENT ON COLUMN user_profile_skills_history.user_id IS 'Genesys user id (users.id).';
COMMENT ON COLUMN user_profile_skills_history.valid_from IS 'When syncer first saw this version (the load that wrote it), not when it changed in Genesys; a key''s first version starts at the first sync that saw it.';
COMMENT ON COLUMN user_profile_skills_history.valid_to IS 'When syncer saw this version replaced (the next one starts at this instant) or gone; NULL for the current version.';
COMMENT ON COLUMN user_queues.first_seen_at IS 'When syncer first loaded this row.';
COMMENT ON COLUMN user_queues.row_hash IS 'Change detector (a hash of the row''s values): a reload that finds the same hash writes nothing. Not for BI.';
COMMENT ON COLUMN user_queues.updated_at IS 'When syncer last changed this row (an unchanged reload writes nothing).';
COMMENT ON COLUMN user_queues.updated_run IS 'The sync_runs id of the run that last inserted or changed this row.';
COMMENT ON COLUMN user_queues_history.joined IS 'Whether the member has joined the queue (receives its interactions when on queue).';
COMMENT ON COLUMN user_queues_history.queue_id IS 'Queue id (queues.id).';
COMMENT ON COLUMN user_queues_history.row_hash IS 'Change detector of the version (a hash of its values). Not for BI.';
COMMENT ON COLUMN user_queues_history.run_id IS 'The sync_runs id of the run that opened this version.';
COMMENT ON COLUMN user_queues_history.user_id IS 'Genesys user id (users.id).';
COMMENT ON COLUMN user_queues_history.valid_from IS 'When syncer first saw this version (the load that wrote it), not when it changed in Genesys; a key''s first version starts at the first sync that saw it.';
COMMENT ON COLUMN user_queues_history.valid_to IS 'When syncer saw this version replaced (the next one starts at this instant) or gone; NULL for the current version.';
COMMENT ON COLUMN user_role_grants.first_seen_at IS 'When syncer first loaded this row.';
COMMENT ON COLUMN user_role_grants.row_hash IS 'Change detector (a hash of the row''s values): a reload that finds the same hash writes nothing. Not for BI.';
COMMENT ON COLUMN user_role_grants.updated_at IS 'When syncer last changed this row (an unchanged reload writes nothing).';
COMMENT ON COLUMN user_role_grants.updated_run IS 'The sync_runs id of the run that last inserted or changed this row.';
COMMENT ON COLUMN user_routing_status.first_seen_at IS 'When syncer first loaded this row.';
COMMENT ON COLUMN user_routing_status.row_hash IS 'Change detector (a hash of the row''s values): a reload that finds the same hash writes nothing. Not for BI.';
COMMENT ON COLUMN user_routing_status.updated_at IS 'When syncer last changed this row (an unchanged reload writes nothing).';
COMMENT ON COLUMN user_routing_status.updated_run IS 'The sync_runs id of the run that last inserted or changed this row.';
COMMENT ON COLUMN user_skills.first_seen_at IS 'When syncer first loaded this row.';
COMMENT ON COLUMN user_skills.row_hash IS 'Change detector (a hash of the row''s values): a reload that finds the same hash writes nothing. Not for BI.';
COMMENT ON COLUMN user_skills.updated_at IS 'When syncer last changed this row (an unchanged reload writes nothing).';
COMMENT ON COLUMN user_skills.updated_run IS 'The sync_runs id of the run that last inserted or changed this row.';
COMMENT ON COLUMN user_skills_history.proficiency IS 'Proficiency, 0 to 5.';
COMMENT ON COLUMN user_skills_history.row_hash IS 'Change detector of the version (a hash of its values). Not for BI.';
COMMENT ON COLUMN user_skills_history.run_id IS 'The sync_runs id of the run that opened this version.';
COMMENT ON COLUMN user_skills_history.skill_id IS 'Routing skill id (skills.id).';
COMMENT ON COLUMN user_skills_history.skill_name IS 'Skill name as the user''s listing gave it (skills.name is the reference).';
COMMENT ON COLUMN user_skills_history.user_id IS 'Genesys user id (users.id).';
COMMENT ON COLUMN user_skills_history.valid_from IS 'When syncer first saw this version (the load that wrote it), not when it changed in Genesys; a key''s first version starts at the first sync that saw it.';
COMMENT ON COLUMN user_skills_history.valid_to IS 'When syncer saw this version replaced (the next one starts at this instant) or gone; NULL for the current version.';
COMMENT ON COLUMN user_stations.first_seen_at IS 'When syncer first loaded this row.';
COMMENT ON COLUMN user_stations.row_hash IS 'Change detector (a hash of the row''s values): a reload that finds the same hash writes nothing. Not for BI.';
COMMENT ON COLUMN user_stations.updated_at IS 'When syncer last changed this row (an unchanged reload writes nothing).';
COMMENT ON COLUMN user_stations.updated_run IS 'The sync_runs id of the run that last inserted or changed this row.';
COMMENT ON COLUMN user_utilization.first_seen_at IS 'When syncer first loaded this row.';
COMMENT ON COLUMN user_utilization.row_hash IS 'Change detector (a hash of the row''s values): a reload that finds the same hash writes nothing. Not for BI.';
COMMENT ON COLUMN user_utilization.updated_at IS 'When syncer last changed this row (an unchanged reload writes nothing).';
COMMENT ON COLUMN user_utilization.updated_run IS 'The sync_runs id of the run that last inserted or changed this row.';
COMMENT ON COLUMN user_utilization_history.include_non_acd IS 'Whether non-ACD interactions count against the capacity.';
COMMENT ON COLUMN user_utilization_history.interruptible_media_types IS 'Media types that may interrupt an interaction of this type, sorted.';
COMMENT ON COLUMN user_utilization_history.level IS 'Agent: the user has settings of their own (custom); Organization: the user has the org default.';
COMMENT ON COLUMN user_utilization_history.maximum_capacity IS 'How many interactions of this media type the user takes at once.';
COMMENT ON COLUMN user_utilization_history.media_type IS 'Media type: call, callback, chat, email, message, ...';
COMMENT ON COLUMN user_utilization_history.row_hash IS 'Change detector of the version (a hash of its values). Not for BI.';
COMMENT ON COLUMN user_utilization_history.run_id IS 'The sync_runs id of the run that opened this version.';
COMMENT ON COLUMN user_utilization_history.user_id IS 'Genesys user id (users.id).';
COMMENT ON COLUMN user_utilization_history.valid_from IS 'When syncer first saw this version (the load that wrote it), not when it changed in Genesys; a key''s first version starts at the first sync that saw it.';
COMMENT ON COLUMN user_utilization_history.valid_to IS 'When syncer saw this version replaced (the next one starts at this instant) or gone; NULL for the current version.';
COMMENT ON COLUMN users.deleted_at IS 'When the entity vanished from a complete listing; NULL while it exists (cleared if it comes back).';
COMMENT ON COLUMN users.first_seen_at IS 'When syncer first loaded this row.';
COMMENT ON COLUMN users.raw IS 'The API''s JSON for the entity as last read.';
COMMENT ON COLUMN users.row_hash IS 'Change detector (a hash of the row''s values): a reload that finds the same hash writes nothing. Not for BI.';
COMMENT ON COLUMN users.updated_at IS 'When syncer last changed this row (an unchanged reload writes nothing).';
COMMENT ON COLUMN users.updated_run IS 'The sync_runs id of the run that last inserted or changed this row.';
COMMENT ON COLUMN users_history.acd_auto_answer IS 'Whether ACD interactions are answered automatically.';
COMMENT ON COLUMN users_history.date_hire IS 'Hire date from employerInfo.';
COMMENT ON COLUMN users_history.department IS 'Department.';
COMMENT ON COLUMN users_history.division_id IS 'Division of the user (divisions.id).';
COMMENT ON COLUMN users_history.email IS 'Email address (the Genesys login).';
COMMENT ON COLUMN users_history.employee_id IS 'Employee id from employerInfo (the HR key when the feed matches on it).';
COMMENT ON COLUMN users_history.employee_type IS 'Employee type from employerInfo (e.g. Full-time, Part-time, Contractor).';
COMMENT ON COLUMN users_history.id IS 'Genesys user id.';
COMMENT ON COLUMN users_history.manager_id IS 'The user''s manager (users.id); NULL when none.';
COMMENT ON COLUMN users_history.name IS 'Display name.';
COMMENT ON COLUMN users_history.official_name IS 'Official (legal) name from employerInfo.';
COMMENT ON COLUMN users_history.raw IS 'The API''s JSON for the user in this version.';
COMMENT ON COLUMN users_history.row_hash IS 'Change detector of the version (a hash of its values). Not for BI.';
COMMENT ON COLUMN users_history.run_id IS 'The sync_runs id of the run that opened this version.';
COMMENT ON COLUMN users_history.state IS 'Genesys state: active, inactive or deleted.';
COMMENT ON COLUMN users_history.team_id IS 'Work team of the user (team expand); NULL when none.';
COMMENT ON COLUMN users_history.team_name IS 'Name of the work team.';
COMMENT ON COLUMN users_history.title IS 'Job title.';
COMMENT ON COLUMN users_history.username IS 'Username (usually the email).';
COMMENT ON COLUMN users_history.valid_from IS 'When syncer first saw this version (the load that wrote it), not when it changed in Genesys; a key''s first version starts at the first sync that saw it.';
COMMENT ON COLUMN users_history.valid_to IS 'When syncer saw this version replaced (the next one starts at this instant) or gone; NULL for the current version.';
COMMENT ON COLUMN users_history.version IS 'Genesys version of the user object (grows with every change in Genesys).';

-- Views and functions of 00005 and 00012.
COMMENT ON VIEW current_agents IS
    'One row per user not deleted (active and inactive: filter state = ''active'' for the working population), with division, manager, skills, languages, queue counts, team, employer info, default station and last login. Current state only; for a past date use users_as_of.';
COMMENT ON COLUMN current_agents.user_id IS 'Genesys user id (users.id).';
COMMENT ON COLUMN current_agents.name IS 'Display name.';
COMMENT ON COLUMN current_agents.email IS 'Email address.';
COMMENT ON COLUMN current_agents.username IS 'Username.';
COMMENT ON COLUMN current_agents.title IS 'Job title.';
COMMENT ON COLUMN current_agents.department IS 'Department.';
COMMENT ON COLUMN current_agents.state IS 'active or inactive (deleted users are not in this view).';
COMMENT ON COLUMN current_agents.employee_id IS 'Employee id from employerInfo.';
COMMENT ON COLUMN current_agents.acd_auto_answer IS 'Whether ACD interactions are answered automatically.';
COMMENT ON COLUMN current_agents.division_id IS 'Division id (divisions.id).';
COMMENT ON COLUMN current_agents.division_name IS 'Division name.';
COMMENT ON COLUMN current_agents.manager_id IS 'The manager''s user id; NULL when none.';
COMMENT ON COLUMN current_agents.manager_name IS 'The manager''s name.';
COMMENT ON COLUMN current_agents.manager_email IS 'The manager''s email.';
COMMENT ON COLUMN current_agents.skills IS 'Routing skills as a JSON array of {id, name, proficiency}, by name.';
COMMENT ON COLUMN current_agents.skill_names IS 'Routing skill names, sorted.';
COMMENT ON COLUMN current_agents.languages IS 'Routing languages as a JSON array of {id, name, proficiency}, by name.';
COMMENT ON COLUMN current_agents.queue_count IS 'Queues the user is a member of.';
COMMENT ON COLUMN current_agents.joined_queue_count IS 'Of those, the queues the user has joined.';
COMMENT ON COLUMN current_agents.updated_at IS 'When syncer last changed the user''s row.';
COMMENT ON COLUMN current_agents.team_id IS 'Work team id; NULL when none.';
COMMENT ON COLUMN current_agents.team_name IS 'Work team name.';
COMMENT ON COLUMN current_agents.employee_type IS 'Employee type from employerInfo.';
COMMENT ON COLUMN current_agents.official_name IS 'Official (legal) name from employerInfo.';
COMMENT ON COLUMN current_agents.date_hire IS 'Hire date from employerInfo.';
COMMENT ON COLUMN current_agents.default_station_id IS 'Default station (stations.id); NULL when none.';
COMMENT ON COLUMN current_agents.default_station_name IS 'Default station''s name (NULL until the stations listing names it).';
COMMENT ON COLUMN current_agents.effective_station_id IS 'The station calls reach now (associated, else default); NULL when none.';
COMMENT ON COLUMN current_agents.effective_station_name IS 'Its name.';
COMMENT ON COLUMN current_agents.last_login_at IS 'Last login as of the last sync; NULL when the user never logged in.';

COMMENT ON VIEW queue_membership IS
    'One row per queue membership with queue, division and user names; deleted users are kept with user_deleted true. member_since and joined_since come from user_queues_history, so they start no earlier than the first sync.';
COMMENT ON COLUMN queue_membership.queue_id IS 'Queue id (queues.id).';
COMMENT ON COLUMN queue_membership.queue_name IS 'Queue name.';
COMMENT ON COLUMN queue_membership.queue_division_id IS 'Division of the queue.';
COMMENT ON COLUMN queue_membership.queue_division_name IS 'Its name.';
COMMENT ON COLUMN queue_membership.user_id IS 'Member''s user id (users.id).';
COMMENT ON COLUMN queue_membership.user_name IS 'Member''s name.';
COMMENT ON COLUMN queue_membership.user_email IS 'Member''s email.';
COMMENT ON COLUMN queue_membership.user_state IS 'Member''s state: active, inactive or deleted.';
COMMENT ON COLUMN queue_membership.joined IS 'Whether the member has joined the queue.';
COMMENT ON COLUMN queue_membership.member_since IS 'When syncer first saw the current, uninterrupted membership (joined or not): a membership removed and added again starts anew; the first sync for memberships older than syncer.';
COMMENT ON COLUMN queue_membership.user_deleted IS 'Whether the member is deleted in Genesys.';
COMMENT ON COLUMN queue_membership.joined_since IS 'When syncer first saw the current value of joined (the open version of user_queues_history).';

COMMENT ON VIEW agents_without_station IS
    'Active users, not deleted, with no default, associated or effective station (a last associated station alone does not count): who cannot take a call. Needs the station expand: without it every active user is listed. queue_count tells agents from other users.';
COMMENT ON COLUMN agents_without_station.user_id IS 'Genesys user id (users.id).';
COMMENT ON COLUMN agents_without_station.name IS 'Display name.';
COMMENT ON COLUMN agents_without_station.email IS 'Email address.';
COMMENT ON COLUMN agents_without_station.title IS 'Job title.';
COMMENT ON COLUMN agents_without_station.department IS 'Department.';
COMMENT ON COLUMN agents_without_station.division_id IS 'Division id.';
COMMENT ON COLUMN agents_without_station.division_name IS 'Division name.';
COMMENT ON COLUMN agents_without_station.manager_id IS 'The manager''s user id.';
COMMENT ON COLUMN agents_without_station.manager_name IS 'The manager''s name.';
COMMENT ON COLUMN agents_without_station.manager_email IS 'The manager''s email.';
COMMENT ON COLUMN agents_without_station.last_login_at IS 'Last login as of the last sync; NULL when never.';
COMMENT ON COLUMN agents_without_station.system_presence IS 'System presence as of the last sync.';
COMMENT ON COLUMN agents_without_station.presence_since IS 'When the user entered that presence.';
COMMENT ON COLUMN agents_without_station.last_associated_station_id IS 'The station the user last used, if any.';
COMMENT ON COLUMN agents_without_station.last_associated_station_name IS 'Its name.';
COMMENT ON COLUMN agents_without_station.queue_count IS 'Queues the user is a member of (0: probably not an agent).';

COMMENT ON VIEW out_of_office_periods IS
    'Every out-of-office period syncer has seen, of users not deleted, with names; a period is [start_date, end_date). Kept after the API stops showing it. For a time range: out_of_office_between(from, to).';
COMMENT ON COLUMN out_of_office_periods.user_id IS 'Genesys user id (users.id).';
COMMENT ON COLUMN out_of_office_periods.user_name IS 'Display name.';
COMMENT ON COLUMN out_of_office_periods.user_email IS 'Email address.';
COMMENT ON COLUMN out_of_office_periods.user_state IS 'active or inactive.';
COMMENT ON COLUMN out_of_office_periods.division_id IS 'Division id.';
COMMENT ON COLUMN out_of_office_periods.division_name IS 'Division name.';
COMMENT ON COLUMN out_of_office_periods.manager_id IS 'The manager''s user id.';
COMMENT ON COLUMN out_of_office_periods.manager_name IS 'The manager''s name.';
COMMENT ON COLUMN out_of_office_periods.start_date IS 'Out from (inclusive).';
COMMENT ON COLUMN out_of_office_periods.end_date IS 'Back at (exclusive); NULL when the period has no end.';
COMMENT ON COLUMN out_of_office_periods.indefinite IS 'Whether the period has no end (indefinite, or no end given).';
COMMENT ON COLUMN out_of_office_periods.active_when_read IS 'The API''s active flag when syncer last read the period (whether it was in effect then), not now.';
COMMENT ON COLUMN out_of_office_periods.ooo_id IS 'The API''s id of the out-of-office setting.';
COMMENT ON COLUMN out_of_office_periods.first_seen_at IS 'When syncer first saw the period.';
COMMENT ON COLUMN out_of_office_periods.updated_at IS 'When syncer last saw it change (e.g. a new end date).';
COMMENT ON VIEW out_of_office_now IS
    'Who is out of office now: one row per user (not deleted) whose period covers now(): start_date <= now() < end_date, or no end. A period ending exactly now is over. Columns as out_of_office_periods.';
COMMENT ON VIEW out_of_office_next_7_days IS
    'Out-of-office periods starting in [now(), now() + 7 days), of users not deleted: who will be out this coming week. Those already out are in out_of_office_now. Columns as out_of_office_periods.';
COMMENT ON FUNCTION out_of_office_between(timestamptz, timestamptz) IS
    'The out_of_office_periods overlapping [from_time, to_time): who was (or will be) out at any time in the range, e.g. out_of_office_between(''2026-10-13'', ''2026-10-14'') for a day (in the session''s time zone).';

COMMENT ON VIEW utilization_by_media_type IS
    'Each user''s capacity per media type (utilization stream), users not deleted, with the org default beside it: custom is Genesys'' own notion (level Agent: the user has settings of their own), differs_from_default says whether the values differ from the org default, which is derived from the users on it (level Organization; the most recently changed such row per media type).';
COMMENT ON COLUMN utilization_by_media_type.user_id IS 'Genesys user id (users.id).';
COMMENT ON COLUMN utilization_by_media_type.user_name IS 'Display name.';
COMMENT ON COLUMN utilization_by_media_type.user_email IS 'Email address.';
COMMENT ON COLUMN utilization_by_media_type.user_state IS 'active or inactive.';
COMMENT ON COLUMN utilization_by_media_type.division_id IS 'Division id.';
COMMENT ON COLUMN utilization_by_media_type.division_name IS 'Division name.';
COMMENT ON COLUMN utilization_by_media_type.media_type IS 'Media type: call, callback, chat, email, message, ...';
COMMENT ON COLUMN utilization_by_media_type.maximum_capacity IS 'Interactions of this media type the user takes at once.';
COMMENT ON COLUMN utilization_by_media_type.interruptible_media_types IS 'Media types that may interrupt one of this type, sorted.';
COMMENT ON COLUMN utilization_by_media_type.include_non_acd IS 'Whether non-ACD interactions count against the capacity.';
COMMENT ON COLUMN utilization_by_media_type.level IS 'Agent (own settings) or Organization (the org default).';
COMMENT ON COLUMN utilization_by_media_type.custom IS 'Whether the user has settings of their own (level Agent), even if equal to the default.';
COMMENT ON COLUMN utilization_by_media_type.default_maximum_capacity IS 'The org default capacity for the media type; NULL when no user is on the default.';
COMMENT ON COLUMN utilization_by_media_type.default_interruptible_media_types IS 'The org default interruptible media types.';
COMMENT ON COLUMN utilization_by_media_type.default_include_non_acd IS 'The org default include_non_acd.';
COMMENT ON COLUMN utilization_by_media_type.differs_from_default IS 'Whether capacity, interruptible types or include_non_acd differ from the org default; NULL when the default is unknown.';
COMMENT ON COLUMN utilization_by_media_type.updated_at IS 'When syncer last saw the user''s values change.';

COMMENT ON VIEW overdue_development_activities IS
    'Development activities of active users past their due date and not completed (status other than Completed and no completion date; Planned, InProgress, InvalidSchedule and NotCompleted all count), one row per activity and attendee, with the attendee''s manager. Status as last read by the development_activities stream.';
COMMENT ON COLUMN overdue_development_activities.activity_id IS 'Genesys activity id.';
COMMENT ON COLUMN overdue_development_activities.user_id IS 'The attendee (users.id).';
COMMENT ON COLUMN overdue_development_activities.user_name IS 'The attendee''s name.';
COMMENT ON COLUMN overdue_development_activities.user_email IS 'The attendee''s email.';
COMMENT ON COLUMN overdue_development_activities.manager_id IS 'The attendee''s manager (users.id); NULL when none.';
COMMENT ON COLUMN overdue_development_activities.manager_name IS 'The manager''s name.';
COMMENT ON COLUMN overdue_development_activities.manager_email IS 'The manager''s email.';
COMMENT ON COLUMN overdue_development_activities.activity_name IS 'Activity name.';
COMMENT ON COLUMN overdue_development_activities.type IS 'Informational, Coaching, AssessedContent, Assessment or External.';
COMMENT ON COLUMN overdue_development_activities.status IS 'Planned, InProgress, InvalidSchedule or NotCompleted.';
COMMENT ON COLUMN overdue_development_activities.module_id IS 'Learning module of an assignment.';
COMMENT ON COLUMN overdue_development_activities.date_created IS 'When it was created.';
COMMENT ON COLUMN overdue_development_activities.date_due IS 'When it was due.';
COMMENT ON COLUMN overdue_development_activities.days_overdue IS 'Whole days since it was due (0 in the first day).';
COMMENT ON COLUMN overdue_development_activities.api_is_overdue IS 'The API''s own overdue flag when read.';
COMMENT ON COLUMN overdue_development_activities.facilitator_id IS 'Facilitator of a coaching appointment (users.id).';
COMMENT ON COLUMN overdue_development_activities.facilitator_name IS 'The facilitator''s name.';
COMMENT ON COLUMN overdue_development_activities.updated_at IS 'When syncer last saw the activity change.';
COMMENT ON VIEW overdue_development_activities_by_manager IS
    'Per manager, the overdue development activities of their active direct reports (overdue_development_activities): one row per manager with any; manager_id NULL gathers the reports without a manager.';
COMMENT ON COLUMN overdue_development_activities_by_manager.manager_id IS 'The manager (users.id); NULL for users without a manager.';
COMMENT ON COLUMN overdue_development_activities_by_manager.manager_name IS 'The manager''s name.';
COMMENT ON COLUMN overdue_development_activities_by_manager.manager_email IS 'The manager''s email.';
COMMENT ON COLUMN overdue_development_activities_by_manager.direct_reports IS 'Active direct reports of the manager.';
COMMENT ON COLUMN overdue_development_activities_by_manager.reports_with_overdue IS 'Of those, how many have an overdue activity.';
COMMENT ON COLUMN overdue_development_activities_by_manager.overdue_activities IS 'Overdue activities (per attendee).';
COMMENT ON COLUMN overdue_development_activities_by_manager.overdue_coaching IS 'Of those, coaching appointments (type Coaching).';
COMMENT ON COLUMN overdue_development_activities_by_manager.oldest_date_due IS 'Due date of the longest overdue.';
COMMENT ON COLUMN overdue_development_activities_by_manager.max_days_overdue IS 'Its whole days overdue.';

COMMENT ON VIEW user_group_membership IS
    'One row per group membership with the group''s name from groups (else the name the user''s listing gave); deleted users kept with user_deleted true.';
COMMENT ON COLUMN user_group_membership.group_id IS 'Group id (groups.id).';
COMMENT ON COLUMN user_group_membership.group_name IS 'Group name.';
COMMENT ON COLUMN user_group_membership.group_type IS 'official or social; NULL until the groups listing has the group.';
COMMENT ON COLUMN user_group_membership.group_visibility IS 'Who can see the group.';
COMMENT ON COLUMN user_group_membership.group_deleted IS 'Whether the group vanished from the groups listing.';
COMMENT ON COLUMN user_group_membership.user_id IS 'Member''s user id (users.id).';
COMMENT ON COLUMN user_group_membership.user_name IS 'Member''s name.';
COMMENT ON COLUMN user_group_membership.user_email IS 'Member''s email.';
COMMENT ON COLUMN user_group_membership.user_state IS 'Member''s state: active, inactive or deleted.';
COMMENT ON COLUMN user_group_membership.user_deleted IS 'Whether the member is deleted in Genesys.';
COMMENT ON COLUMN user_group_membership.member_seen_since IS 'When syncer first saw the membership (no history is kept for groups).';

COMMENT ON VIEW user_location_membership IS
    'One row per user location with the location''s name and address from locations (else the name the user''s listing gave); deleted users kept with user_deleted true.';
COMMENT ON COLUMN user_location_membership.location_id IS 'Location id (locations.id).';
COMMENT ON COLUMN user_location_membership.location_name IS 'Location name.';
COMMENT ON COLUMN user_location_membership.location_city IS 'City of the location.';
COMMENT ON COLUMN user_location_membership.location_country IS 'Country of the location.';
COMMENT ON COLUMN user_location_membership.location_deleted IS 'Whether the location vanished from the locations listing.';
COMMENT ON COLUMN user_location_membership.notes IS 'The user''s notes on the location.';
COMMENT ON COLUMN user_location_membership.user_id IS 'User id (users.id).';
COMMENT ON COLUMN user_location_membership.user_name IS 'User''s name.';
COMMENT ON COLUMN user_location_membership.user_email IS 'User''s email.';
COMMENT ON COLUMN user_location_membership.user_state IS 'User''s state: active, inactive or deleted.';
COMMENT ON COLUMN user_location_membership.user_deleted IS 'Whether the user is deleted in Genesys.';

COMMENT ON FUNCTION users_as_of(timestamptz) IS
    'The versions of users_history valid at as_of (valid_from <= as_of < valid_to): the users as syncer knew them then. Before the first sync: nothing.';
COMMENT ON FUNCTION user_skills_as_of(timestamptz) IS 'The versions of user_skills_history valid at as_of: each user''s routing skills then.';
COMMENT ON FUNCTION user_queues_as_of(timestamptz) IS 'The versions of user_queues_history valid at as_of: the queue memberships then.';
COMMENT ON FUNCTION user_profile_skills_as_of(timestamptz) IS 'The versions of user_profile_skills_history valid at as_of: each user''s profile skills then.';
COMMENT ON FUNCTION user_certifications_as_of(timestamptz) IS 'The versions of user_certifications_history valid at as_of: each user''s certifications then.';
COMMENT ON FUNCTION user_utilization_as_of(timestamptz) IS 'The versions of user_utilization_history valid at as_of: each user''s capacity per media type then.';

-- The views over out_of_office_periods have its columns: the same comments.
-- +goose StatementBegin
DO $$
DECLARE
    v text;
    c record;
BEGIN
    FOREACH v IN ARRAY ARRAY['out_of_office_now', 'out_of_office_next_7_days'] LOOP
        FOR c IN SELECT a.attname, col_description(a.attrelid, a.attnum) AS txt
                 FROM pg_attribute a
                 WHERE a.attrelid = 'out_of_office_periods'::regclass AND a.attnum > 0 AND NOT a.attisdropped LOOP
            EXECUTE format('COMMENT ON COLUMN %I.%I IS %L', v, c.attname, c.txt);
        END LOOP;
    END LOOP;
END
$$;
-- +goose StatementEnd

-- +goose Down
-- Grants given on current_agents and queue_membership since the upgrade
-- are lost: both views are dropped and created again as 00005 had them.
-- users_as_of is not made to fail again: it reads users_history's columns
-- when called, so that 00010's down can drop its columns.

-- +goose StatementBegin
CREATE OR REPLACE FUNCTION users_as_of(as_of timestamptz) RETURNS SETOF users_history
LANGUAGE sql STABLE SET search_path FROM CURRENT
AS $f$
    SELECT * FROM users_history h
    WHERE h.valid_from <= as_of AND (h.valid_to IS NULL OR h.valid_to > as_of);
$f$;
-- +goose StatementEnd
DROP FUNCTION user_utilization_as_of(timestamptz);
DROP FUNCTION user_certifications_as_of(timestamptz);
DROP FUNCTION user_profile_skills_as_of(timestamptz);
DROP FUNCTION out_of_office_between(timestamptz, timestamptz);
DROP VIEW user_location_membership;
DROP VIEW user_group_membership;
DROP VIEW overdue_development_activities_by_manager;
DROP VIEW overdue_development_activities;
DROP VIEW utilization_by_media_type;
DROP VIEW out_of_office_next_7_days;
DROP VIEW out_of_office_now;
DROP VIEW out_of_office_periods;
DROP VIEW agents_without_station;

DROP VIEW queue_membership;
CREATE VIEW queue_membership AS
SELECT uq.queue_id,
       q.name          AS queue_name,
       q.division_id   AS queue_division_id,
       qd.name         AS queue_division_name,
       uq.user_id,
       u.name          AS user_name,
       u.email         AS user_email,
       u.state         AS user_state,
       uq.joined,
       h.valid_from    AS member_since,
       (u.deleted_at IS NOT NULL OR u.state = 'deleted') AS user_deleted
FROM user_queues uq
LEFT JOIN queues q ON q.id = uq.queue_id
LEFT JOIN divisions qd ON qd.id = q.division_id
LEFT JOIN users u ON u.id = uq.user_id
LEFT JOIN user_queues_history h
       ON h.user_id = uq.user_id AND h.queue_id = uq.queue_id AND h.valid_to IS NULL;

DROP VIEW current_agents;
CREATE VIEW current_agents AS
SELECT u.id              AS user_id,
       u.name,
       u.email,
       u.username,
       u.title,
       u.department,
       u.state,
       u.employee_id,
       u.acd_auto_answer,
       u.division_id,
       d.name            AS division_name,
       u.manager_id,
       m.name            AS manager_name,
       m.email           AS manager_email,
       coalesce(sk.skills, '[]'::jsonb)       AS skills,
       coalesce(sk.skill_names, '{}'::text[]) AS skill_names,
       coalesce(la.languages, '[]'::jsonb)    AS languages,
       coalesce(qu.queue_count, 0)            AS queue_count,
       coalesce(qu.joined_queue_count, 0)     AS joined_queue_count,
       u.updated_at
FROM users u
LEFT JOIN divisions d ON d.id = u.division_id
LEFT JOIN users m ON m.id = u.manager_id
LEFT JOIN LATERAL (
    SELECT jsonb_agg(jsonb_build_object('id', us.skill_id,
                                        'name', coalesce(s.name, us.skill_name),
                                        'proficiency', us.proficiency)
                     ORDER BY coalesce(s.name, us.skill_name), us.skill_id) AS skills,
           array_agg(coalesce(s.name, us.skill_name) ORDER BY coalesce(s.name, us.skill_name), us.skill_id) AS skill_names
    FROM user_skills us
    LEFT JOIN skills s ON s.id = us.skill_id
    WHERE us.user_id = u.id
) sk ON true
LEFT JOIN LATERAL (
    SELECT jsonb_agg(jsonb_build_object('id', ul.language_id,
                                        'name', coalesce(l.name, ul.language_name),
                                        'proficiency', ul.proficiency)
                     ORDER BY coalesce(l.name, ul.language_name), ul.language_id) AS languages
    FROM user_languages ul
    LEFT JOIN languages l ON l.id = ul.language_id
    WHERE ul.user_id = u.id
) la ON true
LEFT JOIN LATERAL (
    SELECT count(*) AS queue_count, count(*) FILTER (WHERE uq.joined) AS joined_queue_count
    FROM user_queues uq
    WHERE uq.user_id = u.id
) qu ON true
WHERE u.deleted_at IS NULL AND u.state IS DISTINCT FROM 'deleted';

COMMENT ON TABLE goose_db_version IS NULL;
COMMENT ON COLUMN goose_db_version.id IS NULL;
COMMENT ON COLUMN goose_db_version.version_id IS NULL;
COMMENT ON COLUMN goose_db_version.is_applied IS NULL;
COMMENT ON COLUMN goose_db_version.tstamp IS NULL;
COMMENT ON TABLE divisions IS NULL;
COMMENT ON COLUMN divisions.id IS NULL;
COMMENT ON COLUMN divisions.name IS NULL;
COMMENT ON COLUMN divisions.description IS NULL;
COMMENT ON COLUMN divisions.home_division IS NULL;
COMMENT ON TABLE skills IS NULL;
COMMENT ON COLUMN skills.id IS NULL;
COMMENT ON COLUMN skills.name IS NULL;
COMMENT ON COLUMN skills.state IS NULL;
COMMENT ON TABLE languages IS NULL;
COMMENT ON COLUMN languages.id IS NULL;
COMMENT ON COLUMN languages.name IS NULL;
COMMENT ON COLUMN languages.state IS NULL;
COMMENT ON TABLE queues IS NULL;
COMMENT ON COLUMN queues.id IS NULL;
COMMENT ON COLUMN queues.name IS NULL;
COMMENT ON COLUMN queues.division_id IS NULL;
COMMENT ON COLUMN queues.member_count IS NULL;
COMMENT ON COLUMN queues.joined_member_count IS NULL;
COMMENT ON TABLE roles IS NULL;
COMMENT ON COLUMN roles.id IS NULL;
COMMENT ON COLUMN roles.name IS NULL;
COMMENT ON COLUMN roles.description IS NULL;
COMMENT ON TABLE groups IS NULL;
COMMENT ON COLUMN groups.id IS NULL;
COMMENT ON COLUMN groups.name IS NULL;
COMMENT ON COLUMN groups.description IS NULL;
COMMENT ON COLUMN groups.type IS NULL;
COMMENT ON COLUMN groups.visibility IS NULL;
COMMENT ON COLUMN groups.state IS NULL;
COMMENT ON COLUMN groups.member_count IS NULL;
COMMENT ON COLUMN groups.date_modified IS NULL;
COMMENT ON TABLE locations IS NULL;
COMMENT ON COLUMN locations.id IS NULL;
COMMENT ON COLUMN locations.name IS NULL;
COMMENT ON COLUMN locations.state IS NULL;
COMMENT ON COLUMN locations.address_street1 IS NULL;
COMMENT ON COLUMN locations.address_city IS NULL;
COMMENT ON COLUMN locations.address_state IS NULL;
COMMENT ON COLUMN locations.address_zipcode IS NULL;
COMMENT ON COLUMN locations.address_country IS NULL;
COMMENT ON TABLE stations IS NULL;
COMMENT ON COLUMN stations.id IS NULL;
COMMENT ON COLUMN stations.name IS NULL;
COMMENT ON COLUMN stations.type IS NULL;
COMMENT ON COLUMN stations.status IS NULL;
COMMENT ON COLUMN stations.user_id IS NULL;
COMMENT ON COLUMN stations.web_rtc_user_id IS NULL;
COMMENT ON COLUMN stations.line_appearance_id IS NULL;
COMMENT ON TABLE users IS NULL;
COMMENT ON COLUMN users.id IS NULL;
COMMENT ON COLUMN users.name IS NULL;
COMMENT ON COLUMN users.email IS NULL;
COMMENT ON COLUMN users.username IS NULL;
COMMENT ON COLUMN users.title IS NULL;
COMMENT ON COLUMN users.department IS NULL;
COMMENT ON COLUMN users.state IS NULL;
COMMENT ON COLUMN users.division_id IS NULL;
COMMENT ON COLUMN users.manager_id IS NULL;
COMMENT ON COLUMN users.employee_id IS NULL;
COMMENT ON COLUMN users.acd_auto_answer IS NULL;
COMMENT ON COLUMN users.version IS NULL;
COMMENT ON COLUMN users.employee_type IS NULL;
COMMENT ON COLUMN users.official_name IS NULL;
COMMENT ON COLUMN users.date_hire IS NULL;
COMMENT ON COLUMN users.team_id IS NULL;
COMMENT ON COLUMN users.team_name IS NULL;
COMMENT ON TABLE user_skills IS NULL;
COMMENT ON COLUMN user_skills.user_id IS NULL;
COMMENT ON COLUMN user_skills.skill_id IS NULL;
COMMENT ON COLUMN user_skills.skill_name IS NULL;
COMMENT ON COLUMN user_skills.proficiency IS NULL;
COMMENT ON TABLE user_languages IS NULL;
COMMENT ON COLUMN user_languages.user_id IS NULL;
COMMENT ON COLUMN user_languages.language_id IS NULL;
COMMENT ON COLUMN user_languages.language_name IS NULL;
COMMENT ON COLUMN user_languages.proficiency IS NULL;
COMMENT ON TABLE user_queues IS NULL;
COMMENT ON COLUMN user_queues.user_id IS NULL;
COMMENT ON COLUMN user_queues.queue_id IS NULL;
COMMENT ON COLUMN user_queues.joined IS NULL;
COMMENT ON TABLE user_groups IS NULL;
COMMENT ON COLUMN user_groups.user_id IS NULL;
COMMENT ON COLUMN user_groups.group_id IS NULL;
COMMENT ON COLUMN user_groups.group_name IS NULL;
COMMENT ON TABLE user_locations IS NULL;
COMMENT ON COLUMN user_locations.user_id IS NULL;
COMMENT ON COLUMN user_locations.location_id IS NULL;
COMMENT ON COLUMN user_locations.location_name IS NULL;
COMMENT ON COLUMN user_locations.notes IS NULL;
COMMENT ON TABLE user_role_grants IS NULL;
COMMENT ON COLUMN user_role_grants.user_id IS NULL;
COMMENT ON COLUMN user_role_grants.role_id IS NULL;
COMMENT ON COLUMN user_role_grants.division_id IS NULL;
COMMENT ON TABLE user_external_ids IS NULL;
COMMENT ON COLUMN user_external_ids.user_id IS NULL;
COMMENT ON COLUMN user_external_ids.authority_name IS NULL;
COMMENT ON COLUMN user_external_ids.external_key IS NULL;
COMMENT ON TABLE user_stations IS NULL;
COMMENT ON COLUMN user_stations.user_id IS NULL;
COMMENT ON COLUMN user_stations.default_station_id IS NULL;
COMMENT ON COLUMN user_stations.associated_station_id IS NULL;
COMMENT ON COLUMN user_stations.associated_date IS NULL;
COMMENT ON COLUMN user_stations.effective_station_id IS NULL;
COMMENT ON COLUMN user_stations.last_associated_station_id IS NULL;
COMMENT ON TABLE user_presence IS NULL;
COMMENT ON COLUMN user_presence.user_id IS NULL;
COMMENT ON COLUMN user_presence.system_presence IS NULL;
COMMENT ON COLUMN user_presence.organization_presence_id IS NULL;
COMMENT ON COLUMN user_presence.modified_at IS NULL;
COMMENT ON TABLE user_routing_status IS NULL;
COMMENT ON COLUMN user_routing_status.user_id IS NULL;
COMMENT ON COLUMN user_routing_status.status IS NULL;
COMMENT ON COLUMN user_routing_status.start_time IS NULL;
COMMENT ON TABLE user_last_login IS NULL;
COMMENT ON COLUMN user_last_login.user_id IS NULL;
COMMENT ON COLUMN user_last_login.last_login_at IS NULL;
COMMENT ON TABLE user_out_of_office IS NULL;
COMMENT ON COLUMN user_out_of_office.user_id IS NULL;
COMMENT ON COLUMN user_out_of_office.start_date IS NULL;
COMMENT ON COLUMN user_out_of_office.end_date IS NULL;
COMMENT ON COLUMN user_out_of_office.indefinite IS NULL;
COMMENT ON COLUMN user_out_of_office.active IS NULL;
COMMENT ON COLUMN user_out_of_office.ooo_id IS NULL;
COMMENT ON TABLE user_profile_skills IS NULL;
COMMENT ON COLUMN user_profile_skills.user_id IS NULL;
COMMENT ON COLUMN user_profile_skills.profile_skill IS NULL;
COMMENT ON TABLE user_certifications IS NULL;
COMMENT ON COLUMN user_certifications.user_id IS NULL;
COMMENT ON COLUMN user_certifications.certification IS NULL;
COMMENT ON TABLE user_utilization IS NULL;
COMMENT ON COLUMN user_utilization.user_id IS NULL;
COMMENT ON COLUMN user_utilization.media_type IS NULL;
COMMENT ON COLUMN user_utilization.maximum_capacity IS NULL;
COMMENT ON COLUMN user_utilization.interruptible_media_types IS NULL;
COMMENT ON COLUMN user_utilization.include_non_acd IS NULL;
COMMENT ON COLUMN user_utilization.level IS NULL;
COMMENT ON TABLE user_development_activities IS NULL;
COMMENT ON COLUMN user_development_activities.activity_id IS NULL;
COMMENT ON COLUMN user_development_activities.user_id IS NULL;
COMMENT ON COLUMN user_development_activities.name IS NULL;
COMMENT ON COLUMN user_development_activities.type IS NULL;
COMMENT ON COLUMN user_development_activities.status IS NULL;
COMMENT ON COLUMN user_development_activities.module_id IS NULL;
COMMENT ON COLUMN user_development_activities.date_created IS NULL;
COMMENT ON COLUMN user_development_activities.date_due IS NULL;
COMMENT ON COLUMN user_development_activities.date_completed IS NULL;
COMMENT ON COLUMN user_development_activities.is_overdue IS NULL;
COMMENT ON COLUMN user_development_activities.is_passed IS NULL;
COMMENT ON COLUMN user_development_activities.percentage_score IS NULL;
COMMENT ON COLUMN user_development_activities.created_by_id IS NULL;
COMMENT ON COLUMN user_development_activities.facilitator_id IS NULL;
COMMENT ON COLUMN user_development_activities.raw IS NULL;
COMMENT ON TABLE users_history IS NULL;
COMMENT ON TABLE user_skills_history IS NULL;
COMMENT ON TABLE user_queues_history IS NULL;
COMMENT ON TABLE user_profile_skills_history IS NULL;
COMMENT ON TABLE user_certifications_history IS NULL;
COMMENT ON TABLE user_utilization_history IS NULL;
COMMENT ON TABLE sync_runs IS NULL;
COMMENT ON COLUMN sync_runs.id IS NULL;
COMMENT ON COLUMN sync_runs.pipeline IS NULL;
COMMENT ON COLUMN sync_runs.status IS NULL;
COMMENT ON COLUMN sync_runs.started_at IS NULL;
COMMENT ON COLUMN sync_runs.finished_at IS NULL;
COMMENT ON COLUMN sync_runs.error IS NULL;
COMMENT ON COLUMN sync_runs.counts IS NULL;
COMMENT ON COLUMN sync_runs.calls IS NULL;
COMMENT ON TABLE sync_stream_runs IS NULL;
COMMENT ON COLUMN sync_stream_runs.run_id IS NULL;
COMMENT ON COLUMN sync_stream_runs.stream IS NULL;
COMMENT ON COLUMN sync_stream_runs.status IS NULL;
COMMENT ON COLUMN sync_stream_runs.started_at IS NULL;
COMMENT ON COLUMN sync_stream_runs.finished_at IS NULL;
COMMENT ON COLUMN sync_stream_runs.error IS NULL;
COMMENT ON COLUMN sync_stream_runs.counts IS NULL;
COMMENT ON COLUMN sync_stream_runs.calls IS NULL;
COMMENT ON TABLE sync_watermarks IS NULL;
COMMENT ON COLUMN sync_watermarks.pipeline IS NULL;
COMMENT ON COLUMN sync_watermarks.stream IS NULL;
COMMENT ON COLUMN sync_watermarks.watermark IS NULL;
COMMENT ON COLUMN sync_watermarks.cursor IS NULL;
COMMENT ON COLUMN sync_watermarks.run_id IS NULL;
COMMENT ON COLUMN sync_watermarks.updated_at IS NULL;
COMMENT ON TABLE plans IS NULL;
COMMENT ON COLUMN plans.id IS NULL;
COMMENT ON COLUMN plans.fingerprint IS NULL;
COMMENT ON COLUMN plans.created_at IS NULL;
COMMENT ON COLUMN plans.status IS NULL;
COMMENT ON COLUMN plans.body IS NULL;
COMMENT ON COLUMN plans.updated_at IS NULL;
COMMENT ON TABLE plan_operations IS NULL;
COMMENT ON COLUMN plan_operations.plan_id IS NULL;
COMMENT ON COLUMN plan_operations.seq IS NULL;
COMMENT ON COLUMN plan_operations.kind IS NULL;
COMMENT ON COLUMN plan_operations.user_key IS NULL;
COMMENT ON COLUMN plan_operations.payload IS NULL;
COMMENT ON COLUMN plan_operations.status IS NULL;
COMMENT ON COLUMN plan_operations.attempts IS NULL;
COMMENT ON COLUMN plan_operations.http_status IS NULL;
COMMENT ON COLUMN plan_operations.correlation_id IS NULL;
COMMENT ON COLUMN plan_operations.error_code IS NULL;
COMMENT ON COLUMN plan_operations.error IS NULL;
COMMENT ON COLUMN plan_operations.result IS NULL;
COMMENT ON COLUMN plan_operations.started_at IS NULL;
COMMENT ON COLUMN plan_operations.finished_at IS NULL;
COMMENT ON TABLE plan_approvals IS NULL;
COMMENT ON COLUMN plan_approvals.plan_id IS NULL;
COMMENT ON COLUMN plan_approvals.feed IS NULL;
COMMENT ON COLUMN plan_approvals.job IS NULL;
COMMENT ON COLUMN plan_approvals.status IS NULL;
COMMENT ON COLUMN plan_approvals.body IS NULL;
COMMENT ON COLUMN plan_approvals.tripped IS NULL;
COMMENT ON COLUMN plan_approvals.run_id IS NULL;
COMMENT ON COLUMN plan_approvals.parked_at IS NULL;
COMMENT ON COLUMN plan_approvals.expires_at IS NULL;
COMMENT ON COLUMN plan_approvals.decided_by IS NULL;
COMMENT ON COLUMN plan_approvals.decided_at IS NULL;
COMMENT ON COLUMN plan_approvals.reason IS NULL;
COMMENT ON COLUMN plan_approvals.replaces IS NULL;
COMMENT ON COLUMN plan_approvals.replaced_by IS NULL;
COMMENT ON COLUMN plan_approvals.updated_at IS NULL;
COMMENT ON TABLE plan_approval_events IS NULL;
COMMENT ON COLUMN plan_approval_events.id IS NULL;
COMMENT ON COLUMN plan_approval_events.plan_id IS NULL;
COMMENT ON COLUMN plan_approval_events.at IS NULL;
COMMENT ON COLUMN plan_approval_events.event IS NULL;
COMMENT ON COLUMN plan_approval_events.actor IS NULL;
COMMENT ON COLUMN plan_approval_events.reason IS NULL;
COMMENT ON COLUMN plan_approval_events.detail IS NULL;
COMMENT ON COLUMN divisions.deleted_at IS NULL;
COMMENT ON COLUMN divisions.first_seen_at IS NULL;
COMMENT ON COLUMN divisions.raw IS NULL;
COMMENT ON COLUMN divisions.row_hash IS NULL;
COMMENT ON COLUMN divisions.updated_at IS NULL;
COMMENT ON COLUMN divisions.updated_run IS NULL;
COMMENT ON COLUMN groups.deleted_at IS NULL;
COMMENT ON COLUMN groups.first_seen_at IS NULL;
COMMENT ON COLUMN groups.raw IS NULL;
COMMENT ON COLUMN groups.row_hash IS NULL;
COMMENT ON COLUMN groups.updated_at IS NULL;
COMMENT ON COLUMN groups.updated_run IS NULL;
COMMENT ON COLUMN languages.deleted_at IS NULL;
COMMENT ON COLUMN languages.first_seen_at IS NULL;
COMMENT ON COLUMN languages.raw IS NULL;
COMMENT ON COLUMN languages.row_hash IS NULL;
COMMENT ON COLUMN languages.updated_at IS NULL;
COMMENT ON COLUMN languages.updated_run IS NULL;
COMMENT ON COLUMN locations.deleted_at IS NULL;
COMMENT ON COLUMN locations.first_seen_at IS NULL;
COMMENT ON COLUMN locations.raw IS NULL;
COMMENT ON COLUMN locations.row_hash IS NULL;
COMMENT ON COLUMN locations.updated_at IS NULL;
COMMENT ON COLUMN locations.updated_run IS NULL;
COMMENT ON COLUMN queues.deleted_at IS NULL;
COMMENT ON COLUMN queues.first_seen_at IS NULL;
COMMENT ON COLUMN queues.raw IS NULL;
COMMENT ON COLUMN queues.row_hash IS NULL;
COMMENT ON COLUMN queues.updated_at IS NULL;
COMMENT ON COLUMN queues.updated_run IS NULL;
COMMENT ON COLUMN roles.deleted_at IS NULL;
COMMENT ON COLUMN roles.first_seen_at IS NULL;
COMMENT ON COLUMN roles.raw IS NULL;
COMMENT ON COLUMN roles.row_hash IS NULL;
COMMENT ON COLUMN roles.updated_at IS NULL;
COMMENT ON COLUMN roles.updated_run IS NULL;
COMMENT ON COLUMN skills.deleted_at IS NULL;
COMMENT ON COLUMN skills.first_seen_at IS NULL;
COMMENT ON COLUMN skills.raw IS NULL;
COMMENT ON COLUMN skills.row_hash IS NULL;
COMMENT ON COLUMN skills.updated_at IS NULL;
COMMENT ON COLUMN skills.updated_run IS NULL;
COMMENT ON COLUMN stations.deleted_at IS NULL;
COMMENT ON COLUMN stations.first_seen_at IS NULL;
COMMENT ON COLUMN stations.raw IS NULL;
COMMENT ON COLUMN stations.row_hash IS NULL;
COMMENT ON COLUMN stations.updated_at IS NULL;
COMMENT ON COLUMN stations.updated_run IS NULL;
COMMENT ON COLUMN user_certifications.first_seen_at IS NULL;
COMMENT ON COLUMN user_certifications.row_hash IS NULL;
COMMENT ON COLUMN user_certifications.updated_at IS NULL;
COMMENT ON COLUMN user_certifications.updated_run IS NULL;
COMMENT ON COLUMN user_certifications_history.certification IS NULL;
COMMENT ON COLUMN user_certifications_history.row_hash IS NULL;
COMMENT ON COLUMN user_certifications_history.run_id IS NULL;
COMMENT ON COLUMN user_certifications_history.user_id IS NULL;
COMMENT ON COLUMN user_certifications_history.valid_from IS NULL;
COMMENT ON COLUMN user_certifications_history.valid_to IS NULL;
COMMENT ON COLUMN user_development_activities.first_seen_at IS NULL;
COMMENT ON COLUMN user_development_activities.updated_at IS NULL;
COMMENT ON COLUMN user_development_activities.updated_run IS NULL;
COMMENT ON COLUMN user_external_ids.first_seen_at IS NULL;
COMMENT ON COLUMN user_external_ids.row_hash IS NULL;
COMMENT ON COLUMN user_external_ids.updated_at IS NULL;
COMMENT ON COLUMN user_external_ids.updated_run IS NULL;
COMMENT ON COLUMN user_groups.first_seen_at IS NULL;
COMMENT ON COLUMN user_groups.row_hash IS NULL;
COMMENT ON COLUMN user_groups.updated_at IS NULL;
COMMENT ON COLUMN user_groups.updated_run IS NULL;
COMMENT ON COLUMN user_languages.first_seen_at IS NULL;
COMMENT ON COLUMN user_languages.row_hash IS NULL;
COMMENT ON COLUMN user_languages.updated_at IS NULL;
COMMENT ON COLUMN user_languages.updated_run IS NULL;
COMMENT ON COLUMN user_last_login.first_seen_at IS NULL;
COMMENT ON COLUMN user_last_login.row_hash IS NULL;
COMMENT ON COLUMN user_last_login.updated_at IS NULL;
COMMENT ON COLUMN user_last_login.updated_run IS NULL;
COMMENT ON COLUMN user_locations.first_seen_at IS NULL;
COMMENT ON COLUMN user_locations.row_hash IS NULL;
COMMENT ON COLUMN user_locations.updated_at IS NULL;
COMMENT ON COLUMN user_locations.updated_run IS NULL;
COMMENT ON COLUMN user_out_of_office.first_seen_at IS NULL;
COMMENT ON COLUMN user_out_of_office.updated_at IS NULL;
COMMENT ON COLUMN user_out_of_office.updated_run IS NULL;
COMMENT ON COLUMN user_presence.first_seen_at IS NULL;
COMMENT ON COLUMN user_presence.row_hash IS NULL;
COMMENT ON COLUMN user_presence.updated_at IS NULL;
COMMENT ON COLUMN user_presence.updated_run IS NULL;
COMMENT ON COLUMN user_profile_skills.first_seen_at IS NULL;
COMMENT ON COLUMN user_profile_skills.row_hash IS NULL;
COMMENT ON COLUMN user_profile_skills.updated_at IS NULL;
COMMENT ON COLUMN user_profile_skills.updated_run IS NULL;
COMMENT ON COLUMN user_profile_skills_history.profile_skill IS NULL;
COMMENT ON COLUMN user_profile_skills_history.row_hash IS NULL;
COMMENT ON COLUMN user_profile_skills_history.run_id IS NULL;
COMMENT ON COLUMN user_profile_skills_history.user_id IS NULL;
COMMENT ON COLUMN user_profile_skills_history.valid_from IS NULL;
COMMENT ON COLUMN user_profile_skills_history.valid_to IS NULL;
COMMENT ON COLUMN user_queues.first_seen_at IS NULL;
COMMENT ON COLUMN user_queues.row_hash IS NULL;
COMMENT ON COLUMN user_queues.updated_at IS NULL;
COMMENT ON COLUMN user_queues.updated_run IS NULL;
COMMENT ON COLUMN user_queues_history.joined IS NULL;
COMMENT ON COLUMN user_queues_history.queue_id IS NULL;
COMMENT ON COLUMN user_queues_history.row_hash IS NULL;
COMMENT ON COLUMN user_queues_history.run_id IS NULL;
COMMENT ON COLUMN user_queues_history.user_id IS NULL;
COMMENT ON COLUMN user_queues_history.valid_from IS NULL;
COMMENT ON COLUMN user_queues_history.valid_to IS NULL;
COMMENT ON COLUMN user_role_grants.first_seen_at IS NULL;
COMMENT ON COLUMN user_role_grants.row_hash IS NULL;
COMMENT ON COLUMN user_role_grants.updated_at IS NULL;
COMMENT ON COLUMN user_role_grants.updated_run IS NULL;
COMMENT ON COLUMN user_routing_status.first_seen_at IS NULL;
COMMENT ON COLUMN user_routing_status.row_hash IS NULL;
COMMENT ON COLUMN user_routing_status.updated_at IS NULL;
COMMENT ON COLUMN user_routing_status.updated_run IS NULL;
COMMENT ON COLUMN user_skills.first_seen_at IS NULL;
COMMENT ON COLUMN user_skills.row_hash IS NULL;
COMMENT ON COLUMN user_skills.updated_at IS NULL;
COMMENT ON COLUMN user_skills.updated_run IS NULL;
COMMENT ON COLUMN user_skills_history.proficiency IS NULL;
COMMENT ON COLUMN user_skills_history.row_hash IS NULL;
COMMENT ON COLUMN user_skills_history.run_id IS NULL;
COMMENT ON COLUMN user_skills_history.skill_id IS NULL;
COMMENT ON COLUMN user_skills_history.skill_name IS NULL;
COMMENT ON COLUMN user_skills_history.user_id IS NULL;
COMMENT ON COLUMN user_skills_history.valid_from IS NULL;
COMMENT ON COLUMN user_skills_history.valid_to IS NULL;
COMMENT ON COLUMN user_stations.first_seen_at IS NULL;
COMMENT ON COLUMN user_stations.row_hash IS NULL;
COMMENT ON COLUMN user_stations.updated_at IS NULL;
COMMENT ON COLUMN user_stations.updated_run IS NULL;
COMMENT ON COLUMN user_utilization.first_seen_at IS NULL;
COMMENT ON COLUMN user_utilization.row_hash IS NULL;
COMMENT ON COLUMN user_utilization.updated_at IS NULL;
COMMENT ON COLUMN user_utilization.updated_run IS NULL;
COMMENT ON COLUMN user_utilization_history.include_non_acd IS NULL;
COMMENT ON COLUMN user_utilization_history.interruptible_media_types IS NULL;
COMMENT ON COLUMN user_utilization_history.level IS NULL;
COMMENT ON COLUMN user_utilization_history.maximum_capacity IS NULL;
COMMENT ON COLUMN user_utilization_history.media_type IS NULL;
COMMENT ON COLUMN user_utilization_history.row_hash IS NULL;
COMMENT ON COLUMN user_utilization_history.run_id IS NULL;
COMMENT ON COLUMN user_utilization_history.user_id IS NULL;
COMMENT ON COLUMN user_utilization_history.valid_from IS NULL;
COMMENT ON COLUMN user_utilization_history.valid_to IS NULL;
COMMENT ON COLUMN users.deleted_at IS NULL;
COMMENT ON COLUMN users.first_seen_at IS NULL;
COMMENT ON COLUMN users.raw IS NULL;
COMMENT ON COLUMN users.row_hash IS NULL;
COMMENT ON COLUMN users.updated_at IS NULL;
COMMENT ON COLUMN users.updated_run IS NULL;
COMMENT ON COLUMN users_history.acd_auto_answer IS NULL;
COMMENT ON COLUMN users_history.date_hire IS NULL;
COMMENT ON COLUMN users_history.department IS NULL;
COMMENT ON COLUMN users_history.division_id IS NULL;
COMMENT ON COLUMN users_history.email IS NULL;
COMMENT ON COLUMN users_history.employee_id IS NULL;
COMMENT ON COLUMN users_history.employee_type IS NULL;
COMMENT ON COLUMN users_history.id IS NULL;
COMMENT ON COLUMN users_history.manager_id IS NULL;
COMMENT ON COLUMN users_history.name IS NULL;
COMMENT ON COLUMN users_history.official_name IS NULL;
COMMENT ON COLUMN users_history.raw IS NULL;
COMMENT ON COLUMN users_history.row_hash IS NULL;
COMMENT ON COLUMN users_history.run_id IS NULL;
COMMENT ON COLUMN users_history.state IS NULL;
COMMENT ON COLUMN users_history.team_id IS NULL;
COMMENT ON COLUMN users_history.team_name IS NULL;
COMMENT ON COLUMN users_history.title IS NULL;
COMMENT ON COLUMN users_history.username IS NULL;
COMMENT ON COLUMN users_history.valid_from IS NULL;
COMMENT ON COLUMN users_history.valid_to IS NULL;
COMMENT ON COLUMN users_history.version IS NULL;
COMMENT ON FUNCTION users_as_of(timestamptz) IS NULL;
COMMENT ON FUNCTION user_skills_as_of(timestamptz) IS NULL;
COMMENT ON FUNCTION user_queues_as_of(timestamptz) IS NULL;
