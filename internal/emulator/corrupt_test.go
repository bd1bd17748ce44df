package emulator

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
)

// A corrupted page: the pages before and after it answer as usual, the
// corrupted one as its kind says, and a fault with times clears itself.
func TestFaultCorruptPage(t *testing.T) {
	t.Parallel()
	e := newEnv(t, Config{Users: 60})
	page := func(n string) response { return e.do("GET", "/api/v2/users?pageSize=10&pageNumber="+n, nil) }
	valid := func(r response) bool {
		var l struct {
			Entities   []json.RawMessage `json:"entities"`
			PageNumber int               `json:"pageNumber"`
		}
		return r.status == http.StatusOK && json.Unmarshal(r.body, &l) == nil && len(l.Entities) == 10
	}
	set := func(c *PageCorruption) {
		t.Helper()
		if err := e.s.SetFaults(Faults{CorruptPage: c}); err != nil {
			t.Fatal(err)
		}
	}

	set(&PageCorruption{Path: "/api/v2/users", Kind: CorruptTruncated})
	if r1, r2, r3 := page("1"), page("2"), page("3"); !valid(r1) || !valid(r3) {
		t.Fatalf("pages 1 and 3 = %d, %d; want them untouched", r1.status, r3.status)
	} else if r2.status != http.StatusOK || json.Valid(r2.body) || len(r2.body) == 0 {
		t.Fatalf("truncated page 2 = %d %q", r2.status, r2.body)
	}
	if r := page("2"); json.Valid(r.body) {
		t.Fatal("a corruption without times stopped after one answer")
	}

	set(&PageCorruption{Path: "/api/v2/users", Page: 3, Kind: CorruptTypes})
	if r := page("3"); r.status != http.StatusOK || !json.Valid(r.body) || !strings.Contains(string(r.body), `"pageNumber":"3"`) || valid(r) {
		t.Fatalf("page 3 with numbers as strings = %d %.200s", r.status, r.body)
	}
	if r := page("2"); !valid(r) {
		t.Fatalf("page 2 = %d %.200s; only page 3 is corrupted", r.status, r.body)
	}

	set(&PageCorruption{Path: "/api/v2/users", Kind: CorruptHTML, Times: 1})
	r := page("2")
	if r.status != http.StatusBadGateway || !strings.HasPrefix(r.header.Get("Content-Type"), "text/html") || !strings.Contains(string(r.body), "502 Bad Gateway") {
		t.Fatalf("html page 2 = %d %s %q", r.status, r.header.Get("Content-Type"), r.body)
	}
	if f := e.s.Faults(); f.CorruptPage != nil {
		t.Fatalf("a corruption with times 1 is still in force after one answer: %+v", f.CorruptPage)
	}
	if r := page("2"); !valid(r) {
		t.Fatalf("page 2 after the transient corruption = %d %.200s", r.status, r.body)
	}
	if st := e.s.Stats(); st.Count("GET /api/v2/users", http.StatusBadGateway) != 1 {
		t.Errorf("stats of GET /api/v2/users: %v; want the 502 counted", st.Routes["GET /api/v2/users"])
	}

	for _, bad := range []map[string]any{
		{"corruptPage": map[string]any{"path": "/api/v2/users", "kind": "garbled"}},
		{"corruptPage": map[string]any{"path": "/users", "kind": "html"}},
		{"corruptPage": map[string]any{"path": "/api/v2/users", "kind": "html", "times": -1}},
	} {
		if r := e.do("PUT", "/_emulator/faults", bad); r.status != http.StatusBadRequest {
			t.Errorf("PUT faults %v = %d %s, want 400", bad, r.status, r.body)
		}
	}
	if r := e.do("PUT", "/_emulator/faults", map[string]any{"corruptPage": map[string]any{"path": "/api/v2/users", "kind": "html", "times": 2}}); r.status != http.StatusOK {
		t.Fatalf("PUT corruptPage = %d %s", r.status, r.body)
	}
	var got Faults
	e.do("GET", "/_emulator/faults", nil).decode(t, &got)
	if got.CorruptPage == nil || got.CorruptPage.Times != 2 || got.CorruptPage.Kind != CorruptHTML {
		t.Fatalf("GET faults = %+v", got.CorruptPage)
	}
}
