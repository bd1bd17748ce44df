package load

import (
	"encoding/json"
	"time"
)

// The row types below are what the pipelines hand to the loader, one batch
// per call. Empty optional strings are stored as NULL; Raw is the API's JSON
// for the entity (nil stores NULL). Ids are never empty: an empty id fails
// the batch.

// UserRow is one user (table users; history in users_history).
type UserRow struct {
	ID            string
	Name          string
	Email         string
	Username      string
	Title         string
	Department    string
	State         string // active, inactive, deleted
	DivisionID    string
	ManagerID     string
	EmployeeID    string
	AcdAutoAnswer bool
	Version       int
	Raw           json.RawMessage
	// Employer info and team (migration 00010). Empty values are stored
	// as NULL; while all five are empty the row hashes as it did before
	// they existed (see table.appended), so an upgrade rewrites no user.
	EmployeeType string
	OfficialName string
	DateHire     time.Time // a date: its calendar day as written (time.Time.Date); zero stores NULL
	TeamID       string
	TeamName     string
}

// DivisionRow is one division (table divisions).
type DivisionRow struct {
	ID           string
	Name         string
	Description  string
	HomeDivision bool
	Raw          json.RawMessage
}

// SkillRow is one routing skill (table skills).
type SkillRow struct {
	ID    string
	Name  string
	State string
	Raw   json.RawMessage
}

// LanguageRow is one routing language (table languages).
type LanguageRow struct {
	ID    string
	Name  string
	State string
	Raw   json.RawMessage
}

// QueueRow is one routing queue (table queues).
type QueueRow struct {
	ID                string
	Name              string
	DivisionID        string
	MemberCount       int
	JoinedMemberCount int
	Raw               json.RawMessage
}

// RoleRow is one authorization role (table roles).
type RoleRow struct {
	ID          string
	Name        string
	Description string
	Raw         json.RawMessage
}

// GroupRow is one group (table groups).
type GroupRow struct {
	ID           string
	Name         string
	Description  string
	Type         string // official, social
	Visibility   string // public, owners, members
	State        string // active, inactive, deleted
	MemberCount  int
	DateModified time.Time // zero stores NULL
	Raw          json.RawMessage
}

// LocationRow is one location (table locations).
type LocationRow struct {
	ID             string
	Name           string
	State          string
	AddressStreet1 string
	AddressCity    string
	AddressState   string
	AddressZipcode string
	AddressCountry string
	Raw            json.RawMessage
}

// StationRow is one station (table stations). UserID is the user the
// station is associated with, if any.
type StationRow struct {
	ID               string
	Name             string
	Type             string
	Status           string
	UserID           string
	WebRTCUserID     string
	LineAppearanceID string
	Raw              json.RawMessage
}

// UserSkillRow is one skill of a user (user_skills; history in user_skills_history).
type UserSkillRow struct {
	UserID      string
	SkillID     string
	SkillName   string
	Proficiency float64
}

// UserLanguageRow is one language of a user (user_languages).
type UserLanguageRow struct {
	UserID       string
	LanguageID   string
	LanguageName string
	Proficiency  float64
}

// QueueMemberRow is one queue membership (user_queues; history in
// user_queues_history). Joined tells whether the user is joined to the queue.
type QueueMemberRow struct {
	UserID  string
	QueueID string
	Joined  bool
}

// UserGroupRow is one group of a user (user_groups).
type UserGroupRow struct {
	UserID    string
	GroupID   string
	GroupName string
}

// UserLocationRow is one location of a user (user_locations).
type UserLocationRow struct {
	UserID       string
	LocationID   string
	LocationName string
	Notes        string
}

// RoleGrantRow is one role granted to a user in a division (user_role_grants).
type RoleGrantRow struct {
	UserID     string
	RoleID     string
	DivisionID string
}

// ExternalIDRow is one external id of a user (user_external_ids).
type ExternalIDRow struct {
	UserID        string
	AuthorityName string
	ExternalKey   string
}

// UserStationRow is the station expand of one user (user_stations, current
// only): a user with no station of any kind has no row.
type UserStationRow struct {
	UserID                  string
	DefaultStationID        string
	AssociatedStationID     string
	AssociatedDate          time.Time // zero stores NULL
	EffectiveStationID      string
	LastAssociatedStationID string
}

// UserPresenceRow is a user's presence at sync time (user_presence, current
// only).
type UserPresenceRow struct {
	UserID                 string
	SystemPresence         string
	OrganizationPresenceID string
	ModifiedAt             time.Time // zero stores NULL
}

// UserRoutingStatusRow is a user's routing status at sync time
// (user_routing_status, current only).
type UserRoutingStatusRow struct {
	UserID    string
	Status    string
	StartTime time.Time // zero stores NULL
}

// UserLastLoginRow is when a user last logged in (user_last_login, current
// only). A row with a zero LastLoginAt is not stored: the user has no row.
type UserLastLoginRow struct {
	UserID      string
	LastLoginAt time.Time
}

// OutOfOfficeRow is one out-of-office period of a user (user_out_of_office),
// keyed by user and start. A row with a zero Start is no period and is not
// stored.
type OutOfOfficeRow struct {
	UserID     string
	Start      time.Time
	End        time.Time // zero stores NULL
	Indefinite bool
	Active     bool
	ID         string // the API's id of the out-of-office setting
}

// UserProfileSkillRow is one profile skill of a user (user_profile_skills;
// history in user_profile_skills_history).
type UserProfileSkillRow struct {
	UserID       string
	ProfileSkill string
}

// UserCertificationRow is one certification of a user (user_certifications;
// history in user_certifications_history).
type UserCertificationRow struct {
	UserID        string
	Certification string
}

// UtilizationRow is a user's utilization for one media type
// (user_utilization; history in user_utilization_history). Level is Agent
// for settings of the user's own, Organization for the org default.
// InterruptibleMediaTypes is stored sorted, so its order never makes a
// change.
type UtilizationRow struct {
	UserID                  string
	MediaType               string
	MaximumCapacity         int
	InterruptibleMediaTypes []string
	IncludeNonACD           bool
	Level                   string
}

// DevelopmentActivityRow is one development activity of one attendee
// (user_development_activities). Nil IsOverdue, IsPassed and
// PercentageScore store NULL (the API leaves them out of activities they
// do not apply to); zero times store NULL.
type DevelopmentActivityRow struct {
	ActivityID      string
	UserID          string
	Name            string
	Type            string
	Status          string
	ModuleID        string
	DateCreated     time.Time
	DateDue         time.Time
	DateCompleted   time.Time
	IsOverdue       *bool
	IsPassed        *bool
	PercentageScore *float64
	CreatedByID     string
	FacilitatorID   string
	Raw             json.RawMessage
}

// PresenceSegmentRow is one primary presence segment of a user (from the
// user details job). A zero End is a segment still in progress.
type PresenceSegmentRow struct {
	UserID                 string
	Start                  time.Time
	End                    time.Time
	SystemPresence         string
	OrganizationPresenceID string
}

// RoutingStatusSegmentRow is one routing status segment of a user. A zero End
// is a segment still in progress.
type RoutingStatusSegmentRow struct {
	UserID        string
	Start         time.Time
	End           time.Time
	RoutingStatus string
}

// AggregateRow is one metric of one user over one interval (from the user
// aggregates job). Nil statistics are stored as NULL.
type AggregateRow struct {
	UserID        string
	IntervalStart time.Time
	IntervalEnd   time.Time
	Granularity   string // e.g. PT30M, P1D
	Metric        string // e.g. tSystemPresence
	Qualifier     string // e.g. AVAILABLE; "" when none
	Sum           *float64
	Count         *int64
	Min           *float64
	Max           *float64
}

// nullString stores "" as NULL.
func nullString(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// nullJSON stores an absent document as NULL.
func nullJSON(r json.RawMessage) any {
	if len(r) == 0 {
		return nil
	}
	return []byte(r)
}

// nullTime stores the zero time as NULL.
func nullTime(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t
}
