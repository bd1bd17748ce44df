package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/usersync/syncer/internal/config"
	"github.com/usersync/syncer/internal/diff"
	"github.com/usersync/syncer/internal/feed"
	"github.com/usersync/syncer/internal/reverse"
	"github.com/usersync/syncer/internal/store"
	"github.com/usersync/syncer/internal/textfmt"
)

func init() { register("plan", newPlanCommand) }

func newPlanCommand() *cobra.Command {
	var (
		ff     *feedFlags
		out    string
		asJSON bool
	)
	c := &cobra.Command{
		Use:   "plan [FEED]",
		Short: "diff an HR feed against the org and print the plan (exit 2 when it has changes, 1 when a guard trips)",
		Long: `Plan reads an HR feed (CSV or JSONL), refreshes what it can change from the org
into Postgres, and prints what applying it would do, with the guards' verdicts.
FEED defaults to the configured feed's path (feeds.NAME.path).

Exit status: 0 no changes, 2 changes, 1 an error or a tripped guard, 64 a bad
command line.`,
		Example: `  syncer plan configs/samples/hr_feed.csv --out plan.json
  syncer plan --config syncer.yaml hr.csv --json
  syncer plan hr.csv --mode delta --max-offboards 40`,
		Args: rangeArgs(0, 1, "FEED"),
		RunE: runCode(func(ctx context.Context, args []string, stdout, stderr io.Writer) int {
			return runPlan(ctx, ff, firstArg(args), out, asJSON, stdout, stderr)
		}),
	}
	ff = addFeedFlags(c)
	c.Flags().StringVar(&out, "out", "", "save the plan as JSON to `FILE`, to apply later with: syncer apply FILE")
	c.Flags().BoolVar(&asJSON, "json", false, "print the plan as JSON instead of text")
	_ = c.MarkFlagFilename("out", "json")
	return c
}

// firstArg is args[0], or "" when there is none.
func firstArg(args []string) string {
	if len(args) == 0 {
		return ""
	}
	return args[0]
}

// feedFlags are the flags plan and apply share.
type feedFlags struct {
	cfg       *configOption
	fs        *pflag.FlagSet
	feedName  string
	mode      string
	noRefresh bool
	// The guard flags, by guard name; each is read only when given.
	counts   map[string]*int
	percents map[string]*float64
}

// guardFlag is the command-line flag overriding a guard.
func guardFlag(guard string) string { return strings.ReplaceAll(guard, "_", "-") }

func addFeedFlags(c *cobra.Command) *feedFlags {
	fs := c.Flags()
	ff := &feedFlags{cfg: addConfigFlag(c), fs: fs, counts: map[string]*int{}, percents: map[string]*float64{}}
	fs.StringVar(&ff.feedName, "feed", "", "the configured feed (feeds.`NAME`) whose settings apply; default: the only one configured")
	mode := newEnumFlag(&ff.mode, "", string(feed.ModeSnapshot), string(feed.ModeDelta))
	fs.Var(mode, "mode", "snapshot (absent users are leavers) or delta (listed users only); default from the feed's config")
	fs.BoolVar(&ff.noRefresh, "no-refresh", false, "plan against the state in Postgres as it is, without re-reading the org first")
	_ = c.RegisterFlagCompletionFunc("mode", mode.complete)
	_ = c.RegisterFlagCompletionFunc("feed", func(c *cobra.Command, args []string, s string) ([]cobra.Completion, cobra.ShellCompDirective) {
		return ff.cfg.completeNames(false, true)(c, nil, s)
	})
	for _, g := range []struct {
		name, usage string
		count       bool
	}{
		{diff.GuardMaxOffboards, "most users that may be offboarded; 0: none (overrides guards.max_offboards)", true},
		{diff.GuardMaxOffboardPercent, "most in-scope users that may be offboarded, in percent (overrides guards.max_offboard_percent)", false},
		{diff.GuardMaxChanges, "most users that may be changed; 0: no limit (overrides guards.max_changes)", true},
		{diff.GuardQueueLoss, "most joined agents a queue may lose, in percent (overrides guards.max_queue_loss_percent)", false},
		{diff.GuardRejectedPercent, "most of the feed's rows that may be rejected, in percent; 100: no limit (overrides guards.max_rejected_percent)", false},
	} {
		if g.count {
			ff.counts[g.name] = new(int)
			fs.Var(newIntFlag(ff.counts[g.name], 0, 0, "int"), guardFlag(g.name), g.usage)
		} else {
			ff.percents[g.name] = new(float64)
			fs.Var(newPercentFlag(ff.percents[g.name], 0), guardFlag(g.name), g.usage)
		}
		// No default of its own: the configuration's guard applies.
		fs.Lookup(guardFlag(g.name)).DefValue = ""
		_ = c.RegisterFlagCompletionFunc(guardFlag(g.name), cobra.NoFileCompletions)
	}
	return ff
}

// guardLimit is the limit given on the command line for the guard; ok is
// false when its flag was not given.
func (ff *feedFlags) guardLimit(guard string) (limit float64, ok bool) {
	if !ff.fs.Changed(guardFlag(guard)) {
		return 0, false
	}
	if n, isCount := ff.counts[guard]; isCount {
		return float64(*n), true
	}
	if p, isPercent := ff.percents[guard]; isPercent {
		return *p, true
	}
	return 0, false
}

// feedConfig returns the configured feed the flags name, or the defaults
// when no feed is configured.
func (ff *feedFlags) feedConfig(cfg *config.Config) (*config.Feed, error) {
	name := ff.feedName
	if name == "" {
		switch len(cfg.Feeds) {
		case 0:
			def, err := config.Parse("defaults", []byte("feeds:\n  default: {}\n"), os.LookupEnv)
			if err != nil {
				return nil, err
			}
			return def.Feeds["default"], nil
		case 1:
			for n := range cfg.Feeds {
				name = n
			}
		default:
			return nil, fmt.Errorf("several feeds are configured (%s): name one with --feed", strings.Join(feedNames(cfg), ", "))
		}
	}
	f, ok := cfg.Feeds[name]
	if !ok {
		return nil, fmt.Errorf("--feed %s: no such feed in the configuration (feeds: %s)", textfmt.Quote(name), listOrNone(feedNames(cfg)))
	}
	return f, nil
}

// spec builds the plan spec for a feed file; path "" takes the configured
// path.
func (ff *feedFlags) spec(cfg *config.Config, path string) (reverse.Spec, error) {
	fc, err := ff.feedConfig(cfg)
	if err != nil {
		return reverse.Spec{}, err
	}
	c := *fc
	if path != "" {
		c.Path = path
	}
	if c.Path == "" {
		return reverse.Spec{}, errors.New("no feed file: give FEED or set feeds.NAME.path")
	}
	if ff.fs.Changed("mode") {
		c.Mode = ff.mode
	}
	ff.applyGuards(&c.Guards)
	if strings.HasSuffix(strings.ToLower(c.Path), ".jsonl") || strings.HasSuffix(strings.ToLower(c.Path), ".ndjson") {
		c.Format = string(feed.FormatJSONL)
	}
	return reverse.SpecFromConfig(&c, cfg.Rate.RequestsPerMinute)
}

// applyGuards writes the guard flags given over the configured guards.
func (ff *feedFlags) applyGuards(g *config.Guards) {
	for name, n := range ff.counts {
		if !ff.fs.Changed(guardFlag(name)) {
			continue
		}
		v := *n
		switch name {
		case diff.GuardMaxOffboards:
			g.MaxOffboards = &v
		case diff.GuardMaxChanges:
			g.MaxChanges = &v
		}
	}
	for name, p := range ff.percents {
		if !ff.fs.Changed(guardFlag(name)) {
			continue
		}
		v := *p
		switch name {
		case diff.GuardMaxOffboardPercent:
			g.MaxOffboardPercent = &v
		case diff.GuardQueueLoss:
			g.MaxQueueLossPercent = &v
		case diff.GuardRejectedPercent:
			g.MaxRejectedPercent = &v
		}
	}
}

// rejudge applies guard flags to the verdicts of a saved plan: a verdict
// whose guard was given on the command line is judged again against the
// limit the flag sets, as a fresh plan would be (diff.Plan.Rejudge; the
// flag means what the configuration key means: reverse.SpecFromConfig).
func (ff *feedFlags) rejudge(p *diff.Plan) error {
	var given []string
	for _, v := range p.Guards {
		if _, ok := ff.guardLimit(v.Guard); ok {
			given = append(given, v.Guard)
		}
	}
	if len(given) == 0 {
		return nil
	}
	f := &config.Feed{}
	ff.applyGuards(&f.Guards)
	sp, err := reverse.SpecFromConfig(f, 0)
	if err != nil {
		return err
	}
	p.Rejudge(sp.Diff.Guards, given...)
	return nil
}

// openReverse connects to the API and the database for plan and apply.
func openReverse(ctx context.Context, cfg *config.Config, log *slog.Logger) (*reverse.Service, *store.Store, error) {
	client, err := newClient(cfg, log)
	if err != nil {
		return nil, nil, err
	}
	st, err := openStore(ctx, cfg)
	if err != nil {
		return nil, nil, err
	}
	if err := requireMigrated(ctx, st); err != nil {
		st.Close()
		return nil, nil, err
	}
	return reverse.New(client, st, reverse.Config{Workers: max(1, cfg.Rate.MaxInFlight/2), Logger: log}), st, nil
}

func runPlan(ctx context.Context, ff *feedFlags, path, out string, asJSON bool, stdout, stderr io.Writer) int {
	cfg, err := ff.cfg.load()
	if err != nil {
		return fail(stderr, "plan", err)
	}
	log := newLogger(stderr, cfg.Log.Level, cfg.Log.Format)
	sp, err := ff.spec(cfg, path)
	if err != nil {
		return fail(stderr, "plan", err)
	}
	svc, st, err := openReverse(ctx, cfg, log)
	if err != nil {
		return fail(stderr, "plan", err)
	}
	defer st.Close()
	p, err := makePlan(ctx, svc, sp, !ff.noRefresh, stdout, stderr)
	if err != nil {
		return fail(stderr, "plan", err)
	}
	if out != "" {
		if err := savePlan(out, p.Plan); err != nil {
			return fail(stderr, "plan", err)
		}
	}
	if asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(p.Plan); err != nil {
			return fail(stderr, "plan", err)
		}
	} else if err := p.Plan.Render(stdout); err != nil {
		return fail(stderr, "plan", err)
	}
	if out != "" {
		fmt.Fprintf(stdout, "\nSaved to %s; apply it with: syncer apply %s\n", out, out)
	}
	if tripped := p.Plan.Tripped(); len(tripped) > 0 {
		// Like apply: a plan that will not be applied is a failure, so a
		// scheduled check notices a broken export. The plan above shows
		// each guard once; stderr names them for whoever reads only it.
		names := make([]string, len(tripped))
		for i, v := range tripped {
			names[i] = v.Guard
		}
		fmt.Fprintf(stderr, "syncer plan: %d guard(s) tripped (%s); apply refuses this plan without an override (see Guards in the plan)\n",
			len(tripped), strings.Join(names, ", "))
		return exitFailure
	}
	if p.Plan.HasChanges() {
		return exitChanges
	}
	return exitOK
}

// makePlan plans a feed and says how fresh the state was. A feed that
// cannot be read at all prints its problems and returns the error.
func makePlan(ctx context.Context, svc *reverse.Service, sp reverse.Spec, refresh bool, stdout, stderr io.Writer) (*reverse.Planned, error) {
	p, err := svc.Plan(ctx, sp, refresh)
	var (
		fe *feed.Error
		re *reverse.RejectedError
	)
	switch {
	case errors.As(err, &fe):
		fmt.Fprintf(stderr, "syncer: the feed %s cannot be used; nothing in it may cause a change, and no API call was made:\n", textfmt.Safe(sp.Path))
		for _, pr := range fe.Problems {
			fmt.Fprintf(stderr, "  %s\n", pr.Error())
		}
		return nil, errors.New("unusable feed")
	case errors.As(err, &re):
		listProblems(stderr, sp.Path, re.Feed.Problems)
		fmt.Fprintf(stderr, "syncer: %s; nothing is planned and no API call was made\n", re.Error())
		return nil, errors.New("too many rejected rows")
	case err != nil:
		return nil, err
	}
	listProblems(stderr, sp.Path, p.Feed.Problems)
	r := p.Reads
	switch {
	case !refresh:
		fmt.Fprintf(stdout, "State as last loaded into Postgres (not refreshed: --no-refresh).\n\n")
	case !r.Refreshed:
		fmt.Fprintf(stdout, "State from Postgres: every stream this plan needs was loaded completely %s ago (refresh_max_age %s); %d API calls.\n\n",
			time.Since(r.StateAt).Round(time.Second), sp.RefreshMaxAge, r.Calls)
	default:
		fmt.Fprintf(stdout, "State refreshed from the org (run %d: %s): %d rows in %s; %d API calls in all.\n\n",
			p.Refresh.RunID, readsText(r), p.Refresh.Rows(), p.Refresh.Duration.Round(1e6), r.Calls)
	}
	return p, nil
}

// readsText says what a refresh read.
func readsText(r reverse.Reads) string {
	parts := []string{"users"}
	if r.AllQueues {
		parts = append(parts, "every queue membership")
	}
	if r.AllRoles {
		parts = append(parts, "every role grant")
	}
	if len(r.MembersOf) > 0 {
		parts = append(parts, fmt.Sprintf("the memberships of %d leavers", len(r.MembersOf)))
	}
	return strings.Join(parts, ", ")
}

// maxListedProblems bounds the feed problems plan and apply print.
const maxListedProblems = 50

// listProblems prints a readable feed's problems on stderr, one a line
// like a compiler: the plan shows only the first reason of a rejected row
// and no warnings, so a row with three unknown names would otherwise take
// three rounds of fixing.
func listProblems(w io.Writer, path string, problems []feed.Problem) {
	if len(problems) == 0 {
		return
	}
	fmt.Fprintf(w, "syncer: the feed %s has %d problem(s); rejected rows cause no change:\n", textfmt.Safe(path), len(problems))
	for i, pr := range problems {
		if i == maxListedProblems {
			fmt.Fprintf(w, "  … and %d more\n", len(problems)-i)
			break
		}
		fmt.Fprintf(w, "  %s\n", pr.Error())
	}
}

func savePlan(path string, p *diff.Plan) error {
	b, err := json.MarshalIndent(p, "", "  ")
	if err != nil {
		return fmt.Errorf("encode plan: %w", err)
	}
	if err := os.WriteFile(path, append(b, '\n'), 0o600); err != nil {
		return fmt.Errorf("save plan: %w", err)
	}
	return nil
}
