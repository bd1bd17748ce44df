// Package migrations holds the SQL migrations of the syncer schema, embedded
// into the binary. internal/store applies them with goose.
//
// The files use unqualified names: the store runs them with search_path set
// to the target schema (default genesys), so one set of files serves any
// schema name. Functions use SQL-standard bodies (BEGIN ATOMIC), which bind
// their tables when created, so they keep working whatever search_path the
// caller has. PostgreSQL 14 or later is required for that.
package migrations

import "embed"

// FS holds every migration file.
//
//go:embed *.sql
var FS embed.FS
