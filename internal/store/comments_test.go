package store_test

import (
	"context"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
)

// uncommented lists every table, view, column and function of the schema
// (goose's version table included) that has no COMMENT, as "table t",
// "view v", "column t.c", "function f(args)". Month partitions are left
// out: the loader creates them later, they are read through their parent
// (which carries the comment), and PostgreSQL gives a partition the
// parent's columns but not their comments.
const uncommented = `
SELECT kind || ' ' || name FROM (
    SELECT CASE c.relkind WHEN 'v' THEN 'view' WHEN 'm' THEN 'materialized view' ELSE 'table' END AS kind,
           c.relname::text AS name
    FROM pg_class c
    WHERE c.relnamespace = $1::regnamespace AND c.relkind IN ('r', 'p', 'v', 'm', 'f')
      AND NOT c.relispartition AND obj_description(c.oid, 'pg_class') IS NULL
    UNION ALL
    SELECT 'column', c.relname || '.' || a.attname
    FROM pg_class c JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
    WHERE c.relnamespace = $1::regnamespace AND c.relkind IN ('r', 'p', 'v', 'm', 'f')
      AND NOT c.relispartition AND col_description(c.oid, a.attnum) IS NULL
    UNION ALL
    SELECT CASE p.prokind WHEN 'p' THEN 'procedure' ELSE 'function' END,
           p.proname || '(' || pg_get_function_identity_arguments(p.oid) || ')'
    FROM pg_proc p
    WHERE p.pronamespace = $1::regnamespace AND obj_description(p.oid, 'pg_proc') IS NULL
) x ORDER BY 1`

// TestEverythingCommented fails naming every table, view, column and
// function of a freshly migrated schema that lacks a COMMENT: BI tools
// show the comments, so a new table without them fails here, not in a
// dashboard.
func TestEverythingCommented(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := newStore(t, true)
	// A month partition of each partitioned table exists (migration 00009
	// creates the current month's): the check must not ask them for
	// comments, and must still see their parents.
	var partitions int
	if err := s.Pool().QueryRow(ctx, `SELECT count(*) FROM pg_class WHERE relnamespace = $1::regnamespace AND relispartition AND relkind IN ('r', 'p')`,
		s.Schema()).Scan(&partitions); err != nil {
		t.Fatal(err)
	}
	if partitions == 0 {
		t.Fatal("the migrated schema has no month partition: the test would not show they are skipped")
	}
	rows, err := s.Pool().Query(ctx, uncommented, s.Schema())
	if err != nil {
		t.Fatal(err)
	}
	missing, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		t.Fatal(err)
	}
	if len(missing) > 0 {
		t.Errorf("%d objects of the schema have no COMMENT (add COMMENT ON ... IS '...' in the migration that creates them):\n%s",
			len(missing), strings.Join(missing, "\n"))
	}
}

// TestUncommentedQueryFinds shows the check can fail: a table, a column
// and a function created without comments are each named.
func TestUncommentedQueryFinds(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := newStore(t, true)
	for _, q := range []string{
		`CREATE TABLE bi_probe (a int, b int)`,
		`COMMENT ON TABLE bi_probe IS 'probe'`,
		`COMMENT ON COLUMN bi_probe.a IS 'a'`,
		`CREATE VIEW bi_probe_view AS SELECT a FROM bi_probe`,
		`CREATE FUNCTION bi_probe_f(x int) RETURNS int LANGUAGE sql IMMUTABLE RETURN x`,
	} {
		if _, err := s.Pool().Exec(ctx, q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	rows, err := s.Pool().Query(ctx, uncommented, s.Schema())
	if err != nil {
		t.Fatal(err)
	}
	missing, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]bool{}
	for _, m := range missing {
		got[m] = true
	}
	for _, want := range []string{"column bi_probe.b", "view bi_probe_view", "column bi_probe_view.a", "function bi_probe_f(x integer)"} {
		if !got[want] {
			t.Errorf("%q not reported; reported: %v", want, missing)
		}
	}
	for _, unwanted := range []string{"table bi_probe", "column bi_probe.a"} {
		if got[unwanted] {
			t.Errorf("%q reported although commented", unwanted)
		}
	}
}
