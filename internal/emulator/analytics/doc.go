// Package analytics emulates the Genesys Cloud analytics async jobs the
// syncer runs: user details jobs (presence and routing-status segments) and
// user aggregates jobs (tSystemPresence, tOrganizationPresence and
// tAgentRoutingStatus by user and granularity bucket), plus the details
// data availability date.
//
// # History model
//
// A user's presence history is a pure function of (seed, user id, time),
// computed by Model when a page is read and never stored: an org of 200,000
// users costs no memory until it is queried, and a page costs the same
// whatever the org's size. A user's history hangs on a profile drawn from
// the hash of (seed, user id): whether the user has any history at all
// (about 92% of active users; inactive and deleted users never do), whether
// they are an ACD agent (about 80%), and their usual shift start (05:00 to
// 13:00 UTC) and length (7 to 9 hours). Each day is then drawn from the hash
// of (seed, user id, day): weekends are off, a weekday is off 6% of the time
// except Wednesdays, which everyone with history works. A working day is a
// shift of AVAILABLE (logging in), then the main presence (ON_QUEUE for
// agents, AVAILABLE for others) broken by two BREAKs and a MEAL, and at
// random by MEETING, TRAINING, IDLE, AWAY and BUSY; outside shifts the user
// is OFFLINE. While ON_QUEUE, routing status alternates IDLE with
// INTERACTING, NOT_RESPONDING or COMMUNICATING; at all other times it is
// OFF_QUEUE. Non-agents have no routing-status history. BUSY and AWAY have
// two organisation presences each (a default and a custom one); every other
// system presence has one, all with ids derived from the seed.
//
// Invariants, each checked by a test:
//   - Presence segments are contiguous and never overlap, and so are
//     routing segments; two adjacent segments never have the same value.
//   - Routing status is other than OFF_QUEUE exactly while the presence is
//     ON_QUEUE.
//   - A segment overlapping a query window is returned whole, with its real
//     start and end even outside the window, as Genesys does; reading two
//     adjacent windows gives the segments of their union.
//   - Nothing after the data horizon is known: a job sees segments that
//     start before min(interval end, dataAvailabilityDate), and one still
//     running at that date has no endTime (so with no lag, a segment still
//     open "now" has none).
//   - Aggregates are computed from the same segments clipped to each bucket
//     (sums in milliseconds; count is the number of segments overlapping the
//     bucket), so they reconcile exactly with details, and the
//     tSystemPresence sums of a bucket add up to its length.
//
// Changing a user's state to inactive or deleted removes their whole
// history, past included: the model has no record of when a user left.
//
// # Jobs
//
// A job holds its parsed query and its data horizon (the availability date
// at submission), never results. Its state is a function of the clock:
// QUEUED for the first third of Config.JobDelay, PENDING for the rest, then
// FULFILLED, or FAILED when a fault picked it at submission (Faults.FailNext,
// Faults.JobFailureRate); CANCELLED once deleted; EXPIRED Config.Expiry after
// completion. One Expiry later the job is forgotten (404). The QUEUED and
// PENDING jobs of both kinds together are capped by
// Config.MaxConcurrentJobs: a submission over the cap answers 429 with the
// Genesys rate-limit body and a Retry-After of the seconds until the first
// running job completes.
//
// Choices where Genesys behaviour is not documented (see
// reference/api-facts.md): results of a job that is not FULFILLED answer 400
// bad.request, except EXPIRED ones, which answer 404 not.found; intervals
// longer than Config.MaxInterval (31 days) answer 400; details pages hold 100
// users by default and at most 1000 (pageSize), fewer when the page reaches
// Config.MaxPageSegments segments (Genesys documents short pages; clients
// must follow the cursor, not count users); aggregates pages hold the
// query's pageSize groups (default 100, at most 1000); granularity must be a
// whole number of 15-minute periods, days or weeks; groupBy must be
// ["userId"]; user filters support only the userId dimension; presence and
// routing-status filters, order and limit are validated and ignored (users
// always come in ascending id order); timeZone is ignored, buckets start at
// the interval start and the last one is cut at the interval end. Users with no data in the
// interval are left out of both kinds of results, and so are aggregates
// buckets without data.
//
// # Paging
//
// Results are written to the response while they are generated, one user
// at a time, with hand-written JSON into pooled buffers. A cursor is
// base64url of the job id and the last user id of the page, sealed with an
// HMAC under a per-Service key: any other cursor, tampered, truncated, of
// another job or of the other job kind, answers 400. Paging resumes after
// that user id in the UserSource's id order, so users added or removed
// between pages neither duplicate nor skip anyone else. The last page has
// no cursor.
//
// The service does no authentication, rate limiting or request counting:
// the emulator core mounts it under its middleware with Register.
package analytics
