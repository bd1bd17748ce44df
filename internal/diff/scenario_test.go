package diff

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/usersync/syncer/internal/feed"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata")

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if diff := cmp.Diff(string(want), string(got)); diff != "" {
		t.Errorf("%s mismatch (-want +got):\n%s", path, diff)
	}
}

func testRefs() *feed.Refs {
	refs, _, _, _, _, _, _ := newRefs()
	return refs
}

// id returns the id of a named object in the generated reference data.
func id(d feed.Dimension, name string) string {
	v, ok := d.ID(name)
	if !ok {
		panic("no " + name)
	}
	return v
}

// mixedOrg is a small org where one snapshot feed exercises every kind of
// change: joiners, movers, a leaver, a returning (deleted) employee, a
// reactivation, a match by email, a conflict, scope and ignore rules and a
// rejected row.
func mixedOrg() (*Current, *feed.Refs) {
	r := testRefs()
	sk, la, qu, ro := r.Skills, r.Languages, r.Queues, r.Roles
	users := []User{
		{ID: "u-maria", Email: "maria.okafor@example.com", Name: "Maria Okafor", Title: "Head of Care", Department: "Care", State: StateActive,
			DivisionID: "dv-home", ExternalIDs: map[string]string{"hr": "E1000"}, Version: 3,
			Grants: []Grant{{RoleID: id(ro, "Supervisor"), DivisionID: "dv-home"}, {RoleID: id(ro, "Employee"), DivisionID: "dv-home"}}},
		{ID: "u-ana", Email: "ana.lima@example.com", Name: "Ana Lima", Title: "Agent", Department: "Care", State: StateActive,
			DivisionID: "dv-sales", ManagerID: "u-maria", ExternalIDs: map[string]string{"hr": "E1001"}, Version: 7,
			Skills:    map[string]float64{id(sk, "Billing"): 3, id(sk, "Sales"): 4},
			Languages: map[string]float64{id(la, "English"): 5},
			Queues:    map[string]bool{id(qu, "Sales Inbound"): true, id(qu, "Billing Support"): true},
			Grants:    []Grant{{RoleID: id(ro, "Agent"), DivisionID: "dv-sales"}}},
		{ID: "u-noah", Email: "noah.dubois@example.com", Name: "Noah Dubois", Title: "Agent", State: StateActive, DivisionID: "dv-sales",
			ExternalIDs: map[string]string{"hr": "E1003"}, Version: 4, Skills: map[string]float64{id(sk, "Billing"): 2},
			Queues: map[string]bool{id(qu, "Sales Inbound"): true, id(qu, "Billing Support"): false},
			Grants: []Grant{{RoleID: id(ro, "Agent"), DivisionID: "dv-sales"}}},
		{ID: "u-liam", Email: "Liam.Chen@example.com", Name: "Liam Chen", State: StateInactive, DivisionID: "dv-sales", Version: 2},
		{ID: "u-sofia-old", Email: "sofia.rossi@example.com", Name: "Sofia Rossi", State: StateDeleted, DivisionID: "dv-sales", Version: 5},
		{ID: "u-bot", Email: "svc-integration@example.com", Name: "Integration Bot", State: StateActive, DivisionID: "dv-home", Version: 1},
		{ID: "u-far", Email: "far.away@example.com", Name: "Far Away", State: StateActive, DivisionID: "dv-support",
			ExternalIDs: map[string]string{"hr": "E1008"}, Version: 1},
		{ID: "u-kim", Email: "kim.park@example.com", Name: "Kim Park", State: StateActive, DivisionID: "dv-sales",
			ExternalIDs: map[string]string{"hr": "E1006"}, Version: 9, Skills: map[string]float64{id(sk, "Sales"): 5}},
		{ID: "u-zoe1", Email: "zoe.old@example.com", Name: "Zoe Wu", State: StateActive, DivisionID: "dv-sales",
			ExternalIDs: map[string]string{"hr": "E1007"}, Version: 1},
		{ID: "u-zoe2", Email: "zoe@example.com", Name: "Zoe W.", State: StateActive, DivisionID: "dv-sales", Version: 1},
	}
	return &Current{Users: users, QueueJoined: map[string]int{id(qu, "Sales Inbound"): 12}}, r
}

const mixedFeed = `employee_id,email,name,title,department,manager_employee_id,division,state,skills,languages,queues,roles,acd_auto_answer
E1000,maria.okafor@example.com,Maria Okafor,Head of Care,Care,,Home,active,,,,Supervisor@Home|Employee@Home,false
E1001,ana.lima@example.com,Ana Lima,Senior Agent,Care,E1000,Sales,active,Billing:4|Technical Support:2,English:5|Spanish:3,Sales Inbound|Billing Support:unjoined|Tech Support,Agent@Sales|Quality Evaluator@Sales,true
E1002,liam.chen@example.com,Liam Chen,Agent,Care,E1005,Home,active,Sales:3,,Sales Inbound,Agent@Home,false
E1004,sofia.rossi@example.com,Sofia Rossi,Agent,Care,E1000,Sales,active,,,Sales Inbound:unjoined,Agent@Sales,false
E1005,kenji.sato@example.com,Kenji Sato,Team Lead,Care,E1000,Sales,active,Billing:5|Sales:5,Portuguese:5|English:4,Sales Inbound|VIP,Supervisor@Sales|Agent,true
E1006,kim.park@example.com,Kim Park,Agent,Care,E1000,Sales,active,Sales:9,,,,false
E1007,zoe@example.com,Zoe Wu,Agent,Care,E1000,Sales,active,,,,,false
E1008,far.away@example.com,Far Away,Agent,Care,E1000,Support,active,,,,,false
`

func mixedConfig() Config {
	return Config{
		Authority: "hr",
		Owned:     DefaultOwned.With(feed.FieldSkills, feed.FieldLanguages, feed.FieldQueues, feed.FieldRoles),
		Scope:     Scope{Divisions: []string{"dv-home", "dv-sales"}, Ignore: []string{"svc-integration@example.com"}},
		Offboard:  Offboard{UnjoinQueues: true, StripRoles: true},
		Guards:    Guards{MaxOffboardPercent: new(float64(20)), MaxRejectedPercent: new(float64(20))},
		// Genesys grants every new user the employee role at home.
		NewUserGrants: []Grant{{RoleID: "ro-02", DivisionID: "dv-home"}},
	}
}

func readFeed(t *testing.T, name, text string, mode feed.Mode, refs *feed.Refs) *feed.Feed {
	t.Helper()
	f, err := feed.Read(strings.NewReader(text), feed.Config{File: name, Mode: mode, Refs: refs})
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func renderPlan(t *testing.T, p *Plan) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := p.Render(&b); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func planJSON(t *testing.T, p *Plan) []byte {
	t.Helper()
	b, err := json.MarshalIndent(p, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	return append(b, '\n')
}

// TestMixedScenario pins the rendering and the operations of a plan that
// touches every kind of change, then checks that it converges.
func TestMixedScenario(t *testing.T) {
	t.Parallel()
	cur, refs := mixedOrg()
	f := readFeed(t, "hr.csv", mixedFeed, feed.ModeSnapshot, refs)
	p, err := Compute(f, cur, refs, mixedConfig())
	if err != nil {
		t.Fatal(err)
	}
	checkPlanShape(t, p)
	golden(t, "mixed.plan.txt", renderPlan(t, p))
	golden(t, "mixed.plan.json", planJSON(t, p))

	after, err := Simulate(cur, p)
	if err != nil {
		t.Fatal(err)
	}
	again, err := Compute(f, after, refs, mixedConfig())
	if err != nil {
		t.Fatal(err)
	}
	if again.HasChanges() {
		t.Fatalf("second plan not empty:\n%s", renderPlan(t, again))
	}
	golden(t, "mixed.replan.txt", renderPlan(t, again))
}

// TestDeltaScenario: a delta feed offboards one person (deleting, per
// policy) and changes another; everyone else is left alone.
func TestDeltaScenario(t *testing.T) {
	t.Parallel()
	cur, refs := mixedOrg()
	const delta = `{"employee_id":"E1003","action":"offboard"}
{"employee_id":"E1001","email":"ana.lima@example.com","name":"Ana Lima","title":"Team Lead","queues":[{"name":"Sales Inbound","joined":false}]}
{"employee_id":"E1099","action":"offboard"}
`
	f := readFeed(t, "changes.jsonl", delta, feed.ModeDelta, refs)
	cfg := mixedConfig()
	cfg.Owned = DefaultOwned // queues add-only: Billing Support stays
	cfg.Offboard = Offboard{Action: OffboardDelete, StripSkills: true}
	p, err := Compute(f, cur, refs, cfg)
	if err != nil {
		t.Fatal(err)
	}
	checkPlanShape(t, p)
	golden(t, "delta.plan.txt", renderPlan(t, p))
	if p.Totals.Offboard != 1 || p.Totals.Update != 1 || p.Totals.Create != 0 {
		t.Errorf("totals %+v", p.Totals)
	}
}

// TestGuardsTrip: a snapshot that drops half of a queue's agents trips
// every guard, each naming its numbers and override.
func TestGuardsTrip(t *testing.T) {
	t.Parallel()
	refs := testRefs()
	vip := id(refs.Queues, "VIP")
	cur := &Current{}
	var b strings.Builder
	b.WriteString("employee_id,email,name,queues\n")
	for i := range 20 {
		e := "E" + string(rune('A'+i))
		email := strings.ToLower(e) + "@example.com"
		cur.Users = append(cur.Users, User{ID: "u-" + e, Email: email, Name: "Agent " + e, State: StateActive, DivisionID: "dv-home",
			ExternalIDs: map[string]string{"hr": e}, Version: 1, Queues: map[string]bool{vip: true}})
		if i%2 == 0 {
			b.WriteString(e + "," + email + ",Agent " + e + ",VIP\n")
		}
	}
	f := readFeed(t, "half.csv", b.String(), feed.ModeSnapshot, refs)
	p, err := Compute(f, cur, refs, Config{Authority: "hr", Guards: Guards{MaxOffboards: new(5), MaxChanges: new(8)}})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]Verdict{}
	for _, v := range p.Tripped() {
		got[v.Guard] = v
	}
	want := map[string]Verdict{
		GuardMaxOffboards: {Guard: GuardMaxOffboards, Tripped: true, Value: 10, Limit: 5, Flag: "--max-offboards", ConfigKey: "guards.max_offboards",
			Message: "10 users would be offboarded, more than the limit of 5; override with --max-offboards or guards.max_offboards"},
		GuardMaxOffboardPercent: {Guard: GuardMaxOffboardPercent, Tripped: true, Value: 50, Limit: 5, Flag: "--max-offboard-percent", ConfigKey: "guards.max_offboard_percent",
			Message: "10 of 20 in-scope users would be offboarded (50.0%), more than the limit of 5.0%; override with --max-offboard-percent or guards.max_offboard_percent"},
		GuardMaxChanges: {Guard: GuardMaxChanges, Tripped: true, Value: 10, Limit: 8, Flag: "--max-changes", ConfigKey: "guards.max_changes",
			Message: "10 users would be created, restored, changed or offboarded, more than the limit of 8; override with --max-changes or guards.max_changes"},
		GuardQueueLoss: {Guard: GuardQueueLoss, Tripped: true, Value: 50, Limit: 30, Queue: "VIP", Queues: 1, Flag: "--max-queue-loss-percent", ConfigKey: "guards.max_queue_loss_percent",
			Message: `1 queue would lose more than 30.0% of its joined agents (at least 2): "VIP" 10 of 20 (50.0%); override with --max-queue-loss-percent or guards.max_queue_loss_percent`},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("tripped guards (-want +got):\n%s", diff)
	}
	golden(t, "guards.plan.txt", renderPlan(t, p))

	// Raised limits pass.
	p, err = Compute(f, cur, refs, Config{Authority: "hr", Guards: Guards{MaxOffboards: new(10), MaxOffboardPercent: new(float64(50)), MaxQueueLossPercent: new(float64(50))}})
	if err != nil {
		t.Fatal(err)
	}
	if tr := p.Tripped(); len(tr) != 0 {
		t.Errorf("tripped with raised limits: %+v", tr)
	}
}
