package main

import (
	"net"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// checkPipelines is a config using every stream, and a feed.
const checkPipelines = "  nightly:\n    streams: [reference, users, skills, languages, queues, roles, user_details, user_aggregates]\n" +
	"feeds:\n  hr:\n    path: hr.csv\n    offboard:\n      action: delete\n"

// The values planted in the environment that no output may contain.
const (
	plantedWrongSecret = "planted-wrong-secret-5e8b"
	plantedDBPassword  = "planted-db-password-77c1"
)

func assertNoSecrets(t *testing.T, outputs ...string) {
	t.Helper()
	for _, out := range outputs {
		for _, s := range []string{"cli-secret-value", "cli-id", plantedWrongSecret, plantedDBPassword, "postgres://"} {
			if strings.Contains(out, s) {
				t.Errorf("output contains %q:\n%s", s, out)
			}
		}
	}
}

// line returns the output line of the check named name, or "".
func line(out, status, name string) string {
	re := regexp.MustCompile(`(?m)^` + regexp.QuoteMeta(status) + ` +` + regexp.QuoteMeta(name) + `  .*$`)
	return re.FindString(out)
}

// Not parallel: the tests set environment variables.
func TestCheckCommand(t *testing.T) {
	e := newCLIEnv(t, 60, checkPipelines)

	// Before migrate: the database line says so; everything else works.
	code, out, stderr := e.syncer(t, "check", "--config", e.cfg)
	if code != exitFailure {
		t.Errorf("check before migrate = %d, want 1\n%s", code, out)
	}
	if l := line(out, "FAIL", "database"); !strings.Contains(l, "schema "+e.schema+" is not migrated (0 of ") ||
		!strings.Contains(l, "run `syncer migrate --config "+e.cfg+"`") {
		t.Errorf("database line before migrate: %q\n%s", l, out)
	}
	if strings.Count(out, "FAIL") != 1 {
		t.Errorf("only the database should fail before migrate:\n%s", out)
	}
	assertNoSecrets(t, out, stderr)

	// Everything works: exit 0, the writes listed with their permissions.
	e.migrate(t)
	code, out, stderr = e.syncer(t, "check", "--config", e.cfg)
	if code != exitOK || strings.Contains(out, "FAIL") || strings.Contains(out, "skipped") {
		t.Fatalf("check = %d, want 0 with nothing failed or skipped\n%s\n%s", code, out, stderr)
	}
	for _, want := range []string{
		"pipelines: nightly; feeds: hr",
		"schema " + e.schema + " migrated",
		"token granted",
		"GET /api/v2/routing/queues/{queueId}/members",
		"GET /api/v2/analytics/users/aggregates/jobs/{jobId}",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q\n%s", want, out)
		}
	}
	if l := line(out, "not probed", "POST /api/v2/users"); !strings.Contains(l, "a write: needs directory:user:add") || !strings.Contains(l, "feed hr: apply") {
		t.Errorf("the create endpoint is not listed as a write with its permission: %q", l)
	}
	if l := line(out, "not probed", "DELETE /api/v2/users/{userId}"); l == "" {
		t.Errorf("a feed with offboard.action delete needs DELETE /users/{id}\n%s", out)
	}
	if !strings.Contains(out, "check passed: ") {
		t.Errorf("no summary line\n%s", out)
	}
	assertNoSecrets(t, out, stderr)

	// Names select, in any position; a feed-free selection lists no write.
	code, out, _ = e.syncer(t, "check", "nightly", "--config", e.cfg)
	if code != exitOK || !strings.Contains(out, "pipelines: nightly; feeds: none") || strings.Contains(out, "not probed") ||
		strings.Contains(out, "GET /api/v2/users/{userId}/externalid") {
		t.Errorf("check nightly = %d\n%s", code, out)
	}
	code, out, _ = e.syncer(t, "check", "--config", e.cfg, "nope")
	if code != exitFailure || !strings.Contains(line(out, "FAIL", "config"), `no pipeline or feed named "nope" (pipelines: nightly; feeds: hr)`) {
		t.Errorf("check nope = %d\n%s", code, out)
	}

	// A permission the role lacks: the line names it, exit 1.
	if err := e.srv.DenyPermissions("routing:queue:view"); err != nil {
		t.Fatal(err)
	}
	code, out, stderr = e.syncer(t, "check", "nightly", "--config", e.cfg)
	if code != exitFailure {
		t.Errorf("check without routing:queue:view = %d, want 1\n%s", code, out)
	}
	if l := line(out, "FAIL", "GET /api/v2/routing/queues"); !strings.Contains(l, "403: the role lacks routing:queue:view") {
		t.Errorf("queues line: %q\n%s", l, out)
	}
	if l := line(out, "skipped", "GET /api/v2/routing/queues/{queueId}/members"); !strings.Contains(l, "no id to probe with") {
		t.Errorf("members line: %q\n%s", l, out)
	}
	assertNoSecrets(t, out, stderr)
	if err := e.srv.DenyPermissions(); err != nil {
		t.Fatal(err)
	}

	// A wrong secret: the login line names the login host and the answer,
	// never the secret; the endpoints are skipped.
	t.Setenv("GENESYS_CLIENT_SECRET", plantedWrongSecret)
	code, out, stderr = e.syncer(t, "check", "--config", e.cfg)
	l := line(out, "FAIL", "genesys login")
	if code != exitFailure || !strings.Contains(l, "login host 127.0.0.1:") || !strings.Contains(l, "401 invalid_client") ||
		!strings.Contains(l, "$GENESYS_CLIENT_SECRET") {
		t.Errorf("check with a wrong secret = %d, login line %q\n%s", code, l, out)
	}
	if !strings.Contains(line(out, "skipped", "API endpoints"), "the login failed") {
		t.Errorf("endpoints not skipped after a failed login\n%s", out)
	}
	assertNoSecrets(t, out, stderr)
	t.Setenv("GENESYS_CLIENT_SECRET", "cli-secret-value")
}

// The database line for a server that cannot be reached, a database that
// does not exist, a role the server refuses and an unset variable: one
// line each, host:port/database and never the URL or the password.
func TestCheckCommandDatabaseFailures(t *testing.T) {
	e := newCLIEnv(t, 20, "  nightly:\n    streams: [reference]\n")
	u, err := url.Parse(e.dbURL)
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closedPort := ln.Addr().String()
	ln.Close()

	unreachable := *u
	unreachable.Host = closedPort
	unreachable.User = url.UserPassword("postgres", plantedDBPassword)
	noDB := *u
	noDB.Path = "/syncer_check_no_such_db"
	noDB.User = url.UserPassword(u.User.Username(), plantedDBPassword)
	noRole := *u
	noRole.User = url.UserPassword("syncer_check_no_such_role", plantedDBPassword)
	for _, tc := range []struct {
		name, url, want string
	}{
		{"unreachable", unreachable.String(), closedPort + "/" + strings.TrimPrefix(u.Path, "/") + ": connect: connection refused"},
		{"no database", noDB.String(), "/syncer_check_no_such_db: the database does not exist (create it, or fix the database name in $DATABASE_URL)"},
		{"role refused", noRole.String(), ": the server refused the role or its password (check the user and password in $DATABASE_URL"},
		{"not a URL", "postgres://" + plantedDBPassword + "@[", "$DATABASE_URL is not a valid PostgreSQL connection string"},
	} {
		t.Setenv("DATABASE_URL", tc.url)
		code, out, stderr := e.syncer(t, "check", "--config", e.cfg)
		if l := line(out, "FAIL", "database"); code != exitFailure || !strings.Contains(l, tc.want) {
			t.Errorf("%s: check = %d, database line %q, want it to contain %q\n%s", tc.name, code, l, tc.want, out)
		}
		if strings.Contains(out, "FAIL        genesys login") {
			t.Errorf("%s: the login failed too\n%s", tc.name, out)
		}
		assertNoSecrets(t, out, stderr)
	}
	os.Unsetenv("DATABASE_URL")
	code, out, _ := e.syncer(t, "check", "--config", e.cfg)
	if l := line(out, "FAIL", "database"); code != exitFailure || !strings.Contains(l, "$DATABASE_URL is not set") {
		t.Errorf("unset: check = %d, database line %q\n%s", code, l, out)
	}
}

// An invalid config is the config line with file:line, and nothing else is
// tried.
func TestCheckCommandBadConfig(t *testing.T) {
	e := newCLIEnv(t, 5, "  nightly:\n    streams: [reference]\n")
	bad := filepath.Join(t.TempDir(), "bad.yaml")
	if err := os.WriteFile(bad, []byte("genesys:\n  region: mypurecloud.ie\npipelines:\n  nightly:\n    streams: [refernce]\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	code, out, stderr := e.syncer(t, "check", "--config", bad)
	if l := line(out, "FAIL", "config"); code != exitFailure || !strings.Contains(l, bad+":5") || !strings.Contains(l, "pipelines.nightly.streams") {
		t.Errorf("bad config: check = %d, config line %q\n%s\n%s", code, l, out, stderr)
	}
	for _, n := range []string{"database", "genesys login", "API endpoints"} {
		if !strings.Contains(line(out, "skipped", n), "no valid configuration") {
			t.Errorf("%s not skipped\n%s", n, out)
		}
	}
	if code, _, _ := e.syncer(t, "check", "--bogus"); code != exitUsage {
		t.Errorf("check --bogus = %d, want %d", code, exitUsage)
	}
}

// A run that meets a 403 says which permission is missing: the client's
// error carries the API's message, which names it.
func TestRunNamesMissingPermission(t *testing.T) {
	e := newCLIEnv(t, 30, "  nightly:\n    streams: [reference, users, roles]\n")
	e.migrate(t)
	if err := e.srv.DenyPermissions("authorization:role:view"); err != nil {
		t.Fatal(err)
	}
	code, out, stderr := e.syncer(t, "run", "nightly", "--config", e.cfg, "--progress", "off")
	if code != exitFailure || !strings.Contains(out, "GET /api/v2/authorization/roles: 403 missing.any.permissions") ||
		!strings.Contains(out, "[authorization:role:view]") {
		t.Errorf("run without authorization:role:view = %d\n%s\n%s", code, out, stderr)
	}
}

// genesys.login_url sends the login to its host: pointed at a closed port,
// the login fails naming that host while the API base is the emulator's.
func TestCheckUsesLoginURL(t *testing.T) {
	e := newCLIEnv(t, 5, "  nightly:\n    streams: [reference]\n")
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := ln.Addr().String()
	ln.Close()
	body, err := os.ReadFile(e.cfg)
	if err != nil {
		t.Fatal(err)
	}
	cfg := strings.Replace(string(body), "genesys:\n", "genesys:\n  login_url: http://"+closed+"\n", 1)
	if err := os.WriteFile(e.cfg, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	e.migrate(t)
	code, out, stderr := e.syncer(t, "check", "--config", e.cfg)
	if l := line(out, "FAIL", "genesys login"); code != exitFailure || !strings.Contains(l, closed) {
		t.Errorf("check = %d, login line %q, want it to name %s\n%s", code, l, closed, out)
	}
	assertNoSecrets(t, out, stderr)
}
