package genesys

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"
)

func TestNewCall(t *testing.T) {
	t.Parallel()
	cl := newCall("GET", "/api/v2/users/externalid/{authorityName}/{externalKey}", "hr system", "a/b?c")
	if cl.path != "/api/v2/users/externalid/hr%20system/a%2Fb%3Fc" || cl.key() != "GET /api/v2/users/externalid/{authorityName}/{externalKey}" {
		t.Fatalf("call = %+v", cl)
	}
	for _, bad := range []func(){
		func() { newCall("GET", "/api/v2/users/{userId}") },
		func() { newCall("GET", "/api/v2/users", "x") },
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Error("a template with the wrong number of arguments did not panic")
				}
			}()
			bad()
		}()
	}
}

func TestParseErrorBody(t *testing.T) {
	t.Parallel()
	tests := []struct {
		body string
		want ErrorBody
	}{
		{`{"message":"Rate limit exceeded the maximum. Retry the request in [3] seconds","code":"too.many.requests.retry.after","status":429,"contextId":"c1","details":[],"errors":[]}`,
			ErrorBody{Message: "Rate limit exceeded the maximum. Retry the request in [3] seconds", Code: "too.many.requests.retry.after", Status: 429, ContextID: "c1", Details: []ErrorDetail{}, Errors: []ErrorBody{}}},
		{`{"code":"general.conflict","status":409,"details":[{"errorCode":"x","fieldName":"email"}],"unknown":true}`,
			ErrorBody{Code: "general.conflict", Status: 409, Details: []ErrorDetail{{ErrorCode: "x", FieldName: "email"}}}},
		{"", ErrorBody{}},
		{"  Bad Gateway  ", ErrorBody{Message: "Bad Gateway"}},
		{`{"status":500}`, ErrorBody{Message: `{"status":500}`}},
		{`[1,2]`, ErrorBody{Message: `[1,2]`}},
	}
	for _, tt := range tests {
		got := parseErrorBody([]byte(tt.body))
		gb, _ := json.Marshal(got)
		wb, _ := json.Marshal(tt.want)
		if string(gb) != string(wb) {
			t.Errorf("parseErrorBody(%q) = %s, want %s", tt.body, gb, wb)
		}
	}
	long := parseErrorBody([]byte(strings.Repeat("x", 5000)))
	if len(long.Message) > maxErrorMessage+len("…") {
		t.Errorf("message of a long body is %d bytes", len(long.Message))
	}
}

func FuzzParseErrorBody(f *testing.F) {
	f.Add([]byte(`{"message":"m","code":"not.found","status":404,"contextId":"c","details":[{"errorCode":"e"}],"errors":[{"message":"inner"}]}`))
	f.Add([]byte(`<html>502</html>`))
	f.Add([]byte("\xff\xfe"))
	f.Add([]byte(`{"message":1}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		eb := parseErrorBody(body)
		if !utf8.ValidString(eb.Message) {
			t.Fatalf("message is not UTF-8: %q", eb.Message)
		}
		e := &APIError{Method: "GET", Path: "/api/v2/users", Status: 500, Code: eb.Code, Message: eb.Message}
		_ = e.Error()
	})
}

func TestNextPageNumber(t *testing.T) {
	t.Parallel()
	tests := []struct {
		uri  string
		want int
		ok   bool
	}{
		{"/api/v2/users?pageSize=500&pageNumber=3&state=active", 3, true},
		{"https://api.mypurecloud.ie/api/v2/routing/queues?pageNumber=12", 12, true},
		{"/api/v2/users?pageSize=500", 0, false},
		{"/api/v2/users?pageNumber=0", 0, false},
		{"/api/v2/users?pageNumber=x", 0, false},
		{"%zz", 0, false},
	}
	for _, tt := range tests {
		got, ok := nextPageNumber(tt.uri)
		if got != tt.want || ok != tt.ok {
			t.Errorf("nextPageNumber(%q) = %d, %v; want %d, %v", tt.uri, got, ok, tt.want, tt.ok)
		}
	}
}

func FuzzNextPageNumber(f *testing.F) {
	f.Add("/api/v2/users?pageSize=500&pageNumber=3&state=active")
	f.Add("?pageNumber=-1")
	f.Add("/api/v2/users?pageNumber=99999999999999999999")
	f.Fuzz(func(t *testing.T, uri string) {
		n, ok := nextPageNumber(uri)
		if ok != (n >= 1) {
			t.Fatalf("nextPageNumber(%q) = %d, %v", uri, n, ok)
		}
	})
}

// FuzzDetailsResultsPage decodes arbitrary details results pages and walks
// them with the cursor iterator: no panic, and a repeated cursor ends the
// iteration with an error instead of looping.
func FuzzDetailsResultsPage(f *testing.F) {
	f.Add([]byte(`{"userDetails":[{"userId":"u1","primaryPresence":[{"startTime":"2026-01-01T00:00:00.000Z","systemPresence":"AVAILABLE"}]}],"cursor":"abc","dataAvailabilityDate":"2026-01-01T01:00:00.000Z"}`))
	f.Add([]byte(`{"userDetails":[],"cursor":""}`))
	f.Add([]byte(`{"userDetails":[{"userId":"u1","routingStatus":[{"startTime":"bad"}]}]}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		calls := 0
		seq := cursorPages(context.Background(), "/results", func(ctx context.Context, cursor string) (*UserDetailsJobResults, string, error) {
			calls++
			var p UserDetailsJobResults
			if err := json.Unmarshal(body, &p); err != nil {
				return nil, "", err
			}
			return &p, p.Cursor, nil
		})
		for _, err := range seq {
			if err != nil {
				break
			}
		}
		if calls > 2 {
			t.Fatalf("the same page was fetched %d times: the repeated cursor was followed", calls)
		}
	})
}

func TestBackoff(t *testing.T) {
	t.Parallel()
	p := RetryPolicy{BaseDelay: 100 * time.Millisecond, MaxDelay: time.Second}.withDefaults()
	for n, want := range map[int]time.Duration{1: 100 * time.Millisecond, 2: 200 * time.Millisecond, 4: 800 * time.Millisecond, 5: time.Second, 30: time.Second} {
		for range 50 {
			if d := p.backoff(n); d < want/2 || d > want {
				t.Fatalf("backoff(%d) = %v, want in [%v, %v]", n, d, want/2, want)
			}
		}
	}
}

func TestLookupRegion(t *testing.T) {
	t.Parallel()
	if len(Regions) != 18 {
		t.Fatalf("%d regions, want the 18 Genesys Cloud domains", len(Regions))
	}
	for _, r := range Regions {
		for _, key := range []string{r.Domain, r.Name, "https://api." + r.Domain + "/", strings.ToUpper(r.Domain)} {
			got, err := LookupRegion(key)
			if err != nil || got != r {
				t.Errorf("LookupRegion(%q) = %v, %v; want %v", key, got, err, r)
			}
		}
	}
	if _, err := LookupRegion("mypurecloud.example"); err == nil {
		t.Error("an unknown region was accepted")
	}
}

// hostRecorder is a transport that records the hosts asked for and answers
// the token request and one API request.
type hostRecorder struct {
	mu    sync.Mutex
	hosts []string
}

func (h *hostRecorder) RoundTrip(r *http.Request) (*http.Response, error) {
	h.mu.Lock()
	h.hosts = append(h.hosts, r.URL.Scheme+"://"+r.URL.Host+r.URL.Path)
	h.mu.Unlock()
	body := `{"id":"u1","version":1}`
	if r.URL.Path == "/oauth/token" {
		body = `{"access_token":"t","token_type":"bearer","expires_in":3600}`
	}
	return &http.Response{StatusCode: 200, Header: http.Header{"Content-Type": {"application/json"}},
		Body: io.NopCloser(strings.NewReader(body)), Request: r}, nil
}

func TestRegionHosts(t *testing.T) {
	t.Parallel()
	rec := &hostRecorder{}
	c, err := NewClient(WithRegion("eu-west-1"), WithCredentials("id", "secret"), WithTransport(rec))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.GetUser(context.Background(), "u1", nil); err != nil {
		t.Fatal(err)
	}
	want := []string{"https://login.mypurecloud.ie/oauth/token", "https://api.mypurecloud.ie/api/v2/users/u1"}
	if strings.Join(rec.hosts, " ") != strings.Join(want, " ") {
		t.Fatalf("requests went to %v, want %v", rec.hosts, want)
	}
}

// A login URL sends the token request to its host and the calls to the
// base URL's.
func TestLoginURLHosts(t *testing.T) {
	t.Parallel()
	rec := &hostRecorder{}
	c, err := NewClient(WithBaseURL("https://api.proxy.example/"), WithLoginURL("https://sso.proxy.example"),
		WithCredentials("id", "secret"), WithTransport(rec))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.GetUser(context.Background(), "u1", nil); err != nil {
		t.Fatal(err)
	}
	want := []string{"https://sso.proxy.example/oauth/token", "https://api.proxy.example/api/v2/users/u1"}
	if strings.Join(rec.hosts, " ") != strings.Join(want, " ") {
		t.Fatalf("requests went to %v, want %v", rec.hosts, want)
	}
}

func TestNewClientErrors(t *testing.T) {
	t.Parallel()
	for _, opts := range [][]Option{
		{WithCredentials("id", "secret")},
		{WithRegion("nowhere"), WithCredentials("id", "secret")},
		{WithBaseURL("ftp://x"), WithCredentials("id", "secret")},
		{WithBaseURL("https://x"), WithLoginURL("sso.example"), WithCredentials("id", "secret")},
		{WithBaseURL("http://127.0.0.1:8089"), WithLoginURL("ftp://login.example:21/"), WithCredentials("id", "secret")},
		{WithRegion("mypurecloud.ie")},
	} {
		if _, err := NewClient(opts...); err == nil {
			t.Errorf("NewClient with %d options: no error", len(opts))
		}
	}
}

func TestAPIErrorIs(t *testing.T) {
	t.Parallel()
	sentinels := []error{ErrNotFound, ErrConflict, ErrRateLimited, ErrUnauthorized, ErrBadRequest}
	for status, want := range map[int]error{404: ErrNotFound, 409: ErrConflict, 429: ErrRateLimited, 401: ErrUnauthorized, 400: ErrBadRequest} {
		var err error = &APIError{Status: status}
		for _, s := range sentinels {
			if got := errors.Is(err, s); got != (s == want) {
				t.Errorf("errors.Is(%d, %v) = %v", status, s, got)
			}
		}
	}
	// A duplicate email conflict is a conflict whatever its status.
	if !errors.Is(&APIError{Status: 400, Code: "general.conflict"}, ErrConflict) {
		t.Error("general.conflict does not match ErrConflict")
	}
}
