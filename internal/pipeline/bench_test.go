package pipeline_test

import (
	"bytes"
	"context"
	"fmt"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/usersync/syncer/internal/emulator"
	"github.com/usersync/syncer/internal/genesys"
	"github.com/usersync/syncer/internal/pgtest"
	"github.com/usersync/syncer/internal/procstat"
)

// Benchmark settings, overridable from the environment (make bench passes
// them through):
//
//	SYNCER_BIN               a built syncer binary (default: go build into a temp dir)
//	SYNCER_BENCH_RATE        requests per minute allowed by the emulator and configured in syncer (6000)
//	SYNCER_BENCH_FWD_USERS   users of the forward benchmark's org (50000)
//	SYNCER_BENCH_NAIVE_USERS users of the naive comparison's org (3000)
var (
	benchRate       = benchEnvInt("SYNCER_BENCH_RATE", 6000)
	benchFwdUsers   = benchEnvInt("SYNCER_BENCH_FWD_USERS", 50_000)
	benchNaiveUsers = benchEnvInt("SYNCER_BENCH_NAIVE_USERS", 3_000)
)

func benchEnvInt(key string, def int) int {
	if v, err := strconv.Atoi(os.Getenv(key)); err == nil && v > 0 {
		return v
	}
	return def
}

// BenchmarkForward50k syncs an emulated 50,000-user org (default paging cap
// of 10,000, so the active users must be split per division through the
// users search) into a fresh schema with `syncer run` as a subprocess, so
// that its peak RSS is the syncer's own and not the in-process emulator's.
// Pipeline: users active+inactive with the skills and languages expands,
// queue memberships, reference data. Reports:
//
//   - calls and calls/min-calls (target ≤ 1.05; the minimum is the one the
//     run prints, one listing page of 500 per 500 users etc., which does not
//     include the cost of splitting over the cap);
//   - split-calls: the users calls beyond ⌈users/500⌉ per state, i.e. what
//     the 10,000 cap costs (the search pages 100 users at a time);
//   - achieved/allowed-% of the rate limit over the whole run (target ≥ 90);
//   - peak-rss-MB of the syncer process, its VmHWM sampled from /proc
//     (getrusage would count this benchmark's own memory; see procstat) (target ≤ 256);
//   - s (wall time of the run) and rows loaded;
//   - resync-s, a second run on the unchanged org (the API calls are the
//     same: users have no modification date), and the history rows it
//     wrote, which must be 0.
//
// It checks the database against the emulator's org (users, skills,
// languages, queue memberships) and fails when they differ.
//
//	go test -run '^$' -bench BenchmarkForward50k -benchtime 1x -timeout 60m ./internal/pipeline
func BenchmarkForward50k(b *testing.B) {
	bin := syncerBinary(b)
	srv, base := benchOrg(b, benchFwdUsers, benchRate)
	var res syncerResult
	for range b.N {
		srv.ResetStats()
		res = runSyncer(b, srv, bin, base, benchRate)
	}
	b.StopTimer()
	st := srv.Stats()
	resyncWall, resyncHistory := resync(b, res)
	if resyncHistory != 0 {
		b.Errorf("a second run on the unchanged org wrote %d history rows, want 0", resyncHistory)
	}
	usersCalls := st.RouteTotal("GET /api/v2/users") + st.RouteTotal("POST /api/v2/users/search")
	minUsersCalls := int64(genesys.Pages(srv.UserCount(genesys.StateActive), genesys.MaxUsersPageSize) +
		genesys.Pages(srv.UserCount(genesys.StateInactive), genesys.MaxUsersPageSize))
	apiCalls := st.Total - st.RouteTotal("POST /oauth/token")
	if apiCalls != res.calls {
		b.Logf("syncer counted %d calls, the emulator %d (token fetches excluded)", res.calls, apiCalls)
	}
	b.ReportMetric(float64(res.calls), "calls")
	b.ReportMetric(float64(res.minCalls), "min-calls")
	b.ReportMetric(float64(res.calls)/float64(max(res.minCalls, 1)), "calls/min-calls")
	b.ReportMetric(float64(usersCalls-minUsersCalls), "split-calls")
	b.ReportMetric(float64(countStatus(st, 429)), "429s")
	achieved := float64(apiCalls) / res.wall.Minutes()
	b.ReportMetric(100*achieved/float64(benchRate), "achieved/allowed-%")
	b.ReportMetric(res.peakRSS/(1<<20), "peak-rss-MB")
	b.ReportMetric(res.wall.Seconds(), "s")
	b.ReportMetric(float64(res.rows), "rows")
	b.ReportMetric(resyncWall.Seconds(), "resync-s")
	b.ReportMetric(float64(resyncHistory), "resync-history-rows")
	b.ReportMetric(0, "ns/op")
	b.Logf("%d users (%d active, %d inactive) at %d/min: %d calls (minimum %d; users listing %d of which %d over ⌈users/500⌉), %v, peak RSS %.0f MB",
		benchFwdUsers, srv.UserCount(genesys.StateActive), srv.UserCount(genesys.StateInactive), benchRate,
		res.calls, res.minCalls, usersCalls, usersCalls-minUsersCalls, res.wall.Round(time.Millisecond), res.peakRSS/(1<<20))
}

func countStatus(st emulator.Stats, status int) int64 {
	return st.ByStatus[strconv.Itoa(status)]
}

// benchOrg serves an emulated org over real HTTP on loopback.
func benchOrg(b *testing.B, users, rate int) (*emulator.Server, string) {
	b.Helper()
	srv, err := emulator.New(emulator.Config{Users: users, Seed: 1, RatePerMinute: rate})
	if err != nil {
		b.Fatal(err)
	}
	ts := httptest.NewServer(srv)
	b.Cleanup(ts.Close)
	return srv, ts.URL
}

// syncerBinary returns $SYNCER_BIN or builds cmd/syncer into a temp dir.
func syncerBinary(b *testing.B) string {
	b.Helper()
	if bin := os.Getenv("SYNCER_BIN"); bin != "" {
		abs, err := filepath.Abs(bin)
		if err != nil {
			b.Fatal(err)
		}
		return abs
	}
	bin := filepath.Join(b.TempDir(), "syncer")
	cmd := exec.Command("go", "build", "-o", bin, "../../cmd/syncer")
	if out, err := cmd.CombinedOutput(); err != nil {
		b.Fatalf("build syncer: %v\n%s", err, out)
	}
	return bin
}

// syncerResult is what one `syncer run` reported and used.
type syncerResult struct {
	calls, minCalls int64
	wall            time.Duration // of the run, as the summary prints it
	peakRSS         float64       // bytes
	rows            int64
	schema          string
	dbURL           string
	// bin, cfg and env run the same pipeline again (resync).
	bin, cfg string
	env      []string
}

var (
	callsLine = regexp.MustCompile(`API calls: ([\d,]+) \(minimum for this data ([\d,]+)`)
	runLine   = regexp.MustCompile(`run \d+ of \S+: (\w+) in (\S+)`)
)

// runSyncer migrates a fresh schema and runs the forward pipeline users
// (active, inactive), skills, languages, queues through the syncer binary,
// then checks the loaded rows against the emulator's org.
func runSyncer(b *testing.B, srv *emulator.Server, bin, base string, rate int) syncerResult {
	b.Helper()
	b.StopTimer()
	dbURL, schema := pgtest.Schema(b)
	dir := b.TempDir()
	cfg := filepath.Join(dir, "syncer.yaml")
	body := fmt.Sprintf(`genesys:
  base_url: %s
database:
  schema: %s
rate:
  requests_per_minute: %d
  max_in_flight: 8
log:
  format: json
  level: warn
pipelines:
  bench:
    streams: [reference, users, skills, languages, queues]
    users:
      states: [active, inactive]
      expand: [skills, languages]
`, base, schema, rate)
	if err := os.WriteFile(cfg, []byte(body), 0o600); err != nil {
		b.Fatal(err)
	}
	env := append(os.Environ(), "GENESYS_CLIENT_ID="+emulator.DefaultClientID, "GENESYS_CLIENT_SECRET="+emulator.DefaultClientSecret,
		"DATABASE_URL="+dbURL, "GENESYS_BASE_URL=")
	if out, err := runCmd(env, bin, "migrate", "--config", cfg); err != nil {
		b.Fatalf("syncer migrate: %v\n%s", err, out)
	}
	b.StartTimer()
	cmd := exec.Command(bin, "run", "bench", "--config", cfg, "--progress", "off")
	cmd.Env = env
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	peak, err := procstat.Run(cmd, 20*time.Millisecond)
	if err != nil {
		b.Fatalf("syncer run: %v\n%s\n%s", err, stdout.String(), stderr.String())
	}
	b.StopTimer()
	res := syncerResult{schema: schema, dbURL: dbURL, peakRSS: float64(peak), bin: bin, cfg: cfg, env: env}
	res.calls, res.minCalls, res.wall = parseSummary(b, stdout.String())
	res.rows = checkLoaded(b, srv, dbURL, schema)
	b.Logf("syncer run:\n%s", stdout.String())
	return res
}

// parseSummary reads the calls, the minimum and the wall time from the
// summary `syncer run` prints, failing unless the run succeeded.
func parseSummary(b *testing.B, out string) (calls, minCalls int64, wall time.Duration) {
	b.Helper()
	m := callsLine.FindStringSubmatch(out)
	r := runLine.FindStringSubmatch(out)
	if m == nil || r == nil || r[1] != "succeeded" {
		b.Fatalf("syncer run summary not understood:\n%s", out)
	}
	d, err := time.ParseDuration(r[2])
	if err != nil {
		b.Fatalf("run duration %q: %v", r[2], err)
	}
	return atoi(m[1]), atoi(m[2]), d
}

// resync runs the pipeline of res again on the unchanged org and returns
// its wall time and the history rows it wrote (there should be none: a run
// that finds nothing changed writes nothing).
func resync(b *testing.B, res syncerResult) (time.Duration, int64) {
	b.Helper()
	before := historyRows(b, res)
	out, err := runCmd(res.env, res.bin, "run", "bench", "--config", res.cfg, "--progress", "off")
	if err != nil {
		b.Fatalf("syncer run (resync): %v\n%s", err, out)
	}
	_, _, wall := parseSummary(b, string(out))
	return wall, historyRows(b, res) - before
}

func historyRows(b *testing.B, res syncerResult) int64 {
	b.Helper()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, res.dbURL)
	if err != nil {
		b.Fatal(err)
	}
	defer conn.Close(ctx)
	var n int64
	for _, tb := range []string{"users_history", "user_skills_history", "user_queues_history"} {
		var c int64
		q := "SELECT count(*) FROM " + pgx.Identifier{res.schema, tb}.Sanitize()
		if err := conn.QueryRow(ctx, q).Scan(&c); err != nil {
			b.Fatalf("%s: %v", q, err)
		}
		n += c
	}
	return n
}

func runCmd(env []string, name string, args ...string) ([]byte, error) {
	cmd := exec.Command(name, args...)
	cmd.Env = env
	return cmd.CombinedOutput()
}

func atoi(s string) int64 {
	n, _ := strconv.ParseInt(strings.ReplaceAll(s, ",", ""), 10, 64)
	return n
}

// checkLoaded compares the users and membership tables with the
// emulator's org (active and inactive users) and returns the rows loaded.
// A difference fails the benchmark but keeps its figures.
func checkLoaded(b *testing.B, srv *emulator.Server, dbURL, schema string) int64 {
	b.Helper()
	want := map[string]int64{}
	for _, u := range srv.Users() {
		if u.State == genesys.StateDeleted {
			continue
		}
		want["users"]++
		want["user_skills"] += int64(len(u.Skills))
		want["user_languages"] += int64(len(u.Languages))
		want["user_queues"] += int64(len(u.Queues))
	}
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, dbURL)
	if err != nil {
		b.Fatal(err)
	}
	defer conn.Close(ctx)
	var total int64
	for _, tb := range []string{"users", "user_skills", "user_languages", "user_queues"} {
		var n int64
		q := "SELECT count(*) FROM " + pgx.Identifier{schema, tb}.Sanitize()
		if err := conn.QueryRow(ctx, q).Scan(&n); err != nil {
			b.Fatalf("%s: %v", q, err)
		}
		if n != want[tb] {
			b.Errorf("%s: %d rows loaded, the emulator's org has %d", tb, n, want[tb])
		}
		total += n
	}
	return total
}
