package preflight

import (
	"slices"
	"strings"

	"github.com/usersync/syncer/internal/diff"
)

// Endpoint is one Genesys Cloud endpoint syncer calls and what the OAuth
// client's role needs for it.
type Endpoint struct {
	// Method and Path name it; Path is the template
	// (/api/v2/users/{userId}/queues), as the Platform API reference and
	// the client's errors spell it.
	Method, Path string
	// Permissions are what the Platform API reference lists for it, the one
	// a least-privilege role should hold first. None: any token may call it.
	Permissions []string
	// AnyOf: one of Permissions opens the endpoint ("Requires ANY
	// permissions"); else it needs all of them.
	AnyOf bool
	// Write: the call changes the org, so the check never makes it; it
	// lists it as not probed with its permissions.
	Write bool
	// ProbedBy is the endpoint whose probe stands for this one: a read that
	// cannot be made without side effects (submitting an analytics job)
	// and needs the same permissions as a read that can.
	ProbedBy string
	// Note says what the reference leaves open, for the docs.
	Note string
}

// Key is "METHOD /path/template".
func (e Endpoint) Key() string { return e.Method + " " + e.Path }

// PermissionText is the permissions as the docs list them:
// "routing:queue:view (or routing:queue:edit, …)" for any-of, "a, b" for
// all-of, "none" when any token may call it.
func (e Endpoint) PermissionText() string {
	switch {
	case len(e.Permissions) == 0:
		return "none"
	case e.AnyOf && len(e.Permissions) > 1:
		return e.Permissions[0] + " (or " + strings.Join(e.Permissions[1:], ", ") + ")"
	}
	return strings.Join(e.Permissions, ", ")
}

// Permission names of the reads, as the Platform API reference spells
// them. The writes' are declared with their operation kinds (package diff,
// KindSpec.Endpoint).
const (
	PermUserView          = "directory:user:view"
	PermOrgAdmin          = "directory:organization:admin"
	PermQueueView         = "routing:queue:view"
	PermQueueEdit         = "routing:queue:edit"
	PermQueueReadonly     = "routing:queue:readonly"
	PermQueueJoin         = "routing:queue:join"
	PermQueueMemberManage = "routing:queueMember:manage"
	PermRoleView          = "authorization:role:view"
	PermGrantView         = "authorization:grant:view"
	PermUserDetailView    = "analytics:userDetail:view"
	PermUserAggregateView = "analytics:userAggregate:view"
	PermVerifierView      = "mfa:verifier:view"
	PermUtilizationManage = "routing:utilization:manage"
	PermUtilizationView   = "routing:utilization:view"
	PermLearningView      = "learning:assignment:view"
	PermCoachingView      = "coaching:appointment:view"
)

// Keys of the read endpoints.
const (
	EndpointDivisions         = "GET /api/v2/authorization/divisions"
	EndpointSkills            = "GET /api/v2/routing/skills"
	EndpointLanguages         = "GET /api/v2/routing/languages"
	EndpointRoles             = "GET /api/v2/authorization/roles"
	EndpointQueues            = "GET /api/v2/routing/queues"
	EndpointUsers             = "GET /api/v2/users"
	EndpointUsersSearch       = "POST /api/v2/users/search"
	EndpointUserSkills        = "GET /api/v2/users/{userId}/routingskills"
	EndpointUserLanguages     = "GET /api/v2/users/{userId}/routinglanguages"
	EndpointQueueMembers      = "GET /api/v2/routing/queues/{queueId}/members"
	EndpointUserQueues        = "GET /api/v2/users/{userId}/queues"
	EndpointRoleSubjectGrants = "GET /api/v2/authorization/roles/{roleId}/subjectgrants"
	EndpointSubject           = "GET /api/v2/authorization/subjects/{subjectId}"
	EndpointDetailsAvailable  = "GET /api/v2/analytics/users/details/jobs/availability"
	EndpointDetailsSubmit     = "POST /api/v2/analytics/users/details/jobs"
	EndpointDetailsStatus     = "GET /api/v2/analytics/users/details/jobs/{jobId}"
	EndpointDetailsResults    = "GET /api/v2/analytics/users/details/jobs/{jobId}/results"
	EndpointDetailsCancel     = "DELETE /api/v2/analytics/users/details/jobs/{jobId}"
	EndpointAggregatesSubmit  = "POST /api/v2/analytics/users/aggregates/jobs"
	EndpointAggregatesStatus  = "GET /api/v2/analytics/users/aggregates/jobs/{jobId}"
	EndpointAggregatesResults = "GET /api/v2/analytics/users/aggregates/jobs/{jobId}/results"
	EndpointAggregatesCancel  = "DELETE /api/v2/analytics/users/aggregates/jobs/{jobId}"
	EndpointExternalIDs       = "GET /api/v2/users/{userId}/externalid"
	EndpointUser              = "GET /api/v2/users/{userId}"
	EndpointUserByExternalID  = "GET /api/v2/users/externalid/{authorityName}/{externalKey}"
	EndpointLocations         = "GET /api/v2/locations"
	EndpointStations          = "GET /api/v2/stations"
	EndpointVerifiers         = "GET /api/v2/users/{userId}/verifiers"
	EndpointUtilization       = "GET /api/v2/routing/users/{userId}/utilization"
	EndpointGroups            = "GET /api/v2/groups"
	EndpointDevActivities     = "GET /api/v2/users/development/activities"
)

func ep(key string, perms ...string) Endpoint {
	method, path, _ := strings.Cut(key, " ")
	return Endpoint{Method: method, Path: path, Permissions: perms, AnyOf: len(perms) > 0}
}

func (e Endpoint) probedBy(key string) Endpoint { e.ProbedBy = key; return e }
func (e Endpoint) note(n string) Endpoint       { e.Note = n; return e }

// reads are the endpoints runs read, in the order the check probes them:
// a listing before the endpoints that need one of its ids.
var reads = []Endpoint{
	ep(EndpointDivisions),
	ep(EndpointSkills),
	ep(EndpointLanguages),
	ep(EndpointRoles, PermRoleView),
	ep(EndpointQueues, PermQueueView),
	ep(EndpointUsers),
	ep(EndpointUsersSearch, PermUserView),
	ep(EndpointUserSkills),
	ep(EndpointUserLanguages),
	ep(EndpointQueueMembers, PermQueueView, PermQueueEdit, PermQueueReadonly, PermQueueMemberManage),
	ep(EndpointUserQueues, PermQueueView, PermQueueJoin, PermQueueMemberManage),
	ep(EndpointRoleSubjectGrants, PermRoleView),
	ep(EndpointSubject, PermGrantView),
	ep(EndpointDetailsAvailable, PermUserDetailView),
	ep(EndpointDetailsSubmit, PermUserDetailView).probedBy(EndpointDetailsAvailable),
	ep(EndpointDetailsStatus, PermUserDetailView).probedBy(EndpointDetailsAvailable),
	ep(EndpointDetailsResults, PermUserDetailView).probedBy(EndpointDetailsAvailable),
	ep(EndpointDetailsCancel, PermUserDetailView).probedBy(EndpointDetailsAvailable),
	ep(EndpointAggregatesStatus, PermUserAggregateView).
		note("probed with a job id that does not exist: 404 means the role may read jobs"),
	ep(EndpointAggregatesSubmit, PermUserAggregateView).probedBy(EndpointAggregatesStatus),
	ep(EndpointAggregatesResults, PermUserAggregateView).probedBy(EndpointAggregatesStatus),
	ep(EndpointAggregatesCancel, PermUserAggregateView).probedBy(EndpointAggregatesStatus),
	ep(EndpointExternalIDs),
	ep(EndpointUser),
	ep(EndpointUserByExternalID).note("probed with a key that does not exist: 404 is the expected answer"),
	ep(EndpointLocations),
	ep(EndpointStations),
	ep(EndpointVerifiers, PermVerifierView),
	ep(EndpointUtilization, PermUtilizationManage, PermUtilizationView),
	ep(EndpointGroups),
	ep(EndpointDevActivities, PermLearningView, PermCoachingView),
}

type writeEndpoint struct {
	kinds []diff.Kind
	ep    Endpoint
}

// writes are the endpoints of the operation kinds of a plan, from the
// kinds' registry (package diff, KindSpec.Endpoint), in plan order: one
// entry per endpoint, with the kinds that call it. None of them is ever
// probed. The paths are the client's templates, as its errors print them.
// They are read from the registry on each call, never kept, so that a
// kind registered by a package initialised after this one is listed too.
func writes() []writeEndpoint {
	var out []writeEndpoint
	for _, k := range diff.Kinds() {
		e := k.Endpoint
		key := e.Key()
		if i := slices.IndexFunc(out, func(w writeEndpoint) bool { return w.ep.Key() == key }); i >= 0 {
			out[i].kinds = append(out[i].kinds, k.Kind)
			continue
		}
		out = append(out, writeEndpoint{kinds: []diff.Kind{k.Kind}, ep: Endpoint{Method: e.Method, Path: e.Path,
			Permissions: slices.Clone(e.Permissions), AnyOf: e.AnyOf, Write: true, Note: e.Note}})
	}
	return out
}

// WriteEndpoint returns the endpoint of a plan operation kind.
func WriteEndpoint(k diff.Kind) (Endpoint, bool) {
	for _, w := range writes() {
		if slices.Contains(w.kinds, k) {
			return w.ep, true
		}
	}
	return Endpoint{}, false
}

// Endpoints returns every endpoint syncer calls: the reads in probe order,
// then the writes in plan order.
func Endpoints() []Endpoint {
	all := slices.Clone(reads)
	for _, w := range writes() {
		all = append(all, w.ep)
	}
	return all
}

// lookup returns the endpoint of key.
func lookup(key string) (Endpoint, bool) {
	for _, e := range Endpoints() {
		if e.Key() == key {
			return e, true
		}
	}
	return Endpoint{}, false
}
