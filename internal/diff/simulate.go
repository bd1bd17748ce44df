package diff

import (
	"fmt"
	"slices"
	"strings"
)

// Simulate applies a plan to a copy of cur the way the API would, checking
// what the API checks: versions of versioned writes, bulk limits, email
// uniqueness on create, references to users that exist. It returns the
// state after the plan. Computing a plan against that state with the same
// feed gives an empty plan: that is the property the tests hold the
// planner to. The routing-impact guard also uses it.
//
// Each operation is simulated by its kind (KindSpec.Simulate).
func Simulate(cur *Current, plan *Plan) (*Current, error) {
	out := &Current{Users: make([]User, len(cur.Users)), QueueJoined: cloneMap(cur.QueueJoined)}
	for i := range cur.Users {
		out.Users[i] = cur.Users[i].clone()
	}
	s := &Sim{cur: out, byID: map[string]int{}, byKey: map[string]string{}, byEmail: map[string]string{}, plan: plan}
	for i := range out.Users {
		s.byID[out.Users[i].ID] = i
		s.byEmail[strings.ToLower(out.Users[i].Email)] = out.Users[i].ID
	}
	for i := range plan.Operations {
		o := &plan.Operations[i]
		if err := s.apply(o); err != nil {
			return nil, fmt.Errorf("simulate operation %d (%s): %w", i+1, o.ID, err)
		}
	}
	return out, nil
}

// Sim is a simulation in progress: the state as the plan's operations so
// far have left it. A kind's Simulate changes it through User.
type Sim struct {
	cur   *Current
	plan  *Plan
	byID  map[string]int
	byKey map[string]string // created user key → id
	// byEmail maps a lower-case email to the user holding it.
	byEmail map[string]string
	n       int
}

func (s *Sim) apply(o *Operation) error {
	k := spec(o.Kind)
	if k == nil {
		return fmt.Errorf("unknown operation kind %q", o.Kind)
	}
	return k.Simulate(s, o)
}

// Plan returns the plan being simulated (NewMembersJoined, NewUserGrants).
func (s *Sim) Plan() *Plan { return s.plan }

// User returns the user r names (by id, or by the key of a user the plan
// created), as the simulation has it so far; changes to it are the
// simulation's. It is an error when the user does not exist or is deleted,
// as the API's 404 is.
func (s *Sim) User(r UserRef) (*User, error) {
	id := r.ID
	if id == "" {
		id = s.byKey[r.Key]
	}
	i, ok := s.byID[id]
	if !ok {
		return nil, fmt.Errorf("user %q (%s) does not exist", id, r.Key)
	}
	u := &s.cur.Users[i]
	if u.State == StateDeleted {
		return nil, fmt.Errorf("user %s is deleted", id)
	}
	return u, nil
}

// PerUser adapts the simulation of an operation on one user (Target
// TargetUser): the user must exist and not be deleted, and a versioned
// write must find the version it expects (0: a user the plan created),
// which it then bumps, as the API's 409 and version do.
func PerUser(f func(s *Sim, o *Operation, u *User) error) func(*Sim, *Operation) error {
	return func(s *Sim, o *Operation) error {
		if o.User == nil {
			return fmt.Errorf("a %s without a user", o.Kind)
		}
		u, err := s.User(*o.User)
		if err != nil {
			return err
		}
		if o.Kind.versioned() {
			if o.ExpectedVersion != 0 && o.ExpectedVersion != u.Version {
				return fmt.Errorf("409: version %d, user %s is at %d", o.ExpectedVersion, u.ID, u.Version)
			}
			u.Version++
		}
		return f(s, o, u)
	}
}

// forMembers adapts the simulation of a batch over Operation.Members (at
// most max of them): each member must exist and not be deleted.
func forMembers(what string, max int, f func(s *Sim, o *Operation, u *User)) func(*Sim, *Operation) error {
	return func(s *Sim, o *Operation) error {
		if err := limit(what, len(o.Members), max); err != nil {
			return err
		}
		for _, m := range o.Members {
			u, err := s.User(m)
			if err != nil {
				return err
			}
			f(s, o, u)
		}
		return nil
	}
}

func limit(what string, n, max int) error {
	if n > max {
		return fmt.Errorf("%d %s in one call, the limit is %d", n, what, max)
	}
	if n == 0 {
		return fmt.Errorf("no %s in the call", what)
	}
	return nil
}

// create adds the user a create_user makes.
func (s *Sim) create(o *Operation) error {
	c := o.Create
	if holder, taken := s.byEmail[strings.ToLower(c.Email)]; taken {
		return fmt.Errorf("409 general.conflict: email %s is held by user %s", c.Email, holder)
	}
	if _, dup := s.byKey[o.User.Key]; dup {
		return fmt.Errorf("user %s created twice", o.User.Key)
	}
	s.n++
	u := User{ID: fmt.Sprintf("new-%04d", s.n), Email: c.Email, Name: c.Name, Title: c.Title, Department: c.Department,
		DivisionID: c.DivisionID, State: StateActive, Version: 1, Grants: slices.Clone(s.plan.NewUserGrants)}
	if c.State != "" {
		u.State = c.State
	}
	if c.WorkPhone != nil {
		u.WorkPhone = *c.WorkPhone
	}
	s.cur.Users = append(s.cur.Users, u)
	s.byID[u.ID] = len(s.cur.Users) - 1
	s.byKey[o.User.Key] = u.ID
	s.byEmail[strings.ToLower(u.Email)] = u.ID
	return nil
}
