package schedule_test

import (
	"context"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/usersync/syncer/internal/schedule"
	"github.com/usersync/syncer/internal/store"
)

func TestSkipsTickWhileStillRunning(t *testing.T) {
	t.Parallel()
	dbURL, schema := newSchema(t)
	r := newReplica(t, dbURL, schema, nil)
	// A run takes ~2.4s; ticks come every second.
	w := &workload{batches: 6, perBatch: 10, pause: 400 * time.Millisecond}
	s, err := schedule.New(r.store, []schedule.Job{{Name: "slow", Schedule: "@every 1s", Run: w.run(r)}},
		schedule.Config{LeaseTTL: 2 * time.Second, ShutdownGrace: 10 * time.Second, Logger: testLogger(t)})
	if err != nil {
		t.Fatal(err)
	}
	stop := start(t, s)
	waitFor(t, 10*time.Second, "two skipped ticks", func() bool { return s.Status()[0].SkippedTicks >= 2 })
	if _, err := stop(); err != nil {
		t.Fatalf("Run: %v", err)
	}
	st := s.Status()[0]
	if st.LastSkipped == nil {
		t.Error("status has skips but no last_skipped time")
	}
	if got := value(t, s.Metrics().Registry(), "syncer_skipped_runs_total", "pipeline", "slow", "reason", "running"); got < 2 {
		t.Errorf("syncer_skipped_runs_total{reason=running} = %v, want >= 2", got)
	}
	// The run that was going when the skips happened finished in the grace
	// period; nothing ran twice at once.
	if n := count(t, r.pool, "SELECT count(*) FROM sync_runs WHERE status = 'succeeded'"); n < 1 {
		t.Errorf("succeeded runs = %d, want >= 1", n)
	}
	if n := count(t, r.pool, overlaps); n != 0 {
		t.Errorf("%d pairs of overlapping runs", n)
	}
	if n := count(t, r.pool, "SELECT count(*) FROM users"); n != 60 {
		t.Errorf("users = %d, want 60", n)
	}
}

func TestGracefulShutdown(t *testing.T) {
	t.Parallel()
	dbURL, schema := newSchema(t)
	r := newReplica(t, dbURL, schema, nil)
	// "endless" never finishes on its own; "quick" finishes within the
	// grace period after the stop.
	endless := &workload{batches: -1, perBatch: 50, pause: 30 * time.Millisecond, staged: make(chan struct{})}
	quick := &workload{batches: 4, perBatch: 10, pause: 100 * time.Millisecond, staged: make(chan struct{})}
	const grace = 3 * time.Second
	s, err := schedule.New(r.store, []schedule.Job{
		{Name: "endless", Run: endless.run(r)},
		{Name: "quick", Run: quick.run(r)},
	}, schedule.Config{RunOnStart: true, ShutdownGrace: grace, LeaseTTL: 2 * time.Second, Logger: testLogger(t)})
	if err != nil {
		t.Fatal(err)
	}
	stop := start(t, s)
	<-endless.staged
	<-quick.staged
	took, err := stop()
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	// Exit within the grace period plus the time to roll back and record.
	if took < grace || took > grace+5*time.Second {
		t.Errorf("Run returned %s after the stop; want the grace period (%s) plus a little", took, grace)
	}
	runs, err := r.store.Runs(context.Background(), "", 10)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, run := range runs {
		got[run.Pipeline] = run.Status
		if run.FinishedAt.IsZero() {
			t.Errorf("run %d of %s left unfinished", run.ID, run.Pipeline)
		}
	}
	if len(runs) != 2 || got["endless"] != store.StatusInterrupted || got["quick"] != store.StatusSucceeded {
		t.Fatalf("runs = %v, want endless interrupted and quick succeeded", got)
	}
	// Consistent data: the interrupted run's users stream committed nothing,
	// its reference stream (committed before) stays; quick's are complete.
	endlessRun := runs[0]
	if endlessRun.Pipeline != "endless" {
		endlessRun = runs[1]
	}
	srs, err := r.store.StreamRuns(context.Background(), endlessRun.ID)
	if err != nil {
		t.Fatal(err)
	}
	for _, sr := range srs {
		want := map[string]string{"reference": store.StatusSucceeded, "users": store.StatusInterrupted}[sr.Stream]
		if sr.Status != want {
			t.Errorf("endless stream %s = %s, want %s", sr.Stream, sr.Status, want)
		}
	}
	if n := count(t, r.pool, "SELECT count(*) FROM users"); n != 40 {
		t.Errorf("users = %d, want quick's 40 only (endless rolled back)", n)
	}
	if n := count(t, r.pool, "SELECT count(*) FROM sync_watermarks WHERE pipeline = 'endless' AND stream = 'users'"); n != 0 {
		t.Errorf("interrupted stream advanced its watermark")
	}
	reg := s.Metrics().Registry()
	if v := value(t, reg, "syncer_runs_total", "pipeline", "endless", "outcome", "interrupted"); v != 1 {
		t.Errorf("syncer_runs_total{endless,interrupted} = %v", v)
	}
	if v := value(t, reg, "syncer_rows_loaded_total", "pipeline", "endless", "table", "users"); v != 0 {
		t.Errorf("rows loaded by the interrupted run = %v, want 0 (rolled back)", v)
	}
	if v := value(t, reg, "syncer_rows_loaded_total", "pipeline", "quick", "table", "users", "change", "inserted"); v != 40 {
		t.Errorf("users inserted by quick = %v, want 40", v)
	}
}

func TestReplicasNeverRunOnePipelineAtOnce(t *testing.T) {
	t.Parallel()
	dbURL, schema := newSchema(t)
	var scheds []*schedule.Scheduler
	var stops []func() (time.Duration, error)
	var r *replica
	for range 2 {
		r = newReplica(t, dbURL, schema, nil)
		a := &workload{batches: 3, perBatch: 5, pause: 150 * time.Millisecond}
		b := &workload{batches: 1, perBatch: 5, pause: 50 * time.Millisecond}
		s, err := schedule.New(r.store, []schedule.Job{
			{Name: "a", Schedule: "@every 1s", Run: a.run(r)},
			{Name: "b", Schedule: "@every 1s", Run: b.run(r)},
		}, schedule.Config{RunOnStart: true, LeaseTTL: 2 * time.Second, Logger: testLogger(t)})
		if err != nil {
			t.Fatal(err)
		}
		scheds = append(scheds, s)
		stops = append(stops, start(t, s))
	}
	began := time.Now()
	succeeded := func(p string) int {
		return count(t, r.pool, "SELECT count(*) FROM sync_runs WHERE pipeline = $1 AND status = 'succeeded'", p)
	}
	waitFor(t, 30*time.Second, "three runs of each pipeline", func() bool { return succeeded("a") >= 3 && succeeded("b") >= 3 })
	for _, stop := range stops {
		if _, err := stop(); err != nil {
			t.Fatalf("Run: %v", err)
		}
	}
	ticks := int(time.Since(began)/time.Second) + 3 // the start, one a second, and slack for the first replica starting earlier
	if n := count(t, r.pool, overlaps); n != 0 {
		t.Errorf("%d pairs of overlapping runs of one pipeline", n)
	}
	for _, p := range []string{"a", "b"} {
		// Each tick is run once across both replicas, never twice.
		if n := count(t, r.pool, "SELECT count(*) FROM sync_runs WHERE pipeline = $1", p); n > ticks {
			t.Errorf("pipeline %s: %d runs for at most %d ticks", p, n, ticks)
		}
	}
	// Both replicas saw ticks the other one had (or was) running.
	var lost float64
	for _, s := range scheds {
		for _, res := range []string{schedule.TickHeldElsewhere, schedule.TickAlreadyRan} {
			lost += value(t, s.Metrics().Registry(), "syncer_schedule_ticks_total", "pipeline", "a", "result", res)
		}
	}
	if lost == 0 {
		t.Error("no tick was ever left to the other replica: were both scheduling?")
	}
}

func TestFailingPipelineBacksOffAlone(t *testing.T) {
	t.Parallel()
	dbURL, schema := newSchema(t)
	r := newReplica(t, dbURL, schema, nil)
	failing := &atomic.Bool{}
	failing.Store(true)
	bad := &workload{batches: 1, perBatch: 3, fail: failing}
	good := &workload{batches: 1, perBatch: 3}
	s, err := schedule.New(r.store, []schedule.Job{
		{Name: "bad", Schedule: "@every 1s", Run: bad.run(r)},
		{Name: "good", Schedule: "@every 1s", Run: good.run(r)},
	}, schedule.Config{LeaseTTL: 2 * time.Second, Backoff: 1500 * time.Millisecond, MaxBackoff: 3 * time.Second, Logger: testLogger(t)})
	if err != nil {
		t.Fatal(err)
	}
	stop := start(t, s)
	reg := s.Metrics().Registry()
	waitFor(t, 15*time.Second, "two consecutive failures and a backoff skip", func() bool {
		return value(t, reg, "syncer_consecutive_failures", "pipeline", "bad") >= 2 &&
			value(t, reg, "syncer_skipped_runs_total", "pipeline", "bad", "reason", "backoff") >= 1
	})
	// Meanwhile the good pipeline ran at every tick.
	if v := value(t, reg, "syncer_runs_total", "pipeline", "good", "outcome", "succeeded"); v < 1 {
		t.Errorf("good pipeline succeeded %v times while bad failed twice, want >= 1", v)
	}
	if v := value(t, reg, "syncer_skipped_runs_total", "pipeline", "good", "reason", "backoff"); v != 0 {
		t.Errorf("good pipeline skipped %v ticks backing off", v)
	}
	if v := value(t, reg, "syncer_consecutive_failures", "pipeline", "good"); v != 0 {
		t.Errorf("good pipeline consecutive failures = %v", v)
	}
	// Fixed: the next allowed tick succeeds and resets the gauge.
	failing.Store(false)
	waitFor(t, 15*time.Second, "the failing pipeline to recover", func() bool {
		return value(t, reg, "syncer_runs_total", "pipeline", "bad", "outcome", "succeeded") >= 1
	})
	if v := value(t, reg, "syncer_consecutive_failures", "pipeline", "bad"); v != 0 {
		t.Errorf("consecutive failures after a success = %v", v)
	}
	if v := value(t, reg, "syncer_last_success_timestamp_seconds", "pipeline", "bad"); v < float64(time.Now().Add(-time.Minute).Unix()) {
		t.Errorf("last success timestamp = %v", v)
	}
	if _, err := stop(); err != nil {
		t.Fatal(err)
	}
}

func TestLostLockInterruptsTheRunBeforeAnotherReplicaTakesOver(t *testing.T) {
	t.Parallel()
	dbURL, schema := newSchema(t)
	const ttl = 2 * time.Second
	newSched := func(w *workload, runOnStart bool) (*replica, *schedule.Scheduler) {
		r := newReplica(t, dbURL, schema, nil)
		s, err := schedule.New(r.store, []schedule.Job{{Name: "lostlock", Schedule: "@every 1h", Run: w.run(r)}},
			schedule.Config{RunOnStart: runOnStart, LeaseTTL: ttl, ShutdownGrace: 5 * time.Second, Logger: testLogger(t)})
		if err != nil {
			t.Fatal(err)
		}
		return r, s
	}
	// Runs take ~1.5s; the lock is lost right after the first batch.
	holderWork := &workload{batches: 30, perBatch: 10, pause: 50 * time.Millisecond, staged: make(chan struct{})}
	r, holder := newSched(holderWork, true)
	start(t, holder)
	<-holderWork.staged
	_, taker := newSched(&workload{batches: 30, perBatch: 10, pause: 50 * time.Millisecond}, false)
	start(t, taker)

	// The server drops the holder's lock session, as it does for a replica
	// whose network has gone silent once the keepalives run out.
	var n int
	// The lock's key is a hash of schema and job (store.lockKey).
	if err := r.pool.QueryRow(context.Background(), `SELECT count(pg_terminate_backend(l.pid)) FROM pg_locks l
		WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 1
		AND ((l.classid::bigint << 32) | l.objid::bigint) = hashtextextended('syncer pipeline ' || $1 || '/lostlock', 0)`, schema).Scan(&n); err != nil || n != 1 {
		t.Fatalf("terminate the holder's lock session: %d, %v", n, err)
	}
	waitFor(t, 10*time.Second, "the holder to notice and stop", func() bool {
		return value(t, holder.Metrics().Registry(), "syncer_runs_total", "pipeline", "lostlock", "outcome", "interrupted") == 1
	})
	if v := value(t, holder.Metrics().Registry(), "syncer_lock_lost_total", "pipeline", "lostlock"); v != 1 {
		t.Errorf("holder's syncer_lock_lost_total = %v, want 1", v)
	}
	// The pipeline runs again straight away (not at the next hourly tick),
	// on whichever replica gets the lock first, and only after the holder
	// stopped.
	succeeded := func() float64 {
		return value(t, taker.Metrics().Registry(), "syncer_runs_total", "pipeline", "lostlock", "outcome", "succeeded") +
			value(t, holder.Metrics().Registry(), "syncer_runs_total", "pipeline", "lostlock", "outcome", "succeeded")
	}
	waitFor(t, 15*time.Second, "the re-run", func() bool { return succeeded() == 1 })
	runs, err := r.store.Runs(context.Background(), "lostlock", 10)
	if err != nil || len(runs) != 2 {
		t.Fatalf("runs = %+v, %v; want the interrupted one and the re-run", runs, err)
	}
	if runs[1].Status != store.StatusInterrupted || !strings.Contains(runs[1].Error, "lock lost") {
		t.Errorf("holder's run = %s %q; want interrupted for the lost lock", runs[1].Status, runs[1].Error)
	}
	if n := count(t, r.pool, overlaps); n != 0 {
		t.Errorf("the taker started before the holder stopped: %d overlapping runs", n)
	}
	if n := count(t, r.pool, "SELECT count(*) FROM users"); n != 300 {
		t.Errorf("users = %d, want the re-run's 300", n)
	}
}
