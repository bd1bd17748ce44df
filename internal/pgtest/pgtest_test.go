package pgtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/jackc/pgx/v5"
)

func TestSchemaIsolated(t *testing.T) {
	t.Parallel()
	dbURL, schema := Schema(t)
	pool := Pool(t, dbURL, schema)
	ctx := context.Background()
	if _, err := pool.Exec(ctx, "CREATE TABLE probe (id int primary key)"); err != nil {
		t.Fatalf("create table in test schema: %v", err)
	}
	var got string
	if err := pool.QueryRow(ctx, "SELECT table_schema FROM information_schema.tables WHERE table_name = 'probe' AND table_schema = $1", schema).Scan(&got); err != nil {
		t.Fatalf("table not in schema %s: %v", schema, err)
	}
	if got != schema {
		t.Fatalf("table schema = %q, want %q", got, schema)
	}
}

// TestEnsureDatabase: a missing database is created (once, even by
// concurrent callers), an existing one is left alone, and a role that may
// not create databases gets `createdb` guidance without its password.
func TestEnsureDatabase(t *testing.T) {
	t.Parallel()
	base := URL(t)
	ctx := context.Background()
	admin, err := pgx.Connect(ctx, base)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { admin.Close(context.Background()) }) // after the drops below
	b := make([]byte, 5)
	_, _ = rand.Read(b)
	suffix := hex.EncodeToString(b)
	name := "pgtest_ensure_" + suffix
	t.Cleanup(func() {
		if _, err := admin.Exec(context.Background(), "DROP DATABASE IF EXISTS "+name); err != nil {
			t.Errorf("drop %s: %v", name, err)
		}
	})
	cfg, err := pgx.ParseConfig(base)
	if err != nil {
		t.Fatal(err)
	}
	u := fmt.Sprintf("postgres://%s@%s:%d/%s", cfg.User, cfg.Host, cfg.Port, name)
	if cfg.Password != "" {
		u = fmt.Sprintf("postgres://%s:%s@%s:%d/%s", cfg.User, url.QueryEscape(cfg.Password), cfg.Host, cfg.Port, name)
	}

	var wg sync.WaitGroup
	results := make([]bool, 4)
	errs := make([]error, 4)
	for i := range results {
		wg.Go(func() { results[i], errs[i] = EnsureDatabase(ctx, u) })
	}
	wg.Wait()
	createdCount := 0
	for i := range results {
		if errs[i] != nil {
			t.Fatalf("EnsureDatabase (concurrent) = %v", errs[i])
		}
		if results[i] {
			createdCount++
		}
	}
	if createdCount > 1 {
		t.Errorf("%d concurrent callers say they created the database", createdCount)
	}
	var exists bool
	if err := admin.QueryRow(ctx, "SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)", name).Scan(&exists); err != nil || !exists {
		t.Fatalf("database %s not created: %v", name, err)
	}
	if created, err := EnsureDatabase(ctx, u); err != nil || created {
		t.Errorf("EnsureDatabase on an existing database = %v, %v; want false, nil", created, err)
	}

	// A role that may log in but not create databases.
	role := "pgtest_nocreate_" + suffix
	if _, err := admin.Exec(ctx, "CREATE ROLE "+role+" LOGIN PASSWORD 'pgtest-Sekr1t-pw' NOCREATEDB"); err != nil {
		t.Skipf("cannot create a role to test the refusal: %v", err)
	}
	t.Cleanup(func() { _, _ = admin.Exec(context.Background(), "DROP ROLE IF EXISTS "+role) })
	missing := fmt.Sprintf("postgres://%s:pgtest-Sekr1t-pw@%s:%d/pgtest_missing_%s", role, cfg.Host, cfg.Port, suffix)
	_, err = EnsureDatabase(ctx, missing)
	if err != nil && strings.Contains(err.Error(), "password authentication failed") {
		t.Skipf("the server does not let the new role log in with a password: %v", err)
	}
	if !errors.Is(err, ErrCannotCreate) {
		t.Fatalf("EnsureDatabase as a role without CREATEDB = %v, want ErrCannotCreate", err)
	}
	for _, want := range []string{"createdb -h " + cfg.Host, "pgtest_missing_" + suffix, "as role " + role} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error does not say %q:\n%v", want, err)
		}
	}
	if strings.Contains(err.Error(), "Sekr1t") {
		t.Errorf("error repeats the password:\n%v", err)
	}
}
