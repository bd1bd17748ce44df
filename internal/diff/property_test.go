package diff

import (
	"encoding/json"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/usersync/syncer/internal/feed"
)

// configs are the policies the property is checked under.
func configs() map[string]Config {
	all := DefaultOwned.With(feed.FieldSkills, feed.FieldLanguages, feed.FieldQueues, feed.FieldRoles)
	unlimited := Guards{MaxOffboards: new(-1), MaxOffboardPercent: new(float64(-1)), MaxQueueLossPercent: new(float64(-1))}
	out := map[string]Config{
		"defaults":       {Authority: "hr", Guards: unlimited},
		"own everything": {Authority: "hr", Owned: all, Guards: unlimited, NewUserGrants: []Grant{{RoleID: "ro-02", DivisionID: "dv-home"}}},
		"email only":     {Owned: all, Guards: unlimited},
		"delete leavers": {Authority: "hr", Owned: all, Guards: unlimited, Offboard: Offboard{Action: OffboardDelete, StripRoles: true},
			NewUserGrants: []Grant{{RoleID: "ro-02", DivisionID: "dv-home"}}},
		"strip and unjoin":   {Authority: "hr", Owned: all, Guards: unlimited, NewMembersJoined: true, Offboard: Offboard{UnjoinQueues: true, StripSkills: true, StripLanguages: true, StripRoles: true}},
		"remove from queues": {Authority: "hr", Owned: DefaultOwned.With(feed.FieldQueues), Guards: unlimited, Offboard: Offboard{RemoveQueues: true}},
		"keep accounts":      {Authority: "hr", Guards: unlimited, Offboard: Offboard{Action: OffboardNone, StripSkills: true, RemoveQueues: true}},
		"scoped": {Authority: "hr", Owned: all, Guards: unlimited,
			Scope: Scope{Divisions: []string{"dv-sales", "dv-support"}, EmailPatterns: []string{"person.*@example.com", "joiner.*"}, Ignore: []string{"person.0003@example.com", "u-0007", "person.001*@example.com"}}},
		"joiners and leavers": {Authority: "hr", Owned: all.With(feed.FieldProfileSkills), Guards: unlimited,
			Onboard:  Onboard{UtilizationProfiles: genOnboard.UtilizationProfiles, ResendAfter: 30 * 24 * time.Hour},
			Offboard: Offboard{Action: OffboardDeactivate, RevokeMFA: true, ReleaseStations: true, ResetUtilization: true, DeleteAfter: 30 * 24 * time.Hour}},
	}
	for name, c := range out {
		if c.Onboard.UtilizationProfiles == nil {
			c.Onboard.UtilizationProfiles = genOnboard.UtilizationProfiles
			out[name] = c
		}
	}
	return out
}

// TestSimulatedPlanConverges is the planner's defining property: applying
// a plan to the state it was made from gives a state whose plan, for the
// same feed, is empty. It runs over generated orgs with joiners, movers,
// leavers, returning (deleted) employees and every attribute kind.
func TestSimulatedPlanConverges(t *testing.T) {
	t.Parallel()
	for name, cfg := range configs() {
		for _, mode := range []feed.Mode{feed.ModeSnapshot, feed.ModeDelta} {
			for seed := range uint64(12) {
				t.Run(fmt.Sprintf("%s/%s/%d", name, mode, seed), func(t *testing.T) {
					t.Parallel()
					w := genWorld(seed, 40+int(seed)*7, mode)
					f := w.read(t)
					plan, err := Compute(f, w.cur, w.refs, cfg)
					if err != nil {
						t.Fatal(err)
					}
					if !plan.HasChanges() {
						t.Fatal("the generated feed made no change; the generator is broken")
					}
					checkPlanShape(t, plan)
					after, err := Simulate(w.cur, plan)
					if err != nil {
						t.Fatal(err)
					}
					again, err := Compute(f, after, w.refs, cfg)
					if err != nil {
						t.Fatal(err)
					}
					if again.HasChanges() || len(again.Users) > 0 {
						var b jsonBuf
						_ = again.Render(&b)
						t.Fatalf("second plan is not empty:\n%s", b.String())
					}
					if again.Fingerprint == plan.Fingerprint {
						t.Error("the fingerprint did not change although the state did")
					}
				})
			}
		}
	}
}

type jsonBuf struct{ b []byte }

func (j *jsonBuf) Write(p []byte) (int, error) { j.b = append(j.b, p...); return len(p), nil }
func (j *jsonBuf) String() string              { return string(j.b) }

// checkPlanShape asserts what every plan must satisfy: unique ids,
// dependencies on earlier operations only, one call per operation, totals
// that add up, versioned writes carrying a version.
func checkPlanShape(t *testing.T, p *Plan) {
	t.Helper()
	seen := map[string]int{}
	calls := 0
	for i, o := range p.Operations {
		if _, dup := seen[o.ID]; dup {
			t.Fatalf("operation id %s twice", o.ID)
		}
		seen[o.ID] = i
		for _, d := range o.DependsOn {
			j, ok := seen[d]
			if !ok || j >= i {
				t.Fatalf("operation %s depends on %s, which does not come before it", o.ID, d)
			}
		}
		if o.Calls != 1 {
			t.Fatalf("operation %s costs %d calls", o.ID, o.Calls)
		}
		if o.Kind.versioned() && o.User.ID != "" && o.ExpectedVersion == 0 {
			t.Fatalf("versioned operation %s on an existing user without a version", o.ID)
		}
		if m, _ := o.Kind.Endpoint(); m == "" {
			t.Fatalf("operation %s has no endpoint", o.ID)
		}
		calls += o.Calls
	}
	if p.Totals.Calls != calls || p.Estimate.Calls != calls || p.Totals.Operations != len(p.Operations) {
		t.Fatalf("totals %+v do not match %d operations costing %d calls", p.Totals, len(p.Operations), calls)
	}
	if p.Totals.Changed() != len(p.Users) {
		t.Fatalf("totals count %d people, the plan lists %d", p.Totals.Changed(), len(p.Users))
	}
}

// TestPlanIsDeterministic: the same inputs give byte-identical JSON, and a
// plan read back from JSON applies the same way.
func TestPlanIsDeterministic(t *testing.T) {
	t.Parallel()
	w := genWorld(99, 80, feed.ModeSnapshot)
	f := w.read(t)
	cfg := configs()["own everything"]
	p1, err := Compute(f, w.cur, w.refs, cfg)
	if err != nil {
		t.Fatal(err)
	}
	p2, _ := Compute(f, w.cur, w.refs, cfg)
	j1, _ := json.Marshal(p1)
	j2, _ := json.Marshal(p2)
	if string(j1) != string(j2) {
		t.Fatal("two plans of the same inputs differ")
	}
	var back Plan
	if err := json.Unmarshal(j1, &back); err != nil {
		t.Fatal(err)
	}
	a1, err := Simulate(w.cur, p1)
	if err != nil {
		t.Fatal(err)
	}
	a2, err := Simulate(w.cur, &back)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(a1, a2); diff != "" {
		t.Errorf("the plan read back from JSON applies differently (-orig +json):\n%s", diff)
	}
}

// TestFingerprint changes with anything the plan depends on, and not with
// users outside the scope.
func TestFingerprint(t *testing.T) {
	t.Parallel()
	w := genWorld(5, 30, feed.ModeSnapshot)
	cfg := Config{Scope: Scope{Divisions: []string{"dv-sales"}}}
	base := Fingerprint(w.cur, cfg)
	if base != Fingerprint(w.cur, cfg) {
		t.Fatal("not stable")
	}
	in := slices.IndexFunc(w.cur.Users, func(u User) bool { return u.DivisionID == "dv-sales" })
	out := slices.IndexFunc(w.cur.Users, func(u User) bool { return u.DivisionID != "dv-sales" })
	mutations := map[string]func(u *User){
		"version": func(u *User) { u.Version++ },
		"state":   func(u *User) { u.State = StateInactive + "x" },
		"skill":   func(u *User) { u.Skills["sk-07"] = 4.5 },
		"queue":   func(u *User) { u.Queues["qu-05"] = !u.Queues["qu-05"] },
		"grant":   func(u *User) { u.Grants = append(u.Grants, Grant{RoleID: "ro-09", DivisionID: "dv-home"}) },
		"extid":   func(u *User) { u.ExternalIDs = map[string]string{"hr": "changed"} },
	}
	for name, m := range mutations {
		c := &Current{Users: slices.Clone(w.cur.Users)}
		c.Users[in] = w.cur.Users[in].clone()
		m(&c.Users[in])
		if Fingerprint(c, cfg) == base {
			t.Errorf("%s of an in-scope user did not change the fingerprint", name)
		}
		c = &Current{Users: slices.Clone(w.cur.Users)}
		c.Users[out] = w.cur.Users[out].clone()
		m(&c.Users[out])
		if Fingerprint(c, cfg) != base {
			t.Errorf("%s of an out-of-scope user changed the fingerprint", name)
		}
	}
}
