// Package pgtest gives tests a real PostgreSQL server.
//
// The server comes from TEST_DATABASE_URL when it is set. Otherwise the local
// default (postgres://postgres@127.0.0.1:5432/test) is used when it answers,
// then a throwaway container from testcontainers-go when a Docker engine
// answers. When none of these work the test fails with a message saying how to
// provide a database. Tests run with -short skip instead.
//
// When the server answers but the database does not exist (a fresh server
// has no "test" database), it is created, as `createdb test` would; when the
// role may not, the message says what to run (EnsureDatabase).
//
// Every test gets its own freshly created schema, dropped when the test ends,
// so tests can run in parallel against one database.
package pgtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
)

// DefaultURL is the database tried when TEST_DATABASE_URL is not set.
const DefaultURL = "postgres://postgres@127.0.0.1:5432/test"

var (
	urlOnce sync.Once
	urlVal  string
	urlErr  error
)

// URL returns the connection string of the test database, skipping the test
// under -short and failing it with instructions when no database is reachable.
func URL(tb testing.TB) string {
	tb.Helper()
	if testing.Short() {
		tb.Skip("database test skipped with -short")
	}
	urlOnce.Do(func() { urlVal, urlErr = resolveURL() })
	if urlErr != nil {
		tb.Fatalf("pgtest: no PostgreSQL for tests: %v\n"+
			"Set TEST_DATABASE_URL (for example postgres://postgres@127.0.0.1:5432/test), "+
			"start a local server (pg_ctlcluster 15 main start, or docker compose up -d postgres), "+
			"or run a Docker engine so testcontainers-go can start one.", urlErr)
	}
	return urlVal
}

func resolveURL() (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if u := os.Getenv("TEST_DATABASE_URL"); u != "" {
		if _, err := EnsureDatabase(ctx, u); err != nil {
			return "", fmt.Errorf("TEST_DATABASE_URL: %w", err)
		}
		return u, nil
	}
	_, localErr := EnsureDatabase(ctx, DefaultURL)
	if localErr == nil {
		return DefaultURL, nil
	}
	if errors.Is(localErr, ErrCannotCreate) {
		return "", localErr
	}
	if !dockerAnswers() {
		return "", fmt.Errorf("TEST_DATABASE_URL is not set, %s does not answer (%v), and no Docker engine answers", redact(DefaultURL), localErr)
	}
	u, err := startContainer()
	if err != nil {
		return "", fmt.Errorf("TEST_DATABASE_URL is not set, %s does not answer, and the testcontainers Postgres did not start: %w", redact(DefaultURL), err)
	}
	return u, nil
}

// ErrCannotCreate is returned by EnsureDatabase when the server answers,
// the database is missing and the role may not create it.
var ErrCannotCreate = errors.New("the database does not exist and could not be created")

// EnsureDatabase connects to the database dbURL names and, when the server
// answers that it does not exist, creates it from the server's postgres
// database (as `createdb NAME` does). It reports whether it created it.
// Concurrent callers (test binaries run in parallel) all succeed. The
// errors name the server and database, never the password, and say what
// to run when the database cannot be created.
func EnsureDatabase(ctx context.Context, dbURL string) (created bool, err error) {
	cfg, err := pgx.ParseConfig(dbURL)
	if err != nil {
		return false, errors.New("not a valid connection string (postgres://user@host:5432/db)")
	}
	where := fmt.Sprintf("%s:%d", cfg.Host, cfg.Port)
	err = pingConfig(ctx, cfg)
	var pe *pgconn.PgError
	if err == nil || !errors.As(err, &pe) || pe.Code != "3D000" { // invalid_catalog_name: no such database
		if err != nil {
			return false, fmt.Errorf("cannot connect to PostgreSQL at %s: %w", where, err)
		}
		return false, nil
	}
	name := cfg.Database
	admin := cfg.Copy()
	admin.Database = "postgres"
	conn, err := pgx.ConnectConfig(ctx, admin)
	if err == nil {
		defer conn.Close(context.WithoutCancel(ctx))
		_, err = conn.Exec(ctx, "CREATE DATABASE "+pgx.Identifier{name}.Sanitize())
		if errors.As(err, &pe) && (pe.Code == "42P04" || pe.Code == "23505") { // created by a concurrent caller
			return false, nil
		}
	}
	if err != nil {
		return false, fmt.Errorf("%w: database %q on %s, as role %s (%v).\n"+
			"Create it once with:  createdb -h %s -p %d -U postgres %s\n"+
			"(or psql -c 'CREATE DATABASE %s' as a role that may), or set TEST_DATABASE_URL to a database that exists",
			ErrCannotCreate, name, where, cfg.User, err, cfg.Host, cfg.Port, name, name)
	}
	return true, nil
}

func pingConfig(ctx context.Context, cfg *pgx.ConnConfig) error {
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	conn, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		return err
	}
	defer conn.Close(ctx)
	return conn.Ping(ctx)
}

// dockerAnswers reports whether a Docker engine socket accepts connections.
func dockerAnswers() bool {
	addr := "/var/run/docker.sock"
	network := "unix"
	if h := os.Getenv("DOCKER_HOST"); h != "" {
		pu, err := url.Parse(h)
		if err != nil {
			return false
		}
		switch pu.Scheme {
		case "unix":
			addr = pu.Path
		case "tcp":
			network, addr = "tcp", pu.Host
		default:
			return false
		}
	}
	c, err := net.DialTimeout(network, addr, time.Second)
	if err != nil {
		return false
	}
	c.Close()
	return true
}

func redact(u string) string {
	pu, err := url.Parse(u)
	if err != nil {
		return "the default database"
	}
	return pu.Redacted()
}

// Schema creates a fresh, uniquely named schema for the test and drops it when
// the test ends. It returns the database URL and the schema name.
func Schema(tb testing.TB) (dbURL, schema string) {
	tb.Helper()
	dbURL = URL(tb)
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	name := strings.ToLower(tb.Name())
	name = strings.Map(func(r rune) rune {
		if (r >= 'a' && r <= 'z') || (r >= '0' && r <= '9') {
			return r
		}
		return '_'
	}, name)
	if len(name) > 40 {
		name = name[:40]
	}
	schema = "t_" + name + "_" + hex.EncodeToString(b)
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, dbURL)
	if err != nil {
		tb.Fatalf("pgtest: connect: %v", err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, "CREATE SCHEMA "+pgx.Identifier{schema}.Sanitize()); err != nil {
		tb.Fatalf("pgtest: create schema: %v", err)
	}
	tb.Cleanup(func() {
		if os.Getenv("PGTEST_KEEP") != "" {
			tb.Logf("pgtest: keeping schema %s", schema)
			return
		}
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		conn, err := pgx.Connect(ctx, dbURL)
		if err != nil {
			tb.Errorf("pgtest: drop schema %s: %v", schema, err)
			return
		}
		defer conn.Close(ctx)
		if _, err := conn.Exec(ctx, "DROP SCHEMA "+pgx.Identifier{schema}.Sanitize()+" CASCADE"); err != nil {
			tb.Errorf("pgtest: drop schema %s: %v", schema, err)
		}
	})
	return dbURL, schema
}

// Pool opens a pool on the test database whose search_path is the given
// schema, closed when the test ends.
func Pool(tb testing.TB, dbURL, schema string) *pgxpool.Pool {
	tb.Helper()
	cfg, err := pgxpool.ParseConfig(dbURL)
	if err != nil {
		tb.Fatalf("pgtest: parse url: %v", err)
	}
	cfg.ConnConfig.RuntimeParams["search_path"] = schema
	pool, err := pgxpool.NewWithConfig(context.Background(), cfg)
	if err != nil {
		tb.Fatalf("pgtest: pool: %v", err)
	}
	tb.Cleanup(pool.Close)
	return pool
}
