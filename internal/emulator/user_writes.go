package emulator

import (
	"encoding/json"
	"net/http"
	"strings"
	"time"

	"github.com/usersync/syncer/internal/emulator/wire"
)

// Request bodies of the user writes (genesys-models.md: CreateUser,
// UpdateUser, PatchUser, UserExternalIdentifier). Pointers tell a field
// that is absent (or null) from one set to its zero value.
type (
	createUserBody struct {
		Name       *string        `json:"name"`
		Email      *string        `json:"email"`
		DivisionID *string        `json:"divisionId"`
		Title      *string        `json:"title"`
		Department *string        `json:"department"`
		State      *string        `json:"state"`
		Password   *string        `json:"password"` // accepted and ignored
		Addresses  *[]contactBody `json:"addresses"`
	}
	employerInfoBody struct {
		OfficialName *string `json:"officialName"`
		EmployeeID   *string `json:"employeeId"`
		EmployeeType *string `json:"employeeType"`
		DateHire     *string `json:"dateHire"`
	}
	updateUserBody struct {
		Version       *int              `json:"version"`
		State         *string           `json:"state"`
		Name          *string           `json:"name"`
		Email         *string           `json:"email"`
		Title         *string           `json:"title"`
		Department    *string           `json:"department"`
		Username      *string           `json:"username"`
		Manager       *string           `json:"manager"`
		AcdAutoAnswer *bool             `json:"acdAutoAnswer"`
		EmployerInfo  *employerInfoBody `json:"employerInfo"`
		Addresses     *[]contactBody    `json:"addresses"`
		Locations     *[]locationBody   `json:"locations"`
		// Certifications replace the user's (people.go).
		Certifications *[]string `json:"certifications"`

		contacts []contact // Addresses, validated
		certs    []string  // Certifications, normalized
	}
	patchUserBody struct {
		ID            *string `json:"id"`
		AcdAutoAnswer *bool   `json:"acdAutoAnswer"`
	}
)

// postUsers serves POST /api/v2/users (CreateUser). name and email are
// required; divisionId defaults to the home division; state is active
// (default) or inactive; addresses are the user's phones (contacts.go);
// password is ignored. An email already held by any
// user, deleted ones included, answers 409 general.conflict: a leaver
// coming back is restored with PATCH state, not created again.
func (s *Server) postUsers(w http.ResponseWriter, r *http.Request) {
	var body createUserBody
	if !wire.DecodeBody(w, r, &body) {
		return
	}
	name := strings.TrimSpace(deref(body.Name))
	email := deref(body.Email)
	switch {
	case name == "":
		wire.BadRequest(w, "name is required")
		return
	case email == "":
		wire.BadRequest(w, "email is required")
		return
	case !validEmail(email):
		wire.BadRequest(w, "email %q is not a valid email address", email)
		return
	}
	var contacts []contact
	if body.Addresses != nil {
		var fail *apiError
		if contacts, fail = parseContacts(*body.Addresses); fail != nil {
			fail.write(w)
			return
		}
	}
	st := stActive
	if body.State != nil && *body.State != "" {
		var ok bool
		if st, ok = parseState(*body.State); !ok || st == stDeleted {
			wire.BadRequest(w, "state %q must be active or inactive", *body.State)
			return
		}
	}
	var out []byte
	if !s.change(w, func(o *org) *apiError {
		div := int32(0)
		if id := deref(body.DivisionID); id != "" {
			d, ok := o.divisionID[id]
			if !ok {
				return badRequest("The division %s does not exist", id)
			}
			div = d
		}
		if holder, taken := o.byEmail[strings.ToLower(email)]; taken {
			fail := conflict("The email address %s is already in use by user %s (state %s)", email, o.users[holder].id, o.users[holder].state)
			fail.entityID = o.users[holder].id
			return fail
		}
		u := user{
			id: o.newUserID(), name: name, email: email, username: email,
			title: deref(body.Title), department: deref(body.Department),
			state: st, division: div, manager: -1, version: 1,
			grants: []grant{{role: 0, division: 0}}, addresses: contacts,
		}
		i := o.addUser(u)
		out = o.appendUser(nil, i, 0)
		return nil
	}) {
		return
	}
	writeRaw(w, http.StatusOK, out)
}

// patchUser serves PATCH /api/v2/users/{userId} (UpdateUser).
//
// version is required and must equal the user's current version, else 409.
// When state is in the body it is the only change (every other field is
// ignored): active or inactive, which also restores a deleted user; deleted
// is refused (DELETE does that). Otherwise name, email (a duplicate answers
// 409), title, department, username, manager (a user id; "" removes the
// manager; unknown, deleted or cycle-closing managers answer 400),
// acdAutoAnswer, employerInfo (the fields given; the others stay),
// addresses (the phones are replaced: contacts.go) and locations (replaced;
// an unknown location answers 400) change. A deleted user accepts only a state
// change and is otherwise not found. Every accepted PATCH bumps the version.
func (s *Server) patchUser(w http.ResponseWriter, r *http.Request) {
	var body updateUserBody
	if !wire.DecodeBody(w, r, &body) {
		return
	}
	if body.Version == nil {
		wire.BadRequest(w, "version is required to update a user")
		return
	}
	var newState userState
	if body.State != nil {
		var ok bool
		newState, ok = parseState(*body.State)
		if !ok || newState == stDeleted {
			wire.BadRequest(w, "state %q must be active or inactive (DELETE /api/v2/users/{userId} deletes a user)", *body.State)
			return
		}
	} else if fail := body.validate(); fail != nil {
		fail.write(w)
		return
	}
	id := r.PathValue("userId")
	var out []byte
	if !s.change(w, func(o *org) *apiError {
		i, ok := o.byID[id]
		if !ok || o.users[i].state == stDeleted && body.State == nil {
			return notFound("The user %s was not found", id)
		}
		u := &o.users[i]
		if int(u.version) != *body.Version {
			fail := conflict("The version supplied (%d) does not match the current version of user %s (%d): the version must match", *body.Version, id, u.version)
			fail.entityID = id
			return fail
		}
		if body.State != nil {
			o.setState(i, newState)
		} else if fail := o.applyUpdate(i, &body); fail != nil {
			return fail
		}
		u.version++
		out = o.appendUser(nil, i, expEmployerInfo)
		return nil
	}) {
		return
	}
	writeRaw(w, http.StatusOK, out)
}

// validate checks the fields of an UpdateUser that need no org state.
func (b *updateUserBody) validate() *apiError {
	if b.Name != nil && strings.TrimSpace(*b.Name) == "" {
		return badRequest("name must not be empty")
	}
	if b.Email != nil && !validEmail(*b.Email) {
		return badRequest("email %q is not a valid email address", *b.Email)
	}
	if b.Username != nil && strings.TrimSpace(*b.Username) == "" {
		return badRequest("username must not be empty")
	}
	if e := b.EmployerInfo; e != nil && e.DateHire != nil && *e.DateHire != "" {
		if _, err := time.Parse("2006-01-02", *e.DateHire); err != nil {
			return badRequest("employerInfo.dateHire %q must be a date (YYYY-MM-DD)", *e.DateHire)
		}
	}
	if b.Addresses != nil {
		var fail *apiError
		if b.contacts, fail = parseContacts(*b.Addresses); fail != nil {
			return fail
		}
	}
	if b.Certifications != nil {
		var fail *apiError
		if b.certs, fail = normalizeCertifications(*b.Certifications); fail != nil {
			return fail
		}
	}
	return nil
}

// applyUpdate validates the org-dependent fields of b for user i (email
// free, manager known and acyclic) and, when all are valid, applies b.
func (o *org) applyUpdate(i int32, b *updateUserBody) *apiError {
	u := &o.users[i]
	if b.Email != nil {
		if holder, taken := o.byEmail[strings.ToLower(*b.Email)]; taken && holder != i {
			fail := conflict("The email address %s is already in use by user %s (state %s)", *b.Email, o.users[holder].id, o.users[holder].state)
			fail.entityID = o.users[holder].id
			return fail
		}
	}
	var locations []int32
	if b.Locations != nil {
		var fail *apiError
		if locations, fail = o.parseLocations(*b.Locations); fail != nil {
			return fail
		}
	}
	manager := u.manager
	if b.Manager != nil {
		manager = -1
		if *b.Manager != "" {
			m, ok := o.byID[*b.Manager]
			switch {
			case !ok || o.users[m].state == stDeleted:
				return badRequest("The manager %s is not a user of this organization", *b.Manager)
			case o.wouldCycle(i, m):
				return badRequest("The manager %s would make user %s their own manager (a cycle in the reporting chain)", *b.Manager, u.id)
			}
			manager = m
		}
	}
	if b.Name != nil {
		o.setNameState(i, strings.TrimSpace(*b.Name), u.state)
	}
	if b.Email != nil && *b.Email != u.email {
		o.setEmail(i, *b.Email)
	}
	setIf(&u.title, b.Title)
	setIf(&u.department, b.Department)
	setIf(&u.username, b.Username)
	if b.AcdAutoAnswer != nil {
		u.acdAutoAnswer = *b.AcdAutoAnswer
	}
	if b.Certifications != nil {
		u.certs = b.certs
	}
	if e := b.EmployerInfo; e != nil {
		setIf(&u.employeeID, e.EmployeeID)
		setIf(&u.employeeType, e.EmployeeType)
		setIf(&u.dateHire, e.DateHire)
	}
	if b.Addresses != nil {
		u.addresses = replaceContacts(u.addresses, b.contacts)
	}
	if b.Locations != nil {
		u.locations = locations
	}
	u.manager = manager
	return nil
}

// deleteUser serves DELETE /api/v2/users/{userId}: the user's state becomes
// deleted (it leaves every queue and loses its role grants; see
// org.deleteUser) and its version is bumped. The answer is an empty object.
func (s *Server) deleteUser(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("userId")
	if !s.changeUser(w, id, func(o *org, i int32) *apiError {
		o.deleteUser(i)
		o.users[i].version++
		return nil
	}) {
		return
	}
	wire.WriteJSON(w, http.StatusOK, struct{}{})
}

// patchUsersBulk serves PATCH /api/v2/users/bulk: at most 50 PatchUser
// entries, each {id, acdAutoAnswer} and nothing else (any other field
// answers 400, so a client cannot believe it changed more). Every id must
// be a user that is not deleted, once. The answer is a UserEntityListing of
// the updated users in request order; each one's version is bumped.
func (s *Server) patchUsersBulk(w http.ResponseWriter, r *http.Request) {
	var body []patchUserBody
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<20))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&body); err != nil {
		wire.BadRequest(w, "The request body must be a list of PatchUser {id, acdAutoAnswer}; only acdAutoAnswer can be updated in bulk: %v", err)
		return
	}
	switch {
	case len(body) == 0:
		wire.BadRequest(w, "At least one user is required")
		return
	case len(body) > maxBulkUsers:
		wire.BadRequest(w, "At most %d users can be updated at a time; %d were given", maxBulkUsers, len(body))
		return
	}
	for k, p := range body {
		if deref(p.ID) == "" || p.AcdAutoAnswer == nil {
			wire.BadRequest(w, "Entry %d needs both id and acdAutoAnswer", k)
			return
		}
	}
	var b []byte
	if !s.change(w, func(o *org) *apiError {
		idx := make([]int32, len(body))
		seen := make(map[int32]bool, len(body))
		for k, p := range body {
			i, f := liveUser(o, *p.ID)
			if f != nil {
				return badRequest("Entry %d: the user %s was not found", k, *p.ID)
			}
			if seen[i] {
				return badRequest("Entry %d: the user %s is listed twice", k, *p.ID)
			}
			seen[i], idx[k] = true, i
		}
		b = append(b, `{"entities":[`...)
		for k, i := range idx {
			o.users[i].acdAutoAnswer = *body[k].AcdAutoAnswer
			o.users[i].version++
			if k > 0 {
				b = append(b, ',')
			}
			b = o.appendUser(b, i, 0)
		}
		b = append(b, ']')
		b = appendListingTail(b, page{size: len(idx), number: 1, path: "/api/v2/users/bulk"}, len(idx))
		b = append(b, '}')
		return nil
	}) {
		return
	}
	writeRaw(w, http.StatusOK, b)
}

// postUserExternalID serves POST /api/v2/users/{userId}/externalid: it
// registers {authorityName, externalKey} (both case sensitive) for the
// user, replacing the key the user had for that authority, and answers the
// user's external ids. A key already registered to another user answers 409
// general.conflict; a user holds at most 100 external ids.
func (s *Server) postUserExternalID(w http.ResponseWriter, r *http.Request) {
	var body externalIdentifier
	if !wire.DecodeBody(w, r, &body) {
		return
	}
	if body.AuthorityName == "" || body.ExternalKey == "" {
		wire.BadRequest(w, "authorityName and externalKey are required")
		return
	}
	e := ExternalID{AuthorityName: body.AuthorityName, ExternalKey: body.ExternalKey}
	id := r.PathValue("userId")
	var out []externalIdentifier
	if !s.change(w, func(o *org) *apiError {
		i, ok := o.byID[id]
		if !ok {
			return notFound("The user %s was not found", id)
		}
		u := &o.users[i]
		if holder, taken := o.byExt[extKey{e.AuthorityName, e.ExternalKey}]; taken && holder != i {
			fail := conflict("The external id %s/%s is already registered to user %s", e.AuthorityName, e.ExternalKey, o.users[holder].id)
			fail.entityID = o.users[holder].id
			return fail
		}
		hasAuthority := false
		for _, x := range u.externalIDs {
			hasAuthority = hasAuthority || x.AuthorityName == e.AuthorityName
		}
		if !hasAuthority && len(u.externalIDs) >= maxExternalIDs {
			return badRequest("The user %s already has %d external ids, the limit", id, maxExternalIDs)
		}
		o.addExternalID(i, e)
		out = externalIDsOf(u)
		return nil
	}) {
		return
	}
	wire.WriteJSON(w, http.StatusOK, out)
}

// deleteUserExternalID serves
// DELETE /api/v2/users/{userId}/externalid/{authorityName}/{externalKey}:
// 204, or 404 when the user or that external id of the user does not exist.
func (s *Server) deleteUserExternalID(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("userId")
	e := ExternalID{AuthorityName: r.PathValue("authorityName"), ExternalKey: r.PathValue("externalKey")}
	if !s.change(w, func(o *org) *apiError {
		i, ok := o.byID[id]
		if !ok {
			return notFound("The user %s was not found", id)
		}
		if !o.removeExternalID(i, e) {
			return notFound("The user %s has no external id %s/%s", id, e.AuthorityName, e.ExternalKey)
		}
		return nil
	}) {
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func externalIDsOf(u *user) []externalIdentifier {
	out := make([]externalIdentifier, 0, len(u.externalIDs))
	for _, e := range u.externalIDs {
		out = append(out, externalIdentifier{AuthorityName: e.AuthorityName, ExternalKey: e.ExternalKey,
			SelfURI: "/api/v2/users/externalid/" + e.AuthorityName + "/" + e.ExternalKey})
	}
	return out
}

func deref[T any](p *T) T {
	var zero T
	if p == nil {
		return zero
	}
	return *p
}

func setIf(dst *string, src *string) {
	if src != nil {
		*dst = *src
	}
}
