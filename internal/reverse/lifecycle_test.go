package reverse_test

import (
	"context"
	"encoding/csv"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/usersync/syncer/internal/diff"
	"github.com/usersync/syncer/internal/emulator"
	"github.com/usersync/syncer/internal/load"
	"github.com/usersync/syncer/internal/pipeline"
	"github.com/usersync/syncer/internal/reverse"
	"github.com/usersync/syncer/internal/store"
)

// lifecycleCase is an org with a joiner, a rehire and a leaver to plan.
type lifecycleCase struct {
	e                 *env
	sp                reverse.Spec
	leaver, rehire    emulator.UserView
	station, joinerID string
}

var lifecycleProfiles = map[string]diff.UtilizationProfile{
	"voice-only": {"call": {MaximumCapacity: 1}, "chat": {MaximumCapacity: 0}, "email": {MaximumCapacity: 0}},
	"blended":    {"call": {MaximumCapacity: 1}, "chat": {MaximumCapacity: 2, InterruptableMediaTypes: []string{"call"}}},
}

// newLifecycleCase writes a snapshot of the org in which an active user
// with verifiers, a station and utilization of its own is absent (a
// leaver), an inactive user is listed again (a rehire, with a profile) and
// a joiner comes with every joiner column, taking a free station.
func newLifecycleCase(t *testing.T, seed int64) *lifecycleCase {
	t.Helper()
	e := newEnv(t, emulator.Config{Seed: seed, Users: 150})
	c := &lifecycleCase{e: e}
	held := map[string]bool{}
	for _, u := range e.srv.Users() {
		held[u.DefaultStationID] = true
		switch {
		case c.leaver.ID == "" && u.State == "active" && len(u.Verifiers) > 0 && u.DefaultStationID != "" && u.AssociatedStationID != "" && u.Utilization != nil && len(u.Grants) > 0:
			c.leaver = u
		case c.rehire.ID == "" && u.State == "inactive" && u.EmployeeID != "":
			c.rehire = u
		}
	}
	for _, s := range e.srv.Stations() {
		if !held[s.ID] {
			c.station = s.Name
			break
		}
	}
	if c.leaver.ID == "" || c.rehire.ID == "" || c.station == "" {
		t.Fatal("the generated org lacks a leaver, a rehire or a free station")
	}
	var rows [][]string
	for _, r := range orgRows(e.srv) {
		switch r.EmployeeID {
		case c.leaver.EmployeeID:
			continue
		case c.rehire.EmployeeID:
			r.State = "" // a rehire: the inactive account comes back
			rows = append(rows, append(r.record(), "blended", "", "", "Full-time", ""))
			continue
		}
		rows = append(rows, append(r.record(), "", "", "", "", ""))
	}
	joiner := row{EmployeeID: "J0001", Email: "nia.joiner@example.com", Name: "Nia Joiner", Title: "Agent"}
	rows = append(rows, append(joiner.record(), "voice-only", c.station, "Excel|Coaching", "Contractor", "2026-03-02"))
	path := filepath.Join(e.dir, "hr.csv")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	w := csv.NewWriter(f)
	_ = w.Write(append(slices.Clone(header), "utilization", "default_station", "profile_skills", "employee_type", "hire_date"))
	_ = w.WriteAll(rows)
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	c.sp = e.spec("hr.csv")
	c.sp.Feed.UtilizationProfiles = []string{"blended", "voice-only"}
	c.sp.Diff.Onboard = diff.Onboard{UtilizationProfiles: lifecycleProfiles}
	c.sp.Diff.Owned = c.sp.Diff.Owned.With(diff.DefaultOwned.List()...)
	c.sp.Diff.Guards = diff.Guards{MaxOffboardPercent: new(100.0)}
	return c
}

// TestJoinersAndLeaversApply plans, applies and verifies a feed with a
// joiner (employer info, utilization profile, station, profile skills,
// invite), a rehire (reactivated, its profile set again) and a leaver
// (verifiers revoked, stations released, utilization reset, roles dropped
// by the deactivation) against the emulator; the apply makes exactly the
// plan's calls and the next plan is empty.
func TestJoinersAndLeaversApply(t *testing.T) {
	c := newLifecycleCase(t, 21)
	e, ctx := c.e, context.Background()
	planned := e.plan(t, c.sp)
	p := planned.Plan
	got := map[diff.Kind]int{}
	for _, o := range p.Operations {
		got[o.Kind]++
	}
	for k, n := range map[diff.Kind]int{diff.KindCreateUser: 1, diff.KindSendInvite: 1, diff.KindSetDefaultStation: 1, diff.KindSetProfileSkills: 1,
		diff.KindSetUtilization: 2, diff.KindDeleteVerifier: len(c.leaver.Verifiers), diff.KindClearDefaultStation: 1,
		diff.KindClearAssociatedStation: 1, diff.KindResetUtilization: 1} {
		if got[k] != n {
			t.Errorf("%d %s operations, want %d (plan: %v)", got[k], k, n, got)
		}
	}
	// With a default_station column the users' stations come with the
	// lifecycle listing, not one by one.
	if !slices.Contains(p.Reads.LeaversOf, c.leaver.ID) || !p.Reads.VerifiersOf || p.Reads.StationsOf || !p.Reads.Stations {
		t.Errorf("reads %+v: want the leaver's verifiers, and the stations listing", p.Reads)
	}
	before := e.srv.Stats()
	res, err := e.svc.Apply(ctx, c.sp, p, reverse.ApplyOptions{Verify: true})
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range res.Failures {
		t.Errorf("failure: %s", reverse.Describe(f))
	}
	if !res.OK() {
		t.Fatalf("apply: %d done, %d failed, converged %v:\n%s", res.Done, res.Failed, res.Converged(), render(t, res.Remaining))
	}
	if used := writes(e.srv.Stats()) - writes(before); used != int64(p.Totals.Calls) || res.Writes != p.Totals.Calls {
		t.Errorf("the apply made %d write calls (%d counted), the plan's minimum is %d", used, res.Writes, p.Totals.Calls)
	}

	joiner := res.Created["employee:J0001"]
	j, _ := e.srv.User(joiner)
	if j.DateWelcomeSent == "" || j.EmployeeType != "Contractor" || j.DateHire != "2026-03-02" || j.EmployeeID != "J0001" ||
		!slices.Equal(j.ProfileSkills, []string{"Excel", "Coaching"}) || j.Utilization["chat"].MaximumCapacity != 0 || j.DefaultStationID == "" {
		t.Errorf("the joiner: %+v", j)
	}
	r, _ := e.srv.User(c.rehire.ID)
	if r.State != "active" || r.Utilization["chat"].MaximumCapacity != 2 {
		t.Errorf("the rehire: state %s, utilization %v", r.State, r.Utilization)
	}
	l, _ := e.srv.User(c.leaver.ID)
	if l.State != "inactive" || len(l.Verifiers) != 0 || l.DefaultStationID != "" || l.AssociatedStationID != "" || l.Utilization != nil || len(l.Grants) != 0 {
		t.Errorf("the leaver: %+v", l)
	}
	again := e.plan(t, c.sp)
	if again.Plan.HasChanges() {
		t.Errorf("the next plan is not empty:\n%s", render(t, again.Plan))
	}
}

// TestLeaverStepForbidden: without mfa:verifier:delete the verifier
// deletes fail naming the permission, the rest of the plan (the
// deactivation included) is applied, and the verification says the apply
// did not converge; granted again, the resumed apply finishes it.
func TestLeaverStepForbidden(t *testing.T) {
	c := newLifecycleCase(t, 22)
	e, ctx := c.e, context.Background()
	p := e.plan(t, c.sp).Plan
	if err := e.srv.DenyPermissions("mfa:verifier:delete"); err != nil {
		t.Fatal(err)
	}
	res, err := e.svc.Apply(ctx, c.sp, p, reverse.ApplyOptions{Verify: true})
	if err != nil {
		t.Fatal(err)
	}
	if res.Failed != len(c.leaver.Verifiers) || res.Skipped != 0 {
		t.Fatalf("%d failed, %d skipped; want the %d verifier deletes failed and nothing skipped", res.Failed, res.Skipped, len(c.leaver.Verifiers))
	}
	for _, f := range res.Failures {
		if f.Kind != diff.KindDeleteVerifier || f.HTTPStatus != 403 || !strings.Contains(f.Message, "mfa:verifier:delete") {
			t.Errorf("failure %s: want a 403 of delete_verifier naming mfa:verifier:delete", reverse.Describe(f))
		}
	}
	if res.Converged() {
		t.Error("the verification found nothing left although the verifiers remain")
	}
	if l, _ := e.srv.User(c.leaver.ID); l.State != "inactive" || len(l.Verifiers) != len(c.leaver.Verifiers) {
		t.Errorf("the leaver is %s with %d verifiers", l.State, len(l.Verifiers))
	}
	if err := e.srv.DenyPermissions(); err != nil {
		t.Fatal(err)
	}
	res, err = e.svc.Apply(ctx, c.sp, p, reverse.ApplyOptions{Verify: true})
	if err != nil {
		t.Fatal(err)
	}
	if !res.Resumed || !res.OK() || res.Done != len(c.leaver.Verifiers) {
		t.Errorf("the resumed apply: resumed %v, %d done, ok %v", res.Resumed, res.Done, res.OK())
	}
	if l, _ := e.srv.User(c.leaver.ID); len(l.Verifiers) != 0 {
		t.Errorf("%d verifiers left", len(l.Verifiers))
	}
}

// TestDeleteAfter: a leaver the feed deactivated longer ago than
// offboard.delete_after is deleted by a later plan, which counts it as an
// offboard; one deactivated more recently is not.
func TestDeleteAfter(t *testing.T) {
	c := newLifecycleCase(t, 23)
	e, ctx := c.e, context.Background()
	res, err := e.svc.Apply(ctx, c.sp, e.plan(t, c.sp).Plan, reverse.ApplyOptions{})
	if err != nil || !res.OK() {
		t.Fatalf("apply: %v, %+v", err, res)
	}
	sp := c.sp
	sp.Diff.Offboard = diff.DefaultOffboard
	sp.Diff.Offboard.DeleteAfter = 30 * 24 * time.Hour
	if p := e.plan(t, sp).Plan; p.HasChanges() {
		t.Fatalf("a leaver deactivated now is deleted:\n%s", render(t, p))
	}
	// The journal says the deactivation was 31 days ago.
	if _, err := e.pool.Exec(ctx, `UPDATE plan_operations SET finished_at = now() - interval '31 days' WHERE kind = 'set_state'`); err != nil {
		t.Fatal(err)
	}
	p := e.plan(t, sp).Plan
	if len(p.Operations) != 1 || p.Operations[0].Kind != diff.KindDeleteUser || p.Operations[0].User.ID != c.leaver.ID || p.Totals.Offboard != 1 {
		t.Fatalf("want one deletion of the leaver, counted as an offboard:\n%s", render(t, p))
	}
	if v := p.Guards[1]; v.Guard != diff.GuardMaxOffboards || v.Value != 1 {
		t.Errorf("guard %+v", v)
	}
	res, err = e.svc.Apply(ctx, sp, p, reverse.ApplyOptions{Verify: true})
	if err != nil || !res.OK() {
		t.Fatalf("apply: %v, %+v", err, res)
	}
	if l, _ := e.srv.User(c.leaver.ID); l.State != "deleted" {
		t.Errorf("the leaver is %s", l.State)
	}
	ops, err := e.store.Operations(ctx, res.PlanID)
	if err != nil || len(ops) != 1 || ops[0].Status != store.OpDone {
		t.Errorf("journal: %+v, %v", ops, err)
	}
}

// render prints a plan for a failure message.
func render(t *testing.T, p *diff.Plan) string {
	t.Helper()
	if p == nil {
		return "(no plan)"
	}
	var b strings.Builder
	if err := p.Render(&b); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// TestLeaverStations: a feed without a default_station column takes the
// stations of the leavers leaving now from Postgres, where the plan's
// refresh (the users listing with the station expand) put them, with no
// call of their own, and releases them. Within refresh_max_age of a users
// load that did not read the station expand, it reads them from the API
// instead (the users listing by id, a call per 100).
func TestLeaverStations(t *testing.T) {
	c := newLifecycleCase(t, 24)
	e := c.e
	rows := orgRows(e.srv)
	rows = slices.DeleteFunc(rows, func(r row) bool { return r.EmployeeID == c.leaver.EmployeeID })
	writeFeed(t, filepath.Join(e.dir, "plain.csv"), rows)
	sp := e.spec("plain.csv")
	sp.Diff.Guards = diff.Guards{MaxOffboardPercent: new(100.0)}

	// A forward users load without the station expand, then a plan within
	// refresh_max_age of it: the leaver's stations from the API.
	stale := sp
	stale.RefreshMaxAge = time.Hour
	forwardUsers(t, e, []string{"skills", "languages", "employerInfo", "team"})
	before := e.srv.Stats().RouteTotal("GET /api/v2/users")
	p := e.plan(t, stale).Plan
	if p.Reads.Refreshed || !p.Reads.StationsOf || p.Reads.StoredStations || e.srv.Stats().RouteTotal("GET /api/v2/users")-before != 1 {
		t.Fatalf("within refresh_max_age of a load without stations: reads %+v, %d users calls", p.Reads, e.srv.Stats().RouteTotal("GET /api/v2/users")-before)
	}

	p = e.plan(t, sp).Plan
	if p.Reads.StationsOf || !p.Reads.StoredStations || p.Reads.Stations || !slices.Equal(p.Reads.LeaversOf, []string{c.leaver.ID}) {
		t.Fatalf("reads %+v", p.Reads)
	}
	kinds := map[diff.Kind]int{}
	for _, o := range p.Operations {
		kinds[o.Kind]++
	}
	if kinds[diff.KindClearDefaultStation] != 1 || kinds[diff.KindClearAssociatedStation] != 1 {
		t.Fatalf("plan %v", kinds)
	}
	res, err := e.svc.Apply(context.Background(), sp, p, reverse.ApplyOptions{Verify: true})
	if err != nil || !res.OK() {
		t.Fatalf("apply: %v, %+v", err, res)
	}
	if l, _ := e.srv.User(c.leaver.ID); l.DefaultStationID != "" || l.AssociatedStationID != "" {
		t.Errorf("the leaver keeps %q/%q", l.DefaultStationID, l.AssociatedStationID)
	}
}

// TestJoinerStepForbidden: without routing:utilization:manage the
// profiles of the joiners and the rehire and the leaver's reset fail,
// each naming the permission, and every other step is applied.
func TestJoinerStepForbidden(t *testing.T) {
	c := newLifecycleCase(t, 25)
	e, ctx := c.e, context.Background()
	p := e.plan(t, c.sp).Plan
	if err := e.srv.DenyPermissions("routing:utilization:manage"); err != nil {
		t.Fatal(err)
	}
	res, err := e.svc.Apply(ctx, c.sp, p, reverse.ApplyOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if res.Failed != 3 || res.Skipped != 0 || res.Done != len(p.Operations)-3 {
		t.Fatalf("%d done, %d failed, %d skipped of %d; want the two profiles and the reset failed", res.Done, res.Failed, res.Skipped, len(p.Operations))
	}
	for _, f := range res.Failures {
		if (f.Kind != diff.KindSetUtilization && f.Kind != diff.KindResetUtilization) || f.HTTPStatus != 403 || !strings.Contains(f.Message, "routing:utilization:manage") {
			t.Errorf("failure %s: want a 403 naming routing:utilization:manage", reverse.Describe(f))
		}
	}
	if j, _ := e.srv.User(res.Created["employee:J0001"]); j.DefaultStationID == "" || j.DateWelcomeSent == "" || j.Utilization != nil {
		t.Errorf("the joiner: station %q, welcome %q, utilization %v", j.DefaultStationID, j.DateWelcomeSent, j.Utilization)
	}
}

// forwardUsers runs a forward pipeline of everything a plain feed's plan
// reads, the users listing with expand, as `syncer run` would.
func forwardUsers(t *testing.T, e *env, expand []string) {
	t.Helper()
	streams, err := pipeline.ForwardStreams(e.api, pipeline.ForwardConfig{Expand: expand,
		Streams: []string{pipeline.StreamReference, pipeline.StreamUsers, pipeline.StreamSkills, pipeline.StreamLanguages, pipeline.StreamQueues, pipeline.StreamRoles}})
	if err != nil {
		t.Fatal(err)
	}
	runner := pipeline.NewRunner(e.store, load.New(e.pool, load.Config{Schema: e.store.Schema()}), pipeline.Config{})
	if _, err := runner.Run(context.Background(), "nightly", streams, nil); err != nil {
		t.Fatal(err)
	}
}
