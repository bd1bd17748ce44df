// Package apply executes a diff.Plan against Genesys Cloud, journaled in
// Postgres (plans, plan_operations), resumable and idempotent. It never
// decides what to change: every call it makes is an operation of the plan
// (plus the reads needed to make that call safely).
//
// # Model
//
// A plan is journaled under PlanID (a hash of its operations and of the
// fingerprint of the state it was computed from) before any call: the plan
// body and one pending row per operation. Operations run in plan order,
// phase by phase (a phase is a run of operations of one kind); inside a
// phase, operations whose dependencies are done run concurrently (Workers).
// Each operation is marked running (BeginOperation) before its call and
// done or failed (FinishOperation) after it, with the HTTP status, the
// Genesys error code and message and the correlation id. Calls carry the
// apply priority (ratelimit.High), so they go before extraction traffic.
//
// # Kinds
//
// Each operation kind of package diff has one Executor here, registered in
// the file of the same name as the kind's in diff (kind_*.go): the API
// call(s) it makes, through the Exec it is given (the client, the ids of
// users the plan created, the counts of calls). A plan with an operation
// of a kind diff does not know, or without an executor, or not of the
// shape its kind declares, is refused before anything is journaled
// (ErrInvalid).
//
// # Invariants
//
//   - Applying a plan again resumes it: done operations are never
//     repeated; failed and running ones are tried again; an applied plan
//     does nothing.
//   - A user is never created twice. A create whose earlier attempt is
//     journaled running or failed, or whose call ended with an unknown
//     outcome or a duplicate-email 409 on a retry, first looks the user up
//     (by external id, then by email in any state) and adopts it.
//   - A versioned write (PATCH /users/{id}) that meets 409 re-reads the
//     user and retries with the version read, at most MaxConflictRetries
//     times.
//   - One operation's failure fails only that operation; the operations
//     that depend on it are journaled skipped and reported.
//   - A new plan is refused before any call when a guard is tripped
//     (ErrGuard) or when a fresh read of the state has another fingerprint
//     (ErrStale), unless forced. A resumed plan is not checked for
//     staleness: its own operations changed the state.
//   - An interrupted apply (context cancelled, process killed) leaves the
//     plan "applying" and the operation in flight "running"; its outcome is
//     established on resume.
package apply
