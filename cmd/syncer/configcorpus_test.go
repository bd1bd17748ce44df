package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/usersync/syncer/internal/config/configtest"
)

// TestBadConfigCorpusThroughCommands runs every malformed configuration of
// internal/config/testdata/bad through `syncer run`, `syncer plan` and
// `syncer serve` as a person would meet it: each exits 1 with the golden
// message (which names the file, the line and the key) after "syncer CMD:",
// prints nothing on stdout, and no output holds a planted secret, neither
// those pasted in the files nor those in the environment (client id and
// secret, a DATABASE_URL with a password).
//
// Not parallel: it sets the environment.
func TestBadConfigCorpusThroughCommands(t *testing.T) {
	cases := configtest.Cases(t)
	if len(cases) < 30 {
		t.Errorf("the corpus has %d files, want at least 30", len(cases))
	}
	commands := [][]string{
		{"run", "nightly"},
		{"plan"},
		{"serve", "--addr", "127.0.0.1:0"},
	}
	for _, c := range cases {
		t.Run(c.Name, func(t *testing.T) {
			t.Setenv("SYNCER_CONFIG", "")
			for k, v := range c.Env {
				t.Setenv(k, v)
			}
			want := strings.ReplaceAll(c.Want(t), c.Shown, c.Path)
			for _, args := range commands {
				var out, errb bytes.Buffer
				// A command that does not stop on a bad config (serve
				// waiting for a database it can never have) fails here
				// instead of hanging the suite.
				ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
				code := dispatch(ctx, append(append([]string(nil), args...), "--config", c.Path), &out, &errb)
				cancel()
				stderr := errb.String()
				if code != exitFailure {
					t.Errorf("syncer %s = %d, want %d\nstderr: %s", args[0], code, exitFailure, stderr)
				}
				if !strings.Contains(stderr, "syncer "+args[0]+": "+want) {
					t.Errorf("syncer %s: stderr\n%s\ndoes not hold the golden message\nsyncer %s: %s", args[0], stderr, args[0], want)
				}
				for _, line := range strings.Split(strings.TrimSpace(stderr), "\n") {
					if !strings.Contains(line, c.Path) && !strings.Contains(line, "environment variable") {
						t.Errorf("syncer %s: a line names neither the file nor an environment variable: %s", args[0], line)
					}
				}
				if out.Len() > 0 {
					t.Errorf("syncer %s printed on stdout: %s", args[0], out.String())
				}
				if leaks := c.Leaks(out.String() + stderr); len(leaks) > 0 {
					t.Errorf("syncer %s prints planted secrets %q:\n%s%s", args[0], leaks, out.String(), stderr)
				}
			}
		})
	}
}

// TestNoDefaultDatabase: with the database variable unset, every command
// that uses the database stops before connecting anywhere, naming the
// variable (DATABASE_URL, or the one database.url_env names, even when
// DATABASE_URL is set); commands that need no database still work.
//
// Not parallel: it sets the environment.
func TestNoDefaultDatabase(t *testing.T) {
	dir := t.TempDir()
	named := filepath.Join(dir, "named.yaml")
	plain := filepath.Join(dir, "plain.yaml")
	feedPath := filepath.Join(dir, "hr.csv")
	body := "genesys:\n  base_url: http://127.0.0.1:1\npipelines:\n  nightly:\n    streams: [reference]\nfeeds:\n  hr:\n    path: " + feedPath + "\n"
	for path, text := range map[string]string{
		named:    body + "database:\n  url_env: WAREHOUSE_DB_URL\n",
		plain:    body,
		feedPath: "employee_id,email,name\n1,a@example.com,A\n",
	} {
		if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	t.Setenv("SYNCER_CONFIG", "")
	t.Setenv("GENESYS_BASE_URL", "")
	t.Setenv("GENESYS_CLIENT_ID", "id")
	t.Setenv("GENESYS_CLIENT_SECRET", "secret")
	t.Setenv("WAREHOUSE_DB_URL", "")
	for _, tt := range []struct {
		cfg, dbURL, want string
	}{
		{plain, "", plain + ":" + " database.url_env: the environment variable DATABASE_URL (the PostgreSQL connection URL"},
		{named, "postgres://postgres@127.0.0.1:5432/postgres", named + ":10: database.url_env: the environment variable WAREHOUSE_DB_URL (the PostgreSQL connection URL"},
	} {
		t.Setenv("DATABASE_URL", tt.dbURL)
		for _, args := range [][]string{
			{"run", "nightly"}, {"plan"}, {"apply", feedPath}, {"serve"}, {"status"}, {"migrate"}, {"migrate", "status"},
		} {
			var out, errb bytes.Buffer
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
			code := dispatch(ctx, append(append([]string(nil), args...), "--config", tt.cfg), &out, &errb)
			cancel()
			if code != exitFailure || !strings.Contains(errb.String(), "syncer "+args[0]+": "+tt.want) {
				t.Errorf("syncer %v --config %s = %d, stderr %q; want 1 and %q", args, filepath.Base(tt.cfg), code, errb.String(), tt.want)
			}
		}
	}
	var out, errb bytes.Buffer
	if code := dispatch(context.Background(), []string{"version"}, &out, &errb); code != exitOK {
		t.Errorf("syncer version without a database = %d: %s", code, errb.String())
	}
}
