package diff_test

import (
	"fmt"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/usersync/syncer/internal/diff"
)

// Rejudge applies the planner's rule to the guards named, under the
// limits given (defaults for the others), and leaves the rest alone.
func TestRejudge(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name    string
		g       diff.Guards
		named   bool
		value   float64
		limit   float64
		tripped bool
		suffix  string
	}{
		{"0 allows none", diff.Guards{MaxOffboards: new(0)}, true, 1, 0, true, ""},
		{"negative: no limit", diff.Guards{MaxOffboards: new(-1)}, true, 5000, -1, false, " (overridden: no limit)"},
		{"at the limit is not over it", diff.Guards{MaxOffboards: new(7)}, true, 7, 7, false, " (overridden: limit 7)"},
		{"one over", diff.Guards{MaxOffboards: new(6)}, true, 7, 6, true, ""},
		{"unset: its default", diff.Guards{}, true, 1, diff.DefaultMaxOffboards, false, fmt.Sprintf(" (overridden: limit %d)", diff.DefaultMaxOffboards)},
		{"not named: as planned", diff.Guards{MaxOffboards: new(0)}, false, 1, 25, false, ""},
	} {
		p := &diff.Plan{Guards: []diff.Verdict{
			{Guard: diff.GuardMaxOffboards, Value: tt.value, Limit: 25, Message: "planned"},
			{Guard: diff.GuardQueueLoss, Value: 50, Limit: 30, Tripped: true, Message: "a queue loses 50%"},
		}}
		var named []string
		if tt.named {
			named = append(named, diff.GuardMaxOffboards)
		}
		p.Rejudge(tt.g, named...)
		want := []diff.Verdict{
			{Guard: diff.GuardMaxOffboards, Value: tt.value, Limit: tt.limit, Tripped: tt.tripped, Message: "planned" + tt.suffix},
			{Guard: diff.GuardQueueLoss, Value: 50, Limit: 30, Tripped: true, Message: "a queue loses 50%"},
		}
		if d := cmp.Diff(want, p.Guards); d != "" {
			t.Errorf("%s (-want +got):\n%s", tt.name, d)
		}
	}
	// Each guard reads its own limit.
	p := &diff.Plan{Guards: []diff.Verdict{
		{Guard: diff.GuardMaxOffboardPercent, Value: 2}, {Guard: diff.GuardMaxChanges, Value: 2},
		{Guard: diff.GuardQueueLoss, Value: 2}, {Guard: diff.GuardRejectedPercent, Value: 2},
	}}
	p.Rejudge(diff.Guards{MaxOffboardPercent: new(1.5), MaxChanges: new(3), MaxQueueLossPercent: new(4.0), MaxRejectedPercent: new(1.0)},
		diff.GuardMaxOffboardPercent, diff.GuardMaxChanges, diff.GuardQueueLoss, diff.GuardRejectedPercent)
	for i, want := range []float64{1.5, 3, 4, 1} {
		if v := p.Guards[i]; v.Limit != want || v.Tripped != (v.Value > want) {
			t.Errorf("%s rejudged as %+v, want limit %g", v.Guard, v, want)
		}
	}
}
