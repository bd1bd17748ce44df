package load_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/usersync/syncer/internal/emulator/analytics"
	"github.com/usersync/syncer/internal/load"
	"github.com/usersync/syncer/internal/store"
)

// warehouseUsers is the org size of BenchmarkWarehouse (the 5,000).
var warehouseUsers = envInt("SYNCER_BENCH_WAREHOUSE_USERS", 5_000)

// The default analytics settings the benchmark loads with, as the pipeline
// and config defaults have them: PT30M buckets of the three default metrics,
// a first run of 7 days, then nightly runs re-reading 48 hours.
const (
	warehouseGranularity = 30 * time.Minute
	warehouseChunk       = 20_000 // rows per batch: the pipeline's load chunk
)

var warehouseMetrics = []string{"tSystemPresence", "tOrganizationPresence", "tAgentRoutingStatus"}

// warehouse generates the analytics of an org from the emulator's model
// (the same history the emulator's jobs serve) and loads it the way the
// pipeline does: one Tx per stream and window, batches of whole users of at
// least warehouseChunk rows.
type warehouse struct {
	e     *env
	model *analytics.Model
	users []string
}

func newWarehouse(e *env, n int) *warehouse {
	w := &warehouse{e: e, model: analytics.NewModel(29)}
	r := rand.New(rand.NewPCG(29, 18))
	for range n {
		w.users = append(w.users, fmt.Sprintf("%08x-%04x-4%03x-8%03x-%012x", r.Uint32(), r.Uint32()&0xffff, r.Uint32()&0xfff, r.Uint32()&0xfff, r.Uint64()&0xffffffffffff))
	}
	return w
}

// details loads the presence (and, with routing, routing-status) segments
// of [from, to), seen at to.
func (w *warehouse) details(b testing.TB, from, to time.Time, routing bool) {
	w.e.stream(b, load.Stream{Pipeline: "nightly", Name: "user_details"}, &load.Watermark{Time: to}, func(ctx context.Context, tx *load.Tx) error {
		var pres []load.PresenceSegmentRow
		var rout []load.RoutingStatusSegmentRow
		flush := func() error {
			if err := tx.PresenceSegments(ctx, pres); err != nil {
				return err
			}
			if err := tx.RoutingStatusSegments(ctx, rout); err != nil {
				return err
			}
			pres, rout = pres[:0], rout[:0]
			return nil
		}
		for _, u := range w.users {
			d := w.model.Detail(u, from, to, to)
			for _, s := range d.PrimaryPresence {
				pres = append(pres, load.PresenceSegmentRow{UserID: u, Start: s.Start, End: s.End, SystemPresence: s.SystemPresence, OrganizationPresenceID: s.OrganizationPresenceID})
			}
			if routing {
				for _, s := range d.RoutingStatus {
					rout = append(rout, load.RoutingStatusSegmentRow{UserID: u, Start: s.Start, End: s.End, RoutingStatus: s.RoutingStatus})
				}
			}
			if len(pres)+len(rout) >= warehouseChunk {
				if err := flush(); err != nil {
					return err
				}
			}
		}
		return flush()
	})
}

// aggregates loads the aggregates of [from, to), seen at to, and returns
// how many rows the API would have answered.
func (w *warehouse) aggregates(b testing.TB, from, to time.Time) int {
	n := 0
	w.e.stream(b, load.Stream{Pipeline: "nightly", Name: "user_aggregates"}, &load.Watermark{Time: to}, func(ctx context.Context, tx *load.Tx) error {
		var rows []load.AggregateRow
		for _, u := range w.users {
			for _, iv := range w.model.Aggregate(u, from, to, warehouseGranularity, to, warehouseMetrics) {
				for _, m := range iv.Metrics {
					sum, mn, mx, c := float64(m.Stats.Sum), float64(m.Stats.Min), float64(m.Stats.Max), m.Stats.Count
					rows = append(rows, load.AggregateRow{UserID: u, IntervalStart: iv.Start, IntervalEnd: iv.End, Granularity: "PT30M",
						Metric: m.Metric, Qualifier: m.Qualifier, Sum: &sum, Count: &c, Min: &mn, Max: &mx})
				}
			}
			if len(rows) >= warehouseChunk {
				n += len(rows)
				if err := tx.Aggregates(ctx, rows); err != nil {
					return err
				}
				rows = rows[:0]
			}
		}
		n += len(rows)
		return tx.Aggregates(ctx, rows)
	})
	return n
}

// bytes is the size on disk of a table (all its partitions, indexes and
// TOAST).
func (w *warehouse) bytes(b testing.TB, table string) float64 {
	var n float64
	if err := w.e.pool.QueryRow(context.Background(), `SELECT coalesce(sum(pg_total_relation_size(relid)), 0)::float8 FROM pg_partition_tree($1::regclass)`,
		pgx.Identifier{w.e.schema, table}.Sanitize()).Scan(&n); err != nil {
		b.Fatal(err)
	}
	return n
}

// BenchmarkWarehouse measures what issue 18 ("a year fits") asks, on an org
// of warehouseUsers users whose history comes from the emulator's model:
//
//   - storage: a default first run (7 days of details and PT30M aggregates)
//     and one nightly run (48 hours re-read, one day new), then the bytes of
//     the three analytics tables per user-day (after VACUUM, as autovacuum
//     leaves them: dead rows freed for reuse, no space returned); and the
//     aggregates of the same run in the layout before migration 00009 (one
//     row per metric, unpartitioned: the rows copied into a table made by
//     00003's statement), for the ratio;
//   - a month of presence per user per day, the query docs/bi.md shows, over
//     four months of presence (median of three runs);
//   - retention dropping the oldest of those months.
//
//	go test -run '^$' -bench BenchmarkWarehouse -benchtime 1x ./internal/load
func BenchmarkWarehouse(b *testing.B) {
	ctx := context.Background()
	var perUserDay, aggPerUserDay, segPerUserDay, beforeAggPerUserDay, queryS, dropS, droppedMB, rowsPerS float64
	var monthRows int
	for b.Loop() {
		e := newEnv(b)
		w := newWarehouse(e, warehouseUsers)
		// The first run at 02:00 reads the 7 days before; the next night's
		// reads from its watermark less 48 hours.
		first, night := ts("2026-10-12T02:00:00Z"), ts("2026-10-13T02:00:00Z")
		start := time.Now()
		w.details(b, first.Add(-7*24*time.Hour), first, true)
		apiRows := w.aggregates(b, first.Add(-7*24*time.Hour), first)
		w.details(b, first.Add(-48*time.Hour), night, true)
		apiRows += w.aggregates(b, first.Add(-48*time.Hour), night)
		rowsPerS = float64(apiRows) / time.Since(start).Seconds()
		if _, err := e.pool.Exec(ctx, "VACUUM user_presence_segments, user_routing_status_segments, user_aggregate_days"); err != nil {
			b.Fatal(err)
		}
		userDays := float64(len(w.users) * 8)
		seg := w.bytes(b, "user_presence_segments") + w.bytes(b, "user_routing_status_segments")
		agg := w.bytes(b, "user_aggregate_days")
		perUserDay, aggPerUserDay, segPerUserDay = (seg+agg)/userDays, agg/userDays, seg/userDays

		// The same aggregates as before 00009: 00003's table, filled in the
		// order a first load wrote it.
		if _, err := e.pool.Exec(ctx, `CREATE TABLE aggregates_before (
			user_id text NOT NULL CHECK (user_id <> ''), interval_start timestamptz NOT NULL, interval_end timestamptz NOT NULL,
			granularity text NOT NULL, metric text NOT NULL, qualifier text NOT NULL DEFAULT '',
			sum double precision, count bigint, min double precision, max double precision,
			first_seen_at timestamptz NOT NULL, updated_at timestamptz NOT NULL, updated_run bigint,
			PRIMARY KEY (interval_start, user_id, granularity, metric, qualifier), CHECK (interval_end > interval_start));
			INSERT INTO aggregates_before SELECT * FROM user_aggregates ORDER BY user_id, interval_start`); err != nil {
			b.Fatal(err)
		}
		if _, err := e.pool.Exec(ctx, "VACUUM aggregates_before"); err != nil {
			b.Fatal(err)
		}
		beforeAggPerUserDay = w.bytes(b, "aggregates_before") / userDays
		if _, err := e.pool.Exec(ctx, "DROP TABLE aggregates_before"); err != nil {
			b.Fatal(err)
		}

		// Four months of presence: September to December 2026.
		for m := ts("2026-09-01T00:00:00Z"); m.Before(ts("2027-01-01T00:00:00Z")); m = m.AddDate(0, 1, 0) {
			from, to := m, m.AddDate(0, 1, 0)
			if m.Month() == time.October { // around the week loaded above
				w.details(b, from, first.Add(-7*24*time.Hour), false)
				from = night
			}
			w.details(b, from, to, false)
		}
		if _, err := e.pool.Exec(ctx, "VACUUM ANALYZE user_presence_segments"); err != nil {
			b.Fatal(err)
		}
		var times []float64
		for range 3 {
			start := time.Now()
			rows, err := e.pool.Query(ctx, monthOfPresence, "2026-10-01", "2026-10-31")
			if err != nil {
				b.Fatal(err)
			}
			monthRows = 0
			for rows.Next() {
				monthRows++
			}
			if err := rows.Err(); err != nil {
				b.Fatal(err)
			}
			times = append(times, time.Since(start).Seconds())
		}
		slices.Sort(times)
		queryS = times[1]

		st := store.New(e.pool, store.Config{Schema: e.schema})
		start = time.Now()
		dropped, err := st.ApplyRetention(ctx, store.RetentionConfig{Months: map[string]int{store.RetainPresenceSegments: 2},
			Now: func() time.Time { return ts("2026-12-15T00:00:00Z") }})
		dropS = time.Since(start).Seconds()
		// (and the few August segments still running on September 1st)
		if err != nil || len(dropped) == 0 || dropped[len(dropped)-1].Partition != "user_presence_segments_2026_09" {
			b.Fatalf("retention dropped %+v (%v), want up to September 2026", dropped, err)
		}
		droppedMB = 0
		for _, d := range dropped {
			droppedMB += float64(d.Bytes) / 1e6
		}
	}
	b.ReportMetric(perUserDay/1000, "kB/user-day")
	b.ReportMetric(aggPerUserDay/1000, "aggregates_kB/user-day")
	b.ReportMetric(segPerUserDay/1000, "segments_kB/user-day")
	b.ReportMetric((segPerUserDay+beforeAggPerUserDay)/1000, "before_kB/user-day")
	b.ReportMetric(beforeAggPerUserDay/aggPerUserDay, "aggregates_before/after")
	b.ReportMetric(perUserDay*50_000*365/1e9, "GB/year-50k-users")
	b.ReportMetric(rowsPerS, "aggregate_rows/s")
	b.ReportMetric(queryS, "month_query_s")
	b.ReportMetric(float64(monthRows), "month_query_rows")
	b.ReportMetric(dropS, "drop_month_s")
	b.ReportMetric(droppedMB, "dropped_month_MB")
	b.ReportMetric(0, "ns/op")
}

// monthOfPresence is the query docs/bi.md shows for a month of presence per
// user per day (TestBIDocQueries runs the document's copy).
const monthOfPresence = `SELECT user_id, day, system_presence, seconds FROM presence_daily_between($1, $2)`
