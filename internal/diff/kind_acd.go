package diff

// KindSetACDAutoAnswer sets acdAutoAnswer of up to MaxUsersBulkPerCall
// users a call: PATCH /api/v2/users/bulk.
const KindSetACDAutoAnswer Kind = "set_acd_auto_answer"

func init() {
	RegisterKind(KindSpec{
		Kind: KindSetACDAutoAnswer, Phase: 150, // bumps the version: after every versioned write
		Endpoint: Endpoint{Method: "PATCH", Path: "/api/v2/users/bulk",
			Permissions: []string{"directory:user:edit", "directory:organization:admin"}, AnyOf: true},
		Target: TargetPayload, Payload: Payload{Field: "acd"},
		Simulate: func(s *Sim, o *Operation) error {
			if err := limit("users", len(o.ACD), MaxUsersBulkPerCall); err != nil {
				return err
			}
			for _, a := range o.ACD {
				u, err := s.User(a.User)
				if err != nil {
					return err
				}
				u.ACDAutoAnswer = a.ACDAutoAnswer
				u.Version++
			}
			return nil
		},
		Verify: Verify{Replan: []Part{PartACD}},
		When:   "acd_auto_answer changes",
	})
}
