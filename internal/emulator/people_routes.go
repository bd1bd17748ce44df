package emulator

import (
	"cmp"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/usersync/syncer/internal/emulator/wire"
)

// groupJSON is a Group of GET /api/v2/groups.
type groupJSON struct {
	ID           string `json:"id"`
	Name         string `json:"name"`
	Description  string `json:"description,omitempty"`
	DateModified string `json:"dateModified"`
	MemberCount  int    `json:"memberCount"`
	State        string `json:"state"`
	Version      int    `json:"version"`
	Type         string `json:"type"`
	RulesVisible bool   `json:"rulesVisible"`
	Visibility   string `json:"visibility"`
	SelfURI      string `json:"selfUri"`
}

// groupListLimits are the paging rules of GET /api/v2/groups: pageSize 25
// by default (doc); at most 100 (unsure: the Terraform provider reads
// pages of 100; no maximum is documented).
var groupListLimits = pageLimits{defSize: 25, maxSize: 100}

// getGroups serves GET /api/v2/groups: the org's groups by name (sortOrder
// ascending or descending), optionally only those of id. memberCount
// counts the users not deleted who have the group, the users whose groups
// expand names it. jabberId cannot be combined with id (400, doc); the
// emulator's groups have no jabber ids, so a jabberId list finds none.
func (s *Server) getGroups(w http.ResponseWriter, r *http.Request) {
	p, ok := parsePage(w, r, groupListLimits)
	if !ok {
		return
	}
	q := r.URL.Query()
	desc, ok := parseSortOrder(w, q)
	if !ok {
		return
	}
	ids, jabber := listValues(q, "id"), listValues(q, "jabberId")
	if len(ids) > 0 && len(jabber) > 0 {
		wire.BadRequest(w, "jabberId cannot be used with id")
		return
	}
	var all []groupJSON
	s.read(func(o *org) {
		counts := make([]int, len(o.groups))
		for i := range o.users {
			if o.users[i].state == stDeleted {
				continue
			}
			for _, g := range o.users[i].groups {
				counts[g]++
			}
		}
		for k, e := range o.groups {
			if (len(ids) > 0 && !slices.Contains(ids, e.id)) || len(jabber) > 0 {
				continue
			}
			m := o.groupMeta[k]
			all = append(all, groupJSON{ID: e.id, Name: e.name, Description: m.description, DateModified: formatMs(m.modified),
				MemberCount: counts[k], State: "active", Version: int(m.version), Type: m.typ, RulesVisible: m.rulesVisible,
				Visibility: m.visibility, SelfURI: "/api/v2/groups/" + e.id})
		}
	})
	slices.SortFunc(all, func(a, b groupJSON) int { return cmpNameID(a.Name, a.ID, b.Name, b.ID) })
	if desc {
		slices.Reverse(all)
	}
	wire.WriteJSON(w, http.StatusOK, pageOf(p, all))
}

// getUserOutOfOffice serves GET /api/v2/users/{userId}/outofoffice: the
// user's OutOfOffice, as the outOfOffice expand renders it.
func (s *Server) getUserOutOfOffice(w http.ResponseWriter, r *http.Request) {
	var b []byte
	if !s.readUser(w, r, func(o *org, u *user) { b = o.appendOutOfOffice(nil, u) }) {
		return
	}
	writeRaw(w, http.StatusOK, b)
}

// Development activities: GET /api/v2/users/development/activities.
const (
	// maxActivityUsers is the most userId values of one request (doc: "up
	// to 100 user IDs").
	maxActivityUsers = 100
	// maxActivityWindow is the longest interval and completionInterval:
	// the reference says "a maximum of 1 year" (older SDK docs: "365
	// days"); the emulator reads it as 365 days, which a calendar year with
	// a 29 February exceeds (unsure).
	maxActivityWindow = 365 * 24 * time.Hour
	// Permissions of the endpoint: either opens it (doc); the results are
	// "filtered based on the applicable permissions": the emulator shows
	// coaching appointments only with the coaching one and learning
	// assignments only with the learning one (unsure).
	permLearningAssignmentView  = "learning:assignment:view"
	permCoachingAppointmentView = "coaching:appointment:view"
)

// activityListLimits are the paging rules: pageSize 25 by default (doc),
// at most 100 (unsure: undocumented), and the org's deep-paging cap.
func (s *Server) activityListLimits() pageLimits {
	return pageLimits{defSize: 25, maxSize: 100, cap: s.cfg.PageCap}
}

// activityQuery is a parsed GET /api/v2/users/development/activities.
type activityQuery struct {
	userIDs            []string
	moduleID           string
	due, completion    [2]int64 // [start, end) Unix ms; end 0: no filter
	overdue, pass      string   // True, False or Any (case as given)
	types, statuses    []uint8  // nil: any
	desc               bool
	coaching, learning bool // what the client's permissions show
}

// parseInterval reads an ISO-8601 "start/end" interval: start before end,
// at most maxActivityWindow apart; milliseconds are truncated (doc). Times
// without a zone are UTC, as the reference's example
// (YYYY-MM-DDThh:mm:ss/YYYY-MM-DDThh:mm:ss) has none.
func parseActivityInterval(name, v string) ([2]int64, *apiError) {
	a, b, ok := strings.Cut(v, "/")
	if !ok {
		return [2]int64{}, badRequest("%s %q must be an ISO-8601 interval start/end", name, v)
	}
	start, err1 := parseISOTime(a)
	end, err2 := parseISOTime(b)
	if err1 != nil || err2 != nil {
		return [2]int64{}, badRequest("%s %q must be an ISO-8601 interval start/end, e.g. 2024-01-01T00:00:00Z/2024-04-01T00:00:00Z", name, v)
	}
	start, end = start.Truncate(time.Second), end.Truncate(time.Second)
	if !start.Before(end) {
		return [2]int64{}, badRequest("%s %q: the start must be before the end", name, v)
	}
	if end.Sub(start) > maxActivityWindow {
		return [2]int64{}, badRequest("%s %q is longer than the maximum of 1 year (%d days)", name, v, int(maxActivityWindow/(24*time.Hour)))
	}
	return [2]int64{start.UnixMilli(), end.UnixMilli()}, nil
}

func parseISOTime(s string) (time.Time, error) {
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05.999999999", "2006-01-02T15:04", "2006-01-02"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), nil
		}
	}
	_, err := time.Parse(time.RFC3339, s)
	return time.Time{}, err
}

// parseEnumList reads a list parameter whose values must be among names
// (compared as spelled, case-insensitively) into their indexes.
func parseEnumList(q url.Values, name string, names []string) ([]uint8, *apiError) {
	var out []uint8
	for _, v := range listValues(q, name) {
		k := slices.IndexFunc(names, func(n string) bool { return strings.EqualFold(n, v) })
		if k < 0 {
			return nil, badRequest("%s %q must be one of %s", name, v, strings.Join(names, ", "))
		}
		out = append(out, uint8(k))
	}
	return out, nil
}

// parseTriState reads a True/False/Any parameter (default Any).
func parseTriState(q url.Values, name string) (string, *apiError) {
	v := q.Get(name)
	switch strings.ToLower(v) {
	case "", "any":
		return "Any", nil
	case "true":
		return "True", nil
	case "false":
		return "False", nil
	}
	return "", badRequest("%s %q must be True, False or Any", name, v)
}

func (s *Server) parseActivityQuery(r *http.Request) (activityQuery, *apiError) {
	q := r.URL.Query()
	var aq activityQuery
	aq.userIDs = listValues(q, "userId")
	aq.moduleID = strings.TrimSpace(q.Get("moduleId"))
	if len(aq.userIDs) == 0 && aq.moduleID == "" {
		return aq, badRequest("Either moduleId or userId is required")
	}
	if len(aq.userIDs) > maxActivityUsers {
		return aq, badRequest("At most %d userId values can be requested at once; %d were given", maxActivityUsers, len(aq.userIDs))
	}
	var fail *apiError
	if v := q.Get("interval"); v != "" {
		if aq.due, fail = parseActivityInterval("interval", v); fail != nil {
			return aq, fail
		}
	}
	if v := q.Get("completionInterval"); v != "" {
		if aq.completion, fail = parseActivityInterval("completionInterval", v); fail != nil {
			return aq, fail
		}
	}
	if aq.overdue, fail = parseTriState(q, "overdue"); fail != nil {
		return aq, fail
	}
	if aq.pass, fail = parseTriState(q, "pass"); fail != nil {
		return aq, fail
	}
	if aq.types, fail = parseEnumList(q, "types", activityTypes); fail != nil {
		return aq, fail
	}
	if aq.statuses, fail = parseEnumList(q, "statuses", activityStatuses); fail != nil {
		return aq, fail
	}
	// relationship qualifies the current user, which a client-credentials
	// token does not have: validated, then ignored (unsure).
	if _, fail = parseEnumList(q, "relationship", []string{"Creator", "Facilitator", "Attendee"}); fail != nil {
		return aq, fail
	}
	switch v := q.Get("sortOrder"); strings.ToLower(v) {
	case "", "desc":
		aq.desc = true
	case "asc":
	default:
		return aq, badRequest("sortOrder %q must be Asc or Desc", v)
	}
	denied := *s.denied.Load()
	aq.coaching, aq.learning = !denied[permCoachingAppointmentView], !denied[permLearningAssignmentView]
	return aq, nil
}

// match reports whether activity a of attendee i passes the query's
// filters other than userId and moduleId.
func (o *org) matchActivity(aq *activityQuery, a *activity, now int64) bool {
	typ := o.activityType(a)
	switch {
	case typ == actCoaching && !aq.coaching, typ != actCoaching && !aq.learning:
		return false
	case aq.due[1] != 0 && (a.due < aq.due[0] || a.due >= aq.due[1]):
		return false
	case aq.completion[1] != 0 && (a.completed == 0 || a.completed < aq.completion[0] || a.completed >= aq.completion[1]):
		return false
	case aq.overdue == "True" && !a.overdue(now), aq.overdue == "False" && a.overdue(now):
		return false
	case aq.pass == "True" && (a.score < 0 || a.score < passMark), aq.pass == "False" && (a.score < 0 || a.score >= passMark):
		return false
	case aq.types != nil && !slices.Contains(aq.types, typ), aq.statuses != nil && !slices.Contains(aq.statuses, a.status):
		return false
	}
	return true
}

// activityRef is one matching activity: its attendee and its index there.
type activityRef struct {
	user int32
	k    int32
}

// getDevelopmentActivities serves GET /api/v2/users/development/activities:
// the development activities of the userId users (any relationship: as
// attendee, facilitator or creator, doc) and/or of the module moduleId,
// filtered, sorted by dateDue (Desc by default) then id, paged. Unknown
// user and module ids match nothing.
func (s *Server) getDevelopmentActivities(w http.ResponseWriter, r *http.Request) {
	p, ok := parsePage(w, r, s.activityListLimits())
	if !ok {
		return
	}
	aq, fail := s.parseActivityQuery(r)
	if fail != nil {
		fail.write(w)
		return
	}
	bp := bufPool.Get().(*[]byte)
	b := (*bp)[:0]
	s.read(func(o *org) {
		now := o.clock()
		var users []int32 // user indexes plus one, sorted
		for _, id := range aq.userIDs {
			if i, ok := o.byID[id]; ok {
				users = insertSorted(users, i+1)
			}
		}
		module := int16(-2) // -2: no module filter
		if aq.moduleID != "" {
			module = -3 // an unknown module matches nothing
			for k, m := range o.modules {
				if m.id == aq.moduleID {
					module = int16(k)
				}
			}
		}
		related := func(i int32, a *activity) bool {
			if len(aq.userIDs) == 0 {
				return true
			}
			for _, x := range [3]int32{i + 1, a.facilitator, a.creator} {
				if _, ok := slices.BinarySearch(users, x); ok && x != 0 {
					return true
				}
			}
			return false
		}
		var hits []activityRef
		for i := range o.users {
			for k := range o.users[i].activities {
				a := &o.users[i].activities[k]
				if (module == -2 || a.module == module) && related(int32(i), a) && o.matchActivity(&aq, a, now) {
					hits = append(hits, activityRef{int32(i), int32(k)})
				}
			}
		}
		ids := make(map[activityRef]string, len(hits))
		for _, h := range hits {
			ids[h] = o.activityID(o.users[h.user].activities[h.k].serial)
		}
		slices.SortFunc(hits, func(x, y activityRef) int {
			ax, ay := &o.users[x.user].activities[x.k], &o.users[y.user].activities[y.k]
			c := cmp.Compare(ax.due, ay.due)
			if aq.desc {
				c = -c
			}
			return cmp.Or(c, strings.Compare(ids[x], ids[y]))
		})
		total := len(hits)
		lo, hi := p.bounds(total)
		b = append(b, `{"entities":[`...)
		for k := lo; k < hi; k++ {
			if k > lo {
				b = append(b, ',')
			}
			h := hits[k]
			b = o.appendActivity(b, &o.users[h.user], &o.users[h.user].activities[h.k], now)
		}
		b = append(b, ']')
		b = appendListingTail(b, p, total)
		b = append(b, '}')
	})
	writeRaw(w, http.StatusOK, b)
	*bp = b
	bufPool.Put(bp)
}
