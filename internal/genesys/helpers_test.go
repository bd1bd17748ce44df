package genesys_test

import (
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/usersync/syncer/internal/emulator"
	"github.com/usersync/syncer/internal/genesys"
	"github.com/usersync/syncer/internal/ratelimit"
)

// emu is an emulator served over real HTTP.
type emu struct {
	*emulator.Server
	ts *httptest.Server
}

// newEmu starts an emulator; rate limiting is off unless cfg sets it.
func newEmu(t testing.TB, cfg emulator.Config) *emu {
	t.Helper()
	if cfg.Users == 0 {
		cfg.Users = 300
	}
	if cfg.RatePerMinute == 0 {
		cfg.RatePerMinute = -1
	}
	s, err := emulator.New(cfg)
	if err != nil {
		t.Fatalf("emulator.New: %v", err)
	}
	ts := httptest.NewServer(s)
	t.Cleanup(ts.Close)
	return &emu{Server: s, ts: ts}
}

// fastRetry retries quickly so fault tests run in well under a second.
var fastRetry = genesys.RetryPolicy{
	BaseDelay:      2 * time.Millisecond,
	MaxDelay:       20 * time.Millisecond,
	AttemptTimeout: 5 * time.Second,
}

// client returns a client of e with a budget far above what tests use,
// unless opts replace it.
func (e *emu) client(t testing.TB, opts ...genesys.Option) *genesys.Client {
	t.Helper()
	cfg := e.Config()
	base := []genesys.Option{
		genesys.WithBaseURL(e.ts.URL),
		genesys.WithCredentials(cfg.ClientID, cfg.ClientSecret),
		genesys.WithBudget(ratelimit.New(ratelimit.Config{RequestsPerMinute: 600000, Burst: 100, MaxInFlight: 16})),
		genesys.WithRetryPolicy(fastRetry),
	}
	c, err := genesys.NewClient(append(base, opts...)...)
	if err != nil {
		t.Fatalf("NewClient: %v", err)
	}
	return c
}

// setFaults sets the emulator's faults or fails the test.
func (e *emu) setFaults(t testing.TB, f emulator.Faults) {
	t.Helper()
	if err := e.SetFaults(f); err != nil {
		t.Fatalf("SetFaults: %v", err)
	}
}

// shiftClock is a clock that runs with real time plus an offset the test
// can move forward (token expiry).
type shiftClock struct {
	mu     sync.Mutex
	offset time.Duration
}

func (c *shiftClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return time.Now().Add(c.offset)
}

func (c *shiftClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.offset += d
}
