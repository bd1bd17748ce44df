package emulator

import (
	"net/http"
	"slices"
	"time"

	"github.com/usersync/syncer/internal/emulator/wire"
)

// Request bodies of the routing writes (genesys-models.md:
// UserRoutingSkillPost, UserRoutingLanguagePost, UserQueue, QueueMember).
type (
	skillPostBody struct {
		ID          *string  `json:"id"`
		Proficiency *float64 `json:"proficiency"`
	}
	userQueuePatchBody struct {
		ID     *string `json:"id"`
		Joined *bool   `json:"joined"`
	}
	queueMemberBody struct {
		ID *string `json:"id"`
	}
)

// skillKind is what a per-user proficiency endpoint works on: routing
// skills or routing languages.
type skillKind struct {
	language bool
	noun     string // "skill" or "language", for messages
	maxBulk  int
}

var (
	skillsKind    = skillKind{language: false, noun: "skill", maxBulk: maxBulkSkills}
	languagesKind = skillKind{language: true, noun: "language", maxBulk: maxBulkLanguages}
)

func (k skillKind) refs(u *user) *[]skillRef {
	if k.language {
		return &u.languages
	}
	return &u.skills
}

func (k skillKind) index(o *org) map[string]int32 {
	if k.language {
		return o.languageID
	}
	return o.skillID
}

// resolve validates a batch of UserRoutingSkillPost/UserRoutingLanguagePost
// entries against the org: each id known and listed once, each proficiency
// given and within 0–5.
func (k skillKind) resolve(o *org, body []skillPostBody) ([]skillRef, *apiError) {
	out := make([]skillRef, 0, len(body))
	for n, b := range body {
		id := deref(b.ID)
		if id == "" {
			return nil, badRequest("Entry %d: the %s id is required", n, k.noun)
		}
		if b.Proficiency == nil {
			return nil, badRequest("Entry %d: proficiency is required for %s %s", n, k.noun, id)
		}
		if !validProficiency(*b.Proficiency) {
			return nil, badRequest("Entry %d: proficiency %v of %s %s must be between 0 and 5", n, *b.Proficiency, k.noun, id)
		}
		ref, ok := k.index(o)[id]
		if !ok {
			return nil, badRequest("Entry %d: the %s %s does not exist", n, k.noun, id)
		}
		if slices.ContainsFunc(out, func(r skillRef) bool { return r.ref == ref }) {
			return nil, badRequest("Entry %d: the %s %s is listed twice", n, k.noun, id)
		}
		out = append(out, skillRef{ref: ref, proficiency: *b.Proficiency})
	}
	return out, nil
}

// listing renders every skill (or language) of user i, by name, as one page.
func (k skillKind) listing(o *org, i int32) listing[userRoutingSkill] {
	u := &o.users[i]
	refs := *k.refs(u)
	all := make([]userRoutingSkill, 0, len(refs))
	for _, sr := range refs {
		if k.language {
			e := o.languages[sr.ref]
			all = append(all, userRoutingSkill{ID: e.id, Name: e.name, Proficiency: sr.proficiency, State: "active",
				LanguageURI: "/api/v2/routing/languages/" + e.id, SelfURI: "/api/v2/users/" + u.id + "/routinglanguages/" + e.id})
		} else {
			e := o.skills[sr.ref]
			all = append(all, userRoutingSkill{ID: e.id, Name: e.name, Proficiency: sr.proficiency, State: "active",
				SkillURI: "/api/v2/routing/skills/" + e.id, SelfURI: "/api/v2/users/" + u.id + "/routingskills/" + e.id})
		}
	}
	slices.SortFunc(all, func(a, b userRoutingSkill) int { return cmpNameID(a.Name, a.ID, b.Name, b.ID) })
	sub := "/routingskills"
	if k.language {
		sub = "/routinglanguages"
	}
	return onePage("/api/v2/users/"+u.id+sub, all)
}

// onePage wraps all in a listing envelope holding everything on page 1.
func onePage[T any](path string, all []T) listing[T] {
	return pageOf(page{size: max(len(all), 1), number: 1, path: path}, all)
}

// patchUserRoutingSkillsBulk serves PATCH /api/v2/users/{userId}/routingskills/bulk.
func (s *Server) patchUserRoutingSkillsBulk(w http.ResponseWriter, r *http.Request) {
	s.bulkSkills(w, r, skillsKind, false)
}

// putUserRoutingSkillsBulk serves PUT /api/v2/users/{userId}/routingskills/bulk.
func (s *Server) putUserRoutingSkillsBulk(w http.ResponseWriter, r *http.Request) {
	s.bulkSkills(w, r, skillsKind, true)
}

// patchUserRoutingLanguagesBulk serves PATCH /api/v2/users/{userId}/routinglanguages/bulk.
func (s *Server) patchUserRoutingLanguagesBulk(w http.ResponseWriter, r *http.Request) {
	s.bulkSkills(w, r, languagesKind, false)
}

// bulkSkills adds or updates (PATCH) or replaces (PUT) a user's skills or
// languages: at most 50 entries (400 above), each with a known id, listed
// once, and a proficiency in 0–5. The answer lists all of the user's skills
// (or languages) after the change. The user's version is not bumped: skills
// live in the routing service, not in the user document.
func (s *Server) bulkSkills(w http.ResponseWriter, r *http.Request, k skillKind, replace bool) {
	var body []skillPostBody
	if !wire.DecodeBody(w, r, &body) {
		return
	}
	if body == nil {
		// null, not []: a PUT must never clear the set by accident.
		wire.BadRequest(w, "The request body must be a list of %ss", k.noun)
		return
	}
	if len(body) > k.maxBulk {
		wire.BadRequest(w, "At most %d %ss can be set at a time; %d were given", k.maxBulk, k.noun, len(body))
		return
	}
	if len(body) == 0 && !replace {
		wire.BadRequest(w, "At least one %s is required", k.noun)
		return
	}
	var out listing[userRoutingSkill]
	if !s.changeUser(w, r.PathValue("userId"), func(o *org, i int32) *apiError {
		refs, f := k.resolve(o, body)
		if f != nil {
			return f
		}
		dst := k.refs(&o.users[i])
		if replace {
			*dst = nil
		}
		for _, sr := range refs {
			*dst = setSkill(*dst, sr.ref, sr.proficiency)
		}
		out = k.listing(o, i)
		return nil
	}) {
		return
	}
	wire.WriteJSON(w, http.StatusOK, out)
}

// postUserRoutingSkill serves POST /api/v2/users/{userId}/routingskills:
// one skill added or updated; the answer is the UserRoutingSkill.
func (s *Server) postUserRoutingSkill(w http.ResponseWriter, r *http.Request) {
	s.postSkill(w, r, skillsKind)
}

// postUserRoutingLanguage serves POST /api/v2/users/{userId}/routinglanguages.
func (s *Server) postUserRoutingLanguage(w http.ResponseWriter, r *http.Request) {
	s.postSkill(w, r, languagesKind)
}

// putUserRoutingSkill serves PUT /api/v2/users/{userId}/routingskills/{skillId}:
// the skill's proficiency (added when the user lacks it); the path names
// the skill.
func (s *Server) putUserRoutingSkill(w http.ResponseWriter, r *http.Request) {
	s.setOneSkill(w, r, skillsKind, r.PathValue("skillId"))
}

// patchUserRoutingLanguage serves PATCH /api/v2/users/{userId}/routinglanguages/{languageId}.
func (s *Server) patchUserRoutingLanguage(w http.ResponseWriter, r *http.Request) {
	s.setOneSkill(w, r, languagesKind, r.PathValue("languageId"))
}

func (s *Server) postSkill(w http.ResponseWriter, r *http.Request, k skillKind) {
	s.setOneSkill(w, r, k, "")
}

// setOneSkill adds or updates one skill (language) of a user from a
// UserRoutingSkillPost body; pathID, when set, names it instead of the
// body's id. The answer is the UserRoutingSkill (UserRoutingLanguage).
func (s *Server) setOneSkill(w http.ResponseWriter, r *http.Request, k skillKind, pathID string) {
	var body skillPostBody
	if !wire.DecodeBody(w, r, &body) {
		return
	}
	if pathID != "" {
		if _, ok := s.lookupRef(k, pathID); !ok {
			wire.NotFound(w, "The %s %s does not exist", k.noun, pathID)
			return
		}
		body.ID = &pathID
	}
	var out userRoutingSkill
	if !s.changeUser(w, r.PathValue("userId"), func(o *org, i int32) *apiError {
		refs, f := k.resolve(o, []skillPostBody{body})
		if f != nil {
			return f
		}
		dst := k.refs(&o.users[i])
		*dst = setSkill(*dst, refs[0].ref, refs[0].proficiency)
		for _, e := range k.listing(o, i).Entities {
			if e.ID == *body.ID {
				out = e
			}
		}
		return nil
	}) {
		return
	}
	wire.WriteJSON(w, http.StatusOK, out)
}

// deleteUserRoutingSkill serves DELETE /api/v2/users/{userId}/routingskills/{skillId}.
func (s *Server) deleteUserRoutingSkill(w http.ResponseWriter, r *http.Request) {
	s.deleteSkill(w, r, skillsKind, r.PathValue("skillId"))
}

// deleteUserRoutingLanguage serves DELETE /api/v2/users/{userId}/routinglanguages/{languageId}.
func (s *Server) deleteUserRoutingLanguage(w http.ResponseWriter, r *http.Request) {
	s.deleteSkill(w, r, languagesKind, r.PathValue("languageId"))
}

// deleteSkill removes one skill or language of a user: 204, also when the
// user did not have it (a retried removal succeeds); 404 for an unknown
// user or a skill (language) that does not exist in the org.
func (s *Server) deleteSkill(w http.ResponseWriter, r *http.Request, k skillKind, id string) {
	if !s.changeUser(w, r.PathValue("userId"), func(o *org, i int32) *apiError {
		ref, ok := k.index(o)[id]
		if !ok {
			return notFound("The %s %s does not exist", k.noun, id)
		}
		dst := k.refs(&o.users[i])
		*dst, _ = removeSkill(*dst, ref)
		return nil
	}) {
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// patchUserQueues serves PATCH /api/v2/users/{userId}/queues: body
// [{"id": queueId, "joined": bool}] (at most 100). It joins or unjoins the
// queues the user is a member of; queues the user is not a member of are
// ignored, as the API documents (membership is changed on the queue side).
// Unknown queue ids and entries without joined answer 400. The answer is
// the UserQueueEntityListing of the memberships changed or confirmed.
func (s *Server) patchUserQueues(w http.ResponseWriter, r *http.Request) {
	var body []userQueuePatchBody
	if !wire.DecodeBody(w, r, &body) {
		return
	}
	if len(body) > maxUserQueuesPatch {
		wire.BadRequest(w, "At most %d queues can be patched at a time; %d were given", maxUserQueuesPatch, len(body))
		return
	}
	for n, b := range body {
		if deref(b.ID) == "" || b.Joined == nil {
			wire.BadRequest(w, "Entry %d needs both id and joined", n)
			return
		}
	}
	var out []userQueue
	if !s.changeUser(w, r.PathValue("userId"), func(o *org, i int32) *apiError {
		qs := make([]int32, len(body))
		for n, b := range body {
			q, ok := o.queueID[*b.ID]
			if !ok {
				return badRequest("Entry %d: the queue %s does not exist", n, *b.ID)
			}
			qs[n] = q
		}
		out = []userQueue{}
		for n, q := range qs {
			if o.setJoined(i, q, *body[n].Joined) {
				out = append(out, o.userQueue(q, *body[n].Joined))
			}
		}
		return nil
	}) {
		return
	}
	slices.SortFunc(out, func(a, b userQueue) int { return cmpNameID(a.Name, a.ID, b.Name, b.ID) })
	wire.WriteJSON(w, http.StatusOK, onePage("/api/v2/users/"+r.PathValue("userId")+"/queues", out))
}

// postQueueMembers serves POST /api/v2/routing/queues/{queueId}/members:
// body [{"id": userId}, ...], 1 to 100 entries, every id a user that is
// not deleted (else 400, nothing changes). With delete=true the users stop
// being members at once. Without it the add is asynchronous, as in Genesys
// Cloud: the answer is 202 and the new members appear after
// Config.QueueMemberDelay (0: before the answer). New members start
// unjoined unless Config.JoinNewQueueMembers; existing members keep their
// flag. Users deleted while the add is pending are skipped.
func (s *Server) postQueueMembers(w http.ResponseWriter, r *http.Request) {
	del, ok := parseBool(w, r.URL.Query(), "delete", false)
	if !ok {
		return
	}
	var body []queueMemberBody
	if !wire.DecodeBody(w, r, &body) {
		return
	}
	switch {
	case len(body) == 0:
		wire.BadRequest(w, "At least one member is required")
		return
	case len(body) > maxQueueMembersPost:
		wire.BadRequest(w, "At most %d members can be added or removed at a time; %d were given", maxQueueMembersPost, len(body))
		return
	}
	qid := r.PathValue("queueId")
	delay, joined := s.cfg.QueueMemberDelay, s.cfg.JoinNewQueueMembers
	if !s.change(w, func(o *org) *apiError {
		q, ok := o.queueID[qid]
		if !ok {
			return notFound("The queue %s was not found", qid)
		}
		users := make([]int32, 0, len(body))
		for n, b := range body {
			id := deref(b.ID)
			i, ok := o.byID[id]
			if !ok || o.users[i].state == stDeleted {
				return badRequest("Entry %d: the user %q was not found (deleted users cannot be queue members)", n, id)
			}
			users = append(users, i)
		}
		if del {
			for _, i := range users {
				o.removeMembership(i, q)
			}
			return nil
		}
		add := func(o *org) {
			for _, i := range users {
				if o.users[i].state != stDeleted && !o.isMember(i, q) {
					o.addMembership(i, q, joined && o.users[i].state == stActive)
				}
			}
		}
		if delay <= 0 {
			add(o)
			return nil
		}
		accepted := o
		time.AfterFunc(delay, func() {
			s.write(func(o *org) {
				if o == accepted { // not reset in between
					add(o)
				}
			})
		})
		return nil
	}) {
		return
	}
	w.WriteHeader(http.StatusAccepted)
}

// lookupRef finds a skill or language by id.
func (s *Server) lookupRef(k skillKind, id string) (int32, bool) {
	var ref int32
	var ok bool
	s.read(func(o *org) { ref, ok = k.index(o)[id] })
	return ref, ok
}

// patchUserQueue serves PATCH /api/v2/users/{userId}/queues/{queueId}: body
// a UserQueue whose joined flag is set on the membership. A queue the user
// is not a member of answers 404; the answer is the UserQueue.
func (s *Server) patchUserQueue(w http.ResponseWriter, r *http.Request) {
	var body struct {
		Joined *bool `json:"joined"`
	}
	if !wire.DecodeBody(w, r, &body) {
		return
	}
	if body.Joined == nil {
		wire.BadRequest(w, "joined is required")
		return
	}
	qid := r.PathValue("queueId")
	var out userQueue
	if !s.changeUser(w, r.PathValue("userId"), func(o *org, i int32) *apiError {
		q, ok := o.queueID[qid]
		if !ok || !o.setJoined(i, q, *body.Joined) {
			return notFound("The user %s is not a member of the queue %s", o.users[i].id, qid)
		}
		out = o.userQueue(q, *body.Joined)
		return nil
	}) {
		return
	}
	wire.WriteJSON(w, http.StatusOK, out)
}

// isMember reports whether user i is a member of queue q.
func (o *org) isMember(i, q int32) bool {
	_, ok := slices.BinarySearchFunc(o.users[i].queues, q, func(r queueRef, q int32) int { return int(r.queue - q) })
	return ok
}
