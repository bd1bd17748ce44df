package chaos

import (
	"context"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

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

// serveOutputs runs `syncer serve` at debug level until its run on start
// has succeeded, and returns its log and what /metrics, /runs, /healthz
// and /readyz answered.
func (e *env) serveOutputs(t *testing.T) string {
	t.Helper()
	// A pipeline of its own: serve skips a start run of one that ran moments ago.
	e.writeConfigWith(t, e.url, "log:\n  level: debug\nserve:\n  addr: 127.0.0.1:0\n  run_on_start: true\n"+
		strings.Replace(pipelines, "nightly:", "served:", 1))
	s := e.serve(t)
	deadline := time.Now().Add(2 * time.Minute)
	for {
		if v, _ := sum(s.metrics(t), "syncer_runs_total", "pipeline", "served"); v > 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("serve's run on start did not end within 2 minutes:\n%s", lastLines(s.log(t), 10))
		}
		time.Sleep(200 * time.Millisecond)
	}
	var b strings.Builder
	for _, path := range []string{"/metrics", "/runs", "/healthz", "/readyz"} {
		code, body := s.get(t, path)
		if code != http.StatusOK {
			t.Errorf("serve %s = %d\n%s", path, code, body)
		}
		b.WriteString(body)
	}
	if !strings.Contains(b.String(), `"status": "succeeded"`) || !strings.Contains(b.String(), "syncer_api_calls_total") {
		t.Errorf("serve's run on start did not succeed, or /metrics lacks the API calls: the grep would see little\n%s", lastLines(s.log(t), 10))
	}
	if code := s.shutdown(t, 30*time.Second); code != 0 {
		t.Errorf("serve exited with %d after SIGTERM", code)
	}
	b.WriteString(s.log(t))
	return b.String()
}

// A full forward run, plan and apply at debug level, then `syncer serve`
// with a run on start: neither the client secret nor any access token
// appears in stdout, stderr, serve's log, its /metrics, /runs, /healthz and
// /readyz answers, the saved plan or any database cell; a hostile feed
// value is stored verbatim.
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
	served := e.serveOutputs(t)
	outputs.WriteString(served)
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
		for name, text := range map[string]string{"stdout/stderr and serve's answers": outputs.String(), "plan JSON": string(plan), "database": db} {
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
	t.Logf("secrets: %d secrets (client secret + %d tokens) searched in %d bytes of output (%d of them serve's log and endpoints), %d bytes of plan, %d database cells; hostile value stored verbatim %d times",
		len(secrets), len(secrets)-1, outputs.Len(), len(served), len(plan), cells, inDB)
}
