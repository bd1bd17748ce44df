package load_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"runtime"
	"runtime/metrics"
	"slices"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/usersync/syncer/internal/load"
	"github.com/usersync/syncer/internal/procstat"
)

// Benchmark sizes; override with SYNCER_BENCH_SEGMENTS and SYNCER_BENCH_USERS
// to show that peak memory does not grow with the row count.
var (
	benchSegments = envInt("SYNCER_BENCH_SEGMENTS", 1_000_000)
	benchUsers    = envInt("SYNCER_BENCH_USERS", 200_000)
)

var benchBatch = envInt("SYNCER_BENCH_BATCH", 10_000)

func envInt(key string, def int) int {
	if v, err := strconv.Atoi(os.Getenv(key)); err == nil && v > 0 {
		return v
	}
	return def
}

// segmentGen produces presence segment i without allocating: 20,000 users,
// ten-minute segments, so every (user, start) is distinct.
type segmentGen struct {
	users []string
	base  time.Time
}

var presences = []string{"AVAILABLE", "BUSY", "AWAY", "BREAK", "MEAL", "MEETING", "TRAINING"}

func newSegmentGen() *segmentGen {
	g := &segmentGen{users: make([]string, 20_000), base: ts("2026-10-01T00:00:00Z")}
	for i := range g.users {
		g.users[i] = fmt.Sprintf("00000000-0000-4000-8000-%012d", i)
	}
	return g
}

func (g *segmentGen) row(i int) load.PresenceSegmentRow {
	u := i % len(g.users)
	start := g.base.Add(time.Duration(i/len(g.users)) * 10 * time.Minute)
	return load.PresenceSegmentRow{UserID: g.users[u], Start: start, End: start.Add(10 * time.Minute),
		SystemPresence: presences[i%len(presences)], OrganizationPresenceID: "6a3af858-942f-489d-9700-5f9bcdcdae9b"}
}

// userGen produces user i with a realistic raw document.
type userGen struct {
	raw json.RawMessage
}

func (g *userGen) row(i int) load.UserRow {
	id := fmt.Sprintf("10000000-0000-4000-8000-%012d", i)
	return load.UserRow{
		ID: id, Name: "Agent " + strconv.Itoa(i), Email: "agent" + strconv.Itoa(i) + "@example.com",
		Username: "agent" + strconv.Itoa(i) + "@example.com", Title: "Agent", Department: "Care",
		State: "active", DivisionID: "d-" + strconv.Itoa(i%20), ManagerID: fmt.Sprintf("10000000-0000-4000-8000-%012d", i/10),
		EmployeeID: "E" + strconv.Itoa(i), AcdAutoAnswer: i%3 == 0, Version: 1 + i%5, Raw: g.raw,
	}
}

// genSource is a CopyFromSource over a generator, for the raw COPY baseline.
type genSource struct {
	n, i int
	vals func(i int) []any
	cur  []any
}

func (s *genSource) Next() bool {
	if s.i >= s.n {
		return false
	}
	s.cur = s.vals(s.i)
	s.i++
	return true
}
func (s *genSource) Values() ([]any, error) { return s.cur, nil }
func (s *genSource) Err() error             { return nil }

// peakSampler records the peak of the Go runtime's total mapped memory
// (heap, stacks, metadata: what the process holds from the OS for Go).
type peakSampler struct {
	peak atomic.Uint64
	stop chan struct{}
	done chan struct{}
}

func startPeakSampler() *peakSampler {
	p := &peakSampler{stop: make(chan struct{}), done: make(chan struct{})}
	s := []metrics.Sample{{Name: "/memory/classes/total:bytes"}, {Name: "/memory/classes/heap/released:bytes"}}
	go func() {
		defer close(p.done)
		t := time.NewTicker(5 * time.Millisecond)
		defer t.Stop()
		for {
			metrics.Read(s)
			if v := s[0].Value.Uint64() - s[1].Value.Uint64(); v > p.peak.Load() {
				p.peak.Store(v)
			}
			select {
			case <-p.stop:
				return
			case <-t.C:
			}
		}
	}()
	return p
}

func (p *peakSampler) Stop() uint64 {
	close(p.stop)
	<-p.done
	return p.peak.Load()
}

// BenchmarkLoad loads benchSegments presence segments and benchUsers users
// with the loader, and the same rows with two raw COPYs in the same run:
//
//   - "copy": into bare tables of the same columns (no key, no index, no
//     constraint): the floor of getting the rows into Postgres at all;
//   - "copy into same tables": into empty copies of the target tables (same
//     columns with their bookkeeping values, keys, indexes and constraints,
//     no history), what a plain COPY into this schema costs, so the gap to
//     the loader is the loader's own work (hashing, staging, change
//     detection, history, delete detection).
//
// It reports rows/s of each, the loader's percentage of both, and the
// process's peak memory. The three are interleaved batch by batch, so load
// from other processes on the machine hits them alike.
//
//	go test -run '^$' -bench BenchmarkLoad -benchtime 1x ./internal/load
func BenchmarkLoad(b *testing.B) {
	ctx := context.Background()
	segs := newSegmentGen()
	ug := &userGen{raw: json.RawMessage(`{"id":"x","name":"Agent","division":{"id":"d","name":"Home"},"chat":{"jabberId":"x@example.com"},"email":"agent@example.com","state":"active","title":"Agent","username":"agent@example.com","version":1,"acdAutoAnswer":false,"selfUri":"/api/v2/users/x"}`)}
	segCols := []string{"user_id", "start_time", "end_time", "system_presence", "organization_presence_id"}
	userCols := []string{"id", "name", "email", "username", "title", "department", "state", "division_id", "manager_id", "employee_id", "acd_auto_answer", "version", "raw"}
	segVals := func(i int) []any {
		r := segs.row(i)
		return []any{r.UserID, r.Start, r.End, r.SystemPresence, r.OrganizationPresenceID}
	}
	userVals := func(i int) []any {
		r := ug.row(i)
		return []any{r.ID, r.Name, r.Email, r.Username, r.Title, r.Department, r.State, r.DivisionID, r.ManagerID, r.EmployeeID, r.AcdAutoAnswer, int32(r.Version), []byte(r.Raw)}
	}
	var loader, bare, same [2]time.Duration // [segments, users]
	var goPeak uint64
	for b.Loop() {
		b.StopTimer()
		loader, bare, same = [2]time.Duration{}, [2]time.Duration{}, [2]time.Duration{}
		e := newEnv(b)
		_, err := e.pool.Exec(ctx, `CREATE TABLE raw_presence (user_id text, start_time timestamptz, end_time timestamptz, system_presence text, organization_presence_id text);
			CREATE TABLE raw_users (id text, name text, email text, username text, title text, department text, state text, division_id text,
			manager_id text, employee_id text, acd_auto_answer boolean, version integer, raw jsonb);
			CREATE TABLE same_presence (LIKE user_presence_segments INCLUDING ALL);
			CREATE TABLE same_users (LIKE users INCLUDING ALL)`)
		if err != nil {
			b.Fatal(err)
		}
		now := time.Now()
		segBook := []any{now, now, nil}               // first_seen_at, updated_at, updated_run
		userBook := []any{[16]byte{1}, now, now, nil} // row_hash, first_seen_at, updated_at, updated_run
		sameSegCols := append(slices.Clone(segCols), "first_seen_at", "updated_at", "updated_run")
		sameUserCols := append(slices.Clone(userCols), "row_hash", "first_seen_at", "updated_at", "updated_run")
		// copyBatch COPYs rows [i, end) into both baselines, timing each.
		copyBatch := func(k, i, end int, vals func(int) []any, bareTable, sameTable string, cols, sameCols []string, book []any) {
			start := time.Now()
			if _, err := e.pool.CopyFrom(ctx, pgx.Identifier{bareTable}, cols, &genSource{n: end - i, vals: func(j int) []any { return vals(i + j) }}); err != nil {
				b.Fatal(err)
			}
			bare[k] += time.Since(start)
			start = time.Now()
			if _, err := e.pool.CopyFrom(ctx, pgx.Identifier{sameTable}, sameCols, &genSource{n: end - i, vals: func(j int) []any { return append(vals(i+j), book...) }}); err != nil {
				b.Fatal(err)
			}
			same[k] += time.Since(start)
		}
		runtime.GC()
		sampler := startPeakSampler()
		b.StartTimer()

		tx, err := e.loader.Begin(ctx, load.Stream{Pipeline: "bench", Name: "user_details"})
		if err != nil {
			b.Fatal(err)
		}
		batch := make([]load.PresenceSegmentRow, 0, benchBatch)
		for i := 0; i < benchSegments; i += benchBatch {
			end := min(i+benchBatch, benchSegments)
			copyBatch(0, i, end, segVals, "raw_presence", "same_presence", segCols, sameSegCols, segBook)
			start := time.Now()
			batch = batch[:0]
			for j := i; j < end; j++ {
				batch = append(batch, segs.row(j))
			}
			if err := tx.PresenceSegments(ctx, batch); err != nil {
				b.Fatal(err)
			}
			loader[0] += time.Since(start)
		}
		start := time.Now()
		stats, err := tx.Commit(ctx, &load.Watermark{Time: time.Now()})
		if err != nil {
			b.Fatal(err)
		}
		loader[0] += time.Since(start)
		if got := stats["user_presence_segments"].Inserted; got != int64(benchSegments) {
			b.Fatalf("loader inserted %d segments, want %d", got, benchSegments)
		}

		tx, err = e.loader.Begin(ctx, load.Stream{Pipeline: "bench", Name: "users", Snapshot: true})
		if err != nil {
			b.Fatal(err)
		}
		users := make([]load.UserRow, 0, benchBatch)
		for i := 0; i < benchUsers; i += benchBatch {
			end := min(i+benchBatch, benchUsers)
			copyBatch(1, i, end, userVals, "raw_users", "same_users", userCols, sameUserCols, userBook)
			start := time.Now()
			users = users[:0]
			for j := i; j < end; j++ {
				users = append(users, ug.row(j))
			}
			if err := tx.Users(ctx, users); err != nil {
				b.Fatal(err)
			}
			loader[1] += time.Since(start)
		}
		start = time.Now()
		stats, err = tx.Commit(ctx, nil)
		if err != nil {
			b.Fatal(err)
		}
		loader[1] += time.Since(start)
		goPeak = sampler.Stop()
		if got := stats["users"].Inserted; got != int64(benchUsers) {
			b.Fatalf("loader inserted %d users, want %d", got, benchUsers)
		}
	}
	rows := [2]float64{float64(benchSegments), float64(benchUsers)}
	rate := func(d [2]time.Duration) float64 { return (rows[0] + rows[1]) / (d[0] + d[1]).Seconds() }
	b.ReportMetric(rate(loader), "loader_rows/s")
	b.ReportMetric(rate(bare), "copy_rows/s")
	b.ReportMetric(rate(same), "copy_same_tables_rows/s")
	b.ReportMetric(100*rate(loader)/rate(bare), "loader_%_of_copy")
	b.ReportMetric(100*rate(loader)/rate(same), "loader_%_of_copy_same_tables")
	b.ReportMetric(100*bare[0].Seconds()/loader[0].Seconds(), "segments_%_of_copy")
	b.ReportMetric(100*bare[1].Seconds()/loader[1].Seconds(), "users_%_of_copy")
	b.ReportMetric(100*same[0].Seconds()/loader[0].Seconds(), "segments_%_of_copy_same_tables")
	b.ReportMetric(100*same[1].Seconds()/loader[1].Seconds(), "users_%_of_copy_same_tables")
	for k, name := range []string{"segments", "users"} {
		b.Logf("%s: loader %.0f rows/s, raw COPY %.0f rows/s, COPY into same tables %.0f rows/s", name,
			rows[k]/loader[k].Seconds(), rows[k]/bare[k].Seconds(), rows[k]/same[k].Seconds())
	}
	b.ReportMetric(float64(goPeak)/(1<<20), "MB_peak_go")
	b.ReportMetric(float64(procstat.HWM(os.Getpid()))/(1<<20), "MB_peak_rss")
	b.ReportMetric(0, "ns/op")
}
