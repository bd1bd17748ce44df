package emulator

import "slices"

// The views are read-only snapshots of the org for tests in other packages
// (e.g. comparing a Postgres copy with the emulator's truth). They are
// copies: changing them changes nothing in the emulator.

// UserView is everything the emulator knows about one user.
type UserView struct {
	ID            string
	Name          string
	Email         string
	Username      string
	Title         string
	Department    string
	State         string // active, inactive or deleted
	DivisionID    string
	ManagerID     string // "" when the user has no manager
	EmployeeID    string
	EmployeeType  string
	DateHire      string // YYYY-MM-DD
	Version       int
	AcdAutoAnswer bool
	Skills        []ProficiencyView // by skill id order of the org
	Languages     []ProficiencyView
	Queues        []MembershipView
	Grants        []GrantView
	GroupIDs      []string
	LocationIDs   []string
	Addresses     []ContactView
	ExternalIDs   []ExternalID

	// The joiner and leaver resources. Utilization is nil when the user
	// follows the org's settings; else the media types it sets.
	DefaultStationID    string
	AssociatedStationID string
	Verifiers           []EntityView
	Utilization         map[string]UtilizationView
	ProfileSkills       []string
	DateWelcomeSent     string // RFC 3339; "" never sent
	DateLastLogin       string
}

// UtilizationView is one media type of a user's own utilization.
type UtilizationView struct {
	MaximumCapacity         int
	InterruptableMediaTypes []string
	IncludeNonAcd           bool
}

// ContactView is one address of a user: a phone (number in Address,
// extension, or both) or an email.
type ContactView struct {
	MediaType string // PHONE, SMS or EMAIL
	Type      string // WORK, MOBILE…
	Address   string
	Extension string
}

// ProficiencyView is a routing skill or language of a user.
type ProficiencyView struct {
	ID          string
	Name        string
	Proficiency float64
}

// MembershipView is a queue membership of a user.
type MembershipView struct {
	QueueID string
	Name    string
	Joined  bool
}

// GrantView is a role granted to a user in a division.
type GrantView struct {
	RoleID     string
	RoleName   string
	DivisionID string
}

// QueueView is a routing queue with its member counts.
type QueueView struct {
	ID                string
	Name              string
	DivisionID        string
	MemberCount       int
	JoinedMemberCount int
	// MemberIDs are the ids of the members, in user creation order.
	MemberIDs []string
}

// EntityView is a division, role, skill, language, group or location.
type EntityView struct {
	ID   string
	Name string
}

// Users returns every user, deleted ones included, in creation order.
func (s *Server) Users() []UserView {
	var out []UserView
	s.read(func(o *org) {
		out = make([]UserView, len(o.users))
		for i := range o.users {
			out[i] = o.userView(int32(i))
		}
	})
	return out
}

// User returns the user with that id, in any state.
func (s *Server) User(id string) (UserView, bool) {
	var v UserView
	var ok bool
	s.read(func(o *org) {
		var i int32
		if i, ok = o.byID[id]; ok {
			v = o.userView(i)
		}
	})
	return v, ok
}

// UserCount returns the number of users in state ("" or "any": all).
func (s *Server) UserCount(state string) int {
	n := 0
	s.read(func(o *org) {
		if st, ok := parseState(state); ok {
			n = len(o.byState[st])
		} else {
			n = len(o.users)
		}
	})
	return n
}

func (o *org) userView(i int32) UserView {
	u := &o.users[i]
	v := UserView{
		ID: u.id, Name: u.name, Email: u.email, Username: u.username, Title: u.title, Department: u.department,
		State: u.state.String(), DivisionID: o.divisions[u.division].id, EmployeeID: u.employeeID,
		EmployeeType: u.employeeType, DateHire: u.dateHire, Version: int(u.version), AcdAutoAnswer: u.acdAutoAnswer,
		ExternalIDs: slices.Clone(u.externalIDs),
	}
	if u.manager >= 0 {
		v.ManagerID = o.users[u.manager].id
	}
	for _, s := range u.skills {
		v.Skills = append(v.Skills, ProficiencyView{ID: o.skills[s.ref].id, Name: o.skills[s.ref].name, Proficiency: s.proficiency})
	}
	for _, s := range u.languages {
		v.Languages = append(v.Languages, ProficiencyView{ID: o.languages[s.ref].id, Name: o.languages[s.ref].name, Proficiency: s.proficiency})
	}
	for _, q := range u.queues {
		v.Queues = append(v.Queues, MembershipView{QueueID: o.queues[q.queue].id, Name: o.queues[q.queue].name, Joined: q.joined})
	}
	for _, g := range u.grants {
		v.Grants = append(v.Grants, GrantView{RoleID: o.roles[g.role].id, RoleName: o.roles[g.role].name, DivisionID: o.divisions[g.division].id})
	}
	for _, g := range u.groups {
		v.GroupIDs = append(v.GroupIDs, o.groups[g].id)
	}
	for _, l := range u.locations {
		v.LocationIDs = append(v.LocationIDs, o.locations[l].id)
	}
	for _, c := range u.addresses {
		v.Addresses = append(v.Addresses, ContactView{MediaType: c.mediaType, Type: c.typ, Address: c.address, Extension: c.extension})
	}
	if u.defaultStation != 0 {
		v.DefaultStationID = o.stations[u.defaultStation-1].id
	}
	if u.associatedStation != 0 {
		v.AssociatedStationID = o.stations[u.associatedStation-1].id
	}
	for _, x := range u.verifiers {
		v.Verifiers = append(v.Verifiers, EntityView{ID: x.id, Name: x.name})
	}
	if u.utilization != nil {
		v.Utilization = map[string]UtilizationView{}
		for mt, m := range u.utilization {
			v.Utilization[mt] = UtilizationView{MaximumCapacity: m.capacity, InterruptableMediaTypes: slices.Clone(m.interruptible), IncludeNonAcd: m.includeNonAcd}
		}
	}
	v.ProfileSkills = slices.Clone(u.profileSkills)
	v.DateWelcomeSent, v.DateLastLogin = u.welcomeSent, u.lastLogin
	return v
}

// Stations returns every station of the org.
func (s *Server) Stations() []EntityView {
	var out []EntityView
	s.read(func(o *org) {
		for _, st := range o.stations {
			out = append(out, EntityView{ID: st.id, Name: st.name})
		}
	})
	return out
}

// SetUserLogin records that a user logged in (dateLastLogin), as people
// who accept their invitation do; at "" it clears the date. It reports
// whether the user exists. For tests of invitations.
func (s *Server) SetUserLogin(id, at string) bool {
	ok := false
	s.write(func(o *org) {
		var i int32
		if i, ok = o.byID[id]; ok {
			o.users[i].lastLogin = at
		}
	})
	return ok
}

// Queues returns every queue with its counts and members.
func (s *Server) Queues() []QueueView {
	var out []QueueView
	s.read(func(o *org) {
		for _, q := range o.queues {
			ids := make([]string, len(q.members))
			for k, i := range q.members {
				ids[k] = o.users[i].id
			}
			out = append(out, QueueView{ID: q.id, Name: q.name, DivisionID: o.divisions[q.division].id,
				MemberCount: len(q.members), JoinedMemberCount: q.joined, MemberIDs: ids})
		}
	})
	return out
}

// Divisions returns every division; the first is the home division.
func (s *Server) Divisions() []EntityView {
	return s.entities(func(o *org) []entity {
		out := make([]entity, len(o.divisions))
		for k, d := range o.divisions {
			out[k] = d.entity
		}
		return out
	})
}

// Roles returns every role.
func (s *Server) Roles() []EntityView {
	return s.entities(func(o *org) []entity {
		out := make([]entity, len(o.roles))
		for k, r := range o.roles {
			out[k] = r.entity
		}
		return out
	})
}

// Skills returns every routing skill.
func (s *Server) Skills() []EntityView { return s.entities(func(o *org) []entity { return o.skills }) }

// Languages returns every routing language.
func (s *Server) Languages() []EntityView {
	return s.entities(func(o *org) []entity { return o.languages })
}

// Groups returns every group.
func (s *Server) Groups() []EntityView { return s.entities(func(o *org) []entity { return o.groups }) }

// Locations returns every location.
func (s *Server) Locations() []EntityView {
	return s.entities(func(o *org) []entity { return o.locations })
}

func (s *Server) entities(get func(o *org) []entity) []EntityView {
	var out []EntityView
	s.read(func(o *org) {
		for _, e := range get(o) {
			out = append(out, EntityView{ID: e.id, Name: e.name})
		}
	})
	return out
}
