package pipeline

import (
	"context"
	"maps"
	"time"

	"github.com/usersync/syncer/internal/genesys"
)

// CallStats counts API calls. ByEndpoint maps "METHOD /path/{template}" to
// counts by HTTP status (0 for transport errors).
type CallStats struct {
	Total       int64
	Retries     int64
	RateLimited int64 // 429 answers
	Waited      time.Duration
	ByEndpoint  map[string]map[int]int64
}

// Sub returns s minus an earlier reading.
func (s CallStats) Sub(before CallStats) CallStats {
	out := CallStats{
		Total:       s.Total - before.Total,
		Retries:     s.Retries - before.Retries,
		RateLimited: s.RateLimited - before.RateLimited,
		Waited:      s.Waited - before.Waited,
		ByEndpoint:  map[string]map[int]int64{},
	}
	for ep, byStatus := range s.ByEndpoint {
		for status, n := range byStatus {
			if d := n - before.ByEndpoint[ep][status]; d != 0 {
				if out.ByEndpoint[ep] == nil {
					out.ByEndpoint[ep] = map[int]int64{}
				}
				out.ByEndpoint[ep][status] = d
			}
		}
	}
	return out
}

// Clone returns a deep copy.
func (s CallStats) Clone() CallStats {
	out := s
	out.ByEndpoint = make(map[string]map[int]int64, len(s.ByEndpoint))
	for ep, m := range s.ByEndpoint {
		out.ByEndpoint[ep] = maps.Clone(m)
	}
	return out
}

// GenesysAccounting gives a run its own genesys call counters: calls made
// with the returned context are counted apart from other runs sharing the
// client.
func GenesysAccounting(ctx context.Context) (context.Context, CallSource) {
	a := genesys.NewAccounting()
	return genesys.WithAccounting(ctx, a), accountingCalls{a}
}

const tokenEndpoint = "POST /oauth/token"

type accountingCalls struct{ a *genesys.Accounting }

func (ac accountingCalls) CallStats() CallStats {
	s := ac.a.Snapshot()
	// Token fetches go to the login host, outside the API's request budget:
	// they stay in ByEndpoint but not in Total.
	return CallStats{Total: s.Total() - s.Endpoint(tokenEndpoint), Retries: s.Retries, RateLimited: s.RateLimited, Waited: s.Waited, ByEndpoint: s.Calls}
}
