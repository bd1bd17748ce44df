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
