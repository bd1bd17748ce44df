package store_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/jackc/pgx/v5"

	"github.com/usersync/syncer/internal/store"
)

// The BI questions over the views, on a small org whose answers are
// worked out by hand.
func TestBIQueries(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := newStore(t, true)
	r1, err := s.StartRun(ctx, "nightly")
	if err != nil {
		t.Fatal(err)
	}
	r2, err := s.StartRun(ctx, "nightly")
	if err != nil {
		t.Fatal(err)
	}
	const meta = "gen_random_uuid(), now(), now()"
	exec := func(q string, args ...any) {
		t.Helper()
		if _, err := s.Pool().Exec(ctx, q, args...); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	exec(`INSERT INTO divisions (id, name, row_hash, first_seen_at, updated_at) VALUES
		('d1', 'Sales', ` + meta + `), ('d2', 'Support', ` + meta + `)`)
	exec(`INSERT INTO skills (id, name, row_hash, first_seen_at, updated_at) VALUES
		('s1', 'Billing', ` + meta + `), ('s2', 'French', ` + meta + `)`)
	// u4 is inactive, u5 deleted: neither is an active agent.
	exec(`INSERT INTO users (id, name, state, division_id, row_hash, first_seen_at, updated_at) VALUES
		('u1', 'Ann', 'active', 'd1', ` + meta + `), ('u2', 'Bob', 'active', 'd1', ` + meta + `),
		('u3', 'Cy', 'active', 'd2', ` + meta + `), ('u4', 'Di', 'inactive', 'd2', ` + meta + `),
		('u5', 'Ed', 'deleted', 'd2', ` + meta + `)`)
	exec(`INSERT INTO user_skills (user_id, skill_id, row_hash, first_seen_at, updated_at) VALUES
		('u1', 's1', ` + meta + `), ('u1', 's2', ` + meta + `), ('u3', 's1', ` + meta + `), ('u4', 's1', ` + meta + `)`)
	exec(`INSERT INTO queues (id, name, row_hash, first_seen_at, updated_at) VALUES
		('q1', 'Alpha', ` + meta + `), ('q2', 'Beta', ` + meta + `), ('q3', 'Gamma', ` + meta + `)`)
	exec(`INSERT INTO user_queues (user_id, queue_id, joined, row_hash, first_seen_at, updated_at) VALUES
		('u1', 'q1', true, ` + meta + `), ('u2', 'q1', true, ` + meta + `), ('u3', 'q1', false, ` + meta + `),
		('u1', 'q2', true, ` + meta + `), ('u5', 'q2', true, ` + meta + `), ('u3', 'q3', true, ` + meta + `)`)
	// Presence on UTC days: yesterday 2.5 h on queue by two agents and a
	// third available; the day before only available; ten days ago, out of
	// range.
	seg := func(user, presence string, daysAgo int, from, to string) {
		t.Helper()
		// The segments are partitioned by month: the loader creates a month
		// before its first row, a direct INSERT must too.
		exec(`SELECT ensure_month_partition('user_presence_segments', current_date - $1::int)`, daysAgo)
		exec(`INSERT INTO user_presence_segments (user_id, system_presence, start_time, end_time, first_seen_at, updated_at)
			VALUES ($1, $2, (current_date - $3::int)::timestamp AT TIME ZONE 'UTC' + $4::interval,
			                (current_date - $3::int)::timestamp AT TIME ZONE 'UTC' + $5::interval, now(), now())`,
			user, presence, daysAgo, from, to)
	}
	seg("u1", "ON_QUEUE", 1, "1 hour", "2 hours 30 minutes")
	seg("u2", "ON_QUEUE", 1, "3 hours", "4 hours")
	seg("u3", "AVAILABLE", 1, "3 hours", "4 hours")
	seg("u1", "AVAILABLE", 2, "1 hour", "2 hours")
	seg("u1", "ON_QUEUE", 10, "1 hour", "2 hours")
	// History: u1 changed in the second run, u2 unchanged, u6 added by it.
	exec(`INSERT INTO users_history (id, row_hash, valid_from, valid_to, run_id) VALUES
		('u1', gen_random_uuid(), now() - interval '2 days', now() - interval '1 day', $1),
		('u1', gen_random_uuid(), now() - interval '1 day', NULL, $2),
		('u2', gen_random_uuid(), now() - interval '2 days', NULL, $1),
		('u6', gen_random_uuid(), now() - interval '1 day', NULL, $2)`, r1, r2)
	var yesterday, dayBefore time.Time
	if err := s.Pool().QueryRow(ctx, "SELECT current_date - 1, current_date - 2").Scan(&yesterday, &dayBefore); err != nil {
		t.Fatal(err)
	}

	for _, tt := range []struct {
		name string
		get  func() (store.Table, error)
		want store.Table
	}{
		{"AgentsPerDivision", func() (store.Table, error) { return s.AgentsPerDivision(ctx) }, store.Table{
			Columns: []string{"division_name", "agents", "avg_skills", "queue_seats_joined"},
			Rows:    [][]any{{"Sales", int64(2), 1.0, int64(3)}, {"Support", int64(1), 1.0, int64(1)}},
		}},
		{"BusiestQueues", func() (store.Table, error) { return s.BusiestQueues(ctx, 2) }, store.Table{
			Columns: []string{"queue_name", "joined", "members"},
			// Beta's deleted member does not count; Beta and Gamma tie.
			Rows: [][]any{{"Alpha", int64(2), int64(3)}, {"Beta", int64(1), int64(1)}},
		}},
		{"OnQueueHours", func() (store.Table, error) { return s.OnQueueHours(ctx, 3) }, store.Table{
			Columns: []string{"day", "on_queue_hours", "agents_with_presence"},
			Rows:    [][]any{{dayBefore, nil, int64(1)}, {yesterday, 2.5, int64(3)}},
		}},
		{"UserHistoryChanges", func() (store.Table, error) { return s.UserHistoryChanges(ctx) }, store.Table{
			Columns: []string{"users_with_a_new_version", "users_added", "history_rows"},
			Rows:    [][]any{{int64(1), int64(1), int64(4)}},
		}},
	} {
		got, err := tt.get()
		if err != nil {
			t.Errorf("%s: %v", tt.name, err)
			continue
		}
		if d := cmp.Diff(tt.want, got); d != "" {
			t.Errorf("%s (-want +got):\n%s", tt.name, d)
		}
	}
}

// peopleOrg inserts, in tx, a small org exercising the people data's views;
// every time is relative to the transaction's now(), which is also the
// views' now() when they are queried in tx. Users: m1 Meg and m2 Ned
// manage; u1 Ann, u2 Bob, u3 Cy (Meg), u4 Di (Ned), u7 Gus, u8 Hal (no
// manager) are active; u6 Flo (Meg) is inactive; u5 Ed (Meg) has state
// deleted and u9 Ivy deleted_at set.
func peopleOrg(t *testing.T, tx pgx.Tx) {
	t.Helper()
	ctx := context.Background()
	exec := func(q string) {
		t.Helper()
		if _, err := tx.Exec(ctx, q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	const meta = "gen_random_uuid(), now(), now()"
	exec(`SET LOCAL TIME ZONE 'UTC'`)
	exec(`INSERT INTO divisions (id, name, row_hash, first_seen_at, updated_at) VALUES ('d1', 'Sales', ` + meta + `)`)
	exec(`INSERT INTO users (id, name, email, state, division_id, manager_id, team_name, employee_type, date_hire, deleted_at, row_hash, first_seen_at, updated_at) VALUES
		('m1', 'Meg', 'meg@x', 'active', 'd1', NULL, NULL, NULL, NULL, NULL, ` + meta + `),
		('m2', 'Ned', 'ned@x', 'active', 'd1', NULL, NULL, NULL, NULL, NULL, ` + meta + `),
		('u1', 'Ann', 'ann@x', 'active', 'd1', 'm1', 'Blue', 'Full-time', '2024-03-01', NULL, ` + meta + `),
		('u2', 'Bob', 'bob@x', 'active', 'd1', 'm1', NULL, NULL, NULL, NULL, ` + meta + `),
		('u3', 'Cy', 'cy@x', 'active', 'd1', 'm1', NULL, NULL, NULL, NULL, ` + meta + `),
		('u4', 'Di', 'di@x', 'active', 'd1', 'm2', NULL, NULL, NULL, NULL, ` + meta + `),
		('u5', 'Ed', 'ed@x', 'deleted', 'd1', 'm1', NULL, NULL, NULL, NULL, ` + meta + `),
		('u6', 'Flo', 'flo@x', 'inactive', 'd1', 'm1', NULL, NULL, NULL, NULL, ` + meta + `),
		('u7', 'Gus', 'gus@x', 'active', 'd1', NULL, NULL, NULL, NULL, NULL, ` + meta + `),
		('u8', 'Hal', 'hal@x', 'active', 'd1', NULL, NULL, NULL, NULL, NULL, ` + meta + `),
		('u9', 'Ivy', 'ivy@x', 'active', 'd1', 'm1', NULL, NULL, NULL, now(), ` + meta + `)`)
	exec(`INSERT INTO stations (id, name, row_hash, first_seen_at, updated_at) VALUES ('s1', 'Desk 1', ` + meta + `), ('s2', 'Desk 2', ` + meta + `)`)
	// Stations: Ann, Meg and Ned a default, Di an associated one only, Gus
	// an effective one only, Cy a last associated one only, Hal empty ids;
	// Bob, Ed, Flo and Ivy no row.
	exec(`INSERT INTO user_stations (user_id, default_station_id, associated_station_id, effective_station_id, last_associated_station_id, row_hash, first_seen_at, updated_at) VALUES
		('u1', 's1', NULL, 's1', NULL, ` + meta + `),
		('m1', 's1', NULL, NULL, NULL, ` + meta + `),
		('m2', 's2', NULL, NULL, NULL, ` + meta + `),
		('u4', NULL, 's2', NULL, NULL, ` + meta + `),
		('u7', NULL, NULL, 's2', NULL, ` + meta + `),
		('u3', NULL, NULL, NULL, 's2', ` + meta + `),
		('u8', '', '', '', '', ` + meta + `)`)
	exec(`INSERT INTO user_last_login (user_id, last_login_at, row_hash, first_seen_at, updated_at) VALUES
		('u1', now() - interval '1 hour', ` + meta + `), ('u2', now() - interval '3 days', ` + meta + `)`)
	exec(`INSERT INTO user_presence (user_id, system_presence, modified_at, row_hash, first_seen_at, updated_at) VALUES
		('u2', 'AVAILABLE', now() - interval '1 hour', ` + meta + `)`)
	exec(`INSERT INTO queues (id, name, row_hash, first_seen_at, updated_at) VALUES ('q1', 'Alpha', ` + meta + `)`)
	exec(`INSERT INTO user_queues (user_id, queue_id, joined, row_hash, first_seen_at, updated_at) VALUES
		('u1', 'q1', true, ` + meta + `), ('u2', 'q1', true, ` + meta + `), ('u3', 'q1', false, ` + meta + `)`)
	// Ann: on q1 for 5 days, joined 3 days ago; Bob: on q1 from 9 to 7 days
	// ago, then again from 2 days ago; Cy: no history.
	exec(`INSERT INTO user_queues_history (user_id, queue_id, joined, row_hash, valid_from, valid_to) VALUES
		('u1', 'q1', false, gen_random_uuid(), now() - interval '5 days', now() - interval '3 days'),
		('u1', 'q1', true, gen_random_uuid(), now() - interval '3 days', NULL),
		('u2', 'q1', true, gen_random_uuid(), now() - interval '9 days', now() - interval '7 days'),
		('u2', 'q1', true, gen_random_uuid(), now() - interval '2 days', NULL)`)
	// Out of office (T = now()): Ann [T-1d, T+2d) and a stale, older period
	// [T-2d, T+5d) syncer changed earlier; Bob indefinite since T-10d (with
	// an end the API still gives); Cy [T-3d, T) ended exactly now; Di
	// starts exactly now; Flo (inactive) [T+1d, T+3d); Ed (deleted)
	// [T-1d, T+1d); Gus starts at T+7d, Hal at T+7d-1s.
	exec(`INSERT INTO user_out_of_office (user_id, start_date, end_date, indefinite, active, first_seen_at, updated_at) VALUES
		('u1', now() - interval '1 day', now() + interval '2 days', false, true, now(), now()),
		('u1', now() - interval '2 days', now() + interval '5 days', false, false, now() - interval '4 days', now() - interval '3 days'),
		('u2', now() - interval '10 days', now() - interval '5 days', true, true, now(), now()),
		('u3', now() - interval '3 days', now(), false, true, now(), now()),
		('u4', now(), now() + interval '1 day', false, false, now(), now()),
		('u6', now() + interval '1 day', now() + interval '3 days', false, false, now(), now()),
		('u5', now() - interval '1 day', now() + interval '1 day', false, true, now(), now()),
		('u7', now() + interval '7 days', now() + interval '8 days', false, false, now(), now()),
		('u8', now() + interval '7 days' - interval '1 second', NULL, false, false, now(), now())`)
	// Utilization: the org default for call is Ann's (the latest
	// Organization row of a user not deleted): capacity 1, {callback};
	// Bob's Organization row predates a change of the default; Ed's is a
	// deleted user's. Cy is custom with the default's values, Di custom
	// with others; nobody has the default for email.
	exec(`INSERT INTO user_utilization (user_id, media_type, maximum_capacity, interruptible_media_types, include_non_acd, level, row_hash, first_seen_at, updated_at) VALUES
		('u1', 'call', 1, '{callback}', false, 'Organization', gen_random_uuid(), now(), now() - interval '1 day'),
		('u2', 'call', 2, '{}', false, 'Organization', gen_random_uuid(), now(), now() - interval '5 days'),
		('u5', 'call', 9, '{}', true, 'Organization', gen_random_uuid(), now(), now()),
		('u3', 'call', 1, '{callback}', false, 'Agent', gen_random_uuid(), now(), now()),
		('u4', 'call', 3, '{callback}', false, 'Agent', gen_random_uuid(), now(), now()),
		('u4', 'email', 5, '{}', false, 'Agent', gen_random_uuid(), now(), now())`)
	// Development activities: overdue are a1, a2 (Ann), a4 (Bob), a5 (Cy),
	// a9 (Di), a10 (Gus); not: a3 completed late, a6 not due yet, a7 an
	// inactive user's, a8 a deleted user's, a11 completed (a date, no
	// status), a12 a user deleted_at.
	exec(`INSERT INTO user_development_activities (activity_id, user_id, name, type, status, date_due, date_completed, first_seen_at, updated_at) VALUES
		('a1', 'u1', 'Call review', 'Coaching', 'Planned', now() - interval '2 days', NULL, now(), now()),
		('a2', 'u1', 'GDPR quiz', 'Assessment', 'InProgress', now() - interval '10 days', NULL, now(), now()),
		('a3', 'u2', 'Late one', 'Coaching', 'Completed', now() - interval '5 days', now() - interval '1 day', now(), now()),
		('a4', 'u2', 'Missed', 'Coaching', 'NotCompleted', now() - interval '1 hour', NULL, now(), now()),
		('a5', 'u3', 'Clash', 'Coaching', 'InvalidSchedule', now() - interval '3 days', NULL, now(), now()),
		('a6', 'u3', 'Soon', 'Informational', 'Planned', now() + interval '1 day', NULL, now(), now()),
		('a7', 'u6', 'Inactive', 'Coaching', 'Planned', now() - interval '3 days', NULL, now(), now()),
		('a8', 'u5', 'Deleted', 'Coaching', 'Planned', now() - interval '3 days', NULL, now(), now()),
		('a9', 'u4', 'Course', 'External', 'Planned', now() - interval '4 days', NULL, now(), now()),
		('a10', 'u7', 'Alone', 'Coaching', 'Planned', now() - interval '1 day', NULL, now(), now()),
		('a11', 'u1', 'Done', 'Coaching', NULL, now() - interval '1 day', now() - interval '2 days', now(), now()),
		('a12', 'u9', 'Gone', 'Coaching', 'Planned', now() - interval '1 day', NULL, now(), now())`)
	exec(`INSERT INTO groups (id, name, type, row_hash, first_seen_at, updated_at) VALUES ('g1', 'Night shift', 'official', ` + meta + `)`)
	exec(`INSERT INTO user_groups (user_id, group_id, group_name, row_hash, first_seen_at, updated_at) VALUES
		('u1', 'g1', '', ` + meta + `), ('u2', 'g2', 'Legacy', ` + meta + `), ('u5', 'g1', NULL, ` + meta + `)`)
	exec(`INSERT INTO locations (id, name, address_city, row_hash, first_seen_at, updated_at) VALUES ('l1', 'HQ', 'Leeds', ` + meta + `)`)
	exec(`INSERT INTO user_locations (user_id, location_id, location_name, notes, row_hash, first_seen_at, updated_at) VALUES
		('u1', 'l1', '', 'desk 4', ` + meta + `), ('u2', 'l2', 'Annex', NULL, ` + meta + `)`)
	exec(`INSERT INTO user_profile_skills_history (user_id, profile_skill, row_hash, valid_from, valid_to) VALUES
		('u1', 'Excel', gen_random_uuid(), now() - interval '5 days', now() - interval '1 day'),
		('u1', 'SQL', gen_random_uuid(), now() - interval '1 day', NULL)`)
	// Ann's certification was there at the first sync (run 1); Bob gained
	// one later (run 2).
	exec(`INSERT INTO user_certifications_history (user_id, certification, row_hash, valid_from, valid_to, run_id) VALUES
		('u1', 'ITIL', gen_random_uuid(), now() - interval '20 days', NULL, 1),
		('u2', 'CCNA', gen_random_uuid(), now() - interval '3 days', NULL, 2)`)
}

// TestBIPeopleViews checks each view of migration 00012 on peopleOrg, in
// the transaction that inserted it (so that now() is the same instant for
// the data and the views).
func TestBIPeopleViews(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := newStore(t, true)
	tx, err := s.Pool().Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = tx.Rollback(ctx) }()
	peopleOrg(t, tx)
	rows := func(q string) []string {
		t.Helper()
		r, err := tx.Query(ctx, "SELECT x::text FROM ("+q+") x ORDER BY x::text COLLATE \"C\"")
		if err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		out, err := pgx.CollectRows(r, pgx.RowTo[string])
		if err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		return out
	}
	for _, tt := range []struct {
		name, q string
		want    []string
	}{
		// Bob has no row, Cy only a last associated station, Hal empty ids;
		// Flo is inactive, Ed and Ivy deleted.
		{"agents_without_station",
			`SELECT user_id, name, division_name, manager_name, last_login_at = now() - interval '3 days', system_presence,
			        last_associated_station_name, queue_count FROM agents_without_station`,
			[]string{`(u2,Bob,Sales,Meg,t,AVAILABLE,,1)`, `(u3,Cy,Sales,Meg,,,"Desk 2",1)`, `(u8,Hal,Sales,,,,,0)`}},
		// Ann once (the period syncer changed last), Bob indefinite (no end
		// shown), Di starting exactly now; not Cy (ended exactly now), nor Ed.
		{"out_of_office_now",
			`SELECT user_id, user_name, end_date - now(), indefinite, active_when_read FROM out_of_office_now`,
			[]string{`(u1,Ann,"2 days",f,t)`, `(u2,Bob,,t,t)`, `(u4,Di,"1 day",f,f)`}},
		// Starting in [now, now + 7 days): Di (now), Flo (inactive, not
		// deleted), Hal (a second before the end); not Gus (at the end).
		{"out_of_office_next_7_days",
			`SELECT user_id, user_state, start_date - now(), indefinite FROM out_of_office_next_7_days`,
			[]string{`(u4,active,00:00:00,f)`, `(u6,inactive,"1 day",f)`, `(u8,active,"6 days 23:59:59",t)`}},
		// Who was out between 4 and 2 days ago: Bob, Cy; Ann's stale period
		// starts exactly at the range's end.
		{"out_of_office_between",
			`SELECT user_id FROM out_of_office_between(now() - interval '4 days', now() - interval '2 days')`,
			[]string{`(u2)`, `(u3)`}},
		{"out_of_office_between an instant",
			`SELECT user_id FROM out_of_office_between(now() - interval '1 second', now())`,
			[]string{`(u1)`, `(u1)`, `(u2)`, `(u3)`}},
		{"utilization_by_media_type",
			`SELECT user_id, media_type, maximum_capacity, custom, default_maximum_capacity, default_interruptible_media_types, differs_from_default
			 FROM utilization_by_media_type`,
			[]string{`(u1,call,1,f,1,{callback},f)`, `(u2,call,2,f,1,{callback},t)`, `(u3,call,1,t,1,{callback},f)`,
				`(u4,call,3,t,1,{callback},t)`, `(u4,email,5,t,,,)`}},
		{"overdue_development_activities",
			`SELECT activity_id, user_name, manager_name, type, status, days_overdue FROM overdue_development_activities`,
			[]string{`(a1,Ann,Meg,Coaching,Planned,2)`, `(a10,Gus,,Coaching,Planned,1)`, `(a2,Ann,Meg,Assessment,InProgress,10)`,
				`(a4,Bob,Meg,Coaching,NotCompleted,0)`, `(a5,Cy,Meg,Coaching,InvalidSchedule,3)`, `(a9,Di,Ned,External,Planned,4)`}},
		// Meg's active reports: Ann, Bob, Cy (Flo inactive, Ed and Ivy
		// deleted). Without a manager: Meg, Ned, Gus, Hal.
		{"overdue_development_activities_by_manager",
			`SELECT manager_id, manager_name, direct_reports, reports_with_overdue, overdue_activities, overdue_coaching,
			        now() - oldest_date_due, max_days_overdue FROM overdue_development_activities_by_manager`,
			[]string{`(,,4,1,1,1,"1 day",1)`, `(m1,Meg,3,3,4,3,"10 days",10)`, `(m2,Ned,1,1,1,0,"4 days",4)`}},
		{"user_group_membership",
			`SELECT group_id, group_name, group_type, user_id, user_deleted FROM user_group_membership`,
			[]string{`(g1,"Night shift",official,u1,f)`, `(g1,"Night shift",official,u5,t)`, `(g2,Legacy,,u2,f)`}},
		{"user_location_membership",
			`SELECT location_id, location_name, location_city, notes, user_id FROM user_location_membership`,
			[]string{`(l1,HQ,Leeds,"desk 4",u1)`, `(l2,Annex,,,u2)`}},
		// Ann: a member for 5 days, joined for 3; Bob: removed and added
		// again 2 days ago; Cy: no history.
		{"queue_membership",
			`SELECT user_id, now() - member_since, now() - joined_since FROM queue_membership`,
			[]string{`(u1,"5 days","3 days")`, `(u2,"2 days","2 days")`, `(u3,,)`}},
		{"current_agents",
			`SELECT user_id, team_name, employee_type, date_hire, default_station_name, effective_station_name, now() - last_login_at
			 FROM current_agents WHERE user_id IN ('u1', 'u2', 'u5')`,
			[]string{`(u1,Blue,Full-time,2024-03-01,"Desk 1","Desk 1",01:00:00)`, `(u2,,,,,,"3 days")`}},
		{"user_profile_skills_as_of",
			`SELECT user_id, profile_skill FROM user_profile_skills_as_of(now() - interval '2 days')`,
			[]string{`(u1,Excel)`}},
	} {
		if d := cmp.Diff(tt.want, rows(tt.q)); d != "" {
			t.Errorf("%s (-want +got):\n%s", tt.name, d)
		}
	}

	// current_agents keeps the columns of 00005 first, in their order.
	r, err := tx.Query(ctx, "SELECT * FROM current_agents LIMIT 0")
	if err != nil {
		t.Fatal(err)
	}
	var cols []string
	for _, f := range r.FieldDescriptions() {
		cols = append(cols, f.Name)
	}
	r.Close()
	old := []string{"user_id", "name", "email", "username", "title", "department", "state", "employee_id", "acd_auto_answer",
		"division_id", "division_name", "manager_id", "manager_name", "manager_email", "skills", "skill_names", "languages",
		"queue_count", "joined_queue_count", "updated_at"}
	if len(cols) < len(old) || !slices.Equal(cols[:len(old)], old) {
		t.Errorf("current_agents columns %v do not begin with 00005's %v", cols, old)
	}
}

// TestBIPeopleQuestions asks the store's people questions of peopleOrg,
// less the periods on a boundary of now (the questions run after the
// data's transaction, at a later now()).
func TestBIPeopleQuestions(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := newStore(t, true)
	err := pgx.BeginFunc(ctx, s.Pool(), func(tx pgx.Tx) error {
		peopleOrg(t, tx)
		_, err := tx.Exec(ctx, `DELETE FROM user_out_of_office WHERE user_id IN ('u3', 'u4', 'u7', 'u8')`)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	// Only the columns that do not depend on the clock.
	pick := func(tb store.Table, cols ...string) store.Table {
		out := store.Table{Columns: cols}
		for _, r := range tb.Rows {
			var row []any
			for _, c := range cols {
				row = append(row, r[slices.Index(tb.Columns, c)])
			}
			out.Rows = append(out.Rows, row)
		}
		return out
	}
	for _, tt := range []struct {
		name string
		get  func() (store.Table, error)
		cols []string
		want [][]any
	}{
		// Hal is in no queue: not an agent.
		{"AgentsWithoutStation", func() (store.Table, error) { return s.AgentsWithoutStation(ctx, 10) },
			[]string{"name", "division_name", "manager_name", "system_presence"},
			[][]any{{"Bob", "Sales", "Meg", "AVAILABLE"}, {"Cy", "Sales", "Meg", nil}}},
		{"OutOfOfficeThisWeek", func() (store.Table, error) { return s.OutOfOfficeThisWeek(ctx, 10) },
			[]string{"when", "user_name", "division_name"},
			[][]any{{"now", "Bob", "Sales"}, {"now", "Ann", "Sales"}, {"next 7 days", "Flo", "Sales"}}},
		{"CapacityByMediaType", func() (store.Table, error) { return s.CapacityByMediaType(ctx) },
			[]string{"media_type", "users", "custom", "custom_differing", "default_capacity", "min_capacity", "max_capacity"},
			[][]any{{"call", int64(4), int64(2), int64(1), int32(1), int32(1), int32(3)},
				{"email", int64(1), int64(1), int64(0), nil, int32(5), int32(5)}}},
		// Ned and the users without a manager tie at one: Ned by name.
		{"OverdueByManager", func() (store.Table, error) { return s.OverdueByManager(ctx, 2) },
			[]string{"manager_name", "direct_reports", "reports_with_overdue", "overdue_activities", "overdue_coaching", "max_days_overdue"},
			[][]any{{"Meg", int64(3), int64(3), int64(4), int64(3), int32(10)}, {"Ned", int64(1), int64(1), int64(1), int64(0), int32(4)}}},
	} {
		got, err := tt.get()
		if err != nil {
			t.Errorf("%s: %v", tt.name, err)
			continue
		}
		for _, c := range tt.cols {
			if !slices.Contains(got.Columns, c) {
				t.Fatalf("%s: no column %s in %v", tt.name, c, got.Columns)
			}
		}
		if d := cmp.Diff(store.Table{Columns: tt.cols, Rows: tt.want}, pick(got, tt.cols...)); d != "" {
			t.Errorf("%s (-want +got):\n%s", tt.name, d)
		}
	}
}

// TestAsOfFunctionsRun calls every *_as_of function of the schema: each
// returns the rows of a history table, and a body bound to the table's
// columns of an earlier migration fails once a column is added.
func TestAsOfFunctionsRun(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := newStore(t, true)
	rows, err := s.Pool().Query(ctx, `SELECT proname::text FROM pg_proc WHERE pronamespace = $1::regnamespace AND proname LIKE '%\_as\_of' ORDER BY 1`, s.Schema())
	if err != nil {
		t.Fatal(err)
	}
	names, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		t.Fatal(err)
	}
	if len(names) < 6 {
		t.Fatalf("found only %v", names)
	}
	for _, n := range names {
		var count int
		if err := s.Pool().QueryRow(ctx, "SELECT count(*) FROM "+pgx.Identifier{s.Schema(), n}.Sanitize()+"(now())").Scan(&count); err != nil {
			t.Errorf("%s(now()): %v", n, err)
		}
	}
}
