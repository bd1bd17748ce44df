package reverse

import (
	"encoding/json"
	"strings"

	"github.com/usersync/syncer/internal/diff"
	"github.com/usersync/syncer/internal/feed"
	"github.com/usersync/syncer/internal/genesys"
	"github.com/usersync/syncer/internal/store"
)

// State is the current org as the diff sees it.
type State struct {
	Current *diff.Current
	Refs    *feed.Refs
	dir     *directory
}

// NewState turns the rows of the syncer tables into the diff's current
// state and the name ↔ id dimensions the feed resolves names with, for a
// feed that matches people as cfg says (cfg.Authority: the external-id
// authority whose keys are employee ids; the org's employee ids unless
// cfg.IgnoreOrgEmployeeID). A user without a stored external id is marked
// ExternalIDsUnknown: its ids were never read.
func NewState(cs *store.CurrentState, cfg diff.Config) *State {
	authority := cfg.Authority
	cur := &diff.Current{Users: make([]diff.User, len(cs.Users)), QueueJoined: cs.QueueJoined}
	at := make(map[string]int, len(cs.Users))
	for i, u := range cs.Users {
		cur.Users[i] = diff.User{ID: u.ID, Email: u.Email, Name: u.Name, Title: u.Title, Department: u.Department,
			State: u.State, DivisionID: u.DivisionID, ManagerID: u.ManagerID, EmployeeID: u.EmployeeID,
			Version: u.Version, ACDAutoAnswer: u.ACDAutoAnswer,
			DateHire: u.DateHire, OfficialName: u.OfficialName, EmployeeType: u.EmployeeType}
		cur.Users[i].WorkPhone, cur.Users[i].OtherPhones = phones(u.Addresses)
		at[u.ID] = i
	}
	user := func(id string) *diff.User {
		if i, ok := at[id]; ok {
			return &cur.Users[i]
		}
		return nil
	}
	for _, s := range cs.Skills {
		if u := user(s.UserID); u != nil {
			if u.Skills == nil {
				u.Skills = map[string]float64{}
			}
			u.Skills[s.ID] = s.Proficiency
		}
	}
	for _, l := range cs.Languages {
		if u := user(l.UserID); u != nil {
			if u.Languages == nil {
				u.Languages = map[string]float64{}
			}
			u.Languages[l.ID] = l.Proficiency
		}
	}
	for _, q := range cs.Queues {
		if u := user(q.UserID); u != nil {
			if u.Queues == nil {
				u.Queues = map[string]bool{}
			}
			u.Queues[q.QueueID] = q.Joined
		}
	}
	for _, g := range cs.Grants {
		if u := user(g.UserID); u != nil {
			u.Grants = append(u.Grants, diff.Grant{RoleID: g.RoleID, DivisionID: g.DivisionID})
		}
	}
	for i := range cur.Users {
		cur.Users[i].ExternalIDsUnknown = true
	}
	for _, l := range cs.Locations {
		if u := user(l.UserID); u != nil {
			u.LocationIDs = append(u.LocationIDs, l.LocationID)
		}
	}
	for _, x := range cs.ExternalIDs {
		if u := user(x.UserID); u != nil {
			u.ExternalIDsUnknown = false
			if u.ExternalIDs == nil {
				u.ExternalIDs = map[string]string{}
			}
			u.ExternalIDs[x.Authority] = x.Key
		}
	}
	refs := &feed.Refs{HomeDivisionID: cs.HomeDivisionID}
	for _, d := range cs.DivisionNames {
		refs.Divisions.Add(d.ID, d.Name)
	}
	for _, d := range cs.SkillNames {
		refs.Skills.Add(d.ID, d.Name)
	}
	for _, d := range cs.LanguageNames {
		refs.Languages.Add(d.ID, d.Name)
	}
	for _, d := range cs.RoleNames {
		refs.Roles.Add(d.ID, d.Name)
	}
	for _, d := range cs.QueueNames {
		refs.Queues.Add(d.ID, d.Name)
	}
	// The locations the users have: the names a plan resolves against when
	// it does not read the org's listing (with reads, the listing replaces
	// these).
	for _, l := range cs.Locations {
		if l.Name != "" {
			refs.Locations.Add(l.LocationID, l.Name)
		}
	}
	dir := &directory{employees: map[string]bool{}, emails: map[string]bool{}}
	for i := range cur.Users {
		// Deleted users count: a row naming a deleted manager is planned
		// without that manager, with a warning (diff.WarnManagerDeleted).
		u := &cur.Users[i]
		if k := u.ExternalIDs[authority]; k != "" && authority != "" {
			dir.employees[k] = true
		}
		if u.EmployeeID != "" && !cfg.IgnoreOrgEmployeeID {
			dir.employees[u.EmployeeID] = true
		}
		if u.Email != "" {
			dir.emails[strings.ToLower(u.Email)] = true
		}
	}
	return &State{Current: cur, Refs: refs, dir: dir}
}

// phones reads a user's stored addresses (the API's JSON): the work phone
// and the other phone and SMS addresses, each in the form the API answered
// it (genesys.Contact.PhoneParts). Addresses that cannot be read count as
// none.
func phones(raw []byte) (diff.Phone, []diff.Contact) {
	if len(raw) == 0 {
		return diff.Phone{}, nil
	}
	var cs []genesys.Contact
	if json.Unmarshal(raw, &cs) != nil {
		return diff.Phone{}, nil
	}
	work, others := genesys.WorkPhone(cs)
	var p diff.Phone
	if work != nil {
		p.Number, p.Extension = work.PhoneParts()
	}
	var out []diff.Contact
	for _, c := range others {
		num, ext := c.PhoneParts()
		out = append(out, diff.Contact{MediaType: c.MediaType, Type: c.Type, Number: num, Extension: ext})
	}
	return p, out
}

// directory finds managers outside the feed among the current users.
type directory struct {
	employees map[string]bool
	emails    map[string]bool
}

func (d *directory) HasEmployeeID(id string) bool { return d.employees[id] }
func (d *directory) HasEmail(email string) bool   { return d.emails[strings.ToLower(email)] }
