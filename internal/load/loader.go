package load

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// DefaultSchema is the schema used when Config.Schema is empty.
const DefaultSchema = "genesys"

// ErrDone is returned by a Tx used after it committed, rolled back or failed.
var ErrDone = errors.New("load: transaction already finished")

// Config configures a Loader. The zero value works.
type Config struct {
	// Schema holds the syncer tables (created by `syncer migrate`). Default "genesys".
	Schema string
	// Logger receives one Info line per committed stream and Debug per batch.
	// Default: discard.
	Logger *slog.Logger
}

// Loader loads batches of rows into the syncer schema. It is safe for
// concurrent use: each Tx holds its own connection.
type Loader struct {
	pool            *pgxpool.Pool
	schema          string
	log             *slog.Logger
	sql             map[*table]sqlText
	upsertWatermark string
}

// New returns a Loader writing into cfg.Schema through pool.
func New(pool *pgxpool.Pool, cfg Config) *Loader {
	l := &Loader{
		pool:   pool,
		schema: cmp.Or(cfg.Schema, DefaultSchema),
		log:    cmp.Or(cfg.Logger, slog.New(slog.NewTextHandler(io.Discard, nil))),
		sql:    map[*table]sqlText{},
	}
	for _, t := range tables {
		l.sql[t] = buildSQL(l.schema, t)
	}
	l.upsertWatermark = "INSERT INTO " + pgx.Identifier{l.schema, "sync_watermarks"}.Sanitize() +
		` AS w (pipeline, stream, watermark, cursor, run_id, updated_at) VALUES ($1, $2, $3, $4, $5, now())
		ON CONFLICT (pipeline, stream) DO UPDATE SET watermark = EXCLUDED.watermark, cursor = EXCLUDED.cursor,
		run_id = EXCLUDED.run_id, updated_at = EXCLUDED.updated_at`
	return l
}

// Stream says what a Tx loads.
type Stream struct {
	// Pipeline and Name identify the stream, and its watermark.
	Pipeline string
	Name     string
	// RunID is the sync_runs id recorded on changed rows and on the
	// watermark; it must exist in sync_runs. 0 records none.
	RunID int64
	// Snapshot declares that the Tx carries the complete current state of
	// every entity and child table it loads: at Commit, entities not loaded
	// get deleted_at, and child rows of owners not named are removed. Only
	// tables the Tx loaded at least one batch into are finished this way (a
	// membership batch with owners but no rows counts). A Tx that does not
	// commit marks nothing. Segment tables are never snapshot-deleted.
	Snapshot bool
}

// Watermark is the position a stream reached, committed with its data.
type Watermark struct {
	Time   time.Time // zero stores NULL
	Cursor string    // "" stores NULL
}

// TableStats counts what the merges of one table did.
type TableStats struct {
	Inserted  int64 // new rows
	Updated   int64 // changed rows (history closed and opened where kept)
	Unchanged int64 // rows received that matched the stored ones: no write
	Deleted   int64 // entities soft-deleted, child rows removed
}

// Stats holds the TableStats of a Tx by table name.
type Stats map[string]TableStats

// Tables returns the table names in order.
func (s Stats) Tables() []string {
	names := make([]string, 0, len(s))
	for n := range s {
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}

// Begin starts loading one stream in one database transaction: nothing it
// loads is visible to others, and nothing is marked deleted, until Commit.
func (l *Loader) Begin(ctx context.Context, s Stream) (*Tx, error) {
	if s.Pipeline == "" || s.Name == "" {
		return nil, fmt.Errorf("load: begin stream: pipeline and stream names are required")
	}
	tx, err := l.pool.Begin(ctx)
	if err != nil {
		return nil, fmt.Errorf("load %s/%s: begin: %w", s.Pipeline, s.Name, err)
	}
	// JIT off for the transaction: the merges are many short statements
	// whose estimates (a temporary stage without statistics, a CTE of
	// unknown size) often pass jit_above_cost, and compiling one took
	// 260 ms for a statement that then ran in 20 ms.
	// Custom plans only: pgx prepares each statement once per connection,
	// and after five runs Postgres may keep a generic plan, made when a month
	// partition was new and empty, that scans it for every key probed. As
	// the load fills that month in its own transaction (no ANALYZE sees it),
	// a generic plan's scans cost more with every batch: a month of 5,000
	// users' presence stalled on them. A plan made for each run sees the
	// partitions' current size and probes their keys.
	var dbNow time.Time
	if err := tx.QueryRow(ctx, "SELECT clock_timestamp() FROM set_config('jit', 'off', true) j, set_config('plan_cache_mode', 'force_custom_plan', true) p").Scan(&dbNow); err != nil {
		_ = tx.Rollback(context.WithoutCancel(ctx))
		return nil, fmt.Errorf("load %s/%s: begin: %w", s.Pipeline, s.Name, err)
	}
	var run any
	if s.RunID != 0 {
		run = s.RunID
	}
	return &Tx{
		l:       l,
		tx:      tx,
		stream:  s,
		run:     run,
		dbStart: dbNow,
		start:   time.Now(),
		created: map[string]bool{},
		parts:   map[string]bool{},
		stats:   Stats{},
	}, nil
}
