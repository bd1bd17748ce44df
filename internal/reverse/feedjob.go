package reverse

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"github.com/usersync/syncer/internal/apply"
	"github.com/usersync/syncer/internal/config"
	"github.com/usersync/syncer/internal/diff"
	"github.com/usersync/syncer/internal/pipeline"
	"github.com/usersync/syncer/internal/store"
	"github.com/usersync/syncer/internal/textfmt"
)

// FeedRun is how one run of a scheduled feed ended.
type FeedRun struct {
	// RunID is the run's row in sync_runs; 0 when none could be written.
	RunID int64
	// Outcome is store.StatusSucceeded, StatusFailed, StatusInterrupted
	// or StatusAwaitingApproval (a guard tripped: the plan is parked).
	Outcome  string
	Duration time.Duration
	// Counts are what the run records in sync_runs.counts; Counts.PlanID
	// is the plan it applied or parked.
	Counts store.FeedCounts
	// Calls are the API calls the run made.
	Calls store.RunCalls
}

// RunFeed is a run of the scheduled feed f, recorded in sync_runs as a run
// of job (`syncer serve` names it feed:NAME), so that serve's schedule,
// back-off and metrics treat it like a pipeline. ratePerMinute is the
// request budget the plan's time estimate assumes.
//
// A run first applies a plan of the feed that someone approved (see
// applyApproved), if there is one; otherwise it plans the feed against a
// freshly refreshed state and applies it with its guards, as `syncer apply
// FEED` does. A plan with changes that trips a guard is not applied: it is
// parked for approval (store.ParkPlan) and the run ends
// StatusAwaitingApproval with a nil error. A plan the same as one rejected
// fails the run.
//
// The caller holds job's lock: a run of job still recorded as running is
// marked interrupted first. A feed file that is missing fails the run
// before any call. The error is non-nil when the run failed or was
// interrupted; the FeedRun is filled either way.
func (s *Service) RunFeed(ctx context.Context, job string, f *config.Feed, ratePerMinute int) (FeedRun, error) {
	return s.recordRun(ctx, job, func(ctx context.Context, runID int64) (store.FeedCounts, string, error) {
		if _, err := s.store.ExpireApprovals(ctx); err != nil {
			return store.FeedCounts{}, "", err
		}
		approved, err := s.store.ApprovedPlans(ctx, f.Name)
		if err != nil {
			return store.FeedCounts{}, "", err
		}
		if len(approved) > 0 {
			return s.applyApproved(ctx, job, f, ratePerMinute, runID, approved[0])
		}
		return s.planAndApply(ctx, job, f, ratePerMinute, runID)
	})
}

// feedWork is a feed run's work: its counts, its outcome ("" to derive it
// from the error) and its error.
type feedWork func(ctx context.Context, runID int64) (store.FeedCounts, string, error)

// recordRun records work as a run of job in sync_runs, for a caller that
// holds job's lock.
func (s *Service) recordRun(ctx context.Context, job string, work feedWork) (FeedRun, error) {
	start := time.Now()
	run := FeedRun{}
	id, err := s.store.BeginExclusiveRun(ctx, job)
	if err != nil {
		run.Outcome = store.StatusOf(ctx, err)
		return run, err
	}
	run.RunID = id
	actx, calls := pipeline.GenesysAccounting(ctx)
	var outcome string
	run.Counts, outcome, err = work(actx, id)
	run.Duration = time.Since(start)
	run.Calls = store.RunCalls(calls.CallStats())
	run.Outcome = store.StatusOf(ctx, err)
	if err == nil && outcome != "" {
		run.Outcome = outcome
	}
	rec := store.RunResult{Status: run.Outcome, Counts: run.Counts, Calls: run.Calls}
	if err != nil {
		rec.Error = err.Error()
		s.log.Error("feed run did not succeed", "pipeline", job, "run_id", id, "outcome", run.Outcome,
			"duration", run.Duration.Round(time.Millisecond), "err", err)
	}
	if ferr := s.store.EndRun(ctx, id, rec); ferr != nil {
		err = errors.Join(err, ferr)
		if run.Outcome == store.StatusSucceeded {
			run.Outcome = store.StatusFailed
		}
	}
	return run, err
}

// planAndApply is a scheduled feed run's work when no approved plan waits:
// plan, then settle.
func (s *Service) planAndApply(ctx context.Context, job string, f *config.Feed, ratePerMinute int, runID int64) (store.FeedCounts, string, error) {
	// Before the refresh: a missing export must not cost a refresh's calls.
	if err := CheckFeedFile(f.Name, f.Path); err != nil {
		return store.FeedCounts{}, "", err
	}
	sp, err := SpecFromConfig(f, ratePerMinute)
	if err != nil {
		return store.FeedCounts{}, "", err
	}
	planned, err := s.Plan(ctx, sp, true)
	if err != nil {
		return store.FeedCounts{}, "", err
	}
	return s.settle(ctx, job, f, ratePerMinute, runID, sp, planned.Plan, "")
}

// settle does what a fresh plan of the feed calls for: park it when a
// guard trips (replacing the stale approved plan replaces, if any), else
// apply and verify it; a plan with no changes does nothing. A run that
// applies or finds nothing to do supersedes the plan of the feed awaiting
// approval, if any: the org or the feed moved on.
func (s *Service) settle(ctx context.Context, job string, f *config.Feed, ratePerMinute int, runID int64, sp Spec, plan *diff.Plan, replaces string) (store.FeedCounts, string, error) {
	c := store.FeedCounts{Operations: len(plan.Operations), RejectedRows: plan.Rejected.Count}
	tripped := plan.Tripped()
	switch {
	case len(tripped) > 0 && plan.HasChanges():
		return s.park(ctx, job, f, ratePerMinute, runID, plan, tripped, replaces)
	case len(tripped) > 0:
		// A broken export whose rows are all rejected plans nothing: there
		// is nothing to approve, and the run fails as before.
		return c, "", fmt.Errorf("feed %s: %d guard(s) tripped, nothing applied: %s", f.Name, len(tripped), tripped[0].Message)
	case !plan.HasChanges():
		s.log.Info("feed has no changes", "feed", f.Name)
		if _, err := s.store.SupersedeApprovals(ctx, f.Name, "", "a later run of the feed found the org matching it"); err != nil {
			return c, "", err
		}
		return c, "", nil
	}
	c.PlanID = apply.PlanID(plan)
	if _, err := s.store.SupersedeApprovals(ctx, f.Name, c.PlanID, "a later run of the feed planned "+c.PlanID+", whose guards hold, and applied it"); err != nil {
		return c, "", err
	}
	res, err := s.Apply(ctx, sp, plan, ApplyOptions{Verify: true, BeforeCall: s.beforeCall, AfterCall: s.afterCall})
	c = countApply(c, res)
	if err != nil {
		return c, "", err
	}
	if !res.OK() {
		return c, "", fmt.Errorf("feed %s: %d operation(s) failed, %d skipped", f.Name, res.Failed, res.Skipped)
	}
	s.log.Info("feed applied", "feed", f.Name, "plan_id", res.PlanID, "operations", res.Done, "writes", res.Writes)
	return c, "", nil
}

// countApply adds what an apply did to a run's counts.
func countApply(c store.FeedCounts, res *apply.Result) store.FeedCounts {
	if res != nil {
		c.Done, c.Failed, c.Skipped, c.Writes = res.Done, res.Failed, res.Skipped, res.Writes
		c.PlanID = cmp.Or(res.PlanID, c.PlanID)
	}
	return c
}

// CheckFeedFile returns why the file of the feed name, at path, cannot be
// read, naming the feed, the path and the configuration key; nil when it
// can be opened.
func CheckFeedFile(name, path string) error {
	where := textfmt.Quote(path)
	if abs, err := filepath.Abs(path); err == nil && abs != path {
		where += " (" + textfmt.Quote(abs) + ")"
	}
	fh, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("feed %s: file %s does not exist (feeds.%s.path)", name, where, name)
	}
	if err != nil {
		var pe *fs.PathError
		if errors.As(err, &pe) {
			err = pe.Err // the path is in the message already
		}
		return fmt.Errorf("feed %s: file %s cannot be opened: %w (feeds.%s.path)", name, where, err, name)
	}
	defer fh.Close()
	if fi, err := fh.Stat(); err == nil && fi.IsDir() {
		return fmt.Errorf("feed %s: %s is a directory, not a file (feeds.%s.path)", name, where, name)
	}
	return nil
}
