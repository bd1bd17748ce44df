package extract

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func ts(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t
}

func TestPlanWindows(t *testing.T) {
	t.Parallel()
	day := 24 * time.Hour
	tests := []struct {
		name string
		cfg  WindowConfig
		want WindowPlan
	}{
		{
			name: "first run from start, split by max interval, clamped to availability",
			cfg: WindowConfig{Start: ts("2026-11-01T00:00:00Z"), Now: ts("2026-11-04T12:00:00Z"),
				Available: ts("2026-11-04T10:17:09Z"), MaxInterval: day, Lookback: 48 * time.Hour},
			want: WindowPlan{Windows: []Interval{
				{ts("2026-11-01T00:00:00Z"), ts("2026-11-02T00:00:00Z")},
				{ts("2026-11-02T00:00:00Z"), ts("2026-11-03T00:00:00Z")},
				{ts("2026-11-03T00:00:00Z"), ts("2026-11-04T00:00:00Z")},
				{ts("2026-11-04T00:00:00Z"), ts("2026-11-04T10:17:09Z")},
			}, Through: ts("2026-11-04T10:17:09Z")},
		},
		{
			name: "later run re-reads the lookback behind the watermark",
			cfg: WindowConfig{Start: ts("2026-10-01T00:00:00Z"), Watermark: ts("2026-11-04T10:00:00Z"),
				Lookback: 48 * time.Hour, Now: ts("2026-11-04T13:00:00Z"), MaxInterval: 7 * day},
			want: WindowPlan{Windows: []Interval{
				{ts("2026-11-02T10:00:00Z"), ts("2026-11-04T13:00:00Z")},
			}, Through: ts("2026-11-04T13:00:00Z")},
		},
		{
			name: "lookback never reaches before start",
			cfg: WindowConfig{Start: ts("2026-11-04T00:00:00Z"), Watermark: ts("2026-11-04T06:00:00Z"),
				Lookback: 48 * time.Hour, Now: ts("2026-11-04T07:00:00Z"), MaxInterval: day},
			want: WindowPlan{Windows: []Interval{
				{ts("2026-11-04T00:00:00Z"), ts("2026-11-04T07:00:00Z")},
			}, Through: ts("2026-11-04T07:00:00Z")},
		},
		{
			name: "aligned to the granularity",
			cfg: WindowConfig{Start: ts("2026-11-04T00:10:00Z"), Now: ts("2026-11-04T02:00:00Z"),
				MaxInterval: 50 * time.Minute, Align: 30 * time.Minute},
			want: WindowPlan{Windows: []Interval{
				{ts("2026-11-04T00:00:00Z"), ts("2026-11-04T00:30:00Z")},
				{ts("2026-11-04T00:30:00Z"), ts("2026-11-04T01:00:00Z")},
				{ts("2026-11-04T01:00:00Z"), ts("2026-11-04T01:30:00Z")},
				{ts("2026-11-04T01:30:00Z"), ts("2026-11-04T02:00:00Z")},
			}, Through: ts("2026-11-04T02:00:00Z")},
		},
		{
			name: "nothing available yet keeps the watermark",
			cfg: WindowConfig{Watermark: ts("2026-11-04T10:00:00Z"), Now: ts("2026-11-04T11:00:00Z"),
				Available: ts("2026-11-04T07:00:00Z"), MaxInterval: day},
			want: WindowPlan{Through: ts("2026-11-04T10:00:00Z")},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := PlanWindows(tt.cfg)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("PlanWindows mismatch (-want +got):\n%s", diff)
			}
			for _, w := range got.Windows {
				if w.Duration() > tt.cfg.MaxInterval || w.Duration() <= 0 {
					t.Errorf("window %s has length %s, max %s", w, w.Duration(), tt.cfg.MaxInterval)
				}
			}
		})
	}
}

func TestPlanWindowsRejectsBadConfig(t *testing.T) {
	t.Parallel()
	if _, err := PlanWindows(WindowConfig{Now: time.Now()}); err == nil {
		t.Error("zero max interval accepted")
	}
	if _, err := PlanWindows(WindowConfig{Now: time.Now(), MaxInterval: time.Hour, Align: 24 * time.Hour}); err == nil {
		t.Error("granularity longer than max interval accepted")
	}
}

func TestIntervalString(t *testing.T) {
	t.Parallel()
	iv := Interval{ts("2026-11-01T00:00:00Z"), ts("2026-11-02T00:30:00+01:00")}
	if got, want := iv.String(), "2026-11-01T00:00:00.000Z/2026-11-01T23:30:00.000Z"; got != want {
		t.Errorf("String() = %q, want %q", got, want)
	}
}

func TestParseGranularity(t *testing.T) {
	t.Parallel()
	good := map[string]time.Duration{"PT15M": 15 * time.Minute, "PT30M": 30 * time.Minute, "PT1H": time.Hour, "P1D": 24 * time.Hour, "P1W": 7 * 24 * time.Hour, "PT1H30M": 90 * time.Minute}
	for in, want := range good {
		got, err := ParseGranularity(in)
		if err != nil || got != want {
			t.Errorf("ParseGranularity(%q) = %s, %v; want %s", in, got, err, want)
		}
	}
	for _, in := range []string{"", "P", "PT", "30m", "PT0M", "1D", "PTXM"} {
		if _, err := ParseGranularity(in); err == nil {
			t.Errorf("ParseGranularity(%q) accepted", in)
		}
	}
}
