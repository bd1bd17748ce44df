package chaos

import (
	"bytes"
	"context"
	"fmt"
	"maps"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/usersync/syncer/internal/emulator"
	"github.com/usersync/syncer/internal/emulator/analytics"
	"github.com/usersync/syncer/internal/pgtest"
)

// syncerBin is the binary TestMain builds once for every test.
var syncerBin string

// tally collects the suite's figures; TestMain prints them at the end.
var tally struct {
	sync.Mutex
	faults           map[string]int64
	crashes          int
	inputs           int
	rowsCompared     int
	lost, duplicated int
	soak             string // the soak's figures, when it ran
}

func addFaults(st emulator.Stats) {
	tally.Lock()
	defer tally.Unlock()
	if tally.faults == nil {
		tally.faults = map[string]int64{}
	}
	for status, n := range st.ByStatus {
		switch {
		case strings.HasPrefix(status, "2"), strings.HasPrefix(status, "3"):
		case status == "0":
			tally.faults["reset"] += n
		default:
			tally.faults["http "+status] += n
		}
	}
	tally.faults["job failed"] += int64(st.AnalyticsJobs.Failed)
	tally.faults["job expired"] += int64(st.AnalyticsJobs.Expired)
}

// addFault counts one fault injected outside the emulator.
func addFault(kind string) {
	tally.Lock()
	defer tally.Unlock()
	if tally.faults == nil {
		tally.faults = map[string]int64{}
	}
	tally.faults[kind]++
}

func addCount(p *int, n int) {
	tally.Lock()
	*p += n
	tally.Unlock()
}

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "syncer-chaos-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	syncerBin = filepath.Join(dir, "syncer")
	build := exec.Command("go", "build", "-o", syncerBin, "github.com/usersync/syncer/cmd/syncer")
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "build syncer:", err)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	var kinds []string
	for k, n := range tally.faults {
		kinds = append(kinds, fmt.Sprintf("%s=%d", k, n))
	}
	sort.Strings(kinds)
	fmt.Printf("chaos summary: faulted answers [%s]; crashes tried %d; bad inputs tried %d; rows compared %d; rows lost %d; rows duplicated %d\n",
		strings.Join(kinds, " "), tally.crashes, tally.inputs, tally.rowsCompared, tally.lost, tally.duplicated)
	if tally.soak != "" {
		fmt.Println(tally.soak)
	}
	os.Exit(code)
}

const (
	clientID     = "chaos-client"
	clientSecret = "chaos-secret-5c1e7d9a0b"
)

// env is one emulator on a real port, one Postgres schema and a config
// file pointing the syncer binary at both.
type env struct {
	srv    *emulator.Server
	url    string
	dbURL  string
	schema string
	cfg    string
	dir    string
	// requests counts the API requests; hook, when set, sees each count
	// before the emulator answers.
	requests atomic.Int64
	hook     atomic.Pointer[func(n int64)]
	// onRequest, when set, sees each API request before the emulator
	// answers it.
	onRequest atomic.Pointer[func(r *http.Request)]
	// corrupt, when set, rewrites every GET /api/v2/users answer.
	corrupt atomic.Pointer[func(status int, body []byte) (int, string, []byte)]
	// tokens holds every bearer token the syncer sent.
	tokens sync.Map
}

// pipelines: nightly reads the org; paged too, in pages of 25 users; full
// adds the analytics jobs over the 25 hours before analyticsNow in 6-hour
// windows of small pages, so a run submits ten jobs and reads each one's
// results over several pages.
const pipelines = "pipelines:\n  nightly:\n    streams: [reference, users, skills, languages, queues, roles]\n" +
	"  paged:\n    streams: [reference, users, skills, languages, queues, roles]\n    users:\n      page_size: 25\n" +
	"  full:\n    streams: [reference, users, skills, languages, queues, roles, user_details, user_aggregates]\n" +
	"    analytics:\n      start: \"2026-11-19T19:00:00Z\"\n      lookback: 1h\n      max_interval: 6h\n      granularity: PT1H\n" +
	"      poll_interval: 20ms\n      max_resubmits: 10\n      page_size: 50\n" +
	"feeds:\n  hr:\n    mode: delta\n" + lifecycleFeedConfig

// analyticsNow is the frozen clock of the analytics jobs of the envs that
// load them (newAnalyticsEnv): every run, clean, faulted or killed, sees
// the same data availability date (an hour before it), so all load the
// same windows. Jobs complete at once on a frozen clock.
var analyticsNow = time.Date(2026, 11, 20, 21, 0, 0, 0, time.UTC)

func newEnv(t *testing.T, users int, seed int64, extra string) *env {
	t.Helper()
	return newEnvWith(t, emulator.Config{Users: users, Seed: seed}, extra)
}

// newAnalyticsEnv is newEnv with analytics jobs on analyticsNow, for the
// full pipeline.
func newAnalyticsEnv(t *testing.T, users int, seed int64) *env {
	t.Helper()
	return newEnvWith(t, emulator.Config{Users: users, Seed: seed,
		Analytics: analytics.Config{Now: func() time.Time { return analyticsNow }, JobDelay: -1}}, "")
}

// newEnvWith starts an emulator for cfg (with the suite's client and no
// rate limit) on a real port, and migrates a fresh schema.
func newEnvWith(t *testing.T, cfg emulator.Config, extra string) *env {
	t.Helper()
	cfg.RatePerMinute, cfg.ClientID, cfg.ClientSecret = -1, clientID, clientSecret
	srv, err := emulator.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	e := &env{srv: srv, dir: t.TempDir()}
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer "); ok {
			e.tokens.Store(tok, true)
		}
		if strings.HasPrefix(r.URL.Path, "/api/") {
			n := e.requests.Add(1)
			if h := e.hook.Load(); h != nil {
				(*h)(n)
			}
			if h := e.onRequest.Load(); h != nil {
				(*h)(r)
			}
		}
		if c := e.corrupt.Load(); c != nil && r.Method == http.MethodGet && r.URL.Path == "/api/v2/users" {
			rec := httptest.NewRecorder()
			srv.ServeHTTP(rec, r)
			status, ctype, body := (*c)(rec.Code, rec.Body.Bytes())
			for k, v := range rec.Header() {
				if k != "Content-Length" && k != "Content-Type" {
					w.Header()[k] = v
				}
			}
			w.Header().Set("Content-Type", ctype)
			w.WriteHeader(status)
			_, _ = w.Write(body)
			return
		}
		srv.ServeHTTP(w, r)
	}))
	t.Cleanup(ts.Close)
	e.url = ts.URL
	e.dbURL, e.schema = pgtest.Schema(t)
	e.writeConfig(t, ts.URL, extra)
	if code, out, stderr := e.syncer(t, context.Background(), "migrate"); code != 0 {
		t.Fatalf("migrate = %d\n%s\n%s", code, out, stderr)
	}
	return e
}

func (e *env) writeConfig(t *testing.T, baseURL, extra string) {
	t.Helper()
	e.writeConfigWith(t, baseURL, extra+pipelines)
}

// writeConfigWith writes a config whose pipelines and feeds are in rest.
func (e *env) writeConfigWith(t *testing.T, baseURL, rest string) {
	t.Helper()
	e.cfg = filepath.Join(e.dir, "syncer.yaml")
	body := fmt.Sprintf("genesys:\n  base_url: %s\ndatabase:\n  schema: %s\nrate:\n  requests_per_minute: 100000\n  burst: 100\n%s", baseURL, e.schema, rest)
	if err := os.WriteFile(e.cfg, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
}

func (e *env) command(ctx context.Context, args ...string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, syncerBin, append(args, "--config", e.cfg)...)
	cmd.Env = append(os.Environ(),
		"GENESYS_CLIENT_ID="+clientID, "GENESYS_CLIENT_SECRET="+clientSecret,
		"DATABASE_URL="+e.dbURL, "GENESYS_BASE_URL=")
	return cmd
}

// syncer runs the binary to the end.
func (e *env) syncer(t *testing.T, ctx context.Context, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	cmd := e.command(ctx, args...)
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	if err != nil {
		if ee, ok := err.(*exec.ExitError); ok {
			return ee.ExitCode(), out.String(), errb.String()
		}
		t.Fatalf("syncer %v: %v", args, err)
	}
	return 0, out.String(), errb.String()
}

// killAfter starts the binary and SIGKILLs it after d; it reports whether
// the process was still running when killed.
func (e *env) killAfter(t *testing.T, d time.Duration, args ...string) bool {
	t.Helper()
	cmd := e.command(context.Background(), args...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case <-done:
		return false
	case <-time.After(d):
		_ = cmd.Process.Kill() // SIGKILL: no deferred code, no signal handler runs
		<-done
		addCount(&tally.crashes, 1)
		return true
	}
}

func (e *env) conn(t *testing.T) *pgx.Conn {
	t.Helper()
	c, err := pgx.Connect(context.Background(), e.dbURL)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close(context.Background()) })
	return c
}

func (e *env) table(name string) string { return pgx.Identifier{e.schema, name}.Sanitize() }

func (e *env) count(t *testing.T, q string, args ...any) int {
	t.Helper()
	var n int
	if err := e.conn(t).QueryRow(context.Background(), q, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return n
}

// currentTables are the tables holding the org's current state.
var currentTables = []string{"divisions", "skills", "languages", "queues", "roles", "users",
	"user_skills", "user_languages", "user_queues", "user_groups", "user_locations", "user_role_grants", "user_external_ids"}

// analyticsTables hold what the analytics streams load (the full
// pipeline); they are empty after the other pipelines.
var analyticsTables = []string{"user_presence_segments", "user_routing_status_segments", "user_aggregates"}

// dumpTables are the tables dump reads and compareDumps compares.
var dumpTables = append(slices.Clip(currentTables), analyticsTables...)

// dump reads every table of dumpTables as sorted rows of every column but
// the bookkeeping ones (timestamps and run ids), which differ between runs.
func (e *env) dump(t *testing.T) map[string][]string {
	t.Helper()
	return e.dumpOf(t, dumpTables)
}

// dumpOf is dump over the given tables.
func (e *env) dumpOf(t *testing.T, tables []string) map[string][]string {
	t.Helper()
	ctx := context.Background()
	c := e.conn(t)
	out := map[string][]string{}
	for _, tbl := range tables {
		rows, err := c.Query(ctx, `SELECT column_name FROM information_schema.columns WHERE table_schema = $1 AND table_name = $2 ORDER BY ordinal_position`, e.schema, tbl)
		if err != nil {
			t.Fatal(err)
		}
		cols, err := pgx.CollectRows(rows, pgx.RowTo[string])
		if err != nil {
			t.Fatal(err)
		}
		var sel []string
		for _, col := range cols {
			if strings.HasSuffix(col, "_at") || strings.HasSuffix(col, "_run") {
				continue
			}
			sel = append(sel, pgx.Identifier{col}.Sanitize()+"::text")
		}
		if len(sel) == 0 {
			t.Fatalf("table %s: no columns in schema %s", tbl, e.schema)
		}
		q := "SELECT " + strings.Join(sel, ", ") + " FROM " + e.table(tbl)
		if tbl == "users" {
			q += " WHERE deleted_at IS NULL"
		}
		rows, err = c.Query(ctx, q)
		if err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		for rows.Next() {
			vals, err := rows.Values()
			if err != nil {
				t.Fatal(err)
			}
			parts := make([]string, len(vals))
			for i, v := range vals {
				parts[i] = fmt.Sprint(v)
			}
			out[tbl] = append(out[tbl], strings.Join(parts, "|"))
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
		sort.Strings(out[tbl])
	}
	return out
}

// compareDumps fails on any row in one dump and not the other, counts
// duplicates and losses into the tally and returns the rows compared.
func compareDumps(t *testing.T, want, got map[string][]string) int {
	t.Helper()
	var n int
	for _, tbl := range dumpTables {
		w, g := want[tbl], got[tbl]
		n += len(w)
		wc, gc := map[string]int{}, map[string]int{}
		for _, r := range w {
			wc[r]++
		}
		for _, r := range g {
			gc[r]++
		}
		var lost, extra []string
		for r, k := range wc {
			if gc[r] < k {
				lost = append(lost, r)
			}
		}
		for r, k := range gc {
			if wc[r] < k {
				extra = append(extra, r)
			}
		}
		if len(lost)+len(extra) > 0 {
			addCount(&tally.lost, len(lost))
			addCount(&tally.duplicated, len(extra))
			sort.Strings(lost)
			sort.Strings(extra)
			t.Errorf("%s: %d rows missing, %d rows extra; first missing %q; first extra %q", tbl, len(lost), len(extra), first(lost, 3), first(extra, 3))
		}
	}
	if len(want["users"]) == 0 {
		t.Error("the reference holds no users: the comparison proves nothing")
	}
	addCount(&tally.rowsCompared, n)
	return n
}

// watermarks returns the analytics streams' watermarks by stream.
func (e *env) watermarks(t *testing.T) map[string]string {
	t.Helper()
	rows, err := e.conn(t).Query(context.Background(), "SELECT stream, coalesce(watermark::text, '') FROM "+e.table("sync_watermarks")+
		" WHERE pipeline = 'full' AND stream IN ('user_details', 'user_aggregates')") // the others record when their complete read began
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for rows.Next() {
		var s, w string
		if err := rows.Scan(&s, &w); err != nil {
			t.Fatal(err)
		}
		out[s] = w
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// compareWatermarks fails unless got's analytics watermarks are want's,
// one per analytics stream.
func compareWatermarks(t *testing.T, want, got *env) {
	t.Helper()
	w, g := want.watermarks(t), got.watermarks(t)
	if len(w) != 2 || !maps.Equal(w, g) {
		t.Errorf("watermarks %v, want %v (one per analytics stream)", g, w)
	}
}

func first(s []string, n int) []string {
	if len(s) > n {
		return s[:n]
	}
	return s
}
