package pipeline

import (
	"context"
	"fmt"
	"io"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/usersync/syncer/internal/textfmt"
)

// MinCalls is the least number of API calls the run's data needed.
func (s Summary) MinCalls() int64 {
	var n int64
	for _, r := range s.Streams {
		n += r.Progress.MinCalls
	}
	return n
}

// Render writes the end-of-run summary: outcome, rows per stream and table,
// and API calls against the minimum the data needed.
func (s Summary) Render(w io.Writer) {
	if s.Outcome == "" {
		return // the run never started; its error says why
	}
	if s.DryRun {
		fmt.Fprintf(w, "dry run of %s: %s in %s; nothing was written (deletions are decided at commit and not shown)\n", s.Pipeline, s.Outcome, s.Duration.Round(10*time.Millisecond))
	} else {
		fmt.Fprintf(w, "run %d of %s: %s in %s\n", s.RunID, s.Pipeline, s.Outcome, s.Duration.Round(10*time.Millisecond))
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "stream\ttable\treceived\tinserted\tupdated\tunchanged\tdeleted\ttime\t")
	for _, r := range s.Streams {
		tables := r.Stats.Tables()
		if len(tables) == 0 {
			fmt.Fprintf(tw, "%s\t%s\t\t\t\t\t\t%s\t\n", r.Name, r.Outcome, r.Duration.Round(10*time.Millisecond))
			continue
		}
		for i, tb := range tables {
			ts := r.Stats[tb]
			name, dur := "", ""
			if i == 0 {
				name, dur = r.Name, r.Duration.Round(10*time.Millisecond).String()
				if r.Outcome != OutcomeSucceeded {
					name += " (" + r.Outcome + ")"
				}
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t\n", name, tb,
				textfmt.Thousands(ts.Inserted+ts.Updated+ts.Unchanged), textfmt.Thousands(ts.Inserted), textfmt.Thousands(ts.Updated), textfmt.Thousands(ts.Unchanged), textfmt.Thousands(ts.Deleted), dur)
		}
	}
	tw.Flush()
	for _, r := range s.Streams {
		for _, msg := range r.Progress.Warnings {
			fmt.Fprintf(w, "warning: stream %s: %s\n", r.Name, msg)
		}
	}
	c := s.Calls
	line := fmt.Sprintf("API calls: %s", textfmt.Thousands(c.Total))
	if minc := s.MinCalls(); minc > 0 {
		line += fmt.Sprintf(" (minimum for this data %s, %.2fx)", textfmt.Thousands(minc), float64(c.Total)/float64(minc))
	}
	line += fmt.Sprintf(" · 429s: %d · retries: %d · waited for the rate limit: %s", c.RateLimited, c.Retries, c.Waited.Round(10*time.Millisecond))
	if secs := s.Duration.Seconds(); secs > 0 && c.Total > 0 {
		line += fmt.Sprintf(" · %.1f calls/s", float64(c.Total)/secs)
	}
	fmt.Fprintln(w, line)
	if len(c.ByEndpoint) > 0 {
		eps := make([]string, 0, len(c.ByEndpoint))
		for ep := range c.ByEndpoint {
			eps = append(eps, ep)
		}
		slices.Sort(eps)
		for _, ep := range eps {
			var parts []string
			statuses := make([]int, 0, len(c.ByEndpoint[ep]))
			for st := range c.ByEndpoint[ep] {
				statuses = append(statuses, st)
			}
			slices.Sort(statuses)
			for _, st := range statuses {
				label := fmt.Sprint(st)
				if st == 0 {
					label = "network error"
				}
				parts = append(parts, fmt.Sprintf("%s×%d", label, c.ByEndpoint[ep][st]))
			}
			fmt.Fprintf(w, "  %-58s %s\n", ep, strings.Join(parts, " "))
		}
	}
	for _, r := range s.Streams {
		if r.Err != nil {
			fmt.Fprintf(w, "error: %v\n", r.Err)
		}
	}
}

// Display redraws one progress line per stream on a terminal every interval
// until ctx ends, then leaves the final state on screen.
func Display(ctx context.Context, w io.Writer, p *Progress, calls CallSource, interval time.Duration) {
	t := time.NewTicker(interval)
	defer t.Stop()
	start := time.Now()
	lines := 0
	draw := func() {
		snaps := p.Snapshot()
		var b strings.Builder
		if lines > 0 {
			fmt.Fprintf(&b, "\x1b[%dA", lines) // back to the first line
		}
		for _, s := range snaps {
			b.WriteString("\x1b[2K")
			b.WriteString(progressLine(s))
			b.WriteByte('\n')
		}
		b.WriteString("\x1b[2K")
		src := calls
		if src == nil {
			src = p.Calls()
		}
		if src != nil {
			c := src.CallStats()
			el := time.Since(start).Seconds()
			fmt.Fprintf(&b, "calls %s · %.1f/s · 429s %d · retries %d", textfmt.Thousands(c.Total), float64(c.Total)/max(el, 0.001), c.RateLimited, c.Retries)
		}
		b.WriteByte('\n')
		lines = len(snaps) + 1
		io.WriteString(w, b.String())
	}
	for {
		select {
		case <-ctx.Done():
			draw()
			return
		case <-t.C:
			draw()
		}
	}
}

func progressLine(s ProgressSnapshot) string {
	state := "waiting"
	switch {
	case s.Outcome != "":
		state = s.Outcome
	case s.Started:
		state = "running"
	}
	line := fmt.Sprintf("%-16s %-11s", s.Name, state)
	if s.Total > 0 {
		line += fmt.Sprintf(" %s/%s", textfmt.Thousands(s.Done), textfmt.Thousands(s.Total))
	} else if s.Done > 0 {
		line += fmt.Sprintf(" %s", textfmt.Thousands(s.Done))
	}
	line += fmt.Sprintf(" · %s rows", textfmt.Thousands(s.Rows))
	if s.Started {
		line += " · " + s.Elapsed.Round(time.Second).String()
	}
	if eta := s.ETA(); eta > 0 {
		line += " · ETA " + eta.Round(time.Second).String()
	}
	return line
}
