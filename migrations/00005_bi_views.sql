-- Views and functions for BI. Days are UTC days; a segment spanning midnight
-- is split at the boundary, and an open segment counts up to now().

-- +goose Up
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
CREATE FUNCTION users_as_of(as_of timestamptz) RETURNS SETOF users_history
LANGUAGE sql STABLE
BEGIN ATOMIC
    SELECT * FROM users_history h
    WHERE h.valid_from <= as_of AND (h.valid_to IS NULL OR h.valid_to > as_of);
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE FUNCTION user_skills_as_of(as_of timestamptz) RETURNS SETOF user_skills_history
LANGUAGE sql STABLE
BEGIN ATOMIC
    SELECT * FROM user_skills_history h
    WHERE h.valid_from <= as_of AND (h.valid_to IS NULL OR h.valid_to > as_of);
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE FUNCTION user_queues_as_of(as_of timestamptz) RETURNS SETOF user_queues_history
LANGUAGE sql STABLE
BEGIN ATOMIC
    SELECT * FROM user_queues_history h
    WHERE h.valid_from <= as_of AND (h.valid_to IS NULL OR h.valid_to > as_of);
END;
-- +goose StatementEnd

-- presence_daily and routing_status_daily for the UTC days [from_day,
-- to_day] only: segments outside the range are filtered out before they are
-- split into days, so a short range costs one scan instead of expanding the
-- whole history.
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

-- +goose Down
DROP FUNCTION routing_status_daily_between(date, date);
DROP FUNCTION presence_daily_between(date, date);
DROP FUNCTION user_queues_as_of(timestamptz);
DROP FUNCTION user_skills_as_of(timestamptz);
DROP FUNCTION users_as_of(timestamptz);
DROP VIEW routing_status_daily;
DROP VIEW presence_daily;
DROP VIEW queue_membership;
DROP VIEW current_agents;
