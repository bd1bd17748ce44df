package extract_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/usersync/syncer/internal/emulator"
	"github.com/usersync/syncer/internal/emulator/analytics"
	"github.com/usersync/syncer/internal/extract"
	"github.com/usersync/syncer/internal/genesys"
)

// t0 is a Wednesday mid-morning, when every user with history works.
var t0 = time.Date(2026, 11, 18, 10, 17, 23, 0, time.UTC)

// frozenOrg is an org whose analytics clock stands still at t0 and whose
// jobs are fulfilled at once: ground truth and job results see the same
// data horizon.
func frozenOrg(t *testing.T, users int) (*emulator.Server, *genesys.Client, func() time.Time) {
	t.Helper()
	now := func() time.Time { return t0 }
	srv, c := newOrg(t, emulator.Config{Users: users, Seed: 7, Analytics: analytics.Config{Now: now, JobDelay: -1}})
	return srv, c, now
}

func fastConfig(now func() time.Time) extract.AnalyticsConfig {
	return extract.AnalyticsConfig{
		Now:          now,
		Start:        now().Add(-50 * time.Hour),
		MaxInterval:  24 * time.Hour,
		PollInterval: 5 * time.Millisecond,
		PageSize:     7, // several pages per window
	}
}

// collect runs f with a channel and gathers every batch.
func collect[T any](t *testing.T, f func(out chan<- extract.AnalyticsBatch[T]) error) ([]extract.AnalyticsBatch[T], error) {
	t.Helper()
	out := make(chan extract.AnalyticsBatch[T], 2)
	var got []extract.AnalyticsBatch[T]
	done := make(chan struct{})
	go func() {
		defer close(done)
		for b := range out {
			got = append(got, b)
		}
	}()
	err := f(out)
	<-done // the producer closed out
	return got, err
}

// checkOrder asserts that batches come in window order, each window ending
// with exactly one Last batch.
func checkOrder[T any](t *testing.T, plan extract.WindowPlan, got []extract.AnalyticsBatch[T]) {
	t.Helper()
	next := 0
	for _, b := range got {
		if b.Window != next {
			t.Fatalf("batch of window %d while window %d was not finished", b.Window, next)
		}
		if b.Interval != plan.Windows[b.Window] {
			t.Fatalf("batch of window %d carries interval %s, want %s", b.Window, b.Interval, plan.Windows[b.Window])
		}
		if b.Last {
			next++
		}
	}
	if next != len(plan.Windows) {
		t.Fatalf("%d of %d windows finished", next, len(plan.Windows))
	}
}

func detailLines(win int, d genesys.AnalyticsUserDetail) []string {
	var out []string
	for _, p := range d.PrimaryPresence {
		out = append(out, fmt.Sprintf("%d|%s|P|%s|%s|%s|%s", win, d.UserID, p.StartTime.UTC().Format(time.RFC3339Nano), endString(p.EndTime), p.SystemPresence, p.OrganizationPresenceID))
	}
	for _, r := range d.RoutingStatus {
		out = append(out, fmt.Sprintf("%d|%s|R|%s|%s|%s", win, d.UserID, r.StartTime.UTC().Format(time.RFC3339Nano), endString(r.EndTime), r.RoutingStatus))
	}
	return out
}

func endString(t time.Time) string {
	if t.IsZero() {
		return "open"
	}
	return t.UTC().Format(time.RFC3339Nano)
}

func truthDetails(srv *emulator.Server, plan extract.WindowPlan) []string {
	var out []string
	for w, iv := range plan.Windows {
		for _, u := range srv.Users() {
			d := srv.Analytics().Detail(u.ID, iv.Start, iv.End)
			g := genesys.AnalyticsUserDetail{UserID: d.UserID}
			for _, p := range d.PrimaryPresence {
				g.PrimaryPresence = append(g.PrimaryPresence, genesys.AnalyticsUserPresenceRecord{StartTime: p.Start, EndTime: p.End, SystemPresence: p.SystemPresence, OrganizationPresenceID: p.OrganizationPresenceID})
			}
			for _, r := range d.RoutingStatus {
				g.RoutingStatus = append(g.RoutingStatus, genesys.AnalyticsRoutingStatusRecord{StartTime: r.Start, EndTime: r.End, RoutingStatus: r.RoutingStatus})
			}
			out = append(out, detailLines(w, g)...)
		}
	}
	slices.Sort(out)
	return out
}

func gotDetails(got []extract.DetailsBatch) []string {
	var out []string
	for _, b := range got {
		for _, d := range b.Items {
			out = append(out, detailLines(b.Window, d)...)
		}
	}
	slices.Sort(out)
	return out
}

func TestUserDetailsMatchTheEmulator(t *testing.T) {
	t.Parallel()
	srv, c, now := frozenOrg(t, 60)
	cfg := fastConfig(now)
	prog := &counter{}
	plan, err := extract.PlanDetails(context.Background(), c, cfg, time.Time{}, prog)
	if err != nil {
		t.Fatal(err)
	}
	horizon := srv.Analytics().Horizon()
	if len(plan.Windows) != 3 || !plan.Through.Equal(horizon) || !plan.Windows[0].Start.Equal(cfg.Start) {
		t.Fatalf("plan = %+v; want 3 windows from %s through the availability date %s", plan, cfg.Start, horizon)
	}
	got, err := collect(t, func(out chan<- extract.DetailsBatch) error {
		return extract.UserDetails(context.Background(), c, cfg, plan, prog, out)
	})
	if err != nil {
		t.Fatal(err)
	}
	checkOrder(t, plan, got)
	want := truthDetails(srv, plan)
	open := 0
	for _, l := range want {
		if strings.Contains(l, "|open|") {
			open++
		}
	}
	if len(want) == 0 || open == 0 {
		t.Fatalf("the org has %d segments, %d open: the test proves nothing", len(want), open)
	}
	if d := cmp.Diff(want, gotDetails(got)); d != "" {
		t.Errorf("details differ from the emulator (-emulator +got):\n%s", d)
	}
	// Minimum calls: availability, then per window a submit and a poll,
	// then one per page; with jobs fulfilled at once nothing else is needed.
	wantMin := int64(1 + 2*len(plan.Windows) + len(got))
	if prog.minCalls.Load() != wantMin || prog.total.Load() != 3 || prog.done.Load() != 3 {
		t.Errorf("progress: min calls %d (want %d), windows %d/%d (want 3/3)", prog.minCalls.Load(), wantMin, prog.done.Load(), prog.total.Load())
	}
	if len(got) <= 2*len(plan.Windows) {
		t.Errorf("only %d pages for %d windows: paging by cursor not exercised", len(got), len(plan.Windows))
	}
}

func aggLines(win int, c genesys.UserAggregateDataContainer) []string {
	var out []string
	for _, d := range c.Data {
		for _, m := range d.Metrics {
			out = append(out, fmt.Sprintf("%d|%s|%s|%s|%s|%v|%v|%v|%v", win, c.Group["userId"], d.Interval, m.Metric, m.Qualifier,
				deref(m.Stats.Sum), deref(m.Stats.Count), deref(m.Stats.Min), deref(m.Stats.Max)))
		}
	}
	return out
}

func deref[T any](p *T) any {
	if p == nil {
		return nil
	}
	return *p
}

func TestUserAggregatesMatchTheEmulator(t *testing.T) {
	t.Parallel()
	srv, c, now := frozenOrg(t, 40)
	cfg := fastConfig(now)
	cfg.Granularity = "PT1H"
	cfg.Metrics = extract.DefaultAnalyticsMetrics
	cfg.MaxInterval = 20 * time.Hour
	prog := &counter{}
	plan, err := extract.PlanAggregates(context.Background(), c, cfg, time.Time{}, prog)
	if err != nil {
		t.Fatal(err)
	}
	horizon := srv.Analytics().Horizon()
	if !plan.Through.Equal(horizon.Truncate(time.Hour)) || plan.Windows[0].Start.Minute() != 0 {
		t.Fatalf("plan = %+v: both ends must be on the hour, the end at the last one before %s", plan, horizon)
	}
	got, err := collect(t, func(out chan<- extract.AggregatesBatch) error {
		return extract.UserAggregates(context.Background(), c, cfg, plan, prog, out)
	})
	if err != nil {
		t.Fatal(err)
	}
	checkOrder(t, plan, got)
	var want []string
	for w, iv := range plan.Windows {
		for _, u := range srv.Users() {
			for _, d := range srv.Analytics().Aggregate(u.ID, iv.Start, iv.End, time.Hour, cfg.Metrics) {
				c := genesys.UserAggregateDataContainer{Group: map[string]string{"userId": u.ID}}
				sr := genesys.StatisticalResponse{Interval: extract.Interval{Start: d.Start, End: d.End}.String()}
				for _, m := range d.Metrics {
					sum, mn, mx, cnt := float64(m.Stats.Sum), float64(m.Stats.Min), float64(m.Stats.Max), m.Stats.Count
					sr.Metrics = append(sr.Metrics, genesys.AggregateMetricData{Metric: m.Metric, Qualifier: m.Qualifier,
						Stats: genesys.StatisticalSummary{Sum: &sum, Min: &mn, Max: &mx, Count: &cnt}})
				}
				c.Data = append(c.Data, sr)
				want = append(want, aggLines(w, c)...)
			}
		}
	}
	var have []string
	for _, b := range got {
		for _, c := range b.Items {
			for _, d := range c.Data {
				// The API's interval text may differ in precision: compare parsed.
				iv, err := extract.ParseInterval(d.Interval)
				if err != nil {
					t.Fatal(err)
				}
				d.Interval = iv.String()
				have = append(have, aggLines(b.Window, genesys.UserAggregateDataContainer{Group: c.Group, Data: []genesys.StatisticalResponse{d}})...)
			}
		}
	}
	slices.Sort(want)
	slices.Sort(have)
	if len(want) == 0 {
		t.Fatal("the emulator has no aggregates: the test proves nothing")
	}
	if d := cmp.Diff(want, have); d != "" {
		t.Errorf("aggregates differ from the emulator (-emulator +got):\n%s", d)
	}
}

func TestFailedJobsAreResubmitted(t *testing.T) {
	t.Parallel()
	srv, c, now := frozenOrg(t, 30)
	cfg := fastConfig(now)
	plan, err := extract.PlanDetails(context.Background(), c, cfg, time.Time{}, &counter{})
	if err != nil {
		t.Fatal(err)
	}
	// The first window fails three times: the most it may.
	srv.Analytics().SetFaults(analytics.Faults{FailNext: 3})
	cfg.MaxConcurrentJobs = 1
	got, err := collect(t, func(out chan<- extract.DetailsBatch) error {
		return extract.UserDetails(context.Background(), c, cfg, plan, &counter{}, out)
	})
	if err != nil {
		t.Fatal(err)
	}
	checkOrder(t, plan, got)
	if d := cmp.Diff(truthDetails(srv, plan), gotDetails(got)); d != "" {
		t.Errorf("details after resubmits differ (-emulator +got):\n%s", d)
	}
	jobs := srv.Analytics().Jobs()
	if jobs.Failed != 3 || jobs.Submitted != int64(len(plan.Windows)+3) {
		t.Errorf("jobs = %+v; want 3 failed and %d submitted", jobs, len(plan.Windows)+3)
	}
}

func TestTooManyFailuresFailNamingTheWindow(t *testing.T) {
	t.Parallel()
	srv, c, now := frozenOrg(t, 30)
	cfg := fastConfig(now)
	cfg.MaxResubmits = 2
	plan, err := extract.PlanDetails(context.Background(), c, cfg, time.Time{}, &counter{})
	if err != nil {
		t.Fatal(err)
	}
	srv.Analytics().SetFaults(analytics.Faults{FailNext: 3})
	cfg.MaxConcurrentJobs = 1
	got, err := collect(t, func(out chan<- extract.DetailsBatch) error {
		return extract.UserDetails(context.Background(), c, cfg, plan, &counter{}, out)
	})
	var we *extract.WindowError
	if !errors.As(err, &we) || we.Interval != plan.Windows[0] {
		t.Fatalf("err = %v; want a WindowError naming %s", err, plan.Windows[0])
	}
	var je *genesys.JobError
	if !errors.As(err, &je) || je.State != genesys.JobFailed {
		t.Errorf("err = %v; want it to wrap the FAILED job", err)
	}
	if len(got) != 0 {
		t.Errorf("%d batches delivered from a window that never loaded", len(got))
	}
	if n := srv.Analytics().Jobs().Submitted; n != 3 {
		t.Errorf("%d jobs submitted; want 1 + 2 resubmits", n)
	}
}

// liveOrg is an org whose jobs take delay on the real clock.
func liveOrg(t *testing.T, delay time.Duration, maxJobs int) (*emulator.Server, *genesys.Client) {
	t.Helper()
	return newOrg(t, emulator.Config{Users: 20, Seed: 9, Analytics: analytics.Config{JobDelay: delay, MaxConcurrentJobs: maxJobs}})
}

func liveConfig() extract.AnalyticsConfig {
	return extract.AnalyticsConfig{
		Start:        time.Now().Add(-7 * time.Hour),
		MaxInterval:  time.Hour,
		PollInterval: 10 * time.Millisecond,
	}
}

// peakRunning samples the emulator's QUEUED and PENDING jobs until stop.
func peakRunning(srv *emulator.Server) (stop func() int) {
	var peak atomic.Int64
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		for {
			j := srv.Analytics().Jobs()
			if n := int64(j.Queued + j.Pending); n > peak.Load() {
				peak.Store(n)
			}
			select {
			case <-done:
				return
			case <-time.After(2 * time.Millisecond):
			}
		}
	})
	return func() int {
		close(done)
		wg.Wait()
		return int(peak.Load())
	}
}

func TestConcurrentJobCapIsRespected(t *testing.T) {
	t.Parallel()
	srv, c := liveOrg(t, 250*time.Millisecond, 2)
	cfg := liveConfig()
	cfg.MaxConcurrentJobs = 2
	plan, err := extract.PlanDetails(context.Background(), c, cfg, time.Time{}, &counter{})
	if err != nil {
		t.Fatal(err)
	}
	if len(plan.Windows) < 5 {
		t.Fatalf("%d windows: too few to load the cap", len(plan.Windows))
	}
	stop := peakRunning(srv)
	got, err := collect(t, func(out chan<- extract.DetailsBatch) error {
		return extract.UserDetails(context.Background(), c, cfg, plan, &counter{}, out)
	})
	peak := stop()
	if err != nil {
		t.Fatal(err)
	}
	checkOrder(t, plan, got)
	jobs := srv.Analytics().Jobs()
	if jobs.Rejected != 0 {
		t.Errorf("%d submissions over the org's cap of 2", jobs.Rejected)
	}
	if peak > 2 || peak < 2 {
		t.Errorf("peak running jobs = %d; want exactly the cap 2 (used, never exceeded)", peak)
	}
}

func TestSubmitOverTheOrgCapWaitsAndRetries(t *testing.T) {
	t.Parallel()
	// The org allows one running job; the stream thinks it may run two:
	// the second submit is answered 429 until the first job completes.
	srv, c := liveOrg(t, 400*time.Millisecond, 1)
	cfg := liveConfig()
	cfg.Start = time.Now().Add(-3 * time.Hour)
	cfg.MaxConcurrentJobs = 2
	plan, err := extract.PlanDetails(context.Background(), c, cfg, time.Time{}, &counter{})
	if err != nil {
		t.Fatal(err)
	}
	got, err := collect(t, func(out chan<- extract.DetailsBatch) error {
		return extract.UserDetails(context.Background(), c, cfg, plan, &counter{}, out)
	})
	if err != nil {
		t.Fatal(err)
	}
	checkOrder(t, plan, got)
	if j := srv.Analytics().Jobs(); j.Rejected == 0 || j.Submitted != int64(len(plan.Windows)) {
		t.Errorf("jobs = %+v; want 429s on submit and exactly one accepted job per window", j)
	}
}

func TestInterruptedRunCancelsItsJobs(t *testing.T) {
	t.Parallel()
	srv, c := liveOrg(t, time.Minute, 10)
	cfg := liveConfig()
	cfg.MaxConcurrentJobs = 3
	plan, err := extract.PlanDetails(context.Background(), c, cfg, time.Time{}, &counter{})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() {
		for srv.Analytics().Jobs().Submitted < 3 {
			time.Sleep(2 * time.Millisecond)
		}
		cancel()
	}()
	got, err := collect(t, func(out chan<- extract.DetailsBatch) error {
		return extract.UserDetails(ctx, c, cfg, plan, &counter{}, out)
	})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v; want context.Canceled", err)
	}
	if len(got) != 0 {
		t.Errorf("%d batches from jobs that never completed", len(got))
	}
	j := srv.Analytics().Jobs()
	if j.Submitted != 3 || j.Cancelled != 3 || j.Queued+j.Pending != 0 {
		t.Errorf("jobs = %+v; want the 3 submitted jobs cancelled and none left running", j)
	}
}

func TestPlanClampsToTheAvailabilityDate(t *testing.T) {
	t.Parallel()
	srv, c, now := frozenOrg(t, 5)
	cfg := fastConfig(now)
	cfg.Start = now().AddDate(0, -1, 0)
	wm := now().Add(-5 * time.Hour)
	plan, err := extract.PlanDetails(context.Background(), c, cfg, wm, &counter{})
	if err != nil {
		t.Fatal(err)
	}
	h := srv.Analytics().Horizon()
	if h.Equal(now()) {
		t.Fatal("the emulator has no data lag: the clamp is not exercised")
	}
	want := []extract.Interval{{Start: wm.Add(-48 * time.Hour), End: wm.Add(-24 * time.Hour)}, {Start: wm.Add(-24 * time.Hour), End: wm}, {Start: wm, End: h}}
	if d := cmp.Diff(want, plan.Windows); d != "" || !plan.Through.Equal(h) {
		t.Errorf("plan through %s (want the availability date %s), windows (-want +got):\n%s", plan.Through, h, d)
	}
	// A watermark past the availability date never moves back.
	late := h.Add(time.Minute)
	plan, err = extract.PlanDetails(context.Background(), c, extract.AnalyticsConfig{Now: now, Lookback: -1}, late, &counter{})
	if err != nil {
		t.Fatal(err)
	}
	if len(plan.Windows) != 0 || !plan.Through.Equal(late) {
		t.Errorf("plan = %+v; want nothing to read and the watermark kept at %s", plan, late)
	}
}

func TestParseInterval(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		in   string
		want extract.Interval
		ok   bool
	}{
		{"2026-11-01T00:00:00.000Z/2026-11-01T00:30:00.000Z", extract.Interval{Start: time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC), End: time.Date(2026, 11, 1, 0, 30, 0, 0, time.UTC)}, true},
		{"2026-11-01T01:00:00+01:00/2026-11-01T01:30:00Z", extract.Interval{Start: time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC), End: time.Date(2026, 11, 1, 1, 30, 0, 0, time.UTC)}, true},
		{"2026-11-01T00:00:00Z", extract.Interval{}, false},
		{"2026-11-01T01:00:00Z/2026-11-01T00:00:00Z", extract.Interval{}, false},
		{"yesterday/today", extract.Interval{}, false},
	} {
		got, err := extract.ParseInterval(tc.in)
		if (err == nil) != tc.ok || got != tc.want {
			t.Errorf("ParseInterval(%q) = %v, %v; want %v, ok=%t", tc.in, got, err, tc.want, tc.ok)
		}
	}
}

// expiringAPI is the real client whose org clock jumps past the results'
// expiry right after the first results page of the first job was read, as
// if the reader had been slow.
type expiringAPI struct {
	*genesys.Client
	clk   *testClock
	jump  time.Duration
	first sync.Once
}

func (a *expiringAPI) UserDetailsJobResultsPage(ctx context.Context, jobID, cursor string, pageSize int) (*genesys.UserDetailsJobResults, error) {
	p, err := a.Client.UserDetailsJobResultsPage(ctx, jobID, cursor, pageSize)
	if err == nil {
		a.first.Do(func() { a.clk.advance(a.jump) })
	}
	return p, err
}

type testClock struct{ ns atomic.Int64 }

func (c *testClock) now() time.Time          { return time.Unix(0, c.ns.Load()).UTC() }
func (c *testClock) advance(d time.Duration) { c.ns.Add(int64(d)) }

func TestResultsExpiredMidReadAreReadAgain(t *testing.T) {
	t.Parallel()
	clk := &testClock{}
	clk.ns.Store(t0.UnixNano())
	srv, c := newOrg(t, emulator.Config{Users: 30, Seed: 7, Analytics: analytics.Config{Now: clk.now, JobDelay: -1, Expiry: time.Minute}})
	api := &expiringAPI{Client: c, clk: clk, jump: 2 * time.Minute}
	cfg := fastConfig(clk.now)
	cfg.MaxConcurrentJobs = 1 // only the first window's job is live at the jump
	plan, err := extract.PlanDetails(context.Background(), api, cfg, time.Time{}, &counter{})
	if err != nil {
		t.Fatal(err)
	}
	got, err := collect(t, func(out chan<- extract.DetailsBatch) error {
		return extract.UserDetails(context.Background(), api, cfg, plan, &counter{}, out)
	})
	if err != nil {
		t.Fatal(err)
	}
	checkOrder(t, plan, got)
	if j := srv.Analytics().Jobs(); j.Submitted != int64(len(plan.Windows)+1) {
		t.Errorf("jobs = %+v; want one resubmit for the expired results", j)
	}
	// The first window was read again from its first page.
	if len(got) < 2 || got[0].Window != 0 || got[1].Window != 0 || got[0].Last ||
		len(got[0].Items) == 0 || len(got[1].Items) == 0 || got[1].Items[0].UserID != got[0].Items[0].UserID {
		t.Errorf("the first window was not read again from its start after its results expired")
	}
}

func TestJobTimeoutFailsAndCancels(t *testing.T) {
	t.Parallel()
	srv, c := liveOrg(t, time.Minute, 10)
	cfg := liveConfig()
	cfg.Start = time.Now().Add(-2 * time.Hour)
	cfg.JobTimeout = 60 * time.Millisecond
	plan, err := extract.PlanDetails(context.Background(), c, cfg, time.Time{}, &counter{})
	if err != nil {
		t.Fatal(err)
	}
	_, err = collect(t, func(out chan<- extract.DetailsBatch) error {
		return extract.UserDetails(context.Background(), c, cfg, plan, &counter{}, out)
	})
	var we *extract.WindowError
	if !errors.As(err, &we) || !strings.Contains(err.Error(), "job timeout") {
		t.Fatalf("err = %v; want a WindowError for the job timeout", err)
	}
	if j := srv.Analytics().Jobs(); j.Queued+j.Pending != 0 || j.Cancelled != int(j.Submitted) {
		t.Errorf("jobs = %+v; want every job cancelled, none left running", j)
	}
}
