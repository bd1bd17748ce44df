package store

import (
	"cmp"
	"context"
	"fmt"
	"io"
	"log/slog"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// DefaultSchema is the schema used when Config.Schema is empty.
const DefaultSchema = "genesys"

// Config configures a Store. The zero value works.
type Config struct {
	// Schema holds every syncer table and goose's version table. Default "genesys".
	Schema string
	// Logger receives migration progress. Default: discard.
	Logger *slog.Logger
}

// Store gives access to syncer's schema: migrations, run records,
// watermarks and the plan journal.
type Store struct {
	pool   *pgxpool.Pool
	schema string
	log    *slog.Logger
	// owned is true when Open created the pool, so Close closes it.
	owned bool
}

// Open connects to the database at url with a pool whose search_path is the
// schema, so BI-style unqualified queries on the pool's connections see the
// syncer tables. The schema need not exist yet (migrate creates it).
func Open(ctx context.Context, url string, cfg Config) (*Store, error) {
	pcfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		// The parse error can quote the URL, password included: do not wrap it.
		return nil, fmt.Errorf("parse database url: invalid connection string")
	}
	schema := cmp.Or(cfg.Schema, DefaultSchema)
	pcfg.ConnConfig.RuntimeParams["search_path"] = pgx.Identifier{schema}.Sanitize()
	pool, err := pgxpool.NewWithConfig(ctx, pcfg)
	if err != nil {
		return nil, fmt.Errorf("open pool: %w", translate(err))
	}
	if err := pool.Ping(ctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("connect to %s:%d/%s: %w", pcfg.ConnConfig.Host, pcfg.ConnConfig.Port, pcfg.ConnConfig.Database, translate(err))
	}
	s := New(pool, cfg)
	s.owned = true
	return s, nil
}

// New wraps an existing pool. Queries of the store name the schema
// explicitly, so the pool's search_path does not matter.
func New(pool *pgxpool.Pool, cfg Config) *Store {
	return &Store{
		pool:   pool,
		schema: cmp.Or(cfg.Schema, DefaultSchema),
		log:    cmp.Or(cfg.Logger, slog.New(slog.NewTextHandler(io.Discard, nil))),
	}
}

// Pool returns the store's pool, for package load and for queries.
func (s *Store) Pool() *pgxpool.Pool { return s.pool }

// Schema returns the schema name.
func (s *Store) Schema() string { return s.schema }

// Close closes the pool if Open created it.
func (s *Store) Close() {
	if s.owned {
		s.pool.Close()
	}
}

// table returns the quoted, schema-qualified name of a table.
func (s *Store) table(name string) string {
	return pgx.Identifier{s.schema, name}.Sanitize()
}
