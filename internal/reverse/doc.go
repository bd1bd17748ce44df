// Package reverse wires the reverse path: HR feed → current state → plan →
// apply → verification. It refreshes the current state in Postgres through
// the forward streams (reference data, users of every state with skills,
// languages and employerInfo, queue memberships, role grants) plus an
// external-ids stream, reads it back as a diff.Current with the feed.Refs
// that resolve names (State), computes plans with diff.Compute and applies
// them with package apply.
//
// # Freshness
//
// Plan refreshes the state before planning unless asked not to (the
// refresh costs a few calls: users at 500 per page, queue members at 100
// per page, one listing per role). External ids have no bulk read (one GET
// per user), so they are read once per user and again only for users an
// apply changed; a user registered outside syncer keeps the ids read
// first until it is touched by an apply.
//
// # Invariants
//
//   - Every SQL statement lives in package store; every decision about what
//     to change lives in package diff; every call that changes the org is
//     made by package apply.
//   - A saved plan is applied only against the state it was computed from
//     (ApplyOptions.CheckFresh), unless forced.
//   - After an apply with Verify, the users are re-read and the same feed
//     is planned again: the result's Remaining plan should be empty, else
//     its operations are the differences left.
package reverse
