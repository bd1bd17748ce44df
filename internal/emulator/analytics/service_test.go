package analytics

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// clock is an injectable clock tests move by hand.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func newClock(t time.Time) *clock { return &clock{now: t} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// testOrg returns n users: every 10th inactive and every 15th deleted.
func testOrg(n int) StaticUsers {
	users := make([]User, n)
	for i := range users {
		users[i] = User{ID: testUserID(i), State: "active"}
		switch {
		case i%10 == 9:
			users[i].State = "inactive"
		case i%15 == 14:
			users[i].State = "deleted"
		}
	}
	return NewStaticUsers(users)
}

// harness is a Service behind a real HTTP server.
type harness struct {
	t     *testing.T
	svc   *Service
	srv   *httptest.Server
	clock *clock
	users StaticUsers
}

// start is Monday 2026-11-23 15:00 UTC: the day before is a full weekday
// of history.
var start = time.Date(2026, 11, 23, 15, 0, 0, 0, time.UTC)

func newHarness(t *testing.T, cfg Config, users StaticUsers) *harness {
	t.Helper()
	c := newClock(start)
	if cfg.Now == nil {
		cfg.Now = c.Now
	}
	svc := New(cfg, users)
	mux := http.NewServeMux()
	svc.Register(mux)
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return &harness{t: t, svc: svc, srv: srv, clock: c, users: users}
}

// do sends a request and returns the status, headers and body.
func (h *harness) do(method, path string, body any) (int, http.Header, []byte) {
	h.t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	default:
		raw, err := json.Marshal(b)
		if err != nil {
			h.t.Fatal(err)
		}
		rd = bytes.NewReader(raw)
	}
	req, err := http.NewRequest(method, h.srv.URL+path, rd)
	if err != nil {
		h.t.Fatal(err)
	}
	if rd != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := h.srv.Client().Do(req)
	if err != nil {
		h.t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		h.t.Fatal(err)
	}
	return resp.StatusCode, resp.Header, raw
}

// decode unmarshals raw into v or fails the test.
func decode[T any](t *testing.T, raw []byte) T {
	t.Helper()
	var v T
	if err := json.Unmarshal(raw, &v); err != nil {
		t.Fatalf("decode %s: %v", raw, err)
	}
	return v
}

type errorBody struct {
	Message string `json:"message"`
	Code    string `json:"code"`
	Status  int    `json:"status"`
}

type jobStatus struct {
	State          string `json:"state"`
	ErrorMessage   string `json:"errorMessage"`
	ExpirationDate string `json:"expirationDate"`
	SubmissionDate string `json:"submissionDate"`
	CompletionDate string `json:"completionDate"`
}

// The client-side view of results, with pointers where absence matters.
type presenceRecord struct {
	StartTime              string  `json:"startTime"`
	EndTime                *string `json:"endTime"`
	SystemPresence         string  `json:"systemPresence"`
	OrganizationPresenceID string  `json:"organizationPresenceId"`
}

type routingRecord struct {
	StartTime     string  `json:"startTime"`
	EndTime       *string `json:"endTime"`
	RoutingStatus string  `json:"routingStatus"`
}

type userDetail struct {
	UserID          string           `json:"userId"`
	PrimaryPresence []presenceRecord `json:"primaryPresence"`
	RoutingStatus   []routingRecord  `json:"routingStatus"`
}

type detailsPage struct {
	UserDetails          []userDetail `json:"userDetails"`
	Cursor               *string      `json:"cursor"`
	DataAvailabilityDate string       `json:"dataAvailabilityDate"`
}

type aggregatesPage struct {
	SystemToOrganizationMappings map[string][]string `json:"systemToOrganizationMappings"`
	Results                      []struct {
		Group map[string]string `json:"group"`
		Data  []struct {
			Interval string `json:"interval"`
			Metrics  []struct {
				Metric    string `json:"metric"`
				Qualifier string `json:"qualifier"`
				Stats     struct {
					Sum   *int64 `json:"sum"`
					Count int64  `json:"count"`
					Max   int64  `json:"max"`
					Min   int64  `json:"min"`
				} `json:"stats"`
			} `json:"metrics"`
		} `json:"data"`
	} `json:"results"`
	Cursor *string `json:"cursor"`
}

const (
	detailsJobs    = "/api/v2/analytics/users/details/jobs"
	aggregatesJobs = "/api/v2/analytics/users/aggregates/jobs"
)

func ivString(from, to time.Time) string { return formatTime(from) + "/" + formatTime(to) }

// workday is Friday 2026-11-20, a whole working day.
var workday = ivString(friday, friday.Add(24*time.Hour))

// submit posts a job and returns its id, failing unless it is accepted.
func (h *harness) submit(base string, body any) string {
	h.t.Helper()
	code, _, raw := h.do(http.MethodPost, base, body)
	if code != http.StatusAccepted {
		h.t.Fatalf("POST %s = %d %s", base, code, raw)
	}
	id := decode[struct {
		JobID string `json:"jobId"`
	}](h.t, raw).JobID
	if id == "" {
		h.t.Fatalf("POST %s: no jobId in %s", base, raw)
	}
	return id
}

func (h *harness) status(base, id string) jobStatus {
	h.t.Helper()
	code, _, raw := h.do(http.MethodGet, base+"/"+id, nil)
	if code != http.StatusOK {
		h.t.Fatalf("GET %s/%s = %d %s", base, id, code, raw)
	}
	return decode[jobStatus](h.t, raw)
}

// wantError asserts a Genesys error body with the given status and code.
func wantError(t *testing.T, code int, raw []byte, wantCode int, wantErr string) {
	t.Helper()
	if code != wantCode {
		t.Fatalf("status = %d, want %d: %s", code, wantCode, raw)
	}
	e := decode[errorBody](t, raw)
	if e.Code != wantErr || e.Status != wantCode || e.Message == "" {
		t.Fatalf("error body = %+v, want code %s status %d and a message", e, wantErr, wantCode)
	}
}

func detailsBody(interval string) map[string]any { return map[string]any{"interval": interval} }

func aggregatesBody(interval string) map[string]any {
	return map[string]any{
		"interval":    interval,
		"granularity": "PT1H",
		"groupBy":     []string{"userId"},
		"metrics":     []string{MetricSystemPresence, MetricOrganizationPresence, MetricAgentRoutingStatus},
	}
}

var jobKinds = []struct {
	name string
	base string
	body func(string) map[string]any
}{
	{"details", detailsJobs, detailsBody},
	{"aggregates", aggregatesJobs, aggregatesBody},
}

func TestJobLifecycle(t *testing.T) {
	t.Parallel()
	for _, k := range jobKinds {
		t.Run(k.name, func(t *testing.T) {
			t.Parallel()
			h := newHarness(t, Config{Seed: 1, JobDelay: 300 * time.Millisecond, Expiry: 2 * time.Hour}, testOrg(20))
			id := h.submit(k.base, k.body(workday))
			results := k.base + "/" + id + "/results"

			st := h.status(k.base, id)
			if st.State != StateQueued || st.SubmissionDate != formatTime(start) || st.CompletionDate != "" {
				t.Fatalf("after submission: %+v", st)
			}
			if want := formatTime(start.Add(300*time.Millisecond + 2*time.Hour)); st.ExpirationDate != want {
				t.Fatalf("expirationDate = %s, want %s", st.ExpirationDate, want)
			}
			code, _, raw := h.do(http.MethodGet, results, nil)
			wantError(t, code, raw, http.StatusBadRequest, "bad.request")

			h.clock.Advance(150 * time.Millisecond)
			if st := h.status(k.base, id); st.State != StatePending {
				t.Fatalf("at 150ms: %+v", st)
			}
			code, _, raw = h.do(http.MethodGet, results, nil)
			wantError(t, code, raw, http.StatusBadRequest, "bad.request")

			h.clock.Advance(150 * time.Millisecond)
			st = h.status(k.base, id)
			if st.State != StateFulfilled || st.CompletionDate != formatTime(start.Add(300*time.Millisecond)) {
				t.Fatalf("at 300ms: %+v", st)
			}
			if code, _, raw = h.do(http.MethodGet, results, nil); code != http.StatusOK {
				t.Fatalf("results when fulfilled = %d %s", code, raw)
			}

			h.clock.Advance(2*time.Hour - time.Millisecond)
			if st := h.status(k.base, id); st.State != StateFulfilled {
				t.Fatalf("just before expiry: %+v", st)
			}
			h.clock.Advance(time.Millisecond)
			if st := h.status(k.base, id); st.State != StateExpired {
				t.Fatalf("at expiry: %+v", st)
			}
			code, _, raw = h.do(http.MethodGet, results, nil)
			wantError(t, code, raw, http.StatusNotFound, "not.found")

			// Long after expiry the job is forgotten.
			h.clock.Advance(3 * time.Hour)
			h.submit(k.base, k.body(workday))
			code, _, raw = h.do(http.MethodGet, k.base+"/"+id, nil)
			wantError(t, code, raw, http.StatusNotFound, "not.found")
		})
	}
}

func TestJobDelayZero(t *testing.T) {
	t.Parallel()
	h := newHarness(t, Config{JobDelay: -1}, testOrg(5))
	id := h.submit(detailsJobs, detailsBody(workday))
	if st := h.status(detailsJobs, id); st.State != StateFulfilled {
		t.Fatalf("with no delay: %+v", st)
	}
}

func TestCancel(t *testing.T) {
	t.Parallel()
	for _, k := range jobKinds {
		t.Run(k.name, func(t *testing.T) {
			t.Parallel()
			h := newHarness(t, Config{}, testOrg(5))
			queued := h.submit(k.base, k.body(workday))
			h.clock.Advance(time.Second)
			fulfilled := h.submit(k.base, k.body(workday))
			h.clock.Advance(time.Second)
			for _, id := range []string{queued, fulfilled} {
				if code, _, raw := h.do(http.MethodDelete, k.base+"/"+id, nil); code != http.StatusNoContent {
					t.Fatalf("DELETE = %d %s", code, raw)
				}
				st := h.status(k.base, id)
				if st.State != StateCancelled || st.CompletionDate != formatTime(h.clock.Now()) {
					t.Fatalf("after DELETE: %+v", st)
				}
				code, _, raw := h.do(http.MethodGet, k.base+"/"+id+"/results", nil)
				wantError(t, code, raw, http.StatusBadRequest, "bad.request")
			}
			code, _, raw := h.do(http.MethodDelete, k.base+"/"+newJobID(), nil)
			wantError(t, code, raw, http.StatusNotFound, "not.found")
			if c := h.svc.Jobs(); c.Cancelled != 2 || c.Submitted != 2 {
				t.Fatalf("Jobs() = %+v", c)
			}
		})
	}
}

func TestJobKindsAreSeparate(t *testing.T) {
	t.Parallel()
	h := newHarness(t, Config{JobDelay: -1}, testOrg(5))
	id := h.submit(detailsJobs, detailsBody(workday))
	for _, path := range []string{aggregatesJobs + "/" + id, aggregatesJobs + "/" + id + "/results"} {
		code, _, raw := h.do(http.MethodGet, path, nil)
		wantError(t, code, raw, http.StatusNotFound, "not.found")
	}
}

func TestFailureInjection(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		faults Faults
		jobs   int
		failed int
	}{
		{"fail next two", Faults{FailNext: 2}, 5, 2},
		{"always", Faults{JobFailureRate: 1}, 4, 4},
		{"never", Faults{}, 4, 0},
		{"fail next wins over rate zero", Faults{FailNext: 1, JobFailureRate: 0}, 3, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			h := newHarness(t, Config{MaxConcurrentJobs: -1}, testOrg(5))
			h.svc.SetFaults(tt.faults)
			var ids []string
			for range tt.jobs {
				ids = append(ids, h.submit(detailsJobs, detailsBody(workday)))
			}
			// Failure shows only once the job would have completed.
			if st := h.status(detailsJobs, ids[0]); st.State != StateQueued {
				t.Fatalf("before completion: %+v", st)
			}
			h.clock.Advance(time.Second)
			failed := 0
			for i, id := range ids {
				st := h.status(detailsJobs, id)
				switch st.State {
				case StateFailed:
					failed++
					if st.ErrorMessage == "" || st.CompletionDate == "" {
						t.Errorf("failed job without errorMessage or completionDate: %+v", st)
					}
					if tt.faults.FailNext > 0 && i >= tt.faults.FailNext {
						t.Errorf("job %d failed; only the first %d should", i, tt.faults.FailNext)
					}
					code, _, raw := h.do(http.MethodGet, detailsJobs+"/"+id+"/results", nil)
					wantError(t, code, raw, http.StatusBadRequest, "bad.request")
				case StateFulfilled:
				default:
					t.Fatalf("job %d is %s", i, st.State)
				}
			}
			if failed != tt.failed {
				t.Fatalf("%d jobs failed, want %d", failed, tt.failed)
			}
			if got := h.svc.Faults().FailNext; got != 0 {
				t.Fatalf("FailNext left at %d", got)
			}
		})
	}
}

// TestResultsExpiryInjection: a job the expiry fault picks serves its
// first results page, then answers 404 and shows EXPIRED; a failing job
// does not use up ExpireNext; the others read to the end.
func TestResultsExpiryInjection(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		faults  Faults
		jobs    int
		expired []bool // by job
	}{
		{"expire next one after a failure", Faults{FailNext: 1, ExpireNext: 1}, 3, []bool{false, true, false}},
		{"always", Faults{ResultsExpiryRate: 1}, 2, []bool{true, true}},
		{"never", Faults{}, 2, []bool{false, false}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			h := newHarness(t, Config{MaxConcurrentJobs: -1, JobDelay: -1}, testOrg(20))
			h.svc.SetFaults(tt.faults)
			var ids []string
			for range tt.jobs {
				ids = append(ids, h.submit(detailsJobs, detailsBody(workday)))
			}
			for i, id := range ids {
				if tt.faults.FailNext > i {
					if st := h.status(detailsJobs, id); st.State != StateFailed {
						t.Fatalf("job %d: %+v, want FAILED", i, st)
					}
					continue
				}
				code, _, raw := h.do(http.MethodGet, detailsJobs+"/"+id+"/results?pageSize=5", nil)
				if code != http.StatusOK {
					t.Fatalf("job %d first page = %d %s", i, code, raw)
				}
				p := decode[detailsPage](t, raw)
				if p.Cursor == nil {
					t.Fatalf("job %d: one page only; the test needs two", i)
				}
				code, _, raw = h.do(http.MethodGet, detailsJobs+"/"+id+"/results?pageSize=5&cursor="+*p.Cursor, nil)
				st := h.status(detailsJobs, id)
				switch {
				case tt.expired[i]:
					wantError(t, code, raw, http.StatusNotFound, "not.found")
					if st.State != StateExpired {
						t.Errorf("job %d after its expiry: %+v", i, st)
					}
				case code != http.StatusOK || st.State != StateFulfilled:
					t.Errorf("job %d second page = %d %s, state %s; want it readable", i, code, raw, st.State)
				}
			}
			if f := h.svc.Faults(); f.ExpireNext != 0 {
				t.Fatalf("ExpireNext left at %d", f.ExpireNext)
			}
		})
	}
}

func TestSubmitValidation(t *testing.T) {
	t.Parallel()
	week := ivString(start.Add(-7*24*time.Hour), start)
	tests := []struct {
		name string
		base string
		body any
	}{
		{"details malformed JSON", detailsJobs, `{"interval":`},
		{"details no interval", detailsJobs, map[string]any{}},
		{"details interval without slash", detailsJobs, detailsBody("2026-11-01T00:00:00Z")},
		{"details bad start", detailsJobs, detailsBody("workday/2026-11-01T00:00:00Z")},
		{"details reversed interval", detailsJobs, detailsBody(ivString(start, start.Add(-time.Hour)))},
		{"details empty interval", detailsJobs, detailsBody(ivString(start, start))},
		{"details over 31 days", detailsJobs, detailsBody(ivString(start.Add(-31*24*time.Hour-time.Millisecond), start))},
		{"details filter on queueId", detailsJobs, map[string]any{"interval": week, "userFilters": []any{
			map[string]any{"type": "or", "predicates": []any{map[string]any{"dimension": "queueId", "value": "q"}}}}}},
		{"details filter without type", detailsJobs, map[string]any{"interval": week, "userFilters": []any{
			map[string]any{"predicates": []any{map[string]any{"dimension": "userId", "value": "u"}}}}}},
		{"details filter without predicates", detailsJobs, map[string]any{"interval": week, "userFilters": []any{map[string]any{"type": "or"}}}},
		{"details predicate without value", detailsJobs, map[string]any{"interval": week, "userFilters": []any{
			map[string]any{"type": "or", "predicates": []any{map[string]any{"dimension": "userId"}}}}}},
		{"details presence filter not an object", detailsJobs, map[string]any{"interval": week, "presenceFilters": []any{"x"}}},
		{"details bad order", detailsJobs, map[string]any{"interval": week, "order": "sideways"}},
		{"aggregates bad granularity", aggregatesJobs, with(aggregatesBody(week), "granularity", "PT7M")},
		{"aggregates monthly granularity", aggregatesJobs, with(aggregatesBody(week), "granularity", "P1M")},
		{"aggregates no metrics", aggregatesJobs, with(aggregatesBody(week), "metrics", []string{})},
		{"aggregates unknown metric", aggregatesJobs, with(aggregatesBody(week), "metrics", []string{"tTalk"})},
		{"aggregates group by queue", aggregatesJobs, with(aggregatesBody(week), "groupBy", []string{"queueId"})},
		{"aggregates page size too big", aggregatesJobs, with(aggregatesBody(week), "pageSize", 1001)},
		{"aggregates over 31 days", aggregatesJobs, aggregatesBody(ivString(start.Add(-32*24*time.Hour), start))},
		{"aggregates filter on queueId", aggregatesJobs, with(aggregatesBody(week), "filter", map[string]any{
			"type": "or", "predicates": []any{map[string]any{"dimension": "queueId", "value": "q"}}})},
	}
	h := newHarness(t, Config{}, testOrg(5))
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			code, _, raw := h.do(http.MethodPost, tt.base, tt.body)
			wantError(t, code, raw, http.StatusBadRequest, "bad.request")
		})
	}
	t.Run("accepted", func(t *testing.T) {
		t.Parallel()
		for _, body := range []any{
			detailsBody(ivString(start.Add(-31*24*time.Hour), start)),
			map[string]any{"interval": "2026-11-20T00:00:00+02:00/2026-11-21T00:00:00+02:00", "order": "desc",
				"presenceFilters": []any{map[string]any{"type": "or"}}, "routingStatusFilters": []any{}},
		} {
			h.submit(detailsJobs, body)
		}
		h.submit(aggregatesJobs, with(aggregatesBody(week), "granularity", "P1D"))
		h.submit(aggregatesJobs, with(aggregatesBody(week), "granularity", nil))
	})
}

func TestMaxIntervalConfigurable(t *testing.T) {
	t.Parallel()
	h := newHarness(t, Config{MaxInterval: 7 * 24 * time.Hour}, testOrg(5))
	h.submit(detailsJobs, detailsBody(ivString(start.Add(-7*24*time.Hour), start)))
	code, _, raw := h.do(http.MethodPost, detailsJobs, detailsBody(ivString(start.Add(-8*24*time.Hour), start)))
	wantError(t, code, raw, http.StatusBadRequest, "bad.request")
}

func with(m map[string]any, k string, v any) map[string]any {
	m[k] = v
	return m
}

func TestConcurrentJobCap(t *testing.T) {
	t.Parallel()
	h := newHarness(t, Config{MaxConcurrentJobs: 3, JobDelay: 10 * time.Second}, testOrg(5))
	h.submit(detailsJobs, detailsBody(workday))
	h.clock.Advance(2 * time.Second)
	h.submit(aggregatesJobs, aggregatesBody(workday))
	h.submit(detailsJobs, detailsBody(workday))
	for _, k := range jobKinds {
		code, hdr, raw := h.do(http.MethodPost, k.base, k.body(workday))
		wantError(t, code, raw, http.StatusTooManyRequests, "too.many.requests.retry.after")
		// The first job completes 8 s from now.
		if got := hdr.Get("Retry-After"); got != "8" {
			t.Fatalf("Retry-After = %q, want 8", got)
		}
		if e := decode[errorBody](t, raw); !strings.Contains(e.Message, "[8] seconds") {
			t.Fatalf("429 message = %q", e.Message)
		}
	}
	// Cancelling a job frees its slot; so does completion.
	h.clock.Advance(8 * time.Second)
	h.submit(detailsJobs, detailsBody(workday))
	code, _, raw := h.do(http.MethodPost, detailsJobs, detailsBody(workday))
	wantError(t, code, raw, http.StatusTooManyRequests, "too.many.requests.retry.after")
	if c := h.svc.Jobs(); c.Rejected != 3 || c.Submitted != 4 || c.Fulfilled != 1 || c.Queued+c.Pending != 3 {
		t.Fatalf("Jobs() = %+v", c)
	}
}

// readDetails reads every page of a details job and returns the pages.
func (h *harness) readDetails(id string, pageSize int) []detailsPage {
	h.t.Helper()
	var pages []detailsPage
	cursor := ""
	for {
		path := fmt.Sprintf("%s/%s/results?pageSize=%d", detailsJobs, id, pageSize)
		if cursor != "" {
			path += "&cursor=" + cursor
		}
		code, _, raw := h.do(http.MethodGet, path, nil)
		if code != http.StatusOK {
			h.t.Fatalf("GET %s = %d %s", path, code, raw)
		}
		p := decode[detailsPage](h.t, raw)
		pages = append(pages, p)
		if p.Cursor == nil {
			return pages
		}
		if *p.Cursor == "" || len(pages) > 1000 {
			h.t.Fatalf("bad cursor %q after %d pages", *p.Cursor, len(pages))
		}
		cursor = *p.Cursor
	}
}

// expectedUsers are the ids, in order, of users with history.
func (h *harness) expectedUsers() []string {
	var ids []string
	for _, u := range h.users {
		if h.svc.Model().hasActivity(u) {
			ids = append(ids, u.ID)
		}
	}
	return ids
}

func TestDetailsPaging(t *testing.T) {
	t.Parallel()
	h := newHarness(t, Config{JobDelay: -1}, testOrg(250))
	id := h.submit(detailsJobs, detailsBody(workday))
	pages := h.readDetails(id, 40)
	if len(pages) < 3 {
		t.Fatalf("%d pages, want at least 3", len(pages))
	}
	var got []string
	for i, p := range pages {
		if i < len(pages)-1 && len(p.UserDetails) != 40 {
			t.Fatalf("page %d has %d users, want 40", i, len(p.UserDetails))
		}
		for _, u := range p.UserDetails {
			got = append(got, u.UserID)
			if len(u.PrimaryPresence) == 0 {
				t.Fatalf("user %s has no presence", u.UserID)
			}
		}
	}
	if diff := cmp.Diff(h.expectedUsers(), got); diff != "" {
		t.Fatalf("users over all pages (-want +got):\n%s", diff)
	}
	// The default page size applies without pageSize.
	code, _, raw := h.do(http.MethodGet, detailsJobs+"/"+id+"/results", nil)
	if p := decode[detailsPage](t, raw); code != http.StatusOK || len(p.UserDetails) != DefaultDetailsPageSize || p.Cursor == nil {
		t.Fatalf("default page: %d, %d users", code, len(p.UserDetails))
	}
	for _, bad := range []string{"0", "-1", "1001", "ten"} {
		code, _, raw := h.do(http.MethodGet, detailsJobs+"/"+id+"/results?pageSize="+bad, nil)
		wantError(t, code, raw, http.StatusBadRequest, "bad.request")
	}
}

func TestShortPagesBySegmentBudget(t *testing.T) {
	t.Parallel()
	h := newHarness(t, Config{JobDelay: -1, MaxPageSegments: 500}, testOrg(120))
	id := h.submit(detailsJobs, detailsBody(workday))
	pages := h.readDetails(id, 1000)
	var got []string
	short := 0
	for i, p := range pages {
		segments := 0
		for _, u := range p.UserDetails {
			got = append(got, u.UserID)
			segments += len(u.PrimaryPresence) + len(u.RoutingStatus)
		}
		if len(p.UserDetails) == 0 {
			t.Fatalf("page %d is empty", i)
		}
		if i < len(pages)-1 && len(p.UserDetails) < 1000 {
			short++
		}
		// The budget is checked before each user: a page overshoots it by
		// at most the last user's segments.
		if last := p.UserDetails[len(p.UserDetails)-1]; segments-len(last.PrimaryPresence)-len(last.RoutingStatus) >= 500 {
			t.Fatalf("page %d has %d segments before its last user", i, segments)
		}
	}
	if short < 2 {
		t.Fatalf("%d short pages with a cursor, want several", short)
	}
	if diff := cmp.Diff(h.expectedUsers(), got); diff != "" {
		t.Fatalf("users over all pages (-want +got):\n%s", diff)
	}
}

func TestCursorTampering(t *testing.T) {
	t.Parallel()
	h := newHarness(t, Config{JobDelay: -1}, testOrg(30))
	id := h.submit(detailsJobs, detailsBody(workday))
	other := h.submit(detailsJobs, detailsBody(workday))
	agg := h.submit(aggregatesJobs, with(aggregatesBody(workday), "pageSize", 2))
	_, _, raw := h.do(http.MethodGet, detailsJobs+"/"+id+"/results?pageSize=2", nil)
	cur := *decode[detailsPage](t, raw).Cursor
	_, _, raw = h.do(http.MethodGet, aggregatesJobs+"/"+agg+"/results", nil)
	aggCur := *decode[aggregatesPage](t, raw).Cursor

	flipped := []byte(cur)
	flipped[len(flipped)/2] ^= 1
	if flipped[len(flipped)/2] == '-' || flipped[len(flipped)/2] == '_' {
		flipped[len(flipped)/2] = 'A'
	}
	tests := []struct{ name, path string }{
		{"flipped byte", detailsJobs + "/" + id + "/results?cursor=" + string(flipped)},
		{"truncated", detailsJobs + "/" + id + "/results?cursor=" + cur[:len(cur)-3]},
		{"garbage", detailsJobs + "/" + id + "/results?cursor=not-a-cursor"},
		{"other job", detailsJobs + "/" + other + "/results?cursor=" + cur},
		{"aggregates cursor on details", detailsJobs + "/" + id + "/results?cursor=" + aggCur},
		{"details cursor on aggregates", aggregatesJobs + "/" + agg + "/results?cursor=" + cur},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			code, _, raw := h.do(http.MethodGet, tt.path, nil)
			wantError(t, code, raw, http.StatusBadRequest, "bad.request")
		})
	}
	if code, _, raw := h.do(http.MethodGet, detailsJobs+"/"+id+"/results?cursor="+cur, nil); code != http.StatusOK {
		t.Fatalf("the untouched cursor = %d %s", code, raw)
	}
}

func TestAvailabilityClamp(t *testing.T) {
	t.Parallel()
	h := newHarness(t, Config{JobDelay: -1, DataLag: time.Hour}, testOrg(40))
	horizon := start.Add(-time.Hour)
	code, _, raw := h.do(http.MethodGet, detailsJobs+"/availability", nil)
	if got := decode[map[string]string](t, raw)["dataAvailabilityDate"]; code != http.StatusOK || got != formatTime(horizon) {
		t.Fatalf("availability = %d %s, want %s", code, raw, formatTime(horizon))
	}
	// The interval runs 3 h past the availability date: no error, data up
	// to it only, segments running on at it open.
	id := h.submit(detailsJobs, detailsBody(ivString(start.Add(-6*time.Hour), start.Add(2*time.Hour))))
	pages := h.readDetails(id, 1000)
	open := 0
	for _, p := range pages {
		if p.DataAvailabilityDate != formatTime(horizon) {
			t.Fatalf("dataAvailabilityDate = %s, want %s", p.DataAvailabilityDate, formatTime(horizon))
		}
		for _, u := range p.UserDetails {
			for _, r := range u.PrimaryPresence {
				if r.StartTime >= formatTime(horizon) {
					t.Fatalf("user %s: presence starts %s, at or after the availability date", u.UserID, r.StartTime)
				}
				if r.EndTime == nil {
					open++
				} else if *r.EndTime > formatTime(horizon) {
					t.Fatalf("user %s: presence ends %s, after the availability date", u.UserID, *r.EndTime)
				}
			}
			for _, r := range u.RoutingStatus {
				if r.StartTime >= formatTime(horizon) || (r.EndTime != nil && *r.EndTime > formatTime(horizon)) {
					t.Fatalf("user %s: routing segment %+v past the availability date", u.UserID, r)
				}
			}
		}
	}
	if open != len(h.expectedUsers()) {
		t.Fatalf("%d open presence segments, want one per user with history (%d)", open, len(h.expectedUsers()))
	}
	// A job wholly after the availability date has nothing, still no error.
	id = h.submit(detailsJobs, detailsBody(ivString(horizon.Add(time.Minute), start)))
	if pages := h.readDetails(id, 1000); len(pages) != 1 || len(pages[0].UserDetails) != 0 {
		t.Fatalf("job after the availability date: %+v", pages)
	}
}

func TestOpenSegmentsHaveNoEndTime(t *testing.T) {
	t.Parallel()
	h := newHarness(t, Config{JobDelay: -1, DataLag: -1}, testOrg(30))
	id := h.submit(detailsJobs, detailsBody(ivString(start.Add(-2*time.Hour), start)))
	_, _, raw := h.do(http.MethodGet, detailsJobs+"/"+id+"/results?pageSize=1000", nil)
	// Decode into maps so that the absence of the key is what is checked.
	var page struct {
		UserDetails []struct {
			UserID          string           `json:"userId"`
			PrimaryPresence []map[string]any `json:"primaryPresence"`
			RoutingStatus   []map[string]any `json:"routingStatus"`
		} `json:"userDetails"`
	}
	if err := json.Unmarshal(raw, &page); err != nil {
		t.Fatal(err)
	}
	if len(page.UserDetails) == 0 {
		t.Fatal("no users")
	}
	for _, u := range page.UserDetails {
		for _, recs := range [][]map[string]any{u.PrimaryPresence, u.RoutingStatus} {
			for i, r := range recs {
				_, hasEnd := r["endTime"]
				if last := i == len(recs)-1; hasEnd == last {
					t.Fatalf("user %s record %d of %d: endTime present = %v", u.UserID, i, len(recs), hasEnd)
				}
			}
		}
	}
}

func TestUserFilters(t *testing.T) {
	t.Parallel()
	org := testOrg(30)
	h := newHarness(t, Config{JobDelay: -1}, org)
	active := h.expectedUsers()
	inactive := org[slices.IndexFunc(org, func(u User) bool { return u.State == "inactive" })].ID
	pred := func(id string) map[string]any {
		return map[string]any{"type": "dimension", "dimension": "userId", "operator": "matches", "value": id}
	}
	tests := []struct {
		name    string
		filters []any
		want    []string
	}{
		{"or of three, one inactive, one unknown", []any{map[string]any{"type": "or", "predicates": []any{
			pred(active[3]), pred(active[1]), pred(inactive), pred("no-such-user")}}},
			[]string{active[1], active[3]}},
		{"and of two filters", []any{
			map[string]any{"type": "or", "predicates": []any{pred(active[0]), pred(active[2])}},
			map[string]any{"type": "or", "clauses": []any{map[string]any{"type": "or", "predicates": []any{pred(active[2]), pred(active[4])}}}},
		}, []string{active[2]}},
		{"and of two ids is empty", []any{map[string]any{"type": "and", "predicates": []any{pred(active[0]), pred(active[1])}}}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			id := h.submit(detailsJobs, map[string]any{"interval": workday, "userFilters": tt.filters})
			var got []string
			for _, p := range h.readDetails(id, 1) {
				for _, u := range p.UserDetails {
					got = append(got, u.UserID)
				}
			}
			slices.Sort(tt.want)
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Fatalf("users (-want +got):\n%s", diff)
			}
		})
	}
}

func TestResultsMatchGroundTruth(t *testing.T) {
	t.Parallel()
	h := newHarness(t, Config{JobDelay: -1, DataLag: -1, Seed: 77}, testOrg(25))
	from, to := start.Add(-30*time.Hour), start
	id := h.submit(detailsJobs, detailsBody(ivString(from, to)))
	n := 0
	for _, p := range h.readDetails(id, 7) {
		for _, u := range p.UserDetails {
			n++
			want := h.svc.Detail(u.UserID, from, to)
			if diff := cmp.Diff(toWire(want), u); diff != "" {
				t.Fatalf("user %s (-Service.Detail +HTTP):\n%s", u.UserID, diff)
			}
		}
	}
	if n != len(h.expectedUsers()) {
		t.Fatalf("%d users, want %d", n, len(h.expectedUsers()))
	}
	for _, u := range h.users {
		if d := h.svc.Detail(u.ID, from, to); u.State != "active" && len(d.PrimaryPresence) != 0 {
			t.Fatalf("%s user has history: %+v", u.State, d)
		}
	}
}

// toWire renders ground truth as the client decodes it.
func toWire(d UserDetail) userDetail {
	end := func(t time.Time) *string {
		if t.IsZero() {
			return nil
		}
		s := formatTime(t)
		return &s
	}
	w := userDetail{UserID: d.UserID}
	for _, r := range d.PrimaryPresence {
		w.PrimaryPresence = append(w.PrimaryPresence, presenceRecord{formatTime(r.Start), end(r.End), r.SystemPresence, r.OrganizationPresenceID})
	}
	for _, r := range d.RoutingStatus {
		w.RoutingStatus = append(w.RoutingStatus, routingRecord{formatTime(r.Start), end(r.End), r.RoutingStatus})
	}
	return w
}

func TestDeterminismOverHTTP(t *testing.T) {
	t.Parallel()
	body := func(seed int64) []byte {
		h := newHarness(t, Config{Seed: seed, JobDelay: -1}, testOrg(20))
		id := h.submit(detailsJobs, detailsBody(workday))
		_, _, raw := h.do(http.MethodGet, detailsJobs+"/"+id+"/results?pageSize=1000", nil)
		return raw
	}
	a, b, c := body(5), body(5), body(6)
	if !bytes.Equal(a, b) {
		t.Fatal("two services with seed 5 give different results")
	}
	if bytes.Equal(a, c) {
		t.Fatal("seeds 5 and 6 give the same results")
	}
}

func TestReset(t *testing.T) {
	t.Parallel()
	h := newHarness(t, Config{}, testOrg(5))
	id := h.submit(detailsJobs, detailsBody(workday))
	h.svc.SetFaults(Faults{FailNext: 3})
	h.svc.Reset()
	code, _, raw := h.do(http.MethodGet, detailsJobs+"/"+id, nil)
	wantError(t, code, raw, http.StatusNotFound, "not.found")
	if f := h.svc.Faults(); f != (Faults{}) {
		t.Fatalf("faults after Reset = %+v", f)
	}
	if c := h.svc.Jobs(); c != (JobCounts{}) {
		t.Fatalf("Jobs() after Reset = %+v", c)
	}
}
