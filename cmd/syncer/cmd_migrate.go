package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"text/tabwriter"

	"github.com/usersync/syncer/internal/store"
)

func init() {
	register(command{name: "migrate", summary: "apply database migrations (up, status, down)", run: runMigrate})
}

// runMigrate applies (up), lists (status) or rolls back one (down) of the
// embedded migrations in the syncer schema of the database at DATABASE_URL.
func runMigrate(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := newFlags("migrate", "[up|status|down] [flags]\n\n  up      apply every pending migration (default; safe to repeat or run concurrently)\n  status  list the migrations and whether each is applied\n  down    roll back the most recent migration", stderr)
	cfgPath := configFlag(fs)
	schema := fs.String("schema", "", "schema holding the syncer tables (default: database.schema of the config, else genesys)")
	verbose := fs.Bool("v", false, "log each migration")
	// The action may come before or after the flags.
	action := "up"
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		action, args = args[0], args[1:]
	}
	if code, ok := parseFlags(fs, args); !ok {
		return code
	}
	if fs.NArg() > 1 || (fs.NArg() == 1 && action != "up") {
		fmt.Fprintf(stderr, "syncer migrate: unexpected arguments %q\n", fs.Args())
		return exitUsage
	}
	if fs.NArg() == 1 {
		action = fs.Arg(0)
	}
	if action != "up" && action != "status" && action != "down" {
		fmt.Fprintf(stderr, "syncer migrate: unknown action %q (want up, status or down)\n", action)
		return exitUsage
	}
	level := slog.LevelWarn
	if *verbose {
		level = slog.LevelInfo
	}
	cfg, err := loadConfig(*cfgPath)
	if err != nil {
		return fail(stderr, "migrate", err)
	}
	if *schema == "" {
		*schema = cfg.Database.Schema
	}
	if err := cfg.RequireDatabase(); err != nil {
		return fail(stderr, "migrate", err)
	}
	st, err := store.Open(ctx, cfg.Database.URL.Value(), store.Config{
		Schema: *schema,
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
			fmt.Fprintf(stderr, "syncer migrate: %v\n", err)
			return exitFailure
		}
		if len(res) == 0 {
			fmt.Fprintf(stdout, "schema %s is up to date\n", *schema)
		}
	case "down":
		r, err := st.MigrateDown(ctx)
		if err != nil {
			fmt.Fprintf(stderr, "syncer migrate: %v\n", err)
			return exitFailure
		}
		fmt.Fprintf(stdout, "rolled back %s\n", r.Name)
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
