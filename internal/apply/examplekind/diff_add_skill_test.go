package examplekind

// This file is the diff half of the example kind: what would be
// internal/diff/kind_add_skill.go. It is pure: no I/O, no API client.

import (
	"slices"
	"strconv"

	"github.com/usersync/syncer/internal/diff"
	"github.com/usersync/syncer/internal/feed"
	"github.com/usersync/syncer/internal/textfmt"
)

// KindAddSkill gives an active user the baseline skill, one call each:
// POST /api/v2/users/{userId}/routingskills.
const KindAddSkill diff.Kind = "add_skill"

// AddSkill is the payload of an add_skill operation.
type AddSkill struct {
	SkillID     string  `json:"skill_id"`
	Proficiency float64 `json:"proficiency"`
}

// baseline is the skill every active person the feed keeps should have.
// A real kind reads such a setting from diff.Config (the plan's settings,
// so that apply and its verification use the plan's value); the example
// keeps it here so that it changes no file outside its own.
var baseline struct {
	name  string
	level float64
}

func init() {
	diff.RegisterKind(diff.KindSpec{
		Kind: KindAddSkill,
		// After the skills the feed sets, replaces and removes (60, 70),
		// before the languages (80).
		Phase: 75,
		Endpoint: diff.Endpoint{Method: "POST", Path: "/api/v2/users/{userId}/routingskills",
			Permissions: []string{"routing:skill:assign"}},
		Target:  diff.TargetUser,
		Payload: diff.PayloadOf[AddSkill](),
		Simulate: diff.PerUser(func(_ *diff.Sim, o *diff.Operation, u *diff.User) error {
			body, err := diff.DecodePayload[AddSkill](o)
			if err != nil {
				return err
			}
			if u.Skills == nil {
				u.Skills = map[string]float64{}
			}
			u.Skills[body.SkillID] = body.Proficiency
			return nil
		}),
		// The verification re-reads the users with their skills and plans
		// the feed again: a user still without the skill gets the
		// operation again, and the apply does not converge.
		Verify: diff.Verify{Replan: []diff.Part{diff.PartSkills}},
		Plan:   planAddSkill,
		When:   "active users without the baseline skill",
	})
}

// planAddSkill gives the baseline skill to an active person the feed keeps
// who lacks it, unless the row lists it (the planner's set_skills then
// gives it).
func planAddSkill(p *diff.Person) {
	if baseline.name == "" || p.Action() == diff.ActionOffboard || p.State() != diff.StateActive {
		return
	}
	id, ok := p.Refs().Skills.ID(baseline.name)
	if !ok {
		return
	}
	if u := p.User(); u != nil {
		if _, has := u.Skills[id]; has {
			return
		}
	}
	if row := p.Row(); row != nil && row.Has.Has(feed.FieldSkills) &&
		slices.ContainsFunc(row.Skills, func(s feed.Proficiency) bool { return s.ID == id }) {
		return
	}
	p.Change(diff.Change{Attr: "skills", Added: []string{textfmt.Quote(baseline.name) + " " + strconv.FormatFloat(baseline.level, 'g', -1, 64)},
		Reason: "the baseline skill"})
	p.Op("", func(o *diff.Operation) {
		o.Payload = diff.EncodePayload(AddSkill{SkillID: id, Proficiency: baseline.level})
	})
}
