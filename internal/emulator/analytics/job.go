package analytics

import (
	"crypto/rand"
	"fmt"
	"time"
)

// Job states as Genesys Cloud spells them.
const (
	StateQueued    = "QUEUED"
	StatePending   = "PENDING"
	StateFulfilled = "FULFILLED"
	StateFailed    = "FAILED"
	StateCancelled = "CANCELLED"
	StateExpired   = "EXPIRED"
)

// jobKind tells details jobs from aggregates jobs; a job id of one kind is
// unknown to the endpoints of the other.
type jobKind uint8

const (
	kindDetails jobKind = iota + 1
	kindAggregates
)

func (k jobKind) String() string {
	if k == kindAggregates {
		return "aggregates"
	}
	return "details"
}

// job is one submitted query. It holds the parsed query, never results:
// results pages are generated when they are read. Its state is a function
// of the clock and of the cancelled flag, so nothing has to run in the
// background.
type job struct {
	id        string
	kind      jobKind
	interval  interval
	users     userSet // nil: every user
	horizon   time.Time
	submitted time.Time
	completes time.Time // submission + JobDelay
	expires   time.Time // completion + Expiry
	fail      bool
	cancelled time.Time // zero unless cancelled
	// expireEarly expires the results once their first page was served
	// (Faults.ResultsExpiryRate, ExpireNext).
	expireEarly bool

	// aggregates only
	granularity time.Duration // zero: one bucket
	metrics     metricSet
	pageSize    int
}

// state is the job's state at now.
func (j *job) state(now time.Time, delay time.Duration) string {
	switch {
	case !j.cancelled.IsZero():
		return StateCancelled
	case now.Before(j.submitted.Add(delay / 3)):
		return StateQueued
	case now.Before(j.completes):
		return StatePending
	case j.fail:
		return StateFailed
	case !now.Before(j.expires):
		return StateExpired
	}
	return StateFulfilled
}

func running(state string) bool { return state == StateQueued || state == StatePending }

// jobFailureMessage is the errorMessage of a FAILED job.
const jobFailureMessage = "The query failed to execute due to an internal error. Submit it again."

// newJobID returns a random version-4 UUID.
func newJobID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:])
}
