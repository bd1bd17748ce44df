package emulator

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/usersync/syncer/internal/emulator/wire"
)

// page is one validated page request of a page-numbered listing.
type page struct {
	size, number int
	path         string
	query        url.Values // the request's other parameters, kept in links
}

// pageLimits are the rules of one listing.
type pageLimits struct {
	defSize int // default pageSize (25 for most listings)
	maxSize int // larger pageSize answers 400
	cap     int // pageNumber*pageSize above it answers 400; 0: no cap
}

// parsePage reads pageSize and pageNumber, answering 400 when they are not
// integers, out of range, or reach past the listing's result cap.
func parsePage(w http.ResponseWriter, r *http.Request, lim pageLimits) (page, bool) {
	q := r.URL.Query()
	p := page{size: lim.defSize, number: 1, path: r.URL.Path, query: q}
	if v := q.Get("pageSize"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			wire.BadRequest(w, "pageSize %q must be a whole number of at least 1", v)
			return p, false
		}
		if n > lim.maxSize {
			wire.BadRequest(w, "The maximum pageSize is %d; %d was requested", lim.maxSize, n)
			return p, false
		}
		p.size = n
	}
	if v := q.Get("pageNumber"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			wire.BadRequest(w, "pageNumber %q must be a whole number of at least 1", v)
			return p, false
		}
		p.number = n
	}
	if lim.cap > 0 && p.number > lim.cap/p.size+1 || lim.cap > 0 && p.number*p.size > lim.cap {
		wire.BadRequest(w, "Paging past the first %d results is not supported (pageNumber %d with pageSize %d); narrow the query", lim.cap, p.number, p.size)
		return p, false
	}
	return p, true
}

// bounds returns the slice [lo, hi) of a total-long result that the page
// covers.
func (p page) bounds(total int) (lo, hi int) {
	lo = min((p.number-1)*p.size, total)
	return lo, min(lo+p.size, total)
}

// pageCount is ceil(total/size).
func (p page) pageCount(total int) int { return (total + p.size - 1) / p.size }

// uri returns the link to page n of the same listing: path, pageSize,
// pageNumber, then the request's other parameters in name order.
func (p page) uri(n int) string {
	var b strings.Builder
	b.WriteString(p.path)
	b.WriteString("?pageSize=")
	b.WriteString(strconv.Itoa(p.size))
	b.WriteString("&pageNumber=")
	b.WriteString(strconv.Itoa(n))
	keys := make([]string, 0, len(p.query))
	for k := range p.query {
		if k != "pageSize" && k != "pageNumber" {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	for _, k := range keys {
		for _, v := range p.query[k] {
			b.WriteByte('&')
			b.WriteString(url.QueryEscape(k))
			b.WriteByte('=')
			b.WriteString(url.QueryEscape(v))
		}
	}
	return b.String()
}

// links are the paging fields of an entity listing. NextURI is empty on the
// last page and PreviousURI on the first.
type links struct {
	total, pageCount                                 int
	firstURI, selfURI, nextURI, previousURI, lastURI string
}

func (p page) links(total int) links {
	l := links{total: total, pageCount: p.pageCount(total)}
	l.firstURI = p.uri(1)
	l.selfURI = p.uri(p.number)
	l.lastURI = p.uri(max(l.pageCount, 1))
	if p.number < l.pageCount {
		l.nextURI = p.uri(p.number + 1)
	}
	if p.number > 1 {
		l.previousURI = p.uri(p.number - 1)
	}
	return l
}

// listing is the envelope of a page-numbered entity listing.
type listing[T any] struct {
	Entities    []T    `json:"entities"`
	PageSize    int    `json:"pageSize"`
	PageNumber  int    `json:"pageNumber"`
	Total       int    `json:"total"`
	FirstURI    string `json:"firstUri"`
	SelfURI     string `json:"selfUri"`
	NextURI     string `json:"nextUri,omitempty"`
	PreviousURI string `json:"previousUri,omitempty"`
	LastURI     string `json:"lastUri"`
	PageCount   int    `json:"pageCount"`
}

// pageOf cuts one page out of all (already filtered and ordered) and wraps
// it in the listing envelope.
func pageOf[T any](p page, all []T) listing[T] {
	lo, hi := p.bounds(len(all))
	l := p.links(len(all))
	ents := all[lo:hi]
	if ents == nil {
		ents = []T{}
	}
	return listing[T]{
		Entities: ents, PageSize: p.size, PageNumber: p.number, Total: l.total,
		FirstURI: l.firstURI, SelfURI: l.selfURI, NextURI: l.nextURI, PreviousURI: l.previousURI,
		LastURI: l.lastURI, PageCount: l.pageCount,
	}
}

// listValues returns the values of a list parameter given repeated and/or
// comma-separated (?id=a,b&id=c), without empties.
func listValues(q url.Values, name string) []string {
	var out []string
	for _, v := range q[name] {
		for part := range strings.SplitSeq(v, ",") {
			if part = strings.TrimSpace(part); part != "" {
				out = append(out, part)
			}
		}
	}
	return out
}

// parseSortOrder reads sortOrder: ASC (default) or DESC, also spelled
// ascending/descending in any case.
func parseSortOrder(w http.ResponseWriter, q url.Values) (desc, ok bool) {
	switch strings.ToLower(q.Get("sortOrder")) {
	case "", "asc", "ascending":
		return false, true
	case "desc", "descending":
		return true, true
	}
	wire.BadRequest(w, "sortOrder %q must be ASC or DESC", q.Get("sortOrder"))
	return false, false
}

// parseBool reads an optional boolean parameter.
func parseBool(w http.ResponseWriter, q url.Values, name string, def bool) (bool, bool) {
	v := q.Get(name)
	if v == "" {
		return def, true
	}
	b, err := strconv.ParseBool(v)
	if err != nil {
		wire.BadRequest(w, "%s %q must be true or false", name, v)
		return false, false
	}
	return b, true
}
