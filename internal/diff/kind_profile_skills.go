package diff

import (
	"slices"
	"strings"

	"github.com/usersync/syncer/internal/feed"
	"github.com/usersync/syncer/internal/textfmt"
)

// KindSetProfileSkills replaces a user's profile skills (the free-text
// skills of the people directory, not routing skills): PUT
// /api/v2/users/{userId}/profileskills with the whole list.
const KindSetProfileSkills Kind = "set_profile_skills"

// ProfileSkills is the payload of a set_profile_skills: the whole list
// (empty clears it).
type ProfileSkills struct {
	Skills []string `json:"skills"`
}

func init() {
	RegisterKind(KindSpec{
		Kind: KindSetProfileSkills, Phase: 96,
		Endpoint: Endpoint{Method: "PUT", Path: "/api/v2/users/{userId}/profileskills",
			Permissions: []string{"directory:userProfile:edit"}, AnyOf: true},
		Target: TargetUser, Payload: PayloadOf[ProfileSkills](),
		Simulate: PerUser(func(_ *Sim, o *Operation, u *User) error {
			body, err := DecodePayload[ProfileSkills](o)
			if err != nil {
				return err
			}
			u.ProfileSkills, u.ProfileSkillsKnown = slices.Clone(body.Skills), true
			return nil
		}),
		Verify: Verify{Replan: []Part{PartProfileSkills}},
		Plan:   planProfileSkills,
		When:   "profile skills added, or removed when owned",
	})
}

// planProfileSkills makes the user's profile skills the row's, under the
// rules of routing skills: owned (owns: [profile_skills]), the list is
// made exact; else the row's are added to the user's. Names compare
// case-insensitively. A matched user whose profile skills were not read is
// left alone.
func planProfileSkills(x *Person) {
	row, u := x.Row(), x.User()
	if row == nil || x.Action() == ActionOffboard || !row.Has.Has(feed.FieldProfileSkills) {
		return
	}
	var cur []string
	if u != nil {
		if !u.ProfileSkillsKnown {
			return
		}
		cur = u.ProfileSkills
	}
	has := func(list []string, s string) bool {
		return slices.ContainsFunc(list, func(x string) bool { return strings.EqualFold(x, s) })
	}
	exact := x.owns(feed.FieldProfileSkills)
	var want []string
	c := Change{Attr: "profile_skills"}
	if !exact {
		want = slices.Clone(cur)
	}
	for _, s := range row.ProfileSkills {
		if exact || !has(want, s) {
			want = append(want, s)
		}
		if !has(cur, s) {
			c.Added = append(c.Added, textfmt.Quote(s))
		}
	}
	if exact {
		for _, s := range cur {
			if !has(row.ProfileSkills, s) {
				c.Removed = append(c.Removed, textfmt.Quote(s))
			}
		}
		if len(c.Removed) > 0 {
			c.Reason = x.ownedBy("profile_skills")
		}
	}
	if len(c.Added)+len(c.Removed) == 0 {
		return
	}
	x.Change(c)
	x.Op("", func(o *Operation) { o.Payload = EncodePayload(ProfileSkills{Skills: nonNilStrings(want)}) })
}

func nonNilStrings(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
