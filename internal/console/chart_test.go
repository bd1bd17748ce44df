package console

import (
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestNiceSteps(t *testing.T) {
	t.Parallel()
	for in, want := range map[float64]float64{0: 1, 0.4: 1, 1: 1, 1.5: 2, 3: 5, 7: 10, 12: 20, 4100: 5000, 99999: 100000} {
		if got := niceStep(in); got != want {
			t.Errorf("niceStep(%v) = %v, want %v", in, got, want)
		}
	}
	for in, want := range map[float64]float64{0: 1, 3: 5, 40: 60, 61: 120, 3000: 3600, 90000: 172800} {
		if got := niceDurationStep(in); got != want {
			t.Errorf("niceDurationStep(%v) = %v, want %v", in, got, want)
		}
	}
	for d, want := range map[time.Duration]string{0: "0s", 850 * time.Millisecond: "850ms", 2500 * time.Millisecond: "2.5s", 42 * time.Second: "42s",
		185 * time.Second: "3m 05s", 130 * time.Minute: "2h 10m"} {
		if got := shortDuration(d); got != want {
			t.Errorf("shortDuration(%s) = %q, want %q", d, got, want)
		}
	}
}

func TestChartsDrawEveryRunInsideThePlot(t *testing.T) {
	t.Parallel()
	start := time.Date(2026, 11, 1, 2, 0, 0, 0, time.UTC)
	var runs []chartRun
	for i := range ChartRuns {
		runs = append(runs, chartRun{ID: int64(i + 1), Status: "succeeded", Started: start.Add(time.Duration(i) * 24 * time.Hour),
			Duration: time.Duration(60+i*10) * time.Second, Calls: int64(900 + i), MinCalls: 850})
	}
	runs[3].Status, runs[3].MinCalls = "failed", 0
	d := durationChart("d", "nightly", runs, time.UTC)
	c := callsChart("c", "nightly", runs, time.UTC)
	for _, ch := range []chart{d, c} {
		if len(ch.Bars) != ChartRuns {
			t.Fatalf("%s: %d bars, want %d", ch.Title, len(ch.Bars), ChartRuns)
		}
		prev := -1.0
		for i, b := range ch.Bars {
			if b.X <= prev || b.X+b.W > ch.Plot.Right()+0.01 || b.Y < ch.Plot.Y-0.01 || b.Y+b.H > ch.Plot.Y+ch.Plot.H+0.01 || b.H <= 0 {
				t.Errorf("%s: bar %d = %+v, outside the plot %+v or out of order", ch.Title, i, b.rect, ch.Plot)
			}
			prev = b.X
		}
		if top := ch.Ticks[len(ch.Ticks)-1]; top.Y > ch.Plot.Y+0.01 && len(ch.Ticks) < 3 {
			t.Errorf("%s: ticks %+v", ch.Title, ch.Ticks)
		}
	}
	if d.Bars[3].Class != "bar-failed" || !strings.Contains(d.Bars[3].Title, "Run 4, failed: 1m 30s") || d.Bars[3].Href != "/console/runs/4" {
		t.Errorf("the failed run's bar = %+v", d.Bars[3])
	}
	// The longest run is the tallest bar.
	if d.Bars[ChartRuns-1].Y >= d.Bars[0].Y {
		t.Errorf("the last (longest) run's bar is not taller than the first's")
	}
	// One minimum mark per run that recorded one, at the same height.
	if len(c.Marks) != ChartRuns-1 || c.Marks[0].Y != c.Marks[5].Y {
		t.Errorf("minimum marks = %d, want %d at one height", len(c.Marks), ChartRuns-1)
	}
	if !strings.Contains(c.Desc, "30 runs made 27,435 calls where their data needed at least 24,650") {
		t.Errorf("calls chart summary = %q", c.Desc)
	}
	if want := []xlab{{X: plotLeft, Label: "Nov 1 02:00", Anchor: "start"}, {X: plotRight, Label: "Nov 30 02:00", Anchor: "end"}}; !cmp.Equal(d.XLabs, want) {
		t.Errorf("x labels = %+v, want %+v", d.XLabs, want)
	}
	if e := durationChart("e", "empty", nil, time.UTC); !e.Empty || len(e.Bars) != 0 || e.Desc != "No runs yet." {
		t.Errorf("a chart of no runs = %+v", e)
	}
}

func TestRejectedRowsShowTheirPlaceOnce(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		reason string
		want   rejectedView
	}{
		{"/data/hr.csv:4:2: email: \"x\" has no @", rejectedView{"/data/hr.csv:4:2", "email: \"x\" has no @"}},
		{"line 4: email has no @", rejectedView{"/data/hr.csv:4", "line 4: email has no @"}},
		{"/data/hr.csv: not: a place", rejectedView{"/data/hr.csv:4", "/data/hr.csv: not: a place"}},
	} {
		if got := rejectedOf("/data/hr.csv", 4, tc.reason); got != tc.want {
			t.Errorf("rejectedOf(%q) = %+v, want %+v", tc.reason, got, tc.want)
		}
	}
}

func TestPlanLinesAndNext(t *testing.T) {
	t.Parallel()
	got := planLines("Plan for x\n\n  + Ann\n      ~ skill \"A\"\n      - queue \"Q\" (owned)\n  TRIPPED max_changes: 3\n")
	var classes []string
	for _, l := range got {
		classes = append(classes, l.Class)
	}
	if want := []string{"", "", "add", "change", "remove", "tripped"}; !cmp.Equal(classes, want) {
		t.Errorf("classes = %q, want %q", classes, want)
	}
	for in, want := range map[string]string{"/console/runs?pipeline=x": "/console/runs?pipeline=x", "//evil.example/": Prefix, "https://evil.example/console/": Prefix,
		"/console/\\evil": Prefix, "/metrics": Prefix, "": Prefix} {
		if got := safeNext(in); got != want {
			t.Errorf("safeNext(%q) = %q, want %q", in, got, want)
		}
	}
}
