package pipeline

import (
	"context"
	"fmt"
	"time"

	"github.com/usersync/syncer/internal/extract"
	"github.com/usersync/syncer/internal/genesys"
	"github.com/usersync/syncer/internal/load"
)

// The analytics job streams: incremental, each from its watermark.
const (
	// StreamUserDetails loads presence and routing-status segments.
	StreamUserDetails = "user_details"
	// StreamUserAggregates loads presence and routing-status times per
	// user and bucket.
	StreamUserAggregates = "user_aggregates"
)

func init() {
	Register(Spec{
		Name:     StreamUserDetails,
		Order:    50,
		Reads:    "presence and routing-status segments through async jobs",
		Cost:     "per window: submit, polls, result pages",
		Tables:   []string{"user_presence_segments", "user_routing_status_segments"},
		Estimate: estimateWindows(false),
		New: func(api ForwardAPI, cfg ForwardConfig) (Stream, error) {
			return Stream{Run: windowed("details", cfg.Analytics, extract.PlanDetails, extract.UserDetails, api, loadDetails)}, nil
		},
	})
	Register(Spec{
		Name:     StreamUserAggregates,
		Order:    60,
		Reads:    "`tSystemPresence`, `tOrganizationPresence`, `tAgentRoutingStatus` per user and bucket",
		Cost:     "same",
		Tables:   []string{"user_aggregates"},
		Estimate: estimateWindows(true),
		New: func(api ForwardAPI, cfg ForwardConfig) (Stream, error) {
			granularity := cfg.Analytics.Granularity
			if _, err := extract.ParseGranularity(granularity); err != nil {
				return Stream{}, err
			}
			return Stream{Run: windowed("aggregates", cfg.Analytics, extract.PlanAggregates, extract.UserAggregates, api,
				func(ctx context.Context, tx *load.Tx, b extract.AggregatesBatch) (int64, error) {
					return loadAggregates(ctx, tx, b, granularity)
				})}, nil
		},
	})
}

// windowed is the Run of an analytics stream: it plans the windows from
// the previous watermark minus the lookback to the data availability date,
// reads every window's job results and loads them, and returns the end of
// the last window as the watermark, which commits with the rows: a failed
// or interrupted run keeps the old one, and the next run reads the same
// windows again.
func windowed[T any](what string, cfg extract.AnalyticsConfig,
	plan func(context.Context, extract.AnalyticsAPI, extract.AnalyticsConfig, time.Time, extract.Counter) (extract.WindowPlan, error),
	read func(context.Context, extract.AnalyticsAPI, extract.AnalyticsConfig, extract.WindowPlan, extract.Counter, chan<- extract.AnalyticsBatch[T]) error,
	api extract.AnalyticsAPI, loadBatch func(context.Context, *load.Tx, extract.AnalyticsBatch[T]) (int64, error),
) func(context.Context, load.Watermark, *Out) (*load.Watermark, error) {
	return func(ctx context.Context, prev load.Watermark, out *Out) (*load.Watermark, error) {
		p, err := plan(ctx, api, cfg, prev.Time, out.Progress())
		if err != nil {
			return nil, err
		}
		// Unbuffered: a results page is either being read or being loaded.
		err = Relay(ctx, out, 0, func(ctx context.Context, batches chan<- extract.AnalyticsBatch[T]) error {
			return read(ctx, api, cfg, p, out.Progress(), batches)
		}, func(b extract.AnalyticsBatch[T]) Batch {
			return func(ctx context.Context, tx *load.Tx) (int64, error) {
				n, err := loadBatch(ctx, tx, b)
				if err != nil {
					return n, fmt.Errorf("load user %s of window %s: %w", what, b.Interval, err)
				}
				return n, nil
			}
		})
		if err != nil || p.Through.IsZero() {
			return nil, err
		}
		return &load.Watermark{Time: p.Through}, nil
	}
}

// estimateWindows estimates a first run's calls (no watermark yet): the
// availability date, then per window a submit, a poll and a results page.
func estimateWindows(aligned bool) func(Sizes, ForwardConfig) (int64, bool) {
	return func(_ Sizes, cfg ForwardConfig) (int64, bool) {
		a := cfg.Analytics.WithDefaults()
		now := a.Now().UTC()
		start := a.Start
		if start.IsZero() {
			start = now.Add(-extract.DefaultAnalyticsFirstRun)
		}
		wc := extract.WindowConfig{Start: start, Now: now, MaxInterval: a.MaxInterval}
		if aligned {
			g, err := extract.ParseGranularity(a.Granularity)
			if err != nil {
				return 0, false
			}
			wc.Align, wc.Now = g, now.Truncate(g)
		}
		plan, err := extract.PlanWindows(wc)
		if err != nil {
			return 0, false
		}
		return 1 + 3*int64(len(plan.Windows)), true
	}
}

// analyticsLoadChunk caps the rows handed to the loader at once, so that a
// results page of many users over a long window is merged in parts.
const analyticsLoadChunk = 20_000

func loadDetails(ctx context.Context, tx *load.Tx, b extract.DetailsBatch) (int64, error) {
	var pres []load.PresenceSegmentRow
	var rout []load.RoutingStatusSegmentRow
	var n int64
	flush := func() error {
		if len(pres) > 0 {
			if err := tx.PresenceSegments(ctx, pres); err != nil {
				return err
			}
		}
		if len(rout) > 0 {
			if err := tx.RoutingStatusSegments(ctx, rout); err != nil {
				return err
			}
		}
		n += int64(len(pres) + len(rout))
		pres, rout = pres[:0], rout[:0]
		return nil
	}
	for _, u := range b.Items {
		if u.UserID == "" {
			return n, fmt.Errorf("a user detail without userId")
		}
		for _, s := range u.PrimaryPresence {
			pres = append(pres, load.PresenceSegmentRow{UserID: u.UserID, Start: s.StartTime, End: s.EndTime,
				SystemPresence: s.SystemPresence, OrganizationPresenceID: s.OrganizationPresenceID})
		}
		for _, s := range u.RoutingStatus {
			rout = append(rout, load.RoutingStatusSegmentRow{UserID: u.UserID, Start: s.StartTime, End: s.EndTime, RoutingStatus: s.RoutingStatus})
		}
		if len(pres)+len(rout) >= analyticsLoadChunk {
			if err := flush(); err != nil {
				return n, err
			}
		}
	}
	return n, flush()
}

// loadAggregates loads one row per user, bucket, metric and qualifier.
func loadAggregates(ctx context.Context, tx *load.Tx, b extract.AggregatesBatch, granularity string) (int64, error) {
	var rows []load.AggregateRow
	var n int64
	flush := func() error {
		if len(rows) == 0 {
			return nil
		}
		if err := tx.Aggregates(ctx, rows); err != nil {
			return err
		}
		n += int64(len(rows))
		rows = rows[:0]
		return nil
	}
	for _, c := range b.Items {
		user := c.Group["userId"]
		if user == "" {
			return n, fmt.Errorf("an aggregates group without userId: %v", c.Group)
		}
		for _, d := range c.Data {
			iv, err := extract.ParseInterval(d.Interval)
			if err != nil {
				return n, fmt.Errorf("aggregates of user %s: %w", user, err)
			}
			for _, m := range d.Metrics {
				rows = append(rows, aggregateRow(user, iv, granularity, m))
			}
		}
		if len(rows) >= analyticsLoadChunk {
			if err := flush(); err != nil {
				return n, err
			}
		}
	}
	return n, flush()
}

func aggregateRow(user string, iv extract.Interval, granularity string, m genesys.AggregateMetricData) load.AggregateRow {
	return load.AggregateRow{
		UserID: user, IntervalStart: iv.Start, IntervalEnd: iv.End, Granularity: granularity,
		Metric: m.Metric, Qualifier: m.Qualifier,
		Sum: m.Stats.Sum, Count: m.Stats.Count, Min: m.Stats.Min, Max: m.Stats.Max,
	}
}
