package diff

import (
	"time"

	"github.com/usersync/syncer/internal/feed"
)

// SchemaVersion is the version of the Plan JSON layout. Apply refuses a
// plan with another version. Version 2 added Settings.
const SchemaVersion = 2

// Bulk limits of the Genesys Cloud endpoints the plan batches for.
const (
	// MaxSkillsPerCall bounds PATCH/PUT /users/{id}/routingskills/bulk.
	MaxSkillsPerCall = 50
	// MaxLanguagesPerCall bounds PATCH /users/{id}/routinglanguages/bulk.
	MaxLanguagesPerCall = 50
	// MaxQueueMembersPerCall bounds POST /routing/queues/{id}/members.
	MaxQueueMembersPerCall = 100
	// MaxUserQueuesPerCall bounds PATCH /users/{id}/queues (no documented
	// limit; the plan keeps to the queue listing's page size).
	MaxUserQueuesPerCall = 100
	// MaxUsersBulkPerCall bounds PATCH /users/bulk (acdAutoAnswer only).
	MaxUsersBulkPerCall = 50
	// MaxDivisionObjectsPerCall bounds POST /authorization/divisions/{id}/
	// objects/USER (no documented limit; kept at the other bulk sizes).
	MaxDivisionObjectsPerCall = 50
	// MaxGrantsPerCall bounds bulkadd/bulkremove (no documented limit).
	MaxGrantsPerCall = 100
)

// UserRef names a user. ID is empty for a user created by this plan: apply
// resolves Key (the create operation's Key) to the id the create returned,
// or, when resuming, by looking the user up by Email or external id.
type UserRef struct {
	ID    string `json:"id,omitempty"`
	Key   string `json:"key"`
	Email string `json:"email,omitempty"`
}

// Operation is one API call of a plan.
type Operation struct {
	// ID is stable for the same inputs: kind, then the user key or the
	// batch target, then a chunk number.
	ID   string `json:"id"`
	Kind Kind   `json:"kind"`
	// User is the target of a per-user operation.
	User *UserRef `json:"user,omitempty"`
	// QueueID and DivisionID are the targets of batched operations.
	QueueID    string `json:"queue_id,omitempty"`
	DivisionID string `json:"division_id,omitempty"`
	// Members are the users of a batched operation (queue members,
	// division moves).
	Members []UserRef `json:"members,omitempty"`

	// The payload, in the field its kind declares (KindSpec.Payload). A
	// replace_skills without skills (the key is then absent from the JSON)
	// removes every skill: send PUT [] (never null, which Genesys and the
	// emulator refuse).
	Create     *CreateUser     `json:"create,omitempty"`
	ExternalID *ExternalID     `json:"external_id,omitempty"`
	Update     *UpdateUser     `json:"update,omitempty"`
	State      string          `json:"state,omitempty"`
	Skills     []Proficiency   `json:"skills,omitempty"`
	Languages  []Proficiency   `json:"languages,omitempty"`
	RemoveID   string          `json:"remove_id,omitempty"`
	Queues     []QueueJoined   `json:"queues,omitempty"`
	Grants     []Grant         `json:"grants,omitempty"`
	ACD        []ACDAutoAnswer `json:"acd,omitempty"`
	// Payload is the body of a kind declared with PayloadOf, as JSON
	// (EncodePayload, DecodePayload). The built-in kinds keep the fields
	// above, so that their plans read as they always have.
	Payload RawPayload `json:"payload,omitempty"`

	// ExpectedVersion is the version the user must have for a versioned
	// write: the version read when planning, plus one per earlier
	// versioned write to the same user in this plan. 0 for users created
	// by the plan (use the version the create returned).
	ExpectedVersion int `json:"expected_version,omitempty"`
	// DependsOn lists the operations that must succeed first.
	DependsOn []string `json:"depends_on,omitempty"`
	// Calls is the number of API calls the operation costs.
	Calls int `json:"calls"`
}

// CreateUser is the body of POST /api/v2/users.
type CreateUser struct {
	Name       string `json:"name"`
	Email      string `json:"email"`
	DivisionID string `json:"divisionId"`
	Title      string `json:"title,omitempty"`
	Department string `json:"department,omitempty"`
	State      string `json:"state,omitempty"`
	// WorkPhone is the joiner's work phone (sent as its addresses).
	WorkPhone *Phone `json:"work_phone,omitempty"`
}

// ExternalID is the body of POST /api/v2/users/{id}/externalid.
type ExternalID struct {
	AuthorityName string `json:"authorityName"`
	ExternalKey   string `json:"externalKey"`
}

// UpdateUser holds the attributes a PATCH /api/v2/users/{id} changes; nil
// fields are left out of the body.
type UpdateUser struct {
	Name       *string `json:"name,omitempty"`
	Email      *string `json:"email,omitempty"`
	Title      *string `json:"title,omitempty"`
	Department *string `json:"department,omitempty"`
	// Manager is the new manager (the body's "manager" is its user id).
	// ClearManager removes the manager: send "manager": "" (an empty id,
	// as the Genesys Terraform provider does).
	Manager      *UserRef `json:"manager,omitempty"`
	ClearManager bool     `json:"clear_manager,omitempty"`
	// EmployeeID sets employerInfo.employeeId.
	EmployeeID *string `json:"employee_id,omitempty"`
	// DateHire sets employerInfo.dateHire.
	DateHire *string `json:"date_hire,omitempty"`
	// EmployeeType sets employerInfo.employeeType.
	EmployeeType *string `json:"employee_type,omitempty"`
	// WorkPhone sets the work phone (the PHONE address of type WORK); a
	// zero Phone removes it.
	WorkPhone *Phone `json:"work_phone,omitempty"`
	// Locations replace the user's locations (nil: unchanged).
	Locations []string `json:"locations,omitempty"`
	// Base is what the PATCH rewrites whole, as the plan read it: the
	// addresses (set with WorkPhone) and employerInfo (set with EmployeeID
	// or DateHire); nil for a user the plan creates, which has neither.
	// Apply sends Base with the changes above laid over it (Addresses,
	// EmployerInfo) and, after a 409, lays them over the user it re-reads
	// instead, so that nothing changed meanwhile is lost.
	Base *UserBase `json:"base,omitempty"`
}

// UserBase is the part of a user that a PATCH of addresses or employerInfo
// replaces whole.
type UserBase struct {
	OtherPhones  []Contact    `json:"other_phones,omitempty"`
	EmployerInfo EmployerInfo `json:"employer_info,omitzero"`
}

// EmployerInfo is a user's employerInfo.
type EmployerInfo struct {
	OfficialName string `json:"official_name,omitempty"`
	EmployeeID   string `json:"employee_id,omitempty"`
	EmployeeType string `json:"employee_type,omitempty"`
	DateHire     string `json:"date_hire,omitempty"`
}

// IsZero reports whether the update changes nothing.
func (u *UpdateUser) IsZero() bool {
	return u.Name == nil && u.Email == nil && u.Title == nil && u.Department == nil && u.Manager == nil && !u.ClearManager &&
		u.EmployeeID == nil && u.DateHire == nil && u.EmployeeType == nil && u.WorkPhone == nil && u.Locations == nil
}

// Addresses returns the phones to send when the update sets the work
// phone: base's other phones, then the work phone unless it is removed.
// ok is false when the update does not touch the phones.
func (u *UpdateUser) Addresses(base UserBase) (phones []Contact, ok bool) {
	if u.WorkPhone == nil {
		return nil, false
	}
	phones = append([]Contact{}, base.OtherPhones...)
	if !u.WorkPhone.IsZero() {
		phones = append(phones, Contact{MediaType: MediaPhone, Type: TypeWork, Number: u.WorkPhone.Number, Extension: u.WorkPhone.Extension})
	}
	return phones, true
}

// EmployerInfo returns the employerInfo to send when the update sets the
// employee id, the hire date or the employee type: base's with them laid
// over it. ok is false when the update touches none.
func (u *UpdateUser) EmployerInfo(base UserBase) (EmployerInfo, bool) {
	if u.EmployeeID == nil && u.DateHire == nil && u.EmployeeType == nil {
		return EmployerInfo{}, false
	}
	e := base.EmployerInfo
	if u.EmployeeID != nil {
		e.EmployeeID = *u.EmployeeID
	}
	if u.DateHire != nil {
		e.DateHire = *u.DateHire
	}
	if u.EmployeeType != nil {
		e.EmployeeType = *u.EmployeeType
	}
	return e, true
}

// The media type and type of the work phone among a user's addresses.
const (
	MediaPhone = "PHONE"
	TypeWork   = "WORK"
)

// Proficiency is a skill or language id with its level.
type Proficiency struct {
	ID          string  `json:"id"`
	Proficiency float64 `json:"proficiency"`
}

// QueueJoined is one entry of PATCH /api/v2/users/{id}/queues.
type QueueJoined struct {
	ID     string `json:"id"`
	Joined bool   `json:"joined"`
}

// ACDAutoAnswer is one entry of PATCH /api/v2/users/bulk.
type ACDAutoAnswer struct {
	User          UserRef `json:"user"`
	ACDAutoAnswer bool    `json:"acdAutoAnswer"`
}

// Action is what the plan does to one person.
type Action string

// Per-user actions, with their plan symbols.
const (
	ActionCreate  Action = "create"  // +
	ActionRestore Action = "restore" // +
	ActionUpdate  Action = "update"  // ~
	// ActionReactivate is an update that makes an inactive user active
	// again: a joiner (or rehire) whose email or employee id belongs to an
	// inactive account gets that account back, never a second one.
	ActionReactivate Action = "reactivate" // ~
	ActionOffboard   Action = "offboard"   // -
)

// UserPlan is what the plan does to one person, for people to read.
type UserPlan struct {
	Action Action `json:"action"`
	// Key is the person's key: "employee:<id>", "email:<email>" or, for a
	// leaver the feed does not list, "user:<id>".
	Key        string   `json:"key"`
	UserID     string   `json:"user_id,omitempty"`
	Name       string   `json:"name"`
	Email      string   `json:"email"`
	EmployeeID string   `json:"employee_id,omitempty"`
	Line       int      `json:"line,omitempty"`
	Changes    []Change `json:"changes"`
}

// Change is one attribute's change. Scalars have Before and After; lists
// have the items added, changed and removed (names quoted, so that an
// item's text is unambiguous and safe to print).
type Change struct {
	Attr    string   `json:"attr"`
	Before  string   `json:"before,omitempty"`
	After   string   `json:"after,omitempty"`
	Added   []string `json:"added,omitempty"`
	Changed []string `json:"changed,omitempty"`
	Removed []string `json:"removed,omitempty"`
	// Reason says why something is removed or cleared: "skills are owned
	// by feed hr", "offboard.strip_skills of feed hr".
	Reason string `json:"reason,omitempty"`
}

// Note is something the plan chose not to do, and why.
type Note struct {
	Line   int    `json:"line,omitempty"`
	Key    string `json:"key,omitempty"`
	Code   string `json:"code"`
	Reason string `json:"reason"`
}

// Note codes.
const (
	NoteOutOfScope      = "out_of_scope"
	NoteIgnored         = "ignored"
	NoteConflict        = "match_conflict"
	NoteNotFound        = "not_found"
	NoteManagerUnknown  = "manager_unknown"
	NoteOffboardBlocked = "offboard_suspended"
	NoteProtected       = "protected_by_rejected_row"
)

// Warning codes: the plan does it, but someone should know.
const (
	// WarnManagerInactive: the manager the row names is an inactive user.
	WarnManagerInactive = "manager_inactive"
	// WarnManagerDeleted: the manager the row names is a deleted user; the
	// manager is left as it is.
	WarnManagerDeleted = "manager_deleted"
	// WarnEmployeeIDDiffers: the matched user's employerInfo.employeeId
	// is another one; it is left as it is.
	WarnEmployeeIDDiffers = "employee_id_differs"
	// WarnReactivate: the row matches an inactive user, who is reactivated.
	WarnReactivate = "reactivate"
)

// Totals counts a plan.
type Totals struct {
	Create     int `json:"create"`
	Restore    int `json:"restore"`
	Update     int `json:"update"`
	Reactivate int `json:"reactivate"`
	Offboard   int `json:"offboard"`
	Unchanged  int `json:"unchanged"`
	Operations int `json:"operations"`
	Calls      int `json:"calls"`
}

// Changed returns the number of people the plan touches.
func (t Totals) Changed() int { return t.Create + t.Restore + t.Update + t.Reactivate + t.Offboard }

// Estimate is the time the plan's calls take at the request budget.
type Estimate struct {
	Calls         int `json:"calls"`
	RatePerMinute int `json:"rate_per_minute"`
	Seconds       int `json:"seconds"`
}

// RejectedRows summarises the feed rows that produced nothing.
type RejectedRows struct {
	Count        int             `json:"count"`
	ByCode       map[string]int  `json:"by_code,omitempty"`
	Unidentified int             `json:"unidentified,omitempty"`
	Rows         []feed.Rejected `json:"rows,omitempty"`
}

// Verdict is one guard's judgement of the plan.
type Verdict struct {
	Guard   string  `json:"guard"`
	Tripped bool    `json:"tripped"`
	Value   float64 `json:"value"`
	Limit   float64 `json:"limit"`
	// Queue names the worst queue of a routing-impact verdict; Queues
	// counts the queues over the limit (Value is the worst one's loss).
	Queue  string `json:"queue,omitempty"`
	Queues int    `json:"queues,omitempty"`
	// Flag and ConfigKey override the guard.
	Flag      string `json:"flag"`
	ConfigKey string `json:"config_key"`
	Message   string `json:"message"`
}

// Plan is desired minus current: what to call, in order, and what it
// means for people.
type Plan struct {
	Schema int       `json:"schema"`
	Feed   string    `json:"feed"`
	Mode   feed.Mode `json:"mode"`
	// FeedRows counts the data rows the feed had, valid or not.
	FeedRows  int    `json:"feed_rows"`
	Authority string `json:"authority,omitempty"`
	// Fingerprint hashes the current state the plan was computed from
	// (see Fingerprint); apply refuses the plan when it no longer matches.
	Fingerprint string `json:"fingerprint"`
	// Reads says what of the org was read for the plan (filled by the
	// caller that read it, package reverse).
	Reads Reads `json:"reads"`
	// Settings are every setting that shaped the plan, defaults filled in:
	// apply and its verification use these, never the configuration as it
	// is when the plan is applied.
	Settings Config `json:"settings"`
	// NewMembersJoined is the joined state a queue-side add gives an
	// active user; NewUserGrants are the grants a create gives.
	NewMembersJoined bool         `json:"new_members_joined"`
	NewUserGrants    []Grant      `json:"new_user_grants,omitempty"`
	Users            []UserPlan   `json:"users"`
	Operations       []Operation  `json:"operations"`
	Totals           Totals       `json:"totals"`
	Estimate         Estimate     `json:"estimate"`
	Rejected         RejectedRows `json:"rejected"`
	Notes            []Note       `json:"notes,omitempty"`
	Warnings         []Note       `json:"warnings,omitempty"`
	Guards           []Verdict    `json:"guards"`
}

// Reads says what of the org a plan was computed from, so that the apply
// and the verification after it read the same again.
type Reads struct {
	// Refreshed says the org was read for this plan; false: the plan used
	// Postgres as it stood (a forward load younger than refresh_max_age,
	// or --no-refresh).
	Refreshed bool `json:"refreshed"`
	// StateAt is when the oldest complete read the plan used began (zero
	// when unknown: --no-refresh).
	StateAt time.Time `json:"state_at,omitzero"`
	// AllQueues and AllRoles say every queue membership (role grant) of
	// the org was read: the feed speaks for queues (roles).
	AllQueues bool `json:"all_queues,omitempty"`
	AllRoles  bool `json:"all_roles,omitempty"`
	// StoredQueues and StoredRoles say every membership (grant) was taken
	// from a complete load younger than refresh_max_age.
	StoredQueues bool `json:"stored_queues,omitempty"`
	StoredRoles  bool `json:"stored_roles,omitempty"`
	// Locations says the feed has a location column: reads of the org
	// (Refreshed, and the verification after an apply) expand the users'
	// locations and read the org's locations listing (GET
	// /api/v2/locations) to resolve the names.
	Locations bool `json:"locations,omitempty"`
	// LookedUp says the plan read what tells whether a row no known key
	// found is an existing account (reverse's pairing); when false
	// (--no-refresh), apply looks a joiner up by its employee id right
	// before creating it, so that nobody gets a second account.
	LookedUp bool `json:"looked_up,omitempty"`
	// MembersOf are the users whose queue memberships (QueuesOf) and role
	// grants (RolesOf) were read one by one: the active users offboarded.
	MembersOf []string `json:"members_of,omitempty"`
	QueuesOf  bool     `json:"queues_of,omitempty"`
	RolesOf   bool     `json:"roles_of,omitempty"`
	// The joiner and leaver reads. Stations: the feed has a
	// default_station column, so the org's stations listing (GET
	// /api/v2/stations) resolves its names and the users listing expands
	// station. ProfileSkills and Invites: the users listing expands
	// profileSkills, and dateWelcomeSent with dateLastLogin (free), for the
	// profile_skills column and onboard.resend_invite_after. LeaversOf are
	// the leavers leaving now, whose MFA verifiers (VerifiersOf, one call
	// each) and stations (StationsOf, the users listing by id, a call per
	// 100) were read. Deactivations: the journal's deactivations were read,
	// for offboard.delete_after.
	Stations      bool     `json:"stations,omitempty"`
	ProfileSkills bool     `json:"profile_skills,omitempty"`
	Invites       bool     `json:"invites,omitempty"`
	LeaversOf     []string `json:"leavers_of,omitempty"`
	VerifiersOf   bool     `json:"verifiers_of,omitempty"`
	StationsOf    bool     `json:"stations_of,omitempty"`
	// StoredStations says the leavers' stations were taken from Postgres
	// (user_stations) instead, as the latest users load left them: it read
	// the station expand (the plan's own refresh does; a forward load does
	// by default), and the plan refreshed or the load is younger than
	// refresh_max_age.
	StoredStations bool `json:"stored_stations,omitempty"`
	Deactivations  bool `json:"deactivations,omitempty"`
	// Calls counts every API call the plan's reads made.
	Calls int64 `json:"calls"`
}

// HasChanges reports whether the plan would make any call.
func (p *Plan) HasChanges() bool { return len(p.Operations) > 0 }

// Tripped returns the guards that stop the plan.
func (p *Plan) Tripped() []Verdict {
	var out []Verdict
	for _, v := range p.Guards {
		if v.Tripped {
			out = append(out, v)
		}
	}
	return out
}
