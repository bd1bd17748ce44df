package main

import (
	"bytes"
	"cmp"
	"context"
	"encoding/csv"
	"flag"
	"fmt"
	"image"
	_ "image/png"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/usersync/syncer/internal/console"
	"github.com/usersync/syncer/internal/emulator"
	"github.com/usersync/syncer/internal/pgtest"
)

var screenshots = flag.Bool("screenshots", false, "write the console's screenshots into docs/ (console-*.png)")

// chromiumPath finds Debian's chromium (.ci/run installs it), or skips.
func chromiumPath(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv("CI") != "" {
		t.Fatal("no chromium on PATH in CI: .ci/run installs it (apt-get install -y chromium)")
	}
	t.Skip("no chromium on PATH: the console's browser tests need it (apt-get install -y chromium; .ci/run installs it)")
	return ""
}

// hostileJoiner is the name of the joiner the HR feed brings: a script.
const hostileJoiner = `<script>alert("pwned")</script>`

// The console end to end, in Chromium: `syncer serve` with the console on,
// against the emulator and Postgres, two scheduled feeds whose plans trip a
// guard and are parked; a viewer and an approver sign in.
//
// Not parallel: the tests set environment variables.
func TestConsoleInTheBrowser(t *testing.T) {
	chromium := chromiumPath(t)
	if testing.Short() {
		t.Skip("browser test skipped with -short")
	}
	dir := t.TempDir()
	e := newCLIEnv(t, 120, "  nightly:\n    schedule: \"@every 1h\"\n    streams: [reference, users, skills, languages, queues, roles]\n")
	db := pgtest.Pool(t, e.dbURL, e.schema)
	scan := func(t *testing.T, db *pgxpool.Pool, q string, args []any, dest ...any) {
		t.Helper()
		if err := db.QueryRow(context.Background(), q, args...).Scan(dest...); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	var movers []emulator.UserView
	for _, u := range e.srv.Users() {
		if u.State == "active" && u.EmployeeID != "" && len(movers) < 4 {
			movers = append(movers, u)
		}
	}
	if len(movers) < 4 {
		t.Fatal("the emulated org has fewer than 4 active users with an employee id")
	}
	// hr: a joiner named by a script, with a formula for a title, a mover,
	// and a row that is rejected; two changes trip max_changes 1.
	hr := filepath.Join(dir, "hr.csv")
	writeCSV(t, hr, [][]string{
		{"employee_id", "email", "name", "title", "action"},
		{"H9001", "script.joiner@example.com", hostileJoiner, `=HYPERLINK("http://evil.example/","Click")`, "upsert"},
		{movers[0].EmployeeID, movers[0].Email, movers[0].Name, "Team Lead", "upsert"},
		{"H9003", "not-an-email", "Broken Row", "Agent", "upsert"},
	})
	reorg := filepath.Join(dir, "reorg.csv")
	writeCSV(t, reorg, [][]string{
		{"employee_id", "email", "name", "title", "action"},
		{movers[1].EmployeeID, movers[1].Email, movers[1].Name, "Manager", "upsert"},
		{movers[2].EmployeeID, movers[2].Email, movers[2].Name, "Manager", "upsert"},
	})
	appendFile(t, e.cfg, fmt.Sprintf(`feeds:
  hr:
    path: %s
    mode: delta
    schedule: "@every 1h"
    guards:
      max_changes: 1
      max_rejected_percent: 50
  reorg:
    path: %s
    mode: delta
    schedule: "@every 1h"
    guards:
      max_changes: 1
serve:
  addr: 127.0.0.1:0
  run_on_start: true
  shutdown_grace: 5s
  lease_ttl: 2s
  console:
    enabled: true
`, hr, reorg))
	const anaPassword, veraPassword = "ana-approves-plans", "vera-only-looks"
	anaHash, err := console.HashPassword(anaPassword)
	if err != nil {
		t.Fatal(err)
	}
	veraHash, err := console.HashPassword(veraPassword)
	if err != nil {
		t.Fatal(err)
	}
	t.Setenv(console.DefaultAccountsEnv, "ana:approver:"+anaHash+"\nvera:viewer:"+veraHash)

	// Runs for the charts: loads of the pipeline, the org churning between
	// them, some under faults: 5xx answers and connection resets retried
	// (calls above the minimum), a 429 storm, an error that is not retried
	// (a failed run).
	e.migrate(t)
	for i, f := range []emulator.Faults{
		{},
		{ErrorRate: 0.1},
		{ErrorRate: 0.25, ResetRate: 0.05},
		{ErrorRate: 1, ErrorStatuses: []int{501}},
		{StormSeconds: 1, StormRetryAfter: 1},
		{},
	} {
		if err := e.srv.SetFaults(f); err != nil {
			t.Fatal(err)
		}
		// Transient faults may fail a run too (when they hit the token
		// request); only the one that is never retried must.
		code, out, errOut := e.syncer(t, "run", "nightly", "--config", e.cfg)
		if f.ErrorRate == 1 && code == exitOK || f.ErrorRate == 0 && f.StormSeconds == 0 && code != exitOK {
			t.Fatalf("run %d under %+v = %d\n%s\n%s", i, f, code, out, errOut)
		}
		if i == 5 {
			// The last load is of the org as the feeds will plan it: serve's
			// first run of nightly then loads nothing new, and an approved
			// plan stays fresh.
			break
		}
		if _, err := e.srv.Mutate(emulator.MutateRequest{Seed: int64(i + 1), Percent: 10}); err != nil {
			t.Fatal(err)
		}
	}
	if err := e.srv.SetFaults(emulator.Faults{}); err != nil {
		t.Fatal(err)
	}
	srv := startServe(t, e.cfg)
	defer srv.cancel()
	if !strings.Contains(srv.errb.String(), `"msg":"web console"`) {
		t.Errorf("serve did not log the console's address:\n%s", srv.errb.String())
	}
	parked := map[string]string{}
	defer func() {
		if t.Failed() {
			t.Logf("serve's log:\n%s", srv.errb.String())
		}
	}()
	waitUntil(t, 90*time.Second, "both feeds to park their plans", func() bool {
		for _, feed := range []string{"hr", "reorg"} {
			var id string
			scan(t, db, "SELECT coalesce(max(plan_id), '') FROM plan_approvals WHERE feed = $1 AND status = 'awaiting_approval'", []any{feed}, &id)
			parked[feed] = id
		}
		return parked["hr"] != "" && parked["reorg"] != ""
	})
	base := srv.base + "/console/"

	alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(),
		append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(chromium), chromedp.NoSandbox, chromedp.WindowSize(1280, 800),
			chromedp.Flag("disable-dev-shm-usage", true))...)
	defer cancelAlloc()
	var dialogs dialogLog
	ana, cancelAna := chromedp.NewContext(alloc, chromedp.WithListener(dialogs.listen))
	defer cancelAna()
	run := func(t *testing.T, ctx context.Context, what string, steps ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		tctx, cancel := context.WithTimeout(ctx, 30*time.Second)
		defer cancel()
		if err := chromedp.Do(tctx, steps...); err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}
	text := func(t *testing.T, ctx context.Context, js string) string {
		t.Helper()
		tctx, cancel := context.WithTimeout(ctx, 30*time.Second)
		defer cancel()
		v, err := chromedp.Run(tctx, chromedp.Evaluate[string](js))
		if err != nil {
			t.Fatalf("evaluate %s: %v", js, err)
		}
		return v
	}
	// The browser starts with the first Run, outside any timeout.
	if err := chromedp.Do(ana, chromedp.EmulateViewport(1280, 800)); err != nil {
		t.Fatalf("start chromium: %v", err)
	}

	t.Run("sign in with the keyboard", func(t *testing.T) {
		run(t, ana, "open the console", chromedp.Navigate(base), chromedp.WaitVisible(chromedp.CSS("#name")))
		if loc := text(t, ana, "location.pathname"); loc != "/console/login" {
			t.Fatalf("an anonymous visit landed on %s, want the sign-in page", loc)
		}
		// The name field has the focus; type, Tab to the password, Enter.
		run(t, ana, "type the sign-in", chromedp.KeyEvent("ana"), chromedp.KeyEvent(kb.Tab), chromedp.KeyEvent(anaPassword), chromedp.KeyEvent(kb.Enter),
			chromedp.WaitVisible(chromedp.CSS(".who")))
		if who := text(t, ana, "document.querySelector('.who').innerText"); !strings.Contains(who, "ana") || !strings.Contains(who, "approver") {
			t.Errorf("signed in as %q, want ana (approver)", who)
		}
	})

	t.Run("keyboard navigation", func(t *testing.T) {
		run(t, ana, "open the pipelines", chromedp.Navigate(base), chromedp.WaitVisible(chromedp.CSS("main h1")))
		run(t, ana, "first Tab", chromedp.KeyEvent(kb.Tab))
		if f := text(t, ana, "document.activeElement.textContent"); f != "Skip to content" {
			t.Errorf("the first Tab focuses %q, want the skip link", f)
		}
		if vis := text(t, ana, "String(document.activeElement.getBoundingClientRect().left >= 0)"); vis != "true" {
			t.Error("the focused skip link is off screen")
		}
		run(t, ana, "follow the skip link", chromedp.KeyEvent(kb.Enter))
		if f := text(t, ana, "document.activeElement.id"); f != "main" {
			t.Errorf("after the skip link the focus is on %q, want main", f)
		}
		// Tab through the header: brand, then the four pages, then sign out.
		run(t, ana, "back to the top", chromedp.Navigate(base), chromedp.WaitVisible(chromedp.CSS("main h1")))
		var order []string
		for range 7 {
			run(t, ana, "Tab", chromedp.KeyEvent(kb.Tab))
			order = append(order, text(t, ana, "document.activeElement.textContent.trim()"))
		}
		want := []string{"Skip to content", "syncer console", "Pipelines", "Runs", "Feeds", "Plans", "Sign out"}
		if strings.Join(order, "|") != strings.Join(want, "|") {
			t.Errorf("Tab order = %q, want %q", order, want)
		}
		// A focused link shows it: an outline, not just a colour.
		if o := text(t, ana, "getComputedStyle(document.activeElement).outlineStyle"); o == "none" {
			t.Errorf("the focused element has no outline")
		}
		// Enter on a focused link follows it.
		run(t, ana, "to Feeds", chromedp.Navigate(base), chromedp.WaitVisible(chromedp.CSS("main h1")))
		for range 5 {
			run(t, ana, "Tab", chromedp.KeyEvent(kb.Tab))
		}
		run(t, ana, "Enter", chromedp.KeyEvent(kb.Enter), chromedp.WaitVisible(chromedp.CSS(`a[aria-current="page"][href="/console/feeds"]`)))
	})

	t.Run("pages at 1280x800, and screenshots", func(t *testing.T) {
		out := cmp.Or(os.Getenv("CONSOLE_SHOTS"), t.TempDir())
		if *screenshots {
			out = filepath.Join("..", "..", "docs")
		}
		var runID string
		queryRow(t, e, "SELECT max(id)::text FROM sync_runs WHERE pipeline = 'nightly' AND status = 'succeeded'", &runID)
		for _, p := range []struct{ name, path, wait string }{
			{"pipelines", "", "figure.chart svg"},
			{"runs", "runs", "table"},
			{"run", "runs/" + runID, "table"},
			{"feeds", "feeds", "section.card"},
			{"plans", "plans", "table"},
			{"plan", "plans/" + parked["hr"], "pre.plan"},
		} {
			run(t, ana, "open "+p.name, chromedp.Navigate(base+p.path), chromedp.WaitVisible(chromedp.CSS(p.wait)))
			if w := text(t, ana, "String(document.documentElement.scrollWidth)"); w != "1280" {
				t.Errorf("%s is %s px wide at 1280x800: it scrolls sideways", p.name, w)
			}
			if p.name == "pipelines" {
				// Both charts of each job, a bar per run of nightly.
				if n, _ := strconv.Atoi(text(t, ana, "String(document.querySelectorAll('section.card figure.chart').length)")); n < 6 {
					t.Errorf("charts on the pipelines page: %d, want 2 for each of nightly, feed:hr and feed:reorg", n)
				}
				if n, _ := strconv.Atoi(text(t, ana, "String(document.querySelector('figure.chart svg').querySelectorAll('rect').length)")); n < 3 {
					t.Errorf("nightly's first chart has %d bars, want one per run (at least the 3 before serve)", n)
				}
			}
			saveScreenshot(t, ana, filepath.Join(out, "console-"+p.name+".png"), 1280, 800)
		}
		// At phone width nothing runs off the side but the tables, which scroll in their box.
		run(t, ana, "phone width", chromedp.EmulateViewport(390, 844), chromedp.Navigate(base), chromedp.WaitVisible(chromedp.CSS("figure.chart svg")))
		if w := text(t, ana, "String(document.documentElement.scrollWidth)"); w != "390" {
			t.Errorf("the pipelines page is %s px wide at 390 px: it scrolls sideways", w)
		}
		run(t, ana, "phone plan", chromedp.Navigate(base+"plans/"+parked["hr"]), chromedp.WaitVisible(chromedp.CSS("pre.plan")))
		if w := text(t, ana, "String(document.documentElement.scrollWidth)"); w != "390" {
			t.Errorf("the plan page is %s px wide at 390 px: it scrolls sideways", w)
		}
		saveScreenshot(t, ana, filepath.Join(out, "console-phone.png"), 390, 844)
		run(t, ana, "back to 1280x800", chromedp.EmulateViewport(1280, 800), chromedp.Navigate(base+"plans/"+parked["hr"]), chromedp.WaitVisible(chromedp.CSS("pre.plan")))
		diff, err := chromedp.Run(ana, chromedp.Screenshot(chromedp.CSS("pre.plan")))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(out, "console-plan-diff.png"), diff, 0o644); err != nil {
			t.Fatal(err)
		}
		run(t, ana, "back to 1280x800", chromedp.EmulateViewport(1280, 800))
	})

	t.Run("a script in a feed renders as text", func(t *testing.T) {
		run(t, ana, "open the hr plan", chromedp.Navigate(base+"plans/"+parked["hr"]), chromedp.WaitVisible(chromedp.CSS("pre.plan")))
		diff := text(t, ana, "document.querySelector('pre.plan').innerText")
		if !strings.Contains(diff, "+ "+hostileJoiner) || !strings.Contains(diff, `=HYPERLINK(`) {
			t.Errorf("the plan's diff does not show the joiner's name and title as text:\n%s", diff)
		}
		if n := text(t, ana, "String(document.scripts.length)"); n != "0" {
			t.Errorf("the page has %s script elements, want none", n)
		}
		if rejected := text(t, ana, "document.querySelector('.rejected').innerText"); !strings.Contains(rejected, hr+":4") || strings.Count(rejected, hr) != 1 {
			t.Errorf("rejected rows = %q, want the row at %s:4", rejected, hr)
		}
		if d := dialogs.list(); len(d) > 0 {
			t.Errorf("a page opened dialogs: %q", d)
		}
	})

	t.Run("a viewer cannot approve", func(t *testing.T) {
		// In the same tab: ana signs out, vera signs in, then ana again.
		run(t, ana, "ana signs out", chromedp.Navigate(base), chromedp.WaitVisible(chromedp.CSS(".who button")), chromedp.Click(chromedp.CSS(".who button")),
			chromedp.WaitVisible(chromedp.CSS("#name")))
		vera := ana
		defer run(t, ana, "ana signs in again", chromedp.Navigate(base), chromedp.WaitVisible(chromedp.CSS(".who button")), chromedp.Click(chromedp.CSS(".who button")),
			chromedp.WaitVisible(chromedp.CSS("#name")), chromedp.SendKeys(chromedp.CSS("#name"), "ana"), chromedp.SendKeys(chromedp.CSS("#password"), anaPassword),
			chromedp.Click(chromedp.CSS("form.login button")), chromedp.WaitVisible(chromedp.CSS(".who button")))
		run(t, vera, "vera signs in", chromedp.Navigate(base+"plans/"+parked["hr"]), chromedp.WaitVisible(chromedp.CSS("#name")),
			chromedp.SendKeys(chromedp.CSS("#name"), "vera"), chromedp.SendKeys(chromedp.CSS("#password"), veraPassword),
			chromedp.Click(chromedp.CSS("form.login button")), chromedp.WaitVisible(chromedp.CSS("pre.plan")))
		if who := text(t, vera, "document.querySelector('.who').innerText"); !strings.Contains(who, "vera") || !strings.Contains(who, "viewer") {
			t.Errorf("signed in as %q, want vera (viewer)", who)
		}
		if n := text(t, vera, "String(document.querySelectorAll('button.approve, button.reject').length)"); n != "0" {
			t.Errorf("the viewer sees %s decision buttons", n)
		}
		if note := text(t, vera, "document.querySelector('section.decide').innerText"); !strings.Contains(note, "Only an approver") {
			t.Errorf("the viewer's plan page says %q", note)
		}
		// Her session cannot decide even with the page's token.
		token := text(t, vera, "document.querySelector('input[name=csrf]').value")
		code, _ := postWithCookies(t, vera, base+"plans/"+parked["hr"]+"/approve", url.Values{"csrf": {token}, "reason": {"mine now"}})
		if code != http.StatusForbidden {
			t.Errorf("the viewer's approval = %d, want 403", code)
		}
	})

	t.Run("a request without the CSRF token is refused", func(t *testing.T) {
		code, body := postWithCookies(t, ana, base+"plans/"+parked["hr"]+"/approve", url.Values{"reason": {"no token"}})
		if code != http.StatusForbidden || !strings.Contains(body, "CSRF token") {
			t.Errorf("approve without the token = %d", code)
		}
		var status string
		scan(t, db, "SELECT status FROM plan_approvals WHERE plan_id = $1", []any{parked["hr"]}, &status)
		if status != "awaiting_approval" {
			t.Errorf("after refused requests the plan is %s", status)
		}
	})

	t.Run("the approver approves; the org changes", func(t *testing.T) {
		run(t, ana, "approve", chromedp.Navigate(base+"plans/"+parked["hr"]), chromedp.WaitVisible(chromedp.CSS("button.approve")),
			chromedp.SendKeys(chromedp.CSS("#approve-reason"), "joiner confirmed with HR"), chromedp.Click(chromedp.CSS("button.approve")), chromedp.WaitVisible(chromedp.CSS(".note")))
		if note := text(t, ana, "document.querySelector('.note').innerText"); !strings.HasPrefix(note, "Approved") {
			t.Errorf("after approving, the page says %q", note)
		}
		waitUntil(t, 60*time.Second, "the approved plan to be applied", func() bool {
			var status string
			scan(t, db, "SELECT status FROM plan_approvals WHERE plan_id = $1", []any{parked["hr"]}, &status)
			return status == "applied"
		})
		run(t, ana, "reload", chromedp.Navigate(base+"plans/"+parked["hr"]), chromedp.WaitVisible(chromedp.CSS("pre.plan")))
		facts := text(t, ana, "document.querySelector('dl.facts').innerText")
		if !strings.Contains(facts, "applied") || !strings.Contains(facts, "ana") || !strings.Contains(facts, "joiner confirmed with HR") {
			t.Errorf("the applied plan's page says:\n%s", facts)
		}
		if journal := text(t, ana, "document.querySelector('ol.events').innerText"); !strings.Contains(journal, "approved by ana") || !strings.Contains(journal, "applied") {
			t.Errorf("approval journal:\n%s", journal)
		}
		var joiner, mover *emulator.UserView
		for _, u := range e.srv.Users() {
			switch {
			case strings.EqualFold(u.Email, "script.joiner@example.com"):
				joiner = &u
			case u.ID == movers[0].ID:
				mover = &u
			}
		}
		if joiner == nil || joiner.Name != hostileJoiner {
			t.Errorf("the joiner is %+v, want created with its name verbatim", joiner)
		}
		if mover == nil || mover.Title != "Team Lead" {
			t.Errorf("the mover is %+v, want title Team Lead", mover)
		}
	})

	t.Run("the approver rejects another plan", func(t *testing.T) {
		run(t, ana, "reject", chromedp.Navigate(base+"plans/"+parked["reorg"]), chromedp.WaitVisible(chromedp.CSS("button.reject")),
			chromedp.SendKeys(chromedp.CSS("#reject-reason"), "the reorg is next month"), chromedp.Click(chromedp.CSS("button.reject")), chromedp.WaitVisible(chromedp.CSS(".note")))
		var status, reason string
		scan(t, db, "SELECT status, reason FROM plan_approvals WHERE plan_id = $1", []any{parked["reorg"]}, &status, &reason)
		if status != "rejected" || reason != "the reorg is next month" {
			t.Errorf("reorg plan = %s (%q), want rejected with the reason", status, reason)
		}
		for _, m := range movers[1:3] {
			for _, u := range e.srv.Users() {
				if u.ID == m.ID && u.Title == "Manager" {
					t.Errorf("the rejected plan changed %s", u.Email)
				}
			}
		}
	})

	t.Run("sign out", func(t *testing.T) {
		run(t, ana, "sign out", chromedp.Navigate(base), chromedp.WaitVisible(chromedp.CSS(".who button")), chromedp.Click(chromedp.CSS(".who button")), chromedp.WaitVisible(chromedp.CSS("#name")))
		run(t, ana, "come back", chromedp.Navigate(base+"plans"), chromedp.WaitVisible(chromedp.CSS("#name")))
		if d := dialogs.list(); len(d) > 0 {
			t.Errorf("pages opened dialogs: %q", d)
		}
	})
}

// dialogLog records the JavaScript dialogs pages open (an alert from an
// injected script would be one).
type dialogLog struct {
	mu   sync.Mutex
	msgs []string
}

func (d *dialogLog) listen(ev any) {
	if e, ok := ev.(*page.EventJavascriptDialogOpening); ok {
		d.mu.Lock()
		d.msgs = append(d.msgs, e.Message)
		d.mu.Unlock()
	}
}

func (d *dialogLog) list() []string {
	d.mu.Lock()
	defer d.mu.Unlock()
	return append([]string(nil), d.msgs...)
}

// postWithCookies posts form to u with the browser's cookies, as a form of
// the same site would be posted.
func postWithCookies(t *testing.T, ctx context.Context, u string, form url.Values) (int, string) {
	t.Helper()
	res, err := chromedp.Call(ctx, network.GetCookies, network.GetCookiesParams{URLs: []string{u}})
	if err != nil {
		t.Fatal(err)
	}
	req, _ := http.NewRequest(http.MethodPost, u, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	for _, c := range res.Cookies {
		req.AddCookie(&http.Cookie{Name: c.Name, Value: c.Value})
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var b bytes.Buffer
	_, _ = b.ReadFrom(resp.Body)
	return resp.StatusCode, b.String()
}

// saveScreenshot captures the viewport as a PNG of w×h at path.
func saveScreenshot(t *testing.T, ctx context.Context, path string, w, h int) {
	t.Helper()
	png, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
	if err != nil {
		t.Fatal(err)
	}
	cfg, format, err := image.DecodeConfig(bytes.NewReader(png))
	if err != nil || format != "png" || cfg.Width != w || cfg.Height != h {
		t.Errorf("screenshot %s: %s %dx%d, %v; want a %dx%d PNG", filepath.Base(path), format, cfg.Width, cfg.Height, err, w, h)
	}
	if err := os.WriteFile(path, png, 0o644); err != nil {
		t.Fatal(err)
	}
}

func writeCSV(t *testing.T, path string, rows [][]string) {
	t.Helper()
	var b bytes.Buffer
	w := csv.NewWriter(&b)
	if err := w.WriteAll(rows); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, b.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
}

func appendFile(t *testing.T, path, body string) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.WriteString(body); err != nil {
		t.Fatal(err)
	}
}
