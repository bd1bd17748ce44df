// Package schedule is `syncer serve`: it runs each pipeline on its cron
// schedule, at most one run of a pipeline at a time across any number of
// replicas, and serves /healthz, /readyz, /metrics and /runs.
//
// # Readiness
//
// A Service answers its HTTP endpoints from the start, before the database
// is usable: a database that is down or a migration that is pending is a
// 503 on /readyz with the reason, not an exit, so an orchestrator sees a
// live process that is not ready yet. Until the database answers and
// every migration is applied (applied by the Service itself with
// ServiceConfig.Migrate), it retries after RetryMin, doubling up to
// RetryMax, and builds no Scheduler: no job runs before ready. Once ready
// it builds the Scheduler and runs it; from then on the database is
// checked every CheckInterval and at each /readyz (at most once a second),
// and readiness follows it. Every state (database ok/unreachable,
// migrations current/pending/failed/unknown) is logged when it is entered,
// never at each retry or check. Reasons come from store errors, which name
// the host, port and database but never the URL or its password.
//
// # Documents
//
// /runs, /readyz, /healthz and the error answers are JSON with snake_case
// names, units in the names (duration_seconds, waited_seconds), UTC times
// and every field present (null where it does not apply): Runs, RunInfo,
// JobStatus, Readiness, Health and Error. docs/schema holds their JSON
// Schemas, and the tests validate real answers against them. RunInfo
// decodes sync_runs.counts and .calls with the types that recorded them,
// so the stored form may change without changing the document.
//
// # Model
//
// A Job is a name, a cron spec (robfig/cron/v3, parsed like
// config.CronParser, in Config.Location) and a RunFunc, which runs the job,
// records it in sync_runs and returns a Result (run id, outcome, committed
// rows, calls). The scheduler knows nothing else of what a job does, and
// imports neither the forward path nor the reverse one: cmd/syncer injects
// a function that builds a pipeline's streams and runs them with
// pipeline.Runner, or one that runs a feed with package reverse. Each job
// has a loop
// that sleeps until the schedule's next time (robfig's Schedule.Next; the
// loop is ours so that a tick knows its scheduled time and stops with ctx).
// A tick
//
//  1. is skipped when this replica is still running the job (recorded: a
//     Warn log, syncer_skipped_runs_total{reason="running"}, and the
//     job's "skipped"/"last_skipped" in /runs). Skips are not rows of
//     sync_runs: that table records runs, and every reader of it (status,
//     BI) would have to filter them out;
//  2. is skipped while the job backs off after failures (reason "backoff"):
//     after n consecutive failures, ticks earlier than the last failure plus
//     Backoff·2^(n-1) (capped at MaxBackoff) do not run. With the defaults
//     (1m, 30m) this only thins out frequent schedules; a nightly pipeline
//     retries at every tick. Failures are counted from sync_runs, so they
//     survive restarts and agree across replicas;
//  3. otherwise takes the job's lock (store.TryLock) without waiting. If
//     another replica holds it, this tick is that replica's. With the lock,
//     the latest run in sync_runs is read: if one started no earlier than
//     half a period before the tick, another replica already ran this tick
//     (replicas' clocks differ a little) and nothing is done;
//  4. runs the job, checking the lock every LeaseTTL/8.
//
// # One runner per pipeline: the lock
//
// Replicas coordinate only through Postgres, with a session-level advisory
// lock (pg_try_advisory_lock on a hash of schema and pipeline) held on a
// dedicated connection for the whole run. This was chosen over a lease row
// renewed by a heartbeat because:
//
//   - the common ways a replica dies (crash, OOM kill, SIGKILL, pod
//     deletion) close its socket, and the server frees the lock at once; a
//     lease row would keep the pipeline for its full TTL every time;
//   - it needs no table, no clock comparison between hosts and no cleanup of
//     stale rows; the lock cannot outlive its holder's session.
//
// The case a lock alone does not bound is a holder that goes silent without
// closing its socket (host down, network cut). Config.LeaseTTL bounds it:
//
//   - the lock connection sets TCP keepalives and tcp_user_timeout on both
//     ends so the server drops a silent session, and the lock, within
//     LeaseTTL/2;
//   - the holder pings its lock connection every LeaseTTL/8 with a
//     LeaseTTL/8 timeout and cancels its run (ErrLockLost, recorded as
//     interrupted) as soon as a ping fails: it stops within LeaseTTL/4 of
//     losing contact;
//   - every replica re-reads each job's latest run every LeaseTTL/4. A run
//     recorded as running whose lock is free belongs to a replica that is
//     gone: the replica that then takes the lock waits a fence of
//     2.5·LeaseTTL/8 (so the old holder has noticed and stopped) and runs
//     the pipeline at once instead of at the next tick; the job marks the
//     orphaned run interrupted before starting its own
//     (store.BeginExclusiveRun). A latest
//     run recorded as interrupted (its replica was stopped, or lost its
//     lock and stopped itself) is likewise run again at once, without the
//     fence. Both apply to scheduled jobs only, and respect the back-off.
//
// So a replica that vanishes hands its pipelines over within about
// LeaseTTL, and one that crashes within LeaseTTL/4 plus the fence.
//
// # Approvals
//
// A scheduled feed's run may end StatusAwaitingApproval: a guard tripped
// and its plan is parked for a person's approval. That is neither a
// failure nor a success: it does not count towards the back-off or
// syncer_consecutive_failures, nor reset them. A job with a Plans function
// (cmd/syncer gives feed jobs one, over reverse.Approvals) is asked, with
// every refresh (every LeaseTTL/4, and after each run), how many of its
// plans await approval (the syncer_plans_awaiting_approval gauge) and
// how many approved plans wait for their apply: when some do and the job
// is not running here, it runs at once (trigger "approved"), like a
// takeover, by whichever replica gets its lock, within its back-off; the
// replica asks again under the lock, and the run applies them. An apply
// is exactly once because only the lock's holder applies, through the
// apply journal (see package reverse).
//
// Requirements and limits: the lock needs a real session (a direct
// connection or session pooling; PgBouncer in transaction mode would lose
// it). `syncer run` must take the same lock (store.TryLock with the
// pipeline's name) or a scheduled replica may take its running run for an
// orphan. Fencing is by time: a commit already in flight on the network
// when a holder loses its lock could still land after the taker started;
// the loads are idempotent merges, so this repeats work rather than
// corrupting it.
//
// # Shutdown
//
// When Run's context is cancelled (SIGTERM/SIGINT), no tick starts a run
// any more and /readyz answers 503. Running jobs continue for ShutdownGrace;
// a run's unit of commit is a stream (one transaction each), so a run that
// is near its end gets to commit. When the grace period ends, the runs'
// contexts are cancelled with ErrShutdown: in-flight streams roll back,
// committed ones stay, and the run is recorded as interrupted. Run returns
// once every run has returned (normally grace plus a round trip to record
// the end; at most 10s more).
//
// # Metrics
//
// Metrics uses its own registry: runs by pipeline and outcome, run duration,
// rows loaded by table and change (committed streams only), API calls by
// endpoint and status, 429s, retries and wait (from each finished run's
// Result, whose calls are the run's own), last success time and
// consecutive failures (from sync_runs), skipped runs and tick results,
// running and next tick, lost locks, a feed's plans awaiting approval; with
// a rate budget, its live rate,
// configured rate, wait, 429s and requests in flight; Go and process
// metrics, among them the gauges a leak shows in: go_goroutines,
// go_memstats_heap_inuse_bytes, go_gc_heap_live_bytes and
// process_resident_memory_bytes (the chaos suite's soak watches them).
//
// # Invariants
//
//   - A job's RunFunc is only called while its lock is held, and the lock
//     is released only after RunFunc returned (the run is recorded).
//   - A replica never runs a job twice at once; two replicas never run it
//     at once while their lock sessions are alive.
//   - After Run's context is cancelled no run starts, and Run returns only
//     when every run has returned.
//   - One job's failure or slowness never delays another job's ticks.
package schedule
