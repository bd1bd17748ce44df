//go:build unix

package reverse_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"

	"github.com/usersync/syncer/internal/config"
	"github.com/usersync/syncer/internal/diff"
	"github.com/usersync/syncer/internal/emulator"
	"github.com/usersync/syncer/internal/genesys"
	"github.com/usersync/syncer/internal/ratelimit"
	"github.com/usersync/syncer/internal/reverse"
	"github.com/usersync/syncer/internal/store"
)

// TestMain lets the test binary be `syncer plans apply` in a child process
// (REVERSE_CRASH_CHILD=1) that kills itself mid-apply, so that a real
// process dies holding the feed's lock with an operation in flight.
func TestMain(m *testing.M) {
	if os.Getenv("REVERSE_CRASH_CHILD") == "1" {
		os.Exit(crashChild())
	}
	os.Exit(m.Run())
}

// crashChild applies the approved plan REVERSE_CRASH_PLAN and SIGKILLs
// itself right after the first user was created, before the journal
// records it: the worst moment, the call made and its outcome unknown.
func crashChild() int {
	ctx := context.Background()
	env := os.Getenv
	api, err := genesys.NewClient(
		genesys.WithBaseURL(env("REVERSE_CRASH_API")),
		genesys.WithCredentials(emulator.DefaultClientID, emulator.DefaultClientSecret),
		genesys.WithBudget(ratelimit.New(ratelimit.Config{RequestsPerMinute: 600_000, Burst: 1000, MaxInFlight: 16})),
	)
	if err != nil {
		fmt.Fprintln(os.Stderr, "client:", err)
		return 2
	}
	st, err := store.Open(ctx, env("REVERSE_CRASH_DB"), store.Config{Schema: env("REVERSE_CRASH_SCHEMA")})
	if err != nil {
		fmt.Fprintln(os.Stderr, "store:", err)
		return 2
	}
	cfg, err := config.Parse("feeds.yaml", []byte(fmt.Sprintf("feeds:\n  hr: {path: %s, mode: snapshot, schedule: '@daily'}\n", env("REVERSE_CRASH_FEED"))),
		func(string) (string, bool) { return "", false })
	if err != nil {
		fmt.Fprintln(os.Stderr, "config:", err)
		return 2
	}
	svc := reverse.New(api, st, reverse.Config{Workers: 1, AfterCall: func(_ context.Context, op *diff.Operation) error {
		if op.Kind == diff.KindCreateUser {
			_ = syscall.Kill(os.Getpid(), syscall.SIGKILL)
			select {} // the signal is on its way
		}
		return nil
	}})
	_, err = svc.ApplyApproved(ctx, env("REVERSE_CRASH_PLAN"), cfg.Feeds["hr"], 600, nil)
	fmt.Fprintln(os.Stderr, "the apply ended instead of being killed:", err)
	return 3
}

// An approved plan whose applier dies mid-apply (SIGKILL, holding the
// feed's lock, a user just created and not yet journaled) is finished by
// the next applier: nothing done is repeated, nobody is created twice.
func TestApplierKilledMidApplyIsResumed(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	p := newParked(t, "")
	if _, err := p.svc.Approvals().Approve(ctx, p.plan, "ana", "reorg"); err != nil {
		t.Fatal(err)
	}
	dbURL, schema := p.db, p.store.Schema()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), "REVERSE_CRASH_CHILD=1", "REVERSE_CRASH_API="+p.url, "REVERSE_CRASH_DB="+dbURL,
		"REVERSE_CRASH_SCHEMA="+schema, "REVERSE_CRASH_FEED="+filepath.Join(p.dir, "hr.csv"), "REVERSE_CRASH_PLAN="+p.plan)
	out, err := cmd.CombinedOutput()
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ProcessState.Sys().(syscall.WaitStatus).Signal() != syscall.SIGKILL {
		t.Fatalf("the applier was not killed: %v\n%s", err, out)
	}

	// Killed: one user created, the journal says its create is running,
	// the run is left running, the plan is approved and applying.
	if n := p.srv.Stats().Count("POST /api/v2/users", 200); n != 1 {
		t.Fatalf("%d users created before the kill, want 1", n)
	}
	d := p.detail(t)
	if d.Status != store.ApprovalApplying || d.Operations[store.OpRunning] != 1 || d.Operations[store.OpDone] != 0 {
		t.Fatalf("after the kill: status %s, operations %v; want applying, one running", d.Status, d.Operations)
	}
	runs, err := p.store.Runs(ctx, hrJob, 1)
	if err != nil || len(runs) != 1 || runs[0].Status != store.StatusRunning {
		t.Fatalf("the killed run = %+v, %v; want left running", runs, err)
	}
	killed := runs[0].ID
	if held, err := p.store.LockHeld(ctx, hrJob); err != nil || held {
		t.Fatalf("the feed's lock is still held after its holder died (%v)", err)
	}

	// The next applier (serve's takeover, or syncer plans apply) finishes it.
	run, err := p.svc.ApplyApproved(ctx, p.plan, p.feed, 600, nil)
	if err != nil || run.Outcome != store.StatusSucceeded || run.RunID == killed {
		t.Fatalf("resume = %+v, %v", run, err)
	}
	if r, err := p.store.Run(ctx, killed); err != nil || r.Status != store.StatusInterrupted {
		t.Errorf("the killed run = %+v, %v; want interrupted", r, err)
	}
	p.checkApplied(t, true)
	// The child journaled nothing done: the resume did every operation,
	// the create cut short by adopting the user it had made.
	if run.Counts.Done != run.Counts.Operations || run.Counts.Failed+run.Counts.Skipped != 0 {
		t.Errorf("resume counts %+v", run.Counts)
	}
}
