package store

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// Run statuses, shared by sync_runs and sync_stream_runs (a feed run may
// also end StatusAwaitingApproval, approval.go).
const (
	StatusRunning     = "running"
	StatusSucceeded   = "succeeded"
	StatusFailed      = "failed"
	StatusInterrupted = "interrupted"
)

// Run is one execution of a pipeline (a row of sync_runs).
type Run struct {
	ID         int64
	Pipeline   string
	Status     string
	StartedAt  time.Time
	FinishedAt time.Time // zero while running
	Error      string
	Counts     json.RawMessage // rows per table
	Calls      json.RawMessage // API calls by endpoint and status, 429s, retries, wait
}

// RunResult is what a finished run or stream run records.
type RunResult struct {
	// Status is StatusSucceeded, StatusFailed, StatusInterrupted or (a
	// feed run) StatusAwaitingApproval.
	Status string
	// Error is the failure, already free of secrets; empty on success.
	Error string
	// Counts and Calls are marshalled to JSON (nil records {}).
	Counts any
	Calls  any
}

// StreamRun is one stream of a run (a row of sync_stream_runs).
type StreamRun struct {
	RunID      int64
	Stream     string
	Status     string
	StartedAt  time.Time
	FinishedAt time.Time
	Error      string
	Counts     json.RawMessage
	Calls      json.RawMessage
}

// StartRun records a new running run of pipeline and returns its id.
func (s *Store) StartRun(ctx context.Context, pipeline string) (int64, error) {
	var id int64
	err := s.pool.QueryRow(ctx,
		"INSERT INTO "+s.table("sync_runs")+" (pipeline) VALUES ($1) RETURNING id", pipeline).Scan(&id)
	if err != nil {
		return 0, fmt.Errorf("start run of %q: %w", pipeline, translate(err))
	}
	return id, nil
}

// FinishRun records the end of a running run. Finishing a run that is not
// running returns ErrConflict; an unknown id returns ErrNotFound.
func (s *Store) FinishRun(ctx context.Context, id int64, res RunResult) error {
	counts, calls, err := marshalResult(res)
	if err != nil {
		return fmt.Errorf("finish run %d: %w", id, err)
	}
	tag, err := s.pool.Exec(ctx, "UPDATE "+s.table("sync_runs")+
		` SET status = $2, finished_at = now(), error = nullif($3, ''), counts = $4, calls = $5
		  WHERE id = $1 AND status = 'running'`,
		id, res.Status, res.Error, counts, calls)
	if err != nil {
		return fmt.Errorf("finish run %d: %w", id, translate(err))
	}
	if tag.RowsAffected() == 0 {
		return fmt.Errorf("finish run %d: %w", id, s.whyNotRunning(ctx, "sync_runs", "id = $1", id))
	}
	return nil
}

// InterruptRuns marks every run of pipeline still recorded as running as
// interrupted, with reason as its error, and returns how many it marked. A
// runner that holds the pipeline's lock calls it at start: a run left
// running by a crashed process can no longer be running.
func (s *Store) InterruptRuns(ctx context.Context, pipeline, reason string) (int64, error) {
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return 0, fmt.Errorf("interrupt runs of %q: %w", pipeline, translate(err))
	}
	defer tx.Rollback(context.WithoutCancel(ctx))
	_, err = tx.Exec(ctx, "UPDATE "+s.table("sync_stream_runs")+
		` SET status = 'interrupted', finished_at = now(), error = $2
		  WHERE status = 'running' AND run_id IN (SELECT id FROM `+s.table("sync_runs")+` WHERE pipeline = $1 AND status = 'running')`,
		pipeline, reason)
	if err != nil {
		return 0, fmt.Errorf("interrupt stream runs of %q: %w", pipeline, translate(err))
	}
	tag, err := tx.Exec(ctx, "UPDATE "+s.table("sync_runs")+
		` SET status = 'interrupted', finished_at = now(), error = $2 WHERE pipeline = $1 AND status = 'running'`,
		pipeline, reason)
	if err != nil {
		return 0, fmt.Errorf("interrupt runs of %q: %w", pipeline, translate(err))
	}
	if err := tx.Commit(ctx); err != nil {
		return 0, fmt.Errorf("interrupt runs of %q: %w", pipeline, translate(err))
	}
	return tag.RowsAffected(), nil
}

// Run returns one run.
func (s *Store) Run(ctx context.Context, id int64) (Run, error) {
	rows, err := s.pool.Query(ctx, "SELECT "+runColumns+" FROM "+s.table("sync_runs")+" WHERE id = $1", id)
	if err != nil {
		return Run{}, fmt.Errorf("read run %d: %w", id, translate(err))
	}
	r, err := pgx.CollectExactlyOneRow(rows, scanRun)
	if err != nil {
		return Run{}, fmt.Errorf("read run %d: %w", id, translate(err))
	}
	return r, nil
}

// Runs returns the latest runs, newest first, of one pipeline or, when
// pipeline is empty, of all.
func (s *Store) Runs(ctx context.Context, pipeline string, limit int) ([]Run, error) {
	rows, err := s.pool.Query(ctx, "SELECT "+runColumns+" FROM "+s.table("sync_runs")+
		" WHERE $1 = '' OR pipeline = $1 ORDER BY started_at DESC, id DESC LIMIT $2", pipeline, limit)
	if err != nil {
		return nil, fmt.Errorf("list runs: %w", translate(err))
	}
	runs, err := pgx.CollectRows(rows, scanRun)
	if err != nil {
		return nil, fmt.Errorf("list runs: %w", translate(err))
	}
	return runs, nil
}

const runColumns = "id, pipeline, status, started_at, finished_at, coalesce(error, ''), counts, calls"

func scanRun(row pgx.CollectableRow) (Run, error) {
	var r Run
	var fin *time.Time
	err := row.Scan(&r.ID, &r.Pipeline, &r.Status, &r.StartedAt, &fin, &r.Error, &r.Counts, &r.Calls)
	if fin != nil {
		r.FinishedAt = *fin
	}
	return r, err
}

// StartStreamRun records that stream started within run.
func (s *Store) StartStreamRun(ctx context.Context, runID int64, stream string) error {
	_, err := s.pool.Exec(ctx, "INSERT INTO "+s.table("sync_stream_runs")+" (run_id, stream) VALUES ($1, $2)", runID, stream)
	if err != nil {
		return fmt.Errorf("start stream %q of run %d: %w", stream, runID, translate(err))
	}
	return nil
}

// FinishStreamRun records the end of a running stream run.
func (s *Store) FinishStreamRun(ctx context.Context, runID int64, stream string, res RunResult) error {
	counts, calls, err := marshalResult(res)
	if err != nil {
		return fmt.Errorf("finish stream %q of run %d: %w", stream, runID, err)
	}
	tag, err := s.pool.Exec(ctx, "UPDATE "+s.table("sync_stream_runs")+
		` SET status = $3, finished_at = now(), error = nullif($4, ''), counts = $5, calls = $6
		  WHERE run_id = $1 AND stream = $2 AND status = 'running'`,
		runID, stream, res.Status, res.Error, counts, calls)
	if err != nil {
		return fmt.Errorf("finish stream %q of run %d: %w", stream, runID, translate(err))
	}
	if tag.RowsAffected() == 0 {
		return fmt.Errorf("finish stream %q of run %d: %w", stream, runID,
			s.whyNotRunning(ctx, "sync_stream_runs", "run_id = $1 AND stream = $2", runID, stream))
	}
	return nil
}

// StreamRuns returns the stream runs of a run, by stream name.
func (s *Store) StreamRuns(ctx context.Context, runID int64) ([]StreamRun, error) {
	rows, err := s.pool.Query(ctx, `SELECT run_id, stream, status, started_at, finished_at,
		coalesce(error, ''), counts, calls FROM `+s.table("sync_stream_runs")+` WHERE run_id = $1 ORDER BY stream`, runID)
	if err != nil {
		return nil, fmt.Errorf("list streams of run %d: %w", runID, translate(err))
	}
	out, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (StreamRun, error) {
		var r StreamRun
		var fin *time.Time
		err := row.Scan(&r.RunID, &r.Stream, &r.Status, &r.StartedAt, &fin, &r.Error, &r.Counts, &r.Calls)
		if fin != nil {
			r.FinishedAt = *fin
		}
		return r, err
	})
	if err != nil {
		return nil, fmt.Errorf("list streams of run %d: %w", runID, translate(err))
	}
	return out, nil
}

// whyNotRunning tells ErrNotFound from ErrConflict after an update of a
// running row matched nothing.
func (s *Store) whyNotRunning(ctx context.Context, table, where string, args ...any) error {
	var status string
	err := s.pool.QueryRow(ctx, "SELECT status FROM "+s.table(table)+" WHERE "+where, args...).Scan(&status)
	if err != nil {
		return translate(err)
	}
	return fmt.Errorf("%w: already %s", ErrConflict, status)
}

func marshalResult(res RunResult) (counts, calls []byte, err error) {
	switch res.Status {
	case StatusSucceeded, StatusFailed, StatusInterrupted, StatusAwaitingApproval:
	default:
		return nil, nil, fmt.Errorf("%w: status %q", ErrInvalid, res.Status)
	}
	if counts, err = marshalObject(res.Counts); err != nil {
		return nil, nil, fmt.Errorf("marshal counts: %w", err)
	}
	if calls, err = marshalObject(res.Calls); err != nil {
		return nil, nil, fmt.Errorf("marshal calls: %w", err)
	}
	return counts, calls, nil
}

func marshalObject(v any) ([]byte, error) {
	if v == nil {
		return []byte("{}"), nil
	}
	if raw, ok := v.(json.RawMessage); ok {
		if len(raw) == 0 {
			return []byte("{}"), nil
		}
		return raw, nil
	}
	return json.Marshal(v)
}

// RunCalls are the Genesys Cloud API calls a run made, as sync_runs.calls
// records them. pipeline.CallStats has the same fields and converts to it.
type RunCalls struct {
	Total       int64
	Retries     int64
	RateLimited int64 // 429 answers
	// Waited is the time calls spent waiting for the rate budget,
	// Retry-After pauses and backoff.
	Waited time.Duration
	// ByEndpoint counts calls by endpoint ("GET /api/v2/users"), then HTTP
	// status (0: no answer).
	ByEndpoint map[string]map[int]int64
}

// DecodeCalls returns what r.Calls records; a value that does not decode
// gives zero counts.
func (r Run) DecodeCalls() RunCalls {
	var c RunCalls
	_ = json.Unmarshal(r.Calls, &c)
	return c
}

// FeedCounts is what a scheduled feed's run records in sync_runs.counts.
type FeedCounts struct {
	// Operations is the number of operations the plan holds.
	Operations int `json:"operations"`
	// Done, Failed and Skipped count the applied operations by outcome.
	Done    int `json:"done"`
	Failed  int `json:"failed"`
	Skipped int `json:"skipped"`
	// Writes is the number of API writes the apply made.
	Writes int `json:"writes"`
	// RejectedRows counts the feed rows rejected as invalid.
	RejectedRows int `json:"rejected_rows"`
	// PlanID is the plan the run applied or parked for approval (its id in
	// plans and plan_approvals); empty when it had none (no changes, or it
	// failed before planning).
	PlanID string `json:"plan_id"`
}
