package main

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"slices"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/usersync/syncer/internal/store"
	"github.com/usersync/syncer/internal/textfmt"
)

func init() { register("migrate", newMigrateCommand) }

// migrateActions are migrate's actions, the first the default.
var migrateActions = []string{"up", "status", "down"}

func newMigrateCommand() *cobra.Command {
	var (
		cfg     *configOption
		schema  string
		verbose bool
	)
	c := &cobra.Command{
		Use:   "migrate [up|status|down]",
		Short: "apply database migrations (up, status, down)",
		Long: `Migrate applies (up, the default), lists (status) or rolls back one (down) of the
embedded migrations in the syncer schema of the database database.url_env names.

  up      apply every pending migration (safe to repeat or run concurrently)
  status  list the migrations and whether each is applied
  down    roll back the most recent migration, and say what it cannot restore
          (00009: months that retention dropped)

Exit status: 0 success, 1 failure, 64 a bad command line.`,
		Example: `  syncer migrate --config syncer.yaml
  syncer migrate status
  syncer migrate up --schema genesys_test`,
		ValidArgs: migrateActions,
		Args: func(c *cobra.Command, args []string) error {
			if err := rangeArgs(0, 1, "action (up, status or down)")(c, args); err != nil {
				return err
			}
			if len(args) == 1 && !slices.Contains(migrateActions, args[0]) {
				msg := "unknown action " + textfmt.Quote(args[0]) + ": want up, status or down"
				if near := nearest(args[0], migrateActions); near != "" {
					msg += " (did you mean " + near + "?)"
				}
				return errors.New(msg)
			}
			return nil
		},
		RunE: runCode(func(ctx context.Context, args []string, stdout, stderr io.Writer) int {
			return runMigrate(ctx, cfg, cmp.Or(firstArg(args), migrateActions[0]), schema, verbose, stdout, stderr)
		}),
	}
	cfg = addConfigFlag(c)
	c.Flags().StringVar(&schema, "schema", "", "schema `NAME` holding the syncer tables (default: database.schema of the config, else genesys)")
	c.Flags().BoolVarP(&verbose, "verbose", "v", false, "log each migration")
	return c
}

// runMigrate applies (up), lists (status) or rolls back one (down) of the
// embedded migrations in the syncer schema of the configured database.
func runMigrate(ctx context.Context, o *configOption, action, schema string, verbose bool, stdout, stderr io.Writer) int {
	level := slog.LevelWarn
	if verbose {
		level = slog.LevelInfo
	}
	cfg, err := o.load()
	if err != nil {
		return fail(stderr, "migrate", err)
	}
	if schema == "" {
		schema = cfg.Database.Schema
	}
	if err := cfg.RequireDatabase(); err != nil {
		return fail(stderr, "migrate", err)
	}
	st, err := store.Open(ctx, cfg.Database.URL.Value(), store.Config{
		Schema: schema,
		Logger: slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: level})),
	})
	if err != nil {
		fmt.Fprintf(stderr, "syncer migrate: %v\n", err)
		return exitFailure
	}
	defer st.Close()

	switch action {
	case "up":
		res, err := st.Migrate(ctx)
		for _, r := range res {
			fmt.Fprintf(stdout, "applied %s (%s)\n", r.Name, r.Duration.Round(1e6))
		}
		if err != nil {
			fmt.Fprintf(stderr, "syncer: %v\n", err) // "migrate SCHEMA up: …"
			return exitFailure
		}
		if len(res) == 0 {
			fmt.Fprintf(stdout, "schema %s is up to date\n", schema)
		}
	case "down":
		r, err := st.MigrateDown(ctx)
		if err != nil {
			fmt.Fprintf(stderr, "syncer: %v\n", err) // "migrate SCHEMA down: …"
			return exitFailure
		}
		fmt.Fprintf(stdout, "rolled back %s\n", r.Name)
		if r.Note != "" {
			fmt.Fprintf(stdout, "not restored: %s\n", r.Note)
		}
	case "status":
		ms, err := st.MigrationStatus(ctx)
		if err != nil {
			fmt.Fprintf(stderr, "syncer migrate: %v\n", err)
			return exitFailure
		}
		tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintf(tw, "VERSION\tMIGRATION\tAPPLIED\n")
		for _, m := range ms {
			applied := "pending"
			if m.Applied {
				applied = m.AppliedAt.UTC().Format("2006-01-02 15:04:05Z")
			}
			fmt.Fprintf(tw, "%d\t%s\t%s\n", m.Version, m.Name, applied)
		}
		tw.Flush()
	}
	return exitOK
}
