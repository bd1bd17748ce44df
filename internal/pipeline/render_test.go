package pipeline

import (
	"bytes"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/usersync/syncer/internal/load"
)

func TestSummaryRender(t *testing.T) {
	t.Parallel()
	s := Summary{
		RunID: 7, Pipeline: "nightly", Outcome: OutcomeFailed, Duration: 1500 * time.Millisecond,
		Streams: []StreamResult{
			{Name: "users", Outcome: OutcomeSucceeded, Duration: time.Second,
				Stats:    load.Stats{"users": {Inserted: 1200, Updated: 3, Unchanged: 10}, "user_skills": {Inserted: 4000, Deleted: 2}},
				Progress: ProgressSnapshot{MinCalls: 9}},
			{Name: "queues", Outcome: OutcomeFailed, Err: errors.New("stream queues: boom")},
		},
		Calls: CallStats{Total: 10, RateLimited: 1, Retries: 1, ByEndpoint: map[string]map[int]int64{"GET /api/v2/users": {200: 9, 429: 1}}},
	}
	var b bytes.Buffer
	s.Render(&b)
	out := b.String()
	for _, want := range []string{
		"run 7 of nightly: failed in 1.5s",
		"1,213", "4,000",
		"API calls: 10 (minimum for this data 9, 1.11x) · 429s: 1 · retries: 1",
		"GET /api/v2/users", "200×9 429×1",
		"error: stream queues: boom",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("summary lacks %q:\n%s", want, out)
		}
	}
}

func TestProgressETA(t *testing.T) {
	t.Parallel()
	s := ProgressSnapshot{Done: 10, Total: 40, Elapsed: 10 * time.Second}
	if got := s.ETA(); got != 30*time.Second {
		t.Errorf("ETA = %s, want 30s", got)
	}
	if got := (ProgressSnapshot{Done: 0, Total: 40}).ETA(); got != 0 {
		t.Errorf("ETA with nothing done = %s, want 0", got)
	}
	if !strings.Contains(progressLine(ProgressSnapshot{Name: "users", Started: true, Done: 1, Total: 4, Rows: 500, Elapsed: time.Second}), "1/4 · 500 rows") {
		t.Error("progress line lacks counts")
	}
}
