package reverse_test

import (
	"context"
	"os"
	"testing"

	"github.com/usersync/syncer/internal/diff"
	"github.com/usersync/syncer/internal/emulator"
	"github.com/usersync/syncer/internal/reverse"
)

// applyPlan applies a plan with verification and fails the test unless
// every operation succeeded and a fresh plan is empty.
func (e *env) applyPlan(t *testing.T, sp reverse.Spec, p *diff.Plan, opts reverse.ApplyOptions) {
	t.Helper()
	opts.Verify = true
	res, err := e.svc.Apply(context.Background(), sp, p, opts)
	if err != nil {
		t.Fatalf("apply: %v", err)
	}
	for _, f := range res.Failures {
		t.Errorf("failure: %s", reverse.Describe(f))
	}
	if !res.Converged() {
		_ = res.Remaining.Render(os.Stderr)
		t.Fatalf("after apply a fresh plan still has %d operations", len(res.Remaining.Operations))
	}
}

func TestApplyingTwiceMakesNoWrites(t *testing.T) {
	e := newEnv(t, emulator.Config{Seed: 7, Users: 60})
	sp := e.spec("mirror.csv")
	writeFeed(t, sp.Path, orgRows(e.srv))
	p := e.plan(t, sp)
	if !p.Plan.HasChanges() {
		t.Fatal("the org has users without external ids or with deleted managers: the first plan should fix them")
	}
	e.applyPlan(t, sp, p.Plan, reverse.ApplyOptions{})

	p2 := e.plan(t, sp)
	if p2.Plan.HasChanges() {
		_ = p2.Plan.Render(os.Stderr)
		t.Fatalf("second plan has %d operations", len(p2.Plan.Operations))
	}
	before := writes(e.srv.Stats())
	res, err := e.svc.Apply(context.Background(), sp, p2.Plan, reverse.ApplyOptions{CheckFresh: true})
	if err != nil {
		t.Fatal(err)
	}
	if got := writes(e.srv.Stats()) - before; got != 0 || res.Writes != 0 {
		t.Fatalf("second apply made %d write calls (apply counted %d), want 0", got, res.Writes)
	}
}
