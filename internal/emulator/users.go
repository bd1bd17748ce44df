package emulator

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"sync"

	"github.com/usersync/syncer/internal/emulator/wire"
)

// expand is the set of User expands a request asked for.
type expand uint16

const (
	expSkills expand = 1 << iota
	expLanguages
	expGroups
	expLocations
	expAuthorization
	expEmployerInfo
	expStation
	expProfileSkills
	expDateWelcomeSent
	expDateLastLogin
	expPresence
	expRoutingStatus
	expOutOfOffice
	expTeam
	expCertifications
)

// expPeople are the expands of people.go.
const expPeople = expPresence | expRoutingStatus | expOutOfOffice | expTeam | expCertifications

// expandValues maps every expand value the API documents to the bit the
// emulator renders; documented values the emulator has no data for map to 0
// (accepted, nothing added). Anything else answers 400.
var expandValues = map[string]expand{
	"skills": expSkills, "languages": expLanguages, "groups": expGroups, "locations": expLocations,
	"authorization": expAuthorization, "employerInfo": expEmployerInfo,
	"routingStatus": expRoutingStatus, "presence": expPresence, "integrationPresence": 0, "conversationSummary": 0,
	"outOfOffice": expOutOfOffice, "geolocation": 0, "station": expStation, "lasttokenissued": 0, "authorization.unusedRoles": 0,
	"team": expTeam, "workPlanBidRanks": 0, "profileSkills": expProfileSkills, "certifications": expCertifications, "languagePreference": 0,
	"biography": 0, "dateLastLogin": expDateLastLogin, "dateWelcomeSent": expDateWelcomeSent,
}

// maybeDrop removes the skills and languages expands when the
// expand-drop fault says so (drop is nil when that fault is off).
func (e expand) maybeDrop(drop func() bool) expand {
	if drop != nil && e&(expSkills|expLanguages) != 0 && drop() {
		return e &^ (expSkills | expLanguages)
	}
	return e
}

func parseExpandList(w http.ResponseWriter, vals []string) (expand, bool) {
	var e expand
	for _, v := range vals {
		bit, ok := expandValues[v]
		if !ok {
			wire.BadRequest(w, "expand value %q is not supported", v)
			return 0, false
		}
		e |= bit
	}
	return e, true
}

func parseExpand(w http.ResponseWriter, q url.Values) (expand, bool) {
	return parseExpandList(w, listValues(q, "expand"))
}

// bufPool recycles response buffers of the user listings.
var bufPool = sync.Pool{New: func() any { b := make([]byte, 0, 64<<10); return &b }}

// writeRaw writes a JSON body built by the appenders.
func writeRaw(w http.ResponseWriter, status int, b []byte) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Length", strconv.Itoa(len(b)))
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

// maxIDsPerRequest bounds the id list of GET /api/v2/users.
const maxIDsPerRequest = 100

// getUsers serves GET /api/v2/users.
//
// Users are listed by name then id. state defaults to active; with an id
// list and no state, users of every state are returned (an id lookup should
// find leavers). The deep-paging cap applies to every state.
func (s *Server) getUsers(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	p, ok := parsePage(w, r, pageLimits{defSize: 25, maxSize: 500, cap: s.cfg.PageCap})
	if !ok {
		return
	}
	exp, ok := parseExpand(w, q)
	if !ok {
		return
	}
	desc, ok := parseSortOrder(w, q)
	if !ok {
		return
	}
	ids := listValues(q, "id")
	if len(ids) > maxIDsPerRequest {
		wire.BadRequest(w, "At most %d ids can be requested at once; %d were given", maxIDsPerRequest, len(ids))
		return
	}
	stateFilter := numStates // any
	switch v := q.Get("state"); v {
	case "":
		if len(ids) == 0 {
			stateFilter = stActive
		}
	case "any":
	default:
		st, ok := parseState(v)
		if !ok {
			wire.BadRequest(w, "state %q must be one of active, inactive, deleted, any", v)
			return
		}
		stateFilter = st
	}

	drop := s.faults.expandDropper()
	bp := bufPool.Get().(*[]byte)
	b := (*bp)[:0]
	s.read(func(o *org) {
		var sel []int32
		if len(ids) > 0 {
			sel = make([]int32, 0, len(ids))
			for _, id := range ids {
				i, ok := o.byID[id]
				if ok && (stateFilter == numStates || o.users[i].state == stateFilter) && !slices.Contains(sel, i) {
					sel = append(sel, i)
				}
			}
			slices.SortFunc(sel, o.cmpUser)
		} else {
			sel = o.byState[stateFilter]
		}
		total := len(sel)
		lo, hi := p.bounds(total)
		b = append(b, `{"entities":[`...)
		for k := lo; k < hi; k++ {
			i := sel[k]
			if desc {
				i = sel[total-1-k]
			}
			if k > lo {
				b = append(b, ',')
			}
			b = o.appendUser(b, i, exp.maybeDrop(drop))
		}
		b = append(b, ']')
		b = appendListingTail(b, p, total)
		b = append(b, '}')
	})
	writeRaw(w, http.StatusOK, b)
	*bp = b
	bufPool.Put(bp)
}

// appendListingTail appends the paging fields of a listing after its
// entities.
func appendListingTail(b []byte, p page, total int) []byte {
	l := p.links(total)
	b = appendIntField(b, "pageSize", p.size, false)
	b = appendIntField(b, "pageNumber", p.number, false)
	b = appendIntField(b, "total", total, false)
	b = appendField(b, "firstUri", l.firstURI, false)
	b = appendField(b, "selfUri", l.selfURI, false)
	if l.nextURI != "" {
		b = appendField(b, "nextUri", l.nextURI, false)
	}
	if l.previousURI != "" {
		b = appendField(b, "previousUri", l.previousURI, false)
	}
	b = appendField(b, "lastUri", l.lastURI, false)
	return appendIntField(b, "pageCount", l.pageCount, false)
}

// lookupUser finds the user of the {userId} path value, answering 404 when
// there is none. Deleted users are found only when allowDeleted.
func (s *Server) lookupUser(w http.ResponseWriter, o *org, id string, allowDeleted bool) (int32, bool) {
	i, ok := o.byID[id]
	if !ok || (!allowDeleted && o.users[i].state == stDeleted) {
		wire.NotFound(w, "The user %s was not found", id)
		return 0, false
	}
	return i, true
}

// getUser serves GET /api/v2/users/{userId}: a deleted user is found only
// with state=deleted, and state=deleted finds only deleted users.
func (s *Server) getUser(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	exp, ok := parseExpand(w, q)
	if !ok {
		return
	}
	wantDeleted := false
	switch v := q.Get("state"); v {
	case "", StateActive:
	case StateDeleted:
		wantDeleted = true
	default:
		wire.BadRequest(w, "state %q must be active or deleted", v)
		return
	}
	id := r.PathValue("userId")
	var b []byte
	s.read(func(o *org) {
		i, ok := o.byID[id]
		if !ok || (o.users[i].state == stDeleted) != wantDeleted {
			return
		}
		b = o.appendUser(nil, i, exp)
	})
	if b == nil {
		wire.NotFound(w, "The user %s was not found", id)
		return
	}
	writeRaw(w, http.StatusOK, b)
}

// userRoles returns the distinct roles granted to u (ascending role index)
// and the union of their permissions (sorted).
func (o *org) userRoles(u *user) (roles []int32, perms []string) {
	for _, g := range u.grants {
		if !slices.Contains(roles, g.role) {
			roles = append(roles, g.role)
		}
	}
	slices.Sort(roles)
	for _, r := range roles {
		perms = append(perms, o.roles[r].permissions...)
	}
	slices.Sort(perms)
	return roles, slices.Compact(perms)
}
