package ratelimit

import (
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Header names Genesys Cloud sets on every API response.
const (
	HeaderCount      = "inin-ratelimit-count"
	HeaderAllowed    = "inin-ratelimit-allowed"
	HeaderReset      = "inin-ratelimit-reset"
	HeaderRetryAfter = "Retry-After"
)

// maxHeaderSeconds bounds the seconds accepted from a header so that a
// hostile or broken value cannot overflow a time.Duration.
const maxHeaderSeconds = 7 * 24 * 3600

// Limit is the rate-limit state the server reported with one response.
type Limit struct {
	// Count is the number of requests the server has counted in its current
	// window, this one included.
	Count int
	// Allowed is the number of requests the window allows.
	Allowed int
	// Reset is the time until the window resets.
	Reset time.Duration
}

// Remaining is the number of requests left in the window, never negative.
func (l Limit) Remaining() int { return max(l.Allowed-l.Count, 0) }

// ParseLimit reads the inin-ratelimit-* headers. It reports false unless
// count and allowed are both present and valid; a missing or invalid reset
// is read as zero.
func ParseLimit(h http.Header) (Limit, bool) {
	count, ok1 := parseCount(h.Get(HeaderCount))
	allowed, ok2 := parseCount(h.Get(HeaderAllowed))
	if !ok1 || !ok2 || allowed <= 0 {
		return Limit{}, false
	}
	reset, _ := parseSeconds(h.Get(HeaderReset))
	return Limit{Count: count, Allowed: allowed, Reset: reset}, true
}

// ParseRetryAfter reads a Retry-After value: delay seconds (an integer, or a
// decimal as some proxies send) or an HTTP date, which is measured from now.
// A date in the past is a zero delay. It reports false for anything else.
func ParseRetryAfter(v string, now time.Time) (time.Duration, bool) {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0, false
	}
	if d, ok := parseSeconds(v); ok {
		return d, true
	}
	t, err := http.ParseTime(v)
	if err != nil {
		return 0, false
	}
	d := t.Sub(now)
	if d < 0 {
		return 0, true
	}
	return min(d, maxHeaderSeconds*time.Second), true
}

// parseCount parses a non-negative integer header value.
func parseCount(v string) (int, bool) {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0, false
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n < 0 || n > math.MaxInt32 {
		return 0, false
	}
	return int(n), true
}

// parseSeconds parses a non-negative number of seconds, integer or decimal.
func parseSeconds(v string) (time.Duration, bool) {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0, false
	}
	if n, err := strconv.ParseInt(v, 10, 64); err == nil {
		if n < 0 || n > maxHeaderSeconds {
			return 0, false
		}
		return time.Duration(n) * time.Second, true
	}
	f, err := strconv.ParseFloat(v, 64)
	if err != nil || math.IsNaN(f) || f < 0 || f > maxHeaderSeconds {
		return 0, false
	}
	return time.Duration(f * float64(time.Second)), true
}
