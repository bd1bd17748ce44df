package emulator

import (
	"fmt"
	"net/url"
	"reflect"
	"slices"
	"strings"
	"testing"
)

func TestListUsersByState(t *testing.T) {
	t.Parallel()
	e := newEnv(t, Config{Users: 700, Seed: 11})
	views := e.s.Users()
	byState := map[string][]string{}
	for _, v := range views {
		byState[v.State] = append(byState[v.State], v.ID)
		byState["any"] = append(byState["any"], v.ID)
	}
	tests := []struct{ query, state string }{
		{"", "active"}, {"state=active", "active"}, {"state=inactive", "inactive"},
		{"state=deleted", "deleted"}, {"state=any", "any"},
	}
	for _, tt := range tests {
		t.Run(tt.state+"/"+tt.query, func(t *testing.T) {
			t.Parallel()
			users := e.allUsers("pageSize=100&" + tt.query)
			var got []string
			for _, u := range users {
				got = append(got, u.ID)
				if tt.state != "any" && u.State != tt.state {
					t.Fatalf("user %s has state %s in a %s listing", u.ID, u.State, tt.state)
				}
			}
			want := slices.Clone(byState[tt.state])
			slices.Sort(want)
			slices.Sort(got)
			if !slices.Equal(got, want) {
				t.Fatalf("listing has %d users, want %d", len(got), len(want))
			}
			// Listed by name, then id.
			for k := 1; k < len(users); k++ {
				a, b := users[k-1], users[k]
				if a.Name > b.Name || a.Name == b.Name && a.ID > b.ID {
					t.Fatalf("not sorted at %d: %q/%s then %q/%s", k, a.Name, a.ID, b.Name, b.ID)
				}
			}
		})
	}
}

func TestListUsersPageLinks(t *testing.T) {
	t.Parallel()
	e := newEnv(t, Config{Users: 300})
	total := e.s.UserCount(StateActive)
	pages := (total + 99) / 100
	var first userListing
	e.get("/api/v2/users?pageSize=100&expand=skills", 200, &first)
	if first.Total != total || first.PageCount != pages || first.PageSize != 100 || first.PageNumber != 1 || len(first.Entities) != 100 {
		t.Fatalf("page 1: total %d pageCount %d size %d number %d entities %d; want total %d pages %d",
			first.Total, first.PageCount, first.PageSize, first.PageNumber, len(first.Entities), total, pages)
	}
	if first.PreviousURI != nil || first.NextURI == nil {
		t.Fatalf("page 1 links: previous %v next %v", first.PreviousURI, first.NextURI)
	}
	wantNext := "/api/v2/users?pageSize=100&pageNumber=2&expand=skills"
	if *first.NextURI != wantNext || first.SelfURI != "/api/v2/users?pageSize=100&pageNumber=1&expand=skills" ||
		first.FirstURI != first.SelfURI || first.LastURI != fmt.Sprintf("/api/v2/users?pageSize=100&pageNumber=%d&expand=skills", pages) {
		t.Fatalf("links: first %s self %s next %s last %s", first.FirstURI, first.SelfURI, *first.NextURI, first.LastURI)
	}
	var last userListing
	e.get(first.LastURI, 200, &last)
	if last.NextURI != nil || last.PreviousURI == nil || len(last.Entities) != total-(pages-1)*100 {
		t.Fatalf("last page: next %v previous %v entities %d", last.NextURI, last.PreviousURI, len(last.Entities))
	}
	// Past the end (but under the cap): empty page, no next.
	var past userListing
	e.get(fmt.Sprintf("/api/v2/users?pageSize=100&pageNumber=%d", pages+1), 200, &past)
	if len(past.Entities) != 0 || past.NextURI != nil || past.Total != total {
		t.Fatalf("past the end: %d entities, next %v", len(past.Entities), past.NextURI)
	}
	// Default page size 25; DESC reverses.
	var def, desc userListing
	e.get("/api/v2/users", 200, &def)
	e.get("/api/v2/users?sortOrder=DESC&pageSize=500", 200, &desc)
	if def.PageSize != 25 || len(def.Entities) != 25 {
		t.Fatalf("default page size %d, %d entities", def.PageSize, len(def.Entities))
	}
	if desc.Entities[len(desc.Entities)-1].ID != def.Entities[0].ID {
		t.Fatal("sortOrder=DESC does not reverse the listing")
	}
}

func TestListUsersBadParams(t *testing.T) {
	t.Parallel()
	e := newEnv(t, Config{Users: 300, PageCap: 1000})
	tests := []struct {
		query string
		want  int
	}{
		{"pageSize=500", 200},
		{"pageSize=501", 400},
		{"pageSize=0", 400},
		{"pageSize=abc", 400},
		{"pageNumber=0", 400},
		{"pageNumber=-3", 400},
		{"state=gone", 400},
		{"expand=nonsense", 400},
		{"expand=presence,skills", 200},
		{"sortOrder=sideways", 400},
		{"id=" + strings.Repeat("x,", 101), 400},
		// The deep-paging cap: pageNumber*pageSize may not exceed PageCap.
		{"pageSize=100&pageNumber=10", 200},
		{"pageSize=100&pageNumber=11", 400},
		{"pageSize=500&pageNumber=2", 200},
		{"pageSize=500&pageNumber=3", 400},
		{"pageSize=1&pageNumber=9223372036854775807", 400},
		{"state=inactive&pageSize=250&pageNumber=5", 400},
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			t.Parallel()
			r := e.do("GET", "/api/v2/users?"+tt.query, nil)
			if r.status != tt.want {
				t.Fatalf("status %d, want %d: %s", r.status, tt.want, r.body)
			}
			if tt.want == 400 && r.errorBody(t)["code"] != "bad.request" {
				t.Fatalf("body %s", r.body)
			}
		})
	}
}

func TestUserExpands(t *testing.T) {
	t.Parallel()
	e := newEnv(t, Config{Users: 200})
	views := map[string]UserView{}
	for _, v := range e.s.Users() {
		views[v.ID] = v
	}
	var plain, full userListing
	e.get("/api/v2/users?pageSize=200", 200, &plain)
	e.get("/api/v2/users?pageSize=200&expand=skills,languages&expand=groups&expand=locations,authorization,employerInfo", 200, &full)
	for _, u := range plain.Entities {
		if u.Skills != nil || u.Languages != nil || u.Groups != nil || u.Locations != nil || u.EmployerInfo != nil || u.Authorization != nil {
			t.Fatalf("user %s has expanded fields without expand", u.ID)
		}
		v := views[u.ID]
		if u.Name != v.Name || u.Email != v.Email || u.Division == nil || u.Division.ID != v.DivisionID || u.Version != v.Version ||
			u.AcdAutoAnswer == nil || *u.AcdAutoAnswer != v.AcdAutoAnswer || u.SelfURI != "/api/v2/users/"+u.ID ||
			(v.ManagerID == "") != (u.Manager == nil) || u.Manager != nil && u.Manager.ID != v.ManagerID {
			t.Fatalf("user %s = %+v, want %+v", u.ID, u, v)
		}
	}
	sawSkills := false
	for _, u := range full.Entities {
		v := views[u.ID]
		if u.Skills == nil || u.Languages == nil || u.Groups == nil || u.Locations == nil || u.EmployerInfo == nil || u.Authorization == nil {
			t.Fatalf("user %s misses an expand: %+v", u.ID, u)
		}
		if len(u.Skills) != len(v.Skills) || len(u.Languages) != len(v.Languages) || len(u.Groups) != len(v.GroupIDs) ||
			len(u.Locations) != len(v.LocationIDs) || u.EmployerInfo.EmployeeID != v.EmployeeID {
			t.Fatalf("user %s expands differ from the org", u.ID)
		}
		for k, s := range u.Skills {
			if s.ID != v.Skills[k].ID || s.Proficiency != v.Skills[k].Proficiency {
				t.Fatalf("user %s skill %d = %+v, want %+v", u.ID, k, s, v.Skills[k])
			}
			sawSkills = true
		}
		roles := map[string]bool{}
		for _, g := range v.Grants {
			roles[g.RoleID] = true
		}
		if len(u.Authorization.Roles) != len(roles) {
			t.Fatalf("user %s roles %d, want %d", u.ID, len(u.Authorization.Roles), len(roles))
		}
	}
	if !sawSkills {
		t.Fatal("no user has skills")
	}
}

func TestListUsersByID(t *testing.T) {
	t.Parallel()
	e := newEnv(t, Config{Users: 300})
	var active, deleted []string
	for _, v := range e.s.Users() {
		switch v.State {
		case StateActive:
			active = append(active, v.ID)
		case StateDeleted:
			deleted = append(deleted, v.ID)
		}
	}
	ids := []string{active[0], active[1], deleted[0], "no-such-user"}
	var l userListing
	e.get("/api/v2/users?"+q("id", ids[0]+","+ids[1], "id", ids[2], "id", ids[3]), 200, &l)
	var got []string
	for _, u := range l.Entities {
		got = append(got, u.ID)
	}
	slices.Sort(got)
	want := slices.Clone(ids[:3])
	slices.Sort(want)
	if !slices.Equal(got, want) || l.Total != 3 {
		t.Fatalf("id list without state = %v (total %d), want %v", got, l.Total, want)
	}
	e.get("/api/v2/users?"+q("id", strings.Join(ids, ","), "state", "active"), 200, &l)
	if l.Total != 2 {
		t.Fatalf("id list with state=active has %d users, want 2", l.Total)
	}
}

func TestGetUser(t *testing.T) {
	t.Parallel()
	e := newEnv(t, Config{Users: 300})
	var active, deleted UserView
	for _, v := range e.s.Users() {
		if v.State == StateActive && active.ID == "" {
			active = v
		}
		if v.State == StateDeleted && deleted.ID == "" {
			deleted = v
		}
	}
	var u wireUser
	e.get("/api/v2/users/"+active.ID+"?expand=skills", 200, &u)
	if u.ID != active.ID || u.Email != active.Email || len(u.Skills) != len(active.Skills) {
		t.Fatalf("user = %+v", u)
	}
	r := e.get("/api/v2/users/"+deleted.ID, 404, nil)
	if r.errorBody(t)["code"] != "not.found" {
		t.Fatalf("body %s", r.body)
	}
	e.get("/api/v2/users/"+deleted.ID+"?state=deleted", 200, &u)
	if u.State != StateDeleted || u.ID != deleted.ID {
		t.Fatalf("deleted user = %+v", u)
	}
	e.get("/api/v2/users/"+active.ID+"?state=deleted", 404, nil)
	e.get("/api/v2/users/nope", 404, nil)
	e.get("/api/v2/users/"+active.ID+"?state=weird", 400, nil)
	e.get("/api/v2/users/"+active.ID+"?expand=bogus", 400, nil)
}

func TestExternalIDs(t *testing.T) {
	t.Parallel()
	e := newEnv(t, Config{Users: 200})
	var v UserView
	for _, u := range e.s.Users() {
		if len(u.ExternalIDs) > 0 && u.State == StateDeleted {
			v = u
			break
		}
	}
	if v.ID == "" {
		t.Fatal("no deleted user with an external id")
	}
	var ids []externalIdentifier
	e.get("/api/v2/users/"+v.ID+"/externalid", 200, &ids)
	if len(ids) != 1 || ids[0].AuthorityName != ExternalAuthority || ids[0].ExternalKey != v.EmployeeID {
		t.Fatalf("external ids = %+v, want hr/%s", ids, v.EmployeeID)
	}
	var u wireUser
	e.get("/api/v2/users/externalid/hr/"+url.PathEscape(v.EmployeeID)+"?expand=employerInfo", 200, &u)
	if u.ID != v.ID || u.EmployerInfo == nil || u.EmployerInfo.EmployeeID != v.EmployeeID {
		t.Fatalf("lookup by external id = %+v", u)
	}
	e.get("/api/v2/users/externalid/hr/E-none", 404, nil)
	e.get("/api/v2/users/externalid/payroll/"+v.EmployeeID, 404, nil)
	e.get("/api/v2/users/nope/externalid", 404, nil)
}

func TestNegativeCapsMeanNoCap(t *testing.T) {
	t.Parallel()
	e := newEnv(t, Config{Users: 50, PageCap: -1, SearchCap: -1})
	e.get("/api/v2/users?pageSize=500&pageNumber=1000", 200, nil)
	if r := e.do("POST", "/api/v2/users/search", searchRequest{PageSize: 100, PageNumber: 1000}); r.status != 200 {
		t.Fatalf("search past the default cap with no cap: %d %s", r.status, r.body)
	}
}

// TestExpandedListsMatchPerUserEndpoints checks that the skills and
// languages expands render exactly what the per-user endpoints answer.
func TestExpandedListsMatchPerUserEndpoints(t *testing.T) {
	t.Parallel()
	e := newEnv(t, Config{Users: 120})
	var l struct {
		Entities []struct {
			ID        string             `json:"id"`
			Skills    []userRoutingSkill `json:"skills"`
			Languages []userRoutingSkill `json:"languages"`
		} `json:"entities"`
	}
	e.get("/api/v2/users?pageSize=20&expand=skills,languages", 200, &l)
	byID := func(xs []userRoutingSkill) map[string]userRoutingSkill {
		m := map[string]userRoutingSkill{}
		for _, x := range xs {
			m[x.ID] = x
		}
		return m
	}
	checked := 0
	for _, u := range l.Entities {
		skills := pageAll[userRoutingSkill](e, "/api/v2/users/"+u.ID+"/routingskills?pageSize=100")
		langs := pageAll[userRoutingSkill](e, "/api/v2/users/"+u.ID+"/routinglanguages?pageSize=100")
		if !reflect.DeepEqual(byID(u.Skills), byID(skills)) || !reflect.DeepEqual(byID(u.Languages), byID(langs)) {
			t.Fatalf("user %s: expanded skills %+v languages %+v, per-user endpoints %+v %+v", u.ID, u.Skills, u.Languages, skills, langs)
		}
		checked += len(skills) + len(langs)
	}
	if checked == 0 {
		t.Fatal("nothing compared")
	}
}
