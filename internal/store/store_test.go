package store_test

import (
	"context"
	"errors"
	"net/url"
	"sync"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/usersync/syncer/internal/pgtest"
	"github.com/usersync/syncer/internal/store"
)

// newStore returns a store on a fresh schema, migrated when migrate is true.
func newStore(t *testing.T, migrate bool) *store.Store {
	t.Helper()
	dbURL, schema := pgtest.Schema(t)
	s := store.New(pgtest.Pool(t, dbURL, schema), store.Config{Schema: schema})
	if migrate {
		if _, err := s.Migrate(context.Background()); err != nil {
			t.Fatalf("Migrate: %v", err)
		}
	}
	return s
}

func TestMigrateTwice(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := newStore(t, false)
	first, err := s.Migrate(ctx)
	if err != nil {
		t.Fatalf("first Migrate: %v", err)
	}
	if len(first) == 0 {
		t.Fatal("first Migrate applied nothing")
	}
	second, err := s.Migrate(ctx)
	if err != nil {
		t.Fatalf("second Migrate: %v", err)
	}
	if len(second) != 0 {
		t.Errorf("second Migrate applied %d migrations, want 0", len(second))
	}
	st, err := s.MigrationStatus(ctx)
	if err != nil {
		t.Fatalf("MigrationStatus: %v", err)
	}
	if len(st) != len(first) {
		t.Errorf("status lists %d migrations, applied %d", len(st), len(first))
	}
	for _, m := range st {
		if !m.Applied || m.AppliedAt.IsZero() {
			t.Errorf("migration %d (%s) not applied after Migrate: %+v", m.Version, m.Name, m)
		}
	}
	// goose's version table lives in the schema, not in public.
	var n int
	if err := s.Pool().QueryRow(ctx, "SELECT count(*) FROM pg_tables WHERE schemaname = $1 AND tablename = 'goose_db_version'", s.Schema()).Scan(&n); err != nil || n != 1 {
		t.Errorf("goose_db_version in schema %s: count %d, err %v", s.Schema(), n, err)
	}
}

func TestMigrateConcurrent(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dbURL, schema := pgtest.Schema(t)
	// Drop the schema pgtest created: migrate must also create it safely.
	p0 := pgtest.Pool(t, dbURL, schema)
	if _, err := p0.Exec(ctx, "DROP SCHEMA "+pgx.Identifier{schema}.Sanitize()); err != nil {
		t.Fatal(err)
	}
	const n = 4
	var wg sync.WaitGroup
	applied := make([]int, n)
	errs := make([]error, n)
	for i := range n {
		wg.Go(func() {
			// A store per goroutine, each with its own pool: as two processes would.
			s, err := store.Open(ctx, dbURL, store.Config{Schema: schema})
			if err != nil {
				errs[i] = err
				return
			}
			defer s.Close()
			res, err := s.Migrate(ctx)
			applied[i], errs[i] = len(res), err
		})
	}
	wg.Wait()
	// pgtest drops the schema at cleanup; it must exist again by then.
	total := 0
	for i := range n {
		if errs[i] != nil {
			t.Errorf("migrator %d: %v", i, errs[i])
		}
		total += applied[i]
	}
	s := store.New(p0, store.Config{Schema: schema})
	st, err := s.MigrationStatus(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if total != len(st) {
		t.Errorf("migrators applied %d migrations in total, want exactly %d (each once)", total, len(st))
	}
}

func TestMigrateDownByOne(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := newStore(t, true)
	st, _ := s.MigrationStatus(ctx)
	last := st[len(st)-1]
	res, err := s.MigrateDown(ctx)
	if err != nil {
		t.Fatalf("MigrateDown: %v", err)
	}
	if res.Version != last.Version || res.Direction != "down" {
		t.Errorf("MigrateDown rolled back %+v, want version %d down", res, last.Version)
	}
	st, _ = s.MigrationStatus(ctx)
	for _, m := range st {
		if want := m.Version != last.Version; m.Applied != want {
			t.Errorf("after down, migration %d applied = %v, want %v", m.Version, m.Applied, want)
		}
	}
	// Everything down, then ErrNotMigrated, then up again works.
	for range len(st) - 1 {
		if _, err := s.MigrateDown(ctx); err != nil {
			t.Fatalf("MigrateDown: %v", err)
		}
	}
	var tables int
	if err := s.Pool().QueryRow(ctx, "SELECT count(*) FROM pg_tables WHERE schemaname = $1 AND tablename <> 'goose_db_version'", s.Schema()).Scan(&tables); err != nil {
		t.Fatal(err)
	}
	if tables != 0 {
		t.Errorf("%d tables left after every migration rolled back", tables)
	}
	if _, err := s.MigrateDown(ctx); !errors.Is(err, store.ErrNotMigrated) {
		t.Errorf("MigrateDown with nothing applied: err = %v, want ErrNotMigrated", err)
	}
	if res, err := s.Migrate(ctx); err != nil || len(res) != len(st) {
		t.Errorf("Migrate after full rollback: %d applied, err %v", len(res), err)
	}
}

func TestStatusOfMissingSchema(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dbURL, schema := pgtest.Schema(t)
	s := store.New(pgtest.Pool(t, dbURL, schema), store.Config{Schema: schema + "_absent"})
	st, err := s.MigrationStatus(ctx)
	if err != nil {
		t.Fatalf("MigrationStatus: %v", err)
	}
	if len(st) == 0 {
		t.Fatal("no migrations listed")
	}
	for _, m := range st {
		if m.Applied {
			t.Errorf("migration %d applied in a schema that does not exist", m.Version)
		}
	}
	if _, err := s.Runs(ctx, "", 10); !errors.Is(err, store.ErrNotMigrated) {
		t.Errorf("Runs on a missing schema: err = %v, want ErrNotMigrated", err)
	}
}

// Open says why the server refused the connection with a sentinel, so
// that `syncer check` can print one line without the URL.
func TestOpenRefusals(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("needs a PostgreSQL server (-short)")
	}
	u, err := url.Parse(pgtest.URL(t))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	noDB := *u
	noDB.Path = "/syncer_no_such_database"
	if _, err := store.Open(ctx, noDB.String(), store.Config{}); !errors.Is(err, store.ErrNoDatabase) {
		t.Errorf("Open of a database that does not exist: %v, want ErrNoDatabase", err)
	}
	noRole := *u
	noRole.User = url.UserPassword("syncer_no_such_role", "pw")
	if _, err := store.Open(ctx, noRole.String(), store.Config{}); !errors.Is(err, store.ErrAccessDenied) {
		t.Errorf("Open as a role that does not exist: %v, want ErrAccessDenied", err)
	}
}
