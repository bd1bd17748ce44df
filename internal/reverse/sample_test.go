package reverse_test

import (
	"bytes"
	"encoding/csv"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/usersync/syncer/internal/diff"
	"github.com/usersync/syncer/internal/emulator"
	"github.com/usersync/syncer/internal/feed"
)

var updateSample = flag.Bool("update-sample", false, "regenerate configs/samples/hr_feed.csv from the demo org")

// The demo org: `syncer emulator --seed 7 --users 2000`.
const (
	sampleSeed  = 7
	sampleUsers = 2000
	samplePath  = "../../configs/samples/hr_feed.csv"
)

// Changes the sample makes to the demo org.
const (
	sampleJoiners  = 12
	sampleLeavers  = 8
	sampleMovers   = 25
	sampleSkillers = 30
)

var sampleHeader = []string{"employee_id", "email", "name", "title", "department", "manager_employee_id", "division", "state", "skills", "languages",
	"utilization", "default_station", "profile_skills"}

// sampleProfiles are the utilization profiles of configs/demo.yaml.
var sampleProfiles = map[string]diff.UtilizationProfile{
	"voice-only": {"call": {MaximumCapacity: 1}, "chat": {MaximumCapacity: 0}, "email": {MaximumCapacity: 0}},
	"blended":    {"call": {MaximumCapacity: 1}, "chat": {MaximumCapacity: 2, InterruptableMediaTypes: []string{"call"}}},
}

// sampleFeed renders the demo org as an HR export with joiners (a
// utilization profile and a free station each, profile skills for some),
// leavers (the first with MFA verifiers and a station), a rehire (an
// inactive account listed again, with a profile), movers (title,
// department, manager) and skill changes.
func sampleFeed(srv *emulator.Server) ([]byte, error) {
	rows := orgRows(srv)
	extra := make(map[int][]string) // row index → utilization, default_station, profile_skills
	rng := rand.New(rand.NewPCG(sampleSeed, 2026))
	skills := names(srv.Skills())
	titles := []string{"Senior Agent", "Team Lead", "Workforce Analyst", "Quality Coach", "Service Manager"}
	depts := []string{"Customer Care", "Retention", "Billing", "Technical Support", "Sales"}
	var roots []string
	for _, r := range rows {
		if r.Manager == "" && r.State == "active" {
			roots = append(roots, r.EmployeeID)
		}
	}
	pick := func(n int, used map[int]bool) []int {
		var out []int
		for len(out) < n {
			i := rng.IntN(len(rows))
			if !used[i] && rows[i].State == "active" {
				used[i] = true
				out = append(out, i)
			}
		}
		return out
	}
	used := map[int]bool{}
	for _, i := range pick(sampleMovers, used) {
		r := &rows[i]
		r.Title, r.Department = titles[rng.IntN(len(titles))], depts[rng.IntN(len(depts))]
		if m := roots[rng.IntN(len(roots))]; m != r.EmployeeID {
			r.Manager = m // a root manager closes no reporting loop
		}
	}
	for _, i := range pick(sampleSkillers, used) {
		r := &rows[i]
		if len(r.Skills) > 0 {
			r.Skills = r.Skills[1:] // one skill dropped
		}
		for _, s := range skills[rng.IntN(len(skills)):] {
			if !hasItem(r.Skills, s) {
				r.Skills = append(r.Skills, s+":"+strconv.Itoa(1+rng.IntN(5)))
				break
			}
		}
	}
	leavers := pick(sampleLeavers, used)
	// The first leaver is one with MFA verifiers and stations; the rehire
	// the first inactive account.
	views := map[string]emulator.UserView{}
	held, managers := map[string]bool{}, map[string]bool{}
	for _, u := range srv.Users() {
		views[u.EmployeeID] = u
		held[u.DefaultStationID] = true
	}
	for _, r := range rows {
		managers[r.Manager] = true
	}
	for i, r := range rows {
		if u := views[r.EmployeeID]; r.State == "active" && !used[i] && !managers[r.EmployeeID] && len(u.Verifiers) > 0 && u.DefaultStationID != "" && u.AssociatedStationID != "" {
			used[i] = true
			leavers[0] = i
			break
		}
	}
	for i, r := range rows {
		if r.State == "inactive" && !used[i] {
			used[i] = true
			rows[i].State = "" // listed again without a state: reactivated
			extra[i] = []string{"blended", "", ""}
			break
		}
	}
	var free []string
	for _, s := range srv.Stations() {
		if !held[s.ID] {
			free = append(free, s.Name)
		}
	}
	for k := range sampleJoiners {
		m := roots[rng.IntN(len(roots))]
		rows = append(rows, row{EmployeeID: fmt.Sprintf("E%07d", 9000001+k), Email: fmt.Sprintf("new.hire.%02d@example.com", k+1),
			Name: fmt.Sprintf("New Hire %02d", k+1), Title: "Agent", Department: depts[k%len(depts)], Manager: m,
			Division: rows[0].Division, State: "active", Skills: []string{skills[k%len(skills)] + ":3"}, Languages: []string{}})
		profile, skillsOf := "voice-only", ""
		if k%2 == 1 {
			profile, skillsOf = "blended", "Customer empathy|Excel"
		}
		extra[len(rows)-1] = []string{profile, free[k], skillsOf}
	}
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	_ = w.Write(sampleHeader)
	for i, r := range rows {
		if containsInt(leavers, i) {
			continue
		}
		x := extra[i]
		if x == nil {
			x = []string{"", "", ""}
		}
		_ = w.Write(append(r.record()[:len(sampleHeader)-3], x...))
	}
	w.Flush()
	return buf.Bytes(), w.Error()
}

// TestSampleFeed keeps configs/samples/hr_feed.csv what the demo org makes
// of it (go test ./internal/reverse -run TestSampleFeed -update-sample
// regenerates it), and proves it plans real joiners, leavers, movers and
// skill changes against the demo org.
func TestSampleFeed(t *testing.T) {
	if testing.Short() {
		t.Skip("generates a 2,000-user org")
	}
	srv, err := emulator.New(emulator.Config{Seed: sampleSeed, Users: sampleUsers})
	if err != nil {
		t.Fatal(err)
	}
	want, err := sampleFeed(srv)
	if err != nil {
		t.Fatal(err)
	}
	if *updateSample {
		if err := os.MkdirAll(filepath.Dir(samplePath), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(samplePath, want, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	got, err := os.ReadFile(samplePath)
	if err != nil {
		t.Fatalf("%v (regenerate with -update-sample)", err)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("%s is not what the demo org generates; regenerate with -update-sample", samplePath)
	}

	cur, refs := viewState(srv)
	f, err := feed.Read(bytes.NewReader(got), feed.Config{File: "hr_feed.csv", Refs: refs, UtilizationProfiles: []string{"blended", "voice-only"}})
	if err != nil {
		t.Fatal(err)
	}
	if len(f.Rejected) > 0 {
		t.Fatalf("the sample has %d rejected rows: %+v", len(f.Rejected), f.Rejected[0])
	}
	owned := diff.DefaultOwned.With(feed.FieldSkills, feed.FieldLanguages)
	plan, err := diff.Compute(f, cur, refs, diff.Config{Authority: emulator.ExternalAuthority, Owned: owned,
		Onboard: diff.Onboard{UtilizationProfiles: sampleProfiles}})
	if err != nil {
		t.Fatal(err)
	}
	kinds := map[diff.Kind]int{}
	for _, o := range plan.Operations {
		kinds[o.Kind]++
	}
	// The joiners' invites, profiles and stations, the rehire's profile,
	// the first leaver's verifiers and stations.
	if kinds[diff.KindSendInvite] != sampleJoiners || kinds[diff.KindSetUtilization] != sampleJoiners+1 || kinds[diff.KindSetDefaultStation] != sampleJoiners ||
		kinds[diff.KindDeleteVerifier] == 0 || kinds[diff.KindClearDefaultStation] == 0 || plan.Totals.Reactivate != 1 {
		t.Fatalf("sample plan kinds %v, reactivations %d: want invites, profiles and stations for the joiners, a rehire, a leaver with verifiers and a station",
			kinds, plan.Totals.Reactivate)
	}
	if plan.Totals.Create != sampleJoiners || plan.Totals.Offboard != sampleLeavers || plan.Totals.Update < sampleMovers+sampleSkillers {
		t.Fatalf("sample plan totals %+v; want %d joiners, %d leavers, at least %d updates", plan.Totals, sampleJoiners, sampleLeavers, sampleMovers+sampleSkillers)
	}
	t.Logf("sample plan: %+v", plan.Totals)
	if len(plan.Tripped()) > 0 {
		t.Fatalf("the sample trips a guard: %+v", plan.Tripped())
	}
	var skillOps, titles int
	for _, o := range plan.Operations {
		switch o.Kind {
		case diff.KindSetSkills, diff.KindReplaceSkills, diff.KindRemoveSkill:
			skillOps++
		case diff.KindUpdateUser:
			if o.Update.Title != nil {
				titles++
			}
		}
	}
	if skillOps < sampleSkillers || titles < sampleMovers-5 {
		t.Fatalf("%d skill operations and %d title changes; the sample should change skills and move people", skillOps, titles)
	}
}

// viewState builds the diff's current state straight from the emulator's
// ground truth, as a refresh into Postgres would.
func viewState(srv *emulator.Server) (*diff.Current, *feed.Refs) {
	refs := &feed.Refs{}
	for i, d := range srv.Divisions() {
		refs.Divisions.Add(d.ID, d.Name)
		if i == 0 {
			refs.HomeDivisionID = d.ID
		}
	}
	for _, s := range srv.Skills() {
		refs.Skills.Add(s.ID, s.Name)
	}
	for _, l := range srv.Languages() {
		refs.Languages.Add(l.ID, l.Name)
	}
	for _, r := range srv.Roles() {
		refs.Roles.Add(r.ID, r.Name)
	}
	for _, s := range srv.Stations() {
		refs.Stations.Add(s.ID, s.Name)
	}
	cur := &diff.Current{QueueJoined: map[string]int{}}
	for _, q := range srv.Queues() {
		refs.Queues.Add(q.ID, q.Name)
		cur.QueueJoined[q.ID] = q.JoinedMemberCount
	}
	for _, u := range srv.Users() {
		du := diff.User{ID: u.ID, Email: u.Email, Name: u.Name, Title: u.Title, Department: u.Department, State: u.State,
			DivisionID: u.DivisionID, ManagerID: u.ManagerID, EmployeeID: u.EmployeeID, Version: u.Version, ACDAutoAnswer: u.AcdAutoAnswer}
		for _, x := range u.ExternalIDs {
			if du.ExternalIDs == nil {
				du.ExternalIDs = map[string]string{}
			}
			du.ExternalIDs[x.AuthorityName] = x.ExternalKey
		}
		for _, s := range u.Skills {
			if du.Skills == nil {
				du.Skills = map[string]float64{}
			}
			du.Skills[s.ID] = s.Proficiency
		}
		for _, l := range u.Languages {
			if du.Languages == nil {
				du.Languages = map[string]float64{}
			}
			du.Languages[l.ID] = l.Proficiency
		}
		for _, q := range u.Queues {
			if du.Queues == nil {
				du.Queues = map[string]bool{}
			}
			du.Queues[q.QueueID] = q.Joined
		}
		for _, g := range u.Grants {
			du.Grants = append(du.Grants, diff.Grant{RoleID: g.RoleID, DivisionID: g.DivisionID})
		}
		// As the plan reads them: stations with the lifecycle listing, a
		// leaver's verifiers one by one.
		du.DefaultStationID, du.AssociatedStationID, du.StationsKnown = u.DefaultStationID, u.AssociatedStationID, true
		for _, v := range u.Verifiers {
			du.Verifiers = append(du.Verifiers, v.ID)
		}
		du.VerifiersKnown = true
		cur.Users = append(cur.Users, du)
	}
	return cur, refs
}
