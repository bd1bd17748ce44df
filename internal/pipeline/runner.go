package pipeline

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"sync"
	"time"

	"github.com/usersync/syncer/internal/load"
	"github.com/usersync/syncer/internal/store"
)

// Stream is one unit of a run, loaded in one transaction.
type Stream struct {
	// Name identifies the stream and its watermark (e.g. "users").
	Name string
	// After names streams that must have committed before this one starts.
	After []string
	// Snapshot declares that the stream delivers the complete current state
	// of what it loads, so rows it did not see are marked deleted at commit.
	// Unless Load returns a watermark, the stream's watermark is then the
	// time its read began.
	Snapshot bool
	// Load delivers the stream's batches into tx and returns the watermark to
	// commit with them (nil for none). It must return promptly with an error
	// when ctx is cancelled.
	Load func(ctx context.Context, tx *load.Tx, p *StreamProgress) (*load.Watermark, error)
	// Resume, when set, is called just before Load with the watermark the
	// stream last committed (the zero Watermark when it never has), so that
	// an incremental stream plans its reads from where it stopped.
	Resume func(prev load.Watermark)
}

// WaitFor blocks until the stream named finished in the run of ctx (a
// stream's Load context) and reports whether it committed. It lets a stream
// start without declaring After and wait only when it turns out to need the
// other one's result. It returns false at once when the run has no such
// stream, and false when ctx ends first. A stream must not wait for one that
// waits for it.
func WaitFor(ctx context.Context, stream string) bool {
	ch := StreamDone(ctx, stream)
	if ch == nil {
		return false
	}
	select {
	case <-ch:
	case <-ctx.Done():
		return false
	}
	w := ctx.Value(waiterKey{}).(*waiter)
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.succeeded[stream]
}

// StreamDone returns a channel closed when the stream named finished in the
// run of ctx, or nil when the run has no such stream.
func StreamDone(ctx context.Context, stream string) <-chan struct{} {
	w, ok := ctx.Value(waiterKey{}).(*waiter)
	if !ok {
		return nil
	}
	if ch, ok := w.done[stream]; ok {
		return ch
	}
	return nil
}

type waiterKey struct{}

// waiter tracks the streams of one run: done closes when a stream finished,
// whatever its outcome; succeeded records which committed.
type waiter struct {
	done      map[string]chan struct{}
	mu        sync.Mutex
	succeeded map[string]bool
}

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
	// interrupted when the next run starts. Without the lock (the reverse
	// path's refreshes, which may overlap) nothing is marked.
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
}

// Rows is the number of rows every stream delivered.
func (s Summary) Rows() int64 {
	var n int64
	for _, r := range s.Streams {
		n += r.Rows()
	}
	return n
}

// ErrDependencyFailed marks a stream skipped because one it needs did not
// succeed.
var ErrDependencyFailed = errors.New("a stream it depends on did not succeed")

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
		sum.Outcome, sum.Err = outcomeOf(ctx, err), err
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
		if r.excl {
			if _, err := r.store.InterruptRuns(ctx, pipeline, "the process running it stopped before it finished"); err != nil {
				return fail(fmt.Errorf("run %s: %w", pipeline, err))
			}
		}
		id, err := r.store.StartRun(ctx, pipeline)
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

	w := &waiter{done: make(map[string]chan struct{}, len(streams)), succeeded: make(map[string]bool, len(streams))}
	for _, s := range streams {
		w.done[s.Name] = make(chan struct{})
		prog.Stream(s.Name) // register in order for display
	}
	sctx := context.WithValue(ctx, waiterKey{}, w)
	results := make([]StreamResult, len(streams))
	var wg sync.WaitGroup
	for i, s := range streams {
		wg.Go(func() {
			defer close(w.done[s.Name])
			for _, dep := range s.After {
				<-w.done[dep] // dependencies always finish, cancelled or not
			}
			w.mu.Lock()
			depsOK := true
			for _, dep := range s.After {
				depsOK = depsOK && w.succeeded[dep]
			}
			w.mu.Unlock()
			res := r.runStream(sctx, log, pipeline, runID, s, depsOK, dry, prog.Stream(s.Name))
			w.mu.Lock()
			w.succeeded[s.Name] = res.Outcome == OutcomeSucceeded
			w.mu.Unlock()
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
	rec := store.RunResult{Status: sum.Outcome, Counts: countsOf(results), Calls: sum.Calls}
	if sum.Err != nil {
		rec.Error = sum.Err.Error()
	}
	// Record the end even when ctx was cancelled: a clean stop leaves no run
	// marked running.
	fctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
	defer cancel()
	if err := r.finishRun(fctx, dry, runID, rec); err != nil {
		err = fmt.Errorf("record end of run %d: %w", runID, err)
		sum.Err = errors.Join(sum.Err, err)
		if sum.Outcome == OutcomeSucceeded {
			sum.Outcome = OutcomeFailed
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

func (r *Runner) runStream(ctx context.Context, log *slog.Logger, pipeline string, runID int64, s Stream, depsOK, dry bool, sp *StreamProgress) StreamResult {
	log = log.With("stream", s.Name)
	start := time.Now()
	res := StreamResult{Name: s.Name}
	finish := func(outcome string, err error) StreamResult {
		res.Outcome, res.Err, res.Duration = outcome, err, time.Since(start)
		sp.finish(outcome)
		res.Progress = sp.Snapshot()
		// The minimum is recorded so that readers of sync_stream_runs (the
		// console) can show calls against it after the run.
		rec := store.RunResult{Status: outcome, Counts: res.Stats, Calls: store.StreamCalls{MinCalls: res.Progress.MinCalls}}
		if outcome == OutcomeSkipped {
			rec.Status = store.StatusFailed
		}
		if err != nil {
			rec.Error = err.Error()
		}
		if dry {
			return res
		}
		fctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
		defer cancel()
		if ferr := recordEnd(fctx, func(ctx context.Context) error { return r.store.FinishStreamRun(ctx, runID, s.Name, rec) }); ferr != nil {
			res.Err = errors.Join(res.Err, fmt.Errorf("record end of stream %s: %w", s.Name, ferr))
		}
		return res
	}
	if err := r.startStreamRun(context.WithoutCancel(ctx), dry, runID, s.Name); err != nil {
		res.Outcome, res.Err = OutcomeFailed, fmt.Errorf("stream %s: %w", s.Name, err)
		return res
	}
	if ctx.Err() != nil {
		return finish(OutcomeInterrupted, fmt.Errorf("stream %s: not started: %w", s.Name, context.Cause(ctx)))
	}
	if !depsOK {
		return finish(OutcomeSkipped, fmt.Errorf("stream %s: %w", s.Name, ErrDependencyFailed))
	}
	if s.Resume != nil {
		prev, err := r.store.Watermark(ctx, pipeline, s.Name)
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			return finish(outcomeOf(ctx, err), fmt.Errorf("stream %s: %w", s.Name, err))
		}
		s.Resume(load.Watermark{Time: prev.Watermark, Cursor: prev.Cursor})
	}
	sp.start()
	log.Debug("stream started")
	tx, err := r.loader.Begin(ctx, load.Stream{Pipeline: pipeline, Name: s.Name, RunID: runID, Snapshot: s.Snapshot})
	if err != nil {
		return finish(outcomeOf(ctx, err), fmt.Errorf("stream %s: %w", s.Name, err))
	}
	readStart := time.Now()
	wm, err := s.Load(ctx, tx, sp)
	if err == nil && wm == nil && s.Snapshot {
		// A complete read records when it began, so that a plan can tell
		// how fresh the copy is (store.SnapshotTimes, refresh_max_age).
		wm = &load.Watermark{Time: readStart.UTC()}
	}
	if err != nil {
		_ = tx.Rollback(context.WithoutCancel(ctx))
		res.Stats = tx.Stats()
		outcome := outcomeOf(ctx, err)
		if outcome == OutcomeInterrupted {
			log.Warn("stream interrupted; none of it committed")
		} else {
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
		return finish(outcomeOf(ctx, err), fmt.Errorf("stream %s: commit: %w", s.Name, err))
	}
	res.Stats = stats
	log.Info("stream committed", "rows", res.Rows(), "duration", time.Since(start).Round(time.Millisecond))
	return finish(OutcomeSucceeded, nil)
}

// finishRun records the end of a run; a dry run has no record.
func (r *Runner) finishRun(ctx context.Context, dry bool, runID int64, rec store.RunResult) error {
	if dry {
		return nil
	}
	return recordEnd(ctx, func(ctx context.Context) error { return r.store.FinishRun(ctx, runID, rec) })
}

// recordEnd writes the end of a run or stream, retrying while the database
// is unreachable (a restart, a failover) until ctx ends, so that a run that
// failed because the database went away is still recorded once it is back
// instead of staying "running". A retry that finds the end already written
// (the previous attempt committed but its answer was lost) is a success.
func recordEnd(ctx context.Context, write func(context.Context) error) error {
	wait := 250 * time.Millisecond
	for attempt := 0; ; attempt++ {
		err := write(ctx)
		switch {
		case err == nil:
			return nil
		case attempt > 0 && errors.Is(err, store.ErrConflict):
			return nil
		case !errors.Is(err, store.ErrUnavailable):
			return err
		}
		select {
		case <-ctx.Done():
			return err
		case <-time.After(wait):
		}
		wait = min(2*wait, 5*time.Second)
	}
}

// startStreamRun records the start of a stream; a dry run has no record.
func (r *Runner) startStreamRun(ctx context.Context, dry bool, runID int64, stream string) error {
	if dry {
		return nil
	}
	return r.store.StartStreamRun(ctx, runID, stream)
}

func outcomeOf(ctx context.Context, err error) string {
	if ctx.Err() != nil || errors.Is(err, context.Canceled) {
		return OutcomeInterrupted
	}
	return OutcomeFailed
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

func validateStreams(streams []Stream) error {
	byName := make(map[string]Stream, len(streams))
	for _, s := range streams {
		if s.Name == "" || s.Load == nil {
			return fmt.Errorf("pipeline: stream %q has no name or no Load", s.Name)
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
		for _, d := range byName[n].After {
			if _, ok := byName[d]; !ok {
				return fmt.Errorf("pipeline: stream %q depends on %q, which is not in the run", n, d)
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
