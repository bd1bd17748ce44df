package main

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/user"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/usersync/syncer/internal/config"
	"github.com/usersync/syncer/internal/reverse"
	"github.com/usersync/syncer/internal/schedule"
	"github.com/usersync/syncer/internal/store"
	"github.com/usersync/syncer/internal/textfmt"
)

func init() { register("plans", newPlansCommand) }

// plansActions are the actions of syncer plans, the first the default.
var plansActions = []string{"list", "show", "approve", "reject", "apply"}

// plansOptions are the flags of syncer plans.
type plansOptions struct {
	cfg      *configOption
	feed     string
	statuses stringList
	limit    int
	asJSON   bool
	reason   string
	as       string
	noApply  bool
}

// plansFlagActions says which actions take each flag of their own.
var plansFlagActions = map[string][]string{
	"feed": {"list"}, "status": {"list"}, "limit": {"list"}, "json": {"list", "show"},
	"reason": {"approve", "reject"}, "as": {"approve", "reject"}, "no-apply": {"approve"},
}

func newPlansCommand() *cobra.Command {
	o := &plansOptions{}
	c := &cobra.Command{
		Use:   "plans [list | show ID | approve ID | reject ID | apply ID]",
		Short: "list, show, approve or reject the plans of scheduled feeds parked for approval",
		Long: `Plans lists the plans of the feeds (list, the default: parked ones and applied
ones, newest first), shows one with its per-person diff and its approval
journal (show), and records a person's decision on a plan parked because it
tripped a guard (approve, reject). ID is a plan's id or its start.

  list     the plans, newest first (--feed, --status, --limit, --json)
  show     one plan: status, guards tripped, who decided when and why, the diff
  approve  approve a parked plan, then apply it now as a run of its feed
           (feed:NAME, under the lock syncer serve takes): applied only if the
           org has not changed since it was planned; a stale plan is planned
           again, and parked again if a guard still trips. --no-apply leaves
           the apply to syncer serve
  reject   reject a parked plan: it is never applied
  apply    apply an approved plan, or finish one whose apply was cut short

The approver is the OS user, or --as NAME. Decisions are journaled with
--reason.

Exit status: 0 success (approve and apply: the plan was applied, or there was
nothing to do), 1 failure (not found, already decided, expired, stale and parked
again, operations failed), 64 a bad command line.`,
		Example: `  syncer plans
  syncer plans list --feed hr --status awaiting_approval
  syncer plans show plan-3f2a9c1d
  syncer plans approve plan-3f2a9c1d --reason reorg
  syncer plans reject plan-3f2a9c1d --as ana --reason truncated-export
  syncer plans apply plan-3f2a9c1d --config syncer.yaml`,
		ValidArgs: plansActions,
		Args: func(c *cobra.Command, args []string) error {
			if len(args) == 0 {
				return nil
			}
			action := args[0]
			if !slices.Contains(plansActions, action) {
				msg := "unknown action " + textfmt.Quote(action) + ": want list, show, approve, reject or apply"
				if near := nearest(action, plansActions); near != "" {
					msg += " (did you mean " + near + "?)"
				}
				return errors.New(msg)
			}
			if action == "list" {
				if len(args) > 1 {
					return fmt.Errorf("unexpected argument %s: plans list takes no ID (--feed and --status filter it)", textfmt.Quote(args[1]))
				}
			} else if err := rangeArgs(2, 2, "plan ID")(c, args); err != nil {
				return fmt.Errorf("plans %s: %w", action, err)
			}
			for flag, actions := range plansFlagActions {
				if c.Flags().Changed(flag) && !slices.Contains(actions, action) {
					return fmt.Errorf("--%s is a flag of plans %s, not of plans %s", flag, strings.Join(actions, " and plans "), action)
				}
			}
			return nil
		},
		RunE: runCode(func(ctx context.Context, args []string, stdout, stderr io.Writer) int {
			action, id := cmp.Or(firstArg(args), plansActions[0]), ""
			if len(args) > 1 {
				id = args[1]
			}
			return runPlans(ctx, o, action, id, stdout, stderr)
		}),
	}
	o.cfg = addConfigFlag(c)
	fs := c.Flags()
	fs.StringVar(&o.feed, "feed", "", "list: the plans of the feed `NAME` only")
	fs.Var(&o.statuses, "status", "list: the plans with this `STATUS` only (awaiting_approval, approved, applying, applied, failed, rejected, expired, superseded, replanned); repeat it for several")
	fs.Var(newIntFlag(&o.limit, store.DefaultPlansLimit, 1, "int"), "limit", fmt.Sprintf("list: at most this many plans (at most %d)", store.MaxPlansLimit))
	fs.BoolVar(&o.asJSON, "json", false, "list, show: print JSON instead of text")
	fs.StringVar(&o.reason, "reason", "", "approve, reject: why, as `TEXT` journaled with the decision")
	fs.StringVar(&o.as, "as", "", "approve, reject: the approver's `NAME` (default: the OS user)")
	fs.BoolVar(&o.noApply, "no-apply", false, "approve: record the approval only; syncer serve applies it (or syncer plans apply ID)")
	_ = c.RegisterFlagCompletionFunc("feed", func(c *cobra.Command, args []string, s string) ([]cobra.Completion, cobra.ShellCompDirective) {
		return o.cfg.completeNames(false, true)(c, nil, s)
	})
	for _, f := range []string{"status", "limit", "reason", "as"} {
		_ = c.RegisterFlagCompletionFunc(f, cobra.NoFileCompletions)
	}
	return c
}

func runPlans(ctx context.Context, o *plansOptions, action, id string, stdout, stderr io.Writer) int {
	cmdName := "plans " + action
	cfg, err := o.cfg.load()
	if err != nil {
		return fail(stderr, cmdName, err)
	}
	loc, err := time.LoadLocation(cfg.Serve.TimeZone)
	if err != nil {
		return fail(stderr, cmdName, fmt.Errorf("serve.timezone: %w", err))
	}
	st, err := openStore(ctx, cfg)
	if err != nil {
		return fail(stderr, cmdName, err)
	}
	defer st.Close()
	if err := requireMigrated(ctx, st); err != nil {
		return fail(stderr, cmdName, err)
	}
	appr := reverse.NewApprovals(st)
	switch action {
	case "list":
		plans, err := appr.ListPlans(ctx, reverse.PlanFilter{Feed: o.feed, Statuses: o.statuses, Limit: min(o.limit, store.MaxPlansLimit)})
		if err != nil {
			return fail(stderr, cmdName, err)
		}
		if o.asJSON {
			return printJSON(stdout, stderr, cmdName, plans)
		}
		renderPlanList(stdout, plans, loc)
		return exitOK
	case "show":
		d, err := appr.PlanDetail(ctx, id)
		if err != nil {
			return fail(stderr, cmdName, err)
		}
		if o.asJSON {
			return printJSON(stdout, stderr, cmdName, d)
		}
		renderPlanDetail(stdout, d, loc)
		return exitOK
	case "reject":
		actor, err := approver(o.as)
		if err != nil {
			return fail(stderr, cmdName, err)
		}
		d, err := appr.Reject(ctx, id, actor, o.reason)
		if err != nil {
			return fail(stderr, cmdName, err)
		}
		fmt.Fprintf(stdout, "Rejected plan %s (feed %s) as %s%s: it will never be applied.\n", d.ID, textfmt.Safe(d.Feed), textfmt.Safe(actor), reasonSuffix(o.reason))
		return exitOK
	}
	// approve and apply: the plan's feed as configured, checked before the
	// decision is recorded, so that an approval is not left with no way
	// here to apply it.
	d, err := appr.PlanDetail(ctx, id)
	if err != nil {
		return fail(stderr, cmdName, err)
	}
	fc := cfg.Feeds[d.Feed]
	if fc == nil && !(action == "approve" && o.noApply) {
		return fail(stderr, cmdName, fmt.Errorf("plan %s is of feed %s, which the configuration does not have (feeds: %s); apply it with the configuration syncer serve uses, or give --no-apply",
			d.ID, textfmt.Quote(d.Feed), listOrNone(feedNames(cfg))))
	}
	if action == "approve" {
		actor, err := approver(o.as)
		if err != nil {
			return fail(stderr, cmdName, err)
		}
		if d, err = appr.Approve(ctx, d.ID, actor, o.reason); err != nil {
			return fail(stderr, cmdName, err)
		}
		fmt.Fprintf(stdout, "Approved plan %s (feed %s) as %s%s.\n", d.ID, textfmt.Safe(d.Feed), textfmt.Safe(actor), reasonSuffix(o.reason))
		if o.noApply {
			fmt.Fprintf(stdout, "Not applied now (--no-apply): syncer serve applies it with its next look at the feed %s, or run: syncer plans apply %s\n", textfmt.Safe(d.Feed), d.ID)
			return exitOK
		}
	}
	return applyApprovedPlan(ctx, cfg, st, d.ID, fc, loc, stdout, stderr, cmdName)
}

// applyApprovedPlan applies an approved plan as a run of its feed and says
// how it ended.
func applyApprovedPlan(ctx context.Context, cfg *config.Config, st *store.Store, id string, fc *config.Feed, loc *time.Location, stdout, stderr io.Writer, cmdName string) int {
	log := newLogger(stderr, cfg.Log.Level, cfg.Log.Format)
	client, err := newClient(cfg, log)
	if err != nil {
		return fail(stderr, cmdName, err)
	}
	svc := reverse.New(client, st, reverse.Config{Workers: max(1, cfg.Rate.MaxInFlight/2), Logger: log})
	fmt.Fprintf(stdout, "Applying plan %s as a run of %s…\n", id, schedule.FeedJobPrefix+fc.Name)
	run, err := svc.ApplyApproved(ctx, id, fc, cfg.Rate.RequestsPerMinute, func() {
		fmt.Fprintf(stdout, "Waiting for the lock of %s: a run of the feed is in progress elsewhere (syncer serve applies approved plans too).\n", schedule.FeedJobPrefix+fc.Name)
	})
	d, derr := svc.Approvals().PlanDetail(context.WithoutCancel(ctx), id)
	if err != nil {
		if ctx.Err() != nil && run.RunID != 0 {
			fmt.Fprintf(stderr, "syncer %s: interrupted; the plan stays approved: syncer serve, or syncer plans apply %s, finishes it without repeating what was done\n", cmdName, id)
			return exitFailure
		}
		return fail(stderr, cmdName, err)
	}
	if derr != nil {
		return fail(stderr, cmdName, derr)
	}
	if run.RunID == 0 {
		fmt.Fprintf(stdout, "Nothing to do: plan %s is %s (by another process).\n", d.ID, d.Status)
		return exitCodeOf(d.Status == store.ApprovalApplied)
	}
	c := run.Counts
	switch d.Status {
	case store.ApprovalApplied:
		detail := ""
		if n := len(d.Events); n > 0 {
			detail = ": " + textfmt.Safe(d.Events[n-1].Detail)
		}
		fmt.Fprintf(stdout, "Applied plan %s (run %d) in %s%s.\n", d.ID, run.RunID, run.Duration.Round(time.Millisecond), detail)
		return exitOK
	case store.ApprovalReplanned:
		fmt.Fprintf(stdout, "Plan %s was stale: the org changed since it was planned, so it was not applied. The feed was planned again (run %d):\n", d.ID, run.RunID)
		switch run.Outcome {
		case store.StatusAwaitingApproval:
			fmt.Fprintf(stdout, "  a guard still trips: the new plan %s is parked for approval; see syncer plans show %s\n", d.ReplacedBy, d.ReplacedBy)
			return exitFailure
		case store.StatusSucceeded:
			if d.ReplacedBy == "" {
				fmt.Fprintln(stdout, "  the org already matches the feed: nothing to do.")
			} else {
				fmt.Fprintf(stdout, "  the new plan %s trips no guard and was applied: %d operation(s) done, %d write call(s).\n", d.ReplacedBy, c.Done, c.Writes)
			}
			return exitOK
		}
	}
	fmt.Fprintf(stderr, "syncer %s: plan %s is %s after run %d (%s)", cmdName, d.ID, d.Status, run.RunID, run.Outcome)
	if runErr, err := st.Run(context.WithoutCancel(ctx), run.RunID); err == nil && runErr.Error != "" {
		fmt.Fprintf(stderr, ": %s", textfmt.Safe(runErr.Error))
	}
	fmt.Fprintln(stderr)
	return exitFailure
}

func exitCodeOf(ok bool) int {
	if ok {
		return exitOK
	}
	return exitFailure
}

// approver is who decides from the command line: --as NAME, else the OS
// user.
func approver(as string) (string, error) {
	if as != "" {
		return as, nil
	}
	if u, err := user.Current(); err == nil && u.Username != "" {
		return u.Username, nil
	}
	for _, v := range []string{"USER", "LOGNAME"} {
		if name := os.Getenv(v); name != "" {
			return name, nil
		}
	}
	return "", errors.New("cannot tell who is deciding (no OS user name): give --as NAME")
}

func reasonSuffix(r string) string {
	if r = strings.TrimSpace(r); r == "" {
		return ""
	}
	return ": " + textfmt.Quote(r)
}

func printJSON(stdout, stderr io.Writer, cmdName string, v any) int {
	enc := json.NewEncoder(stdout)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		return fail(stderr, cmdName, err)
	}
	return exitOK
}

// planTime is how plans show a time: in the schedules' time zone, with the
// zone, like syncer status.
const planTime = "2006-01-02 15:04 MST"

func renderPlanList(w io.Writer, plans []reverse.PlanSummary, loc *time.Location) {
	if len(plans) == 0 {
		fmt.Fprintln(w, "no plans")
		return
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tFEED\tSTATUS\tCREATED\tPEOPLE\tGUARDS TRIPPED\tDECIDED")
	for _, p := range plans {
		decided := "-"
		if d := p.Decision; d != nil {
			decided = textfmt.Safe(d.By) + " " + d.At.In(loc).Format(planTime)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", p.ID, textfmt.Safe(cmp.Or(p.Feed, "-")), p.Status, p.CreatedAt.In(loc).Format(planTime),
			peopleText(p), cmp.Or(guardNames(p), "-"), decided)
	}
	tw.Flush()
}

// peopleText counts a plan's people by action: +create/restore
// ~change/reactivate -offboard.
func peopleText(p reverse.PlanSummary) string {
	t := p.Totals
	return fmt.Sprintf("+%d ~%d -%d", t.Create+t.Restore, t.Update+t.Reactivate, t.Offboard)
}

func guardNames(p reverse.PlanSummary) string {
	names := make([]string, len(p.Tripped))
	for i, v := range p.Tripped {
		names[i] = v.Guard
	}
	return strings.Join(names, ", ")
}

func renderPlanDetail(w io.Writer, d *reverse.PlanDetail, loc *time.Location) {
	at := func(t time.Time) string { return t.In(loc).Format(planTime) }
	fmt.Fprintf(w, "Plan %s of feed %s: %s\n", d.ID, textfmt.Safe(cmp.Or(d.Feed, "-")), d.Status)
	if d.Parked {
		fmt.Fprintf(w, "Parked %s", at(d.CreatedAt))
		if d.RunID != 0 {
			fmt.Fprintf(w, " by run %d", d.RunID)
		}
		if d.Status == store.ApprovalAwaiting {
			fmt.Fprintf(w, "; can be approved until %s", at(d.ExpiresAt))
		}
		fmt.Fprintln(w, ".")
	} else {
		fmt.Fprintf(w, "Journaled %s (not parked for approval).\n", at(d.CreatedAt))
	}
	if len(d.Tripped) > 0 {
		fmt.Fprintln(w, "Guards tripped:")
		for _, v := range d.Tripped {
			fmt.Fprintf(w, "  %s: %s\n", v.Guard, textfmt.Safe(v.Message))
		}
	}
	if dc := d.Decision; dc != nil {
		verb := "Rejected"
		if dc.Approved {
			verb = "Approved"
		}
		fmt.Fprintf(w, "%s by %s at %s%s.\n", verb, textfmt.Safe(dc.By), at(dc.At), reasonSuffix(dc.Reason))
	}
	if d.Replaces != "" {
		fmt.Fprintf(w, "Planned again from the stale approved plan %s.\n", d.Replaces)
	}
	if d.ReplacedBy != "" {
		fmt.Fprintf(w, "Replaced by plan %s.\n", d.ReplacedBy)
	}
	if len(d.Operations) > 0 {
		var parts []string
		for _, s := range []string{store.OpDone, store.OpFailed, store.OpSkipped, store.OpRunning, store.OpPending} {
			if n := d.Operations[s]; n > 0 {
				parts = append(parts, fmt.Sprintf("%d %s", n, s))
			}
		}
		fmt.Fprintf(w, "Apply journal: %s.\n", strings.Join(parts, ", "))
	}
	if len(d.Events) > 0 {
		fmt.Fprintln(w, "\nApproval journal:")
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
		for _, e := range d.Events {
			var what []string
			if e.Reason != "" {
				what = append(what, textfmt.Quote(e.Reason))
			}
			if e.Detail != "" {
				what = append(what, textfmt.Safe(e.Detail))
			}
			fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\n", at(e.At), e.Event, textfmt.Safe(cmp.Or(e.Actor, "syncer")), strings.Join(what, "; "))
		}
		tw.Flush()
	}
	fmt.Fprintln(w)
	fmt.Fprint(w, d.Diff)
}
