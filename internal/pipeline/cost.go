package pipeline

import (
	"fmt"
	"io"
	"math"
	"text/tabwriter"
	"time"

	"github.com/usersync/syncer/internal/extract"
	"github.com/usersync/syncer/internal/genesys"
	"github.com/usersync/syncer/internal/textfmt"
)

// Sizes are what a run learned of the org's size, from which a stream's
// cost is estimated before it runs (Spec.Estimate).
type Sizes struct {
	// Users are the users of each state listed, as the users stream
	// counted them; nil when it did not run.
	Users map[string]int
	// Reference is the reference data; nil when its stream did not run.
	Reference *extract.Reference
}

// Holders is the number of users that can hold memberships, grants and
// settings: those not deleted. A stream that costs a call a user costs
// this many.
func (s Sizes) Holders() int {
	n := 0
	for st, total := range s.Users {
		if st != genesys.StateDeleted {
			n += total
		}
	}
	return n
}

// SizesOf returns what the run of sum learned of the org's size.
func SizesOf(sum Summary) Sizes {
	var s Sizes
	if totals := allHanded(sum, UserTotals); len(totals) > 0 {
		s.Users = map[string]int{}
		for _, t := range totals {
			s.Users[t.State] = t.Total
		}
	}
	s.Reference, _ = handed(sum, RefData)
	return s
}

// Cost is the least number of calls one registered stream needs.
type Cost struct {
	Stream string
	// InRun says the stream was part of the run.
	InRun bool
	// Calls is the least number of calls: measured when the stream ran
	// (the minimum its data needed), else estimated from the sizes the run
	// learned.
	Calls int64
	// Known is false when the sizes the estimate needs are unknown.
	Known bool
	// Optional streams run only when listed.
	Optional bool
}

// Costs returns, for every registered stream in order, the calls it needs
// in the org the run of sum read: what it used at the least when it was
// part of the run, else its estimate (Spec.Estimate) for a pipeline
// configured by cfg. `syncer run --dry-run` shows them, so that the cost of
// an optional stream is known before it is turned on.
func Costs(sum Summary, cfg ForwardConfig) []Cost {
	cfg = cfg.WithDefaults()
	sizes := SizesOf(sum)
	ran := map[string]StreamResult{}
	for _, r := range sum.Streams {
		ran[r.Name] = r
	}
	var out []Cost
	for _, spec := range Specs() {
		c := Cost{Stream: spec.Name, Optional: spec.Optional}
		if r, ok := ran[spec.Name]; ok && r.Outcome == OutcomeSucceeded {
			c.InRun, c.Calls, c.Known = true, r.Progress.MinCalls, true
		} else {
			_, c.InRun = ran[spec.Name]
			c.Calls, c.Known = spec.Estimate(sizes, cfg)
		}
		out = append(out, c)
	}
	return out
}

// RenderCosts writes the costs with the time they take at perMinute
// requests a minute.
func RenderCosts(w io.Writer, costs []Cost, perMinute int) {
	fmt.Fprintf(w, "cost of each stream: the calls its data needs at the least, and their time at %s requests/minute\n", textfmt.Thousands(int64(perMinute)))
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	for _, c := range costs {
		state := "in this pipeline"
		switch {
		case !c.InRun && c.Optional:
			state = "optional, not in this pipeline"
		case !c.InRun:
			state = "not in this pipeline"
		}
		calls, took := "unknown (needs the streams it counts by)", ""
		if c.Known {
			calls = textfmt.Thousands(c.Calls)
			if !c.InRun {
				calls = "about " + calls
			}
			if perMinute > 0 {
				took = (time.Duration(math.Ceil(float64(c.Calls)*60/float64(perMinute))) * time.Second).String()
			}
		}
		fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\n", c.Stream, state, calls, took)
	}
	tw.Flush()
}
