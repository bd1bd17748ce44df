package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/spf13/cobra"

	"github.com/usersync/syncer/internal/pipeline"
	"github.com/usersync/syncer/internal/store"
)

func init() { register("run", newRunCommand) }

// runOptions are run's flags.
type runOptions struct {
	cfg      *configOption
	progress string
	dry      bool
}

func newRunCommand() *cobra.Command {
	var o runOptions
	c := &cobra.Command{
		Use:   "run PIPELINE",
		Short: "run a pipeline once (extract -> load) and record it",
		Long: `Run runs one configured pipeline once and records it in sync_runs: progress on a
terminal, JSON logs otherwise, then a summary with rows per table and API calls
against the minimum. A dry run (--dry-run) writes nothing, and also shows what
each stream costs in calls and time at the configured rate, those the pipeline
does not run included.

Exit status: 0 success, 1 failure or interruption, 64 a bad command line.`,
		Example: `  syncer run nightly --config syncer.yaml
  syncer run nightly --dry-run`,
		Args: rangeArgs(1, 1, "PIPELINE"),
		RunE: runCode(func(ctx context.Context, args []string, stdout, stderr io.Writer) int {
			return runRun(ctx, o, args[0], stdout, stderr)
		}),
	}
	o.cfg = addConfigFlag(c)
	progress := newEnumFlag(&o.progress, "auto", "auto", "on", "off")
	c.Flags().Var(progress, "progress", "progress display: auto (on a terminal), on, off")
	c.Flags().BoolVar(&o.dry, "dry-run", false, "read everything and report what would change and what each stream costs, then roll back: nothing is written")
	_ = c.RegisterFlagCompletionFunc("progress", progress.complete)
	c.ValidArgsFunction = func(c *cobra.Command, args []string, s string) ([]cobra.Completion, cobra.ShellCompDirective) {
		if len(args) > 0 {
			return nil, cobra.ShellCompDirectiveNoFileComp
		}
		return o.cfg.completeNames(true, false)(c, args, s)
	}
	return c
}

func runRun(ctx context.Context, o runOptions, name string, stdout, stderr io.Writer) int {
	cfg, err := o.cfg.load()
	if err != nil {
		return fail(stderr, "run", err)
	}
	log := newLogger(stderr, cfg.Log.Level, cfg.Log.Format)
	if _, ok := cfg.Pipelines[name]; !ok {
		return fail(stderr, "run", fmt.Errorf("pipeline %q: %w (configured: %v)", name, errUnknownPipeline, pipelineNames(cfg)))
	}
	f, err := newForward(ctx, cfg, log)
	if err != nil {
		return fail(stderr, "run", err)
	}
	defer f.Close()
	if !o.dry {
		// One runner per pipeline: the lock `syncer serve` replicas take.
		lock, err := f.store.TryLock(ctx, name, store.LockConfig{ApplicationName: fmt.Sprintf("syncer run pid %d: %s", os.Getpid(), name)})
		if errors.Is(err, store.ErrLocked) {
			return fail(stderr, "run", fmt.Errorf("pipeline %q is running elsewhere (syncer serve or another syncer run): try again when it ends", name))
		}
		if err != nil {
			return fail(stderr, "run", err)
		}
		defer lock.Release(context.WithoutCancel(ctx))
	}

	prog := pipeline.NewProgress()
	show := o.progress == "on" || (o.progress == "auto" && isTerminal(stderr) && cfg.Log.Format != "json")
	var stopDisplay func()
	if show {
		dctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
		done := make(chan struct{})
		go func() {
			defer close(done)
			pipeline.Display(dctx, stderr, prog, nil, 250*time.Millisecond)
		}()
		stopDisplay = func() { cancel(); <-done }
	}
	sum, err := f.run(ctx, name, prog, o.dry)
	if stopDisplay != nil {
		stopDisplay()
	}
	sum.Render(stdout)
	if o.dry && sum.Outcome != "" {
		if err := f.renderCosts(stdout, sum); err != nil {
			return fail(stderr, "run", err)
		}
	}
	if err != nil {
		if ctx.Err() != nil {
			fmt.Fprintln(stderr, "syncer run: interrupted; nothing partial was committed, and the run is recorded as interrupted")
		}
		return exitFailure
	}
	return exitOK
}
