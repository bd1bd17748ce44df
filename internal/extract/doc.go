// Package extract reads a Genesys Cloud org as streams of record batches:
// users with their expands, skills and languages, queue memberships, role
// grants, reference dimensions, and the analytics user details and
// aggregates jobs.
//
// Each stream chooses its cheapest correct call strategy, and a call's cost is
// known before it is made (EstimateQueueCosts, PlanWindows), so a run can
// report the calls it used against the minimum the data needed.
//
// Invariants:
//   - extract never touches the database; batches go to the loader through
//     the caller.
//   - Nothing is silently truncated: a listing over the API's deep-paging cap
//     is split, and a split still over the cap is an error naming it.
//   - An analytics window is reported done only after all its pages were
//     delivered; windows never reach past the data availability date.
package extract
