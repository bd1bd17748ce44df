package store

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// Retention tables: the analytics tables, partitioned by UTC month
// (migration 00009), by the name BI reads them under.
const (
	RetainPresenceSegments      = "user_presence_segments"
	RetainRoutingStatusSegments = "user_routing_status_segments"
	RetainAggregates            = "user_aggregates" // stored in user_aggregate_days
)

// retentionTables maps each retention table to its partitioned tables:
// the segments' daily rollups (migration 00011) keep the months of their
// segments.
var retentionTables = map[string][]string{
	RetainPresenceSegments:      {"user_presence_segments", "user_presence_days"},
	RetainRoutingStatusSegments: {"user_routing_status_segments", "user_routing_status_days"},
	RetainAggregates:            {"user_aggregate_days"},
}

// RetentionTables lists the tables RetentionConfig.Months may name.
func RetentionTables() []string {
	return slices.Sorted(func(yield func(string) bool) {
		for k := range retentionTables {
			if !yield(k) {
				return
			}
		}
	})
}

// DefaultRetentionLockTimeout is RetentionConfig.LockTimeout's default.
const DefaultRetentionLockTimeout = 5 * time.Second

// RetentionConfig says how much of each analytics table to keep. The zero
// value keeps everything.
type RetentionConfig struct {
	// Months maps a table of RetentionTables to the number of months kept
	// before the current UTC month: the current month and that many before
	// it stay, every older month is dropped whole (its partition), so at
	// least that many months of history remain. Absent or 0 keeps every
	// month. A row belongs to the month of its start (segments: start_time;
	// aggregates: the UTC day of the bucket start).
	Months map[string]int
	// LockTimeout bounds the wait for the lock dropping a month takes on its
	// table: BI queries of the table running then must end first, and new
	// ones wait behind the drop meanwhile. A month not dropped in time is
	// left for the next pass. Default DefaultRetentionLockTimeout.
	LockTimeout time.Duration
	// DryRun reports what would be dropped and drops nothing.
	DryRun bool
	// Now is the clock months are counted from. Default time.Now.
	Now func() time.Time
}

// DroppedMonth is one month retention dropped (or, in a dry run, would drop).
type DroppedMonth struct {
	Table     string    // as in RetentionConfig.Months
	Partition string    // the partition dropped
	Month     time.Time // its first day, UTC
	Bytes     int64     // its size on disk, indexes and TOAST included
}

// ErrRetentionBusy is returned (wrapped) for the months a query held past
// RetentionConfig.LockTimeout: they are left for the next pass.
var ErrRetentionBusy = errors.New("store: table busy; month left for the next retention pass")

// ApplyRetention drops, oldest first, every month partition of the tables in
// cfg.Months older than the months it keeps, each in its own short
// transaction (DROP TABLE: no row is deleted one by one, no space waits for
// VACUUM). It returns the months dropped, and an error naming the months it
// could not drop, which stay for the next pass. Concurrent calls on one
// schema run one at a time. An unknown table or a negative count is refused
// before anything is dropped.
func (s *Store) ApplyRetention(ctx context.Context, cfg RetentionConfig) ([]DroppedMonth, error) {
	var plan []string
	for table, n := range cfg.Months {
		if _, ok := retentionTables[table]; !ok {
			return nil, fmt.Errorf("retention: %w: no table %q; retention applies to %v", ErrInvalid, table, RetentionTables())
		}
		if n < 0 {
			return nil, fmt.Errorf("retention of %s: %w: %d months; keep 0 (everything) or more", table, ErrInvalid, n)
		}
		if n > 0 {
			plan = append(plan, table)
		}
	}
	if len(plan) == 0 {
		return nil, nil
	}
	slices.Sort(plan)
	now := time.Now
	if cfg.Now != nil {
		now = cfg.Now
	}
	y, m, _ := now().UTC().Date()
	current := time.Date(y, m, 1, 0, 0, 0, 0, time.UTC)
	timeout := cmp.Or(cfg.LockTimeout, DefaultRetentionLockTimeout)

	conn, err := s.pool.Acquire(ctx)
	if err != nil {
		return nil, fmt.Errorf("retention: %w", translate(err))
	}
	defer conn.Release()
	key := "syncer retention " + s.schema
	if _, err := conn.Exec(ctx, "SELECT pg_advisory_lock(hashtextextended($1, 0))", key); err != nil {
		_ = conn.Conn().Close(context.WithoutCancel(ctx))
		return nil, fmt.Errorf("retention: take lock: %w", translate(err))
	}
	defer func() {
		if _, err := conn.Exec(context.WithoutCancel(ctx), "SELECT pg_advisory_unlock(hashtextextended($1, 0))", key); err != nil {
			_ = conn.Conn().Close(context.WithoutCancel(ctx))
		}
	}()

	var dropped []DroppedMonth
	var errs []error
	for _, table := range plan {
		cut := current.AddDate(0, -cfg.Months[table], 0)
		for _, parent := range retentionTables[table] {
			months, err := s.expiredMonths(ctx, conn.Conn(), parent, cut)
			if err != nil {
				return dropped, fmt.Errorf("retention of %s: %s: %w", table, parent, err)
			}
			for _, d := range months {
				d.Table = table
				if !cfg.DryRun {
					if err := s.dropPartition(ctx, conn.Conn(), d.Partition, timeout); err != nil {
						if errors.Is(err, ErrRetentionBusy) {
							errs = append(errs, fmt.Errorf("retention of %s: %s: %w", table, d.Partition, err))
							break // the later months would wait the same
						}
						return dropped, fmt.Errorf("retention of %s: drop %s: %w", table, d.Partition, err)
					}
				}
				dropped = append(dropped, d)
			}
		}
	}
	return dropped, errors.Join(errs...)
}

// expiredMonths lists the month partitions of the partitioned table whose
// upper bound is at or before cut, oldest first. Partitions with another
// kind of bound (MINVALUE, MAXVALUE, DEFAULT) are never listed.
func (s *Store) expiredMonths(ctx context.Context, conn *pgx.Conn, table string, cut time.Time) ([]DroppedMonth, error) {
	// The bounds are the literals ensure_month_partition wrote, read back
	// in the partition key's own type, whatever the session's time zone.
	rows, err := conn.Query(ctx, `
WITH p AS (
  SELECT c.relname::text AS name, pg_total_relation_size(c.oid) AS bytes, k.key_type,
         regexp_match(pg_get_expr(c.relpartbound, c.oid), '^FOR VALUES FROM \(''([^'']+)''\) TO \(''([^'']+)''\)$') AS b
  FROM pg_inherits i
  JOIN pg_class c ON c.oid = i.inhrelid
  CROSS JOIN (SELECT format_type(a.atttypid, NULL) AS key_type FROM pg_partitioned_table pt
              JOIN pg_attribute a ON a.attrelid = pt.partrelid AND a.attnum = pt.partattrs[0]
              WHERE pt.partrelid = $1::regclass) k
  WHERE i.inhparent = $1::regclass
), t AS (
  SELECT name, bytes,
         CASE WHEN key_type = 'date' THEN b[1]::date::timestamp AT TIME ZONE 'UTC' ELSE b[1]::timestamptz END AS lo,
         CASE WHEN key_type = 'date' THEN b[2]::date::timestamp AT TIME ZONE 'UTC' ELSE b[2]::timestamptz END AS hi
  FROM p WHERE b IS NOT NULL
)
SELECT name, lo, bytes FROM t WHERE hi <= $2 ORDER BY lo`, pgx.Identifier{s.schema, table}.Sanitize(), cut)
	if err != nil {
		return nil, translate(err)
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (DroppedMonth, error) {
		var d DroppedMonth
		err := r.Scan(&d.Partition, &d.Month, &d.Bytes)
		d.Month = d.Month.UTC()
		return d, err
	})
}

// dropPartition drops one month partition. DROP TABLE of a partition needs
// an ACCESS EXCLUSIVE lock on its parent: the wait for it is bounded, so a
// long BI query delays the drop to the next pass instead of stalling every
// reader of the table behind it.
func (s *Store) dropPartition(ctx context.Context, conn *pgx.Conn, partition string, timeout time.Duration) error {
	err := pgx.BeginFunc(ctx, conn, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, "SELECT set_config('lock_timeout', $1, true)", fmt.Sprintf("%dms", max(1, timeout.Milliseconds()))); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, "DROP TABLE "+pgx.Identifier{s.schema, partition}.Sanitize())
		return err
	})
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) && pgErr.Code == "55P03" { // lock_not_available
		return fmt.Errorf("%w (a query held it longer than %s)", ErrRetentionBusy, timeout)
	}
	return translate(err)
}
