package store

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// Reads for the web console (package console): the recent runs of every
// pipeline at once, with the minimum calls their streams recorded. (Plans
// come from the approvals' reads, approval.go.)

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
