package chaos

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/usersync/syncer/internal/emulator"
)

// pg_terminate_backend of the syncer's connections in the middle of a
// load: the run fails or retries, and every table holds what it held
// before the run or what a complete run loads, never a part of it.
func TestTerminatedBackendsLeaveTablesBeforeOrAfter(t *testing.T) {
	t.Parallel()
	const users, seed = 300, 71
	clean := newEnv(t, users, seed, "")
	if code, out, stderr := clean.syncer(t, context.Background(), "run", "nightly"); code != 0 {
		t.Fatalf("clean run = %d\n%s\n%s", code, out, stderr)
	}
	after := clean.dump(t)

	e := newEnv(t, users, seed, "")
	before := e.dump(t)                                                // migrated, nothing loaded
	app := fmt.Sprintf("syncer-chaos-%s", e.schema[len(e.schema)-12:]) // application_name keeps 63 bytes
	sep := "?"
	if strings.Contains(e.dbURL, "?") {
		sep = "&"
	}
	e.dbURL += sep + "application_name=" + app
	if err := e.srv.SetFaults(emulator.Faults{LatencyMs: 5, JitterMs: 5}); err != nil {
		t.Fatal(err)
	}

	var terminated atomic.Int64
	done := make(chan struct{})
	h := func(n int64) {
		if n != 30 {
			return
		}
		go func() {
			defer close(done)
			// A fresh connection: the hook runs on a server goroutine.
			c, err := pgx.Connect(context.Background(), strings.Split(e.dbURL, sep+"application_name=")[0])
			if err != nil {
				t.Error(err)
				return
			}
			defer c.Close(context.Background())
			var k int64
			if err := c.QueryRow(context.Background(),
				`SELECT count(*) FROM (SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1) x`, app).Scan(&k); err != nil {
				t.Error(err)
			}
			terminated.Store(k)
		}()
	}
	e.hook.Store(&h)
	code, _, stderr := e.syncer(t, context.Background(), "run", "nightly")
	e.hook.Store(nil)
	<-done
	noPanic(t, "terminated backends", stderr)
	if terminated.Load() == 0 {
		t.Fatal("no syncer backend was found to terminate: the test proves nothing")
	}
	asAfter, asBefore := beforeOrAfter(t, e.dump(t), before, after)
	t.Logf("terminated %d backends at request 30: run exit %d (%s); tables as after %d, as before %d",
		terminated.Load(), code, lastLines(stderr, 1), asAfter, asBefore)
	rerunCompletes(t, e, after)
}

// beforeOrAfter checks that every current table of got equals before (what
// it held before the run) or after (what a complete run loads), never a part,
// and counts the tables of each kind.
func beforeOrAfter(t *testing.T, got, before, after map[string][]string) (asAfter, asBefore int) {
	t.Helper()
	for _, tbl := range currentTables {
		switch {
		case equal(got[tbl], after[tbl]):
			asAfter++
		case equal(got[tbl], before[tbl]):
			asBefore++
		default:
			addCount(&tally.lost, 1)
			t.Errorf("%s: %d rows, neither before (%d) nor after (%d) the run", tbl, len(got[tbl]), len(before[tbl]), len(after[tbl]))
		}
	}
	return asAfter, asBefore
}

// rerunCompletes runs the pipeline again: it must succeed and load what a
// clean run loads, and leave no run marked running.
func rerunCompletes(t *testing.T, e *env, after map[string][]string) {
	t.Helper()
	if code, out, stderr := e.syncer(t, context.Background(), "run", "nightly"); code != 0 {
		t.Fatalf("run after the fault = %d\n%s\n%s", code, lastLines(out, 5), lastLines(stderr, 5))
	}
	compareDumps(t, after, e.dump(t))
	if runs := e.statusCounts(t, "sync_runs"); runs["running"] != 0 {
		t.Errorf("runs left running: %v", runs)
	}
}

func equal(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// TestPostgresRestartMidLoad restarts the PostgreSQL server itself in the
// middle of a load (every connection dies, and new ones are refused until it
// is back): the run fails or retries, every table holds what it held before
// the run or what a complete run loads, and the next run completes it. It
// disturbs everything else using the server, so it runs only when asked:
//
//	SYNCER_CHAOS_PG_RESTART="pg_ctlcluster --skip-systemctl-redirect 15 main restart" \
//	    go test -run TestPostgresRestartMidLoad -v ./internal/chaos   (make test-pg-restart)
func TestPostgresRestartMidLoad(t *testing.T) {
	restart := os.Getenv("SYNCER_CHAOS_PG_RESTART")
	if restart == "" {
		t.Skip("set SYNCER_CHAOS_PG_RESTART to the command that restarts the test server (make test-pg-restart)")
	}
	const users, seed = 300, 73
	clean := newEnv(t, users, seed, "")
	if code, out, stderr := clean.syncer(t, context.Background(), "run", "nightly"); code != 0 {
		t.Fatalf("clean run = %d\n%s\n%s", code, out, stderr)
	}
	after := clean.dump(t)

	e := newEnv(t, users, seed, "")
	before := e.dump(t)
	if err := e.srv.SetFaults(emulator.Faults{LatencyMs: 5, JitterMs: 5}); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	h := func(n int64) {
		if n != 30 {
			return
		}
		go func() {
			out, err := exec.Command("sh", "-c", restart).CombinedOutput()
			if err != nil {
				err = fmt.Errorf("%s: %w\n%s", restart, err, out)
			}
			done <- err
		}()
	}
	e.hook.Store(&h)
	code, _, stderr := e.syncer(t, context.Background(), "run", "nightly")
	e.hook.Store(nil)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	addFault("postgres restart")
	noPanic(t, "postgres restart", stderr)
	waitForPostgres(t, e.dbURL)
	asAfter, asBefore := beforeOrAfter(t, e.dump(t), before, after)
	t.Logf("postgres restarted at request 30: run exit %d (%s); tables as after %d, as before %d",
		code, lastLines(stderr, 1), asAfter, asBefore)
	// The run is recorded once the server is back, not left running.
	if runs := e.statusCounts(t, "sync_runs"); runs["running"] != 0 || (code != 0 && runs["failed"] != 1) {
		t.Errorf("run exit %d recorded as %v, want it failed (or succeeded), none running", code, runs)
	}
	rerunCompletes(t, e, after)
}

// waitForPostgres waits until the server accepts connections again.
func waitForPostgres(t *testing.T, dbURL string) {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for {
		c, err := pgx.Connect(context.Background(), dbURL)
		if err == nil {
			c.Close(context.Background())
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("postgres is not back after a minute: %v", err)
		}
		time.Sleep(200 * time.Millisecond)
	}
}
