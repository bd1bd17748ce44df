package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"text/tabwriter"
	"time"

	"github.com/usersync/syncer/internal/config"
	"github.com/usersync/syncer/internal/store"
)

func init() {
	register(command{name: "status", summary: "show pipelines, last runs, next scheduled times and watermarks", run: runStatus})
}

// pipelineStatus is one row of `syncer status`.
type pipelineStatus struct {
	Pipeline   string            `json:"pipeline"`
	Schedule   string            `json:"schedule,omitempty"`
	NextRun    *time.Time        `json:"next_run,omitempty"`
	LastRun    *lastRun          `json:"last_run,omitempty"`
	LastOK     *time.Time        `json:"last_success,omitempty"`
	Watermarks []watermarkStatus `json:"watermarks"`
}

type lastRun struct {
	ID         int64         `json:"id"`
	Status     string        `json:"status"`
	StartedAt  time.Time     `json:"started_at"`
	FinishedAt *time.Time    `json:"finished_at,omitempty"`
	Duration   time.Duration `json:"duration_ns"`
	Rows       int64         `json:"rows"`
	Calls      int64         `json:"calls"`
	Error      string        `json:"error,omitempty"`
}

type watermarkStatus struct {
	Stream    string     `json:"stream"`
	Watermark *time.Time `json:"watermark,omitempty"`
	Cursor    string     `json:"cursor,omitempty"`
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
		ps := pipelineStatus{Pipeline: name, Schedule: p.Schedule, Watermarks: []watermarkStatus{}}
		if p.Schedule != "" {
			if sched, err := config.CronParser.Parse(p.Schedule); err == nil {
				next := sched.Next(now.In(loc))
				ps.NextRun = &next
			}
		}
		runs, err := st.Runs(ctx, name, 20)
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			return nil, fmt.Errorf("read runs of %s: %w", name, err)
		}
		for i, r := range runs {
			if i == 0 {
				ps.LastRun = toRunStatus(r)
			}
			if r.Status == store.StatusSucceeded && ps.LastOK == nil {
				t := r.FinishedAt
				ps.LastOK = &t
			}
		}
		wms, err := st.Watermarks(ctx, name)
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			return nil, fmt.Errorf("read watermarks of %s: %w", name, err)
		}
		for _, w := range wms {
			ws := watermarkStatus{Stream: w.Stream, Cursor: w.Cursor, UpdatedAt: w.UpdatedAt}
			if !w.Watermark.IsZero() {
				t := w.Watermark
				ws.Watermark = &t
			}
			ps.Watermarks = append(ps.Watermarks, ws)
		}
		out = append(out, ps)
	}
	return out, nil
}

func toRunStatus(r store.Run) *lastRun {
	rs := &lastRun{ID: r.ID, Status: r.Status, StartedAt: r.StartedAt, Error: r.Error}
	if !r.FinishedAt.IsZero() {
		t := r.FinishedAt
		rs.FinishedAt = &t
		rs.Duration = r.FinishedAt.Sub(r.StartedAt)
	}
	// counts: {stream: {table: {Inserted, Updated, Unchanged, Deleted}}}
	var counts map[string]map[string]struct{ Inserted, Updated, Unchanged int64 }
	if json.Unmarshal(r.Counts, &counts) == nil {
		for _, tables := range counts {
			for _, ts := range tables {
				rs.Rows += ts.Inserted + ts.Updated + ts.Unchanged
			}
		}
	}
	var calls struct{ Total int64 }
	if json.Unmarshal(r.Calls, &calls) == nil {
		rs.Calls = calls.Total
	}
	return rs
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
			if lr.FinishedAt != nil {
				dur = lr.Duration.Round(time.Second).String()
			}
			nrows, calls = fmt.Sprint(lr.Rows), fmt.Sprint(lr.Calls)
		}
		next := "on demand"
		if r.NextRun != nil {
			next = r.NextRun.Format("2006-01-02 15:04 MST")
		}
		ok := "-"
		if r.LastOK != nil {
			ok = r.LastOK.Local().Format("2006-01-02 15:04")
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
			v := wm.Cursor
			if wm.Watermark != nil {
				v = wm.Watermark.UTC().Format(time.RFC3339)
			}
			fmt.Fprintf(w, "  %-18s %s (updated %s)\n", wm.Stream, v, wm.UpdatedAt.Local().Format("2006-01-02 15:04:05"))
		}
		if r.LastRun != nil && r.LastRun.Error != "" {
			fmt.Fprintf(w, "  last error: %s\n", r.LastRun.Error)
		}
	}
}
