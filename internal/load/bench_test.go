package load_test

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"runtime"
	"runtime/metrics"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/usersync/syncer/internal/load"
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

// vmHWM returns the process's peak resident set size in bytes (Linux), or 0.
func vmHWM() uint64 {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), "VmHWM:"); ok {
			kb, _ := strconv.ParseUint(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
			return kb * 1024
		}
	}
	return 0
}

// BenchmarkLoad loads benchSegments presence segments and benchUsers users
// with the loader, and the same rows with a raw COPY into plain tables (no
// index, no merge) in the same run, and reports both rates, their ratio and
// the process's peak memory. The two are interleaved batch by batch, so load
// from other processes on the machine hits both alike.
//
//	go test -run '^$' -bench BenchmarkLoad -benchtime 1x ./internal/load
func BenchmarkLoad(b *testing.B) {
	ctx := context.Background()
	segs := newSegmentGen()
	ug := &userGen{raw: json.RawMessage(`{"id":"x","name":"Agent","division":{"id":"d","name":"Home"},"chat":{"jabberId":"x@example.com"},"email":"agent@example.com","state":"active","title":"Agent","username":"agent@example.com","version":1,"acdAutoAnswer":false,"selfUri":"/api/v2/users/x"}`)}
	segCols := []string{"user_id", "start_time", "end_time", "system_presence", "organization_presence_id"}
	userCols := []string{"id", "name", "email", "username", "title", "department", "state", "division_id", "manager_id", "employee_id", "acd_auto_answer", "version", "raw"}
	var loaderSeg, loaderUser, copySeg, copyUser time.Duration
	var goPeak uint64
	for b.Loop() {
		b.StopTimer()
		loaderSeg, loaderUser, copySeg, copyUser = 0, 0, 0, 0
		e := newEnv(b)
		_, err := e.pool.Exec(ctx, `CREATE TABLE raw_presence (user_id text, start_time timestamptz, end_time timestamptz, system_presence text, organization_presence_id text);
			CREATE TABLE raw_users (id text, name text, email text, username text, title text, department text, state text, division_id text,
			manager_id text, employee_id text, acd_auto_answer boolean, version integer, raw jsonb)`)
		if err != nil {
			b.Fatal(err)
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
			start := time.Now()
			if _, err := e.pool.CopyFrom(ctx, pgx.Identifier{"raw_presence"}, segCols, &genSource{n: end - i, vals: func(j int) []any {
				r := segs.row(i + j)
				return []any{r.UserID, r.Start, r.End, r.SystemPresence, r.OrganizationPresenceID}
			}}); err != nil {
				b.Fatal(err)
			}
			copySeg += time.Since(start)
			start = time.Now()
			batch = batch[:0]
			for j := i; j < end; j++ {
				batch = append(batch, segs.row(j))
			}
			if err := tx.PresenceSegments(ctx, batch); err != nil {
				b.Fatal(err)
			}
			loaderSeg += time.Since(start)
		}
		start := time.Now()
		stats, err := tx.Commit(ctx, &load.Watermark{Time: time.Now()})
		if err != nil {
			b.Fatal(err)
		}
		loaderSeg += time.Since(start)
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
			start := time.Now()
			if _, err := e.pool.CopyFrom(ctx, pgx.Identifier{"raw_users"}, userCols, &genSource{n: end - i, vals: func(j int) []any {
				r := ug.row(i + j)
				return []any{r.ID, r.Name, r.Email, r.Username, r.Title, r.Department, r.State, r.DivisionID, r.ManagerID, r.EmployeeID, r.AcdAutoAnswer, int32(r.Version), []byte(r.Raw)}
			}}); err != nil {
				b.Fatal(err)
			}
			copyUser += time.Since(start)
			start = time.Now()
			users = users[:0]
			for j := i; j < end; j++ {
				users = append(users, ug.row(j))
			}
			if err := tx.Users(ctx, users); err != nil {
				b.Fatal(err)
			}
			loaderUser += time.Since(start)
		}
		start = time.Now()
		stats, err = tx.Commit(ctx, nil)
		if err != nil {
			b.Fatal(err)
		}
		loaderUser += time.Since(start)
		goPeak = sampler.Stop()
		if got := stats["users"].Inserted; got != int64(benchUsers) {
			b.Fatalf("loader inserted %d users, want %d", got, benchUsers)
		}
	}
	total := float64(benchSegments + benchUsers)
	loaderAll := total / (loaderSeg + loaderUser).Seconds()
	copyAll := total / (copySeg + copyUser).Seconds()
	b.ReportMetric(loaderAll, "loader_rows/s")
	b.ReportMetric(copyAll, "copy_rows/s")
	b.ReportMetric(100*loaderAll/copyAll, "loader_%_of_copy")
	b.ReportMetric(100*copySeg.Seconds()/loaderSeg.Seconds(), "segments_%_of_copy")
	b.ReportMetric(100*copyUser.Seconds()/loaderUser.Seconds(), "users_%_of_copy")
	b.Logf("segments: loader %.0f rows/s, raw COPY %.0f rows/s; users: loader %.0f rows/s, raw COPY %.0f rows/s",
		float64(benchSegments)/loaderSeg.Seconds(), float64(benchSegments)/copySeg.Seconds(),
		float64(benchUsers)/loaderUser.Seconds(), float64(benchUsers)/copyUser.Seconds())
	b.ReportMetric(float64(goPeak)/(1<<20), "MB_peak_go")
	b.ReportMetric(float64(vmHWM())/(1<<20), "MB_peak_rss")
	b.ReportMetric(0, "ns/op")
}
