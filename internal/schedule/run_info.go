package schedule

import (
	"encoding/json"
	"strconv"
	"strings"
	"time"

	"github.com/usersync/syncer/internal/load"
	"github.com/usersync/syncer/internal/store"
)

// FeedJobPrefix names scheduled feeds among the pipelines: a feed NAME runs
// as the job feed:NAME in sync_runs, the locks, the metrics and /runs.
const FeedJobPrefix = "feed:"

// Job kinds, as /runs and `syncer status --json` show them.
const (
	KindPipeline = "pipeline" // a forward pipeline: streams loaded into Postgres
	KindFeed     = "feed"     // a scheduled HR feed: refresh, plan, guards, apply
)

// KindOf returns the kind of the job named name.
func KindOf(name string) string {
	if strings.HasPrefix(name, FeedJobPrefix) {
		return KindFeed
	}
	return KindPipeline
}

// RunInfo is one run (a row of sync_runs) as /runs and `syncer status
// --json` show it: snake_case names, units in the names, every field always
// present, null where a value does not apply. docs/schema/runs.schema.json
// is its JSON Schema; a test checks real answers against it.
type RunInfo struct {
	ID       int64  `json:"id"`
	Pipeline string `json:"pipeline"`
	// Kind is KindPipeline or KindFeed.
	Kind string `json:"kind"`
	// Status is running, succeeded, failed or interrupted.
	Status    string    `json:"status"`
	StartedAt time.Time `json:"started_at"`
	// FinishedAt and DurationSeconds are null while the run is running.
	FinishedAt      *time.Time `json:"finished_at"`
	DurationSeconds *float64   `json:"duration_seconds"`
	// Error is why the run failed or was interrupted; null when none.
	Error *string `json:"error"`
	// Rows are a pipeline run's rows by stream, then table: what its
	// committed streams (and its failed ones, rolled back) received. Null
	// for a feed run.
	Rows map[string]map[string]TableRows `json:"rows"`
	// Feed is a feed run's plan and apply counts; null for a pipeline run.
	Feed *store.FeedCounts `json:"feed"`
	// Calls are the Genesys Cloud API calls the run made.
	Calls CallCounts `json:"calls"`
}

// TableRows counts the rows a stream delivered to one table, by change.
type TableRows struct {
	Inserted  int64 `json:"inserted"`
	Updated   int64 `json:"updated"`
	Unchanged int64 `json:"unchanged"`
	Deleted   int64 `json:"deleted"`
}

// CallCounts are a run's API calls.
type CallCounts struct {
	Total       int64 `json:"total"`
	Retries     int64 `json:"retries"`
	RateLimited int64 `json:"rate_limited"`
	// WaitedSeconds is the time calls spent waiting for the rate budget
	// and Retry-After pauses.
	WaitedSeconds float64 `json:"waited_seconds"`
	// ByEndpoint counts calls by endpoint ("GET /api/v2/users"), then HTTP
	// status ("200"; "0": no answer).
	ByEndpoint map[string]map[string]int64 `json:"by_endpoint"`
}

// NewRunInfo describes r. Its counts and calls are decoded with the types
// that recorded them (load.Stats for pipelines, store.FeedCounts for feeds,
// store.RunCalls), so the recorded form and this one can differ. A value
// that does not decode shows as zero counts.
func NewRunInfo(r store.Run) RunInfo {
	ri := RunInfo{
		ID: r.ID, Pipeline: r.Pipeline, Kind: KindOf(r.Pipeline), Status: r.Status,
		StartedAt: r.StartedAt.UTC(),
		Calls:     callCounts(r.DecodeCalls()),
	}
	if !r.FinishedAt.IsZero() {
		fin := r.FinishedAt.UTC()
		secs := fin.Sub(ri.StartedAt).Seconds()
		ri.FinishedAt, ri.DurationSeconds = &fin, &secs
	}
	if r.Error != "" {
		e := r.Error
		ri.Error = &e
	}
	if ri.Kind == KindFeed {
		var fc store.FeedCounts
		_ = json.Unmarshal(r.Counts, &fc)
		ri.Feed = &fc
		return ri
	}
	var streams map[string]load.Stats
	_ = json.Unmarshal(r.Counts, &streams)
	ri.Rows = make(map[string]map[string]TableRows, len(streams))
	for stream, tables := range streams {
		out := make(map[string]TableRows, len(tables))
		for table, ts := range tables {
			out[table] = TableRows{Inserted: ts.Inserted, Updated: ts.Updated, Unchanged: ts.Unchanged, Deleted: ts.Deleted}
		}
		ri.Rows[stream] = out
	}
	return ri
}

// RowsReceived is the number of rows a pipeline run received: inserted,
// updated and unchanged, in every stream and table.
func (ri RunInfo) RowsReceived() int64 {
	var n int64
	for _, tables := range ri.Rows {
		for _, t := range tables {
			n += t.Inserted + t.Updated + t.Unchanged
		}
	}
	return n
}

func callCounts(cs store.RunCalls) CallCounts {
	out := CallCounts{
		Total: cs.Total, Retries: cs.Retries, RateLimited: cs.RateLimited,
		WaitedSeconds: cs.Waited.Seconds(),
		ByEndpoint:    make(map[string]map[string]int64, len(cs.ByEndpoint)),
	}
	for ep, byStatus := range cs.ByEndpoint {
		m := make(map[string]int64, len(byStatus))
		for status, n := range byStatus {
			m[strconv.Itoa(status)] = n
		}
		out.ByEndpoint[ep] = m
	}
	return out
}
