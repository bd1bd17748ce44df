package load_test

import (
	"context"
	"net/url"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/usersync/syncer/internal/load"
	"github.com/usersync/syncer/internal/pgtest"
	"github.com/usersync/syncer/internal/store"
)

// TestLeastPrivilegeOwner runs the migrations and a load as a role that is
// not a superuser and owns nothing but the syncer schema (the setup the
// README documents), and checks a read-only BI role can query the views.
func TestLeastPrivilegeOwner(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dbURL, base := pgtest.Schema(t)
	admin := pgtest.Pool(t, dbURL, base)
	role, reader, schema := base+"_owner", base+"_bi", base+"_lp"
	q := func(s string) string { return pgx.Identifier{s}.Sanitize() }
	for _, stmt := range []string{
		"CREATE ROLE " + q(role) + " LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE",
		"CREATE ROLE " + q(reader) + " LOGIN NOSUPERUSER",
		"CREATE SCHEMA " + q(schema) + " AUTHORIZATION " + q(role),
	} {
		if _, err := admin.Exec(ctx, stmt); err != nil {
			t.Fatalf("%s: %v", stmt, err)
		}
	}
	t.Cleanup(func() {
		ctx := context.Background()
		for _, stmt := range []string{
			"DROP SCHEMA IF EXISTS " + q(schema) + " CASCADE",
			"DROP OWNED BY " + q(role) + ", " + q(reader),
			"DROP ROLE IF EXISTS " + q(role),
			"DROP ROLE IF EXISTS " + q(reader),
		} {
			if _, err := admin.Exec(ctx, stmt); err != nil {
				t.Errorf("cleanup %s: %v", stmt, err)
			}
		}
	})
	as := func(user string) string {
		u, err := url.Parse(dbURL)
		if err != nil {
			t.Fatal(err)
		}
		u.User = url.User(user)
		return u.String()
	}

	st, err := store.Open(ctx, as(role), store.Config{Schema: schema})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if _, err := st.Migrate(ctx); err != nil {
		t.Fatalf("migrate as a schema owner without superuser: %v", err)
	}
	var super bool
	if err := st.Pool().QueryRow(ctx, "SELECT rolsuper FROM pg_roles WHERE rolname = current_user").Scan(&super); err != nil || super {
		t.Fatalf("test role is superuser (%v, %v)", super, err)
	}
	l := load.New(st.Pool(), load.Config{Schema: schema})
	tx, err := l.Begin(ctx, usersStream)
	if err != nil {
		t.Fatal(err)
	}
	users, skills := sampleUsers()
	if err := tx.Users(ctx, users); err != nil {
		t.Fatal(err)
	}
	if err := tx.UserSkills(ctx, ids(users), skills); err != nil {
		t.Fatal(err)
	}
	if _, err := tx.Commit(ctx, &load.Watermark{Cursor: "c"}); err != nil {
		t.Fatalf("load as the schema owner: %v", err)
	}
	// Analytics into months with no partition yet: the owner creates them.
	at := ts("2031-01-15T08:00:00Z")
	sum := 1800000.0
	tx, err = l.Begin(ctx, load.Stream{Pipeline: "nightly", Name: "analytics"})
	if err != nil {
		t.Fatal(err)
	}
	if err := tx.PresenceSegments(ctx, []load.PresenceSegmentRow{{UserID: users[0].ID, Start: at, End: at.Add(time.Hour), SystemPresence: "AVAILABLE"}}); err != nil {
		t.Fatal(err)
	}
	if err := tx.Aggregates(ctx, []load.AggregateRow{{UserID: users[0].ID, IntervalStart: at, IntervalEnd: at.Add(30 * time.Minute), Granularity: "PT30M",
		Metric: "tSystemPresence", Qualifier: "AVAILABLE", Sum: &sum}}); err != nil {
		t.Fatal(err)
	}
	if _, err := tx.Commit(ctx, nil); err != nil {
		t.Fatalf("analytics load into new months as the schema owner: %v", err)
	}
	// The grants the README gives a BI reader.
	for _, stmt := range []string{
		"GRANT USAGE ON SCHEMA " + q(schema) + " TO " + q(reader),
		"GRANT SELECT ON ALL TABLES IN SCHEMA " + q(schema) + " TO " + q(reader),
	} {
		if _, err := st.Pool().Exec(ctx, stmt); err != nil {
			t.Fatalf("%s: %v", stmt, err)
		}
	}
	rd, err := pgx.Connect(ctx, as(reader))
	if err != nil {
		t.Fatal(err)
	}
	defer rd.Close(ctx)
	var n int
	if err := rd.QueryRow(ctx, "SELECT count(*) FROM "+pgx.Identifier{schema, "current_agents"}.Sanitize()).Scan(&n); err != nil || n != 3 {
		t.Errorf("BI reader: current_agents count %d, err %v", n, err)
	}
	if _, err := rd.Exec(ctx, "DELETE FROM "+pgx.Identifier{schema, "users"}.Sanitize()); err == nil {
		t.Error("BI reader could delete users")
	}
	// The months the loader added after the grants read through their parent.
	for q, want := range map[string]int{
		"SELECT count(*) FROM " + pgx.Identifier{schema, "user_aggregates"}.Sanitize():                                         1,
		"SELECT count(*) FROM " + pgx.Identifier{schema, "presence_daily_between"}.Sanitize() + "('2031-01-01', '2031-01-31')": 1,
		"SELECT count(*) FROM " + pgx.Identifier{schema, "presence_days_between"}.Sanitize() + "('2031-01-01', '2031-01-31')":  1,
	} {
		if err := rd.QueryRow(ctx, q).Scan(&n); err != nil || n != want {
			t.Errorf("BI reader: %s = %d, err %v; want %d", q, n, err, want)
		}
	}
	if _, err := rd.Exec(ctx, "SELECT "+pgx.Identifier{schema, "ensure_month_partition"}.Sanitize()+"($1::regclass, '2032-01-01')",
		pgx.Identifier{schema, "user_presence_segments"}.Sanitize()); err == nil {
		t.Error("BI reader could add a month to user_presence_segments")
	}
}
