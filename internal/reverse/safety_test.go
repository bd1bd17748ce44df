package reverse_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/usersync/syncer/internal/apply"
	"github.com/usersync/syncer/internal/diff"
	"github.com/usersync/syncer/internal/genesys"
	"github.com/usersync/syncer/internal/reverse"
	"github.com/usersync/syncer/internal/store"
)

func TestGuardsStopBeforeAnyCall(t *testing.T) {
	e, sp, rows := converged(t, 60)
	// Three active leavers, each a joined member of some queue.
	var drop []int
	for i := range rows {
		if rows[i].State == "active" && len(rows[i].Queues) > 0 && len(drop) < 3 {
			drop = append(drop, i)
		}
	}
	var kept []row
	for i := range rows {
		if !containsInt(drop, i) {
			kept = append(kept, rows[i])
		}
	}
	writeFeed(t, sp.Path, kept)
	sp.Diff.Offboard = diff.Offboard{Action: diff.OffboardDeactivate, RemoveQueues: true}
	tests := []struct {
		name  string
		set   func(g *diff.Guards)
		guard string
	}{
		{"max offboards", func(g *diff.Guards) { g.MaxOffboards = new(2) }, diff.GuardMaxOffboards},
		{"max offboard percent", func(g *diff.Guards) { g.MaxOffboardPercent = new(1.0) }, diff.GuardMaxOffboardPercent},
		{"max changes", func(g *diff.Guards) { g.MaxChanges = new(2) }, diff.GuardMaxChanges},
		{"queue loss", func(g *diff.Guards) { g.MaxQueueLossPercent = new(1.0); g.MinQueueLoss = new(1) }, diff.GuardQueueLoss},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := sp
			s.Diff.Guards = diff.Guards{MaxOffboards: new(-1), MaxOffboardPercent: new(float64(-1)), MaxQueueLossPercent: new(float64(-1))}
			tt.set(&s.Diff.Guards)
			p := e.plan(t, s)
			tripped := p.Plan.Tripped()
			if len(tripped) == 0 || tripped[0].Guard != tt.guard {
				t.Fatalf("tripped %+v, want %s", tripped, tt.guard)
			}
			before := writes(e.srv.Stats())
			_, err := e.svc.Apply(context.Background(), s, p.Plan, reverse.ApplyOptions{})
			var ge *apply.GuardError
			if !errors.As(err, &ge) || !errors.Is(err, apply.ErrGuard) {
				t.Fatalf("apply error %v, want a guard error", err)
			}
			if !strings.Contains(err.Error(), "--"+strings.ReplaceAll(tt.guard, "_", "-")) || !strings.Contains(err.Error(), "guards."+tt.guard) {
				t.Errorf("the error does not name the flag and config key: %v", err)
			}
			if got := writes(e.srv.Stats()) - before; got != 0 {
				t.Fatalf("a tripped guard let %d write calls through", got)
			}
		})
	}
}

func containsInt(xs []int, x int) bool {
	for _, y := range xs {
		if y == x {
			return true
		}
	}
	return false
}

// activeRow returns the index of the first active row.
func activeRow(rows []row) int {
	return findRow(rows, func(r row) bool { return r.State == "active" })
}

func TestStalePlanIsRefused(t *testing.T) {
	e, sp, rows := converged(t, 40)
	i := activeRow(rows)
	rows[i].Title = "Principal"
	writeFeed(t, sp.Path, rows)
	p := e.plan(t, sp)

	// Someone changes another user in Genesys between plan and apply.
	other := rows[i+1]
	u := e.userByEmail(t, other.Email)
	dept := "Changed by hand"
	if _, err := e.api.UpdateUser(context.Background(), u.ID, genesys.UpdateUser{Department: &dept, Version: u.Version}); err != nil {
		t.Fatal(err)
	}
	before := writes(e.srv.Stats())
	_, err := e.svc.Apply(context.Background(), sp, p.Plan, reverse.ApplyOptions{CheckFresh: true})
	if !errors.Is(err, apply.ErrStale) {
		t.Fatalf("apply of a stale plan: %v, want ErrStale", err)
	}
	if got := writes(e.srv.Stats()) - before; got != 0 {
		t.Fatalf("a stale plan made %d write calls", got)
	}
	res, err := e.svc.Apply(context.Background(), sp, p.Plan, reverse.ApplyOptions{CheckFresh: true, Force: true})
	if err != nil || res.Failed != 0 || res.Done != len(p.Plan.Operations) {
		t.Fatalf("forced apply: %v, %+v", err, res)
	}
	if got := e.userByEmail(t, rows[i].Email).Title; got != "Principal" {
		t.Fatalf("title %q after the forced apply", got)
	}
}

func (e *env) userByEmail(t *testing.T, email string) genesys.User {
	t.Helper()
	for _, u := range e.srv.Users() {
		if strings.EqualFold(u.Email, email) && u.State != "deleted" {
			got, err := e.api.GetUser(context.Background(), u.ID, nil)
			if err != nil {
				t.Fatal(err)
			}
			return got
		}
	}
	t.Fatalf("no user %s", email)
	return genesys.User{}
}

func TestVersionConflictIsRereadAndRetried(t *testing.T) {
	e, sp, rows := converged(t, 40)
	i := activeRow(rows)
	rows[i].Title = "Principal"
	writeFeed(t, sp.Path, rows)
	p := e.plan(t, sp)
	target := e.userByEmail(t, rows[i].Email)
	raced := false
	hook := func(ctx context.Context, op *diff.Operation) error {
		if op.Kind == diff.KindUpdateUser && op.User.ID == target.ID && !raced {
			raced = true // an admin edits the user while the apply runs
			u := e.userByEmail(t, rows[i].Email)
			dept := "Edited meanwhile"
			if _, err := e.api.UpdateUser(ctx, u.ID, genesys.UpdateUser{Department: &dept, Version: u.Version}); err != nil {
				return err
			}
		}
		return nil
	}
	res, err := e.svc.Apply(context.Background(), sp, p.Plan, reverse.ApplyOptions{BeforeCall: hook})
	if err != nil || res.Failed != 0 {
		t.Fatalf("apply: %v, failures %v", err, res.Failures)
	}
	if n := e.srv.Stats().Count("PATCH /api/v2/users/{userId}", 409); n != 1 {
		t.Fatalf("%d 409 answers, want the one the race caused", n)
	}
	got := e.userByEmail(t, rows[i].Email)
	if got.Title != "Principal" || got.Department != "Edited meanwhile" {
		t.Fatalf("after the race: title %q department %q; want ours and theirs", got.Title, got.Department)
	}
	ops, err := e.store.Operations(context.Background(), res.PlanID)
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range ops {
		if o.Status != store.OpDone {
			t.Errorf("operation %d %s is %s", o.Seq, o.Kind, o.Status)
		}
	}
}

var errKilled = errors.New("killed")

// TestKillAndResume kills applies at operation boundaries (before a call,
// or after it and before its outcome is journaled) and resumes them: no
// user is created twice, and the org ends as the feed says.
func TestKillAndResume(t *testing.T) {
	seed := rand.Uint64()
	t.Logf("seed %d", seed)
	rng := rand.New(rand.NewPCG(seed, 7))
	cases := []struct {
		name  string
		after bool
		at    func(ops []diff.Operation) int
	}{
		{"after the first create, before journaling it", true, func(ops []diff.Operation) int { return indexOfKind(ops, diff.KindCreateUser) }},
		{"before a random call", false, func(ops []diff.Operation) int { return rng.IntN(len(ops)) }},
		{"after a random call", true, func(ops []diff.Operation) int { return rng.IntN(len(ops)) }},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e, sp, rows := converged(t, 40)
			for k := range 3 {
				rows = append(rows, row{EmployeeID: fmt.Sprintf("E80000%02d", k), Email: fmt.Sprintf("joiner%d@example.com", k), Name: fmt.Sprintf("Joiner %d", k),
					Title: "Agent", Manager: rows[0].EmployeeID, State: "active", Skills: rows[1].Skills, Queues: rows[1].Queues,
					Roles: withItem(rows[1].Roles, "employee@Home"), ACD: "true", Division: rows[1].Division, Languages: rows[1].Languages})
			}
			rows[2].Title, rows[3].Department = "Moved", "Elsewhere"
			writeFeed(t, sp.Path, rows)
			p := e.plan(t, sp)
			if p.Plan.Totals.Create != 3 {
				t.Fatalf("plan creates %d, rejected %+v, notes %+v", p.Plan.Totals.Create, p.Feed.Rejected, p.Plan.Notes)
			}
			kill := tc.at(p.Plan.Operations)
			t.Logf("killing at operation %d of %d (%s)", kill, len(p.Plan.Operations), p.Plan.Operations[kill].ID)
			hook := func(ctx context.Context, op *diff.Operation) error {
				if op.ID == p.Plan.Operations[kill].ID {
					return errKilled
				}
				return nil
			}
			opts := reverse.ApplyOptions{BeforeCall: hook}
			if tc.after {
				opts = reverse.ApplyOptions{AfterCall: hook}
			}
			if _, err := e.svc.Apply(context.Background(), sp, p.Plan, opts); !errors.Is(err, errKilled) {
				t.Fatalf("killed apply: %v", err)
			}
			ops, _ := e.store.Operations(context.Background(), apply.PlanID(p.Plan))
			if ops[kill].Status != store.OpRunning {
				t.Fatalf("the killed operation is journaled %s, want running", ops[kill].Status)
			}
			// Resume: the same plan, as `syncer apply --resume` does.
			res, err := e.svc.Apply(context.Background(), sp, p.Plan, reverse.ApplyOptions{Verify: true})
			if err != nil {
				t.Fatalf("resume: %v", err)
			}
			if !res.Resumed || res.Failed != 0 || res.Skipped != 0 || !res.Converged() {
				t.Fatalf("resume: %+v", res)
			}
			if res.Done+res.Previously != len(p.Plan.Operations) {
				t.Fatalf("done %d + previously %d != %d operations", res.Done, res.Previously, len(p.Plan.Operations))
			}
			seen := map[string]int{}
			for _, u := range e.srv.Users() {
				seen[strings.ToLower(u.Email)]++
			}
			for k := range 3 {
				if n := seen[fmt.Sprintf("joiner%d@example.com", k)]; n != 1 {
					t.Fatalf("joiner%d exists %d times", k, n)
				}
			}
			ops, _ = e.store.Operations(context.Background(), res.PlanID)
			if ops[kill].Attempts != 2 || ops[kill].Status != store.OpDone {
				t.Fatalf("killed operation: %d attempts, %s; want 2, done", ops[kill].Attempts, ops[kill].Status)
			}
			if n := e.srv.Stats().RouteTotal("POST /api/v2/users"); n != 3 {
				t.Errorf("%d creates for 3 joiners", n)
			}
			// A third apply of the same plan does nothing.
			again, err := e.svc.Apply(context.Background(), sp, p.Plan, reverse.ApplyOptions{})
			if err != nil || !again.AlreadyApplied || again.Writes != 0 {
				t.Fatalf("third apply: %v %+v", err, again)
			}
		})
	}
}

func indexOfKind(ops []diff.Operation, k diff.Kind) int {
	for i, o := range ops {
		if o.Kind == k {
			return i
		}
	}
	return 0
}

func withItem(items []string, it string) []string {
	for _, x := range items {
		if x == it {
			return items
		}
	}
	return append(append([]string(nil), items...), it)
}
