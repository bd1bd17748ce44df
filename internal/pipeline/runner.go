package pipeline

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/usersync/syncer/internal/genesys"
	"github.com/usersync/syncer/internal/load"
	"github.com/usersync/syncer/internal/store"
)

// CallSource reports the API calls made so far; the difference of two
// readings is a run's calls.
type CallSource interface {
	CallStats() CallStats
}

// Config configures a Runner. The zero value works.
type Config struct {
	// Logger receives run and stream start and end at Info. Default: discard.
	Logger *slog.Logger
	// Calls reports API calls for the run summary. Default: none.
	Calls CallSource
	// Exclusive says the caller holds the pipeline's lock while it runs
	// (`syncer run`, `syncer serve`): a run of the same pipeline still
	// recorded as running then belongs to a process that died, and is marked
	// interrupted when the next run starts (store.BeginExclusiveRun).
	// Without the lock (the reverse path's refreshes, which may overlap)
	// nothing is marked (store.StartRun).
	Exclusive bool
	// Accounting, when set, gives every run its own call counters (a
	// context carrying them and their reader); it wins over Calls. Use
	// GenesysAccounting.
	Accounting func(ctx context.Context) (context.Context, CallSource)
}

// Runner runs pipelines and records them.
type Runner struct {
	store  *store.Store
	loader *load.Loader
	log    *slog.Logger
	calls  CallSource
	acct   func(ctx context.Context) (context.Context, CallSource)
	excl   bool
}

// NewRunner returns a Runner that records runs in st and loads through ld.
func NewRunner(st *store.Store, ld *load.Loader, cfg Config) *Runner {
	return &Runner{
		store:  st,
		loader: ld,
		log:    cmp.Or(cfg.Logger, slog.New(slog.NewTextHandler(io.Discard, nil))),
		calls:  cfg.Calls,
		acct:   cfg.Accounting,
		excl:   cfg.Exclusive,
	}
}

// Outcomes of a run or a stream.
const (
	OutcomeSucceeded   = store.StatusSucceeded
	OutcomeFailed      = store.StatusFailed
	OutcomeInterrupted = store.StatusInterrupted
	OutcomeSkipped     = "skipped"
)

// StreamResult is how one stream ended.
type StreamResult struct {
	Name     string
	Outcome  string
	Err      error
	Stats    load.Stats
	Duration time.Duration
	Progress ProgressSnapshot
}

// Rows is the number of rows the stream delivered to the loader.
func (r StreamResult) Rows() int64 {
	var n int64
	for _, ts := range r.Stats {
		n += ts.Inserted + ts.Updated + ts.Unchanged
	}
	return n
}

// Summary is how a run ended.
type Summary struct {
	RunID    int64 // 0 for a dry run
	DryRun   bool
	Pipeline string
	Outcome  string
	Err      error
	Started  time.Time
	Duration time.Duration
	Streams  []StreamResult
	Calls    CallStats

	run *runState // what the streams handed each other (Costs)
}

// Rows is the number of rows every stream delivered.
func (s Summary) Rows() int64 {
	var n int64
	for _, r := range s.Streams {
		n += r.Rows()
	}
	return n
}

// Run runs streams as one run of pipeline and records it in sync_runs. The
// error is non-nil when the run did not succeed; the Summary is filled
// either way. prog may be nil.
func (r *Runner) Run(ctx context.Context, pipeline string, streams []Stream, prog *Progress) (Summary, error) {
	return r.run(ctx, pipeline, streams, prog, false)
}

// DryRun runs the streams and reports what they would change, then rolls
// every stream back: nothing is written, not even a run record. Deletions
// (decided at commit) are not counted.
func (r *Runner) DryRun(ctx context.Context, pipeline string, streams []Stream, prog *Progress) (Summary, error) {
	return r.run(ctx, pipeline, streams, prog, true)
}

func (r *Runner) run(ctx context.Context, pipeline string, streams []Stream, prog *Progress, dry bool) (Summary, error) {
	sum := Summary{Pipeline: pipeline, Started: time.Now(), DryRun: dry}
	fail := func(err error) (Summary, error) {
		sum.Outcome, sum.Err = store.StatusOf(ctx, err), err
		return sum, err
	}
	if err := validateStreams(streams); err != nil {
		return fail(err)
	}
	if prog == nil {
		prog = NewProgress()
	}
	var runID int64
	if !dry {
		begin := r.store.StartRun
		if r.excl {
			begin = r.store.BeginExclusiveRun
		}
		id, err := begin(ctx, pipeline)
		if err != nil {
			return fail(fmt.Errorf("run %s: %w", pipeline, err))
		}
		runID = id
	}
	sum.RunID = runID
	calls := r.calls
	if r.acct != nil {
		ctx, calls = r.acct(ctx)
	}
	var before CallStats
	if calls != nil {
		before = calls.CallStats()
		prog.setCalls(calls)
	}
	log := r.log.With("pipeline", pipeline, "run_id", runID)
	log.Info("run started", "streams", len(streams))

	run := newRunState(streams)
	sum.run = run
	for _, s := range streams {
		prog.Stream(s.Name) // register in order for display
	}
	results := make([]StreamResult, len(streams))
	var wg sync.WaitGroup
	for i := range streams {
		s := &streams[i]
		wg.Go(func() {
			ok := false
			defer func() { run.finish(s.Name, ok) }()
			for _, dep := range s.After {
				<-run.done[dep] // dependencies always finish, cancelled or not
			}
			depsOK := true
			for _, dep := range s.After {
				depsOK = depsOK && run.succeededOf(dep)
			}
			res := r.runStream(ctx, log, pipeline, runID, s, run, depsOK, dry, prog.Stream(s.Name))
			ok = res.Outcome == OutcomeSucceeded
			results[i] = res
		})
	}
	wg.Wait()

	sum.Streams = results
	sum.Duration = time.Since(sum.Started)
	if calls != nil {
		sum.Calls = calls.CallStats().Sub(before)
	}
	sum.Outcome, sum.Err = runOutcome(ctx, results)
	if !dry {
		// Recorded even when ctx was cancelled: a clean stop leaves no run
		// marked running.
		rec := store.RunResult{Status: sum.Outcome, Counts: countsOf(results), Calls: sum.Calls}
		if sum.Err != nil {
			rec.Error = sum.Err.Error()
		}
		if err := r.store.EndRun(ctx, runID, rec); err != nil {
			sum.Err = errors.Join(sum.Err, fmt.Errorf("record end of run %d: %w", runID, err))
			if sum.Outcome == OutcomeSucceeded {
				sum.Outcome = OutcomeFailed
			}
		}
	}
	if sum.Err != nil {
		log.Error("run did not succeed", "outcome", sum.Outcome, "duration", sum.Duration.Round(time.Millisecond), "err", sum.Err)
		return sum, sum.Err
	}
	log.Info("run finished", "outcome", sum.Outcome, "duration", sum.Duration.Round(time.Millisecond),
		"rows", sum.Rows(), "calls", sum.Calls.Total)
	return sum, nil
}

func (r *Runner) runStream(ctx context.Context, log *slog.Logger, pipeline string, runID int64, s *Stream, run *runState, depsOK, dry bool, sp *StreamProgress) StreamResult {
	log = log.With("stream", s.Name)
	start := time.Now()
	res := StreamResult{Name: s.Name}
	finish := func(outcome string, err error) StreamResult {
		res.Outcome, res.Err, res.Duration = outcome, err, time.Since(start)
		sp.finish(outcome)
		res.Progress = sp.Snapshot()
		for _, msg := range res.Progress.Warnings {
			log.Warn("stream warning", "warning", msg)
		}
		if dry {
			return res
		}
		// The minimum is recorded so that readers of sync_stream_runs (the
		// console) can show calls against it after the run.
		rec := store.RunResult{Status: outcome, Counts: res.Stats, Calls: store.StreamCalls{MinCalls: res.Progress.MinCalls}}
		if outcome == OutcomeSkipped {
			rec.Status = store.StatusFailed
		}
		if err != nil {
			rec.Error = err.Error()
		}
		if ferr := r.store.EndStreamRun(ctx, runID, s.Name, rec); ferr != nil {
			res.Err = errors.Join(res.Err, fmt.Errorf("record end of stream %s: %w", s.Name, ferr))
		}
		return res
	}
	if !dry {
		if err := r.store.StartStreamRun(context.WithoutCancel(ctx), runID, s.Name); err != nil {
			res.Outcome, res.Err = OutcomeFailed, fmt.Errorf("stream %s: %w", s.Name, err)
			return res
		}
	}
	if ctx.Err() != nil {
		return finish(OutcomeInterrupted, fmt.Errorf("stream %s: not started: %w", s.Name, context.Cause(ctx)))
	}
	if !depsOK {
		return finish(OutcomeSkipped, fmt.Errorf("stream %s: %w", s.Name, ErrDependencyFailed))
	}
	var prev load.Watermark
	if s.Run != nil {
		w, err := r.store.Watermark(ctx, pipeline, s.Name)
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			return finish(store.StatusOf(ctx, err), fmt.Errorf("stream %s: %w", s.Name, err))
		}
		prev = load.Watermark{Time: w.Watermark, Cursor: w.Cursor}
	}
	sp.start()
	log.Debug("stream started")
	tx, err := r.loader.Begin(ctx, load.Stream{Pipeline: pipeline, Name: s.Name, RunID: runID, Snapshot: s.Snapshot})
	if err != nil {
		return finish(store.StatusOf(ctx, err), fmt.Errorf("stream %s: %w", s.Name, err))
	}
	readStart := time.Now()
	wm, err := r.read(ctx, s, run, prev, tx, sp)
	if err == nil && wm == nil && s.Snapshot {
		// A complete read records when it began, so that a plan can tell
		// how fresh the copy is (store.SnapshotTimes, refresh_max_age).
		wm = &load.Watermark{Time: readStart.UTC()}
	}
	if err == nil {
		err = undeclaredTables(s, tx.Stats())
	}
	if err != nil {
		_ = tx.Rollback(context.WithoutCancel(ctx))
		res.Stats = tx.Stats()
		outcome := store.StatusOf(ctx, err)
		if outcome == OutcomeInterrupted {
			log.Warn("stream interrupted; none of it committed")
		} else {
			err = explainForbidden(s.Name, err)
			log.Warn("stream failed; none of it committed", "err", err)
		}
		return finish(outcome, fmt.Errorf("stream %s: %w", s.Name, err))
	}
	if dry {
		res.Stats = tx.Stats()
		if err := tx.Rollback(context.WithoutCancel(ctx)); err != nil {
			return finish(OutcomeFailed, fmt.Errorf("stream %s: roll back dry run: %w", s.Name, err))
		}
		return finish(OutcomeSucceeded, nil)
	}
	stats, err := tx.Commit(ctx, wm)
	res.Stats = stats
	if err != nil {
		return finish(store.StatusOf(ctx, err), fmt.Errorf("stream %s: commit: %w", s.Name, err))
	}
	log.Info("stream committed", "rows", res.Rows(), "duration", time.Since(start).Round(time.Millisecond))
	return finish(OutcomeSucceeded, nil)
}

// read runs the stream into tx: a Load writes it itself; a Run sends its
// batches, which are loaded one by one as they arrive, while it reads on.
func (r *Runner) read(ctx context.Context, s *Stream, run *runState, prev load.Watermark, tx *load.Tx, sp *StreamProgress) (*load.Watermark, error) {
	if s.Load != nil {
		return s.Load(ctx, tx, sp)
	}
	out := newOut(s, sp, run)
	var wm *load.Watermark
	g, gctx := errgroup.WithContext(ctx)
	g.Go(func() error {
		defer out.Close()
		var err error
		wm, err = s.Run(gctx, prev, out)
		return err
	})
	g.Go(func() error {
		for {
			b, ok := out.next()
			if !ok {
				return nil
			}
			n, err := b(gctx, tx)
			if err != nil {
				return err
			}
			sp.Rows(n)
		}
	})
	if err := g.Wait(); err != nil {
		return nil, err
	}
	return wm, nil
}

// undeclaredTables fails a stream that wrote a table it does not declare.
func undeclaredTables(s *Stream, stats load.Stats) error {
	if len(s.Tables) == 0 {
		return nil
	}
	for _, tb := range stats.Tables() {
		if !slices.Contains(s.Tables, tb) {
			return fmt.Errorf("it loaded table %s, which it does not declare (Tables: %v)", tb, s.Tables)
		}
	}
	return nil
}

func runOutcome(ctx context.Context, results []StreamResult) (string, error) {
	var errs []error
	interrupted := ctx.Err() != nil
	for _, r := range results {
		switch r.Outcome {
		case OutcomeSucceeded:
		case OutcomeInterrupted:
			interrupted = true
		case OutcomeSkipped:
			// The failure it depends on is reported already.
		default:
			errs = append(errs, r.Err)
		}
	}
	if interrupted {
		return OutcomeInterrupted, fmt.Errorf("run interrupted: %w", cmp.Or(context.Cause(ctx), context.Canceled))
	}
	if len(errs) > 0 {
		return OutcomeFailed, errors.Join(errs...)
	}
	return OutcomeSucceeded, nil
}

// validateStreams checks a run's streams: each has a name and exactly one
// of Run and Load, no name twice, every After names a stream of the run,
// and no stream waits (After or Awaits) for itself through others.
func validateStreams(streams []Stream) error {
	byName := make(map[string]Stream, len(streams))
	for _, s := range streams {
		if s.Name == "" || (s.Run == nil) == (s.Load == nil) {
			return fmt.Errorf("pipeline: stream %q has no name, or not exactly one of Run and Load", s.Name)
		}
		if _, dup := byName[s.Name]; dup {
			return fmt.Errorf("pipeline: stream %q listed twice", s.Name)
		}
		byName[s.Name] = s
	}
	const (
		visiting = 1
		visited  = 2
	)
	state := map[string]int{}
	var visit func(string) error
	visit = func(n string) error {
		switch state[n] {
		case visiting:
			return fmt.Errorf("pipeline: streams depend on each other in a cycle through %q", n)
		case visited:
			return nil
		}
		state[n] = visiting
		s := byName[n]
		for _, d := range s.After {
			if _, ok := byName[d]; !ok {
				return fmt.Errorf("pipeline: stream %q depends on %q, which is not in the run", n, d)
			}
		}
		for _, d := range append(slices.Clone(s.After), s.Awaits...) {
			if _, ok := byName[d]; !ok {
				continue // a soft dependency may be absent
			}
			if err := visit(d); err != nil {
				return err
			}
		}
		state[n] = visited
		return nil
	}
	for _, s := range streams {
		if err := visit(s.Name); err != nil {
			return err
		}
	}
	return nil
}

func countsOf(results []StreamResult) map[string]load.Stats {
	out := map[string]load.Stats{}
	for _, r := range results {
		if len(r.Stats) > 0 {
			out[r.Name] = r.Stats
		}
	}
	return out
}

// explainForbidden puts the permission a 403 names first in a stream's
// error, with what to do: the stream fails and the rest of the run goes
// on.
func explainForbidden(stream string, err error) error {
	var ae *genesys.APIError
	if !errors.As(err, &ae) || ae.Status != http.StatusForbidden {
		return err
	}
	perms, anyOf := ae.MissingPermissions()
	what := "a permission"
	switch {
	case len(perms) == 1:
		what = "permission " + perms[0]
	case len(perms) > 1 && anyOf:
		what = "any one of the permissions " + strings.Join(perms, ", ")
	case len(perms) > 1:
		what = "the permissions " + strings.Join(perms, ", ")
	}
	return fmt.Errorf("the OAuth client lacks %s for %s %s (grant it to the client's role, or take %s off the pipeline's streams): %w",
		what, ae.Method, ae.Path, stream, err)
}
