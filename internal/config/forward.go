package config

import (
	"fmt"

	"github.com/usersync/syncer/internal/extract"
	"github.com/usersync/syncer/internal/pipeline"
)

// Forward maps the pipeline's section onto the forward path's
// configuration. Keys absent from the file stay unset, so the forward
// path's defaults (ForwardConfig.WithDefaults) apply; only what needs a
// worker count, a logger or the rate budget is left to the caller.
func (p *Pipeline) Forward() (pipeline.ForwardConfig, error) {
	a := p.Analytics
	out := pipeline.ForwardConfig{
		Streams:       p.Streams,
		States:        p.Users.States,
		Expand:        p.Users.Expand,
		PageSize:      p.Users.PageSize,
		QueueStrategy: p.Queues.Strategy,
		Analytics: extract.AnalyticsConfig{
			Lookback:          a.Lookback,
			MaxInterval:       a.MaxInterval,
			Granularity:       a.Granularity,
			Metrics:           a.Metrics,
			MaxConcurrentJobs: a.MaxConcurrentJobs,
			PollInterval:      a.PollInterval,
			JobTimeout:        a.JobTimeout,
			MaxResubmits:      a.MaxResubmits,
			PageSize:          a.PageSize,
		},
		Activities: extract.ActivitiesConfig{
			FirstRun: p.DevelopmentActivities.FirstRun,
			Lookback: p.DevelopmentActivities.Lookback,
			Horizon:  p.DevelopmentActivities.Horizon,
			PageSize: p.DevelopmentActivities.PageSize,
		},
	}
	if a.Start != "" {
		t, err := ParseStart(a.Start)
		if err != nil {
			return pipeline.ForwardConfig{}, fmt.Errorf("pipeline %q: analytics start: %w", p.Name, err)
		}
		out.Analytics.Start = t
	}
	return out, nil
}
