package diff

import (
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/usersync/syncer/internal/feed"
)

// kinds counts a plan's operations by kind.
func kinds(p *Plan) map[Kind]int {
	m := map[Kind]int{}
	for _, o := range p.Operations {
		m[o.Kind]++
	}
	return m
}

func skillNames(n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("Skill %03d", i)
	}
	return out
}

// bigRefs has 120 skills and languages, for bulk limits.
func bigRefs() *feed.Refs {
	r := testRefs()
	sk, la := map[string]string{}, map[string]string{}
	for i, n := range skillNames(120) {
		sk[fmt.Sprintf("s%03d", i)] = n
		la[fmt.Sprintf("l%03d", i)] = n
	}
	r.Skills, r.Languages = feed.NewDimension(sk), feed.NewDimension(la)
	return r
}

func levels(from, to int, level float64) map[string]float64 {
	m := map[string]float64{}
	for i := from; i < to; i++ {
		m[fmt.Sprintf("s%03d", i)] = level
	}
	return m
}

func list(from, to int, level string) string {
	var parts []string
	for i := from; i < to; i++ {
		parts = append(parts, fmt.Sprintf("Skill %03d:%s", i, level))
	}
	return strings.Join(parts, "|")
}

// TestSkillStrategy: the cheapest of PATCH+DELETE and PUT is chosen, PUT
// only when the whole set fits one call.
func TestSkillStrategy(t *testing.T) {
	t.Parallel()
	owned := DefaultOwned.With(feed.FieldSkills)
	tests := []struct {
		name  string
		cur   map[string]float64
		want  string
		owned feed.FieldSet
		kinds map[Kind]int
	}{
		{"one removal: DELETE beats PUT on a tie", levels(0, 2, 3), list(0, 1, "3"), owned, map[Kind]int{KindRemoveSkill: 1}},
		{"many removals: one PUT", levels(0, 10, 3), list(0, 1, "4"), owned, map[Kind]int{KindReplaceSkills: 1}},
		{"removing everything: PUT of nothing", levels(0, 5, 3), "", owned, map[Kind]int{KindReplaceSkills: 1}},
		{"not owned: never removed", levels(0, 10, 3), list(0, 1, "4"), DefaultOwned, map[Kind]int{KindSetSkills: 1}},
		{"120 adds: three PATCHes of at most 50", nil, list(0, 120, "2"), owned, map[Kind]int{KindSetSkills: 3}},
		{"60 wanted and removals: PUT cannot hold 60, so PATCH + DELETEs", levels(60, 63, 1), list(0, 60, "2"), owned,
			map[Kind]int{KindSetSkills: 2, KindRemoveSkill: 3}},
		{"unchanged", levels(0, 3, 2), list(0, 3, "2"), owned, map[Kind]int{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			refs := bigRefs()
			cur := &Current{Users: []User{{ID: "u1", Email: "a@example.com", Name: "A", State: StateActive, Version: 1, DivisionID: "dv-home", Skills: tt.cur}}}
			f := readFeed(t, "s.csv", "email,name,skills\na@example.com,A,"+tt.want+"\n", feed.ModeDelta, refs)
			p, err := Compute(f, cur, refs, Config{Owned: tt.owned})
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.kinds, kinds(p)); diff != "" {
				t.Errorf("operations (-want +got):\n%s", diff)
			}
			checkConverges(t, f, cur, refs, Config{Owned: tt.owned}, p)
		})
	}
}

func checkConverges(t *testing.T, f *feed.Feed, cur *Current, refs *feed.Refs, cfg Config, p *Plan) {
	t.Helper()
	checkPlanShape(t, p)
	after, err := Simulate(cur, p)
	if err != nil {
		t.Fatal(err)
	}
	again, err := Compute(f, after, refs, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if again.HasChanges() {
		t.Fatalf("not converged:\n%s", renderPlan(t, again))
	}
}

// TestBatching: queue-side membership in calls of 100, acdAutoAnswer in
// calls of 50 users, division moves in calls of 50, joined flags after
// the add that makes the membership.
func TestBatching(t *testing.T) {
	t.Parallel()
	refs := testRefs()
	cur := &Current{}
	var b strings.Builder
	b.WriteString("employee_id,email,name,division,queues,acd_auto_answer\n")
	for i := range 230 {
		e := fmt.Sprintf("E%03d", i)
		email := fmt.Sprintf("a%03d@example.com", i)
		cur.Users = append(cur.Users, User{ID: "u" + e, Email: email, Name: e, State: StateActive, DivisionID: "dv-home",
			ExternalIDs: map[string]string{"hr": e}, EmployeeID: e, Version: 1})
		fmt.Fprintf(&b, "%s,%s,%s,Sales,Sales Inbound|VIP:unjoined,true\n", e, email, e)
	}
	f := readFeed(t, "b.csv", b.String(), feed.ModeSnapshot, refs)
	cfg := Config{Authority: "hr"}
	p, err := Compute(f, cur, refs, cfg)
	if err != nil {
		t.Fatal(err)
	}
	want := map[Kind]int{
		KindAddQueueMembers:  6,   // 2 queues × ⌈230/100⌉
		KindSetQueueJoined:   230, // new members start unjoined: Sales Inbound must be joined after the add
		KindSetACDAutoAnswer: 5,   // ⌈230/50⌉
		KindMoveDivision:     5,   // ⌈230/50⌉
	}
	if diff := cmp.Diff(want, kinds(p)); diff != "" {
		t.Errorf("operations (-want +got):\n%s", diff)
	}
	for _, o := range p.Operations {
		if o.Kind == KindSetQueueJoined && (len(o.DependsOn) != 1 || len(o.Queues) != 1 || o.Queues[0].ID != id(refs.Queues, "Sales Inbound") || !o.Queues[0].Joined) {
			t.Errorf("%s sets %+v after %v, want Sales Inbound joined after its add", o.ID, o.Queues, o.DependsOn)
		}
	}
	checkConverges(t, f, cur, refs, cfg, p)

	// Members the API adds joined need the flag for the unjoined queue instead.
	cfg.NewMembersJoined = true
	p, err = Compute(f, cur, refs, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if n := kinds(p)[KindSetQueueJoined]; n != 230 {
		t.Errorf("%d joined-flag updates, want 230", n)
	}
	for _, o := range p.Operations {
		if o.Kind == KindSetQueueJoined && (len(o.Queues) != 1 || o.Queues[0].ID != id(refs.Queues, "VIP") || o.Queues[0].Joined) {
			t.Fatalf("%s sets %+v, want VIP unjoined", o.ID, o.Queues)
		}
	}
	checkConverges(t, f, cur, refs, cfg, p)
}

// TestJoinerAndRestore: a new employee is created, gets the external id
// after the create, and a manager who is also new; an employee whose
// email belongs to a deleted user is restored, not created.
func TestJoinerAndRestore(t *testing.T) {
	t.Parallel()
	refs := testRefs()
	cur := &Current{Users: []User{{ID: "u-old", Email: "back@example.com", Name: "Back", State: StateDeleted, DivisionID: "dv-home", Version: 4}}}
	const in = `employee_id,email,name,manager_employee_id,state
E2,new@example.com,New Hire,E1,inactive
E1,boss@example.com,New Boss,,
E3,back@example.com,Back Again,E1,
`
	f := readFeed(t, "j.csv", in, feed.ModeSnapshot, refs)
	cfg := Config{Authority: "hr"}
	p, err := Compute(f, cur, refs, cfg)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, o := range p.Operations {
		got = append(got, fmt.Sprintf("%s v%d %v", o.ID, o.ExpectedVersion, o.DependsOn))
	}
	want := []string{
		"create_user:employee:E2 v0 []",
		"create_user:employee:E1 v0 []",
		"restore_user:employee:E3 v4 []",
		"set_external_id:employee:E2 v0 [create_user:employee:E2]",
		"set_external_id:employee:E1 v0 [create_user:employee:E1]",
		"set_external_id:employee:E3 v0 [restore_user:employee:E3]",
		"update_user:employee:E1 v0 [create_user:employee:E1]", // employee id: POST /users takes no employerInfo
		"update_user:employee:E2 v0 [create_user:employee:E1 create_user:employee:E2]",
		"update_user:employee:E3 v5 [create_user:employee:E1 restore_user:employee:E3]",
		// onboard.send_invite: the active joiner the plan creates, once
		// its account is set up; not the one created inactive, nor the
		// restored account.
		"send_invite:employee:E1 v0 [create_user:employee:E1]",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("operations (-want +got):\n%s", diff)
	}
	if c := p.Operations[0].Create; c == nil || c.State != StateInactive || c.DivisionID != "dv-home" {
		t.Errorf("create body %+v: want state inactive in the home division", c)
	}
	checkConverges(t, f, cur, refs, cfg, p)
}

// TestOwnership: owned scalars are set exactly, others only filled when
// empty; owned lists lose what the feed omits, others only grow.
func TestOwnership(t *testing.T) {
	t.Parallel()
	refs := testRefs()
	agent, sales := id(refs.Roles, "Agent"), "dv-sales"
	mk := func() *Current {
		return &Current{Users: []User{{ID: "u1", Email: "a@example.com", Name: "A", Title: "Old", State: StateActive, DivisionID: "dv-home", Version: 1,
			Grants: []Grant{{RoleID: agent, DivisionID: sales}}}}}
	}
	const in = "email,name,title,department,roles\na@example.com,A,New,Care,Supervisor@Home\n"
	f := readFeed(t, "o.csv", in, feed.ModeSnapshot, refs)
	tests := []struct {
		name  string
		owned feed.FieldSet
		want  []Change
	}{
		{"defaults", 0, []Change{
			{Attr: "title", Before: "Old", After: "New"},
			{Attr: "department", After: "Care"},
			{Attr: "roles", Added: []string{`"Supervisor@Home"`}},
		}},
		{"only roles owned", feed.FieldSet(0).With(feed.FieldRoles), []Change{
			{Attr: "department", After: "Care"},
			{Attr: "roles", Added: []string{`"Supervisor@Home"`}, Removed: []string{`"Agent@Sales"`}, Reason: "roles are owned by the feed"},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			cfg := Config{Owned: tt.owned}
			cur := mk()
			p, err := Compute(f, cur, refs, cfg)
			if err != nil {
				t.Fatal(err)
			}
			if len(p.Users) != 1 {
				t.Fatalf("users %+v", p.Users)
			}
			if diff := cmp.Diff(tt.want, p.Users[0].Changes); diff != "" {
				t.Errorf("changes (-want +got):\n%s", diff)
			}
			checkConverges(t, f, cur, refs, cfg, p)
		})
	}
}

// TestUnidentifiedRejectSuspendsOffboarding: a rejected row that names
// nobody could be anyone, so a snapshot offboards no one.
func TestUnidentifiedRejectSuspendsOffboarding(t *testing.T) {
	t.Parallel()
	refs := testRefs()
	cur := &Current{Users: []User{
		{ID: "u1", Email: "a@example.com", Name: "A", State: StateActive, DivisionID: "dv-home", Version: 1},
		{ID: "u2", Email: "b@example.com", Name: "B", State: StateActive, DivisionID: "dv-home", Version: 1},
	}}
	f := readFeed(t, "u.csv", "email,name\na@example.com,A\n\"b@example.com,B\n", feed.ModeSnapshot, refs)
	p, err := Compute(f, cur, refs, Config{})
	if err != nil {
		t.Fatal(err)
	}
	if p.Totals.Offboard != 0 || len(p.Notes) != 1 || p.Notes[0].Code != NoteOffboardBlocked {
		t.Errorf("totals %+v notes %+v", p.Totals, p.Notes)
	}
}

// TestStateChangesGoAlone: a state change is its own PATCH, after the
// attribute PATCH, each with the version the previous write leaves.
func TestStateChangesGoAlone(t *testing.T) {
	t.Parallel()
	refs := testRefs()
	cur := &Current{Users: []User{{ID: "u1", Email: "a@example.com", Name: "A", State: StateActive, DivisionID: "dv-home", Version: 41}}}
	f := readFeed(t, "s.csv", "email,name,state\na@example.com,A Renamed,inactive\n", feed.ModeSnapshot, refs)
	p, err := Compute(f, cur, refs, Config{})
	if err != nil {
		t.Fatal(err)
	}
	name := "A Renamed"
	want := []Operation{
		{ID: "update_user:email:a@example.com", Kind: KindUpdateUser, User: &UserRef{ID: "u1", Key: "email:a@example.com", Email: "a@example.com"},
			Update: &UpdateUser{Name: &name}, ExpectedVersion: 41, Calls: 1},
		{ID: "set_state:email:a@example.com", Kind: KindSetState, User: &UserRef{ID: "u1", Key: "email:a@example.com", Email: "a@example.com"},
			State: StateInactive, ExpectedVersion: 42, DependsOn: []string{"update_user:email:a@example.com"}, Calls: 1},
	}
	if diff := cmp.Diff(want, p.Operations); diff != "" {
		t.Errorf("operations (-want +got):\n%s", diff)
	}
}

// TestEmailTaken: an email change to an address another user holds (even a
// deleted one) is not planned; the plan says why and still applies.
func TestEmailTaken(t *testing.T) {
	t.Parallel()
	refs := testRefs()
	cur := &Current{Users: []User{
		{ID: "u1", Email: "old@example.com", Name: "A", State: StateActive, DivisionID: "dv-home", Version: 1, ExternalIDs: map[string]string{"hr": "E1"}},
		{ID: "u2", Email: "taken@example.com", Name: "B", State: StateDeleted, DivisionID: "dv-home", Version: 1},
	}}
	f := readFeed(t, "e.csv", "employee_id,email,name,title\nE1,taken@example.com,A,Agent\n", feed.ModeSnapshot, refs)
	p, err := Compute(f, cur, refs, Config{Authority: "hr"})
	if err != nil {
		t.Fatal(err)
	}
	want := []Change{{Attr: "title", After: "Agent"}}
	if len(p.Users) != 1 || !cmp.Equal(want, p.Users[0].Changes) {
		t.Fatalf("users %+v", p.Users)
	}
	if len(p.Notes) != 1 || p.Notes[0].Code != NoteConflict {
		t.Errorf("notes %+v", p.Notes)
	}
}

// TestTruncatedSnapshotTrips: a snapshot with only its header (a failed
// export) would offboard everyone; the guards stop it.
func TestTruncatedSnapshotTrips(t *testing.T) {
	t.Parallel()
	refs := testRefs()
	cur := &Current{}
	for i := range 8 {
		cur.Users = append(cur.Users, User{ID: fmt.Sprint("u", i), Email: fmt.Sprint("p", i, "@example.com"), Name: "P", State: StateActive, DivisionID: "dv-home", Version: 1})
	}
	// feed.Read refuses a header-only file (no_rows); the planner still
	// guards against the Feed such a file would give.
	f := &feed.Feed{File: "empty.csv", Format: feed.FormatCSV, Mode: feed.ModeSnapshot, Resolved: true,
		Columns: feed.FieldSet(0).With(feed.FieldEmployeeID, feed.FieldEmail, feed.FieldName)}
	p, err := Compute(f, cur, refs, Config{})
	if err != nil {
		t.Fatal(err)
	}
	var tripped []string
	for _, v := range p.Tripped() {
		tripped = append(tripped, v.Guard)
	}
	if diff := cmp.Diff([]string{GuardMaxOffboardPercent}, tripped); diff != "" {
		t.Errorf("tripped guards (-want +got):\n%s", diff)
	}
	if p.Totals.Offboard != 8 {
		t.Errorf("offboards %d", p.Totals.Offboard)
	}
}

// TestDirectory: a feed may name a manager who is only in the org, by
// external id or email; a deleted one does not reject the row, but is not
// set (the plan warns).
func TestDirectory(t *testing.T) {
	t.Parallel()
	refs := testRefs()
	cur := &Current{Users: []User{
		{ID: "u-boss", Email: "Boss@example.com", Name: "Boss", State: StateActive, DivisionID: "dv-home", Version: 1, ExternalIDs: map[string]string{"hr": "E1"}},
		{ID: "u-gone", Email: "gone@example.com", Name: "Gone", State: StateDeleted, DivisionID: "dv-home", Version: 1, ExternalIDs: map[string]string{"hr": "E2"}},
	}}
	const in = `employee_id,email,name,manager_employee_id,manager_email
E3,a@example.com,A,E1,
E4,b@example.com,B,,boss@example.com
E5,c@example.com,C,E2,
`
	f, err := feed.Read(strings.NewReader(in), feed.Config{File: "d.csv", Mode: feed.ModeDelta, Refs: refs, Directory: cur.Directory("hr")})
	if err != nil {
		t.Fatal(err)
	}
	if len(f.Employees) != 3 || len(f.Rejected) != 0 {
		t.Fatalf("employees %d, rejected %+v", len(f.Employees), f.Rejected)
	}
	p, err := Compute(f, cur, refs, Config{Authority: "hr"})
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Warnings) != 1 || p.Warnings[0].Code != WarnManagerDeleted {
		t.Errorf("warnings %+v, want manager_deleted for E5", p.Warnings)
	}
	for _, o := range p.Operations {
		if o.Kind == KindUpdateUser && o.Update.Manager != nil && o.Update.Manager.ID != "u-boss" {
			t.Errorf("%s sets manager %+v, want u-boss", o.ID, o.Update.Manager)
		}
	}
	checkConverges(t, f, cur, refs, Config{Authority: "hr"}, p)
}

// TestManagerOrder: when the feed turns a reporting line around, the
// changes run top-down so that no step closes a loop; a change that would
// leave a loop with the org's own lines is dropped with a note.
func TestManagerOrder(t *testing.T) {
	t.Parallel()
	refs := testRefs()
	mk := func() *Current {
		return &Current{Users: []User{
			{ID: "u-a", Email: "a@example.com", Name: "A", State: StateActive, DivisionID: "dv-home", Version: 1, ManagerID: "u-b", ExternalIDs: map[string]string{"hr": "A"}},
			{ID: "u-b", Email: "b@example.com", Name: "B", State: StateActive, DivisionID: "dv-home", Version: 1, ExternalIDs: map[string]string{"hr": "B"}},
			{ID: "u-c", Email: "c@example.com", Name: "C", State: StateActive, DivisionID: "dv-home", Version: 1, ManagerID: "u-a", ExternalIDs: map[string]string{"hr": "C"}},
		}}
	}
	t.Run("swap", func(t *testing.T) {
		t.Parallel()
		// B now reports to A, who reports to nobody; B's row comes first.
		f := readFeed(t, "s.csv", "employee_id,email,name,manager_employee_id\nB,b@example.com,B,A\nA,a@example.com,A,\n", feed.ModeDelta, refs)
		cur := mk()
		p, err := Compute(f, cur, refs, Config{Authority: "hr"})
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, o := range p.Operations {
			got = append(got, fmt.Sprint(o.ID, o.DependsOn))
		}
		want := []string{"update_user:employee:A[]", "update_user:employee:B[update_user:employee:A]"}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("operations (-want +got):\n%s", diff)
		}
		checkConverges(t, f, cur, refs, Config{Authority: "hr"}, p)
	})
	t.Run("loop with the org", func(t *testing.T) {
		t.Parallel()
		// B would report to C, who reports to A, who reports to B.
		cur := mk()
		f, err := feed.Read(strings.NewReader("employee_id,email,name,manager_employee_id,title\nB,b@example.com,B,C,Boss\n"),
			feed.Config{File: "l.csv", Mode: feed.ModeDelta, Refs: refs, Directory: cur.Directory("hr")})
		if err != nil {
			t.Fatal(err)
		}
		p, err := Compute(f, cur, refs, Config{Authority: "hr"})
		if err != nil {
			t.Fatal(err)
		}
		checkConverges(t, f, cur, refs, Config{Authority: "hr"}, p)
		title := "Boss"
		if len(p.Operations) != 1 || p.Operations[0].Update.Manager != nil || *p.Operations[0].Update.Title != title {
			t.Errorf("operations %+v: want the title change alone", p.Operations)
		}
		if len(p.Notes) != 1 || !strings.Contains(p.Notes[0].Reason, "reporting loop") {
			t.Errorf("notes %+v", p.Notes)
		}
	})
}

// TestScopeAndIgnore: service accounts (by pattern), other divisions and
// other email domains are never leavers, and a feed row naming one is not
// applied.
func TestScopeAndIgnore(t *testing.T) {
	t.Parallel()
	refs := testRefs()
	cur := &Current{Users: []User{
		{ID: "u1", Email: "svc-genesys@example.com", Name: "Bot", State: StateActive, DivisionID: "dv-sales", Version: 1},
		{ID: "u2", Email: "agent@example.com", Name: "Agent", State: StateActive, DivisionID: "dv-support", Version: 1},
		{ID: "u3", Email: "contractor@partner.example", Name: "Contractor", State: StateActive, DivisionID: "dv-sales", Version: 1},
		{ID: "u4", Email: "leaver@example.com", Name: "Leaver", State: StateActive, DivisionID: "dv-sales", Version: 1, Skills: map[string]float64{"sk-00": 3}},
	}}
	f := readFeed(t, "s.csv", "email,name,title\nsvc-genesys@example.com,Bot,Robot\n", feed.ModeSnapshot, refs)
	cfg := Config{
		Scope:    Scope{Divisions: []string{"dv-sales"}, EmailPatterns: []string{"*@example.com"}, Ignore: []string{"SVC-*@example.com"}},
		Offboard: Offboard{Action: OffboardNone, StripSkills: true},
	}
	p, err := Compute(f, cur, refs, cfg)
	if err != nil {
		t.Fatal(err)
	}
	want := []UserPlan{{Action: ActionOffboard, Key: "user:u4", UserID: "u4", Name: "Leaver", Email: "leaver@example.com",
		Changes: []Change{{Attr: "skills", Removed: []string{`"Billing"`}, Reason: "offboard.strip_skills of the feed"}}}}
	if diff := cmp.Diff(want, p.Users); diff != "" {
		t.Errorf("users (-want +got):\n%s", diff)
	}
	if len(p.Notes) != 1 || p.Notes[0].Code != NoteIgnored {
		t.Errorf("notes %+v", p.Notes)
	}
	if k := kinds(p); k[KindSetState] != 0 || k[KindRemoveSkill] != 1 {
		t.Errorf("operations %v: want the skill removal alone", k)
	}
}
