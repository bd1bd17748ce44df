package schedule_test

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/usersync/syncer/internal/load"
	"github.com/usersync/syncer/internal/pgtest"
	"github.com/usersync/syncer/internal/pipeline"
	"github.com/usersync/syncer/internal/schedule"
	"github.com/usersync/syncer/internal/schedule/metricstest"
	"github.com/usersync/syncer/internal/store"
)

// replica is what one `syncer serve` process has: its own pool, store,
// loader and runner on the shared schema.
type replica struct {
	pool   *pgxpool.Pool
	store  *store.Store
	runner *pipeline.Runner
}

// newSchema returns a fresh migrated schema.
func newSchema(t *testing.T) (dbURL, schema string) {
	t.Helper()
	dbURL, schema = pgtest.Schema(t)
	st := store.New(pgtest.Pool(t, dbURL, schema), store.Config{Schema: schema})
	if _, err := st.Migrate(context.Background()); err != nil {
		t.Fatalf("migrate: %v", err)
	}
	t.Cleanup(func() {
		if !t.Failed() {
			return
		}
		runs, err := st.Runs(context.Background(), "", 50)
		if err != nil {
			t.Logf("runs: %v", err)
		}
		for _, r := range runs {
			t.Logf("run %d %s %s %s..%s %s", r.ID, r.Pipeline, r.Status, r.StartedAt.Format("15:04:05.000"), r.FinishedAt.Format("15:04:05.000"), r.Error)
		}
	})
	return dbURL, schema
}

func newReplica(t *testing.T, dbURL, schema string, calls pipeline.CallSource) *replica {
	t.Helper()
	pool := pgtest.Pool(t, dbURL, schema)
	return replicaOn(pool, schema, calls)
}

func replicaOn(pool *pgxpool.Pool, schema string, calls pipeline.CallSource) *replica {
	st := store.New(pool, store.Config{Schema: schema})
	ld := load.New(pool, load.Config{Schema: schema})
	return &replica{pool: pool, store: st, runner: pipeline.NewRunner(st, ld, pipeline.Config{Calls: calls})}
}

// workload describes a synthetic run: a reference stream that commits
// divisions, then a users stream loading batches of users with a pause
// before each, watching ctx like a real extract.
type workload struct {
	batches   int           // users batches; < 0: until cancelled
	perBatch  int           // users per batch
	pause     time.Duration // before each batch
	fail      *atomic.Bool  // when set, the users stream fails after its first batch
	staged    chan struct{} // closed (once) when the first users batch is staged
	stagedOne atomic.Bool
	calls     func(ctx context.Context) error // made once per batch, e.g. a real API call
}

func (w *workload) run(r *replica) schedule.RunFunc {
	return func(ctx context.Context, name string) (schedule.Result, error) {
		// Each pipeline its own rows: these tests are about scheduling, not
		// about pipelines that load the same entities at the same time.
		ref := pipeline.Stream{Name: "reference", Load: func(ctx context.Context, tx *load.Tx, p *pipeline.StreamProgress) (*load.Watermark, error) {
			return nil, tx.Divisions(ctx, []load.DivisionRow{{ID: name + "-d1", Name: name + " Sales"}, {ID: name + "-d2", Name: name + " Support"}})
		}}
		users := pipeline.Stream{Name: "users", After: []string{"reference"}, Load: func(ctx context.Context, tx *load.Tx, p *pipeline.StreamProgress) (*load.Watermark, error) {
			for b := 0; w.batches < 0 || b < w.batches; b++ {
				select {
				case <-ctx.Done():
					return nil, context.Cause(ctx)
				case <-time.After(w.pause):
				}
				if w.calls != nil {
					if err := w.calls(ctx); err != nil {
						return nil, err
					}
				}
				rows := make([]load.UserRow, w.perBatch)
				for i := range rows {
					id := fmt.Sprintf("%s-u%05d", name, b*w.perBatch+i)
					rows[i] = load.UserRow{ID: id, Name: "User " + id, State: "active", DivisionID: name + "-d1"}
				}
				if err := tx.Users(ctx, rows); err != nil {
					return nil, err
				}
				p.Rows(int64(len(rows)))
				if w.staged != nil && w.stagedOne.CompareAndSwap(false, true) {
					close(w.staged)
				}
				if w.fail != nil && w.fail.Load() {
					return nil, fmt.Errorf("users page %d: api answered 503 too many times", b+1)
				}
			}
			return &load.Watermark{Time: time.Now().UTC()}, nil
		}}
		sum, err := r.runner.Run(ctx, name, []pipeline.Stream{ref, users}, nil)
		return resultOf(sum), err
	}
}

// resultOf is what the scheduler is told of a pipeline run: its record,
// its outcome, its calls, and the rows its committed streams loaded.
func resultOf(sum pipeline.Summary) schedule.Result {
	res := schedule.Result{RunID: sum.RunID, Outcome: sum.Outcome, Calls: store.RunCalls(sum.Calls), Rows: map[string]schedule.TableRows{}}
	for _, s := range sum.Streams {
		for table, ts := range s.Stats {
			if s.Outcome == pipeline.OutcomeSucceeded {
				t := res.Rows[table]
				t.Inserted, t.Updated, t.Unchanged, t.Deleted = t.Inserted+ts.Inserted, t.Updated+ts.Updated, t.Unchanged+ts.Unchanged, t.Deleted+ts.Deleted
				res.Rows[table] = t
			}
		}
	}
	return res
}

func count(t *testing.T, pool *pgxpool.Pool, q string, args ...any) int {
	t.Helper()
	var n int
	if err := pool.QueryRow(context.Background(), q, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return n
}

// overlaps counts pairs of runs of one pipeline whose recorded intervals
// intersect. A run's interval is [started_at, finished_at), an unfinished
// one open-ended: recorded intervals only ever contain the real ones.
const overlaps = `SELECT count(*) FROM sync_runs a JOIN sync_runs b
	ON a.pipeline = b.pipeline AND a.id < b.id
	AND tstzrange(a.started_at, a.finished_at, '[)') && tstzrange(b.started_at, b.finished_at, '[)')`

// waitFor polls cond until it holds or the timeout passes.
func waitFor(t *testing.T, timeout time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %s waiting for %s", timeout, what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func testLogger(t *testing.T) *slog.Logger {
	if os.Getenv("SCHEDULE_TEST_LOG") != "" {
		return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	return nil
}

// start runs s in the background; the returned stop cancels it and
// returns Run's error and how long Run took to return after the cancel.
func start(t *testing.T, s *schedule.Scheduler) (stop func() (time.Duration, error)) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.Run(ctx) }()
	var once atomic.Bool
	stop = func() (time.Duration, error) {
		if !once.CompareAndSwap(false, true) {
			return 0, nil
		}
		at := time.Now()
		cancel()
		select {
		case err := <-done:
			return time.Since(at), err
		case <-time.After(30 * time.Second):
			t.Fatal("scheduler did not stop within 30s")
			return 0, nil
		}
	}
	t.Cleanup(func() { stop() })
	return stop
}

// value returns the sum of the series name{labels} (pairs of label name
// and value; series with more labels count too) in reg, 0 when none exists.
func value(t *testing.T, reg *prometheus.Registry, name string, labels ...string) float64 {
	t.Helper()
	v, _ := metricstest.Sum(metricstest.Gather(t, reg)[name], labels...)
	return v
}

// logBuffer collects a JSON log safely across goroutines.
type logBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// lines returns the log lines whose message is msg.
func (l *logBuffer) lines(msg string) []string {
	var out []string
	for _, line := range strings.Split(l.String(), "\n") {
		if strings.Contains(line, `"msg":"`+msg+`"`) {
			out = append(out, line)
		}
	}
	return out
}

func (l *logBuffer) logger() *slog.Logger {
	return slog.New(slog.NewJSONHandler(l, &slog.HandlerOptions{Level: slog.LevelDebug}))
}
