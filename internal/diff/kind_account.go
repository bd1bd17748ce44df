package diff

import "fmt"

// The kinds that make, bring back, change the state of and delete an
// account.
const (
	KindCreateUser  Kind = "create_user"  // POST /api/v2/users
	KindRestoreUser Kind = "restore_user" // PATCH /api/v2/users/{id} {state: active}
	KindSetState    Kind = "set_state"    // PATCH /api/v2/users/{id} {state} (alone)
	KindDeleteUser  Kind = "delete_user"  // DELETE /api/v2/users/{id}
)

// endpointPatchUser is the versioned PATCH of a user: restore, attributes
// (update_user), state.
var endpointPatchUser = Endpoint{Method: "PATCH", Path: "/api/v2/users/{userId}",
	Permissions: []string{"directory:user:edit", "directory:organization:admin"}, AnyOf: true}

func init() {
	RegisterKind(KindSpec{
		Kind: KindCreateUser, Phase: 10,
		Endpoint: Endpoint{Method: "POST", Path: "/api/v2/users", Permissions: []string{"directory:user:add"}, AnyOf: true},
		Target:   TargetUser, Payload: Payload{Field: "create"}, Creates: true,
		Simulate: func(s *Sim, o *Operation) error { return s.create(o) },
		Verify:   Verify{Replan: []Part{PartUsers}},
		When:     "joiners (with their work phone)",
	})
	RegisterKind(KindSpec{
		Kind: KindRestoreUser, Phase: 10, Endpoint: endpointPatchUser,
		Target: TargetUser, Payload: Payload{Field: "state"}, Versioned: true, Creates: true,
		Simulate: simulateRestore,
		Verify:   Verify{Replan: []Part{PartState}},
		When:     "rehires of a deleted user",
	})
	RegisterKind(KindSpec{
		Kind: KindSetState, Phase: 40, Endpoint: endpointPatchUser,
		Target: TargetUser, Payload: Payload{Field: "state"}, Versioned: true,
		Simulate: PerUser(func(_ *Sim, o *Operation, u *User) error {
			if o.State != StateActive && o.State != StateInactive {
				return fmt.Errorf("state %q", o.State)
			}
			u.State = o.State
			if u.State == StateInactive {
				for q := range u.Queues { // deactivating unjoins every queue
					u.Queues[q] = false
				}
				// and removes every direct role grant ("all roles assigned
				// to the user are removed"; reactivating brings none back).
				u.Grants = nil
			}
			return nil
		}),
		Verify: Verify{Replan: []Part{PartState, PartQueues, PartGrants}},
		When:   "leavers with offboard.action deactivate, state changes",
	})
	RegisterKind(KindSpec{
		Kind: KindDeleteUser, Phase: 160,
		Endpoint: Endpoint{Method: "DELETE", Path: "/api/v2/users/{userId}",
			Permissions: []string{"directory:user:delete", "directory:organization:admin"}, AnyOf: true},
		Target: TargetUser, Payload: Payload{None: true},
		Simulate: PerUser(func(_ *Sim, _ *Operation, u *User) error {
			// A deleted user leaves every queue and loses its grants and its
			// stations; a restore does not bring them back.
			u.State, u.Queues, u.Grants = StateDeleted, nil, nil
			u.DefaultStationID, u.AssociatedStationID = "", ""
			return nil
		}),
		// Deleting is the last step: after everything else done to the user.
		Link: func(l *Linker, o *Operation) {
			for _, id := range l.Earlier(o.User.Key) {
				l.Need(id)
			}
		},
		Verify: Verify{Replan: []Part{PartState, PartQueues, PartGrants, PartStations}},
		When:   "leavers with offboard.action delete, or deactivated longer ago than offboard.delete_after",
	})
}

// simulateRestore brings a deleted user back: the restore's PATCH finds the
// user only in the deleted state, at the version the plan read.
func simulateRestore(s *Sim, o *Operation) error {
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
