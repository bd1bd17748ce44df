package main

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"slices"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"github.com/usersync/syncer/internal/config"
	"github.com/usersync/syncer/internal/preflight"
	"github.com/usersync/syncer/internal/store"
)

func init() { register("check", newCheckCommand) }

func newCheckCommand() *cobra.Command {
	var cfg *configOption
	c := &cobra.Command{
		Use:   "check [PIPELINE|FEED...]",
		Short: "check the config, the database, the Genesys login and every permission a run needs",
		Long: `Check validates the configuration, connects to the database and says whether its
schema is migrated, logs in to Genesys Cloud, and reads every endpoint the named
pipelines and feeds need (all of them when none is named) once, naming each
missing permission. One line per check.

Exit status: 0 everything a run needs works, 1 otherwise, 64 a bad command line.`,
		Example: `  syncer check --config syncer.yaml
  syncer check nightly hr --config syncer.yaml`,
		Args: cobra.ArbitraryArgs,
		RunE: runCode(func(ctx context.Context, args []string, stdout, stderr io.Writer) int {
			return runCheck(ctx, cfg, args, stdout, stderr)
		}),
	}
	cfg = addConfigFlag(c)
	c.ValidArgsFunction = cfg.completeNames(true, true)
	return c
}

// runCheck validates the configuration, connects to the database, logs in
// to Genesys Cloud and probes every endpoint the selected pipelines and
// feeds need (all of them when none is named), one line per check. Exit 0
// when everything a run needs works, 1 otherwise.
func runCheck(ctx context.Context, o *configOption, names []string, stdout, stderr io.Writer) int {
	var rep preflight.Report
	cfg, err := o.load()
	if err != nil {
		var errs config.Errors
		if errors.As(err, &errs) {
			for _, e := range errs {
				rep.Add(preflight.Check{Status: preflight.Fail, Name: "config", Detail: e.Error()})
			}
		} else {
			rep.Add(preflight.Check{Status: preflight.Fail, Name: "config", Detail: err.Error()})
		}
		for _, n := range []string{"database", "genesys login", "API endpoints"} {
			rep.Add(preflight.Check{Status: preflight.Skipped, Name: n, Detail: "no valid configuration"})
		}
		rep.Render(stdout)
		return exitFailure
	}
	pipelines, feeds, unknown := selectChecked(cfg, names)
	for _, n := range unknown {
		rep.Add(preflight.Check{Status: preflight.Fail, Name: "config", Detail: fmt.Sprintf("no pipeline or feed named %q (pipelines: %s; feeds: %s)",
			n, listOrNone(slices.Sorted(slices.Values(pipelineNames(cfg)))), listOrNone(feedNames(cfg)))})
	}
	rep.Add(preflight.Check{Status: preflight.OK, Name: "config", Detail: configSummary(cfg, pipelines, feeds)})

	rep.Add(checkDatabase(ctx, cfg, o.path()))

	if err := cfg.RequireGenesys(); err != nil {
		var errs config.Errors
		if errors.As(err, &errs) {
			for _, e := range errs {
				rep.Add(preflight.Check{Status: preflight.Fail, Name: "genesys login", Detail: e.Error()})
			}
		} else {
			rep.Add(preflight.Check{Status: preflight.Fail, Name: "genesys login", Detail: err.Error()})
		}
		rep.Add(preflight.Check{Status: preflight.Skipped, Name: "API endpoints", Detail: "no login"})
		rep.Render(stdout)
		return exitFailure
	}
	client, err := newClient(cfg, slog.New(slog.DiscardHandler))
	if err != nil {
		rep.Add(preflight.Check{Status: preflight.Fail, Name: "genesys login", Detail: err.Error()})
		rep.Render(stdout)
		return exitFailure
	}
	login := preflight.CheckLogin(ctx, client, preflight.LoginTarget{
		Region: cfg.Genesys.Region, IDEnv: cfg.Genesys.ClientIDEnv, SecretEnv: cfg.Genesys.ClientSecretEnv,
	})
	rep.Add(login)
	if login.Status != preflight.OK {
		rep.Add(preflight.Check{Status: preflight.Skipped, Name: "API endpoints", Detail: "the login failed"})
	} else {
		var needs []preflight.Need
		for _, p := range pipelines {
			needs = append(needs, preflight.PipelineNeeds(pipelineSpec(p))...)
		}
		authority := ""
		for _, f := range feeds {
			spec := feedSpec(f)
			authority = cmp.Or(authority, spec.Authority)
			needs = append(needs, preflight.FeedNeeds(spec)...)
		}
		for _, c := range preflight.Probe(ctx, client, needs, preflight.ProbeConfig{Authority: authority}) {
			rep.Add(c)
		}
	}
	rep.Render(stdout)
	if !rep.OK() {
		return exitFailure
	}
	return exitOK
}

// selectChecked returns the pipelines and feeds named (every one when
// names is empty), sorted by name, and the names that are neither. A name
// that is both a pipeline and a feed selects both.
func selectChecked(cfg *config.Config, names []string) (ps []*config.Pipeline, fs []*config.Feed, unknown []string) {
	all := len(names) == 0
	for _, n := range slices.Sorted(slices.Values(pipelineNames(cfg))) {
		if all || slices.Contains(names, n) {
			ps = append(ps, cfg.Pipelines[n])
		}
	}
	for _, n := range feedNames(cfg) {
		if all || slices.Contains(names, n) {
			fs = append(fs, cfg.Feeds[n])
		}
	}
	for _, n := range names {
		if cfg.Pipelines[n] == nil && cfg.Feeds[n] == nil && !slices.Contains(unknown, n) {
			unknown = append(unknown, n)
		}
	}
	return ps, fs, unknown
}

func feedNames(cfg *config.Config) []string {
	var names []string
	for n := range cfg.Feeds {
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}

func listOrNone(xs []string) string {
	if len(xs) == 0 {
		return "none"
	}
	return strings.Join(xs, ", ")
}

func configSummary(cfg *config.Config, ps []*config.Pipeline, fs []*config.Feed) string {
	src := cfg.File
	if src == "" {
		src = "no file (defaults and environment)"
	}
	var pn, fn []string
	for _, p := range ps {
		pn = append(pn, p.Name)
	}
	for _, f := range fs {
		fn = append(fn, f.Name)
	}
	return fmt.Sprintf("%s: valid; checking pipelines: %s; feeds: %s", src, listOrNone(pn), listOrNone(fn))
}

func pipelineSpec(p *config.Pipeline) preflight.PipelineSpec {
	fc, _ := p.Forward() // valid: Load checked the section
	fc = fc.WithDefaults()
	return preflight.PipelineSpec{Name: p.Name, Streams: fc.Streams, Expand: fc.Expand, QueueStrategy: fc.QueueStrategy}
}

func feedSpec(f *config.Feed) preflight.FeedSpec {
	owns := func(a string) bool { return slices.Contains(f.Owns, a) }
	strip := f.Offboard.StripRoles != nil && *f.Offboard.StripRoles
	return preflight.FeedSpec{Name: f.Name, Authority: f.ExternalIDAuthority, OffboardAction: f.Offboard.Action, RevokesRoles: owns("roles") || strip}
}

// checkDatabase connects with the configured URL and reads the migration
// status. It names host:port/database, never the URL.
func checkDatabase(ctx context.Context, cfg *config.Config, cfgPath string) preflight.Check {
	env := cfg.Database.URLEnv
	if v, ok := os.LookupEnv(env); !ok || strings.TrimSpace(v) == "" {
		return preflight.Check{Status: preflight.Fail, Name: "database", Detail: fmt.Sprintf("$%s is not set: export it with the PostgreSQL connection string (postgres://user:password@host:5432/dbname)", env)}
	}
	pc, err := store.ParseTarget(cfg.Database.URL.Value())
	if err != nil {
		return preflight.Check{Status: preflight.Fail, Name: "database", Detail: fmt.Sprintf("$%s is not a valid PostgreSQL connection string", env)}
	}
	migrate := "syncer migrate"
	if cfgPath != "" {
		migrate += " --config " + cfgPath
	}
	target := preflight.DatabaseTarget{
		Where:   pc.Host + ":" + strconv.Itoa(int(pc.Port)) + "/" + pc.Database,
		Schema:  cfg.Database.Schema,
		URLEnv:  env,
		Migrate: migrate,
	}
	var st *store.Store
	defer func() {
		if st != nil {
			st.Close()
		}
	}()
	return preflight.CheckDatabase(ctx, target, func(ctx context.Context) (preflight.Migrations, error) {
		var err error
		st, err = openStore(ctx, cfg)
		switch {
		case errors.Is(err, store.ErrAccessDenied):
			return nil, fmt.Errorf("%w: %w", preflight.ErrAccessDenied, err)
		case errors.Is(err, store.ErrNoDatabase):
			return nil, fmt.Errorf("%w: %w", preflight.ErrNoDatabase, err)
		case err != nil:
			return nil, err
		}
		return migrationCounts{st}, nil
	})
}

// migrationCounts gives the database check the store's migration status.
type migrationCounts struct{ st *store.Store }

func (m migrationCounts) MigrationCounts(ctx context.Context) (applied, known int, err error) {
	ms, err := m.st.MigrationStatus(ctx)
	if err != nil {
		return 0, 0, err
	}
	for _, s := range ms {
		if s.Applied {
			applied++
		}
	}
	return applied, len(ms), nil
}
