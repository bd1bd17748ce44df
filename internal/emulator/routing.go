package emulator

import (
	"net/http"
	"slices"
	"strings"

	"github.com/usersync/syncer/internal/emulator/wire"
)

// Wire shapes of the org-wide listings (genesys-models.md).
type (
	queueJSON struct {
		ID                string      `json:"id"`
		Name              string      `json:"name"`
		Division          divisionRef `json:"division"`
		Description       string      `json:"description"`
		DateCreated       string      `json:"dateCreated"`
		MemberCount       int         `json:"memberCount"`
		UserMemberCount   int         `json:"userMemberCount"`
		JoinedMemberCount int         `json:"joinedMemberCount"`
		SelfURI           string      `json:"selfUri"`
	}
	queueMember struct {
		ID         string       `json:"id"`
		Name       string       `json:"name"`
		User       queueUserRef `json:"user"`
		RingNumber int          `json:"ringNumber"`
		Joined     bool         `json:"joined"`
		MemberBy   string       `json:"memberBy"`
		SelfURI    string       `json:"selfUri"`
	}
	queueUserRef struct {
		ID       string      `json:"id"`
		Name     string      `json:"name"`
		Division divisionRef `json:"division"`
		State    string      `json:"state"`
		SelfURI  string      `json:"selfUri"`
	}
	// queueMemberListing is QueueMemberEntityListing: unlike the other
	// listings it has no total, pageCount or lastUri.
	queueMemberListing struct {
		Entities    []queueMember `json:"entities"`
		PageNumber  int           `json:"pageNumber"`
		PageSize    int           `json:"pageSize"`
		FirstURI    string        `json:"firstUri"`
		SelfURI     string        `json:"selfUri"`
		NextURI     string        `json:"nextUri,omitempty"`
		PreviousURI string        `json:"previousUri,omitempty"`
	}
	routingSkillJSON struct {
		ID           string `json:"id"`
		Name         string `json:"name"`
		DateModified string `json:"dateModified"`
		State        string `json:"state"`
		Version      string `json:"version"`
		SelfURI      string `json:"selfUri"`
	}
	authzDivisionJSON struct {
		ID           string `json:"id"`
		Name         string `json:"name"`
		Description  string `json:"description"`
		HomeDivision bool   `json:"homeDivision"`
		SelfURI      string `json:"selfUri"`
	}
	roleJSON struct {
		ID          string   `json:"id"`
		Name        string   `json:"name"`
		Description string   `json:"description"`
		Permissions []string `json:"permissions"`
		UserCount   int      `json:"userCount"`
		Default     bool     `json:"default"`
		Base        bool     `json:"base"`
		SelfURI     string   `json:"selfUri"`
	}
)

// orgListLimits are the paging rules of the reference-data listings.
var orgListLimits = pageLimits{defSize: 25, maxSize: 500}

// generatedDate is the creation/modification date of generated objects.
const generatedDate = "2024-01-02T03:04:05.000Z"

// matchName is the name filter of the reference listings: a
// case-insensitive prefix, or a substring with a leading '*'.
func matchName(filter, name string) bool {
	if filter == "" {
		return true
	}
	f, n := strings.ToLower(strings.TrimSuffix(filter, "*")), strings.ToLower(name)
	if rest, ok := strings.CutPrefix(f, "*"); ok {
		return strings.Contains(n, rest)
	}
	return strings.HasPrefix(n, f)
}

// getRoutingQueues serves GET /api/v2/routing/queues (name, id and
// divisionId filters; by name).
func (s *Server) getRoutingQueues(w http.ResponseWriter, r *http.Request) {
	p, ok := parsePage(w, r, orgListLimits)
	if !ok {
		return
	}
	q := r.URL.Query()
	desc, ok := parseSortOrder(w, q)
	if !ok {
		return
	}
	name, ids, divs := q.Get("name"), listValues(q, "id"), listValues(q, "divisionId")
	var all []queueJSON
	s.read(func(o *org) {
		for k := range o.queues {
			qu := &o.queues[k]
			if !matchName(name, qu.name) || len(ids) > 0 && !slices.Contains(ids, qu.id) ||
				len(divs) > 0 && !slices.Contains(divs, o.divisions[qu.division].id) {
				continue
			}
			all = append(all, queueJSON{
				ID: qu.id, Name: qu.name, Division: o.divisionRef(qu.division), Description: qu.name + " queue",
				DateCreated: generatedDate, MemberCount: len(qu.members), UserMemberCount: len(qu.members),
				JoinedMemberCount: qu.joined, SelfURI: "/api/v2/routing/queues/" + qu.id,
			})
		}
	})
	slices.SortFunc(all, func(a, b queueJSON) int { return cmpNameID(a.Name, a.ID, b.Name, b.ID) })
	if desc {
		slices.Reverse(all)
	}
	wire.WriteJSON(w, http.StatusOK, pageOf(p, all))
}

// getQueueMembers serves GET /api/v2/routing/queues/{queueId}/members: the
// queue's members by name, pageSize at most 100, optional joined filter.
func (s *Server) getQueueMembers(w http.ResponseWriter, r *http.Request) {
	p, ok := parsePage(w, r, pageLimits{defSize: 25, maxSize: 100})
	if !ok {
		return
	}
	q := r.URL.Query()
	var joinedFilter *bool
	if q.Get("joined") != "" {
		j, ok := parseBool(w, q, "joined", false)
		if !ok {
			return
		}
		joinedFilter = &j
	}
	desc, ok := parseSortOrder(w, q)
	if !ok {
		return
	}
	id := r.PathValue("queueId")
	var all []queueMember
	found := false
	s.read(func(o *org) {
		qi, ok := o.queueID[id]
		if !ok {
			return
		}
		found = true
		members := slices.Clone(o.queues[qi].members)
		slices.SortFunc(members, o.cmpUser)
		for _, i := range members {
			u := &o.users[i]
			k, _ := slices.BinarySearchFunc(u.queues, qi, func(r queueRef, q int32) int { return int(r.queue - q) })
			joined := u.queues[k].joined
			if joinedFilter != nil && joined != *joinedFilter {
				continue
			}
			all = append(all, queueMember{
				ID: u.id, Name: u.name, RingNumber: 1, Joined: joined, MemberBy: "user",
				User:    queueUserRef{ID: u.id, Name: u.name, Division: o.divisionRef(u.division), State: u.state.String(), SelfURI: "/api/v2/users/" + u.id},
				SelfURI: "/api/v2/users/" + u.id,
			})
		}
	})
	if !found {
		wire.NotFound(w, "The queue %s was not found", id)
		return
	}
	if desc {
		slices.Reverse(all)
	}
	full := pageOf(p, all)
	wire.WriteJSON(w, http.StatusOK, queueMemberListing{
		Entities: full.Entities, PageNumber: full.PageNumber, PageSize: full.PageSize,
		FirstURI: full.FirstURI, SelfURI: full.SelfURI, NextURI: full.NextURI, PreviousURI: full.PreviousURI,
	})
}

// getRoutingSkills serves GET /api/v2/routing/skills (name filter, by name).
func (s *Server) getRoutingSkills(w http.ResponseWriter, r *http.Request) {
	s.listSkills(w, r, false)
}

// getRoutingLanguages serves GET /api/v2/routing/languages.
func (s *Server) getRoutingLanguages(w http.ResponseWriter, r *http.Request) {
	s.listSkills(w, r, true)
}

func (s *Server) listSkills(w http.ResponseWriter, r *http.Request, language bool) {
	p, ok := parsePage(w, r, orgListLimits)
	if !ok {
		return
	}
	q := r.URL.Query()
	desc, ok := parseSortOrder(w, q)
	if !ok {
		return
	}
	name, ids := q.Get("name"), listValues(q, "id")
	var all []routingSkillJSON
	s.read(func(o *org) {
		src, prefix := o.skills, "/api/v2/routing/skills/"
		if language {
			src, prefix = o.languages, "/api/v2/routing/languages/"
		}
		for _, e := range src {
			if !matchName(name, e.name) || len(ids) > 0 && !slices.Contains(ids, e.id) {
				continue
			}
			all = append(all, routingSkillJSON{ID: e.id, Name: e.name, DateModified: generatedDate, State: "active", Version: "1", SelfURI: prefix + e.id})
		}
	})
	slices.SortFunc(all, func(a, b routingSkillJSON) int { return cmpNameID(a.Name, a.ID, b.Name, b.ID) })
	if desc {
		slices.Reverse(all)
	}
	wire.WriteJSON(w, http.StatusOK, pageOf(p, all))
}

// getDivisions serves GET /api/v2/authorization/divisions (name and id
// filters, by name).
func (s *Server) getDivisions(w http.ResponseWriter, r *http.Request) {
	p, ok := parsePage(w, r, orgListLimits)
	if !ok {
		return
	}
	q := r.URL.Query()
	name, ids := q.Get("name"), listValues(q, "id")
	var all []authzDivisionJSON
	s.read(func(o *org) {
		for _, d := range o.divisions {
			if !matchName(name, d.name) || len(ids) > 0 && !slices.Contains(ids, d.id) {
				continue
			}
			all = append(all, authzDivisionJSON{ID: d.id, Name: d.name, Description: d.name + " division", HomeDivision: d.home, SelfURI: "/api/v2/authorization/divisions/" + d.id})
		}
	})
	slices.SortFunc(all, func(a, b authzDivisionJSON) int { return cmpNameID(a.Name, a.ID, b.Name, b.ID) })
	wire.WriteJSON(w, http.StatusOK, pageOf(p, all))
}

// getRoles serves GET /api/v2/authorization/roles (name filter, by name),
// with userCount counted over users not deleted.
func (s *Server) getRoles(w http.ResponseWriter, r *http.Request) {
	p, ok := parsePage(w, r, orgListLimits)
	if !ok {
		return
	}
	q := r.URL.Query()
	name, ids := q.Get("name"), listValues(q, "id")
	var all []roleJSON
	s.read(func(o *org) {
		counts := make([]int, len(o.roles))
		seen := make([]bool, len(o.roles))
		for i := range o.users {
			u := &o.users[i]
			if u.state == stDeleted {
				continue
			}
			clear(seen)
			for _, g := range u.grants {
				if !seen[g.role] {
					seen[g.role] = true
					counts[g.role]++
				}
			}
		}
		for k, ro := range o.roles {
			if !matchName(name, ro.name) || len(ids) > 0 && !slices.Contains(ids, ro.id) {
				continue
			}
			all = append(all, roleJSON{ID: ro.id, Name: ro.name, Description: ro.description, Permissions: slices.Clone(ro.permissions),
				UserCount: counts[k], Default: k == 0, Base: k == 0, SelfURI: "/api/v2/authorization/roles/" + ro.id})
		}
	})
	slices.SortFunc(all, func(a, b roleJSON) int { return cmpNameID(a.Name, a.ID, b.Name, b.ID) })
	wire.WriteJSON(w, http.StatusOK, pageOf(p, all))
}
