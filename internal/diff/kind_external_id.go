package diff

// KindSetExternalID registers the employee id as the user's external id
// under the plan's authority: POST /api/v2/users/{id}/externalid.
const KindSetExternalID Kind = "set_external_id"

func init() {
	RegisterKind(KindSpec{
		Kind: KindSetExternalID, Phase: 20,
		Endpoint: Endpoint{Method: "POST", Path: "/api/v2/users/{userId}/externalid", Permissions: []string{"directory:user:edit"}, AnyOf: true},
		Target:   TargetUser, Payload: Payload{Field: "external_id"},
		Simulate: PerUser(func(_ *Sim, o *Operation, u *User) error {
			if u.ExternalIDs == nil {
				u.ExternalIDs = map[string]string{}
			}
			u.ExternalIDs[o.ExternalID.AuthorityName] = o.ExternalID.ExternalKey
			return nil
		}),
		Verify: Verify{Replan: []Part{PartExternalIDs}},
		When:   "registers the employee id under external_id_authority",
	})
}
