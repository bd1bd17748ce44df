// Package load merges batches of rows into the syncer schema (see
// migrations/): current tables, SCD2 history, analytics segments and
// aggregates, and stream watermarks. It never calls the Genesys API and
// does not import the client: the pipeline layer maps API types to the row
// types of rows.go.
//
// Model. A stream is loaded in one Tx (one database transaction):
//
//	tx, err := loader.Begin(ctx, load.Stream{Pipeline: "nightly", Name: "users", RunID: id, Snapshot: true})
//	defer tx.Rollback(ctx)
//	for batch := range batches { err = tx.Users(ctx, batch.Users); err = tx.UserSkills(ctx, batch.IDs, batch.Skills) }
//	stats, err := tx.Commit(ctx, &load.Watermark{Time: started})
//
// Each batch is written with COPY into a temporary staging table (ON COMMIT
// DROP) and merged by a few set-based statements sent in one pipeline; no
// row is ever inserted one by one, and only the current batch is held in
// memory. Segment and aggregate batches whose keys are all new (a window
// loaded for the first time) skip the staging: the table's latest time, or
// one index probe per older key, proves it, then the batch is copied
// straight into its table.
//
// A Tx is one transaction: a stream of 200,000 users or a million segments
// commits at once, and readers see the previous state until then. Only one
// Tx should write a given analytics stream at a time (one runner per
// pipeline): a Tx racing another on new segment keys fails, and the next run
// reloads the window. Entities and memberships are safe to load from
// concurrent Txs: they serialize on row locks, and the upsert, not the
// earlier comparison, decides what changed, so history never gets two open
// versions.
//
// Membership tables keep a deferred foreign key to users: load a user's
// skills, languages, groups, locations and external ids in the same Tx as
// the user (queue memberships and role grants have no such key).
//
// Tables. Each target table is declared once, in tables.go: its kind
// (entity, child or segment), key, history table, and its data columns in
// COPY order, each bound to the field of its row type by a constructor that
// also fixes the SQL type and whether "" or nil is stored as NULL:
//
//	utilizationTable = declare(table{name: "user_utilization", kind: child, owner: "user_id", key: []string{"user_id", "media_type"},
//		history: "user_utilization_history"},
//		text("user_id", func(r *UtilizationRow) string { return r.UserID }),
//		text("media_type", func(r *UtilizationRow) string { return r.MediaType }),
//		integer("maximum_capacity", func(r *UtilizationRow) int { return r.MaximumCapacity }),
//		sortedTexts("interruptible_media_types", func(r *UtilizationRow) []string { return r.InterruptibleMediaTypes }),
//		...
//	)
//
// The staging tables, every merge and history statement and the values of
// each COPY row come from that declaration; nothing else lists the columns.
// Adding a table touches:
//
//   - migrations/: a new migration creating the table with the declared
//     columns plus the bookkeeping ones of its kind (entity: row_hash,
//     first_seen_at, updated_at, updated_run, deleted_at; child: the same
//     without deleted_at; segment: first_seen_at, updated_at, updated_run),
//     its key as primary key in the declared order, and, with history, the
//     history table (the data columns, row_hash, valid_from, valid_to,
//     run_id, and a unique index of open versions on the key);
//   - rows.go: the row type;
//   - tables.go: the declaration;
//   - tx.go: one exported Tx method, `return loadRows(ctx, t, utilizationTable, users, rows)`.
//
// A column added to a hashed table whose rows a release already stored goes
// last, nullable, and the first of such columns is named as the table's
// appended: while a row has none of them, its hash leaves them out and
// matches the stored one, so upgrading rewrites no row and opens no history
// version (users' employer info and team, migration 00010); a row that gets
// one of them is written, with one history version, on the first run that
// sees it.
//
// TestDeclarationsMatchSchema compares every declaration with a freshly
// migrated schema (columns, types, NULLs, key index, bookkeeping and history
// columns), so a misspelt, mistyped or forgotten column fails there; an
// inconsistent declaration (a key column not declared, an owner of the wrong
// type) panics when the package initializes.
//
// Partitions. A segment table may be range-partitioned by month of a key
// column (declared as partition: Postgres requires the partition column in a
// partitioned primary key). The analytics tables are (migration 00009): before
// a batch is written, the Tx creates the months it needs and the month after
// its last, through ensure_month_partition, in the Tx itself: a Tx that rolls
// back leaves no month behind, and waiting on another pool connection could
// deadlock a small pool (TestPartitionsCreatedAhead). The schema test checks
// each declaration's partitioning against the migrations. Entity, child and
// history tables must stay plain: their merges tell inserts from updates by
// xmax, which Postgres cannot return from a partitioned table, and close
// history versions by ctid, which is unique only within a partition; the
// schema test refuses them. A Tx plans every statement for its arguments
// (plan_cache_mode force_custom_plan): a cached generic plan made when a
// month was empty would scan it for each key probed as the Tx fills it.
//
// Packed tables. user_aggregate_days keeps many entries per row, one element
// each in parallel array columns (declared with entries, the arrays keying an
// entry): Tx.Aggregates packs a batch of AggregateRow per user, UTC day and
// granularity (aggregates.go), a new day goes straight in, and a stored day
// is merged entry by entry in SQL. The view user_aggregates unpacks them; the
// Tx's stats count entries under the view's name.
//
// Rollups. The presence and routing-status segment tables are declared with
// a daily rollup (user_presence_days, user_routing_status_days, migration
// 00011): the closed segments' time per user, UTC day and value, split at
// midnight exactly as presence_daily splits it. The Tx keeps it by
// difference in the batch that writes the segments (rollup.go): parts of new
// closed segments added, a changed segment's old parts (its upsert returns
// them) taken away, a row left with no segment deleted, rows of days after
// the rollup's latest copied straight in. Open segments are left out and
// added by presence_days_between when it runs, so it answers exactly as
// presence_daily_between (TestRollupAgreesWithDailyViews).
//
// BenchmarkLoad (go test -run '^$' -bench BenchmarkLoad -benchtime 1x)
// measures the loader against a raw COPY of the same rows into unindexed
// tables, interleaved batch by batch, and the process's peak memory.
//
// Invariants:
//
//   - Unchanged rows cost no write: entity and membership rows carry
//     row_hash (MD5 over their typed values, computed by the loader: see
//     rowHash; raw JSON compares byte for byte); a row is written, and a history
//     version closed and opened, only when its hash differs or it was
//     deleted.
//   - History (users_history, user_skills_history, user_queues_history,
//     user_profile_skills_history, user_certifications_history,
//     user_utilization_history):
//     exactly one open version (valid_to NULL) per present key, intervals
//     never overlap; removal or deletion closes the open version, and a key
//     that reappears opens a new one. Validity times come from the database
//     clock and increase strictly from batch to batch.
//   - Memberships (skills, languages, queues, groups, locations, role grants,
//     external ids, profile skills, certifications, utilization) and the
//     one-row-per-user expands (stations, presence, routing status, last
//     login: current only, no history, since they change at every login) are
//     loaded per owner: a batch carries the complete list of each owner it
//     names, so removals are detected per owner in the batch.
//   - Out-of-office periods and development activities are upserted by key
//     like segments and never deleted: a period or an activity seen once
//     stays queryable after the API stops showing it.
//   - Deletion only after a complete snapshot: in a Stream with Snapshot set,
//     Commit soft-deletes (deleted_at) the entities not loaded and removes the
//     memberships of owners not named. A Tx that fails or is rolled back marks
//     nothing deleted.
//   - The watermark commits in the same transaction as the data: after a
//     failure mid-merge (bad row, cancelled context, lost connection) the old
//     watermark and none of the stream's rows remain.
//   - Segments are keyed by user and start: one first seen open (no end) is
//     closed when it reappears finished and never reopened; reloading a
//     window changes nothing.
//   - Aggregates are keyed by user, bucket start, granularity, metric and
//     qualifier: a reload replaces the statistics of the keys it carries and
//     keeps the others; every value is stored as given (NULL stays NULL).
//   - Values only travel as COPY data or query parameters; identifiers are
//     quoted with pgx.Identifier.
package load
