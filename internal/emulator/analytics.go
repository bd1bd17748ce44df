package emulator

import (
	"iter"
	"net/http"
	"slices"
	"strings"
	"sync"

	"github.com/usersync/syncer/internal/emulator/analytics"
)

// The analytics jobs (users details and aggregates) are served by the
// analytics sub-package over the org's users, behind the same pipeline as
// every /api/v2 route (faults, bearer check, rate limit, stats).

// mountAnalytics creates the analytics service and forwards the job-failure
// fault to it. New calls it before the initial faults are set.
func (s *Server) mountAnalytics() {
	cfg := s.cfg.Analytics
	if cfg.Seed == 0 {
		cfg.Seed = s.cfg.Seed
	}
	if cfg.Now == nil {
		cfg.Now = s.cfg.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = s.cfg.Logger
	}
	s.analytics = analytics.New(cfg, &analyticsUsers{s: s})
	s.faults.jobFailure = s.analytics.SetJobFailureRate
	s.faults.jobExpiry = s.analytics.SetResultsExpiryRate
}

// Analytics returns the analytics jobs service: tests of other packages use
// it for ground truth (Detail, Aggregate, Horizon) and deterministic job
// faults (SetFaults with FailNext).
func (s *Server) Analytics() *analytics.Service { return s.analytics }

// apiMux registers handlers behind the /api/v2 pipeline.
type apiMux struct{ s *Server }

func (m apiMux) Handle(pattern string, h http.Handler) { m.s.handleAPI(pattern, h.ServeHTTP) }

// analyticsUsers is the org's user list in id order, as the analytics
// service reads it. It keeps an index of the users sorted by id, rebuilt
// when the org is regenerated or grows (users are never removed and ids
// never change), and hands users out in batches so that the org lock is
// never held while a results page is being written.
type analyticsUsers struct {
	s *Server

	mu     sync.Mutex
	org    *org
	sorted []int32 // user indexes by id
}

const analyticsBatch = 256

// byID returns the id-sorted index of o. Call it under the org read lock.
func (a *analyticsUsers) byID(o *org) []int32 {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.org != o || len(a.sorted) != len(o.users) {
		idx := make([]int32, len(o.users))
		for i := range idx {
			idx[i] = int32(i)
		}
		slices.SortFunc(idx, func(x, y int32) int { return strings.Compare(o.users[x].id, o.users[y].id) })
		a.org, a.sorted = o, idx
	}
	return a.sorted
}

// UserByID implements analytics.UserLookup.
func (a *analyticsUsers) UserByID(id string) (analytics.User, bool) {
	var u analytics.User
	var ok bool
	a.s.read(func(o *org) {
		var i int32
		if i, ok = o.userByID(id); ok {
			u = analytics.User{ID: id, State: o.users[i].state.String()}
		}
	})
	return u, ok
}

// UsersFrom implements analytics.UserSource.
func (a *analyticsUsers) UsersFrom(from string) iter.Seq[analytics.User] {
	return func(yield func(analytics.User) bool) {
		batch := make([]analytics.User, 0, analyticsBatch)
		for {
			batch = batch[:0]
			a.s.read(func(o *org) {
				idx := a.byID(o)
				i, _ := slices.BinarySearchFunc(idx, from, func(k int32, id string) int { return strings.Compare(o.users[k].id, id) })
				for ; i < len(idx) && len(batch) < analyticsBatch; i++ {
					u := &o.users[idx[i]]
					batch = append(batch, analytics.User{ID: u.id, State: u.state.String()})
				}
			})
			for _, u := range batch {
				if !yield(u) {
					return
				}
			}
			if len(batch) < analyticsBatch {
				return
			}
			// The smallest id after the last one of the batch.
			from = batch[len(batch)-1].ID + "\x00"
		}
	}
}
