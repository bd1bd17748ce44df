package load_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/jackc/pgx/v5"

	"github.com/usersync/syncer/internal/load"
	"github.com/usersync/syncer/internal/pgtest"
	"github.com/usersync/syncer/internal/store"
)

func TestQueueStrategiesGiveSameRows(t *testing.T) {
	t.Parallel()
	members := []load.QueueMemberRow{
		{UserID: "u1", QueueID: "q1", Joined: true},
		{UserID: "u2", QueueID: "q1", Joined: false},
		{UserID: "u1", QueueID: "q2", Joined: true},
	}
	byUser, byQueue := newEnv(t), newEnv(t)
	s := load.Stream{Pipeline: "p", Name: "queues", Snapshot: true}
	byUser.stream(t, s, nil, func(ctx context.Context, tx *load.Tx) error {
		return tx.QueueMembersByUser(ctx, []string{"u1", "u2", "u3"}, members)
	})
	byQueue.stream(t, s, nil, func(ctx context.Context, tx *load.Tx) error {
		if err := tx.QueueMembersByQueue(ctx, []string{"q1"}, members[:2]); err != nil {
			return err
		}
		return tx.QueueMembersByQueue(ctx, []string{"q2", "q3"}, members[2:])
	})
	rows := func(e *env) []load.QueueMemberRow {
		r, err := e.pool.Query(context.Background(), "SELECT user_id, queue_id, joined FROM user_queues ORDER BY 1, 2")
		if err != nil {
			t.Fatal(err)
		}
		out, err := pgx.CollectRows(r, pgx.RowToStructByPos[load.QueueMemberRow])
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	if d := cmp.Diff(rows(byUser), rows(byQueue)); d != "" {
		t.Errorf("per-user and queue-side rows differ (-user +queue):\n%s", d)
	}
	// Queue side: q1 loses u2, u1 unjoins q2 (a change: history closes and opens).
	got := byQueue.stream(t, s, nil, func(ctx context.Context, tx *load.Tx) error {
		if err := tx.QueueMembersByQueue(ctx, []string{"q1"}, members[:1]); err != nil {
			return err
		}
		return tx.QueueMembersByQueue(ctx, []string{"q2"}, []load.QueueMemberRow{{UserID: "u1", QueueID: "q2"}})
	})
	if d := cmp.Diff(load.TableStats{Updated: 1, Unchanged: 1, Deleted: 1}, got["user_queues"]); d != "" {
		t.Errorf("queue-side change (-want +got):\n%s", d)
	}
	byQueue.checkHistory(t, "user_queues_history", "user_queues", "user_id", "queue_id")
}

func TestViewsAndAsOf(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	e.stream(t, load.Stream{Pipeline: "p", Name: "reference", Snapshot: true}, nil, func(ctx context.Context, tx *load.Tx) error {
		if err := tx.Divisions(ctx, []load.DivisionRow{{ID: "d1", Name: "Home", HomeDivision: true}}); err != nil {
			return err
		}
		if err := tx.Skills(ctx, []load.SkillRow{{ID: "s1", Name: "Billing"}, {ID: "s2", Name: "Sales"}}); err != nil {
			return err
		}
		if err := tx.Languages(ctx, []load.LanguageRow{{ID: "l1", Name: "French"}}); err != nil {
			return err
		}
		if err := tx.Queues(ctx, []load.QueueRow{{ID: "q1", Name: "Support", DivisionID: "d1", MemberCount: 1, JoinedMemberCount: 1}}); err != nil {
			return err
		}
		return tx.Roles(ctx, []load.RoleRow{{ID: "r1", Name: "Agent"}})
	})
	users := []load.UserRow{
		{ID: "m1", Name: "Maria", Email: "maria@example.com", State: "active", DivisionID: "d1"},
		{ID: "u1", Name: "Ada", Email: "ada@example.com", State: "active", DivisionID: "d1", ManagerID: "m1"},
	}
	e.stream(t, usersStream, nil, func(ctx context.Context, tx *load.Tx) error {
		if err := tx.Users(ctx, users); err != nil {
			return err
		}
		if err := tx.UserSkills(ctx, []string{"m1", "u1"}, []load.UserSkillRow{{UserID: "u1", SkillID: "s2", Proficiency: 2}, {UserID: "u1", SkillID: "s1", Proficiency: 4}}); err != nil {
			return err
		}
		if err := tx.UserLanguages(ctx, []string{"m1", "u1"}, []load.UserLanguageRow{{UserID: "u1", LanguageID: "l1", Proficiency: 5}}); err != nil {
			return err
		}
		return tx.QueueMembersByUser(ctx, []string{"m1", "u1"}, []load.QueueMemberRow{{UserID: "u1", QueueID: "q1", Joined: true}})
	})
	var before time.Time
	if err := e.pool.QueryRow(ctx, "SELECT clock_timestamp()").Scan(&before); err != nil {
		t.Fatal(err)
	}
	var (
		name, division, manager string
		skills                  []string
		langs                   json.RawMessage
		queues                  int
	)
	err := e.pool.QueryRow(ctx, `SELECT name, division_name, manager_name, skill_names, languages, joined_queue_count
		FROM current_agents WHERE user_id = 'u1'`).Scan(&name, &division, &manager, &skills, &langs, &queues)
	if err != nil {
		t.Fatal(err)
	}
	if name != "Ada" || division != "Home" || manager != "Maria" || queues != 1 {
		t.Errorf("current_agents row: %q %q %q queues %d", name, division, manager, queues)
	}
	if d := cmp.Diff([]string{"Billing", "Sales"}, skills); d != "" {
		t.Errorf("skill_names (-want +got):\n%s", d)
	}
	var gotLangs []map[string]any
	if err := json.Unmarshal(langs, &gotLangs); err != nil || len(gotLangs) != 1 || gotLangs[0]["name"] != "French" || gotLangs[0]["proficiency"] != 5.0 {
		t.Errorf("languages = %s (%v)", langs, err)
	}
	if n := e.count(t, "SELECT count(*) FROM queue_membership WHERE queue_name = 'Support' AND user_email = 'ada@example.com' AND joined AND member_since IS NOT NULL"); n != 1 {
		t.Error("queue_membership does not show Ada joined to Support")
	}

	// Ada loses Sales and leaves the queue; the past stays answerable.
	e.stream(t, usersStream, nil, func(ctx context.Context, tx *load.Tx) error {
		if err := tx.Users(ctx, users); err != nil {
			return err
		}
		if err := tx.UserSkills(ctx, []string{"m1", "u1"}, []load.UserSkillRow{{UserID: "u1", SkillID: "s1", Proficiency: 4}}); err != nil {
			return err
		}
		return tx.QueueMembersByUser(ctx, []string{"m1", "u1"}, nil)
	})
	if n := e.count(t, "SELECT count(*) FROM user_skills_as_of($1) WHERE user_id = 'u1'", before); n != 2 {
		t.Errorf("user_skills_as_of(before) = %d skills, want 2", n)
	}
	if n := e.count(t, "SELECT count(*) FROM user_skills_as_of(now()) WHERE user_id = 'u1'"); n != 1 {
		t.Errorf("user_skills_as_of(now) = %d skills, want 1", n)
	}
	if n := e.count(t, "SELECT count(*) FROM user_queues_as_of($1) WHERE user_id = 'u1' AND joined", before); n != 1 {
		t.Errorf("user_queues_as_of(before) = %d, want 1", n)
	}
	if n := e.count(t, "SELECT count(*) FROM user_queues_as_of(now())"); n != 0 {
		t.Errorf("user_queues_as_of(now) = %d, want 0", n)
	}
	if n := e.count(t, "SELECT count(*) FROM users_as_of($1)", before); n != 2 {
		t.Errorf("users_as_of(before) = %d, want 2", n)
	}
	if n := e.count(t, "SELECT count(*) FROM users_as_of($1)", before.Add(-time.Hour)); n != 0 {
		t.Errorf("users_as_of(an hour before the first load) = %d, want 0", n)
	}

	// Presence across midnight is split by UTC day; open segments count to now.
	start := ts("2026-11-01T23:00:00Z")
	e.stream(t, load.Stream{Pipeline: "p", Name: "details"}, nil, func(ctx context.Context, tx *load.Tx) error {
		return tx.PresenceSegments(ctx, []load.PresenceSegmentRow{
			{UserID: "u1", Start: start, End: start.Add(3 * time.Hour), SystemPresence: "AVAILABLE"},
			{UserID: "u1", Start: start.Add(3 * time.Hour), End: start.Add(4 * time.Hour), SystemPresence: "AVAILABLE"},
			{UserID: "u1", Start: start.Add(4 * time.Hour), End: start.Add(4*time.Hour + 30*time.Minute), SystemPresence: "BREAK"},
		})
	})
	type daily struct {
		Day      time.Time
		Presence string
		Seconds  float64
	}
	r, err := e.pool.Query(ctx, "SELECT day, system_presence, seconds FROM presence_daily WHERE user_id = 'u1' ORDER BY 1, 2")
	if err != nil {
		t.Fatal(err)
	}
	got, err := pgx.CollectRows(r, pgx.RowToStructByPos[daily])
	if err != nil {
		t.Fatal(err)
	}
	want := []daily{
		{ts("2026-11-01T00:00:00Z"), "AVAILABLE", 3600},
		{ts("2026-11-02T00:00:00Z"), "AVAILABLE", 3 * 3600},
		{ts("2026-11-02T00:00:00Z"), "BREAK", 1800},
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("presence_daily (-want +got):\n%s", d)
	}
	r, err = e.pool.Query(ctx, "SELECT day, system_presence, seconds FROM presence_daily_between('2026-11-02', '2026-11-02') WHERE user_id = 'u1' ORDER BY 1, 2")
	if err != nil {
		t.Fatal(err)
	}
	got, err = pgx.CollectRows(r, pgx.RowToStructByPos[daily])
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff(want[1:], got); d != "" {
		t.Errorf("presence_daily_between one day (-want +got):\n%s", d)
	}
	if n := e.count(t, "SELECT count(*) FROM routing_status_daily_between('2026-11-01', '2026-11-02')"); n != 0 {
		t.Errorf("routing_status_daily_between with no routing segments: %d rows", n)
	}
}

// TestQuotedNamesAndValues loads into a schema whose name needs quoting,
// values full of SQL metacharacters, and checks they come back verbatim.
func TestQuotedNamesAndValues(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dbURL, base := pgtest.Schema(t)
	schema := base + `_We"ird 'sch;ema`
	pool := pgtest.Pool(t, dbURL, base)
	t.Cleanup(func() {
		_, _ = pool.Exec(context.Background(), "DROP SCHEMA IF EXISTS "+pgx.Identifier{schema}.Sanitize()+" CASCADE")
	})
	st := store.New(pool, store.Config{Schema: schema})
	if _, err := st.Migrate(ctx); err != nil {
		t.Fatalf("migrate into %q: %v", schema, err)
	}
	e := &env{pool: pool, schema: schema, loader: load.New(pool, load.Config{Schema: schema}), store: st}
	nasty := `O'Brien "the \ one"); DROP TABLE users; -- ` + "\t☃"
	e.stream(t, usersStream, &load.Watermark{Cursor: nasty}, func(ctx context.Context, tx *load.Tx) error {
		if err := tx.Users(ctx, []load.UserRow{{ID: nasty, Name: nasty, Title: "$1", Raw: json.RawMessage(`{"name":"O'Brien \"x\""}`)}}); err != nil {
			return err
		}
		return tx.UserSkills(ctx, []string{nasty}, []load.UserSkillRow{{UserID: nasty, SkillID: "s'1", SkillName: nasty}})
	})
	var id, name, title, skill string
	err := pool.QueryRow(ctx, "SELECT u.id, u.name, u.title, s.skill_name FROM "+pgx.Identifier{schema, "users"}.Sanitize()+
		" u JOIN "+pgx.Identifier{schema, "user_skills"}.Sanitize()+" s ON s.user_id = u.id").Scan(&id, &name, &title, &skill)
	if err != nil {
		t.Fatal(err)
	}
	if id != nasty || name != nasty || title != "$1" || skill != nasty {
		t.Errorf("values not verbatim: id %q name %q title %q skill %q", id, name, title, skill)
	}
	wm, err := st.Watermark(ctx, "nightly", "users")
	if err != nil || wm.Cursor != nasty {
		t.Errorf("watermark cursor = %q, err %v", wm.Cursor, err)
	}
}

// TestReadmeQueries runs the example queries of README.md ("Querying the
// data") against a loaded schema, so the documentation cannot rot.
func TestReadmeQueries(t *testing.T) {
	t.Parallel()
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, rest, ok := strings.Cut(string(readme), "SET search_path = genesys;")
	if !ok {
		t.Fatal("README.md has no example queries block")
	}
	queries, _, _ := strings.Cut(rest, "```")
	e := newEnv(t)
	users, skills := sampleUsers()
	loadUsers(t, e, users, skills)
	conn, err := e.pool.Acquire(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Release()
	results, err := conn.Conn().PgConn().Exec(context.Background(), queries).ReadAll()
	if err != nil {
		t.Fatalf("README queries: %v", err)
	}
	if len(results) != 5 {
		t.Errorf("README has %d example queries, want 5", len(results))
	}
}

// The daily views and range functions as migration 00005 defined them, the
// reference the faster ones of 00009 must agree with row for row.
const (
	presenceDailyBefore = `SELECT s.user_id, d.day::date AS day, s.system_presence,
       sum(extract(epoch FROM least(s.en, d.day + interval '1 day') - greatest(s.st, d.day)))::double precision AS seconds,
       count(*) AS segments, bool_or(s.open) AS includes_open
FROM (SELECT user_id, system_presence, start_time AT TIME ZONE 'UTC' AS st,
             coalesce(end_time, greatest(now(), start_time)) AT TIME ZONE 'UTC' AS en, end_time IS NULL AS open
      FROM user_presence_segments %s) s
CROSS JOIN LATERAL generate_series(date_trunc('day', s.st), s.en, interval '1 day') AS d(day)
WHERE (d.day < s.en OR s.st = s.en) %s
GROUP BY s.user_id, d.day, s.system_presence`
	rangeWhere = `WHERE start_time < ($2::date + 1)::timestamp AT TIME ZONE 'UTC' AND (end_time IS NULL OR end_time > $1::date::timestamp AT TIME ZONE 'UTC')`
	rangeDays  = `AND d.day >= $1::date AND d.day <= $2::date`
)

// TestDailyViewsGiveTheSameAnswers compares presence_daily and
// presence_daily_between (and their routing twins) with the definitions
// they replaced, over six weeks of the emulator's history for 12 users
// plus the edge cases: segments crossing midnight and a month's end, one
// ending exactly at midnight, zero-length ones, a leave of several weeks,
// and open segments, one of them weeks old.
func TestDailyViewsGiveTheSameAnswers(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	w := newWarehouse(e, 12)
	from, to := ts("2026-09-26T00:00:00Z"), ts("2026-11-06T00:00:00Z")
	w.details(t, from, to, true)
	at := func(s string) time.Time { return ts(s) }
	e.stream(t, load.Stream{Pipeline: "p", Name: "edges"}, nil, func(ctx context.Context, tx *load.Tx) error {
		if err := tx.PresenceSegments(ctx, []load.PresenceSegmentRow{
			{UserID: "e1", Start: at("2026-09-30T22:00:00Z"), End: at("2026-10-01T00:00:00Z"), SystemPresence: "AVAILABLE"},
			{UserID: "e1", Start: at("2026-10-01T00:00:00Z"), End: at("2026-10-01T00:00:00Z"), SystemPresence: "BUSY"},
			{UserID: "e1", Start: at("2026-10-01T00:00:00Z"), End: at("2026-10-03T12:30:00.123456Z"), SystemPresence: "OFFLINE"},
			{UserID: "e2", Start: at("2026-08-25T17:00:00Z"), End: at("2026-10-14T08:00:00Z"), SystemPresence: "OFFLINE"},
			{UserID: "e3", Start: at("2026-09-12T08:00:00Z"), SystemPresence: "ON_QUEUE"},
			{UserID: "e4", Start: at("2026-10-31T23:59:59.999Z"), End: at("2026-11-01T00:00:00.001Z"), SystemPresence: "MEAL"},
			{UserID: "e5", Start: at("2026-10-20T09:00:00Z"), SystemPresence: "BREAK"},
		}); err != nil {
			return err
		}
		return tx.RoutingStatusSegments(ctx, []load.RoutingStatusSegmentRow{
			{UserID: "e2", Start: at("2026-08-25T17:00:00Z"), End: at("2026-10-14T08:00:00Z"), RoutingStatus: "OFF_QUEUE"},
			{UserID: "e3", Start: at("2026-09-12T08:00:00Z"), RoutingStatus: "IDLE"},
		})
	})
	routing := func(q string) string {
		return strings.NewReplacer("system_presence", "routing_status", "user_presence_segments", "user_routing_status_segments",
			"presence_daily", "routing_status_daily").Replace(q)
	}
	// One transaction: now() is the same for both sides. Without JIT, which
	// compiles each of these small queries longer than it runs.
	ctx := context.Background()
	tx, err := e.pool.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback(ctx)
	if _, err := tx.Exec(ctx, "SET LOCAL jit = off"); err != nil {
		t.Fatal(err)
	}
	rows := txRows(t, tx)
	for _, q := range []func(string) string{func(s string) string { return s }, routing} {
		want := rows(q(fmt.Sprintf(presenceDailyBefore, "", "")))
		if len(want) < 300 {
			t.Fatalf("only %d rows: the comparison would prove little", len(want))
		}
		if d := cmp.Diff(want, rows(q("SELECT * FROM presence_daily"))); d != "" {
			t.Errorf("%s differs from its former definition (-before +now):\n%s", q("presence_daily"), d)
		}
		for _, r := range [][2]string{{"2026-10-01", "2026-10-31"}, {"2026-10-14", "2026-10-14"}, {"2026-09-01", "2026-12-31"},
			{"2026-10-02", "2026-10-03"}, {"2026-11-01", "2026-11-01"}, {"2026-10-20", "2026-12-05"}} {
			want := rows(q(fmt.Sprintf(presenceDailyBefore, rangeWhere, rangeDays)), r[0], r[1])
			if d := cmp.Diff(want, rows(q("SELECT * FROM presence_daily_between($1, $2)"), r[0], r[1])); d != "" {
				t.Errorf("%s(%s, %s) differs from its former definition (-before +now):\n%s", q("presence_daily_between"), r[0], r[1], d)
			}
			// The same for a few users only.
			users := []string{w.users[0], w.users[3], "e2", "e3"}
			want = rows(q(fmt.Sprintf(presenceDailyBefore, rangeWhere+" AND user_id = ANY ($3)", rangeDays)), r[0], r[1], users)
			if d := cmp.Diff(want, rows(q("SELECT * FROM presence_daily_between($1, $2, $3)"), r[0], r[1], users)); d != "" {
				t.Errorf("%s(%s, %s, users) differs from its former definition (-before +now):\n%s", q("presence_daily_between"), r[0], r[1], d)
			}
		}
	}
}

// TestBIDocQueries runs the SQL of docs/bi.md against a loaded schema, and
// checks its month-of-presence query is the one BenchmarkWarehouse times.
func TestBIDocQueries(t *testing.T) {
	t.Parallel()
	doc, err := os.ReadFile("../../docs/bi.md")
	if err != nil {
		t.Fatal(err)
	}
	dates := strings.NewReplacer("$1", "'2026-10-01'", "$2", "'2026-10-31'", "$3", "ARRAY(SELECT id FROM users WHERE email = 'ada@example.com')")
	for _, q := range []string{monthOfPresence, orgMonthOfPresence, monthOfPresenceDays, orgMonthOfPresenceDays} {
		if want := dates.Replace(q); !strings.Contains(string(doc), want) {
			t.Errorf("docs/bi.md does not show the query the benchmark times:\n%s", want)
		}
	}
	e := newEnv(t)
	newWarehouse(e, 3).details(t, ts("2026-09-28T00:00:00Z"), ts("2026-10-03T00:00:00Z"), true)
	blocks := strings.Split(string(doc), "```sql\n")[1:]
	if len(blocks) == 0 {
		t.Fatal("docs/bi.md has no SQL")
	}
	conn, err := e.pool.Acquire(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Release()
	for _, b := range blocks {
		q, _, _ := strings.Cut(b, "```")
		q = strings.ReplaceAll(q, "SET search_path = genesys;", "")
		if _, err := conn.Conn().PgConn().Exec(context.Background(), q).ReadAll(); err != nil {
			t.Errorf("docs/bi.md query:\n%s\n%v", q, err)
		}
	}
}

// TestAnalyticsCommented: every relation, column and function migration
// 00009 creates carries a COMMENT, which BI tools show.
func TestAnalyticsCommented(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	const rels = `c.relnamespace = $1::regnamespace AND c.relname IN ('user_presence_segments', 'user_routing_status_segments',
		'user_aggregate_days', 'user_aggregates', 'presence_daily', 'routing_status_daily')`
	if n := e.count(t, "SELECT count(*) FROM pg_class c WHERE "+rels, e.schema); n != 6 {
		t.Fatalf("found %d of the 6 relations", n)
	}
	r, err := e.pool.Query(context.Background(), `
SELECT c.relname::text FROM pg_class c WHERE `+rels+` AND obj_description(c.oid, 'pg_class') IS NULL
UNION ALL
SELECT c.relname || '.' || a.attname FROM pg_class c JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
WHERE `+rels+` AND col_description(c.oid, a.attnum) IS NULL
UNION ALL
SELECT p.proname::text FROM pg_proc p WHERE p.pronamespace = $1::regnamespace
  AND p.proname IN ('ensure_month_partition', 'user_aggregates_between', 'presence_daily_between', 'routing_status_daily_between',
                    'segments_daily_between')
  AND obj_description(p.oid, 'pg_proc') IS NULL
ORDER BY 1`, e.schema)
	if err != nil {
		t.Fatal(err)
	}
	missing, err := pgx.CollectRows(r, pgx.RowTo[string])
	if err != nil {
		t.Fatal(err)
	}
	if len(missing) > 0 {
		t.Errorf("no COMMENT on: %s", strings.Join(missing, ", "))
	}
}
