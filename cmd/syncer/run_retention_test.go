package main

import (
	"context"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
)

// Retention runs after a successful `syncer run` (not a dry run): a month
// older than the configured retention is dropped and the log says so.
// Not parallel: the test sets environment variables.
func TestRunAppliesRetention(t *testing.T) {
	e := newCLIEnv(t, 20, "  nightly:\n    streams: [reference]\nretention:\n  user_presence_segments: 1\n")
	e.migrate(t)
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, e.dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	seg := pgx.Identifier{e.schema, "user_presence_segments"}.Sanitize()
	for _, q := range []string{
		"SELECT " + pgx.Identifier{e.schema, "ensure_month_partition"}.Sanitize() + "('" + seg + "', '2020-01-01')",
		"INSERT INTO " + seg + " (user_id, start_time, system_presence, first_seen_at, updated_at) VALUES ('u1', '2020-01-10', 'AVAILABLE', now(), now())",
	} {
		if _, err := conn.Exec(ctx, q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	old := func() bool {
		var exists bool
		if err := conn.QueryRow(ctx, "SELECT to_regclass($1) IS NOT NULL", pgx.Identifier{e.schema, "user_presence_segments_2020_01"}.Sanitize()).Scan(&exists); err != nil {
			t.Fatal(err)
		}
		return exists
	}
	if code, out, stderr := e.syncer(t, "run", "nightly", "--dry-run", "--config", e.cfg); code != exitOK || !old() {
		t.Fatalf("dry run = %d (month kept: %v)\n%s\n%s", code, old(), out, stderr)
	}
	code, out, stderr := e.syncer(t, "run", "nightly", "--config", e.cfg)
	if code != exitOK {
		t.Fatalf("run = %d\n%s\n%s", code, out, stderr)
	}
	if old() || !strings.Contains(stderr, "retention dropped a month") || !strings.Contains(stderr, "user_presence_segments_2020_01") {
		t.Errorf("after a run with retention 1: January 2020 still there: %v; log:\n%s", old(), stderr)
	}
}
