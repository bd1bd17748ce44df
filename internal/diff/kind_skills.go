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
	RegisterKind(KindSpec{
		Kind: KindSetSkills, Phase: 60,
		Endpoint: Endpoint{Method: "PATCH", Path: "/api/v2/users/{userId}/routingskills/bulk", Permissions: assign, AnyOf: true},
		Target:   TargetUser, Payload: Payload{Field: "skills"},
		Simulate: PerUser(func(_ *Sim, o *Operation, u *User) error {
			if err := limit("skills", len(o.Skills), MaxSkillsPerCall); err != nil {
				return err
			}
			if u.Skills == nil {
				u.Skills = map[string]float64{}
			}
			for _, sk := range o.Skills {
				u.Skills[sk.ID] = sk.Proficiency
			}
			return nil
		}),
		Verify: Verify{Replan: []Part{PartSkills}},
		When:   "skills added or changed",
	})
	RegisterKind(KindSpec{
		Kind: KindReplaceSkills, Phase: 60,
		Endpoint: Endpoint{Method: "PUT", Path: "/api/v2/users/{userId}/routingskills/bulk", Permissions: assign, AnyOf: true},
		Target:   TargetUser, Payload: Payload{Field: "skills", MayBeEmpty: true},
		Simulate: PerUser(func(_ *Sim, o *Operation, u *User) error {
			if err := limit("skills", len(o.Skills), MaxSkillsPerCall); err != nil && len(o.Skills) != 0 {
				return err
			}
			u.Skills = map[string]float64{}
			for _, sk := range o.Skills {
				u.Skills[sk.ID] = sk.Proficiency
			}
			return nil
		}),
		Verify: Verify{Replan: []Part{PartSkills}},
		When:   "owned skills made exact",
	})
	RegisterKind(KindSpec{
		Kind: KindRemoveSkill, Phase: 70,
		Endpoint: Endpoint{Method: "DELETE", Path: "/api/v2/users/{userId}/routingskills/{skillId}", Permissions: assign},
		Target:   TargetUser, Payload: Payload{Field: "remove_id"},
		Simulate: PerUser(func(_ *Sim, o *Operation, u *User) error {
			delete(u.Skills, o.RemoveID)
			return nil
		}),
		Verify: Verify{Replan: []Part{PartSkills}},
		When:   "skills removed: owned skills, offboard.strip_skills",
	})
}
