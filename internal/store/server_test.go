package store_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/usersync/syncer/internal/pgtest"
	"github.com/usersync/syncer/internal/store"
)

func TestWithDatabase(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct{ in, want string }{
		{"postgres://postgres@127.0.0.1:5432/postgres", "postgres://postgres@127.0.0.1:5432/syncer_demo_x"},
		{"postgresql://u:p%40ss@db:6543/warehouse?sslmode=require", "postgresql://u:p%40ss@db:6543/syncer_demo_x?sslmode=require"},
		{"postgres://u@db", "postgres://u@db/syncer_demo_x"},
		{"host=db user=u dbname=warehouse", "host=db user=u dbname=warehouse dbname=syncer_demo_x"},
	} {
		got := store.WithDatabase(tt.in, "syncer_demo_x")
		if got != tt.want {
			t.Errorf("WithDatabase(%q) = %q, want %q", tt.in, got, tt.want)
		}
		cfg, err := pgx.ParseConfig(got)
		if err != nil || cfg.Database != "syncer_demo_x" {
			t.Errorf("WithDatabase(%q) = %q: pgx reads database %v (%v)", tt.in, got, cfg, err)
		}
	}
}

func TestParseTarget(t *testing.T) {
	t.Parallel()
	got, err := store.ParseTarget("postgres://syncer:Sekr1t@db.example:6543/warehouse?sslmode=disable")
	if want := (store.Target{Host: "db.example", Port: 6543, User: "syncer", Database: "warehouse"}); err != nil || got != want {
		t.Errorf("ParseTarget = %+v, %v; want %+v", got, err, want)
	}
	if got.Addr() != "db.example:6543" {
		t.Errorf("Addr = %q", got.Addr())
	}
	if v6, err := store.ParseTarget("host=::1 port=5433 dbname=x"); err != nil || v6.Addr() != "[::1]:5433" {
		t.Errorf("ParseTarget of an IPv6 host = %+v, %v", v6, err)
	}
	for _, bad := range []string{"postgres://u:Sekr1t@db:notaport/x", "host=db port=Sekr1t"} {
		_, err := store.ParseTarget(bad)
		if !errors.Is(err, store.ErrBadURL) || strings.Contains(err.Error(), "Sekr1t") {
			t.Errorf("ParseTarget(%q): err = %v, want ErrBadURL without the string", bad, err)
		}
	}
}

// Admin's lock is the connection's until it closes; DropSchema drops a
// schema with its tables, and a missing one quietly.
func TestAdmin(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dbURL, schema := pgtest.Schema(t)
	a, err := store.ConnectAdmin(ctx, dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close(ctx)
	target, _ := store.ParseTarget(dbURL)
	if a.Database() != target.Database {
		t.Errorf("Database = %q, want %q", a.Database(), target.Database)
	}
	b, err := store.ConnectAdmin(ctx, dbURL)
	if err != nil {
		t.Fatal(err)
	}
	key := "store test " + schema
	for i, want := range []bool{true, true, false} { // a twice (re-entrant), then b
		who := a
		if i == 2 {
			who = b
		}
		if got, err := who.TryLock(ctx, key); err != nil || got != want {
			t.Errorf("TryLock #%d = %v, %v; want %v", i+1, got, err, want)
		}
	}
	b.Close(ctx)

	pool := pgtest.Pool(t, dbURL, schema)
	doomed := schema + "_doomed"
	if _, err := pool.Exec(ctx, "CREATE SCHEMA "+doomed+"; CREATE TABLE "+doomed+".t (id int)"); err != nil {
		t.Fatal(err)
	}
	for range 2 {
		if err := a.DropSchema(ctx, doomed); err != nil {
			t.Fatalf("DropSchema: %v", err)
		}
	}
	var n int
	if err := pool.QueryRow(ctx, "SELECT count(*) FROM pg_namespace WHERE nspname = $1", doomed).Scan(&n); err != nil || n != 0 {
		t.Errorf("schema %s left: %d (%v)", doomed, n, err)
	}

	if _, err := store.ConnectAdmin(ctx, "postgres://u:Sekr1t@db:notaport/x"); !errors.Is(err, store.ErrBadURL) || strings.Contains(err.Error(), "Sekr1t") {
		t.Errorf("ConnectAdmin of a bad string: %v", err)
	}
}
