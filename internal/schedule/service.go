package schedule

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/usersync/syncer/internal/store"
)

// Defaults of ServiceConfig.
const (
	DefaultRetryMin      = time.Second
	DefaultRetryMax      = 30 * time.Second
	DefaultCheckInterval = 10 * time.Second
)

// ServiceConfig configures a Service.
type ServiceConfig struct {
	// Open connects to the database. It is called until it succeeds. Its
	// errors reach /readyz and the log, so they must hold no secret
	// (store.Open's name the host, port and database, never the URL).
	Open func(ctx context.Context) (*store.Store, error)
	// Migrate applies pending migrations once the database answers (serve
	// --migrate). Without it the service waits, not ready, until someone
	// runs `syncer migrate`.
	Migrate bool
	// Jobs returns the jobs to schedule. It is called once, when the
	// database is ready, with the store the scheduler will use.
	Jobs func(ctx context.Context, st *store.Store) ([]Job, error)
	// Scheduler configures the scheduler. Its Metrics (default
	// NewMetrics(nil)) are served from the start; its Logger also receives
	// the readiness changes.
	Scheduler Config
	// RetryMin and RetryMax bound the wait between attempts while the
	// database is unreachable or not migrated: it starts at RetryMin and
	// doubles up to RetryMax. Default 1s and 30s.
	RetryMin, RetryMax time.Duration
	// CheckInterval is how often a ready service checks the database, so
	// that readiness (and the log) follow an outage even when nobody asks
	// /readyz. Default 10s.
	CheckInterval time.Duration
	// Console, when set, is served under /console/ (and / leads to it):
	// the web console, which does its own authentication.
	Console http.Handler
}

// Service is `syncer serve`: it answers /healthz, /readyz, /metrics and
// /runs from the start, waits (retrying with back-off) until the database
// answers and every migration is applied, and only then builds the
// Scheduler and runs its jobs. See the package doc, "Readiness".
type Service struct {
	cfg     ServiceConfig
	log     *slog.Logger
	metrics *Metrics

	started  atomic.Bool
	stopping atomic.Bool
	// st and sched are set once, when the database is ready.
	st    atomic.Pointer[store.Store]
	sched atomic.Pointer[Scheduler]

	// checking serializes checks of the database, so concurrent probes
	// do not pile up connections.
	checking sync.Mutex
	mu       sync.Mutex
	state    readyState
	// currentAt is when every migration was last found applied; the
	// answer is reused for migrationsTTL.
	currentAt time.Time
}

// NewService returns a Service. It does not start anything.
func NewService(cfg ServiceConfig) *Service {
	cfg.RetryMin = cmp.Or(cfg.RetryMin, DefaultRetryMin)
	cfg.RetryMax = max(cmp.Or(cfg.RetryMax, DefaultRetryMax), cfg.RetryMin)
	cfg.CheckInterval = cmp.Or(cfg.CheckInterval, DefaultCheckInterval)
	cfg.Scheduler.Logger = cmp.Or(cfg.Scheduler.Logger, slog.New(slog.NewTextHandler(io.Discard, nil)))
	cfg.Scheduler.Metrics = cmp.Or(cfg.Scheduler.Metrics, NewMetrics(nil))
	return &Service{
		cfg:     cfg,
		log:     cfg.Scheduler.Logger,
		metrics: cfg.Scheduler.Metrics,
		state:   readyState{database: dbUnknown, migrations: migUnknown, pending: -1, reason: "starting: the database has not been checked yet", since: time.Now()},
	}
}

// Metrics returns the service's metrics (the scheduler's, once it runs).
func (s *Service) Metrics() *Metrics { return s.metrics }

// Scheduler returns the scheduler, or nil before the database is ready.
func (s *Service) Scheduler() *Scheduler { return s.sched.Load() }

// Store returns the database, or nil before it is ready.
func (s *Service) Store() *store.Store { return s.st.Load() }

// Stopping reports whether Run's context is done.
func (s *Service) Stopping() bool { return s.stopping.Load() }

// Run waits until the database is ready, then runs the scheduler until ctx
// is cancelled (see Scheduler.Run). Cancelled before the database is
// ready, it returns nil. Run may be called once.
func (s *Service) Run(ctx context.Context) error {
	if !s.started.CompareAndSwap(false, true) {
		return errors.New("schedule: Service.Run called twice")
	}
	stop := context.AfterFunc(ctx, func() { s.stopping.Store(true) })
	defer stop()
	st, err := s.waitReady(ctx)
	if err != nil {
		return nil // cancelled before ready: nothing ran
	}
	s.st.Store(st)
	jobs, err := s.cfg.Jobs(ctx, st)
	if err != nil {
		return err
	}
	sched, err := New(st, jobs, s.cfg.Scheduler)
	if err != nil {
		return err
	}
	s.sched.Store(sched)

	var watch sync.WaitGroup
	watch.Go(func() { s.watch(ctx, st) })
	defer watch.Wait()
	return sched.Run(ctx)
}

// Close closes the store Open returned. Call it after Run returned and the
// HTTP server stopped.
func (s *Service) Close() {
	if st := s.st.Load(); st != nil {
		st.Close()
	}
}

// waitReady opens the store and checks it until the database answers and
// every migration is applied (applying them with Config.Migrate), waiting
// RetryMin, then twice as long each time up to RetryMax, between attempts.
// It returns only ctx's error.
func (s *Service) waitReady(ctx context.Context) (*store.Store, error) {
	var st *store.Store
	delay := s.cfg.RetryMin
	for {
		var next readyState
		next, st = s.attempt(ctx, st)
		if ctx.Err() != nil {
			if st != nil {
				st.Close()
			}
			return nil, ctx.Err()
		}
		s.record(next, delay)
		if next.ready() {
			return st, nil
		}
		select {
		case <-ctx.Done():
			if st != nil {
				st.Close()
			}
			return nil, ctx.Err()
		case <-time.After(delay):
		}
		delay = min(2*delay, s.cfg.RetryMax)
	}
}

// openTimeout bounds one attempt to connect; checkTimeout one check.
const (
	openTimeout  = 10 * time.Second
	checkTimeout = 5 * time.Second
)

// attempt is one step towards ready: open the store if it is not open,
// check it, and apply pending migrations when configured to.
func (s *Service) attempt(ctx context.Context, st *store.Store) (readyState, *store.Store) {
	if st == nil {
		octx, cancel := context.WithTimeout(ctx, openTimeout)
		opened, err := s.cfg.Open(octx)
		cancel()
		if err != nil {
			return unreachable(err), nil
		}
		st = opened
	}
	state := s.check(ctx, st)
	if !s.cfg.Migrate || state.migrations != migPending {
		return state, st
	}
	applied, err := st.Migrate(ctx)
	if err != nil {
		state.migrations = migFailed
		state.reason = "apply migrations (serve --migrate): " + err.Error()
		return state, st
	}
	if len(applied) > 0 {
		s.log.Info("migrations applied", "schema", st.Schema(), "count", len(applied), "version", applied[len(applied)-1].Version)
	}
	return s.check(ctx, st), st
}

// migrationsTTL is how long a "current" answer is reused: the check opens
// connections and takes the migration lock, while probes come every few
// seconds. A "pending" answer is checked again every time.
const migrationsTTL = 10 * time.Second

// check pings the database and reads the migrations' status.
func (s *Service) check(ctx context.Context, st *store.Store) readyState {
	ctx, cancel := context.WithTimeout(ctx, checkTimeout)
	defer cancel()
	if err := st.Pool().Ping(ctx); err != nil {
		return unreachable(err)
	}
	s.mu.Lock()
	fresh := !s.currentAt.IsZero() && time.Since(s.currentAt) < migrationsTTL
	s.mu.Unlock()
	if fresh {
		return readyState{database: dbOK, migrations: migCurrent}
	}
	ms, err := st.MigrationStatus(ctx)
	if err != nil {
		if errors.Is(err, store.ErrUnavailable) {
			return unreachable(err)
		}
		return readyState{database: dbOK, migrations: migUnknown, pending: -1, reason: "read migration status: " + err.Error()}
	}
	pending := 0
	for _, m := range ms {
		if !m.Applied {
			pending++
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if pending > 0 {
		s.currentAt = time.Time{}
		return readyState{database: dbOK, migrations: migPending, pending: pending,
			reason: fmt.Sprintf("%d of %d migrations pending in schema %s: run `syncer migrate`, or start serve with --migrate", pending, len(ms), st.Schema())}
	}
	s.currentAt = time.Now()
	return readyState{database: dbOK, migrations: migCurrent}
}

// watch checks the database every CheckInterval until ctx is done.
func (s *Service) watch(ctx context.Context, st *store.Store) {
	t := time.NewTicker(s.cfg.CheckInterval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		s.checkNow(ctx, st, time.Second) // no more than once a second, whatever asks
	}
}

// checkNow checks the database unless the last check is younger than
// maxAge, and records the result.
func (s *Service) checkNow(ctx context.Context, st *store.Store, maxAge time.Duration) {
	s.checking.Lock()
	defer s.checking.Unlock()
	s.mu.Lock()
	age := time.Since(s.state.checkedAt)
	s.mu.Unlock()
	if maxAge > 0 && age < maxAge {
		return
	}
	next := s.check(ctx, st)
	if ctx.Err() != nil {
		return // a probe that hung up, or the service stopping: no news
	}
	s.record(next, 0)
}

// record makes next the current state and logs it if it differs from the
// previous one: once per change, not once per check or retry.
func (s *Service) record(next readyState, retry time.Duration) {
	now := time.Now()
	s.mu.Lock()
	prev := s.state
	next.checkedAt, next.since = now, now
	changed := prev.database != next.database || prev.migrations != next.migrations || prev.checkedAt.IsZero()
	if !changed {
		next.since = prev.since
	}
	s.state = next
	s.mu.Unlock()
	if !changed {
		return
	}
	switch {
	case next.ready():
		s.log.Info("ready", "database", next.database, "migrations", next.migrations)
	case retry > 0:
		s.log.Warn("not ready: waiting for the database", "database", next.database, "migrations", next.migrations,
			"reason", next.reason, "retry_in_seconds", retry.Seconds(), "retry_max_seconds", s.cfg.RetryMax.Seconds())
	default:
		s.log.Warn("not ready", "database", next.database, "migrations", next.migrations, "reason", next.reason)
	}
}

// Readiness checks the database (at most once a second; before the
// database first became ready, the waiting loop's latest attempt stands)
// and returns the /readyz document.
func (s *Service) Readiness(ctx context.Context) Readiness {
	if st := s.st.Load(); st != nil {
		s.checkNow(ctx, st, time.Second)
	}
	s.mu.Lock()
	state := s.state
	s.mu.Unlock()
	r := Readiness{
		Status:     StatusReady,
		Database:   state.database,
		Migrations: state.migrations,
		Since:      state.since.UTC(),
		CheckedAt:  timePtr(state.checkedAt),
	}
	if state.pending >= 0 {
		n := state.pending
		r.PendingMigrations = &n
	}
	sched := s.sched.Load()
	switch {
	case s.Stopping() || (sched != nil && sched.Stopping()):
		r.Status = StatusStopping
		reason := "stopping: no new runs start"
		r.Reason = &reason
	case !state.ready():
		r.Status = StatusNotReady
		reason := state.reason
		r.Reason = &reason
	case sched == nil:
		// Ready a moment ago, the scheduler is being built.
		r.Status = StatusNotReady
		reason := "starting the scheduler"
		r.Reason = &reason
	}
	return r
}

// Readiness statuses (Readiness.Status).
const (
	StatusReady    = "ready"
	StatusNotReady = "not_ready"
	StatusStopping = "stopping"
)

// Values of Readiness.Database and Readiness.Migrations.
const (
	dbOK          = "ok"
	dbUnreachable = "unreachable"
	dbUnknown     = "unknown"
	migCurrent    = "current"
	migPending    = "pending"
	migFailed     = "failed"
	migUnknown    = "unknown"
)

// Readiness is the /readyz document. Every field is always present, null
// where a value does not apply; docs/schema/readyz.schema.json is its JSON
// Schema.
type Readiness struct {
	// Status is "ready" (HTTP 200), "not_ready" or "stopping" (503).
	Status string `json:"status"`
	// Database is "ok", "unreachable" or "unknown" (not checked yet).
	Database string `json:"database"`
	// Migrations is "current", "pending", "failed" (serve --migrate could
	// not apply them) or "unknown" (not read: the database is unreachable).
	Migrations string `json:"migrations"`
	// PendingMigrations counts the migrations not applied; null when unknown.
	PendingMigrations *int `json:"pending_migrations"`
	// Reason says why the service is not ready; null when it is.
	Reason *string `json:"reason"`
	// Since is when the database and migrations entered their current
	// state; CheckedAt is when they were last checked (null: not yet).
	Since     time.Time  `json:"since"`
	CheckedAt *time.Time `json:"checked_at"`
}

// readyState is the result of one check.
type readyState struct {
	database   string
	migrations string
	pending    int    // -1: unknown
	reason     string // empty when ready
	since      time.Time
	checkedAt  time.Time
}

func (r readyState) ready() bool { return r.database == dbOK && r.migrations == migCurrent }

func unreachable(err error) readyState {
	return readyState{database: dbUnreachable, migrations: migUnknown, pending: -1, reason: "database unreachable: " + err.Error()}
}
