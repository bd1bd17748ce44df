package emulator

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/usersync/syncer/internal/emulator/wire"
)

// Faults are the failures the emulator injects into /oauth/token and
// /api/v2 requests. The zero value injects none. Probabilities are in
// [0, 1]. Faults are drawn from a random source seeded by Config.Seed (or
// Faults.Seed), so a test that makes the same requests in the same order
// sees the same faults.
//
// Every fault answers before the handler runs (see Server.api), so a
// faulted request never changes the org: a write either applies fully or
// not at all.
type Faults struct {
	// LatencyMs is added to every request; JitterMs adds a uniform random
	// [0, JitterMs) on top.
	LatencyMs int `json:"latencyMs"`
	JitterMs  int `json:"jitterMs"`
	// SpikeRate is the probability that a request is delayed a further
	// SpikeMs (a latency spike).
	SpikeRate float64 `json:"spikeRate"`
	SpikeMs   int     `json:"spikeMs"`

	// ErrorRate is the probability of a 5xx answer, its status drawn from
	// ErrorStatuses (default 500, 502, 503, 504).
	ErrorRate     float64 `json:"errorRate"`
	ErrorStatuses []int   `json:"errorStatuses,omitempty"`

	// ResetRate is the probability that the connection is closed (TCP
	// reset) without an answer.
	ResetRate float64 `json:"resetRate"`

	// StormSeconds, when set, starts a 429 storm: for that many seconds
	// every request answers 429 with Retry-After StormRetryAfter (default
	// 5). GET shows the seconds left.
	StormSeconds    int `json:"stormSeconds"`
	StormRetryAfter int `json:"stormRetryAfter,omitempty"`

	// RevokeTokens, when true in a PUT, revokes every token issued so far
	// (a one-shot action; GET always shows false).
	RevokeTokens bool `json:"revokeTokens,omitempty"`

	// ExpandDropRate is the probability that a user of a GET /api/v2/users
	// or users search answer comes without its skills and languages
	// expands although they were asked for: Genesys Cloud documents expands
	// as best effort, and a client must then read the per-user endpoints.
	ExpandDropRate float64 `json:"expandDropRate"`

	// JobFailureRate is the probability that an analytics job ends FAILED.
	// It is forwarded to the analytics service.
	JobFailureRate float64 `json:"jobFailureRate"`
	// JobExpiryRate is the probability that the results of an analytics
	// job that does not fail expire once their first page was served (later
	// pages answer 404, the job shows EXPIRED). It is forwarded to the
	// analytics service as its ResultsExpiryRate.
	JobExpiryRate float64 `json:"jobExpiryRate"`

	// CorruptPage, when set, corrupts the answers to one page of a GET
	// listing (see PageCorruption).
	CorruptPage *PageCorruption `json:"corruptPage,omitempty"`

	// Seed, when non-zero, reseeds the fault dice (an action, like
	// RevokeTokens: GET shows 0). Reset reseeds them with Config.Seed.
	Seed int64 `json:"seed,omitempty"`
}

var defaultErrorStatuses = []int{500, 502, 503, 504}

func (f Faults) validate() error {
	var errs []error
	for _, p := range []struct {
		name string
		v    float64
	}{{"spikeRate", f.SpikeRate}, {"errorRate", f.ErrorRate}, {"resetRate", f.ResetRate},
		{"expandDropRate", f.ExpandDropRate}, {"jobFailureRate", f.JobFailureRate},
		{"jobExpiryRate", f.JobExpiryRate}} {
		if !(p.v >= 0 && p.v <= 1) {
			errs = append(errs, fmt.Errorf("%s %v is not a probability in [0, 1]", p.name, p.v))
		}
	}
	for _, d := range []struct {
		name string
		v    int
	}{{"latencyMs", f.LatencyMs}, {"jitterMs", f.JitterMs}, {"spikeMs", f.SpikeMs},
		{"stormSeconds", f.StormSeconds}, {"stormRetryAfter", f.StormRetryAfter}} {
		if d.v < 0 {
			errs = append(errs, fmt.Errorf("%s %d is negative", d.name, d.v))
		}
	}
	for _, st := range f.ErrorStatuses {
		if st < 500 || st > 599 {
			errs = append(errs, fmt.Errorf("errorStatuses: %d is not a 5xx status", st))
		}
	}
	if f.CorruptPage != nil {
		errs = append(errs, f.CorruptPage.validate())
	}
	return errors.Join(errs...)
}

// faultInjector holds the faults in force and their dice.
type faultInjector struct {
	now func() time.Time

	mu         sync.Mutex
	f          Faults
	r          *rand.Rand
	stormUntil time.Time
	// jobFailure and jobExpiry are told the job failure and expiry rates
	// when the analytics service is mounted.
	jobFailure, jobExpiry func(float64)
}

func newFaultInjector(seed int64, now func() time.Time) *faultInjector {
	return &faultInjector{now: now, r: rand.New(rand.NewPCG(uint64(seed), 0xfa17))}
}

// set replaces the faults in force. The caller has validated f.
func (fi *faultInjector) set(f Faults) {
	fi.mu.Lock()
	defer fi.mu.Unlock()
	if f.Seed != 0 {
		fi.r = rand.New(rand.NewPCG(uint64(f.Seed), 0xfa17))
	}
	fi.stormUntil = time.Time{}
	if f.StormSeconds > 0 {
		fi.stormUntil = fi.now().Add(time.Duration(f.StormSeconds) * time.Second)
	}
	f.RevokeTokens = false
	f.Seed = 0
	if f.CorruptPage != nil {
		c := *f.CorruptPage // counted down here, not in the caller's value
		f.CorruptPage = &c
	}
	fi.f = f
	if fi.jobFailure != nil {
		fi.jobFailure(f.JobFailureRate)
	}
	if fi.jobExpiry != nil {
		fi.jobExpiry(f.JobExpiryRate)
	}
}

// get returns the faults in force, StormSeconds being the seconds left.
func (fi *faultInjector) get() Faults {
	fi.mu.Lock()
	defer fi.mu.Unlock()
	f := fi.f
	if f.CorruptPage != nil {
		c := *f.CorruptPage
		f.CorruptPage = &c
	}
	f.StormSeconds = 0
	if left := fi.stormUntil.Sub(fi.now()); left > 0 {
		f.StormSeconds = secondsCeil(left)
	}
	return f
}

// decision is what the dice said for one request.
type decision struct {
	delay      time.Duration
	reset      bool
	status     int // 5xx, or 0
	storm      bool
	retryAfter int
}

func (fi *faultInjector) roll() decision {
	fi.mu.Lock()
	defer fi.mu.Unlock()
	f := fi.f
	var d decision
	d.delay = time.Duration(f.LatencyMs) * time.Millisecond
	if f.JitterMs > 0 {
		d.delay += time.Duration(fi.r.IntN(f.JitterMs*1000)) * time.Microsecond
	}
	if f.SpikeRate > 0 && fi.r.Float64() < f.SpikeRate {
		d.delay += time.Duration(f.SpikeMs) * time.Millisecond
	}
	if fi.now().Before(fi.stormUntil) {
		d.storm, d.retryAfter = true, max(f.StormRetryAfter, 1)
		if f.StormRetryAfter == 0 {
			d.retryAfter = 5
		}
		return d
	}
	if f.ResetRate > 0 && fi.r.Float64() < f.ResetRate {
		d.reset = true
		return d
	}
	if f.ErrorRate > 0 && fi.r.Float64() < f.ErrorRate {
		statuses := f.ErrorStatuses
		if len(statuses) == 0 {
			statuses = defaultErrorStatuses
		}
		d.status = statuses[fi.r.IntN(len(statuses))]
	}
	return d
}

// expandDropper returns a function that says, user by user, whether to
// drop the skills and languages expands, or nil when no expand is dropped.
// The caller must not hold other locks that inject takes.
func (fi *faultInjector) expandDropper() func() bool {
	fi.mu.Lock()
	rate := fi.f.ExpandDropRate
	fi.mu.Unlock()
	if rate <= 0 {
		return nil
	}
	return func() bool {
		fi.mu.Lock()
		defer fi.mu.Unlock()
		return fi.r.Float64() < rate
	}
}

// inject applies the faults to one request; it returns true when it has
// answered (or dropped) the request and the handler must not run.
func (fi *faultInjector) inject(w http.ResponseWriter, r *http.Request) bool {
	d := fi.roll()
	if d.delay > 0 {
		t := time.NewTimer(d.delay)
		select {
		case <-t.C:
		case <-r.Context().Done():
			t.Stop()
			return true
		}
	}
	switch {
	case d.storm:
		writeTooManyRequests(w, d.retryAfter)
		return true
	case d.reset:
		resetConnection(w)
		return true
	case d.status != 0:
		writeServerError(w, d.status)
		return true
	}
	return false
}

// resetConnection drops the client's connection without an answer, with
// SO_LINGER 0 so the client sees a TCP reset rather than a clean close.
func resetConnection(w http.ResponseWriter) {
	conn, _, err := http.NewResponseController(w).Hijack()
	if err != nil {
		// HTTP/2 or a recorder: the nearest thing is an aborted handler.
		panic(http.ErrAbortHandler)
	}
	if sw, ok := w.(*statusWriter); ok {
		sw.hijacked = true
	}
	if tc, ok := conn.(*net.TCPConn); ok {
		_ = tc.SetLinger(0)
	}
	_ = conn.Close()
}

// writeServerError writes the Genesys body of a 5xx.
func writeServerError(w http.ResponseWriter, status int) {
	switch status {
	case http.StatusServiceUnavailable:
		wire.WriteError(w, status, wire.CodeUnavailable, "Service Unavailable. The service is currently unavailable; retry later.")
	case http.StatusBadGateway:
		wire.WriteError(w, status, "bad.gateway", "The gateway received an invalid response from an upstream server.")
	case http.StatusGatewayTimeout:
		wire.WriteError(w, status, "gateway.timeout", "The upstream service did not respond in time.")
	default:
		wire.WriteError(w, status, wire.CodeInternal, "The server encountered an unexpected condition which prevented it from fulfilling the request.")
	}
}

// Faults returns the faults in force.
func (s *Server) Faults() Faults { return s.faults.get() }

// SetFaults replaces the faults in force. RevokeTokens in f revokes every
// token issued so far.
func (s *Server) SetFaults(f Faults) error {
	if err := f.validate(); err != nil {
		return fmt.Errorf("emulator: faults: %w", err)
	}
	if f.RevokeTokens {
		s.RevokeTokens()
	}
	s.faults.set(f)
	return nil
}
