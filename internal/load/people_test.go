package load_test

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/usersync/syncer/internal/load"
)

// The people data of migration 00010: each table loaded, reloaded
// unchanged (no write, no history version), changed, and, for lists,
// emptied.

// xmins returns the number of distinct row versions' transactions in a
// table: a reload that rewrites nothing leaves it as it was.
func (e *env) xmins(t *testing.T, table string) int {
	t.Helper()
	return e.count(t, "SELECT count(DISTINCT xmin::text) FROM "+table)
}

// TestUsersNewColumnsNoChurn: users stored before 00010 (no employer info,
// no team) hash as before, so the first run after the upgrade that still
// sees none writes nothing; the first run that sees the new values writes
// one version per user that has them; the same values again write nothing,
// and a hire date given with a time of day is the same date.
func TestUsersNewColumnsNoChurn(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	users, skills := sampleUsers()
	loadUsers(t, e, users, skills)
	before := e.xmins(t, "users")
	if got := loadUsers(t, e, users, skills); got["users"] != (load.TableStats{Unchanged: 3}) {
		t.Errorf("reload without the new columns: %+v, want 3 unchanged", got["users"])
	}
	if n := e.xmins(t, "users"); n != before {
		t.Errorf("reload rewrote users (%d writing transactions, want %d)", n, before)
	}

	users[0].EmployeeType, users[0].OfficialName = "Full-time", "Ada Lovelace"
	users[0].DateHire = time.Date(2019, 3, 4, 0, 0, 0, 0, time.UTC)
	users[1].TeamID, users[1].TeamName = "t1", "Night shift"
	if got := loadUsers(t, e, users, skills); got["users"] != (load.TableStats{Updated: 2, Unchanged: 1}) {
		t.Errorf("first values of the new columns: %+v, want 2 updated, 1 unchanged", got["users"])
	}
	if n := e.count(t, "SELECT count(*) FROM users_history"); n != 5 {
		t.Errorf("users_history holds %d versions, want 5 (3 + one per user given values)", n)
	}
	if n := e.count(t, `SELECT count(*) FROM users WHERE id = 'u1' AND employee_type = 'Full-time' AND official_name = 'Ada Lovelace'
		AND date_hire = '2019-03-04' AND team_id IS NULL`); n != 1 {
		t.Error("u1's employer info not stored")
	}
	if n := e.count(t, `SELECT count(*) FROM users_history WHERE id = 'u2' AND valid_to IS NULL AND team_id = 't1' AND team_name = 'Night shift'`); n != 1 {
		t.Error("u2's open version has no team")
	}
	// The same date at another time of day, in another zone: no change.
	users[0].DateHire = time.Date(2019, 3, 4, 23, 30, 0, 0, time.FixedZone("X", -5*3600))
	if got := loadUsers(t, e, users, skills); got["users"] != (load.TableStats{Unchanged: 3}) {
		t.Errorf("same values again: %+v, want 3 unchanged", got["users"])
	}
	// Values going back to empty are a change like any other.
	users[1].TeamID, users[1].TeamName = "", ""
	if got := loadUsers(t, e, users, skills); got["users"] != (load.TableStats{Updated: 1, Unchanged: 2}) {
		t.Errorf("team removed: %+v, want 1 updated", got["users"])
	}
	e.checkHistory(t, "users_history", "users", "id")
}

// TestGroupsLocationsStations: the three dimensions load like divisions:
// unchanged rows cost no write, changes update, and a complete listing
// soft-deletes what vanished.
func TestGroupsLocationsStations(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	modified := ts("2026-10-01T08:00:00Z")
	groups := []load.GroupRow{
		{ID: "g1", Name: "Night", Description: "Night shift", Type: "official", Visibility: "public", State: "active", MemberCount: 12,
			DateModified: modified, Raw: json.RawMessage(`{"id":"g1"}`)},
		{ID: "g2", Name: "Social"},
	}
	locations := []load.LocationRow{
		{ID: "l1", Name: "Paris", State: "active", AddressStreet1: "1 rue de Rivoli", AddressCity: "Paris", AddressZipcode: "75001", AddressCountry: "FR"},
		{ID: "l2", Name: "Lyon"},
	}
	stations := []load.StationRow{
		{ID: "s1", Name: "WebRTC - Ada", Type: "inin_webrtc_softphone", Status: "ASSOCIATED", UserID: "u1", WebRTCUserID: "u1", LineAppearanceID: "la1"},
		{ID: "s2", Name: "Desk 4", Type: "inin_remote", Status: "AVAILABLE"},
	}
	s := load.Stream{Pipeline: "nightly", Name: "reference", Snapshot: true}
	loadAll := func() load.Stats {
		return e.stream(t, s, nil, func(ctx context.Context, tx *load.Tx) error {
			if err := tx.Groups(ctx, groups); err != nil {
				return err
			}
			if err := tx.Locations(ctx, locations); err != nil {
				return err
			}
			return tx.Stations(ctx, stations)
		})
	}
	want := load.Stats{"groups": {Inserted: 2}, "locations": {Inserted: 2}, "stations": {Inserted: 2}}
	if d := cmp.Diff(want, loadAll()); d != "" {
		t.Errorf("first load (-want +got):\n%s", d)
	}
	xmin := map[string]int{}
	for _, tb := range []string{"groups", "locations", "stations"} {
		xmin[tb] = e.xmins(t, tb)
	}
	want = load.Stats{"groups": {Unchanged: 2}, "locations": {Unchanged: 2}, "stations": {Unchanged: 2}}
	if d := cmp.Diff(want, loadAll()); d != "" {
		t.Errorf("identical reload (-want +got):\n%s", d)
	}
	for tb, n := range xmin {
		if got := e.xmins(t, tb); got != n {
			t.Errorf("identical reload rewrote %s", tb)
		}
	}
	groups[0].MemberCount = 13
	locations = locations[:1]
	stations[0].Status, stations[0].UserID = "AVAILABLE", ""
	want = load.Stats{"groups": {Updated: 1, Unchanged: 1}, "locations": {Unchanged: 1, Deleted: 1}, "stations": {Updated: 1, Unchanged: 1}}
	if d := cmp.Diff(want, loadAll()); d != "" {
		t.Errorf("changes (-want +got):\n%s", d)
	}
	if n := e.count(t, "SELECT count(*) FROM groups WHERE id = 'g1' AND member_count = 13 AND date_modified = '2026-10-01T08:00:00Z' AND type = 'official'"); n != 1 {
		t.Error("g1 not updated")
	}
	if n := e.count(t, "SELECT count(*) FROM locations WHERE id = 'l2' AND deleted_at IS NOT NULL"); n != 1 {
		t.Error("l2 not marked deleted")
	}
	if n := e.count(t, "SELECT count(*) FROM stations WHERE id = 's1' AND user_id IS NULL AND status = 'AVAILABLE' AND line_appearance_id = 'la1'"); n != 1 {
		t.Error("s1 not updated")
	}

	// A listing read only in part (Incomplete) marks nothing deleted; the
	// other tables of the snapshot still do.
	stations, groups = stations[:1], groups[:1]
	got := e.stream(t, s, nil, func(ctx context.Context, tx *load.Tx) error {
		tx.Incomplete("stations")
		if err := tx.Groups(ctx, groups); err != nil {
			return err
		}
		return tx.Stations(ctx, stations)
	})
	if want := (load.Stats{"groups": {Unchanged: 1, Deleted: 1}, "stations": {Unchanged: 1}}); !cmp.Equal(want, got) {
		t.Errorf("a partial stations listing: %+v, want %+v", got, want)
	}
	if n := e.count(t, "SELECT count(*) FROM stations WHERE deleted_at IS NOT NULL"); n != 0 {
		t.Errorf("%d stations marked deleted by a partial listing", n)
	}
}

// TestVolatileExpands: stations, presence, routing status and last login
// are one row per user, current only: a change rewrites the row and writes
// no history, a user named without a row loses theirs, and a snapshot
// removes the rows of users not named.
func TestVolatileExpands(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	users, _ := sampleUsers()
	at := ts("2026-10-12T07:58:00Z")
	stations := []load.UserStationRow{
		{UserID: "u1", DefaultStationID: "s1", AssociatedStationID: "s1", AssociatedDate: at, EffectiveStationID: "s1", LastAssociatedStationID: "s1"},
		{UserID: "u2", LastAssociatedStationID: "s2"},
	}
	presence := []load.UserPresenceRow{
		{UserID: "u1", SystemPresence: "AVAILABLE", OrganizationPresenceID: "op-av", ModifiedAt: at},
		{UserID: "u2", SystemPresence: "OFFLINE", ModifiedAt: at.Add(-time.Hour)},
	}
	routing := []load.UserRoutingStatusRow{{UserID: "u1", Status: "IDLE", StartTime: at}, {UserID: "u2", Status: "OFF_QUEUE"}}
	logins := []load.UserLastLoginRow{{UserID: "u1", LastLoginAt: at}, {UserID: "u2", LastLoginAt: at.Add(-48 * time.Hour)}, {UserID: "u3"}}
	loadAll := func(named []load.UserRow) load.Stats {
		return e.stream(t, usersStream, nil, func(ctx context.Context, tx *load.Tx) error {
			ids := ids(named)
			if err := tx.Users(ctx, named); err != nil {
				return err
			}
			if err := tx.UserStations(ctx, ids, stations); err != nil {
				return err
			}
			if err := tx.UserPresence(ctx, ids, presence); err != nil {
				return err
			}
			if err := tx.UserRoutingStatus(ctx, ids, routing); err != nil {
				return err
			}
			return tx.UserLastLogin(ctx, ids, logins)
		})
	}
	got := loadAll(users)
	want := load.Stats{"users": {Inserted: 3}, "user_stations": {Inserted: 2}, "user_presence": {Inserted: 2},
		"user_routing_status": {Inserted: 2}, "user_last_login": {Inserted: 2}}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("first load (-want +got):\n%s", d)
	}
	tables := []string{"user_stations", "user_presence", "user_routing_status", "user_last_login"}
	xmin := map[string]int{}
	for _, tb := range tables {
		xmin[tb] = e.xmins(t, tb)
	}
	got = loadAll(users)
	want = load.Stats{"users": {Unchanged: 3}, "user_stations": {Unchanged: 2}, "user_presence": {Unchanged: 2},
		"user_routing_status": {Unchanged: 2}, "user_last_login": {Unchanged: 2}}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("identical reload (-want +got):\n%s", d)
	}
	for _, tb := range tables {
		if n := e.xmins(t, tb); n != xmin[tb] {
			t.Errorf("identical reload rewrote %s", tb)
		}
	}

	// u1 logs in again on another station and goes on queue; u2's station
	// and routing status vanish from the API.
	later := at.Add(24 * time.Hour)
	stations = []load.UserStationRow{{UserID: "u1", DefaultStationID: "s1", AssociatedStationID: "s3", AssociatedDate: later, EffectiveStationID: "s3", LastAssociatedStationID: "s3"}}
	presence[0].SystemPresence, presence[0].ModifiedAt = "ON_QUEUE", later
	routing = routing[:1]
	logins[0].LastLoginAt = later
	got = loadAll(users)
	want = load.Stats{"users": {Unchanged: 3}, "user_stations": {Updated: 1, Deleted: 1}, "user_presence": {Updated: 1, Unchanged: 1},
		"user_routing_status": {Unchanged: 1, Deleted: 1}, "user_last_login": {Updated: 1, Unchanged: 1}}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("a day later (-want +got):\n%s", d)
	}
	if n := e.count(t, "SELECT count(*) FROM user_stations WHERE user_id = 'u1' AND associated_station_id = 's3' AND default_station_id = 's1'"); n != 1 {
		t.Error("u1's station not updated")
	}
	if n := e.count(t, "SELECT count(*) FROM user_presence WHERE user_id = 'u1' AND system_presence = 'ON_QUEUE' AND modified_at = $1", later); n != 1 {
		t.Error("u1's presence not updated")
	}

	// u2 leaves the snapshot: their rows go with them.
	presence, logins = presence[:1], logins[:1]
	got = loadAll(users[:1])
	if got["user_presence"].Deleted != 1 || got["user_last_login"].Deleted != 1 {
		t.Errorf("u2 gone from the snapshot: %+v", got)
	}
	for _, tb := range tables {
		if n := e.count(t, "SELECT count(*) FROM "+tb+" WHERE user_id <> 'u1'"); n != 0 {
			t.Errorf("%s keeps %d rows of users not in the snapshot", tb, n)
		}
	}
}

// TestProfileSkillsAndCertificationsHistory: lists with history, like
// routing skills.
func TestProfileSkillsAndCertificationsHistory(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	users, _ := sampleUsers()
	profile := []load.UserProfileSkillRow{{UserID: "u1", ProfileSkill: "Java"}, {UserID: "u1", ProfileSkill: "French"}, {UserID: "u2", ProfileSkill: "Java"}}
	certs := []load.UserCertificationRow{{UserID: "u1", Certification: "ITIL"}, {UserID: "u3", Certification: "PCI DSS"}}
	loadAll := func() load.Stats {
		return e.stream(t, usersStream, nil, func(ctx context.Context, tx *load.Tx) error {
			if err := tx.Users(ctx, users); err != nil {
				return err
			}
			if err := tx.UserProfileSkills(ctx, ids(users), profile); err != nil {
				return err
			}
			return tx.UserCertifications(ctx, ids(users), certs)
		})
	}
	loadAll()
	got := loadAll()
	if got["user_profile_skills"] != (load.TableStats{Unchanged: 3}) || got["user_certifications"] != (load.TableStats{Unchanged: 2}) {
		t.Errorf("identical reload: %+v", got)
	}
	if n := e.count(t, "SELECT (SELECT count(*) FROM user_profile_skills_history) + (SELECT count(*) FROM user_certifications_history)"); n != 5 {
		t.Errorf("%d history versions after an identical reload, want 5", n)
	}
	// u1 drops French, u2 gains Sales; u3 loses every certification.
	profile = []load.UserProfileSkillRow{{UserID: "u1", ProfileSkill: "Java"}, {UserID: "u2", ProfileSkill: "Java"}, {UserID: "u2", ProfileSkill: "Sales"}}
	certs = certs[:1]
	got = loadAll()
	want := load.Stats{"users": {Unchanged: 3}, "user_profile_skills": {Inserted: 1, Unchanged: 2, Deleted: 1},
		"user_certifications": {Unchanged: 1, Deleted: 1}}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("changes (-want +got):\n%s", d)
	}
	if n := e.count(t, "SELECT count(*) FROM user_profile_skills_history WHERE user_id = 'u1' AND profile_skill = 'French' AND valid_to IS NOT NULL"); n != 1 {
		t.Error("u1's French not closed in history")
	}
	if n := e.count(t, "SELECT count(*) FROM user_certifications_history WHERE user_id = 'u3' AND valid_to IS NULL"); n != 0 {
		t.Error("u3's certification still open in history")
	}
	e.checkHistory(t, "user_profile_skills_history", "user_profile_skills", "user_id", "profile_skill")
	e.checkHistory(t, "user_certifications_history", "user_certifications", "user_id", "certification")
}

// TestUtilizationHistory: utilization per media type with history; the
// order of the interruptible media types is no change.
func TestUtilizationHistory(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	users, _ := sampleUsers()
	util := []load.UtilizationRow{
		{UserID: "u1", MediaType: "call", MaximumCapacity: 1, InterruptibleMediaTypes: []string{"email", "callback"}, Level: "Agent"},
		{UserID: "u1", MediaType: "chat", MaximumCapacity: 3, IncludeNonACD: true, Level: "Agent"},
		{UserID: "u2", MediaType: "call", MaximumCapacity: 1, Level: "Organization"},
	}
	s := load.Stream{Pipeline: "nightly", Name: "utilization", Snapshot: true}
	loadAll := func(owners []string) load.TableStats {
		return e.stream(t, s, nil, func(ctx context.Context, tx *load.Tx) error {
			return tx.Utilization(ctx, owners, util)
		})["user_utilization"]
	}
	loadUsers(t, e, users, nil)
	if got := loadAll(ids(users)); got != (load.TableStats{Inserted: 3}) {
		t.Errorf("first load: %+v", got)
	}
	if n := e.count(t, "SELECT count(*) FROM user_utilization WHERE user_id = 'u1' AND media_type = 'call' AND interruptible_media_types = '{callback,email}'"); n != 1 {
		t.Error("interruptible media types not stored sorted")
	}
	if n := e.count(t, "SELECT count(*) FROM user_utilization WHERE interruptible_media_types = '{}'"); n != 2 {
		t.Error("no interruptible media types is not stored as an empty array")
	}
	util[0].InterruptibleMediaTypes = []string{"callback", "email"}
	util[2].InterruptibleMediaTypes = []string{}
	if got := loadAll(ids(users)); got != (load.TableStats{Unchanged: 3}) {
		t.Errorf("same sets in another order: %+v, want 3 unchanged", got)
	}
	if n := e.count(t, "SELECT count(*) FROM user_utilization_history"); n != 3 {
		t.Errorf("%d history versions after an identical reload, want 3", n)
	}
	// u1's chat capacity goes down; u2 is back to no settings at all.
	util[1].MaximumCapacity = 2
	util = util[:2]
	if got := loadAll(ids(users)); got != (load.TableStats{Updated: 1, Unchanged: 1, Deleted: 1}) {
		t.Errorf("changes: %+v, want 1 updated, 1 unchanged, 1 deleted", got)
	}
	if n := e.count(t, "SELECT count(*) FROM user_utilization_history WHERE user_id = 'u1' AND media_type = 'chat'"); n != 2 {
		t.Errorf("u1/chat has %d versions, want 2", n)
	}
	e.checkHistory(t, "user_utilization_history", "user_utilization", "user_id", "media_type")
}

// TestOutOfOfficePeriods: periods are upserted by user and start and stay
// once seen; a row without a start is no period.
func TestOutOfOfficePeriods(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	start := ts("2026-12-21T00:00:00Z")
	rows := []load.OutOfOfficeRow{
		{UserID: "u1", Start: start, End: start.Add(72 * time.Hour), Active: true, ID: "ooo1"},
		{UserID: "u2", Start: start.Add(-240 * time.Hour), Indefinite: true},
		{UserID: "u3"}, // never out of office
	}
	s := load.Stream{Pipeline: "nightly", Name: "users", Snapshot: true}
	loadAll := func() load.TableStats {
		return e.stream(t, s, nil, func(ctx context.Context, tx *load.Tx) error { return tx.OutOfOffice(ctx, rows) })["user_out_of_office"]
	}
	if got := loadAll(); got != (load.TableStats{Inserted: 2}) {
		t.Errorf("first load: %+v, want 2 inserted", got)
	}
	xmin := e.xmins(t, "user_out_of_office")
	if got := loadAll(); got != (load.TableStats{Unchanged: 2}) {
		t.Errorf("identical reload: %+v, want 2 unchanged", got)
	}
	if n := e.xmins(t, "user_out_of_office"); n != xmin {
		t.Error("identical reload rewrote periods")
	}
	// u1's period is extended and over; u2's is no longer shown by the API.
	rows = []load.OutOfOfficeRow{{UserID: "u1", Start: start, End: start.Add(96 * time.Hour), ID: "ooo1"}}
	if got := loadAll(); got != (load.TableStats{Updated: 1}) {
		t.Errorf("extended period: %+v, want 1 updated", got)
	}
	if n := e.count(t, "SELECT count(*) FROM user_out_of_office"); n != 2 {
		t.Errorf("%d periods, want 2: a period is never deleted", n)
	}
	if n := e.count(t, "SELECT count(*) FROM user_out_of_office WHERE user_id = 'u1' AND end_date = $1 AND NOT active AND ooo_id = 'ooo1'", start.Add(96*time.Hour)); n != 1 {
		t.Error("u1's period not updated")
	}
	// Who was out on December 12th?
	if n := e.count(t, "SELECT count(*) FROM user_out_of_office WHERE start_date <= '2026-12-12' AND (end_date IS NULL OR end_date > '2026-12-12') AND user_id = 'u2'"); n != 1 {
		t.Error("u2's past period not found")
	}
}

// TestDevelopmentActivities: upserted by activity and attendee, never
// deleted; absent flags and scores stay NULL.
func TestDevelopmentActivities(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	yes, no := true, false
	score := 87.5
	created := ts("2026-10-01T09:00:00Z")
	rows := []load.DevelopmentActivityRow{
		{ActivityID: "a1", UserID: "u1", Name: "Coaching", Type: "Coaching", Status: "Planned", DateCreated: created, DateDue: created.Add(7 * 24 * time.Hour),
			IsOverdue: &no, CreatedByID: "u9", FacilitatorID: "u8", Raw: json.RawMessage(`{"id":"a1"}`)},
		{ActivityID: "a1", UserID: "u2", Name: "Coaching", Type: "Coaching", Status: "Planned", DateCreated: created, DateDue: created.Add(7 * 24 * time.Hour)},
		{ActivityID: "a2", UserID: "u1", Name: "GDPR", Type: "AssessedContent", Status: "Completed", ModuleID: "m1", DateCreated: created,
			DateCompleted: created.Add(time.Hour), IsPassed: &yes, PercentageScore: &score},
	}
	s := load.Stream{Pipeline: "nightly", Name: "development_activities"}
	loadAll := func(rows []load.DevelopmentActivityRow) load.TableStats {
		return e.stream(t, s, nil, func(ctx context.Context, tx *load.Tx) error {
			return tx.DevelopmentActivities(ctx, rows)
		})["user_development_activities"]
	}
	if got := loadAll(rows); got != (load.TableStats{Inserted: 3}) {
		t.Errorf("first load: %+v", got)
	}
	xmin := e.xmins(t, "user_development_activities")
	if got := loadAll(rows); got != (load.TableStats{Unchanged: 3}) {
		t.Errorf("identical reload: %+v", got)
	}
	if n := e.xmins(t, "user_development_activities"); n != xmin {
		t.Error("identical reload rewrote activities")
	}
	rows[0].Status, rows[0].IsOverdue = "Overdue", &yes
	if got := loadAll(rows[:1]); got != (load.TableStats{Updated: 1}) {
		t.Errorf("one activity overdue, the others not in the window: %+v, want 1 updated", got)
	}
	if n := e.count(t, "SELECT count(*) FROM user_development_activities"); n != 3 {
		t.Errorf("%d activities, want 3: none is deleted", n)
	}
	if n := e.count(t, `SELECT count(*) FROM user_development_activities WHERE activity_id = 'a1' AND user_id = 'u2'
		AND is_overdue IS NULL AND is_passed IS NULL AND percentage_score IS NULL AND raw IS NULL AND date_completed IS NULL`); n != 1 {
		t.Error("absent values not stored as NULL")
	}
	if n := e.count(t, `SELECT count(*) FROM user_development_activities WHERE activity_id = 'a2' AND is_passed AND percentage_score = 87.5 AND module_id = 'm1'`); n != 1 {
		t.Error("a2 not stored")
	}
	if n := e.count(t, `SELECT count(*) FROM user_development_activities WHERE activity_id = 'a1' AND user_id = 'u1' AND status = 'Overdue' AND is_overdue`); n != 1 {
		t.Error("a1 not updated")
	}
}
