package reverse_test

import (
	"context"
	"os"
	"strings"
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

// converged is an env whose org matches the mirror feed rows.
func converged(t *testing.T, users int) (*env, reverse.Spec, []row) {
	t.Helper()
	e := newEnv(t, emulator.Config{Seed: 7, Users: users})
	sp := e.spec("feed.csv")
	rows := orgRows(e.srv)
	writeFeed(t, sp.Path, rows)
	e.applyPlan(t, sp, e.plan(t, sp).Plan, reverse.ApplyOptions{})
	return e, sp, orgRows(e.srv)
}

func names(vs []emulator.EntityView) []string {
	out := make([]string, len(vs))
	for i, v := range vs {
		out[i] = v.Name
	}
	return out
}

func TestJoinersMoversLeaversEveryAttribute(t *testing.T) {
	e, sp, rows := converged(t, 60)
	sp.Diff.Offboard = diff.Offboard{Action: diff.OffboardDeactivate, RemoveQueues: true, StripSkills: true, StripLanguages: true}
	skills, langs, divs := names(e.srv.Skills()), names(e.srv.Languages()), names(e.srv.Divisions())
	var queues []string
	for _, q := range e.srv.Queues() {
		queues = append(queues, q.Name)
	}
	active := func(i int) bool { return rows[i].State == "active" }
	var idx []int
	for i := range rows {
		if active(i) && len(rows[i].Skills) > 1 && len(rows[i].Queues) > 1 && len(rows[i].Roles) > 0 && len(rows[i].Languages) > 0 {
			idx = append(idx, i)
		}
	}
	if len(idx) < 8 {
		t.Fatalf("only %d users fit the scenario", len(idx))
	}
	mover, skiller, linguist, queuer, roler, acd, quitter, leaver, renamed := idx[0], idx[1], idx[2], idx[3], idx[4], idx[5], idx[6], idx[7], idx[1]

	// Mover: title, department, manager, division.
	r := &rows[mover]
	r.Title, r.Department = "Team Lead", "Operations"
	for _, m := range rows { // a root manager closes no loop
		if m.Manager == "" && m.EmployeeID != r.EmployeeID && m.EmployeeID != r.Manager && m.State == "active" {
			r.Manager = m.EmployeeID
			break
		}
	}
	for _, d := range divs {
		if d != r.Division {
			r.Division = d
			break
		}
	}
	// Skills: change one level, drop one, add one the user lacks.
	r = &rows[skiller]
	r.Skills[0] = r.Skills[0][:len(r.Skills[0])-1] + "0" // new level
	r.Skills = r.Skills[:len(r.Skills)-1]
	for _, s := range skills {
		if !hasItem(r.Skills, s) && !hasItem(rowsOrig(e, skiller), s) {
			r.Skills = append(r.Skills, s+":2.5")
			break
		}
	}
	r.Name = "Renamed " + r.Name
	// Languages: replace the list with one other language.
	r = &rows[linguist]
	for _, l := range langs {
		if !hasItem(r.Languages, l) {
			r.Languages = []string{l + ":4"}
			break
		}
	}
	// Queues: drop the first, flip the second's joined flag, add a new one.
	r = &rows[queuer]
	r.Queues = r.Queues[1:]
	if q := r.Queues[0]; len(q) > 9 && q[len(q)-9:] == ":unjoined" {
		r.Queues[0] = q[:len(q)-9]
	} else {
		r.Queues[0] = q + ":unjoined"
	}
	for _, q := range queues {
		if !hasItem(r.Queues, q) && !hasItem(rowsOrig(e, queuer), q) {
			r.Queues = append(r.Queues, q)
			break
		}
	}
	// Roles: drop all but one, add Supervisor in the home division.
	r = &rows[roler]
	r.Roles = append(r.Roles[:1], "Supervisor@"+divs[0])
	rows[acd].ACD = map[string]string{"true": "false", "false": "true"}[rows[acd].ACD]
	// Deactivating a user unjoins its queues and removes its grants (as
	// Genesys does): a feed that says so converges.
	rows[quitter].State, rows[quitter].Roles = "inactive", nil
	for k, q := range rows[quitter].Queues {
		if !strings.HasSuffix(q, ":unjoined") {
			rows[quitter].Queues[k] = q + ":unjoined"
		}
	}
	// Joiner, managed by the mover, with every list.
	rows = append(rows, row{EmployeeID: "E9000001", Email: "new.joiner@example.com", Name: "New Joiner", Title: "Agent", Department: "Sales",
		Manager: rows[mover].EmployeeID, Division: divs[1], State: "active", Skills: []string{skills[0] + ":3", skills[1] + ":4"},
		Languages: []string{langs[0] + ":5"}, Queues: []string{queues[0], queues[1] + ":unjoined"}, Roles: []string{"Agent@" + divs[1], "employee@" + divs[0]}, ACD: "true"})
	leaverEmail := rows[leaver].Email
	rows = append(rows[:leaver], rows[leaver+1:]...)
	_ = renamed
	writeFeed(t, sp.Path, rows)

	p := e.plan(t, sp)
	tot := p.Plan.Totals
	if tot.Create != 1 || tot.Offboard != 1 || tot.Update != 7 {
		_ = p.Plan.Render(os.Stderr)
		t.Fatalf("totals %+v, want 1 create, 7 updates, 1 offboard", tot)
	}
	kinds := map[diff.Kind]bool{}
	for _, o := range p.Plan.Operations {
		kinds[o.Kind] = true
	}
	for _, k := range []diff.Kind{diff.KindCreateUser, diff.KindSetExternalID, diff.KindUpdateUser, diff.KindMoveDivision, diff.KindSetState,
		diff.KindAddQueueMembers, diff.KindRemoveQueueMembers, diff.KindSetQueueJoined, diff.KindAddRoles, diff.KindRemoveRoles,
		diff.KindSetACDAutoAnswer, diff.KindSetLanguages, diff.KindRemoveLanguage} {
		if !kinds[k] {
			t.Errorf("the plan has no %s operation", k)
		}
	}
	if !kinds[diff.KindSetSkills] && !kinds[diff.KindReplaceSkills] {
		t.Error("the plan changes no skills")
	}
	e.applyPlan(t, sp, p.Plan, reverse.ApplyOptions{})

	// Ground truth in the emulator.
	var joiners int
	for _, u := range e.srv.Users() {
		switch {
		case u.Email == "new.joiner@example.com":
			joiners++
			if len(u.Skills) != 2 || len(u.Languages) != 1 || len(u.Queues) != 2 || !u.AcdAutoAnswer || u.Title != "Agent" {
				t.Errorf("joiner %+v", u)
			}
			if len(u.ExternalIDs) != 1 || u.ExternalIDs[0].ExternalKey != "E9000001" {
				t.Errorf("joiner external ids %v", u.ExternalIDs)
			}
		case u.Email == leaverEmail:
			if u.State != "inactive" || len(u.Queues) != 0 || len(u.Skills) != 0 {
				t.Errorf("leaver state %s, %d queues, %d skills", u.State, len(u.Queues), len(u.Skills))
			}
		case u.Email == rows[quitter].Email:
			if u.State != "inactive" {
				t.Errorf("user set inactive is %s", u.State)
			}
		case u.Email == rows[mover].Email:
			if u.Title != "Team Lead" || u.Department != "Operations" {
				t.Errorf("mover %s / %s", u.Title, u.Department)
			}
		}
	}
	if joiners != 1 {
		t.Fatalf("%d users with the joiner's email, want 1", joiners)
	}
}

func hasItem(items []string, name string) bool {
	for _, it := range items {
		n := it
		for i := len(it) - 1; i >= 0; i-- {
			if it[i] == ':' || it[i] == '@' {
				n = it[:i]
				break
			}
		}
		if n == name {
			return true
		}
	}
	return false
}

// rowsOrig returns the skills and queues items the user has in the org.
func rowsOrig(e *env, i int) []string {
	rows := orgRows(e.srv)
	return append(append([]string(nil), rows[i].Skills...), rows[i].Queues...)
}
