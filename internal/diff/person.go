package diff

import (
	"cmp"
	"time"

	"github.com/usersync/syncer/internal/feed"
)

// Person is one person of a plan being computed, as a kind's Plan step
// sees it: the feed row, the user it matched, what the planner decided so
// far. A step reads it and adds operations of its kind (Op) and the changes
// people read (Change); it must not keep it after it returns.
type Person struct {
	p    *planner
	ps   *person
	kind Kind
}

// steps runs the kinds' Plan steps for one person, in plan order. One
// Person serves every step of the plan (a step must not keep it), so that
// a 20,000-person plan does not allocate one per person and kind.
func (p *planner) steps(ps *person) {
	if p.stepper == nil {
		p.stepper = &Person{p: p}
	}
	x := p.stepper
	x.ps = ps
	for i := range p.stepKinds {
		k := &p.stepKinds[i]
		x.kind = k.Kind
		k.Plan(x)
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

// Note records something the plan chose not to do for the person, and why.
func (x *Person) Note(code, format string, args ...any) {
	line := 0
	if x.ps.emp != nil {
		line = x.ps.emp.Line
	}
	x.p.note(line, x.ps.key, code, format, args...)
}

// LeavingNow reports whether the leaver steps apply to the person: a
// leaver whose account is active (this plan deactivates it, or keeps it
// with offboard.action none) or whom the verification after an apply
// rechecks (Config.Recheck); never one the plan deletes.
func (x *Person) LeavingNow() bool { return x.p.leaving[x.userID()] == x.ps && x.ps.user != nil }

func (x *Person) userID() string {
	if x.ps.user == nil {
		return ""
	}
	return x.ps.user.ID
}

// StationHolder returns the user whose default station id is, among the
// users whose stations were read (nil when none), and whether that user
// leaves now with offboard.release_stations, so that the station is free
// before the plan gives it to someone else.
func (x *Person) StationHolder(id string) (*User, bool) {
	p := x.p
	if p.holders == nil {
		p.holders = map[string]*User{}
		for i := range p.cur.Users {
			if u := &p.cur.Users[i]; u.DefaultStationID != "" && u.State != StateDeleted {
				p.holders[u.DefaultStationID] = u
			}
		}
	}
	h := p.holders[id]
	if h == nil {
		return nil, false
	}
	return h, p.cfg.Offboard.ReleaseStations && p.leaving[h.ID] != nil
}

// Claim records that the plan gives the person a resource only one person
// may hold (a station); it returns the key of the person the plan gave it
// to first, or "" when it was free.
func (x *Person) Claim(resource string) string {
	if by, ok := x.p.claims[resource]; ok && by != x.ps.key {
		return by
	}
	x.p.claims[resource] = x.ps.key
	return ""
}

// AsOf is when the state the plan is computed from was read (zero when
// unknown).
func (x *Person) AsOf() time.Time { return x.p.cur.AsOf }

// UserLabel names a user for people: email, else id.
func (x *Person) UserLabel(u *User) string { return cmp.Or(u.Email, u.ID) }

// offboardBy says why a leaver loses something ("offboard.revoke_mfa of
// feed hr").
func (x *Person) offboardBy(key string) string { return x.p.offboardBy(key) }

// ownedBy says why an owned attribute loses what the feed does not list.
func (x *Person) ownedBy(attr string) string { return x.p.ownedBy(attr) }

// owns reports whether the feed owns attribute f.
func (x *Person) owns(f feed.Field) bool { return x.p.cfg.owns(f) }
