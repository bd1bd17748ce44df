package emulator

import (
	"net/http"
	"slices"
	"strings"

	"github.com/usersync/syncer/internal/emulator/wire"
)

// Request bodies and wire shapes of the authorization endpoints
// (genesys-models.md: RoleDivisionGrants, RoleDivisionPair).
type (
	roleDivisionGrants struct {
		Grants *[]roleDivisionPair `json:"grants"`
	}
	roleDivisionPair struct {
		RoleID     string `json:"roleId"`
		DivisionID string `json:"divisionId"`
	}
	// subjectDivisionGrants is one entity of SubjectDivisionGrantsEntityListing.
	subjectDivisionGrants struct {
		ID        string        `json:"id"`
		Name      string        `json:"name"`
		Type      string        `json:"type"`
		Divisions []divisionRef `json:"divisions"`
		SelfURI   string        `json:"selfUri"`
	}
)

// grantOp is what a subject bulk endpoint does with the grants it is given.
type grantOp int

const (
	grantsAdd grantOp = iota
	grantsRemove
	grantsReplace
)

// postSubjectBulkAdd serves POST /api/v2/authorization/subjects/{subjectId}/bulkadd.
func (s *Server) postSubjectBulkAdd(w http.ResponseWriter, r *http.Request) {
	s.subjectGrants(w, r, grantsAdd)
}

// postSubjectBulkRemove serves POST /api/v2/authorization/subjects/{subjectId}/bulkremove.
func (s *Server) postSubjectBulkRemove(w http.ResponseWriter, r *http.Request) {
	s.subjectGrants(w, r, grantsRemove)
}

// postSubjectBulkReplace serves POST /api/v2/authorization/subjects/{subjectId}/bulkreplace.
func (s *Server) postSubjectBulkReplace(w http.ResponseWriter, r *http.Request) {
	s.subjectGrants(w, r, grantsReplace)
}

// subjectGrants adds, removes or replaces the direct role grants of a user
// (subjectType PC_USER, the default; the emulator has no groups or OAuth
// clients as subjects). At most 100 pairs (the emulator's limit; the real
// one is not documented), each with a known roleId and divisionId (else
// 400, nothing changes). bulkadd ignores grants held, bulkremove
// grants not held; bulkreplace makes the direct grants exactly the list
// (the emulator has no group-inherited grants to leave alone). 204.
func (s *Server) subjectGrants(w http.ResponseWriter, r *http.Request, op grantOp) {
	switch t := r.URL.Query().Get("subjectType"); t {
	case "", "PC_USER":
	case "PC_GROUP", "PC_OAUTH_CLIENT":
		wire.BadRequest(w, "subjectType %s is not supported by the emulator: only users (PC_USER) are subjects", t)
		return
	default:
		wire.BadRequest(w, "subjectType %q must be PC_USER, PC_GROUP or PC_OAUTH_CLIENT", t)
		return
	}
	var body roleDivisionGrants
	if !wire.DecodeBody(w, r, &body) {
		return
	}
	if body.Grants == nil {
		wire.BadRequest(w, "grants is required")
		return
	}
	pairs := *body.Grants
	if len(pairs) > maxSubjectGrants {
		wire.BadRequest(w, "At most %d grants can be sent at a time; %d were given", maxSubjectGrants, len(pairs))
		return
	}
	for n, p := range pairs {
		if p.RoleID == "" || p.DivisionID == "" {
			wire.BadRequest(w, "Grant %d needs both roleId and divisionId", n)
			return
		}
	}
	if !s.changeUser(w, r.PathValue("subjectId"), func(o *org, i int32) *apiError {
		gs := make([]grant, 0, len(pairs))
		for n, p := range pairs {
			ro, ok := o.roleID[p.RoleID]
			if !ok {
				return badRequest("Grant %d: the role %s does not exist", n, p.RoleID)
			}
			d, ok := o.divisionID[p.DivisionID]
			if !ok {
				return badRequest("Grant %d: the division %s does not exist", n, p.DivisionID)
			}
			if g := (grant{role: ro, division: d}); !slices.Contains(gs, g) {
				gs = append(gs, g)
			}
		}
		switch op {
		case grantsReplace:
			o.users[i].grants = gs
		case grantsAdd:
			for _, g := range gs {
				o.addGrant(i, g)
			}
		case grantsRemove:
			for _, g := range gs {
				o.removeGrant(i, g)
			}
		}
		return nil
	}) {
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// postSubjectDivisionRole serves
// POST /api/v2/authorization/subjects/{subjectId}/divisions/{divisionId}/roles/{roleId}:
// one grant (kept when held); 204.
func (s *Server) postSubjectDivisionRole(w http.ResponseWriter, r *http.Request) {
	s.oneGrant(w, r, true)
}

// deleteSubjectDivisionRole serves
// DELETE /api/v2/authorization/subjects/{subjectId}/divisions/{divisionId}/roles/{roleId}:
// one grant removed (204 also when not held).
func (s *Server) deleteSubjectDivisionRole(w http.ResponseWriter, r *http.Request) {
	s.oneGrant(w, r, false)
}

func (s *Server) oneGrant(w http.ResponseWriter, r *http.Request, add bool) {
	if t := r.URL.Query().Get("subjectType"); t != "" && t != "PC_USER" {
		wire.BadRequest(w, "subjectType %s is not supported by the emulator: only users (PC_USER) are subjects", t)
		return
	}
	if !s.changeUser(w, r.PathValue("subjectId"), func(o *org, i int32) *apiError {
		ro, ok := o.roleID[r.PathValue("roleId")]
		if !ok {
			return notFound("The role %s was not found", r.PathValue("roleId"))
		}
		d, ok := o.divisionID[r.PathValue("divisionId")]
		if !ok {
			return notFound("The division %s was not found", r.PathValue("divisionId"))
		}
		if add {
			o.addGrant(i, grant{role: ro, division: d})
		} else {
			o.removeGrant(i, grant{role: ro, division: d})
		}
		return nil
	}) {
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// postDivisionObjects serves
// POST /api/v2/authorization/divisions/{divisionId}/objects/{objectType}:
// the body is a JSON list of object ids (1 to 50, the emulator's limit; the
// real one is not documented) moved into the division. USER and QUEUE are
// emulated; moving a user bumps its version. Unknown or deleted ids answer
// 400 and move nothing; an unknown division 404. 204.
func (s *Server) postDivisionObjects(w http.ResponseWriter, r *http.Request) {
	typ := strings.ToUpper(r.PathValue("objectType"))
	if typ != "USER" && typ != "QUEUE" {
		wire.BadRequest(w, "objectType %s is not supported by the emulator (USER and QUEUE are)", r.PathValue("objectType"))
		return
	}
	var ids []string
	if !wire.DecodeBody(w, r, &ids) {
		return
	}
	switch {
	case len(ids) == 0:
		wire.BadRequest(w, "At least one object id is required")
		return
	case len(ids) > maxDivisionObjects:
		wire.BadRequest(w, "At most %d objects can be moved at a time; %d were given", maxDivisionObjects, len(ids))
		return
	}
	divID := r.PathValue("divisionId")
	if !s.change(w, func(o *org) *apiError {
		d, ok := o.divisionID[divID]
		if !ok {
			return notFound("The division %s was not found", divID)
		}
		idx := make([]int32, len(ids))
		for n, id := range ids {
			var ok bool
			if typ == "USER" {
				idx[n], ok = o.byID[id]
				ok = ok && o.users[idx[n]].state != stDeleted
			} else {
				idx[n], ok = o.queueID[id]
			}
			if !ok {
				return badRequest("Object %d: the %s %s was not found", n, strings.ToLower(typ), id)
			}
		}
		for _, i := range idx {
			if typ == "QUEUE" {
				o.queues[i].division = d
				continue
			}
			if u := &o.users[i]; u.division != d {
				u.division = d
				u.version++
			}
		}
		return nil
	}) {
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// getRoleSubjectGrants serves GET /api/v2/authorization/roles/{roleId}/subjectgrants:
// the users (not deleted) granted the role, by name then id, each with the
// divisions of its grants of that role (in grant order). pageSize defaults
// to 25 and is at most 500 (the real maximum is not documented).
func (s *Server) getRoleSubjectGrants(w http.ResponseWriter, r *http.Request) {
	p, ok := parsePage(w, r, pageLimits{defSize: 25, maxSize: 500})
	if !ok {
		return
	}
	id := r.PathValue("roleId")
	var all []subjectDivisionGrants
	found := false
	s.read(func(o *org) {
		ro, ok := o.roleID[id]
		if !ok {
			return
		}
		found = true
		for _, i := range o.byState[numStates] {
			u := &o.users[i]
			if u.state == stDeleted {
				continue
			}
			var divs []divisionRef
			for _, g := range u.grants {
				if g.role == ro {
					divs = append(divs, o.divisionRef(g.division))
				}
			}
			if divs != nil {
				all = append(all, subjectDivisionGrants{ID: u.id, Name: u.name, Type: "PC_USER", Divisions: divs,
					SelfURI: "/api/v2/authorization/subjects/" + u.id})
			}
		}
	})
	if !found {
		wire.NotFound(w, "The role %s was not found", id)
		return
	}
	wire.WriteJSON(w, http.StatusOK, pageOf(p, all))
}
