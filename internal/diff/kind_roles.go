package diff

import "slices"

// The kinds of a user's role grants, MaxGrantsPerCall a call.
const (
	KindAddRoles    Kind = "add_roles"    // POST /api/v2/authorization/subjects/{id}/bulkadd
	KindRemoveRoles Kind = "remove_roles" // POST /api/v2/authorization/subjects/{id}/bulkremove
)

func init() {
	RegisterKind(KindSpec{
		Kind: KindAddRoles, Phase: 130,
		Endpoint: Endpoint{Method: "POST", Path: "/api/v2/authorization/subjects/{subjectId}/bulkadd", Permissions: []string{"authorization:grant:add"}},
		Target:   TargetUser, Payload: Payload{Field: "grants"},
		Simulate: grants(func(u *User, gs []Grant) {
			for _, g := range gs {
				if !slices.Contains(u.Grants, g) {
					u.Grants = append(u.Grants, g)
				}
			}
		}),
		Verify: Verify{Replan: []Part{PartGrants}},
		When:   "roles granted",
	})
	RegisterKind(KindSpec{
		Kind: KindRemoveRoles, Phase: 140,
		Endpoint: Endpoint{Method: "POST", Path: "/api/v2/authorization/subjects/{subjectId}/bulkremove", Permissions: []string{"authorization:grant:delete"}},
		Target:   TargetUser, Payload: Payload{Field: "grants"},
		Simulate: grants(func(u *User, gs []Grant) {
			u.Grants = slices.DeleteFunc(u.Grants, func(g Grant) bool { return slices.Contains(gs, g) })
		}),
		Verify: Verify{Replan: []Part{PartGrants}},
		When:   "roles revoked: owned roles, offboard.strip_roles",
	})
}

// grants simulates a bulkadd or bulkremove of at most MaxGrantsPerCall.
func grants(f func(u *User, gs []Grant)) func(*Sim, *Operation) error {
	return PerUser(func(_ *Sim, o *Operation, u *User) error {
		if err := limit("grants", len(o.Grants), MaxGrantsPerCall); err != nil {
			return err
		}
		f(u, o.Grants)
		return nil
	})
}
