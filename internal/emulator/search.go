package emulator

import (
	"cmp"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/usersync/syncer/internal/emulator/wire"
)

// searchRequest is UserSearchRequest.
type searchRequest struct {
	SortOrder  string           `json:"sortOrder,omitempty"`
	SortBy     string           `json:"sortBy,omitempty"`
	PageSize   int              `json:"pageSize,omitempty"`
	PageNumber int              `json:"pageNumber,omitempty"`
	Expand     []string         `json:"expand,omitempty"`
	Query      []searchCriteria `json:"query,omitempty"`
}

// searchCriteria is UserSearchCriteria.
type searchCriteria struct {
	Type     string           `json:"type"`
	Fields   []string         `json:"fields,omitempty"`
	Value    string           `json:"value,omitempty"`
	Values   []string         `json:"values,omitempty"`
	Operator string           `json:"operator,omitempty"`
	Group    []searchCriteria `json:"group,omitempty"`
}

// searchFields are the user fields a search can query, and how to read them.
var searchFields = map[string]func(o *org, u *user) string{
	"id":                      func(_ *org, u *user) string { return u.id },
	"name":                    func(_ *org, u *user) string { return u.name },
	"email":                   func(_ *org, u *user) string { return u.email },
	"username":                func(_ *org, u *user) string { return u.username },
	"state":                   func(_ *org, u *user) string { return u.state.String() },
	"title":                   func(_ *org, u *user) string { return u.title },
	"department":              func(_ *org, u *user) string { return u.department },
	"divisionId":              func(o *org, u *user) string { return o.divisions[u.division].id },
	"division.id":             func(o *org, u *user) string { return o.divisions[u.division].id },
	"manager.id":              func(o *org, u *user) string { return managerID(o, u) },
	"managerId":               func(o *org, u *user) string { return managerID(o, u) },
	"employerInfo.employeeId": func(_ *org, u *user) string { return u.employeeID },
}

func managerID(o *org, u *user) string {
	if u.manager < 0 {
		return ""
	}
	return o.users[u.manager].id
}

// matcher is a compiled criterion.
type matcher func(o *org, u *user) bool

// compileCriteria turns criteria into one matcher (the criteria ANDed) and
// reports whether any of them constrains state.
func compileCriteria(cs []searchCriteria, and bool) (matcher, bool, error) {
	var ms []matcher
	usesState := false
	for n, c := range cs {
		m, st, err := compileCriterion(c)
		if err != nil {
			return nil, false, fmt.Errorf("query[%d]: %w", n, err)
		}
		ms = append(ms, m)
		usesState = usesState || st
	}
	return func(o *org, u *user) bool {
		for _, m := range ms {
			if m(o, u) != and {
				return !and
			}
		}
		return and
	}, usesState, nil
}

func compileCriterion(c searchCriteria) (matcher, bool, error) {
	if len(c.Group) > 0 {
		var and bool
		switch strings.ToUpper(cmp.Or(c.Operator, "AND")) {
		case "AND":
			and = true
		case "OR":
		default:
			return nil, false, fmt.Errorf("operator %q must be AND or OR", c.Operator)
		}
		return compileCriteria(c.Group, and)
	}
	if len(c.Fields) == 0 && c.Type != "MATCH_ALL" {
		return nil, false, fmt.Errorf("fields are required for type %q", c.Type)
	}
	var getters []func(o *org, u *user) string
	usesState := false
	for _, f := range c.Fields {
		g, ok := searchFields[f]
		if !ok {
			return nil, false, fmt.Errorf("field %q cannot be searched", f)
		}
		getters = append(getters, g)
		usesState = usesState || f == "state"
	}
	values := c.Values
	if c.Value != "" {
		values = append([]string{c.Value}, values...)
	}
	lower := make([]string, len(values))
	for k, v := range values {
		lower[k] = strings.ToLower(v)
	}
	var test func(field string) bool
	switch c.Type {
	case "MATCH_ALL":
		return func(*org, *user) bool { return true }, false, nil
	case "REQUIRED_FIELDS":
		test = func(field string) bool { return field != "" }
	case "EXACT":
		test = func(field string) bool {
			return slices.ContainsFunc(values, func(v string) bool { return strings.EqualFold(field, v) })
		}
	case "TERM":
		test = func(field string) bool {
			f := strings.ToLower(field)
			return slices.ContainsFunc(lower, func(v string) bool {
				return f == v || slices.Contains(strings.FieldsFunc(f, isTermSeparator), v)
			})
		}
	case "CONTAINS":
		test = func(field string) bool {
			f := strings.ToLower(field)
			return slices.ContainsFunc(lower, func(v string) bool { return strings.Contains(f, v) })
		}
	case "STARTS_WITH":
		test = func(field string) bool {
			f := strings.ToLower(field)
			return slices.ContainsFunc(lower, func(v string) bool { return strings.HasPrefix(f, v) })
		}
	default:
		return nil, false, fmt.Errorf("query type %q is not supported (EXACT, TERM, CONTAINS, STARTS_WITH, REQUIRED_FIELDS, MATCH_ALL)", c.Type)
	}
	if c.Type != "REQUIRED_FIELDS" && len(values) == 0 {
		return nil, false, fmt.Errorf("value or values are required for type %q", c.Type)
	}
	return func(o *org, u *user) bool {
		for _, g := range getters {
			if test(g(o, u)) {
				return true
			}
		}
		return false
	}, usesState, nil
}

func isTermSeparator(r rune) bool { return r == ' ' || r == '.' || r == '@' || r == '-' || r == '_' }

// searchSortKeys are the sortBy values accepted (name is the default).
var searchSortKeys = map[string]func(o *org, u *user) string{
	"id": searchFields["id"], "email": searchFields["email"], "department": searchFields["department"],
	"title": searchFields["title"], "state": searchFields["state"], "username": searchFields["username"],
}

// postUsersSearch serves POST /api/v2/users/search.
func (s *Server) postUsersSearch(w http.ResponseWriter, r *http.Request) {
	var req searchRequest
	if !wire.DecodeBody(w, r, &req) {
		return
	}
	s.search(w, req)
}

// getUsersSearch serves GET /api/v2/users/search?q64=…: the search encoded
// in a previous answer's page links. An expand parameter overrides the
// encoded one.
func (s *Server) getUsersSearch(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	raw, err := base64.StdEncoding.DecodeString(q.Get("q64"))
	if err != nil || q.Get("q64") == "" {
		wire.BadRequest(w, "q64 must be a base64-encoded search request")
		return
	}
	var req searchRequest
	if err := json.Unmarshal(raw, &req); err != nil {
		wire.BadRequest(w, "q64 does not hold a search request: %v", err)
		return
	}
	if exp := listValues(q, "expand"); len(exp) > 0 {
		req.Expand = exp
	}
	s.search(w, req)
}

func (s *Server) search(w http.ResponseWriter, req searchRequest) {
	req.PageSize = cmp.Or(req.PageSize, 25)
	req.PageNumber = cmp.Or(req.PageNumber, 1)
	switch {
	case req.PageSize < 1 || req.PageSize > 100:
		wire.BadRequest(w, "pageSize %d must be between 1 and 100", req.PageSize)
		return
	case req.PageNumber < 1:
		wire.BadRequest(w, "pageNumber %d must be at least 1", req.PageNumber)
		return
	case s.cfg.SearchCap > 0 && (req.PageNumber > s.cfg.SearchCap/req.PageSize+1 || req.PageNumber*req.PageSize > s.cfg.SearchCap):
		wire.BadRequest(w, "Search results past the first %d cannot be read (pageNumber %d with pageSize %d); narrow the query", s.cfg.SearchCap, req.PageNumber, req.PageSize)
		return
	}
	exp, ok := parseExpandList(w, req.Expand)
	if !ok {
		return
	}
	var desc bool
	switch strings.ToUpper(req.SortOrder) {
	case "", "ASC", "ASCENDING", "SCORE":
	case "DESC", "DESCENDING":
		desc = true
	default:
		wire.BadRequest(w, "sortOrder %q must be ASC or DESC", req.SortOrder)
		return
	}
	var sortKey func(o *org, u *user) string
	if req.SortBy != "" && req.SortBy != "name" {
		if sortKey = searchSortKeys[req.SortBy]; sortKey == nil {
			wire.BadRequest(w, "sortBy %q is not supported", req.SortBy)
			return
		}
	}
	m, usesState, err := compileCriteria(req.Query, true)
	if err != nil {
		wire.BadRequest(w, "%v", err)
		return
	}
	// Without a state criterion a search finds active users only.
	src := numStates
	if !usesState {
		src = stActive
	}

	drop := s.faults.expandDropper()
	bp := bufPool.Get().(*[]byte)
	b := (*bp)[:0]
	s.read(func(o *org) {
		var hits []int32
		for _, i := range o.byState[src] {
			if m(o, &o.users[i]) {
				hits = append(hits, i)
			}
		}
		if sortKey != nil {
			slices.SortStableFunc(hits, func(a, b int32) int {
				return strings.Compare(sortKey(o, &o.users[a]), sortKey(o, &o.users[b]))
			})
		}
		if desc {
			slices.Reverse(hits)
		}
		total := len(hits)
		pageCount := (total + req.PageSize - 1) / req.PageSize
		lo := min((req.PageNumber-1)*req.PageSize, total)
		hi := min(lo+req.PageSize, total)
		b = appendIntField(append(b, '{'), "total", total, true)
		b = appendIntField(b, "pageCount", pageCount, false)
		b = appendIntField(b, "pageSize", req.PageSize, false)
		b = appendIntField(b, "pageNumber", req.PageNumber, false)
		if req.PageNumber > 1 {
			b = appendField(b, "previousPage", searchPageURI(req, req.PageNumber-1), false)
		}
		b = appendField(b, "currentPage", searchPageURI(req, req.PageNumber), false)
		if req.PageNumber < pageCount {
			b = appendField(b, "nextPage", searchPageURI(req, req.PageNumber+1), false)
		}
		b = append(b, `,"types":["users"],"results":[`...)
		for k := lo; k < hi; k++ {
			if k > lo {
				b = append(b, ',')
			}
			b = o.appendUser(b, hits[k], exp.maybeDrop(drop))
		}
		b = append(b, "]}"...)
	})
	writeRaw(w, http.StatusOK, b)
	*bp = b
	bufPool.Put(bp)
}

// searchPageURI is the reusable link to page n of a search.
func searchPageURI(req searchRequest, n int) string {
	req.PageNumber = n
	raw, _ := json.Marshal(req)
	return "/api/v2/users/search?q64=" + url.QueryEscape(base64.StdEncoding.EncodeToString(raw))
}
