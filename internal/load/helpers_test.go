package load_test

import (
	"context"
	"log/slog"
	"os"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/pressly/goose/v3"

	"github.com/usersync/syncer/internal/load"
	"github.com/usersync/syncer/internal/pgtest"
	"github.com/usersync/syncer/internal/store"
	"github.com/usersync/syncer/migrations"
)

type env struct {
	pool   *pgxpool.Pool
	schema string
	loader *load.Loader
	store  *store.Store
}

// newEnv returns a loader on a fresh, migrated schema.
func newEnv(t testing.TB) *env {
	t.Helper()
	dbURL, schema := pgtest.Schema(t)
	pool := pgtest.Pool(t, dbURL, schema)
	st := store.New(pool, store.Config{Schema: schema})
	if _, err := st.Migrate(context.Background()); err != nil {
		t.Fatalf("migrate: %v", err)
	}
	return &env{pool: pool, schema: schema, loader: load.New(pool, load.Config{Schema: schema, Logger: testLogger()}), store: st}
}

// presenceDaysVersion is the migration adding the daily rollups.
const presenceDaysVersion = 11

// newEnvAt returns a loader on a fresh schema migrated up to version only,
// for tests of a migration over data loaded before it.
func newEnvAt(t testing.TB, version int64) *env {
	t.Helper()
	dbURL, schema := pgtest.Schema(t)
	pool := pgtest.Pool(t, dbURL, schema)
	e := &env{pool: pool, schema: schema, loader: load.New(pool, load.Config{Schema: schema, Logger: testLogger()}),
		store: store.New(pool, store.Config{Schema: schema})}
	e.migrate(t, version)
	return e
}

// migrate brings the schema up or down to version, with goose as the store
// runs it (its version table, the schema as search_path).
func (e *env) migrate(t testing.TB, version int64) {
	t.Helper()
	ctx := context.Background()
	cc := e.pool.Config().ConnConfig.Copy()
	cc.RuntimeParams["search_path"] = pgx.Identifier{e.schema}.Sanitize()
	db := stdlib.OpenDB(*cc)
	defer db.Close()
	p, err := goose.NewProvider(goose.DialectPostgres, db, migrations.FS, goose.WithTableName("goose_db_version"), goose.WithDisableGlobalRegistry(true))
	if err != nil {
		t.Fatal(err)
	}
	cur, err := p.GetDBVersion(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if version >= cur {
		_, err = p.UpTo(ctx, version)
	} else {
		_, err = p.DownTo(ctx, version)
	}
	if err != nil {
		t.Fatalf("migrate from %d to %d: %v", cur, version, err)
	}
}

// stream runs fn in a Tx and commits it with wm, failing the test on error.
func (e *env) stream(t testing.TB, s load.Stream, wm *load.Watermark, fn func(ctx context.Context, tx *load.Tx) error) load.Stats {
	t.Helper()
	ctx := context.Background()
	tx, err := e.loader.Begin(ctx, s)
	if err != nil {
		t.Fatalf("Begin: %v", err)
	}
	defer tx.Rollback(ctx)
	if err := fn(ctx, tx); err != nil {
		t.Fatalf("load: %v", err)
	}
	stats, err := tx.Commit(ctx, wm)
	if err != nil {
		t.Fatalf("Commit: %v", err)
	}
	return stats
}

func (e *env) count(t testing.TB, query string, args ...any) int {
	t.Helper()
	var n int
	if err := e.pool.QueryRow(context.Background(), query, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	return n
}

// checkHistory asserts the SCD2 invariants of a history table: intervals
// of a key never overlap and are non-empty, each key present in the
// current table has exactly one open version, and no other key has one.
func (e *env) checkHistory(t testing.TB, history, current string, key ...string) {
	t.Helper()
	k := pgx.Identifier(key)
	_ = k
	on := ""
	for i, c := range key {
		if i > 0 {
			on += " AND "
		}
		on += "a." + c + " = b." + c
	}
	if n := e.count(t, `SELECT count(*) FROM `+history+` a JOIN `+history+` b ON `+on+` AND a.valid_from < b.valid_from
		WHERE coalesce(a.valid_to, 'infinity') > b.valid_from`); n != 0 {
		t.Errorf("%s: %d overlapping version pairs", history, n)
	}
	if n := e.count(t, `SELECT count(*) FROM `+history+` WHERE valid_to IS NOT NULL AND valid_to <= valid_from`); n != 0 {
		t.Errorf("%s: %d empty intervals", history, n)
	}
	cols := ""
	for i, c := range key {
		if i > 0 {
			cols += ", "
		}
		cols += c
	}
	where := ""
	if current == "users" {
		where = " WHERE deleted_at IS NULL"
	}
	// Symmetric difference of current keys and open history keys.
	q := `SELECT count(*) FROM ((SELECT ` + cols + ` FROM ` + current + where + ` EXCEPT ALL SELECT ` + cols + ` FROM ` + history + ` WHERE valid_to IS NULL)
		UNION ALL (SELECT ` + cols + ` FROM ` + history + ` WHERE valid_to IS NULL EXCEPT ALL SELECT ` + cols + ` FROM ` + current + where + `)) d`
	if n := e.count(t, q); n != 0 {
		t.Errorf("%s: %d keys whose open versions do not match %s", history, n, current)
	}
}

func ts(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t
}

func testLogger() *slog.Logger {
	if os.Getenv("SYNCER_LOAD_DEBUG") == "" {
		return nil
	}
	return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

// txRows returns a reader of a query's rows in tx, each rendered as text
// and sorted: two queries' answers compare as lists.
func txRows(t *testing.T, tx pgx.Tx) func(q string, args ...any) []string {
	return func(q string, args ...any) []string {
		t.Helper()
		r, err := tx.Query(context.Background(), "SELECT x::text FROM ("+q+") x ORDER BY 1", args...)
		if err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		out, err := pgx.CollectRows(r, pgx.RowTo[string])
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
}
