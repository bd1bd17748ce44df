package main

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"net"
	"net/http"
	"slices"
	"time"

	"github.com/usersync/syncer/internal/pipeline"
	"github.com/usersync/syncer/internal/schedule"
)

func init() {
	register(command{name: "serve", summary: "run every pipeline on its schedule, with /metrics and health checks", run: runServe})
}

func runServe(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := newFlags("serve", "[flags]", stderr)
	cfgPath := configFlag(fs)
	addr := fs.String("addr", "", "HTTP address of /healthz, /readyz, /metrics and /runs (default serve.addr)")
	migrate := fs.Bool("migrate", false, "apply pending migrations before starting (replicas wait for each other)")
	if code, ok := parseFlags(fs, args); !ok {
		return code
	}
	if fs.NArg() > 0 {
		fs.Usage()
		return exitUsage
	}
	cfg, err := loadConfig(*cfgPath)
	if err != nil {
		return fail(stderr, "serve", err)
	}
	log := newLogger(stderr, cfg.Log.Level, cfg.Log.Format)
	loc, err := time.LoadLocation(cfg.Serve.TimeZone)
	if err != nil {
		return fail(stderr, "serve", fmt.Errorf("serve.timezone: %w", err))
	}
	if *migrate {
		st, err := openStore(ctx, cfg)
		if err != nil {
			return fail(stderr, "serve", err)
		}
		_, err = st.Migrate(ctx)
		st.Close()
		if err != nil {
			return fail(stderr, "serve", err)
		}
	}
	f, err := newForward(ctx, cfg, log)
	if err != nil {
		return fail(stderr, "serve", err)
	}
	defer f.Close()

	var jobs []schedule.Job
	for _, name := range slices.Sorted(maps.Keys(cfg.Pipelines)) {
		jobs = append(jobs, schedule.Job{
			Name:     name,
			Schedule: cfg.Pipelines[name].Schedule,
			Run: func(ctx context.Context, name string) (pipeline.Summary, error) {
				return f.run(ctx, name, nil, false)
			},
		})
	}
	// Scheduled feeds are planned and applied with their guards, as
	// `syncer apply FEED` does, under the job name feed:NAME.
	for _, name := range slices.Sorted(maps.Keys(cfg.Feeds)) {
		if cfg.Feeds[name].Schedule == "" {
			continue
		}
		jobs = append(jobs, schedule.Job{
			Name:     feedJobPrefix + name,
			Schedule: cfg.Feeds[name].Schedule,
			Run: func(ctx context.Context, _ string) (pipeline.Summary, error) {
				return f.applyFeed(ctx, name, log)
			},
		})
	}
	if len(jobs) == 0 {
		log.Warn("no pipelines or scheduled feeds configured: serving health and metrics only (see configs/syncer.example.yaml)")
	}
	sched, err := schedule.New(f.store, jobs, schedule.Config{
		Location:      loc,
		RunOnStart:    cfg.Serve.RunOnStart,
		ShutdownGrace: cfg.Serve.ShutdownGrace,
		LeaseTTL:      cfg.Serve.LeaseTTL,
		Logger:        log,
		Metrics:       schedule.NewMetrics(f.client.Budget()),
	})
	if err != nil {
		return fail(stderr, "serve", err)
	}

	ln, err := net.Listen("tcp", cmp.Or(*addr, cfg.Serve.Addr))
	if err != nil {
		return fail(stderr, "serve", fmt.Errorf("listen: %w", err))
	}
	srv := &http.Server{Handler: schedule.NewHandler(f.store, sched), ReadHeaderTimeout: 10 * time.Second}
	httpDone := make(chan error, 1)
	go func() { httpDone <- srv.Serve(ln) }()
	log.Info("serving", "addr", ln.Addr().String(), "pipelines", len(jobs), "schema", f.store.Schema())

	runErr := sched.Run(ctx)
	// /healthz and /metrics stay up while runs drain; the server goes last.
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 2*time.Second)
	defer cancel()
	_ = srv.Shutdown(sctx)
	if err := <-httpDone; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fail(stderr, "serve", fmt.Errorf("http: %w", err))
	}
	if runErr != nil {
		return fail(stderr, "serve", runErr)
	}
	log.Info("stopped")
	return exitOK
}
