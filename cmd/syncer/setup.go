package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/usersync/syncer/internal/config"
	"github.com/usersync/syncer/internal/store"
)

// configFlag adds --config to fs. Its default is $SYNCER_CONFIG; with
// neither, the defaults and the environment are used.
func configFlag(fs *flag.FlagSet) *string {
	return fs.String("config", os.Getenv("SYNCER_CONFIG"), "configuration file (default $SYNCER_CONFIG; none: defaults + environment)")
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
