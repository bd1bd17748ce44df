package pipeline_test

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/usersync/syncer/internal/emulator"
	"github.com/usersync/syncer/internal/emulatortest"
	"github.com/usersync/syncer/internal/genesys"
	"github.com/usersync/syncer/internal/pipeline"
)

// org starts an emulator over real HTTP and a client with real OAuth.
func org(t testing.TB, cfg emulator.Config) (*emulator.Server, *genesys.Client) {
	t.Helper()
	o := emulatortest.Start(t, cfg) // no rate limit unless set: these tests measure correctness, not pacing
	return o.Server, o.Client(t)
}

var allStreams = []string{"reference", "users", "skills", "languages", "queues", "roles"}

func forward(t *testing.T, e *env, c *genesys.Client, cfg pipeline.ForwardConfig) pipeline.Summary {
	t.Helper()
	streams, err := pipeline.ForwardStreams(c, cfg)
	if err != nil {
		t.Fatal(err)
	}
	sum, err := e.runner.Run(context.Background(), "nightly", streams, nil)
	if err != nil {
		t.Fatalf("run: %v", err)
	}
	return sum
}

func fullConfig() pipeline.ForwardConfig {
	return pipeline.ForwardConfig{
		Streams: allStreams,
		States:  []string{"active", "inactive", "deleted"},
		Expand:  []string{"skills", "languages", "groups", "locations", "employerInfo"},
	}
}

// dbRows reads a query's rows as sorted strings.
func (e *env) dbRows(t *testing.T, q string) []string {
	t.Helper()
	rows, err := e.pool.Query(context.Background(), q)
	if err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		vals, err := rows.Values()
		if err != nil {
			t.Fatal(err)
		}
		parts := make([]string, len(vals))
		for i, v := range vals {
			parts[i] = fmt.Sprint(v)
		}
		out = append(out, strings.Join(parts, "|"))
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	sort.Strings(out)
	return out
}

// truth renders the emulator's org in the same shapes as the queries.
type truth struct {
	users, skills, languages, queues, grants, groups []string
}

func orgTruth(srv *emulator.Server) truth {
	var tr truth
	for _, u := range srv.Users() {
		mgr := u.ManagerID
		if mgr == "" {
			mgr = "<nil>"
		}
		tr.users = append(tr.users, strings.Join([]string{u.ID, u.Name, u.Email, u.State, u.DivisionID, mgr, u.EmployeeID, fmt.Sprint(u.Version), fmt.Sprint(u.AcdAutoAnswer)}, "|"))
		for _, s := range u.Skills {
			tr.skills = append(tr.skills, fmt.Sprintf("%s|%s|%v", u.ID, s.ID, s.Proficiency))
		}
		for _, l := range u.Languages {
			tr.languages = append(tr.languages, fmt.Sprintf("%s|%s|%v", u.ID, l.ID, l.Proficiency))
		}
		for _, q := range u.Queues {
			tr.queues = append(tr.queues, fmt.Sprintf("%s|%s|%t", u.ID, q.QueueID, q.Joined))
		}
		for _, g := range u.Grants {
			tr.grants = append(tr.grants, fmt.Sprintf("%s|%s|%s", u.ID, g.RoleID, g.DivisionID))
		}
		for _, g := range u.GroupIDs {
			tr.groups = append(tr.groups, fmt.Sprintf("%s|%s", u.ID, g))
		}
	}
	for _, s := range []*[]string{&tr.users, &tr.skills, &tr.languages, &tr.queues, &tr.grants, &tr.groups} {
		sort.Strings(*s)
	}
	return tr
}

func (e *env) dbTruth(t *testing.T) truth {
	return truth{
		users:     e.dbRows(t, "SELECT id, name, email, state, division_id, manager_id, employee_id, version, acd_auto_answer FROM users WHERE deleted_at IS NULL"),
		skills:    e.dbRows(t, "SELECT user_id, skill_id, proficiency FROM user_skills"),
		languages: e.dbRows(t, "SELECT user_id, language_id, proficiency FROM user_languages"),
		queues:    e.dbRows(t, "SELECT user_id, queue_id, joined FROM user_queues"),
		grants:    e.dbRows(t, "SELECT user_id, role_id, division_id FROM user_role_grants"),
		groups:    e.dbRows(t, "SELECT user_id, group_id FROM user_groups"),
	}
}

func compareTruth(t *testing.T, want, got truth) {
	t.Helper()
	for name, pair := range map[string][2][]string{
		"users": {want.users, got.users}, "skills": {want.skills, got.skills}, "languages": {want.languages, got.languages},
		"queues": {want.queues, got.queues}, "grants": {want.grants, got.grants}, "groups": {want.groups, got.groups},
	} {
		if len(pair[0]) == 0 {
			t.Errorf("%s: the emulator org has none; the test proves nothing", name)
		}
		if d := cmp.Diff(pair[0], pair[1]); d != "" {
			t.Errorf("%s in Postgres differ from the emulator (-emulator +db):\n%s", name, firstLines(d, 30))
		}
	}
}

func firstLines(s string, n int) string {
	lines := strings.Split(s, "\n")
	if len(lines) > n {
		lines = append(lines[:n], fmt.Sprintf("... %d more lines", len(lines)-n))
	}
	return strings.Join(lines, "\n")
}

func TestForwardLoadsTheOrgExactly(t *testing.T) {
	t.Parallel()
	srv, c := org(t, emulator.Config{Users: 300, Seed: 3})
	e := newEnv(t)
	sum := forward(t, e, c, fullConfig())
	compareTruth(t, orgTruth(srv), e.dbTruth(t))
	if n := e.count(t, "SELECT count(*) FROM divisions"); n != len(srv.Divisions()) {
		t.Errorf("divisions = %d, want %d", n, len(srv.Divisions()))
	}
	if n := e.count(t, "SELECT count(*) FROM queues"); n != len(srv.Queues()) {
		t.Errorf("queues = %d, want %d", n, len(srv.Queues()))
	}
	if n := e.count(t, "SELECT count(*) FROM users WHERE raw->>'id' = id"); n != len(srv.Users()) {
		t.Errorf("users with their raw JSON = %d, want %d", n, len(srv.Users()))
	}
	// Every call was needed: the run used the minimum for the data.
	if sum.MinCalls() == 0 || sum.Calls.Total != sum.MinCalls() {
		t.Errorf("calls = %d, minimum for the data = %d; want equal; calls: %v; streams: %+v", sum.Calls.Total, sum.MinCalls(), sum.Calls.ByEndpoint, sum.Streams)
	}
}

func TestQueueStrategiesGiveIdenticalRows(t *testing.T) {
	t.Parallel()
	srv, c := org(t, emulator.Config{Users: 200, Seed: 11})
	want := orgTruth(srv).queues
	var joinedFalse int
	for _, q := range want {
		if strings.HasSuffix(q, "|false") {
			joinedFalse++
		}
	}
	if joinedFalse == 0 || joinedFalse == len(want) {
		t.Fatalf("the org needs joined and unjoined memberships to prove anything (%d of %d unjoined)", joinedFalse, len(want))
	}
	for _, strategy := range []string{pipeline.QueueStrategyQueue, pipeline.QueueStrategyPerUser} {
		t.Run(strategy, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t)
			cfg := fullConfig()
			cfg.QueueStrategy = strategy
			forward(t, e, c, cfg)
			got := e.dbRows(t, "SELECT user_id, queue_id, joined FROM user_queues")
			if d := cmp.Diff(want, got); d != "" {
				t.Errorf("strategy %s: memberships differ (-emulator +db):\n%s", strategy, firstLines(d, 20))
			}
		})
	}
}

func TestSecondRunAfterChurnRecordsExactlyTheChanges(t *testing.T) {
	t.Parallel()
	srv, c := org(t, emulator.Config{Users: 250, Seed: 5})
	e := newEnv(t)
	forward(t, e, c, fullConfig())
	before := e.count(t, "SELECT count(*) FROM users_history")
	// A second run on an unchanged org writes no history at all.
	forward(t, e, c, fullConfig())
	if n := e.count(t, "SELECT count(*) FROM users_history"); n != before {
		t.Fatalf("an unchanged org wrote %d history rows", n-before)
	}
	res, err := srv.Mutate(emulator.MutateRequest{Seed: 9, Percent: 10})
	if err != nil {
		t.Fatal(err)
	}
	forward(t, e, c, fullConfig())
	compareTruth(t, orgTruth(srv), e.dbTruth(t))
	changed := map[string]bool{}
	for _, ch := range append(append([]emulator.UserChange{}, res.Changed...), res.Left...) {
		changed[ch.UserID] = true
	}
	for _, id := range res.Joined {
		changed[id] = true
	}
	// Users whose own row changed (not only their skills or queues) get a
	// new history version; nobody else does.
	got := e.dbRows(t, "SELECT id FROM users_history GROUP BY id HAVING count(*) > 1")
	for _, id := range got {
		if !changed[id] {
			t.Errorf("user %s got a new history version but the emulator did not change it", id)
		}
	}
	if len(got) == 0 {
		t.Error("no user history recorded after churn")
	}
	if n := e.count(t, "SELECT count(*) FROM (SELECT id FROM users_history WHERE valid_to IS NULL GROUP BY id HAVING count(*) > 1) x"); n != 0 {
		t.Errorf("%d users have more than one current history row", n)
	}
	var joiners []string
	joiners = append(joiners, res.Joined...)
	slices.Sort(joiners)
	for _, id := range joiners {
		if e.count(t, "SELECT count(*) FROM users WHERE id = $1", id) != 1 {
			t.Errorf("joiner %s not loaded", id)
		}
	}
}

func TestUsersOverThePagingCapLoadCompletely(t *testing.T) {
	t.Parallel()
	// A cap of 400 on 1,200 users reproduces the 10,000 cap on 25,000
	// users at a twentieth of the cost: active users exceed two listings,
	// so the stream has to split by division through the users search,
	// while inactive users fit one listing. BenchmarkForward50k runs the
	// real cap on 50,000 users and checks the database the same way.
	srv, c := org(t, emulator.Config{Users: 1200, Seed: 21, PageCap: 400, SearchCap: 400})
	e := newEnv(t)
	cfg := fullConfig()
	cfg.PageSize = 100
	cfg.PagingCap = 400
	// The employee role holds every active user, past the cap of its
	// role-side listing: the roles stream falls back to one read per user.
	cfg.Streams = []string{"reference", "users", "skills", "languages", "roles"}
	sum := forward(t, e, c, cfg)
	if n := sum.Calls.ByEndpoint["GET /api/v2/authorization/subjects/{subjectId}"][200]; n == 0 {
		t.Error("the roles stream did not fall back to per-user reads")
	}
	want := orgTruth(srv)
	got := e.dbTruth(t)
	if d := cmp.Diff(want.users, got.users); d != "" {
		t.Errorf("users differ (-emulator +db):\n%s", firstLines(d, 20))
	}
	if d := cmp.Diff(want.skills, got.skills); d != "" {
		t.Errorf("skills differ (-emulator +db):\n%s", firstLines(d, 20))
	}
	if d := cmp.Diff(want.grants, got.grants); d != "" {
		t.Errorf("role grants differ (-emulator +db):\n%s", firstLines(d, 20))
	}
	if srv.UserCount("active") <= 800 {
		t.Fatalf("only %d active users: the division split was not exercised", srv.UserCount("active"))
	}
}

func TestOtherExpandsDoNotLookLikeChanges(t *testing.T) {
	t.Parallel()
	_, c := org(t, emulator.Config{Users: 120, Seed: 13})
	e := newEnv(t)
	forward(t, e, c, fullConfig())
	before := e.count(t, "SELECT count(*) FROM users_history")
	// The reverse path refreshes with fewer expands: the users are the same.
	narrow := fullConfig()
	narrow.Streams = []string{"reference", "users", "skills", "languages"}
	narrow.Expand = []string{"skills", "languages", "employerInfo"}
	sum := forward(t, e, c, narrow)
	for _, s := range sum.Streams {
		if s.Name == "users" && s.Stats["users"].Updated != 0 {
			t.Errorf("a run with other expands updated %d unchanged users", s.Stats["users"].Updated)
		}
	}
	if n := e.count(t, "SELECT count(*) FROM users_history"); n != before {
		t.Errorf("a run with other expands wrote %d history versions", n-before)
	}
	if n := e.count(t, "SELECT count(*) FROM users WHERE raw ? 'skills' OR raw ? 'groups'"); n != 0 {
		t.Errorf("%d users keep expanded lists in raw", n)
	}
}

// TestAutoQueueStrategyIsTheCheaper checks the per-run choice: an org with
// more queue pages than twice its users reads memberships user by user
// (waiting for the users stream's ids), a larger org queue by queue (without
// waiting); both load the emulator's memberships exactly.
func TestAutoQueueStrategyIsTheCheaper(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		users   int
		perUser bool
	}{{users: 4, perUser: true}, {users: 200, perUser: false}} {
		t.Run(fmt.Sprint(tc.users, "users"), func(t *testing.T) {
			t.Parallel()
			srv, c := org(t, emulator.Config{Users: tc.users, Seed: 7})
			e := newEnv(t)
			sum := forward(t, e, c, fullConfig())
			byUser := sum.Calls.ByEndpoint["GET /api/v2/users/{userId}/queues"][200]
			byQueue := sum.Calls.ByEndpoint["GET /api/v2/routing/queues/{queueId}/members"][200]
			if tc.perUser && (byUser == 0 || byQueue != 0) {
				t.Errorf("%d users, %d queues: %d per-user and %d queue-side calls, want per user only", tc.users, len(srv.Queues()), byUser, byQueue)
			}
			if !tc.perUser && (byQueue == 0 || byUser != 0) {
				t.Errorf("%d users, %d queues: %d per-user and %d queue-side calls, want queue side only", tc.users, len(srv.Queues()), byUser, byQueue)
			}
			want := orgTruth(srv).queues
			if got := e.dbRows(t, "SELECT user_id, queue_id, joined FROM user_queues"); !slices.Equal(want, got) {
				t.Errorf("memberships differ (-emulator +db):\n%s", firstLines(cmp.Diff(want, got), 20))
			}
		})
	}
}

// Costs lists every registered stream: what a stream of the run used at
// the least, and an estimate from the sizes the run learned for the
// others. The estimates of the streams that ran are what they measured.
func TestCostsOfEveryStream(t *testing.T) {
	t.Parallel()
	_, c := org(t, emulator.Config{Users: 150, Seed: 19})
	e := newEnv(t)
	cfg := fullConfig()
	streams, err := pipeline.ForwardStreams(c, cfg)
	if err != nil {
		t.Fatal(err)
	}
	sum, err := e.runner.DryRun(context.Background(), "nightly", streams, nil)
	if err != nil {
		t.Fatal(err)
	}
	costs := pipeline.Costs(sum, cfg)
	if len(costs) != len(pipeline.Specs()) {
		t.Fatalf("%d costs for %d streams", len(costs), len(pipeline.Specs()))
	}
	measured := map[string]int64{}
	for _, r := range sum.Streams {
		measured[r.Name] = r.Progress.MinCalls
	}
	sizes := pipeline.SizesOf(sum)
	for _, cost := range costs {
		spec, _ := pipeline.Lookup(cost.Stream)
		m, ran := measured[cost.Stream]
		switch {
		case !cost.Known:
			t.Errorf("%s: cost unknown after a run of every stream it counts by", cost.Stream)
		case ran && (!cost.InRun || cost.Calls != m):
			t.Errorf("%s ran: cost %+v, want the %d calls it needed", cost.Stream, cost, m)
		case !ran && (cost.InRun || cost.Calls <= 0):
			t.Errorf("%s did not run: cost %+v, want an estimate", cost.Stream, cost)
		}
		if !ran {
			continue
		}
		est, ok := spec.Estimate(sizes, cfg.WithDefaults())
		exact := cost.Stream != pipeline.StreamRoles // a role's subjects are not counted up front
		if !ok || (exact && est != m) || (!exact && est > m) {
			t.Errorf("%s: estimate %d (known %t), measured %d", cost.Stream, est, ok, m)
		}
	}
	var b strings.Builder
	pipeline.RenderCosts(&b, costs, 300)
	for _, want := range []string{"at 300 requests/minute", "user_details", "not in this pipeline", "about "} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("the costs lack %q:\n%s", want, b.String())
		}
	}
}
