package feed

import "strings"

// Mode says what a feed's absence of a user means.
type Mode string

// Feed modes.
const (
	// ModeSnapshot: the feed is the whole in-scope population; an in-scope
	// user absent from it is a leaver.
	ModeSnapshot Mode = "snapshot"
	// ModeDelta: only the listed users change; each row has an action.
	ModeDelta Mode = "delta"
)

// Action is what a delta row asks for.
type Action string

// Row actions.
const (
	ActionUpsert   Action = "upsert"
	ActionOffboard Action = "offboard"
)

// State values a feed may ask for. Deleting is an offboarding policy,
// never a feed value.
const (
	StateActive   = "active"
	StateInactive = "inactive"
)

// Employee is one valid row of a feed: the desired state of one person.
//
// Has says which attributes the row speaks for. An attribute outside Has
// must be left as it is; one inside Has with an empty value means "none"
// (no title, no skills…). Names are as written in the feed; the ID fields
// are filled by Resolve (and Read) when given Refs.
type Employee struct {
	Line   int      `json:"line"`
	Action Action   `json:"action"`
	Has    FieldSet `json:"has"`

	EmployeeID string `json:"employee_id,omitempty"`
	Email      string `json:"email,omitempty"`
	Name       string `json:"name,omitempty"`
	Title      string `json:"title,omitempty"`
	Department string `json:"department,omitempty"`

	// ManagerEmployeeID or ManagerEmail names the manager (the first wins
	// when both are given). Both empty with the field in Has: no manager.
	ManagerEmployeeID string `json:"manager_employee_id,omitempty"`
	ManagerEmail      string `json:"manager_email,omitempty"`

	Division   string `json:"division,omitempty"`
	DivisionID string `json:"division_id,omitempty"`
	// State is StateActive, StateInactive or empty (not given).
	State string `json:"state,omitempty"`

	Skills        []Proficiency `json:"skills,omitempty"`
	Languages     []Proficiency `json:"languages,omitempty"`
	Queues        []Queue       `json:"queues,omitempty"`
	Roles         []Grant       `json:"roles,omitempty"`
	ACDAutoAnswer bool          `json:"acd_auto_answer,omitempty"`

	// PhoneWork and Extension are the work phone: the number in E.164
	// form ("+13175550101", separators removed) and the extension
	// (digits). Each is in Has when its column is; empty then means "no
	// number" or "no extension", and both empty "no work phone".
	PhoneWork string `json:"phone_work,omitempty"`
	Extension string `json:"extension,omitempty"`
	// Location is the work location's name (LocationID filled by Resolve).
	// Empty means "not given": a feed never removes a location.
	Location   string `json:"location,omitempty"`
	LocationID string `json:"location_id,omitempty"`
	// HireDate is the hire date, YYYY-MM-DD; empty means "not given".
	HireDate string `json:"hire_date,omitempty"`
	// EmployeeType is employerInfo.employeeType (Full-time, Contractor…);
	// empty means "not given".
	EmployeeType string `json:"employee_type,omitempty"`
	// Utilization names a utilization profile of the configuration
	// (Config.UtilizationProfiles), spelled as configured; empty means
	// "not given".
	Utilization string `json:"utilization,omitempty"`
	// DefaultStation is the default station's name or id
	// (DefaultStationID filled by Resolve); empty means "not given".
	DefaultStation   string `json:"default_station,omitempty"`
	DefaultStationID string `json:"default_station_id,omitempty"`
	// ProfileSkills are the profile skills (free text, not routing
	// skills): in Has with an empty list, "none".
	ProfileSkills []string `json:"profile_skills,omitempty"`
}

// Key returns the employee's matching key: "employee:<id>" when the feed
// has an employee id, else "email:<lower-case email>".
func (e *Employee) Key() string {
	if e.EmployeeID != "" {
		return "employee:" + e.EmployeeID
	}
	return "email:" + strings.ToLower(e.Email)
}

// ManagerKey returns the manager's key in the form of Key, or "" when the
// row names no manager.
func (e *Employee) ManagerKey() string {
	switch {
	case e.ManagerEmployeeID != "":
		return "employee:" + e.ManagerEmployeeID
	case e.ManagerEmail != "":
		return "email:" + strings.ToLower(e.ManagerEmail)
	}
	return ""
}

// Proficiency is a skill or language with its level (0–5).
type Proficiency struct {
	Name  string  `json:"name"`
	ID    string  `json:"id,omitempty"`
	Level float64 `json:"proficiency"`
}

// Queue is a queue membership and whether the member is joined (taking
// interactions). Joined is true unless the feed says ":unjoined".
type Queue struct {
	Name   string `json:"name"`
	ID     string `json:"id,omitempty"`
	Joined bool   `json:"joined"`
}

// Grant is a role granted in a division. An empty Division means the
// employee's own division (or the home division when that is not given).
type Grant struct {
	Role       string `json:"role"`
	RoleID     string `json:"role_id,omitempty"`
	Division   string `json:"division,omitempty"`
	DivisionID string `json:"division_id,omitempty"`
}

// Rejected is a row that produced no employee, with what identified it.
// Its keys protect the person from being treated as a leaver in snapshot
// mode: a row we could not read is not an absent row.
type Rejected struct {
	Line       int      `json:"line"`
	EmployeeID string   `json:"employee_id,omitempty"`
	Email      string   `json:"email,omitempty"`
	Codes      []string `json:"codes"`
	Reason     string   `json:"reason"`
}

// Feed is what Resolve (and Read) returns: the valid employees and
// everything wrong.
type Feed struct {
	File   string `json:"file"`
	Format Format `json:"format"`
	Mode   Mode   `json:"mode"`
	// Columns is the set of fields present in the header (CSV) or in any
	// row (JSONL).
	Columns FieldSet `json:"columns"`
	// Resolved is true when names were checked against Refs and the ID
	// fields filled.
	Resolved bool `json:"resolved"`
	// Rows counts data rows read (the header not included).
	Rows      int        `json:"rows"`
	Employees []Employee `json:"employees"`
	Rejected  []Rejected `json:"rejected,omitempty"`
	// Problems lists every error and warning in file order.
	Problems []Problem `json:"problems,omitempty"`
}

// UnidentifiedRejects counts rejected rows that have neither an employee
// id nor an email. In snapshot mode any such row means someone in the
// feed might be taken for a leaver.
func (f *Feed) UnidentifiedRejects() int { return unidentified(f.Rejected) }

// Errors returns the problems with SeverityError.
func (f *Feed) Errors() []Problem { return errorsOnly(f.Problems) }
