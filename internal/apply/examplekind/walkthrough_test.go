// Package examplekind is the operation kind docs/extending.md walks
// through, in test files only: add_skill gives every active person the
// feed keeps a baseline skill. diff_add_skill_test.go is the diff half
// (what internal/diff/kind_add_skill.go would be), exec_add_skill_test.go
// the apply half (internal/apply/kind_add_skill.go); this test plans,
// simulates, applies and verifies it against the emulator, so that the
// document's steps are known to compile and run.
package examplekind

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/usersync/syncer/internal/apply"
	"github.com/usersync/syncer/internal/diff"
	"github.com/usersync/syncer/internal/emulator"
	"github.com/usersync/syncer/internal/emulatortest"
	"github.com/usersync/syncer/internal/feed"
	"github.com/usersync/syncer/internal/pgtest"
	"github.com/usersync/syncer/internal/preflight"
	"github.com/usersync/syncer/internal/reverse"
	"github.com/usersync/syncer/internal/store"
)

func TestAddSkillWalkthrough(t *testing.T) {
	ctx := context.Background()
	srv := emulatortest.Start(t, emulator.Config{Seed: 11, Users: 40})
	client := srv.Client(t)
	dbURL, schema := pgtest.Schema(t)
	st := store.New(pgtest.Pool(t, dbURL, schema), store.Config{Schema: schema})
	if _, err := st.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	svc := reverse.New(client, st, reverse.Config{})

	// The baseline skill: the one the fewest active users have.
	has := func(u emulator.UserView, id string) bool {
		return slices.ContainsFunc(u.Skills, func(s emulator.ProficiencyView) bool { return s.ID == id })
	}
	var skill emulator.EntityView
	lacking := -1
	for _, s := range srv.Skills() {
		n := 0
		for _, u := range srv.Users() {
			if u.State == "active" && !has(u, s.ID) {
				n++
			}
		}
		if n > lacking {
			skill, lacking = s, n
		}
	}
	if lacking < 5 {
		t.Fatalf("only %d active users lack skill %s", lacking, skill.Name)
	}
	baseline.name, baseline.level = skill.Name, 2

	// A snapshot feed of the org as it is, without a skills column.
	path := filepath.Join(t.TempDir(), "hr.csv")
	writeMirror(t, path, srv.Server)
	sp := reverse.Spec{Path: path, Feed: feed.Config{File: path, Mode: feed.ModeSnapshot},
		Diff: diff.Config{Authority: emulator.ExternalAuthority}}

	// Plan: the step plans one add_skill per active user without the skill,
	// in its phase, each with its payload.
	planned, err := svc.Plan(ctx, sp, true)
	if err != nil {
		t.Fatal(err)
	}
	plan := planned.Plan
	var adds []diff.Operation
	phase := 0
	for _, o := range plan.Operations {
		k, ok := diff.LookupKind(o.Kind)
		if !ok || k.Phase < phase {
			t.Fatalf("operation %s (phase %d) after phase %d", o.ID, k.Phase, phase)
		}
		phase = k.Phase
		if o.Kind == KindAddSkill {
			adds = append(adds, o)
		}
	}
	if len(adds) != lacking {
		t.Fatalf("%d add_skill operations, want one per active user without %s (%d)", len(adds), skill.Name, lacking)
	}
	for _, o := range adds {
		body, err := diff.DecodePayload[AddSkill](&o)
		if err != nil || body != (AddSkill{SkillID: skill.ID, Proficiency: 2}) {
			t.Fatalf("%s: payload %+v, %v", o.ID, body, err)
		}
	}
	if err := plan.Validate(); err != nil {
		t.Fatal(err)
	}
	// The plan file carries the kind and its payload, and reads back the
	// same plan.
	raw, err := json.Marshal(plan)
	if err != nil {
		t.Fatal(err)
	}
	var back diff.Plan
	if err := json.Unmarshal(raw, &back); err != nil {
		t.Fatal(err)
	}
	if apply.PlanID(&back) != apply.PlanID(plan) || back.Validate() != nil {
		t.Fatal("the plan does not read back the same")
	}

	// Simulate: the state after the plan has the skill everywhere, and
	// the same feed against it plans nothing.
	after, err := diff.Simulate(planned.State.Current, plan)
	if err != nil {
		t.Fatal(err)
	}
	again, err := diff.Compute(planned.Feed, after, planned.State.Refs, planned.Config)
	if err != nil {
		t.Fatal(err)
	}
	if again.HasChanges() {
		t.Fatalf("the plan of the simulated state has %d operations", len(again.Operations))
	}

	// syncer check lists the endpoint with its permission, as the emulator
	// enforces it.
	e, ok := preflight.WriteEndpoint(KindAddSkill)
	if !ok || e.Key() != "POST /api/v2/users/{userId}/routingskills" || !e.Write {
		t.Fatalf("preflight: %+v, %v", e, ok)
	}
	perms, anyOf, ok := emulator.RoutePermissions(e.Key())
	if !ok || !slices.Equal(perms, e.Permissions) || anyOf != e.AnyOf {
		t.Errorf("preflight lists %v (any %v), the emulator enforces %v (any %v)", e.Permissions, e.AnyOf, perms, anyOf)
	}
	if !slices.Contains(preflight.FeedWrites(preflight.FeedSpec{}), KindAddSkill) {
		t.Error("syncer check does not list add_skill for a feed")
	}

	// Apply and verify: every active user has the skill, and the fresh plan
	// of the verification is empty.
	res, err := svc.Apply(ctx, sp, plan, reverse.ApplyOptions{Verify: true})
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range res.Failures {
		t.Errorf("failure: %s", reverse.Describe(f))
	}
	if !res.OK() {
		t.Fatalf("apply: %d done, %d failed, %d skipped, converged %v", res.Done, res.Failed, res.Skipped, res.Converged())
	}
	for _, u := range srv.Users() {
		if u.State == "active" && !has(u, skill.ID) {
			t.Errorf("user %s has no %s after the apply", u.ID, skill.Name)
		}
	}
	ops, err := st.Operations(ctx, res.PlanID)
	if err != nil {
		t.Fatal(err)
	}
	journaled := 0
	for _, o := range ops {
		if o.Kind == string(KindAddSkill) && o.Status == store.OpDone {
			journaled++
		}
	}
	if journaled != lacking {
		t.Errorf("%d add_skill operations journaled done, want %d", journaled, lacking)
	}

	// The verification sees the kind's effect: a user who loses the skill
	// gets the operation again, and only that one.
	var victim string
	for _, u := range srv.Users() {
		if u.State == "active" {
			victim = u.ID
			break
		}
	}
	if err := client.DeleteUserRoutingSkill(ctx, victim, skill.ID); err != nil {
		t.Fatal(err)
	}
	replanned, err := svc.Plan(ctx, sp, true)
	if err != nil {
		t.Fatal(err)
	}
	if ops := replanned.Plan.Operations; len(ops) != 1 || ops[0].Kind != KindAddSkill || ops[0].User.ID != victim {
		t.Fatalf("after %s lost the skill the plan is %v", victim, ops)
	}
}

// writeMirror writes a snapshot feed of every user not deleted, as the org
// has them, without skills.
func writeMirror(t *testing.T, path string, srv *emulator.Server) {
	t.Helper()
	divs := map[string]string{}
	for _, d := range srv.Divisions() {
		divs[d.ID] = d.Name
	}
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	w := csv.NewWriter(f)
	_ = w.Write([]string{"employee_id", "email", "name", "title", "department", "division", "state"})
	for _, u := range srv.Users() {
		if u.State != "deleted" {
			_ = w.Write([]string{u.EmployeeID, u.Email, u.Name, u.Title, u.Department, divs[u.DivisionID], u.State})
		}
	}
	w.Flush()
	if err := w.Error(); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
}
