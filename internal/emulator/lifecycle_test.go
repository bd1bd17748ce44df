package emulator

import (
	"net/http"
	"slices"
	"strings"
	"testing"
)

// lifecycleUser returns an active user with a default station, verifiers
// and no utilization of its own, and one active user without a station.
func lifecycleUsers(t *testing.T, e *env) (with, without UserView) {
	t.Helper()
	for _, u := range e.s.Users() {
		switch {
		case u.State != StateActive:
		case with.ID == "" && u.DefaultStationID != "" && u.AssociatedStationID != "" && len(u.Verifiers) >= 2 && u.Utilization == nil:
			with = u
		case without.ID == "" && u.DefaultStationID == "" && u.AssociatedStationID == "":
			without = u
		}
	}
	if with.ID == "" || without.ID == "" {
		t.Fatal("the generated org has no user with a station and two verifiers, or none without a station")
	}
	return with, without
}

func TestGeneratedLifecycle(t *testing.T) {
	t.Parallel()
	e := newEnv(t, Config{Seed: 3, Users: 600})
	var stations, verifiers, custom, skills, welcomed, inactiveVerifiers int
	for _, u := range e.s.Users() {
		if u.DefaultStationID != "" {
			stations++
		}
		if u.State == StateDeleted && (u.DefaultStationID != "" || len(u.Verifiers) > 0) {
			t.Errorf("deleted user %s has a station or verifiers", u.ID)
		}
		if len(u.Verifiers) > 0 {
			verifiers++
			if u.State == StateInactive {
				inactiveVerifiers++
			}
		}
		if u.Utilization != nil {
			custom++
		}
		if len(u.ProfileSkills) > 0 {
			skills++
		}
		if u.DateWelcomeSent != "" {
			welcomed++
		}
	}
	if stations < 100 || verifiers < 100 || custom < 30 || skills < 100 || welcomed < 300 || inactiveVerifiers == 0 {
		t.Errorf("stations %d, verifiers %d (inactive %d), custom utilization %d, profile skills %d, welcomed %d",
			stations, verifiers, inactiveVerifiers, custom, skills, welcomed)
	}
	// The same seed gives the same org, with or without the lifecycle part.
	again, _ := New(Config{Seed: 3, Users: 600})
	if a, b := e.s.Users()[17], again.Users()[17]; a.ID != b.ID || a.DefaultStationID != b.DefaultStationID || len(a.Verifiers) != len(b.Verifiers) {
		t.Error("the lifecycle data is not deterministic")
	}
}

func TestStationsListingAndExpand(t *testing.T) {
	t.Parallel()
	e := newEnv(t, Config{Seed: 4, Users: 300})
	with, _ := lifecycleUsers(t, e)
	var page listing[stationJSON]
	e.get("/api/v2/stations?pageSize=100", http.StatusOK, &page)
	if page.PageSize != 100 || len(page.Entities) != 100 || page.Total != len(e.s.Stations()) || page.NextURI == "" {
		t.Fatalf("stations page: size %d, %d entities, total %d of %d, next %q", page.PageSize, len(page.Entities), page.Total, len(e.s.Stations()), page.NextURI)
	}
	if r := e.do("GET", "/api/v2/stations?pageSize=101", nil); r.status != http.StatusBadRequest {
		t.Errorf("pageSize 101: %d", r.status)
	}
	var def stationJSON
	for _, s := range e.s.Stations() {
		if s.ID == with.DefaultStationID {
			def = stationJSON{ID: s.ID, Name: s.Name}
		}
	}
	var byName listing[stationJSON]
	e.get("/api/v2/stations?name="+q("x", def.Name)[2:], http.StatusOK, &byName)
	if len(byName.Entities) != 1 || byName.Entities[0].ID != def.ID || byName.Entities[0].Status != "ASSOCIATED" || byName.Entities[0].UserID != with.ID {
		t.Fatalf("stations by name %q: %+v", def.Name, byName.Entities)
	}
	var u struct {
		Station struct {
			DefaultStation, AssociatedStation *struct{ ID string }
		}
		ProfileSkills   []string
		DateWelcomeSent string
	}
	e.get("/api/v2/users/"+with.ID+"?expand=station,profileSkills,dateWelcomeSent", http.StatusOK, &u)
	if u.Station.DefaultStation == nil || u.Station.DefaultStation.ID != with.DefaultStationID ||
		u.Station.AssociatedStation == nil || u.Station.AssociatedStation.ID != with.AssociatedStationID {
		t.Errorf("station expand: %+v", u.Station)
	}
	if !slices.Equal(u.ProfileSkills, with.ProfileSkills) && len(with.ProfileSkills) > 0 || u.DateWelcomeSent != with.DateWelcomeSent {
		t.Errorf("profileSkills %v (want %v), dateWelcomeSent %q (want %q)", u.ProfileSkills, with.ProfileSkills, u.DateWelcomeSent, with.DateWelcomeSent)
	}
}

func TestDefaultStationWrites(t *testing.T) {
	t.Parallel()
	e := newEnv(t, Config{Seed: 4, Users: 300})
	with, without := lifecycleUsers(t, e)
	put := "/api/v2/users/" + without.ID + "/station/defaultstation/"
	// Another user's default station: 409, nothing changes.
	r := e.do("PUT", put+with.DefaultStationID, nil)
	if r.status != http.StatusConflict || r.errorBody(t)["entityId"] != with.ID {
		t.Fatalf("a held station: %d %s", r.status, r.body)
	}
	if r := e.do("PUT", put+"no-such-station", nil); r.status != http.StatusNotFound {
		t.Errorf("unknown station: %d", r.status)
	}
	// Released by its holder, it can be given.
	for _, p := range []string{"defaultstation", "associatedstation", "associatedstation"} {
		if r := e.do("DELETE", "/api/v2/users/"+with.ID+"/station/"+p, nil); r.status != http.StatusNoContent {
			t.Fatalf("DELETE %s: %d %s", p, r.status, r.body)
		}
	}
	if r := e.do("PUT", put+with.DefaultStationID, nil); r.status != http.StatusNoContent {
		t.Fatalf("a free station: %d %s", r.status, r.body)
	}
	if v, _ := e.s.User(without.ID); v.DefaultStationID != with.DefaultStationID {
		t.Errorf("default station %q, want %q", v.DefaultStationID, with.DefaultStationID)
	}
	if v, _ := e.s.User(with.ID); v.DefaultStationID != "" || v.AssociatedStationID != "" {
		t.Errorf("the released user still has %q/%q", v.DefaultStationID, v.AssociatedStationID)
	}
	// Deleting a user releases its stations.
	if r := e.do("DELETE", "/api/v2/users/"+without.ID, nil); r.status != http.StatusOK {
		t.Fatal(r.status)
	}
	if v, _ := e.s.User(without.ID); v.DefaultStationID != "" {
		t.Error("a deleted user keeps its default station")
	}
	e.s.read(func(o *org) {
		if err := o.check(); err != nil {
			t.Error(err)
		}
	})
}

func TestVerifiers(t *testing.T) {
	t.Parallel()
	e := newEnv(t, Config{Seed: 4, Users: 300})
	with, _ := lifecycleUsers(t, e)
	var l struct {
		Entities []struct{ ID, Name string }
		Total    int
		SelfURI  string
		PageSize *int
	}
	e.get("/api/v2/users/"+with.ID+"/verifiers", http.StatusOK, &l)
	if l.Total != len(with.Verifiers) || len(l.Entities) != l.Total || l.PageSize != nil || l.SelfURI == "" {
		t.Fatalf("verifiers: %+v, want %d without paging", l, len(with.Verifiers))
	}
	path := "/api/v2/users/" + with.ID + "/verifiers/" + l.Entities[0].ID
	if r := e.do("DELETE", path, nil); r.status != http.StatusNoContent {
		t.Fatalf("delete: %d %s", r.status, r.body)
	}
	// One delete per verifier: the same one again is 404.
	if r := e.do("DELETE", path, nil); r.status != http.StatusNotFound {
		t.Errorf("delete again: %d", r.status)
	}
	if v, _ := e.s.User(with.ID); len(v.Verifiers) != len(with.Verifiers)-1 {
		t.Errorf("%d verifiers left, want %d", len(v.Verifiers), len(with.Verifiers)-1)
	}
	if err := e.s.DenyPermissions("mfa:verifier:delete"); err != nil {
		t.Fatal(err)
	}
	r := e.do("DELETE", "/api/v2/users/"+with.ID+"/verifiers/"+l.Entities[1].ID, nil)
	if r.status != http.StatusForbidden {
		t.Fatalf("denied: %d %s", r.status, r.body)
	}
	if m := r.errorBody(t)["message"].(string); !strings.Contains(m, "mfa:verifier:delete") {
		t.Errorf("403 message %q does not name the permission", m)
	}
}

func TestUtilization(t *testing.T) {
	t.Parallel()
	e := newEnv(t, Config{Seed: 4, Users: 300})
	with, _ := lifecycleUsers(t, e)
	path := "/api/v2/routing/users/" + with.ID + "/utilization"
	var got agentUtilization
	e.get(path, http.StatusOK, &got)
	if got.Level != "Organization" || len(got.Utilization) != len(MediaTypes) || got.Utilization["chat"].MaximumCapacity != 3 {
		t.Fatalf("org default: %+v", got)
	}
	for name, body := range map[string]string{
		"unknown media type":   `{"utilization":{"fax":{"maximumCapacity":1}}}`,
		"capacity over 25":     `{"utilization":{"chat":{"maximumCapacity":26}}}`,
		"negative capacity":    `{"utilization":{"chat":{"maximumCapacity":-1}}}`,
		"no capacity":          `{"utilization":{"chat":{}}}`,
		"interrupts itself":    `{"utilization":{"chat":{"maximumCapacity":2,"interruptableMediaTypes":["chat"]}}}`,
		"unknown interrupter":  `{"utilization":{"chat":{"maximumCapacity":2,"interruptableMediaTypes":["fax"]}}}`,
		"no media type at all": `{"utilization":{}}`,
	} {
		if r := e.do("PUT", path, rawJSON(body)); r.status != http.StatusBadRequest {
			t.Errorf("%s: %d %s", name, r.status, r.body)
		}
	}
	if v, _ := e.s.User(with.ID); v.Utilization != nil {
		t.Fatal("a refused PUT changed the utilization")
	}
	r := e.do("PUT", path, rawJSON(`{"utilization":{"call":{"maximumCapacity":1},"chat":{"maximumCapacity":0,"interruptableMediaTypes":["call"]}}}`))
	if r.status != http.StatusOK {
		t.Fatalf("PUT: %d %s", r.status, r.body)
	}
	r.decode(t, &got)
	if got.Level != "Agent" || got.Utilization["chat"].MaximumCapacity != 0 || got.Utilization["email"].MaximumCapacity != 1 {
		t.Errorf("after PUT: %+v", got)
	}
	if v, _ := e.s.User(with.ID); len(v.Utilization) != 2 {
		t.Errorf("the user's own settings are %v, want the two media types sent", v.Utilization)
	}
	for range 2 { // a retried reset succeeds
		if r := e.do("DELETE", path, nil); r.status != http.StatusNoContent {
			t.Fatalf("DELETE: %d", r.status)
		}
	}
	e.get(path, http.StatusOK, &got)
	if got.Level != "Organization" {
		t.Errorf("after DELETE: level %s", got.Level)
	}
}

func TestProfileSkills(t *testing.T) {
	t.Parallel()
	e := newEnv(t, Config{Seed: 4, Users: 300})
	with, _ := lifecycleUsers(t, e)
	path := "/api/v2/users/" + with.ID + "/profileskills"
	if r := e.do("PUT", path, rawJSON(`null`)); r.status != http.StatusBadRequest {
		t.Errorf("null: %d", r.status)
	}
	if r := e.do("PUT", path, rawJSON(`["Excel"," "]`)); r.status != http.StatusBadRequest {
		t.Errorf("an empty name: %d", r.status)
	}
	var got []string
	r := e.do("PUT", path, rawJSON(`[" Excel ","Coaching","excel"]`))
	r.decode(t, &got)
	if r.status != http.StatusOK || !slices.Equal(got, []string{"Excel", "Coaching"}) {
		t.Fatalf("PUT: %d %v", r.status, got)
	}
	e.get(path, http.StatusOK, &got)
	if v, _ := e.s.User(with.ID); !slices.Equal(got, v.ProfileSkills) || v.Version != with.Version {
		t.Errorf("GET %v, view %v, version %d → %d", got, v.ProfileSkills, with.Version, v.Version)
	}
	if r := e.do("PUT", path, rawJSON(`[]`)); r.status != http.StatusOK {
		t.Errorf("[] clears: %d", r.status)
	}
}

func TestInvite(t *testing.T) {
	t.Parallel()
	clock := newFakeClock()
	e := newEnv(t, Config{Seed: 4, Users: 300, Now: clock.Now})
	var inactive, fresh UserView
	for _, u := range e.s.Users() {
		switch {
		case inactive.ID == "" && u.State == StateInactive && u.DateWelcomeSent == "":
			inactive = u
		case fresh.ID == "" && u.State == StateActive && u.DateWelcomeSent == "":
			fresh = u
		}
	}
	invite := func(id, query string) int { return e.do("POST", "/api/v2/users/"+id+"/invite"+query, nil).status }
	if s := invite(fresh.ID, ""); s != http.StatusNoContent {
		t.Fatalf("invite: %d", s)
	}
	sent, _ := e.s.User(fresh.ID)
	if sent.DateWelcomeSent != "2026-03-01T12:00:00Z" {
		t.Fatalf("dateWelcomeSent %q", sent.DateWelcomeSent)
	}
	// Outstanding: not sent again without force.
	clock.Advance(3600e9)
	if s := invite(fresh.ID, ""); s != http.StatusNoContent {
		t.Fatal(s)
	}
	if v, _ := e.s.User(fresh.ID); v.DateWelcomeSent != sent.DateWelcomeSent {
		t.Error("an outstanding invitation was sent again without force")
	}
	if s := invite(fresh.ID, "?force=true"); s != http.StatusNoContent {
		t.Fatal(s)
	}
	if v, _ := e.s.User(fresh.ID); v.DateWelcomeSent == sent.DateWelcomeSent {
		t.Error("force=true did not resend")
	}
	// An inactive user invited becomes active.
	if s := invite(inactive.ID, ""); s != http.StatusNoContent {
		t.Fatal(s)
	}
	if v, _ := e.s.User(inactive.ID); v.State != StateActive || v.Version != inactive.Version+1 {
		t.Errorf("an invited inactive user is %s at version %d", v.State, v.Version)
	}
	if s := invite("no-such-user", ""); s != http.StatusNotFound {
		t.Errorf("unknown user: %d", s)
	}
	if s := invite(fresh.ID, "?force=maybe"); s != http.StatusBadRequest {
		t.Errorf("force=maybe: %d", s)
	}
}
