package store

import (
	"context"
	"errors"
	"net"
	"net/url"
	"strconv"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// Target is where a connection string points, for messages: never its
// password.
type Target struct {
	Host     string
	Port     uint16
	User     string
	Database string
}

// Addr is host:port.
func (t Target) Addr() string { return net.JoinHostPort(t.Host, strconv.Itoa(int(t.Port))) }

// ErrBadURL: a connection string does not parse. Its message never quotes
// the string, which may hold a password.
var ErrBadURL = errors.New("not a valid PostgreSQL connection string")

// ParseTarget reads where the connection string dbURL points. Its error is
// ErrBadURL alone: pgx's parse errors can quote the password.
func ParseTarget(dbURL string) (Target, error) {
	c, err := pgconn.ParseConfig(dbURL)
	if err != nil {
		return Target{}, ErrBadURL
	}
	return Target{Host: c.Host, Port: c.Port, User: c.User, Database: c.Database}, nil
}

// WithDatabase returns the connection string dbURL with its database
// replaced by name: the URL's path, or a later dbname in a key=value string
// (the last one wins).
func WithDatabase(dbURL, name string) string {
	if u, err := url.Parse(dbURL); err == nil && (u.Scheme == "postgres" || u.Scheme == "postgresql") {
		u.Path, u.RawPath = "/"+name, ""
		return u.String()
	}
	return dbURL + " dbname=" + name
}

// Admin is one connection to a PostgreSQL server for what happens outside
// syncer's schema: creating a database, dropping a schema, holding a lock
// for as long as a program runs (`syncer demo`).
type Admin struct{ conn *pgx.Conn }

// ConnectAdmin connects to the database dbURL names. Its errors name the
// server, never the password.
func ConnectAdmin(ctx context.Context, dbURL string) (*Admin, error) {
	cfg, err := pgx.ParseConfig(dbURL)
	if err != nil {
		return nil, ErrBadURL
	}
	conn, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		return nil, translate(err)
	}
	return &Admin{conn: conn}, nil
}

// Close closes the connection, releasing its locks.
func (a *Admin) Close(ctx context.Context) { a.conn.Close(ctx) }

// Database is the database the connection is in.
func (a *Admin) Database() string { return a.conn.Config().Database }

// CreateDatabase creates the database name unless it exists, and says
// whether it did. Two callers creating it at once both succeed.
func (a *Admin) CreateDatabase(ctx context.Context, name string) (created bool, err error) {
	var exists bool
	if err := a.conn.QueryRow(ctx, "SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)", name).Scan(&exists); err != nil {
		return false, err
	}
	if exists {
		return false, nil
	}
	_, err = a.conn.Exec(ctx, "CREATE DATABASE "+pgx.Identifier{name}.Sanitize())
	var pe *pgconn.PgError
	if errors.As(err, &pe) && (pe.Code == "42P04" || pe.Code == "23505") { // duplicate_database; a concurrent CREATE
		return false, nil
	}
	return err == nil, err
}

// DropSchema drops schema and everything in it, if it exists.
func (a *Admin) DropSchema(ctx context.Context, schema string) error {
	_, err := a.conn.Exec(ctx, "DROP SCHEMA IF EXISTS "+pgx.Identifier{schema}.Sanitize()+" CASCADE")
	return err
}

// TryLock takes the session advisory lock named key in the connection's
// database without waiting, and reports whether it got it. The lock is
// held until Close.
func (a *Admin) TryLock(ctx context.Context, key string) (bool, error) {
	var got bool
	err := a.conn.QueryRow(ctx, "SELECT pg_try_advisory_lock(hashtext($1))", key).Scan(&got)
	return got, err
}
