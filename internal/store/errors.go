package store

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// Sentinel errors returned (wrapped) by the store. Match them with errors.Is.
var (
	// ErrNotFound: the run, stream run, watermark, plan or operation does not exist.
	ErrNotFound = errors.New("store: not found")
	// ErrConflict: a row with the same key exists, or a state change is not
	// allowed from the row's current state (finishing a run twice).
	ErrConflict = errors.New("store: conflict")
	// ErrNotMigrated: the schema or one of its tables does not exist; run
	// `syncer migrate up`.
	ErrNotMigrated = errors.New("store: schema not migrated (run `syncer migrate up`)")
	// ErrAmbiguous: a reference given by its start (a plan id's prefix)
	// matches several rows.
	ErrAmbiguous = errors.New("store: ambiguous reference")
	// ErrInvalid: a value breaks a constraint of the schema (empty id, bad status).
	ErrInvalid = errors.New("store: invalid value")
	// ErrUnavailable: the database could not be reached or the connection broke.
	ErrUnavailable = errors.New("store: database unavailable")
	// ErrAccessDenied: the server refused the role: a wrong password, a
	// role that does not exist, or no pg_hba.conf entry for it.
	ErrAccessDenied = errors.New("store: the database refused the role")
	// ErrNoDatabase: the database named in the connection string does not
	// exist on the server.
	ErrNoDatabase = errors.New("store: database does not exist")
)

// translate maps a pgx error to the store's sentinels, keeping the original in
// the chain. Context errors pass through untouched.
func translate(err error) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return err
	}
	if errors.Is(err, pgx.ErrNoRows) {
		return fmt.Errorf("%w: %w", ErrNotFound, err)
	}
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		switch pgErr.Code {
		case "23505": // unique_violation
			return fmt.Errorf("%w: %w", ErrConflict, err)
		case "23503", "23502", "23514", "22P02", "22007", "22008": // fk, not null, check, bad text repr, bad datetime
			return fmt.Errorf("%w: %w", ErrInvalid, err)
		case "42P01", "3F000", "42883": // undefined table, invalid schema, undefined function
			return fmt.Errorf("%w: %w", ErrNotMigrated, err)
		case "57014": // query_canceled
			return err
		case "28P01", "28000": // invalid_password, invalid_authorization_specification
			return fmt.Errorf("%w: %w", ErrAccessDenied, err)
		case "3D000": // invalid_catalog_name
			return fmt.Errorf("%w: %w", ErrNoDatabase, err)
		case "57P01", "57P02", "57P03", "53300": // admin/crash shutdown, cannot connect now, too many connections
			return fmt.Errorf("%w: %w", ErrUnavailable, err)
		}
		if strings.HasPrefix(pgErr.Code, "08") { // connection exception
			return fmt.Errorf("%w: %w", ErrUnavailable, err)
		}
		return err
	}
	if pgconn.SafeToRetry(err) || pgconn.Timeout(err) {
		return fmt.Errorf("%w: %w", ErrUnavailable, err)
	}
	var connErr *pgconn.ConnectError
	if errors.As(err, &connErr) {
		return fmt.Errorf("%w: %w", ErrUnavailable, err)
	}
	return err
}

func isNotFound(err error) bool { return errors.Is(err, ErrNotFound) }
