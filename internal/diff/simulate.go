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
func Simulate(cur *Current, plan *Plan) (*Current, error) {
	out := &Current{Users: make([]User, len(cur.Users)), QueueJoined: cloneMap(cur.QueueJoined)}
	for i := range cur.Users {
		out.Users[i] = cur.Users[i].clone()
	}
	s := &simulator{cur: out, byID: map[string]int{}, byKey: map[string]string{}, byEmail: map[string]string{}, plan: plan}
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

type simulator struct {
	cur   *Current
	plan  *Plan
	byID  map[string]int
	byKey map[string]string // created user key → id
	// byEmail maps a lower-case email to the user holding it.
	byEmail map[string]string
	n       int
}

func (s *simulator) user(r UserRef) (*User, error) {
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

func limit(what string, n, max int) error {
	if n > max {
		return fmt.Errorf("%d %s in one call, the limit is %d", n, what, max)
	}
	if n == 0 {
		return fmt.Errorf("no %s in the call", what)
	}
	return nil
}

func (s *simulator) apply(o *Operation) error {
	if o.Kind == KindCreateUser {
		return s.create(o)
	}
	if o.Kind == KindRestoreUser {
		i, ok := s.byID[o.User.ID]
		if !ok {
			return fmt.Errorf("user %s does not exist", o.User.ID)
		}
		u := &s.cur.Users[i]
		if u.State != StateDeleted {
			return fmt.Errorf("restore of user %s in state %s", u.ID, u.State)
		}
		if o.ExpectedVersion != u.Version {
			return fmt.Errorf("409: version %d, user %s is at %d", o.ExpectedVersion, u.ID, u.Version)
		}
		u.State, u.Version = StateActive, u.Version+1
		return nil
	}
	switch o.Kind {
	case KindMoveDivision:
		if err := limit("users", len(o.Members), MaxDivisionObjectsPerCall); err != nil {
			return err
		}
		for _, m := range o.Members {
			u, err := s.user(m)
			if err != nil {
				return err
			}
			u.DivisionID = o.DivisionID
			u.Version++ // a division move bumps the version, as in the emulator
		}
		return nil
	case KindAddQueueMembers, KindRemoveQueueMembers:
		if err := limit("members", len(o.Members), MaxQueueMembersPerCall); err != nil {
			return err
		}
		for _, m := range o.Members {
			u, err := s.user(m)
			if err != nil {
				return err
			}
			if o.Kind == KindRemoveQueueMembers {
				delete(u.Queues, o.QueueID)
				continue
			}
			if _, member := u.Queues[o.QueueID]; !member {
				if u.Queues == nil {
					u.Queues = map[string]bool{}
				}
				u.Queues[o.QueueID] = s.plan.NewMembersJoined && u.State == StateActive
			}
		}
		return nil
	case KindSetACDAutoAnswer:
		if err := limit("users", len(o.ACD), MaxUsersBulkPerCall); err != nil {
			return err
		}
		for _, a := range o.ACD {
			u, err := s.user(a.User)
			if err != nil {
				return err
			}
			u.ACDAutoAnswer = a.ACDAutoAnswer
			u.Version++
		}
		return nil
	}

	if o.User == nil {
		return fmt.Errorf("a %s without a user", o.Kind)
	}
	u, err := s.user(*o.User)
	if err != nil {
		return err
	}
	if o.Kind.versioned() {
		if o.ExpectedVersion != 0 && o.ExpectedVersion != u.Version {
			return fmt.Errorf("409: version %d, user %s is at %d", o.ExpectedVersion, u.ID, u.Version)
		}
		u.Version++
	}
	switch o.Kind {
	case KindSetExternalID:
		if u.ExternalIDs == nil {
			u.ExternalIDs = map[string]string{}
		}
		u.ExternalIDs[o.ExternalID.AuthorityName] = o.ExternalID.ExternalKey
	case KindUpdateUser:
		up := o.Update
		if up.Name != nil {
			u.Name = *up.Name
		}
		if up.Email != nil {
			if holder, taken := s.byEmail[strings.ToLower(*up.Email)]; taken && holder != u.ID {
				return fmt.Errorf("409 general.conflict: email %s is held by user %s", *up.Email, holder)
			}
			delete(s.byEmail, strings.ToLower(u.Email))
			u.Email = *up.Email
			s.byEmail[strings.ToLower(u.Email)] = u.ID
		}
		if up.Title != nil {
			u.Title = *up.Title
		}
		if up.Department != nil {
			u.Department = *up.Department
		}
		if up.EmployeeID != nil {
			u.EmployeeID = *up.EmployeeID
		}
		if up.DateHire != nil {
			u.DateHire = *up.DateHire
		}
		if up.WorkPhone != nil {
			u.WorkPhone = *up.WorkPhone
			if up.Base != nil {
				u.OtherPhones = slices.Clone(up.Base.OtherPhones)
			}
		}
		if up.Locations != nil {
			u.LocationIDs = slices.Clone(up.Locations)
		}
		switch {
		case up.ClearManager:
			u.ManagerID = ""
		case up.Manager != nil:
			m, err := s.user(*up.Manager)
			if err != nil {
				return fmt.Errorf("manager: %w", err)
			}
			for x, n := m, 0; x != nil && n <= len(s.cur.Users); n++ {
				if x.ID == u.ID {
					return fmt.Errorf("400: manager %s would close a reporting loop over user %s", m.ID, u.ID)
				}
				i, ok := s.byID[x.ManagerID]
				if !ok {
					break
				}
				x = &s.cur.Users[i]
			}
			u.ManagerID = m.ID
		}
	case KindSetState:
		if o.State != StateActive && o.State != StateInactive {
			return fmt.Errorf("state %q", o.State)
		}
		u.State = o.State
		if u.State == StateInactive {
			for q := range u.Queues { // deactivating unjoins every queue
				u.Queues[q] = false
			}
		}
	case KindSetSkills, KindReplaceSkills:
		if err := limit("skills", len(o.Skills), MaxSkillsPerCall); err != nil && !(o.Kind == KindReplaceSkills && len(o.Skills) == 0) {
			return err
		}
		if o.Kind == KindReplaceSkills || u.Skills == nil {
			u.Skills = map[string]float64{}
		}
		for _, sk := range o.Skills {
			u.Skills[sk.ID] = sk.Proficiency
		}
	case KindRemoveSkill:
		delete(u.Skills, o.RemoveID)
	case KindSetLanguages:
		if err := limit("languages", len(o.Languages), MaxLanguagesPerCall); err != nil {
			return err
		}
		if u.Languages == nil {
			u.Languages = map[string]float64{}
		}
		for _, l := range o.Languages {
			u.Languages[l.ID] = l.Proficiency
		}
	case KindRemoveLanguage:
		delete(u.Languages, o.RemoveID)
	case KindSetQueueJoined:
		if err := limit("queues", len(o.Queues), MaxUserQueuesPerCall); err != nil {
			return err
		}
		for _, q := range o.Queues {
			if _, member := u.Queues[q.ID]; member { // the API ignores queues the user is not a member of
				u.Queues[q.ID] = q.Joined
			}
		}
	case KindAddRoles:
		if err := limit("grants", len(o.Grants), MaxGrantsPerCall); err != nil {
			return err
		}
		for _, g := range o.Grants {
			if !slices.Contains(u.Grants, g) {
				u.Grants = append(u.Grants, g)
			}
		}
	case KindRemoveRoles:
		if err := limit("grants", len(o.Grants), MaxGrantsPerCall); err != nil {
			return err
		}
		u.Grants = slices.DeleteFunc(u.Grants, func(g Grant) bool { return slices.Contains(o.Grants, g) })
	case KindDeleteUser:
		// A deleted user leaves every queue and loses its grants; a
		// restore does not bring them back.
		u.State, u.Queues, u.Grants = StateDeleted, nil, nil
	default:
		return fmt.Errorf("unknown operation kind %q", o.Kind)
	}
	return nil
}

func (s *simulator) create(o *Operation) error {
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
