package genesys

import (
	"context"
	"fmt"
	"iter"
	"net/url"
	"slices"
	"strconv"
	"time"
)

// People data beyond the user listing: groups and development activities
// (the presence, routingStatus, outOfOffice, team and certifications
// expands come with the users, see User).

const pathGroups = "/api/v2/groups"

// MaxGroupsPageSize is the page size syncer reads GET /api/v2/groups with
// (the default is 25; no maximum is documented, 100 is what the Genesys
// Terraform provider reads).
const MaxGroupsPageSize = 100

// ListGroups gets one page of GET /api/v2/groups (by name).
func (c *Client) ListGroups(ctx context.Context, opts *ListOptions) (*Listing[Group], error) {
	var o ListOptions
	if opts != nil {
		o = *opts
	}
	cl := newCall("GET", pathGroups)
	cl.query = o.values(MaxGroupsPageSize)
	var l Listing[Group]
	if err := c.do(ctx, cl, &l); err != nil {
		return nil, err
	}
	return &l, nil
}

// GroupPages iterates the pages of the org's groups.
func (c *Client) GroupPages(ctx context.Context, opts *ListOptions) iter.Seq2[*Listing[Group], error] {
	var o ListOptions
	if opts != nil {
		o = *opts
	}
	return pages(ctx, pathGroups, o, MaxGroupsPageSize, func(ctx context.Context, lo ListOptions) (*Listing[Group], error) {
		return c.ListGroups(ctx, &lo)
	})
}

// Groups iterates the org's groups.
func (c *Client) Groups(ctx context.Context, opts *ListOptions) iter.Seq2[Group, error] {
	return items(c.GroupPages(ctx, opts), listingEntities[Group])
}

// UserOutOfOffice reads the user's out-of-office record (the same as the
// outOfOffice expand): GET /api/v2/users/{userId}/outofoffice.
func (c *Client) UserOutOfOffice(ctx context.Context, userID string) (OutOfOffice, error) {
	var o OutOfOffice
	err := c.do(ctx, newCall("GET", "/api/v2/users/{userId}/outofoffice", userID), &o)
	return o, err
}

// Development activity types and statuses, as the API spells them.
const (
	ActivityInformational   = "Informational"
	ActivityCoaching        = "Coaching"
	ActivityAssessedContent = "AssessedContent"
	ActivityAssessment      = "Assessment"

	ActivityPlanned         = "Planned"
	ActivityInProgress      = "InProgress"
	ActivityCompleted       = "Completed"
	ActivityInvalidSchedule = "InvalidSchedule"
	ActivityNotCompleted    = "NotCompleted"
)

// DevelopmentActivity is a learning assignment or a coaching appointment
// of GET /api/v2/users/development/activities. Dates are zero when absent
// (DateCompleted until it is completed); PercentageScore and IsPassed are
// set for scored activities only.
type DevelopmentActivity struct {
	ID               string    `json:"id,omitempty"`
	DateCompleted    time.Time `json:"dateCompleted,omitzero"`
	CreatedBy        *UserRef  `json:"createdBy,omitempty"`
	DateCreated      time.Time `json:"dateCreated,omitzero"`
	PercentageScore  *float64  `json:"percentageScore,omitempty"`
	IsPassed         *bool     `json:"isPassed,omitempty"`
	IsLatest         *bool     `json:"isLatest,omitempty"`
	IsModuleArchived *bool     `json:"isModuleArchived,omitempty"`
	ArchivalMode     string    `json:"archivalMode,omitempty"`
	SelfURI          string    `json:"selfUri,omitempty"`
	Name             string    `json:"name,omitempty"`
	// Type is one of the Activity* types, Status one of the statuses.
	Type        string    `json:"type,omitempty"`
	Status      string    `json:"status,omitempty"`
	DateDue     time.Time `json:"dateDue,omitzero"`
	Facilitator *UserRef  `json:"facilitator,omitempty"`
	Attendees   []UserRef `json:"attendees,omitempty"`
	IsOverdue   bool      `json:"isOverdue"`
}

// Limits of GET /api/v2/users/development/activities.
const (
	// MaxDevelopmentActivityUsers is the most userId values of one call
	// ("up to 100 user IDs").
	MaxDevelopmentActivityUsers = 100
	// MaxDevelopmentActivityWindow is the longest due-date and completion
	// window of one call. The reference says "a maximum of 1 year" (older
	// SDK docs "365 days"); a calendar year can be 366 days, so the client
	// keeps to 365 days, which both readings accept.
	MaxDevelopmentActivityWindow = 365 * 24 * time.Hour
	// MaxDevelopmentActivitiesPageSize is the page size syncer reads the
	// listing with (default 25; no maximum is documented; the emulator
	// answers 400 above 100).
	MaxDevelopmentActivitiesPageSize = 100
)

const pathDevelopmentActivities = "/api/v2/users/development/activities"

// DevelopmentActivitiesOptions are the parameters of
// GET /api/v2/users/development/activities. UserIDs or ModuleID is
// required. A user id matches the activities it has any relationship with
// (attendee, facilitator or creator), so the same activity can come back
// for several users: deduplicate by ID.
type DevelopmentActivitiesOptions struct {
	// UserIDs are at most MaxDevelopmentActivityUsers user ids.
	UserIDs  []string
	ModuleID string
	// DueFrom and DueTo bound dateDue, [DueFrom, DueTo) (the API's end is
	// exclusive), at most MaxDevelopmentActivityWindow apart; zero: not
	// set, and both or neither must be set. Sub-second parts are truncated
	// (the API truncates milliseconds).
	DueFrom, DueTo time.Time
	// CompletedFrom and CompletedTo bound dateCompleted the same way.
	CompletedFrom, CompletedTo time.Time
	// Overdue keeps only overdue (true) or only not overdue (false)
	// activities; nil: all.
	Overdue *bool
	// Types and Statuses filter on the Activity* values; empty: all.
	Types, Statuses []string
	// SortOrder is "Asc" or "Desc" by dateDue; "": the API's Desc.
	SortOrder string
	// PageSize: zero is MaxDevelopmentActivitiesPageSize.
	PageSize int
	// PagingCap, as ListOptions.PagingCap: the iterator ends with a
	// *PagingCapError before a page past it. Zero: only the API's 400.
	PagingCap int
}

// values validates o and returns its query without the page number. An
// option over a limit is an error matching ErrOverLimit; no call is made.
func (o *DevelopmentActivitiesOptions) values() (url.Values, error) {
	where := "genesys: GET " + pathDevelopmentActivities
	if len(o.UserIDs) == 0 && o.ModuleID == "" {
		return nil, fmt.Errorf("%s: either user ids or a module id is required", where)
	}
	if n := len(o.UserIDs); n > MaxDevelopmentActivityUsers {
		return nil, fmt.Errorf("%s: %d user ids, over MaxDevelopmentActivityUsers (%d per call): %w", where, n, MaxDevelopmentActivityUsers, ErrOverLimit)
	}
	v := url.Values{}
	setList(v, "userId", o.UserIDs)
	setNonEmpty(v, "moduleId", o.ModuleID)
	for _, w := range []struct {
		param, from, to string
		start, end      time.Time
	}{
		{"interval", "DueFrom", "DueTo", o.DueFrom, o.DueTo},
		{"completionInterval", "CompletedFrom", "CompletedTo", o.CompletedFrom, o.CompletedTo},
	} {
		if w.start.IsZero() && w.end.IsZero() {
			continue
		}
		start, end := w.start.UTC().Truncate(time.Second), w.end.UTC().Truncate(time.Second)
		switch {
		case w.start.IsZero() || w.end.IsZero():
			return nil, fmt.Errorf("%s: %s and %s go together", where, w.from, w.to)
		case !start.Before(end):
			return nil, fmt.Errorf("%s: %s %s is not before %s %s", where, w.from, start.Format(time.RFC3339), w.to, end.Format(time.RFC3339))
		case end.Sub(start) > MaxDevelopmentActivityWindow:
			return nil, fmt.Errorf("%s: %s to %s is %.2f days, over MaxDevelopmentActivityWindow (365 days): %w",
				where, w.from, w.to, end.Sub(start).Hours()/24, ErrOverLimit)
		}
		v.Set(w.param, start.Format(time.RFC3339)+"/"+end.Format(time.RFC3339))
	}
	if o.Overdue != nil {
		v.Set("overdue", map[bool]string{true: "True", false: "False"}[*o.Overdue])
	}
	setList(v, "types", o.Types)
	setList(v, "statuses", o.Statuses)
	setNonEmpty(v, "sortOrder", o.SortOrder)
	v.Set("pageSize", strconv.Itoa(pageSizeOr(o.PageSize, MaxDevelopmentActivitiesPageSize)))
	return v, nil
}

// ListDevelopmentActivities gets page pageNumber (from 1) of
// GET /api/v2/users/development/activities. Options over a limit (more
// than MaxDevelopmentActivityUsers ids, a window over
// MaxDevelopmentActivityWindow) are refused before any call with an error
// matching ErrOverLimit. Without learning:assignment:view and
// coaching:appointment:view the API answers 403 (an *APIError matching
// ErrForbidden; MissingPermissions names both); with one of them it lists
// only its kind of activity.
func (c *Client) ListDevelopmentActivities(ctx context.Context, opts DevelopmentActivitiesOptions, pageNumber int) (*Listing[DevelopmentActivity], error) {
	q, err := opts.values()
	if err != nil {
		return nil, err
	}
	q.Set("pageNumber", strconv.Itoa(max(pageNumber, 1)))
	cl := newCall("GET", pathDevelopmentActivities)
	cl.query = q
	var l Listing[DevelopmentActivity]
	if err := c.do(ctx, cl, &l); err != nil {
		return nil, err
	}
	return &l, nil
}

// DevelopmentActivities iterates every page of the development activities
// opts selects. The options are checked before the first call, as
// ListDevelopmentActivities does.
func (c *Client) DevelopmentActivities(ctx context.Context, opts DevelopmentActivitiesOptions) iter.Seq2[DevelopmentActivity, error] {
	o := opts
	o.UserIDs, o.Types, o.Statuses = slices.Clone(opts.UserIDs), slices.Clone(opts.Types), slices.Clone(opts.Statuses)
	if _, err := o.values(); err != nil {
		return func(yield func(DevelopmentActivity, error) bool) { yield(DevelopmentActivity{}, err) }
	}
	lo := ListOptions{PageSize: o.PageSize, PagingCap: o.PagingCap}
	return items(pages(ctx, pathDevelopmentActivities, lo, MaxDevelopmentActivitiesPageSize, func(ctx context.Context, lo ListOptions) (*Listing[DevelopmentActivity], error) {
		p := o
		p.PageSize = lo.PageSize
		return c.ListDevelopmentActivities(ctx, p, lo.PageNumber)
	}), listingEntities[DevelopmentActivity])
}
