-- The two secondary indexes on users were meant for the reverse path's
-- matching by email and employee id, but the reverse path matches in memory
-- (it reads the current state once per plan). Every changed or new user paid
-- for them: together about a fifth of loading a user. A BI lookup by email
-- scans users, which takes milliseconds at a few hundred thousand rows; add
-- an index of your own if you need one (`CREATE INDEX ON users (lower(email))`),
-- syncer never depends on its absence.

-- +goose Up
DROP INDEX users_email_idx;
DROP INDEX users_employee_id_idx;

-- +goose Down
CREATE INDEX users_email_idx ON users (lower(email));
CREATE INDEX users_employee_id_idx ON users (employee_id);
