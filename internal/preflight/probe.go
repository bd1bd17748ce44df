package preflight

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/usersync/syncer/internal/genesys"
	"github.com/usersync/syncer/internal/textfmt"
)

// API is every call the probes make; *genesys.Client has them.
type API interface {
	ListDivisions(ctx context.Context, opts *genesys.ReferenceOptions) (*genesys.Listing[genesys.AuthzDivision], error)
	ListSkills(ctx context.Context, opts *genesys.ReferenceOptions) (*genesys.Listing[genesys.RoutingSkill], error)
	ListLanguages(ctx context.Context, opts *genesys.ReferenceOptions) (*genesys.Listing[genesys.Language], error)
	ListRoles(ctx context.Context, opts *genesys.ReferenceOptions) (*genesys.Listing[genesys.Role], error)
	ListQueues(ctx context.Context, opts *genesys.ListQueuesOptions) (*genesys.Listing[genesys.Queue], error)
	ListUsers(ctx context.Context, opts *genesys.ListUsersOptions) (*genesys.Listing[genesys.User], error)
	SearchUsers(ctx context.Context, req genesys.UserSearchRequest) (*genesys.UsersSearchResponse, error)
	ListUserRoutingSkills(ctx context.Context, userID string, opts *genesys.UserRoutingOptions) (*genesys.Listing[genesys.UserRoutingSkill], error)
	ListUserRoutingLanguages(ctx context.Context, userID string, opts *genesys.UserRoutingOptions) (*genesys.Listing[genesys.UserRoutingLanguage], error)
	ListQueueMembers(ctx context.Context, queueID string, opts *genesys.QueueMembersOptions) (*genesys.Listing[genesys.QueueMember], error)
	ListUserQueues(ctx context.Context, userID string, opts *genesys.UserQueuesOptions) (*genesys.Listing[genesys.UserQueue], error)
	ListRoleSubjectGrants(ctx context.Context, roleID string, opts *genesys.ListOptions) (*genesys.Listing[genesys.SubjectDivisionGrants], error)
	GetAuthorizationSubject(ctx context.Context, subjectID string) (genesys.AuthzSubject, error)
	UserDetailsAvailability(ctx context.Context) (genesys.DataAvailabilityResponse, error)
	UserAggregatesJobStatus(ctx context.Context, jobID string) (genesys.AsyncQueryStatus, error)
	GetUserExternalIDs(ctx context.Context, userID string) ([]genesys.UserExternalIdentifier, error)
	GetUser(ctx context.Context, userID string, opts *genesys.GetUserOptions) (genesys.User, error)
	GetUserByExternalID(ctx context.Context, authorityName, externalKey string, expand []string) (genesys.User, error)
	ListLocations(ctx context.Context, opts *genesys.ListOptions) (*genesys.Listing[genesys.LocationDefinition], error)
	ListStations(ctx context.Context, opts *genesys.ListOptions) (*genesys.Listing[genesys.Station], error)
	UserVerifiers(ctx context.Context, userID string) ([]genesys.Verifier, error)
	UserUtilization(ctx context.Context, userID string) (genesys.AgentMaxUtilizationResponse, error)
	ListGroups(ctx context.Context, opts *genesys.ListOptions) (*genesys.Listing[genesys.Group], error)
	ListDevelopmentActivities(ctx context.Context, opts genesys.DevelopmentActivitiesOptions, pageNumber int) (*genesys.Listing[genesys.DevelopmentActivity], error)
}

// ProbeConfig configures Probe. The zero value works.
type ProbeConfig struct {
	// Authority is the external-id authority the lookup by external id is
	// probed under. Default hr.
	Authority string
}

// Ids the probes of per-object endpoints borrow from the listings.
const (
	// absentJobID and absentExternalKey name nothing, so that reading them
	// proves the permission (404, not 403) without touching anything.
	absentJobID       = "00000000-0000-0000-0000-000000000000"
	absentExternalKey = "syncer-check-no-such-key"
)

// prober holds the ids the listings found for the per-object probes.
type prober struct {
	api                     API
	cfg                     ProbeConfig
	userID, queueID, roleID string
	// failed names the listing that could not give an id.
	failed map[string]bool
}

// needsID names the listing whose first entity a per-object probe uses.
var needsID = map[string]string{
	EndpointUserSkills:        EndpointUsers,
	EndpointUserLanguages:     EndpointUsers,
	EndpointUserQueues:        EndpointUsers,
	EndpointSubject:           EndpointUsers,
	EndpointExternalIDs:       EndpointUsers,
	EndpointUser:              EndpointUsers,
	EndpointVerifiers:         EndpointUsers,
	EndpointUtilization:       EndpointUsers,
	EndpointDevActivities:     EndpointUsers,
	EndpointQueueMembers:      EndpointQueues,
	EndpointRoleSubjectGrants: EndpointRoles,
}

// Probe calls each read endpoint the needs name once (pageSize 1 where the
// endpoint pages), in the order of Endpoints, and returns one check per
// endpoint; the writes the needs name come after, not probed, with their
// permissions. A per-object endpoint (a queue's members) borrows an id
// from its listing, which is probed too even when no step needs it.
func Probe(ctx context.Context, api API, needs []Need, cfg ProbeConfig) []Check {
	if cfg.Authority == "" {
		cfg.Authority = "hr"
	}
	by := map[string][]string{}
	whens := map[string][]string{}
	want := map[string]bool{}
	for _, n := range needs {
		e, ok := lookup(n.Endpoint)
		if !ok {
			panic("preflight: no endpoint " + n.Endpoint)
		}
		key := e.Key()
		if e.ProbedBy != "" {
			key = e.ProbedBy
		}
		want[key] = true
		if !slices.Contains(by[key], n.By) {
			by[key] = append(by[key], n.By)
		}
		if e.Write && n.When != "" && !slices.Contains(whens[key], n.When) {
			whens[key] = append(whens[key], n.When)
		}
	}
	for key := range want {
		if dep := needsID[key]; dep != "" && !want[dep] {
			want[dep] = true
			by[dep] = append(by[dep], "check (an id for the probes)")
		}
	}
	p := &prober{api: api, cfg: cfg, failed: map[string]bool{}}
	var checks []Check
	for _, e := range reads {
		if !want[e.Key()] || e.ProbedBy != "" {
			continue
		}
		c := p.probe(ctx, e)
		c.Detail = join(c.Detail, strings.Join(by[e.Key()], "; "))
		checks = append(checks, c)
	}
	for _, w := range writes() {
		key := w.ep.Key()
		if !want[key] || slices.ContainsFunc(checks, func(c Check) bool { return c.Name == key }) {
			continue
		}
		detail := "a write: needs " + w.ep.PermissionText()
		who := strings.Join(by[key], "; ")
		if len(whens[key]) > 0 {
			who += " — " + strings.Join(whens[key], "; ")
		}
		checks = append(checks, Check{Status: NotProbed, Name: key, Detail: join(detail, who)})
	}
	return checks
}

func join(detail, who string) string {
	if who == "" {
		return detail
	}
	return detail + " · " + who
}

// probe makes the one call of e and says what it proved.
func (p *prober) probe(ctx context.Context, e Endpoint) Check {
	key := e.Key()
	if dep := needsID[key]; dep != "" {
		if p.failed[dep] {
			return Check{Status: Skipped, Name: key, Detail: "no id to probe with: " + dep + " did not answer"}
		}
		if p.id(dep) == "" {
			return Check{Status: Skipped, Name: key, Detail: "the org has no " + noun[dep] + " to probe with"}
		}
	}
	err := p.call(ctx, key)
	if err != nil && expectedNotFound[key] && errors.Is(err, genesys.ErrNotFound) {
		err = nil
	}
	if err != nil {
		p.failed[key] = true
		return Check{Status: Fail, Name: key, Detail: failure(e, err)}
	}
	return Check{Status: OK, Name: key, Detail: proved(e)}
}

var noun = map[string]string{EndpointUsers: "active user", EndpointQueues: "queue", EndpointRoles: "role"}

// expectedNotFound are the probes of an object that does not exist: 404
// proves the permission as well as 200 would.
var expectedNotFound = map[string]bool{EndpointAggregatesStatus: true, EndpointUserByExternalID: true}

func (p *prober) id(listing string) string {
	switch listing {
	case EndpointUsers:
		return p.userID
	case EndpointQueues:
		return p.queueID
	case EndpointRoles:
		return p.roleID
	}
	return ""
}

// call makes the probe's request.
func (p *prober) call(ctx context.Context, key string) error {
	one := genesys.ListOptions{PageSize: 1}
	api := p.api
	var err error
	switch key {
	case EndpointDivisions:
		_, err = api.ListDivisions(ctx, &genesys.ReferenceOptions{ListOptions: one})
	case EndpointSkills:
		_, err = api.ListSkills(ctx, &genesys.ReferenceOptions{ListOptions: one})
	case EndpointLanguages:
		_, err = api.ListLanguages(ctx, &genesys.ReferenceOptions{ListOptions: one})
	case EndpointRoles:
		var l *genesys.Listing[genesys.Role]
		if l, err = api.ListRoles(ctx, &genesys.ReferenceOptions{ListOptions: one}); err == nil && len(l.Entities) > 0 {
			p.roleID = l.Entities[0].ID
		}
	case EndpointQueues:
		var l *genesys.Listing[genesys.Queue]
		if l, err = api.ListQueues(ctx, &genesys.ListQueuesOptions{ListOptions: one}); err == nil && len(l.Entities) > 0 {
			p.queueID = l.Entities[0].ID
		}
	case EndpointUsers:
		var l *genesys.Listing[genesys.User]
		if l, err = api.ListUsers(ctx, &genesys.ListUsersOptions{ListOptions: one, State: genesys.StateActive}); err == nil && len(l.Entities) > 0 {
			p.userID = l.Entities[0].ID
		}
	case EndpointUsersSearch:
		_, err = api.SearchUsers(ctx, genesys.UserSearchRequest{PageSize: 1, PageNumber: 1,
			Query: []genesys.UserSearchCriteria{{Type: "EXACT", Fields: []string{"state"}, Value: genesys.StateActive}}})
	case EndpointUserSkills:
		_, err = api.ListUserRoutingSkills(ctx, p.userID, &genesys.UserRoutingOptions{ListOptions: one})
	case EndpointUserLanguages:
		_, err = api.ListUserRoutingLanguages(ctx, p.userID, &genesys.UserRoutingOptions{ListOptions: one})
	case EndpointQueueMembers:
		_, err = api.ListQueueMembers(ctx, p.queueID, &genesys.QueueMembersOptions{ListOptions: one})
	case EndpointUserQueues:
		_, err = api.ListUserQueues(ctx, p.userID, &genesys.UserQueuesOptions{ListOptions: one})
	case EndpointRoleSubjectGrants:
		_, err = api.ListRoleSubjectGrants(ctx, p.roleID, &one)
	case EndpointSubject:
		_, err = api.GetAuthorizationSubject(ctx, p.userID)
	case EndpointDetailsAvailable:
		_, err = api.UserDetailsAvailability(ctx)
	case EndpointAggregatesStatus:
		_, err = api.UserAggregatesJobStatus(ctx, absentJobID)
	case EndpointExternalIDs:
		_, err = api.GetUserExternalIDs(ctx, p.userID)
	case EndpointUser:
		_, err = api.GetUser(ctx, p.userID, nil)
	case EndpointUserByExternalID:
		_, err = api.GetUserByExternalID(ctx, p.cfg.Authority, absentExternalKey, nil)
	case EndpointLocations:
		_, err = api.ListLocations(ctx, &one)
	case EndpointStations:
		_, err = api.ListStations(ctx, &one)
	case EndpointVerifiers:
		_, err = api.UserVerifiers(ctx, p.userID)
	case EndpointUtilization:
		_, err = api.UserUtilization(ctx, p.userID)
	case EndpointGroups:
		_, err = api.ListGroups(ctx, &one)
	case EndpointDevActivities:
		// One user's activities due in the last day: the listing needs a
		// user (or a module) and a window of at most a year.
		now := time.Now().UTC().Truncate(time.Second)
		_, err = api.ListDevelopmentActivities(ctx, genesys.DevelopmentActivitiesOptions{UserIDs: []string{p.userID},
			DueFrom: now.Add(-24 * time.Hour), DueTo: now, PageSize: 1}, 1)
	default:
		panic("preflight: no probe for " + key)
	}
	return err
}

// proved says what a probe that answered showed.
func proved(e Endpoint) string {
	s := "no permission needed"
	if len(e.Permissions) > 0 {
		s = e.PermissionText()
	}
	var also int
	for _, r := range reads {
		if r.ProbedBy == e.Key() {
			also++
		}
	}
	if also > 0 {
		s += fmt.Sprintf(" (which the %d other job endpoints need too; a probe of them would submit a job)", also)
	}
	return s
}

// failure says why a probe failed and, for a missing permission, which one
// as docs/genesys-setup.md lists it.
func failure(e Endpoint, err error) string {
	var apiErr *genesys.APIError
	switch {
	case errors.Is(err, genesys.ErrForbidden):
		s := "403: the role lacks "
		switch {
		case len(e.Permissions) == 0:
			s = "403: the role may not call it (the API reference lists no permission)"
		case e.AnyOf && len(e.Permissions) > 1:
			s += e.Permissions[0] + " (or one of " + strings.Join(e.Permissions[1:], ", ") + ")"
		default:
			s += strings.Join(e.Permissions, " and ")
		}
		if errors.As(err, &apiErr) {
			if named, _ := apiErr.MissingPermissions(); len(named) > 0 && !sameSet(named, e.Permissions) {
				s += "; the API asks for " + textfmt.Safe(strings.Join(named, ", "))
			} else if len(named) == 0 && apiErr.Message != "" {
				s += "; the API says: " + textfmt.Safe(apiErr.Message)
			}
		}
		return s
	case errors.Is(err, genesys.ErrUnauthorized):
		return "401: the API refused the token the login gave (" + textfmt.Safe(err.Error()) + ")"
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return "interrupted: " + textfmt.Safe(err.Error())
	}
	return textfmt.Safe(err.Error())
}

func sameSet(a, b []string) bool {
	return len(a) == len(b) && !slices.ContainsFunc(a, func(s string) bool { return !slices.Contains(b, s) })
}
