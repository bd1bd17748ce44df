package genesys_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/usersync/syncer/internal/genesys"
)

// captured is one request seen by a capture server.
type captured struct {
	Method, Path, Query string
	Body                []byte
	Auth                string
}

// captureServer answers /oauth/token like Genesys and every other request
// with answer, recording it.
type captureServer struct {
	*httptest.Server
	mu     sync.Mutex
	reqs   []captured
	tokens int
	answer func(w http.ResponseWriter, r *http.Request, n int)
}

func newCaptureServer(t *testing.T, answer func(w http.ResponseWriter, r *http.Request, n int)) *captureServer {
	t.Helper()
	cs := &captureServer{answer: answer}
	cs.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/oauth/token" {
			id, secret, ok := r.BasicAuth()
			if !ok || id != "id" || secret != "secret" || r.FormValue("grant_type") != "client_credentials" {
				w.WriteHeader(http.StatusUnauthorized)
				io.WriteString(w, `{"error":"invalid_client"}`)
				return
			}
			cs.mu.Lock()
			cs.tokens++
			tok := "tok" + strings.Repeat("x", cs.tokens)
			cs.mu.Unlock()
			w.Header().Set("Content-Type", "application/json")
			io.WriteString(w, `{"access_token":"`+tok+`","token_type":"bearer","expires_in":86400}`)
			return
		}
		body, _ := io.ReadAll(r.Body)
		cs.mu.Lock()
		cs.reqs = append(cs.reqs, captured{Method: r.Method, Path: r.URL.EscapedPath(), Query: r.URL.RawQuery, Body: body, Auth: r.Header.Get("Authorization")})
		n := len(cs.reqs)
		cs.mu.Unlock()
		w.Header().Set("ININ-Correlation-Id", "corr-1")
		if cs.answer != nil {
			cs.answer(w, r, n)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		switch {
		case r.Method == "DELETE", strings.Contains(r.URL.Path, "/bulk") && r.Method == "POST", strings.HasSuffix(r.URL.Path, "/members"),
			strings.Contains(r.URL.Path, "/objects/"):
			w.WriteHeader(http.StatusNoContent)
		case strings.HasSuffix(r.URL.Path, "/externalid"):
			io.WriteString(w, `[{"authorityName":"hr","externalKey":"E1"}]`)
		case strings.Contains(r.URL.Path, "/routingskills/"), strings.Contains(r.URL.Path, "/routinglanguages/"),
			strings.HasSuffix(r.URL.Path, "/queues"), r.URL.Path == "/api/v2/users/bulk":
			io.WriteString(w, `{"entities":[],"pageSize":25,"pageNumber":1,"total":0}`)
		case strings.Contains(r.URL.Path, "/jobs"):
			w.WriteHeader(http.StatusAccepted)
			io.WriteString(w, `{"jobId":"job-1"}`)
		default:
			io.WriteString(w, `{"id":"u1","name":"N","version":2,"futureField":{"x":1}}`)
		}
	}))
	t.Cleanup(cs.Close)
	return cs
}

func (cs *captureServer) requests() []captured {
	cs.mu.Lock()
	defer cs.mu.Unlock()
	return slices.Clone(cs.reqs)
}

func (cs *captureServer) client(t *testing.T, opts ...genesys.Option) *genesys.Client {
	t.Helper()
	base := []genesys.Option{genesys.WithBaseURL(cs.URL), genesys.WithCredentials("id", "secret"), genesys.WithRetryPolicy(fastRetry)}
	c, err := genesys.NewClient(append(base, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func ptr[T any](v T) *T { return &v }

// TestWriteRequestShapes checks the method, path, query and JSON body of
// every write against the API's names (genesys-models.md).
func TestWriteRequestShapes(t *testing.T) {
	t.Parallel()
	cs := newCaptureServer(t, nil)
	c := cs.client(t)
	ctx := context.Background()
	tests := []struct {
		name   string
		call   func() error
		method string
		path   string
		query  string
		body   string
	}{
		{"create user", func() error {
			_, err := c.CreateUser(ctx, genesys.CreateUser{Name: "Ada", Email: "ada@example.com", DivisionID: "d1", Title: "Agent", Department: "Sales", State: "active"})
			return err
		}, "POST", "/api/v2/users", "", `{"name":"Ada","department":"Sales","email":"ada@example.com","title":"Agent","divisionId":"d1","state":"active"}`},
		{"update user", func() error {
			_, err := c.UpdateUser(ctx, "u 1", genesys.UpdateUser{Version: 3, Title: ptr("Lead"), Manager: ptr("m1"), AcdAutoAnswer: ptr(false), EmployerInfo: &genesys.EmployerInfo{EmployeeID: "E1"}})
			return err
		}, "PATCH", "/api/v2/users/u%201", "", `{"title":"Lead","manager":"m1","version":3,"acdAutoAnswer":false,"employerInfo":{"employeeId":"E1"}}`},
		{"state change alone", func() error {
			_, err := c.UpdateUser(ctx, "u1", genesys.UpdateUser{Version: 4, State: ptr("inactive")})
			return err
		}, "PATCH", "/api/v2/users/u1", "", `{"version":4,"state":"inactive"}`},
		{"delete user", func() error { return c.DeleteUser(ctx, "u1") }, "DELETE", "/api/v2/users/u1", "", ``},
		{"users bulk", func() error {
			_, err := c.PatchUsersBulk(ctx, []genesys.PatchUser{{ID: "u1", AcdAutoAnswer: ptr(true)}, {ID: "u2", AcdAutoAnswer: ptr(false)}})
			return err
		}, "PATCH", "/api/v2/users/bulk", "", `[{"id":"u1","acdAutoAnswer":true},{"id":"u2","acdAutoAnswer":false}]`},
		{"skills bulk patch", func() error {
			_, err := c.PatchUserRoutingSkills(ctx, "u1", []genesys.UserRoutingSkillPost{{ID: "s1", Proficiency: 4.5}})
			return err
		}, "PATCH", "/api/v2/users/u1/routingskills/bulk", "", `[{"id":"s1","proficiency":4.5}]`},
		{"skills bulk put empty", func() error {
			_, err := c.ReplaceUserRoutingSkills(ctx, "u1", nil)
			return err
		}, "PUT", "/api/v2/users/u1/routingskills/bulk", "", `[]`},
		{"skill delete", func() error { return c.DeleteUserRoutingSkill(ctx, "u1", "s1") }, "DELETE", "/api/v2/users/u1/routingskills/s1", "", ``},
		{"languages bulk patch", func() error {
			_, err := c.PatchUserRoutingLanguages(ctx, "u1", []genesys.UserRoutingLanguagePost{{ID: "l1", Proficiency: 0}})
			return err
		}, "PATCH", "/api/v2/users/u1/routinglanguages/bulk", "", `[{"id":"l1","proficiency":0}]`},
		{"language delete", func() error { return c.DeleteUserRoutingLanguage(ctx, "u1", "l1") }, "DELETE", "/api/v2/users/u1/routinglanguages/l1", "", ``},
		{"user queues join", func() error {
			_, err := c.PatchUserQueues(ctx, "u1", []genesys.QueueJoin{{ID: "q1", Joined: true}, {ID: "q2", Joined: false}})
			return err
		}, "PATCH", "/api/v2/users/u1/queues", "", `[{"id":"q1","joined":true},{"id":"q2","joined":false}]`},
		{"queue members add", func() error { return c.AddQueueMembers(ctx, "q1", []string{"u1", "u2"}) },
			"POST", "/api/v2/routing/queues/q1/members", "", `[{"id":"u1"},{"id":"u2"}]`},
		{"queue members remove", func() error { return c.RemoveQueueMembers(ctx, "q1", []string{"u1"}) },
			"POST", "/api/v2/routing/queues/q1/members", "delete=true", `[{"id":"u1"}]`},
		{"bulkadd", func() error {
			return c.GrantRoles(ctx, "u1", []genesys.RoleDivisionPair{{RoleID: "r1", DivisionID: "d1"}})
		},
			"POST", "/api/v2/authorization/subjects/u1/bulkadd", "", `{"grants":[{"roleId":"r1","divisionId":"d1"}]}`},
		{"bulkremove", func() error {
			return c.RevokeRoles(ctx, "u1", []genesys.RoleDivisionPair{{RoleID: "r1", DivisionID: "*"}})
		},
			"POST", "/api/v2/authorization/subjects/u1/bulkremove", "", `{"grants":[{"roleId":"r1","divisionId":"*"}]}`},
		{"bulkreplace", func() error { return c.ReplaceRoles(ctx, "u1", nil) },
			"POST", "/api/v2/authorization/subjects/u1/bulkreplace", "", `{"grants":[]}`},
		{"external id", func() error {
			_, err := c.AddUserExternalID(ctx, "u1", genesys.UserExternalIdentifier{AuthorityName: "hr", ExternalKey: "E1"})
			return err
		}, "POST", "/api/v2/users/u1/externalid", "", `{"authorityName":"hr","externalKey":"E1"}`},
		{"external id lookup", func() error {
			_, err := c.GetUserByExternalID(ctx, "hr system", "E/1", []string{"skills", "languages"})
			return err
		}, "GET", "/api/v2/users/externalid/hr%20system/E%2F1", "expand=skills&expand=languages", ``},
		{"search", func() error {
			_, err := c.SearchUsers(ctx, genesys.UserSearchRequest{Expand: []string{"skills"}, Query: []genesys.UserSearchCriteria{{Type: "EXACT", Fields: []string{"divisionId"}, Value: "d1"}}})
			return err
		}, "POST", "/api/v2/users/search", "", `{"pageSize":100,"pageNumber":1,"expand":["skills"],"query":[{"type":"EXACT","fields":["divisionId"],"value":"d1"}]}`},
		{"details job", func() error {
			_, err := c.SubmitUserDetailsJob(ctx, genesys.AsyncUserDetailsQuery{Interval: "2026-01-01T00:00:00Z/2026-01-02T00:00:00Z",
				UserFilters: []genesys.AnalyticsFilter{{Type: "or", Predicates: []genesys.AnalyticsPredicate{{Dimension: "userId", Value: "u1"}}}}})
			return err
		}, "POST", "/api/v2/analytics/users/details/jobs", "", `{"interval":"2026-01-01T00:00:00Z/2026-01-02T00:00:00Z","userFilters":[{"type":"or","predicates":[{"dimension":"userId","value":"u1"}]}]}`},
		{"aggregates job", func() error {
			_, err := c.SubmitUserAggregatesJob(ctx, genesys.UserAsyncAggregationQuery{Interval: "i", Granularity: "PT1H", GroupBy: []string{"userId"}, Metrics: []string{"tSystemPresence"}})
			return err
		}, "POST", "/api/v2/analytics/users/aggregates/jobs", "", `{"interval":"i","granularity":"PT1H","groupBy":["userId"],"metrics":["tSystemPresence"]}`},
		{"division move", func() error { return c.MoveToDivision(ctx, "d2", genesys.ObjectUser, []string{"u1", "u2"}) },
			"POST", "/api/v2/authorization/divisions/d2/objects/USER", "", `["u1","u2"]`},
		{"external id delete", func() error { return c.DeleteUserExternalID(ctx, "u1", "hr", "E1") },
			"DELETE", "/api/v2/users/u1/externalid/hr/E1", "", ``},
		{"single skill", func() error {
			_, err := c.AddUserRoutingSkill(ctx, "u1", genesys.UserRoutingSkillPost{ID: "s9", Proficiency: 1})
			return err
		}, "POST", "/api/v2/users/u1/routingskills", "", `{"id":"s9","proficiency":1}`},
		{"cancel details job", func() error { return c.CancelUserDetailsJob(ctx, "job-1") }, "DELETE", "/api/v2/analytics/users/details/jobs/job-1", "", ``},
	}
	for i, tt := range tests {
		if err := tt.call(); err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		reqs := cs.requests()
		if len(reqs) != i+1 {
			t.Fatalf("%s: %d requests in all, want %d", tt.name, len(reqs), i+1)
		}
		got := reqs[i]
		if got.Method != tt.method || got.Path != tt.path || got.Query != tt.query {
			t.Errorf("%s: %s %s?%s, want %s %s?%s", tt.name, got.Method, got.Path, got.Query, tt.method, tt.path, tt.query)
		}
		if !jsonEqual(t, got.Body, []byte(tt.body)) {
			t.Errorf("%s: body %s, want %s", tt.name, got.Body, tt.body)
		}
		if got.Auth != "Bearer tokx" {
			t.Errorf("%s: Authorization %q", tt.name, got.Auth)
		}
	}
}

func jsonEqual(t *testing.T, a, b []byte) bool {
	t.Helper()
	if len(a) == 0 || len(b) == 0 {
		return len(a) == len(b)
	}
	var x, y any
	if err := json.Unmarshal(a, &x); err != nil {
		t.Fatalf("body %q: %v", a, err)
	}
	if err := json.Unmarshal(b, &y); err != nil {
		t.Fatalf("want %q: %v", b, err)
	}
	xb, _ := json.Marshal(x)
	yb, _ := json.Marshal(y)
	return string(xb) == string(yb)
}

func TestUnknownFieldsKept(t *testing.T) {
	t.Parallel()
	cs := newCaptureServer(t, nil)
	u, err := cs.client(t).GetUser(context.Background(), "u1", nil)
	if err != nil {
		t.Fatal(err)
	}
	if u.ID != "u1" || u.Version != 2 || !strings.Contains(string(u.Raw), `"futureField":{"x":1}`) {
		t.Fatalf("user %+v, raw %s", u, u.Raw)
	}
}

// TestCreateNeverBlindlyRetried: a create that fails after it was sent is
// not repeated; the caller is told the outcome is unknown.
func TestCreateNeverBlindlyRetried(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	body := genesys.CreateUser{Name: "Ada", Email: "ada@example.com", DivisionID: "d1"}

	t.Run("connection reset", func(t *testing.T) {
		t.Parallel()
		cs := newCaptureServer(t, func(w http.ResponseWriter, r *http.Request, n int) {
			conn, _, _ := w.(http.Hijacker).Hijack()
			conn.Close()
		})
		_, err := cs.client(t).CreateUser(ctx, body)
		var ou *genesys.OutcomeUnknownError
		if !errors.As(err, &ou) || !errors.Is(err, genesys.ErrOutcomeUnknown) || ou.Path != "/api/v2/users" {
			t.Fatalf("err = %v, want an *OutcomeUnknownError", err)
		}
		if n := len(cs.requests()); n != 1 {
			t.Fatalf("the create was sent %d times", n)
		}
	})
	t.Run("503", func(t *testing.T) {
		t.Parallel()
		cs := newCaptureServer(t, func(w http.ResponseWriter, r *http.Request, n int) {
			w.WriteHeader(http.StatusServiceUnavailable)
			io.WriteString(w, `{"message":"busy","code":"service.unavailable","status":503}`)
		})
		_, err := cs.client(t).CreateUser(ctx, body)
		var apiErr *genesys.APIError
		if !errors.Is(err, genesys.ErrOutcomeUnknown) || !errors.As(err, &apiErr) || apiErr.Status != 503 {
			t.Fatalf("err = %v, want outcome unknown wrapping a 503", err)
		}
		if n := len(cs.requests()); n != 1 {
			t.Fatalf("the create was sent %d times", n)
		}
	})
	t.Run("429 is retried", func(t *testing.T) {
		t.Parallel()
		cs := newCaptureServer(t, func(w http.ResponseWriter, r *http.Request, n int) {
			if n == 1 {
				w.Header().Set("Retry-After", "0")
				w.WriteHeader(http.StatusTooManyRequests)
				io.WriteString(w, `{"message":"Rate limit exceeded the maximum. Retry the request in [0] seconds","code":"too.many.requests.retry.after","status":429}`)
				return
			}
			w.WriteHeader(http.StatusOK)
			io.WriteString(w, `{"id":"new","name":"Ada","version":1}`)
		})
		u, err := cs.client(t).CreateUser(ctx, body)
		if err != nil || u.ID != "new" {
			t.Fatalf("create after a 429: %+v, %v", u, err)
		}
		if n := len(cs.requests()); n != 2 {
			t.Fatalf("the create was sent %d times, want 2", n)
		}
	})
	t.Run("409 duplicate email", func(t *testing.T) {
		t.Parallel()
		cs := newCaptureServer(t, func(w http.ResponseWriter, r *http.Request, n int) {
			w.WriteHeader(http.StatusConflict)
			io.WriteString(w, `{"message":"email in use","code":"general.conflict","status":409}`)
		})
		_, err := cs.client(t).CreateUser(ctx, body)
		if !errors.Is(err, genesys.ErrConflict) || errors.Is(err, genesys.ErrOutcomeUnknown) {
			t.Fatalf("err = %v, want ErrConflict", err)
		}
	})
	t.Run("refused connection is retried", func(t *testing.T) {
		t.Parallel()
		cs := newCaptureServer(t, nil)
		c := cs.client(t, genesys.WithTransport(&http.Transport{DisableKeepAlives: true}))
		if _, err := c.GetUser(ctx, "u1", nil); err != nil { // log in
			t.Fatal(err)
		}
		// Point the client at a closed port: dial errors mean the request
		// never left, so even a create may go again (and fail the same way).
		cs.Close()
		_, err := c.CreateUser(ctx, body)
		var reqErr *genesys.RequestError
		if !errors.As(err, &reqErr) || errors.Is(err, genesys.ErrOutcomeUnknown) || reqErr.Attempts != genesys.DefaultMaxRetries+1 {
			t.Fatalf("err = %v, want a *RequestError after %d attempts", err, genesys.DefaultMaxRetries+1)
		}
	})
}

// TestUnauthorizedAfterRefresh: a 401 is retried once with a new token,
// then returned.
func TestUnauthorizedAfterRefresh(t *testing.T) {
	t.Parallel()
	cs := newCaptureServer(t, func(w http.ResponseWriter, r *http.Request, n int) {
		w.WriteHeader(http.StatusUnauthorized)
		io.WriteString(w, `{"message":"token invalid","code":"unauthorized","status":401}`)
	})
	c := cs.client(t)
	_, err := c.GetUser(context.Background(), "u1", nil)
	if !errors.Is(err, genesys.ErrUnauthorized) {
		t.Fatalf("err = %v, want ErrUnauthorized", err)
	}
	reqs := cs.requests()
	if len(reqs) != 2 || reqs[0].Auth == reqs[1].Auth || cs.tokens != 2 {
		t.Fatalf("%d requests with %d tokens, want 2 requests with 2 distinct tokens", len(reqs), cs.tokens)
	}
	for _, r := range reqs {
		if strings.Contains(err.Error(), strings.TrimPrefix(r.Auth, "Bearer ")) {
			t.Fatalf("the error shows the token: %v", err)
		}
	}
}

func TestNonGenesysErrorBody(t *testing.T) {
	t.Parallel()
	cs := newCaptureServer(t, func(w http.ResponseWriter, r *http.Request, n int) {
		w.WriteHeader(http.StatusForbidden)
		io.WriteString(w, "<html>denied by proxy</html>")
	})
	_, err := cs.client(t).GetUser(context.Background(), "u1", nil)
	var apiErr *genesys.APIError
	if !errors.As(err, &apiErr) || apiErr.Status != 403 || apiErr.Message != "<html>denied by proxy</html>" || apiErr.CorrelationID != "corr-1" {
		t.Fatalf("err = %#v", err)
	}
}
