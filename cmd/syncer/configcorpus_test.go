package main

import (
	"bytes"
	"context"
	"strings"
	"testing"

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
				ctx, cancel := context.WithCancel(context.Background())
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
