// Package extract reads a Genesys Cloud org as streams of record batches:
// users with their expands, skills and languages, queue memberships, role
// grants, reference dimensions, and the analytics user details and
// aggregates jobs.
//
// Each stream chooses its cheapest correct call strategy, and a call's cost is
// known before it is made (EstimateQueueCosts, PlanWindows), so a run can
// report the calls it used against the minimum the data needed.
//
// Analytics jobs (UserDetails, UserAggregates): PlanDetails/PlanAggregates
// read the data availability date and cut [watermark - lookback,
// min(now, availability)) into windows no longer than the allowed interval
// (aggregates windows on granularity boundaries, so buckets are whole). One
// job per window is submitted while a slot is free (JobSlots, shared by both
// streams of a run, caps the windows in flight below the org's
// concurrent-job cap), polled with backoff, and its results are read by
// cursor and delivered in window order. A FAILED, EXPIRED or CANCELLED job,
// or results gone before they were read, resubmits the window at most
// MaxResubmits times, then the stream fails with a *WindowError naming the
// window. Jobs not completely read when the stream stops (interrupted or
// failed) are cancelled (DELETE).
//
// Producers (Users, QueueMembershipsByQueue, QueueMembershipsByUser, ByUser,
// RoleGrants, RoleGrantsByUser, UserDetails, UserAggregates) send batches on
// a channel the caller makes and close it when they return, whatever the
// outcome, so a caller ranges over it without a wrapper of its own. Every
// send gives way to ctx. Listings are paged by the client's iterators
// (genesys.Client.UserPages, QueueMemberPages, ...: the one paging
// implementation), with the cap set in genesys.ListOptions.PagingCap, so a
// listing past it ends in a *genesys.PagingCapError before the call.
//
// Invariants:
//   - extract never touches the database; batches go to the loader through
//     the caller.
//   - Nothing is silently truncated: a listing over the API's deep-paging cap
//     is split, and a split still over the cap is an error naming it.
//   - An analytics window is reported done only after all its pages were
//     delivered; windows never reach past the data availability date.
package extract
