package chaos

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/usersync/syncer/internal/emulator"
)

// crashRand returns a logged, reproducible source of kill delays.
func crashRand(t *testing.T) *rand.Rand {
	seed := uint64(time.Now().UnixNano())
	t.Logf("kill delays seeded with %d", seed)
	return rand.New(rand.NewPCG(seed, 9))
}

func (e *env) statusCounts(t *testing.T, table string) map[string]int {
	t.Helper()
	rows, err := e.conn(t).Query(context.Background(), "SELECT status, count(*) FROM "+e.table(table)+" GROUP BY status")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[string]int{}
	for rows.Next() {
		var s string
		var n int
		if err := rows.Scan(&s, &n); err != nil {
			t.Fatal(err)
		}
		out[s] = n
	}
	return out
}

// analyticsStreams are the analytics streams of the full pipeline and the
// tables each loads.
var analyticsStreams = map[string][]string{
	"user_details":    {"user_presence_segments", "user_routing_status_segments"},
	"user_aggregates": {"user_aggregates"},
}

// checkAllOrNothing fails unless each analytics stream has either
// committed its whole window with its watermark (its tables as want, the
// watermark as wantWM's) or nothing and no watermark. It returns the
// streams that had committed nothing.
func checkAllOrNothing(t *testing.T, e *env, when string, want map[string][]string, wantWM map[string]string) (uncommitted int) {
	t.Helper()
	got, wm := e.dumpOf(t, analyticsTables), e.watermarks(t)
	for stream, tables := range analyticsStreams {
		w, has := wm[stream]
		for _, tbl := range tables {
			switch {
			case has && w == wantWM[stream] && equal(got[tbl], want[tbl]):
			case !has && len(got[tbl]) == 0:
			default:
				addCount(&tally.lost, max(0, len(want[tbl])-len(got[tbl])))
				t.Errorf("%s: %s holds %d rows (complete: %d) with the %s watermark %q (complete: %q): neither all nor nothing",
					when, tbl, len(got[tbl]), len(want[tbl]), stream, w, wantWM[stream])
			}
		}
		if !has {
			uncommitted++
		}
	}
	return uncommitted
}

// kill -9 of `syncer run full` at random points (most land while the
// analytics jobs are read: they take most of the run), then a run to the
// end: after each kill every analytics stream holds all of its window or
// nothing, and the last run leaves exactly what one clean run loads,
// segments, aggregates and watermarks included. Half way, one run goes to
// the end: the later kills interrupt runs that re-read the lookback behind
// a committed watermark.
func TestKilledRunsLeaveNoPartialData(t *testing.T) {
	t.Parallel()
	const users, seed = 300, 41
	clean := newAnalyticsEnv(t, users, seed)
	crashed := newAnalyticsEnv(t, users, seed)
	if code, out, stderr := clean.syncer(t, context.Background(), "run", "full"); code != 0 {
		t.Fatalf("clean run = %d\n%s\n%s", code, out, stderr)
	}
	want, wantWM := clean.dump(t), clean.watermarks(t)
	if err := crashed.srv.SetFaults(emulator.Faults{LatencyMs: 8, JitterMs: 8}); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	if code, out, stderr := crashed.syncer(t, context.Background(), "run", "full", "--dry-run"); code != 0 {
		t.Fatalf("timed dry run = %d\n%s\n%s", code, out, stderr)
	}
	full := time.Since(start)
	r := crashRand(t)
	var killed int
	uncommitted := map[int]int{} // kills by the analytics streams left uncommitted
	for i := range crashPoints {
		if i == crashPoints/2 {
			start := time.Now()
			if code, out, stderr := crashed.syncer(t, context.Background(), "run", "full"); code != 0 {
				t.Fatalf("run after %d kills = %d\n%s\n%s", killed, code, out, stderr)
			}
			full = time.Since(start)
			if n := checkAllOrNothing(t, crashed, "after a complete run", want, wantWM); n > 0 {
				t.Errorf("a complete run left %d analytics streams uncommitted", n)
			}
		}
		if crashed.killAfter(t, time.Duration(r.Int64N(int64(full))), "run", "full") {
			killed++
			uncommitted[checkAllOrNothing(t, crashed, fmt.Sprintf("after kill %d", i+1), want, wantWM)]++
		}
	}
	if code, out, stderr := crashed.syncer(t, context.Background(), "run", "full"); code != 0 {
		t.Fatalf("run after %d kills = %d\n%s\n%s", killed, code, out, stderr)
	}
	n := compareDumps(t, want, crashed.dump(t))
	compareWatermarks(t, clean, crashed)
	runs := crashed.statusCounts(t, "sync_runs")
	if runs["running"] != 0 {
		t.Errorf("runs left running after a completed run: %v", runs)
	}
	if killed > 0 && runs["interrupted"] == 0 {
		t.Logf("note: no kill landed after a run was recorded (runs %v)", runs)
	}
	t.Logf("run: %d of %d kills landed while running, leaving both analytics streams uncommitted %d times, one %d times, none %d times; runs by status %v; %d rows compared with a clean run",
		killed, crashPoints, uncommitted[2], uncommitted[1], uncommitted[0], runs, n)
}

// kill -9 of `syncer apply` at random points, then resume and apply again:
// every joiner exists once, was created once, and the journal shows the
// interrupted plans.
func TestKilledAppliesCreateNoUserTwice(t *testing.T) {
	t.Parallel()
	e := newEnv(t, 120, 43, "")
	if err := e.srv.SetFaults(emulator.Faults{LatencyMs: 10, JitterMs: 10}); err != nil {
		t.Fatal(err)
	}
	r := crashRand(t)
	const joiners = 20
	// A timed apply first: the kills land between a third of its duration
	// and its end, where the plan is being journaled and applied.
	// The first apply reads every user's external ids, later ones only
	// the changed users': time the second.
	var full time.Duration
	for _, tag := range []string{"warm1", "warm2"} {
		start := time.Now()
		if code, out, stderr := e.syncer(t, context.Background(), append([]string{"apply", hrFeed(t, e.dir, tag, e.srv, joiners, 4, 0, "Warm")}, guardFlags...)...); code != 0 {
			t.Fatalf("warm-up apply = %d\n%s\n%s", code, out, stderr)
		}
		full = time.Since(start)
	}
	e.srv.ResetStats()
	var killed int
	for round := range crashPoints {
		tag := fmt.Sprintf("k%d", round)
		feed := hrFeed(t, e.dir, tag, e.srv, joiners, 4, 0, "Crash")
		if e.killAfter(t, full/3+time.Duration(r.Int64N(int64(full)*2/3)), append([]string{"apply", feed}, guardFlags...)...) {
			killed++
		}
		e.syncer(t, context.Background(), "apply", "--resume") // nothing to resume is fine
		code, out, stderr := e.syncer(t, context.Background(), append([]string{"apply", feed}, guardFlags...)...)
		if code != 0 {
			t.Fatalf("round %d: apply after the kill = %d\n%s\n%s", round, code, lastLines(out, 10), lastLines(stderr, 10))
		}
		for i := range joiners {
			email := fmt.Sprintf("joiner.%s.%d@example.com", tag, i)
			var n int
			for _, u := range e.srv.Users() {
				if strings.EqualFold(u.Email, email) && u.State == "active" {
					n++
				}
			}
			if n != 1 {
				addCount(&tally.lost, 1)
				t.Errorf("round %d: %d active users with %s, want 1", round, n, email)
			}
		}
	}
	if d := duplicateEmails(e.srv); len(d) > 0 {
		addCount(&tally.duplicated, len(d))
		t.Errorf("users with the same email: %v", d)
	}
	if got, want := e.srv.Stats().Count("POST /api/v2/users", 200), int64(joiners*crashPoints); got != want {
		addCount(&tally.duplicated, int(got-want))
		t.Errorf("users created = %d, want %d: a user was created twice or not at all", got, want)
	}
	plans, ops := e.statusCounts(t, "plans"), e.statusCounts(t, "plan_operations")
	resumed := e.count(t, "SELECT count(*) FROM "+e.table("plan_operations")+" WHERE attempts > 1")
	addCount(&tally.rowsCompared, joiners*crashPoints)
	t.Logf("apply: %d of %d kills landed while running; plans by status %v; operations by status %v, %d tried more than once", killed, crashPoints, plans, ops, resumed)
}
