package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/usersync/syncer/internal/pgtest"
)

func TestDemoDatabaseName(t *testing.T) {
	t.Parallel()
	if name := demoDatabaseName(); !demoDatabaseRE.MatchString(name) || !strings.HasPrefix(name, "syncer_demo") {
		t.Errorf("demoDatabaseName() = %q", name)
	}
}

// TestDemoDatabase: the demo creates its own database on the server when
// it is missing, reuses it after, refuses to run twice in it at once, and
// names the server (never the password) when it cannot connect.
func TestDemoDatabase(t *testing.T) {
	t.Parallel()
	server := pgtest.URL(t)
	ctx := context.Background()
	b := make([]byte, 5)
	_, _ = rand.Read(b)
	name := "syncer_demo_t_" + hex.EncodeToString(b)
	t.Cleanup(func() {
		conn, err := pgx.Connect(context.Background(), server)
		if err != nil {
			t.Errorf("drop %s: %v", name, err)
			return
		}
		defer conn.Close(context.Background())
		if _, err := conn.Exec(context.Background(), "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)"); err != nil {
			t.Errorf("drop %s: %v", name, err)
		}
	})

	db, err := openDemoDatabase(ctx, server, name)
	if err != nil {
		t.Fatal(err)
	}
	if !db.created || db.source != "from DATABASE_URL" {
		t.Errorf("first open: created %v, source %q", db.created, db.source)
	}
	if got := db.lock.Database(); got != name {
		t.Errorf("the demo's connection is in %q, want %s", got, name)
	}
	if _, err := openDemoDatabase(ctx, server, name); err == nil || !strings.Contains(err.Error(), "another syncer demo is running in database "+name) {
		t.Errorf("a second demo in the same database: err = %v", err)
	}
	db.lock.Close(ctx)
	again, err := openDemoDatabase(ctx, server, name)
	if err != nil {
		t.Fatal(err)
	}
	again.lock.Close(ctx)
	if again.created {
		t.Error("an existing demo database was reported created")
	}

	_, err = openDemoDatabase(ctx, "postgres://syncer:demo-Sekr1t-pw@127.0.0.1:1/x?connect_timeout=2", name)
	if err == nil || !strings.Contains(err.Error(), "PostgreSQL at 127.0.0.1:1 (from DATABASE_URL) does not answer") || strings.Contains(err.Error(), "Sekr1t") {
		t.Errorf("unreachable server: err = %v", err)
	}
}
