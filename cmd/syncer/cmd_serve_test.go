package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	dto "github.com/prometheus/client_model/go"

	"github.com/usersync/syncer/internal/schedule"
	"github.com/usersync/syncer/internal/schedule/metricstest"
	"github.com/usersync/syncer/internal/schedule/schematest"
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
	var rd schedule.Readiness
	getDoc(t, base+"/readyz", http.StatusOK, "readyz.schema.json", &rd)
	if rd.Status != schedule.StatusReady {
		t.Errorf("/readyz = %+v", rd)
	}
	// The real answer, after real runs, is what docs/schema says.
	getDoc(t, base+"/runs", http.StatusOK, "runs.schema.json", nil)
	var doc schedule.Runs
	getDoc(t, base+"/runs?pipeline=nightly", http.StatusOK, "runs.schema.json", &doc)
	if len(doc.Pipelines) != 1 || len(doc.Runs) != 1 || doc.Runs[0].Rows["users"]["users"].Inserted != int64(len(e.srv.Users())) ||
		doc.Runs[0].Calls.ByEndpoint["GET /api/v2/users"]["200"] == 0 {
		t.Errorf("/runs?pipeline=nightly = %+v; want nightly's run with every user inserted and its calls", doc)
	}
	getDoc(t, base+"/healthz", http.StatusOK, "healthz.schema.json", nil)

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
	checkMetricsDocumented(t, mfs, false)
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

// startServe starts `syncer serve --migrate` on cfg and waits until it is
// ready (it has migrated the database).
func startServe(t *testing.T, cfg string) *serving {
	t.Helper()
	s := startServeListening(t, cfg)
	waitUntil(t, 30*time.Second, "serve to be ready", func() bool {
		code, _ := get(t, s.base+"/readyz")
		return code == http.StatusOK
	})
	return s
}

// startServeListening starts `syncer serve --migrate` on cfg and waits
// until it listens, ready or not.
func startServeListening(t *testing.T, cfg string) *serving {
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

// getDoc fetches url, checks its status code and Content-Type, validates
// the answer against docs/schema/schemaName and decodes it into v (when
// not nil).
func getDoc(t *testing.T, url string, wantCode int, schemaName string, v any) string {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != wantCode {
		t.Fatalf("GET %s = %d, want %d\n%s", url, resp.StatusCode, wantCode, b)
	}
	if ct := resp.Header.Get("Content-Type"); ct != "application/json" {
		t.Errorf("GET %s: Content-Type %q", url, ct)
	}
	schematest.Validate(t, schemaName, b)
	if v != nil {
		if err := json.Unmarshal(b, v); err != nil {
			t.Fatalf("GET %s: %v\n%s", url, err, b)
		}
	}
	return string(b)
}

// logLines returns the lines of a JSON log whose message is msg.
func logLines(log, msg string) []string {
	var out []string
	for _, line := range strings.Split(log, "\n") {
		if strings.Contains(line, `"msg":"`+msg+`"`) {
			out = append(out, line)
		}
	}
	return out
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

// throwawayDatabase returns the URL of a database that does not exist yet
// on the test server, with a password planted in it when the server
// accepts one (trust authentication ignores it), and functions that create
// and drop it. The database is dropped when the test ends.
func throwawayDatabase(t *testing.T, base string) (dbURL, password string, create, drop func()) {
	t.Helper()
	u, err := url.Parse(base)
	if err != nil {
		t.Fatal(err)
	}
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	name := "syncer_serve_" + hex.EncodeToString(b)
	admin := func(sql string) {
		t.Helper()
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		conn, err := pgx.Connect(ctx, base)
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close(ctx)
		if _, err := conn.Exec(ctx, sql); err != nil {
			t.Fatalf("%s: %v (the test role needs CREATEDB)", sql, err)
		}
	}
	t.Cleanup(func() { admin("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)") })
	if u.User != nil {
		if _, set := u.User.Password(); !set {
			withPW := *u
			withPW.User = url.UserPassword(u.User.Username(), "planted-db-password-7d1f")
			if conn, err := pgx.Connect(context.Background(), withPW.String()); err == nil {
				conn.Close(context.Background())
				u, password = &withPW, "planted-db-password-7d1f"
			}
		}
	}
	u.Path = "/" + name
	return u.String(), password,
		func() { admin("CREATE DATABASE " + name) },
		func() { admin("DROP DATABASE " + name + " WITH (FORCE)") }
}

// Not parallel: the tests set environment variables.
//
// serve against a database that does not exist yet: alive, not ready and
// saying why (never the URL or its password), retrying without a log line
// per retry, running nothing; ready, migrated and running once the
// database appears; not ready again, logged once, when it goes away.
func TestServeWaitsForTheDatabase(t *testing.T) {
	dir := t.TempDir()
	joiner := filepath.Join(dir, "joiner.csv")
	if err := os.WriteFile(joiner, []byte("employee_id,email,name,title,action\nJ9101,db.waiter@example.com,Db Waiter,Agent,upsert\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	e := newCLIEnv(t, 60, fmt.Sprintf(`  nightly:
    schedule: "@every 1h"
    streams: [reference, users, skills, queues]
feeds:
  hr:
    path: %s
    mode: delta
    schedule: "@every 1h"
serve:
  addr: 127.0.0.1:0
  run_on_start: true
  shutdown_grace: 5s
  lease_ttl: 2s
`, joiner))
	dbURL, password, createDB, dropDB := throwawayDatabase(t, e.dbURL)
	t.Setenv("DATABASE_URL", dbURL)
	srv := startServeListening(t, e.cfg)
	defer srv.cancel()
	var answers strings.Builder
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("serve's log:\n%s", srv.errb.String())
		}
	})

	answers.WriteString(getDoc(t, srv.base+"/healthz", http.StatusOK, "healthz.schema.json", nil))
	checks := map[time.Time]bool{}
	var rd schedule.Readiness
	waitUntil(t, 20*time.Second, "three attempts to reach the database", func() bool {
		answers.WriteString(getDoc(t, srv.base+"/readyz", http.StatusServiceUnavailable, "readyz.schema.json", &rd))
		if rd.CheckedAt != nil {
			checks[*rd.CheckedAt] = true
		}
		return len(checks) >= 3
	})
	// The documented back-off: 1s, then twice as long. Gaps can only be
	// longer (an attempt takes time), so only the lower bounds are checked.
	if gaps := gapsOf(checks); gaps[0] < time.Second || gaps[1] < 2*time.Second {
		t.Errorf("attempts %v apart, want at least 1s then 2s", gaps)
	}
	if rd.Status != schedule.StatusNotReady || rd.Database != "unreachable" || rd.Reason == nil || !strings.Contains(*rd.Reason, "does not exist") {
		t.Errorf("/readyz without the database = %+v; want not_ready, unreachable, saying it does not exist", rd)
	}
	var e503 schedule.Error
	answers.WriteString(getDoc(t, srv.base+"/runs", http.StatusServiceUnavailable, "error.schema.json", &e503))
	if n := e.srv.Stats().Total; n != 0 {
		t.Errorf("%d API requests before the database was ready: a pipeline ran", n)
	}
	if got := logLines(srv.errb.String(), "not ready: waiting for the database"); len(got) != 1 {
		t.Errorf("%d \"not ready\" lines over %d attempts, want 1", len(got), len(checks))
	}

	createDB()
	waitUntil(t, 40*time.Second, "ready once the database exists", func() bool {
		code, _ := get(t, srv.base+"/readyz")
		return code == http.StatusOK
	})
	waitUntil(t, 60*time.Second, "the runs on start", func() bool {
		var all schedule.Runs // fresh: Unmarshal merges into old maps
		getDoc(t, srv.base+"/runs", http.StatusOK, "runs.schema.json", &all)
		done := map[string]bool{}
		for _, r := range all.Runs {
			if r.Status == "succeeded" {
				done[r.Pipeline] = true
			}
		}
		return done["nightly"] && done["feed:hr"]
	})
	var doc schedule.Runs
	answers.WriteString(getDoc(t, srv.base+"/runs?pipeline=feed:hr", http.StatusOK, "runs.schema.json", &doc))
	if len(doc.Pipelines) != 1 || doc.Pipelines[0].Kind != schedule.KindFeed || len(doc.Runs) != 1 ||
		doc.Runs[0].Feed == nil || doc.Runs[0].Feed.Done == 0 || doc.Runs[0].Calls.Total == 0 {
		t.Errorf("/runs?pipeline=feed:hr = %+v; want the feed's job and its applied run", doc)
	}
	doc = schedule.Runs{}
	answers.WriteString(getDoc(t, srv.base+"/runs?pipeline=nightly", http.StatusOK, "runs.schema.json", &doc))
	if len(doc.Pipelines) != 1 || doc.Pipelines[0].Kind != schedule.KindPipeline || len(doc.Runs) != 1 || doc.Runs[0].Rows["users"] == nil {
		t.Errorf("/runs?pipeline=nightly = %+v", doc)
	}
	answers.WriteString(getDoc(t, srv.base+"/readyz", http.StatusOK, "readyz.schema.json", &rd))

	// `syncer status --json` reads the same runs, in the same form.
	code, out, stderr := e.syncer(t, "status", "--json", "--config", e.cfg)
	if code != exitOK {
		t.Fatalf("status --json = %d %s", code, stderr)
	}
	schematest.Validate(t, "status.schema.json", []byte(out))
	var status []pipelineStatus
	if err := json.Unmarshal([]byte(out), &status); err != nil {
		t.Fatal(err)
	}
	if len(status) != 2 || status[0].Pipeline != "nightly" || status[0].LastRun == nil || status[0].LastRun.ID != doc.Runs[0].ID || status[1].Pipeline != "feed:hr" {
		t.Errorf("status --json = %s; want nightly's run %d, then the feed's job", out, doc.Runs[0].ID)
	}

	// The database goes away: readiness follows, logged once.
	dropDB()
	checks = map[time.Time]bool{}
	waitUntil(t, 20*time.Second, "not ready, checked three times, after the database went away", func() bool {
		code, body := get(t, srv.base+"/readyz")
		answers.WriteString(body)
		if code != http.StatusServiceUnavailable {
			return false
		}
		getDoc(t, srv.base+"/readyz", http.StatusServiceUnavailable, "readyz.schema.json", &rd)
		if rd.CheckedAt != nil {
			checks[*rd.CheckedAt] = true
		}
		return len(checks) >= 3
	})
	if rd.Database != "unreachable" || rd.Reason == nil {
		t.Errorf("/readyz after the database went away = %+v", rd)
	}
	// Probes check the database at most once a second.
	for _, gap := range gapsOf(checks) {
		if gap < time.Second {
			t.Errorf("checks %v apart, want at least 1s", gapsOf(checks))
			break
		}
	}
	if got := logLines(srv.errb.String(), "not ready"); len(got) != 1 {
		t.Errorf("%d \"not ready\" lines after the database went away, over %d checks; want 1", len(got), len(checks))
	}

	srv.cancel()
	select {
	case code := <-srv.done:
		if code != exitOK {
			t.Errorf("serve exited with %d after the signal", code)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("serve did not stop within 20s of the signal")
	}
	everything := srv.errb.String() + answers.String()
	if strings.Contains(everything, dbURL) || (password != "" && strings.Contains(everything, password)) {
		t.Error("the database URL or its password appears in serve's log or answers")
	}
	if password == "" {
		t.Log("the server refused a planted password: only the URL was checked")
	}
}

// gapsOf returns the intervals between the times of set, in order.
func gapsOf(set map[time.Time]bool) []time.Duration {
	times := slices.SortedFunc(maps.Keys(set), time.Time.Compare)
	var gaps []time.Duration
	for i := 1; i < len(times); i++ {
		gaps = append(gaps, times[i].Sub(times[i-1]))
	}
	return gaps
}

// checkMetricsDocumented fails the test unless every syncer_ family serve
// exports is named in the README's metrics paragraph (the rate budget's
// as "…_suffix"), and every name there is exported.
//
// Without scheduled feeds, the feeds' own series (feedMetrics) have no
// label values, so /metrics cannot show them; with feeds it must.
func checkMetricsDocumented(t *testing.T, mfs map[string]*dto.MetricFamily, feeds bool) {
	t.Helper()
	readme, err := os.ReadFile(filepath.Join(schematest.Dir(t), "..", "..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	text := string(readme)
	start := strings.Index(text, "Metrics (`pipeline` label")
	end := strings.Index(text[max(start, 0):], "Suggested alerts")
	if start < 0 || end < 0 {
		t.Fatal("README: the metrics paragraph is gone")
	}
	para := text[start : start+end]
	const budget = "syncer_rate_limit_"
	for name := range mfs {
		if !strings.HasPrefix(name, "syncer_") {
			continue
		}
		if !strings.Contains(para, "`"+name) && !(strings.HasPrefix(name, budget) && strings.Contains(para, "`…_"+strings.TrimPrefix(name, budget)+"`")) {
			t.Errorf("/metrics exports %s, which the README does not name", name)
		}
	}
	for _, m := range regexp.MustCompile("`(syncer_[a-z0-9_]+)").FindAllStringSubmatch(para, -1) {
		if mfs[m[1]] == nil && (feeds || !slices.Contains(feedMetrics, m[1])) {
			t.Errorf("the README names %s, which /metrics does not export", m[1])
		}
	}
}

// feedMetrics are the series of scheduled feeds only.
var feedMetrics = []string{"syncer_plans_awaiting_approval"}
