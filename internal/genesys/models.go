package genesys

import (
	"cmp"
	"encoding/json"
	"strings"
	"time"
)

// The models carry the JSON names of the Genesys Cloud API (see
// shared/reference/genesys-models.md). Fields the syncer does not use are
// left out; unknown fields are ignored when decoding, and a User keeps its
// whole JSON in Raw.

// User is a Genesys Cloud user, with the expands asked for.
type User struct {
	ID                 string                `json:"id,omitempty"`
	Name               string                `json:"name,omitempty"`
	Division           *Division             `json:"division,omitempty"`
	Chat               *Chat                 `json:"chat,omitempty"`
	Department         string                `json:"department,omitempty"`
	Email              string                `json:"email,omitempty"`
	PrimaryContactInfo []Contact             `json:"primaryContactInfo,omitempty"`
	Addresses          []Contact             `json:"addresses,omitempty"`
	State              string                `json:"state,omitempty"`
	Title              string                `json:"title,omitempty"`
	Username           string                `json:"username,omitempty"`
	Manager            *UserRef              `json:"manager,omitempty"`
	Version            int                   `json:"version"`
	Certifications     []string              `json:"certifications,omitempty"`
	Biography          *Biography            `json:"biography,omitempty"`
	EmployerInfo       *EmployerInfo         `json:"employerInfo,omitempty"`
	PreferredName      string                `json:"preferredName,omitempty"`
	RoutingStatus      *RoutingStatus        `json:"routingStatus,omitempty"`
	Presence           *UserPresence         `json:"presence,omitempty"`
	OutOfOffice        *OutOfOffice          `json:"outOfOffice,omitempty"`
	Authorization      *UserAuthorization    `json:"authorization,omitempty"`
	ProfileSkills      []string              `json:"profileSkills,omitempty"`
	Locations          []Location            `json:"locations,omitempty"`
	Groups             []Group               `json:"groups,omitempty"`
	Team               *Team                 `json:"team,omitempty"`
	Skills             []UserRoutingSkill    `json:"skills,omitempty"`
	Languages          []UserRoutingLanguage `json:"languages,omitempty"`
	AcdAutoAnswer      bool                  `json:"acdAutoAnswer"`
	LanguagePreference string                `json:"languagePreference,omitempty"`
	DateLastLogin      string                `json:"dateLastLogin,omitempty"`
	DateWelcomeSent    string                `json:"dateWelcomeSent,omitempty"`
	Station            *UserStations         `json:"station,omitempty"`
	SelfURI            string                `json:"selfUri,omitempty"`

	// Raw is the user's JSON exactly as the API sent it, unknown fields
	// included (the loader stores it as raw jsonb). Set by UnmarshalJSON.
	Raw json.RawMessage `json:"-"`
}

// UnmarshalJSON decodes a user and keeps a copy of its JSON in Raw.
func (u *User) UnmarshalJSON(data []byte) error {
	type plain User
	var p plain
	if err := json.Unmarshal(data, &p); err != nil {
		return err
	}
	*u = User(p)
	u.Raw = append(json.RawMessage(nil), data...)
	return nil
}

// UserRef is a reference to a user (a user's manager).
type UserRef struct {
	ID      string `json:"id,omitempty"`
	Name    string `json:"name,omitempty"`
	SelfURI string `json:"selfUri,omitempty"`
}

// Division is a reference to a division.
type Division struct {
	ID      string `json:"id,omitempty"`
	Name    string `json:"name,omitempty"`
	SelfURI string `json:"selfUri,omitempty"`
}

// Chat is a user's chat identity.
type Chat struct {
	JabberID string `json:"jabberId,omitempty"`
}

// Contact is an address, phone or email of a user.
type Contact struct {
	Address     string `json:"address,omitempty"`
	Display     string `json:"display,omitempty"`
	MediaType   string `json:"mediaType,omitempty"`
	Type        string `json:"type,omitempty"`
	Extension   string `json:"extension,omitempty"`
	CountryCode string `json:"countryCode,omitempty"`
	Integration string `json:"integration,omitempty"`
}

// Media and types of a user's contacts (addresses).
const (
	MediaPhone = "PHONE"
	MediaSMS   = "SMS"
	MediaEmail = "EMAIL"
	// ContactWork is the type of the work phone (the admin import's
	// phone_work and extension).
	ContactWork = "WORK"
)

// PhoneParts reads a PHONE or SMS contact in any of the four shapes the
// API answers (seen in the Genesys Terraform provider, which reads them
// all): a number in address (display formatted); an internal extension in
// extension and display alike (address then, if any, is derived and not
// the user's number); a number with an extension, the number in address or
// only in display; an extension not yet in an extension pool, in display
// alone. The number comes back without separators or a "tel:" prefix
// ("+13175550101"; a national display stays national: "3175550101"), the
// extension without parentheses.
func (c Contact) PhoneParts() (number, extension string) {
	ext := strings.Trim(strings.TrimSpace(c.Extension), "()")
	disp := strings.Trim(strings.TrimSpace(c.Display), "()")
	switch {
	case ext != "" && ext == disp:
		return "", ext
	case ext != "":
		return phoneDigits(cmp.Or(c.Address, c.Display)), ext
	case c.Address != "":
		return phoneDigits(c.Address), ""
	}
	return "", disp
}

// WorkPhone splits a user's addresses into the work phone (the first PHONE
// address of type WORK; nil when there is none) and the other phone and SMS
// addresses, in order. Email addresses are left out: a PATCH of addresses
// without them keeps them.
func WorkPhone(cs []Contact) (work *Contact, others []Contact) {
	for i := range cs {
		c := &cs[i]
		switch {
		case c.MediaType != MediaPhone && c.MediaType != MediaSMS:
		case work == nil && c.MediaType == MediaPhone && c.Type == ContactWork:
			work = c
		default:
			others = append(others, *c)
		}
	}
	return work, others
}

// phoneDigits keeps a number's leading + and its digits.
func phoneDigits(s string) string {
	s = strings.TrimSpace(s)
	if len(s) > 4 && strings.EqualFold(s[:4], "tel:") {
		s = s[4:]
	}
	var b strings.Builder
	for i, r := range s {
		if r >= '0' && r <= '9' || r == '+' && i == 0 {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// Biography is a user's biography.
type Biography struct {
	Biography string   `json:"biography,omitempty"`
	Interests []string `json:"interests,omitempty"`
	Hobbies   []string `json:"hobbies,omitempty"`
	Spouse    string   `json:"spouse,omitempty"`
}

// EmployerInfo is a user's HR information.
type EmployerInfo struct {
	OfficialName string `json:"officialName,omitempty"`
	EmployeeID   string `json:"employeeId,omitempty"`
	EmployeeType string `json:"employeeType,omitempty"`
	DateHire     string `json:"dateHire,omitempty"`
}

// RoutingStatus is a user's current routing status.
type RoutingStatus struct {
	UserID    string `json:"userId,omitempty"`
	Status    string `json:"status,omitempty"`
	StartTime string `json:"startTime,omitempty"`
}

// OutOfOffice is a user's out-of-office period (the outOfOffice expand).
// Active is true while the period is current. With the expand, a user who
// never set a period has a record too: not active, no id and no dates; a
// period that has ended or not begun keeps its dates and is not active.
// EndDate is zero when Indefinite.
type OutOfOffice struct {
	ID         string    `json:"id,omitempty"`
	Name       string    `json:"name,omitempty"`
	User       *UserRef  `json:"user,omitempty"`
	StartDate  time.Time `json:"startDate,omitzero"`
	EndDate    time.Time `json:"endDate,omitzero"`
	Active     bool      `json:"active"`
	Indefinite bool      `json:"indefinite"`
	SelfURI    string    `json:"selfUri,omitempty"`
}

// HasPeriod reports whether the record holds a period (current, upcoming or
// past) rather than the empty record of a user who never set one.
func (o *OutOfOffice) HasPeriod() bool { return o != nil && !o.StartDate.IsZero() }

// UserPresence is a user's presence. PresenceDefinition.SystemPresence is
// spelt as the presence expand spells it ("Available", "On Queue"), not as
// analytics does (AVAILABLE, ON_QUEUE).
type UserPresence struct {
	ID                 string              `json:"id,omitempty"`
	Name               string              `json:"name,omitempty"`
	Source             string              `json:"source,omitempty"`
	Primary            bool                `json:"primary,omitempty"`
	PresenceDefinition *PresenceDefinition `json:"presenceDefinition,omitempty"`
	Message            string              `json:"message,omitempty"`
	ModifiedDate       string              `json:"modifiedDate,omitempty"`
}

// PresenceDefinition is an organization presence and its system presence.
type PresenceDefinition struct {
	ID             string `json:"id,omitempty"`
	SystemPresence string `json:"systemPresence,omitempty"`
	SelfURI        string `json:"selfUri,omitempty"`
}

// UserAuthorization is a user's roles (the authorization expand and
// GET /users/{id}/roles).
type UserAuthorization struct {
	Roles       []DomainRole `json:"roles,omitempty"`
	UnusedRoles []DomainRole `json:"unusedRoles,omitempty"`
	Permissions []string     `json:"permissions,omitempty"`
}

// DomainRole is a role reference.
type DomainRole struct {
	ID   string `json:"id,omitempty"`
	Name string `json:"name,omitempty"`
}

// Location is a user's location (the locations expand).
type Location struct {
	ID                 string              `json:"id,omitempty"`
	FloorplanID        string              `json:"floorplanId,omitempty"`
	Notes              string              `json:"notes,omitempty"`
	LocationDefinition *LocationDefinition `json:"locationDefinition,omitempty"`
}

// LocationDefinition is one of the org's locations (GET /api/v2/locations),
// and the location a user's Location points at.
type LocationDefinition struct {
	ID      string           `json:"id,omitempty"`
	Name    string           `json:"name,omitempty"`
	Address *LocationAddress `json:"address,omitempty"`
	State   string           `json:"state,omitempty"`
	Version int              `json:"version,omitempty"`
	Path    []string         `json:"path,omitempty"`
	SelfURI string           `json:"selfUri,omitempty"`
}

// LocationAddress is a location's postal address.
type LocationAddress struct {
	Street1     string `json:"street1,omitempty"`
	Street2     string `json:"street2,omitempty"`
	City        string `json:"city,omitempty"`
	State       string `json:"state,omitempty"`
	Zipcode     string `json:"zipcode,omitempty"`
	Country     string `json:"country,omitempty"`
	CountryName string `json:"countryName,omitempty"`
}

// LocationRef places a user at a location in PATCH /api/v2/users/{id}.
type LocationRef struct {
	// ID is the location's id (a LocationDefinition's).
	ID    string `json:"id"`
	Notes string `json:"notes,omitempty"`
}

// Group is a group (the groups expand, GET /api/v2/groups). Type is
// official or social; Visibility public, members or owners. The groups
// expand carries id, name, type, rulesVisible, visibility and selfUri; the
// listing also the rest (memberCount, dateModified, state, version).
type Group struct {
	ID           string `json:"id,omitempty"`
	Name         string `json:"name,omitempty"`
	Description  string `json:"description,omitempty"`
	DateModified string `json:"dateModified,omitempty"`
	State        string `json:"state,omitempty"`
	Version      int    `json:"version,omitempty"`
	Type         string `json:"type,omitempty"`
	RulesVisible bool   `json:"rulesVisible"`
	Visibility   string `json:"visibility,omitempty"`
	MemberCount  int    `json:"memberCount,omitempty"`
	SelfURI      string `json:"selfUri,omitempty"`
}

// Team is a user's team.
type Team struct {
	ID       string    `json:"id,omitempty"`
	Name     string    `json:"name,omitempty"`
	Division *Division `json:"division,omitempty"`
	SelfURI  string    `json:"selfUri,omitempty"`
}

// UserRoutingSkill is a skill of a user with its proficiency (0–5).
type UserRoutingSkill struct {
	ID          string  `json:"id,omitempty"`
	Name        string  `json:"name,omitempty"`
	Proficiency float64 `json:"proficiency"`
	State       string  `json:"state,omitempty"`
	SkillURI    string  `json:"skillUri,omitempty"`
	SelfURI     string  `json:"selfUri,omitempty"`
}

// UserRoutingLanguage is a language of a user with its proficiency (0–5).
type UserRoutingLanguage struct {
	ID          string  `json:"id,omitempty"`
	Name        string  `json:"name,omitempty"`
	Proficiency float64 `json:"proficiency"`
	State       string  `json:"state,omitempty"`
	LanguageURI string  `json:"languageUri,omitempty"`
	SelfURI     string  `json:"selfUri,omitempty"`
}

// UserRoutingSkillPost is a skill to give a user.
type UserRoutingSkillPost struct {
	ID          string  `json:"id"`
	Proficiency float64 `json:"proficiency"`
}

// UserRoutingLanguagePost is a language to give a user.
type UserRoutingLanguagePost struct {
	ID          string  `json:"id"`
	Proficiency float64 `json:"proficiency"`
}

// UserQueue is a queue a user is a member of, with the joined flag.
type UserQueue struct {
	ID                string    `json:"id,omitempty"`
	Name              string    `json:"name,omitempty"`
	Division          *Division `json:"division,omitempty"`
	MemberCount       int       `json:"memberCount,omitempty"`
	UserMemberCount   int       `json:"userMemberCount,omitempty"`
	JoinedMemberCount int       `json:"joinedMemberCount,omitempty"`
	Joined            bool      `json:"joined"`
	SelfURI           string    `json:"selfUri,omitempty"`
}

// QueueJoin is one entry of PATCH /users/{id}/queues: join or unjoin a queue
// the user is a member of.
type QueueJoin struct {
	ID     string `json:"id"`
	Joined bool   `json:"joined"`
}

// CreateUser is the body of POST /api/v2/users.
type CreateUser struct {
	Name       string    `json:"name"`
	Department string    `json:"department,omitempty"`
	Email      string    `json:"email"`
	Addresses  []Contact `json:"addresses,omitempty"`
	Title      string    `json:"title,omitempty"`
	Password   string    `json:"password,omitempty"`
	DivisionID string    `json:"divisionId,omitempty"`
	State      string    `json:"state,omitempty"`
}

// UpdateUser is the body of PATCH /api/v2/users/{id}. Nil fields are not
// sent and stay as they are; Version must be the user's current version. A
// body with State changes nothing else (the API's rule): send state alone.
type UpdateUser struct {
	Name               *string   `json:"name,omitempty"`
	Department         *string   `json:"department,omitempty"`
	Email              *string   `json:"email,omitempty"`
	PrimaryContactInfo []Contact `json:"primaryContactInfo,omitzero"`
	Addresses          []Contact `json:"addresses,omitzero"`
	Title              *string   `json:"title,omitempty"`
	Username           *string   `json:"username,omitempty"`
	PreferredName      *string   `json:"preferredName,omitempty"`
	// Manager is the manager's user id; "" clears it.
	Manager        *string       `json:"manager,omitempty"`
	Version        int           `json:"version"`
	State          *string       `json:"state,omitempty"`
	AcdAutoAnswer  *bool         `json:"acdAutoAnswer,omitempty"`
	Certifications []string      `json:"certifications,omitzero"`
	EmployerInfo   *EmployerInfo `json:"employerInfo,omitempty"`
	// Locations replace the user's locations when not nil.
	Locations []LocationRef `json:"locations,omitzero"`
}

// PatchUser is one entry of PATCH /api/v2/users/bulk: only acdAutoAnswer
// can change.
type PatchUser struct {
	ID            string `json:"id"`
	AcdAutoAnswer *bool  `json:"acdAutoAnswer,omitempty"`
}

// UserExternalIdentifier maps a user to a key in an outside system.
type UserExternalIdentifier struct {
	AuthorityName string `json:"authorityName"`
	ExternalKey   string `json:"externalKey"`
	SelfURI       string `json:"selfUri,omitempty"`
}

// RoleDivisionPair is a role granted in a division.
type RoleDivisionPair struct {
	RoleID     string `json:"roleId"`
	DivisionID string `json:"divisionId"`
}

// RoleDivisionGrants is the body of the authorization bulk endpoints.
type RoleDivisionGrants struct {
	Grants []RoleDivisionPair `json:"grants"`
}

// AuthzSubject is a subject's grants (GET /authorization/subjects/{id}).
type AuthzSubject struct {
	ID      string       `json:"id,omitempty"`
	Name    string       `json:"name,omitempty"`
	Grants  []AuthzGrant `json:"grants,omitempty"`
	Version int          `json:"version,omitempty"`
	SelfURI string       `json:"selfUri,omitempty"`
}

// AuthzGrant is one role granted to a subject in a division.
type AuthzGrant struct {
	SubjectID   string         `json:"subjectId,omitempty"`
	Division    *AuthzDivision `json:"division,omitempty"`
	Role        *AuthzRole     `json:"role,omitempty"`
	GrantMadeAt string         `json:"grantMadeAt,omitempty"`
}

// AuthzRole is the role of a grant.
type AuthzRole struct {
	ID          string `json:"id,omitempty"`
	Name        string `json:"name,omitempty"`
	Description string `json:"description,omitempty"`
	Default     bool   `json:"default,omitempty"`
}

// AuthzDivision is a division.
type AuthzDivision struct {
	ID           string         `json:"id,omitempty"`
	Name         string         `json:"name,omitempty"`
	Description  string         `json:"description,omitempty"`
	HomeDivision bool           `json:"homeDivision,omitempty"`
	ObjectCounts map[string]int `json:"objectCounts,omitempty"`
	SelfURI      string         `json:"selfUri,omitempty"`
}

// Role is an organization role (GET /authorization/roles).
type Role struct {
	ID            string   `json:"id,omitempty"`
	Name          string   `json:"name,omitempty"`
	Description   string   `json:"description,omitempty"`
	DefaultRoleID string   `json:"defaultRoleId,omitempty"`
	Permissions   []string `json:"permissions,omitempty"`
	UserCount     int      `json:"userCount,omitempty"`
	Default       bool     `json:"default,omitempty"`
	Base          bool     `json:"base,omitempty"`
	SelfURI       string   `json:"selfUri,omitempty"`
}

// Queue is a routing queue.
type Queue struct {
	ID                string    `json:"id,omitempty"`
	Name              string    `json:"name,omitempty"`
	Division          *Division `json:"division,omitempty"`
	Description       string    `json:"description,omitempty"`
	DateCreated       string    `json:"dateCreated,omitempty"`
	DateModified      string    `json:"dateModified,omitempty"`
	MemberCount       int       `json:"memberCount"`
	UserMemberCount   int       `json:"userMemberCount"`
	JoinedMemberCount int       `json:"joinedMemberCount"`
	SelfURI           string    `json:"selfUri,omitempty"`
}

// QueueMember is a member of a queue.
type QueueMember struct {
	// ID is the member's user id.
	ID         string   `json:"id,omitempty"`
	Name       string   `json:"name,omitempty"`
	User       *UserRef `json:"user,omitempty"`
	RingNumber int      `json:"ringNumber,omitempty"`
	Joined     bool     `json:"joined"`
	// MemberBy is user or group.
	MemberBy string `json:"memberBy,omitempty"`
	SelfURI  string `json:"selfUri,omitempty"`
}

// QueueMemberRef is one entry of POST /routing/queues/{id}/members.
type QueueMemberRef struct {
	ID string `json:"id"`
}

// RoutingSkill is a skill of the org.
type RoutingSkill struct {
	ID           string    `json:"id,omitempty"`
	Name         string    `json:"name,omitempty"`
	Division     *Division `json:"division,omitempty"`
	DateModified string    `json:"dateModified,omitempty"`
	State        string    `json:"state,omitempty"`
	Version      string    `json:"version,omitempty"`
	SelfURI      string    `json:"selfUri,omitempty"`
}

// Language is a routing language of the org.
type Language struct {
	ID           string `json:"id,omitempty"`
	Name         string `json:"name,omitempty"`
	DateModified string `json:"dateModified,omitempty"`
	State        string `json:"state,omitempty"`
	Version      string `json:"version,omitempty"`
	SelfURI      string `json:"selfUri,omitempty"`
}

// UserSearchRequest is the body of POST /api/v2/users/search.
type UserSearchRequest struct {
	SortOrder  string               `json:"sortOrder,omitempty"`
	SortBy     string               `json:"sortBy,omitempty"`
	PageSize   int                  `json:"pageSize,omitempty"`
	PageNumber int                  `json:"pageNumber,omitempty"`
	Expand     []string             `json:"expand,omitempty"`
	Query      []UserSearchCriteria `json:"query,omitempty"`
}

// UserSearchCriteria is one criterion of a users search.
type UserSearchCriteria struct {
	// Type is EXACT, TERM, CONTAINS, STARTS_WITH, REQUIRED_FIELDS, RANGE,
	// DATE_RANGE, LESS_THAN, ...
	Type       string               `json:"type"`
	Fields     []string             `json:"fields,omitempty"`
	Value      string               `json:"value,omitempty"`
	Values     []string             `json:"values,omitempty"`
	StartValue string               `json:"startValue,omitempty"`
	EndValue   string               `json:"endValue,omitempty"`
	Operator   string               `json:"operator,omitempty"`
	Group      []UserSearchCriteria `json:"group,omitempty"`
	DateFormat string               `json:"dateFormat,omitempty"`
}

// UsersSearchResponse is one page of users search results.
type UsersSearchResponse struct {
	Total        int      `json:"total"`
	PageCount    int      `json:"pageCount"`
	PageSize     int      `json:"pageSize"`
	PageNumber   int      `json:"pageNumber"`
	PreviousPage string   `json:"previousPage,omitempty"`
	CurrentPage  string   `json:"currentPage,omitempty"`
	NextPage     string   `json:"nextPage,omitempty"`
	Types        []string `json:"types,omitempty"`
	Results      []User   `json:"results"`
}

// Analytics.

// Analytics job states.
const (
	JobQueued    = "QUEUED"
	JobPending   = "PENDING"
	JobFulfilled = "FULFILLED"
	JobFailed    = "FAILED"
	JobCancelled = "CANCELLED"
	JobExpired   = "EXPIRED"
)

// AsyncQueryResponse is the answer to an analytics job submit.
type AsyncQueryResponse struct {
	JobID string `json:"jobId"`
}

// AsyncQueryStatus is an analytics job's state.
type AsyncQueryStatus struct {
	State          string    `json:"state"`
	ErrorMessage   string    `json:"errorMessage,omitempty"`
	ExpirationDate time.Time `json:"expirationDate,omitzero"`
	SubmissionDate time.Time `json:"submissionDate,omitzero"`
	CompletionDate time.Time `json:"completionDate,omitzero"`
}

// Done reports a final state: results can be read (FULFILLED) or never will.
func (s AsyncQueryStatus) Done() bool {
	return s.State != JobQueued && s.State != JobPending
}

// AsyncUserDetailsQuery is the body of POST
// /api/v2/analytics/users/details/jobs.
type AsyncUserDetailsQuery struct {
	// Interval is "start/end" in ISO-8601.
	Interval             string            `json:"interval"`
	UserFilters          []AnalyticsFilter `json:"userFilters,omitempty"`
	PresenceFilters      []AnalyticsFilter `json:"presenceFilters,omitempty"`
	RoutingStatusFilters []AnalyticsFilter `json:"routingStatusFilters,omitempty"`
	Order                string            `json:"order,omitempty"`
	Limit                int               `json:"limit,omitempty"`
}

// AnalyticsFilter is a filter of an analytics query (user, presence,
// routing-status and aggregate filters share the shape).
type AnalyticsFilter struct {
	// Type is "and" or "or".
	Type       string               `json:"type"`
	Clauses    []AnalyticsClause    `json:"clauses,omitempty"`
	Predicates []AnalyticsPredicate `json:"predicates,omitempty"`
}

// AnalyticsClause groups predicates.
type AnalyticsClause struct {
	Type       string               `json:"type"`
	Predicates []AnalyticsPredicate `json:"predicates"`
}

// AnalyticsPredicate is one condition, e.g. dimension userId matches value.
type AnalyticsPredicate struct {
	Type      string `json:"type,omitempty"`
	Dimension string `json:"dimension,omitempty"`
	Operator  string `json:"operator,omitempty"`
	Value     string `json:"value,omitempty"`
}

// UserDetailsJobResults is one page of a details job's results.
type UserDetailsJobResults struct {
	UserDetails []AnalyticsUserDetail `json:"userDetails"`
	// Cursor is absent on the last page.
	Cursor               string    `json:"cursor,omitempty"`
	DataAvailabilityDate time.Time `json:"dataAvailabilityDate,omitzero"`
}

// AnalyticsUserDetail is one user's presence and routing-status segments.
type AnalyticsUserDetail struct {
	UserID          string                         `json:"userId"`
	PrimaryPresence []AnalyticsUserPresenceRecord  `json:"primaryPresence,omitempty"`
	RoutingStatus   []AnalyticsRoutingStatusRecord `json:"routingStatus,omitempty"`
}

// AnalyticsUserPresenceRecord is a presence segment; EndTime is zero while
// the segment is still open at the end of the interval.
type AnalyticsUserPresenceRecord struct {
	StartTime              time.Time `json:"startTime"`
	EndTime                time.Time `json:"endTime,omitzero"`
	SystemPresence         string    `json:"systemPresence,omitempty"`
	OrganizationPresenceID string    `json:"organizationPresenceId,omitempty"`
}

// AnalyticsRoutingStatusRecord is a routing-status segment; EndTime is zero
// while the segment is still open.
type AnalyticsRoutingStatusRecord struct {
	StartTime     time.Time `json:"startTime"`
	EndTime       time.Time `json:"endTime,omitzero"`
	RoutingStatus string    `json:"routingStatus,omitempty"`
}

// UserAsyncAggregationQuery is the body of POST
// /api/v2/analytics/users/aggregates/jobs.
type UserAsyncAggregationQuery struct {
	Interval    string           `json:"interval"`
	Granularity string           `json:"granularity,omitempty"`
	TimeZone    string           `json:"timeZone,omitempty"`
	GroupBy     []string         `json:"groupBy,omitempty"`
	Filter      *AnalyticsFilter `json:"filter,omitempty"`
	Metrics     []string         `json:"metrics"`
	PageSize    int              `json:"pageSize,omitempty"`
}

// UserAggregatesJobResults is one page of an aggregates job's results.
type UserAggregatesJobResults struct {
	SystemToOrganizationMappings map[string][]string          `json:"systemToOrganizationMappings,omitempty"`
	Results                      []UserAggregateDataContainer `json:"results"`
	Cursor                       string                       `json:"cursor,omitempty"`
}

// UserAggregateDataContainer is the data of one group (one user).
type UserAggregateDataContainer struct {
	Group map[string]string     `json:"group"`
	Data  []StatisticalResponse `json:"data"`
}

// StatisticalResponse is the metrics of one granularity interval.
type StatisticalResponse struct {
	Interval string                `json:"interval"`
	Metrics  []AggregateMetricData `json:"metrics"`
}

// AggregateMetricData is one metric with its qualifier (a presence or a
// routing status).
type AggregateMetricData struct {
	Metric    string             `json:"metric"`
	Qualifier string             `json:"qualifier,omitempty"`
	Stats     StatisticalSummary `json:"stats"`
}

// StatisticalSummary holds a metric's statistics; times are milliseconds.
type StatisticalSummary struct {
	Max   *float64 `json:"max,omitempty"`
	Min   *float64 `json:"min,omitempty"`
	Count *int64   `json:"count,omitempty"`
	Sum   *float64 `json:"sum,omitempty"`
}

// DataAvailabilityResponse says up to when analytics data is complete.
type DataAvailabilityResponse struct {
	DataAvailabilityDate time.Time `json:"dataAvailabilityDate"`
}
