package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"

	"github.com/usersync/syncer/internal/config"
	"github.com/usersync/syncer/internal/genesys"
	"github.com/usersync/syncer/internal/load"
	"github.com/usersync/syncer/internal/pipeline"
	"github.com/usersync/syncer/internal/ratelimit"
	"github.com/usersync/syncer/internal/store"
)

// newClient builds the API client and its shared rate budget from the
// configuration. Secrets come from cfg (read from the environment).
func newClient(cfg *config.Config, log *slog.Logger) (*genesys.Client, error) {
	if err := cfg.RequireGenesys(); err != nil {
		return nil, err
	}
	g, r := cfg.Genesys, cfg.Rate
	opts := []genesys.Option{
		genesys.WithCredentials(g.ClientID.Value(), g.ClientSecret.Value()),
		genesys.WithBudget(ratelimit.New(ratelimit.Config{
			RequestsPerMinute: float64(r.RequestsPerMinute),
			Burst:             r.Burst,
			MaxInFlight:       r.MaxInFlight,
			MaxPause:          r.MaxRetryAfter,
		})),
		genesys.WithRetryPolicy(genesys.RetryPolicy{
			MaxRetries:    r.MaxRetries,
			BaseDelay:     r.BackoffBase,
			MaxDelay:      r.BackoffMax,
			MaxRetryAfter: r.MaxRetryAfter,
			CallTimeout:   g.Timeout,
		}),
		genesys.WithLogger(log),
		genesys.WithUserAgent("syncer/" + version),
	}
	if g.BaseURL != "" {
		opts = append(opts, genesys.WithBaseURL(g.BaseURL), genesys.WithLoginURL(g.LoginURL))
	} else {
		opts = append(opts, genesys.WithRegion(g.Region))
	}
	return genesys.NewClient(opts...)
}

// forwardConfig maps a configured pipeline to the forward streams' config,
// with what the rate budget and the logger decide.
func forwardConfig(p *config.Pipeline, r config.Rate, log *slog.Logger) (pipeline.ForwardConfig, error) {
	fc, err := p.Forward()
	if err != nil {
		return pipeline.ForwardConfig{}, err
	}
	fc.Workers = max(1, r.MaxInFlight/2)
	fc.Analytics.Logger = log.With("pipeline", p.Name)
	return fc, nil
}

// forward is what `syncer run`, `serve` and `demo` need to run pipelines.
type forward struct {
	cfg    *config.Config
	client *genesys.Client
	store  *store.Store
	runner *pipeline.Runner
	log    *slog.Logger
}

// newForward connects to the API and the database and checks the schema is
// migrated.
func newForward(ctx context.Context, cfg *config.Config, log *slog.Logger) (*forward, error) {
	client, err := newClient(cfg, log)
	if err != nil {
		return nil, err
	}
	st, err := openStore(ctx, cfg)
	if err != nil {
		return nil, err
	}
	if err := requireMigrated(ctx, st); err != nil {
		st.Close()
		return nil, err
	}
	return forwardOn(cfg, client, st, log), nil
}

// forwardOn returns a forward over an open, migrated store (serve opens
// and checks it itself, waiting for the database).
func forwardOn(cfg *config.Config, client *genesys.Client, st *store.Store, log *slog.Logger) *forward {
	ld := load.New(st.Pool(), load.Config{Schema: cfg.Database.Schema, Logger: log})
	runner := pipeline.NewRunner(st, ld, pipeline.Config{Logger: log, Accounting: pipeline.GenesysAccounting, Exclusive: true})
	return &forward{cfg: cfg, client: client, store: st, runner: runner, log: log}
}

func (f *forward) Close() { f.store.Close() }

// errUnknownPipeline is returned for a pipeline name not in the config.
var errUnknownPipeline = errors.New("no such pipeline in the configuration")

// run runs one configured pipeline; with dry it rolls everything back.
func (f *forward) run(ctx context.Context, name string, prog *pipeline.Progress, dry bool) (pipeline.Summary, error) {
	fc, err := f.config(name)
	if err != nil {
		return pipeline.Summary{Pipeline: name}, err
	}
	streams, err := pipeline.ForwardStreams(f.client, fc)
	if err != nil {
		return pipeline.Summary{Pipeline: name}, err
	}
	if dry {
		return f.runner.DryRun(ctx, name, streams, prog)
	}
	sum, err := f.runner.Run(ctx, name, streams, prog)
	if err == nil {
		f.retain(ctx, name)
	}
	return sum, err
}

// retain applies the configured retention after a successful run: the
// analytics months older than it keeps are dropped, a partition each. A
// month a long query holds is logged and left for the next run; the run
// has succeeded either way.
func (f *forward) retain(ctx context.Context, pipeline string) {
	r := f.cfg.Retention
	dropped, err := f.store.ApplyRetention(ctx, store.RetentionConfig{Months: map[string]int{
		store.RetainPresenceSegments:      r.UserPresenceSegments,
		store.RetainRoutingStatusSegments: r.UserRoutingStatusSegments,
		store.RetainAggregates:            r.UserAggregates,
	}})
	for _, d := range dropped {
		f.log.Info("retention dropped a month", "pipeline", pipeline, "table", d.Table, "partition", d.Partition,
			"month", d.Month.Format("2006-01"), "bytes", d.Bytes)
	}
	if err != nil {
		f.log.Warn("retention incomplete", "pipeline", pipeline, "error", err)
	}
}

// config returns the forward config of the pipeline named.
func (f *forward) config(name string) (pipeline.ForwardConfig, error) {
	p, ok := f.cfg.Pipelines[name]
	if !ok {
		return pipeline.ForwardConfig{}, fmt.Errorf("pipeline %q: %w (configured: %v)", name, errUnknownPipeline, pipelineNames(f.cfg))
	}
	return forwardConfig(p, f.cfg.Rate, f.log)
}

// renderCosts writes what each registered stream costs in the org a dry
// run of the pipeline read, at the configured rate: an optional stream's
// cost is known before anyone turns it on.
func (f *forward) renderCosts(w io.Writer, sum pipeline.Summary) error {
	fc, err := f.config(sum.Pipeline)
	if err != nil {
		return err
	}
	pipeline.RenderCosts(w, pipeline.Costs(sum, fc), f.cfg.Rate.RequestsPerMinute)
	return nil
}

func pipelineNames(cfg *config.Config) []string {
	var names []string
	for n := range cfg.Pipelines {
		names = append(names, n)
	}
	return names
}

// requireMigrated fails with the command to run when migrations are pending.
func requireMigrated(ctx context.Context, st *store.Store) error {
	ms, err := st.MigrationStatus(ctx)
	if err != nil {
		return err
	}
	pending := 0
	for _, m := range ms {
		if !m.Applied {
			pending++
		}
	}
	if pending > 0 {
		return fmt.Errorf("schema %s has %d pending migration(s): run `syncer migrate` first", st.Schema(), pending)
	}
	return nil
}
