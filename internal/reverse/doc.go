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
// # Approvals
//
// A scheduled feed's run (RunFeed) whose plan has changes and trips a
// guard parks the plan for approval (store.ParkPlan: plan_approvals and
// its journal plan_approval_events, keyed by apply.PlanID) and ends
// StatusAwaitingApproval. Approvals lists, shows and decides (Approve,
// Reject: an actor and a reason, one decision ever, by a conditional
// update); RunFeed (before planning anew) and ApplyApproved apply an
// approved plan under the feed job's lock, with its tripped guards
// overridden and only while fresh (apply's fingerprint check); a stale
// one is planned again, and parked again (linked to it) when a guard
// still trips. A plan awaiting approval expires after
// feeds.NAME.approval_expiry (DefaultApprovalExpiry); a later run of the
// feed supersedes it.
//
// # Invariants
//
//   - Every SQL statement lives in package store; every decision about what
//     to change lives in package diff; every call that changes the org is
//     made by package apply.
//   - A saved plan is applied only against the state it was computed from
//     (ApplyOptions.CheckFresh), unless forced; an approved plan is never
//     forced.
//   - A parked plan is applied only once approved, at most once: only the
//     holder of its feed job's lock applies it, through the apply journal,
//     so a second applier finds it applied and a crashed one is resumed.
//   - After an apply with Verify, the users are re-read and the same feed
//     is planned again: the result's Remaining plan should be empty, else
//     its operations are the differences left.
package reverse
