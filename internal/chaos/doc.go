// Package chaos holds the reliability suite of issue 9 (tests only): the
// forward path and the apply path under injected API faults, kill -9 of
// real `syncer run` and `syncer apply` processes, malformed configs, the
// malformed-feed corpus of internal/feed through `syncer plan`, corrupted
// API answers (on the first page or in the middle of paging),
// pg_terminate_backend in the middle of a load, the secrets check over
// every output of a full run and of `syncer serve` (log, /metrics, /runs,
// /healthz, /readyz), and a soak of `syncer serve` under faults, off
// unless SYNCER_SOAK is set (`make soak`).
//
// The tests build the syncer binary once (TestMain) and run it as a
// subprocess against an in-process emulator on a real port and the
// Postgres of internal/pgtest, so they exercise exactly what an operator
// runs. A fast subset runs in `make test`; `make test-chaos` (build tag
// chaos) raises the number of crash points. Each test adds its figures to
// a shared tally that TestMain prints at the end.
package chaos
