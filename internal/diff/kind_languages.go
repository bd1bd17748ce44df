package diff

// The kinds of a user's routing languages: PATCH in MaxLanguagesPerCall,
// one DELETE per removal.
const (
	KindSetLanguages   Kind = "set_languages"   // PATCH /api/v2/users/{id}/routinglanguages/bulk
	KindRemoveLanguage Kind = "remove_language" // DELETE /api/v2/users/{id}/routinglanguages/{languageId}
)

func init() {
	assign := []string{"routing:skill:assign", "routing:language:assign"}
	languages := func(u *User) *map[string]float64 { return &u.Languages }
	RegisterKind(KindSpec{
		Kind: KindSetLanguages, Phase: 80,
		Endpoint: Endpoint{Method: "PATCH", Path: "/api/v2/users/{userId}/routinglanguages/bulk", Permissions: assign, AnyOf: true},
		Target:   TargetUser, Payload: Payload{Field: "languages"},
		Simulate: setLevels("languages", MaxLanguagesPerCall, func(o *Operation) []Proficiency { return o.Languages }, languages, false),
		Verify:   Verify{Replan: []Part{PartLanguages}},
		When:     "languages added or changed",
	})
	RegisterKind(KindSpec{
		Kind: KindRemoveLanguage, Phase: 90,
		Endpoint: Endpoint{Method: "DELETE", Path: "/api/v2/users/{userId}/routinglanguages/{languageId}", Permissions: assign, AnyOf: true},
		Target:   TargetUser, Payload: Payload{Field: "remove_id"},
		Simulate: removeLevel(languages),
		Verify:   Verify{Replan: []Part{PartLanguages}},
		When:     "languages removed: owned languages, offboard.strip_skills",
	})
}
