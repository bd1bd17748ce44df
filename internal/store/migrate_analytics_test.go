package store

import (
	"context"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/jackc/pgx/v5"
	"github.com/pressly/goose/v3"

	"github.com/usersync/syncer/internal/pgtest"
)

// analyticsByMonth is the migration that partitions the analytics tables
// and packs the aggregates.
const analyticsByMonth = 9

// TestMigrationConvertsPopulatedAnalytics runs 00009 over a schema holding
// segments and aggregates in the old, unpartitioned layout: every row is
// kept (in the partition of its month), the views and functions give the
// same answers, and the aggregates read back through the view exactly as
// stored before. Down restores the old tables with the same rows, and up
// again works.
func TestMigrationConvertsPopulatedAnalytics(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dbURL, schema := pgtest.Schema(t)
	pool := pgtest.Pool(t, dbURL, schema)
	s := New(pool, Config{Schema: schema})
	err := s.withMigrator(ctx, true, func(p *goose.Provider) error {
		_, err := p.UpTo(ctx, analyticsByMonth-1)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	exec := func(q string, args ...any) {
		t.Helper()
		if _, err := pool.Exec(ctx, q, args...); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	// Three months; a segment running over a month's end, one still open,
	// one user with no organisation presence; aggregates with absent
	// statistics, an empty qualifier and two granularities on one day.
	exec(`INSERT INTO user_presence_segments (user_id, start_time, end_time, system_presence, organization_presence_id, first_seen_at, updated_at, updated_run) VALUES
		('u1', '2026-09-30 22:00Z', '2026-10-01 02:00Z', 'OFFLINE', 'op-off', '2026-10-01 03:00Z', '2026-10-01 03:00Z', NULL),
		('u1', '2026-10-01 02:00Z', '2026-10-01 09:30Z', 'AVAILABLE', 'op-av', '2026-10-01 03:00Z', '2026-10-02 03:00Z', 7),
		('u2', '2026-10-15 08:00Z', '2026-10-15 08:45Z', 'ON_QUEUE', NULL, '2026-10-16 03:00Z', '2026-10-16 03:00Z', 8),
		('u2', '2026-11-03 08:00Z', NULL, 'BREAK', 'op-br', '2026-11-03 09:00Z', '2026-11-03 09:00Z', 9)`)
	exec(`INSERT INTO user_routing_status_segments (user_id, start_time, end_time, routing_status, first_seen_at, updated_at, updated_run) VALUES
		('u2', '2026-09-30 23:50Z', '2026-10-01 00:10Z', 'IDLE', '2026-10-01 03:00Z', '2026-10-01 03:00Z', 7),
		('u2', '2026-10-15 08:00Z', '2026-10-15 08:05Z', 'INTERACTING', '2026-10-16 03:00Z', '2026-10-16 03:00Z', 8)`)
	exec(`INSERT INTO user_aggregates (user_id, interval_start, interval_end, granularity, metric, qualifier, sum, count, min, max, first_seen_at, updated_at, updated_run) VALUES
		('u1', '2026-10-01 08:00Z', '2026-10-01 08:30Z', 'PT30M', 'tSystemPresence', 'AVAILABLE', 1800000, 1, 1800000, 1800000, '2026-10-02 03:00Z', '2026-10-02 03:00Z', 7),
		('u1', '2026-10-01 08:00Z', '2026-10-01 08:30Z', 'PT30M', 'tOrganizationPresence', 'op-av', 1800000, 1, 1800000, 1800000, '2026-10-02 03:00Z', '2026-10-02 03:00Z', 7),
		('u1', '2026-10-01 08:30Z', '2026-10-01 09:00Z', 'PT30M', 'tSystemPresence', 'AVAILABLE', 1000000, 2, 400000, 600000, '2026-10-02 03:00Z', '2026-10-03 03:00Z', 8),
		('u1', '2026-10-01 08:30Z', '2026-10-01 09:00Z', 'PT30M', 'tAgentRoutingStatus', '', NULL, NULL, NULL, NULL, '2026-10-02 03:00Z', '2026-10-02 03:00Z', 7),
		('u1', '2026-10-01 00:00Z', '2026-10-02 00:00Z', 'P1D', 'tSystemPresence', 'AVAILABLE', 27000000, 1, 27000000, 27000000, '2026-10-02 03:00Z', '2026-10-02 03:00Z', 7),
		('u2', '2026-11-03 23:30Z', '2026-11-04 00:00Z', 'PT30M', 'tSystemPresence', 'BREAK', 1800000, 1, 1800000, 1800000, '2026-11-04 03:00Z', '2026-11-04 03:00Z', 9)`)

	dump := func(q string) []string {
		t.Helper()
		var out []string
		err := pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error {
			if _, err := tx.Exec(ctx, "SET LOCAL TIME ZONE 'UTC'"); err != nil {
				return err
			}
			rows, err := tx.Query(ctx, "SELECT x::text FROM ("+q+") x ORDER BY 1")
			if err != nil {
				return err
			}
			out, err = pgx.CollectRows(rows, pgx.RowTo[string])
			return err
		})
		if err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		return out
	}
	const aggData = "SELECT user_id, interval_start, interval_end, granularity, metric, qualifier, sum, count, min, max FROM user_aggregates"
	answers := map[string]string{
		"presence segments":            "SELECT * FROM user_presence_segments",
		"routing segments":             "SELECT * FROM user_routing_status_segments",
		"aggregates":                   aggData,
		"presence_daily (closed)":      "SELECT * FROM presence_daily WHERE NOT includes_open",
		"routing_status_daily":         "SELECT * FROM routing_status_daily",
		"presence_daily_between":       "SELECT * FROM presence_daily_between('2026-09-30', '2026-10-31')",
		"routing_status_daily_between": "SELECT * FROM routing_status_daily_between('2026-10-01', '2026-10-01')",
	}
	before := map[string][]string{}
	for name, q := range answers {
		before[name] = dump(q)
		if len(before[name]) == 0 {
			t.Fatalf("%s: empty before the migration; the test proves nothing", name)
		}
	}
	same := func(when string) {
		t.Helper()
		for name, q := range answers {
			if d := cmp.Diff(before[name], dump(q)); d != "" {
				t.Errorf("%s, %s differs (-before +now):\n%s", when, name, d)
			}
		}
	}

	// Up to 00009 only, so that the down below is 00009's (later
	// migrations have tests of their own).
	var res []*goose.MigrationResult
	err = s.withMigrator(ctx, true, func(p *goose.Provider) error {
		res, err = p.UpTo(ctx, analyticsByMonth)
		return err
	})
	if err != nil {
		t.Fatalf("migrate a populated schema: %v", err)
	}
	if len(res) == 0 || res[len(res)-1].Source.Version != analyticsByMonth {
		t.Fatalf("migrations applied: %+v", res)
	}
	same("after up")
	// The analytics relations with their kind: p partitioned, r plain, v view.
	relations := func() string {
		t.Helper()
		var kinds string
		if err := pool.QueryRow(ctx, `SELECT string_agg(c.relname || ':' || c.relkind::text, ' ' ORDER BY c.relname) FROM pg_class c
		WHERE c.relnamespace = $1::regnamespace AND c.relname IN ('user_presence_segments', 'user_routing_status_segments', 'user_aggregate_days', 'user_aggregates')`, schema).Scan(&kinds); err != nil {
			t.Fatal(err)
		}
		return kinds
	}
	if kinds, want := relations(), "user_aggregate_days:p user_aggregates:v user_presence_segments:p user_routing_status_segments:p"; kinds != want {
		t.Errorf("relations after up: %s, want %s", kinds, want)
	}
	// Each row in the partition of its UTC month.
	for _, q := range []string{
		"SELECT tableoid::regclass::text || ' ' || start_time FROM user_presence_segments",
		"SELECT tableoid::regclass::text || ' ' || day FROM user_aggregate_days",
	} {
		for _, r := range dump(q) {
			part, at, _ := strings.Cut(r, " ")
			if !strings.HasSuffix(part, "_"+strings.ReplaceAll(at[:7], "-", "_")) {
				t.Errorf("row of %s in partition %s", at, part)
			}
		}
	}
	// The aggregates: one stored row per user, UTC day and granularity,
	// with each old row's bookkeeping folded per day.
	if d := cmp.Diff([]string{
		"(u1,2026-10-01,P1D,\"2026-10-02 03:00:00+00\",\"2026-10-02 03:00:00+00\",7)",
		"(u1,2026-10-01,PT30M,\"2026-10-02 03:00:00+00\",\"2026-10-03 03:00:00+00\",8)",
		"(u2,2026-11-03,PT30M,\"2026-11-04 03:00:00+00\",\"2026-11-04 03:00:00+00\",9)",
	}, dump("SELECT user_id, day, granularity, first_seen_at, updated_at, updated_run FROM user_aggregate_days")); d != "" {
		t.Errorf("user_aggregate_days (-want +got):\n%s", d)
	}
	if got := dump("SELECT user_id, interval_start, interval_end, granularity, metric, qualifier, sum, count, min, max FROM user_aggregates_between('2026-11-01', '2026-12-01')"); len(got) != 1 || !strings.HasPrefix(got[0], "(u2,") {
		t.Errorf("user_aggregates_between November: %v", got)
	}

	down, err := s.MigrateDown(ctx)
	if err != nil || down.Version != analyticsByMonth {
		t.Fatalf("down: %+v, %v", down, err)
	}
	if down.Version == analyticsByMonth && !strings.Contains(down.Note, "retention dropped") {
		t.Errorf("down of %d says nothing of what it cannot restore: note %q", analyticsByMonth, down.Note)
	}
	same("after down")
	if kinds, want := relations(), "user_aggregates:r user_presence_segments:r user_routing_status_segments:r"; kinds != want {
		t.Errorf("relations after down: %s, want %s", kinds, want)
	}
	if _, err := s.Migrate(ctx); err != nil {
		t.Fatalf("up again: %v", err)
	}
	same("after up again")
}
