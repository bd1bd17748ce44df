package store_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/jackc/pgx/v5"

	"github.com/usersync/syncer/internal/store"
)

// TestRetentionDropsWholeMonths fills months of segments and aggregates and
// checks that retention drops exactly the months older than it keeps (whole
// partitions, the rows of kept months untouched), that a dry run and an
// unknown table drop nothing, that a month a query holds is left for the
// next pass, and that a second pass has nothing to do.
func TestRetentionDropsWholeMonths(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := newStore(t, true)
	exec := func(q string, args ...any) {
		t.Helper()
		if _, err := s.Pool().Exec(ctx, q, args...); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	// Sept 2025 to Dec 2026: a presence segment on the 10th of each month,
	// an aggregate day on the 20th; routing segments too.
	for m := time.Date(2025, 9, 1, 0, 0, 0, 0, time.UTC); !m.After(time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)); m = m.AddDate(0, 1, 0) {
		for _, table := range []string{"user_presence_segments", "user_routing_status_segments", "user_aggregate_days", "user_presence_days", "user_routing_status_days"} {
			exec("SELECT ensure_month_partition($1::regclass, $2::date)", table, m)
		}
		at := m.AddDate(0, 0, 9).Add(8 * time.Hour)
		exec(`INSERT INTO user_presence_segments (user_id, start_time, end_time, system_presence, first_seen_at, updated_at)
			VALUES ('u1', $1, $2, 'AVAILABLE', now(), now())`, at, at.Add(time.Hour))
		exec(`INSERT INTO user_routing_status_segments (user_id, start_time, end_time, routing_status, first_seen_at, updated_at)
			VALUES ('u1', $1, $2, 'IDLE', now(), now())`, at, at.Add(time.Hour))
		exec(`INSERT INTO user_presence_days (user_id, day, system_presence, microseconds, segments) VALUES ('u1', $1, 'AVAILABLE', 3600000000, 1)`, at)
		exec(`INSERT INTO user_aggregate_days (user_id, day, granularity, interval_starts, interval_ends, metrics, qualifiers, sums, counts, mins, maxes, first_seen_at, updated_at)
			VALUES ('u1', $1, 'P1D', ARRAY[$2::timestamptz], ARRAY[$3::timestamptz], '{tSystemPresence}', '{AVAILABLE}', '{3600000}', '{1}', '{3600000}', '{3600000}', now(), now())`,
			m.AddDate(0, 0, 19), m.AddDate(0, 0, 19), m.AddDate(0, 0, 20))
	}
	now := func() time.Time { return time.Date(2026, 12, 15, 10, 0, 0, 0, time.UTC) }
	months := func(table string) []string {
		t.Helper()
		rows, err := s.Pool().Query(ctx, `SELECT to_char(min(start_time) AT TIME ZONE 'UTC', 'YYYY-MM') FROM `+pgx.Identifier{s.Schema(), table}.Sanitize()+
			` GROUP BY date_trunc('month', start_time AT TIME ZONE 'UTC') ORDER BY 1`)
		if err != nil {
			t.Fatal(err)
		}
		out, err := pgx.CollectRows(rows, pgx.RowTo[string])
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	all := months("user_presence_segments")
	if len(all) != 16 {
		t.Fatalf("set-up: %d months of presence, want 16", len(all))
	}

	if _, err := s.ApplyRetention(ctx, store.RetentionConfig{Months: map[string]int{"user_presence_segments": 3, "user_segments": 2}, Now: now}); !errors.Is(err, store.ErrInvalid) ||
		!strings.Contains(err.Error(), `"user_segments"`) {
		t.Errorf("unknown table: err = %v, want ErrInvalid naming it", err)
	}
	if _, err := s.ApplyRetention(ctx, store.RetentionConfig{Months: map[string]int{"user_aggregates": -1}, Now: now}); !errors.Is(err, store.ErrInvalid) {
		t.Errorf("negative months: err = %v, want ErrInvalid", err)
	}
	cfg := store.RetentionConfig{Months: map[string]int{"user_presence_segments": 3, "user_aggregates": 12, "user_routing_status_segments": 0}, Now: now, DryRun: true}
	dry, err := s.ApplyRetention(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	// Presence: 12 months of segments and 12 of their daily rollup.
	if len(dry) != 12+12+3 || len(months("user_presence_segments")) != 16 {
		t.Errorf("dry run listed %d months (want 27) and left %d of 16", len(dry), len(months("user_presence_segments")))
	}

	// A reader holding the aggregates makes their months wait.
	reader, err := s.Pool().Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := reader.Exec(ctx, "SELECT count(*) FROM user_aggregates"); err != nil {
		t.Fatal(err)
	}
	cfg.DryRun, cfg.LockTimeout = false, 50*time.Millisecond
	got, err := s.ApplyRetention(ctx, cfg)
	if !errors.Is(err, store.ErrRetentionBusy) || !strings.Contains(err.Error(), "user_aggregate_days_2025_09") {
		t.Errorf("aggregates held by a reader: err = %v, want ErrRetentionBusy naming the month", err)
	}
	var names []string
	for _, d := range got {
		names = append(names, fmt.Sprintf("%s %s", d.Table, d.Month.Format("2006-01")))
		if d.Bytes <= 0 {
			t.Errorf("%s: size %d", d.Partition, d.Bytes)
		}
	}
	// Keeping 3 months before December 2026: September to December stay,
	// of the segments and of their daily rollup.
	want := []string{}
	for m := time.Date(2025, 9, 1, 0, 0, 0, 0, time.UTC); m.Before(time.Date(2026, 9, 1, 0, 0, 0, 0, time.UTC)); m = m.AddDate(0, 1, 0) {
		want = append(want, "user_presence_segments "+m.Format("2006-01"))
	}
	for m := time.Date(2025, 9, 1, 0, 0, 0, 0, time.UTC); m.Before(time.Date(2026, 9, 1, 0, 0, 0, 0, time.UTC)); m = m.AddDate(0, 1, 0) {
		want = append(want, "user_presence_segments "+m.Format("2006-01"))
	}
	if d := cmp.Diff(want, names); d != "" {
		t.Errorf("dropped (-want +got):\n%s", d)
	}
	if d := cmp.Diff([]string{"2026-09", "2026-10", "2026-11", "2026-12"}, months("user_presence_segments")); d != "" {
		t.Errorf("presence months left (-want +got):\n%s", d)
	}
	var rollupDays int
	if err := s.Pool().QueryRow(ctx, "SELECT count(DISTINCT date_trunc('month', day)) FROM user_presence_days").Scan(&rollupDays); err != nil || rollupDays != 4 {
		t.Errorf("months of the presence rollup left: %d (%v), want September to December 2026: 4", rollupDays, err)
	}
	if n := len(months("user_routing_status_segments")); n != 16 {
		t.Errorf("routing segments (retention 0) lost months: %d of 16 left", n)
	}
	if err := reader.Commit(ctx); err != nil {
		t.Fatal(err)
	}

	got, err = s.ApplyRetention(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 3 || got[0].Partition != "user_aggregate_days_2025_09" || got[2].Partition != "user_aggregate_days_2025_11" {
		t.Errorf("aggregates once the reader ended: %+v, want September to November 2025", got)
	}
	var days int
	if err := s.Pool().QueryRow(ctx, "SELECT count(*) FROM user_aggregates WHERE interval_start >= '2025-12-01'").Scan(&days); err != nil || days != 13 {
		t.Errorf("aggregate days kept: %d (%v), want December 2025 to December 2026: 13", days, err)
	}
	if got, err := s.ApplyRetention(ctx, cfg); err != nil || len(got) != 0 {
		t.Errorf("second pass: %+v, %v; want nothing to do", got, err)
	}
}

// docs/bi.md states the lock wait and the default of retention.
func TestRetentionDocs(t *testing.T) {
	t.Parallel()
	doc, err := os.ReadFile("../../docs/bi.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		fmt.Sprintf("waits at most %d s for BI queries", int(store.DefaultRetentionLockTimeout.Seconds())),
		"`0`, the default, keeps everything",
	} {
		if !strings.Contains(string(doc), want) {
			t.Errorf("docs/bi.md does not say %q", want)
		}
	}
}
