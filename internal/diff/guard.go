package diff

import (
	"cmp"
	"fmt"
	"maps"
	"slices"

	"github.com/usersync/syncer/internal/textfmt"
)

// Guard names, with the flag and config key that override each.
const (
	GuardMaxOffboards       = "max_offboards"
	GuardMaxOffboardPercent = "max_offboard_percent"
	GuardMaxChanges         = "max_changes"
	GuardQueueLoss          = "max_queue_loss_percent"
	GuardRejectedPercent    = "max_rejected_percent"
)

func guardVerdict(name string, value, limit float64, tripped bool, msg string) Verdict {
	return Verdict{Guard: name, Tripped: tripped, Value: value, Limit: limit, Flag: "--" + dashed(name), ConfigKey: "guards." + name, Message: msg}
}

func dashed(s string) string {
	b := []byte(s)
	for i, c := range b {
		if c == '_' {
			b[i] = '-'
		}
	}
	return string(b)
}

// guard judges the plan against the configured guards. It simulates the
// plan to see which agents each queue loses.
func (p *planner) guard(plan *Plan) error {
	g := p.cfg.Guards
	override := func(name string) string {
		return fmt.Sprintf("override with --%s or guards.%s", dashed(name), name)
	}
	plan.Guards = append(plan.Guards, rejectedVerdict(p.feed.Rows, len(p.feed.Rejected), g.MaxRejectedPercent))
	off := plan.Totals.Offboard
	{
		lim := g.MaxOffboards
		tripped := lim >= 0 && off > lim
		msg := fmt.Sprintf("%d offboards, limit %d", off, lim)
		if lim < 0 {
			msg = fmt.Sprintf("%d offboards, no limit", off)
		}
		if tripped {
			msg = fmt.Sprintf("%d users would be offboarded, more than the limit of %d; %s", off, lim, override(GuardMaxOffboards))
		}
		plan.Guards = append(plan.Guards, guardVerdict(GuardMaxOffboards, float64(off), float64(lim), tripped, msg))
	}
	{
		inScope := 0
		for i := range p.cur.Users {
			u := &p.cur.Users[i]
			if u.State != StateDeleted && p.cfg.Scope.contains(u.DivisionID, u.Email) && !p.cfg.Scope.ignored(u) {
				inScope++
			}
		}
		pct := 0.0
		if inScope > 0 {
			pct = 100 * float64(off) / float64(inScope)
		}
		lim := g.MaxOffboardPercent
		tripped := lim >= 0 && pct > lim
		msg := fmt.Sprintf("%d of %d in-scope users offboarded (%.1f%%), limit %.1f%%", off, inScope, pct, lim)
		if tripped {
			msg = fmt.Sprintf("%d of %d in-scope users would be offboarded (%.1f%%), more than the limit of %.1f%%; %s",
				off, inScope, pct, lim, override(GuardMaxOffboardPercent))
		}
		plan.Guards = append(plan.Guards, guardVerdict(GuardMaxOffboardPercent, pct, lim, tripped, msg))
	}
	{
		n := plan.Totals.Changed()
		lim := g.MaxChanges
		tripped := lim > 0 && n > lim
		msg := fmt.Sprintf("%d users changed, no limit", n)
		if lim > 0 {
			msg = fmt.Sprintf("%d users changed, limit %d", n, lim)
		}
		if tripped {
			msg = fmt.Sprintf("%d users would be created, restored, changed or offboarded, more than the limit of %d; %s", n, lim, override(GuardMaxChanges))
		}
		plan.Guards = append(plan.Guards, guardVerdict(GuardMaxChanges, float64(n), float64(lim), tripped, msg))
	}

	after, err := Simulate(p.cur, plan)
	if err != nil {
		return fmt.Errorf("diff: the plan does not apply to the state it was made from (a bug): %w", err)
	}
	joined := map[string]int{}
	lost := map[string]int{}
	for i := range p.cur.Users {
		u := &p.cur.Users[i]
		for q := range u.Queues {
			if u.routable(q) {
				joined[q]++
			}
		}
	}
	for i := range p.cur.Users {
		before, now := &p.cur.Users[i], &after.Users[i] // Simulate keeps the order and only appends
		for q := range before.Queues {
			if before.routable(q) && !now.routable(q) {
				lost[q]++
			}
		}
	}
	lim := g.MaxQueueLossPercent
	worst := Verdict{}
	var tripped []Verdict
	for _, q := range slices.Sorted(maps.Keys(lost)) {
		base := cmp.Or(p.cur.QueueJoined[q], joined[q])
		base = max(base, lost[q])
		pct := 100 * float64(lost[q]) / float64(base)
		name := p.refs.Queues.Name(q)
		v := guardVerdict(GuardQueueLoss, pct, lim, false, "")
		v.Queue = name
		if lim >= 0 && pct > lim && lost[q] >= g.MinQueueLoss {
			v.Tripped = true
			v.Message = fmt.Sprintf("queue %s would lose %d of its %d joined agents (%.1f%%), more than the limit of %.1f%%; %s",
				name, lost[q], base, pct, lim, override(GuardQueueLoss))
			tripped = append(tripped, v)
			continue
		}
		if pct > worst.Value || worst.Queue == "" {
			worst = v
			worst.Message = fmt.Sprintf("largest loss: queue %s loses %d of %d joined agents (%.1f%%), limit %.1f%%", name, lost[q], base, pct, lim)
		}
	}
	switch {
	case len(tripped) > 0:
		plan.Guards = append(plan.Guards, tripped...)
	case worst.Queue != "":
		plan.Guards = append(plan.Guards, worst)
	default:
		plan.Guards = append(plan.Guards, guardVerdict(GuardQueueLoss, 0, lim, false, fmt.Sprintf("no queue loses joined agents, limit %.1f%%", lim)))
	}
	return nil
}

// rejectedVerdict judges the share of the feed's data rows that were
// rejected. Rejected rows cause no change, so a broken export (wrong
// delimiter, truncated columns, another encoding) would otherwise plan
// little or nothing and pass unnoticed. A feed without rows rejects none.
func rejectedVerdict(rows, rejected int, lim float64) Verdict {
	pct := 0.0
	if rows > 0 {
		pct = 100 * float64(rejected) / float64(rows)
	}
	tripped := lim >= 0 && pct > lim
	msg := fmt.Sprintf("%s of %s rows rejected (%.1f%%), limit %.1f%%", textfmt.Thousands(int64(rejected)), textfmt.Thousands(int64(rows)), pct, lim)
	switch {
	case tripped:
		msg = fmt.Sprintf("%s of %s rows rejected (%.1f%%), more than the limit of %.1f%%: is the export broken (delimiter, columns, encoding)? override with --%s or guards.%s",
			textfmt.Thousands(int64(rejected)), textfmt.Thousands(int64(rows)), pct, lim, dashed(GuardRejectedPercent), GuardRejectedPercent)
	case lim < 0 || lim >= 100:
		msg = fmt.Sprintf("%s of %s rows rejected (%.1f%%), no limit", textfmt.Thousands(int64(rejected)), textfmt.Thousands(int64(rows)), pct)
	}
	return guardVerdict(GuardRejectedPercent, pct, lim, tripped, msg)
}
