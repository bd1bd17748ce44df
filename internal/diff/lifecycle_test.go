package diff

import (
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/usersync/syncer/internal/feed"
)

// lifecycleOrg has a leaver with verifiers, stations and utilization of
// its own (Lea), an inactive account a joiner comes back to (Ray), a mover
// (Mo) and an inactive leaver the feed deactivated 40 days ago (Old).
func lifecycleOrg() *Current {
	return &Current{AsOf: genAsOf, Users: []User{
		{ID: "u-lea", Email: "lea@example.com", Name: "Lea", State: StateActive, Version: 3, ExternalIDs: map[string]string{"hr": "E1"},
			DefaultStationID: "st-001", AssociatedStationID: "st-001", StationsKnown: true, Verifiers: []string{"vf-b", "vf-a"}, VerifiersKnown: true,
			Utilization: &Utilization{Agent: true, Media: map[string]MediaUtilization{"chat": {MaximumCapacity: 4}}},
			Grants:      []Grant{{RoleID: "ro-00", DivisionID: "dv-home"}}},
		{ID: "u-ray", Email: "ray@example.com", Name: "Ray", State: StateInactive, Version: 7, ExternalIDs: map[string]string{"hr": "E2"},
			StationsKnown: true, ProfileSkillsKnown: true},
		{ID: "u-mo", Email: "mo@example.com", Name: "Mo", State: StateActive, Version: 2, ExternalIDs: map[string]string{"hr": "E3"},
			DefaultStationID: "st-003", StationsKnown: true, ProfileSkills: []string{"Excel"}, ProfileSkillsKnown: true,
			Utilization: &Utilization{}, InviteKnown: true, WelcomeSent: genAsOf.AddDate(0, 0, -45)},
		{ID: "u-old", Email: "old@example.com", Name: "Old", State: StateInactive, Version: 9, ExternalIDs: map[string]string{"hr": "E4"},
			OffboardedAt: genAsOf.AddDate(0, 0, -40), DefaultStationID: "st-004", StationsKnown: true},
	}}
}

const lifecycleFeed = `employee_id,email,name,utilization,default_station,profile_skills,employee_type,hire_date
E2,ray@example.com,Ray,voice-only,Desk 001,Coaching,Full-time,2019-04-01
E3,mo@example.com,Mo,blended,st-002,Mentoring,,
E9,nia@example.com,Nia,Blended,Desk 003,Excel|Coaching,Contractor,2026-03-02
`

func lifecycleConfig() Config {
	return Config{Authority: "hr", Onboard: Onboard{UtilizationProfiles: genOnboard.UtilizationProfiles, ResendAfter: 30 * 24 * time.Hour},
		Offboard: Offboard{Action: OffboardDeactivate, RevokeMFA: true, ReleaseStations: true, ResetUtilization: true, DeleteAfter: 30 * 24 * time.Hour}}
}

func readLifecycleFeed(t *testing.T, text string) (*feed.Feed, *feed.Refs) {
	t.Helper()
	refs := testRefs()
	f, err := feed.Read(strings.NewReader(text), feed.Config{File: "hr.csv", Refs: refs, UtilizationProfiles: genOnboard.ProfileNames()})
	if err != nil {
		t.Fatal(err)
	}
	if len(f.Rejected) > 0 {
		t.Fatalf("rejected: %v", f.Problems)
	}
	return f, refs
}

// TestJoinerAndLeaverSteps: a joiner gets employer info, utilization, a
// station released by a leaver in the same plan, profile skills and an
// invite; the rehire its joiner steps again; the leaver loses verifiers,
// stations and utilization before its deactivation (which drops its
// roles, without a call); the leaver deactivated 40 days ago is deleted.
func TestJoinerAndLeaverSteps(t *testing.T) {
	t.Parallel()
	cur := lifecycleOrg()
	f, refs := readLifecycleFeed(t, lifecycleFeed)
	cfg := lifecycleConfig()
	p, err := Compute(f, cur, refs, cfg)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, o := range p.Operations {
		s := string(o.Kind) + " " + o.User.Key
		if len(o.Payload) > 0 {
			s += " " + string(o.Payload)
		}
		if o.RemoveID != "" {
			s += " " + o.RemoveID
		}
		got = append(got, s)
	}
	want := []string{
		"create_user employee:E9",
		"set_external_id employee:E9",
		"update_user employee:E2", // the rehire's employer info
		"update_user employee:E9",
		"delete_verifier user:u-lea vf-a",
		"delete_verifier user:u-lea vf-b",
		"clear_associated_station user:u-lea",
		"clear_default_station user:u-lea",
		"reset_utilization user:u-lea",
		"set_state employee:E2", // the rehire: reactivated
		"set_state user:u-lea",
		`set_utilization employee:E2 {"profile":"voice-only","utilization":{"call":{"maximum_capacity":1},"chat":{"maximum_capacity":0},"email":{"maximum_capacity":0}}}`,
		`set_utilization employee:E3 {"profile":"blended","utilization":{"call":{"maximum_capacity":1},"chat":{"interruptable_media_types":["call"],"maximum_capacity":2}}}`,
		`set_utilization employee:E9 {"profile":"blended","utilization":{"call":{"maximum_capacity":1},"chat":{"interruptable_media_types":["call"],"maximum_capacity":2}}}`,
		`set_default_station employee:E2 {"name":"Desk 001","station_id":"st-001"}`,
		`set_default_station employee:E3 {"name":"Desk 002","station_id":"st-002"}`,
		`set_profile_skills employee:E2 {"skills":["Coaching"]}`,
		`set_profile_skills employee:E3 {"skills":["Excel","Mentoring"]}`,
		`set_profile_skills employee:E9 {"skills":["Excel","Coaching"]}`,
		`send_invite employee:E3 {"force":true}`,
		`send_invite employee:E9 {}`,
		"delete_user user:u-old",
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("operations (-want +got):\n%s", d)
	}
	// Nia asked for Mo's station, which Mo keeps until it is his no more:
	// a note, no operation.
	if len(p.Notes) != 1 || p.Notes[0].Code != NoteConflict || !strings.Contains(p.Notes[0].Reason, "st-003") && !strings.Contains(p.Notes[0].Reason, "Desk 003") {
		t.Errorf("notes %+v", p.Notes)
	}
	var lea UserPlan
	for _, u := range p.Users {
		if u.UserID == "u-lea" {
			lea = u
		}
	}
	var roles *Change
	for i, c := range lea.Changes {
		if c.Attr == "roles" {
			roles = &lea.Changes[i]
		}
	}
	if roles == nil || len(roles.Removed) != 1 || !strings.Contains(roles.Reason, "deactivation") {
		t.Errorf("the leaver's roles: %+v", roles)
	}
	if p.Totals.Offboard != 2 || p.Totals.Create != 1 || p.Totals.Reactivate != 1 {
		t.Errorf("totals %+v: want 2 offboards (the leaver and the grace deletion), a create and a rehire", p.Totals)
	}
	checkConverges(t, f, cur, refs, cfg, p)

	// The verification holds the leaver, now inactive, to its steps.
	after, err := Simulate(cur, p)
	if err != nil {
		t.Fatal(err)
	}
	for i := range after.Users {
		if u := &after.Users[i]; u.ID == "u-lea" {
			if u.State != StateInactive || len(u.Grants) != 0 {
				t.Errorf("the simulated leaver is %s with grants %v", u.State, u.Grants)
			}
			u.Verifiers = []string{"vf-c"} // a verifier the apply did not delete
		}
	}
	cfg.Recheck = map[string]bool{"u-lea": true}
	again, err := Compute(f, after, refs, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff(map[Kind]int{KindDeleteVerifier: 1}, kinds(again)); d != "" {
		t.Errorf("the verification's plan (-want +got):\n%s", d)
	}
}

// TestLeaverStepsPolicy: the leaver steps apply only to accounts leaving
// now, each only when its offboard key is on; a deletion skips them (it
// releases the account whole), and keeping the account active strips its
// roles with calls.
func TestLeaverStepsPolicy(t *testing.T) {
	t.Parallel()
	f, refs := readLifecycleFeed(t, "employee_id,email,name\nE3,mo@example.com,Mo\n")
	for name, c := range map[string]struct {
		off  Offboard
		want map[Kind]int
	}{
		// Mo, whom the feed lists, has an invitation outstanding for 45
		// days: resent. Lea leaves now; Ray and Old are inactive already.
		"defaults": {DefaultOffboard, map[Kind]int{KindDeleteVerifier: 2, KindClearAssociatedStation: 1, KindClearDefaultStation: 1,
			KindResetUtilization: 1, KindSetState: 1, KindSendInvite: 1}},
		"mfa only": {Offboard{Action: OffboardDeactivate, RevokeMFA: true}, map[Kind]int{KindDeleteVerifier: 2, KindSetState: 1, KindSendInvite: 1}},
		"delete": {Offboard{Action: OffboardDelete, RevokeMFA: true, ReleaseStations: true, ResetUtilization: true},
			map[Kind]int{KindDeleteUser: 3, KindSendInvite: 1}},
		"keep the account, strip roles": {Offboard{Action: OffboardNone, StripRoles: true, ReleaseStations: true},
			map[Kind]int{KindClearAssociatedStation: 1, KindClearDefaultStation: 1, KindRemoveRoles: 1, KindSendInvite: 1}},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			cfg := lifecycleConfig()
			cfg.Offboard = c.off
			p, err := Compute(f, lifecycleOrg(), refs, cfg)
			if err != nil {
				t.Fatal(err)
			}
			if d := cmp.Diff(c.want, kinds(p)); d != "" {
				t.Errorf("(-want +got):\n%s", d)
			}
			checkConverges(t, f, lifecycleOrg(), refs, cfg, p)
		})
	}
}

// TestInviteRules: an invite goes to a joiner created active, never to
// one created inactive; nothing is resent without resend_invite_after, or
// before it is over, or to someone who logged in.
func TestInviteRules(t *testing.T) {
	t.Parallel()
	refs := testRefs()
	cur := lifecycleOrg()
	read := func(text string) *feed.Feed {
		f, err := feed.Read(strings.NewReader(text), feed.Config{File: "j.csv", Refs: refs, Mode: feed.ModeDelta})
		if err != nil || len(f.Rejected) > 0 {
			t.Fatalf("%v %v", err, f.Problems)
		}
		return f
	}
	f := read("employee_id,email,name,state\nE7,a@example.com,A,active\nE8,b@example.com,B,inactive\nE3,mo@example.com,Mo,active\n")
	for name, c := range map[string]struct {
		on   Onboard
		asOf time.Time
		want int
	}{
		"defaults: joiners created active": {Onboard{}, genAsOf, 1},
		"off":                              {Onboard{SendInvite: new(false)}, genAsOf, 0},
		"resend after 30 days":             {Onboard{SendInvite: new(false), ResendAfter: 30 * 24 * time.Hour}, genAsOf, 1},
		"resend after 60 days":             {Onboard{SendInvite: new(false), ResendAfter: 60 * 24 * time.Hour}, genAsOf, 0},
		"state read at an unknown time":    {Onboard{SendInvite: new(false), ResendAfter: 24 * time.Hour}, time.Time{}, 0},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			c2 := lifecycleOrg()
			c2.AsOf = c.asOf
			p, err := Compute(f, c2, refs, Config{Authority: "hr", Onboard: c.on})
			if err != nil {
				t.Fatal(err)
			}
			if n := kinds(p)[KindSendInvite]; n != c.want {
				t.Errorf("%d invites, want %d", n, c.want)
			}
		})
	}
	_ = cur
}

// TestStationConflicts: a station another user keeps, or that an earlier
// row takes, is never planned (Genesys gives a station to one person).
func TestStationConflicts(t *testing.T) {
	t.Parallel()
	refs := testRefs()
	f, err := feed.Read(strings.NewReader("employee_id,email,name,default_station\nE7,a@example.com,A,Desk 003\nE8,b@example.com,B,Desk 010\nE9,c@example.com,C,st-010\n"),
		feed.Config{File: "s.csv", Refs: refs, Mode: feed.ModeDelta})
	if err != nil || len(f.Rejected) > 0 {
		t.Fatal(err, f.Problems)
	}
	cur := lifecycleOrg()
	p, err := Compute(f, cur, refs, Config{Authority: "hr", Onboard: Onboard{SendInvite: new(false)}})
	if err != nil {
		t.Fatal(err)
	}
	if n := kinds(p)[KindSetDefaultStation]; n != 1 {
		t.Errorf("%d stations set, want 1 (B's)", n)
	}
	if len(p.Notes) != 2 {
		t.Errorf("notes %+v, want A's (Mo keeps Desk 003) and C's (B takes Desk 010 first)", p.Notes)
	}
	checkConverges(t, f, cur, refs, Config{Authority: "hr", Onboard: Onboard{SendInvite: new(false)}}, p)
}
