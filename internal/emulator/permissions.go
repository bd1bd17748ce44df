package emulator

import (
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strings"

	"github.com/usersync/syncer/internal/emulator/wire"
)

// Permissions. Every /api/v2 route requires the permissions the Platform
// API reference lists for it ("Requires ANY permissions" / "Requires ALL
// permissions" in the SDK documentation of UsersApi, RoutingApi,
// AuthorizationApi and AnalyticsApi; shared/reference/UsersApi.md is one of
// them). The emulated OAuth client holds every permission except those in
// Config.DeniedPermissions (or set with DenyPermissions), so a test can
// take one away and see the 403 Genesys Cloud answers:
//
//	{"message":"Unable to perform the requested action. You are missing the following permission(s): [authorization:grant:add]",
//	 "code":"missing.permissions","status":403,...}
//
// for a route that requires all of its permissions, and
//
//	{"message":"Unable to perform the requested action. You must have at least one of the following permissions assigned: [routing:queue:view]",
//	 "code":"missing.any.permissions","status":403,...}
//
// for a route that any one of several permissions opens (observed answers
// quoted in MyPureCloud/terraform-provider-genesyscloud issues #277 and
// #1133). A route that any of several permissions opens therefore answers
// 403 only when every one of them is denied: denying routing:queue:view
// alone leaves GET /routing/queues/{id}/members open to a client that
// still holds routing:queue:edit. The check happens after the bearer check
// and the rate limit and before the handler, so a refused write changes
// nothing.

// permRule is what a route requires: at least one of any (when any is not
// empty) and every one of all.
type permRule struct {
	any []string
	all []string
}

// Shorthands for the table.
func anyOf(p ...string) permRule { return permRule{any: p} }
func allOf(p ...string) permRule { return permRule{all: p} }

var noPermission = permRule{}

// Permission names, as the Platform API reference spells them.
const (
	permUserView          = "directory:user:view"
	permUserAdd           = "directory:user:add"
	permUserEdit          = "directory:user:edit"
	permUserDelete        = "directory:user:delete"
	permOrgAdmin          = "directory:organization:admin"
	permQueueView         = "routing:queue:view"
	permQueueEdit         = "routing:queue:edit"
	permQueueReadonly     = "routing:queue:readonly"
	permQueueJoin         = "routing:queue:join"
	permQueueMemberManage = "routing:queueMember:manage"
	permSkillAssign       = "routing:skill:assign"
	permLanguageAssign    = "routing:language:assign"
	permRoleView          = "authorization:role:view"
	permGrantView         = "authorization:grant:view"
	permGrantAdd          = "authorization:grant:add"
	permGrantDelete       = "authorization:grant:delete"
	permUserDetailView    = "analytics:userDetail:view"
	permUserAggregateView = "analytics:userAggregate:view"
	permPluginAll         = "telephony:plugin:all"
	permPhoneAssign       = "telephony:phone:assign"
	permVerifierView      = "mfa:verifier:view"
	permVerifierDelete    = "mfa:verifier:delete"
	permUtilizationManage = "routing:utilization:manage"
	permUtilizationView   = "routing:utilization:view"
	permUserProfileView   = "directory:userProfile:view"
	permUserProfileEdit   = "directory:userProfile:edit"
	permUserPasswordEdit  = "directory:userPassword:edit"
)

// routePermissions holds the rule of every /api/v2 route pattern the
// emulator serves; handleAPI refuses to register a route missing here.
var routePermissions = map[string]permRule{
	// Users: reads.
	"GET /api/v2/users":                                          noPermission,
	"GET /api/v2/users/{userId}":                                 noPermission,
	"POST /api/v2/users/search":                                  anyOf(permUserView),
	"GET /api/v2/users/search":                                   anyOf(permUserView),
	"GET /api/v2/users/{userId}/routingskills":                   noPermission,
	"GET /api/v2/users/{userId}/routinglanguages":                noPermission,
	"GET /api/v2/users/{userId}/queues":                          anyOf(permQueueView, permQueueJoin, permQueueMemberManage),
	"GET /api/v2/users/{subjectId}/roles":                        anyOf(permGrantView),
	"GET /api/v2/users/{userId}/externalid":                      noPermission,
	"GET /api/v2/users/externalid/{authorityName}/{externalKey}": noPermission,
	"GET /api/v2/authorization/subjects/{subjectId}":             anyOf(permGrantView),

	// Writes.
	"POST /api/v2/users":                     anyOf(permUserAdd),
	"PATCH /api/v2/users/{userId}":           anyOf(permUserEdit, permOrgAdmin),
	"DELETE /api/v2/users/{userId}":          anyOf(permUserDelete, permOrgAdmin),
	"PATCH /api/v2/users/bulk":               anyOf(permUserEdit, permOrgAdmin),
	"POST /api/v2/users/{userId}/externalid": anyOf(permUserEdit),
	"DELETE /api/v2/users/{userId}/externalid/{authorityName}/{externalKey}":                  anyOf(permUserEdit),
	"POST /api/v2/users/{userId}/routingskills":                                               allOf(permSkillAssign),
	"PATCH /api/v2/users/{userId}/routingskills/bulk":                                         anyOf(permSkillAssign),
	"PUT /api/v2/users/{userId}/routingskills/bulk":                                           anyOf(permSkillAssign),
	"DELETE /api/v2/users/{userId}/routingskills/{skillId}":                                   allOf(permSkillAssign),
	"PUT /api/v2/users/{userId}/routingskills/{skillId}":                                      allOf(permSkillAssign),
	"POST /api/v2/users/{userId}/routinglanguages":                                            anyOf(permSkillAssign, permLanguageAssign),
	"PATCH /api/v2/users/{userId}/routinglanguages/bulk":                                      anyOf(permSkillAssign, permLanguageAssign),
	"DELETE /api/v2/users/{userId}/routinglanguages/{languageId}":                             anyOf(permSkillAssign, permLanguageAssign),
	"PATCH /api/v2/users/{userId}/routinglanguages/{languageId}":                              anyOf(permSkillAssign, permLanguageAssign),
	"PATCH /api/v2/users/{userId}/queues":                                                     anyOf(permQueueJoin, permQueueMemberManage),
	"PATCH /api/v2/users/{userId}/queues/{queueId}":                                           anyOf(permQueueJoin, permQueueMemberManage),
	"POST /api/v2/authorization/subjects/{subjectId}/divisions/{divisionId}/roles/{roleId}":   allOf(permGrantAdd),
	"DELETE /api/v2/authorization/subjects/{subjectId}/divisions/{divisionId}/roles/{roleId}": allOf(permGrantDelete),
	"POST /api/v2/routing/queues/{queueId}/members":                                           anyOf(permQueueEdit, permQueueMemberManage),
	"POST /api/v2/authorization/subjects/{subjectId}/bulkadd":                                 allOf(permGrantAdd),
	"POST /api/v2/authorization/subjects/{subjectId}/bulkremove":                              allOf(permGrantDelete),
	"POST /api/v2/authorization/subjects/{subjectId}/bulkreplace":                             allOf(permGrantAdd, permGrantDelete),
	// The API reference lists no permission for the endpoint itself: the
	// check depends on the objects moved. The Resource Center's access
	// control page requires Directory > User > Edit to move users between
	// divisions; the emulator moves users and queues and asks for it for
	// both.
	"POST /api/v2/authorization/divisions/{divisionId}/objects/{objectType}": anyOf(permUserEdit),
	"GET /api/v2/authorization/roles/{roleId}/subjectgrants":                 anyOf(permRoleView),

	// Reference data.
	"GET /api/v2/routing/queues":                   anyOf(permQueueView),
	"GET /api/v2/routing/queues/{queueId}/members": anyOf(permQueueView, permQueueEdit, permQueueReadonly, permQueueMemberManage),
	"GET /api/v2/routing/skills":                   noPermission,
	"GET /api/v2/routing/languages":                noPermission,
	"GET /api/v2/authorization/divisions":          noPermission,
	"GET /api/v2/authorization/roles":              anyOf(permRoleView),
	"GET /api/v2/locations":                        noPermission,
	"GET /api/v2/stations":                         noPermission,
	"GET /api/v2/groups":                           noPermission,

	// People data: either permission opens the listing; what it shows
	// depends on which (people_routes.go).
	"GET /api/v2/users/development/activities": anyOf(permLearningAssignmentView, permCoachingAppointmentView),
	"GET /api/v2/users/{userId}/outofoffice":   noPermission,

	// Joiners and leavers (UsersApi.md; a route the reference lists with
	// "Requires no permissions" needs none).
	"GET /api/v2/users/{userId}/station":                            noPermission,
	"PUT /api/v2/users/{userId}/station/defaultstation/{stationId}": anyOf(permPluginAll, permPhoneAssign),
	"DELETE /api/v2/users/{userId}/station/defaultstation":          anyOf(permPluginAll, permPhoneAssign),
	"DELETE /api/v2/users/{userId}/station/associatedstation":       noPermission,
	"GET /api/v2/users/{userId}/verifiers":                          anyOf(permVerifierView),
	"DELETE /api/v2/users/{userId}/verifiers/{verifierId}":          anyOf(permVerifierDelete),
	"GET /api/v2/routing/users/{userId}/utilization":                anyOf(permUtilizationManage, permUtilizationView),
	"PUT /api/v2/routing/users/{userId}/utilization":                anyOf(permUtilizationManage),
	"DELETE /api/v2/routing/users/{userId}/utilization":             anyOf(permUtilizationManage),
	"GET /api/v2/users/{userId}/profileskills":                      anyOf(permUserProfileView),
	"PUT /api/v2/users/{userId}/profileskills":                      anyOf(permUserProfileEdit),
	"POST /api/v2/users/{userId}/invite":                            anyOf(permOrgAdmin, permUserPasswordEdit),

	// Analytics jobs.
	"POST /api/v2/analytics/users/details/jobs":                   anyOf(permUserDetailView),
	"GET /api/v2/analytics/users/details/jobs/availability":       anyOf(permUserDetailView),
	"GET /api/v2/analytics/users/details/jobs/{jobId}":            anyOf(permUserDetailView),
	"DELETE /api/v2/analytics/users/details/jobs/{jobId}":         anyOf(permUserDetailView),
	"GET /api/v2/analytics/users/details/jobs/{jobId}/results":    anyOf(permUserDetailView),
	"POST /api/v2/analytics/users/aggregates/jobs":                anyOf(permUserAggregateView),
	"GET /api/v2/analytics/users/aggregates/jobs/{jobId}":         anyOf(permUserAggregateView),
	"DELETE /api/v2/analytics/users/aggregates/jobs/{jobId}":      anyOf(permUserAggregateView),
	"GET /api/v2/analytics/users/aggregates/jobs/{jobId}/results": anyOf(permUserAggregateView),

	// The catch-all answers 404 to any authenticated request.
	"/api/v2/": noPermission,
}

// RoutePermissions returns the permissions the route pattern (as
// registered: "GET /api/v2/routing/queues") requires and whether any one
// of them is enough (else all are needed). ok is false for a pattern the
// emulator does not serve. A route that needs no permission returns no
// permissions and ok.
func RoutePermissions(pattern string) (perms []string, any bool, ok bool) {
	r, ok := routePermissions[pattern]
	if !ok {
		return nil, false, false
	}
	if len(r.any) > 0 {
		return slices.Clone(r.any), true, true
	}
	return slices.Clone(r.all), false, true
}

// Permissions returns every permission an emulated route requires, sorted:
// the names DeniedPermissions accepts.
func Permissions() []string {
	set := map[string]bool{}
	for _, r := range routePermissions {
		for _, p := range r.any {
			set[p] = true
		}
		for _, p := range r.all {
			set[p] = true
		}
	}
	return slices.Sorted(maps.Keys(set))
}

// validatePermissions checks that every name is a permission some route
// requires, so that a typo (or a permission Genesys Cloud does not have)
// fails instead of denying nothing.
func validatePermissions(perms []string) error {
	known := Permissions()
	for _, p := range perms {
		if slices.Contains(known, p) {
			continue
		}
		msg := fmt.Sprintf("permission %q: no emulated endpoint requires it", p)
		if near := nearest(p, known); near != "" {
			msg += fmt.Sprintf(" (did you mean %q?)", near)
		}
		return fmt.Errorf("%s; known: %s", msg, strings.Join(known, ", "))
	}
	return nil
}

// nearest returns the known name closest to p when it is close enough to
// be a typo of it: the same domain and entity, or within a few edits.
func nearest(p string, known []string) string {
	best, bestD := "", 4
	for _, k := range known {
		if d := editDistance(strings.ToLower(p), strings.ToLower(k)); d < bestD {
			best, bestD = k, d
		}
	}
	if best != "" {
		return best
	}
	prefix := p[:strings.LastIndexByte(p, ':')+1]
	if prefix == "" {
		return ""
	}
	for _, k := range known {
		if strings.HasPrefix(k, prefix) {
			return k
		}
	}
	return ""
}

func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

// DenyPermissions replaces the permissions the emulated OAuth client lacks
// (none: it holds them all). A name no emulated route requires is an error
// and changes nothing.
func (s *Server) DenyPermissions(perms ...string) error {
	if err := validatePermissions(perms); err != nil {
		return fmt.Errorf("emulator: deny %w", err)
	}
	set := make(map[string]bool, len(perms))
	for _, p := range perms {
		set[p] = true
	}
	s.denied.Store(&set)
	return nil
}

// DeniedPermissions returns the permissions the emulated client lacks, sorted.
func (s *Server) DeniedPermissions() []string {
	return slices.Sorted(maps.Keys(*s.denied.Load()))
}

// forbidden answers 403 when the client lacks what rule requires and
// reports whether it did.
func (s *Server) forbidden(w http.ResponseWriter, rule permRule) bool {
	denied := *s.denied.Load()
	if len(denied) == 0 {
		return false
	}
	var missing []string
	for _, p := range rule.all {
		if denied[p] {
			missing = append(missing, p)
		}
	}
	if len(missing) > 0 {
		wire.Forbidden(w, wire.CodeMissingPermissions,
			"Unable to perform the requested action. You are missing the following permission(s): [%s]", strings.Join(missing, ", "))
		return true
	}
	if len(rule.any) == 0 {
		return false
	}
	for _, p := range rule.any {
		if !denied[p] {
			return false
		}
	}
	wire.Forbidden(w, wire.CodeMissingAnyPermissions,
		"Unable to perform the requested action. You must have at least one of the following permissions assigned: [%s]", strings.Join(rule.any, ", "))
	return true
}
