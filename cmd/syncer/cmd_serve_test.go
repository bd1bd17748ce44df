package main

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/usersync/syncer/internal/schedule/metricstest"
	"github.com/usersync/syncer/internal/store"
)

// Not parallel: the tests set environment variables.
func TestServeRunsSchedulesAndServesMetrics(t *testing.T) {
	e := newCLIEnv(t, 120, `  nightly:
    schedule: "@every 1h"
    streams: [reference, users, skills, languages, queues, roles]
  ondemand:
    streams: [reference]
serve:
  addr: 127.0.0.1:0
  run_on_start: true
  shutdown_grace: 5s
  lease_ttl: 2s
`)
	srv := startServe(t, e.cfg)
	defer srv.cancel()
	base, errb, done, cancel := srv.base, srv.errb, srv.done, srv.cancel

	var runs struct {
		Pipelines []struct {
			Pipeline string     `json:"pipeline"`
			NextRun  *time.Time `json:"next_run"`
		} `json:"pipelines"`
		Runs []struct {
			Pipeline string `json:"pipeline"`
			Status   string `json:"status"`
		} `json:"runs"`
	}
	t.Cleanup(func() {
		if t.Failed() {
			_, body := get(t, base+"/runs")
			t.Logf("serve's log:\n%s\n/runs:\n%s", errb.String(), body)
		}
	})
	// Both run on start, at the same time, loading the same reference data.
	waitUntil(t, 60*time.Second, "both pipelines' runs on start", func() bool {
		code, body := get(t, base+"/runs")
		if code != http.StatusOK {
			t.Fatalf("/runs = %d %s", code, body)
		}
		if err := json.Unmarshal([]byte(body), &runs); err != nil {
			t.Fatalf("/runs: %v\n%s", err, body)
		}
		ok := 0
		for _, r := range runs.Runs {
			if r.Status == "succeeded" {
				ok++
			}
		}
		return ok == 2
	})
	if len(runs.Pipelines) != 2 || runs.Pipelines[0].Pipeline != "nightly" || runs.Pipelines[0].NextRun == nil || runs.Pipelines[1].NextRun != nil {
		t.Errorf("/runs pipelines = %+v; want nightly with a next run, ondemand (on demand) without", runs.Pipelines)
	}
	if code, body := get(t, base+"/healthz"); code != http.StatusOK {
		t.Errorf("/healthz = %d %s", code, body)
	}
	if code, body := get(t, base+"/readyz"); code != http.StatusOK || !strings.Contains(body, `"ready": true`) {
		t.Errorf("/readyz = %d %s", code, body)
	}

	code, body := get(t, base+"/metrics")
	if code != http.StatusOK {
		t.Fatalf("/metrics = %d", code)
	}
	mfs := metricstest.Parse(t, body)
	users := float64(len(e.srv.Users()))
	checks := []struct {
		name   string
		labels map[string]string
		ok     func(float64) bool
		want   string
	}{
		{"syncer_runs_total", map[string]string{"pipeline": "nightly", "outcome": "succeeded"}, eq(1), "1"},
		{"syncer_runs_total", map[string]string{"pipeline": "nightly", "outcome": "failed"}, eq(0), "0"},
		{"syncer_run_duration_seconds", map[string]string{"pipeline": "nightly", "outcome": "succeeded"}, eq(1), "1 observation"},
		{"syncer_rows_loaded_total", map[string]string{"pipeline": "nightly", "table": "users", "change": "inserted"}, eq(users), "every user"},
		{"syncer_api_calls_total", map[string]string{"pipeline": "nightly", "endpoint": "GET /api/v2/users", "status": "200"}, gt(0), "> 0"},
		{"syncer_api_rate_limited_total", map[string]string{"pipeline": "nightly"}, eq(0), "0"},
		{"syncer_api_wait_seconds_total", map[string]string{"pipeline": "nightly"}, ge(0), ">= 0"},
		{"syncer_rate_limit_requests_per_minute", nil, eq(100000), "the configured 100000"},
		{"syncer_rate_limit_configured_requests_per_minute", nil, eq(100000), "100000"},
		{"syncer_rate_limit_wait_seconds_total", nil, ge(0), ">= 0"},
		{"syncer_rate_limit_requests_total", nil, gt(0), "> 0"},
		{"syncer_last_success_timestamp_seconds", map[string]string{"pipeline": "nightly"}, gt(float64(time.Now().Add(-2 * time.Minute).Unix())), "recent"},
		{"syncer_consecutive_failures", map[string]string{"pipeline": "nightly"}, eq(0), "0"},
		{"syncer_skipped_runs_total", map[string]string{"pipeline": "nightly", "reason": "running"}, eq(0), "0"},
		{"syncer_next_run_timestamp_seconds", map[string]string{"pipeline": "nightly"}, gt(float64(time.Now().Unix())), "in the future"},
		{"syncer_pipeline_running", map[string]string{"pipeline": "nightly"}, eq(0), "0"},
	}
	for _, c := range checks {
		v, found := metricstest.Sum(mfs[c.name], pairs(c.labels)...)
		if !found {
			t.Errorf("/metrics lacks %s%v", c.name, c.labels)
			continue
		}
		if !c.ok(v) {
			t.Errorf("%s%v = %v, want %s", c.name, c.labels, v, c.want)
		}
	}
	if strings.Contains(body+errb.String(), "cli-secret-value") {
		t.Error("the client secret appears in /metrics or the logs")
	}

	cancel()
	select {
	case code := <-done:
		if code != exitOK {
			t.Errorf("serve exited with %d after the signal:\n%s", code, errb.String())
		}
	case <-time.After(15 * time.Second):
		t.Fatal("serve did not stop within 15s of the signal")
	}
}

func get(t *testing.T, url string) (int, string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// serving is a `syncer serve --migrate` started by a test, listening.
type serving struct {
	base   string
	errb   *syncBuffer
	done   chan int // its exit code
	cancel context.CancelFunc
}

func startServe(t *testing.T, cfg string) *serving {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	s := &serving{errb: &syncBuffer{}, done: make(chan int, 1), cancel: cancel}
	var out syncBuffer
	go func() { s.done <- dispatch(ctx, []string{"serve", "--config", cfg, "--migrate"}, &out, s.errb) }()
	addrRE := regexp.MustCompile(`"msg":"serving".*?"addr":"([^"]+)"`)
	waitUntil(t, 30*time.Second, "serve to listen", func() bool {
		select {
		case code := <-s.done:
			t.Fatalf("serve exited with %d:\n%s", code, s.errb.String())
		default:
		}
		if m := addrRE.FindStringSubmatch(s.errb.String()); m != nil {
			s.base = "http://" + m[1]
			return true
		}
		return false
	})
	return s
}

func waitUntil(t *testing.T, timeout time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %s waiting for %s", timeout, what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func eq(want float64) func(float64) bool { return func(v float64) bool { return v == want } }
func gt(min float64) func(float64) bool  { return func(v float64) bool { return v > min } }
func ge(min float64) func(float64) bool  { return func(v float64) bool { return v >= min } }

// Not parallel: the tests set environment variables.
func TestRunRefusesAPipelineRunningElsewhere(t *testing.T) {
	e := newCLIEnv(t, 20, "  nightly:\n    streams: [reference]\n")
	e.migrate(t)
	// A serve replica (or another `syncer run`) holds nightly's lock.
	st, err := store.Open(context.Background(), e.dbURL, store.Config{Schema: e.schema})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	lock, err := st.TryLock(context.Background(), "nightly", store.LockConfig{})
	if err != nil {
		t.Fatal(err)
	}
	code, _, stderr := e.syncer(t, "run", "nightly", "--config", e.cfg)
	if code != exitFailure || !strings.Contains(stderr, "running elsewhere") {
		t.Errorf("run while locked = %d %q; want a failure saying it runs elsewhere", code, stderr)
	}
	if n := e.count(t, "sync_runs"); n != 0 {
		t.Errorf("%d runs recorded while the pipeline was locked", n)
	}
	if err := lock.Release(context.Background()); err != nil {
		t.Fatal(err)
	}
	if code, out, stderr := e.syncer(t, "run", "nightly", "--config", e.cfg); code != exitOK {
		t.Errorf("run after release = %d\n%s\n%s", code, out, stderr)
	}
}

// pairs flattens labels into name, value pairs.
func pairs(labels map[string]string) []string {
	var out []string
	for k, v := range labels {
		out = append(out, k, v)
	}
	return out
}
