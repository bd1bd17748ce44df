package diff

// The kinds of a user's routing languages: PATCH in MaxLanguagesPerCall,
// one DELETE per removal.
const (
	KindSetLanguages   Kind = "set_languages"   // PATCH /api/v2/users/{id}/routinglanguages/bulk
	KindRemoveLanguage Kind = "remove_language" // DELETE /api/v2/users/{id}/routinglanguages/{languageId}
)

func init() {
	assign := []string{"routing:skill:assign", "routing:language:assign"}
	RegisterKind(KindSpec{
		Kind: KindSetLanguages, Phase: 80,
		Endpoint: Endpoint{Method: "PATCH", Path: "/api/v2/users/{userId}/routinglanguages/bulk", Permissions: assign, AnyOf: true},
		Target:   TargetUser, Payload: Payload{Field: "languages"},
		Simulate: PerUser(func(_ *Sim, o *Operation, u *User) error {
			if err := limit("languages", len(o.Languages), MaxLanguagesPerCall); err != nil {
				return err
			}
			if u.Languages == nil {
				u.Languages = map[string]float64{}
			}
			for _, l := range o.Languages {
				u.Languages[l.ID] = l.Proficiency
			}
			return nil
		}),
		Verify: Verify{Replan: []Part{PartLanguages}},
		When:   "languages added or changed",
	})
	RegisterKind(KindSpec{
		Kind: KindRemoveLanguage, Phase: 90,
		Endpoint: Endpoint{Method: "DELETE", Path: "/api/v2/users/{userId}/routinglanguages/{languageId}", Permissions: assign, AnyOf: true},
		Target:   TargetUser, Payload: Payload{Field: "remove_id"},
		Simulate: PerUser(func(_ *Sim, o *Operation, u *User) error {
			delete(u.Languages, o.RemoveID)
			return nil
		}),
		Verify: Verify{Replan: []Part{PartLanguages}},
		When:   "languages removed: owned languages, offboard.strip_skills",
	})
}
