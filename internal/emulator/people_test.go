package emulator

import (
	"cmp"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"
)

// peopleUser is the client's view of a user's people expands.
type peopleUser struct {
	ID       string `json:"id"`
	State    string `json:"state"`
	Version  int    `json:"version"`
	Presence *struct {
		Source             string `json:"source"`
		PresenceDefinition struct {
			ID             string `json:"id"`
			SystemPresence string `json:"systemPresence"`
			SelfURI        string `json:"selfUri"`
		} `json:"presenceDefinition"`
		ModifiedDate time.Time `json:"modifiedDate"`
	} `json:"presence"`
	RoutingStatus *struct {
		UserID    string    `json:"userId"`
		Status    string    `json:"status"`
		StartTime time.Time `json:"startTime"`
	} `json:"routingStatus"`
	OutOfOffice *struct {
		ID   string `json:"id"`
		User struct {
			ID      string `json:"id"`
			SelfURI string `json:"selfUri"`
		} `json:"user"`
		StartDate  *time.Time `json:"startDate"`
		EndDate    *time.Time `json:"endDate"`
		Active     *bool      `json:"active"`
		Indefinite *bool      `json:"indefinite"`
		SelfURI    string     `json:"selfUri"`
	} `json:"outOfOffice"`
	Team *struct {
		ID       string `json:"id"`
		Name     string `json:"name"`
		Division struct {
			ID string `json:"id"`
		} `json:"division"`
		SelfURI string `json:"selfUri"`
	} `json:"team"`
	Certifications *[]string `json:"certifications"`
	Groups         []struct {
		ID, Type, Visibility string
		RulesVisible         bool
	} `json:"groups"`
	Locations []struct{ ID string } `json:"locations"`
	Station   *struct {
		AssociatedStation, EffectiveStation, DefaultStation *struct{ ID string }
	} `json:"station"`
}

const peopleExpands = "presence,routingStatus,outOfOffice,team,certifications"

// allPeople pages every user (any state) with the people expands.
func (e *env) allPeople(expand string) []peopleUser {
	e.t.Helper()
	var out []peopleUser
	path := "/api/v2/users?" + q("state", "any", "pageSize", "500", "expand", expand)
	for path != "" {
		var l struct {
			Entities []peopleUser `json:"entities"`
			NextURI  string       `json:"nextUri"`
		}
		e.get(path, 200, &l)
		out = append(out, l.Entities...)
		path = l.NextURI
	}
	return out
}

// The people expands render what the org holds, with the documented rules
// and realistic shares: presence and a matching routing status, Offline
// for users who are not active; out-of-office periods current, upcoming
// and past (some indefinite) for 6–10% of users, the others rendering a
// record that is not active; teams for about 60% of agents; 0–3
// certifications.
func TestPeopleExpands(t *testing.T) {
	t.Parallel()
	clock := newFakeClock()
	e := newEnv(t, Config{Users: 3000, Seed: 11, Now: clock.Now})
	now := clock.Now()
	if e.s.Config().Epoch != now.Truncate(24*time.Hour) {
		t.Fatalf("epoch %v, want the clock's day %v", e.s.Config().Epoch, now.Truncate(24*time.Hour))
	}
	got := e.allPeople(peopleExpands)
	views := map[string]UserView{}
	for _, v := range e.s.Users() {
		views[v.ID] = v
	}
	if len(got) != len(views) {
		t.Fatalf("%d users listed, the org has %d", len(got), len(views))
	}
	ids := map[string]bool{}
	for _, ids2 := range e.s.Analytics().Model().OrganizationPresenceIDs() {
		for _, id := range ids2 {
			ids[id] = true
		}
	}
	presences, routings := map[string]int{}, map[string]int{}
	var live, withOOO, active, upcoming, past, indefinite, agents, onTeam, certs, maxCerts int
	for _, u := range got {
		v := views[u.ID]
		p, r, o := u.Presence, u.RoutingStatus, u.OutOfOffice
		if p == nil || r == nil || o == nil || u.Certifications == nil {
			t.Fatalf("user %s misses an expand: %+v", u.ID, u)
		}
		if p.Source != "PURECLOUD" || !ids[p.PresenceDefinition.ID] || p.PresenceDefinition.ID != v.PresenceDefinitionID ||
			p.PresenceDefinition.SystemPresence != v.Presence || !p.ModifiedDate.Equal(v.PresenceModified) ||
			p.PresenceDefinition.SelfURI != "/api/v2/presencedefinitions/"+p.PresenceDefinition.ID {
			t.Fatalf("user %s presence %+v, want %s (%s) since %v", u.ID, p, v.Presence, v.PresenceDefinitionID, v.PresenceModified)
		}
		if r.UserID != u.ID || r.Status != v.RoutingStatus || !r.StartTime.Equal(v.RoutingStart) || r.StartTime.Before(p.ModifiedDate) {
			t.Fatalf("user %s routing status %+v, want %s since %v", u.ID, r, v.RoutingStatus, v.RoutingStart)
		}
		if (p.PresenceDefinition.SystemPresence == "On Queue") != (r.Status != "OFF_QUEUE") {
			t.Fatalf("user %s is %s with routing status %s", u.ID, p.PresenceDefinition.SystemPresence, r.Status)
		}
		if u.State != StateActive && p.PresenceDefinition.SystemPresence != "Offline" {
			t.Fatalf("%s user %s is %s", u.State, u.ID, p.PresenceDefinition.SystemPresence)
		}
		if epoch := e.s.Config().Epoch; p.ModifiedDate.After(epoch) || epoch.Sub(p.ModifiedDate) > 3*24*time.Hour {
			t.Fatalf("user %s presence modified %v, now %v", u.ID, p.ModifiedDate, now)
		}
		presences[p.PresenceDefinition.SystemPresence]++
		routings[r.Status]++

		if o.User.ID != u.ID || o.SelfURI != "/api/v2/users/"+u.ID+"/outofoffice" || o.Active == nil || o.Indefinite == nil {
			t.Fatalf("user %s outOfOffice %+v", u.ID, o)
		}
		if v.State != StateDeleted {
			live++
		}
		switch w := v.OutOfOffice; {
		case w == nil:
			if *o.Active || *o.Indefinite || o.ID != "" || o.StartDate != nil || o.EndDate != nil {
				t.Fatalf("user %s without a period renders %+v", u.ID, o)
			}
		default:
			withOOO++
			if o.ID != w.ID || !o.StartDate.Equal(w.Start) || *o.Indefinite != w.Indefinite || *o.Active != w.Active(now) ||
				(o.EndDate == nil) != w.Indefinite || (o.EndDate != nil && !o.EndDate.Equal(w.End)) {
				t.Fatalf("user %s outOfOffice %+v, want %+v", u.ID, o, w)
			}
			switch {
			case w.Indefinite:
				indefinite++
			case *o.Active:
				active++
			case w.Start.After(now):
				upcoming++
			default:
				past++
			}
		}

		if v.State != StateDeleted && len(v.Queues) > 0 {
			agents++
		}
		if u.Team != nil {
			onTeam++
			if u.Team.ID != v.TeamID || u.Team.Name == "" || u.Team.Division.ID == "" || u.Team.SelfURI != "/api/v2/teams/"+u.Team.ID {
				t.Fatalf("user %s team %+v, want %s", u.ID, u.Team, v.TeamID)
			}
		} else if v.TeamID != "" {
			t.Fatalf("user %s: no team expand, want %s", u.ID, v.TeamID)
		}
		if !slices.Equal(*u.Certifications, v.Certifications) && len(v.Certifications)+len(*u.Certifications) > 0 {
			t.Fatalf("user %s certifications %v, want %v", u.ID, *u.Certifications, v.Certifications)
		}
		certs += len(*u.Certifications)
		maxCerts = max(maxCerts, len(*u.Certifications))
	}
	if share := float64(withOOO) / float64(live); share < 0.06 || share > 0.10 || active == 0 || upcoming == 0 || past == 0 || indefinite == 0 {
		t.Errorf("out of office: %d of %d live users (%.1f%%): %d current, %d upcoming, %d past, %d indefinite",
			withOOO, live, 100*share, active, upcoming, past, indefinite)
	}
	if share := float64(onTeam) / float64(agents); share < 0.5 || share > 0.7 {
		t.Errorf("teams: %d of %d agents (%.0f%%), want about 60%%", onTeam, agents, 100*share)
	}
	if maxCerts != 3 || certs == 0 {
		t.Errorf("certifications: %d in all, at most %d per user", certs, maxCerts)
	}
	for _, want := range []string{"Available", "Away", "Busy", "Offline", "Break", "Meal", "Training", "On Queue", "Idle", "Meeting"} {
		if presences[want] == 0 {
			t.Errorf("no user is %s: %v", want, presences)
		}
	}
	for _, want := range routingNames {
		if routings[want] == 0 {
			t.Errorf("no user is %s: %v", want, routings)
		}
	}
	if presences["Offline"] < len(got)/4 || presences["On Queue"] < len(got)/8 {
		t.Errorf("presence mix %v: want many Offline and On Queue", presences)
	}
	t.Logf("presence %v; routing %v; OOO %d current, %d upcoming, %d past, %d indefinite; teams %d/%d agents; certifications %d",
		presences, routings, active, upcoming, past, indefinite, onTeam, agents, certs)

	// Without the expands none of them is rendered.
	var plain struct{ Entities []map[string]any }
	e.get("/api/v2/users?pageSize=5", 200, &plain)
	for _, u := range plain.Entities {
		for _, k := range []string{"presence", "routingStatus", "outOfOffice", "team", "certifications"} {
			if _, ok := u[k]; ok {
				t.Fatalf("user %v renders %s without the expand", u["id"], k)
			}
		}
	}
	// The out-of-office active flag follows the clock.
	var cur UserView
	for _, v := range views {
		if v.OutOfOffice != nil && !v.OutOfOffice.Indefinite && v.OutOfOffice.Active(now) {
			cur = v
			break
		}
	}
	// GET /users/{id}/outofoffice answers the same record.
	var single, expanded struct{ OutOfOffice map[string]any }
	e.get("/api/v2/users/"+cur.ID+"?expand=outOfOffice", 200, &expanded)
	e.get("/api/v2/users/"+cur.ID+"/outofoffice", 200, &single.OutOfOffice)
	if fmt.Sprint(single.OutOfOffice) != fmt.Sprint(expanded.OutOfOffice) || single.OutOfOffice["active"] != true {
		t.Errorf("GET outofoffice %v, expand %v", single.OutOfOffice, expanded.OutOfOffice)
	}
	clock.Advance(cur.OutOfOffice.End.Sub(now))
	e.token = e.login() // tokens last a day
	var one peopleUser
	e.get("/api/v2/users/"+cur.ID+"?expand=outOfOffice", 200, &one)
	if one.OutOfOffice == nil || *one.OutOfOffice.Active {
		t.Errorf("a period past its end renders %+v", one.OutOfOffice)
	}
}

// The presence expand names the analytics model's organisation presences,
// and a users search renders the people expands too.
func TestPeopleExpandsInSearch(t *testing.T) {
	t.Parallel()
	e := newEnv(t, Config{Users: 200, Seed: 4})
	v := e.s.Users()[5]
	var res struct {
		Results []peopleUser `json:"results"`
	}
	r := e.do("POST", "/api/v2/users/search", map[string]any{"expand": strings.Split(peopleExpands, ","),
		"query": []map[string]any{{"type": "EXACT", "fields": []string{"id"}, "value": v.ID}, {"type": "EXACT", "fields": []string{"state"}, "values": []string{"active", "inactive", "deleted"}}}})
	if r.status != 200 {
		t.Fatalf("search: %d %s", r.status, r.body)
	}
	r.decode(t, &res)
	if len(res.Results) != 1 || res.Results[0].Presence == nil || res.Results[0].Presence.PresenceDefinition.ID != v.PresenceDefinitionID ||
		res.Results[0].RoutingStatus == nil || res.Results[0].OutOfOffice == nil || res.Results[0].Certifications == nil {
		t.Fatalf("search with people expands: %s", r.body)
	}
}

// GET /api/v2/groups pages the groups the users' groups expand names, with
// their member counts, by name; the locations and stations listings hold
// every location and station a user's expands name.
func TestGroupsAndListingsCoverExpands(t *testing.T) {
	t.Parallel()
	e := newEnv(t, Config{Users: 1500, Seed: 3})
	type groupEntity struct {
		ID, Name, Description, DateModified, State, Type, Visibility, SelfURI string
		MemberCount, Version                                                  int
		RulesVisible                                                          bool
	}
	var groups []groupEntity
	path := "/api/v2/groups?pageSize=7"
	pages := 0
	for path != "" {
		var l struct {
			Entities  []groupEntity
			PageSize  int
			Total     int
			PageCount int
			NextURI   string
		}
		e.get(path, 200, &l)
		if l.PageSize != 7 || l.Total != len(e.s.Groups()) {
			t.Fatalf("groups page: size %d total %d, want 7 and %d", l.PageSize, l.Total, len(e.s.Groups()))
		}
		groups = append(groups, l.Entities...)
		path = l.NextURI
		pages++
	}
	if len(groups) != len(e.s.Groups()) || pages != (len(groups)+6)/7 {
		t.Fatalf("%d groups over %d pages, the org has %d", len(groups), pages, len(e.s.Groups()))
	}
	if !slices.IsSortedFunc(groups, func(a, b groupEntity) int { return cmpNameID(a.Name, a.ID, b.Name, b.ID) }) {
		t.Error("groups are not sorted by name")
	}
	users := e.allPeople("groups,locations,station")
	members := map[string]int{}
	byID := map[string]groupEntity{}
	for _, g := range groups {
		byID[g.ID] = g
		if _, err := time.Parse(time.RFC3339, g.DateModified); err != nil || g.State != "active" || g.Version < 1 ||
			g.SelfURI != "/api/v2/groups/"+g.ID || !slices.Contains([]string{"official", "social"}, g.Type) ||
			!slices.Contains([]string{"public", "members", "owners"}, g.Visibility) {
			t.Fatalf("group %+v", g)
		}
	}
	var locations struct{ Entities []struct{ ID string } }
	e.get("/api/v2/locations?pageSize=100", 200, &locations)
	locIDs := map[string]bool{}
	for _, l := range locations.Entities {
		locIDs[l.ID] = true
	}
	stationIDs := map[string]bool{}
	for st := range e.allStations() {
		stationIDs[st] = true
	}
	for _, u := range users {
		for _, g := range u.Groups {
			lg, ok := byID[g.ID]
			if !ok || lg.Type != g.Type || lg.Visibility != g.Visibility || lg.RulesVisible != g.RulesVisible {
				t.Fatalf("user %s names group %+v, the listing has %+v", u.ID, g, lg)
			}
			if u.State != StateDeleted {
				members[g.ID]++
			}
		}
		for _, l := range u.Locations {
			if !locIDs[l.ID] {
				t.Fatalf("user %s names location %s, not in /api/v2/locations", u.ID, l.ID)
			}
		}
		if st := u.Station; st != nil {
			for _, s := range []*struct{ ID string }{st.AssociatedStation, st.EffectiveStation, st.DefaultStation} {
				if s != nil && !stationIDs[s.ID] {
					t.Fatalf("user %s names station %s, not in /api/v2/stations", u.ID, s.ID)
				}
			}
		}
	}
	for _, g := range groups {
		if g.MemberCount != members[g.ID] {
			t.Errorf("group %s memberCount %d, %d users not deleted name it", g.ID, g.MemberCount, members[g.ID])
		}
	}

	// Paging rules, filters and order.
	var l struct {
		Entities []groupEntity
		PageSize int
	}
	e.get("/api/v2/groups", 200, &l)
	if l.PageSize != 25 || len(l.Entities) != min(25, len(groups)) {
		t.Errorf("default page: size %d, %d entities", l.PageSize, len(l.Entities))
	}
	e.get("/api/v2/groups?pageSize=100&sortOrder=descending", 200, &l)
	if l.Entities[0].ID != groups[len(groups)-1].ID {
		t.Errorf("descending starts with %s, want %s", l.Entities[0].ID, groups[len(groups)-1].ID)
	}
	e.get("/api/v2/groups?"+q("id", groups[3].ID, "id", groups[1].ID), 200, &l)
	if len(l.Entities) != 2 || l.Entities[0].ID != groups[1].ID {
		t.Errorf("id filter: %+v", l.Entities)
	}
	for _, bad := range []string{"pageSize=101", "pageSize=0", "sortOrder=sideways", q("id", groups[0].ID, "jabberId", "x@conference")} {
		if r := e.do("GET", "/api/v2/groups?"+bad, nil); r.status != 400 {
			t.Errorf("GET /api/v2/groups?%s = %d, want 400", bad, r.status)
		}
	}
}

// allStations pages GET /api/v2/stations and yields the station ids.
func (e *env) allStations() map[string]bool {
	e.t.Helper()
	out := map[string]bool{}
	path := "/api/v2/stations?pageSize=100"
	for path != "" {
		var l struct {
			Entities []struct {
				ID, Type, Status, UserID, WebRtcUserID, LineAppearanceID string
			}
			NextURI string
		}
		e.get(path, 200, &l)
		for _, s := range l.Entities {
			if !uuidRE.MatchString(s.LineAppearanceID) || (s.WebRtcUserID != "" && s.Type != "inin_webrtc_softphone") {
				e.t.Fatalf("station %+v", s)
			}
			out[s.ID] = true
		}
		path = l.NextURI
	}
	return out
}

// Stations carry lineAppearanceId and, for WebRTC phones, webRtcUserId,
// and filter on both; locations have an address.
func TestStationAndLocationFields(t *testing.T) {
	t.Parallel()
	e := newEnv(t, Config{Users: 300, Seed: 6})
	var l struct {
		Entities []struct{ ID, Type, WebRtcUserID, LineAppearanceID string }
	}
	e.get("/api/v2/stations?pageSize=100", 200, &l)
	var webRtc, line string
	for _, s := range l.Entities {
		if s.WebRtcUserID != "" {
			webRtc = s.WebRtcUserID
		}
		line = s.LineAppearanceID
	}
	if webRtc == "" {
		t.Fatal("no WebRTC station has a user")
	}
	e.get("/api/v2/stations?"+q("webRtcUserId", webRtc), 200, &l)
	if len(l.Entities) != 1 || l.Entities[0].WebRtcUserID != webRtc {
		t.Errorf("webRtcUserId filter: %+v", l.Entities)
	}
	e.get("/api/v2/stations?"+q("lineAppearanceId", line), 200, &l)
	if len(l.Entities) != 1 || l.Entities[0].LineAppearanceID != line {
		t.Errorf("lineAppearanceId filter: %+v", l.Entities)
	}
	var locs struct {
		Entities []struct {
			Name    string
			Address *struct{ Street1, City, Zipcode, Country, CountryName string }
		}
	}
	e.get("/api/v2/locations", 200, &locs)
	for _, loc := range locs.Entities {
		if a := loc.Address; a == nil || a.Street1 == "" || a.City == "" || len(a.Country) != 2 || a.CountryName == "" {
			t.Errorf("location %s address %+v", loc.Name, loc.Address)
		}
	}
}

// activityEntity is a DevelopmentActivity as a client decodes it.
type activityEntity struct {
	ID              string     `json:"id"`
	DateCompleted   *time.Time `json:"dateCompleted"`
	CreatedBy       *struct{ ID, SelfURI string }
	DateCreated     time.Time `json:"dateCreated"`
	PercentageScore *float64  `json:"percentageScore"`
	IsPassed        *bool     `json:"isPassed"`
	SelfURI         string    `json:"selfUri"`
	Name            string    `json:"name"`
	Type            string    `json:"type"`
	Status          string    `json:"status"`
	DateDue         time.Time `json:"dateDue"`
	Facilitator     *struct{ ID string }
	Attendees       []struct{ ID, SelfURI string }
	IsOverdue       bool `json:"isOverdue"`
}

type activityListing struct {
	Entities  []activityEntity `json:"entities"`
	PageSize  int              `json:"pageSize"`
	Total     int              `json:"total"`
	PageCount int              `json:"pageCount"`
	NextURI   string           `json:"nextUri"`
}

// activities pages the listing for query and returns every entity.
func (e *env) activities(query string) []activityEntity {
	e.t.Helper()
	var out []activityEntity
	path := "/api/v2/users/development/activities?" + query
	for n := 0; path != ""; n++ {
		if n > 1000 {
			e.t.Fatal("nextUri never ends")
		}
		var l activityListing
		e.get(path, 200, &l)
		out = append(out, l.Entities...)
		path = l.NextURI
	}
	return out
}

// The development activities listing: seeded realistically, filtered by
// user (any relationship), module, due and completion intervals (end
// exclusive), overdue, pass, types and statuses, sorted by dateDue,
// paged; and its 400s.
func TestDevelopmentActivities(t *testing.T) {
	t.Parallel()
	clock := newFakeClock()
	e := newEnv(t, Config{Users: 800, Seed: 9, Now: clock.Now})
	now := clock.Now()
	truth := e.s.DevelopmentActivities()
	views := e.s.Users()
	byID := map[string]ActivityView{}
	perUser := map[string]int{}
	types, statuses := map[string]int{}, map[string]int{}
	overdue := 0
	for _, a := range truth {
		byID[a.ID] = a
		perUser[a.AttendeeID]++
		types[a.Type]++
		statuses[a.Status]++
		if a.Overdue(now) {
			overdue++
		}
		if d := a.DateDue.Sub(now); d < -280*24*time.Hour || d > 62*24*time.Hour {
			t.Fatalf("activity %s due %v, now %v", a.ID, a.DateDue, now)
		}
		if (a.Status == "Completed") != !a.DateCompleted.IsZero() {
			t.Fatalf("activity %+v: completion date and status disagree", a)
		}
	}
	if len(byID) != len(truth) {
		t.Fatal("activity ids repeat")
	}
	agents := 0
	for _, v := range views {
		if v.State != StateDeleted && len(v.Queues) > 0 {
			agents++
		}
		if perUser[v.ID] > 6 || (perUser[v.ID] > 0 && (v.State == StateDeleted || len(v.Queues) == 0)) {
			t.Fatalf("user %s (%s, %d queues) has %d activities", v.ID, v.State, len(v.Queues), perUser[v.ID])
		}
	}
	if n := float64(len(truth)) / float64(agents); n < 2 || n > 4 || overdue == 0 || len(types) != 4 || len(statuses) != 5 {
		t.Errorf("%d activities for %d agents, %d overdue; types %v; statuses %v", len(truth), agents, overdue, types, statuses)
	}

	// Every activity of a batch of users, any relationship, over pages.
	var batch []string
	for _, v := range views[:100] {
		batch = append(batch, v.ID)
	}
	want := func(keep func(a ActivityView) bool) []string {
		var ids []ActivityView
		for _, a := range truth {
			if keep(a) {
				ids = append(ids, a)
			}
		}
		slices.SortFunc(ids, func(x, y ActivityView) int { return cmp.Or(y.DateDue.Compare(x.DateDue), strings.Compare(x.ID, y.ID)) })
		out := []string{}
		for _, a := range ids {
			out = append(out, a.ID)
		}
		return out
	}
	related := func(a ActivityView) bool {
		return slices.Contains(batch, a.AttendeeID) || slices.Contains(batch, a.FacilitatorID) || slices.Contains(batch, a.CreatorID)
	}
	users := url.Values{"userId": batch}.Encode()
	got := e.activities(users + "&pageSize=10")
	gotIDs := []string{}
	for _, a := range got {
		gotIDs = append(gotIDs, a.ID)
		w := byID[a.ID]
		if a.Name != w.Name || a.Type != w.Type || a.Status != w.Status || !a.DateDue.Equal(w.DateDue) || !a.DateCreated.Equal(w.DateCreated) ||
			len(a.Attendees) != 1 || a.Attendees[0].ID != w.AttendeeID || a.Attendees[0].SelfURI != "/api/v2/users/"+w.AttendeeID ||
			a.IsOverdue != w.Overdue(now) || (a.DateCompleted == nil) != w.DateCompleted.IsZero() ||
			(a.Facilitator == nil) != (w.FacilitatorID == "") || (a.CreatedBy == nil) != (w.CreatorID == "") ||
			(a.PercentageScore == nil) != (w.PercentageScore == nil) || (a.IsPassed == nil) != (w.IsPassed == nil) {
			t.Fatalf("activity %+v, want %+v", a, w)
		}
		if w.PercentageScore != nil && (*a.PercentageScore != float64(*w.PercentageScore) || *a.IsPassed != (*w.PercentageScore >= 70)) {
			t.Fatalf("activity %s score %v passed %v", a.ID, *a.PercentageScore, *a.IsPassed)
		}
		prefix := "/api/v2/learning/assignments/"
		if a.Type == "Coaching" {
			prefix = "/api/v2/coaching/appointments/"
		}
		if a.SelfURI != prefix+a.ID {
			t.Fatalf("activity %s selfUri %s", a.ID, a.SelfURI)
		}
	}
	if w := want(related); !slices.Equal(gotIDs, w) || len(w) == 0 {
		t.Fatalf("userId batch: %d activities, want %d", len(gotIDs), len(w))
	}
	viaManager := 0
	for _, a := range got {
		if !slices.Contains(batch, byID[a.ID].AttendeeID) {
			viaManager++
		}
	}
	if viaManager == 0 {
		t.Error("no activity was found through its facilitator or creator")
	}

	// Filters, each against the truth.
	mod := e.s.LearningModules()[7]
	from, to := now.Add(-90*24*time.Hour).Truncate(24*time.Hour), now.Truncate(24*time.Hour)
	iv := from.Format("2006-01-02T15:04:05") + "/" + to.Format("2006-01-02T15:04:05")
	for _, tc := range []struct {
		query string
		keep  func(a ActivityView) bool
	}{
		{q("moduleId", mod.ID), func(a ActivityView) bool { return a.ModuleID == mod.ID }},
		{q("moduleId", "no-such-module"), func(ActivityView) bool { return false }},
		{users + "&" + q("interval", iv), func(a ActivityView) bool {
			return related(a) && !a.DateDue.Before(from) && a.DateDue.Before(to)
		}},
		{users + "&" + q("completionInterval", iv), func(a ActivityView) bool {
			return related(a) && !a.DateCompleted.IsZero() && !a.DateCompleted.Before(from) && a.DateCompleted.Before(to)
		}},
		{users + "&overdue=True", func(a ActivityView) bool { return related(a) && a.Overdue(now) }},
		{users + "&overdue=False", func(a ActivityView) bool { return related(a) && !a.Overdue(now) }},
		{users + "&pass=True", func(a ActivityView) bool { return related(a) && a.IsPassed != nil && *a.IsPassed }},
		{users + "&pass=False", func(a ActivityView) bool { return related(a) && a.IsPassed != nil && !*a.IsPassed }},
		{users + "&types=Coaching&types=Assessment", func(a ActivityView) bool {
			return related(a) && (a.Type == "Coaching" || a.Type == "Assessment")
		}},
		{users + "&statuses=Completed,NotCompleted", func(a ActivityView) bool {
			return related(a) && (a.Status == "Completed" || a.Status == "NotCompleted")
		}},
		{q("moduleId", mod.ID, "userId", views[0].ID, "userId", views[1].ID), func(a ActivityView) bool {
			return a.ModuleID == mod.ID && slices.ContainsFunc(views[:2], func(v UserView) bool {
				return v.ID == a.AttendeeID || v.ID == a.FacilitatorID || v.ID == a.CreatorID
			})
		}},
	} {
		var ids []string
		for _, a := range e.activities(tc.query + "&pageSize=100") {
			ids = append(ids, a.ID)
		}
		if w := want(tc.keep); !slices.Equal(ids, w) && len(ids)+len(w) > 0 {
			t.Errorf("%s: %d activities, want %d", tc.query, len(ids), len(w))
		}
	}
	// The interval's end is exclusive: an activity due exactly at the end
	// is left out, one due at the start is in.
	a := truth[0]
	var l activityListing
	at := a.DateDue.Truncate(time.Second)
	e.get("/api/v2/users/development/activities?"+q("userId", a.AttendeeID, "interval",
		at.Add(-time.Hour).Format(time.RFC3339)+"/"+at.Format(time.RFC3339)), 200, &l)
	if slices.ContainsFunc(l.Entities, func(x activityEntity) bool { return x.ID == a.ID }) && !a.DateDue.After(at) {
		t.Errorf("an activity due at the interval's end is listed")
	}
	e.get("/api/v2/users/development/activities?"+q("userId", a.AttendeeID, "interval",
		at.Format(time.RFC3339)+"/"+at.Add(time.Hour).Format(time.RFC3339)), 200, &l)
	if !slices.ContainsFunc(l.Entities, func(x activityEntity) bool { return x.ID == a.ID }) {
		t.Errorf("an activity due at the interval's start is not listed")
	}

	// Ascending order, paging fields.
	e.get("/api/v2/users/development/activities?"+users+"&sortOrder=Asc&pageSize=5", 200, &l)
	if l.PageSize != 5 || l.Total != len(want(related)) || l.PageCount != (l.Total+4)/5 ||
		!slices.IsSortedFunc(l.Entities, func(x, y activityEntity) int { return x.DateDue.Compare(y.DateDue) }) {
		t.Errorf("ascending page: %+v", l)
	}
	e.get("/api/v2/users/development/activities?"+q("userId", views[0].ID), 200, &l)
	if l.PageSize != 25 {
		t.Errorf("default pageSize %d, want 25", l.PageSize)
	}

	// 400s.
	many := make([]string, 101)
	for k := range many {
		many[k] = fmt.Sprintf("user-%d", k)
	}
	year := now.AddDate(0, 0, -365).Format(time.RFC3339) + "/" + now.Format(time.RFC3339)
	e.get("/api/v2/users/development/activities?"+q("userId", views[0].ID, "interval", year), 200, nil)
	for _, bad := range []string{
		"",
		"pageSize=10",
		url.Values{"userId": many}.Encode(),
		q("userId", views[0].ID, "interval", now.AddDate(0, 0, -366).Format(time.RFC3339)+"/"+now.Format(time.RFC3339)),
		q("userId", views[0].ID, "completionInterval", now.AddDate(-2, 0, 0).Format(time.RFC3339)+"/"+now.Format(time.RFC3339)),
		q("userId", views[0].ID, "interval", "yesterday/today"),
		q("userId", views[0].ID, "interval", now.Format(time.RFC3339)+"/"+now.Add(-time.Hour).Format(time.RFC3339)),
		q("userId", views[0].ID, "overdue", "Maybe"),
		q("userId", views[0].ID, "pass", "Yes"),
		q("userId", views[0].ID, "types", "Webinar"),
		q("userId", views[0].ID, "statuses", "Done"),
		q("userId", views[0].ID, "relationship", "Friend"),
		q("userId", views[0].ID, "sortOrder", "Up"),
		q("userId", views[0].ID, "pageSize", "101"),
	} {
		r := e.do("GET", "/api/v2/users/development/activities?"+bad, nil)
		if r.status != 400 {
			t.Errorf("?%s = %d, want 400", bad, r.status)
			continue
		}
		if body := r.errorBody(t); body["code"] != "bad.request" {
			t.Errorf("?%s: %s", bad, r.body)
		}
	}
	r := e.do("GET", "/api/v2/users/development/activities", nil)
	if !strings.Contains(string(r.body), "Either moduleId or userId is required") {
		t.Errorf("no ids: %s", r.body)
	}
}

// Either permission opens the listing and shows its own kind of activity;
// without both it answers 403 missing.any.permissions naming them.
func TestDevelopmentActivitiesPermissions(t *testing.T) {
	t.Parallel()
	e := newEnv(t, Config{Users: 300, Seed: 2})
	var batch []string
	for _, v := range e.s.Users()[:100] {
		batch = append(batch, v.ID)
	}
	query := url.Values{"userId": batch, "pageSize": {"100"}}.Encode()
	kinds := func() map[string]int {
		out := map[string]int{}
		for _, a := range e.activities(query) {
			out[a.Type]++
		}
		return out
	}
	all := kinds()
	if all["Coaching"] == 0 || len(all) < 2 {
		t.Fatalf("kinds %v", all)
	}
	if err := e.s.DenyPermissions(permCoachingAppointmentView); err != nil {
		t.Fatal(err)
	}
	if k := kinds(); k["Coaching"] != 0 || len(k) != len(all)-1 {
		t.Errorf("without coaching:appointment:view: %v", k)
	}
	if err := e.s.DenyPermissions(permLearningAssignmentView); err != nil {
		t.Fatal(err)
	}
	if k := kinds(); len(k) != 1 || k["Coaching"] != all["Coaching"] {
		t.Errorf("without learning:assignment:view: %v", k)
	}
	if err := e.s.DenyPermissions(permLearningAssignmentView, permCoachingAppointmentView); err != nil {
		t.Fatal(err)
	}
	r := e.do("GET", "/api/v2/users/development/activities?"+query, nil)
	if r.status != 403 {
		t.Fatalf("without both: %d %s", r.status, r.body)
	}
	const want = "Unable to perform the requested action. You must have at least one of the following permissions assigned: [learning:assignment:view, coaching:appointment:view]"
	if body := r.errorBody(t); body["code"] != "missing.any.permissions" || body["message"] != want {
		t.Errorf("403 body %s", r.body)
	}
	// The utilization read needs either utilization permission.
	if err := e.s.DenyPermissions(permUtilizationManage, permUtilizationView); err != nil {
		t.Fatal(err)
	}
	if r := e.do("GET", "/api/v2/routing/users/"+batch[0]+"/utilization", nil); r.status != 403 ||
		!strings.Contains(string(r.body), "[routing:utilization:manage, routing:utilization:view]") {
		t.Errorf("utilization without its permissions: %d %s", r.status, r.body)
	}
	// The listings need none.
	for _, p := range []string{"/api/v2/groups", "/api/v2/locations", "/api/v2/stations"} {
		e.get(p, 200, nil)
	}
}

// /_emulator/mutate with people moves presence, routing status,
// out-of-office periods, teams and certifications, deterministically and
// keeping the invariants; nothing else moves when percent is not set.
func TestMutatePeople(t *testing.T) {
	t.Parallel()
	clock := newFakeClock()
	run := func() (MutateResult, []UserView, *env) {
		e := newEnv(t, Config{Users: 600, Seed: 5, Now: clock.Now})
		before := e.s.Users()
		r := e.do("POST", "/_emulator/mutate", map[string]any{"seed": 3, "people": 30})
		if r.status != 200 {
			t.Fatalf("mutate: %d %s", r.status, r.body)
		}
		var res MutateResult
		r.decode(t, &res)
		return res, before, e
	}
	clock.Advance(time.Hour)
	res, before, e := run()
	res2, _, _ := run()
	if fmt.Sprint(res) != fmt.Sprint(res2) {
		t.Error("the same people mutation on the same org gave different changes")
	}
	if len(res.Changed) != 0 || len(res.Left) != 0 || len(res.Joined) != 0 {
		t.Errorf("people churn alone changed %d, left %d, joined %d", len(res.Changed), len(res.Left), len(res.Joined))
	}
	var live int
	for _, v := range before {
		if v.State != StateDeleted {
			live++
		}
	}
	if n := len(res.People); n < live*25/100 || n > live*30/100+1 {
		t.Errorf("%d users' people data moved, want about 30%% of %d", n, live)
	}
	now := clock.Now()
	old := map[string]UserView{}
	for _, v := range before {
		old[v.ID] = v
	}
	fields := map[string]int{}
	for _, c := range res.People {
		v, _ := e.s.User(c.UserID)
		o := old[c.UserID]
		for _, f := range c.Fields {
			fields[f]++
			switch f {
			case "presence":
				if !v.PresenceModified.Equal(now) || v.PresenceDefinitionID == o.PresenceDefinitionID {
					t.Errorf("user %s presence %s since %v (was %s)", v.ID, v.Presence, v.PresenceModified, o.Presence)
				}
			case "routingStatus":
				if !v.RoutingStart.Equal(now) {
					t.Errorf("user %s routing since %v", v.ID, v.RoutingStart)
				}
			case "outOfOffice":
				if fmt.Sprint(v.OutOfOffice) == fmt.Sprint(o.OutOfOffice) {
					t.Errorf("user %s out of office unchanged: %+v", v.ID, v.OutOfOffice)
				}
			case "team":
				if v.TeamID == o.TeamID {
					t.Errorf("user %s team unchanged", v.ID)
				}
			case "certifications":
				if slices.Equal(v.Certifications, o.Certifications) || v.Version != o.Version+1 {
					t.Errorf("user %s certifications %v (was %v), version %d (was %d)", v.ID, v.Certifications, o.Certifications, v.Version, o.Version)
				}
			}
		}
		if !slices.Contains(c.Fields, "certifications") && v.Version != o.Version {
			t.Errorf("user %s: version moved without a certification change", v.ID)
		}
	}
	for _, f := range []string{"presence", "routingStatus", "outOfOffice", "team", "certifications"} {
		if fields[f] == 0 {
			t.Errorf("no %s moved: %v", f, fields)
		}
	}
	e.s.read(func(o *org) {
		if err := o.check(); err != nil {
			t.Fatalf("invariants after people churn: %v", err)
		}
	})
	// The expand shows the moved presence.
	c := res.People[0]
	var u peopleUser
	e.get("/api/v2/users/"+c.UserID+"?expand=presence,routingStatus", 200, &u)
	v, _ := e.s.User(c.UserID)
	if u.Presence.PresenceDefinition.SystemPresence != v.Presence || !u.Presence.ModifiedDate.Equal(now) {
		t.Errorf("expand after churn: %+v, want %s", u.Presence, v.Presence)
	}
	if r := e.do("POST", "/_emulator/mutate", map[string]any{"people": 101}); r.status != 400 {
		t.Errorf("people 101: %d", r.status)
	}
}

// Users leaving go Offline and off queue; deleted ones leave their team;
// new users start Offline.
func TestLeaversGoOffline(t *testing.T) {
	t.Parallel()
	clock := newFakeClock()
	e := newEnv(t, Config{Users: 400, Seed: 12, Now: clock.Now})
	var onQueue, teamed UserView
	for _, v := range e.s.Users() {
		if onQueue.ID == "" && v.Presence == "On Queue" && v.TeamID == "" {
			onQueue = v
		}
		if teamed.ID == "" && v.TeamID != "" && v.State == StateActive {
			teamed = v
		}
	}
	clock.Advance(time.Minute)
	if r := e.do("PATCH", "/api/v2/users/"+onQueue.ID, map[string]any{"state": "inactive", "version": onQueue.Version}); r.status != 200 {
		t.Fatalf("deactivate: %d %s", r.status, r.body)
	}
	if r := e.do("DELETE", "/api/v2/users/"+teamed.ID, nil); r.status != 200 && r.status != 204 {
		t.Fatalf("delete: %d %s", r.status, r.body)
	}
	a, _ := e.s.User(onQueue.ID)
	b, _ := e.s.User(teamed.ID)
	if a.Presence != "Offline" || a.RoutingStatus != "OFF_QUEUE" || !a.PresenceModified.Equal(clock.Now()) {
		t.Errorf("deactivated user: %s %s since %v", a.Presence, a.RoutingStatus, a.PresenceModified)
	}
	if b.Presence != "Offline" || b.TeamID != "" {
		t.Errorf("deleted user: %s, team %q", b.Presence, b.TeamID)
	}
	var created peopleUser
	r := e.do("POST", "/api/v2/users", map[string]any{"name": "New Person", "email": "new.person@example.com"})
	r.decode(t, &created)
	n, _ := e.s.User(created.ID)
	if n.Presence != "Offline" || n.RoutingStatus != "OFF_QUEUE" || !n.PresenceModified.Equal(clock.Now()) || n.OutOfOffice != nil {
		t.Errorf("new user: %+v", n)
	}
	e.s.read(func(o *org) {
		if err := o.check(); err != nil {
			t.Fatal(err)
		}
	})
}

// PATCH /users/{id} with certifications replaces them (trimmed, repeats
// once) and bumps the version; an empty name is a 400 that changes
// nothing; [] clears them.
func TestPatchCertifications(t *testing.T) {
	t.Parallel()
	e := newEnv(t, Config{Users: 50, Seed: 3})
	v := e.s.Users()[2]
	r := e.do("PATCH", "/api/v2/users/"+v.ID, map[string]any{"version": v.Version,
		"certifications": []string{" ITIL 4 Foundation ", "itil 4 foundation", "Scrum Master"}})
	if r.status != 200 {
		t.Fatalf("PATCH: %d %s", r.status, r.body)
	}
	got, _ := e.s.User(v.ID)
	if !slices.Equal(got.Certifications, []string{"ITIL 4 Foundation", "Scrum Master"}) || got.Version != v.Version+1 {
		t.Fatalf("certifications %v version %d", got.Certifications, got.Version)
	}
	var u peopleUser
	e.get("/api/v2/users/"+v.ID+"?expand=certifications", 200, &u)
	if u.Certifications == nil || !slices.Equal(*u.Certifications, got.Certifications) {
		t.Errorf("expand after PATCH: %v", u.Certifications)
	}
	if r := e.do("PATCH", "/api/v2/users/"+v.ID, map[string]any{"version": got.Version, "certifications": []string{"x", " "}}); r.status != 400 {
		t.Errorf("an empty certification: %d", r.status)
	}
	if r := e.do("PATCH", "/api/v2/users/"+v.ID, map[string]any{"version": got.Version, "certifications": []string{}}); r.status != 200 {
		t.Fatalf("clear: %d %s", r.status, r.body)
	}
	if got, _ = e.s.User(v.ID); len(got.Certifications) != 0 {
		t.Errorf("after []: %v", got.Certifications)
	}
}
