// Package store owns syncer's PostgreSQL schema and its operational records:
// the pgx pool, the embedded migrations (package migrations, applied with
// goose), sync run and stream run records, watermarks as read by the
// pipelines, and the plan journal of the reverse path. It also holds the
// BI questions `syncer demo` asks of the views (AgentsPerDivision, ...) and
// what happens outside the schema (Admin: creating a database, dropping a
// schema, a program-long lock), so that no other package writes SQL.
//
// Model and invariants:
//
//   - Every object lives in one schema, default "genesys", including goose's
//     version table (goose_db_version). The schema name is always quoted with
//     pgx.Identifier; every value is a query parameter.
//   - Migrations run under a session advisory lock keyed by the schema name,
//     so applying them twice, or from two processes at once, is safe: the
//     second waits and then finds nothing to do. A schema owner without
//     superuser rights can run them: no extension is created.
//   - pgx errors are translated at this boundary into the sentinels of
//     errors.go (ErrNotFound, ErrConflict, ErrNotMigrated, ...), still wrapping
//     the original error for errors.As.
//   - A run is recorded the same way by every runner (see record.go):
//     BeginExclusiveRun under the job's lock marks a run left running by a
//     dead process interrupted; StatusOf maps the work's error to the
//     status; EndRun writes the end even after cancellation and through a
//     database outage of up to EndRunTimeout.
//   - The plan journal is written before and after every API call of an
//     apply: an operation is "running" from BeginOperation until
//     FinishOperation, so a crash leaves it "running" and a resume knows that
//     call may or may not have happened.
//   - Retention (retention.go) only ever drops whole month partitions of the
//     analytics tables, one per short transaction with a bounded lock wait;
//     it never deletes rows. A rolled-back migration reports what its down
//     cannot restore (MigrationResult.Note, from the migration file).
//
// Loading data into the tables is package load's job; store never calls the
// Genesys API.
package store
