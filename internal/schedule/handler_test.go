package schedule_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/usersync/syncer/internal/pgtest"
	"github.com/usersync/syncer/internal/schedule"
	"github.com/usersync/syncer/internal/store"
)

func httpGet(t *testing.T, url string) (int, string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, string(b)
}

func TestHandlerReadinessAndRuns(t *testing.T) {
	t.Parallel()
	dbURL, schema := pgtest.Schema(t)
	r := newReplica(t, dbURL, schema, nil)
	w := &workload{batches: 1, perBatch: 4}
	s, err := schedule.New(r.store, []schedule.Job{{Name: "nightly", Schedule: "0 2 * * *", Run: w.run(r)}}, schedule.Config{LeaseTTL: 2 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(schedule.NewHandler(r.store, s))
	defer srv.Close()

	if code, body := httpGet(t, srv.URL+"/healthz"); code != http.StatusOK {
		t.Errorf("/healthz = %d %s", code, body)
	}
	// Not migrated: alive but not ready, saying what to do.
	code, body := httpGet(t, srv.URL+"/readyz")
	if code != http.StatusServiceUnavailable || !strings.Contains(body, "syncer migrate") {
		t.Errorf("/readyz before migrating = %d %s; want 503 naming `syncer migrate`", code, body)
	}
	if _, err := r.store.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	if code, body := httpGet(t, srv.URL+"/readyz"); code != http.StatusOK || !strings.Contains(body, `"ready": true`) {
		t.Errorf("/readyz after migrating = %d %s", code, body)
	}

	stop := start(t, s)
	s.Trigger("nightly")
	waitFor(t, 10*time.Second, "the triggered run", func() bool {
		return value(t, s.Metrics().Registry(), "syncer_runs_total", "pipeline", "nightly", "outcome", "succeeded") == 1
	})
	code, body = httpGet(t, srv.URL+"/runs?pipeline=nightly&limit=5")
	if code != http.StatusOK {
		t.Fatalf("/runs = %d %s", code, body)
	}
	var got struct {
		Pipelines []schedule.JobStatus `json:"pipelines"`
		Runs      []struct {
			ID       int64           `json:"id"`
			Pipeline string          `json:"pipeline"`
			Status   string          `json:"status"`
			Seconds  float64         `json:"duration_seconds"`
			Counts   json.RawMessage `json:"counts"`
		} `json:"runs"`
	}
	if err := json.Unmarshal([]byte(body), &got); err != nil {
		t.Fatalf("/runs: %v\n%s", err, body)
	}
	if len(got.Runs) != 1 || got.Runs[0].Status != store.StatusSucceeded || got.Runs[0].Seconds <= 0 || !strings.Contains(string(got.Runs[0].Counts), "users") {
		t.Errorf("/runs runs = %+v", got.Runs)
	}
	if len(got.Pipelines) != 1 || got.Pipelines[0].NextRun == nil || got.Pipelines[0].LastSuccess == nil || got.Pipelines[0].LastOutcome != "succeeded" {
		t.Errorf("/runs pipelines = %+v", got.Pipelines)
	}
	if code, _ := httpGet(t, srv.URL+"/runs?limit=0"); code != http.StatusBadRequest {
		t.Errorf("/runs?limit=0 = %d, want 400", code)
	}

	// Draining: no longer ready, still alive.
	if _, err := stop(); err != nil {
		t.Fatal(err)
	}
	if code, body := httpGet(t, srv.URL+"/readyz"); code != http.StatusServiceUnavailable || !strings.Contains(body, `"stopping": true`) {
		t.Errorf("/readyz while stopping = %d %s", code, body)
	}
	if code, _ := httpGet(t, srv.URL+"/healthz"); code != http.StatusOK {
		t.Errorf("/healthz while stopping = %d", code)
	}
}
