package ratelimit

import (
	"context"
	"errors"
	"math"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

func tooMany(retryAfter string) http.Header {
	h := http.Header{}
	if retryAfter != "" {
		h.Set(HeaderRetryAfter, retryAfter)
	}
	return h
}

func limitHeaders(count, allowed, reset int) http.Header {
	h := http.Header{}
	h.Set(HeaderCount, strconv.Itoa(count))
	h.Set(HeaderAllowed, strconv.Itoa(allowed))
	h.Set(HeaderReset, strconv.Itoa(reset))
	return h
}

func acquire(t *testing.T, b *Budget, prio Priority) *Permit {
	t.Helper()
	p, err := b.Acquire(context.Background(), prio)
	if err != nil {
		t.Fatalf("Acquire: %v", err)
	}
	return p
}

func near(a, b float64) bool { return math.Abs(a-b) < 1e-6 }

func TestConfigValidate(t *testing.T) {
	t.Parallel()
	if err := (Config{}).Validate(); err != nil {
		t.Fatalf("zero config: %v", err)
	}
	bad := []Config{
		{RequestsPerMinute: -1},
		{DecreaseFactor: 1.5},
		{MaxInFlight: -1},
		{RequestsPerMinute: 100, MinRequestsPerMinute: 200},
		{PaceThreshold: 2},
	}
	for _, c := range bad {
		if err := c.Validate(); err == nil {
			t.Errorf("Validate(%+v) = nil, want an error", c)
		}
	}
}

func TestDefaults(t *testing.T) {
	t.Parallel()
	b := New(Config{Clock: newFakeClock()})
	s := b.Stats()
	if s.ConfiguredPerMinute != 300 || s.PerMinute != 300 || s.AIMDPerMinute != 300 {
		t.Fatalf("zero config stats = %+v, want 300/min", s)
	}
}

func TestTokenBucketSpacing(t *testing.T) {
	t.Parallel()
	clk := newFakeClock()
	b := New(Config{RequestsPerMinute: 60, Burst: 1, Clock: clk})
	acquire(t, b, Low).Done(200, nil) // the burst token: no wait
	got := make(chan *Permit)
	go func() { p, _ := b.Acquire(context.Background(), Low); got <- p }()
	clk.waitSleepers(t, 1)
	if d := clk.slept[len(clk.slept)-1]; d != time.Second {
		t.Fatalf("second request slept %v, want 1s at 60/min", d)
	}
	clk.Advance(time.Second)
	p := <-got
	if p.Waited() != time.Second {
		t.Fatalf("Waited = %v, want 1s", p.Waited())
	}
	p.Done(200, nil)
	if s := b.Stats(); s.Acquired != 2 || s.Waited != time.Second || s.MaxWait != time.Second {
		t.Fatalf("stats = %+v", s)
	}
}

func TestMultiplicativeDecreaseOncePerEvent(t *testing.T) {
	t.Parallel()
	clk := newFakeClock()
	b := New(Config{RequestsPerMinute: 600, Clock: clk})
	// Three workers' requests all answered 429 for the same burst.
	permits := []*Permit{acquire(t, b, Low), acquire(t, b, Low), acquire(t, b, Low)}
	for _, p := range permits {
		p.Done(http.StatusTooManyRequests, tooMany("2"))
	}
	s := b.Stats()
	if !near(s.AIMDPerMinute, 420) || s.Decreases != 1 || s.RateLimited != 3 || s.Pauses != 1 {
		t.Fatalf("after one event: %+v, want 420/min, 1 decrease, 3 429s, 1 pause", s)
	}
	if s.PausedFor != 2*time.Second {
		t.Fatalf("PausedFor = %v, want 2s", s.PausedFor)
	}
	// A later event lowers it again.
	clk.Advance(4 * time.Second)
	// The rate does not recover during the pause and the grace second: the
	// next step is due RecoverInterval after the pause ended.
	if s := b.Stats(); !near(s.AIMDPerMinute, 420) {
		t.Fatalf("recovered too early: %+v", s)
	}
	b.observe(http.StatusTooManyRequests, tooMany("1"))
	if s := b.Stats(); !near(s.AIMDPerMinute, 294) || s.Decreases != 2 {
		t.Fatalf("after second event: %+v, want 294/min", s)
	}
}

func TestAdditiveRecoveryToCeiling(t *testing.T) {
	t.Parallel()
	clk := newFakeClock()
	b := New(Config{RequestsPerMinute: 600, RecoverInterval: 5 * time.Second, RecoverStep: 30, Clock: clk})
	b.observe(http.StatusTooManyRequests, tooMany("1")) // 600 → 420, pause 1 s
	clk.Advance(time.Second + 5*time.Second)
	if s := b.Stats(); !near(s.AIMDPerMinute, 450) {
		t.Fatalf("after one interval: %v, want 450", s.AIMDPerMinute)
	}
	clk.Advance(12 * time.Second) // two more steps, the remainder carries over
	if s := b.Stats(); !near(s.AIMDPerMinute, 510) {
		t.Fatalf("after three intervals: %v, want 510", s.AIMDPerMinute)
	}
	clk.Advance(time.Hour)
	if s := b.Stats(); !near(s.AIMDPerMinute, 600) || !near(s.PerMinute, 600) {
		t.Fatalf("after an hour: %+v, want the 600 ceiling", s)
	}
}

func TestDecreaseFloor(t *testing.T) {
	t.Parallel()
	clk := newFakeClock()
	b := New(Config{RequestsPerMinute: 600, MinRequestsPerMinute: 100, RecoverInterval: time.Hour, Clock: clk})
	for range 20 {
		b.observe(http.StatusTooManyRequests, tooMany("1"))
		clk.Advance(3 * time.Second)
	}
	if s := b.Stats(); !near(s.AIMDPerMinute, 100) {
		t.Fatalf("rate = %v, want the floor 100", s.AIMDPerMinute)
	}
}

func TestRetryAfterCappedAndDefaulted(t *testing.T) {
	t.Parallel()
	clk := newFakeClock()
	b := New(Config{MaxPause: 30 * time.Second, Clock: clk})
	b.observe(http.StatusTooManyRequests, tooMany("3600"))
	if s := b.Stats(); s.PausedFor != 30*time.Second {
		t.Fatalf("PausedFor = %v, want the 30s cap", s.PausedFor)
	}
	b2 := New(Config{Clock: clk})
	b2.observe(http.StatusTooManyRequests, tooMany(""))
	if s := b2.Stats(); s.PausedFor != DefaultRetryAfter {
		t.Fatalf("PausedFor without Retry-After = %v, want %v", s.PausedFor, DefaultRetryAfter)
	}
}

func TestPauseHoldsEveryWorker(t *testing.T) {
	t.Parallel()
	clk := newFakeClock()
	b := New(Config{RequestsPerMinute: 6000, Burst: 10, MaxInFlight: 10, Clock: clk})
	acquire(t, b, Low).Done(http.StatusTooManyRequests, tooMany("5"))
	var granted atomic.Int32
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			p := acquire(t, b, Low)
			granted.Add(1)
			p.Done(200, nil)
		})
	}
	clk.waitSleepers(t, 4)
	clk.Advance(4 * time.Second)
	clk.waitSleepers(t, 4) // woken early? they must sleep again
	if n := granted.Load(); n != 0 {
		t.Fatalf("%d workers ran during the pause", n)
	}
	clk.Advance(time.Second)
	// Past the pause the bucket may still space them (4200/min after the
	// decrease); keep advancing until all are through.
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	for {
		select {
		case <-done:
			if n := granted.Load(); n != 4 {
				t.Fatalf("granted %d, want 4", n)
			}
			return
		case <-time.After(time.Millisecond):
			clk.Advance(10 * time.Millisecond)
		}
	}
}

func TestHeaderPace(t *testing.T) {
	t.Parallel()
	clk := newFakeClock()
	b := New(Config{RequestsPerMinute: 6000, PaceThreshold: 0.8, Clock: clk})
	// Below the threshold nothing changes.
	acquire(t, b, Low).Done(200, limitHeaders(70, 100, 10))
	if s := b.Stats(); s.Paced || !near(s.PerMinute, 6000) {
		t.Fatalf("below threshold: %+v", s)
	}
	// At 90 of 100 with 10 s to go: 10 left over 10 s = 60/min.
	acquire(t, b, Low).Done(200, limitHeaders(90, 100, 10))
	if s := b.Stats(); !s.Paced || !near(s.PerMinute, 60) {
		t.Fatalf("at 90%%: %+v, want paced at 60/min", s)
	}
	// A stale lower count from the same window does not lift the pace.
	b.observe(200, limitHeaders(85, 100, 10))
	if s := b.Stats(); !near(s.PerMinute, 60) {
		t.Fatalf("after stale count: %+v", s)
	}
	// Exhausted: pause until the window resets, without a decrease.
	clk.Advance(2 * time.Second)
	b.observe(200, limitHeaders(100, 100, 8))
	if s := b.Stats(); s.PausedFor != 8*time.Second || s.Decreases != 0 || s.Pauses != 1 {
		t.Fatalf("exhausted: %+v, want an 8s pause and no decrease", s)
	}
	// A new window lifts the pace.
	clk.Advance(8 * time.Second)
	b.observe(200, limitHeaders(1, 100, 59))
	if s := b.Stats(); s.Paced || !near(s.PerMinute, 6000) || s.PausedFor != 0 {
		t.Fatalf("new window: %+v", s)
	}
}

func TestHeaderPaceCountsInFlight(t *testing.T) {
	t.Parallel()
	clk := newFakeClock()
	b := New(Config{RequestsPerMinute: 6000, MaxInFlight: 8, Burst: 8, Clock: clk})
	held := []*Permit{acquire(t, b, Low), acquire(t, b, Low), acquire(t, b, Low)}
	acquire(t, b, Low).Done(200, limitHeaders(90, 100, 10))
	// 10 left minus 3 still in flight = 7 over 10 s = 42/min.
	if s := b.Stats(); !near(s.PerMinute, 42) {
		t.Fatalf("PerMinute = %v, want 42", s.PerMinute)
	}
	for _, p := range held {
		p.Done(200, nil)
	}
}

func TestHighPriorityGoesFirst(t *testing.T) {
	t.Parallel()
	clk := newFakeClock()
	b := New(Config{RequestsPerMinute: 60, Burst: 1, Clock: clk})
	acquire(t, b, Low).Done(200, nil) // empty the bucket

	order := make(chan Priority, 2)
	go func() { p := acquire(t, b, High); order <- High; p.Done(200, nil) }()
	clk.waitSleepers(t, 1) // high holds a reservation 1 s out
	go func() { p := acquire(t, b, Low); order <- Low; p.Done(200, nil) }()
	// Low must yield, not queue in the bucket behind or ahead of high.
	time.Sleep(20 * time.Millisecond)
	clk.waitSleepers(t, 1)
	clk.Advance(time.Second)
	if p := <-order; p != High {
		t.Fatalf("first through: %v, want high", p)
	}
	clk.waitSleepers(t, 1) // now low waits for its token
	clk.Advance(time.Second)
	if p := <-order; p != Low {
		t.Fatalf("second through: %v, want low", p)
	}
}

func TestInFlightCap(t *testing.T) {
	t.Parallel()
	b := New(Config{RequestsPerMinute: 60000, Burst: 10, MaxInFlight: 2})
	p1, p2 := acquire(t, b, Low), acquire(t, b, Low)
	if s := b.Stats(); s.InFlight != 2 {
		t.Fatalf("InFlight = %d, want 2", s.InFlight)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if _, err := b.Acquire(ctx, Low); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("third Acquire = %v, want to block until the deadline", err)
	}
	p1.Done(200, nil)
	p1.Done(200, nil) // a second Done is ignored: it must not free another slot
	p3 := acquire(t, b, Low)
	ctx2, cancel2 := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel2()
	if _, err := b.Acquire(ctx2, Low); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Acquire with both slots held = %v, want a deadline error", err)
	}
	p2.Done(200, nil)
	p3.Done(200, nil)
	if s := b.Stats(); s.InFlight != 0 {
		t.Fatalf("InFlight = %d after all done", s.InFlight)
	}
}

func TestAcquireCancelledDuringPause(t *testing.T) {
	t.Parallel()
	clk := newFakeClock()
	b := New(Config{Clock: clk})
	b.observe(http.StatusTooManyRequests, tooMany("30"))
	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error)
	go func() { _, err := b.Acquire(ctx, Low); errc <- err }()
	clk.waitSleepers(t, 1)
	cancel()
	if err := <-errc; !errors.Is(err, context.Canceled) {
		t.Fatalf("Acquire = %v, want context.Canceled", err)
	}
	if s := b.Stats(); s.InFlight != 0 {
		t.Fatalf("InFlight = %d, want 0", s.InFlight)
	}
}

// TestSharedPauseOverHTTP drives the budget with real requests: the server
// answers one 429 with Retry-After 1, and no permit may be granted from the
// moment that answer is reported until the second has passed.
func TestSharedPauseOverHTTP(t *testing.T) {
	t.Parallel()
	var served atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := served.Add(1)
		if n == 5 {
			w.Header().Set(HeaderRetryAfter, "1")
			w.WriteHeader(http.StatusTooManyRequests)
			return
		}
		w.Header().Set(HeaderCount, strconv.FormatInt(n, 10))
		w.Header().Set(HeaderAllowed, "100000")
		w.Header().Set(HeaderReset, "60")
	}))
	defer srv.Close()

	b := New(Config{RequestsPerMinute: 6000, Burst: 4, MaxInFlight: 4})
	var (
		mu       sync.Mutex
		grants   []time.Time
		reported time.Time
	)
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			for range 5 {
				start := time.Now()
				p, err := b.Acquire(context.Background(), Low)
				if err != nil {
					t.Error(err)
					return
				}
				// Measured inside Acquire: immune to scheduling after it.
				granted := start.Add(p.Waited())
				resp, err := srv.Client().Get(srv.URL)
				if err != nil {
					p.Done(0, nil)
					t.Error(err)
					return
				}
				resp.Body.Close()
				mu.Lock()
				grants = append(grants, granted)
				if resp.StatusCode == http.StatusTooManyRequests {
					reported = time.Now()
				}
				mu.Unlock()
				p.Done(resp.StatusCode, resp.Header)
			}
		})
	}
	wg.Wait()
	s := b.Stats()
	if s.RateLimited != 1 || s.Decreases != 1 || s.Acquired != 20 {
		t.Fatalf("stats = %+v, want one 429, one decrease, 20 permits", s)
	}
	mu.Lock()
	defer mu.Unlock()
	for _, g := range grants {
		// 300 ms of slack for a permit granted just before the report.
		if d := g.Sub(reported); d > 300*time.Millisecond && d < 950*time.Millisecond {
			t.Fatalf("a permit was granted %v after the 429 was reported, inside the 1s pause", d)
		}
	}
}
