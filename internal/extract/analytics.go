package extract

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/usersync/syncer/internal/clock"
	"github.com/usersync/syncer/internal/genesys"
)

// AnalyticsAPI is what the user_details and user_aggregates streams call.
type AnalyticsAPI interface {
	UserDetailsAvailability(ctx context.Context) (genesys.DataAvailabilityResponse, error)
	SubmitUserDetailsJob(ctx context.Context, q genesys.AsyncUserDetailsQuery) (string, error)
	UserDetailsJobStatus(ctx context.Context, jobID string) (genesys.AsyncQueryStatus, error)
	UserDetailsJobResultsPage(ctx context.Context, jobID, cursor string, pageSize int) (*genesys.UserDetailsJobResults, error)
	CancelUserDetailsJob(ctx context.Context, jobID string) error
	SubmitUserAggregatesJob(ctx context.Context, q genesys.UserAsyncAggregationQuery) (string, error)
	UserAggregatesJobStatus(ctx context.Context, jobID string) (genesys.AsyncQueryStatus, error)
	UserAggregatesJobResultsPage(ctx context.Context, jobID, cursor string) (*genesys.UserAggregatesJobResults, error)
	CancelUserAggregatesJob(ctx context.Context, jobID string) error
}

// Aggregate metrics of the user_aggregates stream.
const (
	MetricSystemPresence       = "tSystemPresence"
	MetricOrganizationPresence = "tOrganizationPresence"
	MetricAgentRoutingStatus   = "tAgentRoutingStatus"
)

// Defaults of AnalyticsConfig.
const (
	DefaultAnalyticsFirstRun     = 7 * 24 * time.Hour
	DefaultAnalyticsLookback     = 48 * time.Hour
	DefaultAnalyticsMaxInterval  = 7 * 24 * time.Hour
	DefaultAnalyticsGranularity  = "PT30M"
	DefaultMaxConcurrentJobs     = 4
	DefaultJobPollInterval       = 2 * time.Second
	DefaultJobMaxPollInterval    = 30 * time.Second
	DefaultJobTimeout            = 30 * time.Minute
	DefaultJobMaxResubmits       = 3
	DefaultAnalyticsPageSize     = genesys.MaxDetailsResultsPageSize
	defaultJobCancelTimeout      = 10 * time.Second
	defaultSubmitRateLimitedWait = 5 * time.Second
	detailsUserDaysPerPage       = 500
	aggregatesBucketsPerPage     = 20_000
	submitTimeout                = 15 * time.Second
)

// DefaultAnalyticsMetrics are the metrics of user_aggregates by default.
var DefaultAnalyticsMetrics = []string{MetricSystemPresence, MetricOrganizationPresence, MetricAgentRoutingStatus}

// AnalyticsConfig configures the analytics job streams. The zero value
// works.
type AnalyticsConfig struct {
	// Start is where the first run's window begins. Default
	// DefaultAnalyticsFirstRun (7 days) before the first run. Nothing
	// before it is ever read, even within the lookback.
	Start time.Time
	// Lookback is re-read behind the watermark on every run, because
	// Genesys reprocesses analytics data up to 48 h back. Default 48h;
	// negative means none.
	Lookback time.Duration
	// MaxInterval is the longest interval of one job. Default 7 days.
	MaxInterval time.Duration
	// Granularity of user_aggregates (ISO-8601: PT15M, PT30M, PT1H, P1D).
	// Default PT30M.
	Granularity string
	// Metrics of user_aggregates. Default DefaultAnalyticsMetrics.
	Metrics []string
	// MaxConcurrentJobs caps the windows in flight: a window holds a slot
	// from its job's submission until all its results were delivered, so
	// the org's running jobs stay under the cap and fulfilled results are
	// read soon after they are ready (they expire). Default 4.
	MaxConcurrentJobs int
	// Slots, when set, is shared by several streams (details and
	// aggregates) so that MaxConcurrentJobs caps them together; it wins
	// over MaxConcurrentJobs.
	Slots *JobSlots
	// PollInterval is the wait before the first status poll of a job; each
	// later wait is half as long again, up to MaxPollInterval. Default 2s.
	PollInterval time.Duration
	// MaxPollInterval caps the wait between two polls. Default 30s.
	MaxPollInterval time.Duration
	// JobTimeout gives up on a job (and cancels it) that has not finished
	// this long after its submission. Default 30m.
	JobTimeout time.Duration
	// MaxResubmits is how many times a window whose job ended FAILED,
	// EXPIRED or CANCELLED is submitted again before the stream fails.
	// Default 3; negative means none.
	MaxResubmits int
	// PageSize of the job results, at most: long windows get smaller pages
	// so that one page holds about as much as 500 users over a day (details)
	// or 20,000 user buckets (aggregates), which bounds the memory a page
	// takes, decoded, whatever the window. Default 1000.
	PageSize int
	// Now is the clock windows are planned by. Default time.Now. Job
	// timeouts always run on the real clock.
	Now func() time.Time
	// Logger receives a Warn per resubmitted job and per cancelled job.
	// Default: discard.
	Logger *slog.Logger
}

// WithDefaults returns c with every zero field set to its default: the one
// definition of the analytics streams' defaults. A negative Lookback or
// MaxResubmits (none) stays negative, so that defaults filled twice are
// filled once.
func (c AnalyticsConfig) WithDefaults() AnalyticsConfig {
	if c.Now == nil {
		c.Now = time.Now
	}
	if c.Lookback == 0 {
		c.Lookback = DefaultAnalyticsLookback
	}
	c.MaxInterval = cmp.Or(c.MaxInterval, DefaultAnalyticsMaxInterval)
	c.Granularity = cmp.Or(c.Granularity, DefaultAnalyticsGranularity)
	if len(c.Metrics) == 0 {
		c.Metrics = slices.Clone(DefaultAnalyticsMetrics)
	}
	c.MaxConcurrentJobs = cmp.Or(c.MaxConcurrentJobs, DefaultMaxConcurrentJobs)
	c.PollInterval = cmp.Or(c.PollInterval, DefaultJobPollInterval)
	c.MaxPollInterval = max(cmp.Or(c.MaxPollInterval, DefaultJobMaxPollInterval), c.PollInterval)
	c.JobTimeout = cmp.Or(c.JobTimeout, DefaultJobTimeout)
	if c.MaxResubmits == 0 {
		c.MaxResubmits = DefaultJobMaxResubmits
	}
	c.PageSize = cmp.Or(c.PageSize, DefaultAnalyticsPageSize)
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	return c
}

// JobSlots is a counting semaphore over analytics windows in flight,
// shareable by the streams of one run.
type JobSlots struct{ ch chan struct{} }

// NewJobSlots returns n slots (at least one).
func NewJobSlots(n int) *JobSlots { return &JobSlots{ch: make(chan struct{}, max(n, 1))} }

func (s *JobSlots) acquire(ctx context.Context) error {
	select {
	case s.ch <- struct{}{}:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (s *JobSlots) release() { <-s.ch }

// PlanDetails reads the data availability date (one call) and plans the
// user_details windows from watermark (zero on the first run) minus the
// lookback to min(now, dataAvailabilityDate).
func PlanDetails(ctx context.Context, api AnalyticsAPI, cfg AnalyticsConfig, watermark time.Time, prog Counter) (WindowPlan, error) {
	return planAnalytics(ctx, api, cfg.WithDefaults(), watermark, 0, prog)
}

// PlanAggregates plans the user_aggregates windows like PlanDetails, with
// both ends on granularity boundaries so that every bucket is whole: the
// end is the last boundary before min(now, dataAvailabilityDate), and the
// partial bucket after it is read by the next run.
func PlanAggregates(ctx context.Context, api AnalyticsAPI, cfg AnalyticsConfig, watermark time.Time, prog Counter) (WindowPlan, error) {
	cfg = cfg.WithDefaults()
	g, err := ParseGranularity(cfg.Granularity)
	if err != nil {
		return WindowPlan{}, fmt.Errorf("plan user aggregates: %w", err)
	}
	return planAnalytics(ctx, api, cfg, watermark, g, prog)
}

func planAnalytics(ctx context.Context, api AnalyticsAPI, cfg AnalyticsConfig, watermark time.Time, align time.Duration, prog Counter) (WindowPlan, error) {
	av, err := api.UserDetailsAvailability(ctx)
	if err != nil {
		return WindowPlan{}, fmt.Errorf("read analytics data availability: %w", err)
	}
	prog.MinCalls(1)
	now := cfg.Now().UTC()
	start := cfg.Start
	if start.IsZero() {
		start = now.Add(-DefaultAnalyticsFirstRun)
	}
	end := now
	if !av.DataAvailabilityDate.IsZero() && av.DataAvailabilityDate.Before(end) {
		end = av.DataAvailabilityDate.UTC()
	}
	if align > 0 {
		end = end.Truncate(align)
	}
	plan, err := PlanWindows(WindowConfig{
		Watermark:   watermark,
		Start:       start,
		Lookback:    max(cfg.Lookback, 0),
		Now:         end,
		Available:   av.DataAvailabilityDate,
		MaxInterval: cfg.MaxInterval,
		Align:       align,
	})
	if err != nil {
		return WindowPlan{}, err
	}
	if plan.Through.Before(watermark) {
		// Never move a watermark backwards (a clock or an availability
		// date behind the last run).
		plan.Through = watermark
	}
	return plan, nil
}

// AnalyticsBatch is one results page of one window's job.
type AnalyticsBatch[T any] struct {
	// Window is the index of the window in the plan, Interval the window.
	Window   int
	Interval Interval
	// Items are the page's users (details) or user groups (aggregates).
	Items []T
	// Last marks the window's last page: every page of the window has been
	// delivered once it is received.
	Last bool
}

// DetailsBatch is a page of user details: each user's presence and
// routing-status segments overlapping the window.
type DetailsBatch = AnalyticsBatch[genesys.AnalyticsUserDetail]

// AggregatesBatch is a page of user aggregates: each user's metrics per
// granularity bucket.
type AggregatesBatch = AnalyticsBatch[genesys.UserAggregateDataContainer]

// WindowError says that a window could not be read; the stream fails with
// it and commits nothing.
type WindowError struct {
	Kind     string // "details" or "aggregates"
	Interval Interval
	Err      error
}

func (e *WindowError) Error() string {
	return fmt.Sprintf("analytics %s window %s: %v", e.Kind, e.Interval, e.Err)
}

func (e *WindowError) Unwrap() error { return e.Err }

// UserDetails runs one details job per window of plan and delivers its
// results into out in window order, one batch per results page. It closes
// out when it returns.
//
// Progress: AddTotal and Done count windows (Done after a window's last
// batch was sent). MinCalls counts, per window, the submit, one status poll
// (a job's completion time is unknown, so one poll is all that perfect
// knowledge would need; the polls the backoff adds are the price of not
// knowing) and each results page (their number follows the cursor and is
// only known when read; pages are sized to the window to bound memory, see
// AnalyticsConfig.PageSize, so a long window costs a few more of them).
// Resubmits add nothing to the minimum.
func UserDetails(ctx context.Context, api AnalyticsAPI, cfg AnalyticsConfig, plan WindowPlan, prog Counter, out chan<- DetailsBatch) error {
	defer close(out)
	cfg = cfg.WithDefaults()
	ops := jobOps[genesys.AnalyticsUserDetail]{
		kind: "details",
		submit: func(ctx context.Context, iv Interval) (string, error) {
			return api.SubmitUserDetailsJob(ctx, genesys.AsyncUserDetailsQuery{Interval: iv.String()})
		},
		status: api.UserDetailsJobStatus,
		page: func(ctx context.Context, iv Interval, id, cursor string) ([]genesys.AnalyticsUserDetail, string, error) {
			p, err := api.UserDetailsJobResultsPage(ctx, id, cursor, detailsPageSize(cfg.PageSize, iv))
			if err != nil {
				return nil, "", err
			}
			return p.UserDetails, p.Cursor, nil
		},
		cancel: api.CancelUserDetailsJob,
	}
	return runWindows(ctx, ops, cfg, plan, prog, out)
}

// UserAggregates runs one aggregates job per window of plan (grouped by
// user, at the configured granularity and metrics) and delivers its results
// into out in window order, one batch per results page. Progress is counted
// as by UserDetails. It closes out when it returns.
func UserAggregates(ctx context.Context, api AnalyticsAPI, cfg AnalyticsConfig, plan WindowPlan, prog Counter, out chan<- AggregatesBatch) error {
	defer close(out)
	cfg = cfg.WithDefaults()
	g, err := ParseGranularity(cfg.Granularity)
	if err != nil {
		return fmt.Errorf("user aggregates: %w", err)
	}
	ops := jobOps[genesys.UserAggregateDataContainer]{
		kind: "aggregates",
		submit: func(ctx context.Context, iv Interval) (string, error) {
			return api.SubmitUserAggregatesJob(ctx, genesys.UserAsyncAggregationQuery{
				Interval:    iv.String(),
				Granularity: cfg.Granularity,
				GroupBy:     []string{"userId"},
				Metrics:     cfg.Metrics,
				PageSize:    aggregatesPageSize(cfg.PageSize, iv, g),
			})
		},
		status: api.UserAggregatesJobStatus,
		page: func(ctx context.Context, _ Interval, id, cursor string) ([]genesys.UserAggregateDataContainer, string, error) {
			p, err := api.UserAggregatesJobResultsPage(ctx, id, cursor)
			if err != nil {
				return nil, "", err
			}
			return p.Results, p.Cursor, nil
		},
		cancel: api.CancelUserAggregatesJob,
	}
	return runWindows(ctx, ops, cfg, plan, prog, out)
}

// detailsPageSize is the details page size for window iv: at most max, and
// about detailsUserDaysPerPage user-days.
func detailsPageSize(maxSize int, iv Interval) int {
	days := max(iv.Duration().Hours()/24, 1)
	return min(maxSize, max(1, int(detailsUserDaysPerPage/days)))
}

// aggregatesPageSize is the aggregates page size (users) for window iv at
// granularity g: at most max, and about aggregatesBucketsPerPage buckets.
func aggregatesPageSize(maxSize int, iv Interval, g time.Duration) int {
	buckets := max(int64(1), int64((iv.Duration()+g-1)/g))
	return min(maxSize, max(1, int(aggregatesBucketsPerPage/buckets)))
}

// ParseInterval parses an ISO-8601 interval "start/end" of two times, as
// the analytics API writes them.
func ParseInterval(s string) (Interval, error) {
	a, b, ok := strings.Cut(s, "/")
	if !ok {
		return Interval{}, fmt.Errorf("interval %q is not start/end", s)
	}
	start, err := time.Parse(time.RFC3339Nano, a)
	if err != nil {
		return Interval{}, fmt.Errorf("interval %q: start: %w", s, err)
	}
	end, err := time.Parse(time.RFC3339Nano, b)
	if err != nil {
		return Interval{}, fmt.Errorf("interval %q: end: %w", s, err)
	}
	if end.Before(start) {
		return Interval{}, fmt.Errorf("interval %q ends before it starts", s)
	}
	return Interval{Start: start.UTC(), End: end.UTC()}, nil
}

// jobOps are the calls of one job kind.
type jobOps[T any] struct {
	kind   string
	submit func(ctx context.Context, iv Interval) (string, error)
	status func(ctx context.Context, id string) (genesys.AsyncQueryStatus, error)
	page   func(ctx context.Context, iv Interval, id, cursor string) ([]T, string, error)
	cancel func(ctx context.Context, id string) error
}

// windowRun is one call of runWindows.
type windowRun[T any] struct {
	ops   jobOps[T]
	cfg   AnalyticsConfig
	plan  WindowPlan
	prog  Counter
	out   chan<- AnalyticsBatch[T]
	slots *JobSlots

	mu   sync.Mutex
	live map[string]bool // jobs submitted whose results were not all read
	held int             // slots held
}

// runWindows submits the windows' jobs under the slot cap, waits for each
// (resubmitting failed ones), and reads their results in window order. A
// window holds its slot until its last page was sent. Jobs still live when
// it returns (interrupted or failed run) are cancelled.
func runWindows[T any](ctx context.Context, ops jobOps[T], cfg AnalyticsConfig, plan WindowPlan, prog Counter, out chan<- AnalyticsBatch[T]) (err error) {
	n := len(plan.Windows)
	if n == 0 {
		return nil
	}
	prog.AddTotal(int64(n))
	prog.MinCalls(int64(2 * n))
	x := &windowRun[T]{ops: ops, cfg: cfg, plan: plan, prog: prog, out: out, slots: cfg.Slots, live: map[string]bool{}}
	if x.slots == nil {
		x.slots = NewJobSlots(cfg.MaxConcurrentJobs)
	}
	defer func() {
		x.cancelLive(ctx)
		x.mu.Lock()
		for ; x.held > 0; x.held-- {
			x.slots.release()
		}
		x.mu.Unlock()
	}()

	// ready[i] receives window i's fulfilled job id.
	ready := make([]chan string, n)
	for i := range ready {
		ready[i] = make(chan string, 1)
	}
	resubmits := make([]int, n) // written by window i's waiter, then by the reader
	g, gctx := errgroup.WithContext(ctx)
	g.Go(func() error {
		for i := range plan.Windows {
			if err := x.slots.acquire(gctx); err != nil {
				return err
			}
			x.mu.Lock()
			x.held++
			x.mu.Unlock()
			g.Go(func() error {
				id, err := x.fulfil(gctx, i, &resubmits[i])
				if err != nil {
					return err
				}
				ready[i] <- id
				return nil
			})
		}
		return nil
	})
	g.Go(func() error {
		for i := range plan.Windows {
			var id string
			select {
			case id = <-ready[i]:
			case <-gctx.Done():
				return gctx.Err()
			}
			if err := x.read(gctx, i, id, &resubmits[i]); err != nil {
				return err
			}
			x.prog.Done(1)
			x.mu.Lock()
			x.held--
			x.mu.Unlock()
			x.slots.release()
		}
		return nil
	})
	return g.Wait()
}

func (x *windowRun[T]) windowErr(i int, err error) error {
	return &WindowError{Kind: x.ops.kind, Interval: x.plan.Windows[i], Err: err}
}

// fulfil submits window i's job and waits until it is FULFILLED,
// resubmitting it while it ends FAILED, EXPIRED or CANCELLED and resubmits
// are left.
func (x *windowRun[T]) fulfil(ctx context.Context, i int, resubmits *int) (string, error) {
	iv := x.plan.Windows[i]
	for {
		id, err := x.submit(ctx, i)
		if err != nil {
			return "", err
		}
		st, err := x.wait(ctx, i, id)
		if err == nil {
			return id, nil
		}
		var je *genesys.JobError
		if !errors.As(err, &je) || ctx.Err() != nil {
			return "", err
		}
		if limit := max(x.cfg.MaxResubmits, 0); *resubmits >= limit {
			return "", x.windowErr(i, fmt.Errorf("job ended %s after %d resubmits (max_resubmits %d): %w", st.State, *resubmits, limit, err))
		}
		*resubmits++
		x.cfg.Logger.Warn("analytics job did not complete, resubmitting", "kind", x.ops.kind, "interval", iv.String(),
			"job_id", id, "state", st.State, "error_message", st.ErrorMessage, "resubmit", *resubmits)
	}
}

// submit submits window i's job. The client retries 429s itself (the org's
// concurrent-job cap answers 429 with a Retry-After); when it gives up, the
// submit waits and tries again until the job timeout.
func (x *windowRun[T]) submit(ctx context.Context, i int) (string, error) {
	iv := x.plan.Windows[i]
	deadline := time.Now().Add(x.cfg.JobTimeout)
	for {
		if err := ctx.Err(); err != nil {
			return "", err
		}
		// A submit in flight is finished even when ctx is cancelled: a job
		// whose id was lost could not be cancelled and would hold one of
		// the org's job slots until it completes.
		sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), submitTimeout)
		id, err := x.ops.submit(sctx, iv)
		cancel()
		if err == nil {
			if id == "" {
				return "", x.windowErr(i, errors.New("submit: the answer has no jobId"))
			}
			x.mu.Lock()
			x.live[id] = true
			x.mu.Unlock()
			return id, nil
		}
		if !errors.Is(err, genesys.ErrRateLimited) || ctx.Err() != nil || time.Now().After(deadline) {
			return "", x.windowErr(i, fmt.Errorf("submit job: %w", err))
		}
		wait := defaultSubmitRateLimitedWait
		var ae *genesys.APIError
		if errors.As(err, &ae) && ae.RetryAfter > 0 {
			wait = ae.RetryAfter
		}
		x.cfg.Logger.Warn("analytics job submit rate limited, waiting", "kind", x.ops.kind, "interval", iv.String(), "wait_ms", wait.Milliseconds())
		if err := clock.Sleep(ctx, wait); err != nil {
			return "", err
		}
	}
}

// wait polls job id until it is no longer QUEUED or PENDING: the first poll
// after PollInterval, each later wait half as long again, up to
// MaxPollInterval. It returns a *genesys.JobError unless the job is
// FULFILLED, and cancels the job after JobTimeout.
func (x *windowRun[T]) wait(ctx context.Context, i int, id string) (genesys.AsyncQueryStatus, error) {
	deadline := time.Now().Add(x.cfg.JobTimeout)
	d := x.cfg.PollInterval
	for {
		if err := clock.Sleep(ctx, d); err != nil {
			return genesys.AsyncQueryStatus{}, err
		}
		st, err := x.ops.status(ctx, id)
		if err != nil {
			return st, x.windowErr(i, fmt.Errorf("status of job %s: %w", id, err))
		}
		if st.Done() {
			if st.State == genesys.JobFulfilled {
				return st, nil
			}
			x.forget(id)
			return st, &genesys.JobError{Kind: x.ops.kind, JobID: id, State: st.State, Message: st.ErrorMessage}
		}
		if time.Now().After(deadline) {
			return st, x.windowErr(i, fmt.Errorf("job %s still %s after the job timeout %s; cancelled", id, st.State, x.cfg.JobTimeout))
		}
		d = min(d*3/2, x.cfg.MaxPollInterval)
	}
}

// read follows the cursor of job id's results and sends one batch per
// page. Results that expired before they were all read (404) resubmit the
// window, within the same resubmit budget, and are read again from the
// start: the loader's upserts make the pages sent twice harmless.
func (x *windowRun[T]) read(ctx context.Context, i int, id string, resubmits *int) error {
	iv := x.plan.Windows[i]
	for {
		err := x.readPages(ctx, i, id)
		if err == nil {
			x.forget(id)
			return nil
		}
		if !errors.Is(err, genesys.ErrNotFound) || ctx.Err() != nil {
			return x.windowErr(i, err)
		}
		x.forget(id)
		if limit := max(x.cfg.MaxResubmits, 0); *resubmits >= limit {
			return x.windowErr(i, fmt.Errorf("results expired after %d resubmits (max_resubmits %d): %w", *resubmits, limit, err))
		}
		*resubmits++
		x.cfg.Logger.Warn("analytics job results gone before they were read, resubmitting", "kind", x.ops.kind,
			"interval", iv.String(), "job_id", id, "resubmit", *resubmits)
		if id, err = x.fulfil(ctx, i, resubmits); err != nil {
			return err
		}
	}
}

func (x *windowRun[T]) readPages(ctx context.Context, i int, id string) error {
	seen := map[string]bool{}
	cursor := ""
	for page := 1; ; page++ {
		items, next, err := x.ops.page(ctx, x.plan.Windows[i], id, cursor)
		if err != nil {
			return fmt.Errorf("results of job %s page %d: %w", id, page, err)
		}
		x.prog.MinCalls(1)
		if next != "" && seen[next] {
			return fmt.Errorf("results of job %s page %d: the server repeated cursor %.40q", id, page, next)
		}
		seen[next] = true
		b := AnalyticsBatch[T]{Window: i, Interval: x.plan.Windows[i], Items: items, Last: next == ""}
		if err := send(ctx, x.out, b); err != nil {
			return err
		}
		if next == "" {
			return nil
		}
		cursor = next
	}
}

func (x *windowRun[T]) forget(id string) {
	x.mu.Lock()
	delete(x.live, id)
	x.mu.Unlock()
}

// cancelLive cancels (DELETE) every job whose results were not all read:
// the run was interrupted or failed, and a running job holds one of the
// org's concurrent-job slots. It runs past ctx's cancellation.
func (x *windowRun[T]) cancelLive(ctx context.Context) {
	x.mu.Lock()
	ids := make([]string, 0, len(x.live))
	for id := range x.live {
		ids = append(ids, id)
	}
	x.live = map[string]bool{}
	x.mu.Unlock()
	if len(ids) == 0 {
		return
	}
	slices.Sort(ids)
	cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), defaultJobCancelTimeout)
	defer cancel()
	var wg sync.WaitGroup
	for _, id := range ids {
		wg.Go(func() {
			if err := x.ops.cancel(cctx, id); err != nil && !errors.Is(err, genesys.ErrNotFound) {
				x.cfg.Logger.Warn("cancel analytics job", "kind", x.ops.kind, "job_id", id, "err", err)
				return
			}
			x.cfg.Logger.Info("analytics job cancelled", "kind", x.ops.kind, "job_id", id)
		})
	}
	wg.Wait()
}
