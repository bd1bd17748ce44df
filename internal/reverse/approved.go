package reverse

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/usersync/syncer/internal/apply"
	"github.com/usersync/syncer/internal/config"
	"github.com/usersync/syncer/internal/diff"
	"github.com/usersync/syncer/internal/store"
)

// park parks plan, whose guards in tripped stop it, for approval, and
// says how the run ends: StatusAwaitingApproval, or, when the same plan
// was parked before and decided, what that decision calls for (a rejected
// plan fails the run; an approved one is applied now).
func (s *Service) park(ctx context.Context, job string, f *config.Feed, ratePerMinute int, runID int64, plan *diff.Plan, tripped []diff.Verdict, replaces string) (store.FeedCounts, string, error) {
	c := store.FeedCounts{Operations: len(plan.Operations), RejectedRows: plan.Rejected.Count, PlanID: apply.PlanID(plan)}
	body, err := json.Marshal(plan)
	if err != nil {
		return c, "", fmt.Errorf("feed %s: encode plan: %w", f.Name, err)
	}
	verdicts, err := json.Marshal(tripped)
	if err != nil {
		return c, "", fmt.Errorf("feed %s: encode verdicts: %w", f.Name, err)
	}
	e, err := s.store.ParkPlan(ctx, store.Park{
		PlanID: c.PlanID, Feed: f.Name, Job: job, Body: body, Tripped: verdicts, RunID: runID,
		TTL: ApprovalExpiry(f), Replaces: replaces,
	})
	if err != nil {
		return c, "", fmt.Errorf("feed %s: %w", f.Name, err)
	}
	switch e.ApprovalStatus {
	case store.ApprovalRejected:
		return c, "", fmt.Errorf("feed %s: the plan %s trips %d guard(s) and was rejected by %s at %s%s: nothing applied (%s)",
			f.Name, e.ID, len(tripped), e.DecidedBy, e.DecidedAt.UTC().Format(time.RFC3339), reasonText(e.Reason), tripped[0].Message)
	case store.ApprovalApproved:
		if replaces != "" {
			// Planning a stale approved plan again gave one already
			// approved: it is applied by the next run, not in this one.
			return c, store.StatusAwaitingApproval, nil
		}
		return s.applyApproved(ctx, job, f, ratePerMinute, runID, e.ID)
	case store.ApprovalApplied:
		s.log.Info("feed plan was applied before", "feed", f.Name, "plan_id", e.ID)
		return c, "", nil
	}
	s.log.Warn("feed plan parked for approval: guards tripped", "feed", f.Name, "plan_id", e.ID, "guards", len(tripped),
		"expires_at", e.ExpiresAt.UTC().Format(time.RFC3339), "replaces", replaces)
	return c, store.StatusAwaitingApproval, nil
}

// ApprovalExpiry is how long a plan of the feed f parked for approval may
// be approved: feeds.NAME.approval_expiry, default DefaultApprovalExpiry.
func ApprovalExpiry(f *config.Feed) time.Duration {
	return cmp.Or(f.ApprovalExpiry, DefaultApprovalExpiry)
}

func reasonText(r string) string {
	if r == "" {
		return ""
	}
	return fmt.Sprintf(" (%q)", r)
}

// applyApproved applies the approved plan id, for a caller that holds
// job's lock. The approval overrides the guards that tripped. A plan never
// started is applied only while fresh (ApplyOptions.CheckFresh: the org's
// fingerprint must still be the plan's); a stale one is planned again from
// the feed as configured: parked again (linked to the stale one) when a
// guard still trips, else applied. A plan whose apply was cut short
// (journal applying) is resumed: done operations are never repeated.
// The approval then records the outcome: applied, failed or replanned. An
// apply that could not run (the org or the database unreachable,
// interrupted) leaves the plan approved, for the next run to take up.
func (s *Service) applyApproved(ctx context.Context, job string, f *config.Feed, ratePerMinute int, runID int64, id string) (store.FeedCounts, string, error) {
	c := store.FeedCounts{PlanID: id}
	e, err := s.store.PlanEntry(ctx, id)
	if err != nil {
		return c, "", err
	}
	if e.ApprovalStatus != store.ApprovalApproved {
		return c, "", fmt.Errorf("plan %s: %w (it is %s)", id, ErrNotApproved, e.Status)
	}
	plan := &diff.Plan{}
	if err := json.Unmarshal(e.Body, plan); err != nil {
		return c, "", s.finishFailed(ctx, id, fmt.Errorf("plan %s: decode: %w", id, err))
	}
	c.Operations, c.RejectedRows = len(plan.Operations), plan.Rejected.Count
	overrideTripped(plan)
	s.log.Info("applying an approved plan", "pipeline", job, "plan_id", id, "approved_by", e.DecidedBy, "operations", len(plan.Operations))
	res, err := s.Apply(ctx, SpecFromPlan(plan), plan, ApplyOptions{CheckFresh: true, Verify: true, BeforeCall: s.beforeCall, AfterCall: s.afterCall})
	c = countApply(c, res)
	switch {
	case errors.Is(err, apply.ErrStale):
		s.log.Info("approved plan is stale: planning the feed again", "pipeline", job, "plan_id", id, "err", err)
		return s.replan(ctx, job, f, ratePerMinute, runID, id)
	case errors.Is(err, apply.ErrInvalid) || errors.Is(err, apply.ErrSchema):
		return c, "", s.finishFailed(ctx, id, err)
	case err != nil:
		// Not applied, or cut short: the journal has it, and the next run
		// of the feed takes it up again.
		return c, "", fmt.Errorf("feed %s: approved plan %s: %w", f.Name, id, err)
	case res.AlreadyApplied:
		return c, "", s.finish(ctx, id, store.ApprovalApplied, "", "applied before")
	case res.Failed > 0 || res.Skipped > 0:
		err := fmt.Errorf("feed %s: approved plan %s: %d operation(s) failed, %d skipped", f.Name, id, res.Failed, res.Skipped)
		return c, "", errors.Join(err, s.finish(ctx, id, store.ApprovalFailed, "", err.Error()))
	}
	detail := fmt.Sprintf("%d operation(s) done, %d write call(s)", res.Done+res.Previously, res.Writes)
	if res.Resumed {
		detail = fmt.Sprintf("resumed: %d operation(s) done now, %d before; %d write call(s)", res.Done, res.Previously, res.Writes)
	}
	if res.Converged() {
		detail += "; verified: the org matches the feed"
	} else {
		// Every operation was done; the feed's file asks for more than the
		// plan approved (a newer export): the feed's next run plans it, with
		// its guards.
		detail += fmt.Sprintf("; the feed now asks for %d more operation(s), which its next run plans", len(res.Remaining.Operations))
	}
	s.log.Info("approved plan applied", "pipeline", job, "plan_id", id, "operations", res.Done, "writes", res.Writes, "resumed", res.Resumed, "converged", res.Converged())
	return c, "", s.finish(ctx, id, store.ApprovalApplied, "", detail)
}

// replan plans the feed again for the stale approved plan old and settles
// the new plan: parked (replacing old) when a guard still trips, else
// applied, old then marked replanned into it.
func (s *Service) replan(ctx context.Context, job string, f *config.Feed, ratePerMinute int, runID int64, old string) (store.FeedCounts, string, error) {
	if err := CheckFeedFile(f.Name, f.Path); err != nil {
		return store.FeedCounts{PlanID: old}, "", err
	}
	sp, err := SpecFromConfig(f, ratePerMinute)
	if err != nil {
		return store.FeedCounts{PlanID: old}, "", err
	}
	planned, err := s.Plan(ctx, sp, true)
	if err != nil {
		return store.FeedCounts{PlanID: old}, "", fmt.Errorf("feed %s: plan again for the stale approved plan %s: %w", f.Name, old, err)
	}
	c, outcome, err := s.settle(ctx, job, f, ratePerMinute, runID, sp, planned.Plan, old)
	// Parked, old was marked replanned with it; otherwise mark it now.
	var detail string
	switch {
	case c.PlanID != "":
		detail = "stale when approved: planned again into " + c.PlanID
	case err != nil:
		detail = "stale when approved: planned again, and that plan cannot be applied: " + err.Error()
	default:
		detail = "stale when approved: planned again, the org already matches the feed"
	}
	if ferr := s.finish(ctx, old, store.ApprovalReplanned, c.PlanID, detail); ferr != nil && !errors.Is(ferr, store.ErrConflict) {
		err = errors.Join(err, ferr)
	}
	return c, outcome, err
}

// finish records an approved plan's outcome.
func (s *Service) finish(ctx context.Context, id, to, replacedBy, detail string) error {
	// The outcome happened: record it even when the run is being stopped.
	return s.store.FinishApproval(context.WithoutCancel(ctx), id, to, replacedBy, detail)
}

// finishFailed records that the approved plan id cannot be applied at
// all, and returns why.
func (s *Service) finishFailed(ctx context.Context, id string, why error) error {
	return errors.Join(why, s.finish(ctx, id, store.ApprovalFailed, "", why.Error()))
}

// overrideTripped judges the plan's tripped guards again without a limit:
// a person approved the plan knowing them. Each verdict's message says it
// was overridden.
func overrideTripped(p *diff.Plan) {
	var names []string
	for _, v := range p.Tripped() {
		names = append(names, v.Guard)
	}
	none, nonePct := -1, -1.0
	p.Rejudge(diff.Guards{MaxOffboards: &none, MaxOffboardPercent: &nonePct, MaxChanges: &none,
		MaxQueueLossPercent: &nonePct, MaxRejectedPercent: &nonePct}, names...)
}

// lockPoll is how often ApplyApproved asks for a lock held elsewhere.
const lockPoll = time.Second

// ApplyApproved applies the approved plan id now, as a run of its feed's
// job (feed:NAME) recorded in sync_runs, as `syncer serve` would: it takes
// the job's lock, waiting while another process holds it (a scheduled run
// in progress; waiting, if not nil, is called once then), and gives the
// apply up if the lock's session is lost. f is the plan's feed as
// configured (for planning it again if the plan is stale).
//
// When the lock is taken the plan is read again: one whose apply ended
// (another process applied it meanwhile) is left alone, and the FeedRun
// returned has no RunID. A plan nobody approved (awaiting a decision,
// rejected, expired, superseded, never parked) returns ErrNotApproved. Otherwise see RunFeed and applyApproved: the FeedRun's
// Outcome is succeeded, failed, interrupted or awaiting_approval (stale,
// planned again, and parked again).
func (s *Service) ApplyApproved(ctx context.Context, id string, f *config.Feed, ratePerMinute int, waiting func()) (FeedRun, error) {
	e, err := s.Approvals().entry(ctx, id)
	if err != nil {
		return FeedRun{}, err
	}
	id = e.ID
	if done, err := approvedState(e); done || err != nil {
		return FeedRun{Counts: store.FeedCounts{PlanID: id}}, err
	}
	if f == nil || f.Name != e.Feed {
		return FeedRun{}, fmt.Errorf("plan %s is of feed %s, which the configuration does not have (feeds.%s)", id, e.Feed, e.Feed)
	}
	lock, err := s.waitLock(ctx, e.Job, waiting)
	if err != nil {
		return FeedRun{}, err
	}
	ctx, stop := watchLock(ctx, lock)
	defer stop()
	// Read again under the lock: another process may have applied it.
	if e, err = s.store.PlanEntry(ctx, id); err != nil {
		return FeedRun{}, err
	}
	if done, err := approvedState(e); done || err != nil {
		return FeedRun{Counts: store.FeedCounts{PlanID: id}}, err
	}
	return s.recordRun(ctx, e.Job, func(ctx context.Context, runID int64) (store.FeedCounts, string, error) {
		return s.applyApproved(ctx, e.Job, f, ratePerMinute, runID, id)
	})
}

// approvedState says whether the approved plan e was applied already (or
// its apply ended: failed, or replanned), and returns ErrNotApproved for a
// plan nobody approved.
func approvedState(e store.PlanEntry) (done bool, err error) {
	switch e.ApprovalStatus {
	case store.ApprovalApproved:
		return false, nil
	case store.ApprovalApplied, store.ApprovalFailed, store.ApprovalReplanned:
		return true, nil
	}
	return false, fmt.Errorf("plan %s: %w (it is %s)", e.ID, ErrNotApproved, cmp.Or(e.Status, "not parked"))
}

// waitLock takes the lock of job, asking every lockPoll while another
// session holds it, until ctx ends.
func (s *Service) waitLock(ctx context.Context, job string, waiting func()) (*store.Lock, error) {
	cfg := store.LockConfig{ApplicationName: fmt.Sprintf("syncer plans approve pid %d: %s", os.Getpid(), job)}
	for told := false; ; {
		lock, err := s.store.TryLock(ctx, job, cfg)
		if !errors.Is(err, store.ErrLocked) {
			return lock, err
		}
		if !told && waiting != nil {
			waiting()
			told = true
		}
		select {
		case <-ctx.Done():
			return nil, fmt.Errorf("wait for the lock of %s: %w", job, ctx.Err())
		case <-time.After(lockPoll):
		}
	}
}

// watchLock returns a context cancelled when the lock's session is lost
// (checked every store.DefaultDeadAfter/8, as serve's heartbeat does), so
// that an apply stops before another process can take the lock, and a
// stop function that ends the watch and releases the lock.
func watchLock(ctx context.Context, lock *store.Lock) (context.Context, func()) {
	ctx, cancel := context.WithCancelCause(ctx)
	done := make(chan struct{})
	stopped := make(chan struct{})
	every := store.DefaultDeadAfter / 8
	go func() {
		defer close(stopped)
		t := time.NewTicker(every)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-t.C:
			}
			cctx, ccancel := context.WithTimeout(context.WithoutCancel(ctx), every)
			err := lock.Check(cctx)
			ccancel()
			if err != nil {
				cancel(fmt.Errorf("the lock of %s was lost: %w", lock.Name(), err))
				return
			}
		}
	}()
	return ctx, func() {
		close(done)
		<-stopped
		rctx, rcancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		defer rcancel()
		_ = lock.Release(rctx)
		cancel(nil)
	}
}
