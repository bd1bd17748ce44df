package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/usersync/syncer/internal/reverse"
	"github.com/usersync/syncer/internal/schedule"
	"github.com/usersync/syncer/internal/schedule/metricstest"
)

// offboardFeed writes a delta feed offboarding the employees E<from>…
// E<from+n-1>: more than max_offboard_percent allows of the emulated org.
func offboardFeed(t *testing.T, path string, from, n int) {
	t.Helper()
	var b strings.Builder
	b.WriteString("employee_id,action\n")
	for i := from; i < from+n; i++ {
		fmt.Fprintf(&b, "E%07d,offboard\n", i)
	}
	if err := os.WriteFile(path, []byte(b.String()), 0o600); err != nil {
		t.Fatal(err)
	}
}

// The approvals from the command line, with `syncer serve` running: its
// scheduled feeds park plans that trip a guard; one approved with
// `syncer plans approve` is applied at once, one approved with --no-apply
// (as the console does) is applied by serve, a rejected one never is.
//
// Not parallel: the test sets environment variables.
func TestPlansCommands(t *testing.T) {
	dir := t.TempDir()
	now, later, never := filepath.Join(dir, "now.csv"), filepath.Join(dir, "later.csv"), filepath.Join(dir, "never.csv")
	offboardFeed(t, now, 1, 8)
	offboardFeed(t, later, 11, 8)
	offboardFeed(t, never, 21, 8)
	// Leavers keep their queues: a plan that unjoins them reads their
	// memberships one by one, and those reads of one feed would change the
	// state the others' plans were computed from.
	feed := func(name, path string) string {
		return fmt.Sprintf("  %s:\n    path: %s\n    mode: delta\n    schedule: \"@every 1h\"\n    offboard: {unjoin_queues: false}\n", name, path)
	}
	e := newCLIEnv(t, 80, "  ref:\n    streams: [reference]\nfeeds:\n"+feed("now", now)+feed("later", later)+feed("never", never)+
		"serve:\n  addr: 127.0.0.1:0\n  run_on_start: true\n  shutdown_grace: 5s\n  lease_ttl: 2s\n")
	before := states(e, 1, 30)
	srv := startServe(t, e.cfg)
	defer srv.cancel()

	// Each feed's run parks its plan.
	awaiting := func(job string) float64 {
		_, body := get(t, srv.base+"/metrics")
		v, _ := metricstest.Sum(metricstest.Parse(t, body)["syncer_plans_awaiting_approval"], "pipeline", job)
		return v
	}
	waitUntil(t, 90*time.Second, "the three feeds to park their plans", func() bool {
		return awaiting("feed:now") == 1 && awaiting("feed:later") == 1 && awaiting("feed:never") == 1
	})
	_, body := get(t, srv.base+"/metrics")
	checkMetricsDocumented(t, metricstest.Parse(t, body), true)
	var runs schedule.Runs
	getDoc(t, srv.base+"/runs?pipeline=feed:now", http.StatusOK, "runs.schema.json", &runs)
	if len(runs.Runs) != 1 || runs.Runs[0].Status != "awaiting_approval" || runs.Runs[0].Feed == nil || runs.Runs[0].Feed.PlanID == "" {
		t.Fatalf("feed:now's runs = %+v", runs.Runs)
	}
	ids := map[string]string{}
	code, out, errs := e.syncer(t, "plans", "list", "--status", "awaiting_approval", "--json", "--config", e.cfg)
	var list []reverse.PlanSummary
	if code != exitOK || json.Unmarshal([]byte(out), &list) != nil || len(list) != 3 {
		t.Fatalf("plans list --json = %d\n%s\n%s", code, out, errs)
	}
	for _, p := range list {
		ids[p.Feed] = p.ID
		if len(p.Tripped) == 0 || p.Tripped[0].Guard != "max_offboard_percent" || p.Totals.Offboard < 5 {
			t.Errorf("parked plan %+v", p)
		}
	}
	if ids["now"] != runs.Runs[0].Feed.PlanID {
		t.Errorf("the run parked %s, the list says %s", runs.Runs[0].Feed.PlanID, ids["now"])
	}
	code, out, errs = e.syncer(t, "status", "--config", e.cfg)
	if code != exitOK || !strings.Contains(out, "Plans awaiting approval or their apply (3; syncer plans show ID):") ||
		!strings.Contains(out, ids["never"]) || !strings.Contains(out, "guards: max_offboard_percent") || !strings.Contains(out, "awaiting_approval") {
		t.Errorf("status with parked plans = %d\n%s\n%s", code, out, errs)
	}
	code, out, errs = e.syncer(t, "plans", "show", ids["now"][:12], "--config", e.cfg)
	if code != exitOK || !strings.Contains(out, "Plan "+ids["now"]+" of feed now: awaiting_approval") || !strings.Contains(out, "max_offboard_percent: ") ||
		!strings.Contains(out, "\n  - ") || !strings.Contains(out, "Approval journal:") || !strings.Contains(out, "parked") {
		t.Errorf("plans show = %d\n%s\n%s", code, out, errs)
	}

	// Approved and applied from the command line.
	code, out, errs = e.syncer(t, "plans", "approve", ids["now"], "--as", "ana", "--reason", "reorg", "--config", e.cfg)
	if code != exitOK || !strings.Contains(out, "Approved plan "+ids["now"]+" (feed now) as ana: \"reorg\".") ||
		!(strings.Contains(out, "Applied plan "+ids["now"]) || strings.Contains(out, "Nothing to do: plan "+ids["now"]+" is applied")) {
		t.Fatalf("plans approve = %d\n%s\n%s", code, out, errs)
	}
	checkOffboarded(t, e, before, 1, 8)
	code, out, _ = e.syncer(t, "plans", "approve", ids["now"], "--config", e.cfg)
	if code != exitFailure {
		t.Errorf("approving twice = %d\n%s", code, out)
	}

	// Approved without applying, as the console does: serve applies it.
	// The first approval comes too late: the apply above changed the org
	// since the plan was computed, so serve plans the feed again and parks
	// the new plan (a guard still trips); approved, that one is applied.
	show := func(id string) reverse.PlanDetail {
		code, out, _ := e.syncer(t, "plans", "show", id, "--json", "--config", e.cfg)
		var d reverse.PlanDetail
		if code != exitOK || json.Unmarshal([]byte(out), &d) != nil {
			t.Fatalf("plans show %s --json = %d\n%s", id, code, out)
		}
		return d
	}
	for _, id := range []string{ids["later"], ""} {
		if id == "" {
			id = show(ids["later"]).ReplacedBy
			if d := show(id); d.Status != "awaiting_approval" || d.Replaces != ids["later"] {
				t.Fatalf("the plan parked again = %+v", d.PlanSummary)
			}
		}
		code, out, errs = e.syncer(t, "plans", "approve", id, "--no-apply", "--as", "bob", "--config", e.cfg)
		if code != exitOK || !strings.Contains(out, "Not applied now (--no-apply)") {
			t.Fatalf("plans approve --no-apply = %d\n%s\n%s", code, out, errs)
		}
		waitUntil(t, 60*time.Second, "serve to apply the approved plan", func() bool {
			st := show(id).Status
			return st == "applied" || st == "replanned"
		})
	}
	if d := show(ids["later"]); d.Status != "replanned" || d.ReplacedBy == "" || d.Decision == nil || d.Decision.By != "bob" {
		t.Errorf("the stale plan = %+v", d.PlanSummary)
	}
	checkOffboarded(t, e, before, 11, 8)
	waitUntil(t, 30*time.Second, "the gauge to follow", func() bool { return awaiting("feed:later") == 0 && awaiting("feed:now") == 0 })

	// Rejected: never applied.
	code, out, errs = e.syncer(t, "plans", "reject", ids["never"], "--reason", "truncated", "--as", "ops", "--config", e.cfg)
	if code != exitOK || !strings.Contains(out, "Rejected plan "+ids["never"]) {
		t.Fatalf("plans reject = %d\n%s\n%s", code, out, errs)
	}
	code, _, errs = e.syncer(t, "plans", "approve", ids["never"], "--config", e.cfg)
	if code != exitFailure || !strings.Contains(errs, "it was rejected by ops") || !strings.Contains(errs, `("truncated")`) {
		t.Errorf("approving a rejected plan = %d\n%s", code, errs)
	}
	srv.cancel()
	<-srv.done
	for id, st := range states(e, 21, 8) {
		if st != before[id] {
			t.Errorf("the rejected plan's leaver %s is %s, was %s", id, st, before[id])
		}
	}

	// What status and the listing show after.
	code, out, errs = e.syncer(t, "status", "--config", e.cfg)
	if code != exitOK || !strings.Contains(out, "feed:now") || strings.Contains(out, "Plans awaiting approval") {
		t.Errorf("status = %d\n%s\n%s", code, out, errs)
	}
	code, out, _ = e.syncer(t, "plans", "--config", e.cfg)
	for _, want := range []string{"ID", "STATUS", ids["now"], "applied", ids["never"], "rejected", "ops ", "bob "} {
		if !strings.Contains(out, want) {
			t.Errorf("plans (list) lacks %q:\n%s", want, out)
		}
	}
	code, out, _ = e.syncer(t, "plans", "show", ids["now"], "--config", e.cfg)
	for _, want := range []string{"Approved by ana at ", `: "reorg".`, "Apply journal: ", " done", "approved  ana", "applied   syncer"} {
		if !strings.Contains(out, want) {
			t.Errorf("plans show of the applied plan lacks %q:\n%s", want, out)
		}
	}
	if code, _, errs := e.syncer(t, "plans", "show", "plan-0000", "--config", e.cfg); code != exitFailure || !strings.Contains(errs, "no such plan") {
		t.Errorf("plans show of an unknown plan = %d\n%s", code, errs)
	}
}

// states returns the states of the employees E<from>… E<from+n-1>, by
// employee id.
func states(e *cliEnv, from, n int) map[string]string {
	out := map[string]string{}
	for _, u := range e.srv.Users() {
		for i := from; i < from+n; i++ {
			if u.EmployeeID == fmt.Sprintf("E%07d", i) {
				out[u.EmployeeID] = u.State
			}
		}
	}
	return out
}

// checkOffboarded fails unless every one of the employees E<from>…
// E<from+n-1> that was not deleted is now inactive.
func checkOffboarded(t *testing.T, e *cliEnv, before map[string]string, from, n int) {
	t.Helper()
	got := states(e, from, n)
	if len(got) == 0 {
		t.Fatalf("no employee E%07d… in the org", from)
	}
	for id, st := range got {
		if before[id] != "deleted" && st != "inactive" {
			t.Errorf("%s is %s after the apply, want inactive", id, st)
		}
	}
}
