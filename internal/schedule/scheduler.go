package schedule

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"github.com/robfig/cron/v3"

	"github.com/usersync/syncer/internal/store"
)

// RunFunc runs one job to the end, recording it in sync_runs, and returns
// how it ended. The scheduler calls it only while holding the job's lock.
// ctx is cancelled when the shutdown grace period ends or the lock is lost;
// the run must then stop promptly and record itself as interrupted
// (pipeline.Runner and reverse's feed jobs do).
type RunFunc func(ctx context.Context, job string) (Result, error)

// Result is how a job's run ended: what the scheduler needs for the job's
// state, its metrics and its log. The scheduler knows nothing else of what
// a job does.
type Result struct {
	// RunID is the run's row in sync_runs; 0 when the run left none (the
	// database was unreachable when it started).
	RunID int64
	// Outcome is store.StatusSucceeded, StatusFailed, StatusInterrupted or
	// (a feed that parked its plan) StatusAwaitingApproval; empty, it is
	// derived from the error RunFunc returned.
	Outcome string
	// Rows counts the rows the run committed, by table and change: a
	// forward run's committed streams (what rolled back is not counted);
	// none for a feed.
	Rows map[string]TableRows
	// Calls are the API calls the run made.
	Calls store.RunCalls
}

// received is the number of rows the run committed as inserted, updated
// or unchanged.
func (r Result) received() int64 {
	var n int64
	for _, t := range r.Rows {
		n += t.Inserted + t.Updated + t.Unchanged
	}
	return n
}

// Job is one scheduled pipeline (or feed).
type Job struct {
	// Name identifies the job in sync_runs, the lock and the metrics.
	Name string
	// Schedule is a cron spec (config.CronParser syntax: 5 fields or
	// descriptors such as @hourly, @every 15m). Empty: the job runs only on
	// start (Config.RunOnStart) or when triggered.
	Schedule string
	// Run runs the job.
	Run RunFunc
	// Plans, when set (a scheduled feed), counts the job's plans awaiting
	// approval and its approved plans waiting to be applied. The scheduler
	// asks it with each refresh (every LeaseTTL/4): the count of awaiting
	// plans is the syncer_plans_awaiting_approval gauge, and approved plans
	// run the job at once, by whichever replica gets its lock (the run
	// applies them), within the job's back-off.
	Plans func(ctx context.Context) (PlanCounts, error)
}

// PlanCounts are a feed job's plans by state of approval.
type PlanCounts struct {
	// Awaiting counts the plans parked for approval, not expired.
	Awaiting int
	// Approved counts the approved plans whose apply has not finished.
	Approved int
}

// Errors a run's context is cancelled with (see context.Cause).
var (
	// ErrShutdown: the service is stopping and the grace period is over.
	ErrShutdown = errors.New("schedule: service stopping, grace period over")
	// ErrLockLost: the pipeline lock's session was lost, so another replica
	// may be running the pipeline.
	ErrLockLost = errors.New("schedule: pipeline lock lost")
)

// Defaults of Config.
const (
	DefaultShutdownGrace = 30 * time.Second
	DefaultLeaseTTL      = 30 * time.Second
	DefaultBackoff       = time.Minute
	DefaultMaxBackoff    = 30 * time.Minute
)

// Config configures a Scheduler. The zero value works.
type Config struct {
	// Location is the time zone of the cron schedules. Default UTC.
	Location *time.Location
	// RunOnStart runs every job once when Run starts.
	RunOnStart bool
	// ShutdownGrace is how long running jobs may go on after Run's context
	// is cancelled before their own contexts are. Default 30s.
	ShutdownGrace time.Duration
	// LeaseTTL bounds how long a replica that vanished (host down, network
	// cut) keeps its pipelines from the others. Default 30s.
	LeaseTTL time.Duration
	// Backoff is how long a failing job waits after its first failure
	// before a tick may run it again; it doubles with each further
	// consecutive failure up to MaxBackoff. Ticks that come sooner are
	// skipped. Default 1m; negative: retry at every tick.
	Backoff time.Duration
	// MaxBackoff caps Backoff's doubling. Default 30m.
	MaxBackoff time.Duration
	// Logger receives ticks, skips and run ends. Default: discard.
	Logger *slog.Logger
	// Metrics receives the scheduler's series. Default NewMetrics(nil).
	Metrics *Metrics
}

// Scheduler runs jobs on their schedules, at most one run of a job at a time
// across every replica sharing the database. See the package doc.
type Scheduler struct {
	store   *store.Store
	cfg     Config
	log     *slog.Logger
	metrics *Metrics
	jobs    []*job

	// runBase is the parent of every run's context: it outlives Run's ctx
	// by the grace period.
	runBase    context.Context
	cancelRuns context.CancelCauseFunc
	started    atomic.Bool
	stopping   atomic.Bool
	runs       sync.WaitGroup
}

// historyDepth is how many recent runs are read to derive a job's state.
const historyDepth = 20

type tickKind int

const (
	kindTick     tickKind = iota // a cron tick
	kindStart                    // Config.RunOnStart
	kindManual                   // Trigger
	kindTakeover                 // a run left running by a replica that died
	kindApproved                 // a plan of the job was approved
)

func (k tickKind) String() string {
	return [...]string{"schedule", "start", "manual", "takeover", "approved"}[k]
}

// New checks the jobs' names and schedules and returns a Scheduler over
// them. It does not start anything.
func New(st *store.Store, jobs []Job, cfg Config) (*Scheduler, error) {
	cfg.Location = cmp.Or(cfg.Location, time.UTC)
	cfg.ShutdownGrace = cmp.Or(cfg.ShutdownGrace, DefaultShutdownGrace)
	cfg.LeaseTTL = cmp.Or(cfg.LeaseTTL, DefaultLeaseTTL)
	cfg.Backoff = cmp.Or(cfg.Backoff, DefaultBackoff)
	cfg.MaxBackoff = cmp.Or(cfg.MaxBackoff, DefaultMaxBackoff)
	s := &Scheduler{
		store:   st,
		cfg:     cfg,
		log:     cmp.Or(cfg.Logger, slog.New(slog.NewTextHandler(io.Discard, nil))),
		metrics: cmp.Or(cfg.Metrics, NewMetrics(nil)),
	}
	seen := map[string]bool{}
	for _, j := range jobs {
		if j.Name == "" || j.Run == nil {
			return nil, fmt.Errorf("schedule: job %q has no name or no run function", j.Name)
		}
		if seen[j.Name] {
			return nil, fmt.Errorf("schedule: job %q listed twice", j.Name)
		}
		seen[j.Name] = true
		jb := &job{Job: j, wake: make(chan tickKind, 1)}
		if j.Schedule != "" {
			sched, err := parser.Parse(j.Schedule)
			if err != nil {
				return nil, fmt.Errorf("schedule: job %q: schedule %q: %w", j.Name, j.Schedule, err)
			}
			jb.sched = sched
		}
		s.metrics.declare(j.Name, j.Plans != nil)
		s.jobs = append(s.jobs, jb)
	}
	return s, nil
}

// parser accepts what config.CronParser accepts.
var parser = cron.NewParser(cron.Minute | cron.Hour | cron.Dom | cron.Month | cron.Dow | cron.Descriptor)

// Metrics returns the scheduler's metrics.
func (s *Scheduler) Metrics() *Metrics { return s.metrics }

// Stopping reports whether Run's context is done (the service is draining).
func (s *Scheduler) Stopping() bool { return s.stopping.Load() }

// Trigger asks for a run of the named job now, outside its schedule, with
// the same locking and skip rules as a tick. It returns false for an unknown
// job. Trigger does not wait for the run.
func (s *Scheduler) Trigger(name string) bool {
	for _, j := range s.jobs {
		if j.Name == name {
			select {
			case j.wake <- kindManual:
			default: // one is pending already
			}
			return true
		}
	}
	return false
}

// Run schedules the jobs until ctx is cancelled, then stops starting runs,
// gives running ones ShutdownGrace to finish, cancels the rest (they record
// themselves as interrupted) and returns once every run has returned. It
// returns an error only if runs did not return shortly after being
// cancelled. Run may be called once.
func (s *Scheduler) Run(ctx context.Context) error {
	if !s.started.CompareAndSwap(false, true) {
		return errors.New("schedule: Run called twice")
	}
	s.runBase, s.cancelRuns = context.WithCancelCause(context.WithoutCancel(ctx))
	defer s.cancelRuns(nil)
	s.log.Info("scheduler started", "jobs", len(s.jobs), "timezone", s.cfg.Location.String(),
		"lease_ttl", s.cfg.LeaseTTL, "shutdown_grace", s.cfg.ShutdownGrace, "run_on_start", s.cfg.RunOnStart)

	var loops sync.WaitGroup
	for _, j := range s.jobs {
		s.refresh(ctx, j) // metrics and backoff from the record before the first tick
		s.refreshPlans(ctx, j)
		loops.Go(func() { s.loop(ctx, j) })
	}
	loops.Go(func() { s.watch(ctx) })
	<-ctx.Done()
	s.stopping.Store(true)
	loops.Wait() // from here on nothing starts a run

	done := make(chan struct{})
	go func() { s.runs.Wait(); close(done) }()
	running := s.runningJobs()
	if len(running) > 0 {
		s.log.Info("stopping: no new runs; running ones have the grace period", "running", running, "grace", s.cfg.ShutdownGrace)
	}
	grace := time.NewTimer(s.cfg.ShutdownGrace)
	defer grace.Stop()
	select {
	case <-done:
		s.log.Info("scheduler stopped")
		return nil
	case <-grace.C:
	}
	s.log.Warn("grace period over: interrupting runs", "running", s.runningJobs())
	s.cancelRuns(ErrShutdown)
	// An interrupted run rolls back and records itself; that takes a
	// database round trip or two, not another grace period.
	margin := time.NewTimer(10 * time.Second)
	defer margin.Stop()
	select {
	case <-done:
		s.log.Info("scheduler stopped")
		return nil
	case <-margin.C:
		return fmt.Errorf("schedule: runs still going 10s after being interrupted: %v", s.runningJobs())
	}
}

func (s *Scheduler) runningJobs() []string {
	var out []string
	for _, j := range s.jobs {
		if j.running.Load() {
			out = append(out, j.Name)
		}
	}
	return out
}

// loop fires one job's ticks until ctx is done.
func (s *Scheduler) loop(ctx context.Context, j *job) {
	if s.cfg.RunOnStart {
		s.fire(ctx, j, time.Now(), kindStart)
	}
	for {
		var (
			timer  *time.Timer
			timerC <-chan time.Time
			next   time.Time
		)
		if j.sched != nil {
			next = j.sched.Next(time.Now().In(s.cfg.Location))
			j.setNext(next)
			s.metrics.nextRun.WithLabelValues(j.Name).Set(float64(next.Unix()))
			timer = time.NewTimer(time.Until(next))
			timerC = timer.C
		}
		select {
		case <-ctx.Done():
			if timer != nil {
				timer.Stop()
			}
			return
		case <-timerC:
			s.fire(ctx, j, next, kindTick)
		case k := <-j.wake:
			if timer != nil {
				timer.Stop()
			}
			s.fire(ctx, j, time.Now(), k)
		}
	}
}

// fire handles one tick: skipped when the job is still running here or
// backing off, else an attempt in its own goroutine (which takes the lock).
func (s *Scheduler) fire(ctx context.Context, j *job, tick time.Time, kind tickKind) {
	if ctx.Err() != nil {
		return
	}
	log := s.log.With("pipeline", j.Name, "tick", tick.Format(time.RFC3339), "trigger", kind.String())
	if !j.running.CompareAndSwap(false, true) {
		if kind == kindTick || kind == kindStart {
			j.skipped(tick)
			s.metrics.tick(j.Name, TickSkipped)
			log.Warn("tick skipped: the previous run is still going", "running_since", j.status().RunningSince)
		}
		return
	}
	if kind == kindTick || kind == kindTakeover || kind == kindApproved {
		if until := j.backoffUntil(s.cfg.Backoff, s.cfg.MaxBackoff); tick.Before(until) {
			j.running.Store(false)
			if kind == kindTick {
				j.skipped(tick)
				s.metrics.tick(j.Name, TickBackoff)
				log.Warn("tick skipped: backing off after failures", "consecutive_failures", j.status().ConsecutiveFailures, "until", until)
			}
			return
		}
	}
	s.runs.Add(1)
	go func() {
		defer s.runs.Done()
		defer j.running.Store(false)
		s.attempt(ctx, log, j, tick, kind)
	}()
}

// attempt takes the job's lock and, if the record says this tick still
// needs a run, runs it.
func (s *Scheduler) attempt(ctx context.Context, log *slog.Logger, j *job, tick time.Time, kind tickKind) {
	// A takeover attempt repeats while the orphan's holder is alive (a
	// `syncer run` in progress), an approved one while another process
	// applies the plan: only the one that runs is a tick.
	count := func(result string) {
		if (kind != kindTakeover && kind != kindApproved) || result == TickStarted {
			s.metrics.tick(j.Name, result)
		}
	}
	ttl := s.cfg.LeaseTTL
	lctx, cancel := context.WithTimeout(ctx, ttl)
	lock, err := s.store.TryLock(lctx, j.Name, store.LockConfig{
		DeadAfter:       ttl / 2,
		ApplicationName: fmt.Sprintf("syncer serve pid %d: %s", os.Getpid(), j.Name),
	})
	cancel()
	if errors.Is(err, store.ErrLocked) {
		count(TickHeldElsewhere)
		log.Debug("tick left to the replica holding the pipeline lock")
		return
	}
	if err != nil {
		if ctx.Err() == nil {
			count(TickLockError)
			log.Warn("tick not run: pipeline lock unavailable", "err", err)
		}
		return
	}
	defer func() {
		rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		defer cancel()
		if err := lock.Release(rctx); err != nil {
			log.Warn("release pipeline lock (the server drops it with the connection)", "err", err)
		}
	}()

	runs, err := s.store.Runs(ctx, j.Name, historyDepth)
	if err != nil {
		if ctx.Err() == nil {
			count(TickLockError)
			log.Warn("tick not run: run history unreadable", "err", err)
		}
		return
	}
	s.apply(j, runs)
	orphan := len(runs) > 0 && runs[0].Status == store.StatusRunning
	if kind == kindApproved && !orphan {
		// Approved plans are the reason to run, whatever ran last; ask
		// again under the lock, as another replica may have applied them.
		if pc, err := j.Plans(ctx); err != nil || pc.Approved == 0 {
			count(TickAlreadyRan)
			log.Debug("approved plans already applied by another replica", "err", err)
			return
		}
		log.Info("running to apply an approved plan")
	} else if !orphan && kind == kindTakeover && len(runs) > 0 && runs[0].Status == store.StatusInterrupted {
		log.Info("re-running a run interrupted on another replica (stopped or lost its lock)", "interrupted_run_id", runs[0].ID)
	} else if !orphan && s.covered(j, runs, tick, kind) {
		count(TickAlreadyRan)
		log.Debug("tick already run by another replica", "run_id", runs[0].ID)
		return
	}
	if orphan {
		// The holder of that run lost the lock. Give it the time its lock
		// heartbeat needs to notice and stop before starting over.
		log.Warn("taking over a run left running by a replica that stopped", "orphan_run_id", runs[0].ID, "fence", s.fence())
		select {
		case <-ctx.Done():
			return
		case <-time.After(s.fence()):
		}
		// This replica holds the lock, so the orphan is not running any
		// more: record it as interrupted before running again.
		if _, err := s.store.InterruptRuns(ctx, j.Name, "the replica running it stopped; taken over by another"); err != nil && ctx.Err() == nil {
			log.Warn("could not mark the orphaned run interrupted", "orphan_run_id", runs[0].ID, "err", err)
		}
	}
	if ctx.Err() != nil {
		return // stopping: no new runs
	}
	count(TickStarted)
	s.execute(log, j, lock)
}

// covered reports whether the latest run already answers this tick: for a
// cron tick, a run started no earlier than half a period before it (another
// replica, or a clock a little ahead, ran it); for a start, one started
// within LeaseTTL (replicas starting together run a job once).
func (s *Scheduler) covered(j *job, runs []store.Run, tick time.Time, kind tickKind) bool {
	if len(runs) == 0 {
		return false
	}
	var window time.Duration
	switch kind {
	case kindTick:
		window = j.sched.Next(tick).Sub(tick) / 2
	case kindStart:
		window = s.cfg.LeaseTTL
	case kindTakeover:
		return true // not orphaned or interrupted any more: someone ran it
	default: // manual, approved
		return false
	}
	return !runs[0].StartedAt.Before(tick.Add(-window))
}

// heartbeat returns how often a running job's lock is checked; a lost lock
// is noticed within two heartbeats.
func (s *Scheduler) heartbeat() time.Duration { return max(s.cfg.LeaseTTL/8, 50*time.Millisecond) }

// fence is how long a taker waits before re-running an orphaned run, so
// that the replica it takes over from has noticed the lost lock.
func (s *Scheduler) fence() time.Duration { return 2*s.heartbeat() + s.heartbeat()/2 }

// execute runs the job under its lock, checking the lock as it goes.
func (s *Scheduler) execute(log *slog.Logger, j *job, lock *store.Lock) {
	ctx, cancel := context.WithCancelCause(s.runBase)
	defer cancel(nil)
	hbDone := make(chan struct{})
	hbStopped := make(chan struct{})
	go func() {
		defer close(hbStopped)
		t := time.NewTicker(s.heartbeat())
		defer t.Stop()
		for {
			select {
			case <-hbDone:
				return
			case <-t.C:
			}
			cctx, ccancel := context.WithTimeout(context.Background(), s.heartbeat())
			err := lock.Check(cctx)
			ccancel()
			if err != nil {
				s.metrics.lockLost.WithLabelValues(j.Name).Inc()
				log.Error("pipeline lock lost: interrupting the run", "err", err)
				cancel(fmt.Errorf("%w: %w", ErrLockLost, err))
				return
			}
		}
	}()

	start := time.Now()
	j.begin(start)
	s.metrics.running.WithLabelValues(j.Name).Set(1)
	log.Info("run starting")
	res, err := j.Run(ctx, j.Name)
	took := time.Since(start)
	close(hbDone)
	<-hbStopped
	s.metrics.running.WithLabelValues(j.Name).Set(0)

	outcome := cmp.Or(res.Outcome, store.StatusOf(ctx, err))
	j.end(outcome, res.RunID, time.Now())
	// The record is the source of the gauges: read it back before counting
	// the run, so a scrape never sees the run counted but the gauges stale.
	rctx, rcancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer rcancel()
	s.refresh(rctx, j)
	s.refreshPlans(rctx, j)
	s.metrics.observeRun(j.Name, outcome, res, took)
	if err != nil {
		// The job logged the failure with its details already.
		log.Warn("run ended without success", "outcome", outcome, "run_id", res.RunID, "duration", took.Round(time.Millisecond), "cause", context.Cause(ctx))
	} else {
		log.Info("run ended", "outcome", outcome, "run_id", res.RunID, "duration", took.Round(time.Millisecond), "rows", res.received(), "calls", res.Calls.Total)
	}
}

// watch re-reads every job's record periodically: the failure and success
// gauges follow runs made by other replicas and `syncer run`, and a
// scheduled job whose latest run did not end (left running by a replica
// that died, or interrupted by one that stopped or lost its lock) is run
// again at once rather than at the next tick, by whichever replica gets
// the lock.
func (s *Scheduler) watch(ctx context.Context) {
	t := time.NewTicker(max(s.cfg.LeaseTTL/4, 100*time.Millisecond))
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		for _, j := range s.jobs {
			unfinished := s.refresh(ctx, j)
			approved := s.refreshPlans(ctx, j)
			if j.running.Load() {
				continue
			}
			var k tickKind
			switch {
			case unfinished && j.sched != nil:
				k = kindTakeover
			case approved:
				k = kindApproved
			default:
				continue
			}
			select {
			case j.wake <- k:
			default:
			}
		}
	}
}

// refreshPlans sets the job's syncer_plans_awaiting_approval gauge and
// reports whether approved plans wait to be applied.
func (s *Scheduler) refreshPlans(ctx context.Context, j *job) (approved bool) {
	if j.Plans == nil {
		return false
	}
	pc, err := j.Plans(ctx)
	if err != nil {
		if ctx.Err() == nil && j.setPlansUnreadable(true) {
			s.log.Warn("plans awaiting approval unreadable: the gauge and approved plans wait until they are back", "pipeline", j.Name, "err", err)
		}
		return false
	}
	if j.setPlansUnreadable(false) {
		s.log.Info("plans awaiting approval readable again", "pipeline", j.Name)
	}
	s.metrics.awaiting.WithLabelValues(j.Name).Set(float64(pc.Awaiting))
	return pc.Approved > 0
}

// refresh derives the job's state from its recent runs and reports whether
// the latest did not end: it is recorded as running (its replica may be
// gone) or as interrupted (its replica stopped or lost the lock).
func (s *Scheduler) refresh(ctx context.Context, j *job) (unfinished bool) {
	runs, err := s.store.Runs(ctx, j.Name, historyDepth)
	if err != nil {
		if ctx.Err() == nil && j.setUnreadable(true) {
			s.log.Warn("run history unreadable: gauges and takeovers wait until it is back", "pipeline", j.Name, "err", err)
		}
		return false
	}
	if j.setUnreadable(false) {
		s.log.Info("run history readable again", "pipeline", j.Name)
	}
	s.apply(j, runs)
	return len(runs) > 0 && (runs[0].Status == store.StatusRunning || runs[0].Status == store.StatusInterrupted)
}

func (s *Scheduler) apply(j *job, runs []store.Run) {
	h := historyOf(runs)
	j.setHistory(h)
	s.metrics.consecutiveFailures.WithLabelValues(j.Name).Set(float64(j.status().ConsecutiveFailures))
	if !h.lastSuccess.IsZero() {
		s.metrics.lastSuccess.WithLabelValues(j.Name).Set(float64(h.lastSuccess.UnixMilli()) / 1000)
	}
}

// Status returns every job's state as this replica sees it.
func (s *Scheduler) Status() []JobStatus {
	out := make([]JobStatus, 0, len(s.jobs))
	for _, j := range s.jobs {
		out = append(out, j.status())
	}
	return out
}
