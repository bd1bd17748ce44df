package emulator

import (
	"slices"
	"time"
)

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

	// People data (the presence, routingStatus, outOfOffice, team and
	// certifications expands). Presence is the system presence as the
	// presence expand spells it (Available, On Queue, ...).
	Presence             string
	PresenceDefinitionID string
	PresenceModified     time.Time
	RoutingStatus        string // OFF_QUEUE, IDLE, INTERACTING, ...
	RoutingStart         time.Time
	OutOfOffice          *OutOfOfficeView // nil: never set one
	TeamID               string
	Certifications       []string
}

// OutOfOfficeView is a user's out-of-office period. End is zero when the
// period is indefinite.
type OutOfOfficeView struct {
	ID         string
	Start, End time.Time
	Indefinite bool
}

// Active reports whether the period is current at now, as the expand's
// active says.
func (p OutOfOfficeView) Active(now time.Time) bool {
	return !now.Before(p.Start) && (p.Indefinite || now.Before(p.End))
}

// ActivityView is one development activity.
type ActivityView struct {
	ID     string
	Name   string
	Type   string // Informational, Coaching, AssessedContent, Assessment
	Status string // Planned, InProgress, Completed, InvalidSchedule, NotCompleted
	// ModuleID is the learning module of an assignment; "" for coaching.
	ModuleID                             string
	AttendeeID, FacilitatorID, CreatorID string    // "" when none
	DateCreated, DateDue, DateCompleted  time.Time // DateCompleted zero: not completed
	PercentageScore                      *int
	IsPassed                             *bool
}

// Overdue reports isOverdue at now: not completed and due before now.
func (a ActivityView) Overdue(now time.Time) bool {
	return a.Status != "Completed" && a.DateDue.Before(now)
}

// TeamView is a team of the org.
type TeamView struct {
	ID, Name, DivisionID string
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
	v.Presence, v.PresenceDefinitionID = presenceDefs[u.presence].system, o.presenceIDs[u.presence]
	v.PresenceModified = time.UnixMilli(u.presenceSince).UTC()
	v.RoutingStatus, v.RoutingStart = routingNames[u.routing], time.UnixMilli(u.routingSince).UTC()
	if p := u.ooo; p != nil {
		v.OutOfOffice = &OutOfOfficeView{ID: p.id, Start: time.UnixMilli(p.start).UTC(), Indefinite: p.indefinite}
		if !p.indefinite {
			v.OutOfOffice.End = time.UnixMilli(p.end).UTC()
		}
	}
	if u.team != 0 {
		v.TeamID = o.teams[u.team-1].id
	}
	v.Certifications = slices.Clone(u.certs)
	return v
}

// DevelopmentActivities returns every development activity, by attendee
// in user creation order.
func (s *Server) DevelopmentActivities() []ActivityView {
	var out []ActivityView
	s.read(func(o *org) {
		for i := range o.users {
			u := &o.users[i]
			for k := range u.activities {
				out = append(out, o.activityView(u, &u.activities[k]))
			}
		}
	})
	return out
}

func (o *org) activityView(u *user, a *activity) ActivityView {
	ref := func(i int32) string {
		if i == 0 {
			return ""
		}
		return o.users[i-1].id
	}
	typ := o.activityType(a)
	v := ActivityView{ID: o.activityID(a.serial), Type: activityTypes[typ], Status: activityStatuses[a.status],
		AttendeeID: u.id, FacilitatorID: ref(a.facilitator), CreatorID: ref(a.creator),
		DateCreated: time.UnixMilli(a.created).UTC(), DateDue: time.UnixMilli(a.due).UTC()}
	if typ == actCoaching {
		v.Name = "Coaching: " + coachingTopics[a.serial%uint32(len(coachingTopics))]
	} else {
		v.Name, v.ModuleID = o.modules[a.module].name, o.modules[a.module].id
	}
	if a.completed != 0 {
		v.DateCompleted = time.UnixMilli(a.completed).UTC()
	}
	if a.score >= 0 {
		score, passed := int(a.score), a.score >= passMark
		v.PercentageScore, v.IsPassed = &score, &passed
	}
	return v
}

// Teams returns every team of the org.
func (s *Server) Teams() []TeamView {
	var out []TeamView
	s.read(func(o *org) {
		for _, t := range o.teams {
			out = append(out, TeamView{ID: t.id, Name: t.name, DivisionID: o.divisions[t.division].id})
		}
	})
	return out
}

// LearningModules returns the learning modules development activities are
// assignments of.
func (s *Server) LearningModules() []EntityView {
	return s.entities(func(o *org) []entity {
		out := make([]entity, len(o.modules))
		for k, m := range o.modules {
			out[k] = m.entity
		}
		return out
	})
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

// CompleteActivity marks the development activity id completed now (with
// no score), as an attendee finishing it late does. It reports whether the
// activity exists and was not completed. For tests of the windowed reads.
func (s *Server) CompleteActivity(id string) bool {
	ok := false
	s.write(func(o *org) {
		for i := range o.users {
			u := &o.users[i]
			for k := range u.activities {
				a := &u.activities[k]
				if o.activityID(a.serial) == id && a.status != stCompleted {
					a.status, a.completed, ok = stCompleted, o.clock(), true
					return
				}
			}
		}
	})
	return ok
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
