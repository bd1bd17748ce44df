package emulator

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// fakeClock is a settable clock for token expiry and rate windows.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func newFakeClock() *fakeClock {
	return &fakeClock{t: time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)}
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// env is an emulator served over real HTTP with a logged-in token.
type env struct {
	t     *testing.T
	s     *Server
	ts    *httptest.Server
	token string
}

// newEnv starts an emulator for cfg (rate limiting off unless cfg sets it)
// and logs in.
func newEnv(t *testing.T, cfg Config) *env {
	t.Helper()
	if cfg.Users == 0 {
		cfg.Users = 300
	}
	if cfg.RatePerMinute == 0 {
		cfg.RatePerMinute = -1
	}
	s, err := New(cfg)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	ts := httptest.NewServer(s)
	t.Cleanup(ts.Close)
	e := &env{t: t, s: s, ts: ts}
	e.token = e.login()
	return e
}

func (e *env) login() string {
	e.t.Helper()
	cfg := e.s.Config()
	req, _ := http.NewRequest("POST", e.ts.URL+"/oauth/token", strings.NewReader("grant_type=client_credentials"))
	req.SetBasicAuth(cfg.ClientID, cfg.ClientSecret)
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := e.ts.Client().Do(req)
	if err != nil {
		e.t.Fatalf("login: %v", err)
	}
	defer resp.Body.Close()
	var tok tokenResponse
	if err := json.NewDecoder(resp.Body).Decode(&tok); err != nil || resp.StatusCode != 200 || tok.AccessToken == "" {
		e.t.Fatalf("login: status %d, err %v, token %+v", resp.StatusCode, err, tok)
	}
	return tok.AccessToken
}

// response is one answer, read fully.
type response struct {
	status int
	header http.Header
	body   []byte
}

func (r response) decode(t *testing.T, v any) {
	t.Helper()
	if err := json.Unmarshal(r.body, v); err != nil {
		t.Fatalf("decode %s: %v", r.body, err)
	}
}

// errorBody decodes a Genesys error body and checks its status field.
func (r response) errorBody(t *testing.T) map[string]any {
	t.Helper()
	var m map[string]any
	r.decode(t, &m)
	if m["status"] != float64(r.status) || m["code"] == "" || m["message"] == "" {
		t.Fatalf("error body %s does not match status %d", r.body, r.status)
	}
	return m
}

// do sends a request with the env's token.
func (e *env) do(method, path string, body any) response {
	e.t.Helper()
	return e.doToken(e.token, method, path, body)
}

func (e *env) doToken(token, method, path string, body any) response {
	e.t.Helper()
	var rd io.Reader
	if body != nil {
		raw, err := json.Marshal(body)
		if err != nil {
			e.t.Fatal(err)
		}
		rd = strings.NewReader(string(raw))
	}
	req, err := http.NewRequest(method, e.ts.URL+path, rd)
	if err != nil {
		e.t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := e.ts.Client().Do(req)
	if err != nil {
		e.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		e.t.Fatalf("%s %s: read body: %v", method, path, err)
	}
	if resp.Header.Get("ININ-Correlation-Id") == "" {
		e.t.Errorf("%s %s: no ININ-Correlation-Id", method, path)
	}
	return response{status: resp.StatusCode, header: resp.Header, body: raw}
}

// get sends a GET and fails the test unless it answers want.
func (e *env) get(path string, want int, v any) response {
	e.t.Helper()
	r := e.do("GET", path, nil)
	if r.status != want {
		e.t.Fatalf("GET %s = %d, want %d: %s", path, r.status, want, r.body)
	}
	if v != nil {
		r.decode(e.t, v)
	}
	return r
}

// wireUser is the client's view of a User, decoded with encoding/json.
type wireUser struct {
	ID         string `json:"id"`
	Name       string `json:"name"`
	Email      string `json:"email"`
	Username   string `json:"username"`
	State      string `json:"state"`
	Title      string `json:"title"`
	Department string `json:"department"`
	Version    int    `json:"version"`
	Division   *struct {
		ID   string `json:"id"`
		Name string `json:"name"`
	} `json:"division"`
	Manager *struct {
		ID string `json:"id"`
	} `json:"manager"`
	AcdAutoAnswer *bool `json:"acdAutoAnswer"`
	Skills        []struct {
		ID          string  `json:"id"`
		Name        string  `json:"name"`
		Proficiency float64 `json:"proficiency"`
	} `json:"skills"`
	Languages []struct {
		ID          string  `json:"id"`
		Proficiency float64 `json:"proficiency"`
	} `json:"languages"`
	Groups       []struct{ ID string } `json:"groups"`
	Locations    []struct{ ID string } `json:"locations"`
	EmployerInfo *struct {
		EmployeeID string `json:"employeeId"`
	} `json:"employerInfo"`
	Authorization *struct {
		Roles []struct{ ID, Name string } `json:"roles"`
	} `json:"authorization"`
	SelfURI string `json:"selfUri"`
}

type userListing struct {
	Entities    []wireUser `json:"entities"`
	PageSize    int        `json:"pageSize"`
	PageNumber  int        `json:"pageNumber"`
	Total       int        `json:"total"`
	PageCount   int        `json:"pageCount"`
	FirstURI    string     `json:"firstUri"`
	SelfURI     string     `json:"selfUri"`
	NextURI     *string    `json:"nextUri"`
	PreviousURI *string    `json:"previousUri"`
	LastURI     string     `json:"lastUri"`
}

// allUsers pages through GET /api/v2/users following nextUri.
func (e *env) allUsers(query string) []wireUser {
	e.t.Helper()
	var out []wireUser
	path := "/api/v2/users?" + query
	for pages := 0; path != ""; pages++ {
		if pages > 10000 {
			e.t.Fatal("nextUri never ends")
		}
		var l userListing
		e.get(path, 200, &l)
		out = append(out, l.Entities...)
		path = ""
		if l.NextURI != nil {
			path = *l.NextURI
		}
	}
	return out
}

// check verifies the org's invariants (see the org type).
func (o *org) check() error {
	if len(o.byID) != len(o.users) || len(o.byEmail) != len(o.users) {
		return fmt.Errorf("index sizes: byID %d, byEmail %d, users %d", len(o.byID), len(o.byEmail), len(o.users))
	}
	var counts [numStates]int
	for i := range o.users {
		u := &o.users[i]
		counts[u.state]++
		if o.byID[u.id] != int32(i) || o.byEmail[strings.ToLower(u.email)] != int32(i) {
			return fmt.Errorf("user %d (%s) not indexed", i, u.id)
		}
		if u.manager >= int32(len(o.users)) || u.manager == int32(i) {
			return fmt.Errorf("user %d has manager %d", i, u.manager)
		}
		// The manager graph is a forest: no chain is longer than the org.
		steps, m := 0, u.manager
		for ; m >= 0 && steps <= len(o.users); steps++ {
			m = o.users[m].manager
		}
		if m >= 0 {
			return fmt.Errorf("user %d is on a manager cycle", i)
		}
		for _, q := range u.queues {
			if _, ok := slices.BinarySearch(o.queues[q.queue].members, int32(i)); !ok {
				return fmt.Errorf("user %d in queue %d but not among its members", i, q.queue)
			}
		}
		if u.defaultStation != 0 && o.stations[u.defaultStation-1].defaultUser != int32(i)+1 {
			return fmt.Errorf("user %d's default station %d does not name it", i, u.defaultStation-1)
		}
		if u.associatedStation != 0 && o.stations[u.associatedStation-1].associatedUser != int32(i)+1 {
			return fmt.Errorf("user %d's associated station %d does not name it", i, u.associatedStation-1)
		}
		if u.state == stDeleted && (u.defaultStation != 0 || u.associatedStation != 0) {
			return fmt.Errorf("deleted user %d holds a station", i)
		}
		if u.state == stDeleted && len(u.queues) > 0 {
			return fmt.Errorf("deleted user %d is in %d queues", i, len(u.queues))
		}
		for _, e := range u.externalIDs {
			if o.byExt[extKey{e.AuthorityName, e.ExternalKey}] != int32(i) {
				return fmt.Errorf("external id %v of user %d not indexed", e, i)
			}
		}
		if (u.presence == prOnQueue) != (u.routing != rtOffQueue) {
			return fmt.Errorf("user %d is %s with routing status %s", i, presenceDefs[u.presence].system, routingNames[u.routing])
		}
		if u.state != stActive && u.presence != prOffline {
			return fmt.Errorf("%s user %d is %s", u.state, i, presenceDefs[u.presence].system)
		}
		if u.presenceSince == 0 || u.routingSince == 0 || u.routingSince < u.presenceSince {
			return fmt.Errorf("user %d: presence since %d, routing since %d", i, u.presenceSince, u.routingSince)
		}
		if u.team < 0 || int(u.team) > len(o.teams) || (u.state == stDeleted && u.team != 0) {
			return fmt.Errorf("user %d (%s) on team %d of %d", i, u.state, u.team, len(o.teams))
		}
		if c := slices.Clone(u.certs); len(slices.Compact(slices.Sorted(slices.Values(c)))) != len(u.certs) {
			return fmt.Errorf("user %d: certifications %v not distinct", i, u.certs)
		}
		for _, a := range u.activities {
			if a.created >= a.due || a.created > o.epoch || (a.completed != 0) != (a.status == stCompleted) || a.completed != 0 && a.completed < a.created {
				return fmt.Errorf("user %d: activity %+v has inconsistent dates", i, a)
			}
		}
	}
	for s := range numStates {
		if len(o.byState[s]) != counts[s] {
			return fmt.Errorf("byState[%v] has %d users, want %d", s, len(o.byState[s]), counts[s])
		}
	}
	for s := range numStates + 1 {
		l := o.byState[s]
		for k := 1; k < len(l); k++ {
			if o.cmpUser(l[k-1], l[k]) >= 0 {
				return fmt.Errorf("byState[%d] not sorted at %d", s, k)
			}
		}
		for _, i := range l {
			if s < numStates && o.users[i].state != s {
				return fmt.Errorf("byState[%v] lists user %d of state %v", s, i, o.users[i].state)
			}
		}
	}
	for qi, q := range o.queues {
		joined := 0
		for _, i := range q.members {
			k, ok := slices.BinarySearchFunc(o.users[i].queues, int32(qi), func(r queueRef, q int32) int { return int(r.queue - q) })
			if !ok {
				return fmt.Errorf("queue %d lists user %d who is not a member", qi, i)
			}
			if o.users[i].queues[k].joined {
				joined++
			}
		}
		if joined != q.joined {
			return fmt.Errorf("queue %d joined = %d, counted %d", qi, q.joined, joined)
		}
	}
	for k, st := range o.stations {
		if st.defaultUser != 0 && o.users[st.defaultUser-1].defaultStation != int32(k)+1 {
			return fmt.Errorf("station %d names default user %d, who does not have it", k, st.defaultUser-1)
		}
		if st.associatedUser != 0 && o.users[st.associatedUser-1].associatedStation != int32(k)+1 {
			return fmt.Errorf("station %d names associated user %d, who does not have it", k, st.associatedUser-1)
		}
	}
	return nil
}

func q(kv ...string) string {
	v := url.Values{}
	for k := 0; k+1 < len(kv); k += 2 {
		v.Add(kv[k], kv[k+1])
	}
	return v.Encode()
}
