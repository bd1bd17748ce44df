package emulator

import (
	"net/http"
	"slices"

	"github.com/usersync/syncer/internal/emulator/wire"
)

// Wire shapes of the per-user sub-resources (genesys-models.md).
type (
	userRoutingSkill struct {
		ID          string  `json:"id"`
		Name        string  `json:"name"`
		Proficiency float64 `json:"proficiency"`
		State       string  `json:"state"`
		SkillURI    string  `json:"skillUri,omitempty"`
		LanguageURI string  `json:"languageUri,omitempty"`
		SelfURI     string  `json:"selfUri"`
	}
	divisionRef struct {
		ID      string `json:"id"`
		Name    string `json:"name"`
		SelfURI string `json:"selfUri"`
	}
	userQueue struct {
		ID                string      `json:"id"`
		Name              string      `json:"name"`
		Division          divisionRef `json:"division"`
		MemberCount       int         `json:"memberCount"`
		UserMemberCount   int         `json:"userMemberCount"`
		JoinedMemberCount int         `json:"joinedMemberCount"`
		Joined            bool        `json:"joined"`
		SelfURI           string      `json:"selfUri"`
	}
	domainRole struct {
		ID   string `json:"id"`
		Name string `json:"name"`
	}
	userAuthorization struct {
		Roles       []domainRole `json:"roles"`
		UnusedRoles []domainRole `json:"unusedRoles"`
		Permissions []string     `json:"permissions"`
	}
	authzDivisionRef struct {
		ID           string `json:"id"`
		Name         string `json:"name"`
		Description  string `json:"description"`
		HomeDivision bool   `json:"homeDivision"`
		SelfURI      string `json:"selfUri"`
	}
	authzGrant struct {
		SubjectID string           `json:"subjectId"`
		Division  authzDivisionRef `json:"division"`
		Role      domainRole       `json:"role"`
	}
	authzSubject struct {
		ID      string       `json:"id"`
		Name    string       `json:"name"`
		Grants  []authzGrant `json:"grants"`
		Version int          `json:"version"`
		SelfURI string       `json:"selfUri"`
	}
	externalIdentifier struct {
		AuthorityName string `json:"authorityName"`
		ExternalKey   string `json:"externalKey"`
		SelfURI       string `json:"selfUri"`
	}
)

func (o *org) divisionRef(d int32) divisionRef {
	dv := o.divisions[d]
	return divisionRef{ID: dv.id, Name: dv.name, SelfURI: "/api/v2/authorization/divisions/" + dv.id}
}

func (o *org) userQueue(q int32, joined bool) userQueue {
	qu := &o.queues[q]
	return userQueue{
		ID: qu.id, Name: qu.name, Division: o.divisionRef(qu.division),
		MemberCount: len(qu.members), UserMemberCount: len(qu.members), JoinedMemberCount: qu.joined,
		Joined: joined, SelfURI: "/api/v2/routing/queues/" + qu.id,
	}
}

// perUserLimits are the paging rules of the per-user listings.
var perUserLimits = pageLimits{defSize: 25, maxSize: 100}

// getUserRoutingSkills serves GET /api/v2/users/{userId}/routingskills:
// every skill of the user, by skill name.
func (s *Server) getUserRoutingSkills(w http.ResponseWriter, r *http.Request) {
	s.userSkills(w, r, false)
}

// getUserRoutingLanguages serves GET /api/v2/users/{userId}/routinglanguages.
func (s *Server) getUserRoutingLanguages(w http.ResponseWriter, r *http.Request) {
	s.userSkills(w, r, true)
}

func (s *Server) userSkills(w http.ResponseWriter, r *http.Request, language bool) {
	p, ok := parsePage(w, r, perUserLimits)
	if !ok {
		return
	}
	desc, ok := parseSortOrder(w, r.URL.Query())
	if !ok {
		return
	}
	var all []userRoutingSkill
	found := false
	s.read(func(o *org) {
		i, ok := s.lookupUser(w, o, r.PathValue("userId"), false)
		if !ok {
			return
		}
		found = true
		u := &o.users[i]
		refs := u.skills
		if language {
			refs = u.languages
		}
		all = make([]userRoutingSkill, 0, len(refs))
		for _, sr := range refs {
			if language {
				e := o.languages[sr.ref]
				all = append(all, userRoutingSkill{ID: e.id, Name: e.name, Proficiency: sr.proficiency, State: "active",
					LanguageURI: "/api/v2/routing/languages/" + e.id, SelfURI: "/api/v2/users/" + u.id + "/routinglanguages/" + e.id})
			} else {
				e := o.skills[sr.ref]
				all = append(all, userRoutingSkill{ID: e.id, Name: e.name, Proficiency: sr.proficiency, State: "active",
					SkillURI: "/api/v2/routing/skills/" + e.id, SelfURI: "/api/v2/users/" + u.id + "/routingskills/" + e.id})
			}
		}
	})
	if !found {
		return
	}
	slices.SortFunc(all, func(a, b userRoutingSkill) int { return cmpNameID(a.Name, a.ID, b.Name, b.ID) })
	if desc {
		slices.Reverse(all)
	}
	wire.WriteJSON(w, http.StatusOK, pageOf(p, all))
}

// getUserQueues serves GET /api/v2/users/{userId}/queues. joined defaults to
// true: only joined queues are listed unless joined=false, which lists the
// memberships not joined. divisionId filters by the queue's division.
func (s *Server) getUserQueues(w http.ResponseWriter, r *http.Request) {
	p, ok := parsePage(w, r, perUserLimits)
	if !ok {
		return
	}
	q := r.URL.Query()
	joined, ok := parseBool(w, q, "joined", true)
	if !ok {
		return
	}
	divs := listValues(q, "divisionId")
	var all []userQueue
	found := false
	s.read(func(o *org) {
		i, ok := s.lookupUser(w, o, r.PathValue("userId"), false)
		if !ok {
			return
		}
		found = true
		for _, qr := range o.users[i].queues {
			if qr.joined != joined {
				continue
			}
			if len(divs) > 0 && !slices.Contains(divs, o.divisions[o.queues[qr.queue].division].id) {
				continue
			}
			all = append(all, o.userQueue(qr.queue, qr.joined))
		}
	})
	if !found {
		return
	}
	slices.SortFunc(all, func(a, b userQueue) int { return cmpNameID(a.Name, a.ID, b.Name, b.ID) })
	wire.WriteJSON(w, http.StatusOK, pageOf(p, all))
}

// getUserRoles serves GET /api/v2/users/{subjectId}/roles: the user's
// UserAuthorization (distinct roles and their permissions).
func (s *Server) getUserRoles(w http.ResponseWriter, r *http.Request) {
	var out *userAuthorization
	s.read(func(o *org) {
		i, ok := s.lookupUser(w, o, r.PathValue("subjectId"), false)
		if !ok {
			return
		}
		roles, perms := o.userRoles(&o.users[i])
		ua := userAuthorization{Roles: []domainRole{}, UnusedRoles: []domainRole{}, Permissions: perms}
		if perms == nil {
			ua.Permissions = []string{}
		}
		for _, ro := range roles {
			ua.Roles = append(ua.Roles, domainRole{ID: o.roles[ro].id, Name: o.roles[ro].name})
		}
		out = &ua
	})
	if out != nil {
		wire.WriteJSON(w, http.StatusOK, out)
	}
}

// getAuthorizationSubject serves GET /api/v2/authorization/subjects/{subjectId}:
// one grant per (role, division) pair.
func (s *Server) getAuthorizationSubject(w http.ResponseWriter, r *http.Request) {
	var out *authzSubject
	s.read(func(o *org) {
		i, ok := s.lookupUser(w, o, r.PathValue("subjectId"), false)
		if !ok {
			return
		}
		u := &o.users[i]
		sub := authzSubject{ID: u.id, Name: u.name, Grants: []authzGrant{}, Version: int(u.version), SelfURI: "/api/v2/authorization/subjects/" + u.id}
		for _, g := range u.grants {
			d := o.divisions[g.division]
			sub.Grants = append(sub.Grants, authzGrant{
				SubjectID: u.id,
				Division:  authzDivisionRef{ID: d.id, Name: d.name, Description: d.name + " division", HomeDivision: d.home, SelfURI: "/api/v2/authorization/divisions/" + d.id},
				Role:      domainRole{ID: o.roles[g.role].id, Name: o.roles[g.role].name},
			})
		}
		out = &sub
	})
	if out != nil {
		wire.WriteJSON(w, http.StatusOK, out)
	}
}

// getUserExternalIDs serves GET /api/v2/users/{userId}/externalid: the
// user's external identifiers.
func (s *Server) getUserExternalIDs(w http.ResponseWriter, r *http.Request) {
	var out []externalIdentifier
	found := false
	s.read(func(o *org) {
		i, ok := s.lookupUser(w, o, r.PathValue("userId"), true)
		if !ok {
			return
		}
		found = true
		u := &o.users[i]
		out = make([]externalIdentifier, 0, len(u.externalIDs))
		for _, e := range u.externalIDs {
			out = append(out, externalIdentifier{AuthorityName: e.AuthorityName, ExternalKey: e.ExternalKey,
				SelfURI: "/api/v2/users/externalid/" + e.AuthorityName + "/" + e.ExternalKey})
		}
	})
	if found {
		wire.WriteJSON(w, http.StatusOK, out)
	}
}

// getUserByExternalID serves
// GET /api/v2/users/externalid/{authorityName}/{externalKey}: the user
// (any state) the external id is registered to, with expand.
func (s *Server) getUserByExternalID(w http.ResponseWriter, r *http.Request) {
	exp, ok := parseExpand(w, r.URL.Query())
	if !ok {
		return
	}
	auth, key := r.PathValue("authorityName"), r.PathValue("externalKey")
	var b []byte
	s.read(func(o *org) {
		if i, ok := o.byExt[extKey{auth, key}]; ok {
			b = o.appendUser(nil, i, exp)
		}
	})
	if b == nil {
		wire.NotFound(w, "No user has the external id %s/%s", auth, key)
		return
	}
	writeRaw(w, http.StatusOK, b)
}

func cmpNameID(an, aid, bn, bid string) int {
	switch {
	case an < bn:
		return -1
	case an > bn:
		return 1
	case aid < bid:
		return -1
	case aid > bid:
		return 1
	}
	return 0
}
