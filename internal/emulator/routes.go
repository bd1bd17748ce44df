package emulator

import (
	"net/http"

	"github.com/usersync/syncer/internal/emulator/wire"
)

// routes registers every endpoint. API routes go through s.api (faults,
// auth, rate limit, permissions); the /_emulator control routes go through none of them.
// Patterns are Go 1.22 ServeMux patterns; the stats count requests by them.
func (s *Server) routes() {
	s.mux.Handle("POST /oauth/token", s.faulted(s.handleToken))

	// Users.
	s.handleAPI("GET /api/v2/users", s.getUsers)
	s.handleAPI("GET /api/v2/users/{userId}", s.getUser)
	s.handleAPI("POST /api/v2/users/search", s.postUsersSearch)
	s.handleAPI("GET /api/v2/users/search", s.getUsersSearch)
	s.handleAPI("GET /api/v2/users/{userId}/routingskills", s.getUserRoutingSkills)
	s.handleAPI("GET /api/v2/users/{userId}/routinglanguages", s.getUserRoutingLanguages)
	s.handleAPI("GET /api/v2/users/{userId}/queues", s.getUserQueues)
	s.handleAPI("GET /api/v2/users/{subjectId}/roles", s.getUserRoles)
	s.handleAPI("GET /api/v2/users/{userId}/externalid", s.getUserExternalIDs)
	s.handleAPI("GET /api/v2/users/externalid/{authorityName}/{externalKey}", s.getUserByExternalID)
	s.handleAPI("GET /api/v2/authorization/subjects/{subjectId}", s.getAuthorizationSubject)

	// Writes (user_writes.go, routing_writes.go, authz_writes.go).
	s.handleAPI("POST /api/v2/users", s.postUsers)
	s.handleAPI("PATCH /api/v2/users/{userId}", s.patchUser)
	s.handleAPI("DELETE /api/v2/users/{userId}", s.deleteUser)
	s.handleAPI("PATCH /api/v2/users/bulk", s.patchUsersBulk)
	s.handleAPI("POST /api/v2/users/{userId}/externalid", s.postUserExternalID)
	s.handleAPI("DELETE /api/v2/users/{userId}/externalid/{authorityName}/{externalKey}", s.deleteUserExternalID)
	s.handleAPI("POST /api/v2/users/{userId}/routingskills", s.postUserRoutingSkill)
	s.handleAPI("PATCH /api/v2/users/{userId}/routingskills/bulk", s.patchUserRoutingSkillsBulk)
	s.handleAPI("PUT /api/v2/users/{userId}/routingskills/bulk", s.putUserRoutingSkillsBulk)
	s.handleAPI("DELETE /api/v2/users/{userId}/routingskills/{skillId}", s.deleteUserRoutingSkill)
	s.handleAPI("POST /api/v2/users/{userId}/routinglanguages", s.postUserRoutingLanguage)
	s.handleAPI("PATCH /api/v2/users/{userId}/routinglanguages/bulk", s.patchUserRoutingLanguagesBulk)
	s.handleAPI("DELETE /api/v2/users/{userId}/routinglanguages/{languageId}", s.deleteUserRoutingLanguage)
	s.handleAPI("PUT /api/v2/users/{userId}/routingskills/{skillId}", s.putUserRoutingSkill)
	s.handleAPI("PATCH /api/v2/users/{userId}/routinglanguages/{languageId}", s.patchUserRoutingLanguage)
	s.handleAPI("PATCH /api/v2/users/{userId}/queues", s.patchUserQueues)
	s.handleAPI("PATCH /api/v2/users/{userId}/queues/{queueId}", s.patchUserQueue)
	s.handleAPI("POST /api/v2/authorization/subjects/{subjectId}/divisions/{divisionId}/roles/{roleId}", s.postSubjectDivisionRole)
	s.handleAPI("DELETE /api/v2/authorization/subjects/{subjectId}/divisions/{divisionId}/roles/{roleId}", s.deleteSubjectDivisionRole)
	s.handleAPI("POST /api/v2/routing/queues/{queueId}/members", s.postQueueMembers)
	s.handleAPI("POST /api/v2/authorization/subjects/{subjectId}/bulkadd", s.postSubjectBulkAdd)
	s.handleAPI("POST /api/v2/authorization/subjects/{subjectId}/bulkremove", s.postSubjectBulkRemove)
	s.handleAPI("POST /api/v2/authorization/subjects/{subjectId}/bulkreplace", s.postSubjectBulkReplace)
	s.handleAPI("POST /api/v2/authorization/divisions/{divisionId}/objects/{objectType}", s.postDivisionObjects)
	s.handleAPI("GET /api/v2/authorization/roles/{roleId}/subjectgrants", s.getRoleSubjectGrants)

	// Reference data.
	s.handleAPI("GET /api/v2/routing/queues", s.getRoutingQueues)
	s.handleAPI("GET /api/v2/routing/queues/{queueId}/members", s.getQueueMembers)
	s.handleAPI("GET /api/v2/routing/skills", s.getRoutingSkills)
	s.handleAPI("GET /api/v2/routing/languages", s.getRoutingLanguages)
	s.handleAPI("GET /api/v2/authorization/divisions", s.getDivisions)
	s.handleAPI("GET /api/v2/authorization/roles", s.getRoles)
	s.handleAPI("GET /api/v2/locations", s.getLocations)
	s.handleAPI("GET /api/v2/stations", s.getStations)
	s.handleAPI("GET /api/v2/groups", s.getGroups)

	// People data (people_routes.go).
	s.handleAPI("GET /api/v2/users/development/activities", s.getDevelopmentActivities)
	s.handleAPI("GET /api/v2/users/{userId}/outofoffice", s.getUserOutOfOffice)

	// Joiners and leavers (lifecycle_routes.go).
	s.handleAPI("GET /api/v2/users/{userId}/station", s.getUserStation)
	s.handleAPI("PUT /api/v2/users/{userId}/station/defaultstation/{stationId}", s.putUserDefaultStation)
	s.handleAPI("DELETE /api/v2/users/{userId}/station/defaultstation", s.deleteUserDefaultStation)
	s.handleAPI("DELETE /api/v2/users/{userId}/station/associatedstation", s.deleteUserAssociatedStation)
	s.handleAPI("GET /api/v2/users/{userId}/verifiers", s.getUserVerifiers)
	s.handleAPI("DELETE /api/v2/users/{userId}/verifiers/{verifierId}", s.deleteUserVerifier)
	s.handleAPI("GET /api/v2/routing/users/{userId}/utilization", s.getUserUtilization)
	s.handleAPI("PUT /api/v2/routing/users/{userId}/utilization", s.putUserUtilization)
	s.handleAPI("DELETE /api/v2/routing/users/{userId}/utilization", s.deleteUserUtilization)
	s.handleAPI("GET /api/v2/users/{userId}/profileskills", s.getUserProfileSkills)
	s.handleAPI("PUT /api/v2/users/{userId}/profileskills", s.putUserProfileSkills)
	s.handleAPI("POST /api/v2/users/{userId}/invite", s.postUserInvite)

	// Analytics jobs: users details and aggregates (analytics.go).
	s.analytics.Register(apiMux{s})

	// Anything else under /api/v2 is authenticated, then 404 in the Genesys
	// body.
	s.handleAPI("/api/v2/", func(w http.ResponseWriter, r *http.Request) {
		wire.NotFound(w, "No resource at %s %s", r.Method, r.URL.Path)
	})

	// Emulator control.
	s.mux.HandleFunc("GET /_emulator/stats", s.getStats)
	s.mux.HandleFunc("GET /_emulator/faults", s.getFaults)
	s.mux.HandleFunc("PUT /_emulator/faults", s.putFaults)
	s.mux.HandleFunc("POST /_emulator/mutate", s.postMutate)
	s.mux.HandleFunc("POST /_emulator/reset", s.postReset)
}

// handleAPI registers an /api/v2 route behind faults, auth, rate limit and
// the permission check of its entry in routePermissions; a route without
// one is a programming error.
func (s *Server) handleAPI(pattern string, h http.HandlerFunc) {
	rule, ok := routePermissions[pattern]
	if !ok {
		panic("emulator: route " + pattern + " has no entry in routePermissions (permissions.go)")
	}
	s.apiPatterns = append(s.apiPatterns, pattern)
	s.mux.Handle(pattern, s.api(rule, h))
}

// faulted wraps a handler in the fault injector only (POST /oauth/token:
// no token yet, so no auth and no per-token rate limit).
func (s *Server) faulted(h http.HandlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if s.faults.inject(w, r) {
			return
		}
		h(w, r)
	})
}
