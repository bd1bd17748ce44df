package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"github.com/usersync/syncer/internal/apply"
	"github.com/usersync/syncer/internal/config"
	"github.com/usersync/syncer/internal/diff"
	"github.com/usersync/syncer/internal/reverse"
	"github.com/usersync/syncer/internal/textfmt"
)

func init() { register("apply", newApplyCommand) }

// applyOptions are apply's own flags.
type applyOptions struct {
	resume, force, noVerify bool
}

func newApplyCommand() *cobra.Command {
	var (
		ff *feedFlags
		o  applyOptions
	)
	c := &cobra.Command{
		Use:   "apply {PLAN.json | FEED | --resume [PLAN_ID]}",
		Short: "apply a saved plan or a feed (plan + guards + apply), journaled and resumable",
		Long: `Apply applies a plan saved with syncer plan --out (refused when the org changed
since it was computed), or plans a feed and applies it in one step, guarded and
journaled; --resume continues an interrupted apply. Guard flags given with a
saved plan judge its verdicts again.

Exit status: 0 nothing to do or everything applied and verified; 1 a tripped
guard, a stale plan, a failed operation or differences left after the apply;
64 a bad command line.`,
		Example: `  syncer apply plan.json
  syncer apply configs/samples/hr_feed.csv --max-offboards 40
  syncer apply --resume
  syncer apply --resume PLAN_ID --config syncer.yaml`,
		Args: func(c *cobra.Command, args []string) error {
			if len(args) == 0 && !o.resume {
				return errors.New("PLAN.json or FEED is required (or --resume to continue an interrupted apply)")
			}
			what := "PLAN.json or FEED"
			if o.resume {
				what = "PLAN_ID"
			}
			return rangeArgs(0, 1, what)(c, args)
		},
		RunE: runCode(func(ctx context.Context, args []string, stdout, stderr io.Writer) int {
			return runApply(ctx, ff, o, firstArg(args), stdout, stderr)
		}),
	}
	ff = addFeedFlags(c)
	fs := c.Flags()
	fs.BoolVar(&o.resume, "resume", false, "continue an interrupted apply: the plan named, else the latest one applying or failed")
	fs.BoolVar(&o.force, "force", false, "apply a saved plan even though the org changed since it was computed")
	fs.BoolVar(&o.noVerify, "no-verify", false, "do not re-read the org and re-plan after the apply")
	return c
}

func runApply(ctx context.Context, ff *feedFlags, o applyOptions, arg string, stdout, stderr io.Writer) int {
	cfg, err := ff.cfg.load()
	if err != nil {
		return fail(stderr, "apply", err)
	}
	log := newLogger(stderr, cfg.Log.Level, cfg.Log.Format)
	svc, st, err := openReverse(ctx, cfg, log)
	if err != nil {
		return fail(stderr, "apply", err)
	}
	defer st.Close()

	var plan *diff.Plan
	opts := reverse.ApplyOptions{Verify: !o.noVerify, Force: o.force}
	feedPath := ""
	switch {
	case o.resume:
		saved, err := st.LatestUnfinishedPlan(ctx)
		if arg != "" {
			saved, err = st.Plan(ctx, arg)
		}
		if err != nil {
			return fail(stderr, "apply", err)
		}
		plan = &diff.Plan{}
		if err := json.Unmarshal(saved.Body, plan); err != nil {
			return fail(stderr, "apply", fmt.Errorf("plan %s: %w", saved.ID, err))
		}
		fmt.Fprintf(stdout, "Resuming plan %s (%s, %d operations).\n", saved.ID, saved.Status, len(plan.Operations))
	default:
		if p, ok, err := readSavedPlan(arg); err != nil {
			return fail(stderr, "apply", err)
		} else if ok {
			plan = p
			if err := ff.rejudge(plan); err != nil {
				return fail(stderr, "apply", err)
			}
			opts.CheckFresh = true
			fmt.Fprintf(stdout, "Applying the saved plan %s (%d operations, computed from %s).\n", arg, len(plan.Operations), plan.Feed)
		} else {
			feedPath = arg
		}
	}
	var sp reverse.Spec
	if plan != nil {
		// A saved or resumed plan is applied and verified with the settings
		// it was made with; the configuration only gets a word in.
		sp, err = savedPlanSpec(ff, cfg, plan, stdout)
	} else {
		sp, err = ff.spec(cfg, feedPath)
	}
	if err != nil {
		return fail(stderr, "apply", err)
	}
	rendered := false
	if plan == nil {
		rendered = true
		p, err := makePlan(ctx, svc, sp, !ff.noRefresh, stdout, stderr)
		if err != nil {
			return fail(stderr, "apply", err)
		}
		plan = p.Plan
		if err := plan.Render(stdout); err != nil {
			return fail(stderr, "apply", err)
		}
		fmt.Fprintln(stdout)
	}
	if !plan.HasChanges() && !o.resume {
		if tripped := plan.Tripped(); len(tripped) > 0 {
			// A broken export whose rows are all rejected plans nothing:
			// it must still fail, as the applier fails a plan with calls.
			return refuseTripped(stderr, "apply", tripped, rendered)
		}
		fmt.Fprintln(stdout, "Nothing to do: the org already matches the feed.")
		return exitOK
	}
	res, err := svc.Apply(ctx, sp, plan, opts)
	var ge *apply.GuardError
	switch {
	case errors.As(err, &ge):
		return refuseTripped(stderr, "apply", ge.Tripped, rendered)
	case err != nil && res != nil && res.PlanID != "" && ctx.Err() != nil:
		fmt.Fprintf(stderr, "syncer apply: interrupted; resume with: syncer apply --resume %s\n", res.PlanID)
		return exitFailure
	case err != nil:
		// The applier's errors say "apply" (and the plan) themselves.
		fmt.Fprintf(stderr, "syncer: %v\n", err)
		// Resuming is the way on only once operations ran: a plan refused
		// before (stale, say) is planned again or applied again.
		if res != nil && res.PlanID != "" && (res.Resumed || res.Previously+res.Done+res.Failed+res.Skipped > 0) {
			fmt.Fprintf(stderr, "resume with: syncer apply --resume %s\n", res.PlanID)
		}
		return exitFailure
	}
	printResult(stdout, res)
	if !res.OK() {
		return exitFailure
	}
	return exitOK
}

// savedPlanSpec is the spec a saved plan carries. It says which settings
// of the configuration differ from the plan's (the plan's are used), and
// refuses a --mode that contradicts the plan.
func savedPlanSpec(ff *feedFlags, cfg *config.Config, plan *diff.Plan, stdout io.Writer) (reverse.Spec, error) {
	sp := reverse.SpecFromPlan(plan)
	if m := ff.mode; ff.fs.Changed("mode") && m != string(plan.Mode) {
		return sp, fmt.Errorf("--mode %s: the plan was made in %s mode and is applied as it was made; plan the feed again to change the mode", m, plan.Mode)
	}
	now, err := ff.spec(cfg, plan.Feed)
	if err != nil {
		fmt.Fprintf(stdout, "Note: the configuration no longer describes this plan's feed (%s); the plan is applied with its own settings.\n", textfmt.Safe(err.Error()))
		return sp, nil
	}
	if ch := diff.SettingsChanges(plan.Settings, now.Diff); len(ch) > 0 {
		fmt.Fprintf(stdout, "Note: the configuration changed since this plan was made; the plan is applied and verified with its own settings:\n")
		for _, c := range ch {
			fmt.Fprintf(stdout, "  %s\n", textfmt.Safe(c))
		}
	}
	return sp, nil
}

// readSavedPlan reads a plan saved with `syncer plan --out`; ok is false
// when the file is not a plan (then it is a feed).
func readSavedPlan(path string) (*diff.Plan, bool, error) {
	if !strings.HasSuffix(strings.ToLower(path), ".json") {
		return nil, false, nil
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, false, fmt.Errorf("read plan: %w", err)
	}
	var probe struct {
		Schema     *int            `json:"schema"`
		Operations json.RawMessage `json:"operations"`
	}
	if json.Unmarshal(b, &probe) != nil || probe.Schema == nil || probe.Operations == nil {
		return nil, false, nil
	}
	var p diff.Plan
	dec := json.NewDecoder(bytes.NewReader(b))
	if err := dec.Decode(&p); err != nil {
		return nil, false, fmt.Errorf("read plan %s: %w", path, err)
	}
	return &p, true, nil
}

func printResult(w io.Writer, res *apply.Result) {
	if res.AlreadyApplied {
		fmt.Fprintf(w, "Plan %s was applied before; nothing to do.\n", res.PlanID)
		return
	}
	fmt.Fprintf(w, "Applied plan %s in %s: %d of %d operations done", res.PlanID, res.Duration.Round(1e6), res.Done, res.Total)
	if res.Previously > 0 {
		fmt.Fprintf(w, " (+%d done before the interruption)", res.Previously)
	}
	fmt.Fprintf(w, ", %d failed, %d skipped; %d write calls, %d reads.\n", res.Failed, res.Skipped, res.Writes, res.Reads)
	if len(res.Failures) > 0 {
		fmt.Fprintln(w, "\nFailures:")
		for _, f := range res.Failures {
			fmt.Fprintf(w, "  %s\n", reverse.Describe(f))
		}
	}
	switch {
	case res.Remaining == nil:
	case res.Converged():
		fmt.Fprintln(w, "Verified: the org was re-read and now matches the feed.")
	default:
		fmt.Fprintf(w, "\nVerification: the org was re-read and still differs from the feed (%d operations):\n\n", len(res.Remaining.Operations))
		_ = res.Remaining.Render(w)
	}
}

// refuseTripped says which guards stop the plan, one line each, and what
// overrides each (the verdict's message names the flag and the config
// key), and returns the exit code of a tripped guard.
//
// When the plan was just printed (rendered), its Guards section already
// says all that: only the guards' names are repeated.
func refuseTripped(stderr io.Writer, cmd string, tripped []diff.Verdict, rendered bool) int {
	if rendered {
		names := make([]string, len(tripped))
		for i, v := range tripped {
			names[i] = v.Guard
		}
		fmt.Fprintf(stderr, "syncer %s: refused before any write, %d guard(s) tripped (%s; see Guards in the plan)\n", cmd, len(tripped), strings.Join(names, ", "))
		return exitFailure
	}
	fmt.Fprintf(stderr, "syncer %s: refused before any write, %d guard(s) tripped:\n", cmd, len(tripped))
	for _, v := range tripped {
		fmt.Fprintf(stderr, "  %s: %s\n", v.Guard, textfmt.Safe(v.Message))
	}
	return exitFailure
}
