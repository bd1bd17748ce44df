package load_test

import (
	"context"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
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

// rollupTime sums the time the loader spends keeping the daily rollups (its
// "rollup updated" Debug lines): what the rollups add to a load.
type rollupTime struct {
	mu sync.Mutex
	ms int64
}

func (h *rollupTime) Enabled(_ context.Context, l slog.Level) bool { return l >= slog.LevelDebug }
func (h *rollupTime) WithAttrs([]slog.Attr) slog.Handler           { return h }
func (h *rollupTime) WithGroup(string) slog.Handler                { return h }
func (h *rollupTime) Handle(_ context.Context, r slog.Record) error {
	if r.Message != "rollup updated" {
		return nil
	}
	r.Attrs(func(a slog.Attr) bool {
		if a.Key == "rollup_ms" {
			h.mu.Lock()
			h.ms += a.Value.Int64()
			h.mu.Unlock()
			return false
		}
		return true
	})
	return nil
}

func (h *rollupTime) seconds() float64 {
	h.mu.Lock()
	defer h.mu.Unlock()
	return float64(h.ms) / 1000
}

// bytes is the size on disk of a table (all its partitions, indexes and
// TOAST).
func (w *warehouse) bytes(b testing.TB, table string) float64 {
	var n float64
	if err := w.e.pool.QueryRow(context.Background(), `SELECT CASE WHEN c.relkind = 'p'
			THEN (SELECT coalesce(sum(pg_total_relation_size(relid)), 0) FROM pg_partition_tree(c.oid))
			ELSE pg_total_relation_size(c.oid) END::float8
		FROM pg_class c WHERE c.oid = $1::regclass`, pgx.Identifier{w.e.schema, table}.Sanitize()).Scan(&n); err != nil {
		b.Fatal(err)
	}
	return n
}

// BenchmarkWarehouse measures what issue 18 ("a year fits") asks, on an org
// of warehouseUsers users whose history comes from the emulator's model.
//
// Storage: a default first run (7 days of details and PT30M aggregates) and
// one nightly run (48 hours re-read, one day new), then the bytes of the
// three analytics tables and the two daily rollups (00011) per user-day,
// after VACUUM (as autovacuum leaves them: dead rows freed for reuse, no
// space returned). For the ratio, the same aggregates in the layout before
// migration 00009: one row per metric, unpartitioned, copied into a table
// made by 00003's statement. What the rollups add to the load: the time the
// loader spends keeping them during the user details loads of those runs.
//
// A month of presence per day, over four months of presence, with the
// queries docs/bi.md shows: of one agent (the median over five agents), and
// of the whole org, with the backend's CPU seconds for it without parallel
// workers (when Postgres runs on this machine) and, as a baseline measured
// in the same run, the time to read the month's segments themselves; then
// the same from the rollup (presence_days_between: the median of three runs
// for the org, of the five agents for one agent), which must give as many
// rows.
//
// Retention: dropping the oldest of those months.
//
//	go test -run '^$' -bench BenchmarkWarehouse -benchtime 1x ./internal/load
func BenchmarkWarehouse(b *testing.B) {
	ctx := context.Background()
	var perUserDay, aggPerUserDay, segPerUserDay, rollPerUserDay, beforeAggPerUserDay, queryS, orgQueryS, scanS, cpuS, dropS, droppedMB, rowsPerS float64
	var rollupS, detailsS, rollQueryS, rollAgentS, rollCPUS float64
	var monthRows, rollRows int
	for b.Loop() {
		e := newEnv(b)
		rt := &rollupTime{}
		e.loader = load.New(e.pool, load.Config{Schema: e.schema, Logger: slog.New(rt)})
		w := newWarehouse(e, warehouseUsers)
		// The first run at 02:00 reads the 7 days before; the next night's
		// reads from its watermark less 48 hours.
		first, night := ts("2026-10-12T02:00:00Z"), ts("2026-10-13T02:00:00Z")
		start := time.Now()
		details := func(from, to time.Time) {
			s := time.Now()
			w.details(b, from, to, true)
			detailsS += time.Since(s).Seconds()
		}
		detailsS = 0
		details(first.Add(-7*24*time.Hour), first)
		apiRows := w.aggregates(b, first.Add(-7*24*time.Hour), first)
		details(first.Add(-48*time.Hour), night)
		apiRows += w.aggregates(b, first.Add(-48*time.Hour), night)
		rowsPerS = float64(apiRows) / time.Since(start).Seconds()
		rollupS = rt.seconds()
		if _, err := e.pool.Exec(ctx, "VACUUM user_presence_segments, user_routing_status_segments, user_aggregate_days, user_presence_days, user_routing_status_days"); err != nil {
			b.Fatal(err)
		}
		userDays := float64(len(w.users) * 8)
		seg := w.bytes(b, "user_presence_segments") + w.bytes(b, "user_routing_status_segments")
		agg := w.bytes(b, "user_aggregate_days")
		roll := w.bytes(b, "user_presence_days") + w.bytes(b, "user_routing_status_days")
		perUserDay, aggPerUserDay, segPerUserDay, rollPerUserDay = (seg+agg+roll)/userDays, agg/userDays, seg/userDays, roll/userDays

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
		if _, err := e.pool.Exec(ctx, "VACUUM ANALYZE user_presence_segments, user_presence_days"); err != nil {
			b.Fatal(err)
		}
		conn, err := e.pool.Acquire(ctx)
		if err != nil {
			b.Fatal(err)
		}
		read := func(q string, args ...any) (int, float64) {
			start := time.Now()
			rows, err := conn.Query(ctx, q, args...)
			if err != nil {
				b.Fatal(err)
			}
			n := 0
			for rows.Next() {
				n++
			}
			if err := rows.Err(); err != nil {
				b.Fatal(err)
			}
			return n, time.Since(start).Seconds()
		}
		// One agent's month, for five agents with presence: the median.
		var agents []string
		if err := pgx.BeginFunc(ctx, conn, func(tx pgx.Tx) error {
			r, err := tx.Query(ctx, "SELECT DISTINCT user_id FROM user_presence_segments WHERE start_time >= '2026-10-20' AND start_time < '2026-10-21' ORDER BY 1 LIMIT 5")
			if err != nil {
				return err
			}
			agents, err = pgx.CollectRows(r, pgx.RowTo[string])
			return err
		}); err != nil || len(agents) < 5 {
			b.Fatalf("agents with presence: %v, %v", agents, err)
		}
		var times []float64
		for _, a := range agents {
			n, s := read(monthOfPresence, "2026-10-01", "2026-10-31", []string{a})
			if n == 0 {
				b.Fatalf("no presence for %s in October", a)
			}
			times = append(times, s)
		}
		slices.Sort(times)
		queryS = times[len(times)/2]
		// The whole org's month, and the same month's segments just read.
		monthRows, orgQueryS = read(orgMonthOfPresence, "2026-10-01", "2026-10-31")
		_, scanS = read("SELECT * FROM user_presence_segments WHERE start_time >= '2026-10-01' AND start_time < '2026-11-01'")
		var pid int
		if err := conn.QueryRow(ctx, "SELECT pg_backend_pid()").Scan(&pid); err != nil {
			b.Fatal(err)
		}
		if _, err := conn.Exec(ctx, "SET max_parallel_workers_per_gather = 0"); err != nil {
			b.Fatal(err)
		}
		cpuS = -1
		if before, ok := procCPU(pid); ok {
			read(orgMonthOfPresence, "2026-10-01", "2026-10-31")
			if after, ok := procCPU(pid); ok {
				cpuS = after - before
			}
		}
		// The same from the rollup.
		times = times[:0]
		for range 3 {
			n, s := read(orgMonthOfPresenceDays, "2026-10-01", "2026-10-31")
			if n != monthRows {
				b.Fatalf("presence_days_between gave %d rows for October, presence_daily_between %d", n, monthRows)
			}
			rollRows = n
			times = append(times, s)
		}
		slices.Sort(times)
		rollQueryS = times[1]
		rollCPUS = -1
		if before, ok := procCPU(pid); ok {
			read(orgMonthOfPresenceDays, "2026-10-01", "2026-10-31")
			if after, ok := procCPU(pid); ok {
				rollCPUS = after - before
			}
		}
		times = times[:0]
		for _, a := range agents {
			n, s := read(monthOfPresenceDays, "2026-10-01", "2026-10-31", []string{a})
			if n == 0 {
				b.Fatalf("no presence for %s in October from the rollup", a)
			}
			times = append(times, s)
		}
		slices.Sort(times)
		rollAgentS = times[len(times)/2]
		if _, err := conn.Exec(ctx, "RESET max_parallel_workers_per_gather"); err != nil {
			b.Fatal(err)
		}
		conn.Release()

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
	b.ReportMetric(rollPerUserDay/1000, "rollup_kB/user-day")
	b.ReportMetric(rollupS, "rollup_load_s")
	b.ReportMetric(100*rollupS/detailsS, "rollup_load_%")
	b.ReportMetric((segPerUserDay+beforeAggPerUserDay)/1000, "before_kB/user-day")
	b.ReportMetric(beforeAggPerUserDay/aggPerUserDay, "aggregates_before/after")
	b.ReportMetric(perUserDay*50_000*365/1e9, "GB/year-50k-users")
	b.ReportMetric(rowsPerS, "aggregate_rows/s")
	b.ReportMetric(queryS, "agent_month_query_s")
	b.ReportMetric(orgQueryS, "org_month_query_s")
	b.ReportMetric(float64(monthRows), "org_month_query_rows")
	b.ReportMetric(scanS, "org_month_segments_read_s")
	if cpuS >= 0 {
		b.ReportMetric(cpuS, "org_month_query_cpu_s")
	}
	b.ReportMetric(rollQueryS, "org_month_rollup_query_s")
	b.ReportMetric(float64(rollRows), "org_month_rollup_query_rows")
	if rollCPUS >= 0 {
		b.ReportMetric(rollCPUS, "org_month_rollup_query_cpu_s")
	}
	b.ReportMetric(rollAgentS*1000, "agent_month_rollup_query_ms")
	b.ReportMetric(dropS, "drop_month_s")
	b.ReportMetric(droppedMB, "dropped_month_MB")
	b.ReportMetric(0, "ns/op")
}

// monthOfPresence and orgMonthOfPresence are the queries docs/bi.md shows
// for a month of presence per day, of an agent ($3: the agent's id in an
// array) and of the whole org (TestBIDocQueries checks the document's copy);
// the Days forms answer the same from the daily rollup (00011).
const (
	monthOfPresence        = `SELECT day, system_presence, seconds FROM presence_daily_between($1, $2, $3)`
	orgMonthOfPresence     = `SELECT user_id, day, system_presence, seconds FROM presence_daily_between($1, $2)`
	monthOfPresenceDays    = `SELECT day, system_presence, seconds FROM presence_days_between($1, $2, $3)`
	orgMonthOfPresenceDays = `SELECT user_id, day, system_presence, seconds FROM presence_days_between($1, $2)`
)

// procCPU is the CPU seconds (user and system) the process pid has used,
// when it runs on this machine: the database backend of a connection.
func procCPU(pid int) (float64, bool) {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return 0, false
	}
	s := string(b)
	f := strings.Fields(s[strings.LastIndexByte(s, ')')+1:])
	if len(f) < 13 {
		return 0, false
	}
	u, err1 := strconv.ParseFloat(f[11], 64)
	k, err2 := strconv.ParseFloat(f[12], 64)
	if err1 != nil || err2 != nil {
		return 0, false
	}
	return (u + k) / 100, true // clock ticks: USER_HZ is 100 on Linux
}
