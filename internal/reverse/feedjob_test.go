package reverse_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/usersync/syncer/internal/config"
	"github.com/usersync/syncer/internal/emulator"
	"github.com/usersync/syncer/internal/reverse"
	"github.com/usersync/syncer/internal/store"
)

// feeds parses a configuration of the feeds given as YAML, as serve reads
// it.
func feeds(t *testing.T, yaml string) map[string]*config.Feed {
	t.Helper()
	cfg, err := config.Parse("feeds.yaml", []byte("feeds:\n"+yaml), func(string) (string, bool) { return "", false })
	if err != nil {
		t.Fatal(err)
	}
	return cfg.Feeds
}

// A scheduled feed's run: planned, guarded, applied, and recorded in
// sync_runs under its job's name with its counts and calls, whatever its
// end.
func TestRunFeedRecordsEachEnd(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e := newEnv(t, emulator.Config{Users: 40, Seed: 11})
	joiners := filepath.Join(e.dir, "joiners.csv")
	if err := os.WriteFile(joiners, []byte("employee_id,email,name,title,action\nJ1,first.joiner@example.com,First Joiner,Agent,upsert\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	mass := filepath.Join(e.dir, "mass.csv")
	if err := os.WriteFile(mass, []byte("employee_id,email,name\nJ2,only.one@example.com,Only One\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	absent := filepath.Join(e.dir, "absent.csv")
	fs := feeds(t, fmt.Sprintf("  joiners: {path: %s, mode: delta}\n  mass: {path: %s, mode: snapshot}\n  absent: {path: %s, mode: delta}\n", joiners, mass, absent))
	usersBefore := len(e.srv.Users())

	// A run of the job left running by a process that died.
	orphan, err := e.store.StartRun(ctx, "feed:joiners")
	if err != nil {
		t.Fatal(err)
	}
	run, err := e.svc.RunFeed(ctx, "feed:joiners", fs["joiners"], 600)
	if err != nil {
		t.Fatalf("RunFeed(joiners): %v", err)
	}
	if run.Outcome != store.StatusSucceeded || run.RunID == 0 || run.RunID == orphan || run.Duration <= 0 ||
		run.Counts.Operations == 0 || run.Counts.Done != run.Counts.Operations || run.Counts.Failed != 0 || run.Counts.Writes == 0 ||
		run.Calls.Total == 0 || run.Calls.ByEndpoint["POST /api/v2/users"][200] != 1 {
		t.Errorf("joiners run = %+v", run)
	}
	if o, err := e.store.Run(ctx, orphan); err != nil || o.Status != store.StatusInterrupted {
		t.Errorf("the orphaned run = %+v, %v; want interrupted", o, err)
	}
	assertRecorded(t, e, run.RunID, "feed:joiners", store.StatusSucceeded, "", run.Counts, run.Calls.Total)
	found := false
	for _, u := range e.srv.Users() {
		found = found || strings.EqualFold(u.Email, "first.joiner@example.com")
	}
	if !found || len(e.srv.Users()) != usersBefore+1 {
		t.Errorf("the joiner was not created alone (found %v, users %d, before %d)", found, len(e.srv.Users()), usersBefore)
	}

	// A snapshot naming one person: the guards stop it before any write,
	// and the plan is parked for approval (approvals_test.go).
	before := writes(e.srv.Stats())
	run, err = e.svc.RunFeed(ctx, "feed:mass", fs["mass"], 600)
	if err != nil {
		t.Errorf("RunFeed(mass): err = %v, want the plan parked", err)
	}
	if run.Outcome != store.StatusAwaitingApproval || run.Counts.Operations == 0 || run.Counts.Done != 0 || run.Counts.Writes != 0 || run.Counts.PlanID == "" {
		t.Errorf("mass run = %+v", run)
	}
	if w := writes(e.srv.Stats()); w != before {
		t.Errorf("the guarded feed made %d writes", w-before)
	}
	assertRecorded(t, e, run.RunID, "feed:mass", store.StatusAwaitingApproval, "", run.Counts, run.Calls.Total)

	// A file that has not landed: failed before any call.
	run, err = e.svc.RunFeed(ctx, "feed:absent", fs["absent"], 600)
	want := `feed absent: file "` + absent + `" does not exist (feeds.absent.path)`
	if err == nil || err.Error() != want || run.Outcome != store.StatusFailed || run.Calls.Total != 0 {
		t.Errorf("RunFeed(absent) = %+v, %v; want failed with %q and no call", run, err, want)
	}
	assertRecorded(t, e, run.RunID, "feed:absent", store.StatusFailed, want, store.FeedCounts{}, 0)

	// Stopped mid-run (the org answers slowly): recorded as interrupted,
	// not left running.
	if err := e.srv.SetFaults(emulator.Faults{LatencyMs: 60_000}); err != nil {
		t.Fatal(err)
	}
	cctx, cancel := context.WithCancel(ctx)
	type result struct {
		run reverse.FeedRun
		err error
	}
	done := make(chan result, 1)
	go func() {
		r, err := e.svc.RunFeed(cctx, "feed:joiners", fs["joiners"], 600)
		done <- result{r, err}
	}()
	for deadline := time.Now().Add(30 * time.Second); ; {
		if time.Now().After(deadline) {
			t.Fatal("the run was not recorded as running within 30s")
		}
		runs, err := e.store.Runs(ctx, "feed:joiners", 1)
		if err != nil {
			t.Fatal(err)
		}
		if len(runs) == 1 && runs[0].Status == store.StatusRunning {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	cancel()
	stopped := <-done
	if stopped.err == nil || stopped.run.Outcome != store.StatusInterrupted || stopped.run.RunID == 0 {
		t.Fatalf("RunFeed stopped mid-run = %+v, %v; want interrupted", stopped.run, stopped.err)
	}
	assertRecorded(t, e, stopped.run.RunID, "feed:joiners", store.StatusInterrupted, stopped.err.Error(), stopped.run.Counts, stopped.run.Calls.Total)
}

// assertRecorded checks the row of sync_runs a feed run wrote.
func assertRecorded(t *testing.T, e *env, id int64, job, status, errText string, counts store.FeedCounts, calls int64) {
	t.Helper()
	r, err := e.store.Run(context.Background(), id)
	if err != nil {
		t.Errorf("run %d: %v", id, err)
		return
	}
	var got store.FeedCounts
	if err := json.Unmarshal(r.Counts, &got); err != nil {
		t.Errorf("run %d counts %s: %v", id, r.Counts, err)
	}
	if r.Pipeline != job || r.Status != status || r.Error != errText || got != counts || r.DecodeCalls().Total != calls || r.FinishedAt.IsZero() {
		t.Errorf("run %d recorded as %s %s %q counts %+v calls %d; want %s %s %q counts %+v calls %d",
			id, r.Pipeline, r.Status, r.Error, got, r.DecodeCalls().Total, job, status, errText, counts, calls)
	}
}
