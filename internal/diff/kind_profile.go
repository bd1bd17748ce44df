package diff

import (
	"fmt"
	"slices"
	"strings"
)

// KindUpdateUser changes a user's profile (name, email, title, department,
// manager, employee id, hire date, employee type, work phone, location) in one versioned
// PATCH /api/v2/users/{id}.
const KindUpdateUser Kind = "update_user"

func init() {
	RegisterKind(KindSpec{
		Kind: KindUpdateUser, Phase: 30, Endpoint: endpointPatchUser,
		Target: TargetUser, Payload: Payload{Field: "update"}, Versioned: true,
		Simulate: PerUser(simulateUpdate),
		// A new manager created by the plan has no id before its create.
		Link: func(l *Linker, o *Operation) {
			if m := o.Update.Manager; m != nil {
				l.Need(l.Creator(m.Key))
			}
		},
		Verify: Verify{Replan: []Part{PartProfile}},
		When:   "changed name, title, department, manager, work phone, location, hire date or employee type",
	})
}

func simulateUpdate(s *Sim, o *Operation, u *User) error {
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
	if up.EmployeeType != nil {
		u.EmployeeType = *up.EmployeeType
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
		m, err := s.User(*up.Manager)
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
	return nil
}
