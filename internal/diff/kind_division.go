package diff

// KindMoveDivision moves users to a division, up to
// MaxDivisionObjectsPerCall a call: POST
// /api/v2/authorization/divisions/{divisionId}/objects/USER.
const KindMoveDivision Kind = "move_division"

func init() {
	RegisterKind(KindSpec{
		Kind: KindMoveDivision, Phase: 50, // bumps the version: after every versioned write
		Endpoint: Endpoint{Method: "POST", Path: "/api/v2/authorization/divisions/{divisionId}/objects/USER",
			Permissions: []string{"directory:user:edit"}, AnyOf: true,
			Note: "the API reference lists no permission for this endpoint (it depends on the objects moved); the Resource Center's access-control page requires Directory > User > Edit to move users, with the role granted in both divisions"},
		Target: TargetDivision, Payload: Payload{None: true},
		Simulate: forMembers("users", MaxDivisionObjectsPerCall, func(_ *Sim, o *Operation, u *User) {
			u.DivisionID = o.DivisionID
			u.Version++ // a division move bumps the version, as in the emulator
		}),
		Verify: Verify{Replan: []Part{PartDivision}},
		When:   "users whose division changes",
	})
}
