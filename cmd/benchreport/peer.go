package main

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/usersync/syncer/internal/procstat"
)

// The schemas of the peer comparison (dropped and recreated each run).
const (
	peerSchema   = "peer_bench"
	syncerSchema = "syncer_bench"
)

// PeerReport is the peer comparison's detail in latest.json.
type PeerReport struct {
	Users         int               `json:"users"`
	RatePerMinute int               `json:"rate_per_minute"`
	PeerStatus    string            `json:"peer_status"` // ok, or why the peer has no figures
	PeerOutput    map[string]any    `json:"peer_output,omitempty"`
	SyncerCalls   map[string]int64  `json:"syncer_referee_calls_by_route,omitempty"`
	PeerCalls     map[string]int64  `json:"peer_referee_calls_by_route,omitempty"`
	Compare       map[string]Differ `json:"compare,omitempty"`
	Notes         []string          `json:"notes,omitempty"`
}

// Differ counts rows only one side loaded.
type Differ struct {
	Syncer     int64 `json:"syncer"`
	Peer       int64 `json:"peer"`
	OnlySyncer int64 `json:"only_syncer"`
	OnlyPeer   int64 `json:"only_peer"`
}

func (p *PeerReport) writeNotes(w io.Writer) {
	fmt.Fprintf(w, "One `syncer emulator` (%d users, %d requests/minute per token, the default 10,000 paging cap) serves both sides in turn; each side logs in with its own token. Peer status: %s.\n\n", p.Users, p.RatePerMinute, p.PeerStatus)
	if len(p.Compare) > 0 {
		fmt.Fprintf(w, "| same data? | syncer rows | peer rows | only syncer | only peer |\n|---|---|---|---|---|\n")
		for _, k := range []string{"users", "user_skills", "user_languages", "joined queue memberships"} {
			if d, ok := p.Compare[k]; ok {
				fmt.Fprintf(w, "| %s | %s | %s | %d | %d |\n", k, fmtNum(float64(d.Syncer)), fmtNum(float64(d.Peer)), d.OnlySyncer, d.OnlyPeer)
			}
		}
		fmt.Fprintln(w)
	}
	for _, n := range p.Notes {
		fmt.Fprintf(w, "- %s\n", n)
	}
	fmt.Fprintln(w)
}

// emuStats is the emulator's GET /_emulator/stats.
type emuStats struct {
	Total    int64                       `json:"total"`
	Routes   map[string]map[string]int64 `json:"routes"`
	ByStatus map[string]int64            `json:"byStatus"`
}

func (s emuStats) route(r string) int64 {
	var n int64
	for _, c := range s.Routes[r] {
		n += c
	}
	return n
}

// sub returns the calls by route made between before and s.
func (s emuStats) sub(before emuStats) map[string]int64 {
	out := map[string]int64{}
	for r := range s.Routes {
		if d := s.route(r) - before.route(r); d != 0 {
			out[r] = d
		}
	}
	return out
}

// sideResult is one side's run.
type sideResult struct {
	wall        time.Duration
	ownCalls    int64
	refCalls    int64 // API calls the emulator answered, token fetches excluded
	ref429      int64
	rows        int64
	byRoute     map[string]int64
	peakRSS     float64
	minCalls    int64
	output      string
	peerJSON    map[string]any
	ownRateLims int64
}

func runPeerStep(ctx context.Context, o options) (StepResult, []Figure, *PeerReport) {
	sr := StepResult{Name: "peer", Command: fmt.Sprintf("syncer emulator --users %d --rate %d; node sync.js; syncer run", o.peerUsers, o.rate), RanAt: time.Now().UTC()}
	start := time.Now()
	rep := &PeerReport{Users: o.peerUsers, RatePerMinute: o.rate}
	var log bytes.Buffer
	figs, err := peerCompare(ctx, o, rep, io.MultiWriter(&log, prefixWriter(os.Stderr, "peer")))
	sr.Seconds = time.Since(start).Seconds()
	sr.Raw = saveRaw(o, "peer", log.Bytes())
	sr.Status = "ok"
	if err != nil {
		sr.Status, sr.Error = "failed", err.Error()
	} else if rep.PeerStatus != "ok" {
		sr.Error = "peer: " + rep.PeerStatus
	}
	return sr, figs, rep
}

func peerCompare(ctx context.Context, o options, rep *PeerReport, log io.Writer) ([]Figure, error) {
	dir, err := peerFolder(o)
	if err != nil {
		return nil, err
	}
	work, err := os.MkdirTemp("", "syncer-peer-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(work)
	for _, f := range []string{"package.json", "package-lock.json", "sync.js"} {
		b, err := os.ReadFile(filepath.Join(dir, f))
		if err != nil {
			if f == "package-lock.json" {
				continue
			}
			return nil, fmt.Errorf("copy peer %s: %w", f, err)
		}
		if err := os.WriteFile(filepath.Join(work, f), b, 0o644); err != nil {
			return nil, err
		}
	}
	rep.PeerStatus = "ok"
	npmCtx, cancel := context.WithTimeout(ctx, 10*time.Minute)
	npm := exec.CommandContext(npmCtx, "npm", "install", "--no-audit", "--no-fund")
	npm.Dir = work
	out, err := npm.CombinedOutput()
	cancel()
	fmt.Fprintf(log, "npm install --no-audit --no-fund in a copy of %s:\n%s\n", dir, out)
	if err != nil {
		rep.PeerStatus = fmt.Sprintf("npm install failed (%v): %s; the peer columns are empty", err, lastLine(string(out)))
	}

	secret := randomHex(12)
	base, stopEmu, err := startEmulator(ctx, o, "bench-peer", secret, log)
	if err != nil {
		return nil, err
	}
	defer stopEmu()

	var peer *sideResult
	if rep.PeerStatus == "ok" {
		peer, err = runPeerSide(ctx, o, work, base, "bench-peer", secret, log)
		if err != nil {
			rep.PeerStatus = "peer sync failed: " + err.Error()
			peer = nil
		}
	}
	ours, err := runSyncerSide(ctx, o, work, base, "bench-peer", secret, log)
	if err != nil {
		return nil, fmt.Errorf("syncer side: %w", err)
	}
	rep.SyncerCalls = ours.byRoute
	if peer != nil {
		rep.PeerCalls = peer.byRoute
		rep.PeerOutput = peer.peerJSON
		rep.Compare, err = compareLoaded(ctx, o.dbURL)
		if err != nil {
			return nil, fmt.Errorf("compare loaded data: %w", err)
		}
	}
	rep.Notes = []string{
		"API calls (referee) are the requests the emulator answered (GET /_emulator/stats before and after each side), token fetches excluded; 429 answers count as calls.",
		"The peer loads only joined queue memberships (getUserQueues with joined=true); syncer loads joined and unjoined ones, so its rows include memberships the peer never reads. The same-data check compares joined memberships only.",
		"Wall time is each process from start to exit, both loading into the same Postgres.",
	}
	return peerFigures(ours, peer, rep), nil
}

func peerFigures(ours, peer *sideResult, rep *PeerReport) []Figure {
	pv := func(f func(*sideResult) float64) *float64 {
		if peer == nil {
			return nil
		}
		return ptr(f(peer))
	}
	fig := func(name, unit string, f func(*sideResult) float64, fewerWins bool) Figure {
		g := Figure{Step: "peer", Name: name, Unit: unit, Value: ptr(f(ours)), Peer: pv(f)}
		if g.Peer != nil && *g.Value != 0 {
			g.Ratio = ptr(*g.Peer / *g.Value)
		}
		if fewerWins {
			g.TargetText = "syncer lower than the peer"
			if g.Peer != nil {
				ok := *g.Value < *g.Peer
				g.Pass = &ok
			}
		}
		return g
	}
	figs := []Figure{
		fig("API calls (emulator's count, the referee)", "calls", func(s *sideResult) float64 { return float64(s.refCalls) }, true),
		fig("API calls (each side's own count)", "calls", func(s *sideResult) float64 { return float64(s.ownCalls) }, false),
		fig("429 answers (referee)", "429s", func(s *sideResult) float64 { return float64(s.ref429) }, false),
		fig("wall time", "s", func(s *sideResult) float64 { return s.wall.Seconds() }, true),
		fig("rows loaded", "rows", func(s *sideResult) float64 { return float64(s.rows) }, false),
		fig("peak RSS", "MB", func(s *sideResult) float64 { return s.peakRSS / (1 << 20) }, false),
	}
	if rep.Compare != nil {
		var diff int64
		for _, d := range rep.Compare {
			diff += d.OnlyPeer + d.OnlySyncer
		}
		f := Figure{Step: "peer", Name: "rows loaded by one side only (users, skills, languages, joined memberships)", Unit: "rows", Value: ptr(float64(diff)), Target: t("<=", 0)}
		f.judge()
		f.TargetText = "0 (both loaded the same users)"
		figs = append(figs, f)
	}
	return figs
}

func peerFolder(o options) (string, error) {
	cands := []string{o.peerDir, filepath.Join(o.root, "..", "shared", "peer"), "/work/shared/peer"}
	for _, c := range cands {
		if c == "" {
			continue
		}
		if _, err := os.Stat(filepath.Join(c, "sync.js")); err == nil {
			return c, nil
		}
	}
	return "", fmt.Errorf("%w (looked in -peer, ../shared/peer, /work/shared/peer)", errPeerMissing)
}

// startEmulator runs `syncer emulator` on a free port and returns its base
// URL and a function that stops it.
func startEmulator(ctx context.Context, o options, id, secret string, log io.Writer) (string, func(), error) {
	cmd := exec.CommandContext(ctx, o.syncer, "emulator", "--users", strconv.Itoa(o.peerUsers), "--seed", "11",
		"--addr", "127.0.0.1:0", "--rate", strconv.Itoa(o.rate), "--client-id", id, "--client-secret", secret)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return "", nil, err
	}
	cmd.Stderr = log
	if err := cmd.Start(); err != nil {
		return "", nil, fmt.Errorf("start emulator: %w", err)
	}
	stop := func() {
		_ = cmd.Process.Signal(os.Interrupt)
		done := make(chan struct{})
		go func() { _ = cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			_ = cmd.Process.Kill()
			<-done
		}
	}
	baseRe := regexp.MustCompile(`^base URL:\s+(http\S+)`)
	found := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		sent := false
		for sc.Scan() {
			fmt.Fprintf(log, "emulator: %s\n", sc.Text())
			if m := baseRe.FindStringSubmatch(sc.Text()); m != nil && !sent {
				found <- m[1]
				sent = true
			}
		}
		if !sent {
			close(found)
		}
	}()
	select {
	case base, ok := <-found:
		if !ok {
			stop()
			return "", nil, fmt.Errorf("emulator exited before printing its base URL")
		}
		return base, stop, nil
	case <-time.After(2 * time.Minute):
		stop()
		return "", nil, fmt.Errorf("emulator did not start within 2 minutes")
	}
}

func getStats(ctx context.Context, base string) (emuStats, error) {
	var st emuStats
	req, err := http.NewRequestWithContext(ctx, "GET", base+"/_emulator/stats", nil)
	if err != nil {
		return st, err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return st, fmt.Errorf("emulator stats: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 {
		return st, fmt.Errorf("emulator stats: status %d", resp.StatusCode)
	}
	return st, json.NewDecoder(resp.Body).Decode(&st)
}

// measured runs cmd and returns its wall time and the emulator's count of
// the calls made meanwhile.
func measured(ctx context.Context, base string, cmd *exec.Cmd) (*sideResult, []byte, error) {
	before, err := getStats(ctx, base)
	if err != nil {
		return nil, nil, err
	}
	var out bytes.Buffer
	cmd.Stdout = &out
	var errb bytes.Buffer
	cmd.Stderr = &errb
	start := time.Now()
	peak, err := procstat.Run(cmd, 20*time.Millisecond)
	res := &sideResult{wall: time.Since(start), peakRSS: float64(peak)}
	if err != nil {
		return nil, out.Bytes(), fmt.Errorf("%s: %w\n%s", filepath.Base(cmd.Path), err, lastLines(out.String()+errb.String(), 20))
	}
	after, err := getStats(ctx, base)
	if err != nil {
		return nil, nil, err
	}
	res.byRoute = after.sub(before)
	for r, n := range res.byRoute {
		if r != "POST /oauth/token" {
			res.refCalls += n
		}
	}
	res.ref429 = after.ByStatus["429"] - before.ByStatus["429"]
	return res, out.Bytes(), nil
}

func runPeerSide(ctx context.Context, o options, work, base, id, secret string, log io.Writer) (*sideResult, error) {
	cmd := exec.CommandContext(ctx, "node", "sync.js")
	cmd.Dir = work
	cmd.Env = append(os.Environ(), "GENESYS_BASE_URL="+base, "GENESYS_CLIENT_ID="+id, "GENESYS_CLIENT_SECRET="+secret,
		"DATABASE_URL="+o.dbURL, "PEER_SCHEMA="+peerSchema, "PAGE_SIZE=100", "STATES=active,inactive", "EXPAND=skills,languages")
	res, out, err := measured(ctx, base, cmd)
	fmt.Fprintf(log, "node sync.js:\n%s\n", out)
	if err != nil {
		return nil, err
	}
	line := strings.TrimSpace(lastLine(string(out)))
	var js map[string]any
	if err := json.Unmarshal([]byte(line), &js); err != nil {
		return nil, fmt.Errorf("peer output %q is not its JSON summary: %w", line, err)
	}
	res.peerJSON = js
	num := func(k string) int64 { v, _ := js[k].(float64); return int64(v) }
	res.ownCalls = num("calls")
	res.ownRateLims = num("rate_limited")
	res.rows = num("users") + num("skills") + num("languages") + num("queues")
	return res, nil
}

var (
	summaryCalls = regexp.MustCompile(`API calls: ([\d,]+) \(minimum for this data ([\d,]+)`)
	summaryRun   = regexp.MustCompile(`run \d+ of \S+: (\w+) in (\S+)`)
)

func runSyncerSide(ctx context.Context, o options, work, base, id, secret string, log io.Writer) (*sideResult, error) {
	conn, err := pgx.Connect(ctx, o.dbURL)
	if err != nil {
		return nil, fmt.Errorf("connect %s: %w", redact(o.dbURL), err)
	}
	_, err = conn.Exec(ctx, "DROP SCHEMA IF EXISTS "+syncerSchema+" CASCADE")
	conn.Close(ctx)
	if err != nil {
		return nil, fmt.Errorf("drop schema %s: %w", syncerSchema, err)
	}
	cfg := filepath.Join(work, "syncer.yaml")
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
  peer-compare:
    streams: [reference, users, skills, languages, queues]
    users:
      states: [active, inactive]
      expand: [skills, languages]
`, base, syncerSchema, o.rate)
	if err := os.WriteFile(cfg, []byte(body), 0o600); err != nil {
		return nil, err
	}
	env := append(os.Environ(), "GENESYS_CLIENT_ID="+id, "GENESYS_CLIENT_SECRET="+secret, "DATABASE_URL="+o.dbURL, "GENESYS_BASE_URL=")
	mig := exec.CommandContext(ctx, o.syncer, "migrate", "--config", cfg)
	mig.Env = env
	if out, err := mig.CombinedOutput(); err != nil {
		return nil, fmt.Errorf("syncer migrate: %w\n%s", err, out)
	}
	cmd := exec.CommandContext(ctx, o.syncer, "run", "peer-compare", "--config", cfg, "--progress", "off")
	cmd.Env = env
	res, out, err := measured(ctx, base, cmd)
	fmt.Fprintf(log, "syncer run:\n%s\n", out)
	if err != nil {
		return nil, err
	}
	m := summaryCalls.FindStringSubmatch(string(out))
	r := summaryRun.FindStringSubmatch(string(out))
	if m == nil || r == nil || r[1] != "succeeded" {
		return nil, fmt.Errorf("syncer run summary not understood:\n%s", out)
	}
	res.ownCalls, res.minCalls = atoi(m[1]), atoi(m[2])
	conn, err = pgx.Connect(ctx, o.dbURL)
	if err != nil {
		return nil, err
	}
	defer conn.Close(ctx)
	for _, tb := range []string{"users", "user_skills", "user_languages", "user_queues"} {
		var n int64
		if err := conn.QueryRow(ctx, "SELECT count(*) FROM "+pgx.Identifier{syncerSchema, tb}.Sanitize()).Scan(&n); err != nil {
			return nil, fmt.Errorf("count %s: %w", tb, err)
		}
		res.rows += n
	}
	return res, nil
}

// compareLoaded counts the rows each side loaded that the other did not.
func compareLoaded(ctx context.Context, dbURL string) (map[string]Differ, error) {
	conn, err := pgx.Connect(ctx, dbURL)
	if err != nil {
		return nil, err
	}
	defer conn.Close(ctx)
	pairs := map[string][2]string{
		"users": {
			"SELECT id FROM syncer_bench.users WHERE state IN ('active','inactive') AND deleted_at IS NULL",
			"SELECT id FROM peer_bench.users WHERE state IN ('active','inactive')"},
		"user_skills": {
			"SELECT user_id, skill_id, proficiency FROM syncer_bench.user_skills",
			"SELECT user_id, skill_id, proficiency FROM peer_bench.user_skills"},
		"user_languages": {
			"SELECT user_id, language_id, proficiency FROM syncer_bench.user_languages",
			"SELECT user_id, language_id, proficiency FROM peer_bench.user_languages"},
		"joined queue memberships": {
			"SELECT user_id, queue_id FROM syncer_bench.user_queues WHERE joined",
			"SELECT user_id, queue_id FROM peer_bench.user_queues WHERE joined"},
	}
	out := map[string]Differ{}
	for name, q := range pairs {
		var d Differ
		err := conn.QueryRow(ctx, fmt.Sprintf(`SELECT (SELECT count(*) FROM (%[1]s) a), (SELECT count(*) FROM (%[2]s) b),
			(SELECT count(*) FROM ((%[1]s) EXCEPT (%[2]s)) x), (SELECT count(*) FROM ((%[2]s) EXCEPT (%[1]s)) y)`, q[0], q[1])).
			Scan(&d.Syncer, &d.Peer, &d.OnlySyncer, &d.OnlyPeer)
		if err != nil {
			return nil, fmt.Errorf("compare %s: %w", name, err)
		}
		out[name] = d
	}
	return out, nil
}

func atoi(s string) int64 {
	n, _ := strconv.ParseInt(strings.ReplaceAll(s, ",", ""), 10, 64)
	return n
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

func lastLine(s string) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	return lines[len(lines)-1]
}

func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

// redact hides a password in a database URL.
func redact(u string) string {
	if i := strings.Index(u, "@"); i > 0 {
		if j := strings.Index(u, "://"); j > 0 && strings.Contains(u[j+3:i], ":") {
			return u[:j+3] + "…" + u[i:]
		}
	}
	return u
}
