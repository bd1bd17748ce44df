package store

import (
	"context"
	"errors"
	"time"
)

// Recording a run: what every runner of a job does around its work.
//
//	id, err := st.BeginExclusiveRun(ctx, job) // the caller holds job's lock
//	...                                       // the work, with ctx
//	res := store.RunResult{Status: store.StatusOf(ctx, err), ...}
//	err = errors.Join(err, st.EndRun(ctx, id, res))
//
// pipeline.Runner records forward runs so (and their streams with
// StartStreamRun and EndStreamRun); package reverse records scheduled
// feeds' runs so.

// interruptedReason is the error of a run found still running by the next
// run of its pipeline.
const interruptedReason = "the process running it stopped before it finished"

// EndRunTimeout bounds how long EndRun and EndStreamRun keep trying to
// record an end while the database is unreachable.
const EndRunTimeout = 30 * time.Second

// BeginExclusiveRun records a new running run of pipeline and returns its
// id, for a caller that holds the pipeline's lock (TryLock): a run of the
// pipeline still recorded as running then belongs to a process that
// stopped before it finished, and is first marked interrupted. A caller
// without the lock uses StartRun, which leaves other runs alone.
func (s *Store) BeginExclusiveRun(ctx context.Context, pipeline string) (int64, error) {
	if _, err := s.InterruptRuns(ctx, pipeline, interruptedReason); err != nil {
		return 0, err
	}
	return s.StartRun(ctx, pipeline)
}

// StatusOf is the status a run (or stream run) that ended with err
// records: StatusSucceeded when err is nil, StatusInterrupted when ctx
// ended or err is a cancellation, StatusFailed otherwise.
func StatusOf(ctx context.Context, err error) string {
	switch {
	case err == nil:
		return StatusSucceeded
	case ctx.Err() != nil || errors.Is(err, context.Canceled):
		return StatusInterrupted
	}
	return StatusFailed
}

// EndRun records the end of run id as FinishRun does, made for the end of
// a run: it writes even when ctx is already cancelled (a run stopped
// cleanly is not left running), and while the database is unreachable (a
// restart, a failover) it tries again, for up to EndRunTimeout, so that a
// run that failed because the database went away is still recorded once it
// is back. A retry that finds the end already written (the previous
// attempt committed but its answer was lost) is a success.
func (s *Store) EndRun(ctx context.Context, id int64, res RunResult) error {
	return endWithRetry(ctx, func(ctx context.Context) error { return s.FinishRun(ctx, id, res) })
}

// EndStreamRun records the end of a stream run as FinishStreamRun does,
// with EndRun's persistence.
func (s *Store) EndStreamRun(ctx context.Context, runID int64, stream string, res RunResult) error {
	return endWithRetry(ctx, func(ctx context.Context) error { return s.FinishStreamRun(ctx, runID, stream, res) })
}

// endWithRetry runs write, detached from ctx's cancellation, until it
// succeeds, fails for another reason than ErrUnavailable, or EndRunTimeout
// passes.
func endWithRetry(ctx context.Context, write func(context.Context) error) error {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), EndRunTimeout)
	defer cancel()
	wait := 250 * time.Millisecond
	for attempt := 0; ; attempt++ {
		err := write(ctx)
		switch {
		case err == nil:
			return nil
		case attempt > 0 && errors.Is(err, ErrConflict):
			return nil
		case !errors.Is(err, ErrUnavailable):
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
