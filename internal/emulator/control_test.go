package emulator

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"reflect"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

func TestRateLimit(t *testing.T) {
	t.Parallel()
	clock := newFakeClock()
	e := newEnv(t, Config{Users: 50, RatePerMinute: 3, Now: clock.Now})
	other := e.login()
	for n := 1; n <= 3; n++ {
		r := e.get("/api/v2/users", 200, nil)
		if r.header.Get(HeaderRateAllowed) != "3" || r.header.Get(HeaderRateCount) != strconv.Itoa(n) || r.header.Get(HeaderRateReset) != "60" {
			t.Fatalf("request %d headers: allowed %q count %q reset %q", n, r.header.Get(HeaderRateAllowed), r.header.Get(HeaderRateCount), r.header.Get(HeaderRateReset))
		}
	}
	clock.Advance(20*time.Second + 500*time.Millisecond)
	r := e.do("GET", "/api/v2/users", nil)
	if r.status != 429 || r.header.Get("Retry-After") != "40" || r.header.Get(HeaderRateReset) != "40" {
		t.Fatalf("4th request: %d Retry-After %q reset %q", r.status, r.header.Get("Retry-After"), r.header.Get(HeaderRateReset))
	}
	body := r.errorBody(t)
	if body["code"] != "too.many.requests.retry.after" || body["message"] != "Rate limit exceeded the maximum. Retry the request in [40] seconds" {
		t.Fatalf("429 body %s", r.body)
	}
	// Another token has its own budget.
	if r := e.doToken(other, "GET", "/api/v2/users", nil); r.status != 200 || r.header.Get(HeaderRateCount) != "1" {
		t.Fatalf("other token: %d count %q", r.status, r.header.Get(HeaderRateCount))
	}
	// The window ends; a new one opens with the next request.
	clock.Advance(40 * time.Second)
	if r := e.get("/api/v2/users", 200, nil); r.header.Get(HeaderRateCount) != "1" {
		t.Fatalf("new window count %q", r.header.Get(HeaderRateCount))
	}
	// Switched off at run time: no headers, no 429.
	e.s.SetRatePerMinute(0)
	for range 5 {
		if r := e.get("/api/v2/users", 200, nil); r.header.Get(HeaderRateAllowed) != "" {
			t.Fatal("rate headers while rate limiting is off")
		}
	}
	// Control routes are never limited.
	e.s.SetRatePerMinute(1)
	for range 3 {
		e.get("/_emulator/stats", 200, nil)
	}
}

func TestFaultErrorRate(t *testing.T) {
	t.Parallel()
	e := newEnv(t, Config{Users: 50})
	if err := e.s.SetFaults(Faults{ErrorRate: 1, ErrorStatuses: []int{503}}); err != nil {
		t.Fatal(err)
	}
	r := e.do("GET", "/api/v2/users", nil)
	if r.status != 503 || r.errorBody(t)["code"] != "service.unavailable" {
		t.Fatalf("errorRate 1: %d %s", r.status, r.body)
	}
	// Half the requests fail, the same ones for the same seed; every 5xx
	// status is drawn.
	run := func() []int {
		s, _ := New(Config{Users: 20, Seed: 9, RatePerMinute: -1})
		if err := s.SetFaults(Faults{ErrorRate: 0.5}); err != nil {
			t.Fatal(err)
		}
		token := s.tokens.issue()
		var got []int
		for range 200 {
			req, _ := http.NewRequest("GET", "/api/v2/users/search?q64=e30=", nil)
			req.Header.Set("Authorization", "Bearer "+token)
			rec := newRecorder()
			s.ServeHTTP(rec, req)
			got = append(got, rec.status)
		}
		return got
	}
	a, b := run(), run()
	if !reflect.DeepEqual(a, b) {
		t.Fatal("same seed, different faults")
	}
	seen := map[int]int{}
	for _, st := range a {
		seen[st]++
	}
	if seen[200] < 60 || seen[200] > 140 || seen[500] == 0 || seen[502] == 0 || seen[503] == 0 || seen[504] == 0 {
		t.Fatalf("statuses %v, want about half 200 and every 5xx", seen)
	}
}

func TestFaultConnectionReset(t *testing.T) {
	t.Parallel()
	e := newEnv(t, Config{Users: 50})
	if err := e.s.SetFaults(Faults{ResetRate: 1}); err != nil {
		t.Fatal(err)
	}
	req, _ := http.NewRequest("GET", e.ts.URL+"/api/v2/users", nil)
	req.Header.Set("Authorization", "Bearer "+e.token)
	resp, err := http.DefaultClient.Do(req)
	if err == nil {
		resp.Body.Close()
		t.Fatalf("reset fault answered %d", resp.StatusCode)
	}
	if !errors.Is(err, syscall.ECONNRESET) && !errors.Is(err, io.EOF) && !strings.Contains(err.Error(), "EOF") {
		t.Fatalf("error %v, want a connection reset", err)
	}
	if err := e.s.SetFaults(Faults{}); err != nil {
		t.Fatal(err)
	}
	e.get("/api/v2/users", 200, nil)
	if n := e.s.Stats().Count("GET /api/v2/users", 0); n != 1 {
		t.Fatalf("resets counted %d, want 1", n)
	}
}

func TestFaultStormAndLatencyOverHTTP(t *testing.T) {
	t.Parallel()
	clock := newFakeClock()
	e := newEnv(t, Config{Users: 50, Now: clock.Now})
	var f Faults
	r := e.do("PUT", "/_emulator/faults", Faults{StormSeconds: 30, StormRetryAfter: 7})
	if r.status != 200 {
		t.Fatalf("PUT faults: %d %s", r.status, r.body)
	}
	r.decode(t, &f)
	if f.StormSeconds != 30 {
		t.Fatalf("storm left %d", f.StormSeconds)
	}
	for _, path := range []string{"/api/v2/users", "/api/v2/routing/skills"} {
		r := e.do("GET", path, nil)
		if r.status != 429 || r.header.Get("Retry-After") != "7" || r.errorBody(t)["code"] != "too.many.requests.retry.after" {
			t.Fatalf("storm: %d Retry-After %q", r.status, r.header.Get("Retry-After"))
		}
	}
	clock.Advance(10 * time.Second)
	e.get("/_emulator/faults", 200, &f)
	if f.StormSeconds != 20 {
		t.Fatalf("storm left %d, want 20", f.StormSeconds)
	}
	clock.Advance(20 * time.Second)
	e.get("/api/v2/users", 200, nil)

	// Latency: base plus jitter, and spikes.
	e.do("PUT", "/_emulator/faults", Faults{LatencyMs: 60, JitterMs: 10, SpikeRate: 1, SpikeMs: 40})
	start := time.Now()
	e.get("/api/v2/users", 200, nil)
	if d := time.Since(start); d < 100*time.Millisecond {
		t.Fatalf("request took %v, want at least 100ms of injected latency", d)
	}

	// Token revocation through the faults API.
	r = e.do("PUT", "/_emulator/faults", Faults{RevokeTokens: true})
	r.decode(t, &f)
	if f.RevokeTokens {
		t.Fatal("revokeTokens is one-shot but GET shows it")
	}
	e.get("/api/v2/users", 401, nil)

	for _, bad := range []Faults{{ErrorRate: 2}, {LatencyMs: -1}, {ErrorStatuses: []int{404}}} {
		if r := e.do("PUT", "/_emulator/faults", bad); r.status != 400 {
			t.Fatalf("PUT %+v: %d", bad, r.status)
		}
	}
	if r := e.do("PUT", "/_emulator/faults", "nope"); r.status != 400 {
		t.Fatalf("PUT bad JSON: %d", r.status)
	}
}

func TestFaultsApplyToLogin(t *testing.T) {
	t.Parallel()
	s, err := New(Config{Users: 10, Faults: Faults{ErrorRate: 1, ErrorStatuses: []int{502}}})
	if err != nil {
		t.Fatal(err)
	}
	req, _ := http.NewRequest("POST", "/oauth/token", strings.NewReader("grant_type=client_credentials"))
	req.SetBasicAuth(DefaultClientID, DefaultClientSecret)
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	rec := newRecorder()
	s.ServeHTTP(rec, req)
	if rec.status != 502 {
		t.Fatalf("login under errorRate 1: %d", rec.status)
	}
	if _, err := New(Config{Faults: Faults{ResetRate: -1}}); err == nil {
		t.Fatal("New accepted a negative reset rate")
	}
}

func TestStats(t *testing.T) {
	t.Parallel()
	e := newEnv(t, Config{Users: 50})
	id := e.s.Users()[0].ID
	e.get("/api/v2/users", 200, nil)
	e.get("/api/v2/users", 200, nil)
	e.get("/api/v2/users?pageSize=900", 400, nil)
	e.get("/api/v2/users/"+id+"/queues", 200, nil)
	e.get("/api/v2/users/"+e.s.Users()[1].ID+"/queues", 200, nil)
	e.doToken("", "GET", "/api/v2/users", nil)
	e.do("GET", "/nowhere", nil)
	var st Stats
	e.get("/_emulator/stats", 200, &st)
	checks := []struct {
		route  string
		status int
		want   int64
	}{
		{"GET /api/v2/users", 200, 2},
		{"GET /api/v2/users", 400, 1},
		{"GET /api/v2/users", 401, 1},
		{"GET /api/v2/users/{userId}/queues", 200, 2},
		{"POST /oauth/token", 200, 1},
		{"unmatched", 404, 1},
	}
	for _, c := range checks {
		if got := st.Count(c.route, c.status); got != c.want {
			t.Errorf("stats[%s][%d] = %d, want %d (%v)", c.route, c.status, got, c.want, st.Routes)
		}
	}
	if st.Total != 8 || st.ByStatus["200"] != 5 {
		t.Errorf("total %d, 200s %d; want 8 and 5", st.Total, st.ByStatus["200"])
	}
	e.s.ResetStats()
	if n := e.s.Stats().Total; n != 0 {
		t.Fatalf("after ResetStats total %d", n)
	}
}

func TestMutate(t *testing.T) {
	t.Parallel()
	// One clock for both: leavers go offline "now", which must be the
	// same moment for the two orgs to be equal.
	clock := newFakeClock()
	newServer := func() *Server {
		s, err := New(Config{Users: 1000, Seed: 4, Now: clock.Now})
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	a, b := newServer(), newServer()
	before := a.Users()
	req := MutateRequest{Seed: 99, Percent: 10}
	ra, err := a.Mutate(req)
	if err != nil {
		t.Fatal(err)
	}
	rb, _ := b.Mutate(req)
	if !reflect.DeepEqual(ra, rb) || !reflect.DeepEqual(a.Users(), b.Users()) {
		t.Fatal("same seed and org, different mutations")
	}
	live := 0
	for _, u := range before {
		if u.State != StateDeleted {
			live++
		}
	}
	wantChanged := live / 10
	if got := len(ra.Changed) + len(ra.Left); got < wantChanged*9/10 || got > wantChanged {
		t.Fatalf("changed %d + left %d, want about %d", len(ra.Changed), len(ra.Left), wantChanged)
	}
	if len(ra.Left) != wantChanged/10 || len(ra.Joined) != len(ra.Left) {
		t.Fatalf("left %d joined %d, want %d each", len(ra.Left), len(ra.Joined), wantChanged/10)
	}
	after := map[string]UserView{}
	for _, u := range a.Users() {
		after[u.ID] = u
	}
	for _, c := range ra.Changed {
		old := before[indexOfUser(before, c.UserID)]
		now := after[c.UserID]
		wantVersion := old.Version
		for _, f := range c.Fields {
			if f != "skills" && f != "languages" && f != "queues" {
				wantVersion = old.Version + 1
			}
		}
		if now.Version != wantVersion {
			t.Fatalf("user %s changed %v: version %d -> %d, want %d", c.UserID, c.Fields, old.Version, now.Version, wantVersion)
		}
		for _, f := range c.Fields {
			changed := map[string]bool{
				"division": old.DivisionID != now.DivisionID, "manager": old.ManagerID != now.ManagerID,
				"title": old.Title != now.Title, "department": old.Department != now.Department, "name": old.Name != now.Name,
				"skills":        !reflect.DeepEqual(old.Skills, now.Skills),
				"languages":     !reflect.DeepEqual(old.Languages, now.Languages),
				"queues":        !reflect.DeepEqual(old.Queues, now.Queues),
				"acdAutoAnswer": old.AcdAutoAnswer != now.AcdAutoAnswer,
			}[f]
			if !changed {
				t.Fatalf("user %s: %s reported changed but is the same", c.UserID, f)
			}
		}
	}
	for _, c := range ra.Left {
		if now := after[c.UserID]; now.State == StateActive {
			t.Fatalf("leaver %s still active", c.UserID)
		} else if now.State == StateDeleted && len(now.Queues) > 0 {
			t.Fatalf("deleted leaver %s still in queues", c.UserID)
		}
	}
	for _, id := range ra.Joined {
		if u, ok := after[id]; !ok || u.State != StateActive {
			t.Fatalf("joiner %s missing or not active", id)
		}
	}
	a.read(func(o *org) {
		if err := o.check(); err != nil {
			t.Fatalf("invariants after mutate: %v", err)
		}
	})
	rc, _ := b.Mutate(MutateRequest{Seed: 100, Percent: 10})
	if reflect.DeepEqual(ra.Changed, rc.Changed) {
		t.Fatal("different seeds, same mutation")
	}
	if _, err := a.Mutate(MutateRequest{Percent: 101}); err == nil {
		t.Fatal("percent 101 accepted")
	}
}

func indexOfUser(us []UserView, id string) int {
	for k, u := range us {
		if u.ID == id {
			return k
		}
	}
	return -1
}

func TestMutateAndResetOverHTTP(t *testing.T) {
	t.Parallel()
	e := newEnv(t, Config{Users: 300, Seed: 2})
	original := e.s.Users()
	var res MutateResult
	r := e.do("POST", "/_emulator/mutate", map[string]any{"seed": 5, "percent": 20, "joiners": 7, "leavers": 3})
	if r.status != 200 {
		t.Fatalf("mutate: %d %s", r.status, r.body)
	}
	r.decode(t, &res)
	if len(res.Joined) != 7 || len(res.Left) != 3 || len(res.Changed) == 0 {
		t.Fatalf("mutate result: %d changed, %d left, %d joined", len(res.Changed), len(res.Left), len(res.Joined))
	}
	// A joiner is visible to the API at once.
	var u wireUser
	e.get("/api/v2/users/"+res.Joined[0], 200, &u)
	if r := e.do("POST", "/_emulator/mutate", map[string]any{"percent": -1}); r.status != 400 {
		t.Fatalf("bad mutate: %d", r.status)
	}
	if r := e.do("POST", "/_emulator/mutate", nil); r.status != 200 {
		t.Fatalf("mutate with defaults: %d %s", r.status, r.body)
	}
	e.do("PUT", "/_emulator/faults", Faults{LatencyMs: 1})
	if r := e.do("POST", "/_emulator/reset", nil); r.status != 204 {
		t.Fatalf("reset: %d", r.status)
	}
	if !reflect.DeepEqual(e.s.Users(), original) {
		t.Fatal("reset did not restore the generated org")
	}
	// The stats start again from zero, then count the reset itself.
	if st := e.s.Stats(); e.s.Faults().LatencyMs != 0 || st.Total != 1 || st.Count("POST /_emulator/reset", 204) != 1 {
		t.Fatal("reset kept faults or stats")
	}
	e.get("/api/v2/users/"+res.Joined[0], 404, nil)
}

// recorder is a minimal ResponseWriter for calling ServeHTTP directly.
type recorder struct {
	h      http.Header
	status int
}

func newRecorder() *recorder { return &recorder{h: http.Header{}} }

func (r *recorder) Header() http.Header { return r.h }
func (r *recorder) Write(p []byte) (int, error) {
	if r.status == 0 {
		r.status = 200
	}
	return len(p), nil
}
func (r *recorder) WriteHeader(code int) {
	if r.status == 0 {
		r.status = code
	}
}

func TestFaultExpandDrop(t *testing.T) {
	t.Parallel()
	e := newEnv(t, Config{Users: 300})
	count := func(path string) (present, absent int) {
		var l userListing
		e.get(path, 200, &l)
		for _, u := range l.Entities {
			if u.Skills == nil || u.Languages == nil {
				if u.Name == "" || u.Email == "" {
					t.Fatalf("dropped expands took other fields: %+v", u)
				}
				absent++
			} else {
				present++
			}
		}
		return present, absent
	}
	if err := e.s.SetFaults(Faults{ExpandDropRate: 1}); err != nil {
		t.Fatal(err)
	}
	if present, _ := count("/api/v2/users?pageSize=500&expand=skills,languages"); present != 0 {
		t.Fatalf("expandDropRate 1: %d users kept their expands", present)
	}
	if err := e.s.SetFaults(Faults{ExpandDropRate: 0.3, Seed: 5}); err != nil {
		t.Fatal(err)
	}
	present, absent := count("/api/v2/users?pageSize=500&expand=skills,languages")
	if present == 0 || absent == 0 {
		t.Fatalf("expandDropRate 0.3: %d present, %d absent", present, absent)
	}
	var a searchAnswer
	e.do("POST", "/api/v2/users/search", searchRequest{PageSize: 100, Expand: []string{"skills"}}).decode(t, &a)
	dropped := 0
	for _, u := range a.Results {
		if u.Skills == nil {
			dropped++
		}
	}
	if dropped == 0 || dropped == len(a.Results) {
		t.Fatalf("search with expandDropRate 0.3 dropped %d of %d", dropped, len(a.Results))
	}
	if err := e.s.SetFaults(Faults{}); err != nil {
		t.Fatal(err)
	}
	if _, absent := count("/api/v2/users?pageSize=500&expand=skills,languages"); absent != 0 {
		t.Fatalf("no fault: %d users without expands", absent)
	}
}

// TestConcurrentReadsAndMutations reads listings while the org churns; with
// -race it checks the locking and the rendered-user cache, and every page
// must stay valid JSON showing the users' current versions.
func TestConcurrentReadsAndMutations(t *testing.T) {
	t.Parallel()
	e := newEnv(t, Config{Users: 400})
	done := make(chan struct{})
	errs := make(chan error, 4)
	for w := range 3 {
		go func() {
			for k := 0; ; k++ {
				select {
				case <-done:
					errs <- nil
					return
				default:
				}
				req, _ := http.NewRequest("GET", e.ts.URL+"/api/v2/users?pageSize=100&expand=skills&pageNumber="+strconv.Itoa(1+(k+w)%4), nil)
				req.Header.Set("Authorization", "Bearer "+e.token)
				resp, err := http.DefaultClient.Do(req)
				if err != nil {
					errs <- err
					return
				}
				var l userListing
				err = json.NewDecoder(resp.Body).Decode(&l)
				resp.Body.Close()
				if err != nil || resp.StatusCode != 200 {
					errs <- fmt.Errorf("page: status %d, %v", resp.StatusCode, err)
					return
				}
			}
		}()
	}
	for seed := range int64(20) {
		if _, err := e.s.Mutate(MutateRequest{Seed: seed + 1, Percent: 5}); err != nil {
			t.Fatal(err)
		}
	}
	close(done)
	for range 3 {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	// After the churn, the listing shows every user's current version.
	want := map[string]int{}
	for _, v := range e.s.Users() {
		want[v.ID] = v.Version
	}
	for _, u := range e.allUsers("pageSize=100&state=any") {
		if u.Version != want[u.ID] {
			t.Fatalf("user %s listed with version %d, want %d (stale cache)", u.ID, u.Version, want[u.ID])
		}
	}
}

func TestEveryAnswerHasHeaders(t *testing.T) {
	t.Parallel()
	e := newEnv(t, Config{Users: 20, RatePerMinute: 100})
	seen := map[string]bool{}
	for _, path := range []string{"/api/v2/users", "/api/v2/users?pageSize=9999", "/api/v2/users/nope", "/api/v2/nowhere"} {
		r := e.do("GET", path, nil)
		id := r.header.Get("ININ-Correlation-Id")
		if seen[id] {
			t.Fatalf("correlation id %s repeated", id)
		}
		seen[id] = true
		if r.header.Get(HeaderRateAllowed) != "100" || r.header.Get(HeaderRateCount) == "" || r.header.Get(HeaderRateReset) == "" {
			t.Fatalf("%s (%d): rate headers missing: %v", path, r.status, r.header)
		}
		if r.status >= 400 {
			if ctx := r.errorBody(t)["contextId"]; ctx != id {
				t.Fatalf("%s: contextId %v, want the correlation id %s", path, ctx, id)
			}
		}
	}
}
