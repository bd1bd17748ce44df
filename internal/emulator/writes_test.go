package emulator

import (
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

// newWriteEnv is newEnv with the rate limiter on (at a rate the tests never
// reach), so every write goes through the whole pipeline: auth, rate
// limit, handler.
func newWriteEnv(t *testing.T, cfg Config) *env {
	t.Helper()
	if cfg.RatePerMinute == 0 {
		cfg.RatePerMinute = 1_000_000
	}
	return newEnv(t, cfg)
}

// checkOrg fails the test when the org's invariants do not hold.
func (e *env) checkOrg() {
	e.t.Helper()
	var err error
	e.s.read(func(o *org) { err = o.check() })
	if err != nil {
		e.t.Fatalf("org invariants: %v", err)
	}
}

// want sends a request and fails the test unless it answers status; error
// answers must carry the Genesys error body, whose code is returned.
func (e *env) want(method, path string, body any, status int) response {
	e.t.Helper()
	r := e.do(method, path, body)
	if r.status != status {
		e.t.Fatalf("%s %s = %d, want %d: %s", method, path, r.status, status, r.body)
	}
	if status >= 400 {
		r.errorBody(e.t)
	}
	return r
}

// wantError is want for an error answer with a Genesys code.
func (e *env) wantError(method, path string, body any, status int, code string) map[string]any {
	e.t.Helper()
	m := e.want(method, path, body, status).errorBody(e.t)
	if m["code"] != code {
		e.t.Fatalf("%s %s: code %v, want %s (%v)", method, path, m["code"], code, m["message"])
	}
	return m
}

// pickUser returns the first user (creation order) matching ok.
func (e *env) pickUser(ok func(UserView) bool) UserView {
	e.t.Helper()
	for _, u := range e.s.Users() {
		if ok(u) {
			return u
		}
	}
	e.t.Fatal("no user matches")
	return UserView{}
}

func (e *env) pickUsers(n int, ok func(UserView) bool) []UserView {
	e.t.Helper()
	var out []UserView
	for _, u := range e.s.Users() {
		if len(out) < n && ok(u) {
			out = append(out, u)
		}
	}
	if len(out) < n {
		e.t.Fatalf("only %d users match, want %d", len(out), n)
	}
	return out
}

func isActive(u UserView) bool { return u.State == StateActive }

func (e *env) view(id string) UserView {
	e.t.Helper()
	v, ok := e.s.User(id)
	if !ok {
		e.t.Fatalf("user %s not in the org", id)
	}
	return v
}

func TestCreateUser(t *testing.T) {
	t.Parallel()
	e := newWriteEnv(t, Config{Users: 200, Seed: 21})
	home := e.s.Divisions()[0]
	other := e.s.Divisions()[2]
	before := e.s.UserCount("")

	var u wireUser
	r := e.want("POST", "/api/v2/users", map[string]any{
		"name": "Nia Okoro", "email": "nia.okoro@example.org", "title": "Agent", "department": "Sales",
		"password": "ignored-Secret1", "divisionId": other.ID,
	}, 200)
	r.decode(t, &u)
	if !uuidRE.MatchString(u.ID) || u.Version != 1 || u.State != StateActive || u.Name != "Nia Okoro" ||
		u.Email != "nia.okoro@example.org" || u.Title != "Agent" || u.Department != "Sales" || u.Division.ID != other.ID {
		t.Fatalf("created user %+v", u)
	}
	if strings.Contains(string(r.body), "ignored-Secret1") {
		t.Fatal("the password is echoed")
	}
	var got wireUser
	e.get("/api/v2/users/"+u.ID, 200, &got)
	if got.ID != u.ID || got.Email != u.Email {
		t.Fatalf("GET after create: %+v", got)
	}
	if !slices.ContainsFunc(e.allUsers("pageSize=500"), func(w wireUser) bool { return w.ID == u.ID }) {
		t.Fatal("new user not in GET /api/v2/users")
	}

	// Defaults: home division, active; state inactive accepted.
	var d wireUser
	e.want("POST", "/api/v2/users", map[string]any{"name": "Default Div", "email": "default.div@example.org", "state": "inactive"}, 200).decode(t, &d)
	if d.Division.ID != home.ID || d.State != StateInactive {
		t.Fatalf("defaults: division %s state %s, want %s inactive", d.Division.ID, d.State, home.ID)
	}

	deleted := e.pickUser(func(v UserView) bool { return v.State == StateDeleted })
	active := e.pickUser(isActive)
	for _, tt := range []struct {
		name   string
		body   map[string]any
		status int
		code   string
	}{
		{"duplicate email", map[string]any{"name": "X", "email": "nia.okoro@example.org"}, 409, "general.conflict"},
		{"duplicate email any case", map[string]any{"name": "X", "email": strings.ToUpper(active.Email)}, 409, "general.conflict"},
		{"email of a deleted user", map[string]any{"name": "X", "email": deleted.Email}, 409, "general.conflict"},
		{"no name", map[string]any{"email": "a.b@example.org"}, 400, "bad.request"},
		{"blank name", map[string]any{"name": "  ", "email": "a.b@example.org"}, 400, "bad.request"},
		{"no email", map[string]any{"name": "A B"}, 400, "bad.request"},
		{"bad email", map[string]any{"name": "A B", "email": "not-an-email"}, 400, "bad.request"},
		{"email with display name", map[string]any{"name": "A B", "email": "A B <a.b@example.org>"}, 400, "bad.request"},
		{"unknown division", map[string]any{"name": "A B", "email": "a.b@example.org", "divisionId": "no-such-division"}, 400, "bad.request"},
		{"state deleted", map[string]any{"name": "A B", "email": "a.b@example.org", "state": "deleted"}, 400, "bad.request"},
		{"wrong type", map[string]any{"name": 7, "email": "a.b@example.org"}, 400, "bad.request"},
	} {
		m := e.wantError("POST", "/api/v2/users", tt.body, tt.status, tt.code)
		if tt.status == 409 && m["entityId"] == "" {
			t.Errorf("%s: conflict names no entity", tt.name)
		}
	}
	if n := e.s.UserCount(""); n != before+2 {
		t.Fatalf("users = %d, want %d: a rejected create changed the org", n, before+2)
	}
	e.checkOrg()
}

func TestPatchUser(t *testing.T) {
	t.Parallel()
	e := newWriteEnv(t, Config{Users: 200, Seed: 22})
	// u: the last active user (generated managers come earlier, so nobody
	// reports to it); boss and other: the first active users.
	actives := e.pickUsers(e.s.UserCount(StateActive), isActive)
	u, boss, other := actives[len(actives)-1], actives[0], actives[1]
	path := "/api/v2/users/" + u.ID

	var got wireUser
	e.want("PATCH", path, map[string]any{
		"version": u.Version, "name": "Renamed Person", "title": "Team Lead", "department": "Billing",
		"email": "renamed.person@example.org", "username": "renamed.person@example.org", "acdAutoAnswer": !u.AcdAutoAnswer,
		"manager": boss.ID, "employerInfo": map[string]any{"employeeId": "HR-42", "dateHire": "2021-05-06"},
		"chat": map[string]any{"jabberId": "ignored"},
	}, 200).decode(t, &got)
	v := e.view(u.ID)
	if got.Version != u.Version+1 || v.Version != u.Version+1 || v.Name != "Renamed Person" || v.Title != "Team Lead" ||
		v.Department != "Billing" || v.Email != "renamed.person@example.org" || v.AcdAutoAnswer == u.AcdAutoAnswer ||
		v.ManagerID != boss.ID || v.EmployeeID != "HR-42" || v.DateHire != "2021-05-06" {
		t.Fatalf("after PATCH: %+v (answer %+v)", v, got)
	}
	if got.Manager == nil || got.Manager.ID != boss.ID || got.EmployerInfo == nil || got.EmployerInfo.EmployeeID != "HR-42" {
		t.Fatalf("answer %+v misses the changes", got)
	}
	// The old email is free again, the new one is taken.
	e.wantError("POST", "/api/v2/users", map[string]any{"name": "N", "email": "Renamed.Person@example.org"}, 409, "general.conflict")
	e.want("POST", "/api/v2/users", map[string]any{"name": "N", "email": u.Email}, 200)

	// A stale version answers 409 and changes nothing.
	m := e.wantError("PATCH", path, map[string]any{"version": u.Version, "title": "Stale"}, 409, "general.conflict")
	if !strings.Contains(m["message"].(string), "must match") {
		t.Errorf("conflict message %q", m["message"])
	}
	cur := e.view(u.ID)
	for _, tt := range []struct {
		name   string
		body   map[string]any
		status int
	}{
		{"no version", map[string]any{"title": "X"}, 400},
		{"empty name", map[string]any{"version": cur.Version, "name": ""}, 400},
		{"bad email", map[string]any{"version": cur.Version, "email": "nope"}, 400},
		{"email of another user", map[string]any{"version": cur.Version, "email": other.Email}, 409},
		{"unknown manager", map[string]any{"version": cur.Version, "manager": "no-such-user"}, 400},
		{"self manager", map[string]any{"version": cur.Version, "manager": u.ID}, 400},
		{"bad hire date", map[string]any{"version": cur.Version, "employerInfo": map[string]any{"dateHire": "06/05/2021"}}, 400},
		{"state deleted", map[string]any{"version": cur.Version, "state": "deleted"}, 400},
		{"state unknown", map[string]any{"version": cur.Version, "state": "gone"}, 400},
	} {
		e.want("PATCH", path, tt.body, tt.status)
	}
	// A cycle: u reports to boss, so boss cannot report to u.
	bv := e.view(boss.ID)
	e.wantError("PATCH", "/api/v2/users/"+boss.ID, map[string]any{"version": bv.Version, "manager": u.ID}, 400, "bad.request")
	if e.view(boss.ID).Version != bv.Version {
		t.Fatal("a refused cycle bumped the version")
	}
	if now := e.view(u.ID); !equalUserViews(now, cur) {
		t.Fatalf("rejected PATCHes changed the user:\n%+v\n%+v", now, cur)
	}
	e.want("PATCH", "/api/v2/users/no-such-user", map[string]any{"version": 1, "title": "X"}, 404)

	// state in the body: the only change.
	e.want("PATCH", path, map[string]any{"version": cur.Version, "state": "inactive", "title": "Ignored", "name": "Ignored"}, 200)
	if v := e.view(u.ID); v.State != StateInactive || v.Title != cur.Title || v.Name != cur.Name || v.Version != cur.Version+1 {
		t.Fatalf("state PATCH: %+v", v)
	}
	for _, q := range e.view(u.ID).Queues {
		if q.Joined {
			t.Fatalf("inactive user still joined to %s", q.QueueID)
		}
	}
	// Removing the manager.
	v = e.view(u.ID)
	e.want("PATCH", path, map[string]any{"version": v.Version, "manager": ""}, 200)
	if e.view(u.ID).ManagerID != "" {
		t.Fatal(`manager "" did not remove the manager`)
	}
	e.checkOrg()
}

func equalUserViews(a, b UserView) bool { return fmt.Sprintf("%+v", a) == fmt.Sprintf("%+v", b) }

func TestDeleteAndRestoreUser(t *testing.T) {
	t.Parallel()
	e := newWriteEnv(t, Config{Users: 300, Seed: 23})
	u := e.pickUser(func(v UserView) bool { return isActive(v) && len(v.Queues) > 2 && len(v.Grants) > 0 })
	path := "/api/v2/users/" + u.ID

	e.want("DELETE", path, nil, 200)
	v := e.view(u.ID)
	if v.State != StateDeleted || len(v.Queues) != 0 || len(v.Grants) != 0 || v.Version != u.Version+1 {
		t.Fatalf("after DELETE: state %s, %d queues, %d grants, version %d", v.State, len(v.Queues), len(v.Grants), v.Version)
	}
	e.want("GET", path, nil, 404)
	e.get(path+"?state=deleted", 200, nil)
	var members queueMemberListing
	e.get("/api/v2/routing/queues/"+u.Queues[0].QueueID+"/members?pageSize=100", 200, &members)
	if slices.ContainsFunc(members.Entities, func(m queueMember) bool { return m.ID == u.ID }) {
		t.Fatal("deleted user still listed as a queue member")
	}
	e.want("DELETE", path, nil, 404)
	e.want("PATCH", path, map[string]any{"version": v.Version, "title": "X"}, 404)
	e.wantError("POST", "/api/v2/users", map[string]any{"name": "Back Again", "email": u.Email}, 409, "general.conflict")
	e.want("POST", "/api/v2/users/"+u.ID+"/routingskills", map[string]any{"id": e.s.Skills()[0].ID, "proficiency": 1}, 404)

	// Restore with the current version.
	e.want("PATCH", path, map[string]any{"version": v.Version - 1, "state": "active"}, 409)
	var got wireUser
	e.want("PATCH", path, map[string]any{"version": v.Version, "state": "active"}, 200).decode(t, &got)
	if got.State != StateActive || got.Version != v.Version+1 {
		t.Fatalf("restore answered %+v", got)
	}
	if !slices.ContainsFunc(e.allUsers("pageSize=500"), func(w wireUser) bool { return w.ID == u.ID }) {
		t.Fatal("restored user not in the active listing")
	}
	e.checkOrg()
}

func TestPatchUsersBulk(t *testing.T) {
	t.Parallel()
	e := newWriteEnv(t, Config{Users: 300, Seed: 24})
	users := e.pickUsers(maxBulkUsers+1, isActive)
	entry := func(u UserView) map[string]any { return map[string]any{"id": u.ID, "acdAutoAnswer": !u.AcdAutoAnswer} }

	var over []map[string]any
	for _, u := range users {
		over = append(over, entry(u))
	}
	deleted := e.pickUser(func(v UserView) bool { return v.State == StateDeleted })
	for _, body := range []any{
		over,               // 51 users
		[]map[string]any{}, // none
		map[string]any{"id": users[0].ID, "acdAutoAnswer": true},                   // not a list
		[]map[string]any{{"id": users[0].ID, "acdAutoAnswer": true, "title": "X"}}, // another field
		[]map[string]any{{"id": users[0].ID}},                                      // no acdAutoAnswer
		[]map[string]any{{"acdAutoAnswer": true}},                                  // no id
		[]map[string]any{entry(users[0]), {"id": "no-such-user", "acdAutoAnswer": true}},
		[]map[string]any{entry(users[0]), {"id": deleted.ID, "acdAutoAnswer": true}},
		[]map[string]any{entry(users[0]), entry(users[0])},
	} {
		e.wantError("PATCH", "/api/v2/users/bulk", body, 400, "bad.request")
	}
	if v := e.view(users[0].ID); v.AcdAutoAnswer != users[0].AcdAutoAnswer || v.Version != users[0].Version {
		t.Fatal("a rejected bulk PATCH changed a user")
	}

	var got userListing
	e.want("PATCH", "/api/v2/users/bulk", over[:maxBulkUsers], 200).decode(t, &got)
	if len(got.Entities) != maxBulkUsers || got.Total != maxBulkUsers {
		t.Fatalf("answer lists %d users (total %d), want %d", len(got.Entities), got.Total, maxBulkUsers)
	}
	for k, u := range users[:maxBulkUsers] {
		v := e.view(u.ID)
		if v.AcdAutoAnswer == u.AcdAutoAnswer || v.Version != u.Version+1 {
			t.Fatalf("user %s: acdAutoAnswer %v version %d", u.ID, v.AcdAutoAnswer, v.Version)
		}
		if w := got.Entities[k]; w.ID != u.ID || w.AcdAutoAnswer == nil || *w.AcdAutoAnswer != v.AcdAutoAnswer {
			t.Fatalf("answer entry %d = %+v", k, w)
		}
	}
	e.checkOrg()
}

// skillRefs reads a per-user skill or language listing as id → proficiency.
func (e *env) skillRefs(path string) map[string]float64 {
	e.t.Helper()
	var l struct {
		Entities []struct {
			ID          string  `json:"id"`
			Proficiency float64 `json:"proficiency"`
		} `json:"entities"`
		Total int `json:"total"`
	}
	e.get(path+"?pageSize=100", 200, &l)
	out := map[string]float64{}
	for _, s := range l.Entities {
		out[s.ID] = s.Proficiency
	}
	if len(out) != l.Total {
		e.t.Fatalf("%s: %d entities, total %d", path, len(out), l.Total)
	}
	return out
}

func TestRoutingSkillWrites(t *testing.T) {
	t.Parallel()
	e := newWriteEnv(t, Config{Users: 2000, Seed: 25})
	skills := e.s.Skills()
	if len(skills) < maxBulkSkills+1 {
		t.Fatalf("only %d skills", len(skills))
	}
	u := e.pickUser(func(v UserView) bool { return isActive(v) && len(v.Skills) > 0 })
	base := "/api/v2/users/" + u.ID + "/routingskills"
	before := e.skillRefs(base)

	entries := func(n int, prof float64) []map[string]any {
		var out []map[string]any
		for _, s := range skills[:n] {
			out = append(out, map[string]any{"id": s.ID, "proficiency": prof})
		}
		return out
	}
	for _, body := range [][]map[string]any{
		entries(maxBulkSkills+1, 3),
		{},
		{{"id": skills[0].ID, "proficiency": 5.5}},
		{{"id": skills[0].ID, "proficiency": -0.5}},
		{{"id": skills[0].ID}},
		{{"id": "no-such-skill", "proficiency": 1}},
		{{"id": skills[0].ID, "proficiency": 1}, {"id": skills[0].ID, "proficiency": 2}},
		append(entries(3, 2), map[string]any{"id": "no-such-skill", "proficiency": 1}),
	} {
		e.wantError("PATCH", base+"/bulk", body, 400, "bad.request")
	}
	e.wantError("PUT", base+"/bulk", entries(maxBulkSkills+1, 1), 400, "bad.request")
	e.wantError("PUT", base+"/bulk", nil, 400, "bad.request") // no body: never "clear all"
	r := e.do("PUT", base+"/bulk", rawJSON("null"))
	if r.status != 400 {
		t.Fatalf("PUT null = %d, want 400", r.status)
	}
	if after := e.skillRefs(base); !mapsEqual(after, before) {
		t.Fatal("a rejected skills write changed the skills")
	}

	// PATCH adds and updates (0 and 5 are valid), keeps the rest.
	body := []map[string]any{{"id": skills[0].ID, "proficiency": 0}, {"id": skills[1].ID, "proficiency": 5}, {"id": skills[2].ID, "proficiency": 2.5}}
	var answer listing[userRoutingSkill]
	e.want("PATCH", base+"/bulk", body, 200).decode(t, &answer)
	want := cloneProf(before)
	want[skills[0].ID], want[skills[1].ID], want[skills[2].ID] = 0, 5, 2.5
	if got := e.skillRefs(base); !mapsEqual(got, want) || answer.Total != len(want) {
		t.Fatalf("after PATCH: %v (answer total %d), want %v", got, answer.Total, want)
	}
	// The expand agrees with the per-user listing.
	var w wireUser
	e.get("/api/v2/users/"+u.ID+"?expand=skills", 200, &w)
	if len(w.Skills) != len(want) {
		t.Fatalf("expand lists %d skills, want %d", len(w.Skills), len(want))
	}

	// PUT replaces the whole set; 50 is allowed.
	e.want("PUT", base+"/bulk", entries(maxBulkSkills, 4), 200)
	if got := e.skillRefs(base); len(got) != maxBulkSkills || got[skills[0].ID] != 4 {
		t.Fatalf("after PUT 50: %d skills", len(got))
	}
	e.want("PUT", base+"/bulk", entries(2, 1), 200)
	if got := e.skillRefs(base); !mapsEqual(got, map[string]float64{skills[0].ID: 1, skills[1].ID: 1}) {
		t.Fatalf("after PUT 2: %v", got)
	}

	// DELETE one; again is still 204; an unknown skill is 404.
	e.want("DELETE", base+"/"+skills[0].ID, nil, 204)
	e.want("DELETE", base+"/"+skills[0].ID, nil, 204)
	e.want("DELETE", base+"/no-such-skill", nil, 404)
	e.want("DELETE", "/api/v2/users/no-such-user/routingskills/"+skills[1].ID, nil, 404)
	if got := e.skillRefs(base); !mapsEqual(got, map[string]float64{skills[1].ID: 1}) {
		t.Fatalf("after DELETE: %v", got)
	}
	// POST adds one.
	var one userRoutingSkill
	e.want("POST", base, map[string]any{"id": skills[7].ID, "proficiency": 3}, 200).decode(t, &one)
	if one.ID != skills[7].ID || one.Proficiency != 3 || one.Name != skills[7].Name {
		t.Fatalf("POST answered %+v", one)
	}
	e.want("POST", base, map[string]any{"id": skills[7].ID, "proficiency": 9}, 400)
	if v := e.view(u.ID); v.Version != u.Version {
		t.Fatalf("skill writes bumped the user version %d → %d", u.Version, v.Version)
	}
	e.checkOrg()
}

func TestRoutingLanguageWrites(t *testing.T) {
	t.Parallel()
	e := newWriteEnv(t, Config{Users: 200, Seed: 26})
	langs := e.s.Languages()
	u := e.pickUser(isActive)
	base := "/api/v2/users/" + u.ID + "/routinglanguages"
	var over []map[string]any
	for k := range maxBulkLanguages + 1 {
		over = append(over, map[string]any{"id": fmt.Sprintf("lang-%d", k), "proficiency": 1})
	}
	e.wantError("PATCH", base+"/bulk", over, 400, "bad.request")
	e.wantError("PATCH", base+"/bulk", []map[string]any{{"id": langs[0].ID, "proficiency": 6}}, 400, "bad.request")
	e.wantError("PATCH", base+"/bulk", []map[string]any{{"id": "no-such-language", "proficiency": 1}}, 400, "bad.request")

	want := cloneProf(e.skillRefs(base))
	body := []map[string]any{{"id": langs[0].ID, "proficiency": 4.5}, {"id": langs[1].ID, "proficiency": 1}}
	e.want("PATCH", base+"/bulk", body, 200)
	want[langs[0].ID], want[langs[1].ID] = 4.5, 1
	if got := e.skillRefs(base); !mapsEqual(got, want) {
		t.Fatalf("after PATCH: %v, want %v", got, want)
	}
	e.want("DELETE", base+"/"+langs[0].ID, nil, 204)
	delete(want, langs[0].ID)
	e.want("DELETE", base+"/no-such-language", nil, 404)
	e.want("POST", base, map[string]any{"id": langs[2].ID, "proficiency": 2}, 200)
	want[langs[2].ID] = 2
	if got := e.skillRefs(base); !mapsEqual(got, want) {
		t.Fatalf("after DELETE and POST: %v, want %v", got, want)
	}
	e.checkOrg()
}

func cloneProf(m map[string]float64) map[string]float64 {
	out := make(map[string]float64, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

func mapsEqual(a, b map[string]float64) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if w, ok := b[k]; !ok || w != v {
			return false
		}
	}
	return true
}

func TestPatchUserQueues(t *testing.T) {
	t.Parallel()
	e := newWriteEnv(t, Config{Users: 300, Seed: 27})
	u := e.pickUser(func(v UserView) bool { return isActive(v) && len(v.Queues) >= 3 })
	var notMember string
	for _, q := range e.s.Queues() {
		if !slices.ContainsFunc(u.Queues, func(m MembershipView) bool { return m.QueueID == q.ID }) {
			notMember = q.ID
			break
		}
	}
	q0, q1 := u.Queues[0], u.Queues[1]
	path := "/api/v2/users/" + u.ID + "/queues"
	e.wantError("PATCH", path, []map[string]any{{"id": q0.QueueID, "joined": !q0.Joined}, {"id": "no-such-queue", "joined": true}}, 400, "bad.request")
	e.wantError("PATCH", path, []map[string]any{{"id": q0.QueueID}}, 400, "bad.request")
	if e.view(u.ID).Queues[0].Joined != q0.Joined {
		t.Fatal("a rejected PATCH changed a joined flag")
	}

	var got listing[userQueue]
	e.want("PATCH", path, []map[string]any{
		{"id": q0.QueueID, "joined": !q0.Joined}, {"id": q1.QueueID, "joined": q1.Joined}, {"id": notMember, "joined": true},
	}, 200).decode(t, &got)
	if len(got.Entities) != 2 {
		t.Fatalf("answer lists %d queues, want the 2 memberships", len(got.Entities))
	}
	v := e.view(u.ID)
	if v.Queues[0].Joined == q0.Joined || v.Queues[1].Joined != q1.Joined || len(v.Queues) != len(u.Queues) {
		t.Fatalf("after PATCH: %+v", v.Queues)
	}
	// Visible from both sides.
	var joined, unjoined listing[userQueue]
	e.get(path+"?pageSize=100", 200, &joined)
	e.get(path+"?pageSize=100&joined=false", 200, &unjoined)
	if len(joined.Entities)+len(unjoined.Entities) != len(u.Queues) {
		t.Fatalf("user queue listings hold %d+%d, want %d", len(joined.Entities), len(unjoined.Entities), len(u.Queues))
	}
	if j, ok := e.members(q0.QueueID)[u.ID]; !ok || j == q0.Joined {
		t.Fatalf("queue side does not show the new joined flag")
	}
	e.checkOrg()
}

func TestQueueMembersPost(t *testing.T) {
	t.Parallel()
	e := newWriteEnv(t, Config{Users: 400, Seed: 28})
	q := e.s.Queues()[0]
	path := "/api/v2/routing/queues/" + q.ID + "/members"
	isMember := func(v UserView) bool { return slices.Contains(q.MemberIDs, v.ID) }
	adds := e.pickUsers(maxQueueMembersPost+1, func(v UserView) bool { return v.State != StateDeleted && !isMember(v) })
	deleted := e.pickUser(func(v UserView) bool { return v.State == StateDeleted })
	ids := func(us []UserView) []map[string]any {
		var out []map[string]any
		for _, u := range us {
			out = append(out, map[string]any{"id": u.ID})
		}
		return out
	}
	e.wantError("POST", path, ids(adds), 400, "bad.request")
	e.wantError("POST", path, []map[string]any{}, 400, "bad.request")
	e.wantError("POST", path, append(ids(adds[:3]), map[string]any{"id": "no-such-user"}), 400, "bad.request")
	e.wantError("POST", path, append(ids(adds[:3]), map[string]any{"id": deleted.ID}), 400, "bad.request")
	e.wantError("POST", path+"?delete=maybe", ids(adds[:1]), 400, "bad.request")
	e.wantError("POST", "/api/v2/routing/queues/no-such-queue/members", ids(adds[:1]), 404, "not.found")
	if n := len(e.queueView(q.ID).MemberIDs); n != len(q.MemberIDs) {
		t.Fatalf("rejected adds changed the members: %d → %d", len(q.MemberIDs), n)
	}

	// 100 at once is allowed; with no delay they show before the answer,
	// unjoined by default.
	e.want("POST", path, ids(adds[:maxQueueMembersPost]), 202)
	members := e.members(q.ID)
	for _, u := range adds[:maxQueueMembersPost] {
		joined, ok := members[u.ID]
		if !ok || joined {
			t.Fatalf("user %s: member %v joined %v, want an unjoined member", u.ID, ok, joined)
		}
	}
	// Re-adding an existing (joined) member keeps its flag.
	var existing string
	for id, j := range members {
		if j {
			existing = id
		}
	}
	if existing != "" {
		e.want("POST", path, []map[string]any{{"id": existing}}, 202)
		if !e.members(q.ID)[existing] {
			t.Fatal("re-adding a joined member unjoined it")
		}
	}
	// delete=true removes at once.
	e.want("POST", path+"?delete=true", ids(adds[:10]), 202)
	members = e.members(q.ID)
	for _, u := range adds[:10] {
		if _, ok := members[u.ID]; ok {
			t.Fatalf("user %s still a member after delete=true", u.ID)
		}
	}
	if len(members) != len(q.MemberIDs)+maxQueueMembersPost-10 {
		t.Fatalf("queue has %d members, want %d", len(members), len(q.MemberIDs)+maxQueueMembersPost-10)
	}
	var ql listing[queueJSON]
	e.get("/api/v2/routing/queues?id="+q.ID, 200, &ql)
	if ql.Entities[0].MemberCount != len(members) {
		t.Fatalf("memberCount %d, want %d", ql.Entities[0].MemberCount, len(members))
	}
	e.checkOrg()
}

func (e *env) queueView(id string) QueueView {
	e.t.Helper()
	for _, q := range e.s.Queues() {
		if q.ID == id {
			return q
		}
	}
	e.t.Fatalf("queue %s not found", id)
	return QueueView{}
}

// members pages through a queue's members: user id → joined.
func (e *env) members(queueID string) map[string]bool {
	e.t.Helper()
	out := map[string]bool{}
	for n := 1; ; n++ {
		var l queueMemberListing
		e.get(fmt.Sprintf("/api/v2/routing/queues/%s/members?pageSize=100&pageNumber=%d", queueID, n), 200, &l)
		for _, m := range l.Entities {
			out[m.ID] = m.Joined
		}
		if l.NextURI == "" {
			return out
		}
	}
}

func TestQueueMembersAddIsAsync(t *testing.T) {
	t.Parallel()
	const delay = 150 * time.Millisecond
	e := newWriteEnv(t, Config{Users: 300, Seed: 29, QueueMemberDelay: delay, JoinNewQueueMembers: true})
	q := e.s.Queues()[1]
	adds := e.pickUsers(3, func(v UserView) bool { return isActive(v) && !slices.Contains(q.MemberIDs, v.ID) })
	body := []map[string]any{{"id": adds[0].ID}, {"id": adds[1].ID}, {"id": adds[2].ID}}

	start := time.Now()
	e.want("POST", "/api/v2/routing/queues/"+q.ID+"/members", body, 202)
	if m := e.members(q.ID); len(m) != len(q.MemberIDs) && time.Since(start) < delay {
		t.Fatalf("the add showed before the delay: %d members, had %d", len(m), len(q.MemberIDs))
	}
	// A user deleted while the add is pending is skipped.
	e.want("DELETE", "/api/v2/users/"+adds[2].ID, nil, 200)
	deadline := time.Now().Add(5 * time.Second)
	for {
		m := e.members(q.ID)
		if len(m) == len(q.MemberIDs)+2 {
			if !m[adds[0].ID] || !m[adds[1].ID] {
				t.Fatal("with JoinNewQueueMembers the new members are not joined")
			}
			if _, ok := m[adds[2].ID]; ok {
				t.Fatal("a user deleted while pending was added")
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the add never showed: %d members", len(m))
		}
		time.Sleep(20 * time.Millisecond)
	}
	e.checkOrg()
}

func TestSubjectGrantWrites(t *testing.T) {
	t.Parallel()
	e := newWriteEnv(t, Config{Users: 200, Seed: 30})
	roles, divs := e.s.Roles(), e.s.Divisions()
	u := e.pickUser(isActive)
	base := "/api/v2/authorization/subjects/" + u.ID
	grants := func() []string {
		var s authzSubject
		e.get(base, 200, &s)
		var out []string
		for _, g := range s.Grants {
			out = append(out, g.Role.ID+"@"+g.Division.ID)
		}
		slices.Sort(out)
		return out
	}
	pair := func(r, d int) map[string]string {
		return map[string]string{"roleId": roles[r].ID, "divisionId": divs[d].ID}
	}
	body := func(ps ...map[string]string) map[string]any {
		return map[string]any{"grants": append([]map[string]string{}, ps...)}
	}
	before := grants()

	for _, b := range []any{
		body(pair(3, 1), map[string]string{"roleId": "no-such-role", "divisionId": divs[0].ID}),
		body(pair(3, 1), map[string]string{"roleId": roles[3].ID, "divisionId": "no-such-division"}),
		body(map[string]string{"roleId": roles[3].ID}),
		map[string]any{},
	} {
		e.wantError("POST", base+"/bulkadd", b, 400, "bad.request")
	}
	e.wantError("POST", base+"/bulkadd?subjectType=PC_GROUP", body(pair(3, 1)), 400, "bad.request")
	var many []map[string]string
	for k := range maxSubjectGrants + 1 {
		many = append(many, pair(k%len(roles), k%len(divs)))
	}
	e.wantError("POST", base+"/bulkreplace", body(many...), 400, "bad.request")
	e.wantError("POST", "/api/v2/authorization/subjects/no-such-user/bulkadd", body(pair(3, 1)), 404, "not.found")
	if !slices.Equal(grants(), before) {
		t.Fatal("a rejected grant write changed the grants")
	}

	e.want("POST", base+"/bulkadd", body(pair(3, 1), pair(4, 2), pair(3, 1)), 204)
	after := grants()
	for _, g := range []string{roles[3].ID + "@" + divs[1].ID, roles[4].ID + "@" + divs[2].ID} {
		if !slices.Contains(after, g) {
			t.Fatalf("grant %s missing after bulkadd: %v", g, after)
		}
	}
	if len(after) != len(uniq(append(slices.Clone(before), roles[3].ID+"@"+divs[1].ID, roles[4].ID+"@"+divs[2].ID))) {
		t.Fatalf("bulkadd gave %v from %v", after, before)
	}
	e.want("POST", base+"/bulkremove", body(pair(3, 1), pair(5, 3)), 204)
	if g := grants(); slices.Contains(g, roles[3].ID+"@"+divs[1].ID) || !slices.Contains(g, roles[4].ID+"@"+divs[2].ID) {
		t.Fatalf("after bulkremove: %v", g)
	}
	e.want("POST", base+"/bulkreplace", body(pair(1, 0), pair(2, 1)), 204)
	if g, want := grants(), []string{roles[1].ID + "@" + divs[0].ID, roles[2].ID + "@" + divs[1].ID}; !slices.Equal(g, sorted(want)) {
		t.Fatalf("after bulkreplace: %v, want %v", g, want)
	}
	// The roles listing and expand follow.
	var w wireUser
	e.get("/api/v2/users/"+u.ID+"?expand=authorization", 200, &w)
	if len(w.Authorization.Roles) != 2 {
		t.Fatalf("expand=authorization lists %d roles, want 2", len(w.Authorization.Roles))
	}
	e.want("POST", base+"/bulkreplace", body(), 204)
	if g := grants(); len(g) != 0 {
		t.Fatalf("bulkreplace with no grants left %v", g)
	}
	e.checkOrg()
}

func uniq(xs []string) []string { slices.Sort(xs); return slices.Compact(xs) }

func sorted(xs []string) []string { slices.Sort(xs); return xs }

func TestRoleSubjectGrantsPaging(t *testing.T) {
	t.Parallel()
	e := newWriteEnv(t, Config{Users: 500, Seed: 31})
	roles := e.s.Roles()
	// Truth from the per-user grants.
	want := map[string]map[string][]string{} // role → user → division ids
	for _, u := range e.s.Users() {
		if u.State == StateDeleted {
			continue
		}
		for _, g := range u.Grants {
			if want[g.RoleID] == nil {
				want[g.RoleID] = map[string][]string{}
			}
			want[g.RoleID][u.ID] = append(want[g.RoleID][u.ID], g.DivisionID)
		}
	}
	for _, ro := range roles[:4] {
		got := map[string][]string{}
		var prevName string
		path := "/api/v2/authorization/roles/" + ro.ID + "/subjectgrants?pageSize=7"
		pages := 0
		for path != "" {
			var l listing[subjectDivisionGrants]
			e.get(path, 200, &l)
			pages++
			for _, s := range l.Entities {
				if s.Type != "PC_USER" || s.Name < prevName {
					t.Fatalf("entity %+v (type, order after %q)", s, prevName)
				}
				prevName = s.Name
				if _, dup := got[s.ID]; dup {
					t.Fatalf("user %s listed twice", s.ID)
				}
				for _, d := range s.Divisions {
					got[s.ID] = append(got[s.ID], d.ID)
				}
			}
			if l.Total != len(want[ro.ID]) {
				t.Fatalf("role %s: total %d, want %d", ro.Name, l.Total, len(want[ro.ID]))
			}
			path = l.NextURI
		}
		if len(got) != len(want[ro.ID]) || pages != max(1, (len(want[ro.ID])+6)/7) {
			t.Fatalf("role %s: %d subjects in %d pages, want %d", ro.Name, len(got), pages, len(want[ro.ID]))
		}
		for id, ds := range want[ro.ID] {
			if !slices.Equal(got[id], ds) {
				t.Fatalf("role %s user %s: divisions %v, want %v", ro.Name, id, got[id], ds)
			}
		}
	}
	// A grant made through the API shows on the role side.
	u := e.pickUser(func(v UserView) bool {
		return isActive(v) && !slices.ContainsFunc(v.Grants, func(g GrantView) bool { return g.RoleID == roles[5].ID })
	})
	e.want("POST", "/api/v2/authorization/subjects/"+u.ID+"/bulkadd",
		map[string]any{"grants": []map[string]string{{"roleId": roles[5].ID, "divisionId": e.s.Divisions()[1].ID}}}, 204)
	var l listing[subjectDivisionGrants]
	e.get("/api/v2/authorization/roles/"+roles[5].ID+"/subjectgrants?pageSize=500", 200, &l)
	if !slices.ContainsFunc(l.Entities, func(s subjectDivisionGrants) bool { return s.ID == u.ID }) {
		t.Fatal("new grant not on the role side")
	}
	e.wantError("GET", "/api/v2/authorization/roles/no-such-role/subjectgrants", nil, 404, "not.found")
	e.wantError("GET", "/api/v2/authorization/roles/"+roles[0].ID+"/subjectgrants?pageSize=501", nil, 400, "bad.request")
}

func TestExternalIDWrites(t *testing.T) {
	t.Parallel()
	e := newWriteEnv(t, Config{Users: 200, Seed: 32})
	users := e.pickUsers(2, isActive)
	u, other := users[0], users[1]
	path := "/api/v2/users/" + u.ID + "/externalid"

	var ids []externalIdentifier
	e.want("POST", path, map[string]string{"authorityName": "workday", "externalKey": "W-100"}, 200).decode(t, &ids)
	if !slices.ContainsFunc(ids, func(x externalIdentifier) bool { return x.AuthorityName == "workday" && x.ExternalKey == "W-100" }) {
		t.Fatalf("answer %+v lacks the new id", ids)
	}
	var w wireUser
	e.get("/api/v2/users/externalid/workday/W-100", 200, &w)
	if w.ID != u.ID {
		t.Fatalf("lookup found %s, want %s", w.ID, u.ID)
	}
	// Case sensitive: another case is another key.
	e.want("GET", "/api/v2/users/externalid/workday/w-100", nil, 404)
	// The same key on another user conflicts; the same user may post it again.
	e.wantError("POST", "/api/v2/users/"+other.ID+"/externalid", map[string]string{"authorityName": "workday", "externalKey": "W-100"}, 409, "general.conflict")
	e.want("POST", path, map[string]string{"authorityName": "workday", "externalKey": "W-100"}, 200)
	e.wantError("POST", path, map[string]string{"authorityName": "workday"}, 400, "bad.request")
	e.wantError("POST", "/api/v2/users/no-such-user/externalid", map[string]string{"authorityName": "a", "externalKey": "b"}, 404, "not.found")
	// A new key for the same authority replaces the old one.
	e.want("POST", path, map[string]string{"authorityName": "workday", "externalKey": "W-101"}, 200)
	e.want("GET", "/api/v2/users/externalid/workday/W-100", nil, 404)
	e.get("/api/v2/users/externalid/workday/W-101", 200, nil)

	// 100 per user.
	have := len(e.view(u.ID).ExternalIDs)
	for k := have; k < maxExternalIDs; k++ {
		e.want("POST", path, map[string]string{"authorityName": fmt.Sprintf("auth-%d", k), "externalKey": "k"}, 200)
	}
	e.wantError("POST", path, map[string]string{"authorityName": "one-too-many", "externalKey": "k"}, 400, "bad.request")
	e.want("POST", path, map[string]string{"authorityName": "workday", "externalKey": "W-102"}, 200)

	e.want("DELETE", path+"/workday/W-102", nil, 204)
	e.want("GET", "/api/v2/users/externalid/workday/W-102", nil, 404)
	e.want("DELETE", path+"/workday/W-102", nil, 404)
	e.checkOrg()
}

func TestDivisionMove(t *testing.T) {
	t.Parallel()
	e := newWriteEnv(t, Config{Users: 300, Seed: 33})
	divs := e.s.Divisions()
	target := divs[len(divs)-1]
	movers := e.pickUsers(3, func(v UserView) bool { return isActive(v) && v.DivisionID != target.ID })
	path := "/api/v2/authorization/divisions/" + target.ID + "/objects/USER"
	ids := []string{movers[0].ID, movers[1].ID, movers[2].ID}

	var over []string
	for k := range maxDivisionObjects + 1 {
		over = append(over, fmt.Sprintf("id-%d", k))
	}
	deleted := e.pickUser(func(v UserView) bool { return v.State == StateDeleted })
	e.wantError("POST", path, over, 400, "bad.request")
	e.wantError("POST", path, []string{}, 400, "bad.request")
	e.wantError("POST", path, append(slices.Clone(ids), "no-such-user"), 400, "bad.request")
	e.wantError("POST", path, append(slices.Clone(ids), deleted.ID), 400, "bad.request")
	e.wantError("POST", "/api/v2/authorization/divisions/"+target.ID+"/objects/FLOW", ids, 400, "bad.request")
	e.wantError("POST", "/api/v2/authorization/divisions/no-such-division/objects/USER", ids, 404, "not.found")
	if v := e.view(movers[0].ID); v.DivisionID != movers[0].DivisionID {
		t.Fatal("a rejected move moved a user")
	}

	e.want("POST", path, ids, 204)
	var l userListing
	e.get("/api/v2/users?id="+strings.Join(ids, ","), 200, &l)
	if len(l.Entities) != 3 {
		t.Fatalf("id lookup found %d users", len(l.Entities))
	}
	for _, w := range l.Entities {
		m := movers[slices.Index(ids, w.ID)]
		if w.Division.ID != target.ID || w.Version != m.Version+1 {
			t.Fatalf("user %s: division %s version %d, want %s and %d", w.ID, w.Division.ID, w.Version, target.ID, m.Version+1)
		}
	}
	// Users search by division sees them too.
	var sr struct {
		Results []wireUser `json:"results"`
	}
	e.want("POST", "/api/v2/users/search", map[string]any{"pageSize": 100, "query": []map[string]any{
		{"type": "EXACT", "fields": []string{"id"}, "values": ids},
		{"type": "EXACT", "fields": []string{"divisionId"}, "value": target.ID},
	}}, 200).decode(t, &sr)
	if len(sr.Results) != 3 {
		t.Fatalf("search by the new division found %d of the movers", len(sr.Results))
	}
	// Queues move too.
	q := e.s.Queues()[0]
	e.want("POST", "/api/v2/authorization/divisions/"+target.ID+"/objects/QUEUE", []string{q.ID}, 204)
	var ql listing[queueJSON]
	e.get("/api/v2/routing/queues?id="+q.ID, 200, &ql)
	if ql.Entities[0].Division.ID != target.ID {
		t.Fatalf("queue division %s, want %s", ql.Entities[0].Division.ID, target.ID)
	}
	e.checkOrg()
}

// TestConcurrentPatchSameVersion races PATCHes carrying the same version:
// exactly one wins, the others answer 409, and the version moves by one.
func TestConcurrentPatchSameVersion(t *testing.T) {
	t.Parallel()
	e := newWriteEnv(t, Config{Users: 100, Seed: 34})
	u := e.pickUser(isActive)
	const n = 16
	statuses := make([]int, n)
	var wg sync.WaitGroup
	for k := range n {
		wg.Go(func() {
			r := e.do("PATCH", "/api/v2/users/"+u.ID, map[string]any{"version": u.Version, "title": fmt.Sprintf("Title %d", k)})
			statuses[k] = r.status
		})
	}
	wg.Wait()
	won := 0
	for k, st := range statuses {
		switch st {
		case 200:
			won++
			if e.view(u.ID).Title != fmt.Sprintf("Title %d", k) {
				t.Fatalf("winner %d's title is not the user's", k)
			}
		case 409:
		default:
			t.Fatalf("PATCH %d answered %d", k, st)
		}
	}
	if won != 1 || e.view(u.ID).Version != u.Version+1 {
		t.Fatalf("%d PATCHes won, version %d → %d; want exactly 1 and +1", won, u.Version, e.view(u.ID).Version)
	}
	e.checkOrg()
}

// TestWritesCountedAndRateLimited checks that writes go through the
// pipeline: counted by route, and refused by the rate limiter like reads.
func TestWritesCountedAndRateLimited(t *testing.T) {
	t.Parallel()
	e := newWriteEnv(t, Config{Users: 100, Seed: 35, RatePerMinute: 3, Now: newFakeClock().Now})
	u := e.pickUser(isActive)
	for range 3 {
		e.want("POST", "/api/v2/users/"+u.ID+"/externalid", map[string]string{"authorityName": "a", "externalKey": "b"}, 200)
	}
	r := e.want("POST", "/api/v2/users/"+u.ID+"/externalid", map[string]string{"authorityName": "a", "externalKey": "c"}, 429)
	if r.header.Get("Retry-After") == "" {
		t.Fatal("429 without Retry-After")
	}
	if got := e.view(u.ID).ExternalIDs; slices.ContainsFunc(got, func(x ExternalID) bool { return x.ExternalKey == "c" }) {
		t.Fatal("a rate-limited write was applied")
	}
	if n := e.s.Stats().Count("POST /api/v2/users/{userId}/externalid", 200); n != 3 {
		t.Fatalf("stats count %d writes, want 3", n)
	}
	e.want("POST", "/api/v2/users", map[string]any{"name": "N", "email": "n@example.org"}, 429)
	r = e.doToken("", "PATCH", "/api/v2/users/bulk", []map[string]any{})
	if r.status != 401 {
		t.Fatalf("write without a token answered %d", r.status)
	}
}

// TestConcurrentMixedWrites runs every kind of write in parallel with reads
// and checks that each answer is one the rules allow and that the org's
// invariants hold afterwards (run with -race).
func TestConcurrentMixedWrites(t *testing.T) {
	t.Parallel()
	e := newWriteEnv(t, Config{Users: 400, Seed: 36, QueueMemberDelay: 5 * time.Millisecond})
	users := e.pickUsers(40, isActive)
	queues, skills, roles, divs := e.s.Queues(), e.s.Skills(), e.s.Roles(), e.s.Divisions()
	const workers, rounds = 8, 25
	var wg sync.WaitGroup
	errs := make(chan string, workers*rounds)
	for w := range workers {
		wg.Go(func() {
			for k := range rounds {
				u := users[(w*rounds+k)%len(users)]
				path := "/api/v2/users/" + u.ID
				var r response
				allowed := []int{200}
				switch k % 8 {
				case 0:
					var cur wireUser
					if g := e.do("GET", path+"?state=deleted", nil); g.status == 200 {
						g.decode(t, &cur)
						r = e.do("PATCH", path, map[string]any{"version": cur.Version, "state": "active"})
					} else {
						e.do("GET", path, nil).decode(t, &cur)
						r = e.do("PATCH", path, map[string]any{"version": cur.Version, "title": fmt.Sprintf("T%d-%d", w, k)})
					}
					allowed = []int{200, 404, 409}
				case 1:
					r = e.do("POST", "/api/v2/routing/queues/"+queues[k%len(queues)].ID+"/members", []map[string]any{{"id": u.ID}})
					allowed = []int{202, 400}
				case 2:
					r = e.do("PATCH", path+"/routingskills/bulk", []map[string]any{{"id": skills[k%len(skills)].ID, "proficiency": float64(k % 6)}})
					allowed = []int{200, 404}
				case 3:
					r = e.do("POST", "/api/v2/authorization/subjects/"+u.ID+"/bulkadd",
						map[string]any{"grants": []map[string]string{{"roleId": roles[k%len(roles)].ID, "divisionId": divs[w%len(divs)].ID}}})
					allowed = []int{204, 404}
				case 4:
					r = e.do("POST", "/api/v2/users", map[string]any{"name": fmt.Sprintf("New %d %d", w, k), "email": fmt.Sprintf("new.%d.%d@example.org", w, k)})
				case 5:
					r = e.do("DELETE", path, nil)
					allowed = []int{200, 404}
				case 6:
					r = e.do("PATCH", "/api/v2/users/bulk", []map[string]any{{"id": u.ID, "acdAutoAnswer": k%2 == 0}})
					allowed = []int{200, 400}
				case 7:
					r = e.do("GET", "/api/v2/users?pageSize=100&expand=skills,authorization", nil)
				}
				if !slices.Contains(allowed, r.status) {
					errs <- fmt.Sprintf("worker %d round %d: status %d: %s", w, k, r.status, r.body)
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for msg := range errs {
		t.Error(msg)
	}
	time.Sleep(50 * time.Millisecond) // let pending queue adds land
	e.checkOrg()
}

// BenchmarkPatchUser measures PATCH /api/v2/users/{id} over loopback HTTP
// (rate limiting off): decode, version check, apply under the write lock,
// render.
func BenchmarkPatchUser(b *testing.B) {
	s, err := New(Config{Users: 2000, RatePerMinute: -1})
	if err != nil {
		b.Fatal(err)
	}
	ts := httptest.NewServer(s)
	defer ts.Close()
	tok := s.tokens.issue()
	var u UserView
	for _, v := range s.Users() {
		if v.State == StateActive {
			u = v
			break
		}
	}
	version := u.Version
	client := ts.Client()
	for b.Loop() {
		body := fmt.Sprintf(`{"version":%d,"title":"Agent"}`, version)
		req, _ := http.NewRequest("PATCH", ts.URL+"/api/v2/users/"+u.ID, strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+tok)
		req.Header.Set("Content-Type", "application/json")
		resp, err := client.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 {
			b.Fatalf("PATCH = %d", resp.StatusCode)
		}
		version++
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "patches/s")
}

// TestMutateAfterManagerPatches: PATCH can give a user a manager created
// after it, so the churn must not close a cycle when it picks an earlier
// manager.
func TestMutateAfterManagerPatches(t *testing.T) {
	t.Parallel()
	e := newWriteEnv(t, Config{Users: 300, Seed: 37})
	actives := e.pickUsers(e.s.UserCount(StateActive), isActive)
	// Early users report to late ones (the reverse of the generated order).
	for k := range 40 {
		early, late := actives[k], actives[len(actives)-1-k]
		v := e.view(early.ID)
		r := e.do("PATCH", "/api/v2/users/"+early.ID, map[string]any{"version": v.Version, "manager": late.ID})
		if r.status != 200 && r.status != 400 { // 400: it would close a cycle
			t.Fatalf("PATCH manager = %d: %s", r.status, r.body)
		}
	}
	e.checkOrg()
	for seed := range int64(10) {
		if _, err := e.s.Mutate(MutateRequest{Seed: seed + 1, Percent: 60}); err != nil {
			t.Fatal(err)
		}
		e.checkOrg()
	}
}

// TestExternalIDAuthorityWithSlashes: authority names can be URLs (SSO
// issuers); escaped in the path they are one segment.
func TestExternalIDAuthorityWithSlashes(t *testing.T) {
	t.Parallel()
	e := newWriteEnv(t, Config{Users: 100, Seed: 38})
	u := e.pickUser(isActive)
	const authority, key = "https://idp.example.com/fas", "ab/cd 1"
	e.want("POST", "/api/v2/users/"+u.ID+"/externalid", map[string]string{"authorityName": authority, "externalKey": key}, 200)
	escaped := url.PathEscape(authority) + "/" + url.PathEscape(key)
	var w wireUser
	e.get("/api/v2/users/externalid/"+escaped, 200, &w)
	if w.ID != u.ID {
		t.Fatalf("lookup found %q, want %s", w.ID, u.ID)
	}
	e.want("DELETE", "/api/v2/users/"+u.ID+"/externalid/"+escaped, nil, 204)
	e.want("GET", "/api/v2/users/externalid/"+escaped, nil, 404)
	e.checkOrg()
}

// rawJSON is a request body sent as is.
type rawJSON string

func (r rawJSON) MarshalJSON() ([]byte, error) { return []byte(r), nil }

// TestSingleItemWrites covers the one-at-a-time variants of the bulk
// endpoints: PUT one skill, PATCH one language, PATCH one queue's joined
// flag, POST/DELETE one grant.
func TestSingleItemWrites(t *testing.T) {
	t.Parallel()
	e := newWriteEnv(t, Config{Users: 300, Seed: 39})
	u := e.pickUser(func(v UserView) bool { return isActive(v) && len(v.Queues) > 0 })
	skill, lang := e.s.Skills()[3], e.s.Languages()[4]
	base := "/api/v2/users/" + u.ID

	var sk userRoutingSkill
	e.want("PUT", base+"/routingskills/"+skill.ID, map[string]any{"proficiency": 4}, 200).decode(t, &sk)
	if sk.ID != skill.ID || sk.Proficiency != 4 || e.skillRefs(base + "/routingskills")[skill.ID] != 4 {
		t.Fatalf("PUT one skill answered %+v", sk)
	}
	e.want("PUT", base+"/routingskills/"+skill.ID, map[string]any{"proficiency": 7}, 400)
	e.want("PUT", base+"/routingskills/no-such-skill", map[string]any{"proficiency": 1}, 404)
	e.want("PATCH", base+"/routinglanguages/"+lang.ID, map[string]any{"proficiency": 2}, 200)
	if e.skillRefs(base + "/routinglanguages")[lang.ID] != 2 {
		t.Fatal("PATCH one language did not set it")
	}

	q := u.Queues[0]
	var uq userQueue
	e.want("PATCH", base+"/queues/"+q.QueueID, map[string]any{"joined": !q.Joined}, 200).decode(t, &uq)
	if uq.ID != q.QueueID || uq.Joined == q.Joined || e.view(u.ID).Queues[0].Joined == q.Joined {
		t.Fatalf("PATCH one queue answered %+v", uq)
	}
	e.want("PATCH", base+"/queues/"+q.QueueID, map[string]any{}, 400)
	var other string
	for _, qv := range e.s.Queues() {
		if !slices.Contains(qv.MemberIDs, u.ID) {
			other = qv.ID
			break
		}
	}
	e.wantError("PATCH", base+"/queues/"+other, map[string]any{"joined": true}, 404, "not.found")

	role, div := e.s.Roles()[6], e.s.Divisions()[1]
	grantPath := "/api/v2/authorization/subjects/" + u.ID + "/divisions/" + div.ID + "/roles/" + role.ID
	has := func() bool {
		return slices.ContainsFunc(e.view(u.ID).Grants, func(g GrantView) bool { return g.RoleID == role.ID && g.DivisionID == div.ID })
	}
	e.want("POST", grantPath, nil, 204)
	if !has() {
		t.Fatal("POST one grant did not grant")
	}
	e.want("DELETE", grantPath, nil, 204)
	if has() {
		t.Fatal("DELETE one grant did not remove it")
	}
	e.wantError("POST", "/api/v2/authorization/subjects/"+u.ID+"/divisions/"+div.ID+"/roles/no-such-role", nil, 404, "not.found")
	e.wantError("POST", "/api/v2/authorization/subjects/"+u.ID+"/divisions/no-such-division/roles/"+role.ID, nil, 404, "not.found")
	e.checkOrg()
}
