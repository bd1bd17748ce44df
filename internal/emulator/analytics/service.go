package analytics

import (
	"crypto/rand"
	"encoding/json"
	"fmt"
	"iter"
	mrand "math/rand/v2"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/usersync/syncer/internal/emulator/wire"
)

// Routes the service registers, as Go 1.22 patterns.
const (
	routeDetailsJobs      = "/api/v2/analytics/users/details/jobs"
	routeAvailability     = "/api/v2/analytics/users/details/jobs/availability"
	routeDetailsJob       = "/api/v2/analytics/users/details/jobs/{jobId}"
	routeDetailsResults   = "/api/v2/analytics/users/details/jobs/{jobId}/results"
	routeAggregatesJobs   = "/api/v2/analytics/users/aggregates/jobs"
	routeAggregatesJob    = "/api/v2/analytics/users/aggregates/jobs/{jobId}"
	routeAggregateResults = "/api/v2/analytics/users/aggregates/jobs/{jobId}/results"
)

// Service serves the analytics user details and aggregates jobs of one
// emulated organisation. It is safe for concurrent use.
type Service struct {
	cfg     Config
	users   UserSource
	model   *Model
	cursors cursorCodec

	mu        sync.Mutex
	jobs      map[string]*job
	faults    Faults
	failRand  *mrand.Rand
	submitted int64
	rejected  int64
}

// New returns a Service over the users of src.
func New(cfg Config, src UserSource) *Service {
	key := make([]byte, 32)
	_, _ = rand.Read(key)
	s := &Service{
		cfg:     cfg.withDefaults(),
		users:   src,
		cursors: cursorCodec{key: key},
	}
	s.model = NewModel(s.cfg.Seed)
	s.Reset()
	return s
}

// Mux is where the service registers its routes: an *http.ServeMux, or a
// wrapper of one that puts each handler behind middleware.
type Mux interface {
	Handle(pattern string, handler http.Handler)
}

// Register adds the analytics routes to mux as Go 1.22 method and path
// patterns. Authentication, rate limiting, fault injection and request
// counting are the caller's middleware.
func (s *Service) Register(mux Mux) {
	mux.Handle("POST "+routeDetailsJobs, http.HandlerFunc(s.postDetailsJob))
	mux.Handle("GET "+routeAvailability, http.HandlerFunc(s.getAvailability))
	mux.Handle("GET "+routeDetailsJob, s.getJob(kindDetails))
	mux.Handle("DELETE "+routeDetailsJob, s.deleteJob(kindDetails))
	mux.Handle("GET "+routeDetailsResults, http.HandlerFunc(s.getDetailsResults))
	mux.Handle("POST "+routeAggregatesJobs, http.HandlerFunc(s.postAggregatesJob))
	mux.Handle("GET "+routeAggregatesJob, s.getJob(kindAggregates))
	mux.Handle("DELETE "+routeAggregatesJob, s.deleteJob(kindAggregates))
	mux.Handle("GET "+routeAggregateResults, http.HandlerFunc(s.getAggregatesResults))
}

// SetFaults replaces the injected job faults.
func (s *Service) SetFaults(f Faults) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = f
}

// SetJobFailureRate changes only Faults.JobFailureRate, leaving FailNext as
// it is: the emulator core forwards its own job-failure fault with it.
func (s *Service) SetJobFailureRate(rate float64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults.JobFailureRate = rate
}

// SetResultsExpiryRate changes only Faults.ResultsExpiryRate, leaving
// ExpireNext as it is, for the emulator core's job-expiry fault.
func (s *Service) SetResultsExpiryRate(rate float64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults.ResultsExpiryRate = rate
}

// Faults returns the injected job faults; FailNext counts down as jobs fail.
func (s *Service) Faults() Faults {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.faults
}

// Reset forgets every job and fault, as if the service had just started.
func (s *Service) Reset() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.jobs = make(map[string]*job)
	s.faults = Faults{}
	s.failRand = mrand.New(mrand.NewPCG(uint64(s.cfg.Seed), 0x6661696c))
	s.submitted, s.rejected = 0, 0
}

// JobCounts counts the jobs the service holds by state, plus submissions.
type JobCounts struct {
	Queued    int `json:"queued"`
	Pending   int `json:"pending"`
	Fulfilled int `json:"fulfilled"`
	Failed    int `json:"failed"`
	Cancelled int `json:"cancelled"`
	Expired   int `json:"expired"`
	// Submitted counts accepted submissions; Rejected those refused with
	// 429 by the concurrent-job cap.
	Submitted int64 `json:"submitted"`
	Rejected  int64 `json:"rejected"`
}

// Jobs returns the job counts now.
func (s *Service) Jobs() JobCounts {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.cfg.Now()
	c := JobCounts{Submitted: s.submitted, Rejected: s.rejected}
	for _, j := range s.jobs {
		switch j.state(now, s.cfg.JobDelay) {
		case StateQueued:
			c.Queued++
		case StatePending:
			c.Pending++
		case StateFulfilled:
			c.Fulfilled++
		case StateFailed:
			c.Failed++
		case StateCancelled:
			c.Cancelled++
		case StateExpired:
			c.Expired++
		}
	}
	return c
}

// Model returns the generator of the presence history.
func (s *Service) Model() *Model { return s.model }

// Horizon is the data availability date now: data before it is complete.
func (s *Service) Horizon() time.Time {
	return s.cfg.Now().Add(-s.cfg.DataLag).UTC().Truncate(time.Millisecond)
}

// Detail is the ground truth of one user's details over [from, to) at the
// current horizon, empty for users that are unknown, not active or without
// history.
func (s *Service) Detail(userID string, from, to time.Time) UserDetail {
	u, ok := lookup(s.users, userID)
	if !ok || !u.hasActivityState() {
		return UserDetail{UserID: userID}
	}
	return s.model.Detail(userID, from, to, s.Horizon())
}

// Aggregate is the ground truth of one user's aggregates over [from, to) at
// the current horizon; see Model.Aggregate.
func (s *Service) Aggregate(userID string, from, to time.Time, granularity time.Duration, metrics []string) []IntervalData {
	u, ok := lookup(s.users, userID)
	if !ok || !u.hasActivityState() {
		return nil
	}
	return s.model.Aggregate(userID, from, to, granularity, s.Horizon(), metrics)
}

func (s *Service) getAvailability(w http.ResponseWriter, _ *http.Request) {
	wire.WriteJSON(w, http.StatusOK, map[string]string{"dataAvailabilityDate": formatTime(s.Horizon())})
}

func (s *Service) postDetailsJob(w http.ResponseWriter, r *http.Request) {
	var q detailsQuery
	if !wire.DecodeBody(w, r, &q) {
		return
	}
	iv, err := parseInterval(q.Interval, s.cfg.MaxInterval)
	if err != nil {
		wire.BadRequest(w, "%v", err)
		return
	}
	users := userSet(nil)
	for i, f := range q.UserFilters {
		set, err := f.users()
		if err != nil {
			wire.BadRequest(w, "userFilters[%d]: %v", i, err)
			return
		}
		users = intersect(users, set)
	}
	for i, f := range slices.Concat(q.PresenceFilters, q.RoutingStatusFilters) {
		var obj map[string]any
		if err := json.Unmarshal(f, &obj); err != nil || obj == nil {
			wire.BadRequest(w, "presence or routing status filter %d is not an object", i)
			return
		}
	}
	switch strings.ToLower(q.Order) {
	case "", "asc", "desc":
	default:
		wire.BadRequest(w, "order %q is not one of asc, desc", q.Order)
		return
	}
	if q.Limit != nil && *q.Limit < 0 {
		wire.BadRequest(w, "limit %d is negative", *q.Limit)
		return
	}
	s.submit(w, &job{kind: kindDetails, interval: iv, users: users})
}

func (s *Service) postAggregatesJob(w http.ResponseWriter, r *http.Request) {
	var q aggregatesQuery
	if !wire.DecodeBody(w, r, &q) {
		return
	}
	iv, err := parseInterval(q.Interval, s.cfg.MaxInterval)
	if err != nil {
		wire.BadRequest(w, "%v", err)
		return
	}
	j := &job{kind: kindAggregates, interval: iv, pageSize: s.cfg.AggregatesPageSize}
	if q.Granularity != "" {
		if j.granularity, err = parseGranularity(q.Granularity); err != nil {
			wire.BadRequest(w, "%v", err)
			return
		}
	}
	if !slices.Equal(q.GroupBy, []string{"userId"}) {
		wire.BadRequest(w, "groupBy %q is not supported; user aggregates jobs group by [\"userId\"]", q.GroupBy)
		return
	}
	if err := validateMetrics(q.Metrics); err != nil {
		wire.BadRequest(w, "%v", err)
		return
	}
	j.metrics = slices.Compact(slices.Clone(q.Metrics))
	if q.Filter != nil {
		if j.users, err = q.Filter.users(); err != nil {
			wire.BadRequest(w, "filter: %v", err)
			return
		}
	}
	if q.PageSize != nil {
		if *q.PageSize < 1 || *q.PageSize > s.cfg.MaxAggregatesPageSize {
			wire.BadRequest(w, "pageSize %d is not between 1 and %d", *q.PageSize, s.cfg.MaxAggregatesPageSize)
			return
		}
		j.pageSize = *q.PageSize
	}
	s.submit(w, j)
}

// submit accepts j unless the concurrent-job cap is reached.
func (s *Service) submit(w http.ResponseWriter, j *job) {
	s.mu.Lock()
	now := s.cfg.Now()
	s.purge(now)
	if limit := s.cfg.MaxConcurrentJobs; limit >= 0 {
		n := 0
		var first time.Time
		for _, o := range s.jobs {
			if running(o.state(now, s.cfg.JobDelay)) {
				n++
				if first.IsZero() || o.completes.Before(first) {
					first = o.completes
				}
			}
		}
		if n >= limit {
			s.rejected++
			s.mu.Unlock()
			secs := max(int(first.Sub(now).Seconds()+0.999), 1)
			w.Header().Set("Retry-After", strconv.Itoa(secs))
			wire.WriteError(w, http.StatusTooManyRequests, wire.CodeTooManyRequests,
				"Rate limit exceeded the maximum. Retry the request in [%d] seconds", secs)
			return
		}
	}
	j.id = newJobID()
	j.submitted = now
	j.completes = now.Add(s.cfg.JobDelay)
	j.expires = j.completes.Add(s.cfg.Expiry)
	j.horizon = now.Add(-s.cfg.DataLag).UTC().Truncate(time.Millisecond)
	switch {
	case s.faults.FailNext > 0:
		s.faults.FailNext--
		j.fail = true
	case s.faults.JobFailureRate > 0:
		j.fail = s.failRand.Float64() < s.faults.JobFailureRate
	}
	switch {
	case j.fail:
	case s.faults.ExpireNext > 0:
		s.faults.ExpireNext--
		j.expireEarly = true
	case s.faults.ResultsExpiryRate > 0:
		j.expireEarly = s.failRand.Float64() < s.faults.ResultsExpiryRate
	}
	s.jobs[j.id] = j
	s.submitted++
	s.mu.Unlock()
	s.cfg.Logger.Debug("analytics job submitted", "job_id", j.id, "kind", j.kind.String(), "interval", j.interval.String(), "fail", j.fail)
	wire.WriteJSON(w, http.StatusAccepted, map[string]string{"jobId": j.id})
}

// purge drops jobs long past their expiry so that memory stays bounded; an
// expired job stays visible as EXPIRED for one more Expiry period.
func (s *Service) purge(now time.Time) {
	for id, j := range s.jobs {
		if now.After(j.expires.Add(s.cfg.Expiry)) {
			delete(s.jobs, id)
		}
	}
}

// find returns the job of the given kind and its state, answering 404 when
// there is none.
func (s *Service) find(w http.ResponseWriter, r *http.Request, kind jobKind) (*job, string, bool) {
	id := r.PathValue("jobId")
	s.mu.Lock()
	defer s.mu.Unlock()
	j, ok := s.jobs[id]
	if !ok || j.kind != kind {
		wire.NotFound(w, "No %s job with id %s", kind, id)
		return nil, "", false
	}
	return j, j.state(s.cfg.Now(), s.cfg.JobDelay), true
}

// asyncQueryStatus is the AsyncQueryStatus body.
type asyncQueryStatus struct {
	State          string `json:"state"`
	ErrorMessage   string `json:"errorMessage,omitempty"`
	ExpirationDate string `json:"expirationDate,omitempty"`
	SubmissionDate string `json:"submissionDate"`
	CompletionDate string `json:"completionDate,omitempty"`
}

func (s *Service) getJob(kind jobKind) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		j, state, ok := s.find(w, r, kind)
		if !ok {
			return
		}
		st := asyncQueryStatus{
			State:          state,
			SubmissionDate: formatTime(j.submitted),
			ExpirationDate: formatTime(j.expires),
		}
		switch state {
		case StateFailed:
			st.ErrorMessage = jobFailureMessage
			st.CompletionDate = formatTime(j.completes)
		case StateFulfilled, StateExpired:
			st.CompletionDate = formatTime(j.completes)
		case StateCancelled:
			st.CompletionDate = formatTime(j.cancelled)
		}
		wire.WriteJSON(w, http.StatusOK, st)
	}
}

func (s *Service) deleteJob(kind jobKind) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		j, state, ok := s.find(w, r, kind)
		if !ok {
			return
		}
		if state != StateFailed && state != StateExpired && state != StateCancelled {
			s.mu.Lock()
			j.cancelled = s.cfg.Now()
			s.mu.Unlock()
		}
		w.WriteHeader(http.StatusNoContent)
	}
}

// readable answers the error for a job whose results cannot be read.
func readable(w http.ResponseWriter, j *job, state string) bool {
	switch state {
	case StateFulfilled:
		return true
	case StateExpired:
		wire.NotFound(w, "The results of job %s expired at %s", j.id, formatTime(j.expires))
	default:
		wire.BadRequest(w, "Job %s is %s; results can be read once it is %s", j.id, state, StateFulfilled)
	}
	return false
}

// after decodes the cursor parameter: the id of the last user already
// returned, or "" for the first page.
func (s *Service) after(w http.ResponseWriter, r *http.Request, j *job) (string, bool) {
	c := r.URL.Query().Get("cursor")
	if c == "" {
		return "", true
	}
	last, err := s.cursors.decode(j.kind, j.id, c)
	if err != nil {
		wire.BadRequest(w, "cursor %q is not valid for job %s", c, j.id)
		return "", false
	}
	return last, true
}

// candidates yields the users of j after the given id that have data.
func (s *Service) candidates(j *job, after string, hasData func(User) bool) iter.Seq[User] {
	return func(yield func(User) bool) {
		if j.users.all() {
			for u := range s.users.UsersFrom(after) {
				if u.ID == after || !hasData(u) {
					continue
				}
				if !yield(u) {
					return
				}
			}
			return
		}
		i, _ := slices.BinarySearch(j.users, after)
		for _, id := range j.users[i:] {
			if id == after {
				continue
			}
			u, ok := lookup(s.users, id)
			if !ok || !hasData(u) {
				continue
			}
			if !yield(u) {
				return
			}
		}
	}
}

func (s *Service) getDetailsResults(w http.ResponseWriter, r *http.Request) {
	j, state, ok := s.find(w, r, kindDetails)
	if !ok || !readable(w, j, state) {
		return
	}
	pageSize := s.cfg.DetailsPageSize
	if v := r.URL.Query().Get("pageSize"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > s.cfg.MaxDetailsPageSize {
			wire.BadRequest(w, "pageSize %q is not a whole number between 1 and %d", v, s.cfg.MaxDetailsPageSize)
			return
		}
		pageSize = n
	}
	after, ok := s.after(w, r, j)
	if !ok {
		return
	}
	s.writeDetailsPage(w, j, after, pageSize)
	s.served(j)
}

func (s *Service) getAggregatesResults(w http.ResponseWriter, r *http.Request) {
	j, state, ok := s.find(w, r, kindAggregates)
	if !ok || !readable(w, j, state) {
		return
	}
	after, ok := s.after(w, r, j)
	if !ok {
		return
	}
	s.writeAggregatesPage(w, j, after)
	s.served(j)
}

// served expires a job's results once a page of them was served, when the
// expiry fault picked the job.
func (s *Service) served(j *job) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if j.expireEarly {
		j.expireEarly = false
		j.expires = s.cfg.Now()
	}
}

// String describes the service for logs.
func (s *Service) String() string {
	return fmt.Sprintf("analytics(seed=%d)", s.cfg.Seed)
}
