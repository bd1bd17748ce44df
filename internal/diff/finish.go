package diff

import (
	"cmp"

	"fmt"
	"github.com/usersync/syncer/internal/feed"
	"maps"
	"slices"
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
	var ops []Operation
	for _, ps := range p.people {
		ops = append(ops, ps.ops...)
	}
	ops = append(ops, p.batched...)
	slices.SortStableFunc(ops, func(a, b Operation) int {
		return cmp.Or(cmp.Compare(kindOrder[a.Kind], kindOrder[b.Kind]), cmp.Compare(rank[a.ID], rank[b.ID]))
	})

	creates := map[string]string{}  // user key → create op id
	added := map[[2]string]string{} // queue id, user key → add op id
	byUser := map[string][]string{} // user key → op ids touching the user
	lastVersioned := map[string]string{}
	states := map[string]string{} // user key → set_state op id
	for _, o := range ops {
		if o.Kind == KindSetState {
			states[o.User.Key] = o.ID
		}
		if o.Kind == KindCreateUser || o.Kind == KindRestoreUser {
			creates[o.User.Key] = o.ID
		}
		if o.Kind == KindAddQueueMembers {
			for _, m := range o.Members {
				added[[2]string{o.QueueID, m.Key}] = o.ID
			}
		}
	}
	for i := range ops {
		o := &ops[i]
		deps := map[string]bool{}
		for _, d := range o.DependsOn { // set while planning (manager order)
			deps[d] = true
		}
		refs := refsOf(o)
		if o.Update != nil && o.Update.Manager != nil {
			refs = append(refs, *o.Update.Manager)
		}
		for _, r := range refs {
			// A created user has no id before its create; a deleted one
			// takes no change before its restore.
			if c := creates[r.Key]; c != "" && c != o.ID {
				deps[c] = true
			}
		}
		if o.Kind.versioned() {
			if prev := lastVersioned[o.User.Key]; prev != "" {
				deps[prev] = true
			}
			lastVersioned[o.User.Key] = o.ID
		}
		if o.Kind == KindSetQueueJoined {
			// Joining takes an active user: after a reactivation.
			if s := states[o.User.Key]; s != "" {
				deps[s] = true
			}
			for _, q := range o.Queues {
				if a := added[[2]string{q.ID, o.User.Key}]; a != "" {
					deps[a] = true
				}
			}
		}
		if o.Kind == KindDeleteUser {
			for _, id := range byUser[o.User.Key] {
				deps[id] = true
			}
		}
		for _, r := range refsOf(o) {
			byUser[r.Key] = append(byUser[r.Key], o.ID)
		}
		o.DependsOn = slices.Sorted(maps.Keys(deps))
	}
	plan.Operations = append(plan.Operations, ops...)

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
