package load_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/jackc/pgx/v5"

	"github.com/usersync/syncer/internal/load"
)

// compareDays checks, in one transaction (one now()), that
// presence_days_between and routing_status_days_between give exactly the
// rows of presence_daily_between and routing_status_daily_between, for
// several ranges, with and without a list of users. It returns how many rows
// the widest range compared.
func compareDays(t *testing.T, e *env, users []string) int {
	t.Helper()
	ctx := context.Background()
	tx, err := e.pool.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback(ctx)
	if _, err := tx.Exec(ctx, "SET LOCAL jit = off"); err != nil {
		t.Fatal(err)
	}
	rows := txRows(t, tx)
	widest := 0
	for _, fn := range []string{"presence", "routing_status"} {
		for _, r := range [][2]string{{"2026-09-01", "2026-12-31"}, {"2026-10-01", "2026-10-31"}, {"2026-10-14", "2026-10-14"},
			{"2026-10-02", "2026-10-03"}, {"2026-11-01", "2026-11-01"}, {"2026-10-20", "2026-12-05"}} {
			want := rows("SELECT * FROM "+fn+"_daily_between($1, $2)", r[0], r[1])
			if d := cmp.Diff(want, rows("SELECT * FROM "+fn+"_days_between($1, $2)", r[0], r[1])); d != "" {
				t.Errorf("%s_days_between(%s, %s) differs from %s_daily_between (-segments +rollup):\n%s", fn, r[0], r[1], fn, d)
			}
			widest = max(widest, len(want))
			want = rows("SELECT * FROM "+fn+"_daily_between($1, $2, $3)", r[0], r[1], users)
			if d := cmp.Diff(want, rows("SELECT * FROM "+fn+"_days_between($1, $2, $3)", r[0], r[1], users)); d != "" {
				t.Errorf("%s_days_between(%s, %s, users) differs from %s_daily_between (-segments +rollup):\n%s", fn, r[0], r[1], fn, d)
			}
		}
	}
	return widest
}

// TestRollupAgreesWithDailyViews loads six weeks of the emulator's history
// for 12 users in two overlapping windows (the second closing the segments
// the first saw open, through the merge), the edge cases of
// TestDailyViewsGiveTheSameAnswers, then changes to stored segments (an end
// moved back across midnight, a presence changed, an open segment closed
// days later): after each step the rollups answer exactly as the segments
// do. Reloading a window unchanged writes no rollup row.
func TestRollupAgreesWithDailyViews(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	w := newWarehouse(e, 12)
	w.details(t, ts("2026-09-26T00:00:00Z"), ts("2026-10-20T12:00:00Z"), true)
	w.details(t, ts("2026-10-18T00:00:00Z"), ts("2026-11-06T00:00:00Z"), true)
	at := func(s string) time.Time { return ts(s) }
	edges := []load.PresenceSegmentRow{
		{UserID: "e1", Start: at("2026-09-30T22:00:00Z"), End: at("2026-10-01T00:00:00Z"), SystemPresence: "AVAILABLE"},
		{UserID: "e1", Start: at("2026-10-01T00:00:00Z"), End: at("2026-10-01T00:00:00Z"), SystemPresence: "BUSY"},
		{UserID: "e1", Start: at("2026-10-01T00:00:00Z"), End: at("2026-10-03T12:30:00.123456Z"), SystemPresence: "OFFLINE"},
		{UserID: "e2", Start: at("2026-08-25T17:00:00Z"), End: at("2026-10-14T08:00:00Z"), SystemPresence: "OFFLINE"},
		{UserID: "e3", Start: at("2026-09-12T08:00:00Z"), SystemPresence: "ON_QUEUE"},
		{UserID: "e4", Start: at("2026-10-31T23:59:59.999Z"), End: at("2026-11-01T00:00:00.001Z"), SystemPresence: "MEAL"},
		{UserID: "e5", Start: at("2026-10-20T09:00:00Z"), SystemPresence: "BREAK"},
		{UserID: "e5", Start: at("2026-10-19T09:00:00Z"), End: at("2026-10-19T09:00:00.0000004Z"), SystemPresence: "AWAY"},
	}
	routing := []load.RoutingStatusSegmentRow{
		{UserID: "e2", Start: at("2026-08-25T17:00:00Z"), End: at("2026-10-14T08:00:00Z"), RoutingStatus: "OFF_QUEUE"},
		{UserID: "e3", Start: at("2026-09-12T08:00:00Z"), RoutingStatus: "IDLE"},
	}
	s := load.Stream{Pipeline: "p", Name: "edges"}
	loadEdges := func() {
		e.stream(t, s, nil, func(ctx context.Context, tx *load.Tx) error {
			if err := tx.PresenceSegments(ctx, edges); err != nil {
				return err
			}
			return tx.RoutingStatusSegments(ctx, routing)
		})
	}
	loadEdges()
	users := []string{w.users[0], w.users[3], "e1", "e2", "e3"}
	if n := compareDays(t, e, users); n < 300 {
		t.Fatalf("only %d rows compared: the comparison would prove little", n)
	}
	if n := e.count(t, "SELECT count(*) FROM user_presence_days"); n < 300 {
		t.Fatalf("user_presence_days holds %d rows", n)
	}

	// The same data again: nothing to write.
	xmin := func() string {
		var s string
		if err := e.pool.QueryRow(context.Background(), `SELECT (SELECT string_agg(DISTINCT xmin::text, ',') FROM user_presence_days) || '/' ||
			(SELECT string_agg(DISTINCT xmin::text, ',') FROM user_routing_status_days)`).Scan(&s); err != nil {
			t.Fatal(err)
		}
		return s
	}
	before := xmin()
	w.details(t, ts("2026-10-18T00:00:00Z"), ts("2026-11-06T00:00:00Z"), true)
	loadEdges()
	if after := xmin(); after != before {
		t.Errorf("unchanged reloads rewrote rollup rows (writing transactions %s, then %s)", before, after)
	}

	// e1's OFFLINE ends a day earlier (its October 3rd goes), e2's long
	// OFFLINE turns out to be AWAY, e3's open segment closes.
	edges[2].End = at("2026-10-02T06:00:00Z")
	edges[3].SystemPresence = "AWAY"
	edges[4].End = at("2026-10-25T10:00:00Z")
	routing[1].End = at("2026-10-25T10:00:00Z")
	loadEdges()
	compareDays(t, e, users)
	if n := e.count(t, "SELECT count(*) FROM user_presence_days WHERE user_id = 'e1' AND day = '2026-10-03'"); n != 0 {
		t.Errorf("e1 keeps %d rollup rows on October 3rd, which no segment covers any more", n)
	}
	if n := e.count(t, "SELECT count(*) FROM user_presence_days WHERE user_id = 'e2' AND system_presence = 'OFFLINE'"); n != 0 {
		t.Errorf("e2 keeps %d OFFLINE rollup rows after the segment became AWAY", n)
	}
	if n := e.count(t, "SELECT count(*) FROM user_presence_days WHERE user_id = 'e3' AND day BETWEEN '2026-09-12' AND '2026-10-25'"); n != 44 {
		t.Errorf("e3's closed segment has %d rollup days, want 44", n)
	}
}

// TestRollupOfOpenSegments: an open segment is not stored in the rollup but
// counts, up to now(), in presence_days_between, as in presence_daily.
func TestRollupOfOpenSegments(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	start := time.Now().UTC().Add(-50 * time.Hour).Truncate(time.Second)
	e.stream(t, load.Stream{Pipeline: "p", Name: "open"}, nil, func(ctx context.Context, tx *load.Tx) error {
		return tx.PresenceSegments(ctx, []load.PresenceSegmentRow{
			{UserID: "u1", Start: start.Add(-time.Hour), End: start, SystemPresence: "ON_QUEUE"},
			{UserID: "u1", Start: start, SystemPresence: "ON_QUEUE"},
			{UserID: "u2", Start: start.Add(time.Hour), SystemPresence: "BREAK"},
		})
	})
	if n := e.count(t, "SELECT count(*) FROM user_presence_days"); n != 1 && n != 2 {
		t.Errorf("user_presence_days holds %d rows, want only u1's closed hour (one or two days)", n)
	}
	from, to := start.AddDate(0, 0, -1).Format(time.DateOnly), start.AddDate(0, 0, 4).Format(time.DateOnly)
	var open, days int
	if err := e.pool.QueryRow(context.Background(), "SELECT count(*) FILTER (WHERE includes_open), count(*) FROM presence_days_between($1, $2)", from, to).Scan(&open, &days); err != nil {
		t.Fatal(err)
	}
	if open < 5 || open > 6 || days < 5 {
		t.Errorf("presence_days_between counts %d rows, %d with open segments; want the 3 days of u1's and the 2 or 3 of u2's open segments", days, open)
	}
	compareDays(t, e, []string{"u2"})
}

// TestRollupMigrationFillsFromSegments runs 00011 over a schema holding
// segments loaded before it (loaded, then 00011 rolled back: down drops the
// rollups and nothing else): the rollups it fills answer as the segments
// do, in the months of the segments, and the loader keeps them from there.
func TestRollupMigrationFillsFromSegments(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e := newEnvAt(t, presenceDaysVersion)
	w := newWarehouse(e, 6)
	w.details(t, ts("2026-09-28T00:00:00Z"), ts("2026-10-06T00:00:00Z"), true)
	e.stream(t, load.Stream{Pipeline: "p", Name: "edges"}, nil, func(ctx context.Context, tx *load.Tx) error {
		return tx.PresenceSegments(ctx, []load.PresenceSegmentRow{
			{UserID: "e1", Start: ts("2026-08-25T17:00:00Z"), End: ts("2026-10-02T08:00:00Z"), SystemPresence: "OFFLINE"},
			{UserID: "e2", Start: ts("2026-09-30T20:00:00Z"), SystemPresence: "ON_QUEUE"},
		})
	})
	segments := e.count(t, "SELECT count(*) FROM user_presence_segments")
	e.migrate(t, presenceDaysVersion-1)
	if n := e.count(t, "SELECT count(*) FROM pg_class WHERE relname IN ('user_presence_days', 'user_routing_status_days') AND relnamespace = $1::regnamespace", e.schema); n != 0 {
		t.Errorf("down left %d rollup tables", n)
	}
	if n := e.count(t, "SELECT count(*) FROM user_presence_segments"); n != segments {
		t.Errorf("down changed the segments: %d, want %d", n, segments)
	}

	e.migrate(t, presenceDaysVersion)
	users := []string{w.users[1], "e1", "e2"}
	if n := compareDays(t, e, users); n < 50 {
		t.Fatalf("only %d rows compared", n)
	}
	r, err := e.pool.Query(ctx, `SELECT c.relname::text FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
		WHERE i.inhparent = 'user_presence_days'::regclass ORDER BY 1`)
	if err != nil {
		t.Fatal(err)
	}
	parts, err := pgx.CollectRows(r, pgx.RowTo[string])
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range []string{"user_presence_days_2026_08", "user_presence_days_2026_09", "user_presence_days_2026_10"} {
		if !strings.Contains(strings.Join(parts, " "), m) {
			t.Errorf("partitions %v: no %s", parts, m)
		}
	}
	// The loader takes over: a later window, and the open segment closed.
	w.details(t, ts("2026-10-04T00:00:00Z"), ts("2026-10-09T00:00:00Z"), true)
	e.stream(t, load.Stream{Pipeline: "p", Name: "edges"}, nil, func(ctx context.Context, tx *load.Tx) error {
		return tx.PresenceSegments(ctx, []load.PresenceSegmentRow{{UserID: "e2", Start: ts("2026-09-30T20:00:00Z"), End: ts("2026-10-07T09:00:00Z"), SystemPresence: "ON_QUEUE"}})
	})
	compareDays(t, e, users)
}
