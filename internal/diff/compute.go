package diff

import (
	"cmp"
	"errors"
	"fmt"
	"maps"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/usersync/syncer/internal/feed"
	"github.com/usersync/syncer/internal/textfmt"
)

// Compute returns the plan that makes cur what the feed says. It is pure:
// no I/O, and the same inputs give the same plan, byte for byte.
//
// The feed must have been read with reference data (feed.Config.Refs), so
// that every name has an id; refs is the same reference data, used here to
// name things in the plan.
func Compute(f *feed.Feed, cur *Current, refs *feed.Refs, cfg Config) (*Plan, error) {
	switch {
	case f == nil || cur == nil || refs == nil:
		return nil, errors.New("diff: feed, current state and reference data are all required")
	case !f.Resolved:
		return nil, fmt.Errorf("diff: feed %s was read without reference data; names are not resolved", f.File)
	}
	cfg = cfg.WithDefaults()
	p := newPlanner(f, cur, refs, cfg)
	p.match()
	if f.Mode == feed.ModeSnapshot {
		p.leavers()
	}
	for _, ps := range p.people {
		if p.leavingNow(ps) {
			p.leaving[ps.user.ID] = ps
		}
	}
	for _, ps := range p.people {
		p.plan(ps)
	}
	rank := p.orderManagers()
	p.batch()
	plan := p.finish(rank)
	if err := p.guard(plan); err != nil {
		return nil, err
	}
	return plan, nil
}

// person is one row of the plan being built.
type person struct {
	emp  *feed.Employee // nil for a snapshot leaver
	user *User          // nil for a joiner
	key  string
	ref  UserRef
	// create, restore, reactivate and offboard say what happens to the
	// account.
	create, restore, reactivate, offboard bool

	changes []Change
	ops     []Operation
	// version is the user's version before the next versioned write.
	version int
	// final is the state the user has after the plan.
	final string
}

type planner struct {
	cfg  Config
	refs *feed.Refs
	feed *feed.Feed
	cur  *Current

	byID    map[string]*User
	byExt   map[string]*User
	byEmp   map[string][]*User // by lower-case employerInfo.employeeId, when matched on
	byEmail map[string][]*User
	// claimed maps a user id to the feed key that matched it.
	claimed map[string]string
	// targets maps a lower-case feed key ("employee:e1", "email:a@b.c") to
	// the user it will be, for managers.
	targets map[string]UserRef

	people   []*person
	notes    []Note
	warnings []Note

	queueAdds    map[string][]UserRef
	queueRemoves map[string][]UserRef
	moves        map[string][]UserRef
	acd          []ACDAutoAnswer
	batched      []Operation

	// stepKinds are the kinds with a Plan step, in plan order.
	stepKinds []KindSpec
	// leaving maps the id of each user a leaver step applies to (see
	// Person.LeavingNow) to its person; claims maps a one-holder resource
	// (a station) to the key of the person the plan gives it to; holders
	// maps a station id to the user whose default it is (built when first
	// asked for).
	leaving map[string]*person
	claims  map[string]string
	holders map[string]*User
	// stepper is the Person the steps see (see steps).
	stepper *Person
}

func newPlanner(f *feed.Feed, cur *Current, refs *feed.Refs, cfg Config) *planner {
	p := &planner{
		cfg: cfg, refs: refs, feed: f, cur: cur,
		byID: map[string]*User{}, byExt: map[string]*User{}, byEmp: map[string][]*User{}, byEmail: map[string][]*User{},
		claimed: map[string]string{}, targets: map[string]UserRef{},
		queueAdds: map[string][]UserRef{}, queueRemoves: map[string][]UserRef{}, moves: map[string][]UserRef{},
		stepKinds: kindsWithSteps(),
		leaving:   map[string]*person{}, claims: map[string]string{},
	}
	for i := range cur.Users {
		u := &cur.Users[i]
		p.byID[u.ID] = u
		if k := u.ExternalIDs[cfg.Authority]; cfg.Authority != "" && k != "" {
			p.byExt[k] = u
		}
		if u.Email != "" {
			e := strings.ToLower(u.Email)
			p.byEmail[e] = append(p.byEmail[e], u)
		}
		if u.EmployeeID != "" && !cfg.IgnoreOrgEmployeeID {
			k := strings.ToLower(u.EmployeeID)
			p.byEmp[k] = append(p.byEmp[k], u)
		}
	}
	return p
}

// byEmployeeID returns the user whose employerInfo.employeeId is id (not
// when the feed's employee ids are not the org's), preferring one not
// deleted.
func (p *planner) byEmployeeID(id string) *User {
	if id == "" {
		return nil
	}
	return preferLive(p.byEmp[strings.ToLower(id)])
}

// byMail returns the user holding an email, preferring one not deleted.
func (p *planner) byMail(email string) *User {
	return preferLive(p.byEmail[strings.ToLower(email)])
}

// preferLive returns the first user not deleted, else the first one.
func preferLive(us []*User) *User {
	var deleted *User
	for _, u := range us {
		if u.State != StateDeleted {
			return u
		}
		if deleted == nil {
			deleted = u
		}
	}
	return deleted
}

func (p *planner) note(line int, key, code, format string, args ...any) {
	p.notes = append(p.notes, Note{Line: line, Key: key, Code: code, Reason: fmt.Sprintf(format, args...)})
}

func (p *planner) warn(line int, key, code, format string, args ...any) {
	p.warnings = append(p.warnings, Note{Line: line, Key: key, Code: code, Reason: fmt.Sprintf(format, args...)})
}

// ownedBy says why an owned attribute loses what the feed does not list.
func (p *planner) ownedBy(attr string) string {
	return fmt.Sprintf("%s %s owned by %s", attr, isAre(attr), p.feedLabel())
}

// offboardBy says why a leaver loses something.
func (p *planner) offboardBy(key string) string {
	return fmt.Sprintf("offboard.%s of %s", key, p.feedLabel())
}

// feedLabel names the feed in reasons: "feed hr", or "the feed".
func (p *planner) feedLabel() string {
	if p.cfg.FeedName == "" {
		return "the feed"
	}
	return "feed " + p.cfg.FeedName
}

func isAre(attr string) string {
	if strings.HasSuffix(attr, "s") {
		return "are"
	}
	return "is"
}

// ignoredKey reports whether the feed row names someone on the ignore list.
func (p *planner) ignoredKey(e *feed.Employee) bool {
	for _, x := range p.cfg.Scope.Ignore {
		if (e.EmployeeID != "" && x == e.EmployeeID) || ignoredEmail(x, e.Email) {
			return true
		}
	}
	return false
}

// match pairs every feed row with a user (or none, for a joiner).
func (p *planner) match() {
	for i := range p.feed.Employees {
		e := &p.feed.Employees[i]
		key := e.Key()
		var byExt, byEmp, byMail *User
		if p.cfg.Authority != "" && e.EmployeeID != "" {
			byExt = p.byExt[e.EmployeeID]
		}
		byEmp = p.byEmployeeID(e.EmployeeID)
		if e.Email != "" {
			byMail = p.byMail(e.Email)
		}
		// The employee id finds the person by external id, else by the
		// org's employee id; the email only when neither does.
		u, how := byExt, "external id"
		if u == nil {
			u, how = byEmp, "employee id"
		}
		switch {
		case byExt != nil && byEmp != nil && byExt != byEmp && byEmp.State != StateDeleted:
			p.note(e.Line, key, NoteConflict, "employee %s is user %s by external id but user %s by the org's employee id; nothing done for either",
				e.EmployeeID, byExt.ID, byEmp.ID)
			p.claimed[byExt.ID], p.claimed[byEmp.ID] = key, key
			continue
		case u != nil && byMail != nil && u != byMail && byMail.State != StateDeleted:
			p.note(e.Line, key, NoteConflict, "employee %s is user %s by %s, but %s belongs to user %s; nothing done for either",
				e.EmployeeID, u.ID, how, e.Email, byMail.ID)
			p.claimed[u.ID], p.claimed[byMail.ID] = key, key
			continue
		case u == nil && byMail != nil:
			if k := byMail.ExternalIDs[p.cfg.Authority]; p.cfg.Authority != "" && k != "" && e.EmployeeID != "" && k != e.EmployeeID {
				p.note(e.Line, key, NoteConflict, "%s belongs to user %s, whose %s id is %s, not %s; nothing done",
					e.Email, byMail.ID, p.cfg.Authority, k, e.EmployeeID)
				p.claimed[byMail.ID] = key
				continue
			}
			if k := byMail.EmployeeID; !p.cfg.IgnoreOrgEmployeeID && k != "" && e.EmployeeID != "" && !strings.EqualFold(k, e.EmployeeID) {
				p.note(e.Line, key, NoteConflict, "%s belongs to user %s, whose employee id is %s, not %s; nothing done",
					e.Email, byMail.ID, k, e.EmployeeID)
				p.claimed[byMail.ID] = key
				continue
			}
			u = byMail
		}
		if u != nil {
			if other, dup := p.claimed[u.ID]; dup {
				p.note(e.Line, key, NoteConflict, "user %s is already matched by %s; nothing done", u.ID, other)
				continue
			}
			p.claimed[u.ID] = key
		}
		switch {
		case e.Action == feed.ActionOffboard && u == nil:
			p.note(e.Line, key, NoteNotFound, "no user to offboard")
			continue
		case e.Action == feed.ActionOffboard && u.State == StateDeleted:
			continue
		case u != nil && (p.cfg.Scope.ignored(u) || p.ignoredKey(e)):
			p.note(e.Line, key, NoteIgnored, "user %s is on the ignore list", u.ID)
			p.skippedTarget(e, u, key)
			continue
		case u == nil && p.ignoredKey(e):
			p.note(e.Line, key, NoteIgnored, "%s is on the ignore list", key)
			continue
		case u != nil && !p.cfg.Scope.contains(u.DivisionID, u.Email):
			p.note(e.Line, key, NoteOutOfScope, "user %s (division %s) is out of scope", u.ID, p.refs.Divisions.Name(u.DivisionID))
			p.skippedTarget(e, u, key)
			continue
		case u == nil && !p.cfg.Scope.contains(cmp.Or(e.DivisionID, p.refs.HomeDivisionID), e.Email):
			p.note(e.Line, key, NoteOutOfScope, "a new user in division %s with email %s would be out of scope",
				p.refs.Divisions.Name(cmp.Or(e.DivisionID, p.refs.HomeDivisionID)), e.Email)
			continue
		}
		ps := &person{emp: e, user: u, key: key, ref: UserRef{Key: key, Email: e.Email}}
		switch {
		case e.Action == feed.ActionOffboard:
			ps.offboard = true
			ps.ref.ID, ps.ref.Email = u.ID, u.Email
		case u == nil:
			ps.create = true
		default:
			ps.ref.ID = u.ID
			ps.restore = u.State == StateDeleted
		}
		if u != nil {
			ps.version = u.Version
		}
		p.people = append(p.people, ps)
		if !ps.offboard {
			p.target(e, ps.ref)
		}
	}
}

// skippedTarget lets a user the plan leaves alone still be a manager,
// unless the account is deleted (and stays so).
func (p *planner) skippedTarget(e *feed.Employee, u *User, key string) {
	if u.State != StateDeleted {
		p.target(e, UserRef{ID: u.ID, Key: key, Email: u.Email})
	}
}

func (p *planner) target(e *feed.Employee, ref UserRef) {
	if e.EmployeeID != "" {
		p.targets["employee:"+strings.ToLower(e.EmployeeID)] = ref
	}
	if e.Email != "" {
		p.targets["email:"+strings.ToLower(e.Email)] = ref
	}
}

// leavers adds the in-scope users a snapshot does not list.
func (p *planner) leavers() {
	protected := map[string]bool{}
	for _, r := range p.feed.Rejected {
		if r.EmployeeID != "" {
			protected["employee:"+strings.ToLower(r.EmployeeID)] = true
		}
		if r.Email != "" {
			protected["email:"+strings.ToLower(r.Email)] = true
		}
	}
	var leavers []*person
	for i := range p.cur.Users {
		u := &p.cur.Users[i]
		if u.State == StateDeleted || p.claimed[u.ID] != "" || p.cfg.Scope.ignored(u) || !p.cfg.Scope.contains(u.DivisionID, u.Email) {
			continue
		}
		key := "user:" + u.ID
		ext := u.ExternalIDs[p.cfg.Authority]
		if (p.cfg.Authority != "" && ext != "" && protected["employee:"+strings.ToLower(ext)]) || protected["email:"+strings.ToLower(u.Email)] {
			p.note(0, key, NoteProtected, "user %s (%s) is on a rejected row of the feed; not offboarded", u.ID, u.Email)
			continue
		}
		leavers = append(leavers, &person{user: u, key: key, offboard: true, version: u.Version, ref: UserRef{ID: u.ID, Key: key, Email: u.Email}})
	}
	if n := p.feed.UnidentifiedRejects(); n > 0 && len(leavers) > 0 {
		p.note(0, "", NoteOffboardBlocked, "%d rejected rows identify nobody, so any absent user may be on one; the %d leavers are not offboarded in this run",
			n, len(leavers))
		return
	}
	slices.SortFunc(leavers, func(a, b *person) int { return cmp.Compare(a.key, b.key) })
	p.people = append(p.people, leavers...)
}

// plan works out one person's changes and per-user operations.
func (p *planner) plan(ps *person) {
	switch {
	case ps.offboard:
		p.planOffboard(ps)
	case ps.create:
		p.planCreate(ps)
	default:
		p.planUpdate(ps)
	}
	p.steps(ps)
}

func (p *planner) op(ps *person, kind Kind, suffix string, fill func(*Operation)) {
	o := Operation{ID: string(kind) + ":" + ps.key + suffix, Kind: kind, User: &ps.ref, Calls: 1}
	if kind.versioned() && !ps.create {
		o.ExpectedVersion = ps.version
		ps.version++
	}
	if fill != nil {
		fill(&o)
	}
	ps.ops = append(ps.ops, o)
}

func (p *planner) change(ps *person, attr, before, after string) {
	ps.changes = append(ps.changes, Change{Attr: attr, Before: before, After: after})
}

func (p *planner) planCreate(ps *person) {
	e := ps.emp
	body := &CreateUser{Name: e.Name, Email: e.Email, DivisionID: cmp.Or(e.DivisionID, p.refs.HomeDivisionID), Title: e.Title, Department: e.Department}
	if e.State == feed.StateInactive {
		body.State = StateInactive
	}
	if phone := (Phone{Number: e.PhoneWork, Extension: e.Extension}); !phone.IsZero() {
		body.WorkPhone = &phone
	}
	p.op(ps, KindCreateUser, "", func(o *Operation) { o.Create = body })
	p.change(ps, "name", "", e.Name)
	p.change(ps, "email", "", e.Email)
	p.change(ps, "division", "", p.refs.Divisions.Name(body.DivisionID))
	if e.Title != "" {
		p.change(ps, "title", "", e.Title)
	}
	if e.Department != "" {
		p.change(ps, "department", "", e.Department)
	}
	p.change(ps, "state", "", cmp.Or(body.State, StateActive))
	if body.WorkPhone != nil {
		p.change(ps, "phone", "", body.WorkPhone.String())
	}
	p.planExternalID(ps, nil)
	// POST /users takes no employerInfo nor locations: the employee id (so
	// BI can join on it), the hire date, the location and the manager
	// follow in one PATCH.
	var upd UpdateUser
	if e.EmployeeID != "" && !p.cfg.IgnoreOrgEmployeeID {
		p.change(ps, "employee_id", "", e.EmployeeID)
		upd.EmployeeID = &e.EmployeeID
	}
	if e.Has.Has(feed.FieldHireDate) && e.HireDate != "" {
		p.change(ps, "hire_date", "", e.HireDate)
		upd.DateHire = &e.HireDate
	}
	if e.Has.Has(feed.FieldEmployeeType) && e.EmployeeType != "" {
		p.change(ps, "employee_type", "", e.EmployeeType)
		upd.EmployeeType = &e.EmployeeType
	}
	if e.Has.Has(feed.FieldLocation) && e.LocationID != "" {
		p.change(ps, "location", "", p.refs.Locations.Name(e.LocationID))
		upd.Locations = []string{e.LocationID}
	}
	if ref, ok := p.managerRef(ps); ok && ref != nil {
		p.change(ps, "manager", "", p.userLabel(*ref))
		upd.Manager = ref
	}
	if !upd.IsZero() {
		p.op(ps, KindUpdateUser, "", func(o *Operation) { o.Update = &upd })
	}
	ps.final = cmp.Or(body.State, StateActive)
	p.planLists(ps, &User{State: ps.final, Grants: slices.Clone(p.cfg.NewUserGrants)})
	if e.Has.Has(feed.FieldACDAutoAnswer) && e.ACDAutoAnswer {
		p.change(ps, "acd_auto_answer", "", "true")
		p.acd = append(p.acd, ACDAutoAnswer{User: ps.ref, ACDAutoAnswer: true})
	}
}

// planExternalID registers the employee id as the user's external id: on
// a joiner, and on a matched user whose external ids are known (read) and
// lack it. A user matched by the org's employee id needs none: that id is
// the key, read free with every listing.
func (p *planner) planExternalID(ps *person, u *User) {
	e := ps.emp
	if p.cfg.Authority == "" || e.EmployeeID == "" {
		return
	}
	if u != nil && (u.ExternalIDs[p.cfg.Authority] == e.EmployeeID || u.ExternalIDsUnknown ||
		(!p.cfg.IgnoreOrgEmployeeID && strings.EqualFold(u.EmployeeID, e.EmployeeID))) {
		return
	}
	p.change(ps, "external_id", "", p.cfg.Authority+"/"+e.EmployeeID)
	p.op(ps, KindSetExternalID, "", func(o *Operation) {
		o.ExternalID = &ExternalID{AuthorityName: p.cfg.Authority, ExternalKey: e.EmployeeID}
	})
}

// wants reports whether the feed sets attribute f of this person: it
// speaks for it and owns it, or the current value is empty.
func (p *planner) wants(ps *person, f feed.Field, currentEmpty bool) bool {
	return ps.emp.Has.Has(f) && (p.cfg.owns(f) || currentEmpty)
}

func (p *planner) planUpdate(ps *person) {
	e, u := ps.emp, ps.user
	if ps.restore {
		p.change(ps, "state", StateDeleted, StateActive)
		p.op(ps, KindRestoreUser, "", func(o *Operation) { o.State = StateActive })
	}
	p.planExternalID(ps, u)

	var upd UpdateUser
	dirty := false
	text := func(f feed.Field, attr, cur, want string, set **string) {
		if p.wants(ps, f, cur == "") && cur != want {
			p.change(ps, attr, cur, want)
			if want == "" {
				ps.changes[len(ps.changes)-1].Reason = fmt.Sprintf("the row's %s is empty and %s", attr, p.ownedBy(attr))
			}
			*set, dirty = &want, true
		}
	}
	text(feed.FieldName, "name", u.Name, e.Name, &upd.Name)
	if p.wants(ps, feed.FieldEmail, u.Email == "") && !strings.EqualFold(u.Email, e.Email) && e.Email != "" {
		if holder := p.byMail(e.Email); holder != nil && holder.ID != u.ID {
			// Genesys refuses a taken email, even a deleted user's.
			p.note(e.Line, ps.key, NoteConflict, "new email %s belongs to user %s (%s); the email is left as it is",
				e.Email, holder.ID, holder.State)
		} else {
			p.change(ps, "email", u.Email, e.Email)
			upd.Email, dirty = &e.Email, true
		}
	}
	if e.EmployeeID != "" && !p.cfg.IgnoreOrgEmployeeID && !strings.EqualFold(u.EmployeeID, e.EmployeeID) {
		switch {
		case u.EmployeeID == "" && p.cfg.owns(feed.FieldEmployeeID):
			// Only filled, never overwritten: a different employee id in
			// the org is a conflict for a person to look at.
			p.change(ps, "employee_id", "", e.EmployeeID)
			upd.EmployeeID, dirty = &e.EmployeeID, true
		case u.EmployeeID != "":
			p.warn(e.Line, ps.key, WarnEmployeeIDDiffers, "user %s has employee id %s in the org, the feed says %s; left as it is",
				u.ID, u.EmployeeID, e.EmployeeID)
		}
	}
	text(feed.FieldTitle, "title", u.Title, e.Title, &upd.Title)
	text(feed.FieldDepartment, "department", u.Department, e.Department, &upd.Department)
	if p.planProfile(ps, &upd) {
		dirty = true
	}
	if p.wants(ps, feed.FieldManagerEmployeeID, u.ManagerID == "") {
		if ref, ok := p.managerRef(ps); ok {
			switch {
			case ref == nil && u.ManagerID != "":
				p.change(ps, "manager", p.managerLabel(u.ManagerID), "")
				ps.changes[len(ps.changes)-1].Reason = "the row names no manager and " + p.ownedBy("manager")
				upd.ClearManager, dirty = true, true
			case ref != nil && (ref.ID == "" || ref.ID != u.ManagerID):
				p.change(ps, "manager", p.managerLabel(u.ManagerID), p.userLabel(*ref))
				upd.Manager, dirty = ref, true
			}
		}
	}
	if dirty {
		if upd.WorkPhone != nil || upd.EmployeeID != nil || upd.DateHire != nil || upd.EmployeeType != nil {
			upd.Base = base(u)
		}
		p.op(ps, KindUpdateUser, "", func(o *Operation) { o.Update = &upd })
	}
	if p.wants(ps, feed.FieldDivision, u.DivisionID == "") && e.DivisionID != "" && e.DivisionID != u.DivisionID {
		p.change(ps, "division", p.refs.Divisions.Name(u.DivisionID), p.refs.Divisions.Name(e.DivisionID))
		p.moves[e.DivisionID] = append(p.moves[e.DivisionID], ps.ref)
	}
	state := u.State
	if ps.restore {
		state = StateActive
	}
	ps.final = state
	want := e.State
	if want == "" && state == StateInactive && p.cfg.owns(feed.FieldState) {
		// A row that matches an inactive account without asking for a
		// state is a joiner or a rehire: the account comes back, rather
		// than the person being left out or created a second time.
		want = StateActive
		ps.reactivate = true
		p.warn(e.Line, ps.key, WarnReactivate, "%s matches inactive user %s by %s; the plan reactivates that user (set state to inactive in the feed to keep the account inactive)",
			ps.key, u.ID, p.matchedBy(e, u))
	}
	if want != "" && p.cfg.owns(feed.FieldState) && want != state {
		p.change(ps, "state", state, want)
		p.op(ps, KindSetState, "", func(o *Operation) { o.State = want })
		ps.final = want
	}
	if state == StateActive && ps.final == StateInactive && len(u.Grants) > 0 {
		// The deactivation removes every direct grant before the roles
		// phase: the roles are planned against none.
		v := *u
		v.Grants = nil
		u = &v
	}
	p.planLists(ps, u)
	if p.wants(ps, feed.FieldACDAutoAnswer, false) && e.ACDAutoAnswer != u.ACDAutoAnswer {
		p.change(ps, "acd_auto_answer", fmt.Sprint(u.ACDAutoAnswer), fmt.Sprint(e.ACDAutoAnswer))
		p.acd = append(p.acd, ACDAutoAnswer{User: ps.ref, ACDAutoAnswer: e.ACDAutoAnswer})
	}
}

// planProfile plans the work phone, the location and the hire date of a
// matched user into upd, and reports whether it set any.
//
// The work phone is one attribute of two columns: a column the row has
// sets its part (an empty cell clears it), a column it lacks keeps the
// user's; both parts empty remove the phone. The location is set by name
// (resolved to an id); the user's locations become that one. Neither an
// empty location nor an empty hire date changes anything.
func (p *planner) planProfile(ps *person, upd *UpdateUser) bool {
	e, u := ps.emp, ps.user
	set := false
	if e.Has.Has(feed.FieldPhoneWork) || e.Has.Has(feed.FieldExtension) {
		want := u.WorkPhone
		if e.Has.Has(feed.FieldPhoneWork) {
			want.Number = e.PhoneWork
		}
		if e.Has.Has(feed.FieldExtension) {
			want.Extension = e.Extension
		}
		if (p.cfg.owns(feed.FieldPhoneWork) || u.WorkPhone.IsZero()) && !samePhone(u.WorkPhone, want) {
			p.change(ps, "phone", u.WorkPhone.String(), want.String())
			if want.IsZero() {
				ps.changes[len(ps.changes)-1].Reason = "the row's phone cells are empty and " + p.ownedBy("phone")
			}
			upd.WorkPhone, set = &want, true
		}
	}
	if e.Has.Has(feed.FieldLocation) && e.LocationID != "" && p.wants(ps, feed.FieldLocation, len(u.LocationIDs) == 0) &&
		!(len(u.LocationIDs) == 1 && u.LocationIDs[0] == e.LocationID) {
		names := make([]string, len(u.LocationIDs))
		for i, id := range u.LocationIDs {
			names[i] = p.refs.Locations.Name(id)
		}
		p.change(ps, "location", strings.Join(names, ", "), p.refs.Locations.Name(e.LocationID))
		if len(u.LocationIDs) > 0 {
			ps.changes[len(ps.changes)-1].Reason = p.ownedBy("location")
		}
		upd.Locations, set = []string{e.LocationID}, true
	}
	if e.Has.Has(feed.FieldHireDate) && p.wants(ps, feed.FieldHireDate, u.DateHire == "") && u.DateHire != e.HireDate {
		p.change(ps, "hire_date", u.DateHire, e.HireDate)
		upd.DateHire, set = &e.HireDate, true
	}
	if e.Has.Has(feed.FieldEmployeeType) && p.wants(ps, feed.FieldEmployeeType, u.EmployeeType == "") && u.EmployeeType != e.EmployeeType {
		p.change(ps, "employee_type", u.EmployeeType, e.EmployeeType)
		upd.EmployeeType, set = &e.EmployeeType, true
	}
	return set
}

// base is what a PATCH of the user's addresses or employerInfo rewrites
// whole, as read (see UpdateUser.Base).
func base(u *User) *UserBase {
	return &UserBase{OtherPhones: slices.Clone(u.OtherPhones),
		EmployerInfo: EmployerInfo{OfficialName: u.OfficialName, EmployeeID: u.EmployeeID, EmployeeType: u.EmployeeType, DateHire: u.DateHire}}
}

// managerRef resolves the person's manager: ok false when the feed does not
// set it or names someone nobody can find; a nil ref means "no manager".
func (p *planner) managerRef(ps *person) (*UserRef, bool) {
	e := ps.emp
	if !e.Has.Has(feed.FieldManagerEmployeeID) {
		return nil, false
	}
	mk := strings.ToLower(e.ManagerKey())
	if mk == "" {
		return nil, true
	}
	if ref, ok := p.targets[mk]; ok {
		return &ref, true
	}
	var u *User
	switch {
	case e.ManagerEmployeeID != "":
		if p.cfg.Authority != "" {
			u = p.byExt[e.ManagerEmployeeID]
		}
		if u == nil {
			u = p.byEmployeeID(e.ManagerEmployeeID)
		}
	case e.ManagerEmail != "":
		u = p.byMail(e.ManagerEmail)
	}
	if u == nil {
		p.note(e.Line, ps.key, NoteManagerUnknown, "manager %s is neither in the feed nor an existing user; the manager is left as it is",
			cmp.Or(e.ManagerEmployeeID, e.ManagerEmail))
		return nil, false
	}
	if u.State == StateDeleted {
		p.warn(e.Line, ps.key, WarnManagerDeleted, "manager %s is user %s, which is deleted in the org; the manager is left as it is",
			cmp.Or(e.ManagerEmployeeID, e.ManagerEmail), u.ID)
		return nil, false
	}
	if u.State == StateInactive {
		p.warn(e.Line, ps.key, WarnManagerInactive, "manager %s is user %s, which is inactive in the org; set anyway",
			cmp.Or(e.ManagerEmployeeID, e.ManagerEmail), u.ID)
	}
	return &UserRef{ID: u.ID, Key: "user:" + u.ID, Email: u.Email}, true
}

// userLabel names a user for people: email, or key.
func (p *planner) userLabel(r UserRef) string { return cmp.Or(r.Email, r.Key, r.ID) }

func (p *planner) managerLabel(id string) string {
	if id == "" {
		return ""
	}
	if u := p.byID[id]; u != nil {
		return cmp.Or(u.Email, id)
	}
	return id
}

// planLists plans skills, languages, queues and roles against u.
func (p *planner) planLists(ps *person, u *User) {
	e := ps.emp
	if e.Has.Has(feed.FieldSkills) {
		p.planLevels(ps, "skills", u.Skills, e.Skills, p.ownedReason(feed.FieldSkills, "skills"), p.refs.Skills, true)
	}
	if e.Has.Has(feed.FieldLanguages) {
		p.planLevels(ps, "languages", u.Languages, e.Languages, p.ownedReason(feed.FieldLanguages, "languages"), p.refs.Languages, false)
	}
	if e.Has.Has(feed.FieldQueues) {
		p.planQueues(ps, u)
	}
	if e.Has.Has(feed.FieldRoles) {
		want := make([]Grant, 0, len(e.Roles))
		for _, g := range e.Roles {
			want = append(want, Grant{RoleID: g.RoleID, DivisionID: g.DivisionID})
		}
		p.planGrants(ps, u.Grants, want, p.ownedReason(feed.FieldRoles, "roles"))
	}
}

// ownedReason is the reason an owned list loses what the feed does not
// list, or "" when the feed does not own it (then it only adds).
func (p *planner) ownedReason(f feed.Field, attr string) string {
	if !p.cfg.owns(f) {
		return ""
	}
	return p.ownedBy(attr)
}

func sameLevel(a, b float64) bool { return math.Abs(a-b) < 1e-9 }

func fmtLevel(v float64) string { return fmt.Sprintf("%g", v) }

// planLevels plans skills (skills true) or languages. removeWhy, when not
// empty, makes the list exact: what want does not hold is removed, for
// that reason.
func (p *planner) planLevels(ps *person, attr string, cur map[string]float64, want []feed.Proficiency, removeWhy string, dim feed.Dimension, skills bool) {
	var upserts []Proficiency
	var removals []string
	exact := removeWhy != ""
	c := Change{Attr: attr}
	wanted := map[string]bool{}
	all := make([]Proficiency, 0, len(want))
	for _, w := range want {
		wanted[w.ID] = true
		all = append(all, Proficiency{ID: w.ID, Proficiency: w.Level})
		v, has := cur[w.ID]
		switch {
		case !has:
			upserts = append(upserts, Proficiency{ID: w.ID, Proficiency: w.Level})
			c.Added = append(c.Added, textfmt.Quote(dim.Name(w.ID))+" "+fmtLevel(w.Level))
		case !sameLevel(v, w.Level):
			upserts = append(upserts, Proficiency{ID: w.ID, Proficiency: w.Level})
			c.Changed = append(c.Changed, textfmt.Quote(dim.Name(w.ID))+" "+fmtLevel(v)+" → "+fmtLevel(w.Level))
		}
	}
	if exact {
		for _, id := range slices.Sorted(maps.Keys(cur)) {
			if !wanted[id] {
				removals = append(removals, id)
				c.Removed = append(c.Removed, textfmt.Quote(dim.Name(id)))
			}
		}
		if len(removals) > 0 {
			c.Reason = removeWhy
		}
	}
	if len(upserts) == 0 && len(removals) == 0 {
		return
	}
	ps.changes = append(ps.changes, c)
	slices.SortFunc(upserts, func(a, b Proficiency) int { return cmp.Compare(a.ID, b.ID) })
	slices.SortFunc(all, func(a, b Proficiency) int { return cmp.Compare(a.ID, b.ID) })
	patchCalls := chunks(len(upserts), MaxSkillsPerCall) + len(removals)
	if skills && exact && len(removals) > 0 && len(all) <= MaxSkillsPerCall && 1 < patchCalls {
		p.op(ps, KindReplaceSkills, "", func(o *Operation) { o.Skills = all })
		return
	}
	setKind, removeKind := KindSetSkills, KindRemoveSkill
	if !skills {
		setKind, removeKind = KindSetLanguages, KindRemoveLanguage
	}
	for i, part := range chunk(upserts, MaxSkillsPerCall) {
		p.op(ps, setKind, fmt.Sprintf("#%d", i+1), func(o *Operation) {
			if skills {
				o.Skills = part
			} else {
				o.Languages = part
			}
		})
	}
	for _, id := range removals {
		p.op(ps, removeKind, ":"+id, func(o *Operation) { o.RemoveID = id })
	}
}

func (p *planner) planQueues(ps *person, u *User) {
	e := ps.emp
	removeWhy := p.ownedReason(feed.FieldQueues, "queues")
	exact := removeWhy != ""
	newJoined := p.cfg.NewMembersJoined
	// An inactive user takes no interactions, and deactivating unjoins
	// every queue (in the emulator, and possibly in Genesys): only
	// membership counts for them, never the joined flag.
	inactive := ps.final == StateInactive
	c := Change{Attr: "queues"}
	var flags []QueueJoined
	wanted := map[string]bool{}
	queues := slices.Clone(e.Queues)
	slices.SortFunc(queues, func(a, b feed.Queue) int { return cmp.Compare(a.ID, b.ID) })
	for _, q := range queues {
		wanted[q.ID] = true
		joined, member := u.Queues[q.ID]
		name := textfmt.Quote(p.refs.Queues.Name(q.ID))
		switch {
		case !member && inactive:
			p.queueAdds[q.ID] = append(p.queueAdds[q.ID], ps.ref)
			c.Added = append(c.Added, name)
		case !member:
			p.queueAdds[q.ID] = append(p.queueAdds[q.ID], ps.ref)
			c.Added = append(c.Added, name+" ("+joinedWord(q.Joined)+")")
			if q.Joined != newJoined {
				flags = append(flags, QueueJoined{ID: q.ID, Joined: q.Joined})
			}
		case inactive:
		case joined != q.Joined:
			c.Changed = append(c.Changed, name+" "+joinedWord(joined)+" → "+joinedWord(q.Joined))
			flags = append(flags, QueueJoined{ID: q.ID, Joined: q.Joined})
		}
	}
	if exact {
		for _, id := range slices.Sorted(maps.Keys(u.Queues)) {
			if !wanted[id] {
				p.queueRemoves[id] = append(p.queueRemoves[id], ps.ref)
				c.Removed = append(c.Removed, textfmt.Quote(p.refs.Queues.Name(id)))
				c.Reason = removeWhy
			}
		}
	}
	if len(c.Added)+len(c.Changed)+len(c.Removed) > 0 {
		ps.changes = append(ps.changes, c)
	}
	p.queueFlags(ps, flags)
}

func (p *planner) queueFlags(ps *person, flags []QueueJoined) {
	for i, part := range chunk(flags, MaxUserQueuesPerCall) {
		p.op(ps, KindSetQueueJoined, fmt.Sprintf("#%d", i+1), func(o *Operation) { o.Queues = part })
	}
}

func joinedWord(j bool) string {
	if j {
		return "joined"
	}
	return "unjoined"
}

func (p *planner) grantLabel(g Grant) string {
	return textfmt.Quote(p.refs.Roles.Name(g.RoleID) + "@" + p.refs.Divisions.Name(g.DivisionID))
}

// planGrants plans role grants; removeWhy, when not empty, makes the list
// exact (see planLevels).
func (p *planner) planGrants(ps *person, cur, want []Grant, removeWhy string) {
	exact := removeWhy != ""
	has := map[Grant]bool{}
	for _, g := range cur {
		has[g] = true
	}
	wanted := map[Grant]bool{}
	var add, remove []Grant
	for _, g := range want {
		wanted[g] = true
		if !has[g] {
			add = append(add, g)
		}
	}
	if exact {
		for _, g := range cur {
			if !wanted[g] {
				remove = append(remove, g)
			}
		}
	}
	p.grantOps(ps, add, remove, removeWhy)
}

func (p *planner) grantOps(ps *person, add, remove []Grant, removeWhy string) {
	if len(add)+len(remove) == 0 {
		return
	}
	byKey := func(a, b Grant) int {
		return cmp.Or(cmp.Compare(a.RoleID, b.RoleID), cmp.Compare(a.DivisionID, b.DivisionID))
	}
	slices.SortFunc(add, byKey)
	slices.SortFunc(remove, byKey)
	c := Change{Attr: "roles"}
	for _, g := range add {
		c.Added = append(c.Added, p.grantLabel(g))
	}
	for _, g := range remove {
		c.Removed = append(c.Removed, p.grantLabel(g))
	}
	if len(remove) > 0 {
		c.Reason = removeWhy
	}
	ps.changes = append(ps.changes, c)
	for i, part := range chunk(add, MaxGrantsPerCall) {
		p.op(ps, KindAddRoles, fmt.Sprintf("#%d", i+1), func(o *Operation) { o.Grants = part })
	}
	for i, part := range chunk(remove, MaxGrantsPerCall) {
		p.op(ps, KindRemoveRoles, fmt.Sprintf("#%d", i+1), func(o *Operation) { o.Grants = part })
	}
}

func (p *planner) planOffboard(ps *person) {
	u, pol := ps.user, p.cfg.Offboard
	if pol.RemoveQueues && len(u.Queues) > 0 {
		c := Change{Attr: "queues", Reason: p.offboardBy("unjoin_queues")}
		for _, id := range slices.Sorted(maps.Keys(u.Queues)) {
			p.queueRemoves[id] = append(p.queueRemoves[id], ps.ref)
			c.Removed = append(c.Removed, textfmt.Quote(p.refs.Queues.Name(id)))
		}
		ps.changes = append(ps.changes, c)
	} else if pol.UnjoinQueues {
		c := Change{Attr: "queues"}
		var flags []QueueJoined
		for _, id := range slices.Sorted(maps.Keys(u.Queues)) {
			if u.Queues[id] {
				flags = append(flags, QueueJoined{ID: id, Joined: false})
				c.Changed = append(c.Changed, textfmt.Quote(p.refs.Queues.Name(id))+" joined → unjoined")
			}
		}
		if len(flags) > 0 {
			ps.changes = append(ps.changes, c)
			p.queueFlags(ps, flags)
		}
	}
	if pol.StripSkills && len(u.Skills) > 0 {
		p.planLevels(ps, "skills", u.Skills, nil, p.offboardBy("strip_skills"), p.refs.Skills, true)
	}
	if pol.StripLanguages && len(u.Languages) > 0 {
		p.planLevels(ps, "languages", u.Languages, nil, p.offboardBy("strip_skills"), p.refs.Languages, false)
	}
	// Deactivating or deleting the account removes its direct grants: the
	// plan says so rather than pay a call for each.
	dropsGrants := pol.Action == OffboardDelete || (pol.Action == OffboardDeactivate && u.State == StateActive)
	switch {
	case len(u.Grants) == 0:
	case dropsGrants:
		why := "removed by the deactivation: Genesys Cloud drops an inactive user's direct grants"
		if pol.Action == OffboardDelete {
			why = "removed by the deletion: Genesys Cloud drops a deleted user's grants"
		}
		c := Change{Attr: "roles", Reason: why}
		for _, g := range u.Grants {
			c.Removed = append(c.Removed, p.grantLabel(g))
		}
		slices.Sort(c.Removed)
		ps.changes = append(ps.changes, c)
	case pol.StripRoles:
		p.grantOps(ps, nil, slices.Clone(u.Grants), p.offboardBy("strip_roles"))
	}
	ps.final = u.State
	switch {
	case p.graceOver(u):
		ps.changes = append([]Change{{Attr: "state", Before: u.State, After: StateDeleted,
			Reason: fmt.Sprintf("deactivated by this syncer on %s, longer ago than %s (%s)", u.OffboardedAt.UTC().Format("2006-01-02"),
				p.offboardBy("delete_after"), fmtDays(pol.DeleteAfter))}}, ps.changes...)
		p.op(ps, KindDeleteUser, "", nil)
		ps.final = StateDeleted
	case pol.Action == OffboardDelete:
		// Deleting is the last step; the change list shows it first.
		ps.changes = append([]Change{{Attr: "state", Before: u.State, After: StateDeleted, Reason: p.leaverWhy(ps) + "; " + p.offboardBy("action") + " is delete"}}, ps.changes...)
		p.op(ps, KindDeleteUser, "", nil)
		ps.final = StateDeleted
	case pol.Action == OffboardDeactivate && u.State == StateActive:
		ps.changes = append([]Change{{Attr: "state", Before: u.State, After: StateInactive, Reason: p.leaverWhy(ps)}}, ps.changes...)
		p.op(ps, KindSetState, "", func(o *Operation) { o.State = StateInactive })
		ps.final = StateInactive
	}
}

// graceOver reports whether u is a leaver offboard.delete_after deletes
// now: inactive, deactivated by an apply of this syncer longer ago than
// the grace period at the time the state was read.
func (p *planner) graceOver(u *User) bool {
	after := p.cfg.Offboard.DeleteAfter
	return after > 0 && u.State == StateInactive && !u.OffboardedAt.IsZero() && !p.cur.AsOf.IsZero() &&
		p.cur.AsOf.Sub(u.OffboardedAt) >= after
}

// leavingNow reports whether the leaver steps (verifiers, stations,
// utilization) apply to ps: a leaver whose account is active (leaving
// now: deactivated by this plan, or kept with offboard.action none), or
// one the verification after an apply rechecks; never one the plan
// deletes (deleting releases the account whole).
func (p *planner) leavingNow(ps *person) bool {
	u := ps.user
	return ps.offboard && u != nil && p.cfg.Offboard.Action != OffboardDelete && !p.graceOver(u) &&
		(u.State == StateActive || (u.State == StateInactive && p.cfg.Recheck[u.ID]))
}

// fmtDays writes a duration in whole days when it is one ("30d"), else as
// Go does.
func fmtDays(d time.Duration) string {
	if d > 0 && d%(24*time.Hour) == 0 {
		return fmt.Sprintf("%dd", d/(24*time.Hour))
	}
	return d.String()
}

// leaverWhy says why a person is offboarded.
func (p *planner) leaverWhy(ps *person) string {
	if ps.emp != nil {
		return fmt.Sprintf("offboarded by line %d of %s", ps.emp.Line, p.feedLabel())
	}
	return fmt.Sprintf("not in the snapshot of %s", p.feedLabel())
}

// matchedBy says how a row found its user.
func (p *planner) matchedBy(e *feed.Employee, u *User) string {
	if p.cfg.Authority != "" && e.EmployeeID != "" && u.ExternalIDs[p.cfg.Authority] == e.EmployeeID {
		return "employee id"
	}
	return "email"
}

// chunks returns how many calls n items take at size per call.
func chunks(n, size int) int { return (n + size - 1) / size }

func chunk[T any](items []T, size int) [][]T {
	var out [][]T
	for len(items) > 0 {
		n := min(size, len(items))
		out = append(out, items[:n:n])
		items = items[n:]
	}
	return out
}
