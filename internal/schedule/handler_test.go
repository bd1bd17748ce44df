package schedule_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/usersync/syncer/internal/pipeline"
	"github.com/usersync/syncer/internal/schedule"
	"github.com/usersync/syncer/internal/schedule/schematest"
	"github.com/usersync/syncer/internal/store"
)

func httpGet(t *testing.T, url string) (int, string) {
	t.Helper()
	code, body, _ := httpDo(t, http.MethodGet, url)
	return code, body
}

// httpDo makes a request and returns the status, body and Content-Type.
func httpDo(t *testing.T, method, url string) (int, string, string) {
	t.Helper()
	req, err := http.NewRequest(method, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, url, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, string(b), resp.Header.Get("Content-Type")
}

// getDoc fetches url, checks the status code and that the answer is valid
// against docs/schema/schemaName, and decodes it into v (when not nil).
func getDoc(t *testing.T, url string, wantCode int, schemaName string, v any) string {
	t.Helper()
	code, body, ct := httpDo(t, http.MethodGet, url)
	if code != wantCode {
		t.Fatalf("GET %s = %d, want %d\n%s", url, code, wantCode, body)
	}
	if ct != "application/json" {
		t.Errorf("GET %s: Content-Type %q, want application/json", url, ct)
	}
	schematest.Validate(t, schemaName, []byte(body))
	if v != nil {
		if err := json.Unmarshal([]byte(body), v); err != nil {
			t.Fatalf("GET %s: %v\n%s", url, err, body)
		}
	}
	return body
}

// runService runs svc in the background until the test ends or the
// returned stop is called.
func runService(t *testing.T, svc *schedule.Service) (stop func() error) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- svc.Run(ctx) }()
	stopped := false
	stop = func() error {
		if stopped {
			return nil
		}
		stopped = true
		cancel()
		select {
		case err := <-done:
			return err
		case <-time.After(30 * time.Second):
			t.Fatal("service did not stop within 30s")
			return nil
		}
	}
	t.Cleanup(func() {
		_ = stop()
		svc.Close()
	})
	return stop
}

func TestRunsDocumentFiltersAndLimits(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dbURL, schema := newSchema(t)
	r := newReplica(t, dbURL, schema, nil)
	nightly := &workload{batches: 1, perBatch: 4}
	adhoc := &workload{batches: 1, perBatch: 3}
	jobs := []schedule.Job{
		{Name: "nightly", Schedule: "0 2 * * *", Run: nightly.run(r)},
		{Name: "adhoc", Run: adhoc.run(r)},
		// Feed runs are recorded by cmd/syncer; this one only by hand below.
		{Name: "feed:hr", Schedule: "@daily", Run: func(context.Context, string) (schedule.Result, error) {
			return schedule.Result{}, nil
		}},
	}
	svc := schedule.NewService(schedule.ServiceConfig{
		Open:      func(context.Context) (*store.Store, error) { return r.store, nil },
		Jobs:      func(context.Context, *store.Store) ([]schedule.Job, error) { return jobs, nil },
		Scheduler: schedule.Config{LeaseTTL: 2 * time.Second, Logger: testLogger(t)},
	})
	srv := httptest.NewServer(svc.Handler())
	defer srv.Close()
	stop := runService(t, svc)
	waitFor(t, 10*time.Second, "the scheduler", func() bool { return svc.Scheduler() != nil })

	// A feed run as cmd/syncer records it, with calls; a run of a job
	// no longer configured; a run still going.
	feedID, err := r.store.StartRun(ctx, "feed:hr")
	if err != nil {
		t.Fatal(err)
	}
	feedCounts := store.FeedCounts{Operations: 7, Done: 5, Failed: 1, Skipped: 1, Writes: 9, RejectedRows: 2}
	calls := pipeline.CallStats{Total: 12, Retries: 2, RateLimited: 1, Waited: 1500 * time.Millisecond,
		ByEndpoint: map[string]map[int]int64{"GET /api/v2/users": {200: 10, 429: 1}, "PATCH /api/v2/users/{id}": {0: 1}}}
	if err := r.store.FinishRun(ctx, feedID, store.RunResult{Status: store.StatusFailed, Error: "feed hr: 1 operation(s) failed, 1 skipped", Counts: feedCounts, Calls: calls}); err != nil {
		t.Fatal(err)
	}
	retiredID, err := r.store.StartRun(ctx, "retired")
	if err != nil {
		t.Fatal(err)
	}
	if err := r.store.FinishRun(ctx, retiredID, store.RunResult{Status: store.StatusSucceeded}); err != nil {
		t.Fatal(err)
	}
	if _, err := r.store.StartRun(ctx, "manual"); err != nil {
		t.Fatal(err)
	}
	sched := svc.Scheduler()
	sched.Trigger("nightly")
	sched.Trigger("adhoc")
	waitFor(t, 10*time.Second, "the triggered runs", func() bool {
		reg := svc.Metrics().Registry()
		return value(t, reg, "syncer_runs_total", "pipeline", "nightly", "outcome", "succeeded") == 1 &&
			value(t, reg, "syncer_runs_total", "pipeline", "adhoc", "outcome", "succeeded") == 1
	})

	var all schedule.Runs
	getDoc(t, srv.URL+"/runs", http.StatusOK, "runs.schema.json", &all)
	var names []string
	for _, js := range all.Pipelines {
		names = append(names, js.Pipeline+"/"+js.Kind)
	}
	if diff := cmp.Diff([]string{"nightly/pipeline", "adhoc/pipeline", "feed:hr/feed"}, names); diff != "" {
		t.Errorf("/runs pipelines (-want +got):\n%s", diff)
	}
	names = nil
	for i, run := range all.Runs {
		names = append(names, run.Pipeline)
		if i > 0 && run.StartedAt.After(all.Runs[i-1].StartedAt) {
			t.Errorf("/runs not newest first: %v after %v", run.StartedAt, all.Runs[i-1].StartedAt)
		}
	}
	if len(all.Runs) != 5 {
		t.Errorf("/runs runs = %v, want the 5 recorded", names)
	}

	// ?pipeline= filters both blocks.
	var one schedule.Runs
	getDoc(t, srv.URL+"/runs?pipeline=nightly", http.StatusOK, "runs.schema.json", &one)
	if len(one.Pipelines) != 1 || one.Pipelines[0].Pipeline != "nightly" || len(one.Runs) != 1 || one.Runs[0].Pipeline != "nightly" {
		t.Fatalf("/runs?pipeline=nightly = %+v", one)
	}
	js := one.Pipelines[0]
	if js.Schedule == nil || *js.Schedule != "0 2 * * *" || js.NextRun == nil || js.LastSuccess == nil ||
		js.LastOutcome == nil || *js.LastOutcome != "succeeded" || js.LastRunID == nil || *js.LastRunID != one.Runs[0].ID {
		t.Errorf("nightly's state = %+v", js)
	}
	run := one.Runs[0]
	wantRows := map[string]map[string]schedule.TableRows{
		"reference": {"divisions": {Inserted: 2}},
		"users":     {"users": {Inserted: 4}},
	}
	if diff := cmp.Diff(wantRows, run.Rows); diff != "" {
		t.Errorf("nightly's rows (-want +got):\n%s", diff)
	}
	if run.Kind != schedule.KindPipeline || run.Feed != nil || run.FinishedAt == nil || run.DurationSeconds == nil || *run.DurationSeconds <= 0 || run.Error != nil {
		t.Errorf("nightly's run = %+v", run)
	}

	var feed schedule.Runs
	getDoc(t, srv.URL+"/runs?pipeline=feed:hr", http.StatusOK, "runs.schema.json", &feed)
	if len(feed.Pipelines) != 1 || len(feed.Runs) != 1 {
		t.Fatalf("/runs?pipeline=feed:hr = %+v", feed)
	}
	fr := feed.Runs[0]
	if fr.Kind != schedule.KindFeed || fr.Rows != nil || fr.Feed == nil || *fr.Feed != feedCounts || fr.Error == nil || !strings.Contains(*fr.Error, "1 operation(s) failed") {
		t.Errorf("feed run = %+v", fr)
	}
	wantCalls := schedule.CallCounts{Total: 12, Retries: 2, RateLimited: 1, WaitedSeconds: 1.5,
		ByEndpoint: map[string]map[string]int64{"GET /api/v2/users": {"200": 10, "429": 1}, "PATCH /api/v2/users/{id}": {"0": 1}}}
	if diff := cmp.Diff(wantCalls, fr.Calls); diff != "" {
		t.Errorf("feed run's calls (-want +got):\n%s", diff)
	}

	// A job no longer configured still has its runs; a running run has no end.
	var retired schedule.Runs
	getDoc(t, srv.URL+"/runs?pipeline=retired", http.StatusOK, "runs.schema.json", &retired)
	if len(retired.Pipelines) != 0 || len(retired.Runs) != 1 || retired.Runs[0].Status != store.StatusSucceeded {
		t.Errorf("/runs?pipeline=retired = %+v", retired)
	}
	var manual schedule.Runs
	getDoc(t, srv.URL+"/runs?pipeline=manual", http.StatusOK, "runs.schema.json", &manual)
	if len(manual.Runs) != 1 || manual.Runs[0].Status != store.StatusRunning || manual.Runs[0].FinishedAt != nil || manual.Runs[0].DurationSeconds != nil {
		t.Errorf("/runs?pipeline=manual = %+v", manual)
	}

	// Bad requests answer an error document naming what is wrong.
	for _, c := range []struct {
		query string
		code  int
		says  string
	}{
		{"?pipeline=nightyl", http.StatusNotFound, `no pipeline or scheduled feed named "nightyl"`},
		{"?limit=0", http.StatusBadRequest, "limit must be a number from 1 to 500"},
		{"?limit=501", http.StatusBadRequest, "limit must be a number from 1 to 500"},
		{"?limit=ten", http.StatusBadRequest, `not "ten"`},
		{"?pipelines=nightly", http.StatusBadRequest, `unknown parameter "pipelines"`},
		{"?pipeline=nightly&pipeline=adhoc", http.StatusBadRequest, "pipeline given 2 times"},
	} {
		var e schedule.Error
		getDoc(t, srv.URL+"/runs"+c.query, c.code, "error.schema.json", &e)
		if !strings.Contains(e.Error, c.says) {
			t.Errorf("/runs%s: error %q does not say %q", c.query, e.Error, c.says)
		}
	}
	var e schedule.Error
	getDoc(t, srv.URL+"/nothing", http.StatusNotFound, "error.schema.json", &e)
	if !strings.Contains(e.Error, "/runs") {
		t.Errorf("/nothing: %q does not list the endpoints", e.Error)
	}
	if code, body, _ := httpDo(t, http.MethodPost, srv.URL+"/runs"); code != http.StatusMethodNotAllowed {
		t.Errorf("POST /runs = %d %s", code, body)
	} else {
		schematest.Validate(t, "error.schema.json", []byte(body))
	}

	// The documented default and maximum of limit.
	for range 60 {
		id, err := r.store.StartRun(ctx, "bulk")
		if err != nil {
			t.Fatal(err)
		}
		if err := r.store.FinishRun(ctx, id, store.RunResult{Status: store.StatusSucceeded}); err != nil {
			t.Fatal(err)
		}
	}
	var bulk schedule.Runs
	getDoc(t, srv.URL+"/runs?pipeline=bulk", http.StatusOK, "runs.schema.json", &bulk)
	if len(bulk.Runs) != schedule.DefaultRunsLimit || schedule.DefaultRunsLimit != 50 {
		t.Errorf("/runs?pipeline=bulk = %d runs, want the default 50", len(bulk.Runs))
	}
	bulk = schedule.Runs{}
	getDoc(t, srv.URL+"/runs?pipeline=bulk&limit=500", http.StatusOK, "runs.schema.json", &bulk)
	if len(bulk.Runs) != 60 {
		t.Errorf("/runs?pipeline=bulk&limit=500 = %d runs, want 60", len(bulk.Runs))
	}
	bulk = schedule.Runs{}
	getDoc(t, srv.URL+"/runs?limit=3", http.StatusOK, "runs.schema.json", &bulk)
	if len(bulk.Runs) != 3 || len(bulk.Pipelines) != 3 {
		t.Errorf("/runs?limit=3 = %d runs, %d pipelines; want 3 runs, every pipeline", len(bulk.Runs), len(bulk.Pipelines))
	}

	var h schedule.Health
	getDoc(t, srv.URL+"/healthz", http.StatusOK, "healthz.schema.json", &h)
	var rd schedule.Readiness
	getDoc(t, srv.URL+"/readyz", http.StatusOK, "readyz.schema.json", &rd)
	if rd.Status != schedule.StatusReady || rd.Reason != nil {
		t.Errorf("/readyz = %+v", rd)
	}

	// Draining: no longer ready, still alive.
	if err := stop(); err != nil {
		t.Fatal(err)
	}
	getDoc(t, srv.URL+"/readyz", http.StatusServiceUnavailable, "readyz.schema.json", &rd)
	if rd.Status != schedule.StatusStopping || rd.Reason == nil {
		t.Errorf("/readyz while stopping = %+v", rd)
	}
	getDoc(t, srv.URL+"/healthz", http.StatusOK, "healthz.schema.json", nil)
}

// The README's examples of /runs and /readyz are valid answers.
func TestReadmeExamplesMatchTheSchemas(t *testing.T) {
	t.Parallel()
	readme, err := os.ReadFile(filepath.Join(schematest.Dir(t), "..", "..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	found := map[string]bool{}
	for _, block := range strings.Split(string(readme), "```json\n")[1:] {
		doc := block[:strings.Index(block, "```")]
		switch {
		case strings.Contains(doc, `"pipelines"`):
			schematest.Validate(t, "runs.schema.json", []byte(doc))
			found["runs"] = true
		case strings.Contains(doc, `"pending_migrations"`):
			schematest.Validate(t, "readyz.schema.json", []byte(doc))
			found["readyz"] = true
		}
	}
	if !found["runs"] || !found["readyz"] {
		t.Errorf("README examples found: %v; want one of /runs and one of /readyz", found)
	}
}
