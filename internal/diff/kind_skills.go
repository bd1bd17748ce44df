package diff

// The kinds of a user's routing skills. A plan sets skills by PATCH in
// MaxSkillsPerCall, or replaces the whole set with one PUT when that costs
// fewer calls than PATCH plus one DELETE per removal.
const (
	KindSetSkills     Kind = "set_skills"     // PATCH /api/v2/users/{id}/routingskills/bulk
	KindReplaceSkills Kind = "replace_skills" // PUT /api/v2/users/{id}/routingskills/bulk
	KindRemoveSkill   Kind = "remove_skill"   // DELETE /api/v2/users/{id}/routingskills/{skillId}
)

func init() {
	assign := []string{"routing:skill:assign"}
	skills := func(u *User) *map[string]float64 { return &u.Skills }
	RegisterKind(KindSpec{
		Kind: KindSetSkills, Phase: 60,
		Endpoint: Endpoint{Method: "PATCH", Path: "/api/v2/users/{userId}/routingskills/bulk", Permissions: assign, AnyOf: true},
		Target:   TargetUser, Payload: Payload{Field: "skills"},
		Simulate: setLevels("skills", MaxSkillsPerCall, func(o *Operation) []Proficiency { return o.Skills }, skills, false),
		Verify:   Verify{Replan: []Part{PartSkills}},
		When:     "skills added or changed",
	})
	RegisterKind(KindSpec{
		Kind: KindReplaceSkills, Phase: 60,
		Endpoint: Endpoint{Method: "PUT", Path: "/api/v2/users/{userId}/routingskills/bulk", Permissions: assign, AnyOf: true},
		Target:   TargetUser, Payload: Payload{Field: "skills", MayBeEmpty: true},
		Simulate: setLevels("skills", MaxSkillsPerCall, func(o *Operation) []Proficiency { return o.Skills }, skills, true),
		Verify:   Verify{Replan: []Part{PartSkills}},
		When:     "owned skills made exact",
	})
	RegisterKind(KindSpec{
		Kind: KindRemoveSkill, Phase: 70,
		Endpoint: Endpoint{Method: "DELETE", Path: "/api/v2/users/{userId}/routingskills/{skillId}", Permissions: assign},
		Target:   TargetUser, Payload: Payload{Field: "remove_id"},
		Simulate: removeLevel(skills),
		Verify:   Verify{Replan: []Part{PartSkills}},
		When:     "skills removed: owned skills, offboard.strip_skills",
	})
}

// setLevels simulates a bulk PATCH (or, replace, a PUT) of skills or
// languages: at most max in one call; a PUT of none removes them all.
func setLevels(what string, max int, list func(*Operation) []Proficiency, levels func(*User) *map[string]float64, replace bool) func(*Sim, *Operation) error {
	return PerUser(func(_ *Sim, o *Operation, u *User) error {
		ps := list(o)
		if err := limit(what, len(ps), max); err != nil && !(replace && len(ps) == 0) {
			return err
		}
		m := levels(u)
		if replace || *m == nil {
			*m = map[string]float64{}
		}
		for _, p := range ps {
			(*m)[p.ID] = p.Proficiency
		}
		return nil
	})
}

// removeLevel simulates the DELETE of one skill or language.
func removeLevel(levels func(*User) *map[string]float64) func(*Sim, *Operation) error {
	return PerUser(func(_ *Sim, o *Operation, u *User) error {
		delete(*levels(u), o.RemoveID)
		return nil
	})
}
