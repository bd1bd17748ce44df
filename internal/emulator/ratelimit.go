package emulator

import (
	"fmt"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/usersync/syncer/internal/emulator/wire"
)

// Rate-limit response headers, as Genesys Cloud sends them.
const (
	HeaderRateAllowed = "inin-ratelimit-allowed"
	HeaderRateCount   = "inin-ratelimit-count"
	HeaderRateReset   = "inin-ratelimit-reset"
)

// rateWindow is one token's current window.
type rateWindow struct {
	start time.Time
	count int
}

// rateLimiter is a fixed-window limiter per token: a window opens with the
// token's first request and lasts one minute; within it at most limit
// requests are served and the rest answer 429 with Retry-After = the
// seconds left in the window. Every answer to an authenticated request
// carries inin-ratelimit-allowed (the limit), inin-ratelimit-count (requests
// counted in this window, this one included) and inin-ratelimit-reset
// (whole seconds until the window ends, at least 1). A client that spaces
// its calls by window/allowed, or that pauses until reset once count reaches
// allowed, never sees a 429.
type rateLimiter struct {
	now    func() time.Time
	window time.Duration

	mu      sync.Mutex
	limit   int // <= 0: off
	windows map[string]*rateWindow
}

func newRateLimiter(now func() time.Time, limit int) *rateLimiter {
	return &rateLimiter{now: now, window: time.Minute, limit: limit, windows: map[string]*rateWindow{}}
}

// allow counts a request of token, sets the headers and answers 429 when the
// window's budget is spent. It returns whether the request may proceed.
func (rl *rateLimiter) allow(w http.ResponseWriter, token string) bool {
	rl.mu.Lock()
	if rl.limit <= 0 {
		rl.mu.Unlock()
		return true
	}
	now := rl.now()
	win := rl.windows[token]
	if win == nil || !now.Before(win.start.Add(rl.window)) {
		if win == nil {
			if len(rl.windows) > 10000 {
				rl.prune(now)
			}
			win = &rateWindow{}
			rl.windows[token] = win
		}
		win.start, win.count = now, 0
	}
	limited := win.count >= rl.limit
	if !limited {
		win.count++
	}
	count, limit := win.count, rl.limit
	reset := secondsCeil(win.start.Add(rl.window).Sub(now))
	rl.mu.Unlock()

	h := w.Header()
	h.Set(HeaderRateAllowed, strconv.Itoa(limit))
	h.Set(HeaderRateCount, strconv.Itoa(count))
	h.Set(HeaderRateReset, strconv.Itoa(reset))
	if limited {
		writeTooManyRequests(w, reset)
		return false
	}
	return true
}

func (rl *rateLimiter) prune(now time.Time) {
	for t, win := range rl.windows {
		if !now.Before(win.start.Add(rl.window)) {
			delete(rl.windows, t)
		}
	}
}

func (rl *rateLimiter) setLimit(limit int) {
	rl.mu.Lock()
	defer rl.mu.Unlock()
	rl.limit = limit
}

func (rl *rateLimiter) reset() {
	rl.mu.Lock()
	defer rl.mu.Unlock()
	clear(rl.windows)
}

// SetRatePerMinute changes the per-token budget at run time; 0 or negative
// switches rate limiting off. Windows already open keep their counts.
func (s *Server) SetRatePerMinute(n int) { s.limiter.setLimit(n) }

// secondsCeil rounds d up to whole seconds, at least 1.
func secondsCeil(d time.Duration) int {
	return max(1, int((d+time.Second-1)/time.Second))
}

// writeTooManyRequests writes Genesys Cloud's 429 answer.
func writeTooManyRequests(w http.ResponseWriter, retryAfter int) {
	w.Header().Set("Retry-After", strconv.Itoa(retryAfter))
	wire.WriteError(w, http.StatusTooManyRequests, wire.CodeTooManyRequests,
		"%s", fmt.Sprintf("Rate limit exceeded the maximum. Retry the request in [%d] seconds", retryAfter))
}
