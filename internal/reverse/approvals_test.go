package reverse_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/usersync/syncer/internal/config"
	"github.com/usersync/syncer/internal/emulator"
	"github.com/usersync/syncer/internal/reverse"
	"github.com/usersync/syncer/internal/store"
	"github.com/usersync/syncer/internal/textfmt"
)

// parked is an org and a scheduled feed hr whose plan (4 leavers of 40,
// over max_offboard_percent's 5 %, and 2 joiners) its last run parked.
type parked struct {
	*env
	feed    *config.Feed
	plan    string // the parked plan's id
	run     reverse.FeedRun
	joiners int
	leavers []string // emails
}

const hrJob = "feed:hr"

func newParked(t *testing.T, extra string) *parked {
	t.Helper()
	ctx := context.Background()
	e := newEnv(t, emulator.Config{Seed: 7, Users: 40})
	path := filepath.Join(e.dir, "hr.csv")
	f := feeds(t, fmt.Sprintf("  hr: {path: %s, mode: snapshot, schedule: '@daily'%s}\n", path, extra))["hr"]
	// A first run makes the org match the feed, within the guards.
	writeFeed(t, path, orgRows(e.srv))
	if run, err := e.svc.RunFeed(ctx, hrJob, f, 600); err != nil || run.Outcome != store.StatusSucceeded {
		t.Fatalf("converging run = %+v, %v", run, err)
	}
	p := &parked{env: e, feed: f, joiners: 2}
	var kept []row
	for _, r := range orgRows(e.srv) {
		if r.State == "active" && len(p.leavers) < 4 {
			p.leavers = append(p.leavers, r.Email)
			continue
		}
		kept = append(kept, r)
	}
	for i := range p.joiners {
		kept = append(kept, row{EmployeeID: fmt.Sprintf("J%d", i), Email: fmt.Sprintf("joiner.%d@example.com", i), Name: fmt.Sprintf("Joiner %d", i), Title: "Agent", State: "active"})
	}
	writeFeed(t, path, kept)
	before := writes(e.srv.Stats())
	run, err := e.svc.RunFeed(ctx, hrJob, f, 600)
	if err != nil || run.Outcome != store.StatusAwaitingApproval || run.Counts.PlanID == "" || run.Counts.Done != 0 {
		t.Fatalf("run tripping a guard = %+v, %v; want awaiting_approval with its plan", run, err)
	}
	if w := writes(e.srv.Stats()) - before; w != 0 {
		t.Fatalf("the parked run made %d writes", w)
	}
	p.plan, p.run = run.Counts.PlanID, run
	return p
}

func (p *parked) detail(t *testing.T) *reverse.PlanDetail {
	t.Helper()
	d, err := p.svc.Approvals().PlanDetail(context.Background(), p.plan)
	if err != nil {
		t.Fatalf("PlanDetail(%s): %v", p.plan, err)
	}
	return d
}

// users counts the org's users by email, lowercased.
func (p *parked) users() map[string][]emulator.UserView {
	out := map[string][]emulator.UserView{}
	for _, u := range p.srv.Users() {
		out[strings.ToLower(u.Email)] = append(out[strings.ToLower(u.Email)], u)
	}
	return out
}

// checkApplied: the plan applied once, every operation done in one
// attempt (or, with resumed, at most two for the one in flight at a
// crash), joiners created once, leavers deactivated.
func (p *parked) checkApplied(t *testing.T, resumed bool) {
	t.Helper()
	d := p.detail(t)
	if d.Status != store.ApprovalApplied || d.Operations[store.OpDone] != len(d.Plan.Operations) || len(d.Operations) != 1 {
		t.Errorf("plan %s: status %s, operations %v of %d; want applied, all done", d.ID, d.Status, d.Operations, len(d.Plan.Operations))
	}
	ops, err := p.store.Operations(context.Background(), p.plan)
	if err != nil {
		t.Fatal(err)
	}
	again := 0
	for _, o := range ops {
		if o.Attempts > 1 {
			again++
		}
		if o.Attempts > 2 || (o.Attempts == 2 && !resumed) {
			t.Errorf("operation %d (%s %s) attempted %d times", o.Seq, o.Kind, o.UserKey, o.Attempts)
		}
	}
	if again > 1 {
		t.Errorf("%d operations attempted twice; only the one cut short may be", again)
	}
	if n := p.srv.Stats().Count("POST /api/v2/users", 200); n != int64(p.joiners) {
		t.Errorf("POST /api/v2/users succeeded %d times for %d joiners", n, p.joiners)
	}
	users := p.users()
	for i := range p.joiners {
		if us := users[fmt.Sprintf("joiner.%d@example.com", i)]; len(us) != 1 {
			t.Errorf("joiner %d has %d accounts", i, len(us))
		}
	}
	for _, email := range p.leavers {
		if us := users[strings.ToLower(email)]; len(us) != 1 || us[0].State != "inactive" {
			t.Errorf("leaver %s: %+v; want one inactive account", email, us)
		}
	}
	for email, us := range users {
		if len(us) > 1 {
			t.Errorf("%s has %d accounts", email, len(us))
		}
	}
	var evs []string
	for _, e := range d.Events {
		evs = append(evs, e.Event)
	}
	if !slices.Equal(evs, []string{store.EventParked, store.EventApproved, store.EventApplied}) {
		t.Errorf("approval journal = %v", evs)
	}
}

// A scheduled feed whose plan trips a guard: the plan is parked, shown,
// approved by a person and applied by the feed's next run, once.
func TestParkedPlanApprovedAndApplied(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	p := newParked(t, "")
	appr := p.svc.Approvals()

	// Recorded as awaiting approval, not as a failure.
	assertRecorded(t, p.env, p.run.RunID, hrJob, store.StatusAwaitingApproval, "", p.run.Counts, p.run.Calls.Total)
	list, err := appr.ListPlans(ctx, reverse.PlanFilter{Feed: "hr", Statuses: []string{store.ApprovalAwaiting}})
	if err != nil || len(list) != 1 || list[0].ID != p.plan {
		t.Fatalf("plans awaiting approval = %+v, %v", list, err)
	}
	s := list[0]
	if !s.Parked || s.RunID != p.run.RunID || s.Totals.Offboard != 4 || s.Totals.Create != 2 || s.Decision != nil ||
		len(s.Tripped) == 0 || s.Tripped[0].Guard != "max_offboard_percent" || !s.ExpiresAt.Equal(s.CreatedAt.Add(reverse.DefaultApprovalExpiry)) {
		t.Errorf("parked plan = %+v", s)
	}
	if n, m, err := appr.Counts(ctx, "hr"); err != nil || n != 1 || m != 0 {
		t.Errorf("Counts = %d, %d, %v", n, m, err)
	}
	// Its detail: the diff as `syncer plan` prints it.
	d := p.detail(t)
	var want strings.Builder
	if err := d.Plan.Render(&want); err != nil {
		t.Fatal(err)
	}
	if d.Diff != want.String() || !strings.Contains(d.Diff, "+ Joiner 0 <joiner.0@example.com>") || !strings.Contains(d.Diff, "- ") ||
		len(d.Events) != 1 || d.Events[0].Event != store.EventParked || len(d.Operations) != 0 {
		t.Errorf("detail: events %+v, operations %v, diff:\n%s", d.Events, d.Operations, d.Diff)
	}
	// By the start of its id, too.
	if d2, err := appr.PlanDetail(ctx, p.plan[:9]); err != nil || d2.ID != p.plan {
		t.Errorf("PlanDetail(%s) = %v", p.plan[:9], err)
	}

	// The feed's next run, before a decision: the same plan, still
	// parked, nothing written.
	before := writes(p.srv.Stats())
	run, err := p.svc.RunFeed(ctx, hrJob, p.feed, 600)
	if err != nil || run.Outcome != store.StatusAwaitingApproval || run.Counts.PlanID != p.plan || writes(p.srv.Stats()) != before {
		t.Fatalf("next run = %+v, %v", run, err)
	}

	// Nobody without a name, or with a name that prints escapes.
	for _, actor := range []string{"", "  ", "ana\x1b[2J", strings.Repeat("a", reverse.MaxActorLength+1)} {
		if _, err := appr.Approve(ctx, p.plan, actor, ""); !errors.Is(err, reverse.ErrInvalidDecision) {
			t.Errorf("Approve as %q: err = %v, want ErrInvalidDecision", actor, err)
		}
	}
	if _, err := appr.Approve(ctx, p.plan, "ana", "line\nbreak"); !errors.Is(err, reverse.ErrInvalidDecision) {
		t.Errorf("a reason of two lines: err = %v", err)
	}
	if _, err := appr.Approve(ctx, "plan-0000000000000000", "ana", ""); !errors.Is(err, reverse.ErrPlanNotFound) {
		t.Errorf("approving an unknown plan: err = %v", err)
	}
	d, err = appr.Approve(ctx, p.plan, "ana", "the Q3 reorg, checked with HR")
	if err != nil {
		t.Fatalf("Approve: %v", err)
	}
	if d.Status != store.ApprovalApproved || d.Decision == nil || !d.Decision.Approved || d.Decision.By != "ana" ||
		d.Decision.Reason != "the Q3 reorg, checked with HR" || d.Decision.At.IsZero() {
		t.Errorf("approved = %+v", d.PlanSummary)
	}
	if _, err := appr.Reject(ctx, p.plan, "bob", "too late"); !errors.Is(err, reverse.ErrNotAwaiting) || !strings.Contains(err.Error(), "approved by ana") {
		t.Errorf("rejecting an approved plan: err = %v, want ErrNotAwaiting naming ana", err)
	}
	if n, m, _ := appr.Counts(ctx, "hr"); n != 0 || m != 1 {
		t.Errorf("Counts after approval = %d, %d; want 0, 1", n, m)
	}

	// Meanwhile a newer export lands, with one more joiner: the approved
	// plan is applied as approved (the org has not changed), and the
	// joiner is left to the next run.
	rows, err := os.ReadFile(p.feed.Path)
	if err != nil {
		t.Fatal(err)
	}
	newer := row{EmployeeID: "J9", Email: "joiner.9@example.com", Name: "Joiner 9", State: "active"}
	if err := os.WriteFile(p.feed.Path, append(rows, []byte(strings.Join(newer.record(), ",")+"\n")...), 0o600); err != nil {
		t.Fatal(err)
	}
	// The next run applies it (serve runs the feed at once when it sees
	// the approval).
	run, err = p.svc.RunFeed(ctx, hrJob, p.feed, 600)
	if err != nil || run.Outcome != store.StatusSucceeded || run.Counts.PlanID != p.plan || run.Counts.Done != run.Counts.Operations {
		t.Fatalf("run applying the approved plan = %+v, %v", run, err)
	}
	p.checkApplied(t, false)
	// The joiner's create, external id, employee id and invite
	// (onboard.send_invite).
	if d := p.detail(t); !strings.Contains(d.Events[len(d.Events)-1].Detail, "the feed now asks for 4 more operation(s), which its next run plans") {
		t.Errorf("the apply's journal does not say what the newer export asks for: %+v", d.Events[len(d.Events)-1])
	}
	// The one after plans the newer export (within the guards: applied),
	// and the one after that finds nothing to do.
	run, err = p.svc.RunFeed(ctx, hrJob, p.feed, 600)
	if err != nil || run.Outcome != store.StatusSucceeded || run.Counts.Operations != 4 || run.Counts.Done != 4 {
		t.Errorf("run after = %+v, %v", run, err)
	}
	run, err = p.svc.RunFeed(ctx, hrJob, p.feed, 600)
	if err != nil || run.Outcome != store.StatusSucceeded || run.Counts.Operations != 0 {
		t.Errorf("run after that = %+v, %v", run, err)
	}
	// Every plan is listed, newest first: the newer export's, the parked
	// one, and the converging run's, journaled by their applies.
	l, err := appr.ListPlans(ctx, reverse.PlanFilter{Feed: "hr"})
	if err != nil || len(l) != 3 || l[1].ID != p.plan || l[0].Parked || l[2].Parked || l[2].Status != store.PlanApplied || l[2].Decision != nil {
		t.Errorf("all plans = %+v, %v", l, err)
	}
}

// Two people approving at once, and serve's run of the feed at the same
// time: one approval is recorded, the plan is applied once.
func TestConcurrentApprovalsApplyOnce(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	p := newParked(t, "")
	appr := p.svc.Approvals()
	start := make(chan struct{})
	var (
		wg       sync.WaitGroup
		mu       sync.Mutex
		approved []string
		runs     []reverse.FeedRun
	)
	record := func(run reverse.FeedRun) {
		mu.Lock()
		defer mu.Unlock()
		if run.RunID != 0 {
			runs = append(runs, run)
		}
	}
	for _, who := range []string{"ana", "bob"} {
		wg.Go(func() {
			<-start
			// syncer plans approve: decide, then apply as a run of the feed.
			_, err := appr.Approve(ctx, p.plan, who, "")
			switch {
			case err == nil:
				mu.Lock()
				approved = append(approved, who)
				mu.Unlock()
			case !errors.Is(err, reverse.ErrNotAwaiting):
				t.Errorf("%s: Approve: %v", who, err)
				return
			}
			// The loser applies too (syncer plans apply): it must find the
			// plan applied, or apply it itself, never twice.
			run, err := p.svc.ApplyApproved(ctx, p.plan, p.feed, 600, nil)
			if err != nil {
				t.Errorf("%s: ApplyApproved: %v", who, err)
			}
			record(run)
		})
	}
	wg.Go(func() {
		// serve's replica: the feed's job under its lock.
		<-start
		for range 3 {
			lock, err := p.store.TryLock(ctx, hrJob, store.LockConfig{})
			if errors.Is(err, store.ErrLocked) {
				time.Sleep(20 * time.Millisecond)
				continue
			}
			if err != nil {
				t.Error(err)
				return
			}
			run, err := p.svc.RunFeed(ctx, hrJob, p.feed, 600)
			_ = lock.Release(ctx)
			if err != nil {
				t.Errorf("serve's run: %v", err)
			}
			record(run)
		}
	})
	close(start)
	wg.Wait()
	if len(approved) != 1 {
		t.Fatalf("approved by %v; want exactly one", approved)
	}
	appliedBy := 0
	for _, r := range runs {
		if r.Counts.Done > 0 {
			appliedBy++
		}
	}
	if appliedBy != 1 {
		t.Errorf("%d runs applied operations: %+v", appliedBy, runs)
	}
	p.checkApplied(t, false)
	if d := p.detail(t); d.Decision == nil || d.Decision.By != approved[0] {
		t.Errorf("decision = %+v, want by %s", d.Decision, approved[0])
	}
}

// A plan approved after the org changed is not applied: the feed is
// planned again, and the new plan, still tripping a guard, is parked in
// its place.
func TestStaleApprovedPlanIsPlannedAgain(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	p := newParked(t, "")
	appr := p.svc.Approvals()
	if _, err := p.srv.Mutate(emulator.MutateRequest{Seed: 3, Percent: 20}); err != nil {
		t.Fatal(err)
	}
	if _, err := appr.Approve(ctx, p.plan, "ana", "ok"); err != nil {
		t.Fatal(err)
	}
	before := writes(p.srv.Stats())
	run, err := p.svc.ApplyApproved(ctx, p.plan, p.feed, 600, nil)
	if err != nil || run.Outcome != store.StatusAwaitingApproval || run.RunID == 0 || run.Counts.PlanID == p.plan || run.Counts.PlanID == "" {
		t.Fatalf("ApplyApproved of a stale plan = %+v, %v; want the feed planned again and parked", run, err)
	}
	if w := writes(p.srv.Stats()) - before; w != 0 {
		t.Errorf("the stale plan's apply made %d writes", w)
	}
	old := p.detail(t)
	repl, err := appr.PlanDetail(ctx, run.Counts.PlanID)
	if err != nil {
		t.Fatal(err)
	}
	if old.Status != store.ApprovalReplanned || old.ReplacedBy != repl.ID || repl.Replaces != old.ID ||
		repl.Status != store.ApprovalAwaiting || repl.Decision != nil || old.Decision == nil || old.Decision.By != "ana" {
		t.Errorf("stale %+v\nreplaced by %+v", old.PlanSummary, repl.PlanSummary)
	}
	if last := old.Events[len(old.Events)-1]; last.Event != store.EventStale || !strings.Contains(last.Detail, repl.ID) {
		t.Errorf("the stale plan's journal ends with %+v", last)
	}
	// Applying it again does nothing; approving the old one is refused.
	if again, err := p.svc.ApplyApproved(ctx, p.plan, p.feed, 600, nil); err != nil || again.RunID != 0 {
		t.Errorf("ApplyApproved of the replanned plan = %+v, %v; want nothing done", again, err)
	}
	if _, err := appr.Approve(ctx, p.plan, "ana", ""); !errors.Is(err, reverse.ErrNotAwaiting) {
		t.Errorf("approving the replanned plan: err = %v", err)
	}
}

// A rejected plan never applies: the feed planning it again fails the run
// (nothing is parked again), and it cannot be applied.
func TestRejectedPlanNeverApplies(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	p := newParked(t, "")
	appr := p.svc.Approvals()
	d, err := appr.Reject(ctx, p.plan, "bob", "the export is truncated")
	if err != nil || d.Status != store.ApprovalRejected || d.Decision == nil || d.Decision.Approved || d.Decision.By != "bob" {
		t.Fatalf("Reject = %+v, %v", d, err)
	}
	if _, err := appr.Approve(ctx, p.plan, "ana", ""); !errors.Is(err, reverse.ErrNotAwaiting) || !strings.Contains(err.Error(), "rejected by bob") {
		t.Errorf("approving a rejected plan: err = %v", err)
	}
	if _, err := p.svc.ApplyApproved(ctx, p.plan, p.feed, 600, nil); !errors.Is(err, reverse.ErrNotApproved) {
		t.Errorf("applying a rejected plan: err = %v, want ErrNotApproved", err)
	}
	before := writes(p.srv.Stats())
	run, err := p.svc.RunFeed(ctx, hrJob, p.feed, 600)
	if err == nil || run.Outcome != store.StatusFailed || !strings.Contains(err.Error(), "was rejected by bob") || !strings.Contains(err.Error(), "the export is truncated") {
		t.Errorf("run planning the rejected plan = %+v, %v; want failed, naming the rejection", run, err)
	}
	if w := writes(p.srv.Stats()) - before; w != 0 {
		t.Errorf("%d writes after a rejection", w)
	}
}

// A plan nobody decided in time expires and can no longer be approved.
func TestParkedPlanExpires(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	p := newParked(t, ", approval_expiry: 1ms")
	appr := p.svc.Approvals()
	first := p.detail(t)
	if got := first.ExpiresAt.Sub(first.CreatedAt); got != time.Millisecond {
		t.Errorf("expires %s after parking, want the configured 1ms", got)
	}
	for time.Since(first.ExpiresAt) < 10*time.Millisecond {
		time.Sleep(5 * time.Millisecond)
	}
	if n, _, err := appr.Counts(ctx, "hr"); err != nil || n != 0 {
		t.Errorf("Counts = %d, %v; want the expired plan not counted", n, err)
	}
	_, err := appr.Approve(ctx, p.plan, "ana", "")
	if !errors.Is(err, reverse.ErrNotAwaiting) || !strings.Contains(err.Error(), "expired") {
		t.Errorf("approving an expired plan: err = %v", err)
	}
	if d := p.detail(t); d.Status != store.ApprovalExpired || d.Events[len(d.Events)-1].Event != store.EventExpired {
		t.Errorf("expired plan = %+v, events %+v", d.PlanSummary, d.Events)
	}
	js, err := json.Marshal(first)
	if err != nil || !strings.Contains(string(js), `"parked":true`) || !strings.Contains(string(js), `"expires_at":`) || !strings.Contains(string(js), `"diff":"Plan for `) {
		t.Errorf("detail JSON: %s, %v", js, err)
	}
}

// The README's approvals section states the limits of a decision and
// every status a plan can show.
func TestApprovalsDocumented(t *testing.T) {
	t.Parallel()
	b, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, section, _ := strings.Cut(string(b), "\n### Approvals\n")
	section, _, _ = strings.Cut(section, "\n## ")
	flat := strings.Join(strings.Fields(section), " ")
	if want := fmt.Sprintf("(one line, at most %s characters)", textfmt.Thousands(reverse.MaxReasonLength)); !strings.Contains(flat, want) {
		t.Errorf("README's approvals section lacks %q", want)
	}
	for _, st := range []string{store.ApprovalAwaiting, store.ApprovalApproved, store.ApprovalApplying, store.ApprovalApplied, store.ApprovalFailed,
		store.ApprovalRejected, store.ApprovalExpired, store.ApprovalSuperseded, store.ApprovalReplanned} {
		if !strings.Contains(section, "`"+st+"`") {
			t.Errorf("README's approvals section does not explain the status %s", st)
		}
	}
}
