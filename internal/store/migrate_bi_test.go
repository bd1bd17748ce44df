package store

import (
	"context"
	"io/fs"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/jackc/pgx/v5"
	"github.com/pressly/goose/v3"

	"github.com/usersync/syncer/internal/pgtest"
	"github.com/usersync/syncer/migrations"
)

// biPeople is the migration with the people data's BI views and the
// schema's comments.
const biPeople = 12

// peopleData is the migration with the people data's tables.
const peopleData = 10

// schemaSurface is what BI sees of a schema: every comment (on tables,
// views, columns and functions), every view's definition and every
// function's signature, one line each, sorted.
const schemaSurface = `
SELECT 'comment ' || c.relname || coalesce('.' || a.attname, '') || ': ' || d.description
FROM pg_description d
JOIN pg_class c ON c.oid = d.objoid AND d.classoid = 'pg_class'::regclass
LEFT JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = d.objsubid AND d.objsubid > 0
WHERE c.relnamespace = $1::regnamespace
UNION ALL
SELECT 'comment ' || p.proname || '(' || pg_get_function_identity_arguments(p.oid) || '): ' || d.description
FROM pg_description d JOIN pg_proc p ON p.oid = d.objoid AND d.classoid = 'pg_proc'::regclass
WHERE p.pronamespace = $1::regnamespace
UNION ALL
SELECT 'view ' || c.relname || ': ' || pg_get_viewdef(c.oid)
FROM pg_class c WHERE c.relnamespace = $1::regnamespace AND c.relkind = 'v'
UNION ALL
SELECT 'function ' || p.proname || '(' || pg_get_function_identity_arguments(p.oid) || ') ' || pg_get_function_result(p.oid)
FROM pg_proc p WHERE p.pronamespace = $1::regnamespace
ORDER BY 1`

// TestMigrationBIPeopleDown applies 00012 over the schema before it and
// rolls it back: the comments, views and functions are exactly those of
// before (current_agents and queue_membership as 00005 made them), the down
// says what it cannot restore, and up again works, as do the downs of the
// migrations before it, down to 00010's.
func TestMigrationBIPeopleDown(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dbURL, schema := pgtest.Schema(t)
	pool := pgtest.Pool(t, dbURL, schema)
	s := New(pool, Config{Schema: schema})
	upTo := func(v int64) {
		t.Helper()
		if err := s.withMigrator(ctx, true, func(p *goose.Provider) error {
			_, err := p.UpTo(ctx, v)
			return err
		}); err != nil {
			t.Fatalf("up to %d: %v", v, err)
		}
	}
	surface := func() []string {
		t.Helper()
		rows, err := pool.Query(ctx, schemaSurface, schema)
		if err != nil {
			t.Fatal(err)
		}
		out, err := pgx.CollectRows(rows, pgx.RowTo[string])
		if err != nil {
			t.Fatal(err)
		}
		return out
	}

	upTo(biPeople - 1)
	before := surface()
	upTo(biPeople)
	after := surface()
	if len(after) < len(before)+400 {
		t.Fatalf("00012 added %d comments, views and functions; expected hundreds", len(after)-len(before))
	}
	down, err := s.MigrateDown(ctx)
	if err != nil || down.Version != biPeople {
		t.Fatalf("down: %+v, %v", down, err)
	}
	if !strings.Contains(down.Note, "Grants") {
		t.Errorf("the down of %d does not say what it cannot restore: note %q", biPeople, down.Note)
	}
	if d := cmp.Diff(before, surface()); d != "" {
		t.Errorf("after up and down, the schema differs from before (-before +after down):\n%s", d)
	}
	upTo(biPeople)
	if d := cmp.Diff(after, surface()); d != "" {
		t.Errorf("up again differs from the first up (-first +again):\n%s", d)
	}

	// The migrations before it still go down (00010 drops columns of
	// users_history, which users_as_of returns), and up again.
	for v := int64(biPeople); v > peopleData; {
		down, err := s.MigrateDown(ctx)
		if err != nil {
			t.Fatalf("down from %d: %v", v, err)
		}
		v = down.Version
	}
	upTo(biPeople)
	if d := cmp.Diff(after, surface()); d != "" {
		t.Errorf("up again from 00009 differs from the first up (-first +again):\n%s", d)
	}
}

// Every migration from 00009 on opens its Down section with what rolling it
// back cannot restore, which `syncer migrate down` prints.
func TestDownNotes(t *testing.T) {
	t.Parallel()
	files, err := fs.Glob(migrations.FS, "*.sql")
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		if f < "00009" {
			continue
		}
		if DownNote(f) == "" {
			t.Errorf("%s: its Down section opens with no note of what it cannot restore", f)
		}
	}
}
