package genesys_test

import (
	"context"
	"errors"
	"slices"
	"testing"

	"github.com/usersync/syncer/internal/emulator"
	"github.com/usersync/syncer/internal/genesys"
	"github.com/usersync/syncer/internal/ratelimit"
)

// activeUser returns an active user of the org with skills, languages and
// queue memberships.
func activeUser(t *testing.T, e *emu, skip ...string) emulator.UserView {
	t.Helper()
	for _, u := range e.Users() {
		if u.State == "active" && len(u.Skills) > 1 && len(u.Languages) > 0 && len(u.Queues) > 1 && len(u.Grants) > 0 && !slices.Contains(skip, u.ID) {
			return u
		}
	}
	t.Fatal("no suitable active user")
	return emulator.UserView{}
}

func (e *emu) user(t *testing.T, id string) emulator.UserView {
	t.Helper()
	u, ok := e.User(id)
	if !ok {
		t.Fatalf("user %s is not in the org", id)
	}
	return u
}

func TestUserWritesAgainstEmulator(t *testing.T) {
	t.Parallel()
	e := newEmu(t, emulator.Config{Users: 300, Seed: 2})
	c := e.client(t)
	ctx := genesys.WithPriority(context.Background(), ratelimit.High)
	div := e.Divisions()[0].ID

	// Create, then the same email again: a conflict.
	created, err := c.CreateUser(ctx, genesys.CreateUser{Name: "Ada Lovelace", Email: "ada.lovelace@example.com", DivisionID: div, Title: "Agent"})
	if err != nil || created.ID == "" || created.Version < 1 {
		t.Fatalf("create: %+v, %v", created, err)
	}
	if v := e.user(t, created.ID); v.Email != "ada.lovelace@example.com" || v.DivisionID != div || v.Title != "Agent" {
		t.Fatalf("the org holds %+v", v)
	}
	_, err = c.CreateUser(ctx, genesys.CreateUser{Name: "Ada Again", Email: "ada.lovelace@example.com", DivisionID: div})
	var apiErr *genesys.APIError
	if !errors.Is(err, genesys.ErrConflict) || !errors.As(err, &apiErr) || apiErr.Code != "general.conflict" || errors.Is(err, genesys.ErrOutcomeUnknown) {
		t.Fatalf("duplicate email: %v, want a general.conflict *APIError", err)
	}
	// A bad body is a 400, not retried.
	if _, err := c.CreateUser(ctx, genesys.CreateUser{Name: "No Email", DivisionID: div}); !errors.Is(err, genesys.ErrBadRequest) {
		t.Fatalf("create without email: %v, want ErrBadRequest", err)
	}

	// Update with a stale version: a conflict; with the current one: done.
	title := "Team Lead"
	if _, err := c.UpdateUser(ctx, created.ID, genesys.UpdateUser{Version: created.Version + 5, Title: &title}); !errors.Is(err, genesys.ErrConflict) {
		t.Fatalf("stale version: %v, want ErrConflict", err)
	}
	updated, err := c.UpdateUser(ctx, created.ID, genesys.UpdateUser{Version: created.Version, Title: &title})
	if err != nil || updated.Title != title || updated.Version != created.Version+1 {
		t.Fatalf("update: %+v, %v", updated, err)
	}
	// A state change goes alone.
	inactive := "inactive"
	updated, err = c.UpdateUser(ctx, created.ID, genesys.UpdateUser{Version: updated.Version, State: &inactive})
	if err != nil || e.user(t, created.ID).State != "inactive" {
		t.Fatalf("state change: %+v, %v", updated, err)
	}

	// Delete, then find it only with state=deleted; a deleted user's email
	// still conflicts.
	if err := c.DeleteUser(ctx, created.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := c.GetUser(ctx, created.ID, nil); !errors.Is(err, genesys.ErrNotFound) {
		t.Fatalf("deleted user without state=deleted: %v, want ErrNotFound", err)
	}
	if u, err := c.GetUser(ctx, created.ID, &genesys.GetUserOptions{State: "deleted"}); err != nil || u.State != "deleted" {
		t.Fatalf("deleted user: %+v, %v", u, err)
	}
	if _, err := c.CreateUser(ctx, genesys.CreateUser{Name: "Ada", Email: "ada.lovelace@example.com", DivisionID: div}); !errors.Is(err, genesys.ErrConflict) {
		t.Fatalf("email of a deleted user: %v, want ErrConflict", err)
	}

	// acdAutoAnswer in bulk; over 50 is refused.
	u1, u2 := e.Users()[0], e.Users()[1]
	on := !u1.AcdAutoAnswer
	off := !u2.AcdAutoAnswer
	if _, err := c.PatchUsersBulk(ctx, []genesys.PatchUser{{ID: u1.ID, AcdAutoAnswer: &on}, {ID: u2.ID, AcdAutoAnswer: &off}}); err != nil {
		t.Fatal(err)
	}
	if e.user(t, u1.ID).AcdAutoAnswer != on || e.user(t, u2.ID).AcdAutoAnswer != off {
		t.Fatal("acdAutoAnswer not changed")
	}
	var many []genesys.PatchUser
	for _, u := range e.Users()[:genesys.MaxBulkUsers+1] {
		many = append(many, genesys.PatchUser{ID: u.ID, AcdAutoAnswer: &on})
	}
	if _, err := c.PatchUsersBulk(ctx, many); !errors.Is(err, genesys.ErrBadRequest) {
		t.Fatalf("51 users: %v, want ErrBadRequest", err)
	}

	// External ids.
	u := activeUser(t, e)
	ids, err := c.AddUserExternalID(ctx, u.ID, genesys.UserExternalIdentifier{AuthorityName: "hr-test", ExternalKey: "E-42"})
	if err != nil || !slices.ContainsFunc(ids, func(x genesys.UserExternalIdentifier) bool { return x.ExternalKey == "E-42" }) {
		t.Fatalf("add external id: %+v, %v", ids, err)
	}
	if got, err := c.GetUserByExternalID(ctx, "hr-test", "E-42", nil); err != nil || got.ID != u.ID {
		t.Fatalf("lookup: %s, %v", got.ID, err)
	}
	if err := c.DeleteUserExternalID(ctx, u.ID, "hr-test", "E-42"); err != nil {
		t.Fatal(err)
	}
	if _, err := c.GetUserByExternalID(ctx, "hr-test", "E-42", nil); !errors.Is(err, genesys.ErrNotFound) {
		t.Fatalf("lookup after delete: %v, want ErrNotFound", err)
	}

	// Division move.
	other := e.Divisions()[1].ID
	if u.DivisionID == other {
		other = e.Divisions()[0].ID
	}
	if err := c.MoveToDivision(ctx, other, genesys.ObjectUser, []string{u.ID}); err != nil {
		t.Fatal(err)
	}
	if got := e.user(t, u.ID).DivisionID; got != other {
		t.Fatalf("division %s after the move, want %s", got, other)
	}
}

func TestRoutingAndGrantWritesAgainstEmulator(t *testing.T) {
	t.Parallel()
	e := newEmu(t, emulator.Config{Users: 300, Seed: 6})
	c := e.client(t)
	ctx := context.Background()
	u := activeUser(t, e)
	skills, langs := e.Skills(), e.Languages()

	// Skills: PUT replaces, PATCH adds, DELETE removes.
	if _, err := c.ReplaceUserRoutingSkills(ctx, u.ID, []genesys.UserRoutingSkillPost{{ID: skills[0].ID, Proficiency: 3}}); err != nil {
		t.Fatal(err)
	}
	l, err := c.PatchUserRoutingSkills(ctx, u.ID, []genesys.UserRoutingSkillPost{{ID: skills[1].ID, Proficiency: 4.5}})
	if err != nil || len(l.Entities) != 2 {
		t.Fatalf("patch skills: %+v, %v", l, err)
	}
	if got := e.user(t, u.ID).Skills; len(got) != 2 {
		t.Fatalf("skills %+v, want 2", got)
	}
	if err := c.DeleteUserRoutingSkill(ctx, u.ID, skills[0].ID); err != nil {
		t.Fatal(err)
	}
	if got := e.user(t, u.ID).Skills; len(got) != 1 || got[0].ID != skills[1].ID || got[0].Proficiency != 4.5 {
		t.Fatalf("skills %+v after delete", got)
	}
	var tooMany []genesys.UserRoutingSkillPost
	for i := range genesys.MaxBulkSkills + 1 {
		tooMany = append(tooMany, genesys.UserRoutingSkillPost{ID: skills[i%len(skills)].ID, Proficiency: 1})
	}
	if _, err := c.PatchUserRoutingSkills(ctx, u.ID, tooMany); !errors.Is(err, genesys.ErrBadRequest) {
		t.Fatalf("51 skills: %v, want ErrBadRequest", err)
	}

	// Languages.
	if _, err := c.PatchUserRoutingLanguages(ctx, u.ID, []genesys.UserRoutingLanguagePost{{ID: langs[0].ID, Proficiency: 2}}); err != nil {
		t.Fatal(err)
	}
	if got := e.user(t, u.ID).Languages; !slices.ContainsFunc(got, func(p emulator.ProficiencyView) bool { return p.ID == langs[0].ID && p.Proficiency == 2 }) {
		t.Fatalf("languages %+v", got)
	}
	if err := c.DeleteUserRoutingLanguage(ctx, u.ID, langs[0].ID); err != nil {
		t.Fatal(err)
	}
	if got := e.user(t, u.ID).Languages; slices.ContainsFunc(got, func(p emulator.ProficiencyView) bool { return p.ID == langs[0].ID }) {
		t.Fatalf("language still there: %+v", got)
	}

	// Queue joined flags.
	q := u.Queues[0]
	if _, err := c.PatchUserQueues(ctx, u.ID, []genesys.QueueJoin{{ID: q.QueueID, Joined: !q.Joined}}); err != nil {
		t.Fatal(err)
	}
	if got := e.user(t, u.ID).Queues[0]; got.Joined == q.Joined {
		t.Fatalf("joined flag not flipped: %+v", got)
	}

	// Queue side membership: remove, then add back.
	if err := c.RemoveQueueMembers(ctx, q.QueueID, []string{u.ID}); err != nil {
		t.Fatal(err)
	}
	if slices.ContainsFunc(e.user(t, u.ID).Queues, func(m emulator.MembershipView) bool { return m.QueueID == q.QueueID }) {
		t.Fatal("still a member after the removal")
	}
	if err := c.AddQueueMembers(ctx, q.QueueID, []string{u.ID}); err != nil {
		t.Fatal(err)
	}
	if !slices.ContainsFunc(e.user(t, u.ID).Queues, func(m emulator.MembershipView) bool { return m.QueueID == q.QueueID }) {
		t.Fatal("not a member after the add")
	}

	// Grants.
	roles, divs := e.Roles(), e.Divisions()
	g := genesys.RoleDivisionPair{RoleID: roles[len(roles)-1].ID, DivisionID: divs[len(divs)-1].ID}
	has := func() bool {
		return slices.ContainsFunc(e.user(t, u.ID).Grants, func(x emulator.GrantView) bool { return x.RoleID == g.RoleID && x.DivisionID == g.DivisionID })
	}
	if err := c.GrantRoles(ctx, u.ID, []genesys.RoleDivisionPair{g}); err != nil || !has() {
		t.Fatalf("bulkadd: %v, granted %v", err, has())
	}
	if err := c.RevokeRoles(ctx, u.ID, []genesys.RoleDivisionPair{g}); err != nil || has() {
		t.Fatalf("bulkremove: %v, granted %v", err, has())
	}
	if err := c.ReplaceRoles(ctx, u.ID, []genesys.RoleDivisionPair{g}); err != nil {
		t.Fatal(err)
	}
	if got := e.user(t, u.ID).Grants; len(got) != 1 || !has() {
		t.Fatalf("after bulkreplace: %+v", got)
	}
	n := 0
	for sg, err := range c.RoleSubjectGrants(ctx, g.RoleID, &genesys.ListOptions{PageSize: 5}) {
		if err != nil {
			t.Fatal(err)
		}
		if sg.ID == u.ID {
			n++
		}
	}
	if n != 1 {
		t.Fatalf("the role's subject grants list the user %d times", n)
	}
}

// TestCreateUnderResetsIsNotRepeated: with every connection reset, a create
// returns ErrOutcomeUnknown after one attempt, and looking the user up by
// email (what the caller must do) shows it was not created.
func TestCreateUnderResetsIsNotRepeated(t *testing.T) {
	t.Parallel()
	e := newEmu(t, emulator.Config{Users: 100})
	c := e.client(t)
	ctx := context.Background()
	if _, err := c.ListUsers(ctx, nil); err != nil { // log in first
		t.Fatal(err)
	}
	before := len(e.Users())
	e.setFaults(t, emulator.Faults{ResetRate: 1})
	acct := genesys.NewAccounting()
	_, err := c.CreateUser(genesys.WithAccounting(ctx, acct), genesys.CreateUser{Name: "Grace", Email: "grace@example.com", DivisionID: e.Divisions()[0].ID})
	if !errors.Is(err, genesys.ErrOutcomeUnknown) {
		t.Fatalf("err = %v, want ErrOutcomeUnknown", err)
	}
	if n := acct.Snapshot().Endpoint("POST /api/v2/users"); n != 1 {
		t.Fatalf("the create was attempted %d times", n)
	}
	e.setFaults(t, emulator.Faults{})
	res, err := c.SearchUsers(ctx, genesys.UserSearchRequest{Query: []genesys.UserSearchCriteria{{Type: "EXACT", Fields: []string{"email"}, Value: "grace@example.com"}}})
	if err != nil || res.Total != 0 || len(e.Users()) != before {
		t.Fatalf("lookup after the unknown outcome: %+v, %v", res, err)
	}
}
