package schedule

import (
	"sync"
	"sync/atomic"
	"time"

	"github.com/robfig/cron/v3"

	"github.com/usersync/syncer/internal/store"
)

// JobStatus is a job's state as one replica sees it (the "pipelines" of
// /runs). Like RunInfo, every field is always present, null where a value
// does not apply.
type JobStatus struct {
	Pipeline string `json:"pipeline"`
	// Kind is KindPipeline or KindFeed.
	Kind string `json:"kind"`
	// Schedule is the cron spec; null for on-demand jobs.
	Schedule *string `json:"schedule"`
	// NextRun is the next cron tick; null for on-demand jobs.
	NextRun *time.Time `json:"next_run"`
	// Running is true while this replica runs the job.
	Running      bool       `json:"running"`
	RunningSince *time.Time `json:"running_since"`
	// LastRunID and LastOutcome are of this replica's last run (its id
	// null when the run left no record: the database was unreachable).
	LastRunID   *int64  `json:"last_run_id"`
	LastOutcome *string `json:"last_outcome"`
	// LastSuccess and ConsecutiveFailures come from sync_runs (every
	// replica's runs and `syncer run`'s), counted over the last 20 runs.
	LastSuccess         *time.Time `json:"last_success"`
	ConsecutiveFailures int        `json:"consecutive_failures"`
	// BackoffUntil is set while failures make ticks before it be skipped.
	BackoffUntil *time.Time `json:"backoff_until"`
	// SkippedTicks counts the ticks this replica skipped because the job
	// was still running or backing off; LastSkipped is the latest.
	SkippedTicks int64      `json:"skipped_ticks"`
	LastSkipped  *time.Time `json:"last_skipped"`
}

// history is what the recent run records say about a job.
type history struct {
	// failures counts failed runs newer than the latest success;
	// interrupted and running ones neither count nor reset it.
	failures    int
	lastFailure time.Time
	lastSuccess time.Time
}

func historyOf(runs []store.Run) history {
	var h history
	for _, r := range runs { // newest first
		switch r.Status {
		case store.StatusSucceeded:
			h.lastSuccess = r.FinishedAt
			return h
		case store.StatusFailed:
			if h.failures == 0 {
				h.lastFailure = r.FinishedAt
			}
			h.failures++
		}
	}
	return h
}

type job struct {
	Job
	sched cron.Schedule // nil: on demand
	// wake carries a trigger or a takeover to the job's loop.
	wake chan tickKind
	// running is set from a tick's start to the end of its attempt.
	running atomic.Bool

	mu           sync.Mutex
	next         time.Time
	runningSince time.Time
	lastRunID    int64
	lastOutcome  string
	hist         history
	// unrecorded counts failures since the last success that left no
	// record (the database was unreachable when the run started).
	unrecorded  int
	skips       int64
	lastSkipped time.Time
	backoffTill time.Time
	// unreadable is set while the run history cannot be read, so that an
	// outage is logged when it starts and ends, not at every refresh.
	unreadable bool
	// plansUnreadable is the same for the job's plans awaiting approval.
	plansUnreadable bool
}

// setPlansUnreadable records whether the job's plans could be counted and
// reports whether that changed.
func (j *job) setPlansUnreadable(v bool) (changed bool) {
	j.mu.Lock()
	defer j.mu.Unlock()
	changed, j.plansUnreadable = j.plansUnreadable != v, v
	return changed
}

// setUnreadable records whether the run history could be read and reports
// whether that changed.
func (j *job) setUnreadable(v bool) (changed bool) {
	j.mu.Lock()
	defer j.mu.Unlock()
	changed, j.unreadable = j.unreadable != v, v
	return changed
}

func (j *job) setNext(t time.Time) {
	j.mu.Lock()
	j.next = t
	j.mu.Unlock()
}

func (j *job) setHistory(h history) {
	j.mu.Lock()
	j.hist = h
	j.mu.Unlock()
}

func (j *job) skipped(at time.Time) {
	j.mu.Lock()
	j.skips++
	j.lastSkipped = at
	j.mu.Unlock()
}

func (j *job) begin(at time.Time) {
	j.mu.Lock()
	j.runningSince = at
	j.mu.Unlock()
}

func (j *job) end(outcome string, runID int64, at time.Time) {
	j.mu.Lock()
	defer j.mu.Unlock()
	j.runningSince = time.Time{}
	j.lastOutcome, j.lastRunID = outcome, runID
	switch {
	case outcome == store.StatusSucceeded:
		j.unrecorded = 0
	case outcome == store.StatusFailed && runID == 0:
		j.unrecorded++
		j.hist.lastFailure = at
	}
}

// failures is the consecutive failure count; the caller holds mu.
func (j *job) failuresLocked() int { return j.hist.failures + j.unrecorded }

// backoffUntil returns the time before which ticks are skipped: the last
// failure plus base doubled per further consecutive failure, capped.
func (j *job) backoffUntil(base, ceiling time.Duration) time.Time {
	j.mu.Lock()
	defer j.mu.Unlock()
	n := j.failuresLocked()
	if base < 0 || n == 0 || j.hist.lastFailure.IsZero() {
		j.backoffTill = time.Time{}
		return time.Time{}
	}
	d := base
	for i := 1; i < n && d < ceiling; i++ {
		d *= 2
	}
	j.backoffTill = j.hist.lastFailure.Add(min(d, ceiling))
	return j.backoffTill
}

func (j *job) status() JobStatus {
	j.mu.Lock()
	defer j.mu.Unlock()
	st := JobStatus{
		Pipeline:            j.Name,
		Kind:                KindOf(j.Name),
		Running:             !j.runningSince.IsZero(),
		ConsecutiveFailures: j.failuresLocked(),
		SkippedTicks:        j.skips,
	}
	// Pointers to copies: the job's fields change under j.mu.
	if sched := j.Schedule; sched != "" {
		st.Schedule = &sched
	}
	if id := j.lastRunID; id != 0 {
		st.LastRunID = &id
	}
	if outcome := j.lastOutcome; outcome != "" {
		st.LastOutcome = &outcome
	}
	st.NextRun = timePtr(j.next)
	st.RunningSince = timePtr(j.runningSince)
	st.LastSuccess = timePtr(j.hist.lastSuccess)
	st.LastSkipped = timePtr(j.lastSkipped)
	if j.backoffTill.After(time.Now()) {
		st.BackoffUntil = timePtr(j.backoffTill)
	}
	return st
}

// timePtr returns t in UTC, or nil for the zero time.
func timePtr(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	t = t.UTC()
	return &t
}
