package pipeline_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/usersync/syncer/internal/load"
	"github.com/usersync/syncer/internal/pgtest"
	"github.com/usersync/syncer/internal/pipeline"
	"github.com/usersync/syncer/internal/store"
)

type env struct {
	pool   *pgxpool.Pool
	store  *store.Store
	runner *pipeline.Runner
}

func newEnv(t testing.TB) *env {
	t.Helper()
	dbURL, schema := pgtest.Schema(t)
	pool := pgtest.Pool(t, dbURL, schema)
	st := store.New(pool, store.Config{Schema: schema})
	if _, err := st.Migrate(context.Background()); err != nil {
		t.Fatalf("migrate: %v", err)
	}
	ld := load.New(pool, load.Config{Schema: schema})
	return &env{pool: pool, store: st, runner: pipeline.NewRunner(st, ld, pipeline.Config{Accounting: pipeline.GenesysAccounting, Exclusive: true})}
}

func (e *env) count(t *testing.T, q string, args ...any) int {
	t.Helper()
	var n int
	if err := e.pool.QueryRow(context.Background(), q, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return n
}

func divisions(ids ...string) pipeline.Stream {
	return pipeline.Stream{Name: "reference", Snapshot: true, Load: func(ctx context.Context, tx *load.Tx, p *pipeline.StreamProgress) (*load.Watermark, error) {
		rows := make([]load.DivisionRow, len(ids))
		for i, id := range ids {
			rows[i] = load.DivisionRow{ID: id, Name: "Division " + id}
		}
		p.AddTotal(1)
		p.Rows(int64(len(rows)))
		p.Done(1)
		return nil, tx.Divisions(ctx, rows)
	}}
}

func TestRunRecordsStreamsAndCommits(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	wm := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	skills := pipeline.Stream{Name: "skills", After: []string{"reference"}, Load: func(ctx context.Context, tx *load.Tx, p *pipeline.StreamProgress) (*load.Watermark, error) {
		p.MinCalls(3)
		return &load.Watermark{Time: wm}, tx.Skills(ctx, []load.SkillRow{{ID: "s1", Name: "Billing"}})
	}}
	sum, err := e.runner.Run(context.Background(), "nightly", []pipeline.Stream{divisions("d1", "d2"), skills}, nil)
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	if sum.Outcome != pipeline.OutcomeSucceeded || sum.Rows() != 3 || len(sum.Streams) != 2 {
		t.Fatalf("summary = %+v", sum)
	}
	if n := e.count(t, "SELECT count(*) FROM divisions WHERE deleted_at IS NULL"); n != 2 {
		t.Errorf("divisions = %d, want 2", n)
	}
	run, err := e.store.Run(context.Background(), sum.RunID)
	if err != nil || run.Status != store.StatusSucceeded || run.FinishedAt.IsZero() {
		t.Errorf("run record = %+v, %v", run, err)
	}
	srs, err := e.store.StreamRuns(context.Background(), sum.RunID)
	if err != nil || len(srs) != 2 {
		t.Fatalf("stream runs = %+v, %v", srs, err)
	}
	for _, sr := range srs {
		if sr.Status != store.StatusSucceeded {
			t.Errorf("stream run %s = %s", sr.Stream, sr.Status)
		}
		if sr.Stream == "skills" && sr.DecodeMinCalls() != 3 {
			t.Errorf("stream run skills recorded calls %s, want its minimum 3", sr.Calls)
		}
	}
	got, err := e.store.Watermark(context.Background(), "nightly", "skills")
	if err != nil || !got.Watermark.Equal(wm) {
		t.Errorf("watermark = %+v, %v; want %s", got, err, wm)
	}
}

func TestFailedStreamCommitsNothingAndSkipsDependents(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	boom := errors.New("api answered 500 three times")
	failing := pipeline.Stream{Name: "users", Load: func(ctx context.Context, tx *load.Tx, p *pipeline.StreamProgress) (*load.Watermark, error) {
		if err := tx.Users(ctx, []load.UserRow{{ID: "u1", Name: "Ann", State: "active"}}); err != nil {
			return nil, err
		}
		return nil, boom // after a batch was staged
	}}
	dependent := pipeline.Stream{Name: "queues", After: []string{"users"}, Load: func(ctx context.Context, tx *load.Tx, p *pipeline.StreamProgress) (*load.Watermark, error) {
		t.Error("dependent stream ran after its dependency failed")
		return nil, nil
	}}
	sum, err := e.runner.Run(context.Background(), "nightly", []pipeline.Stream{failing, dependent, divisions("d1")}, nil)
	if !errors.Is(err, boom) {
		t.Fatalf("Run error = %v, want it to wrap %v", err, boom)
	}
	if sum.Outcome != pipeline.OutcomeFailed {
		t.Errorf("outcome = %s", sum.Outcome)
	}
	if n := e.count(t, "SELECT count(*) FROM users"); n != 0 {
		t.Errorf("users = %d after a failed stream, want 0", n)
	}
	if n := e.count(t, "SELECT count(*) FROM divisions"); n != 1 {
		t.Errorf("independent stream did not commit: divisions = %d", n)
	}
	byName := map[string]string{}
	for _, r := range sum.Streams {
		byName[r.Name] = r.Outcome
	}
	if byName["users"] != pipeline.OutcomeFailed || byName["queues"] != pipeline.OutcomeSkipped || byName["reference"] != pipeline.OutcomeSucceeded {
		t.Errorf("stream outcomes = %v", byName)
	}
	run, _ := e.store.Run(context.Background(), sum.RunID)
	if run.Status != store.StatusFailed || run.Error == "" {
		t.Errorf("run record = %+v", run)
	}
}

func TestInterruptedRunIsRecordedAndCommitsNothingPartial(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx, cancel := context.WithCancel(context.Background())
	slow := pipeline.Stream{Name: "users", Load: func(ctx context.Context, tx *load.Tx, p *pipeline.StreamProgress) (*load.Watermark, error) {
		if err := tx.Users(ctx, []load.UserRow{{ID: "u1", Name: "Ann", State: "active"}}); err != nil {
			return nil, err
		}
		cancel() // SIGINT arrives mid-stream
		<-ctx.Done()
		return nil, ctx.Err()
	}}
	sum, err := e.runner.Run(ctx, "nightly", []pipeline.Stream{slow}, nil)
	if err == nil || sum.Outcome != pipeline.OutcomeInterrupted {
		t.Fatalf("Run = %v, outcome %s; want interrupted", err, sum.Outcome)
	}
	if n := e.count(t, "SELECT count(*) FROM users"); n != 0 {
		t.Errorf("users = %d after an interrupted stream, want 0", n)
	}
	run, err := e.store.Run(context.Background(), sum.RunID)
	if err != nil || run.Status != store.StatusInterrupted {
		t.Errorf("run record = %+v, %v", run, err)
	}
}

func TestStaleRunningRunsAreMarkedInterrupted(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	crashed, err := e.store.StartRun(ctx, "nightly") // a process died here
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.runner.Run(ctx, "nightly", []pipeline.Stream{divisions("d1")}, nil); err != nil {
		t.Fatal(err)
	}
	run, err := e.store.Run(ctx, crashed)
	if err != nil || run.Status != store.StatusInterrupted {
		t.Errorf("crashed run = %+v, %v; want interrupted", run, err)
	}
}

func TestInvalidStreamGraphs(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	noop := func(ctx context.Context, tx *load.Tx, p *pipeline.StreamProgress) (*load.Watermark, error) {
		return nil, nil
	}
	tests := map[string][]pipeline.Stream{
		"cycle":   {{Name: "a", After: []string{"b"}, Load: noop}, {Name: "b", After: []string{"a"}, Load: noop}},
		"missing": {{Name: "a", After: []string{"zzz"}, Load: noop}},
		"dup":     {{Name: "a", Load: noop}, {Name: "a", Load: noop}},
		"no load": {{Name: "a"}},
	}
	for name, streams := range tests {
		if _, err := e.runner.Run(context.Background(), "p", streams, nil); err == nil {
			t.Errorf("%s: Run accepted an invalid stream graph", name)
		}
	}
}

func TestCallStatsSub(t *testing.T) {
	t.Parallel()
	before := pipeline.CallStats{Total: 3, ByEndpoint: map[string]map[int]int64{"GET /api/v2/users": {200: 3}}}
	after := pipeline.CallStats{Total: 10, RateLimited: 1, ByEndpoint: map[string]map[int]int64{"GET /api/v2/users": {200: 8, 429: 1}, "GET /api/v2/routing/queues": {200: 1}}}
	d := after.Sub(before)
	if d.Total != 7 || d.RateLimited != 1 || d.ByEndpoint["GET /api/v2/users"][200] != 5 || d.ByEndpoint["GET /api/v2/routing/queues"][200] != 1 {
		t.Errorf("Sub = %+v", d)
	}
}

func TestRunnerWithoutTheLockLeavesOtherRunsAlone(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	other, err := e.store.StartRun(ctx, "reverse-refresh") // a refresh of another apply, still going
	if err != nil {
		t.Fatal(err)
	}
	shared := pipeline.NewRunner(e.store, load.New(e.pool, load.Config{Schema: e.store.Schema()}), pipeline.Config{})
	if _, err := shared.Run(ctx, "reverse-refresh", []pipeline.Stream{divisions("d1")}, nil); err != nil {
		t.Fatal(err)
	}
	run, err := e.store.Run(ctx, other)
	if err != nil || run.Status != store.StatusRunning {
		t.Errorf("the other run = %+v, %v; want it still running", run, err)
	}
}
