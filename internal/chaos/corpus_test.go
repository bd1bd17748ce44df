package chaos

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/usersync/syncer/internal/diff"
	"github.com/usersync/syncer/internal/emulator"
	"github.com/usersync/syncer/internal/feed"
)

// badCorpus is the malformed-feed corpus of internal/feed, each file with
// the golden report of what the feed reader finds in it.
const badCorpus = "../feed/testdata/bad"

// refDifferences are golden texts that depend on the reference data the
// feed tests read with (a skill named "Billing"), and what the emulator's
// org (skills named "Billing - Tier 1"…) makes of them instead.
var refDifferences = []struct{ golden, cli string }{
	{` (did you mean "Billing"?)`, ``},
	{`feeds.<name>.`, `feeds.hr.`}, // the feed tests read without a configured name
}

// writeCalls counts the API requests that change the org: every method
// but GET, except the POSTs that only read (token, search, analytics
// queries and jobs).
func writeCalls(st emulator.Stats) map[string]int64 {
	out := map[string]int64{}
	for route := range st.Routes {
		method, path, _ := strings.Cut(route, " ")
		switch {
		case method == "GET", route == "unmatched",
			path == "/oauth/token", path == "/api/v2/users/search", strings.HasPrefix(path, "/api/v2/analytics/"):
		default:
			out[route] = st.RouteTotal(route)
		}
	}
	return out
}

// scaleSmall rewrites a *_small corpus file, written for a 256-byte record
// bound, for the CLI's 1 MiB bound (feed.DefaultMaxRecordBytes, which no
// configuration key changes): its run of x's, or else its last line,
// repeated past the bound. The golden texts name the bound.
func scaleSmall(body, golden []byte) ([]byte, []byte) {
	const bound = feed.DefaultMaxRecordBytes
	golden = bytes.ReplaceAll(golden, []byte("over 256 bytes"), fmt.Appendf(nil, "over %d bytes", bound))
	if loc := regexp.MustCompile(`x{100,}`).FindIndex(body); loc != nil {
		return append(append(append([]byte{}, body[:loc[0]]...), bytes.Repeat([]byte("x"), bound+1)...), body[loc[1]:]...), golden
	}
	lines := bytes.SplitAfter(bytes.TrimRight(body, "\n"), []byte("\n"))
	last := append(bytes.TrimRight(lines[len(lines)-1], "\n"), '\n')
	out := append(bytes.TrimRight(body, "\n"), '\n')
	for len(out) < bound+bound/4 {
		out = append(out, last...)
	}
	return out, golden
}

// corpusCase is one corpus feed as the CLI gets it.
type corpusCase struct {
	name, path, mode string
	golden           []string
}

// The feed tests' directory holds one executive outside the feed; the
// corpus names them as a manager who exists.
const testExecID, testExecEmail = "E0001", "ceo@example.com"

// loadCorpus reads the corpus, writing into dir the files the CLI must get
// changed: *_small ones scaled (scaleSmall), and the feed tests' executive
// replaced by exec, an active user of the org.
func loadCorpus(t *testing.T, dir string, exec *emulator.UserView) []corpusCase {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(badCorpus, "*"))
	if err != nil {
		t.Fatal(err)
	}
	var out []corpusCase
	for _, f := range files {
		if strings.HasSuffix(f, ".golden") {
			continue
		}
		body, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		golden, err := os.ReadFile(f + ".golden")
		if err != nil {
			t.Fatal(err)
		}
		c := corpusCase{name: filepath.Base(f), mode: string(feed.ModeSnapshot)}
		if c.path, err = filepath.Abs(f); err != nil {
			t.Fatal(err)
		}
		if strings.Contains(c.name, "delta") {
			c.mode = string(feed.ModeDelta)
		}
		scaled := strings.Contains(c.name, "_small")
		if scaled {
			body, golden = scaleSmall(body, golden)
		}
		if exec != nil && (bytes.Contains(body, []byte(testExecID)) || bytes.Contains(body, []byte(testExecEmail))) {
			body = bytes.ReplaceAll(bytes.ReplaceAll(body, []byte(testExecID), []byte(exec.EmployeeID)), []byte(testExecEmail), []byte(exec.Email))
			scaled = true
		}
		if scaled {
			c.path = filepath.Join(dir, c.name)
			if err := os.WriteFile(c.path, body, 0o600); err != nil {
				t.Fatal(err)
			}
		}
		c.golden = strings.Split(strings.TrimSpace(string(golden)), "\n")
		out = append(out, c)
	}
	if len(out) < 39 {
		t.Fatalf("the malformed corpus has %d feeds, want at least 39", len(out))
	}
	return out
}

var rejectedLine = regexp.MustCompile(`^rejected line (\d+) \(employee_id "(.*)", email "(.*)"\)`)

// Every malformed feed of the corpus through `syncer plan`: the problems
// of its golden file on stderr with the path, line, column and field; a
// file that cannot be read exits 1 and plans nothing; the rows it rejects
// are in no part of the plan; no panic; no write to the org and no plan
// journaled. A readable feed whose golden file rejects more than 10% of
// its rows (most of this corpus: a few rows, one or two bad) trips the
// rejected-rows guard and exits 1, its plan saved; the others exit 0 or 2.
// The corpus's small snapshots would offboard most of the org, so the
// other guards are lifted: only the rejected rows decide the exit code.
func TestBadFeedCorpusThroughCLI(t *testing.T) {
	t.Parallel()
	e := newEnv(t, 30, 5, "")
	org := orgState(e.srv)
	var exec *emulator.UserView
	for _, u := range e.srv.Users() {
		if u.State == "active" && u.EmployeeID != "" {
			exec = &u
			break
		}
	}
	cases := loadCorpus(t, e.dir, exec)
	var unreadable, rejectedRows, problems, tripped int
	refreshed := false // a feed judged unusable reads nothing of the org
	for _, c := range cases {
		planFile := filepath.Join(e.dir, c.name+".plan.json")
		args := append([]string{"plan", c.path, "--mode", c.mode, "--out", planFile}, corpusGuardFlags...)
		if refreshed && !fullSuite {
			args = append(args, "--no-refresh") // make test: the org is read once
		}
		code, out, stderr := e.syncer(t, context.Background(), args...)
		refreshed = refreshed || strings.Contains(out, "State refreshed from the org")
		addCount(&tally.inputs, 1)
		noPanic(t, c.name, out+stderr)
		show := func() string {
			return fmt.Sprintf("exit %d\nstdout:\n%s\nstderr:\n%s", code, lastLines(out, 15), lastLines(stderr, 15))
		}
		judgedOnly := strings.Contains(stderr, "nothing is planned and no API call was made")
		for _, g := range c.golden[1:] {
			if strings.HasPrefix(g, "rejected line ") {
				continue
			}
			if judgedOnly && (strings.HasSuffix(g, "(unknown_name)") || strings.HasSuffix(g, "(manager_not_found)")) {
				continue // needs the org's names: never looked at for a feed refused before any call
			}
			want := filepath.Dir(c.path) + string(filepath.Separator) + g
			for _, d := range refDifferences {
				want = strings.ReplaceAll(want, d.golden, d.cli)
			}
			if !strings.Contains(stderr, want) {
				t.Errorf("%s: stderr does not hold the golden problem\n  %s\n%s", c.name, want, show())
			}
			problems++
		}
		_, err := os.Stat(planFile)
		if c.golden[0] == "FILE REJECTED" {
			unreadable++
			if code != 1 || !strings.Contains(stderr, "cannot be used") || !strings.Contains(stderr, "no API call was made") || err == nil {
				t.Errorf("%s: an unreadable feed must fail with nothing planned: %s", c.name, show())
			}
			continue
		}
		if err != nil && strings.Contains(stderr, "nothing is planned and no API call was made") {
			// Rows rejected by what needs no org data (syntax, fields)
			// over the limit: refused before any call, nothing saved.
			tripped++
			if code != 1 || !strings.Contains(stderr, "rejected") {
				t.Errorf("%s: a feed refused for its rejected rows must exit 1 naming the guard: %s", c.name, show())
			}
			continue
		}
		if err != nil {
			t.Errorf("%s: a readable feed must be planned (plan saved): %v %s", c.name, err, show())
			continue
		}
		n, rows := checkRejectedNotPlanned(t, c, planFile)
		rejectedRows += n
		if 100*float64(n) > diff.DefaultMaxRejectedPercent*float64(rows) {
			tripped++
			if code != 1 || !strings.Contains(out, "TRIPPED max_rejected_percent: ") || !strings.Contains(out, "--max-rejected-percent") || !strings.Contains(stderr, "(max_rejected_percent)") {
				t.Errorf("%s: %d of %d rows rejected must trip the rejected-rows guard (exit 1): %s", c.name, n, rows, show())
			}
			continue
		}
		if code != 0 && code != 2 || !strings.Contains(out, "ok      max_rejected_percent: ") {
			t.Errorf("%s: a readable feed under the rejected-rows limit (%d of %d rows rejected) must exit 0 or 2: %s", c.name, n, rows, show())
		}
	}
	if w := writeCalls(e.srv.Stats()); len(w) > 0 {
		t.Errorf("planning the corpus wrote to the org: %v", w)
	}
	if got := orgState(e.srv); !equal(got, org) {
		t.Error("the org changed while the corpus was planned")
	}
	if n := e.count(t, "SELECT (SELECT count(*) FROM "+e.table("plans")+") + (SELECT count(*) FROM "+e.table("plan_operations")+")"); n != 0 {
		t.Errorf("%d plan rows journaled by plan alone", n)
	}
	t.Logf("corpus: %d feeds through syncer plan: %d unreadable (exit 1), %d tripping the rejected-rows guard (exit 1), %d rows rejected and planned for nothing, %d golden problems on stderr",
		len(cases), unreadable, tripped, rejectedRows, problems)
}

// corpusGuardFlags lift every guard but the rejected-rows one.
var corpusGuardFlags = []string{"--max-offboards", "1000", "--max-offboard-percent", "100", "--max-queue-loss-percent", "100", "--max-changes", "0"}

// checkRejectedNotPlanned fails when a row the golden file rejects shows
// in the saved plan, by line, employee id or email; it returns the rows
// checked and the feed's data rows.
func checkRejectedNotPlanned(t *testing.T, c corpusCase, planFile string) (int, int) {
	t.Helper()
	b, err := os.ReadFile(planFile)
	if err != nil {
		t.Fatal(err)
	}
	var p diff.Plan
	if err := json.Unmarshal(b, &p); err != nil {
		t.Fatalf("%s: saved plan: %v", c.name, err)
	}
	var n int
	for _, g := range c.golden {
		m := rejectedLine.FindStringSubmatch(g)
		if m == nil {
			continue
		}
		n++
		for _, u := range p.Users {
			if fmt.Sprint(u.Line) == m[1] || m[2] != "" && strings.EqualFold(u.EmployeeID, m[2]) || m[3] != "" && strings.EqualFold(u.Email, m[3]) {
				t.Errorf("%s: rejected line %s is planned: %s %s <%s> line %d", c.name, m[1], u.Action, u.Key, u.Email, u.Line)
			}
		}
	}
	if n != p.Rejected.Count {
		t.Errorf("%s: the plan counts %d rejected rows, the golden file %d", c.name, p.Rejected.Count, n)
	}
	return n, p.FeedRows
}
