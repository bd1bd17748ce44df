// Command benchreport is `make bench`: it runs the package benchmarks
// (go test -bench, one step per package), the side-by-side comparison with
// the peer script on the official Genesys JavaScript SDK, and writes
// bench/results/latest.json (every figure with its unit, target and
// verdict) and the tables of bench/README.md.
//
//	go run ./cmd/benchreport [-steps emulator,ratelimit,load,plan,apply,reverse,forward,naive,analytics,people,warehouse,peer] [-syncer bin/syncer]
//
// -raw-from step=FILE takes a step's figures from the saved output of an
// earlier `go test -bench` run of that step instead of running it again
// (the long forward benchmark, run on its own); the report says so.
//
// A step that fails is recorded as failed with its error, and its figures
// are left empty; the report is written anyway. With -steps naming only some
// steps, the figures of the others are kept from the previous latest.json.
package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// benchStep is a `go test -bench` run of one package.
type benchStep struct {
	name    string
	pkg     string
	pattern string
	// optional steps are run only when the package has benchmarks
	// (e.g. apply, when it lands).
	optional bool
}

var benchSteps = []benchStep{
	{name: "emulator", pkg: "./internal/emulator", pattern: "^(BenchmarkListUsersPage|BenchmarkBuildOrg200k)$"},
	{name: "ratelimit", pkg: "./internal/genesys", pattern: "^BenchmarkRateBudget$"},
	{name: "load", pkg: "./internal/load", pattern: "^BenchmarkLoad$"},
	{name: "plan", pkg: "./internal/diff", pattern: "^BenchmarkPlan20k$"},
	{name: "apply", pkg: "./internal/apply", pattern: ".", optional: true},
	{name: "reverse", pkg: "./internal/reverse", pattern: "^(BenchmarkPlanRefresh50k|BenchmarkHRFeed20k)$"},
	{name: "forward", pkg: "./internal/pipeline", pattern: "^BenchmarkForward50k$"},
	{name: "naive", pkg: "./internal/pipeline", pattern: "^BenchmarkForwardNaive$"},
	{name: "analytics", pkg: "./internal/pipeline", pattern: "^BenchmarkAnalyticsStreams$", optional: true},
	{name: "people", pkg: "./internal/pipeline", pattern: "^BenchmarkPeopleData$"},
	{name: "warehouse", pkg: "./internal/load", pattern: "^BenchmarkWarehouse$"},
}

// spec names a figure and its target; metrics without a spec are reported
// under their unit, without a target.
type spec struct {
	bench, unit, name string
	target            *Target
	note              string
}

func t(op string, v float64) *Target { return &Target{Op: op, Value: v} }

var specs = map[string][]spec{
	"emulator": {
		{"BenchmarkListUsersPage/expand=", "pages/s", "GET /users pages of 100 served per second, one core", t(">=", 5000), ""},
		{"BenchmarkListUsersPage/expand=", "pages/cpu-s", "the same per CPU-second", nil, ""},
		{"BenchmarkListUsersPage/expand=skills,languages", "pages/s", "pages of 100 with skills,languages expands per second", nil, ""},
		{"BenchmarkBuildOrg200k", "s/build", "build a 200,000-user org", t("<", 10), ""},
		{"BenchmarkBuildOrg200k", "MB-heap", "heap held by the 200,000-user org", t("<", 2048), ""},
	},
	"ratelimit": {
		{"BenchmarkRateBudget/matched-3000", "achieved/allowed-%", "achieved rate, client and server at 3,000/min", t(">=", 90), ""},
		{"BenchmarkRateBudget/matched-3000", "429-%", "429s, client and server at 3,000/min", t("<=", 1), ""},
		{"BenchmarkRateBudget/server-lower-1500-client-3000", "429-%", "429s, server 1,500/min below client 3,000/min", t("<=", 5), ""},
		{"BenchmarkRateBudget/server-lower-1500-client-3000", "achieved/allowed-%", "achieved rate, server lower than client", nil, ""},
		{"BenchmarkRateBudget/server-lower-no-headers", "429-%", "429s, server lower, no inin-ratelimit headers", nil, ""},
		{"BenchmarkRateBudget/server-lower-no-headers", "achieved/allowed-%", "achieved rate, server lower, no headers", nil, ""},
	},
	"load": {
		{"BenchmarkLoad", "loader_%_of_copy_same_tables", "loader rows/s as % of a raw COPY of the same rows into the same tables (1M segments + 200k users)", t(">=", 50),
			"empty copies of the target tables: same keys, indexes, constraints; the loader also writes history and detects changes and deletes"},
		{"BenchmarkLoad", "loader_%_of_copy", "loader rows/s as % of a raw COPY into bare tables (no key, no index)", nil,
			"a COPY into the same tables reaches only about half of this floor: index upkeep, which every keyed load pays"},
		{"BenchmarkLoad", "loader_rows/s", "loader rows/s", nil, ""},
		{"BenchmarkLoad", "copy_same_tables_rows/s", "raw COPY into the same tables, rows/s", nil, ""},
		{"BenchmarkLoad", "copy_rows/s", "raw COPY into bare tables, rows/s", nil, ""},
		{"BenchmarkLoad", "MB_peak_rss", "peak RSS of the loading process", t("<=", 256), ""},
	},
	"reverse": {
		{"BenchmarkPlanRefresh50k", "first_plan_calls", "API calls of a first plan (empty database) of a nightly HR snapshot, 50,000-user org", t("<=", 1000),
			"users listing with expands (the 10,000 cap split included), reference data, the 50 active leavers' memberships; no external id read: the org's employee ids match"},
		{"BenchmarkPlanRefresh50k", "replan_calls", "API calls of the next plan", nil, "the same reads: the feed speaks for no queue or role"},
		{"BenchmarkPlanRefresh50k", "fresh_plan_calls", "API calls of a plan within refresh_max_age of a forward load", t("<=", 50), ""},
		{"BenchmarkPlanRefresh50k", "first_plan_s", "wall time of the first plan at the scaled rate (30,000/min)", nil, ""},
		{"BenchmarkPlanRefresh50k", "plan_cpu_s", "CPU of a plan from Postgres, 42,500-row feed against 50,000 users", nil, "state read, feed parsed and resolved, diff; the emulator idle"},
		{"BenchmarkHRFeed20k", "plan_cpu_s", "CPU of a plan of a 20,000-employee feed with 10 % changes", t("<=", 5), "state read, feed, diff"},
		{"BenchmarkHRFeed20k", "calls_used/min", "apply: calls made / the plan's minimum", t("<=", 1.05), ""},
		{"BenchmarkHRFeed20k", "apply_min_at_300rpm", "apply time at the Genesys default of 300 calls/min", nil, ""},
	},
	"forward": {
		{"BenchmarkForward50k", "calls/min-calls", "API calls / minimum for the data", t("<=", 1.05), "minimum as syncer prints it; splitting over the 10,000 cap is counted below"},
		{"BenchmarkForward50k", "calls", "API calls", nil, ""},
		{"BenchmarkForward50k", "min-calls", "minimum calls for the data", nil, ""},
		{"BenchmarkForward50k", "split-calls", "calls the 10,000 paging cap costs (users search in pages of 100)", nil, ""},
		{"BenchmarkForward50k", "achieved/allowed-%", "achieved rate / allowed rate over the run", t(">=", 90), ""},
		{"BenchmarkForward50k", "peak-rss-MB", "peak RSS of the `syncer run` process", t("<=", 256), ""},
		{"BenchmarkForward50k", "s", "wall time of the run", nil, ""},
		{"BenchmarkForward50k", "rows", "rows loaded (users, skills, languages, memberships)", nil, ""},
		{"BenchmarkForward50k", "resync-s", "a second run on the unchanged org, wall time", nil, "same API calls: users have no modification date"},
		{"BenchmarkForward50k", "resync-history-rows", "history rows the second run wrote", t("<=", 0), ""},
	},
	"people": {
		{"BenchmarkPeopleData", "calls/min-calls", "every stream but the analytics jobs, optional ones on (utilization, development_activities), 5,000 users: API calls / minimum", t("<=", 1.05),
			"reference, directory, users with every default expand, queues, roles, utilization, development activities"},
		{"BenchmarkPeopleData", "calls", "API calls of that run", nil, ""},
		{"BenchmarkPeopleData", "min-calls", "its minimum for the data", nil, ""},
		{"BenchmarkPeopleData", "resync-calls/min-calls", "a second run on the unchanged org: calls / minimum", t("<=", 1.05), ""},
		{"BenchmarkPeopleData", "resync-history-rows", "history rows the second run wrote", t("<=", 0), ""},
		{"BenchmarkPeopleData", "rows", "rows loaded", nil, ""},
		{"BenchmarkPeopleData", "s", "wall time without a rate limit", nil, ""},
	},
	"analytics": {
		{"BenchmarkAnalyticsStreams", "calls/min", "analytics jobs: API calls / minimum", t("<=", 1.05), "user_details + user_aggregates, 1,000 users, 3 days"},
		{"BenchmarkAnalyticsStreams", "rows/s", "analytics rows loaded per second", nil, ""},
		{"BenchmarkAnalyticsStreams", "MB_peak", "peak Go memory of the analytics streams", t("<=", 256), ""},
	},
	"warehouse": {
		{"BenchmarkWarehouse", "kB/user-day", "analytics bytes per user-day, default settings (5,000 users: first run of 7 days + one nightly run, PT30M)", t("<=", 25),
			"presence and routing-status segments, their daily rollups and aggregates, indexes and TOAST included, after VACUUM"},
		{"BenchmarkWarehouse", "before_kB/user-day", "the same before migration 00009 (aggregates one row per metric)", nil, ""},
		{"BenchmarkWarehouse", "aggregates_kB/user-day", "aggregates per user-day, packed one row per user and day", nil, ""},
		{"BenchmarkWarehouse", "aggregates_before/after", "aggregates: bytes before / after", nil, ""},
		{"BenchmarkWarehouse", "segments_kB/user-day", "presence and routing-status segments per user-day", nil, ""},
		{"BenchmarkWarehouse", "rollup_kB/user-day", "daily rollups of presence and routing status per user-day (migration 00011; included above)", nil,
			"user_presence_days and user_routing_status_days, one row per user, UTC day and value, with their key and day indexes"},
		{"BenchmarkWarehouse", "GB/year-50k-users", "estimate for a 50,000-user org, one year", nil, "bytes per user-day × 50,000 × 365"},
		{"BenchmarkWarehouse", "agent_month_query_s", "a month of presence per day of one agent, 5,000-user org (presence_daily_between with the agent, docs/bi.md)", t("<=", 1),
			"median over 5 agents; four months loaded, October read by partition pruning and the user index"},
		{"BenchmarkWarehouse", "org_month_query_s", "a month of presence per user per day of the whole org (5,000 users)", nil, "about 1.1 million segments read, 630,000 rows of answer"},
		{"BenchmarkWarehouse", "org_month_query_cpu_s", "the same: CPU seconds of the database backend, no parallel workers", nil, "load-independent: wall time on this shared machine depends on the other sessions"},
		{"BenchmarkWarehouse", "org_month_segments_read_s", "baseline: reading October's segments themselves, same run", nil, ""},
		{"BenchmarkWarehouse", "org_month_query_rows", "rows of the whole org's month", nil, ""},
		{"BenchmarkWarehouse", "org_month_rollup_query_s", "a month of presence per user per day of the whole org (5,000 users), from the daily rollup (presence_days_between)", t("<=", 1),
			"the same rows as presence_daily_between, read from October's partition of user_presence_days as stored; median of 3 runs"},
		{"BenchmarkWarehouse", "org_month_rollup_query_rows", "rows of the whole org's month from the rollup", nil, "checked equal to the row count above"},
		{"BenchmarkWarehouse", "org_month_rollup_query_cpu_s", "the same: CPU seconds of the database backend, no parallel workers", nil, ""},
		{"BenchmarkWarehouse", "agent_month_rollup_query_ms", "a month of presence per day of one agent from the rollup (presence_days_between with the agent)", nil, "median over the same 5 agents"},
		{"BenchmarkWarehouse", "rollup_load_s", "load time the rollups add: the loader keeping them during the first and nightly user details loads", nil,
			"differences per batch, in the segments' transaction"},
		{"BenchmarkWarehouse", "rollup_load_%", "the same, % of those user details loads' wall time", nil, ""},
		{"BenchmarkWarehouse", "drop_month_s", "retention dropping a month of presence, 5,000 users", t("<=", 1), "DROP TABLE of the month's partition"},
		{"BenchmarkWarehouse", "dropped_month_MB", "size of the month dropped", nil, ""},
		{"BenchmarkWarehouse", "aggregate_rows/s", "analytics load: aggregate rows (as the API gives them) per second, segments loaded alongside", nil, ""},
	},
	"naive": {
		{"BenchmarkForwardNaive", "naive/syncer-calls", "naive sync / syncer: API calls", t(">", 1), "pages of 25, no expands, per-user skills, languages, queues"},
		{"BenchmarkForwardNaive", "naive/syncer-time", "naive sync / syncer: wall time", t(">", 1), ""},
		{"BenchmarkForwardNaive", "syncer-calls", "syncer calls (naive comparison org)", nil, ""},
		{"BenchmarkForwardNaive", "naive-calls", "naive calls (naive comparison org)", nil, ""},
		{"BenchmarkForwardNaive", "syncer-s", "syncer wall time (naive comparison org)", nil, ""},
		{"BenchmarkForwardNaive", "naive-s", "naive wall time (naive comparison org)", nil, ""},
	},
}

type options struct {
	root      string // repository root
	steps     []string
	syncer    string
	results   string
	readme    string
	rate      int
	fwdUsers  int
	naiveUsr  int
	peerUsers int
	peerDir   string
	dbURL     string
	rawFrom   map[string]string
}

func main() {
	os.Exit(run())
}

func run() int {
	var o options
	steps := flag.String("steps", "emulator,ratelimit,load,plan,apply,reverse,forward,naive,analytics,people,warehouse,peer", "steps to run, comma-separated")
	rawFrom := flag.String("raw-from", "", "step=FILE,...: parse FILE, the saved `go test -bench` output of an earlier run of the step, instead of running it")
	flag.StringVar(&o.syncer, "syncer", "bin/syncer", "syncer binary (built by make build)")
	flag.StringVar(&o.results, "results", "bench/results", "directory of latest.json and raw/")
	flag.StringVar(&o.readme, "readme", "bench/README.md", "markdown report")
	flag.IntVar(&o.rate, "rate", envInt("SYNCER_BENCH_RATE", 6000), "scaled rate limit (requests/minute) of the forward and peer runs, the same for both sides")
	flag.IntVar(&o.fwdUsers, "forward-users", envInt("SYNCER_BENCH_FWD_USERS", 50_000), "users of the forward benchmark's org")
	flag.IntVar(&o.naiveUsr, "naive-users", envInt("SYNCER_BENCH_NAIVE_USERS", 3_000), "users of the naive comparison's org")
	flag.IntVar(&o.peerUsers, "peer-users", envInt("SYNCER_BENCH_PEER_USERS", 10_000), "users of the peer comparison's org")
	flag.StringVar(&o.peerDir, "peer", os.Getenv("SYNCER_PEER_DIR"), "the peer folder (sync.js, package.json); default ../shared/peer or /work/shared/peer")
	flag.StringVar(&o.dbURL, "db", cmpOr(os.Getenv("TEST_DATABASE_URL"), os.Getenv("DATABASE_URL"), "postgres://postgres@127.0.0.1:5432/test"), "Postgres for the peer comparison (schemas peer_bench and syncer_bench)")
	flag.Parse()
	o.steps = strings.Split(*steps, ",")
	o.rawFrom = map[string]string{}
	for _, kv := range strings.Split(*rawFrom, ",") {
		if step, file, ok := strings.Cut(kv, "="); ok {
			o.rawFrom[step] = file
			o.steps = append(o.steps, step)
		}
	}
	root, err := os.Getwd()
	if err != nil {
		fmt.Fprintln(os.Stderr, "benchreport:", err)
		return 1
	}
	o.root = root
	if o.syncer, err = filepath.Abs(o.syncer); err != nil {
		fmt.Fprintln(os.Stderr, "benchreport:", err)
		return 1
	}
	if _, err := os.Stat(o.syncer); err != nil {
		fmt.Fprintf(os.Stderr, "benchreport: syncer binary %s: %v (run make build first)\n", o.syncer, err)
		return 1
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	rep := &Report{GeneratedAt: time.Now().UTC(), Commit: gitCommit(), Machine: map[string]string{
		"cpus": strconv.Itoa(runtime.NumCPU()), "go": runtime.Version(), "os": runtime.GOOS + "/" + runtime.GOARCH,
	}, Settings: map[string]string{
		"rate_per_minute": strconv.Itoa(o.rate), "forward_users": strconv.Itoa(o.fwdUsers),
		"naive_users": strconv.Itoa(o.naiveUsr), "peer_users": strconv.Itoa(o.peerUsers),
	}}
	latest := filepath.Join(o.results, "latest.json")
	prev, _ := readJSON(latest)
	start := time.Now()
	for _, bs := range benchSteps {
		if !slices.Contains(o.steps, bs.name) {
			keepPrevious(rep, prev, bs.name)
			continue
		}
		sr, figs := runBenchStep(ctx, o, bs)
		rep.Steps = append(rep.Steps, sr)
		rep.Figures = append(rep.Figures, figs...)
		fmt.Fprintf(os.Stderr, "benchreport: %s %s in %.0f s %s\n", bs.name, sr.Status, sr.Seconds, firstLine(sr.Error))
	}
	if slices.Contains(o.steps, "peer") {
		sr, figs, peer := runPeerStep(ctx, o)
		rep.Steps = append(rep.Steps, sr)
		rep.Figures = append(rep.Figures, figs...)
		rep.Peer = peer
		fmt.Fprintf(os.Stderr, "benchreport: peer %s in %.0f s %s\n", sr.Status, sr.Seconds, firstLine(sr.Error))
	} else {
		keepPrevious(rep, prev, "peer")
		if prev != nil {
			rep.Peer = prev.Peer
		}
	}
	rep.Settings["total_seconds"] = fmt.Sprintf("%.0f", time.Since(start).Seconds())
	if err := writeJSON(latest, rep); err != nil {
		fmt.Fprintln(os.Stderr, "benchreport:", err)
		return 1
	}
	var md bytes.Buffer
	WriteMarkdown(&md, rep)
	if err := os.WriteFile(o.readme, md.Bytes(), 0o644); err != nil {
		fmt.Fprintln(os.Stderr, "benchreport:", err)
		return 1
	}
	os.Stdout.Write(md.Bytes())
	for _, s := range rep.Steps {
		if s.Status == "failed" {
			return 1
		}
	}
	return 0
}

// keepPrevious copies a step's result and figures from the previous report.
func keepPrevious(rep, prev *Report, step string) {
	if prev == nil {
		return
	}
	for _, s := range prev.Steps {
		if s.Name == step {
			rep.Steps = append(rep.Steps, s)
		}
	}
	for _, f := range prev.Figures {
		if f.Step == step {
			rep.Figures = append(rep.Figures, f)
		}
	}
}

// runBenchStep runs `go test -bench` on one package and turns its metrics
// into figures.
func runBenchStep(ctx context.Context, o options, bs benchStep) (StepResult, []Figure) {
	args := []string{"test", "-run", "^$", "-bench", bs.pattern, "-benchtime", "1x", "-count", "1", "-timeout", "90m", bs.pkg}
	sr := StepResult{Name: bs.name, Command: "go " + strings.Join(args, " "), RanAt: time.Now().UTC()}
	if bs.optional {
		list, err := exec.CommandContext(ctx, "go", "test", "-list", bs.pattern, bs.pkg).Output()
		if err != nil || !strings.Contains(string(list), "Benchmark") {
			sr.Status, sr.Error = "skipped", "no benchmarks in "+bs.pkg+" yet"
			return sr, nil
		}
	}
	if file, ok := o.rawFrom[bs.name]; ok {
		b, err := os.ReadFile(file)
		if err != nil {
			sr.Status, sr.Error = "failed", err.Error()
			return sr, nil
		}
		st, _ := os.Stat(file)
		sr.RanAt = st.ModTime().UTC()
		sr.Command += " (run on its own; figures parsed from its saved output)"
		return finishBenchStep(o, bs, sr, b, nil)
	}
	start := time.Now()
	cmd := exec.CommandContext(ctx, "go", args...)
	cmd.Dir = o.root
	cmd.Env = append(os.Environ(),
		"SYNCER_BIN="+o.syncer,
		"SYNCER_BENCH_RATE="+strconv.Itoa(o.rate),
		"SYNCER_BENCH_FWD_USERS="+strconv.Itoa(o.fwdUsers),
		"SYNCER_BENCH_NAIVE_USERS="+strconv.Itoa(o.naiveUsr),
	)
	var out bytes.Buffer
	cmd.Stdout = io.MultiWriter(&out, prefixWriter(os.Stderr, bs.name))
	cmd.Stderr = cmd.Stdout
	err := cmd.Run()
	sr.Seconds = time.Since(start).Seconds()
	return finishBenchStep(o, bs, sr, out.Bytes(), err)
}

func finishBenchStep(o options, bs benchStep, sr StepResult, out []byte, err error) (StepResult, []Figure) {
	sr.Raw = saveRaw(o, bs.name, out)
	parsed, perr := ParseBench(bytes.NewReader(out))
	sr.Status = "ok"
	switch {
	case err != nil:
		sr.Status, sr.Error = "failed", fmt.Sprintf("%v; failed benchmarks: %v; see %s", err, parsed.Failed, sr.Raw)
	case perr != nil:
		sr.Status, sr.Error = "failed", "parse output: "+perr.Error()
	case len(parsed.Failed) > 0:
		sr.Status, sr.Error = "failed", fmt.Sprintf("failed benchmarks: %v; see %s", parsed.Failed, sr.Raw)
	case len(parsed.Metrics) == 0:
		sr.Status, sr.Error = "failed", "no benchmark printed a result"
	}
	return sr, figuresOf(bs.name, parsed)
}

// figuresOf maps parsed metrics to figures: the specs first (empty when
// not printed), then every other metric without a target.
func figuresOf(step string, out BenchOutput) []Figure {
	var figs []Figure
	used := map[[2]string]bool{}
	for _, s := range specs[step] {
		f := Figure{Step: step, Name: s.name, Benchmark: s.bench, Unit: s.unit, Target: s.target, Note: s.note}
		if v, ok := out.Get(s.bench, s.unit); ok {
			f.Value = ptr(v)
		}
		if slices.Contains(out.Failed, s.bench) {
			f.Note = strings.TrimPrefix(f.Note+"; benchmark failed", "; ")
		}
		f.judge()
		if f.Target != nil && f.Value == nil {
			f.TargetText = f.Target.String()
			no := false
			f.Pass = &no
		}
		figs = append(figs, f)
		used[[2]string{s.bench, s.unit}] = true
	}
	for _, m := range out.Metrics {
		if used[[2]string{m.Benchmark, m.Unit}] || (m.Unit == "ns/op" && m.Value == 0) || m.Unit == "B/op" || m.Unit == "allocs/op" {
			continue
		}
		figs = append(figs, Figure{Step: step, Name: strings.TrimPrefix(m.Benchmark, "Benchmark") + " " + m.Unit, Benchmark: m.Benchmark, Unit: m.Unit, Value: ptr(m.Value)})
	}
	return figs
}

// noise is a line some benchmarks print thousands of times (the rate
// benchmark's header-stripping wrapper); saveRaw keeps one and a count.
const noise = "http: superfluous response.WriteHeader call"

func saveRaw(o options, name string, b []byte) string {
	if n := bytes.Count(b, []byte(noise)); n > 1 {
		var kept [][]byte
		for _, line := range bytes.Split(b, []byte("\n")) {
			if !bytes.Contains(line, []byte(noise)) {
				kept = append(kept, line)
			}
		}
		b = append(bytes.Join(kept, []byte("\n")), fmt.Sprintf("\n(benchreport: %d lines %q left out)\n", n, noise)...)
	}
	dir := filepath.Join(o.results, "raw")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return ""
	}
	p := filepath.Join(dir, name+".txt")
	if err := os.WriteFile(p, b, 0o644); err != nil {
		return ""
	}
	return filepath.Join("raw", name+".txt")
}

// prefixWriter echoes a step's output to w, each line prefixed.
func prefixWriter(w io.Writer, prefix string) io.Writer {
	return &linePrefixer{w: w, prefix: "[" + prefix + "] "}
}

type linePrefixer struct {
	w      io.Writer
	prefix string
	buf    []byte
}

func (l *linePrefixer) Write(p []byte) (int, error) {
	l.buf = append(l.buf, p...)
	for {
		i := bytes.IndexByte(l.buf, '\n')
		if i < 0 {
			return len(p), nil
		}
		fmt.Fprintf(l.w, "%s%s\n", l.prefix, l.buf[:i])
		l.buf = l.buf[i+1:]
	}
}

func gitCommit() string {
	out, err := exec.Command("git", "rev-parse", "--short", "HEAD").Output()
	if err != nil {
		return "unknown"
	}
	return strings.TrimSpace(string(out))
}

func envInt(key string, def int) int {
	if v, err := strconv.Atoi(os.Getenv(key)); err == nil && v > 0 {
		return v
	}
	return def
}

func cmpOr(vals ...string) string {
	for _, v := range vals {
		if v != "" {
			return v
		}
	}
	return ""
}

var errPeerMissing = errors.New("peer folder not found")
