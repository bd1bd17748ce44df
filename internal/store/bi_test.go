package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

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
