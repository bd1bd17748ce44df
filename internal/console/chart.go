package console

import (
	"fmt"
	"math"
	"strconv"
	"time"

	"github.com/usersync/syncer/internal/store"
	"github.com/usersync/syncer/internal/textfmt"
)

// Charts are drawn on the server as inline SVG: no script, no library, no
// request elsewhere. A chart is a value the "chart" template draws; every
// text in it goes through html/template like the rest of the page.

// ChartRuns is how many runs a pipeline's charts show.
const ChartRuns = 30

// Chart geometry, in SVG user units; the SVG scales to its container.
const (
	chartW     = 640
	chartH     = 180
	plotLeft   = 64
	plotRight  = chartW - 12
	plotTop    = 14
	plotBottom = chartH - 30
)

type chart struct {
	ID    string // unique on the page, for aria-labelledby
	Title string
	Desc  string
	W, H  int
	Plot  rect
	Bars  []bar
	Marks []mark // the minimum, one tick per run
	Ticks []tick
	XLabs []xlab
	Empty bool
}

type rect struct{ X, Y, W, H float64 }

type bar struct {
	rect
	Class string
	Title string
	Href  string
}

type mark struct {
	X1, X2, Y float64
}

type tick struct {
	Y     float64
	Label string
}

type xlab struct {
	X      float64
	Label  string
	Anchor string
}

// chartRun is one run as the charts see it.
type chartRun struct {
	ID       int64
	Status   string
	Started  time.Time
	Duration time.Duration // 0 while running
	Calls    int64
	MinCalls int64
}

// durationChart draws the runs' durations (oldest on the left), a bar per
// run coloured by its outcome.
func durationChart(id, pipeline string, runs []chartRun, loc *time.Location) chart {
	var top float64
	for _, r := range runs {
		top = max(top, r.Duration.Seconds())
	}
	step := niceDurationStep(top / 2)
	c := newChart(id, "Duration of the last runs of "+pipeline, runs, loc)
	ymax := step * 2
	if top > ymax {
		ymax = step * math.Ceil(top/step)
	}
	for v := 0.0; v <= ymax+step/2; v += step {
		c.Ticks = append(c.Ticks, tick{Y: c.y(v, ymax), Label: shortDuration(time.Duration(v * float64(time.Second)))})
	}
	var longest chartRun
	for i, r := range runs {
		x, w := c.slot(i)
		y := c.y(r.Duration.Seconds(), ymax)
		title := fmt.Sprintf("Run %d, %s: %s", r.ID, r.Status, shortDuration(r.Duration))
		if r.Duration == 0 {
			title = fmt.Sprintf("Run %d: %s", r.ID, r.Status)
		}
		c.Bars = append(c.Bars, bar{rect: rect{x, y, w, c.Plot.Y + c.Plot.H - y}, Class: "bar-" + r.Status, Title: title, Href: runHref(r.ID)})
		if r.Duration > longest.Duration {
			longest = r
		}
	}
	if len(runs) > 0 {
		c.Desc = fmt.Sprintf("%d runs; the longest, run %d, took %s; the latest took %s.", len(runs), longest.ID, shortDuration(longest.Duration), shortDuration(runs[len(runs)-1].Duration))
	}
	return c
}

// callsChart draws the runs' API calls as bars and the minimum their data
// needed as a tick across each bar.
func callsChart(id, pipeline string, runs []chartRun, loc *time.Location) chart {
	var top int64
	for _, r := range runs {
		top = max(top, r.Calls, r.MinCalls)
	}
	step := niceStep(float64(top) / 2)
	c := newChart(id, "API calls against the minimum, last runs of "+pipeline, runs, loc)
	ymax := step * 2
	if float64(top) > ymax {
		ymax = step * math.Ceil(float64(top)/step)
	}
	for v := 0.0; v <= ymax+step/2; v += step {
		c.Ticks = append(c.Ticks, tick{Y: c.y(v, ymax), Label: textfmt.Thousands(int64(v))})
	}
	var calls, minimum int64
	for i, r := range runs {
		x, w := c.slot(i)
		y := c.y(float64(r.Calls), ymax)
		title := fmt.Sprintf("Run %d: %s calls", r.ID, textfmt.Thousands(r.Calls))
		if r.MinCalls > 0 {
			title += fmt.Sprintf(", minimum %s (%.2fx)", textfmt.Thousands(r.MinCalls), float64(r.Calls)/float64(r.MinCalls))
			my := c.y(float64(r.MinCalls), ymax)
			c.Marks = append(c.Marks, mark{X1: x - 2, X2: x + w + 2, Y: my})
		}
		c.Bars = append(c.Bars, bar{rect: rect{x, y, w, c.Plot.Y + c.Plot.H - y}, Class: "bar-calls", Title: title, Href: runHref(r.ID)})
		calls += r.Calls
		minimum += r.MinCalls
	}
	if len(runs) > 0 {
		c.Desc = fmt.Sprintf("%d runs made %s calls", len(runs), textfmt.Thousands(calls))
		if minimum > 0 {
			c.Desc += fmt.Sprintf(" where their data needed at least %s (%.2fx)", textfmt.Thousands(minimum), float64(calls)/float64(minimum))
		}
		c.Desc += "."
	}
	return c
}

func newChart(id, title string, runs []chartRun, loc *time.Location) chart {
	c := chart{ID: id, Title: title, W: chartW, H: chartH, Plot: rect{plotLeft, plotTop, plotRight - plotLeft, plotBottom - plotTop}, Empty: len(runs) == 0}
	if c.Empty {
		c.Desc = "No runs yet."
		return c
	}
	first, last := runs[0].Started.In(loc), runs[len(runs)-1].Started.In(loc)
	layout := "Jan 2 15:04"
	c.XLabs = append(c.XLabs, xlab{X: c.Plot.X, Label: first.Format(layout), Anchor: "start"})
	if l := last.Format(layout); len(runs) > 1 && l != c.XLabs[0].Label {
		c.XLabs = append(c.XLabs, xlab{X: c.Plot.X + c.Plot.W, Label: l, Anchor: "end"})
	}
	return c
}

// slot is the x and width of the i-th run's bar: ChartRuns slots across
// the plot, so bars keep their width whatever the number of runs.
func (c chart) slot(i int) (x, w float64) {
	sw := c.Plot.W / ChartRuns
	return c.Plot.X + float64(i)*sw + sw*0.15, sw * 0.7
}

func (c chart) y(v, ymax float64) float64 {
	if ymax <= 0 {
		return c.Plot.Y + c.Plot.H
	}
	return c.Plot.Y + c.Plot.H - c.Plot.H*min(v, ymax)/ymax
}

// niceStep rounds v up to 1, 2 or 5 times a power of ten (at least 1).
func niceStep(v float64) float64 {
	if v <= 1 {
		return 1
	}
	p := math.Pow(10, math.Floor(math.Log10(v)))
	for _, m := range []float64{1, 2, 5, 10} {
		if m*p >= v {
			return m * p
		}
	}
	return 10 * p
}

// niceDurationStep rounds seconds up to a step a clock reads well.
func niceDurationStep(secs float64) float64 {
	for _, s := range []float64{1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 14400, 21600, 43200, 86400} {
		if s >= secs {
			return s
		}
	}
	return 86400 * math.Ceil(secs/86400)
}

// shortDuration is a duration for people: 850ms, 12.5s, 3m 05s, 2h 10m.
func shortDuration(d time.Duration) string {
	switch {
	case d <= 0:
		return "0s"
	case d < time.Second:
		return strconv.FormatInt(d.Milliseconds(), 10) + "ms"
	case d < 10*time.Second:
		return strconv.FormatFloat(d.Seconds(), 'f', 1, 64) + "s"
	case d < time.Minute:
		return strconv.Itoa(int(d.Seconds())) + "s"
	case d < time.Hour:
		return fmt.Sprintf("%dm %02ds", int(d.Minutes()), int(d.Seconds())%60)
	}
	return fmt.Sprintf("%dh %02dm", int(d.Hours()), int(d.Minutes())%60)
}

func runHref(id int64) string { return "/console/runs/" + strconv.FormatInt(id, 10) }

// chartRuns turns a pipeline's runs, newest first as the store lists them,
// into the charts' order: oldest first, at most ChartRuns.
func chartRunsOf(runs []store.RunSummary) []chartRun {
	n := min(len(runs), ChartRuns)
	out := make([]chartRun, 0, n)
	for i := n - 1; i >= 0; i-- {
		r := runs[i]
		cr := chartRun{ID: r.ID, Status: r.Status, Started: r.StartedAt, Calls: r.DecodeCalls().Total, MinCalls: r.MinCalls}
		if !r.FinishedAt.IsZero() {
			cr.Duration = r.FinishedAt.Sub(r.StartedAt)
		}
		out = append(out, cr)
	}
	return out
}

// Right is the plot's right edge.
func (r rect) Right() float64 { return r.X + r.W }

// TickX is where the y axis's labels end, left of the plot.
func (r rect) TickX() float64 { return r.X - 6 }

// LabelY is the baseline of the x axis's labels, under the plot.
func (r rect) LabelY() float64 { return r.Y + r.H + 18 }

// MidX and MidY are the plot's centre.
func (r rect) MidX() float64 { return r.X + r.W/2 }

// MidY is the plot's vertical centre.
func (r rect) MidY() float64 { return r.Y + r.H/2 }
