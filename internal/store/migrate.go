package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/pressly/goose/v3"

	"github.com/usersync/syncer/migrations"
)

// versionTable is goose's version table, created in the store's schema.
const versionTable = "goose_db_version"

// MigrationStatus is the state of one migration.
type MigrationStatus struct {
	Version   int64
	Name      string // file name, e.g. 00001_reference_and_users.sql
	Applied   bool
	AppliedAt time.Time // zero when pending
}

// MigrationResult describes one migration applied or rolled back.
type MigrationResult struct {
	Version   int64
	Name      string
	Direction string // "up" or "down"
	Duration  time.Duration
	// Note, for a migration rolled back, is what its down cannot restore,
	// as the migration file says (the comment opening its Down section);
	// "" when it restores everything.
	Note string
}

// Migrate applies every pending migration, creating the schema when it does
// not exist. Concurrent callers (other goroutines or processes) wait for each
// other; the later ones find nothing to do and return no results.
func (s *Store) Migrate(ctx context.Context) ([]MigrationResult, error) {
	var out []MigrationResult
	err := s.withMigrator(ctx, true, func(p *goose.Provider) error {
		res, err := p.Up(ctx)
		for _, r := range res {
			if r.Error == nil {
				out = append(out, result(r))
				s.log.Info("migration applied", "schema", s.schema, "version", r.Source.Version, "duration", r.Duration)
			}
		}
		return err
	})
	if err != nil {
		return out, fmt.Errorf("migrate %s up: %w", s.schema, err)
	}
	return out, nil
}

// MigrateDown rolls back the most recently applied migration. It returns
// ErrNotMigrated when nothing is applied.
func (s *Store) MigrateDown(ctx context.Context) (MigrationResult, error) {
	var out MigrationResult
	err := s.withMigrator(ctx, false, func(p *goose.Provider) error {
		r, err := p.Down(ctx)
		if errors.Is(err, goose.ErrNoNextVersion) {
			return ErrNotMigrated
		}
		if err != nil {
			return err
		}
		out = result(r)
		out.Note = DownNote(r.Source.Path)
		s.log.Info("migration rolled back", "schema", s.schema, "version", r.Source.Version, "duration", r.Duration)
		return nil
	})
	if err != nil {
		return out, fmt.Errorf("migrate %s down: %w", s.schema, err)
	}
	return out, nil
}

// MigrationStatus lists every known migration with whether it is applied.
func (s *Store) MigrationStatus(ctx context.Context) ([]MigrationStatus, error) {
	var out []MigrationStatus
	err := s.withMigrator(ctx, false, func(p *goose.Provider) error {
		st, err := p.Status(ctx)
		if err != nil {
			return err
		}
		for _, m := range st {
			out = append(out, MigrationStatus{
				Version:   m.Source.Version,
				Name:      m.Source.Path,
				Applied:   m.State == goose.StateApplied,
				AppliedAt: m.AppliedAt,
			})
		}
		return nil
	})
	if errors.Is(err, errNoSchema) {
		names, gerr := fs.Glob(migrations.FS, "*.sql")
		if gerr != nil {
			return nil, fmt.Errorf("list migrations: %w", gerr)
		}
		for _, name := range names {
			v, verr := goose.NumericComponent(name)
			if verr != nil {
				return nil, fmt.Errorf("migration %s: %w", name, verr)
			}
			out = append(out, MigrationStatus{Version: v, Name: name})
		}
		return out, nil
	}
	if err != nil {
		return nil, fmt.Errorf("migration status of %s: %w", s.schema, err)
	}
	return out, nil
}

var errNoSchema = fmt.Errorf("%w: schema does not exist", ErrNotMigrated)

// withMigrator runs fn with a goose provider whose connections use the
// store's schema, while holding the schema's migration lock. With create, a
// missing schema is created; without, a missing schema yields errNoSchema.
func (s *Store) withMigrator(ctx context.Context, create bool, fn func(*goose.Provider) error) error {
	// The lock is a session advisory lock on a connection of its own, held
	// while goose works on its own connections: every migrating process takes
	// it first, so they run one after the other.
	lockConn, err := s.pool.Acquire(ctx)
	if err != nil {
		return fmt.Errorf("acquire connection: %w", translate(err))
	}
	defer lockConn.Release()
	key := "syncer migrate " + s.schema
	if _, err := lockConn.Exec(ctx, "SELECT pg_advisory_lock(hashtextextended($1, 0))", key); err != nil {
		// A lock wait cut short by ctx leaves the connection unusable for
		// certainty about the lock: drop it rather than return it to the pool.
		_ = lockConn.Conn().Close(context.WithoutCancel(ctx))
		return fmt.Errorf("take migration lock: %w", translate(err))
	}
	defer func() {
		if _, err := lockConn.Exec(context.WithoutCancel(ctx), "SELECT pg_advisory_unlock(hashtextextended($1, 0))", key); err != nil {
			_ = lockConn.Conn().Close(context.WithoutCancel(ctx))
		}
	}()

	var exists bool
	if err := lockConn.QueryRow(ctx, "SELECT EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = $1)", s.schema).Scan(&exists); err != nil {
		return fmt.Errorf("look up schema: %w", translate(err))
	}
	if !exists {
		if !create {
			return errNoSchema
		}
		// Checked first because CREATE SCHEMA IF NOT EXISTS needs the CREATE
		// privilege on the database even when the schema exists.
		if _, err := lockConn.Exec(ctx, "CREATE SCHEMA "+pgx.Identifier{s.schema}.Sanitize()); err != nil {
			return fmt.Errorf("create schema: %w", translate(err))
		}
	}

	cc := s.pool.Config().ConnConfig.Copy()
	cc.RuntimeParams["search_path"] = pgx.Identifier{s.schema}.Sanitize()
	db := stdlib.OpenDB(*cc)
	defer db.Close()
	db.SetMaxOpenConns(2)
	p, err := newProvider(db)
	if err != nil {
		return err
	}
	if err := fn(p); err != nil {
		return translate(err)
	}
	return nil
}

func newProvider(db *sql.DB) (*goose.Provider, error) {
	p, err := goose.NewProvider(goose.DialectPostgres, db, migrations.FS,
		goose.WithTableName(versionTable),
		goose.WithDisableGlobalRegistry(true),
	)
	if err != nil {
		return nil, fmt.Errorf("load migrations: %w", err)
	}
	return p, nil
}

// DownNote is the comment that opens the Down section of the migration
// file name, as one paragraph: what rolling it back cannot restore.
func DownNote(name string) string {
	b, err := fs.ReadFile(migrations.FS, name)
	if err != nil {
		return ""
	}
	_, down, ok := strings.Cut(string(b), "-- +goose Down\n")
	if !ok {
		return ""
	}
	var note []string
	for _, line := range strings.Split(down, "\n") {
		text, ok := strings.CutPrefix(line, "--")
		if !ok || strings.HasPrefix(text, " +goose") {
			break
		}
		note = append(note, strings.TrimSpace(text))
	}
	return strings.Join(strings.Fields(strings.Join(note, " ")), " ")
}

func result(r *goose.MigrationResult) MigrationResult {
	return MigrationResult{Version: r.Source.Version, Name: r.Source.Path, Direction: r.Direction, Duration: r.Duration}
}
