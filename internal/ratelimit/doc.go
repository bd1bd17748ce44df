// Package ratelimit is the request budget shared by every goroutine that calls
// Genesys Cloud with one OAuth client.
//
// Model. A Budget combines four controls, applied in this order by Acquire:
//
//  1. A shared pause. A 429 answer sets one deadline (its Retry-After, capped
//     by Config.MaxPause) that every caller waits for: the server has said the
//     budget is spent, so nobody sends until the deadline, however many
//     workers there are.
//  2. Priorities. Apply traffic (High) goes before extraction traffic (Low):
//     while a High caller is waiting for the bucket, Low callers do not take
//     tokens.
//  3. A token bucket (golang.org/x/time/rate) whose rate is the smaller of the
//     AIMD rate and the header pace:
//     - AIMD: the rate starts at Config.RequestsPerMinute; each congestion
//     event (the 429s answered for one pause count as one) multiplies it by
//     Config.DecreaseFactor, never below Config.MinRequestsPerMinute; every
//     Config.RecoverInterval without a 429 adds Config.RecoverStep back, never
//     above the configured rate.
//     - Header pace: every response carries inin-ratelimit-count, -allowed and
//     -reset. Once count/allowed reaches Config.PaceThreshold, the remaining
//     requests of the server's window are spread over the seconds until it
//     resets, so the server is not made to answer 429; when nothing remains the
//     budget pauses until the window resets. The pace is lifted when a new
//     window starts.
//  4. A cap on requests in flight (Config.MaxInFlight).
//
// Invariants. A Budget knows nothing about endpoints or HTTP methods: callers
// report each answer's status and headers through Permit.Done. Every Permit
// returned by Acquire must be finished with Done exactly once (later calls are
// ignored), or the in-flight slot leaks. The rate never exceeds the configured
// rate and never falls below the configured floor. All methods are safe for
// concurrent use.
//
// Time comes from Config.Clock, so tests can drive pauses and recovery with a
// fake clock.
package ratelimit
