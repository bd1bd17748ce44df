package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/usersync/syncer/internal/config"
	"github.com/usersync/syncer/internal/store"
)

// configOption is the --config flag. Its default is $SYNCER_CONFIG, read
// when the command runs (so -h does not show it); with neither, the
// defaults and the environment are used.
type configOption struct {
	value string
	fs    *pflag.FlagSet
}

func addConfigFlag(c *cobra.Command) *configOption {
	o := &configOption{fs: c.Flags()}
	o.fs.StringVar(&o.value, "config", "", "read the configuration from `FILE` (default $SYNCER_CONFIG; without either, the defaults and the environment)")
	_ = c.MarkFlagFilename("config", "yaml", "yml")
	return o
}

// path is the configuration file to read, "" for none.
func (o *configOption) path() string {
	if o.fs.Changed("config") {
		return o.value
	}
	return os.Getenv("SYNCER_CONFIG")
}

func (o *configOption) load() (*config.Config, error) { return loadConfig(o.path()) }

// completeNames offers the configuration's pipelines (and, with feeds,
// its feeds) to shell completion, leaving out those already given.
func (o *configOption) completeNames(pipelines, feeds bool) cobra.CompletionFunc {
	return func(_ *cobra.Command, args []string, _ string) ([]cobra.Completion, cobra.ShellCompDirective) {
		cfg, err := o.load()
		if err != nil {
			return nil, cobra.ShellCompDirectiveNoFileComp
		}
		var names []cobra.Completion
		if pipelines {
			for _, n := range slices.Sorted(slices.Values(pipelineNames(cfg))) {
				names = append(names, cobra.CompletionWithDesc(n, "pipeline"))
			}
		}
		if feeds {
			for _, n := range feedNames(cfg) {
				names = append(names, cobra.CompletionWithDesc(n, "feed"))
			}
		}
		names = slices.DeleteFunc(names, func(c cobra.Completion) bool {
			name, _, _ := strings.Cut(c, "\t")
			return slices.Contains(args, name)
		})
		return names, cobra.ShellCompDirectiveNoFileComp
	}
}

// loadConfig reads the configuration file, or the defaults when path is "".
func loadConfig(path string) (*config.Config, error) {
	if path == "" {
		return config.Default(os.LookupEnv)
	}
	return config.Load(path)
}

// openStore connects to the configured database. It does not migrate.
// Every command that uses the database comes through here (or calls
// cfg.RequireDatabase itself): an unset database.url_env variable is an
// error naming it, never a fallback to some default server.
func openStore(ctx context.Context, cfg *config.Config) (*store.Store, error) {
	if err := cfg.RequireDatabase(); err != nil {
		return nil, err
	}
	return store.Open(ctx, cfg.Database.URL.Value(), store.Config{Schema: cfg.Database.Schema})
}

// fail prints "syncer CMD: err" and returns exitFailure.
func fail(stderr io.Writer, cmd string, err error) int {
	fmt.Fprintf(stderr, "syncer %s: %v\n", cmd, err)
	return exitFailure
}
