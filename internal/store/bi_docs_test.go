package store_test

import (
	"context"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
)

// TestBIPeopleDocs checks docs/bi.md against the schema: every view and
// function BI reads is named in it or in the README (helpers whose comment
// begins "Used by" are syncer's own), the people section's queries run on
// peopleOrg, and what it states of the views' boundaries is what
// TestBIPeopleViews checks.
func TestBIPeopleDocs(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	raw, err := os.ReadFile("../../docs/bi.md")
	if err != nil {
		t.Fatal(err)
	}
	doc := string(raw)
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	s := newStore(t, true)
	tx, err := s.Pool().Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = tx.Rollback(ctx) }()

	rows, err := tx.Query(ctx, `
SELECT c.relname::text FROM pg_class c WHERE c.relnamespace = $1::regnamespace AND c.relkind = 'v'
UNION ALL
SELECT p.proname::text FROM pg_proc p WHERE p.pronamespace = $1::regnamespace
  AND coalesce(obj_description(p.oid, 'pg_proc'), '') NOT LIKE 'Used by%'`, s.Schema())
	if err != nil {
		t.Fatal(err)
	}
	names, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range names {
		if !strings.Contains(doc, "`"+n) && !strings.Contains(string(readme), "`"+n) {
			t.Errorf("%s is in the schema but named neither in docs/bi.md nor in the README", n)
		}
	}

	_, people, ok := strings.Cut(doc, "\n## People data")
	if !ok {
		t.Fatal("docs/bi.md has no People data section")
	}
	people, _, _ = strings.Cut(people, "\n## ")
	blocks := strings.Split(people, "```sql\n")[1:]
	if len(blocks) == 0 {
		t.Fatal("the People data section has no SQL")
	}
	peopleOrg(t, tx)
	for _, b := range blocks {
		q, _, _ := strings.Cut(b, "```")
		q = strings.ReplaceAll(q, "SET search_path = genesys;", "")
		if _, err := tx.Conn().PgConn().Exec(ctx, q).ReadAll(); err != nil {
			t.Fatalf("docs/bi.md query:\n%s\n%v", q, err)
		}
	}
	// Each view the section's queries read answers something on peopleOrg:
	// the examples are not run on empty views only.
	seen := map[string]bool{}
	for _, v := range regexp.MustCompile(`FROM (\w+)`).FindAllStringSubmatch(strings.Join(blocks, ""), -1) {
		if seen[v[1]] {
			continue
		}
		seen[v[1]] = true
		var isRelation bool
		if err := tx.QueryRow(ctx, "SELECT to_regclass($1) IS NOT NULL", v[1]).Scan(&isRelation); err != nil {
			t.Fatal(err)
		}
		if !isRelation {
			continue // a function
		}
		var n int
		if err := tx.QueryRow(ctx, "SELECT count(*) FROM "+pgx.Identifier{v[1]}.Sanitize()).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n == 0 {
			t.Errorf("%s is empty on the test org: its example in docs/bi.md is not exercised", v[1])
		}
	}

	for _, want := range []string{
		"`start_date <= now() < end_date`, or no end; a period ending exactly now is over",
		"starting in `[now(), now() + 7 days)`",
		"`Planned` and `InProgress` count, and so do\n`InvalidSchedule`",
		"An activity completed after its due date is not\noverdue",
		"a last associated one alone does not count",
		"`custom` is `level = 'Agent'`",
		"the values of the most recently changed\n`Organization` row",
		"**`current_agents` includes inactive users**",
	} {
		if !strings.Contains(doc, want) {
			t.Errorf("docs/bi.md does not say %q", want)
		}
	}
}
