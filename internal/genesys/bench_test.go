package genesys_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/usersync/syncer/internal/emulator"
	"github.com/usersync/syncer/internal/genesys"
	"github.com/usersync/syncer/internal/ratelimit"
)

// benchWindow is how long each rate benchmark drives the emulator: a little
// over the emulator's one-minute rate window, so the run crosses a window
// reset (where a client that ignores the headers is answered 429).
const benchWindow = 62 * time.Second

// BenchmarkRateBudget drives the emulator with 8 workers sharing one client
// and reports the achieved rate against the server's allowed rate and the
// share of calls answered 429:
//
//   - matched: server and client both at 3,000/min (300/min scaled up);
//     target ≥ 90 % of the allowed rate, ≤ 1 % 429s;
//   - server-lower: the server allows 1,500/min while the client is
//     configured for 3,000/min: the client must converge to the server's
//     limit from the inin-ratelimit-* headers and 429s; target ≤ 5 % 429s;
//   - server-lower-no-headers: the same with the inin-ratelimit-* headers
//     stripped, so only 429s (Retry-After pause and AIMD) steer the client.
//
// Each sub-benchmark takes about a minute: run with -benchtime 1x.
func BenchmarkRateBudget(b *testing.B) {
	for _, bc := range []struct {
		name         string
		server, conf int
		noHeaders    bool
	}{
		{"matched-3000", 3000, 3000, false},
		{"server-lower-1500-client-3000", 1500, 3000, false},
		{"server-lower-no-headers", 1500, 3000, true},
	} {
		b.Run(bc.name, func(b *testing.B) {
			for b.Loop() {
				runRateBench(b, bc.server, bc.conf, bc.noHeaders)
			}
		})
	}
}

func runRateBench(b *testing.B, serverRate, clientRate int, noHeaders bool) {
	e := newEmu(b, emulator.Config{Users: 100, RatePerMinute: serverRate})
	if noHeaders {
		ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			e.ServeHTTP(&stripLimitHeaders{ResponseWriter: w}, r)
		}))
		b.Cleanup(ts.Close)
		e = &emu{Server: e.Server, ts: ts}
	}
	budget := ratelimit.New(ratelimit.Config{RequestsPerMinute: float64(clientRate), MaxInFlight: 8})
	c := e.client(b, genesys.WithBudget(budget), genesys.WithRetryPolicy(genesys.RetryPolicy{}))
	userID := e.Users()[0].ID

	ctx, cancel := context.WithTimeout(context.Background(), benchWindow)
	defer cancel()
	var ok, failed atomic.Int64
	start := time.Now()
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for ctx.Err() == nil {
				_, err := c.GetUser(ctx, userID, nil)
				switch {
				case err == nil:
					ok.Add(1)
				case ctx.Err() != nil && errors.Is(err, ctx.Err()):
				default:
					failed.Add(1)
				}
			}
		})
	}
	wg.Wait()
	elapsed := time.Since(start)

	s := c.Stats()
	calls := s.Endpoint("GET /api/v2/users/{userId}")
	limited := s.Calls["GET /api/v2/users/{userId}"][429]
	achieved := float64(ok.Load()) / elapsed.Minutes()
	b.ReportMetric(achieved, "calls/min")
	b.ReportMetric(100*achieved/float64(serverRate), "achieved/allowed-%")
	b.ReportMetric(100*float64(limited)/float64(max(calls, 1)), "429-%")
	b.ReportMetric(budget.Stats().PerMinute, "final-rate/min")
	if failed.Load() > 0 {
		b.Errorf("%d calls failed", failed.Load())
	}
	b.Logf("headers %v, server %d/min, client %d/min: %d ok in %v (%.0f/min), %d attempts, %d answered 429, budget %+v",
		!noHeaders, serverRate, clientRate, ok.Load(), elapsed.Round(time.Millisecond), achieved, calls, limited, budget.Stats())
}

// stripLimitHeaders removes the inin-ratelimit-* headers from an answer.
type stripLimitHeaders struct {
	http.ResponseWriter
	wrote bool
}

func (s *stripLimitHeaders) WriteHeader(code int) {
	if s.wrote {
		return
	}
	s.wrote = true
	for _, h := range []string{ratelimit.HeaderCount, ratelimit.HeaderAllowed, ratelimit.HeaderReset} {
		s.Header().Del(h)
	}
	s.ResponseWriter.WriteHeader(code)
}

func (s *stripLimitHeaders) Write(p []byte) (int, error) {
	s.WriteHeader(http.StatusOK)
	return s.ResponseWriter.Write(p)
}

// BenchmarkDecodeUsersPage decodes one page of 500 users with six expands,
// as the emulator renders it: the client's CPU cost per user (Raw included).
func BenchmarkDecodeUsersPage(b *testing.B) {
	e := newEmu(b, emulator.Config{Users: 600, Seed: 7})
	c := e.client(b)
	page, err := c.ListUsers(context.Background(), &genesys.ListUsersOptions{State: "any", Expand: allExpands})
	if err != nil {
		b.Fatal(err)
	}
	body, err := json.Marshal(struct {
		Entities []json.RawMessage `json:"entities"`
	}{rawUsers(page.Entities)})
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		var l genesys.Listing[genesys.User]
		if err := json.Unmarshal(body, &l); err != nil || len(l.Entities) != 500 {
			b.Fatalf("%d users, %v", len(l.Entities), err)
		}
	}
	b.ReportMetric(float64(b.N)*500/b.Elapsed().Seconds(), "users/s")
}

func rawUsers(us []genesys.User) []json.RawMessage {
	out := make([]json.RawMessage, len(us))
	for i, u := range us {
		out[i] = u.Raw
	}
	return out
}
