package main

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"text/tabwriter"
	"time"

	"github.com/usersync/syncer/internal/config"
	"github.com/usersync/syncer/internal/schedule"
	"github.com/usersync/syncer/internal/store"
)

func init() {
	register(command{name: "status", summary: "show pipelines, last runs, next scheduled times and watermarks", run: runStatus})
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

func runStatus(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := newFlags("status", "[flags]", stderr)
	cfgPath := configFlag(fs)
	asJSON := fs.Bool("json", false, "print JSON instead of a table")
	if code, ok := parseFlags(fs, args); !ok {
		return code
	}
	cfg, err := loadConfig(*cfgPath)
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
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(rows); err != nil {
			return fail(stderr, "status", err)
		}
		return exitOK
	}
	renderStatus(stdout, rows)
	return exitOK
}

func collectStatus(ctx context.Context, cfg *config.Config, st *store.Store, now time.Time) ([]pipelineStatus, error) {
	loc, err := time.LoadLocation(cfg.Serve.TimeZone)
	if err != nil {
		return nil, err
	}
	names := make([]string, 0, len(cfg.Pipelines))
	for n := range cfg.Pipelines {
		names = append(names, n)
	}
	slices.Sort(names)
	out := make([]pipelineStatus, 0, len(names))
	for _, name := range names {
		p := cfg.Pipelines[name]
		ps := pipelineStatus{Pipeline: name, Watermarks: []watermarkStatus{}, loc: loc}
		if p.Schedule != "" {
			spec := p.Schedule
			ps.Schedule = &spec
			if sched, err := config.CronParser.Parse(p.Schedule); err == nil {
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

func renderStatus(w io.Writer, rows []pipelineStatus) {
	if len(rows) == 0 {
		fmt.Fprintln(w, "no pipelines configured (see configs/syncer.example.yaml)")
		return
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "PIPELINE\tLAST RUN\tOUTCOME\tDURATION\tROWS\tCALLS\tNEXT RUN\tLAST SUCCESS")
	for _, r := range rows {
		last, outcome, dur, nrows, calls := "never", "-", "-", "-", "-"
		if lr := r.LastRun; lr != nil {
			last = fmt.Sprintf("#%d %s", lr.ID, lr.StartedAt.Local().Format("2006-01-02 15:04"))
			outcome = lr.Status
			if lr.DurationSeconds != nil {
				dur = time.Duration(*lr.DurationSeconds * float64(time.Second)).Round(time.Second).String()
			}
			nrows, calls = fmt.Sprint(lr.RowsReceived()), fmt.Sprint(lr.Calls.Total)
		}
		next := "on demand"
		if r.NextRun != nil {
			next = r.NextRun.In(cmp.Or(r.loc, time.UTC)).Format("2006-01-02 15:04 MST")
		}
		ok := "-"
		if r.LastSuccess != nil {
			ok = r.LastSuccess.Local().Format("2006-01-02 15:04")
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", r.Pipeline, last, outcome, dur, nrows, calls, next, ok)
	}
	tw.Flush()
	for _, r := range rows {
		if len(r.Watermarks) == 0 {
			continue
		}
		fmt.Fprintf(w, "\n%s watermarks:\n", r.Pipeline)
		for _, wm := range r.Watermarks {
			var v string
			if wm.Cursor != nil {
				v = *wm.Cursor
			}
			if wm.Watermark != nil {
				v = wm.Watermark.UTC().Format(time.RFC3339)
			}
			fmt.Fprintf(w, "  %-18s %s (updated %s)\n", wm.Stream, v, wm.UpdatedAt.Local().Format("2006-01-02 15:04:05"))
		}
		if r.LastRun != nil && r.LastRun.Error != nil {
			fmt.Fprintf(w, "  last error: %s\n", *r.LastRun.Error)
		}
	}
}
