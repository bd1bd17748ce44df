// Command testdb creates the database the tests use when its server
// answers and it is missing, so `make test` works on a server that has no
// "test" database yet (a fresh install), without psql. The database is
// TEST_DATABASE_URL, else pgtest.DefaultURL
// (postgres://postgres@127.0.0.1:5432/test).
//
// Exit 0 when the database exists or was created, and also when
// TEST_DATABASE_URL is unset and no local server answers (the tests then
// try a Docker engine, and fail saying how to provide a database if there
// is none). Exit 1, with `createdb` guidance, when the database cannot be
// created or TEST_DATABASE_URL does not answer.
package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/usersync/syncer/internal/pgtest"
)

func main() {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	dbURL, from := os.Getenv("TEST_DATABASE_URL"), "TEST_DATABASE_URL"
	if dbURL == "" {
		dbURL, from = pgtest.DefaultURL, "the default "+pgtest.DefaultURL
	}
	created, err := pgtest.EnsureDatabase(ctx, dbURL)
	switch {
	case err == nil && created:
		fmt.Printf("testdb: created the test database (%s)\n", from)
	case err == nil:
	case from != "TEST_DATABASE_URL" && !errors.Is(err, pgtest.ErrCannotCreate):
		fmt.Printf("testdb: %v\ntestdb: the tests will try a Docker engine (testcontainers) instead\n", err)
	default:
		fmt.Fprintf(os.Stderr, "testdb: the tests need a database (%s): %v\n", from, err)
		os.Exit(1)
	}
}
