package emulator

import (
	"slices"
	"strings"
	"testing"
)

type searchAnswer struct {
	Total        int        `json:"total"`
	PageCount    int        `json:"pageCount"`
	PageSize     int        `json:"pageSize"`
	PageNumber   int        `json:"pageNumber"`
	PreviousPage *string    `json:"previousPage"`
	CurrentPage  string     `json:"currentPage"`
	NextPage     *string    `json:"nextPage"`
	Types        []string   `json:"types"`
	Results      []wireUser `json:"results"`
}

func TestUsersSearch(t *testing.T) {
	t.Parallel()
	e := newEnv(t, Config{Users: 600, SearchCap: 1000})
	views := e.s.Users()
	div := e.s.Divisions()[1].ID
	count := func(keep func(v UserView) bool) int {
		n := 0
		for _, v := range views {
			if keep(v) {
				n++
			}
		}
		return n
	}
	target := views[42]
	tests := []struct {
		name  string
		query []searchCriteria
		want  int
	}{
		{"no query: active only", nil, count(func(v UserView) bool { return v.State == StateActive })},
		{"state inactive", []searchCriteria{{Type: "EXACT", Fields: []string{"state"}, Values: []string{"inactive"}}},
			count(func(v UserView) bool { return v.State == StateInactive })},
		{"state and division", []searchCriteria{
			{Type: "EXACT", Fields: []string{"state"}, Values: []string{"active", "inactive"}},
			{Type: "EXACT", Fields: []string{"divisionId"}, Value: div}},
			count(func(v UserView) bool { return v.State != StateDeleted && v.DivisionID == div })},
		{"email any case, deleted included", []searchCriteria{
			{Type: "EXACT", Fields: []string{"email"}, Value: strings.ToUpper(target.Email)},
			{Type: "EXACT", Fields: []string{"state"}, Values: []string{"active", "inactive", "deleted"}}}, 1},
		{"name contains", []searchCriteria{{Type: "CONTAINS", Fields: []string{"name"}, Value: "ann"},
			{Type: "EXACT", Fields: []string{"state"}, Values: []string{"active", "inactive", "deleted"}}},
			count(func(v UserView) bool { return strings.Contains(strings.ToLower(v.Name), "ann") })},
		{"term on name", []searchCriteria{{Type: "TERM", Fields: []string{"name", "email"}, Value: strings.Fields(target.Name)[1]},
			{Type: "EXACT", Fields: []string{"state"}, Values: []string{"active", "inactive", "deleted"}}},
			count(func(v UserView) bool { return strings.Fields(v.Name)[1] == strings.Fields(target.Name)[1] })},
		{"or group", []searchCriteria{{Operator: "OR", Group: []searchCriteria{
			{Type: "EXACT", Fields: []string{"id"}, Value: views[1].ID},
			{Type: "EXACT", Fields: []string{"id"}, Value: views[2].ID}}},
			{Type: "EXACT", Fields: []string{"state"}, Values: []string{"active", "inactive", "deleted"}}}, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if tt.want > 1000 {
				t.Fatalf("test expects %d > SearchCap results", tt.want)
			}
			seen := map[string]bool{}
			req := searchRequest{PageSize: 30, Query: tt.query}
			r := e.do("POST", "/api/v2/users/search", req)
			for pages := 0; ; pages++ {
				if r.status != 200 {
					t.Fatalf("search page %d: %d %s", pages+1, r.status, r.body)
				}
				var a searchAnswer
				r.decode(t, &a)
				if a.Total != tt.want || !slices.Equal(a.Types, []string{"users"}) || a.PageCount != (tt.want+29)/30 {
					t.Fatalf("total %d pageCount %d types %v, want total %d", a.Total, a.PageCount, a.Types, tt.want)
				}
				if (a.PageNumber > 1) != (a.PreviousPage != nil) || !strings.HasPrefix(a.CurrentPage, "/api/v2/users/search?q64=") {
					t.Fatalf("page links: previous %v current %q", a.PreviousPage, a.CurrentPage)
				}
				for _, u := range a.Results {
					if seen[u.ID] {
						t.Fatalf("user %s on two pages", u.ID)
					}
					seen[u.ID] = true
				}
				if a.NextPage == nil {
					break
				}
				r = e.do("GET", *a.NextPage, nil)
			}
			if len(seen) != tt.want {
				t.Fatalf("paged %d users, want %d", len(seen), tt.want)
			}
		})
	}
}

func TestUsersSearchRules(t *testing.T) {
	t.Parallel()
	e := newEnv(t, Config{Users: 400, SearchCap: 200})
	all := []searchCriteria{{Type: "EXACT", Fields: []string{"state"}, Values: []string{"active", "inactive", "deleted"}}}
	tests := []struct {
		name string
		req  any
		want int
	}{
		{"page size 100", searchRequest{PageSize: 100, Query: all}, 200},
		{"page size 101", searchRequest{PageSize: 101, Query: all}, 400},
		{"cap reached", searchRequest{PageSize: 100, PageNumber: 2, Query: all}, 200},
		{"past the cap", searchRequest{PageSize: 100, PageNumber: 3, Query: all}, 400},
		{"unknown field", searchRequest{Query: []searchCriteria{{Type: "EXACT", Fields: []string{"shoeSize"}, Value: "9"}}}, 400},
		{"unknown type", searchRequest{Query: []searchCriteria{{Type: "FUZZY", Fields: []string{"name"}, Value: "x"}}}, 400},
		{"no value", searchRequest{Query: []searchCriteria{{Type: "EXACT", Fields: []string{"name"}}}}, 400},
		{"bad expand", searchRequest{Expand: []string{"nope"}}, 400},
		{"bad sortBy", searchRequest{SortBy: "shoeSize"}, 400},
		{"malformed body", "not an object", 400},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := e.do("POST", "/api/v2/users/search", tt.req)
			if r.status != tt.want {
				t.Fatalf("status %d, want %d: %s", r.status, tt.want, r.body)
			}
			if tt.want == 400 {
				r.errorBody(t)
			}
		})
	}
	e.get("/api/v2/users/search?q64=!!!", 400, nil)
	e.get("/api/v2/users/search", 400, nil)

	// Expands in the search and in its q64 links.
	var a searchAnswer
	r := e.do("POST", "/api/v2/users/search", searchRequest{PageSize: 5, Expand: []string{"skills"}, SortBy: "email", SortOrder: "DESC"})
	r.decode(t, &a)
	for k, u := range a.Results {
		if u.Skills == nil {
			t.Fatalf("result %s lacks the skills expand", u.ID)
		}
		if k > 0 && a.Results[k-1].Email < u.Email {
			t.Fatal("sortBy email DESC not honoured")
		}
	}
	var next searchAnswer
	e.get(*a.NextPage, 200, &next)
	if next.PageNumber != 2 || next.Results[0].Skills == nil || next.Results[0].Email > a.Results[4].Email {
		t.Fatalf("nextPage lost the request: page %d", next.PageNumber)
	}
}

type listingOf[T any] struct {
	Entities   []T     `json:"entities"`
	Total      int     `json:"total"`
	PageCount  int     `json:"pageCount"`
	PageSize   int     `json:"pageSize"`
	PageNumber int     `json:"pageNumber"`
	NextURI    *string `json:"nextUri"`
}

// pageAll follows nextUri through a listing.
func pageAll[T any](e *env, path string) []T {
	e.t.Helper()
	var out []T
	for path != "" {
		var l listingOf[T]
		e.get(path, 200, &l)
		out = append(out, l.Entities...)
		path = ""
		if l.NextURI != nil {
			path = *l.NextURI
		}
	}
	return out
}

func TestPerUserResources(t *testing.T) {
	t.Parallel()
	e := newEnv(t, Config{Users: 300})
	var u UserView
	for _, v := range e.s.Users() {
		joined := 0
		for _, q := range v.Queues {
			if q.Joined {
				joined++
			}
		}
		if v.State == StateActive && len(v.Skills) >= 12 && len(v.Languages) >= 2 && joined >= 3 && joined < len(v.Queues) && len(v.Grants) >= 2 {
			u = v
			break
		}
	}
	if u.ID == "" {
		t.Fatal("no user with enough skills, languages, queues and grants")
	}
	base := "/api/v2/users/" + u.ID

	skills := pageAll[userRoutingSkill](e, base+"/routingskills?pageSize=5")
	if len(skills) != len(u.Skills) {
		t.Fatalf("routingskills: %d, want %d", len(skills), len(u.Skills))
	}
	want := map[string]float64{}
	for _, s := range u.Skills {
		want[s.ID] = s.Proficiency
	}
	for _, s := range skills {
		if p, ok := want[s.ID]; !ok || p != s.Proficiency || s.State != "active" || s.SelfURI != base+"/routingskills/"+s.ID {
			t.Fatalf("skill %+v not the user's", s)
		}
	}
	langs := pageAll[userRoutingSkill](e, base+"/routinglanguages")
	if len(langs) != len(u.Languages) || langs[0].LanguageURI == "" {
		t.Fatalf("routinglanguages: %+v, want %d", langs, len(u.Languages))
	}

	joined := pageAll[userQueue](e, base+"/queues?pageSize=2")
	notJoined := pageAll[userQueue](e, base+"/queues?joined=false")
	var wantJoined, wantNot []string
	for _, q := range u.Queues {
		if q.Joined {
			wantJoined = append(wantJoined, q.QueueID)
		} else {
			wantNot = append(wantNot, q.QueueID)
		}
	}
	ids := func(qs []userQueue, joined bool) []string {
		var out []string
		for _, q := range qs {
			if q.Joined != joined || q.MemberCount == 0 || q.Division.ID == "" {
				t.Fatalf("queue %+v in the joined=%v listing", q, joined)
			}
			out = append(out, q.ID)
		}
		slices.Sort(out)
		return out
	}
	slices.Sort(wantJoined)
	slices.Sort(wantNot)
	if got := ids(joined, true); !slices.Equal(got, wantJoined) {
		t.Fatalf("joined queues %v, want %v", got, wantJoined)
	}
	if got := ids(notJoined, false); !slices.Equal(got, wantNot) {
		t.Fatalf("not joined queues %v, want %v", got, wantNot)
	}

	var roles userAuthorization
	e.get("/api/v2/users/"+u.ID+"/roles", 200, &roles)
	distinct := map[string]bool{}
	for _, g := range u.Grants {
		distinct[g.RoleID] = true
	}
	if len(roles.Roles) != len(distinct) || len(roles.Permissions) == 0 {
		t.Fatalf("roles %+v, want %d roles", roles, len(distinct))
	}
	var subj authzSubject
	e.get("/api/v2/authorization/subjects/"+u.ID, 200, &subj)
	if subj.ID != u.ID || len(subj.Grants) != len(u.Grants) {
		t.Fatalf("subject %+v, want %d grants", subj, len(u.Grants))
	}
	for k, g := range subj.Grants {
		if g.SubjectID != u.ID || g.Role.ID != u.Grants[k].RoleID || g.Division.ID != u.Grants[k].DivisionID || g.Role.Name == "" {
			t.Fatalf("grant %d = %+v, want %+v", k, g, u.Grants[k])
		}
	}

	for _, path := range []string{"/routingskills", "/routinglanguages", "/queues", "/roles"} {
		e.get("/api/v2/users/nope"+path, 404, nil)
	}
	e.get("/api/v2/authorization/subjects/nope", 404, nil)
	for _, bad := range []string{"/routingskills?pageSize=101", "/queues?pageSize=101", "/queues?joined=maybe", "/routinglanguages?pageNumber=0"} {
		e.get(base+bad, 400, nil).errorBody(t)
	}
	e.get(base+"/routingskills?pageSize=100", 200, nil)
}

type memberJSON struct {
	ID         string `json:"id"`
	Name       string `json:"name"`
	Joined     bool   `json:"joined"`
	MemberBy   string `json:"memberBy"`
	RingNumber int    `json:"ringNumber"`
}

func TestQueuesAndMembers(t *testing.T) {
	t.Parallel()
	e := newEnv(t, Config{Users: 600})
	queues := pageAll[queueJSON](e, "/api/v2/routing/queues?pageSize=7")
	views := e.s.Queues()
	if len(queues) != len(views) {
		t.Fatalf("queues listed %d, want %d", len(queues), len(views))
	}
	byID := map[string]QueueView{}
	for _, v := range views {
		byID[v.ID] = v
	}
	states := map[string]string{}
	for _, u := range e.s.Users() {
		states[u.ID] = u.State
	}
	for _, q := range queues[:5] {
		v := byID[q.ID]
		if q.MemberCount != v.MemberCount || q.JoinedMemberCount != v.JoinedMemberCount || q.UserMemberCount != v.MemberCount || q.Division.ID != v.DivisionID {
			t.Fatalf("queue %+v, want %+v", q, v)
		}
		members := pageAll[memberJSON](e, "/api/v2/routing/queues/"+q.ID+"/members?pageSize=100")
		joined := pageAll[memberJSON](e, "/api/v2/routing/queues/"+q.ID+"/members?pageSize=100&joined=true")
		if len(members) != q.MemberCount || len(joined) != q.JoinedMemberCount {
			t.Fatalf("queue %s: %d members (%d joined), want %d (%d)", q.ID, len(members), len(joined), q.MemberCount, q.JoinedMemberCount)
		}
		var ids []string
		for _, m := range members {
			if m.MemberBy != "user" || m.RingNumber < 1 || states[m.ID] == StateDeleted {
				t.Fatalf("member %+v", m)
			}
			ids = append(ids, m.ID)
		}
		slices.Sort(ids)
		want := slices.Clone(v.MemberIDs)
		slices.Sort(want)
		if !slices.Equal(ids, want) {
			t.Fatalf("queue %s members differ from the org", q.ID)
		}
	}
	q0 := queues[0].ID
	e.get("/api/v2/routing/queues/"+q0+"/members?pageSize=101", 400, nil).errorBody(t)
	e.get("/api/v2/routing/queues/"+q0+"/members?joined=perhaps", 400, nil)
	e.get("/api/v2/routing/queues/nope/members", 404, nil)
	e.get("/api/v2/routing/queues?pageSize=501", 400, nil)
	var one listingOf[queueJSON]
	e.get("/api/v2/routing/queues?"+q("id", q0), 200, &one)
	if one.Total != 1 || one.Entities[0].ID != q0 {
		t.Fatalf("queue by id: %+v", one)
	}
	var byDiv listingOf[queueJSON]
	e.get("/api/v2/routing/queues?pageSize=500&"+q("divisionId", byID[q0].DivisionID), 200, &byDiv)
	for _, x := range byDiv.Entities {
		if x.Division.ID != byID[q0].DivisionID {
			t.Fatalf("divisionId filter let %+v through", x)
		}
	}
}

func TestReferenceListings(t *testing.T) {
	t.Parallel()
	e := newEnv(t, Config{Users: 1000})
	tests := []struct {
		path string
		want []EntityView
	}{
		{"/api/v2/routing/skills", e.s.Skills()},
		{"/api/v2/routing/languages", e.s.Languages()},
		{"/api/v2/authorization/divisions", e.s.Divisions()},
		{"/api/v2/authorization/roles", e.s.Roles()},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			t.Parallel()
			got := pageAll[EntityJSON](e, tt.path+"?pageSize=10")
			if len(got) != len(tt.want) {
				t.Fatalf("%d entities, want %d", len(got), len(tt.want))
			}
			names := map[string]string{}
			for _, w := range tt.want {
				names[w.ID] = w.Name
			}
			for k, g := range got {
				if names[g.ID] != g.Name || g.SelfURI != tt.path+"/"+g.ID {
					t.Fatalf("entity %+v not in the org", g)
				}
				if k > 0 && got[k-1].Name > g.Name {
					t.Fatal("not sorted by name")
				}
			}
			e.get(tt.path+"?pageSize=501", 400, nil)
			var first listingOf[EntityJSON]
			e.get(tt.path+"?"+q("name", tt.want[0].Name), 200, &first)
			if first.Total < 1 || first.Entities[0].Name != tt.want[0].Name {
				t.Fatalf("name filter %q: %+v", tt.want[0].Name, first)
			}
		})
	}
	var divs listingOf[authzDivisionJSON]
	e.get("/api/v2/authorization/divisions", 200, &divs)
	home := 0
	for _, d := range divs.Entities {
		if d.HomeDivision {
			home++
		}
	}
	if home != 1 {
		t.Fatalf("%d home divisions", home)
	}
	var roles listingOf[roleJSON]
	e.get("/api/v2/authorization/roles?pageSize=100", 200, &roles)
	for _, r := range roles.Entities {
		if r.Name == "employee" && r.UserCount != e.s.UserCount(StateActive) { // inactive users hold no roles
			t.Fatalf("employee role userCount %d", r.UserCount)
		}
	}
}

// EntityJSON is the common part of the reference-data entities.
type EntityJSON struct {
	ID      string `json:"id"`
	Name    string `json:"name"`
	SelfURI string `json:"selfUri"`
}

func TestNameFilter(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		filter, name string
		want         bool
	}{
		{"", "Billing", true}, {"bill", "Billing", true}, {"Bill*", "Billing", true}, {"*ling", "Billing", true},
		{"ling", "Billing", false}, {"x", "Billing", false},
	} {
		if got := matchName(tt.filter, tt.name); got != tt.want {
			t.Errorf("matchName(%q, %q) = %v, want %v", tt.filter, tt.name, got, tt.want)
		}
	}
}

func TestSearchByManagerAndViews(t *testing.T) {
	t.Parallel()
	e := newEnv(t, Config{Users: 300})
	views := e.s.Users()
	boss := views[0].ID
	reports := 0
	for _, v := range views {
		if v.ManagerID == boss && v.State == StateActive {
			reports++
		}
	}
	var a searchAnswer
	e.do("POST", "/api/v2/users/search", searchRequest{PageSize: 100, Query: []searchCriteria{
		{Type: "EXACT", Fields: []string{"manager.id"}, Value: boss}}}).decode(t, &a)
	if a.Total != reports || reports == 0 {
		t.Fatalf("reports of %s: search says %d, org %d", boss, a.Total, reports)
	}
	for _, u := range a.Results {
		if u.Manager == nil || u.Manager.ID != boss {
			t.Fatalf("user %s does not report to %s", u.ID, boss)
		}
	}
	groups, locations := map[string]bool{}, map[string]bool{}
	for _, g := range e.s.Groups() {
		groups[g.ID] = true
	}
	for _, l := range e.s.Locations() {
		locations[l.ID] = true
	}
	var full userListing
	e.get("/api/v2/users?pageSize=300&expand=groups,locations", 200, &full)
	for _, u := range full.Entities {
		for _, g := range u.Groups {
			if !groups[g.ID] {
				t.Fatalf("user %s in unknown group %s", u.ID, g.ID)
			}
		}
		for _, l := range u.Locations {
			if !locations[l.ID] {
				t.Fatalf("user %s at unknown location %s", u.ID, l.ID)
			}
		}
	}
	if st := e.s.Stats(); st.RouteTotal("POST /api/v2/users/search") != 1 || st.RouteTotal("GET /api/v2/users") != 1 {
		t.Fatalf("route totals %v", st.Routes)
	}
}
