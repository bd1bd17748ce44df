package store_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/usersync/syncer/internal/store"
)

// park parks a plan of feed with a body whose totals say ops operations.
func park(t *testing.T, s *store.Store, id, feed string, ttl time.Duration, replaces string) store.PlanEntry {
	t.Helper()
	e, err := s.ParkPlan(context.Background(), store.Park{
		PlanID: id, Feed: feed, Job: "feed:" + feed, TTL: ttl, Replaces: replaces,
		Body:    json.RawMessage(fmt.Sprintf(`{"feed":"%s.csv","totals":{"offboard":30,"operations":60}}`, feed)),
		Tripped: json.RawMessage(`[{"guard":"max_offboards","tripped":true,"value":30,"limit":25}]`),
	})
	if err != nil {
		t.Fatalf("park %s: %v", id, err)
	}
	return e
}

func events(t *testing.T, s *store.Store, id string) []string {
	t.Helper()
	evs, err := s.ApprovalEvents(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range evs {
		out = append(out, e.Event)
	}
	return out
}

// A parked plan's life: parked once however often its feed plans it,
// superseded by another plan of its feed, decided once, listed with the
// status to show, found by the start of its id.
func TestParkedPlanLifecycle(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := newStore(t, true)

	a := park(t, s, "plan-aaaa1111", "hr", time.Hour, "")
	if a.Status != store.ApprovalAwaiting || !a.Parked || a.ExpiresAt.Sub(a.CreatedAt) != time.Hour || a.JournalStatus != "" || string(a.Tripped) == "[]" {
		t.Fatalf("parked = %+v", a)
	}
	// The next run plans the same plan: one row, one "parked" event, the
	// first expiry.
	again := park(t, s, "plan-aaaa1111", "hr", 5*time.Hour, "")
	if !again.ExpiresAt.Equal(a.ExpiresAt) || !slices.Equal(events(t, s, a.ID), []string{store.EventParked}) {
		t.Errorf("parked twice: %+v, events %v", again, events(t, s, a.ID))
	}
	// Another feed's plan does not touch it; another plan of hr supersedes it.
	park(t, s, "plan-cccc3333", "payroll", time.Hour, "")
	b := park(t, s, "plan-bbbb2222", "hr", time.Hour, "")
	a, err := s.PlanEntry(ctx, a.ID)
	if err != nil || a.Status != store.ApprovalSuperseded || a.ReplacedBy != b.ID {
		t.Errorf("superseded plan = %+v, %v", a, err)
	}
	if _, err := s.DecidePlan(ctx, a.ID, true, "ana", ""); !errors.Is(err, store.ErrConflict) {
		t.Errorf("approving a superseded plan: err = %v, want ErrConflict", err)
	}
	if n, m, err := s.ApprovalCounts(ctx, "hr"); err != nil || n != 1 || m != 0 {
		t.Errorf("hr counts = %d awaiting, %d approved, %v; want 1, 0", n, m, err)
	}

	// Decided once, by one of two at once.
	var wg sync.WaitGroup
	errs := make([]error, 8)
	for i := range errs {
		wg.Go(func() {
			_, errs[i] = s.DecidePlan(ctx, b.ID, i%2 == 0, fmt.Sprintf("approver%d", i), "checked")
		})
	}
	wg.Wait()
	won := 0
	for _, err := range errs {
		switch {
		case err == nil:
			won++
		case !errors.Is(err, store.ErrConflict):
			t.Errorf("a losing decision: %v, want ErrConflict", err)
		}
	}
	b, err = s.PlanEntry(ctx, b.ID)
	if err != nil || won != 1 || b.DecidedBy == "" || b.DecidedAt.IsZero() || b.Reason != "checked" {
		t.Fatalf("%d decisions recorded; plan %+v, %v", won, b, err)
	}
	if evs := events(t, s, b.ID); len(evs) != 2 {
		t.Errorf("journal = %v, want parked and one decision", evs)
	}
	if _, err := s.DecidePlan(ctx, b.ID, false, "bob", "late"); !errors.Is(err, store.ErrConflict) {
		t.Errorf("deciding again: err = %v, want ErrConflict", err)
	}
	if _, err := s.DecidePlan(ctx, "plan-none", true, "ana", ""); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("deciding an unknown plan: err = %v, want ErrNotFound", err)
	}

	// The listing: newest first, filtered by feed and status.
	all, err := s.ListPlans(ctx, store.PlanFilter{})
	if err != nil || len(all) != 3 || all[0].ID != b.ID {
		t.Fatalf("ListPlans = %+v, %v", all, err)
	}
	hr, err := s.ListPlans(ctx, store.PlanFilter{Feed: "hr", Statuses: []string{store.ApprovalSuperseded}})
	if err != nil || len(hr) != 1 || hr[0].ID != a.ID || string(hr[0].Totals) != `{"offboard": 30, "operations": 60}` || hr[0].Body != nil {
		t.Errorf("superseded plans of hr = %+v, %v", hr, err)
	}
	if id, err := s.ResolvePlanID(ctx, "plan-bbbb"); err != nil || id != b.ID {
		t.Errorf("ResolvePlanID(plan-bbbb) = %q, %v", id, err)
	}
	if _, err := s.ResolvePlanID(ctx, "plan-"); !errors.Is(err, store.ErrAmbiguous) {
		t.Errorf("ResolvePlanID(plan-) = %v, want ErrAmbiguous", err)
	}
	if _, err := s.ResolvePlanID(ctx, "plan-zz"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("ResolvePlanID(plan-zz) = %v, want ErrNotFound", err)
	}
	if _, err := s.ResolvePlanID(ctx, "plan-%"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("ResolvePlanID(plan-%%) = %v: a wildcard in the id matched", err)
	}
}

// A plan not decided in time expires: it cannot be approved, the journal
// says so, and its feed planning it again parks it anew.
func TestParkedPlanExpires(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := newStore(t, true)
	e := park(t, s, "plan-dddd4444", "hr", time.Millisecond, "")
	for time.Since(e.ExpiresAt) < 10*time.Millisecond {
		time.Sleep(5 * time.Millisecond)
	}
	if n, _, err := s.ApprovalCounts(ctx, ""); err != nil || n != 0 {
		t.Errorf("awaiting past its expiry counted: %d, %v", n, err)
	}
	if l, err := s.ListPlans(ctx, store.PlanFilter{Statuses: []string{store.ApprovalExpired}}); err != nil || len(l) != 1 {
		t.Errorf("expired plans listed = %+v, %v", l, err)
	}
	_, err := s.DecidePlan(ctx, e.ID, true, "ana", "")
	if !errors.Is(err, store.ErrConflict) {
		t.Fatalf("approving an expired plan: err = %v, want ErrConflict", err)
	}
	if got, _ := s.PlanEntry(ctx, e.ID); got.ApprovalStatus != store.ApprovalExpired || got.DecidedBy != "" {
		t.Errorf("after a late approval: %+v", got)
	}
	if evs := events(t, s, e.ID); !slices.Equal(evs, []string{store.EventParked, store.EventExpired}) {
		t.Errorf("journal = %v", evs)
	}
	if n, err := s.ExpireApprovals(ctx); err != nil || n != 0 {
		t.Errorf("ExpireApprovals found %d more, %v", n, err)
	}
	again := park(t, s, e.ID, "hr", time.Hour, "")
	if again.Status != store.ApprovalAwaiting || !again.ExpiresAt.After(e.ExpiresAt) {
		t.Errorf("parked again = %+v", again)
	}
}

// An approved plan's outcome: only an approved plan moves, once; a stale
// one is replaced by the plan parked in its place.
func TestApprovedPlanOutcome(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := newStore(t, true)
	old := park(t, s, "plan-eeee5555", "hr", time.Hour, "")
	if err := s.FinishApproval(ctx, old.ID, store.ApprovalApplied, "", "x"); !errors.Is(err, store.ErrConflict) {
		t.Errorf("finishing a plan nobody approved: err = %v, want ErrConflict", err)
	}
	if _, err := s.DecidePlan(ctx, old.ID, true, "ana", "reorg"); err != nil {
		t.Fatal(err)
	}
	if ids, err := s.ApprovedPlans(ctx, "hr"); err != nil || !slices.Equal(ids, []string{old.ID}) {
		t.Errorf("ApprovedPlans = %v, %v", ids, err)
	}
	if _, n, _ := s.ApprovalCounts(ctx, "hr"); n != 1 {
		t.Errorf("approved counted %d, want 1", n)
	}
	// Stale: planned again, parked again in its place.
	repl := park(t, s, "plan-ffff6666", "hr", time.Hour, old.ID)
	old, _ = s.PlanEntry(ctx, old.ID)
	if repl.Replaces != old.ID || old.Status != store.ApprovalReplanned || old.ReplacedBy != repl.ID || old.DecidedBy != "ana" {
		t.Errorf("replaced %+v by %+v", old, repl)
	}
	if err := s.FinishApproval(ctx, old.ID, store.ApprovalReplanned, "", "again"); !errors.Is(err, store.ErrConflict) {
		t.Errorf("finishing a replanned plan: err = %v, want ErrConflict", err)
	}
	if _, err := s.DecidePlan(ctx, repl.ID, true, "bob", ""); err != nil {
		t.Fatal(err)
	}
	if err := s.FinishApproval(ctx, repl.ID, store.ApprovalApplied, "", "12 operations done"); err != nil {
		t.Fatal(err)
	}
	if err := s.FinishApproval(ctx, repl.ID, "bogus", "", ""); !errors.Is(err, store.ErrInvalid) {
		t.Errorf("bogus outcome: err = %v, want ErrInvalid", err)
	}
	repl, _ = s.PlanEntry(ctx, repl.ID)
	if repl.Status != store.ApprovalApplied || !slices.Equal(events(t, s, repl.ID), []string{store.EventParked, store.EventApproved, store.EventApplied}) {
		t.Errorf("applied plan %+v, journal %v", repl, events(t, s, repl.ID))
	}
	// A plan the same as one applied or rejected is not parked again.
	if e := park(t, s, repl.ID, "hr", time.Hour, ""); e.Status != store.ApprovalApplied {
		t.Errorf("an applied plan parked again: %+v", e)
	}
	// SupersedeApprovals without a plan in their place.
	w := park(t, s, "plan-gggg7777", "hr", time.Hour, "")
	if n, err := s.SupersedeApprovals(ctx, "hr", "", "the org matches the feed"); err != nil || n != 1 {
		t.Errorf("SupersedeApprovals = %d, %v", n, err)
	}
	if w, _ = s.PlanEntry(ctx, w.ID); w.Status != store.ApprovalSuperseded || w.ReplacedBy != "" {
		t.Errorf("superseded = %+v", w)
	}
	// A feed run can now end awaiting approval.
	id, err := s.StartRun(ctx, "feed:hr")
	if err != nil {
		t.Fatal(err)
	}
	if err := s.FinishRun(ctx, id, store.RunResult{Status: store.StatusAwaitingApproval, Counts: store.FeedCounts{PlanID: w.ID}}); err != nil {
		t.Fatalf("recording a run awaiting approval: %v", err)
	}
	if r, err := s.Run(ctx, id); err != nil || r.Status != store.StatusAwaitingApproval || r.FinishedAt.IsZero() {
		t.Errorf("run = %+v, %v", r, err)
	}
}
