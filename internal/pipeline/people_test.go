package pipeline_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/usersync/syncer/internal/emulator"
	"github.com/usersync/syncer/internal/genesys"
	"github.com/usersync/syncer/internal/load"
	"github.com/usersync/syncer/internal/pipeline"
)

// peopleConfig runs every stream issue 18 added, with the default
// expands.
func peopleConfig() pipeline.ForwardConfig {
	return pipeline.ForwardConfig{
		Streams: []string{pipeline.StreamReference, pipeline.StreamDirectory, pipeline.StreamUsers,
			pipeline.StreamUtilization, pipeline.StreamDevelopmentActivities},
		States: []string{"active", "inactive", "deleted"},
	}
}

// apiUsers reads every user of every state with the default expands
// straight from the API: the truth the tables are compared with.
func apiUsers(t *testing.T, c *genesys.Client) []genesys.User {
	t.Helper()
	var all []genesys.User
	for _, st := range []string{"active", "inactive", "deleted"} {
		for u, err := range c.Users(context.Background(), &genesys.ListUsersOptions{State: st, Expand: pipeline.DefaultExpand(),
			ListOptions: genesys.ListOptions{PageSize: genesys.MaxUsersPageSize}}) {
			if err != nil {
				t.Fatal(err)
			}
			all = append(all, u)
		}
	}
	return all
}

func tsTime(t time.Time) string {
	if t.IsZero() {
		return "<nil>"
	}
	return t.UTC().Format(time.RFC3339)
}

func ts(s string) string {
	if s == "" {
		return "<nil>"
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return "bad:" + s
	}
	return t.UTC().Format(time.RFC3339)
}

// The expands, the directory listings and the two optional streams load
// what the API says, every id joins to a name, and a second run on the
// unchanged org writes no history and calls no more than the minimum.
func TestPeopleData(t *testing.T) {
	t.Parallel()
	_, c := org(t, emulator.Config{Users: 400, Seed: 18})
	e := newEnv(t)
	sum := forward(t, e, c, peopleConfig())
	for _, r := range sum.Streams {
		if r.Outcome != pipeline.OutcomeSucceeded {
			t.Fatalf("stream %s: %s %v", r.Name, r.Outcome, r.Err)
		}
	}
	users := apiUsers(t, c)

	var stations, presence, routing, logins, ooo, profile, certs, teams []string
	for _, u := range users {
		if s := u.Station; s != nil {
			id := func(x *genesys.UserStation) string {
				if x == nil {
					return "<nil>"
				}
				return x.ID
			}
			if s.DefaultStation != nil || s.AssociatedStation != nil || s.EffectiveStation != nil || s.LastAssociatedStation != nil {
				stations = append(stations, strings.Join([]string{u.ID, id(s.DefaultStation), id(s.AssociatedStation), id(s.EffectiveStation), id(s.LastAssociatedStation)}, "|"))
			}
		}
		if p := u.Presence; p != nil && p.PresenceDefinition != nil {
			presence = append(presence, u.ID+"|"+p.PresenceDefinition.SystemPresence)
		}
		if r := u.RoutingStatus; r != nil {
			routing = append(routing, u.ID+"|"+r.Status)
		}
		if u.DateLastLogin != "" {
			logins = append(logins, u.ID+"|"+ts(u.DateLastLogin))
		}
		if o := u.OutOfOffice; o.HasPeriod() {
			end := tsTime(o.EndDate)
			if o.Indefinite {
				end = "<nil>"
			}
			ooo = append(ooo, fmt.Sprintf("%s|%s|%s|%t", u.ID, tsTime(o.StartDate), end, o.Indefinite))
		}
		for _, s := range u.ProfileSkills {
			profile = append(profile, u.ID+"|"+s)
		}
		for _, s := range u.Certifications {
			certs = append(certs, u.ID+"|"+s)
		}
		if u.Team != nil {
			teams = append(teams, u.ID+"|"+u.Team.ID+"|"+u.Team.Name)
		}
	}
	for _, list := range [][]string{stations, presence, routing, logins, ooo, profile, certs, teams} {
		slices.Sort(list)
		if len(list) == 0 {
			t.Fatalf("the emulated org has none of some expand: stations %d presence %d routing %d logins %d ooo %d profile %d certs %d teams %d",
				len(stations), len(presence), len(routing), len(logins), len(ooo), len(profile), len(certs), len(teams))
		}
	}
	checks := []struct {
		name string
		q    string
		want []string
	}{
		{"user_stations", `SELECT user_id, coalesce(default_station_id, '<nil>'), coalesce(associated_station_id, '<nil>'),
			coalesce(effective_station_id, '<nil>'), coalesce(last_associated_station_id, '<nil>') FROM user_stations`, stations},
		{"user_presence", `SELECT user_id, system_presence FROM user_presence`, presence},
		{"user_routing_status", `SELECT user_id, status FROM user_routing_status`, routing},
		{"user_last_login", `SELECT user_id, to_char(last_login_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') FROM user_last_login`, logins},
		{"user_out_of_office", `SELECT user_id, to_char(start_date AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'),
			coalesce(to_char(end_date AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'), '<nil>'), indefinite FROM user_out_of_office`, ooo},
		{"user_profile_skills", `SELECT user_id, profile_skill FROM user_profile_skills`, profile},
		{"user_certifications", `SELECT user_id, certification FROM user_certifications`, certs},
		{"users.team", `SELECT id, team_id, team_name FROM users WHERE team_id IS NOT NULL`, teams},
	}
	for _, ck := range checks {
		if diff := cmp.Diff(ck.want, e.dbRows(t, ck.q)); diff != "" {
			t.Errorf("%s differs from the API (-api +db):\n%s", ck.name, diff)
		}
	}

	// Every id of the schema joins to a name.
	for _, q := range []string{
		`SELECT count(*) FROM user_groups ug LEFT JOIN groups g ON g.id = ug.group_id WHERE g.id IS NULL`,
		`SELECT count(*) FROM user_locations ul LEFT JOIN locations l ON l.id = ul.location_id WHERE l.id IS NULL`,
		`SELECT count(*) FROM user_stations us, unnest(ARRAY[default_station_id, associated_station_id, effective_station_id, last_associated_station_id]) sid
		 LEFT JOIN stations s ON s.id = sid WHERE sid IS NOT NULL AND s.id IS NULL`,
	} {
		if n := e.count(t, q); n != 0 {
			t.Errorf("%d ids join to no name: %s", n, q)
		}
	}
	for _, tbl := range []string{"groups", "locations", "stations", "user_utilization", "user_development_activities"} {
		if n := e.count(t, "SELECT count(*) FROM "+tbl); n == 0 {
			t.Errorf("%s is empty", tbl)
		}
	}

	// Utilization: a row per media type of every user not deleted, as the
	// API answers it.
	var util []string
	for _, u := range users {
		if u.State == genesys.StateDeleted {
			continue
		}
		got, err := c.UserUtilization(context.Background(), u.ID)
		if err != nil {
			t.Fatal(err)
		}
		for m, v := range got.Utilization {
			util = append(util, fmt.Sprintf("%s|%s|%d|%s", u.ID, m, v.MaximumCapacity, got.Level))
		}
	}
	slices.Sort(util)
	if diff := cmp.Diff(util, e.dbRows(t, `SELECT user_id, media_type, maximum_capacity, level FROM user_utilization`)); diff != "" {
		t.Errorf("user_utilization differs from the API (-api +db):\n%s", diff)
	}

	// The second run on the unchanged org: no history version anywhere,
	// and the calls are the minimum the run states, within 5 %.
	before := peopleHistory(t, e)
	again := forward(t, e, c, peopleConfig())
	if after := peopleHistory(t, e); after != before {
		t.Errorf("a re-run wrote history: %d rows before, %d after", before, after)
	}
	if ratio := float64(again.Calls.Total) / float64(max(again.MinCalls(), 1)); ratio > 1.05 {
		t.Errorf("re-run: %d calls for a minimum of %d (%.3f×, want ≤ 1.05)", again.Calls.Total, again.MinCalls(), ratio)
	}
}

func peopleHistory(t testing.TB, e *env) int {
	t.Helper()
	var n int
	err := e.pool.QueryRow(context.Background(), `SELECT (SELECT count(*) FROM users_history) + (SELECT count(*) FROM user_profile_skills_history)
		+ (SELECT count(*) FROM user_skills_history) + (SELECT count(*) FROM user_queues_history)
		+ (SELECT count(*) FROM user_certifications_history) + (SELECT count(*) FROM user_utilization_history)`).Scan(&n)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// A 403 fails the stream that needs the permission, naming it, and the
// others of the run commit.
func TestForbiddenStreamFailsAlone(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name   string
		org    emulator.Config
		failed string // the stream that fails
		named  string // in its error
		loaded string // a table of another stream, loaded beside it
	}{
		{"utilization", emulator.Config{Users: 60, Seed: 5, DeniedPermissions: []string{"routing:utilization:view", "routing:utilization:manage"}},
			pipeline.StreamUtilization, "lacks any one of the permissions routing:utilization:", "user_development_activities"},
		// Another stream, org and permission pair: neither kind of
		// development activity may be read.
		{"development activities", emulator.Config{Users: 130, Seed: 12, DeniedPermissions: []string{"learning:assignment:view", "coaching:appointment:view"}},
			pipeline.StreamDevelopmentActivities, "learning:assignment:view", "user_utilization"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, c := org(t, tc.org)
			e := newEnv(t)
			streams, err := pipeline.ForwardStreams(c, peopleConfig())
			if err != nil {
				t.Fatal(err)
			}
			sum, err := e.runner.Run(context.Background(), "nightly", streams, nil)
			if err == nil {
				t.Fatalf("run succeeded without %v", tc.org.DeniedPermissions)
			}
			for _, r := range sum.Streams {
				switch {
				case r.Name == tc.failed:
					if r.Outcome != pipeline.OutcomeFailed || !strings.Contains(fmt.Sprint(r.Err), "the OAuth client lacks") ||
						!strings.Contains(fmt.Sprint(r.Err), tc.named) {
						t.Errorf("%s: %s %v; want failed naming %s", r.Name, r.Outcome, r.Err, tc.named)
					}
				case r.Outcome != pipeline.OutcomeSucceeded:
					t.Errorf("stream %s: %s %v; want it to commit", r.Name, r.Outcome, r.Err)
				}
			}
			if n := e.count(t, `SELECT count(*) FROM `+tc.loaded); n == 0 {
				t.Errorf("%s was not loaded beside the failed stream", tc.loaded)
			}
		})
	}
}

// A time the API sends that is no ISO-8601 time fails the users stream's
// batch, naming the user and the field; so does an out-of-office period
// that ends before it starts. Nothing of the batch is kept.
func TestExpandBadValues(t *testing.T) {
	t.Parallel()
	byName := map[string]pipeline.Expand{}
	for _, x := range pipeline.Expands() {
		byName[x.Name] = x
	}
	start := time.Date(2026, 12, 7, 9, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		expand string
		user   genesys.User
		want   string
	}{
		{"dateLastLogin", genesys.User{ID: "u-login", DateLastLogin: "yesterday"}, `user u-login: dateLastLogin "yesterday" is not an ISO-8601 time`},
		{"presence", genesys.User{ID: "u-presence", Presence: &genesys.UserPresence{
			PresenceDefinition: &genesys.PresenceDefinition{SystemPresence: "AVAILABLE"}, ModifiedDate: "2026-02-30T25:00:00Z"}},
			`user u-presence: presence.modifiedDate "2026-02-30T25:00:00Z" is not an ISO-8601 time`},
		{"routingStatus", genesys.User{ID: "u-routing", RoutingStatus: &genesys.RoutingStatus{Status: "IDLE", StartTime: "1733130000"}},
			`user u-routing: routingStatus.startTime "1733130000" is not an ISO-8601 time`},
		{"outOfOffice", genesys.User{ID: "u-ooo", OutOfOffice: &genesys.OutOfOffice{StartDate: start, EndDate: start.Add(-time.Hour)}},
			"user u-ooo: outOfOffice ends (2026-12-07T08:00:00Z) before it starts (2026-12-07T09:00:00Z)"},
	} {
		t.Run(tc.expand, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t)
			st := pipeline.Stream{Name: "users", Load: func(ctx context.Context, tx *load.Tx, _ *pipeline.StreamProgress) (*load.Watermark, error) {
				if err := tx.Users(ctx, []load.UserRow{{ID: tc.user.ID, Name: "Ada"}}); err != nil {
					return nil, err
				}
				_, err := byName[tc.expand].Load(ctx, tx, []string{tc.user.ID}, []genesys.User{tc.user})
				return nil, err
			}}
			_, err := e.runner.Run(context.Background(), "p", []pipeline.Stream{st}, nil)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want %q", err, tc.want)
			}
			if n := e.count(t, `SELECT count(*) FROM users`); n != 0 {
				t.Errorf("%d users kept from the failed batch", n)
			}
		})
	}
}

// An expand the API left out of a user's answer (best effort) keeps what
// is stored for them; an empty one replaces it.
func TestExpandLeftOutKeepsRows(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	cfg := pipeline.ForwardConfig{Expand: []string{"station", "certifications", "presence"}}.WithDefaults()
	var expands []pipeline.Expand
	for _, x := range pipeline.Expands() {
		if slices.Contains(cfg.Expand, x.Name) {
			expands = append(expands, x)
		}
	}
	load1 := func(users []genesys.User) {
		t.Helper()
		st := pipeline.Stream{Name: "users", Load: func(ctx context.Context, tx *load.Tx, _ *pipeline.StreamProgress) (*load.Watermark, error) {
			rows := make([]load.UserRow, len(users))
			owners := make([]string, len(users))
			for i, u := range users {
				rows[i], owners[i] = load.UserRow{ID: u.ID, Name: u.Name}, u.ID
			}
			if err := tx.Users(ctx, rows); err != nil {
				return nil, err
			}
			for _, x := range expands {
				if _, err := x.Load(ctx, tx, owners, users); err != nil {
					return nil, err
				}
			}
			return nil, nil
		}}
		if _, err := e.runner.Run(context.Background(), "p", []pipeline.Stream{st}, nil); err != nil {
			t.Fatal(err)
		}
	}
	full := genesys.User{ID: "u1", Name: "Ada", Station: &genesys.UserStations{DefaultStation: &genesys.UserStation{ID: "st1"}},
		Certifications: []string{"CCNA", "ITIL", "CCNA"},
		Presence:       &genesys.UserPresence{PresenceDefinition: &genesys.PresenceDefinition{ID: "p1", SystemPresence: "AVAILABLE"}}}
	load1([]genesys.User{full})
	want := []string{"st1|CCNA|AVAILABLE", "st1|ITIL|AVAILABLE"}
	q := `SELECT s.default_station_id, c.certification, p.system_presence FROM user_stations s
		JOIN user_certifications c USING (user_id) JOIN user_presence p USING (user_id)`
	if got := e.dbRows(t, q); !slices.Equal(got, want) {
		t.Fatalf("first load: %v, want %v", got, want)
	}
	// The same user with no expand in the answer: nothing changes.
	load1([]genesys.User{{ID: "u1", Name: "Ada"}})
	if got := e.dbRows(t, q); !slices.Equal(got, want) {
		t.Errorf("an answer without the expands changed the rows: %v, want %v", got, want)
	}
	// Expands present and empty: the station and certifications go.
	load1([]genesys.User{{ID: "u1", Name: "Ada", Station: &genesys.UserStations{}, Certifications: []string{}}})
	if n := e.count(t, `SELECT (SELECT count(*) FROM user_stations) + (SELECT count(*) FROM user_certifications)`); n != 0 {
		t.Errorf("empty expands left %d rows", n)
	}
	if n := e.count(t, `SELECT count(*) FROM user_certifications_history WHERE valid_to IS NOT NULL`); n != 2 {
		t.Errorf("closed certification versions = %d, want 2", n)
	}
}

// The development activities stream reads by windows from its watermark:
// an activity due weeks ago, overdue at the first run and completed since,
// lies before the next run's due window and is found by its completion
// window.
func TestDevelopmentActivitiesWindows(t *testing.T) {
	t.Parallel()
	srv, c := org(t, emulator.Config{Users: 300, Seed: 31})
	e := newEnv(t)
	cfg := pipeline.ForwardConfig{Streams: []string{pipeline.StreamDevelopmentActivities}}
	forward(t, e, c, cfg)
	var id string
	err := e.pool.QueryRow(context.Background(), `SELECT activity_id FROM user_development_activities
		WHERE status <> 'Completed' AND date_completed IS NULL AND date_due < now() - interval '20 days'
		ORDER BY activity_id LIMIT 1`).Scan(&id)
	if err != nil {
		t.Fatalf("no activity overdue for 20 days after the first run: %v", err)
	}
	var wm time.Time
	if err := e.pool.QueryRow(context.Background(), `SELECT watermark FROM sync_watermarks WHERE stream = $1`,
		pipeline.StreamDevelopmentActivities).Scan(&wm); err != nil || time.Since(wm) > time.Minute {
		t.Fatalf("watermark %v (%v), want the first run's time", wm, err)
	}
	if !srv.CompleteActivity(id) {
		t.Fatalf("the emulator has no open activity %s", id)
	}
	sum := forward(t, e, c, cfg)
	var status string
	var completed *time.Time
	if err := e.pool.QueryRow(context.Background(), `SELECT status, date_completed FROM user_development_activities WHERE activity_id = $1 LIMIT 1`,
		id).Scan(&status, &completed); err != nil {
		t.Fatal(err)
	}
	if status != "Completed" || completed == nil {
		t.Errorf("activity %s completed since the first run: status %s, completed %v after the second", id, status, completed)
	}
	for _, r := range sum.Streams {
		if r.Name == pipeline.StreamDevelopmentActivities && r.Progress.MinCalls < 2*3 {
			t.Errorf("second run: minimum %d calls, want due and completion windows for each of 3 groups", r.Progress.MinCalls)
		}
	}
}

// An org with more stations than the listing can page: the directory stream
// reads the listing up to the cap, then the stations the users name by id,
// so every station id still joins to a name, and marks no station deleted
// (it did not read them all).
func TestDirectoryPastThePagingCap(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		users, cap int
		seed       int64
	}{
		{400, 100, 18},
		// A smaller org under another cap.
		{250, 150, 9},
	} {
		t.Run(fmt.Sprintf("%d users, cap %d", tc.users, tc.cap), func(t *testing.T) {
			t.Parallel()
			srv, c := org(t, emulator.Config{Users: tc.users, Seed: tc.seed, PageCap: tc.cap})
			// A page holds 100 stations: the listing is capped when it has
			// more than a page and its second page reaches past the cap.
			if n := len(srv.Stations()); n <= 100 || n <= tc.cap-100 {
				t.Fatalf("the org has %d stations; the test needs a second page past the cap of %d", n, tc.cap)
			}
			e := newEnv(t)
			// A station the cap hides, stored by an earlier load, must not
			// be marked deleted.
			if _, err := e.pool.Exec(context.Background(), `INSERT INTO stations (id, name, row_hash, first_seen_at, updated_at)
				VALUES ('zz-unlisted', 'Hidden', gen_random_uuid(), now(), now())`); err != nil {
				t.Fatal(err)
			}
			sum := forward(t, e, c, pipeline.ForwardConfig{Streams: []string{pipeline.StreamDirectory, pipeline.StreamUsers},
				PageSize: tc.cap, PagingCap: tc.cap})
			var warned []string
			for _, r := range sum.Streams {
				if r.Outcome != pipeline.OutcomeSucceeded {
					t.Fatalf("stream %s: %s %v", r.Name, r.Outcome, r.Err)
				}
				if r.Name == pipeline.StreamDirectory {
					warned = r.Progress.Warnings
				}
			}
			if n := e.count(t, `SELECT count(*) FROM user_stations us, unnest(ARRAY[default_station_id, associated_station_id, effective_station_id, last_associated_station_id]) sid
				LEFT JOIN stations s ON s.id = sid WHERE sid IS NOT NULL AND s.id IS NULL`); n != 0 {
				t.Errorf("%d station ids of users join to no station", n)
			}
			for _, tbl := range []string{"stations", "groups", "locations"} {
				if n := e.count(t, `SELECT count(*) FROM `+tbl+` WHERE deleted_at IS NOT NULL`); n != 0 {
					t.Errorf("%d %s marked deleted by a listing read only in part", n, tbl)
				}
			}
			var shown strings.Builder
			sum.Render(&shown)
			if !slices.ContainsFunc(warned, func(w string) bool { return strings.Contains(w, "the stations listing has") }) ||
				!strings.Contains(shown.String(), "warning: stream directory: the stations listing") {
				t.Errorf("warnings %q; summary:\n%s", warned, shown.String())
			}
			// The pages of 100 under the cap, then those the users name.
			listed := tc.cap / 100 * 100
			if n, total := e.count(t, `SELECT count(*) FROM stations WHERE id <> 'zz-unlisted'`), len(srv.Stations()); n <= listed || n > total {
				t.Errorf("%d stations loaded of %d: want the %d under the cap and those the users name", n, total, listed)
			}
		})
	}
}
