package genesys_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/usersync/syncer/internal/emulator"
	"github.com/usersync/syncer/internal/genesys"
)

// fixedClock is the emulator clock of the people tests.
func fixedClock() time.Time { return time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC) }

var peopleExpands = []string{"presence", "routingStatus", "outOfOffice", "team", "certifications", "groups", "locations", "station"}

// The people expands decode into User and match the emulator's truth.
func TestPeopleExpandsAgainstEmulator(t *testing.T) {
	t.Parallel()
	e := newEmu(t, emulator.Config{Users: 700, Seed: 13, Now: fixedClock})
	c := e.client(t)
	ctx := context.Background()
	now := fixedClock()
	views := map[string]emulator.UserView{}
	for _, v := range e.Users() {
		views[v.ID] = v
	}
	n, periods, teams := 0, 0, 0
	for u, err := range c.Users(ctx, &genesys.ListUsersOptions{State: genesys.StateAny, Expand: peopleExpands}) {
		if err != nil {
			t.Fatal(err)
		}
		n++
		v := views[u.ID]
		if u.Presence == nil || u.Presence.PresenceDefinition == nil || u.Presence.PresenceDefinition.ID != v.PresenceDefinitionID ||
			u.Presence.PresenceDefinition.SystemPresence != v.Presence || u.Presence.Source != "PURECLOUD" {
			t.Fatalf("user %s presence %+v, want %s %s", u.ID, u.Presence, v.Presence, v.PresenceDefinitionID)
		}
		if mod, err := time.Parse(time.RFC3339, u.Presence.ModifiedDate); err != nil || !mod.Equal(v.PresenceModified) {
			t.Fatalf("user %s presence modified %q (%v), want %v", u.ID, u.Presence.ModifiedDate, err, v.PresenceModified)
		}
		if u.RoutingStatus == nil || u.RoutingStatus.UserID != u.ID || u.RoutingStatus.Status != v.RoutingStatus {
			t.Fatalf("user %s routing status %+v, want %s", u.ID, u.RoutingStatus, v.RoutingStatus)
		}
		o := u.OutOfOffice
		if o == nil || o.User == nil || o.User.ID != u.ID || o.HasPeriod() != (v.OutOfOffice != nil) {
			t.Fatalf("user %s outOfOffice %+v, want %+v", u.ID, o, v.OutOfOffice)
		}
		if w := v.OutOfOffice; w != nil {
			if periods == 0 {
				single, err := c.UserOutOfOffice(ctx, u.ID)
				if err != nil && u.State != genesys.StateDeleted || err == nil && (single.ID != o.ID || !single.StartDate.Equal(o.StartDate) || single.Active != o.Active) {
					t.Fatalf("UserOutOfOffice %+v, %v; expand %+v", single, err, o)
				}
			}
			periods++
			if o.ID != w.ID || !o.StartDate.Equal(w.Start) || !o.EndDate.Equal(w.End) || o.Indefinite != w.Indefinite || o.Active != w.Active(now) {
				t.Fatalf("user %s outOfOffice %+v, want %+v", u.ID, o, w)
			}
		} else if o.Active || o.Indefinite {
			t.Fatalf("user %s without a period: %+v", u.ID, o)
		}
		if (u.Team == nil) != (v.TeamID == "") || (u.Team != nil && (u.Team.ID != v.TeamID || u.Team.Division == nil || u.Team.Name == "")) {
			t.Fatalf("user %s team %+v, want %q", u.ID, u.Team, v.TeamID)
		}
		if u.Team != nil {
			teams++
		}
		if !slices.Equal(u.Certifications, v.Certifications) && len(u.Certifications)+len(v.Certifications) > 0 {
			t.Fatalf("user %s certifications %v, want %v", u.ID, u.Certifications, v.Certifications)
		}
		if !strings.Contains(string(u.Raw), `"outOfOffice"`) {
			t.Fatalf("user %s raw JSON lacks outOfOffice", u.ID)
		}
	}
	if n != len(views) || periods == 0 || teams == 0 {
		t.Fatalf("%d users, %d out-of-office periods, %d on teams", n, periods, teams)
	}

	// Certifications are part of the user document: UpdateUser sets them.
	var v emulator.UserView
	for _, w := range e.Users() {
		if w.State == genesys.StateActive {
			v = w
			break
		}
	}
	if _, err := c.UpdateUser(ctx, v.ID, genesys.UpdateUser{Version: v.Version, Certifications: []string{"Scrum Master"}}); err != nil {
		t.Fatal(err)
	}
	u, err := c.GetUser(ctx, v.ID, &genesys.GetUserOptions{Expand: []string{"certifications"}})
	if err != nil || !slices.Equal(u.Certifications, []string{"Scrum Master"}) || u.Version != v.Version+1 {
		t.Fatalf("after UpdateUser: %v (version %d), %v", u.Certifications, u.Version, err)
	}
}

// Groups, locations and stations listings hold everything the users'
// expands name; groups carry the listing's fields.
func TestGroupsLocationsStationsAgainstEmulator(t *testing.T) {
	t.Parallel()
	e := newEmu(t, emulator.Config{Users: 2500, Seed: 14})
	c := e.client(t)
	ctx := context.Background()
	groups := map[string]genesys.Group{}
	for g, err := range c.Groups(ctx, &genesys.ListOptions{PageSize: 20}) {
		if err != nil {
			t.Fatal(err)
		}
		if g.DateModified == "" || g.Version < 1 || g.State != "active" || g.Type == "" || g.Visibility == "" {
			t.Fatalf("group %+v", g)
		}
		groups[g.ID] = g
	}
	if len(groups) != len(e.Groups()) || len(groups) <= 2*20 {
		t.Fatalf("%d groups read, the org has %d", len(groups), len(e.Groups()))
	}
	l, err := c.ListGroups(ctx, &genesys.ListOptions{PageSize: 10, PageNumber: 2})
	if err != nil || len(l.Entities) != 10 || l.PageNumber != 2 || l.Total != len(groups) {
		t.Fatalf("ListGroups page 2: %+v, %v", l, err)
	}
	locations := map[string]bool{}
	for loc, err := range c.Locations(ctx, nil) {
		if err != nil {
			t.Fatal(err)
		}
		if loc.Address == nil || loc.Address.City == "" {
			t.Fatalf("location %+v has no address", loc)
		}
		locations[loc.ID] = true
	}
	stations := map[string]bool{}
	for st, err := range c.Stations(ctx, nil) {
		if err != nil {
			t.Fatal(err)
		}
		if st.LineAppearanceID == "" {
			t.Fatalf("station %+v has no line appearance", st)
		}
		stations[st.ID] = true
	}
	members := map[string]int{}
	for u, err := range c.Users(ctx, &genesys.ListUsersOptions{State: genesys.StateAny, Expand: []string{"groups", "locations", "station"}}) {
		if err != nil {
			t.Fatal(err)
		}
		for _, g := range u.Groups {
			lg, ok := groups[g.ID]
			if !ok || lg.Name != g.Name || lg.Type != g.Type || lg.Visibility != g.Visibility || lg.RulesVisible != g.RulesVisible {
				t.Fatalf("user %s group %+v, listing %+v", u.ID, g, lg)
			}
			if u.State != genesys.StateDeleted {
				members[g.ID]++
			}
		}
		for _, loc := range u.Locations {
			if loc.LocationDefinition == nil || !locations[loc.LocationDefinition.ID] {
				t.Fatalf("user %s location %+v not listed", u.ID, loc)
			}
		}
		if st := u.Station; st != nil {
			for _, s := range []*genesys.UserStation{st.AssociatedStation, st.EffectiveStation, st.DefaultStation} {
				if s != nil && !stations[s.ID] {
					t.Fatalf("user %s station %s not listed", u.ID, s.ID)
				}
			}
		}
	}
	for id, g := range groups {
		if g.MemberCount != members[id] {
			t.Errorf("group %s memberCount %d, users not deleted naming it %d", id, g.MemberCount, members[id])
		}
	}
}

// DevelopmentActivities pages every activity a batch of users relates to,
// with its fields; the client refuses options over the limits without a
// call.
func TestDevelopmentActivitiesAgainstEmulator(t *testing.T) {
	t.Parallel()
	e := newEmu(t, emulator.Config{Users: 900, Seed: 15, Now: fixedClock})
	c := e.client(t)
	ctx := context.Background()
	now := fixedClock()
	truth := map[string]emulator.ActivityView{}
	for _, a := range e.DevelopmentActivities() {
		truth[a.ID] = a
	}
	views := e.Users()
	// Batches of agents far from the top of the manager tree: their
	// activities are mostly their own.
	var batch []string
	for _, v := range views[600:] {
		if len(batch) < genesys.MaxDevelopmentActivityUsers {
			batch = append(batch, v.ID)
		}
	}
	var want []string
	for id, a := range truth {
		if slices.Contains(batch, a.AttendeeID) || slices.Contains(batch, a.FacilitatorID) || slices.Contains(batch, a.CreatorID) {
			want = append(want, id)
		}
	}
	var got []string
	var last time.Time
	for a, err := range c.DevelopmentActivities(ctx, genesys.DevelopmentActivitiesOptions{UserIDs: batch, PageSize: 7, SortOrder: "Asc"}) {
		if err != nil {
			t.Fatal(err)
		}
		w := truth[a.ID]
		if a.Name != w.Name || a.Type != w.Type || a.Status != w.Status || !a.DateDue.Equal(w.DateDue) || !a.DateCreated.Equal(w.DateCreated) ||
			!a.DateCompleted.Equal(w.DateCompleted) || len(a.Attendees) != 1 || a.Attendees[0].ID != w.AttendeeID ||
			a.IsOverdue != w.Overdue(now) || (a.PercentageScore == nil) != (w.PercentageScore == nil) {
			t.Fatalf("activity %+v, want %+v", a, w)
		}
		if a.DateDue.Before(last) {
			t.Fatalf("ascending order broken at %s", a.ID)
		}
		last = a.DateDue
		got = append(got, a.ID)
	}
	slices.Sort(got)
	slices.Sort(want)
	if !slices.Equal(got, want) || len(want) <= 7 {
		t.Fatalf("%d activities read, want %d", len(got), len(want))
	}

	// Filters reach the API.
	overdue := true
	from := now.AddDate(0, -6, 0)
	for a, err := range c.DevelopmentActivities(ctx, genesys.DevelopmentActivitiesOptions{UserIDs: batch, Overdue: &overdue,
		DueFrom: from, DueTo: now, Types: []string{genesys.ActivityCoaching, genesys.ActivityAssessment}}) {
		if err != nil {
			t.Fatal(err)
		}
		if !a.IsOverdue || a.DateDue.Before(from) || !a.DateDue.Before(now) || (a.Type != genesys.ActivityCoaching && a.Type != genesys.ActivityAssessment) {
			t.Fatalf("filtered activity %+v", a)
		}
	}
	mod := e.LearningModules()[0]
	n := 0
	for a, err := range c.DevelopmentActivities(ctx, genesys.DevelopmentActivitiesOptions{ModuleID: mod.ID}) {
		if err != nil {
			t.Fatal(err)
		}
		if a.Name != mod.Name {
			t.Fatalf("module %s listed %+v", mod.Name, a)
		}
		n++
	}
	if n == 0 {
		t.Error("no activity of the module")
	}

	// Over the limits: refused, no call.
	before := c.Stats().Calls["GET /api/v2/users/development/activities"][200]
	many := make([]string, genesys.MaxDevelopmentActivityUsers+1)
	for k := range many {
		many[k] = fmt.Sprint("u", k)
	}
	for name, o := range map[string]genesys.DevelopmentActivitiesOptions{
		"101 ids":   {UserIDs: many},
		"366 days":  {UserIDs: batch[:1], DueFrom: now.AddDate(0, 0, -366), DueTo: now},
		"two years": {ModuleID: mod.ID, CompletedFrom: now.AddDate(-2, 0, 0), CompletedTo: now},
	} {
		_, err := c.ListDevelopmentActivities(ctx, o, 1)
		if !errors.Is(err, genesys.ErrOverLimit) || !strings.Contains(err.Error(), "MaxDevelopmentActivity") {
			t.Errorf("%s: %v, want ErrOverLimit naming the limit", name, err)
		}
		for _, err := range c.DevelopmentActivities(ctx, o) {
			if !errors.Is(err, genesys.ErrOverLimit) {
				t.Errorf("%s through the iterator: %v", name, err)
			}
		}
	}
	for name, o := range map[string]genesys.DevelopmentActivitiesOptions{
		"no ids":      {},
		"half window": {UserIDs: batch[:1], DueFrom: now},
		"backwards":   {UserIDs: batch[:1], DueFrom: now, DueTo: now.Add(-time.Hour)},
	} {
		if _, err := c.ListDevelopmentActivities(ctx, o, 1); err == nil || errors.Is(err, genesys.ErrOverLimit) {
			t.Errorf("%s: %v, want a plain error", name, err)
		}
	}
	// Exactly 365 days is accepted.
	if _, err := c.ListDevelopmentActivities(ctx, genesys.DevelopmentActivitiesOptions{UserIDs: batch[:1], DueFrom: now.AddDate(0, 0, -365), DueTo: now}, 1); err != nil {
		t.Errorf("365 days: %v", err)
	}
	st := c.Stats().Calls["GET /api/v2/users/development/activities"]
	if st[200] != before+1 || st[400] != 0 {
		t.Errorf("calls after the refused options: %v (200s before %d)", st, before)
	}
}

// Without either permission the listing is a 403 naming both; the
// utilization read without its permissions likewise.
func TestPeopleForbidden(t *testing.T) {
	t.Parallel()
	e := newEmu(t, emulator.Config{Users: 50, DeniedPermissions: []string{
		"learning:assignment:view", "coaching:appointment:view", "routing:utilization:manage", "routing:utilization:view"}})
	c := e.client(t)
	ctx := context.Background()
	id := e.Users()[0].ID
	_, err := c.ListDevelopmentActivities(ctx, genesys.DevelopmentActivitiesOptions{UserIDs: []string{id}}, 1)
	var apiErr *genesys.APIError
	if !errors.As(err, &apiErr) || apiErr.Status != 403 || !errors.Is(err, genesys.ErrForbidden) {
		t.Fatalf("activities without permissions: %v", err)
	}
	if perms, anyOf := apiErr.MissingPermissions(); !slices.Equal(perms, []string{"learning:assignment:view", "coaching:appointment:view"}) || !anyOf {
		t.Errorf("MissingPermissions = %v, %v", perms, anyOf)
	}
	_, err = c.UserUtilization(ctx, id)
	if !errors.As(err, &apiErr) || apiErr.Status != 403 {
		t.Fatalf("utilization without permissions: %v", err)
	}
	if perms, _ := apiErr.MissingPermissions(); !slices.Equal(perms, []string{"routing:utilization:manage", "routing:utilization:view"}) {
		t.Errorf("utilization MissingPermissions = %v", perms)
	}
	// The listings need none.
	if _, err := c.ListGroups(ctx, nil); err != nil {
		t.Errorf("groups: %v", err)
	}
}
