package schedule

import (
	"net/http"
	"regexp"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/usersync/syncer/internal/ratelimit"
	"github.com/usersync/syncer/internal/store"
)

// BudgetStats is the part of a rate budget the metrics read at each scrape
// (*ratelimit.Budget implements it).
type BudgetStats interface {
	Stats() ratelimit.Stats
}

// Tick results counted by syncer_schedule_ticks_total.
const (
	TickStarted       = "started"        // this replica ran it
	TickSkipped       = "skipped"        // still running here: tick skipped
	TickBackoff       = "backoff"        // failing: tick skipped to back off
	TickHeldElsewhere = "held_elsewhere" // another replica holds the lock
	TickAlreadyRan    = "already_ran"    // another replica ran it for this tick
	TickLockError     = "lock_error"     // the lock could not be asked for
)

// Metrics is syncer's Prometheus registry: its own, not the global one, so
// tests and embedders get exactly these series.
type Metrics struct {
	reg *prometheus.Registry

	runs                *prometheus.CounterVec
	duration            *prometheus.HistogramVec
	rows                *prometheus.CounterVec
	calls               *prometheus.CounterVec
	rateLimited         *prometheus.CounterVec
	retries             *prometheus.CounterVec
	waited              *prometheus.CounterVec
	lastSuccess         *prometheus.GaugeVec
	consecutiveFailures *prometheus.GaugeVec
	skipped             *prometheus.CounterVec
	ticks               *prometheus.CounterVec
	running             *prometheus.GaugeVec
	nextRun             *prometheus.GaugeVec
	lockLost            *prometheus.CounterVec
	awaiting            *prometheus.GaugeVec
}

// NewMetrics returns a registry with the scheduler's series, Go and process
// metrics, and, when budget is not nil, the rate budget's live state.
//
// The Go and process metrics are what a leak shows in: go_goroutines,
// go_memstats_heap_inuse_bytes, go_gc_heap_live_bytes (the heap the last
// GC found reachable: unlike heap in use it holds no garbage, so it is the
// one to compare over time) and process_resident_memory_bytes.
func NewMetrics(budget BudgetStats) *Metrics {
	m := &Metrics{
		reg: prometheus.NewRegistry(),
		runs: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "syncer_runs_total", Help: "Pipeline runs finished by this replica, by outcome (succeeded, failed, interrupted; a feed also awaiting_approval).",
		}, []string{"pipeline", "outcome"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "syncer_run_duration_seconds", Help: "Duration of pipeline runs, by outcome.",
			Buckets: []float64{1, 5, 15, 30, 60, 120, 300, 600, 1200, 1800, 3600, 7200, 14400},
		}, []string{"pipeline", "outcome"}),
		rows: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "syncer_rows_loaded_total", Help: "Rows committed by finished runs' streams, by table and change (inserted, updated, unchanged, deleted).",
		}, []string{"pipeline", "table", "change"}),
		calls: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "syncer_api_calls_total", Help: "Genesys Cloud API calls made by finished runs, by endpoint and HTTP status (0: no answer).",
		}, []string{"pipeline", "endpoint", "status"}),
		rateLimited: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "syncer_api_rate_limited_total", Help: "429 answers received by finished runs.",
		}, []string{"pipeline"}),
		retries: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "syncer_api_retries_total", Help: "API call retries made by finished runs.",
		}, []string{"pipeline"}),
		waited: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "syncer_api_wait_seconds_total", Help: "Time finished runs' calls spent waiting for the rate limiter, Retry-After and backoff.",
		}, []string{"pipeline"}),
		lastSuccess: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "syncer_last_success_timestamp_seconds", Help: "End of the pipeline's last successful run (any replica, from sync_runs); 0 if none.",
		}, []string{"pipeline"}),
		consecutiveFailures: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "syncer_consecutive_failures", Help: "Failed runs since the pipeline's last success (any replica, from sync_runs); alert on it.",
		}, []string{"pipeline"}),
		skipped: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "syncer_skipped_runs_total", Help: "Scheduled ticks this replica skipped: reason running (the previous run had not finished) or backoff (failing pipeline).",
		}, []string{"pipeline", "reason"}),
		ticks: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "syncer_schedule_ticks_total", Help: "Scheduled ticks by result: started, skipped, backoff, held_elsewhere, already_ran, lock_error.",
		}, []string{"pipeline", "result"}),
		running: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "syncer_pipeline_running", Help: "1 while this replica runs the pipeline.",
		}, []string{"pipeline"}),
		nextRun: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "syncer_next_run_timestamp_seconds", Help: "Next scheduled tick of the pipeline.",
		}, []string{"pipeline"}),
		lockLost: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "syncer_lock_lost_total", Help: "Runs interrupted because their pipeline lock's session was lost.",
		}, []string{"pipeline"}),
		awaiting: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "syncer_plans_awaiting_approval", Help: "Plans of the scheduled feed parked because a guard tripped, awaiting a person's approval (any replica, from plan_approvals; expired ones not counted).",
		}, []string{"pipeline"}),
	}
	m.reg.MustRegister(m.runs, m.duration, m.rows, m.calls, m.rateLimited, m.retries, m.waited,
		m.lastSuccess, m.consecutiveFailures, m.skipped, m.ticks, m.running, m.nextRun, m.lockLost, m.awaiting,
		collectors.NewGoCollector(collectors.WithGoCollectorRuntimeMetrics(heapLive)),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	if budget != nil {
		m.reg.MustRegister(budgetCollector{budget})
	}
	return m
}

// heapLive adds go_gc_heap_live_bytes to the Go collector's default set.
var heapLive = collectors.GoRuntimeMetricsRule{Matcher: regexp.MustCompile(`^/gc/heap/live:bytes$`)}

// Registry returns the registry, to add collectors or gather in tests.
func (m *Metrics) Registry() *prometheus.Registry { return m.reg }

// Handler serves the registry in the Prometheus text format.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{Registry: m.reg})
}

// declare creates a job's series at zero, so they exist before the first
// run and alerts can tell "no failures" from "no data".
func (m *Metrics) declare(name string, feed bool) {
	for _, o := range []string{store.StatusSucceeded, store.StatusFailed, store.StatusInterrupted} {
		m.runs.WithLabelValues(name, o)
	}
	if feed {
		m.runs.WithLabelValues(name, store.StatusAwaitingApproval)
		m.awaiting.WithLabelValues(name)
	}
	for _, r := range []string{"running", "backoff"} {
		m.skipped.WithLabelValues(name, r)
	}
	m.consecutiveFailures.WithLabelValues(name)
	m.lastSuccess.WithLabelValues(name)
	m.running.WithLabelValues(name)
	m.rateLimited.WithLabelValues(name)
	m.retries.WithLabelValues(name)
	m.waited.WithLabelValues(name)
	m.lockLost.WithLabelValues(name)
}

// observeRun records a finished run.
func (m *Metrics) observeRun(name, outcome string, res Result, took time.Duration) {
	m.runs.WithLabelValues(name, outcome).Inc()
	m.duration.WithLabelValues(name, outcome).Observe(took.Seconds())
	for table, ts := range res.Rows {
		for change, n := range map[string]int64{"inserted": ts.Inserted, "updated": ts.Updated, "unchanged": ts.Unchanged, "deleted": ts.Deleted} {
			if n > 0 {
				m.rows.WithLabelValues(name, table, change).Add(float64(n))
			}
		}
	}
	c := res.Calls
	for ep, byStatus := range c.ByEndpoint {
		for status, n := range byStatus {
			if n > 0 {
				m.calls.WithLabelValues(name, ep, strconv.Itoa(status)).Add(float64(n))
			}
		}
	}
	m.rateLimited.WithLabelValues(name).Add(float64(max(c.RateLimited, 0)))
	m.retries.WithLabelValues(name).Add(float64(max(c.Retries, 0)))
	m.waited.WithLabelValues(name).Add(max(c.Waited, 0).Seconds())
}

func (m *Metrics) tick(name, result string) {
	m.ticks.WithLabelValues(name, result).Inc()
	switch result {
	case TickSkipped:
		m.skipped.WithLabelValues(name, "running").Inc()
	case TickBackoff:
		m.skipped.WithLabelValues(name, "backoff").Inc()
	}
}

// budgetCollector reads the rate budget once per scrape.
type budgetCollector struct{ b BudgetStats }

var (
	budgetRate       = prometheus.NewDesc("syncer_rate_limit_requests_per_minute", "Rate the shared request budget runs at now (AIMD and header pacing applied).", nil, nil)
	budgetConfigured = prometheus.NewDesc("syncer_rate_limit_configured_requests_per_minute", "Configured rate of the shared request budget.", nil, nil)
	budgetWait       = prometheus.NewDesc("syncer_rate_limit_wait_seconds_total", "Time callers waited for the rate limiter (concurrent waits add up).", nil, nil)
	budget429        = prometheus.NewDesc("syncer_rate_limit_429_total", "429 answers reported to the budget.", nil, nil)
	budgetInFlight   = prometheus.NewDesc("syncer_rate_limit_in_flight", "Requests in flight.", nil, nil)
	budgetPaused     = prometheus.NewDesc("syncer_rate_limit_paused_seconds", "Time left in the shared Retry-After pause.", nil, nil)
	budgetAcquired   = prometheus.NewDesc("syncer_rate_limit_requests_total", "Requests admitted by the budget.", nil, nil)
)

func (c budgetCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{budgetRate, budgetConfigured, budgetWait, budget429, budgetInFlight, budgetPaused, budgetAcquired} {
		ch <- d
	}
}

func (c budgetCollector) Collect(ch chan<- prometheus.Metric) {
	s := c.b.Stats()
	ch <- prometheus.MustNewConstMetric(budgetRate, prometheus.GaugeValue, s.PerMinute)
	ch <- prometheus.MustNewConstMetric(budgetConfigured, prometheus.GaugeValue, s.ConfiguredPerMinute)
	ch <- prometheus.MustNewConstMetric(budgetWait, prometheus.CounterValue, s.Waited.Seconds())
	ch <- prometheus.MustNewConstMetric(budget429, prometheus.CounterValue, float64(s.RateLimited))
	ch <- prometheus.MustNewConstMetric(budgetInFlight, prometheus.GaugeValue, float64(s.InFlight))
	ch <- prometheus.MustNewConstMetric(budgetPaused, prometheus.GaugeValue, s.PausedFor.Seconds())
	ch <- prometheus.MustNewConstMetric(budgetAcquired, prometheus.CounterValue, float64(s.Acquired))
}
