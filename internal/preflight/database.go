package preflight

import (
	"context"
	"errors"
	"fmt"

	"github.com/usersync/syncer/internal/textfmt"
)

// Migrations is what the database check reads once connected; cmd wires
// the store to it.
type Migrations interface {
	// MigrationCounts returns how many of the migrations this binary knows
	// are applied in the schema, and how many it knows.
	MigrationCounts(ctx context.Context) (applied, known int, err error)
}

// Refusals the connect function of CheckDatabase returns (wrapping the
// driver's error), so that the check says them in words without the URL.
var (
	// ErrAccessDenied: the server refused the role (password, unknown
	// role, pg_hba.conf).
	ErrAccessDenied = errors.New("the server refused the role or its password")
	// ErrNoDatabase: the database in the URL does not exist.
	ErrNoDatabase = errors.New("the database does not exist")
)

// DatabaseTarget names the database without its URL.
type DatabaseTarget struct {
	// Where is host:port/dbname (never user or password).
	Where string
	// Schema holds syncer's tables.
	Schema string
	// URLEnv names the variable holding the URL.
	URLEnv string
	// Migrate is the command that migrates it ("syncer migrate --config syncer.yaml").
	Migrate string
}

// CheckDatabase connects and says whether the schema is migrated. A
// connection refused, a host that does not resolve, a role the server
// refuses and a database that does not exist are one line each, naming
// the host and database and never the URL or the password.
func CheckDatabase(ctx context.Context, t DatabaseTarget, connect func(context.Context) (Migrations, error)) Check {
	name := "database"
	m, err := connect(ctx)
	if err != nil {
		var why string
		switch {
		case errors.Is(err, ErrAccessDenied):
			why = ErrAccessDenied.Error() + " (check the user and password in $" + t.URLEnv + ", and pg_hba.conf)"
		case errors.Is(err, ErrNoDatabase):
			why = ErrNoDatabase.Error() + " (create it, or fix the database name in $" + t.URLEnv + ")"
		default:
			why = transportFailure(err, "the host and port in $"+t.URLEnv)
		}
		return Check{Status: Fail, Name: name, Detail: t.Where + ": " + why}
	}
	applied, known, err := m.MigrationCounts(ctx)
	if err != nil {
		return Check{Status: Fail, Name: name, Detail: fmt.Sprintf("%s: read the migration status of schema %s: %s", t.Where, t.Schema, textfmt.Safe(err.Error()))}
	}
	switch {
	case applied == 0:
		return Check{Status: Fail, Name: name, Detail: fmt.Sprintf("%s: schema %s is not migrated (0 of %d migrations applied): run `%s`", t.Where, t.Schema, known, t.Migrate)}
	case applied < known:
		return Check{Status: Fail, Name: name, Detail: fmt.Sprintf("%s: schema %s has %d pending migration(s) (%d of %d applied): run `%s`", t.Where, t.Schema, known-applied, applied, known, t.Migrate)}
	}
	return Check{Status: OK, Name: name, Detail: fmt.Sprintf("%s: connected; schema %s migrated (%d of %d migrations)", t.Where, t.Schema, applied, known)}
}
