package chaos

import (
	"context"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"
)

// soakPipelines are two pipelines ticking every minute: a full one and a
// users-only one, so runs overlap and share the client and the pool.
const soakPipelines = `serve:
  addr: 127.0.0.1:0
  run_on_start: true
  shutdown_grace: 10s
  lease_ttl: 10s
pipelines:
  full:
    schedule: "* * * * *"
    streams: [reference, users, skills, languages, queues, roles]
  people:
    schedule: "* * * * *"
    streams: [users, skills]
`

// Soak tolerances. Between runs the syncer holds little but idle HTTP
// connections (two goroutines each, up to rate.max_in_flight of them)
// and pool connections, so the idle goroutine count varies by a few
// tens at most; a leak of one goroutine per run over a 10-minute soak of
// two pipelines adds ~20 and one per API call thousands. The live heap
// (what the last GC found reachable) varies with where that GC fell in a
// run; a leak of run data grows it run after run.
const (
	soakGoroutineSlack = 25
	soakHeapGrowth     = 0.5     // live heap: end <= start*(1+growth)+slack
	soakHeapSlack      = 4 << 20 // bytes
	soakRSSGrowth      = 1.0     // RSS: end <= start*(1+growth)
)

// soakSample is serve's /metrics at a moment no run was in progress.
type soakSample struct {
	at                  time.Duration // since serve started
	runs                float64       // runs finished
	goroutines          float64
	heapInuse, heapLive float64
	rss                 float64
}

func (s soakSample) String() string {
	return fmt.Sprintf("t=%-6s runs=%-3.0f goroutines=%-4.0f heap_inuse=%5.1fMB heap_live=%5.1fMB rss=%5.1fMB",
		s.at.Round(time.Second), s.runs, s.goroutines, s.heapInuse/(1<<20), s.heapLive/(1<<20), s.rss/(1<<20))
}

// soakDuration reads SYNCER_SOAK (a duration, e.g. 10m); 0 when unset.
func soakDuration(t *testing.T) time.Duration {
	t.Helper()
	v := os.Getenv("SYNCER_SOAK")
	if v == "" {
		return 0
	}
	d, err := time.ParseDuration(v)
	if err != nil || d < 2*time.Minute {
		t.Fatalf("SYNCER_SOAK=%q: want a duration of at least 2m (e.g. 10m)", v)
	}
	if dl, ok := t.Deadline(); ok && time.Until(dl) < d+3*time.Minute {
		t.Fatalf("SYNCER_SOAK=%s needs a test timeout of at least %s (go test -timeout; make soak sets it)", v, d+3*time.Minute)
	}
	return d
}

// Soak: `syncer serve` with two pipelines ticking every minute against an
// API with standing faults (5xx, resets, latency spikes) plus a token
// revocation and a short 429 storm every 700 requests. Every run ends
// succeeded or failed with an error (none left running), serve stops
// cleanly on SIGTERM, and goroutines, live heap and RSS between runs do
// not grow beyond the tolerances above. Off unless SYNCER_SOAK is set
// (`make soak`).
func TestSoakServeUnderFaults(t *testing.T) {
	d := soakDuration(t)
	if d == 0 {
		t.Skip("soak is off: set SYNCER_SOAK=10m or run `make soak`")
	}
	e := newEnv(t, 2000, 81, "")
	e.writeConfigWith(t, e.url, soakPipelines)
	if err := e.srv.SetFaults(apiFaults); err != nil {
		t.Fatal(err)
	}
	s := e.serve(t)
	began := time.Now()
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("serve's log (last lines):\n%s", lastLines(s.log(t), 30))
		}
	})

	e.everyNthRequest(t, 700)
	var samples []soakSample
	var last float64
	for time.Since(began) < d {
		time.Sleep(2 * time.Second)
		mfs := s.metrics(t)
		running, _ := sum(mfs, "syncer_pipeline_running")
		runs, _ := sum(mfs, "syncer_runs_total")
		if running != 0 || runs == last || runs < 2 {
			continue // a run is in progress, or none finished since the last sample
		}
		last = runs
		smp := soakSample{at: time.Since(began), runs: runs}
		for name, p := range map[string]*float64{
			"go_goroutines": &smp.goroutines, "go_memstats_heap_inuse_bytes": &smp.heapInuse,
			"go_gc_heap_live_bytes": &smp.heapLive, "process_resident_memory_bytes": &smp.rss,
		} {
			v, ok := sum(mfs, name)
			if !ok {
				t.Fatalf("/metrics lacks %s: the soak cannot watch it", name)
			}
			*p = v
		}
		samples = append(samples, smp)
		t.Logf("idle: %s", smp)
	}
	stderr := s.log(t)
	if code := s.shutdown(t, 60*time.Second); code != 0 {
		t.Errorf("serve exited with %d after SIGTERM", code)
	}
	noPanic(t, "soak", stderr)
	st := e.srv.Stats()
	addFaults(st)

	byStatus, unclean := e.soakRuns(t)
	if len(samples) < 2 {
		t.Fatalf("%d idle samples in %s: runs never left the process idle (runs %v)", len(samples), d, byStatus)
	}
	start, end := samples[0], samples[len(samples)-1]
	var faults int64
	for status, n := range st.ByStatus {
		if status == "0" || status == "401" || status == "429" || strings.HasPrefix(status, "5") {
			faults += n
		}
	}
	summary := fmt.Sprintf("soak %s: runs %v; %d API requests, %d faulted (by status %v); start %s; end %s",
		d, byStatus, st.Total, faults, st.ByStatus, start, end)
	t.Log(summary)
	tally.Lock()
	tally.soak = summary
	tally.Unlock()

	if byStatus["running"] != 0 {
		t.Errorf("%d runs left running after serve stopped", byStatus["running"])
	}
	if unclean != "" {
		t.Errorf("runs that failed without an error: %s", unclean)
	}
	for _, p := range []string{"full", "people"} {
		if e.count(t, "SELECT count(*) FROM "+e.table("sync_runs")+" WHERE pipeline = $1", p) < 2 {
			t.Errorf("pipeline %s ran fewer than twice in %s", p, d)
		}
	}
	if st.ByStatus["429"] == 0 || st.ByStatus["401"] == 0 || st.ByStatus["0"] == 0 || faults == 0 {
		t.Errorf("some faults were never injected (answers by status %v): the soak proves less than it says", st.ByStatus)
	}
	if end.goroutines > start.goroutines+soakGoroutineSlack {
		t.Errorf("goroutines grew from %.0f to %.0f (tolerance +%d)", start.goroutines, end.goroutines, soakGoroutineSlack)
	}
	if end.heapLive > start.heapLive*(1+soakHeapGrowth)+soakHeapSlack {
		t.Errorf("live heap grew from %.1f MB to %.1f MB (tolerance +%.0f%% +%d MB)",
			start.heapLive/(1<<20), end.heapLive/(1<<20), soakHeapGrowth*100, soakHeapSlack>>20)
	}
	if end.rss > start.rss*(1+soakRSSGrowth) {
		t.Errorf("RSS grew from %.1f MB to %.1f MB (tolerance +%.0f%%)", start.rss/(1<<20), end.rss/(1<<20), soakRSSGrowth*100)
	}
}

// everyNthRequest revokes every token and starts a 2-second 429 storm at
// every nth API request, on top of the standing faults: counting requests
// rather than time puts them inside runs, not between them.
func (e *env) everyNthRequest(t *testing.T, nth int64) {
	h := func(n int64) {
		if n%nth != 0 {
			return
		}
		f := apiFaults
		f.Seed = 0
		f.RevokeTokens, f.StormSeconds, f.StormRetryAfter = true, 2, 1
		if err := e.srv.SetFaults(f); err != nil {
			t.Error(err)
		}
	}
	e.hook.Store(&h)
}

// soakRuns counts sync_runs by status and lists the failed or interrupted
// runs recorded without an error.
func (e *env) soakRuns(t *testing.T) (map[string]int, string) {
	t.Helper()
	rows, err := e.conn(t).Query(context.Background(),
		"SELECT id, pipeline, status FROM "+e.table("sync_runs")+" WHERE status IN ('failed', 'interrupted') AND coalesce(error, '') = '' ORDER BY id")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var bad []string
	for rows.Next() {
		var id int64
		var p, s string
		if err := rows.Scan(&id, &p, &s); err != nil {
			t.Fatal(err)
		}
		bad = append(bad, fmt.Sprintf("%d %s %s", id, p, s))
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return e.statusCounts(t, "sync_runs"), strings.Join(bad, "; ")
}
