package pipeline_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/usersync/syncer/internal/emulator"
	"github.com/usersync/syncer/internal/emulator/analytics"
	"github.com/usersync/syncer/internal/extract"
	"github.com/usersync/syncer/internal/genesys"
	"github.com/usersync/syncer/internal/pipeline"
)

// clock is a settable test clock.
type clock struct{ ns atomic.Int64 }

func newClock(t time.Time) *clock {
	c := &clock{}
	c.ns.Store(t.UnixNano())
	return c
}

func (c *clock) Now() time.Time          { return time.Unix(0, c.ns.Load()).UTC() }
func (c *clock) Advance(d time.Duration) { c.ns.Add(int64(d)) }

// t0 is a Wednesday mid-morning, when every user with history works.
var t0 = time.Date(2026, 11, 18, 10, 17, 23, 0, time.UTC)

// frozenAnalyticsOrg is an org whose analytics clock moves only when the
// test moves it, with jobs fulfilled at once, so that job results and the
// ground truth see the same data horizon.
func frozenAnalyticsOrg(t *testing.T, users int) (*emulator.Server, *genesys.Client, *clock) {
	t.Helper()
	clk := newClock(t0)
	srv, c := org(t, emulator.Config{Users: users, Seed: 13, Analytics: analytics.Config{Now: clk.Now, JobDelay: -1}})
	return srv, c, clk
}

func analyticsConfig(clk *clock) pipeline.ForwardConfig {
	return pipeline.ForwardConfig{
		Streams: []string{pipeline.StreamUserDetails, pipeline.StreamUserAggregates},
		Analytics: extract.AnalyticsConfig{
			Now:          clk.Now,
			Start:        t0.Add(-30 * time.Hour),
			MaxInterval:  12 * time.Hour,
			Granularity:  "PT1H",
			PollInterval: 5 * time.Millisecond,
			PageSize:     9,
		},
	}
}

func ms(t time.Time) int64 { return t.UnixMilli() }

const (
	presenceQuery = `SELECT user_id, (extract(epoch FROM start_time)*1000)::bigint, coalesce((extract(epoch FROM end_time)*1000)::bigint, -1),
		system_presence, organization_presence_id FROM user_presence_segments`
	routingQuery = `SELECT user_id, (extract(epoch FROM start_time)*1000)::bigint, coalesce((extract(epoch FROM end_time)*1000)::bigint, -1),
		routing_status FROM user_routing_status_segments`
	aggregatesQuery = `SELECT user_id, (extract(epoch FROM interval_start)*1000)::bigint, (extract(epoch FROM interval_end)*1000)::bigint,
		granularity, metric, qualifier, sum, count, min, max FROM user_aggregates`
)

func endMS(t time.Time) int64 {
	if t.IsZero() {
		return -1
	}
	return ms(t)
}

// analyticsTruth renders the emulator's segments overlapping [from, to) and
// its aggregates of [from on the hour, aggTo) at hourly granularity, as the queries
// above render the tables. Adjacent windows read at one horizon give the
// segments of their union, so one range stands for all of a run's windows.
func analyticsTruth(srv *emulator.Server, from, to, aggTo time.Time) (pres, rout, aggs []string) {
	for _, u := range srv.Users() {
		d := srv.Analytics().Detail(u.ID, from, to)
		for _, p := range d.PrimaryPresence {
			pres = append(pres, fmt.Sprintf("%s|%d|%d|%s|%s", u.ID, ms(p.Start), endMS(p.End), p.SystemPresence, p.OrganizationPresenceID))
		}
		for _, r := range d.RoutingStatus {
			rout = append(rout, fmt.Sprintf("%s|%d|%d|%s", u.ID, ms(r.Start), endMS(r.End), r.RoutingStatus))
		}
		for _, b := range srv.Analytics().Aggregate(u.ID, from.Truncate(time.Hour), aggTo, time.Hour, extract.DefaultAnalyticsMetrics) {
			for _, m := range b.Metrics {
				aggs = append(aggs, fmt.Sprintf("%s|%d|%d|PT1H|%s|%s|%v|%v|%v|%v", u.ID, ms(b.Start), ms(b.End), m.Metric, m.Qualifier,
					float64(m.Stats.Sum), m.Stats.Count, float64(m.Stats.Min), float64(m.Stats.Max)))
			}
		}
	}
	slices.Sort(pres)
	slices.Sort(rout)
	slices.Sort(aggs)
	return pres, rout, aggs
}

func (e *env) compareAnalytics(t *testing.T, srv *emulator.Server, from, to, aggTo time.Time) {
	t.Helper()
	pres, rout, aggs := analyticsTruth(srv, from, to, aggTo)
	open := 0
	for _, p := range pres {
		if strings.Contains(p, "|-1|") {
			open++
		}
	}
	if len(pres) == 0 || len(rout) == 0 || len(aggs) == 0 || open == 0 {
		t.Fatalf("the emulator has %d presence (%d open), %d routing segments and %d aggregates: the test proves nothing", len(pres), open, len(rout), len(aggs))
	}
	for name, pair := range map[string][2][]string{
		"presence segments": {pres, e.dbRows(t, presenceQuery)},
		"routing segments":  {rout, e.dbRows(t, routingQuery)},
		"aggregates":        {aggs, e.dbRows(t, aggregatesQuery)},
	} {
		if d := cmp.Diff(pair[0], pair[1]); d != "" {
			t.Errorf("%s in Postgres differ from the emulator (-emulator +db):\n%s", name, firstLines(d, 30))
		}
	}
}

func (e *env) watermark(t *testing.T, stream string) time.Time {
	t.Helper()
	w, err := e.store.Watermark(context.Background(), "nightly", stream)
	if err != nil {
		t.Fatalf("watermark of %s: %v", stream, err)
	}
	return w.Watermark
}

func runForward(e *env, c *genesys.Client, cfg pipeline.ForwardConfig) (pipeline.Summary, error) {
	return runForwardCtx(context.Background(), e, c, cfg)
}

func runForwardCtx(ctx context.Context, e *env, c *genesys.Client, cfg pipeline.ForwardConfig) (pipeline.Summary, error) {
	streams, err := pipeline.ForwardStreams(c, cfg)
	if err != nil {
		return pipeline.Summary{}, err
	}
	return e.runner.Run(ctx, "nightly", streams, nil)
}

func segmentWrites(sum pipeline.Summary) (inserted, updated int64) {
	for _, s := range sum.Streams {
		for _, ts := range s.Stats {
			inserted += ts.Inserted
			updated += ts.Updated
		}
	}
	return inserted, updated
}

func TestAnalyticsLoadTheEmulatorExactlyThenCloseOpenSegments(t *testing.T) {
	t.Parallel()
	srv, c, clk := frozenAnalyticsOrg(t, 40)
	e := newEnv(t)
	cfg := analyticsConfig(clk)
	start := cfg.Analytics.Start

	sum, err := runForward(e, c, cfg)
	if err != nil {
		t.Fatal(err)
	}
	h1 := srv.Analytics().Horizon()
	if h1.Equal(clk.Now()) {
		t.Fatal("the emulator has no data lag: the availability clamp is not exercised")
	}
	e.compareAnalytics(t, srv, start, h1, h1.Truncate(time.Hour))
	// The watermarks stop at the availability date, not at now; the
	// aggregates' at the last whole bucket before it.
	if got := e.watermark(t, pipeline.StreamUserDetails); !got.Equal(h1) {
		t.Errorf("user_details watermark = %s; want the availability date %s", got, h1)
	}
	if got := e.watermark(t, pipeline.StreamUserAggregates); !got.Equal(h1.Truncate(time.Hour)) {
		t.Errorf("user_aggregates watermark = %s; want %s", got, h1.Truncate(time.Hour))
	}
	// Every call was needed: with jobs fulfilled at once, one poll each.
	if sum.MinCalls() == 0 || sum.Calls.Total != sum.MinCalls() {
		t.Errorf("calls = %d (%v), minimum for the data = %d; want equal", sum.Calls.Total, sum.Calls.ByEndpoint, sum.MinCalls())
	}

	// The same run again re-reads the lookback and changes nothing.
	sum, err = runForward(e, c, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if ins, upd := segmentWrites(sum); ins != 0 || upd != 0 || sum.Rows() == 0 {
		t.Errorf("an unchanged window reloaded: %d inserted, %d updated of %d rows; want none written", ins, upd, sum.Rows())
	}
	e.compareAnalytics(t, srv, start, h1, h1.Truncate(time.Hour))

	// Three hours later the segments open at the old horizon are closed,
	// never duplicated, and the new data is added.
	openBefore := e.count(t, "SELECT count(*) FROM user_presence_segments WHERE end_time IS NULL")
	clk.Advance(3 * time.Hour)
	sum, err = runForward(e, c, cfg)
	if err != nil {
		t.Fatal(err)
	}
	h2 := srv.Analytics().Horizon()
	e.compareAnalytics(t, srv, start, h2, h2.Truncate(time.Hour))
	if _, upd := segmentWrites(sum); upd == 0 || openBefore == 0 {
		t.Errorf("%d open segments before, %d rows updated: no open segment was closed", openBefore, upd)
	}
	if got := e.watermark(t, pipeline.StreamUserDetails); !got.Equal(h2) {
		t.Errorf("user_details watermark = %s; want %s", got, h2)
	}
}

func TestAnalyticsFailedJobsAreResubmitted(t *testing.T) {
	t.Parallel()
	srv, c, clk := frozenAnalyticsOrg(t, 25)
	e := newEnv(t)
	cfg := analyticsConfig(clk)
	srv.Analytics().SetFaults(analytics.Faults{FailNext: 4})
	if _, err := runForward(e, c, cfg); err != nil {
		t.Fatal(err)
	}
	h := srv.Analytics().Horizon()
	e.compareAnalytics(t, srv, cfg.Analytics.Start, h, h.Truncate(time.Hour))
	if j := srv.Analytics().Jobs(); j.Failed != 4 {
		t.Errorf("jobs = %+v; want 4 failed and resubmitted", j)
	}
}

func TestAnalyticsTooManyFailuresCommitNothing(t *testing.T) {
	t.Parallel()
	srv, c, clk := frozenAnalyticsOrg(t, 20)
	e := newEnv(t)
	cfg := analyticsConfig(clk)
	cfg.Streams = []string{pipeline.StreamUserDetails}
	cfg.Analytics.MaxResubmits = 1
	if _, err := runForward(e, c, cfg); err != nil {
		t.Fatal(err)
	}
	wm := e.watermark(t, pipeline.StreamUserDetails)
	rows := e.count(t, "SELECT count(*) FROM user_presence_segments")
	closed := e.count(t, "SELECT count(*) FROM user_presence_segments WHERE end_time IS NOT NULL")

	clk.Advance(2 * time.Hour)
	srv.Analytics().SetFaults(analytics.Faults{FailNext: 2})
	cfg.Analytics.MaxConcurrentJobs = 1 // the first window takes both failures
	sum, err := runForward(e, c, cfg)
	var we *extract.WindowError
	if !errors.As(err, &we) || sum.Outcome != pipeline.OutcomeFailed {
		t.Fatalf("run: outcome %q, err %v; want failed with a WindowError", sum.Outcome, err)
	}
	if !strings.Contains(err.Error(), we.Interval.String()) {
		t.Errorf("error %q does not name the window %s", err, we.Interval)
	}
	if got := e.watermark(t, pipeline.StreamUserDetails); !got.Equal(wm) {
		t.Errorf("watermark moved to %s after a failed run; want %s", got, wm)
	}
	if n := e.count(t, "SELECT count(*) FROM user_presence_segments"); n != rows {
		t.Errorf("segments = %d after a failed run; want %d", n, rows)
	}
	if n := e.count(t, "SELECT count(*) FROM user_presence_segments WHERE end_time IS NOT NULL"); n != closed {
		t.Errorf("closed segments = %d after a failed run; want %d", n, closed)
	}
}

// liveAnalyticsOrg is an org whose jobs take delay on the real clock.
func liveAnalyticsOrg(t *testing.T, delay time.Duration, maxJobs int) (*emulator.Server, *genesys.Client) {
	t.Helper()
	return org(t, emulator.Config{Users: 15, Seed: 17, Analytics: analytics.Config{JobDelay: delay, MaxConcurrentJobs: maxJobs}})
}

func liveAnalyticsConfig() pipeline.ForwardConfig {
	return pipeline.ForwardConfig{
		Streams: []string{pipeline.StreamUserDetails, pipeline.StreamUserAggregates},
		Analytics: extract.AnalyticsConfig{
			Start:        time.Now().Add(-6 * time.Hour),
			MaxInterval:  time.Hour,
			Granularity:  "PT30M",
			PollInterval: 10 * time.Millisecond,
		},
	}
}

func TestAnalyticsStreamsShareTheJobCap(t *testing.T) {
	t.Parallel()
	srv, c := liveAnalyticsOrg(t, 250*time.Millisecond, 2)
	e := newEnv(t)
	cfg := liveAnalyticsConfig()
	cfg.Analytics.MaxConcurrentJobs = 2
	var peak atomic.Int64
	stop := make(chan struct{})
	sampled := make(chan struct{})
	go func() {
		defer close(sampled)
		for {
			j := srv.Analytics().Jobs()
			peak.Store(max(peak.Load(), int64(j.Queued+j.Pending)))
			select {
			case <-stop:
				return
			case <-time.After(2 * time.Millisecond):
			}
		}
	}()
	_, err := runForward(e, c, cfg)
	close(stop)
	<-sampled
	if err != nil {
		t.Fatal(err)
	}
	if j := srv.Analytics().Jobs(); j.Rejected != 0 {
		t.Errorf("%d submissions over the org's cap of 2: the two streams did not share their slots", j.Rejected)
	}
	if p := peak.Load(); p != 2 {
		t.Errorf("peak running jobs = %d; want the cap 2, used and never exceeded", p)
	}
	if e.count(t, "SELECT count(*) FROM user_presence_segments") == 0 || e.count(t, "SELECT count(*) FROM user_aggregates") == 0 {
		t.Error("nothing loaded")
	}
}

func TestAnalyticsInterruptedRunCancelsItsJobs(t *testing.T) {
	t.Parallel()
	srv, c := liveAnalyticsOrg(t, time.Minute, 10)
	e := newEnv(t)
	cfg := liveAnalyticsConfig()
	cfg.Analytics.MaxConcurrentJobs = 4
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() {
		for srv.Analytics().Jobs().Submitted < 4 {
			time.Sleep(2 * time.Millisecond)
		}
		cancel()
	}()
	sum, err := runForwardCtx(ctx, e, c, cfg)
	if err == nil || sum.Outcome != pipeline.OutcomeInterrupted {
		t.Fatalf("run: outcome %q, err %v; want interrupted", sum.Outcome, err)
	}
	j := srv.Analytics().Jobs()
	if j.Submitted != 4 || j.Cancelled != 4 || j.Queued+j.Pending != 0 {
		t.Errorf("jobs = %+v; want the 4 submitted jobs cancelled", j)
	}
	if n := e.count(t, "SELECT count(*) FROM sync_watermarks"); n != 0 {
		t.Errorf("%d watermarks committed by an interrupted run", n)
	}
}

func TestAnalyticsBadGranularityIsRefused(t *testing.T) {
	t.Parallel()
	if _, err := pipeline.ForwardStreams(nil, pipeline.ForwardConfig{Streams: []string{pipeline.StreamUserAggregates},
		Analytics: extract.AnalyticsConfig{Granularity: "30m"}}); err == nil {
		t.Error("a bad granularity was accepted")
	}
}
