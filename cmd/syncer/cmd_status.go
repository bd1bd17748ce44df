package main

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"slices"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/usersync/syncer/internal/config"
	"github.com/usersync/syncer/internal/reverse"
	"github.com/usersync/syncer/internal/schedule"
	"github.com/usersync/syncer/internal/store"
	"github.com/usersync/syncer/internal/textfmt"
)

func init() { register("status", newStatusCommand) }

func newStatusCommand() *cobra.Command {
	var (
		cfg    *configOption
		asJSON bool
	)
	c := &cobra.Command{
		Use:   "status",
		Short: "show pipelines, last runs, next scheduled times, watermarks and parked plans",
		Long: `Status lists every configured pipeline and scheduled feed (feed:NAME) with its
last run (outcome, duration, rows, calls), its next scheduled run, its last
success and its watermarks, then the plans parked for approval. The table
shows times in the schedules' time zone (serve.timezone, UTC by default), each
with its zone; --json gives them in UTC (docs/schema/status.schema.json).

Exit status: 0 success, 1 failure, 64 a bad command line.`,
		Example: `  syncer status --config syncer.yaml
  syncer status --json`,
		Args: rangeArgs(0, 0, ""),
		RunE: runCode(func(ctx context.Context, _ []string, stdout, stderr io.Writer) int {
			return runStatus(ctx, cfg, asJSON, stdout, stderr)
		}),
	}
	cfg = addConfigFlag(c)
	c.Flags().BoolVar(&asJSON, "json", false, "print JSON instead of a table")
	return c
}

// pipelineStatus is one row of `syncer status`; with --json, one element
// of the array docs/schema/status.schema.json describes. Like /runs, every
// field is always present, null where a value does not apply, and the last
// run is the same document as a run of /runs.
type pipelineStatus struct {
	Pipeline    string            `json:"pipeline"`
	Schedule    *string           `json:"schedule"`
	NextRun     *time.Time        `json:"next_run"`
	LastRun     *schedule.RunInfo `json:"last_run"`
	LastSuccess *time.Time        `json:"last_success"`
	Watermarks  []watermarkStatus `json:"watermarks"`
	// loc is the schedules' time zone, in which the table shows NextRun.
	loc *time.Location
}

type watermarkStatus struct {
	Stream    string     `json:"stream"`
	Watermark *time.Time `json:"watermark"`
	Cursor    *string    `json:"cursor"`
	UpdatedAt time.Time  `json:"updated_at"`
}

func runStatus(ctx context.Context, o *configOption, asJSON bool, stdout, stderr io.Writer) int {
	cfg, err := o.load()
	if err != nil {
		return fail(stderr, "status", err)
	}
	st, err := openStore(ctx, cfg)
	if err != nil {
		return fail(stderr, "status", err)
	}
	defer st.Close()
	rows, err := collectStatus(ctx, cfg, st, time.Now())
	if err != nil {
		return fail(stderr, "status", err)
	}
	if asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(rows); err != nil {
			return fail(stderr, "status", err)
		}
		return exitOK
	}
	renderStatus(stdout, rows)
	// Plans waiting for a person, or for their apply.
	parked, err := reverse.NewApprovals(st).ListPlans(ctx, reverse.PlanFilter{
		Statuses: []string{store.ApprovalAwaiting, store.ApprovalApproved, store.ApprovalApplying}, Limit: store.MaxPlansLimit})
	if err != nil {
		return fail(stderr, "status", err)
	}
	loc, _ := time.LoadLocation(cfg.Serve.TimeZone) // collectStatus checked it
	renderParked(stdout, parked, loc)
	return exitOK
}

// renderParked lists the plans parked for approval, and the approved ones
// not applied yet, after the status table; nothing when there are none.
func renderParked(w io.Writer, plans []reverse.PlanSummary, loc *time.Location) {
	if len(plans) == 0 {
		return
	}
	fmt.Fprintf(w, "\nPlans awaiting approval or their apply (%d; syncer plans show ID):\n", len(plans))
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	for _, p := range plans {
		when := "parked " + p.CreatedAt.In(loc).Format(statusTime)
		switch {
		case p.Status == store.ApprovalAwaiting:
			when += ", expires " + p.ExpiresAt.In(loc).Format(statusTime)
		case p.Decision != nil:
			when += ", approved by " + textfmt.Safe(p.Decision.By) + " " + p.Decision.At.In(loc).Format(statusTime)
		}
		fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\tguards: %s\t%s\n", p.ID, textfmt.Safe(p.Feed), p.Status, peopleText(p), cmp.Or(guardNames(p), "-"), when)
	}
	tw.Flush()
}

func collectStatus(ctx context.Context, cfg *config.Config, st *store.Store, now time.Time) ([]pipelineStatus, error) {
	loc, err := time.LoadLocation(cfg.Serve.TimeZone)
	if err != nil {
		return nil, err
	}
	// The pipelines, then the scheduled feeds (as feed:NAME, their job's
	// name in sync_runs and /runs).
	type job struct{ name, schedule string }
	var jobs []job
	for _, n := range slices.Sorted(maps.Keys(cfg.Pipelines)) {
		jobs = append(jobs, job{n, cfg.Pipelines[n].Schedule})
	}
	for _, n := range feedNames(cfg) {
		if f := cfg.Feeds[n]; f.Schedule != "" {
			jobs = append(jobs, job{schedule.FeedJobPrefix + n, f.Schedule})
		}
	}
	out := make([]pipelineStatus, 0, len(jobs))
	for _, jb := range jobs {
		name := jb.name
		ps := pipelineStatus{Pipeline: name, Watermarks: []watermarkStatus{}, loc: loc}
		if jb.schedule != "" {
			spec := jb.schedule
			ps.Schedule = &spec
			if sched, err := config.CronParser.Parse(spec); err == nil {
				next := sched.Next(now.In(loc)).UTC()
				ps.NextRun = &next
			}
		}
		runs, err := st.Runs(ctx, name, 20)
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			return nil, fmt.Errorf("read runs of %s: %w", name, err)
		}
		for i, r := range runs {
			if i == 0 {
				ri := schedule.NewRunInfo(r)
				ps.LastRun = &ri
			}
			if r.Status == store.StatusSucceeded && ps.LastSuccess == nil {
				t := r.FinishedAt.UTC()
				ps.LastSuccess = &t
			}
		}
		wms, err := st.Watermarks(ctx, name)
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			return nil, fmt.Errorf("read watermarks of %s: %w", name, err)
		}
		for _, w := range wms {
			ws := watermarkStatus{Stream: w.Stream, UpdatedAt: w.UpdatedAt.UTC()}
			if !w.Watermark.IsZero() {
				t := w.Watermark.UTC()
				ws.Watermark = &t
			}
			if w.Cursor != "" {
				c := w.Cursor
				ws.Cursor = &c
			}
			ps.Watermarks = append(ps.Watermarks, ws)
		}
		out = append(out, ps)
	}
	return out, nil
}

// statusTime is how the status table shows a time: in the schedules'
// time zone, with the zone, like NEXT RUN.
const statusTime = "2006-01-02 15:04 MST"

func renderStatus(w io.Writer, rows []pipelineStatus) {
	if len(rows) == 0 {
		fmt.Fprintln(w, "no pipelines configured (see configs/syncer.example.yaml)")
		return
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "PIPELINE\tLAST RUN\tOUTCOME\tDURATION\tROWS\tCALLS\tNEXT RUN\tLAST SUCCESS")
	for _, r := range rows {
		loc := cmp.Or(r.loc, time.UTC)
		last, outcome, dur, nrows, calls := "never", "-", "-", "-", "-"
		if lr := r.LastRun; lr != nil {
			last = fmt.Sprintf("#%d %s", lr.ID, lr.StartedAt.In(loc).Format(statusTime))
			outcome = lr.Status
			if lr.DurationSeconds != nil {
				dur = time.Duration(*lr.DurationSeconds * float64(time.Second)).Round(time.Second).String()
			}
			nrows, calls = fmt.Sprint(lr.RowsReceived()), fmt.Sprint(lr.Calls.Total)
		}
		next := "on demand"
		if r.NextRun != nil {
			next = r.NextRun.In(loc).Format(statusTime)
		}
		ok := "-"
		if r.LastSuccess != nil {
			ok = r.LastSuccess.In(loc).Format(statusTime)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", r.Pipeline, last, outcome, dur, nrows, calls, next, ok)
	}
	tw.Flush()
	for _, r := range rows {
		if len(r.Watermarks) == 0 {
			continue
		}
		loc := cmp.Or(r.loc, time.UTC)
		fmt.Fprintf(w, "\n%s watermarks:\n", r.Pipeline)
		for _, wm := range r.Watermarks {
			var v string
			if wm.Cursor != nil {
				v = textfmt.Safe(*wm.Cursor)
			}
			if wm.Watermark != nil {
				v = wm.Watermark.UTC().Format(time.RFC3339)
			}
			fmt.Fprintf(w, "  %-18s %s (updated %s)\n", wm.Stream, v, wm.UpdatedAt.In(loc).Format("2006-01-02 15:04:05 MST"))
		}
		if r.LastRun != nil && r.LastRun.Error != nil {
			fmt.Fprintf(w, "  last error: %s\n", textfmt.Safe(*r.LastRun.Error))
		}
	}
}
