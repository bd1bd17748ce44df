package main

import (
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/usersync/syncer/internal/emulator"
)

// Not parallel: the tests set environment variables.
func TestPlanAndApplyCommands(t *testing.T) {
	e := newCLIEnv(t, 40, "  nightly: {}\nfeeds:\n  hr:\n    mode: delta\n")
	e.migrate(t)
	dir := t.TempDir()
	write := fileWriter(t, dir)
	var active, names []string
	for _, u := range e.srv.Users() {
		if u.State == "active" && u.EmployeeID != "" {
			active, names = append(active, u.EmployeeID), append(names, u.Name+","+u.Email)
		}
	}
	joiner := write("joiner.csv", "employee_id,email,name,title,action\nE9000001,cli.joiner@example.com,Cli Joiner,Agent,upsert\n")

	code, out, stderr := e.syncer(t, "plan", joiner, "--config", e.cfg, "--out", filepath.Join(dir, "plan.json"))
	if code != exitChanges || !strings.Contains(out, "+ Cli Joiner") || !strings.Contains(out, "State refreshed") {
		t.Fatalf("plan = %d\n%s\n%s", code, out, stderr)
	}
	code, out, stderr = e.syncer(t, "apply", filepath.Join(dir, "plan.json"), "--config", e.cfg)
	if code != exitOK || !strings.Contains(out, "Verified") {
		t.Fatalf("apply plan.json = %d\n%s\n%s", code, out, stderr)
	}
	code, out, stderr = e.syncer(t, "apply", filepath.Join(dir, "plan.json"), "--config", e.cfg)
	if code != exitOK || !strings.Contains(out, "applied before") {
		t.Fatalf("second apply of plan.json = %d\n%s\n%s", code, out, stderr)
	}
	code, out, stderr = e.syncer(t, "plan", joiner, "--config", e.cfg)
	if code != exitOK {
		t.Fatalf("plan after apply = %d, want 0 (no changes)\n%s\n%s", code, out, stderr)
	}
	before := e.srv.Stats().RouteTotal("POST /api/v2/users")
	code, out, stderr = e.syncer(t, "apply", joiner, "--config", e.cfg)
	if code != exitOK || !strings.Contains(out, "Nothing to do") || e.srv.Stats().RouteTotal("POST /api/v2/users") != before {
		t.Fatalf("apply of an applied feed = %d\n%s\n%s", code, out, stderr)
	}

	// A stale saved plan is refused.
	retitle := write("retitle.csv", fmt.Sprintf("employee_id,name,email,title,action\n%s,%s,Director,upsert\n", active[0], names[0]))
	if code, out, stderr := e.syncer(t, "plan", retitle, "--config", e.cfg, "--out", filepath.Join(dir, "retitle.json")); code != exitChanges {
		t.Fatalf("plan retitle = %d\n%s\n%s", code, out, stderr)
	}
	other := write("other.csv", fmt.Sprintf("employee_id,name,email,title,action\n%s,%s,Chief,upsert\n", active[1], names[1]))
	if code, out, stderr := e.syncer(t, "apply", other, "--config", e.cfg); code != exitOK {
		t.Fatalf("apply other = %d\n%s\n%s", code, out, stderr)
	}
	code, _, stderr = e.syncer(t, "apply", filepath.Join(dir, "retitle.json"), "--config", e.cfg)
	if code != exitFailure || !strings.Contains(stderr, "syncer: apply: the plan is stale: it was computed from state ") {
		t.Fatalf("apply of a stale plan = %d\n%s", code, stderr)
	}
	// Said once, and not resumable: it is planned again (or forced).
	sayOnce(t, "apply of a stale plan", stderr)
	if strings.Contains(stderr, "--resume") {
		t.Errorf("a stale plan is offered --resume:\n%s", stderr)
	}

	// A tripped guard stops before any call and names its flag.
	leavers := "employee_id,action\n" + strings.Join(active[2:5], ",offboard\n") + ",offboard\n"
	off := write("leavers.csv", leavers)
	before = e.srv.Stats().RouteTotal("PATCH /api/v2/users/{userId}")
	code, out, stderr = e.syncer(t, "apply", off, "--config", e.cfg, "--max-offboards", "2", "--max-offboard-percent", "100")
	if code != exitFailure || !strings.Contains(out, "--max-offboards or guards.max_offboards") ||
		!strings.Contains(stderr, "refused before any write, 1 guard(s) tripped (max_offboards; see Guards in the plan)") {
		t.Fatalf("apply over a guard = %d\n%s\n%s", code, out, stderr)
	}
	if n := strings.Count(out+stderr, "more than the limit of 2"); n != 1 {
		t.Errorf("the tripped guard is said %d times, want once:\n%s\n%s", n, out, stderr)
	}
	if e.srv.Stats().RouteTotal("PATCH /api/v2/users/{userId}") != before {
		t.Fatal("a tripped guard let a call through")
	}
	code, out, stderr = e.syncer(t, "apply", off, "--config", e.cfg, "--max-offboards", "3", "--max-offboard-percent", "100")
	if code != exitOK {
		t.Fatalf("apply with the override = %d\n%s\n%s", code, out, stderr)
	}

	// Every problem of a readable feed is listed, not only a rejected
	// row's first one.
	// (--max-rejected-percent 100: its only row is rejected, which alone
	// would trip the rejected-rows guard.)
	twice := write("twice.csv", "employee_id,email,name,languages,queues\nE9000002,twice@example.com,Twice,Klingon:5,Nowhere Queue\n")
	code, _, stderr = e.syncer(t, "plan", twice, "--config", e.cfg, "--max-rejected-percent", "100")
	if code != exitOK || !strings.Contains(stderr, twice+`:2:4: languages: unknown language "Klingon"`) || !strings.Contains(stderr, twice+`:2:5: queues: unknown queue "Nowhere Queue"`) {
		t.Fatalf("plan of a row with two problems = %d\n%s", code, stderr)
	}

	// A feed that cannot be read is an error.
	bad := write("bad.csv", "name,title\nNo Key,Agent\n")
	if code, _, stderr := e.syncer(t, "plan", bad, "--config", e.cfg); code != exitFailure || !strings.Contains(stderr, "cannot be used") {
		t.Fatalf("plan of an unreadable feed = %d\n%s", code, stderr)
	}
}

// writeCount counts the requests that change the org: every method but
// GET, except the POSTs that only read (token, search, analytics).
func writeCount(st emulator.Stats) int64 {
	var n int64
	for _, route := range slices.Sorted(maps.Keys(st.Routes)) {
		method, path, _ := strings.Cut(route, " ")
		if method == "GET" || route == "unmatched" || path == "/oauth/token" || path == "/api/v2/users/search" || strings.HasPrefix(path, "/api/v2/analytics/") {
			continue
		}
		n += st.RouteTotal(route)
	}
	return n
}

// Not parallel: the tests set environment variables.
//
// A feed whose export broke (here: rows cut short) is mostly rejected
// rows: plan says so and exits 1 before any API call (nothing is saved),
// apply refuses it the same way, and the flag overrides it.
func TestRejectedRowsGuardCommands(t *testing.T) {
	e := newCLIEnv(t, 30, "  nightly: {}\nfeeds:\n  hr:\n    mode: delta\n")
	e.migrate(t)
	dir := t.TempDir()
	write := fileWriter(t, dir)
	// One whole row (a joiner) and four cut short after the email.
	broken := write("broken.csv", "employee_id,email,name,title,action\n"+
		"E9100001,whole.row@example.com,Whole Row,Agent,upsert\n"+
		"E9100002,cut.one@example.com\nE9100003,cut.two@example.com\nE9100004,cut.three@example.com\nE9100005,cut.four@example.com\n")
	const verdict = "4 of 5 rows rejected (80.0%), more than the limit of 10.0%"
	created := func() bool {
		for _, u := range e.srv.Users() {
			if strings.EqualFold(u.Email, "whole.row@example.com") {
				return true
			}
		}
		return false
	}

	planFile := filepath.Join(dir, "broken.json")
	calls := e.srv.Stats().Total
	code, out, stderr := e.syncer(t, "plan", broken, "--config", e.cfg, "--out", planFile)
	if code != exitFailure || !strings.Contains(stderr, verdict) || !strings.Contains(stderr, "no API call was made") ||
		!strings.Contains(stderr, "--max-rejected-percent or guards.max_rejected_percent") || !strings.Contains(stderr, "(field_count)") {
		t.Fatalf("plan of a broken export = %d, want %d refused before any call\n%s\n%s", code, exitFailure, out, stderr)
	}
	if strings.Contains(out, "No changes") {
		t.Errorf("a broken export printed No changes:\n%s", out)
	}
	if n := e.srv.Stats().Total - calls; n != 0 {
		t.Errorf("plan of a broken export made %d API calls, want 0", n)
	}
	if _, err := os.Stat(planFile); err == nil {
		t.Errorf("a plan was saved for a feed that was not planned")
	}

	writes := writeCount(e.srv.Stats())
	for _, args := range [][]string{
		{"apply", broken, "--config", e.cfg},
		{"apply", write("all-cut.csv", "employee_id,email,name,title,action\nE9100006,cut.five@example.com\n"), "--config", e.cfg},
	} {
		code, out, stderr := e.syncer(t, args...)
		if code != exitFailure || !strings.Contains(stderr, "rejected") || !strings.Contains(stderr, "no API call was made") {
			t.Errorf("%s = %d, want %d refused\n%s\n%s", strings.Join(args[:2], " "), code, exitFailure, out, stderr)
		}
		if n := writeCount(e.srv.Stats()); n != writes || created() {
			t.Fatalf("%s: %d write requests after the guard tripped (the joiner created: %v)", strings.Join(args[:2], " "), n-writes, created())
		}
	}

	// The override: at or over the share, the same feed plans and applies.
	code, out, stderr = e.syncer(t, "plan", broken, "--config", e.cfg, "--max-rejected-percent", "80", "--out", planFile)
	if code != exitChanges || !strings.Contains(out, "ok      max_rejected_percent: 4 of 5 rows rejected (80.0%), limit 80.0%") {
		t.Fatalf("plan with --max-rejected-percent 80 = %d, want %d\n%s\n%s", code, exitChanges, out, stderr)
	}
	code, out, stderr = e.syncer(t, "apply", planFile, "--config", e.cfg)
	if code != exitOK || !created() {
		t.Fatalf("apply of the saved plan = %d (joiner created: %v)\n%s\n%s", code, created(), out, stderr)
	}
}

// fileWriter returns a function writing files into dir and returning
// their paths.
func fileWriter(t *testing.T, dir string) func(name, body string) string {
	return func(name, body string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
}

// Not parallel: the tests set environment variables.
//
// A plan saved with --mode delta, against a feed configured as a
// snapshot, is applied and verified as a delta (nobody absent from the
// file is taken for a leaver), and apply names what the configuration
// says differently.
func TestSavedPlanKeepsItsSettings(t *testing.T) {
	e := newCLIEnv(t, 40, "  nightly: {}\nfeeds:\n  hr:\n    guards:\n      max_offboards: 25\n")
	e.migrate(t)
	dir := t.TempDir()
	write := fileWriter(t, dir)
	var one string
	for _, u := range e.srv.Users() {
		if u.State == "active" && u.EmployeeID != "" {
			one = fmt.Sprintf("%s,%s,%s,Director,upsert\n", u.EmployeeID, u.Email, u.Name)
			break
		}
	}
	feedPath := write("changes.csv", "employee_id,email,name,title,action\n"+one)
	planFile := filepath.Join(dir, "delta.json")
	code, out, stderr := e.syncer(t, "plan", feedPath, "--config", e.cfg, "--mode", "delta", "--out", planFile)
	if code != exitChanges {
		t.Fatalf("plan --mode delta = %d\n%s\n%s", code, out, stderr)
	}
	// The configuration changes meanwhile.
	cfg, err := os.ReadFile(e.cfg)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(e.cfg, []byte(strings.Replace(string(cfg), "max_offboards: 25", "max_offboards: 40", 1)), 0o600); err != nil {
		t.Fatal(err)
	}
	before := e.srv.Stats().RouteTotal("PATCH /api/v2/users/{userId}")
	code, out, stderr = e.syncer(t, "apply", planFile, "--config", e.cfg)
	if code != exitOK || !strings.Contains(out, "Verified") {
		t.Fatalf("apply of the saved delta plan = %d\n%s\n%s", code, out, stderr)
	}
	for _, want := range []string{"the configuration changed since this plan was made", "guards.max_offboards: 25 → 40", "mode: delta → snapshot"} {
		if !strings.Contains(out, want) {
			t.Errorf("apply does not say %q:\n%s", want, out)
		}
	}
	if n := e.srv.Stats().RouteTotal("PATCH /api/v2/users/{userId}") - before; n != 1 {
		t.Errorf("%d user PATCHes, want the one title change (nobody offboarded)", n)
	}
	// --mode contradicting the saved plan is refused.
	code, _, stderr = e.syncer(t, "apply", planFile, "--config", e.cfg, "--mode", "snapshot")
	if code != exitFailure || !strings.Contains(stderr, "the plan was made in delta mode") {
		t.Errorf("apply --mode snapshot of a delta plan = %d\n%s", code, stderr)
	}
}
