package main

import (
	"bytes"
	"context"
	"io/fs"
	"strings"
	"testing"

	"github.com/usersync/syncer/internal/pgtest"
	"github.com/usersync/syncer/internal/store"
	"github.com/usersync/syncer/migrations"
)

// TestMigrateCommand runs up, up again, status and down against a real
// database. It sets DATABASE_URL, so it does not run in parallel.
func TestMigrateCommand(t *testing.T) {
	dbURL, schema := pgtest.Schema(t)
	t.Setenv("DATABASE_URL", dbURL)
	ctx := context.Background()
	run := func(args ...string) (int, string, string) {
		var out, errb bytes.Buffer
		code := dispatch(ctx, append([]string{"migrate"}, args...), &out, &errb)
		return code, out.String(), errb.String()
	}
	if code, out, errs := run("up", "--schema", schema); code != exitOK || !strings.Contains(out, "applied 00001_") {
		t.Fatalf("migrate up = %d\nstdout %s\nstderr %s", code, out, errs)
	}
	if code, out, errs := run("--schema", schema, "up"); code != exitOK || !strings.Contains(out, "up to date") {
		t.Errorf("second migrate up = %d\nstdout %s\nstderr %s", code, out, errs)
	}
	// The latest migration, whichever it is.
	files, err := fs.Glob(migrations.FS, "*.sql")
	if err != nil || len(files) == 0 {
		t.Fatalf("migrations: %v %v", files, err)
	}
	latest := files[len(files)-1]
	code, out, errs := run("status", "--schema", schema)
	if code != exitOK || strings.Contains(out, "pending") || !strings.Contains(out, latest) {
		t.Errorf("migrate status = %d\nstdout %s\nstderr %s", code, out, errs)
	}
	// The last migration says what its down cannot restore (every
	// migration from 00009 on opens its Down with that note).
	note := store.DownNote(latest)
	if note == "" {
		t.Errorf("%s opens its Down section with no note of what it cannot restore", latest)
	}
	if code, out, errs := run("down", "--schema", schema); code != exitOK || !strings.Contains(out, "rolled back "+latest) ||
		!strings.Contains(out, "not restored: "+note) {
		t.Errorf("migrate down = %d\nstdout %s\nstderr %s", code, out, errs)
	}
	if _, out, _ := run("status", "--schema", schema); !strings.Contains(out, "pending") {
		t.Errorf("status after down shows nothing pending:\n%s", out)
	}
	if code, _, errs := run("sideways", "--schema", schema); code != exitUsage || !strings.Contains(errs, `unknown action "sideways"`) {
		t.Errorf("unknown action = %d, stderr %s", code, errs)
	}
}

func TestMigrateCommandBadDatabase(t *testing.T) {
	t.Setenv("DATABASE_URL", "postgres://syncer:s3cret-pw@127.0.0.1:1/none?connect_timeout=2")
	var out, errb bytes.Buffer
	code := dispatch(context.Background(), []string{"migrate", "status"}, &out, &errb)
	if code != exitFailure {
		t.Errorf("migrate against a dead database = %d, want %d", code, exitFailure)
	}
	if strings.Contains(errb.String(), "s3cret-pw") {
		t.Errorf("error output leaks the password: %s", errb.String())
	}
	if !strings.Contains(errb.String(), "127.0.0.1") {
		t.Errorf("error does not name the database: %s", errb.String())
	}
}
