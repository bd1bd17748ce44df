package reverse_test

import (
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/usersync/syncer/internal/diff"
	"github.com/usersync/syncer/internal/emulator"
	"github.com/usersync/syncer/internal/feed"
	"github.com/usersync/syncer/internal/reverse"
)

// calls counts the API requests the emulator served, the token included.
func calls(e *env) int64 { return e.srv.Stats().Total }

// writeColumns writes rows with only the columns named (a subset of
// header).
func writeColumns(t testing.TB, path string, rows []row, cols []string) {
	t.Helper()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	w := csv.NewWriter(f)
	_ = w.Write(cols)
	for _, r := range rows {
		rec := r.record()
		out := make([]string, 0, len(cols))
		for _, c := range cols {
			for i, h := range header {
				if h == c {
					out = append(out, rec[i])
				}
			}
		}
		_ = w.Write(out)
	}
	w.Flush()
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
}

// TestFeedJudgedBeforeAnyCall: a feed that cannot be used costs no API
// call at all, whatever the reason, in both modes.
func TestFeedJudgedBeforeAnyCall(t *testing.T) {
	e := newEnv(t, emulator.Config{Seed: 7, Users: 40})
	for _, tt := range []struct {
		name, body string
		mode       feed.Mode
		noRows     bool
	}{
		{"missing file", "", feed.ModeSnapshot, false},
		{"empty file", "", feed.ModeSnapshot, false},
		{"header only, snapshot", "employee_id,email,name\n", feed.ModeSnapshot, true},
		{"header only, delta", "employee_id,email,name,action\n", feed.ModeDelta, true},
		{"header and blank lines", "employee_id,email,name\n\n,,\n", feed.ModeSnapshot, true},
		{"missing column", "employee_id,name\nE1,Ana\n", feed.ModeSnapshot, false},
		{"utf-16", "\xff\xfee\x00m\x00a\x00i\x00l\x00\n\x00", feed.ModeSnapshot, false},
		{"duplicate column", "email,name,email\na@example.com,A,b@example.com\n", feed.ModeSnapshot, false},
		{"unknown column", "email,name,emial\na@example.com,A,x\n", feed.ModeSnapshot, false},
		{"wrong delimiter", "email;name\na@example.com;A\n", feed.ModeSnapshot, false}, // forced to ',' below
		{"all rows rejected", "email,name\nnot-an-email,A\nalso bad,B\n", feed.ModeSnapshot, false},
		{"most rows rejected", "email,name\na@example.com,A\nbad,B\nworse,C\n", feed.ModeDelta, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			sp := e.spec(strings.ReplaceAll(tt.name, " ", "_") + ".csv")
			sp.Feed.Mode = tt.mode
			if tt.name == "wrong delimiter" {
				sp.Feed.Delimiter = ','
			}
			if tt.name != "missing file" {
				if err := os.WriteFile(sp.Path, []byte(tt.body), 0o600); err != nil {
					t.Fatal(err)
				}
			}
			before := calls(e)
			_, err := e.svc.Plan(context.Background(), sp, true)
			var fe *feed.Error
			switch {
			case err == nil:
				t.Fatal("planned an unusable feed")
			case tt.noRows && (!errors.As(err, &fe) || fe.Problems[0].Code != feed.CodeNoRows):
				t.Fatalf("err = %v, want the no_rows problem", err)
			case strings.Contains(tt.name, "rejected"):
				var re *reverse.RejectedError
				if !errors.As(err, &re) {
					t.Fatalf("err = %v, want a *reverse.RejectedError", err)
				}
			case !tt.noRows && tt.name != "missing file" && !errors.As(err, &fe):
				t.Fatalf("err = %v, want a *feed.Error", err)
			}
			if n := calls(e) - before; n != 0 {
				t.Fatalf("%d API calls before the feed was refused, want 0", n)
			}
		})
	}
}

// TestPlanReadsWhatTheFeedCanChange: a feed without queues and roles
// columns reads no queue membership and no role grant of the org, only
// the memberships of the active users it offboards (two listings each);
// with a queues column it reads them all. No external id is read user by
// user: every row is found by the org's employee id.
func TestPlanReadsWhatTheFeedCanChange(t *testing.T) {
	e := newEnv(t, emulator.Config{Seed: 7, Users: 300})
	rows := orgRows(e.srv)
	var kept []row
	leavers := 0
	for _, r := range rows {
		if r.State == "active" && leavers < 3 && len(r.Queues) > 0 {
			leavers++
			continue
		}
		kept = append(kept, r)
	}
	sp := e.spec("hr.csv")
	sp.Diff.Owned = diff.DefaultOwned
	sp.Diff.Offboard = diff.Offboard{} // the default: unjoin and remove queues
	sp.Diff.Guards = diff.Guards{MaxOffboards: new(-1), MaxOffboardPercent: new(float64(-1)), MaxQueueLossPercent: new(float64(-1))}
	writeColumns(t, sp.Path, kept, []string{"employee_id", "email", "name", "title", "department", "manager_employee_id", "division", "state"})

	st0 := e.srv.Stats()
	p := e.plan(t, sp)
	st := e.srv.Stats()
	read := func(route string) int64 { return st.RouteTotal(route) - st0.RouteTotal(route) }
	if n := read("GET /api/v2/routing/queues/{queueId}/members"); n != 0 {
		t.Errorf("%d queue member listings read for a feed without a queues column", n)
	}
	if n := read("GET /api/v2/authorization/roles/{roleId}/subjectgrants"); n != 0 {
		t.Errorf("%d role grant listings read for a feed without a roles column", n)
	}
	if n := read("GET /api/v2/users/{userId}/externalid"); n != 0 {
		t.Errorf("%d per-user external id reads, want 0 (the org's employee ids match)", n)
	}
	if n := read("GET /api/v2/users/{userId}/queues"); n < 3 || n > 6 {
		t.Errorf("%d per-user queue reads, want the 3 active leavers' (one or two listings each)", n)
	}
	if len(p.Reads.MembersOf) != 3 || !p.Reads.QueuesOf || p.Reads.AllQueues || !p.Reads.Refreshed {
		t.Errorf("reads %+v, want the members of 3 leavers", p.Reads)
	}
	var unjoins int
	for _, u := range p.Plan.Users {
		for _, c := range u.Changes {
			if u.Action == diff.ActionOffboard && c.Attr == "queues" && len(c.Removed) > 0 {
				unjoins++
			}
		}
	}
	if unjoins != 3 {
		t.Errorf("%d leavers lose their queues, want 3", unjoins)
		_ = p.Plan.Render(os.Stderr)
	}
	// Applied and verified with the same reads: converged.
	e.applyPlan(t, sp, p.Plan, reverse.ApplyOptions{})

	// A queues column: every membership is read.
	writeColumns(t, sp.Path, kept, []string{"employee_id", "email", "name", "queues"})
	st0 = e.srv.Stats()
	p = e.plan(t, sp)
	st = e.srv.Stats()
	if read("GET /api/v2/routing/queues/{queueId}/members") == 0 || !p.Reads.AllQueues {
		t.Errorf("a feed with a queues column did not read the memberships (reads %+v)", p.Reads)
	}
}

// TestRefreshMaxAge: a plan right after a complete load of what it needs
// uses Postgres as it stands (no call); once the load is older than
// refresh_max_age, or a stream it needs was never read completely, it
// reads the org.
func TestRefreshMaxAge(t *testing.T) {
	e := newEnv(t, emulator.Config{Seed: 7, Users: 120})
	sp := e.spec("hr.csv")
	sp.Diff.Owned = diff.DefaultOwned
	writeColumns(t, sp.Path, orgRows(e.srv), []string{"employee_id", "email", "name", "title", "department", "division", "state"})
	sp.RefreshMaxAge = time.Hour

	first := e.plan(t, sp) // nothing loaded yet: reads the org
	if !first.Reads.Refreshed || first.Reads.Calls == 0 {
		t.Fatalf("first plan reads %+v, want a refresh", first.Reads)
	}
	before := calls(e)
	second := e.plan(t, sp)
	if n := calls(e) - before; n != 0 || second.Reads.Refreshed {
		t.Errorf("a plan within refresh_max_age made %d calls (reads %+v), want 0", n, second.Reads)
	}
	if second.Plan.Fingerprint != first.Plan.Fingerprint {
		t.Errorf("the plan from Postgres saw another state")
	}

	// A feed with a queues column needs every membership, never read
	// completely: it reads the org again.
	writeColumns(t, sp.Path, orgRows(e.srv), []string{"employee_id", "email", "name", "queues"})
	if p := e.plan(t, sp); !p.Reads.Refreshed {
		t.Errorf("a plan needing queues used a state without them (reads %+v)", p.Reads)
	}

	// Older than the limit: read again.
	sp.RefreshMaxAge = time.Nanosecond
	if p := e.plan(t, sp); !p.Reads.Refreshed {
		t.Errorf("a plan past refresh_max_age did not refresh (reads %+v)", p.Reads)
	}
}

// TestLookupOnlyUnmatchedRows: a row whose employee id no known key finds
// costs one call (a lookup by external id, or the external ids of the one
// account it could be); the user is matched (not created again) and its
// external ids are stored, so the next plan needs no call.
func TestLookupOnlyUnmatchedRows(t *testing.T) {
	e := newEnv(t, emulator.Config{Seed: 7, Users: 80})
	rows := orgRows(e.srv)
	sp := e.spec("hr.csv")
	sp.Diff.Owned = diff.DefaultOwned
	sp.Diff.IgnoreOrgEmployeeID = true // the org's employee ids are something else: only external ids find people
	// One person changed email in HR: only the external id finds them.
	moved := -1
	for i, r := range rows {
		if r.State == "active" {
			moved = i
			break
		}
	}
	rows[moved].Email = "new.address." + rows[moved].Email
	cols := []string{"employee_id", "email", "name", "division", "state"}
	writeColumns(t, sp.Path, rows, cols)

	st0 := e.srv.Stats()
	p := e.plan(t, sp)
	st := e.srv.Stats()
	idReads := func(st emulator.Stats) int64 {
		return st.RouteTotal("GET /api/v2/users/externalid/{authorityName}/{externalKey}") + st.RouteTotal("GET /api/v2/users/{userId}/externalid")
	}
	if n := idReads(st) - idReads(st0); n != 1 {
		t.Errorf("%d external id reads, want 1 (the row whose email changed)", n)
	}
	if p.Plan.Totals.Create != 0 || p.Plan.Totals.Update != 1 {
		_ = p.Plan.Render(os.Stderr)
		t.Fatalf("totals %+v, want the mover updated and nobody created", p.Plan.Totals)
	}
	st0 = e.srv.Stats()
	e.plan(t, sp)
	st = e.srv.Stats()
	if n := idReads(st) - idReads(st0); n != 0 {
		t.Errorf("%d external id reads on the second plan, want 0 (the external id is stored)", n)
	}
}

// TestNoRefreshJoinerCheckedAtApply: a plan made without reading the org
// (--no-refresh) does not know whether an unmatched row is an existing
// account; apply looks a joiner up right before creating it and refuses a
// create whose employee id is registered to another account, naming it,
// so that nobody gets a second account.
func TestNoRefreshJoinerCheckedAtApply(t *testing.T) {
	e := newEnv(t, emulator.Config{Seed: 7, Users: 80})
	rows := orgRows(e.srv)
	sp := e.spec("hr.csv")
	sp.Diff.Owned = diff.DefaultOwned
	sp.Diff.IgnoreOrgEmployeeID = true
	cols := []string{"employee_id", "email", "name", "division", "state"}
	writeColumns(t, sp.Path, rows, cols)
	e.plan(t, sp) // loads the state

	registered := map[string]bool{}
	for _, u := range e.srv.Users() {
		for _, x := range u.ExternalIDs {
			if x.AuthorityName == emulator.ExternalAuthority {
				registered[x.ExternalKey] = true
			}
		}
	}
	moved := -1
	for i, r := range rows {
		if r.State == "active" && registered[r.EmployeeID] {
			moved = i
			break
		}
	}
	rows[moved].Email = "renamed." + rows[moved].Email
	writeColumns(t, sp.Path, rows, cols)
	sp.Feed.Mode = feed.ModeDelta // no leaver: the row alone
	p, err := e.svc.Plan(context.Background(), sp, false)
	if err != nil {
		t.Fatal(err)
	}
	if p.Reads.LookedUp || p.Plan.Totals.Create != 1 {
		t.Fatalf("reads %+v, totals %+v: want a plan from Postgres creating the unmatched row", p.Reads, p.Plan.Totals)
	}
	before := len(e.srv.Users())
	res, err := e.svc.Apply(context.Background(), sp, p.Plan, reverse.ApplyOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(e.srv.Users()) != before {
		t.Fatalf("a second account was created")
	}
	if res.Failed == 0 || !strings.Contains(reverse.Describe(res.Failures[0]), "already user") {
		t.Fatalf("failures %+v, want the create refused naming the account", res.Failures)
	}
}

// TestPairingReadsTheSmallerSide: whether an unmatched row is an existing
// account is settled by reading the smaller side: the rows' lookups or
// the candidate accounts' external ids; none at all when no account could
// be one (every account has the org's employee id).
func TestPairingReadsTheSmallerSide(t *testing.T) {
	e := newEnv(t, emulator.Config{Seed: 7, Users: 120})
	rows := orgRows(e.srv)
	var kept []row
	for _, r := range rows {
		if r.State == "active" {
			kept = append(kept, r)
		}
	}
	// 30 joiners and 4 leavers (the first 4 active rows dropped).
	leavers := kept[:4]
	kept = kept[4:]
	for k := range 30 {
		kept = append(kept, row{EmployeeID: fmt.Sprintf("J%03d", k), Email: fmt.Sprintf("joiner.%d@example.com", k), Name: "J", State: "active", Division: rows[0].Division})
	}
	sp := e.spec("hr.csv")
	sp.Diff.Owned = diff.DefaultOwned
	sp.Diff.Guards = diff.Guards{MaxOffboards: new(-1), MaxOffboardPercent: new(float64(-1))}
	cols := []string{"employee_id", "email", "name", "division", "state"}
	writeColumns(t, sp.Path, kept, cols)
	route := func(st emulator.Stats, r string) int64 { return st.RouteTotal(r) }
	const lookup, extOf = "GET /api/v2/users/externalid/{authorityName}/{externalKey}", "GET /api/v2/users/{userId}/externalid"

	// Every account has an employee id (the org's employee ids are the
	// key): no candidate, no read.
	st0 := e.srv.Stats()
	e.plan(t, sp)
	st := e.srv.Stats()
	if n := route(st, lookup) - route(st0, lookup) + route(st, extOf) - route(st0, extOf); n != 0 {
		t.Errorf("%d external id reads although every account has an employee id", n)
	}

	// The org's employee ids are something else: every inactive or
	// unmatched account is a candidate. In snapshot mode the candidates
	// are the leavers and the inactive accounts not in the feed; with 30
	// joiners the smaller side is read, never both.
	sp.Diff.IgnoreOrgEmployeeID = true
	st0 = e.srv.Stats()
	p := e.plan(t, sp)
	st = e.srv.Stats()
	lookups, reads := route(st, lookup)-route(st0, lookup), route(st, extOf)-route(st0, extOf)
	if lookups != 0 && reads != 0 {
		t.Errorf("%d lookups and %d external id reads: want one side only", lookups, reads)
	}
	if lookups+reads == 0 || lookups+reads > 30 {
		t.Errorf("%d lookups + %d reads, want at most the 30 joiners' lookups", lookups, reads)
	}
	if p.Plan.Totals.Create != 30 || p.Plan.Totals.Offboard < len(leavers) {
		t.Errorf("totals %+v, want 30 joiners and the %d leavers", p.Plan.Totals, len(leavers))
	}
}
