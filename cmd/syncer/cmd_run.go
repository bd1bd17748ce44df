package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/usersync/syncer/internal/pipeline"
	"github.com/usersync/syncer/internal/store"
)

func init() {
	register(command{name: "run", summary: "run a pipeline once (extract -> load) and record it", run: runRun})
}

func runRun(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := newFlags("run", "PIPELINE [flags]", stderr)
	cfgPath := configFlag(fs)
	progress := fs.String("progress", "auto", "progress display: auto (on a terminal), on, off")
	dry := fs.Bool("dry-run", false, "read everything and report what would change, then roll back: nothing is written")
	// Flags may come after the pipeline name.
	var name string
	if len(args) > 0 && len(args[0]) > 0 && args[0][0] != '-' {
		name, args = args[0], args[1:]
	}
	if code, ok := parseFlags(fs, args); !ok {
		return code
	}
	if name == "" && fs.NArg() == 1 {
		name = fs.Arg(0)
	} else if fs.NArg() > 0 || name == "" {
		fs.Usage()
		return exitUsage
	}
	cfg, err := loadConfig(*cfgPath)
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
	if !*dry {
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
	show := *progress == "on" || (*progress == "auto" && isTerminal(stderr) && cfg.Log.Format != "json")
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
	sum, err := f.run(ctx, name, prog, *dry)
	if stopDisplay != nil {
		stopDisplay()
	}
	sum.Render(stdout)
	if err != nil {
		if ctx.Err() != nil {
			fmt.Fprintln(stderr, "syncer run: interrupted; nothing partial was committed, and the run is recorded as interrupted")
		}
		return exitFailure
	}
	return exitOK
}
