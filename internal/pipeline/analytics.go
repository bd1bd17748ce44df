package pipeline

import (
	"cmp"
	"context"
	"fmt"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/usersync/syncer/internal/config"
	"github.com/usersync/syncer/internal/extract"
	"github.com/usersync/syncer/internal/genesys"
	"github.com/usersync/syncer/internal/load"
)

// The batch channels are unbuffered: a results page is either being read
// or being loaded, never waiting, so at most two pages are in memory.

// analyticsLoadChunk caps the rows handed to the loader at once, so that a
// results page of many users over a long window is merged in parts.
const analyticsLoadChunk = 20_000

// analyticsLoad is an incremental analytics stream: resume receives the
// watermark of the previous run, load plans from it and loads every window.
type analyticsLoad struct {
	resume func(load.Watermark)
	load   func(ctx context.Context, tx *load.Tx, p *StreamProgress) (*load.Watermark, error)
}

func analyticsStream(name string, l analyticsLoad) Stream {
	return Stream{Name: name, Resume: l.resume, Load: l.load}
}

// throughWatermark is the watermark to commit with a plan's data: the end
// of its last window (nil when nothing was ever read).
func throughWatermark(plan extract.WindowPlan) *load.Watermark {
	if plan.Through.IsZero() {
		return nil
	}
	return &load.Watermark{Time: plan.Through}
}

// detailsLoad loads the user_details stream: presence and routing-status
// segments of every window from the previous watermark minus the lookback
// to the data availability date. The watermark (the end of the last
// window) commits with the segments, so a failed or interrupted run keeps
// the old one and the next run reads the same windows again.
func detailsLoad(api ForwardAPI, cfg extract.AnalyticsConfig) analyticsLoad {
	var prev time.Time
	return analyticsLoad{
		resume: func(w load.Watermark) { prev = w.Time },
		load: func(ctx context.Context, tx *load.Tx, p *StreamProgress) (*load.Watermark, error) {
			plan, err := extract.PlanDetails(ctx, api, cfg, prev, p)
			if err != nil {
				return nil, err
			}
			batches := make(chan extract.DetailsBatch)
			g, gctx := errgroup.WithContext(ctx)
			g.Go(func() error {
				defer close(batches)
				return extract.UserDetails(gctx, api, cfg, plan, p, batches)
			})
			g.Go(func() error {
				for b := range batches {
					if err := loadDetails(gctx, tx, b, p); err != nil {
						return fmt.Errorf("load user details of window %s: %w", b.Interval, err)
					}
				}
				return nil
			})
			if err := g.Wait(); err != nil {
				return nil, err
			}
			return throughWatermark(plan), nil
		},
	}
}

func loadDetails(ctx context.Context, tx *load.Tx, b extract.DetailsBatch, p *StreamProgress) error {
	var pres []load.PresenceSegmentRow
	var rout []load.RoutingStatusSegmentRow
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
		p.Rows(int64(len(pres) + len(rout)))
		pres, rout = pres[:0], rout[:0]
		return nil
	}
	for _, u := range b.Items {
		if u.UserID == "" {
			return fmt.Errorf("a user detail without userId")
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
				return err
			}
		}
	}
	return flush()
}

// aggregatesLoad loads the user_aggregates stream: one row per user, bucket,
// metric and qualifier, over windows on granularity boundaries. Like
// detailsLoad, its watermark commits with the rows.
func aggregatesLoad(api ForwardAPI, cfg extract.AnalyticsConfig) analyticsLoad {
	var prev time.Time
	granularity := cmp.Or(cfg.Granularity, extract.DefaultAnalyticsGranularity)
	return analyticsLoad{
		resume: func(w load.Watermark) { prev = w.Time },
		load: func(ctx context.Context, tx *load.Tx, p *StreamProgress) (*load.Watermark, error) {
			plan, err := extract.PlanAggregates(ctx, api, cfg, prev, p)
			if err != nil {
				return nil, err
			}
			batches := make(chan extract.AggregatesBatch)
			g, gctx := errgroup.WithContext(ctx)
			g.Go(func() error {
				defer close(batches)
				return extract.UserAggregates(gctx, api, cfg, plan, p, batches)
			})
			g.Go(func() error {
				for b := range batches {
					if err := loadAggregates(gctx, tx, b, granularity, p); err != nil {
						return fmt.Errorf("load user aggregates of window %s: %w", b.Interval, err)
					}
				}
				return nil
			})
			if err := g.Wait(); err != nil {
				return nil, err
			}
			return throughWatermark(plan), nil
		},
	}
}

func loadAggregates(ctx context.Context, tx *load.Tx, b extract.AggregatesBatch, granularity string, p *StreamProgress) error {
	var rows []load.AggregateRow
	flush := func() error {
		if len(rows) == 0 {
			return nil
		}
		if err := tx.Aggregates(ctx, rows); err != nil {
			return err
		}
		p.Rows(int64(len(rows)))
		rows = rows[:0]
		return nil
	}
	for _, c := range b.Items {
		user := c.Group["userId"]
		if user == "" {
			return fmt.Errorf("an aggregates group without userId: %v", c.Group)
		}
		for _, d := range c.Data {
			iv, err := extract.ParseInterval(d.Interval)
			if err != nil {
				return fmt.Errorf("aggregates of user %s: %w", user, err)
			}
			for _, m := range d.Metrics {
				rows = append(rows, aggregateRow(user, iv, granularity, m))
			}
		}
		if len(rows) >= analyticsLoadChunk {
			if err := flush(); err != nil {
				return err
			}
		}
	}
	return flush()
}

func aggregateRow(user string, iv extract.Interval, granularity string, m genesys.AggregateMetricData) load.AggregateRow {
	return load.AggregateRow{
		UserID: user, IntervalStart: iv.Start, IntervalEnd: iv.End, Granularity: granularity,
		Metric: m.Metric, Qualifier: m.Qualifier,
		Sum: m.Stats.Sum, Count: m.Stats.Count, Min: m.Stats.Min, Max: m.Stats.Max,
	}
}

// AnalyticsConfig maps a pipeline's analytics section of the config file
// to the analytics streams' configuration. The section's defaults are
// filled by config.Load; zero fields here take extract's defaults.
func AnalyticsConfig(a config.Analytics) (extract.AnalyticsConfig, error) {
	out := extract.AnalyticsConfig{
		Lookback:          a.Lookback,
		MaxInterval:       a.MaxInterval,
		Granularity:       a.Granularity,
		Metrics:           a.Metrics,
		MaxConcurrentJobs: a.MaxConcurrentJobs,
		PollInterval:      a.PollInterval,
		JobTimeout:        a.JobTimeout,
		MaxResubmits:      a.MaxResubmits,
		PageSize:          a.PageSize,
	}
	if a.Start != "" {
		t, err := config.ParseStart(a.Start)
		if err != nil {
			return extract.AnalyticsConfig{}, fmt.Errorf("analytics start: %w", err)
		}
		out.Start = t
	}
	return out, nil
}
