package main

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"net"
	"net/http"
	"os"
	"slices"
	"time"

	"github.com/spf13/cobra"

	"github.com/usersync/syncer/internal/config"
	"github.com/usersync/syncer/internal/pipeline"
	"github.com/usersync/syncer/internal/reverse"
	"github.com/usersync/syncer/internal/schedule"
	"github.com/usersync/syncer/internal/store"
)

func init() { register("serve", newServeCommand) }

func newServeCommand() *cobra.Command {
	var (
		cfg     *configOption
		addr    string
		migrate bool
	)
	c := &cobra.Command{
		Use:   "serve",
		Short: "run every pipeline on its schedule, with /metrics and health checks",
		Long: `Serve runs every pipeline and scheduled feed on its schedule (cron in
serve.timezone), one runner per pipeline across replicas, and answers /healthz,
/readyz, /metrics and /runs, and the web console at /console/ when
serve.console.enabled is on. It waits for the database (and, with --migrate,
migrates it) before running anything.

Exit status: 0 stopped by a signal, 1 a configuration or address it cannot use,
64 a bad command line.`,
		Example: `  syncer serve --config syncer.yaml --migrate
  syncer serve --addr 0.0.0.0:9090`,
		Args: rangeArgs(0, 0, ""),
		RunE: runCode(func(ctx context.Context, _ []string, stdout, stderr io.Writer) int {
			return runServe(ctx, cfg, addr, migrate, stdout, stderr)
		}),
	}
	cfg = addConfigFlag(c)
	c.Flags().StringVar(&addr, "addr", "", "`HOST:PORT` of /healthz, /readyz, /metrics and /runs (default serve.addr)")
	c.Flags().BoolVar(&migrate, "migrate", false, "apply pending migrations once the database answers (replicas wait for each other)")
	_ = c.RegisterFlagCompletionFunc("addr", cobra.NoFileCompletions)
	return c
}

// runServe starts the HTTP endpoints at once, then waits for the database
// (and, with --migrate, migrates it) before running any pipeline: a
// database that is down or not migrated is a 503 on /readyz, retried with
// back-off, not an exit. Only what no retry can fix (the configuration, the
// address) makes it exit 1.
func runServe(ctx context.Context, o *configOption, addr string, migrate bool, stdout, stderr io.Writer) int {
	cfg, err := o.load()
	if err != nil {
		return fail(stderr, "serve", err)
	}
	// An unset database variable is a mistake to say at once, not an
	// outage to wait out (serve retries a database that does not answer).
	if err := cfg.RequireDatabase(); err != nil {
		return fail(stderr, "serve", err)
	}
	log := newLogger(stderr, cfg.Log.Level, cfg.Log.Format)
	loc, err := time.LoadLocation(cfg.Serve.TimeZone)
	if err != nil {
		return fail(stderr, "serve", fmt.Errorf("serve.timezone: %w", err))
	}
	client, err := newClient(cfg, log)
	if err != nil {
		return fail(stderr, "serve", err)
	}
	jobs := serveJobs(cfg, nil, log)
	if len(jobs) == 0 {
		log.Warn("no pipelines or scheduled feeds configured: serving health and metrics only (see configs/syncer.example.yaml)")
	}
	warnUnreadableFeeds(cfg, log)

	var svc *schedule.Service
	con, err := consoleHandler(cfg, loc, log, os.Getenv, func() *schedule.Service { return svc })
	if err != nil {
		return fail(stderr, "serve", err)
	}
	svc = schedule.NewService(schedule.ServiceConfig{
		Console: con,
		Open:    func(ctx context.Context) (*store.Store, error) { return openStore(ctx, cfg) },
		Migrate: migrate,
		Jobs: func(_ context.Context, st *store.Store) ([]schedule.Job, error) {
			return serveJobs(cfg, forwardOn(cfg, client, st, log), log), nil
		},
		Scheduler: schedule.Config{
			Location:      loc,
			RunOnStart:    cfg.Serve.RunOnStart,
			ShutdownGrace: cfg.Serve.ShutdownGrace,
			LeaseTTL:      cfg.Serve.LeaseTTL,
			Logger:        log,
			Metrics:       schedule.NewMetrics(client.Budget()),
		},
	})
	ln, err := net.Listen("tcp", cmp.Or(addr, cfg.Serve.Addr))
	if err != nil {
		return fail(stderr, "serve", fmt.Errorf("listen: %w", err))
	}
	srv := &http.Server{Handler: svc.Handler(), ReadHeaderTimeout: 10 * time.Second}
	httpDone := make(chan error, 1)
	go func() { httpDone <- srv.Serve(ln) }()
	log.Info("serving", "addr", ln.Addr().String(), "pipelines", len(jobs), "schema", cmp.Or(cfg.Database.Schema, store.DefaultSchema))
	if con != nil {
		log.Info("web console", "url", consoleURL(ln.Addr().String()))
	}

	runErr := svc.Run(ctx)
	// /healthz and /metrics stay up while runs drain; the server goes last,
	// then the database pool.
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 2*time.Second)
	defer cancel()
	_ = srv.Shutdown(sctx)
	svc.Close()
	if err := <-httpDone; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fail(stderr, "serve", fmt.Errorf("http: %w", err))
	}
	if runErr != nil {
		return fail(stderr, "serve", runErr)
	}
	log.Info("stopped")
	return exitOK
}

// serveJobs returns a job per pipeline and per scheduled feed, by name. f
// runs them; with f nil, the jobs are only listed (their Run is nil).
func serveJobs(cfg *config.Config, f *forward, log *slog.Logger) []schedule.Job {
	var jobs []schedule.Job
	for _, name := range slices.Sorted(maps.Keys(cfg.Pipelines)) {
		j := schedule.Job{Name: name, Schedule: cfg.Pipelines[name].Schedule}
		if f != nil {
			j.Run = func(ctx context.Context, name string) (schedule.Result, error) {
				sum, err := f.run(ctx, name, nil, false)
				return pipelineResult(sum), err
			}
		}
		jobs = append(jobs, j)
	}
	// Scheduled feeds are planned and applied with their guards, as
	// `syncer apply FEED` does, under the job name feed:NAME; a plan that
	// trips a guard is parked for approval (syncer plans).
	for _, name := range slices.Sorted(maps.Keys(cfg.Feeds)) {
		fc := cfg.Feeds[name]
		if fc.Schedule == "" {
			continue
		}
		j := schedule.Job{Name: schedule.FeedJobPrefix + name, Schedule: fc.Schedule}
		if f != nil {
			j.Run = func(ctx context.Context, job string) (schedule.Result, error) {
				svc := reverse.New(f.client, f.store, reverse.Config{Logger: log})
				run, err := svc.RunFeed(ctx, job, fc, cfg.Rate.RequestsPerMinute)
				return schedule.Result{RunID: run.RunID, Outcome: run.Outcome, Calls: run.Calls}, err
			}
			// Plans awaiting approval (the gauge) and approved ones, which
			// the feed's next run applies: the scheduler runs it at once.
			appr := reverse.NewApprovals(f.store)
			j.Plans = func(ctx context.Context) (schedule.PlanCounts, error) {
				awaiting, approved, err := appr.Counts(ctx, name)
				return schedule.PlanCounts{Awaiting: awaiting, Approved: approved}, err
			}
		}
		jobs = append(jobs, j)
	}
	return jobs
}

// pipelineResult is what the scheduler is told of a forward run: its
// record, outcome and calls, and the rows its committed streams loaded
// (a failed stream rolled back).
func pipelineResult(sum pipeline.Summary) schedule.Result {
	res := schedule.Result{RunID: sum.RunID, Outcome: sum.Outcome, Calls: store.RunCalls(sum.Calls), Rows: map[string]schedule.TableRows{}}
	for _, s := range sum.Streams {
		if s.Outcome != pipeline.OutcomeSucceeded {
			continue
		}
		for table, ts := range s.Stats {
			t := res.Rows[table]
			t.Inserted += ts.Inserted
			t.Updated += ts.Updated
			t.Unchanged += ts.Unchanged
			t.Deleted += ts.Deleted
			res.Rows[table] = t
		}
	}
	return res
}

// warnUnreadableFeeds logs, at start, each scheduled feed whose file is
// missing or unreadable: it is not an error (the export may land before the
// first tick), but a tick that finds it so records a failed run.
func warnUnreadableFeeds(cfg *config.Config, log *slog.Logger) {
	for _, name := range slices.Sorted(maps.Keys(cfg.Feeds)) {
		fc := cfg.Feeds[name]
		if fc.Schedule == "" {
			continue
		}
		if err := reverse.CheckFeedFile(name, fc.Path); err != nil {
			log.Warn("scheduled feed's file is missing or unreadable: its runs fail until it is there",
				"feed", name, "path", fc.Path, "err", err)
		}
	}
}
