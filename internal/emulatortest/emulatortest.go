// Package emulatortest gives tests an emulated Genesys Cloud org over real
// HTTP and a client of it, as pgtest gives them a real PostgreSQL.
//
// The org runs on an httptest server closed when the test ends. Unless the
// config sets one, the org has no rate limit (tests measure correctness, not
// pacing), and clients get a budget far above what a test uses.
//
//	org := emulatortest.Start(t, emulator.Config{Seed: 3, Users: 20})
//	client := org.Client(t)
package emulatortest

import (
	"net/http/httptest"
	"testing"

	"github.com/usersync/syncer/internal/emulator"
	"github.com/usersync/syncer/internal/genesys"
	"github.com/usersync/syncer/internal/ratelimit"
)

// Org is an emulated org served over HTTP for one test.
type Org struct {
	*emulator.Server
	// URL is the base URL of the org's API and login.
	URL string
}

// Start builds the org cfg describes and serves it until the test ends.
// RatePerMinute 0 means no rate limit.
func Start(t testing.TB, cfg emulator.Config) *Org {
	t.Helper()
	if cfg.RatePerMinute == 0 {
		cfg.RatePerMinute = -1
	}
	srv, err := emulator.New(cfg)
	if err != nil {
		t.Fatalf("emulatortest: %v", err)
	}
	ts := httptest.NewServer(srv)
	t.Cleanup(ts.Close)
	return &Org{Server: srv, URL: ts.URL}
}

// Budget is the request budget of clients made by Client: far above what a
// test uses, so that only the org's own limit paces them.
func Budget() *ratelimit.Budget {
	return ratelimit.New(ratelimit.Config{RequestsPerMinute: 600_000, Burst: 1000, MaxInFlight: 16})
}

// Client returns a client of the org logged in with the org's credentials.
// opts are applied after the defaults, so they can replace them.
func (o *Org) Client(t testing.TB, opts ...genesys.Option) *genesys.Client {
	t.Helper()
	cfg := o.Config()
	base := []genesys.Option{
		genesys.WithBaseURL(o.URL),
		genesys.WithCredentials(cfg.ClientID, cfg.ClientSecret),
		genesys.WithBudget(Budget()),
	}
	c, err := genesys.NewClient(append(base, opts...)...)
	if err != nil {
		t.Fatalf("emulatortest: client: %v", err)
	}
	return c
}
