package schedule_test

import (
	"bytes"
	"context"
	"log/slog"
	"os"
	"os/exec"
	"os/signal"
	"regexp"
	"strconv"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/usersync/syncer/internal/pgtest"
	"github.com/usersync/syncer/internal/schedule"
)

// TestMain lets the test binary act as a `serve` replica in a child process
// (SCHEDULE_CHILD=1), so replicas can be killed for real.
func TestMain(m *testing.M) {
	if os.Getenv("SCHEDULE_CHILD") == "1" {
		os.Exit(runChild())
	}
	os.Exit(m.Run())
}

// runChild is one replica: jobs "long" (hourly, run on start, ~3s) and
// "short" (every second, ~0.2s) until SIGTERM.
func runChild() int {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, os.Interrupt)
	defer stop()
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug})).With("pid", os.Getpid())
	schema := os.Getenv("SCHEDULE_CHILD_SCHEMA")
	cfg, err := pgxpool.ParseConfig(os.Getenv("SCHEDULE_CHILD_DB"))
	if err != nil {
		log.Error("parse db url", "err", err)
		return 2
	}
	cfg.ConnConfig.RuntimeParams["search_path"] = schema
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		log.Error("pool", "err", err)
		return 2
	}
	defer pool.Close()
	r := replicaOn(pool, schema, nil)
	long := &workload{batches: 10, perBatch: 20, pause: 300 * time.Millisecond}
	short := &workload{batches: 2, perBatch: 5, pause: 100 * time.Millisecond}
	s, err := schedule.New(r.store, []schedule.Job{
		{Name: "long", Schedule: "@every 1h", Run: long.run(r)},
		{Name: "short", Schedule: "@every 1s", Run: short.run(r)},
	}, schedule.Config{RunOnStart: true, LeaseTTL: 2 * time.Second, ShutdownGrace: 5 * time.Second, Logger: log})
	if err != nil {
		log.Error("new scheduler", "err", err)
		return 2
	}
	if err := s.Run(ctx); err != nil {
		log.Error("scheduler", "err", err)
		return 1
	}
	return 0
}

type child struct {
	cmd  *exec.Cmd
	done chan struct{} // closed when the process has exited; err is then set
	err  error
}

// syncBuffer lets the child's output be read while it is being written.
type syncBuffer struct {
	mu sync.Mutex
	bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.Buffer.Write(p)
}

func startChild(t *testing.T, dbURL, schema string) *child {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), "SCHEDULE_CHILD=1", "SCHEDULE_CHILD_DB="+dbURL, "SCHEDULE_CHILD_SCHEMA="+schema)
	out := &syncBuffer{}
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		t.Fatalf("start replica: %v", err)
	}
	c := &child{cmd: cmd, done: make(chan struct{})}
	go func() { c.err = cmd.Wait(); close(c.done) }()
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		<-c.done
		if t.Failed() {
			out.mu.Lock()
			t.Logf("replica pid %d output:\n%s", cmd.Process.Pid, out.String())
			out.mu.Unlock()
		}
	})
	return c
}

var holderPID = regexp.MustCompile(`^syncer serve pid (\d+): `)

// lockHolder returns the pid of the process holding the job's lock, or 0.
func lockHolder(t *testing.T, pool *pgxpool.Pool, job string) int {
	t.Helper()
	var names []string
	rows, err := pool.Query(context.Background(), `SELECT a.application_name FROM pg_locks l
		JOIN pg_stat_activity a ON a.pid = l.pid
		WHERE l.locktype = 'advisory' AND l.granted AND a.application_name LIKE '%: ' || $1`, job)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			t.Fatal(err)
		}
		names = append(names, n)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	if len(names) > 1 {
		t.Fatalf("job %s locked by %d sessions: %v", job, len(names), names)
	}
	if len(names) == 0 {
		return 0
	}
	m := holderPID.FindStringSubmatch(names[0])
	if m == nil {
		t.Fatalf("lock holder application_name %q", names[0])
	}
	pid, _ := strconv.Atoi(m[1])
	return pid
}

func TestKilledReplicaIsTakenOver(t *testing.T) {
	if testing.Short() {
		t.Skip("starts replica processes against a database")
	}
	t.Parallel()
	dbURL, schema := newSchema(t)
	pool := pgtest.Pool(t, dbURL, schema)
	a, b := startChild(t, dbURL, schema), startChild(t, dbURL, schema)
	byPID := map[int]*child{a.cmd.Process.Pid: a, b.cmd.Process.Pid: b}

	// One replica runs "long" (run on start); the other leaves it alone.
	var orphanID int64
	waitFor(t, 20*time.Second, "a run of long in progress", func() bool {
		err := pool.QueryRow(context.Background(), "SELECT id FROM sync_runs WHERE pipeline = 'long' AND status = 'running'").Scan(&orphanID)
		return err == nil
	})
	var holder int
	waitFor(t, 5*time.Second, "long's lock holder", func() bool { holder = lockHolder(t, pool, "long"); return holder != 0 })
	victim := byPID[holder]
	if victim == nil {
		t.Fatalf("long's lock is held by pid %d, not by a replica (%d, %d)", holder, a.cmd.Process.Pid, b.cmd.Process.Pid)
	}
	survivor := a
	if victim == a {
		survivor = b
	}
	time.Sleep(500 * time.Millisecond) // mid-run: users batches staged, nothing committed
	if err := victim.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	<-victim.done
	killedAt := time.Now()

	// The survivor takes the run over: the orphan is marked interrupted and
	// a new run of long succeeds, well before long's next hourly tick.
	waitFor(t, 20*time.Second, "the survivor's run of long to succeed", func() bool {
		return count(t, pool, "SELECT count(*) FROM sync_runs WHERE pipeline = 'long' AND id > $1 AND status = 'succeeded'", orphanID) == 1
	})
	t.Logf("taken over and finished %s after the kill", time.Since(killedAt).Round(time.Millisecond))
	var status string
	if err := pool.QueryRow(context.Background(), "SELECT status FROM sync_runs WHERE id = $1", orphanID).Scan(&status); err != nil || status != "interrupted" {
		t.Errorf("killed replica's run %d = %q, %v; want interrupted", orphanID, status, err)
	}
	if h := lockHolder(t, pool, "long"); h != 0 && h != survivor.cmd.Process.Pid {
		t.Errorf("long's lock held by pid %d after the takeover", h)
	}
	// Let "short" tick on the survivor alone for a moment, then stop it.
	time.Sleep(1500 * time.Millisecond)
	if err := survivor.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case <-survivor.done:
		if survivor.err != nil {
			t.Errorf("survivor exited with %v after SIGTERM, want 0", survivor.err)
		}
	case <-time.After(15 * time.Second):
		t.Fatal("survivor did not exit within 15s of SIGTERM")
	}

	if n := count(t, pool, overlaps); n != 0 {
		t.Errorf("%d pairs of overlapping runs of one pipeline across the replicas", n)
	}
	if n := count(t, pool, "SELECT count(*) FROM sync_runs WHERE status = 'running'"); n != 0 {
		t.Errorf("%d runs left running", n)
	}
	if n := count(t, pool, "SELECT count(*) FROM users WHERE id LIKE 'long-%'"); n != 200 {
		t.Errorf("long's users = %d, want 200 (the killed run's batches rolled back, the takeover's committed)", n)
	}
	if n := count(t, pool, "SELECT count(*) FROM sync_runs WHERE pipeline = 'short' AND status = 'succeeded'"); n < 3 {
		t.Errorf("short succeeded %d times, want >= 3", n)
	}
}
