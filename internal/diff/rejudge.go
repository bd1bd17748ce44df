package diff

import (
	"fmt"
	"slices"
)

// Rejudge judges again, under the limits of g (unset ones at their
// defaults), the verdicts of p whose guard is named in guards: a saved plan
// applied with a guard's limit given anew. The other verdicts stay as the
// plan has them. The rule is the planner's: a verdict trips when its value
// is over its limit, and a negative limit is no limit. Only the value the
// verdict recorded is judged: the routing-impact guard's MinQueueLoss is
// not applied again, the plan keeping only its worst queue. A verdict that
// does not trip says in its message that it was overridden.
func (p *Plan) Rejudge(g Guards, guards ...string) {
	g = Config{Guards: g}.WithDefaults().Guards
	limits := map[string]float64{
		GuardMaxOffboards:       float64(*g.MaxOffboards),
		GuardMaxOffboardPercent: *g.MaxOffboardPercent,
		GuardMaxChanges:         float64(*g.MaxChanges),
		GuardQueueLoss:          *g.MaxQueueLossPercent,
		GuardRejectedPercent:    *g.MaxRejectedPercent,
	}
	for i := range p.Guards {
		v := &p.Guards[i]
		lim, ok := limits[v.Guard]
		if !ok || !slices.Contains(guards, v.Guard) {
			continue
		}
		v.Limit = lim
		v.Tripped = lim >= 0 && v.Value > lim
		switch {
		case v.Tripped:
		case lim < 0:
			v.Message += " (overridden: no limit)"
		default:
			v.Message += fmt.Sprintf(" (overridden: limit %g)", lim)
		}
	}
}
