package diff

import (
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/usersync/syncer/internal/feed"
)

// TestListsAreAddOnlyByDefault: with the default ownership, a row listing
// some skills (or an empty skills cell, or queues and roles) never removes
// what the user has; owning the list makes it exact, and each removal then
// says why.
func TestListsAreAddOnlyByDefault(t *testing.T) {
	t.Parallel()
	refs := testRefs()
	sk, qu, ro := refs.Skills, refs.Queues, refs.Roles
	cur := func() *Current {
		return &Current{Users: []User{{ID: "u1", Email: "a@example.com", Name: "A", State: StateActive, DivisionID: "dv-home", Version: 1,
			Skills: map[string]float64{id(sk, "Billing"): 3, id(sk, "Chat"): 2, id(sk, "Email"): 1},
			Queues: map[string]bool{id(qu, "VIP"): true, id(qu, "Claims"): false},
			Grants: []Grant{{RoleID: id(ro, "Agent"), DivisionID: "dv-sales"}}}}}
	}
	for _, in := range []string{
		"email,name,skills,queues,roles\na@example.com,A,Sales:4,Tech Support,Supervisor@Home\n",
		"email,name,skills,queues,roles\na@example.com,A,,,\n",
	} {
		f := readFeed(t, "d.csv", in, feed.ModeDelta, refs)
		p, err := Compute(f, cur(), refs, Config{FeedName: "hr"})
		if err != nil {
			t.Fatal(err)
		}
		for _, u := range p.Users {
			for _, c := range u.Changes {
				if len(c.Removed) > 0 {
					t.Errorf("%q: default ownership removed %s %v", in, c.Attr, c.Removed)
				}
			}
		}
		for _, o := range p.Operations {
			if o.Kind == KindRemoveSkill || o.Kind == KindReplaceSkills || o.Kind == KindRemoveQueueMembers || o.Kind == KindRemoveRoles {
				t.Errorf("%q: default ownership planned %s", in, o.Kind)
			}
		}
		checkConverges(t, f, cur(), refs, Config{FeedName: "hr"}, p)
	}

	// Owned: exact, with the reason on every removal.
	f := readFeed(t, "d.csv", "email,name,skills,queues,roles\na@example.com,A,Sales:4,Tech Support,Supervisor@Home\n", feed.ModeDelta, refs)
	cfg := Config{FeedName: "hr", Owned: DefaultOwned.With(feed.FieldSkills, feed.FieldQueues, feed.FieldRoles)}
	p, err := Compute(f, cur(), refs, cfg)
	if err != nil {
		t.Fatal(err)
	}
	out := string(renderPlan(t, p))
	for _, line := range []string{
		`      - skill "Billing" (skills are owned by feed hr)`,
		`      - skill "Chat" (skills are owned by feed hr)`,
		`      - queue "VIP" (queues are owned by feed hr)`,
		`      - role "Agent@Sales" (roles are owned by feed hr)`,
		`      + skill "Sales" 4`,
	} {
		if !strings.Contains(out, "\n"+line+"\n") {
			t.Errorf("the plan lacks the line %q:\n%s", line, out)
		}
	}
	checkConverges(t, f, cur(), refs, cfg, p)
}

// TestEveryRemovalSaysWhy: over generated worlds and every configuration
// of the property tests, no plan removes or clears anything without a
// reason.
func TestEveryRemovalSaysWhy(t *testing.T) {
	t.Parallel()
	for name, cfg := range configs() {
		for seed := range uint64(4) {
			w := genWorld(seed, 60, feed.ModeSnapshot)
			p, err := Compute(w.read(t), w.cur, w.refs, cfg)
			if err != nil {
				t.Fatal(err)
			}
			for _, u := range p.Users {
				for _, c := range u.Changes {
					cleared := c.Before != "" && c.After == "" && c.Added == nil && c.Changed == nil && c.Removed == nil
					if (len(c.Removed) > 0 || cleared) && c.Reason == "" {
						t.Fatalf("%s seed %d: %s %s: %+v has no reason", name, seed, u.Action, u.Key, c)
					}
				}
			}
		}
	}
}

// TestReactivatesInactiveMatch: a row matching an inactive account by
// email or employee id reactivates it (a warning says so) instead of
// creating a second account; a row saying state=inactive keeps it
// inactive; without state ownership nothing changes the state.
func TestReactivatesInactiveMatch(t *testing.T) {
	t.Parallel()
	refs := testRefs()
	cur := func() *Current {
		return &Current{Users: []User{
			{ID: "u-old", Email: "back@example.com", Name: "Back", State: StateInactive, DivisionID: "dv-home", Version: 4},
			{ID: "u-ext", Email: "other@example.com", Name: "Ext", State: StateInactive, DivisionID: "dv-home", Version: 2,
				ExternalIDs: map[string]string{"hr": "E77"}},
		}}
	}
	for _, tt := range []struct {
		name, in    string
		cfg         Config
		reactivated int
	}{
		{"by email", "email,name\nback@example.com,Back\n", Config{Authority: "hr"}, 1},
		{"by employee id", "employee_id,email,name\nE77,other@example.com,Ext\n", Config{Authority: "hr"}, 1},
		{"both", "employee_id,email,name\nE77,other@example.com,Ext\nE78,back@example.com,Back\n", Config{Authority: "hr"}, 2},
		{"state inactive kept", "email,name,state\nback@example.com,Back,inactive\n", Config{Authority: "hr"}, 0},
		{"state not owned", "email,name\nback@example.com,Back\n", Config{Authority: "hr", Owned: feed.FieldSet(0).With(feed.FieldName)}, 0},
	} {
		t.Run(tt.name, func(t *testing.T) {
			f := readFeed(t, "r.csv", tt.in, feed.ModeDelta, refs)
			p, err := Compute(f, cur(), refs, tt.cfg)
			if err != nil {
				t.Fatal(err)
			}
			if k := kinds(p); k[KindCreateUser] != 0 {
				t.Fatalf("created a second account: %v", k)
			}
			if p.Totals.Reactivate != tt.reactivated || kinds(p)[KindSetState] != tt.reactivated {
				t.Fatalf("reactivated %d (%d set_state), want %d:\n%s", p.Totals.Reactivate, kinds(p)[KindSetState], tt.reactivated, renderPlan(t, p))
			}
			if len(p.Warnings) != tt.reactivated {
				t.Errorf("warnings %+v, want one per reactivation", p.Warnings)
			}
			if tt.reactivated > 0 {
				out := string(renderPlan(t, p))
				if !strings.Contains(out, "\n  ~ reactivate ") || !strings.Contains(out, "(inactive user u-") || !strings.Contains(out, "reactivate)") {
					t.Errorf("the plan does not say reactivate:\n%s", out)
				}
			}
			checkConverges(t, f, cur(), refs, tt.cfg, p)
		})
	}
}

// TestManagerStateWarnings: a manager who is inactive in the org is set
// with a warning; a deleted one is not set, with a warning, and the row is
// still applied.
func TestManagerStateWarnings(t *testing.T) {
	t.Parallel()
	refs := testRefs()
	cur := &Current{Users: []User{
		{ID: "u-a", Email: "a@example.com", Name: "A", State: StateActive, DivisionID: "dv-home", Version: 1},
		{ID: "u-in", Email: "boss.in@example.com", Name: "Boss In", State: StateInactive, DivisionID: "dv-home", Version: 1},
		{ID: "u-del", Email: "boss.del@example.com", Name: "Boss Del", State: StateDeleted, DivisionID: "dv-home", Version: 1},
		{ID: "u-b", Email: "b@example.com", Name: "B", State: StateActive, DivisionID: "dv-home", Version: 1},
	}}
	in := "email,name,manager_email\na@example.com,A,boss.in@example.com\nb@example.com,B,boss.del@example.com\n"
	f, err := feed.Read(strings.NewReader(in), feed.Config{File: "m.csv", Mode: feed.ModeDelta, Refs: refs, Directory: cur.Directory("")})
	if err != nil {
		t.Fatal(err)
	}
	p, err := Compute(f, cur, refs, Config{})
	if err != nil {
		t.Fatal(err)
	}
	if len(f.Rejected) != 0 {
		t.Fatalf("rows rejected: %+v", f.Rejected)
	}
	if len(p.Warnings) != 2 || p.Warnings[0].Code != WarnManagerInactive || !strings.Contains(p.Warnings[0].Reason, "u-in") ||
		p.Warnings[1].Code != WarnManagerDeleted || !strings.Contains(p.Warnings[1].Reason, "u-del") {
		t.Errorf("warnings %+v, want manager_inactive for u-in, manager_deleted for u-del", p.Warnings)
	}
	for _, o := range p.Operations {
		if o.Update != nil && o.Update.Manager != nil && o.Update.Manager.ID == "u-del" {
			t.Errorf("a deleted manager was set: %+v", o)
		}
	}
	if !strings.Contains(string(renderPlan(t, p)), "\nWarnings (2):\n") {
		t.Errorf("the plan does not show the warning:\n%s", renderPlan(t, p))
	}
}

// TestQueueLossIsOneVerdict: however many queues lose agents, the guard
// gives one verdict naming the five worst (worst first) and counting the
// rest.
func TestQueueLossIsOneVerdict(t *testing.T) {
	t.Parallel()
	refs := &feed.Refs{HomeDivisionID: "dv-home"}
	refs.Divisions.Add("dv-home", "Home")
	cur := &Current{}
	var b strings.Builder
	b.WriteString("email,name\n")
	for q := range 12 {
		refs.Queues.Add(fmt.Sprintf("q%02d", q), fmt.Sprintf("Queue %02d", q))
		// Queue q has 10 joined agents; 2+q/2 of them leave (at least 20%).
		for a := range 10 {
			u := User{ID: fmt.Sprintf("u%02d-%d", q, a), Email: fmt.Sprintf("u%02d-%d@example.com", q, a), Name: "U", State: StateActive,
				DivisionID: "dv-home", Version: 1, Queues: map[string]bool{fmt.Sprintf("q%02d", q): true}}
			cur.Users = append(cur.Users, u)
			if a >= 2+q/2 {
				fmt.Fprintf(&b, "%s,U\n", u.Email)
			}
		}
	}
	f := readFeed(t, "q.csv", b.String(), feed.ModeSnapshot, refs)
	p, err := Compute(f, cur, refs, Config{Guards: Guards{MaxOffboards: new(-1), MaxOffboardPercent: new(-1.0)}})
	if err != nil {
		t.Fatal(err)
	}
	var got []Verdict
	for _, v := range p.Guards {
		if v.Guard == GuardQueueLoss {
			got = append(got, v)
		}
	}
	// Queues 00-03 lose 2 or 3 of 10 (at most the limit); 04-11 lose more.
	want := []Verdict{{Guard: GuardQueueLoss, Tripped: true, Value: 70, Limit: 30, Queue: "Queue 10", Queues: 8,
		Flag: "--max-queue-loss-percent", ConfigKey: "guards.max_queue_loss_percent",
		Message: `8 queues would lose more than 30.0% of their joined agents (at least 2): "Queue 10" 7 of 10 (70.0%), "Queue 11" 7 of 10 (70.0%), ` +
			`"Queue 08" 6 of 10 (60.0%), "Queue 09" 6 of 10 (60.0%), "Queue 06" 5 of 10 (50.0%) and 3 more; override with --max-queue-loss-percent or guards.max_queue_loss_percent`}}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("queue loss verdicts (-want +got):\n%s", d)
	}
	out := string(renderPlan(t, p))
	if n := strings.Count(out, "max_queue_loss_percent:"); n != 1 {
		t.Errorf("the plan shows the queue guard %d times, want once:\n%s", n, out)
	}
}

// TestRenderEscapesHostileText: names and emails from the org or the
// feed cannot put control characters on the terminal; a name that tries
// to print "No changes" over the plan shows its escapes instead.
func TestRenderEscapesHostileText(t *testing.T) {
	t.Parallel()
	refs := testRefs()
	hostile := "Eve\r\x1b[2K\x1b[1ANo changes: the org already matches the feed.\u202e"
	cur := &Current{Users: []User{{ID: "u-eve\x1b[31m", Email: "eve@example.com", Name: hostile, Title: "x\x9b2J", State: StateActive, DivisionID: "dv-home", Version: 1}}}
	f := readFeed(t, "h.csv", "email,name,title\neve@example.com,Eve,Agent\n", feed.ModeDelta, refs)
	p, err := Compute(f, cur, refs, Config{})
	if err != nil {
		t.Fatal(err)
	}
	p.Notes = append(p.Notes, Note{Key: "email:\x1b]0;pwned\x07", Code: NoteNotFound, Reason: "x\ny"})
	out := string(renderPlan(t, p))
	for _, r := range out {
		if (r < 0x20 && r != '\n') || (r >= 0x7f && r <= 0x9f) || r == '\u202e' {
			t.Fatalf("the rendered plan holds control character %U:\n%q", r, out)
		}
	}
	if !strings.Contains(out, `"x\x9b2J" → "Agent"`) || !strings.Contains(out, `(user u-eve\x1b[31m)`) {
		t.Errorf("escapes missing:\n%s", out)
	}
}

// TestMatchesOnOrgEmployeeID: the feed's employee id finds the person by
// the org's employerInfo.employeeId (read free with the users listing)
// when no external id is known; a row whose email belongs to someone else
// is a conflict; joiners get the employee id; a user lacking it gets it
// only when employee_id is owned, and a different one is never
// overwritten; with IgnoreOrgEmployeeID none of this happens.
func TestMatchesOnOrgEmployeeID(t *testing.T) {
	t.Parallel()
	refs := testRefs()
	cur := func() *Current {
		return &Current{Users: []User{
			{ID: "u-moved", Email: "old.mail@example.com", Name: "Mover", State: StateActive, DivisionID: "dv-home", Version: 2, EmployeeID: "E1", ExternalIDsUnknown: true},
			{ID: "u-a", Email: "a@example.com", Name: "A", State: StateActive, DivisionID: "dv-home", Version: 1, EmployeeID: "E2", ExternalIDsUnknown: true},
			{ID: "u-b", Email: "b@example.com", Name: "B", State: StateActive, DivisionID: "dv-home", Version: 1, ExternalIDsUnknown: true},
			{ID: "u-c", Email: "c@example.com", Name: "C", State: StateActive, DivisionID: "dv-home", Version: 1, EmployeeID: "E9", ExternalIDsUnknown: true},
		}}
	}
	const in = "employee_id,email,name\n" +
		"E1,new.mail@example.com,Mover\n" + // matched by employee id: email changes
		"E2,b@example.com,B\n" + // E2 is u-a, the email is u-b's: conflict
		"E3,b3@example.com,Joiner\n" + // a joiner
		"E4,c@example.com,C\n" // matched by email, whose employee id is E9: conflict
	f := readFeed(t, "m.csv", in, feed.ModeDelta, refs)
	p, err := Compute(f, cur(), refs, Config{Authority: "hr"})
	if err != nil {
		t.Fatal(err)
	}
	byKey := map[string]UserPlan{}
	for _, u := range p.Users {
		byKey[u.Key] = u
	}
	if u := byKey["employee:E1"]; u.UserID != "u-moved" || len(u.Changes) != 1 || u.Changes[0].Attr != "email" {
		t.Errorf("E1: %+v, want u-moved with a new email", u)
	}
	conflicts := 0
	for _, n := range p.Notes {
		if n.Code == NoteConflict {
			conflicts++
		}
	}
	if conflicts != 2 {
		t.Errorf("notes %+v, want 2 conflicts (E2, E4)", p.Notes)
	}
	var joinerEmp bool
	for _, o := range p.Operations {
		if o.Kind == KindSetExternalID && o.User.Key != "employee:E3" {
			t.Errorf("%s: an external id registered on a user whose external ids were never read", o.ID)
		}
		if o.Kind == KindUpdateUser && o.User.Key == "employee:E3" && o.Update.EmployeeID != nil && *o.Update.EmployeeID == "E3" {
			joinerEmp = true
		}
	}
	if !joinerEmp {
		t.Errorf("the joiner does not get employerInfo.employeeId: %+v", p.Operations)
	}
	checkConverges(t, f, cur(), refs, Config{Authority: "hr"}, p)

	// Owned: a user lacking the employee id gets it; one with another
	// keeps it, with a warning.
	owned := Config{Authority: "hr", Owned: DefaultOwned.With(feed.FieldEmployeeID)}
	f2 := readFeed(t, "o.csv", "employee_id,email,name\nE5,b@example.com,B\nE6,c@example.com,C\n", feed.ModeDelta, refs)
	p, err = Compute(f2, cur(), refs, owned)
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Users) != 1 || p.Users[0].UserID != "u-b" || p.Users[0].Changes[0].Attr != "employee_id" {
		t.Errorf("users %+v, want u-b given E5", p.Users)
	}
	if len(p.Notes) != 1 || p.Notes[0].Code != NoteConflict {
		t.Errorf("notes %+v, want the E6/E9 conflict", p.Notes)
	}
	checkConverges(t, f2, cur(), refs, owned, p)

	// The org's employee ids are something else: no match on them, no write.
	ignore := Config{Authority: "hr", IgnoreOrgEmployeeID: true}
	p, err = Compute(f, cur(), refs, ignore)
	if err != nil {
		t.Fatal(err)
	}
	if k := kinds(p); k[KindCreateUser] != 2 { // E1 (old email unknown) and E3
		t.Errorf("with IgnoreOrgEmployeeID: %v, want E1 and E3 created", k)
	}
	for _, o := range p.Operations {
		if o.Update != nil && o.Update.EmployeeID != nil {
			t.Errorf("%s writes the employee id although the org's are something else", o.ID)
		}
	}
}
