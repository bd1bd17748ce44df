package reverse

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"github.com/usersync/syncer/internal/config"
	"github.com/usersync/syncer/internal/pipeline"
	"github.com/usersync/syncer/internal/store"
	"github.com/usersync/syncer/internal/textfmt"
)

// FeedRun is how one run of a scheduled feed ended.
type FeedRun struct {
	// RunID is the run's row in sync_runs; 0 when none could be written.
	RunID int64
	// Outcome is store.StatusSucceeded, StatusFailed or StatusInterrupted.
	Outcome  string
	Duration time.Duration
	// Counts are what the run records in sync_runs.counts.
	Counts store.FeedCounts
	// Calls are the API calls the run made.
	Calls store.RunCalls
}

// RunFeed plans the configured feed f against a freshly refreshed state and
// applies it with its guards, as `syncer apply FEED` does, and records the
// run in sync_runs as a run of job (`syncer serve` names it feed:NAME), so
// that serve's schedule, back-off and metrics treat it like a pipeline.
// ratePerMinute is the request budget the plan's time estimate assumes.
//
// The caller holds job's lock: a run of job still recorded as running is
// marked interrupted first. A feed file that is missing fails the run
// before any call; a tripped guard fails it before any write. The error is
// non-nil when the run did not succeed; the FeedRun is filled either way.
func (s *Service) RunFeed(ctx context.Context, job string, f *config.Feed, ratePerMinute int) (FeedRun, error) {
	start := time.Now()
	run := FeedRun{}
	id, err := s.store.BeginExclusiveRun(ctx, job)
	if err != nil {
		run.Outcome = store.StatusOf(ctx, err)
		return run, err
	}
	run.RunID = id
	actx, calls := pipeline.GenesysAccounting(ctx)
	run.Counts, err = s.planAndApply(actx, f, ratePerMinute)
	run.Duration = time.Since(start)
	run.Calls = store.RunCalls(calls.CallStats())
	run.Outcome = store.StatusOf(ctx, err)
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

// planAndApply is a feed run's work: plan, judge the guards, apply and
// verify.
func (s *Service) planAndApply(ctx context.Context, f *config.Feed, ratePerMinute int) (store.FeedCounts, error) {
	var c store.FeedCounts
	// Before the refresh: a missing export must not cost a refresh's calls.
	if err := CheckFeedFile(f.Name, f.Path); err != nil {
		return c, err
	}
	sp, err := SpecFromConfig(f, ratePerMinute)
	if err != nil {
		return c, err
	}
	planned, err := s.Plan(ctx, sp, true)
	if err != nil {
		return c, err
	}
	c.Operations = len(planned.Plan.Operations)
	c.RejectedRows = planned.Plan.Rejected.Count
	if tripped := planned.Plan.Tripped(); len(tripped) > 0 {
		return c, fmt.Errorf("feed %s: %d guard(s) tripped, nothing applied: %s", f.Name, len(tripped), tripped[0].Message)
	}
	if !planned.Plan.HasChanges() {
		s.log.Info("feed has no changes", "feed", f.Name)
		return c, nil
	}
	res, err := s.Apply(ctx, sp, planned.Plan, ApplyOptions{Verify: true})
	if res != nil {
		c.Done, c.Failed, c.Skipped, c.Writes = res.Done, res.Failed, res.Skipped, res.Writes
	}
	if err != nil {
		return c, err
	}
	if !res.OK() {
		return c, fmt.Errorf("feed %s: %d operation(s) failed, %d skipped", f.Name, res.Failed, res.Skipped)
	}
	s.log.Info("feed applied", "feed", f.Name, "operations", res.Done, "writes", res.Writes)
	return c, nil
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
