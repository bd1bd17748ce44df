// Package pipeline wires the forward path: it runs a pipeline's streams
// (extract -> load) concurrently under the one shared rate budget, records
// the run in sync_runs and sync_stream_runs, and reports progress.
//
// Model: a run is a set of Streams with dependencies. Each stream loads
// inside one load.Tx, so it commits all of its rows and its watermark at
// once, or nothing. Streams whose dependencies failed are skipped. A stream
// that fails does not stop independent streams; the run then fails.
//
// Incremental streams (user_details, user_aggregates) set Stream.Resume:
// the runner hands them the watermark they last committed, they plan their
// analytics windows from it (minus the lookback, up to the data
// availability date) and return the end of the last window as the new
// watermark, which commits in the same transaction as the segments or
// aggregates. A run that fails or is interrupted keeps the old watermark,
// so the next run reads the same windows again; reloading a window changes
// nothing. Both streams share one set of analytics job slots per run.
//
// Invariants:
//   - An interrupted run (context cancelled by SIGINT/SIGTERM) rolls back
//     every stream still loading and is recorded as interrupted; streams
//     that had committed stay committed, each complete on its own.
//   - The run record is finished even when the context is cancelled
//     (context.WithoutCancel), so no run is left "running" by a clean stop;
//     a crashed process's runs are marked interrupted by the next run.
package pipeline
