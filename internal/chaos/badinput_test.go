package chaos

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

func noPanic(t *testing.T, what, stderr string) {
	t.Helper()
	if strings.Contains(stderr, "panic:") || strings.Contains(stderr, "goroutine ") {
		t.Errorf("%s: the syncer panicked:\n%s", what, lastLines(stderr, 20))
	}
}

// Malformed configs: the CLI names the file, the line and the key.
func TestMalformedConfigsNameKeyAndLine(t *testing.T) {
	t.Parallel()
	e := &env{dir: t.TempDir(), dbURL: "postgres://postgres@127.0.0.1:5432/test"}
	for _, tc := range []struct{ name, body, want string }{
		{"wrong type", "genesys:\n  base_url: http://127.0.0.1:1\nrate:\n  requests_per_minute: lots\n", ":4: rate.requests_per_minute"},
		{"unknown key", "genesys:\n  base_urll: http://127.0.0.1:1\n", `:2: genesys.base_urll: unknown key`},
		{"unknown stream", "pipelines:\n  nightly:\n    streams: [users, nosuch]\n", `:3: pipelines.nightly.streams[1]: not one of`},
		{"broken yaml", "genesys: [\n", ":1:"},
		{"negative", "rate:\n  burst: -5\n", ":2: rate.burst"},
		{"bad duration", "rate:\n  max_retry_after: soon\n", ":2: rate.max_retry_after"},
	} {
		e.cfg = filepath.Join(e.dir, strings.ReplaceAll(tc.name, " ", "_")+".yaml")
		if err := os.WriteFile(e.cfg, []byte(tc.body), 0o600); err != nil {
			t.Fatal(err)
		}
		for _, cmd := range [][]string{{"run", "nightly"}, {"apply", "--resume"}} {
			code, _, stderr := e.syncer(t, context.Background(), cmd...)
			addCount(&tally.inputs, 1)
			noPanic(t, tc.name, stderr)
			if code == 0 || !strings.Contains(stderr, e.cfg+tc.want) {
				t.Errorf("%s: syncer %s = %d, stderr %q; want a failure naming %q", tc.name, cmd[0], code, stderr, filepath.Base(e.cfg)+tc.want)
			}
		}
	}
}

// Corrupted users listings: a clear error or a correct load, no panic,
// and never a half-written database.
func TestCorruptAPIAnswersCommitNothingHalf(t *testing.T) {
	t.Parallel()
	e := newEnv(t, 60, 61, "")
	if code, out, stderr := e.syncer(t, context.Background(), "run", "nightly"); code != 0 {
		t.Fatalf("clean run = %d\n%s\n%s", code, out, stderr)
	}
	before := e.dump(t)
	version := regexp.MustCompile(`"version":\d+`)
	firstID := regexp.MustCompile(`"id":"[^"]*",`)
	for _, tc := range []struct {
		name    string
		corrupt func(status int, body []byte) (int, string, []byte)
		mayPass bool
	}{
		{"truncated JSON", func(s int, b []byte) (int, string, []byte) { return s, "application/json", b[:len(b)/2] }, false},
		{"HTML error page", func(int, []byte) (int, string, []byte) {
			// A 5xx HTML page is retried (as a 5xx must be) for ~20 s
			// before the same error; a 404 page shows it at once.
			return 404, "text/html", []byte("<html><body><h1>404 Not Found</h1></body></html>")
		}, false},
		{"HTML with 200", func(int, []byte) (int, string, []byte) {
			return 200, "text/html", []byte("<!DOCTYPE html><html><body>Maintenance</body></html>")
		}, false},
		{"wrong types", func(s int, b []byte) (int, string, []byte) {
			return s, "application/json", version.ReplaceAll(b, []byte(`"version":"seven"`))
		}, false},
		{"entities a string", func(s int, b []byte) (int, string, []byte) {
			return s, "application/json", bytes.Replace(b, []byte(`"entities":[`), []byte(`"entities":"oops","x":[`), 1)
		}, false},
		{"missing id", func(s int, b []byte) (int, string, []byte) {
			loc := firstID.FindIndex(b)
			if loc == nil {
				return s, "application/json", b
			}
			return s, "application/json", append(append([]byte{}, b[:loc[0]]...), b[loc[1]:]...)
		}, false},
		{"extra fields", func(s int, b []byte) (int, string, []byte) {
			return s, "application/json", bytes.ReplaceAll(b, []byte(`"name":`), []byte(`"zzNew":{"a":[1,null]},"name":`))
		}, true},
	} {
		fail := t.Errorf
		if !fullSuite && (tc.name == "HTML error page" || tc.name == "entities a string" || tc.name == "extra fields") {
			continue // make test-chaos runs them
		}
		e.corrupt.Store(&tc.corrupt)
		code, _, stderr := e.syncer(t, context.Background(), "run", "nightly")
		e.corrupt.Store(nil)
		addCount(&tally.inputs, 1)
		noPanic(t, tc.name, stderr)
		switch {
		case code == 0 && !tc.mayPass:
			fail("%s: the run succeeded on a corrupt answer", tc.name)
		case code != 0 && tc.mayPass:
			fail("%s: the run failed = %d\n%s", tc.name, code, lastLines(stderr, 5))
		case code != 0 && !strings.Contains(stderr, "users"):
			fail("%s: the error does not name the users stream or endpoint:\n%s", tc.name, lastLines(stderr, 5))
		}
		if code != 0 {
			t.Logf("%s: %s", tc.name, lastLines(stderr, 1))
			compareDumps(t, before, e.dump(t))
		} else if got := e.dump(t); len(got["users"]) != len(before["users"]) || len(got["user_skills"]) != len(before["user_skills"]) {
			fail("%s: %d users, %d skills after the run; want %d, %d", tc.name, len(got["users"]), len(got["user_skills"]), len(before["users"]), len(before["user_skills"]))
		}
	}
}
