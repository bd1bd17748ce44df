package main

import (
	"bytes"
	"context"
	"fmt"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/usersync/syncer/internal/emulator"
	"github.com/usersync/syncer/internal/pgtest"
)

// cliEnv is an emulator, a fresh database schema and a config file naming
// both, with the secrets in the environment as in production.
type cliEnv struct {
	srv    *emulator.Server
	cfg    string
	dbURL  string
	schema string
}

func newCLIEnv(t *testing.T, users int, pipelines string) *cliEnv {
	t.Helper()
	srv, err := emulator.New(emulator.Config{Users: users, Seed: 7, RatePerMinute: -1, ClientID: "cli-id", ClientSecret: "cli-secret-value"})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv)
	t.Cleanup(ts.Close)
	dbURL, schema := pgtest.Schema(t)
	cfg := filepath.Join(t.TempDir(), "syncer.yaml")
	body := fmt.Sprintf("genesys:\n  base_url: %s\ndatabase:\n  schema: %s\nrate:\n  requests_per_minute: 100000\n  burst: 100\npipelines:\n%s", ts.URL, schema, pipelines)
	if err := os.WriteFile(cfg, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("GENESYS_CLIENT_ID", "cli-id")
	t.Setenv("GENESYS_CLIENT_SECRET", "cli-secret-value")
	t.Setenv("DATABASE_URL", dbURL)
	t.Setenv("GENESYS_BASE_URL", "")
	return &cliEnv{srv: srv, cfg: cfg, dbURL: dbURL, schema: schema}
}

// migrate creates the schema of the environment's config.
func (e *cliEnv) migrate(t *testing.T) {
	t.Helper()
	if code, out, stderr := e.syncer(t, "migrate", "--config", e.cfg); code != exitOK {
		t.Fatalf("migrate = %d %s %s", code, out, stderr)
	}
}

func (e *cliEnv) syncer(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	code = dispatch(context.Background(), args, &out, &errb)
	return code, out.String(), errb.String()
}

func (e *cliEnv) count(t *testing.T, table string) int {
	t.Helper()
	conn, err := pgx.Connect(context.Background(), e.dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	var n int
	if err := conn.QueryRow(context.Background(), "SELECT count(*) FROM "+pgx.Identifier{e.schema, table}.Sanitize()).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// Not parallel: the tests set environment variables.
func TestRunCommandEndToEnd(t *testing.T) {
	e := newCLIEnv(t, 150, "  nightly:\n    streams: [reference, users, skills, languages, queues, roles]\n")

	code, _, stderr := e.syncer(t, "run", "nightly", "--config", e.cfg)
	if code != exitFailure || !strings.Contains(stderr, "pending migration") || !strings.Contains(stderr, "syncer migrate") {
		t.Fatalf("run before migrate = %d, %q; want a failure naming `syncer migrate`", code, stderr)
	}
	e.migrate(t)

	code, out, stderr := e.syncer(t, "run", "nightly", "--dry-run", "--config", e.cfg)
	if code != exitOK || !strings.Contains(out, "dry run of nightly: succeeded") {
		t.Fatalf("dry run = %d\n%s\n%s", code, out, stderr)
	}
	// The dry run shows what every stream costs, those the pipeline does
	// not run included, before anyone turns them on.
	for _, want := range []string{"cost of each stream", "user_details", "not in this pipeline"} {
		if !strings.Contains(out, want) {
			t.Errorf("dry run output lacks %q:\n%s", want, out)
		}
	}
	if n := e.count(t, "users"); n != 0 {
		t.Fatalf("dry run wrote %d users", n)
	}
	if n := e.count(t, "sync_runs"); n != 0 {
		t.Fatalf("dry run recorded %d runs", n)
	}

	code, out, stderr = e.syncer(t, "run", "nightly", "--config", e.cfg)
	if code != exitOK {
		t.Fatalf("run = %d\n%s\n%s", code, out, stderr)
	}
	for _, want := range []string{"run 1 of nightly: succeeded", "user_skills", "API calls:", "minimum for this data"} {
		if !strings.Contains(out, want) {
			t.Errorf("run summary lacks %q:\n%s", want, out)
		}
	}
	if n := e.count(t, "users"); n != len(e.srv.Users()) {
		t.Errorf("users loaded = %d, want %d", n, len(e.srv.Users()))
	}
	if strings.Contains(out+stderr, "cli-secret-value") {
		t.Error("the client secret appears in the output")
	}

	code, out, _ = e.syncer(t, "status", "--config", e.cfg)
	if code != exitOK || !strings.Contains(out, "nightly") || !strings.Contains(out, "succeeded") {
		t.Errorf("status = %d\n%s", code, out)
	}

	if code, _, stderr := e.syncer(t, "run", "nope", "--config", e.cfg); code != exitFailure || !strings.Contains(stderr, `pipeline "nope"`) {
		t.Errorf("unknown pipeline = %d %q", code, stderr)
	}
}

func TestRunCommandNeedsCredentials(t *testing.T) {
	e := newCLIEnv(t, 10, "  nightly: {}\n")
	t.Setenv("GENESYS_CLIENT_SECRET", "")
	os.Unsetenv("GENESYS_CLIENT_SECRET")
	code, _, stderr := e.syncer(t, "run", "nightly", "--config", e.cfg)
	if code != exitFailure || !strings.Contains(stderr, "GENESYS_CLIENT_SECRET") {
		t.Errorf("run without a secret = %d %q", code, stderr)
	}
}
