package diff

import (
	"slices"
	"strings"
	"time"

	"github.com/usersync/syncer/internal/feed"
)

// User states as Genesys Cloud reports them.
const (
	StateActive   = "active"
	StateInactive = "inactive"
	StateDeleted  = "deleted"
)

// Current is the org as it is: the users the plan may touch and the queue
// membership counts the routing-impact guard weighs losses against.
type Current struct {
	Users []User `json:"users"`
	// QueueJoined is each queue's joined member count (joinedMemberCount of
	// the queue listing), by queue id. Users outside the scope count here;
	// when a queue is missing its count is taken from Users.
	QueueJoined map[string]int `json:"queue_joined,omitempty"`
	// AsOf is when the state was read: offboard.delete_after counts from
	// a leaver's OffboardedAt to it. Zero: no leaver is old enough.
	AsOf time.Time `json:"as_of,omitzero"`
}

// User is one Genesys Cloud user with what the plan compares.
type User struct {
	ID         string `json:"id"`
	Email      string `json:"email"`
	Name       string `json:"name"`
	Title      string `json:"title,omitempty"`
	Department string `json:"department,omitempty"`
	// State is StateActive, StateInactive or StateDeleted.
	State      string `json:"state"`
	DivisionID string `json:"division_id,omitempty"`
	ManagerID  string `json:"manager_id,omitempty"`
	// EmployeeID is employerInfo.employeeId: a matching key unless
	// Config.IgnoreOrgEmployeeID.
	EmployeeID string `json:"employee_id,omitempty"`
	// ExternalIDs maps an authority name to this user's key in it.
	ExternalIDs map[string]string `json:"external_ids,omitempty"`
	// ExternalIDsUnknown says ExternalIDs may be incomplete: the user's
	// external ids were never read (they cost a call per user), so the
	// plan does not register one it cannot know is missing.
	ExternalIDsUnknown bool `json:"external_ids_unknown,omitempty"`
	Version            int  `json:"version"`
	ACDAutoAnswer      bool `json:"acd_auto_answer,omitempty"`
	// Skills and Languages map an id to a proficiency (0–5).
	Skills    map[string]float64 `json:"skills,omitempty"`
	Languages map[string]float64 `json:"languages,omitempty"`
	// Queues maps a queue id to whether the member is joined.
	Queues map[string]bool `json:"queues,omitempty"`
	Grants []Grant         `json:"grants,omitempty"`

	// WorkPhone is the user's PHONE address of type WORK (the admin
	// import's phone_work and extension).
	WorkPhone Phone `json:"work_phone,omitzero"`
	// OtherPhones are the user's other PHONE and SMS addresses. A PATCH of
	// addresses replaces all of them, so a plan that changes the work phone
	// sends these back as they are.
	OtherPhones []Contact `json:"other_phones,omitempty"`
	// LocationIDs are the user's locations.
	LocationIDs []string `json:"location_ids,omitempty"`
	// DateHire is employerInfo.dateHire (YYYY-MM-DD); OfficialName and
	// EmployeeType the rest of employerInfo, which a plan sends back whole
	// when it changes the employee id or the hire date.
	DateHire     string `json:"date_hire,omitempty"`
	OfficialName string `json:"official_name,omitempty"`
	EmployeeType string `json:"employee_type,omitempty"`

	// The joiner and leaver state. Each part has a Known flag: what was
	// not read (a call per user for verifiers and utilization, an expand
	// of the users listing for the others) is never changed.
	//
	// DefaultStationID and AssociatedStationID are the user's stations
	// (the station expand).
	DefaultStationID    string `json:"default_station_id,omitempty"`
	AssociatedStationID string `json:"associated_station_id,omitempty"`
	StationsKnown       bool   `json:"stations_known,omitempty"`
	// ProfileSkills are the user's profile skills (the profileSkills
	// expand), in the API's order.
	ProfileSkills      []string `json:"profile_skills,omitempty"`
	ProfileSkillsKnown bool     `json:"profile_skills_known,omitempty"`
	// Verifiers are the ids of the user's MFA verifiers (GET
	// /users/{id}/verifiers, read for the leavers a plan offboards).
	Verifiers      []string `json:"verifiers,omitempty"`
	VerifiersKnown bool     `json:"verifiers_known,omitempty"`
	// Utilization is the user's utilization (GET /routing/users/{id}/
	// utilization); nil when it was not read.
	Utilization *Utilization `json:"utilization,omitempty"`
	// WelcomeSent is when the user was last sent the activation email
	// (dateWelcomeSent; zero: never), LoggedIn whether it has logged in
	// with a password (dateLastLogin); InviteKnown says the listing
	// expanded both.
	WelcomeSent time.Time `json:"welcome_sent,omitzero"`
	LoggedIn    bool      `json:"logged_in,omitempty"`
	InviteKnown bool      `json:"invite_known,omitempty"`
	// OffboardedAt is when an apply of this syncer last deactivated the
	// user (its journal); zero when none did. offboard.delete_after counts
	// from it.
	OffboardedAt time.Time `json:"offboarded_at,omitzero"`
}

// Utilization is what GET /api/v2/routing/users/{userId}/utilization
// answers: whether the user has settings of its own (level Agent) and the
// settings of each media type.
type Utilization struct {
	Agent bool                        `json:"agent,omitempty"`
	Media map[string]MediaUtilization `json:"media,omitempty"`
}

// MediaUtilization is one media type's utilization: how many
// conversations of it an agent takes at once (0–25), the media types that
// may interrupt it, and whether non-ACD conversations count.
type MediaUtilization struct {
	MaximumCapacity         int      `json:"maximum_capacity"`
	InterruptableMediaTypes []string `json:"interruptable_media_types,omitempty"`
	IncludeNonACD           bool     `json:"include_non_acd,omitempty"`
}

// UtilizationProfile is a named utilization (onboard.utilization_profiles):
// the media types a person given the profile has settings of their own
// for, as PUT /routing/users/{id}/utilization sends them ("include only
// those media types requiring custom configuration").
type UtilizationProfile map[string]MediaUtilization

// Matches reports whether u is this profile: settings of the user's own
// in which each media type of the profile has the profile's values.
func (p UtilizationProfile) Matches(u *Utilization) bool {
	if u == nil || !u.Agent {
		return false
	}
	for mt, want := range p {
		got, ok := u.Media[mt]
		if !ok || got.MaximumCapacity != want.MaximumCapacity || got.IncludeNonACD != want.IncludeNonACD ||
			!sameSet(got.InterruptableMediaTypes, want.InterruptableMediaTypes) {
			return false
		}
	}
	return true
}

func sameSet(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	x, y := slices.Clone(a), slices.Clone(b)
	slices.Sort(x)
	slices.Sort(y)
	return slices.Equal(x, y)
}

// Phone is a work phone: a number in E.164 form ("+13175550101") and an
// extension (digits); either may be empty, and both empty is no phone.
type Phone struct {
	Number    string `json:"number,omitempty"`
	Extension string `json:"extension,omitempty"`
}

// IsZero reports whether p is no phone at all.
func (p Phone) IsZero() bool { return p.Number == "" && p.Extension == "" }

// String writes the phone for people: "+13175550101 ext 101".
func (p Phone) String() string {
	switch {
	case p.Extension == "":
		return p.Number
	case p.Number == "":
		return "ext " + p.Extension
	}
	return p.Number + " ext " + p.Extension
}

// samePhone reports whether a (the org's) and b (the feed's) are one
// phone: the same extension and number. A number the org holds in national
// form ("3175550101", when Genesys answered only a formatted display) is
// the same as the feed's E.164 number that ends with it.
func samePhone(a, b Phone) bool {
	if a.Extension != b.Extension {
		return false
	}
	x, y := a.Number, b.Number
	switch {
	case x == y:
		return true
	case x == "" || y == "":
		return false
	case !strings.HasPrefix(x, "+") && strings.HasPrefix(y, "+"):
		return len(x) >= 7 && strings.HasSuffix(y, x)
	case strings.HasPrefix(x, "+") && !strings.HasPrefix(y, "+"):
		return len(y) >= 7 && strings.HasSuffix(x, y)
	}
	return false
}

// Contact is one of a user's phone or SMS addresses other than the work
// phone: media type (PHONE, SMS), type (WORK2, MOBILE…), number and
// extension.
type Contact struct {
	MediaType string `json:"media_type"`
	Type      string `json:"type"`
	Number    string `json:"number,omitempty"`
	Extension string `json:"extension,omitempty"`
}

// Grant is a role granted in a division.
type Grant struct {
	RoleID     string `json:"roleId"`
	DivisionID string `json:"divisionId"`
}

func (u *User) clone() User {
	c := *u
	c.ExternalIDs = cloneMap(u.ExternalIDs)
	c.Skills = cloneMap(u.Skills)
	c.Languages = cloneMap(u.Languages)
	c.Queues = cloneMap(u.Queues)
	c.Grants = append([]Grant(nil), u.Grants...)
	c.OtherPhones = append([]Contact(nil), u.OtherPhones...)
	c.LocationIDs = append([]string(nil), u.LocationIDs...)
	c.ProfileSkills = slices.Clone(u.ProfileSkills)
	c.Verifiers = slices.Clone(u.Verifiers)
	if u.Utilization != nil {
		ut := Utilization{Agent: u.Utilization.Agent, Media: cloneMap(u.Utilization.Media)}
		c.Utilization = &ut
	}
	return c
}

func cloneMap[K comparable, V any](m map[K]V) map[K]V {
	if m == nil {
		return nil
	}
	out := make(map[K]V, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

// routable reports whether the user takes interactions from queue q.
func (u *User) routable(q string) bool {
	return u.State == StateActive && u.Queues[q]
}

// Directory returns the current users as a feed.Directory, so that a feed
// can name managers who are not in it: by external id under authority, or
// by email. Deleted users count too, so that a row naming a deleted
// manager is not rejected: the plan leaves that manager unset and warns
// (WarnManagerDeleted).
func (c *Current) Directory(authority string) feed.Directory {
	d := directory{ids: map[string]bool{}, emails: map[string]bool{}}
	for i := range c.Users {
		u := &c.Users[i]
		if k := u.ExternalIDs[authority]; authority != "" && k != "" {
			d.ids[k] = true
		}
		if u.Email != "" {
			d.emails[strings.ToLower(u.Email)] = true
		}
	}
	return d
}

type directory struct {
	ids, emails map[string]bool
}

func (d directory) HasEmployeeID(id string) bool { return d.ids[id] }
func (d directory) HasEmail(e string) bool       { return d.emails[strings.ToLower(e)] }
