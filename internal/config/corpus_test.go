package config_test

import (
	"errors"
	"flag"
	"os"
	"strings"
	"testing"

	"github.com/usersync/syncer/internal/config"
	"github.com/usersync/syncer/internal/config/configtest"
)

var update = flag.Bool("update", false, "rewrite testdata/bad/*.golden from the messages the corpus produces now")

// loadCase is what a command does with a corpus file before it needs the
// network: Load, then the checks of a command that calls the API and uses
// the database. It returns the error a person would see.
func loadCase(c configtest.Case) error {
	data, err := os.ReadFile(c.Path)
	if err != nil {
		return err
	}
	cfg, err := config.Parse(c.Path, data, c.Lookup)
	if err != nil {
		return err
	}
	if err := cfg.RequireGenesys(); err != nil {
		return err
	}
	return cfg.RequireDatabase()
}

// TestBadConfigCorpus runs every malformed configuration of
// testdata/bad through Load and compares the errors with the golden
// messages (-update rewrites them). Each must be refused, as
// config.Errors, every error naming the file (or the environment variable
// its value came from) and, except for problems with the whole file, a
// key; none may contain a planted secret.
func TestBadConfigCorpus(t *testing.T) {
	t.Parallel()
	cases := configtest.Cases(t)
	if len(cases) < 30 {
		t.Errorf("the corpus has %d files, want at least 30", len(cases))
	}
	for _, c := range cases {
		t.Run(c.Name, func(t *testing.T) {
			t.Parallel()
			err := loadCase(c)
			if err == nil {
				t.Fatalf("%s is accepted", c.Shown)
			}
			got := strings.ReplaceAll(err.Error(), c.Path, c.Shown) + "\n"
			if leaks := c.Leaks(got); len(leaks) > 0 {
				t.Errorf("the message repeats planted secrets %q:\n%s", leaks, got)
			}
			var es config.Errors
			if !errors.As(err, &es) || len(es) == 0 {
				t.Fatalf("error is %T, want config.Errors: %v", err, err)
			}
			for _, e := range es {
				if e.File != c.Path && !strings.Contains(e.Key, "environment variable") {
					t.Errorf("error names neither the file nor an environment variable: %v", e)
				}
				if e.Key == "" && !wholeFile(e) {
					t.Errorf("error names no key: %v", e)
				}
			}
			if *update {
				if err := os.WriteFile(c.Golden, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			if want := c.Want(t); got != want {
				t.Errorf("%s:\ngot\n%s\nwant\n%s", c.Shown, got, want)
			}
		})
	}
}

// wholeFile reports whether e is about the file as a whole (its bytes, its
// size, its YAML syntax or its top level), where there is no key to name.
func wholeFile(e *config.Error) bool {
	for _, s := range []string{"the file", "not valid YAML", "YAML does not allow", "the top level", "control character", "an alias"} {
		if strings.Contains(e.Msg, s) {
			return true
		}
	}
	return false
}
