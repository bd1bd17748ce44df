package emulator

import (
	"maps"
	"slices"
	"strings"
	"testing"
)

// Every registered /api/v2 route has a permission rule (handleAPI panics
// otherwise) and every rule belongs to a registered route, so the table
// cannot rot when a route is renamed.
func TestRoutePermissionsCoverEveryRoute(t *testing.T) {
	t.Parallel()
	s, err := New(Config{Users: 10})
	if err != nil {
		t.Fatal(err)
	}
	registered := slices.Sorted(slices.Values(s.apiPatterns))
	table := slices.Sorted(maps.Keys(routePermissions))
	if !slices.Equal(registered, table) {
		for _, p := range table {
			if !slices.Contains(registered, p) {
				t.Errorf("routePermissions has %q, which no route registers", p)
			}
		}
		for _, p := range registered {
			if !slices.Contains(table, p) {
				t.Errorf("route %q is not in routePermissions", p)
			}
		}
	}
	for p, r := range routePermissions {
		if len(r.any) > 0 && len(r.all) > 0 {
			t.Errorf("%s: a rule is either any-of or all-of", p)
		}
		for _, perm := range append(slices.Clone(r.any), r.all...) {
			if parts := strings.Split(perm, ":"); len(parts) != 3 || slices.Contains(parts, "") {
				t.Errorf("%s: permission %q is not domain:entity:action", p, perm)
			}
		}
	}
}

func TestDeniedPermissionAllOfOverHTTP(t *testing.T) {
	t.Parallel()
	e := newEnv(t, Config{DeniedPermissions: []string{"authorization:grant:add"}})
	var roles struct {
		Entities []struct{ ID string } `json:"entities"`
	}
	e.get("/api/v2/authorization/roles?pageSize=1", 200, &roles)
	var divs struct {
		Entities []struct{ ID string } `json:"entities"`
	}
	e.get("/api/v2/authorization/divisions?pageSize=1", 200, &divs)
	var users struct {
		Entities []wireUser `json:"entities"`
	}
	e.get("/api/v2/users?pageSize=1", 200, &users)
	if len(roles.Entities) == 0 || len(divs.Entities) == 0 || len(users.Entities) == 0 {
		t.Fatal("the org has no role, division or user")
	}
	uid := users.Entities[0].ID
	var before struct {
		Roles []struct{ ID string } `json:"roles"`
	}
	e.get("/api/v2/users/"+uid+"/roles", 200, &before)

	grant := map[string]any{"grants": []map[string]string{{"roleId": roles.Entities[0].ID, "divisionId": divs.Entities[0].ID}}}
	r := e.do("POST", "/api/v2/authorization/subjects/"+uid+"/bulkadd", grant)
	if r.status != 403 {
		t.Fatalf("bulkadd without authorization:grant:add = %d %s, want 403", r.status, r.body)
	}
	body := r.errorBody(t)
	if body["code"] != "missing.permissions" {
		t.Errorf("code = %v, want missing.permissions", body["code"])
	}
	const want = "Unable to perform the requested action. You are missing the following permission(s): [authorization:grant:add]"
	if body["message"] != want {
		t.Errorf("message = %q, want %q", body["message"], want)
	}
	if body["contextId"] != r.header.Get("ININ-Correlation-Id") {
		t.Errorf("contextId %v is not the correlation id %q", body["contextId"], r.header.Get("ININ-Correlation-Id"))
	}
	var after struct {
		Roles []struct{ ID string } `json:"roles"`
	}
	e.get("/api/v2/users/"+uid+"/roles", 200, &after)
	if len(after.Roles) != len(before.Roles) {
		t.Errorf("a refused bulkadd changed the grants: %d roles before, %d after", len(before.Roles), len(after.Roles))
	}
	// bulkreplace needs both add and delete: the one denied is named alone.
	r = e.do("POST", "/api/v2/authorization/subjects/"+uid+"/bulkreplace", grant)
	if r.status != 403 || !strings.Contains(string(r.body), "permission(s): [authorization:grant:add]") {
		t.Errorf("bulkreplace = %d %s, want 403 naming only authorization:grant:add", r.status, r.body)
	}
	// Routes that do not need it are untouched.
	if r := e.do("POST", "/api/v2/authorization/subjects/"+uid+"/bulkremove", map[string]any{"grants": []any{}}); r.status != 204 {
		t.Errorf("bulkremove = %d %s, want 204", r.status, r.body)
	}
}

func TestDeniedPermissionAnyOfOverHTTP(t *testing.T) {
	t.Parallel()
	e := newEnv(t, Config{DeniedPermissions: []string{"routing:queue:view"}})
	r := e.do("GET", "/api/v2/routing/queues?pageSize=1", nil)
	if r.status != 403 {
		t.Fatalf("GET /routing/queues without routing:queue:view = %d %s, want 403", r.status, r.body)
	}
	body := r.errorBody(t)
	const want = "Unable to perform the requested action. You must have at least one of the following permissions assigned: [routing:queue:view]"
	if body["code"] != "missing.any.permissions" || body["message"] != want {
		t.Errorf("body = %s, want code missing.any.permissions and message %q", r.body, want)
	}

	// The members listing is also opened by routing:queue:edit and others,
	// which the client still holds.
	e.s.DenyPermissions() // to find a queue id
	var queues struct {
		Entities []struct{ ID string } `json:"entities"`
	}
	e.get("/api/v2/routing/queues?pageSize=1", 200, &queues)
	if len(queues.Entities) == 0 {
		t.Fatal("no queue")
	}
	members := "/api/v2/routing/queues/" + queues.Entities[0].ID + "/members?pageSize=1"
	if err := e.s.DenyPermissions("routing:queue:view"); err != nil {
		t.Fatal(err)
	}
	e.get(members, 200, nil)
	if err := e.s.DenyPermissions("routing:queue:view", "routing:queue:edit", "routing:queue:readonly", "routing:queueMember:manage"); err != nil {
		t.Fatal(err)
	}
	r = e.do("GET", members, nil)
	if r.status != 403 || !strings.Contains(string(r.body), "[routing:queue:view, routing:queue:edit, routing:queue:readonly, routing:queueMember:manage]") {
		t.Errorf("members with every alternative denied = %d %s, want 403 listing all four", r.status, r.body)
	}
	if got := e.s.DeniedPermissions(); len(got) != 4 {
		t.Errorf("DeniedPermissions = %v", got)
	}
	// Routes that need no permission answer whatever is denied.
	e.get("/api/v2/users?pageSize=1", 200, nil)
	e.get("/api/v2/routing/skills?pageSize=1", 200, nil)
}

// The bearer check comes first: without a token a denied route still
// answers 401, so a 403 always means "logged in, but not allowed".
func TestDeniedPermissionAfterAuthentication(t *testing.T) {
	t.Parallel()
	e := newEnv(t, Config{DeniedPermissions: []string{"authorization:role:view"}})
	if r := e.doToken("", "GET", "/api/v2/authorization/roles", nil); r.status != 401 {
		t.Errorf("no token = %d, want 401", r.status)
	}
	if r := e.do("GET", "/api/v2/authorization/roles", nil); r.status != 403 {
		t.Errorf("token = %d, want 403", r.status)
	}
	st := e.s.Stats()
	if st.ByStatus["403"] != 1 {
		t.Errorf("stats count %d answers 403, want 1: %+v", st.ByStatus["403"], st.ByStatus)
	}
}

func TestDeniedPermissionUnknownName(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ name, want string }{
		// Not a Genesys Cloud permission: the queue members listing needs
		// routing:queue:view (or edit, readonly, queueMember:manage).
		{"routing:queueMember:view", `did you mean "routing:queueMember:manage"?`},
		{"routing:queue:veiw", `did you mean "routing:queue:view"?`},
		{"nonsense", "known: analytics:userAggregate:view"},
	} {
		_, err := New(Config{Users: 5, DeniedPermissions: []string{tc.name}})
		if err == nil || !strings.Contains(err.Error(), tc.name) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("New with denied %q: %v, want an error naming it and %q", tc.name, err, tc.want)
		}
	}
	s, err := New(Config{Users: 5, DeniedPermissions: []string{"routing:queue:view"}})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.DenyPermissions("directory:user:veiw"); err == nil {
		t.Error("DenyPermissions accepted a typo")
	}
	if got := s.DeniedPermissions(); !slices.Equal(got, []string{"routing:queue:view"}) {
		t.Errorf("a refused DenyPermissions changed the set to %v", got)
	}
}
