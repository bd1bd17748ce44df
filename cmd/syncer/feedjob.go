package main

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"time"

	"github.com/usersync/syncer/internal/pipeline"
	"github.com/usersync/syncer/internal/reverse"
	"github.com/usersync/syncer/internal/schedule"
	"github.com/usersync/syncer/internal/store"
	"github.com/usersync/syncer/internal/textfmt"
)

// feedJobPrefix names scheduled feeds among the pipelines in sync_runs,
// the locks, the metrics and /runs of `syncer serve`.
const feedJobPrefix = schedule.FeedJobPrefix

// applyFeed plans a configured feed against a freshly refreshed state and
// applies it with its guards, as `syncer apply FEED` does, recording the
// run in sync_runs under feed:NAME so that serve's schedule, back-off and
// metrics treat it like a pipeline. A tripped guard fails the run before
// any write.
func (f *forward) applyFeed(ctx context.Context, name string, log *slog.Logger) (pipeline.Summary, error) {
	job := feedJobPrefix + name
	sum := pipeline.Summary{Pipeline: job, Started: time.Now()}
	fc, ok := f.cfg.Feeds[name]
	if !ok {
		sum.Outcome, sum.Err = pipeline.OutcomeFailed, fmt.Errorf("feed %q is not configured", name)
		return sum, sum.Err
	}
	if _, err := f.store.InterruptRuns(ctx, job, "the process running it stopped before it finished"); err != nil {
		sum.Outcome, sum.Err = pipeline.OutcomeFailed, err
		return sum, err
	}
	runID, err := f.store.StartRun(ctx, job)
	if err != nil {
		sum.Outcome, sum.Err = pipeline.OutcomeFailed, err
		return sum, err
	}
	sum.RunID = runID
	actx, calls := pipeline.GenesysAccounting(ctx)
	counts, err := f.planAndApply(actx, fc.Name, log)
	sum.Duration = time.Since(sum.Started)
	sum.Calls = calls.CallStats()
	switch {
	case err == nil:
		sum.Outcome = pipeline.OutcomeSucceeded
	case ctx.Err() != nil || errors.Is(err, context.Canceled):
		sum.Outcome = pipeline.OutcomeInterrupted
	default:
		sum.Outcome = pipeline.OutcomeFailed
	}
	sum.Err = err
	rec := store.RunResult{Status: sum.Outcome, Counts: counts, Calls: sum.Calls}
	if err != nil {
		rec.Error = err.Error()
		log.Error("feed run did not succeed", "pipeline", job, "run_id", runID, "outcome", sum.Outcome,
			"duration", sum.Duration.Round(time.Millisecond), "err", err)
	}
	fctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
	defer cancel()
	if ferr := f.store.FinishRun(fctx, runID, rec); ferr != nil {
		sum.Err = errors.Join(sum.Err, ferr)
		if sum.Outcome == pipeline.OutcomeSucceeded {
			sum.Outcome = pipeline.OutcomeFailed
		}
	}
	return sum, sum.Err
}

// checkFeedFile returns why the file of feed name, at path, cannot be
// read, naming the feed, the path and the configuration key; nil when it
// can be opened.
func checkFeedFile(name, path string) error {
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

func (f *forward) planAndApply(ctx context.Context, name string, log *slog.Logger) (schedule.FeedCounts, error) {
	var c schedule.FeedCounts
	// Before the refresh: a missing export must not cost a refresh's calls.
	if err := checkFeedFile(name, f.cfg.Feeds[name].Path); err != nil {
		return c, err
	}
	sp, err := reverse.SpecFromConfig(f.cfg.Feeds[name], f.cfg.Rate.RequestsPerMinute)
	if err != nil {
		return c, err
	}
	svc := reverse.New(f.client, f.store, reverse.Config{Logger: log})
	planned, err := svc.Plan(ctx, sp, true)
	if err != nil {
		return c, err
	}
	c.Operations = len(planned.Plan.Operations)
	c.RejectedRows = planned.Plan.Rejected.Count
	if tripped := planned.Plan.Tripped(); len(tripped) > 0 {
		return c, fmt.Errorf("feed %s: %d guard(s) tripped, nothing applied: %s", name, len(tripped), tripped[0].Message)
	}
	if !planned.Plan.HasChanges() {
		log.Info("feed has no changes", "feed", name)
		return c, nil
	}
	res, err := svc.Apply(ctx, sp, planned.Plan, reverse.ApplyOptions{Verify: true})
	if res != nil {
		c.Done, c.Failed, c.Skipped, c.Writes = res.Done, res.Failed, res.Skipped, res.Writes
	}
	if err != nil {
		return c, err
	}
	if !res.OK() {
		return c, fmt.Errorf("feed %s: %d operation(s) failed, %d skipped", name, res.Failed, res.Skipped)
	}
	log.Info("feed applied", "feed", name, "operations", res.Done, "writes", res.Writes)
	return c, nil
}
