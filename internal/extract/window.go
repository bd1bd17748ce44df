package extract

import (
	"fmt"
	"regexp"
	"strconv"
	"time"
)

// Interval is a half-open time range [Start, End) in UTC.
type Interval struct {
	Start, End time.Time
}

// String formats the interval the way the analytics API takes it:
// "2026-11-01T00:00:00.000Z/2026-11-02T00:00:00.000Z".
func (iv Interval) String() string {
	const layout = "2006-01-02T15:04:05.000Z"
	return iv.Start.UTC().Format(layout) + "/" + iv.End.UTC().Format(layout)
}

// Duration is End - Start.
func (iv Interval) Duration() time.Duration { return iv.End.Sub(iv.Start) }

// WindowPlan says which intervals an analytics stream must read in one run.
type WindowPlan struct {
	// Windows are the job intervals, in order, each no longer than the
	// allowed interval. Empty when there is nothing new to read.
	Windows []Interval
	// Through is the watermark to record once every window has loaded: the
	// end of the last window.
	Through time.Time
}

// WindowConfig are the inputs of PlanWindows.
type WindowConfig struct {
	// Watermark is where the previous complete run stopped; zero on the
	// first run.
	Watermark time.Time
	// Start is where the first run begins (and nothing before it is read).
	Start time.Time
	// Lookback is re-read behind the watermark because Genesys reprocesses
	// recent data.
	Lookback time.Duration
	// Now is the current time.
	Now time.Time
	// Available is the analytics dataAvailabilityDate: data after it is not
	// complete yet. Zero means unknown (Now is used).
	Available time.Time
	// MaxInterval is the longest interval one job may cover.
	MaxInterval time.Duration
	// Align is the bucket size windows start on (the aggregates
	// granularity), so no bucket is split between two jobs. Zero means none.
	Align time.Duration
}

// PlanWindows cuts [max(Start, Watermark-Lookback), min(Now, Available)) into
// job intervals. The start is aligned down to Align; windows never reach past
// the availability date, because a job over it returns partial data without
// any error.
func PlanWindows(c WindowConfig) (WindowPlan, error) {
	if c.MaxInterval <= 0 {
		return WindowPlan{}, fmt.Errorf("plan windows: max interval must be positive, got %s", c.MaxInterval)
	}
	if c.Align > c.MaxInterval {
		return WindowPlan{}, fmt.Errorf("plan windows: granularity %s is longer than the max interval %s", c.Align, c.MaxInterval)
	}
	from := c.Start
	if !c.Watermark.IsZero() {
		from = c.Watermark.Add(-c.Lookback)
		if !c.Start.IsZero() && from.Before(c.Start) {
			from = c.Start
		}
	}
	from = from.UTC()
	if c.Align > 0 {
		from = alignDown(from, c.Align)
	}
	to := c.Now.UTC()
	if !c.Available.IsZero() && c.Available.Before(to) {
		to = c.Available.UTC()
	}
	to = to.Truncate(time.Second)
	if !to.After(from) {
		return WindowPlan{Through: c.Watermark}, nil
	}
	step := c.MaxInterval
	if c.Align > 0 {
		// Keep every window boundary on a bucket boundary.
		step = step / c.Align * c.Align
	}
	var wins []Interval
	for s := from; s.Before(to); s = s.Add(step) {
		e := s.Add(step)
		if e.After(to) {
			e = to
		}
		wins = append(wins, Interval{Start: s, End: e})
	}
	return WindowPlan{Windows: wins, Through: to}, nil
}

// alignDown truncates t to a multiple of d since the Unix epoch (UTC), which
// is a day boundary for P1D and an hour boundary for PT1H.
func alignDown(t time.Time, d time.Duration) time.Time {
	return t.Truncate(d)
}

var isoDurRE = regexp.MustCompile(`^P(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?$`)

// ParseGranularity parses an ISO-8601 duration such as PT30M, PT1H or P1D.
func ParseGranularity(s string) (time.Duration, error) {
	m := isoDurRE.FindStringSubmatch(s)
	if m == nil || s == "P" || s == "PT" {
		return 0, fmt.Errorf("granularity %q is not an ISO-8601 duration like PT30M or P1D", s)
	}
	units := []time.Duration{7 * 24 * time.Hour, 24 * time.Hour, time.Hour, time.Minute, time.Second}
	var d time.Duration
	for i, u := range units {
		if m[i+1] == "" {
			continue
		}
		n, err := strconv.Atoi(m[i+1])
		if err != nil {
			return 0, fmt.Errorf("granularity %q: %w", s, err)
		}
		d += time.Duration(n) * u
	}
	if d <= 0 {
		return 0, fmt.Errorf("granularity %q is zero", s)
	}
	return d, nil
}
