package genesys

import (
	"context"
	"maps"
	"sort"
	"sync"
	"time"
)

// Stats counts the calls made through a client: by endpoint, by status,
// retries, 429s and time spent waiting.
type Stats struct {
	// Calls counts HTTP exchanges (every attempt, retries included) by
	// endpoint ("GET /api/v2/users/{userId}", and "POST /oauth/token" for
	// the login server) and status; status 0 is an attempt that got no
	// answer (transport error or timeout).
	Calls map[string]map[int]int64
	// Retries counts attempts after the first of a call.
	Retries int64
	// RateLimited counts 429 answers.
	RateLimited int64
	// Waited sums the time calls spent waiting: in the rate budget, in
	// Retry-After pauses and in retry backoff.
	Waited time.Duration
	// TokenFetches counts access tokens obtained from the login server
	// (successful POST /oauth/token exchanges).
	TokenFetches int64
}

// Total is the number of HTTP exchanges counted.
func (s Stats) Total() int64 {
	var n int64
	for _, by := range s.Calls {
		for _, c := range by {
			n += c
		}
	}
	return n
}

// Endpoint returns the exchanges counted for one endpoint, all statuses.
func (s Stats) Endpoint(key string) int64 {
	var n int64
	for _, c := range s.Calls[key] {
		n += c
	}
	return n
}

// Endpoints returns the endpoint keys in order.
func (s Stats) Endpoints() []string {
	keys := make([]string, 0, len(s.Calls))
	for k := range s.Calls {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// Sub returns s minus an earlier snapshot of the same counters: the calls
// made between the two.
func (s Stats) Sub(earlier Stats) Stats {
	d := Stats{
		Calls:        map[string]map[int]int64{},
		Retries:      s.Retries - earlier.Retries,
		RateLimited:  s.RateLimited - earlier.RateLimited,
		Waited:       s.Waited - earlier.Waited,
		TokenFetches: s.TokenFetches - earlier.TokenFetches,
	}
	for k, by := range s.Calls {
		for st, n := range by {
			if n -= earlier.Calls[k][st]; n != 0 {
				if d.Calls[k] == nil {
					d.Calls[k] = map[int]int64{}
				}
				d.Calls[k][st] = n
			}
		}
	}
	return d
}

// Accounting collects Stats. The client keeps one for its whole life; a run
// gets its own by putting one in the context with WithAccounting, so several
// runs sharing a client are counted apart.
type Accounting struct {
	mu sync.Mutex
	s  Stats
}

// NewAccounting returns an empty Accounting.
func NewAccounting() *Accounting {
	return &Accounting{s: Stats{Calls: map[string]map[int]int64{}}}
}

// Snapshot returns a copy of the counters.
func (a *Accounting) Snapshot() Stats {
	a.mu.Lock()
	defer a.mu.Unlock()
	s := a.s
	s.Calls = make(map[string]map[int]int64, len(a.s.Calls))
	for k, by := range a.s.Calls {
		s.Calls[k] = maps.Clone(by)
	}
	return s
}

func (a *Accounting) call(key string, status int) {
	a.mu.Lock()
	defer a.mu.Unlock()
	by := a.s.Calls[key]
	if by == nil {
		by = map[int]int64{}
		a.s.Calls[key] = by
	}
	by[status]++
	if status == 429 {
		a.s.RateLimited++
	}
}

func (a *Accounting) retry() {
	a.mu.Lock()
	a.s.Retries++
	a.mu.Unlock()
}

func (a *Accounting) wait(d time.Duration) {
	if d <= 0 {
		return
	}
	a.mu.Lock()
	a.s.Waited += d
	a.mu.Unlock()
}

func (a *Accounting) token() {
	a.mu.Lock()
	a.s.TokenFetches++
	a.mu.Unlock()
}

type accountingKey struct{}

// WithAccounting returns a context whose calls are also counted in a.
func WithAccounting(ctx context.Context, a *Accounting) context.Context {
	return context.WithValue(ctx, accountingKey{}, a)
}

// accountings returns the client-wide accounting and the context's, if any.
func (c *Client) accountings(ctx context.Context) []*Accounting {
	if a, ok := ctx.Value(accountingKey{}).(*Accounting); ok && a != nil && a != c.acct {
		return []*Accounting{c.acct, a}
	}
	return []*Accounting{c.acct}
}
