package emulator

import (
	"maps"
	"strconv"
	"sync"

	"github.com/usersync/syncer/internal/emulator/analytics"
)

// Stats counts the requests a Server has answered since it started (or was
// reset), by route template (the ServeMux pattern, e.g.
// "GET /api/v2/users/{userId}"; "unmatched" for requests no route took) and
// HTTP status (0 for connections reset by a fault).
type Stats struct {
	Total  int64                       `json:"total"`
	Routes map[string]map[string]int64 `json:"routes"`
	// ByStatus sums Routes over routes.
	ByStatus map[string]int64 `json:"byStatus"`
	// AnalyticsJobs counts the analytics jobs by state, and submissions.
	AnalyticsJobs analytics.JobCounts `json:"analyticsJobs"`
}

// Count returns the requests counted for a route template and status.
func (st Stats) Count(route string, status int) int64 {
	return st.Routes[route][strconv.Itoa(status)]
}

// RouteTotal returns the requests counted for a route template, all
// statuses.
func (st Stats) RouteTotal(route string) int64 {
	var n int64
	for _, c := range st.Routes[route] {
		n += c
	}
	return n
}

type statKey struct {
	route  string
	status int
}

type statsRecorder struct {
	mu     sync.Mutex
	counts map[statKey]int64
}

func newStatsRecorder() *statsRecorder {
	return &statsRecorder{counts: map[statKey]int64{}}
}

func (sr *statsRecorder) record(route string, status int) {
	if route == "" {
		route = "unmatched"
	}
	sr.mu.Lock()
	sr.counts[statKey{route, status}]++
	sr.mu.Unlock()
}

func (sr *statsRecorder) snapshot() Stats {
	sr.mu.Lock()
	counts := maps.Clone(sr.counts)
	sr.mu.Unlock()
	st := Stats{Routes: map[string]map[string]int64{}, ByStatus: map[string]int64{}}
	for k, n := range counts {
		code := strconv.Itoa(k.status)
		if st.Routes[k.route] == nil {
			st.Routes[k.route] = map[string]int64{}
		}
		st.Routes[k.route][code] += n
		st.ByStatus[code] += n
		st.Total += n
	}
	return st
}

func (sr *statsRecorder) reset() {
	sr.mu.Lock()
	defer sr.mu.Unlock()
	clear(sr.counts)
}

// Stats returns the request counts so far.
func (s *Server) Stats() Stats {
	st := s.stats.snapshot()
	st.AnalyticsJobs = s.analytics.Jobs()
	return st
}

// ResetStats sets every request count back to zero.
func (s *Server) ResetStats() { s.stats.reset() }
