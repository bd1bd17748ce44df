package diff

import "github.com/usersync/syncer/internal/feed"

// Person is one person of a plan being computed, as a kind's Plan step
// sees it: the feed row, the user it matched, what the planner decided so
// far. A step reads it and adds operations of its kind (Op) and the changes
// people read (Change).
type Person struct {
	p    *planner
	ps   *person
	kind Kind
}

// steps runs the kinds' Plan steps for one person, in plan order.
func (p *planner) steps(ps *person) {
	for i := range p.stepKinds {
		k := &p.stepKinds[i]
		k.Plan(&Person{p: p, ps: ps, kind: k.Kind})
	}
}

// Key is the person's key: "employee:<id>", "email:<email>", or
// "user:<id>" for a leaver the feed does not list.
func (x *Person) Key() string { return x.ps.key }

// Ref names the person's user in operations (no ID for a joiner).
func (x *Person) Ref() UserRef { return x.ps.ref }

// Row is the person's feed row; nil for a leaver the snapshot does not
// list.
func (x *Person) Row() *feed.Employee { return x.ps.emp }

// User is the user the row matched, as read; nil for a joiner.
func (x *Person) User() *User { return x.ps.user }

// Action is what the plan does to the account: create, restore, offboard,
// reactivate, or update (a matched user, whether or not anything changes).
func (x *Person) Action() Action {
	switch ps := x.ps; {
	case ps.offboard:
		return ActionOffboard
	case ps.create:
		return ActionCreate
	case ps.restore:
		return ActionRestore
	case ps.reactivate:
		return ActionReactivate
	}
	return ActionUpdate
}

// State is the state the user has after the plan.
func (x *Person) State() string { return x.ps.final }

// Settings are the plan's settings, defaults filled in.
func (x *Person) Settings() Config { return x.p.cfg }

// Refs are the org's reference data, to name things in changes.
func (x *Person) Refs() *feed.Refs { return x.p.refs }

// Op adds an operation of the step's kind on the person's user, with the
// id "<kind>:<key><suffix>" (the suffix tells apart several of one person)
// and one call; fill sets its payload. A versioned kind's expected version
// is filled in.
func (x *Person) Op(suffix string, fill func(o *Operation)) { x.p.op(x.ps, x.kind, suffix, fill) }

// Change records a change people read in the plan.
func (x *Person) Change(c Change) { x.ps.changes = append(x.ps.changes, c) }
