package store

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// Reads for the web console (package console): the recent runs of every
// pipeline at once, with the minimum calls their streams recorded, and the
// journaled plans with their operations counted by kind.

// StreamCalls is what a stream run records in sync_stream_runs.calls: the
// run's calls are counted once for the whole run (sync_runs.calls), its
// minimum per stream.
type StreamCalls struct {
	// MinCalls is the least number of API calls the stream's data needed.
	MinCalls int64 `json:"min_calls"`
}

// RunSummary is a run with the minimum number of calls its data needed:
// the sum of its stream runs' StreamCalls.MinCalls (0 for a feed's run,
// and for runs recorded before streams recorded it).
type RunSummary struct {
	Run
	MinCalls int64
}

// RecentRuns returns the latest perPipeline runs of each pipeline (or of
// the one named, when pipeline is not empty), grouped by pipeline name and
// newest first within each.
func (s *Store) RecentRuns(ctx context.Context, pipeline string, perPipeline int) ([]RunSummary, error) {
	// The window runs over the (pipeline, started_at DESC) index's order;
	// the minimum is one indexed lookup of sync_stream_runs per run kept.
	rows, err := s.pool.Query(ctx, `
SELECT `+runColumns+`,
       coalesce((SELECT sum((sr.calls->>'min_calls')::bigint) FROM `+s.table("sync_stream_runs")+` sr
                 WHERE sr.run_id = r.id AND jsonb_typeof(sr.calls->'min_calls') = 'number'), 0)::bigint
FROM (SELECT *, row_number() OVER (PARTITION BY pipeline ORDER BY started_at DESC, id DESC) AS n
      FROM `+s.table("sync_runs")+` WHERE $1 = '' OR pipeline = $1) r
WHERE n <= $2
ORDER BY pipeline, started_at DESC, id DESC`, pipeline, perPipeline)
	if err != nil {
		return nil, fmt.Errorf("list recent runs: %w", translate(err))
	}
	out, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (RunSummary, error) {
		var r RunSummary
		var fin *time.Time
		err := row.Scan(&r.ID, &r.Pipeline, &r.Status, &r.StartedAt, &fin, &r.Error, &r.Counts, &r.Calls, &r.MinCalls)
		if fin != nil {
			r.FinishedAt = *fin
		}
		return r, err
	})
	if err != nil {
		return nil, fmt.Errorf("list recent runs: %w", translate(err))
	}
	return out, nil
}

// DecodeMinCalls returns the minimum a stream run recorded; 0 when it
// recorded none.
func (r StreamRun) DecodeMinCalls() int64 {
	var c StreamCalls
	_ = json.Unmarshal(r.Calls, &c)
	return c.MinCalls
}

// PlanSummary is a journaled plan as a list shows it: its record, the
// feed file its body names, and its operations counted by kind and status.
type PlanSummary struct {
	Plan
	// Feed is the body's "feed": the file the plan was computed from.
	Feed string
	// Operations counts the journaled operations by kind, then status.
	Operations map[string]map[string]int
}

// PlanSummaries returns the latest limit journaled plans, newest first,
// without their bodies' operations and users (Body holds the rest of the
// plan: totals, rejected rows, guards). feed, when not empty, keeps the
// plans of that feed file only.
func (s *Store) PlanSummaries(ctx context.Context, feed string, limit int) ([]PlanSummary, error) {
	rows, err := s.pool.Query(ctx, `
SELECT p.id, p.fingerprint, p.status, p.body - 'operations' - 'users', p.created_at, p.updated_at,
       coalesce(p.body->>'feed', ''),
       coalesce((SELECT jsonb_object_agg(kind, by_status) FROM (
           SELECT kind, jsonb_object_agg(status, n) AS by_status FROM (
               SELECT kind, status, count(*) AS n FROM `+s.table("plan_operations")+` o
               WHERE o.plan_id = p.id GROUP BY kind, status) c
           GROUP BY kind) k), '{}')
FROM `+s.table("plans")+` p
WHERE $1 = '' OR p.body->>'feed' = $1
ORDER BY p.created_at DESC, p.id
LIMIT $2`, feed, limit)
	if err != nil {
		return nil, fmt.Errorf("list plans: %w", translate(err))
	}
	out, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (PlanSummary, error) {
		var p PlanSummary
		var ops []byte
		if err := row.Scan(&p.ID, &p.Fingerprint, &p.Status, &p.Body, &p.CreatedAt, &p.UpdatedAt, &p.Feed, &ops); err != nil {
			return p, err
		}
		return p, json.Unmarshal(ops, &p.Operations)
	})
	if err != nil {
		return nil, fmt.Errorf("list plans: %w", translate(err))
	}
	return out, nil
}
