package diff

import (
	"maps"
	"slices"
)

// Manager changes are ordered so that no intermediate state has a
// reporting loop (Genesys and the emulator refuse a manager that would
// close one): a user's manager is set only after every planned change
// above the new manager is done, that is in order of depth in the final
// reporting forest. A change that would leave a loop in the final state
// (the feed's manager reports, in the org, to the employee) is dropped
// with a note.

// identity names a user in the final state: the id, or the key of a user
// the plan creates.
func identity(r UserRef) string {
	if r.ID != "" {
		return r.ID
	}
	return "key:" + r.Key
}

// managerChange is the planned manager change of one person.
type managerChange struct {
	ps *person
	op *Operation
	to string // identity of the new manager, "" to clear
}

func (p *planner) managerChanges() map[string]*managerChange {
	out := map[string]*managerChange{}
	for _, ps := range p.people {
		for i := range ps.ops {
			o := &ps.ops[i]
			if o.Kind != KindUpdateUser || o.Update == nil {
				continue
			}
			switch {
			case o.Update.Manager != nil:
				out[identity(ps.ref)] = &managerChange{ps: ps, op: o, to: identity(*o.Update.Manager)}
			case o.Update.ClearManager:
				out[identity(ps.ref)] = &managerChange{ps: ps, op: o}
			}
		}
	}
	return out
}

// finalManager returns the manager x has after the plan.
func (p *planner) finalManager(changes map[string]*managerChange, x string) string {
	if c, ok := changes[x]; ok {
		return c.to
	}
	if u := p.byID[x]; u != nil {
		return u.ManagerID
	}
	return ""
}

// orderManagers drops manager changes that would close a loop and ranks
// the remaining ones by depth. It returns the rank of each update
// operation and adds each one's dependency on the change of its new
// manager.
func (p *planner) orderManagers() map[string]int {
	changes := p.managerChanges()
	for _, x := range slices.Sorted(maps.Keys(changes)) {
		c := changes[x]
		seen := map[string]bool{x: true}
		for m := c.to; m != ""; m = p.finalManager(changes, m) {
			if seen[m] {
				if m == x {
					p.note(c.ps.emp.Line, c.ps.key, NoteConflict, "manager %s would close a reporting loop; the manager is left as it is",
						p.userLabel(*c.op.Update.Manager))
					c.op.Update.Manager = nil
					c.ps.changes = slices.DeleteFunc(c.ps.changes, func(ch Change) bool { return ch.Attr == "manager" })
					delete(changes, x)
				}
				break
			}
			seen[m] = true
		}
	}
	// An update left without any field is no longer a call, and the
	// versioned writes after it expect one version less.
	for _, ps := range p.people {
		n := len(ps.ops)
		ps.ops = slices.DeleteFunc(ps.ops, func(o Operation) bool {
			u := o.Update
			return o.Kind == KindUpdateUser && u.IsZero()
		})
		if len(ps.ops) == n || ps.user == nil {
			continue
		}
		v := ps.user.Version
		for i := range ps.ops {
			if ps.ops[i].Kind.versioned() {
				ps.ops[i].ExpectedVersion = v
				v++
			}
		}
	}
	changes = p.managerChanges()

	depth := map[string]int{}
	var depthOf func(x string, guard int) int
	depthOf = func(x string, guard int) int {
		if d, ok := depth[x]; ok {
			return d
		}
		m := p.finalManager(changes, x)
		d := 0
		if m != "" && guard > 0 {
			d = 1 + depthOf(m, guard-1)
		}
		depth[x] = d
		return d
	}
	rank := map[string]int{}
	limit := len(p.cur.Users) + len(p.people) + 1
	for x, c := range changes {
		rank[c.op.ID] = depthOf(x, limit)
		if mc, ok := changes[c.to]; ok && c.to != "" {
			c.op.DependsOn = append(c.op.DependsOn, mc.op.ID)
		}
	}
	return rank
}
