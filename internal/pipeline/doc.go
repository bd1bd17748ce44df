// Package pipeline wires the forward path: it runs a pipeline's streams
// (extract -> load) concurrently under the one shared rate budget, records
// the run in sync_runs and sync_stream_runs (store's BeginExclusiveRun,
// EndRun, EndStreamRun), and reports progress.
//
// Model: a run is a set of Streams. The forward streams are registered
// (Register), one file each (stream_<name>.go): a Spec declares the
// stream's name, the tables it loads, the streams it runs after (After:
// hard, skipped when one did not succeed) and those whose results it may
// wait for mid-run (Awaits: soft), how to estimate its least calls, and
// how to build it for a pipeline. Config validation, `syncer run
// --dry-run`'s costs (Costs), README's stream table and ForwardStreams
// read the registry. The reference stream reads the registered listings
// (RegisterListing) and the users stream loads the registered expands
// (RegisterExpand): a listing or an expand is one registration too.
//
// A stream's Run receives the watermark it last committed and sends
// batches on its Out, which it closes; the runner loads them one at a
// time, in order, into the stream's one load.Tx while the stream reads
// on, so a stream commits all its rows and its watermark at once, or
// nothing. Streams hand values to each other only through declared
// handoffs (RefData, UserIDs, UserTotals: Put, Get, Updates), never
// through shared state; a stream reading a handoff it did not declare
// panics. A stream that fails does not stop independent streams; the run
// then fails.
//
// Incremental streams (user_details, user_aggregates) plan their analytics
// windows from the previous watermark (minus the lookback, up to the data
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
//   - A stream that writes a table it does not declare fails before it
//     commits.
package pipeline
