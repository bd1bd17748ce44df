package extract

import (
	"testing"
	"time"

	"github.com/usersync/syncer/internal/genesys"
)

func TestPlanActivities(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 12, 2, 18, 30, 15, 500_000_000, time.UTC)
	day := 24 * time.Hour
	sec := now.Truncate(time.Second)

	// First run: due dates from FirstRun back to Horizon ahead; no
	// completion window (everything due in it is read anyway).
	p := PlanActivities(ActivitiesConfig{}, time.Time{}, now)
	if len(p.Due) != 1 || !p.Due[0].Start.Equal(sec.Add(-DefaultActivitiesFirstRun)) || !p.Due[0].End.Equal(sec.Add(DefaultActivitiesHorizon)) {
		t.Errorf("first run due windows %v", p.Due)
	}
	if len(p.Completed) != 0 || !p.Through.Equal(sec) || p.Windows() != 1 {
		t.Errorf("first run: completed %v through %v windows %d", p.Completed, p.Through, p.Windows())
	}

	// Later run: from the watermark less the lookback, due and completed.
	wm := sec.Add(-day)
	p = PlanActivities(ActivitiesConfig{}, wm, now)
	from := wm.Add(-DefaultActivitiesLookback)
	if len(p.Due) != 1 || !p.Due[0].Start.Equal(from) || len(p.Completed) != 1 || !p.Completed[0].Start.Equal(from) || !p.Completed[0].End.Equal(sec.Add(time.Second)) {
		t.Errorf("next run: due %v completed %v", p.Due, p.Completed)
	}

	// A span over the API's one-year limit is cut, the pieces adjoining.
	p = PlanActivities(ActivitiesConfig{FirstRun: 500 * day, Horizon: 300 * day}, time.Time{}, now)
	if len(p.Due) != 3 {
		t.Fatalf("800 days in %d windows, want 3: %v", len(p.Due), p.Due)
	}
	for i, iv := range p.Due {
		if iv.Duration() > genesys.MaxDevelopmentActivityWindow || iv.Duration() <= 0 {
			t.Errorf("window %d %v is %s long", i, iv, iv.Duration())
		}
		if i > 0 && !iv.Start.Equal(p.Due[i-1].End) {
			t.Errorf("window %d starts at %v, the previous ends at %v", i, iv.Start, p.Due[i-1].End)
		}
	}
	if !p.Due[0].Start.Equal(sec.Add(-500*day)) || !p.Due[2].End.Equal(sec.Add(300*day)) {
		t.Errorf("windows cover %v–%v", p.Due[0].Start, p.Due[2].End)
	}

	// Negative lookback and horizon mean none.
	p = PlanActivities(ActivitiesConfig{Lookback: -1, Horizon: -1}, wm, now)
	if !p.Due[0].Start.Equal(wm) || !p.Due[0].End.Equal(sec) {
		t.Errorf("no lookback, no horizon: %v", p.Due)
	}
}
