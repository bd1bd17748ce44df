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
	verdicts := func() []diff.Verdict {
		return []diff.Verdict{
			{Guard: diff.GuardMaxOffboards, Value: 1, Limit: 25, Message: "1 offboarded"},
			{Guard: diff.GuardMaxChanges, Value: 5000, Limit: 1000, Tripped: true, Message: "5000 changed"},
			{Guard: diff.GuardRejectedPercent, Value: 80, Limit: 10, Tripped: true, Message: "80% rejected"},
			{Guard: diff.GuardQueueLoss, Value: 50, Limit: 30, Tripped: true, Message: "a queue loses 50%"},
			{Guard: diff.GuardMaxOffboardPercent, Value: 2, Limit: 5, Message: "2% offboarded"},
		}
	}
	p := &diff.Plan{Guards: verdicts()}
	p.Rejudge(diff.Guards{MaxOffboards: new(0), MaxChanges: new(-1), MaxRejectedPercent: new(100.0), MaxQueueLossPercent: new(60.0)},
		diff.GuardMaxOffboards, diff.GuardMaxChanges, diff.GuardRejectedPercent, diff.GuardMaxOffboardPercent)
	want := []diff.Verdict{
		// 0 allows none: one leaver is over it.
		{Guard: diff.GuardMaxOffboards, Value: 1, Limit: 0, Tripped: true, Message: "1 offboarded"},
		// Negative: no limit.
		{Guard: diff.GuardMaxChanges, Value: 5000, Limit: -1, Message: "5000 changed (overridden: no limit)"},
		// A value at the limit is not over it.
		{Guard: diff.GuardRejectedPercent, Value: 80, Limit: 100, Message: "80% rejected (overridden: limit 100)"},
		// Not named: as planned, though g sets its limit.
		{Guard: diff.GuardQueueLoss, Value: 50, Limit: 30, Tripped: true, Message: "a queue loses 50%"},
		// Named but not set in g: judged under its default.
		{Guard: diff.GuardMaxOffboardPercent, Value: 2, Limit: diff.DefaultMaxOffboardPercent,
			Message: "2% offboarded (overridden: limit " + fmtG(diff.DefaultMaxOffboardPercent) + ")"},
	}
	if d := cmp.Diff(want, p.Guards); d != "" {
		t.Errorf("rejudged verdicts (-want +got):\n%s", d)
	}

	at := &diff.Plan{Guards: []diff.Verdict{{Guard: diff.GuardMaxChanges, Value: 7, Limit: 1000, Message: "7 changed"}}}
	at.Rejudge(diff.Guards{MaxChanges: new(7)}, diff.GuardMaxChanges)
	if v := at.Guards[0]; v.Tripped || v.Limit != 7 {
		t.Errorf("7 changes under a limit of 7: %+v", v)
	}
	at.Rejudge(diff.Guards{MaxChanges: new(6)}, diff.GuardMaxChanges)
	if v := at.Guards[0]; !v.Tripped || v.Limit != 6 {
		t.Errorf("7 changes under a limit of 6: %+v", v)
	}

	none := &diff.Plan{Guards: verdicts()}
	none.Rejudge(diff.Guards{MaxOffboards: new(0)})
	if d := cmp.Diff(verdicts(), none.Guards); d != "" {
		t.Errorf("verdicts changed with no guard named (-want +got):\n%s", d)
	}
}

func fmtG(f float64) string { return fmt.Sprintf("%g", f) }
