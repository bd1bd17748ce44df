package emulator

import (
	"fmt"
	"net/http"
	"net/mail"
	"strings"

	"github.com/usersync/syncer/internal/emulator/wire"
)

// The write handlers share one shape: decode and validate what needs no
// org state, then one s.change (s.changeUser for a user of the path) that
// validates against the org and, only when everything is valid, applies
// the change. A rejected request therefore changes nothing. The verdict is
// carried out of the lock as an *apiError and written after it, so no
// response is written while the org is locked.

// apiError is a Genesys error answer decided under the org lock.
type apiError struct {
	status   int
	code     string
	msg      string
	entityID string // the entity the error is about (e.g. the email's holder)
}

func (e *apiError) write(w http.ResponseWriter) {
	wire.WriteJSON(w, e.status, wire.ErrorBody{
		Message: e.msg, Code: e.code, Status: e.status, EntityID: e.entityID,
		ContextID: w.Header().Get(wire.CorrelationHeader), Details: []wire.Detail{}, Errors: []wire.ErrorBody{},
	})
}

func errf(status int, code, format string, args ...any) *apiError {
	return &apiError{status: status, code: code, msg: fmt.Sprintf(format, args...)}
}

func badRequest(format string, args ...any) *apiError {
	return errf(http.StatusBadRequest, wire.CodeBadRequest, format, args...)
}

func notFound(format string, args ...any) *apiError {
	return errf(http.StatusNotFound, wire.CodeNotFound, format, args...)
}

func conflict(format string, args ...any) *apiError {
	return errf(http.StatusConflict, wire.CodeConflict, format, args...)
}

// Batch limits of the bulk write endpoints (api-facts.md "Writes"; the ones
// marked unsure there are the emulator's choice, documented in doc.go).
const (
	maxBulkUsers        = 50  // PATCH /users/bulk
	maxBulkSkills       = 50  // PATCH and PUT /users/{id}/routingskills/bulk
	maxBulkLanguages    = 50  // PATCH /users/{id}/routinglanguages/bulk
	maxQueueMembersPost = 100 // POST /routing/queues/{id}/members
	maxUserQueuesPatch  = 100 // PATCH /users/{id}/queues
	maxExternalIDs      = 100 // external ids per user
	maxDivisionObjects  = 50  // POST /authorization/divisions/{id}/objects/{type}
	maxSubjectGrants    = 100 // POST /authorization/subjects/{id}/bulkadd|bulkremove|bulkreplace
)

// liveUser finds the user of a path id for a write: unknown and deleted
// users answer 404, as GET /users/{id} does.
func liveUser(o *org, id string) (int32, *apiError) {
	i, ok := o.byID[id]
	if !ok || o.users[i].state == stDeleted {
		return 0, notFound("The user %s was not found", id)
	}
	return i, nil
}

// validEmail reports whether s is a bare address (local@domain, no display
// name, no surrounding spaces) with a dotted domain.
func validEmail(s string) bool {
	a, err := mail.ParseAddress(s)
	if err != nil || a.Name != "" || a.Address != s {
		return false
	}
	_, domain, ok := strings.Cut(s, "@")
	return ok && strings.Contains(domain, ".") && !strings.HasPrefix(domain, ".") && !strings.HasSuffix(domain, ".")
}

// validProficiency reports whether p is a skill or language proficiency:
// 0 to 5 inclusive.
func validProficiency(p float64) bool { return p >= 0 && p <= 5 }

// change runs f under the org write lock (Server.write) and, when f refuses
// the request, writes its error answer once the lock is released. It
// reports whether f accepted the request: the caller then writes the
// answer of success. Every write handler goes through it, so that a
// refused request changes nothing (f validates against the org first and
// changes it only when everything is valid) and no answer is written while
// the org is locked.
func (s *Server) change(w http.ResponseWriter, f func(o *org) *apiError) bool {
	var fail *apiError
	s.write(func(o *org) { fail = f(o) })
	if fail != nil {
		fail.write(w)
		return false
	}
	return true
}

// changeUser is change for a write to the user of a path's id: an unknown
// or deleted user answers 404 (liveUser) before f runs.
func (s *Server) changeUser(w http.ResponseWriter, id string, f func(o *org, i int32) *apiError) bool {
	return s.change(w, func(o *org) *apiError {
		i, fail := liveUser(o, id)
		if fail != nil {
			return fail
		}
		return f(o, i)
	})
}
