package ratelimit

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/time/rate"
)

// Priority orders callers that share a budget.
type Priority int

const (
	// Low is extraction traffic: it yields to High callers.
	Low Priority = iota
	// High is apply traffic: writes that an operator is waiting for.
	High
)

func (p Priority) String() string {
	if p == High {
		return "high"
	}
	return "low"
}

// Defaults used for zero Config fields.
const (
	DefaultRequestsPerMinute = 300
	DefaultBurst             = 5
	DefaultMaxInFlight       = 8
	DefaultMaxPause          = time.Minute
	DefaultRetryAfter        = time.Second
	DefaultDecreaseFactor    = 0.7
	DefaultRecoverInterval   = 5 * time.Second
	DefaultPaceThreshold     = 0.8
)

// windowSlack is how far apart two reported window ends may be and still name
// the same server window: inin-ratelimit-reset has a resolution of a second.
const windowSlack = 1500 * time.Millisecond

// Config configures a Budget. Its zero value is the Genesys Cloud default
// budget of 300 requests per minute.
type Config struct {
	// RequestsPerMinute is the configured rate and the ceiling AIMD recovers
	// to. Default 300.
	RequestsPerMinute float64
	// Burst is the token bucket's depth. Default 5.
	Burst int
	// MaxInFlight caps requests sent and not yet answered. Default 8.
	MaxInFlight int
	// MaxPause caps the pause a single Retry-After can impose. Default 1 minute.
	MaxPause time.Duration
	// DecreaseFactor multiplies the rate on a congestion event (0 < f < 1).
	// Default 0.7.
	DecreaseFactor float64
	// MinRequestsPerMinute is the floor of the rate. Default a tenth of
	// RequestsPerMinute.
	MinRequestsPerMinute float64
	// RecoverInterval is how often the rate grows back by RecoverStep while no
	// 429 is seen. Default 5 s.
	RecoverInterval time.Duration
	// RecoverStep is the requests per minute added back every RecoverInterval.
	// Default a twentieth of RequestsPerMinute.
	RecoverStep float64
	// PaceThreshold is the count/allowed ratio from which the remaining
	// requests of the server's window are paced over its reset time.
	// Default 0.8.
	PaceThreshold float64
	// Clock supplies time. Default the system clock.
	Clock Clock
}

func (c Config) withDefaults() Config {
	c.RequestsPerMinute = cmp.Or(c.RequestsPerMinute, DefaultRequestsPerMinute)
	c.Burst = cmp.Or(c.Burst, DefaultBurst)
	c.MaxInFlight = cmp.Or(c.MaxInFlight, DefaultMaxInFlight)
	c.MaxPause = cmp.Or(c.MaxPause, DefaultMaxPause)
	c.DecreaseFactor = cmp.Or(c.DecreaseFactor, DefaultDecreaseFactor)
	c.MinRequestsPerMinute = cmp.Or(c.MinRequestsPerMinute, c.RequestsPerMinute/10)
	c.RecoverInterval = cmp.Or(c.RecoverInterval, DefaultRecoverInterval)
	c.RecoverStep = cmp.Or(c.RecoverStep, c.RequestsPerMinute/20)
	c.PaceThreshold = cmp.Or(c.PaceThreshold, DefaultPaceThreshold)
	if c.Clock == nil {
		c.Clock = systemClock{}
	}
	return c
}

// Validate reports a configuration that cannot work.
func (c Config) Validate() error {
	c = c.withDefaults()
	switch {
	case c.RequestsPerMinute < 0:
		return fmt.Errorf("ratelimit: requests per minute %v is negative", c.RequestsPerMinute)
	case c.Burst < 1:
		return fmt.Errorf("ratelimit: burst %d is below 1", c.Burst)
	case c.MaxInFlight < 1:
		return fmt.Errorf("ratelimit: max in flight %d is below 1", c.MaxInFlight)
	case c.DecreaseFactor <= 0 || c.DecreaseFactor >= 1:
		return fmt.Errorf("ratelimit: decrease factor %v is not between 0 and 1", c.DecreaseFactor)
	case c.MinRequestsPerMinute <= 0 || c.MinRequestsPerMinute > c.RequestsPerMinute:
		return fmt.Errorf("ratelimit: minimum rate %v is not between 0 and the rate %v", c.MinRequestsPerMinute, c.RequestsPerMinute)
	case c.PaceThreshold <= 0 || c.PaceThreshold > 1:
		return fmt.Errorf("ratelimit: pace threshold %v is not in (0, 1]", c.PaceThreshold)
	case c.MaxPause < 0 || c.RecoverInterval < 0 || c.RecoverStep < 0:
		return errors.New("ratelimit: negative pause, recover interval or recover step")
	}
	return nil
}

// Budget is a request budget shared by all goroutines using one OAuth client.
// See the package documentation for its model.
type Budget struct {
	cfg   Config
	clock Clock
	lim   *rate.Limiter
	slots chan struct{}

	mu          sync.Mutex
	aimd        float64   // AIMD rate, requests per second
	recoverFrom time.Time // when the next additive step is measured from
	holdUntil   time.Time // 429s before this belong to the last congestion event
	pauseUntil  time.Time // shared pause deadline
	pace        float64   // header pace, requests per second; 0 = none
	win         serverWindow
	applied     float64 // the limit last set on lim
	highWaiting int
	highDone    chan struct{} // closed when highWaiting drops to zero

	acquired    atomic.Int64
	waitedNanos atomic.Int64
	maxWait     atomic.Int64
	inFlight    atomic.Int64
	rateLimited atomic.Int64
	decreases   atomic.Int64
	pauses      atomic.Int64
}

// serverWindow is the server's current rate-limit window as its headers
// describe it.
type serverWindow struct {
	end     time.Time
	count   int
	allowed int
}

// New returns a Budget. It panics if cfg does not Validate: a budget is built
// once at start-up from a validated configuration.
func New(cfg Config) *Budget {
	if err := cfg.Validate(); err != nil {
		panic(err)
	}
	cfg = cfg.withDefaults()
	perSec := cfg.RequestsPerMinute / 60
	now := cfg.Clock.Now()
	return &Budget{
		cfg:         cfg,
		clock:       cfg.Clock,
		lim:         rate.NewLimiter(rate.Limit(perSec), cfg.Burst),
		slots:       make(chan struct{}, cfg.MaxInFlight),
		aimd:        perSec,
		applied:     perSec,
		recoverFrom: now,
		highDone:    make(chan struct{}),
	}
}

// Permit is the right to send one request. Finish it with Done.
type Permit struct {
	b      *Budget
	done   atomic.Bool
	waited time.Duration
}

// Waited is how long Acquire waited before granting the permit.
func (p *Permit) Waited() time.Duration { return p.waited }

// Done releases the permit's in-flight slot and feeds the answer back into
// the budget: status is the HTTP status (0 when no answer arrived) and h its
// headers (nil allowed). Calls after the first are ignored.
func (p *Permit) Done(status int, h http.Header) {
	if p == nil || !p.done.CompareAndSwap(false, true) {
		return
	}
	<-p.b.slots
	p.b.inFlight.Add(-1)
	p.b.observe(status, h)
}

// Acquire waits until a request may be sent: past the shared pause, behind
// higher-priority callers, a token from the bucket and a free in-flight
// slot. It returns ctx.Err() if ctx ends first.
func (b *Budget) Acquire(ctx context.Context, prio Priority) (*Permit, error) {
	start := b.clock.Now()
	if prio == High {
		b.mu.Lock()
		b.highWaiting++
		b.mu.Unlock()
		defer b.highFinished()
	}
	if err := b.waitToken(ctx, prio); err != nil {
		return nil, err
	}
	select {
	case b.slots <- struct{}{}:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	b.inFlight.Add(1)
	waited := b.clock.Now().Sub(start)
	b.acquired.Add(1)
	b.waitedNanos.Add(int64(waited))
	for {
		m := b.maxWait.Load()
		if int64(waited) <= m || b.maxWait.CompareAndSwap(m, int64(waited)) {
			break
		}
	}
	return &Permit{b: b, waited: waited}, nil
}

func (b *Budget) highFinished() {
	b.mu.Lock()
	b.highWaiting--
	if b.highWaiting == 0 {
		close(b.highDone)
		b.highDone = make(chan struct{})
	}
	b.mu.Unlock()
}

// waitToken loops until the caller holds a token taken outside any pause.
func (b *Budget) waitToken(ctx context.Context, prio Priority) error {
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		now := b.clock.Now()
		b.mu.Lock()
		b.adjust(now)
		pause := b.pauseUntil.Sub(now)
		var yield chan struct{}
		if prio == Low && b.highWaiting > 0 {
			yield = b.highDone
		}
		var r *rate.Reservation
		if pause <= 0 && yield == nil {
			r = b.lim.ReserveN(now, 1)
		}
		b.mu.Unlock()

		switch {
		case pause > 0:
			if err := b.clock.Sleep(ctx, pause); err != nil {
				return err
			}
			continue
		case yield != nil:
			select {
			case <-yield:
			case <-ctx.Done():
				return ctx.Err()
			}
			continue
		}
		if !r.OK() { // burst >= 1 makes this impossible; stay safe anyway
			return errors.New("ratelimit: token bucket refused a single token")
		}
		if d := r.DelayFrom(now); d > 0 {
			if err := b.clock.Sleep(ctx, d); err != nil {
				r.CancelAt(b.clock.Now())
				return err
			}
		}
		// A 429 may have arrived while this caller slept: the token was
		// granted for a world in which the server still accepted requests.
		b.mu.Lock()
		paused := b.pauseUntil.After(b.clock.Now())
		b.mu.Unlock()
		if !paused {
			return nil
		}
	}
}

// observe feeds one answer back.
func (b *Budget) observe(status int, h http.Header) {
	now := b.clock.Now()
	b.mu.Lock()
	defer b.mu.Unlock()
	if status == http.StatusTooManyRequests {
		b.rateLimited.Add(1)
		ra, ok := ParseRetryAfter(h.Get(HeaderRetryAfter), now)
		if !ok || ra <= 0 {
			ra = DefaultRetryAfter
		}
		b.pauseLocked(now.Add(min(ra, b.cfg.MaxPause)))
		if !now.Before(b.holdUntil) {
			// A new congestion event: the 429s of requests that were already
			// in flight when the pause began belong to this one.
			b.decreases.Add(1)
			floor := b.cfg.MinRequestsPerMinute / 60
			b.aimd = max(b.aimd*b.cfg.DecreaseFactor, floor)
			b.holdUntil = b.pauseUntil.Add(time.Second)
			b.recoverFrom = b.pauseUntil
			b.pace, b.win = 0, serverWindow{}
		}
	}
	if l, ok := ParseLimit(h); ok && status != http.StatusTooManyRequests {
		b.observeLimit(now, l)
	}
	b.adjust(now)
}

// observeLimit applies the header pace.
func (b *Budget) observeLimit(now time.Time, l Limit) {
	end := now.Add(l.Reset)
	switch {
	case b.win.end.IsZero(), !now.Before(b.win.end), end.Sub(b.win.end) > windowSlack:
		b.win = serverWindow{end: end, count: l.Count, allowed: l.Allowed}
	case b.win.end.Sub(end) > windowSlack:
		return // a late answer from a window that has already ended
	default:
		b.win.count = max(b.win.count, l.Count)
		b.win.allowed = l.Allowed
	}
	if float64(b.win.count) < b.cfg.PaceThreshold*float64(b.win.allowed) {
		b.pace = 0
		return
	}
	// Requests still in flight will be counted too.
	remaining := b.win.allowed - b.win.count - int(b.inFlight.Load())
	if remaining <= 0 {
		b.pauseLocked(b.win.end)
		b.pace = 0
		return
	}
	secs := max(b.win.end.Sub(now), time.Second).Seconds()
	b.pace = float64(remaining) / secs
}

func (b *Budget) pauseLocked(until time.Time) {
	if until.After(b.pauseUntil) {
		if !b.pauseUntil.After(b.clock.Now()) {
			b.pauses.Add(1)
		}
		b.pauseUntil = until
	}
}

// adjust applies additive recovery, lifts an expired pace, and sets the
// bucket to the effective rate. b.mu must be held.
func (b *Budget) adjust(now time.Time) {
	ceiling := b.cfg.RequestsPerMinute / 60
	if b.aimd < ceiling && b.cfg.RecoverInterval > 0 && now.After(b.recoverFrom) {
		steps := int(now.Sub(b.recoverFrom) / b.cfg.RecoverInterval)
		if steps > 0 {
			b.aimd = min(ceiling, b.aimd+float64(steps)*b.cfg.RecoverStep/60)
			b.recoverFrom = b.recoverFrom.Add(time.Duration(steps) * b.cfg.RecoverInterval)
		}
	}
	if b.aimd >= ceiling {
		b.recoverFrom = now
	}
	if b.pace > 0 && !now.Before(b.win.end) {
		b.pace = 0
	}
	eff := b.aimd
	if b.pace > 0 {
		eff = min(eff, b.pace)
	}
	if eff != b.applied {
		b.lim.SetLimitAt(now, rate.Limit(eff))
		b.applied = eff
	}
}

// Stats is a snapshot of a budget for metrics.
type Stats struct {
	// ConfiguredPerMinute is the configured rate.
	ConfiguredPerMinute float64
	// PerMinute is the rate the bucket runs at now.
	PerMinute float64
	// AIMDPerMinute is the AIMD part of the rate, before the header pace.
	AIMDPerMinute float64
	// Paced reports whether the header pace is holding the rate down.
	Paced bool
	// PausedFor is the time left in the shared pause.
	PausedFor time.Duration
	// InFlight is the number of permits not yet done.
	InFlight int
	// Acquired counts permits granted.
	Acquired int64
	// Waited sums the time callers waited in Acquire (concurrent waits add up).
	Waited time.Duration
	// MaxWait is the longest single wait in Acquire.
	MaxWait time.Duration
	// RateLimited counts 429 answers reported through Done.
	RateLimited int64
	// Decreases counts multiplicative decreases (congestion events).
	Decreases int64
	// Pauses counts shared pauses begun (by a 429 or an exhausted window).
	Pauses int64
}

// Stats returns a snapshot of the budget.
func (b *Budget) Stats() Stats {
	now := b.clock.Now()
	b.mu.Lock()
	b.adjust(now)
	s := Stats{
		ConfiguredPerMinute: b.cfg.RequestsPerMinute,
		PerMinute:           b.applied * 60,
		AIMDPerMinute:       b.aimd * 60,
		Paced:               b.pace > 0 && b.pace < b.aimd,
		PausedFor:           max(b.pauseUntil.Sub(now), 0),
	}
	b.mu.Unlock()
	s.InFlight = int(b.inFlight.Load())
	s.Acquired = b.acquired.Load()
	s.Waited = time.Duration(b.waitedNanos.Load())
	s.MaxWait = time.Duration(b.maxWait.Load())
	s.RateLimited = b.rateLimited.Load()
	s.Decreases = b.decreases.Load()
	s.Pauses = b.pauses.Load()
	return s
}
