package diff

import (
	"cmp"
	"fmt"
	"maps"
	"slices"
	"strings"

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

// guard judges the plan against the configured guards (every limit set:
// the planner's Config has its defaults filled in). It simulates the plan
// to see which agents each queue loses. Each guard gives one verdict.
func (p *planner) guard(plan *Plan) error {
	g := p.cfg.Guards
	override := func(name string) string {
		return fmt.Sprintf("override with --%s or guards.%s", dashed(name), name)
	}
	plan.Guards = append(plan.Guards, rejectedVerdict(p.feed.Rows, len(p.feed.Rejected), *g.MaxRejectedPercent))
	off := plan.Totals.Offboard
	{
		lim := *g.MaxOffboards
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
		} else if off > 0 {
			pct = 100
		}
		lim := *g.MaxOffboardPercent
		tripped := lim >= 0 && pct > lim
		msg := fmt.Sprintf("%d of %d in-scope users offboarded (%.1f%%), limit %.1f%%", off, inScope, pct, lim)
		if lim < 0 {
			msg = fmt.Sprintf("%d of %d in-scope users offboarded (%.1f%%), no limit", off, inScope, pct)
		}
		if tripped {
			msg = fmt.Sprintf("%d of %d in-scope users would be offboarded (%.1f%%), more than the limit of %.1f%%; %s",
				off, inScope, pct, lim, override(GuardMaxOffboardPercent))
		}
		plan.Guards = append(plan.Guards, guardVerdict(GuardMaxOffboardPercent, pct, lim, tripped, msg))
	}
	{
		n := plan.Totals.Changed()
		lim := *g.MaxChanges
		tripped := lim >= 0 && n > lim
		msg := fmt.Sprintf("%d users changed, limit %d", n, lim)
		if lim < 0 {
			msg = fmt.Sprintf("%d users changed, no limit", n)
		}
		if tripped {
			msg = fmt.Sprintf("%d users would be created, restored, changed or offboarded, more than the limit of %d; %s", n, lim, override(GuardMaxChanges))
		}
		plan.Guards = append(plan.Guards, guardVerdict(GuardMaxChanges, float64(n), float64(lim), tripped, msg))
	}
	v, err := p.queueLossVerdict(plan, override(GuardQueueLoss))
	if err != nil {
		return err
	}
	plan.Guards = append(plan.Guards, v)
	return nil
}

// maxListedQueues bounds the queues a queue-loss verdict names.
const maxListedQueues = 5

// queueLoss is one queue's loss of joined agents.
type queueLoss struct {
	name       string
	lost, base int
	pct        float64
}

func (q queueLoss) String() string {
	return fmt.Sprintf("%s %d of %d (%.1f%%)", textfmt.Quote(q.name), q.lost, q.base, q.pct)
}

// queueLossVerdict is the routing-impact guard's one verdict: the queues
// that lose more than the limit of their joined agents, worst first, the
// first maxListedQueues named and the rest counted; or, when none does,
// the largest loss.
func (p *planner) queueLossVerdict(plan *Plan, override string) (Verdict, error) {
	g := p.cfg.Guards
	lim, minLoss := *g.MaxQueueLossPercent, *g.MinQueueLoss
	after, err := Simulate(p.cur, plan)
	if err != nil {
		return Verdict{}, fmt.Errorf("diff: the plan does not apply to the state it was made from (a bug): %w", err)
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
	var over, all []queueLoss
	for _, q := range slices.Sorted(maps.Keys(lost)) {
		base := max(cmp.Or(p.cur.QueueJoined[q], joined[q]), lost[q])
		l := queueLoss{name: p.refs.Queues.Name(q), lost: lost[q], base: base, pct: 100 * float64(lost[q]) / float64(base)}
		all = append(all, l)
		if lim >= 0 && l.pct > lim && l.lost >= minLoss {
			over = append(over, l)
		}
	}
	worstFirst := func(a, b queueLoss) int {
		return cmp.Or(cmp.Compare(b.pct, a.pct), cmp.Compare(b.lost, a.lost), cmp.Compare(a.name, b.name))
	}
	slices.SortFunc(over, worstFirst)
	slices.SortFunc(all, worstFirst)
	limText := fmt.Sprintf("limit %.1f%%", lim)
	if lim < 0 {
		limText = "no limit"
	}
	if len(over) == 0 {
		if len(all) == 0 {
			return guardVerdict(GuardQueueLoss, 0, lim, false, "no queue loses joined agents, "+limText), nil
		}
		w := all[0]
		v := guardVerdict(GuardQueueLoss, w.pct, lim, false, fmt.Sprintf("largest loss: queue %s, %s", w, limText))
		v.Queue = w.name
		return v, nil
	}
	names := make([]string, 0, maxListedQueues)
	for _, l := range over[:min(len(over), maxListedQueues)] {
		names = append(names, l.String())
	}
	list := strings.Join(names, ", ")
	if rest := len(over) - len(names); rest > 0 {
		list += fmt.Sprintf(" and %d more", rest)
	}
	subject := "1 queue would lose"
	if len(over) > 1 {
		subject = fmt.Sprintf("%d queues would lose", len(over))
	}
	msg := fmt.Sprintf("%s more than %.1f%% of its joined agents (at least %d): %s; %s", subject, lim, minLoss, list, override)
	if len(over) > 1 {
		msg = strings.Replace(msg, "of its joined", "of their joined", 1)
	}
	v := guardVerdict(GuardQueueLoss, over[0].pct, lim, true, msg)
	v.Queue = over[0].name
	v.Queues = len(over)
	return v, nil
}

// RejectedVerdict is the rejected-rows guard's verdict on a feed of rows
// data rows, rejected of them rejected, under the configured guards: what
// a plan of the feed will say, available before the plan (a feed judged
// before any call).
func RejectedVerdict(rows, rejected int, cfg Config) Verdict {
	return rejectedVerdict(rows, rejected, *cfg.WithDefaults().Guards.MaxRejectedPercent)
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
