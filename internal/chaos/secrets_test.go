package chaos

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
)

// textColumns dumps every column of every table of the schema as text.
func (e *env) textColumns(t *testing.T) (string, int) {
	t.Helper()
	ctx := context.Background()
	c := e.conn(t)
	rows, err := c.Query(ctx, `SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = $1 ORDER BY 1, 2`, e.schema)
	if err != nil {
		t.Fatal(err)
	}
	type col struct{ Table, Column string }
	cols, err := pgx.CollectRows(rows, pgx.RowToStructByPos[col])
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	var cells int
	for _, cl := range cols {
		q := "SELECT coalesce(" + pgx.Identifier{cl.Column}.Sanitize() + "::text, '') FROM " + e.table(cl.Table)
		rows, err := c.Query(ctx, q)
		if err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		vals, err := pgx.CollectRows(rows, pgx.RowTo[string])
		if err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		for _, v := range vals {
			b.WriteString(v)
			b.WriteByte('\n')
		}
		cells += len(vals)
	}
	return b.String(), cells
}

// A full forward run, plan and apply at debug level: neither the client
// secret nor any access token appears in stdout, stderr, the saved plan or
// any database cell; a hostile feed value is stored verbatim.
func TestSecretsNeverLeakAndValuesStayVerbatim(t *testing.T) {
	t.Parallel()
	e := newEnv(t, 80, 51, "log:\n  level: debug\n")
	const hostile = `'); DROP TABLE users; --`
	feed := hrFeed(t, e.dir, "s", e.srv, 3, 2, 0, hostile)
	planPath := filepath.Join(e.dir, "plan.json")

	var outputs strings.Builder
	for _, args := range [][]string{
		{"run", "nightly"},
		{"plan", feed, "--out", planPath},
		{"apply", planPath},
		{"status"},
	} {
		code, out, stderr := e.syncer(t, context.Background(), args...)
		if args[0] != "status" && args[0] != "plan" && code != 0 || args[0] == "plan" && code != 2 {
			t.Fatalf("syncer %v = %d\n%s\n%s", args, code, lastLines(out, 10), lastLines(stderr, 10))
		}
		outputs.WriteString(out)
		outputs.WriteString(stderr)
	}
	if !strings.Contains(outputs.String(), `"level":"DEBUG"`) {
		t.Error("no debug line was logged: the test would not see a secret logged at debug level")
	}
	plan, err := os.ReadFile(planPath)
	if err != nil {
		t.Fatal(err)
	}
	db, cells := e.textColumns(t)

	secrets := []string{clientSecret}
	e.tokens.Range(func(k, _ any) bool {
		secrets = append(secrets, k.(string))
		return true
	})
	if len(secrets) < 2 {
		t.Fatal("no access token was seen: the test proves nothing about tokens")
	}
	for _, s := range secrets {
		for name, text := range map[string]string{"stdout/stderr": outputs.String(), "plan JSON": string(plan), "database": db} {
			if strings.Contains(text, s) {
				t.Errorf("a secret (%d chars, starting %.4s) appears in the %s", len(s), s, name)
			}
		}
	}

	// The hostile title reached the org and the database verbatim.
	var inOrg int
	for _, u := range e.srv.Users() {
		if u.Title == hostile {
			inOrg++
		}
	}
	inDB := e.count(t, "SELECT count(*) FROM "+e.table("users")+" WHERE title = $1", hostile)
	if inOrg != 3 || inDB != 3 {
		t.Errorf("users titled %q: %d in the org, %d in Postgres; want 3 and 3", hostile, inOrg, inDB)
	}
	addCount(&tally.inputs, 1)
	t.Logf("secrets: %d secrets (client secret + %d tokens) searched in %d bytes of output, %d bytes of plan, %d database cells; hostile value stored verbatim %d times",
		len(secrets), len(secrets)-1, outputs.Len(), len(plan), cells, inDB)
}
