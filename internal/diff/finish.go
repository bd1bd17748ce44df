package diff

import (
	"cmp"
	"fmt"
	"maps"
	"slices"

	"github.com/usersync/syncer/internal/feed"
)

// batch turns the collected queue, division and acdAutoAnswer changes
// into operations of at most the endpoint's size.
func (p *planner) batch() {
	byKey := func(a, b UserRef) int { return cmp.Compare(a.Key, b.Key) }
	group := func(kind Kind, m map[string][]UserRef, size int, fill func(o *Operation, target string)) {
		for _, target := range slices.Sorted(maps.Keys(m)) {
			refs := m[target]
			slices.SortFunc(refs, byKey)
			for i, part := range chunk(refs, size) {
				o := Operation{ID: fmt.Sprintf("%s:%s#%d", kind, target, i+1), Kind: kind, Members: part, Calls: 1}
				fill(&o, target)
				p.batched = append(p.batched, o)
			}
		}
	}
	group(KindMoveDivision, p.moves, MaxDivisionObjectsPerCall, func(o *Operation, t string) { o.DivisionID = t })
	group(KindAddQueueMembers, p.queueAdds, MaxQueueMembersPerCall, func(o *Operation, t string) { o.QueueID = t })
	group(KindRemoveQueueMembers, p.queueRemoves, MaxQueueMembersPerCall, func(o *Operation, t string) { o.QueueID = t })
	slices.SortFunc(p.acd, func(a, b ACDAutoAnswer) int { return cmp.Compare(a.User.Key, b.User.Key) })
	for i, part := range chunk(p.acd, MaxUsersBulkPerCall) {
		p.batched = append(p.batched, Operation{ID: fmt.Sprintf("%s#%d", KindSetACDAutoAnswer, i+1), Kind: KindSetACDAutoAnswer, ACD: part, Calls: 1})
	}
}

// refsOf lists the users an operation touches.
func refsOf(o *Operation) []UserRef {
	var out []UserRef
	if o.User != nil {
		out = append(out, *o.User)
	}
	out = append(out, o.Members...)
	for _, a := range o.ACD {
		out = append(out, a.User)
	}
	return out
}

// finish orders the operations, links their dependencies and sums up.
func (p *planner) finish(rank map[string]int) *Plan {
	plan := &Plan{
		Schema: SchemaVersion, Feed: p.feed.File, Mode: p.feed.Mode, FeedRows: p.feed.Rows, Authority: p.cfg.Authority,
		Fingerprint: Fingerprint(p.cur, p.cfg), NewMembersJoined: p.cfg.NewMembersJoined,
		NewUserGrants: p.cfg.NewUserGrants, Settings: p.cfg,
		Users: []UserPlan{}, Operations: []Operation{},
	}
	n := len(p.batched)
	for _, ps := range p.people {
		n += len(ps.ops)
	}
	ops := make([]Operation, 0, n)
	for _, ps := range p.people {
		ops = append(ops, ps.ops...)
	}
	ops = append(ops, p.batched...)
	slices.SortStableFunc(ops, func(a, b Operation) int {
		return cmp.Or(cmp.Compare(mustSpec(a.Kind).Phase, mustSpec(b.Kind).Phase), cmp.Compare(rank[a.ID], rank[b.ID]))
	})
	link(ops)
	if len(ops) > 0 {
		plan.Operations = ops // else the empty list, never null in the JSON
	}

	for _, ps := range p.people {
		if len(ps.changes) == 0 {
			if !ps.offboard {
				plan.Totals.Unchanged++
			}
			continue
		}
		up := UserPlan{Key: ps.key, UserID: ps.ref.ID, Changes: ps.changes}
		switch {
		case ps.offboard:
			up.Action = ActionOffboard
			plan.Totals.Offboard++
		case ps.create:
			up.Action = ActionCreate
			plan.Totals.Create++
		case ps.restore:
			up.Action = ActionRestore
			plan.Totals.Restore++
		case ps.reactivate:
			up.Action = ActionReactivate
			plan.Totals.Reactivate++
		default:
			up.Action = ActionUpdate
			plan.Totals.Update++
		}
		if ps.emp != nil {
			up.Name, up.Email, up.EmployeeID, up.Line = ps.emp.Name, ps.emp.Email, ps.emp.EmployeeID, ps.emp.Line
		}
		if ps.user != nil && (ps.emp == nil || ps.emp.Action == feed.ActionOffboard) {
			up.Name, up.Email, up.EmployeeID = ps.user.Name, ps.user.Email, cmp.Or(up.EmployeeID, ps.user.ExternalIDs[p.cfg.Authority], ps.user.EmployeeID)
		}
		plan.Users = append(plan.Users, up)
	}
	plan.Totals.Operations = len(plan.Operations)
	for _, o := range plan.Operations {
		plan.Totals.Calls += o.Calls
	}
	plan.Estimate = Estimate{Calls: plan.Totals.Calls, RatePerMinute: p.cfg.RatePerMinute,
		Seconds: (plan.Totals.Calls*60 + p.cfg.RatePerMinute - 1) / p.cfg.RatePerMinute}

	plan.Rejected.Count = len(p.feed.Rejected)
	plan.Rejected.Unidentified = p.feed.UnidentifiedRejects()
	plan.Rejected.Rows = p.feed.Rejected
	for _, r := range p.feed.Rejected {
		if plan.Rejected.ByCode == nil {
			plan.Rejected.ByCode = map[string]int{}
		}
		for _, c := range r.Codes {
			plan.Rejected.ByCode[c]++
		}
	}
	slices.SortStableFunc(p.notes, func(a, b Note) int { return cmp.Or(cmp.Compare(a.Line, b.Line), cmp.Compare(a.Key, b.Key)) })
	plan.Notes = p.notes
	slices.SortStableFunc(p.warnings, func(a, b Note) int { return cmp.Or(cmp.Compare(a.Line, b.Line), cmp.Compare(a.Key, b.Key)) })
	plan.Warnings = p.warnings
	return plan
}

// link sets the DependsOn of operations in plan order. Every operation
// depends on the create (or restore) of each user it names, and a
// versioned write on the user's previous one; its kind's Link adds the
// rest.
func link(ops []Operation) {
	l := &Linker{ops: ops, creators: map[string]string{}, byUser: map[string][]string{}, deps: map[string]bool{}}
	for i := range ops {
		if o := &ops[i]; mustSpec(o.Kind).Creates {
			l.creators[o.User.Key] = o.ID
		}
	}
	lastVersioned := map[string]string{}
	for i := range ops {
		o := &ops[i]
		s := mustSpec(o.Kind)
		l.self = o.ID
		clear(l.deps)
		for _, d := range o.DependsOn { // set while planning (manager order)
			l.deps[d] = true
		}
		refs := refsOf(o)
		for _, r := range refs {
			// A created user has no id before its create; a deleted one
			// takes no change before its restore.
			l.Need(l.Creator(r.Key))
		}
		if s.Versioned {
			l.Need(lastVersioned[o.User.Key])
			lastVersioned[o.User.Key] = o.ID
		}
		if s.Link != nil {
			s.Link(l, o)
		}
		for _, r := range refs {
			l.byUser[r.Key] = append(l.byUser[r.Key], o.ID)
		}
		o.DependsOn = slices.Sorted(maps.Keys(l.deps))
	}
}

// Linker is what a kind's Link sees while a plan's dependencies are
// linked: the plan's operations in order, the one being linked, and its
// dependencies so far.
type Linker struct {
	ops      []Operation
	self     string
	deps     map[string]bool
	creators map[string]string             // user key → create or restore op id
	byUser   map[string][]string           // user key → ids of the operations so far that name the user
	index    map[Kind]map[[2]string]string // kind → (queue or division id, user key) → op id
}

// Need makes the operation being linked depend on operation id (none when
// id is empty or the operation itself).
func (l *Linker) Need(id string) {
	if id != "" && id != l.self {
		l.deps[id] = true
	}
}

// Creator returns the operation that creates or restores the user of key,
// or "".
func (l *Linker) Creator(key string) string { return l.creators[key] }

// Op returns the last operation of kind that names the user of key, on
// the queue or division target ("" for a kind of one user), or "".
func (l *Linker) Op(kind Kind, target, key string) string {
	idx, ok := l.index[kind]
	if !ok {
		idx = map[[2]string]string{}
		for i := range l.ops {
			o := &l.ops[i]
			if o.Kind != kind {
				continue
			}
			t := cmp.Or(o.QueueID, o.DivisionID)
			for _, r := range refsOf(o) {
				idx[[2]string{t, r.Key}] = o.ID
			}
		}
		if l.index == nil {
			l.index = map[Kind]map[[2]string]string{}
		}
		l.index[kind] = idx
	}
	return idx[[2]string{target, key}]
}

// Earlier returns the operations before the one being linked that name
// the user of key.
func (l *Linker) Earlier(key string) []string { return l.byUser[key] }
