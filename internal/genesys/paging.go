package genesys

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"net/url"
	"strconv"
)

// Page sizes and limits of the API, for planners that estimate a run's
// calls before making them.
const (
	// PagingCap is the number of results a page-numbered listing can reach:
	// a page past it answers 400.
	PagingCap = 10000
	// MaxUsersPageSize is the largest pageSize of GET /api/v2/users.
	MaxUsersPageSize = 500
	// MaxSearchPageSize is the largest pageSize of POST /api/v2/users/search.
	MaxSearchPageSize = 100
	// MaxUserQueuesPageSize is the largest pageSize of GET /users/{id}/queues.
	MaxUserQueuesPageSize = 100
	// MaxUserRoutingPageSize is the page size used for a user's routing
	// skills and languages.
	MaxUserRoutingPageSize = 100
	// MaxQueuesPageSize is the largest pageSize of GET /routing/queues.
	MaxQueuesPageSize = 500
	// MaxQueueMembersPageSize is the largest pageSize of
	// GET /routing/queues/{id}/members.
	MaxQueueMembersPageSize = 100
	// MaxReferencePageSize is the page size for skills, languages,
	// divisions and roles.
	MaxReferencePageSize = 500
	// MaxLocationsPageSize is the page size of GET /api/v2/locations (100
	// is seen working in the Terraform provider; the default is 25).
	MaxLocationsPageSize = 100
	// MaxDetailsResultsPageSize is the page size of analytics user details
	// job results.
	MaxDetailsResultsPageSize = 1000
	// MaxBulkUsers is the most users one PATCH /users/bulk changes.
	MaxBulkUsers = 50
	// MaxBulkSkills is the most skills one routingskills/bulk call sends.
	MaxBulkSkills = 50
	// MaxBulkLanguages is the most languages one routinglanguages/bulk call
	// sends.
	MaxBulkLanguages = 50
	// MaxQueueMembersPerCall is the most members one POST
	// /routing/queues/{id}/members adds or removes.
	MaxQueueMembersPerCall = 100
	// MaxExternalIDsPerUser is the most external ids a user can have.
	MaxExternalIDsPerUser = 100
)

// Pages is the number of calls a page-numbered listing of total results
// takes at pageSize (at least one: an empty listing still costs a call).
func Pages(total, pageSize int) int {
	if pageSize <= 0 {
		return 0
	}
	return max(1, (total+pageSize-1)/pageSize)
}

// Listing is one page of a page-numbered listing.
type Listing[T any] struct {
	Entities    []T    `json:"entities"`
	PageSize    int    `json:"pageSize,omitempty"`
	PageNumber  int    `json:"pageNumber,omitempty"`
	Total       int    `json:"total,omitempty"`
	PageCount   int    `json:"pageCount,omitempty"`
	FirstURI    string `json:"firstUri,omitempty"`
	SelfURI     string `json:"selfUri,omitempty"`
	NextURI     string `json:"nextUri,omitempty"`
	PreviousURI string `json:"previousUri,omitempty"`
	LastURI     string `json:"lastUri,omitempty"`
}

// ListOptions are the paging parameters of a page-numbered listing. A zero
// PageNumber is the first page; a zero PageSize is the endpoint's largest.
type ListOptions struct {
	PageSize   int
	PageNumber int
	// PagingCap, when set, is the deep-paging cap the page iterators keep
	// under: before asking for a page that reaches past PagingCap results
	// they end with a *PagingCapError, without the call. Zero: only the
	// API's 400 tells. It is not sent.
	PagingCap int
}

func (o ListOptions) values(defaultSize int) url.Values {
	v := url.Values{}
	v.Set("pageSize", strconv.Itoa(pageSizeOr(o.PageSize, defaultSize)))
	v.Set("pageNumber", strconv.Itoa(max(o.PageNumber, 1)))
	return v
}

func pageSizeOr(n, def int) int {
	if n <= 0 {
		return def
	}
	return n
}

// nextPageNumber reads pageNumber from a nextUri such as
// /api/v2/users?pageSize=500&pageNumber=3&state=active.
func nextPageNumber(uri string) (int, bool) {
	u, err := url.Parse(uri)
	if err != nil {
		return 0, false
	}
	n, err := strconv.Atoi(u.Query().Get("pageNumber"))
	if err != nil || n < 1 {
		return 0, false
	}
	return n, true
}

// pages iterates a page-numbered listing from o.PageNumber at o.PageSize
// (defaultSize when zero), following nextUri until a page has none; fetch
// gets the page its ListOptions name. A page that would reach past
// o.PagingCap ends the iteration with a *PagingCapError before it is
// asked for, and so does a 400 on a later page than the first (the API's
// cap is PagingCap results by default, but an org or the emulator can set
// another). The iteration stops at the first error.
func pages[T any](ctx context.Context, path string, o ListOptions, defaultSize int, fetch func(ctx context.Context, o ListOptions) (*Listing[T], error)) iter.Seq2[*Listing[T], error] {
	size := pageSizeOr(o.PageSize, defaultSize)
	first := max(o.PageNumber, 1)
	return func(yield func(*Listing[T], error) bool) {
		page, total := first, -1
		for {
			// Page 1 is always asked for: its answer says how far the
			// listing goes.
			if page > 1 && o.PagingCap > 0 && page*size > o.PagingCap {
				yield(nil, &PagingCapError{Path: path, PageNumber: page, PageSize: size, Total: total, Cap: o.PagingCap})
				return
			}
			p := o
			p.PageNumber, p.PageSize = page, size
			l, err := fetch(ctx, p)
			if err != nil {
				// Page first was served with the same parameters: a 400 on a
				// later page is the deep-paging cap.
				if errors.Is(err, ErrBadRequest) && page > first {
					err = &PagingCapError{Path: path, PageNumber: page, PageSize: size, Total: total, Err: err}
				}
				yield(nil, err)
				return
			}
			if total < 0 {
				total = l.Total
			}
			if !yield(l, nil) {
				return
			}
			if l.NextURI == "" || len(l.Entities) == 0 {
				return
			}
			next, ok := nextPageNumber(l.NextURI)
			if !ok || next <= page {
				next = page + 1
			}
			page = next
		}
	}
}

// items flattens a page iterator.
func items[T any, P any](seq iter.Seq2[P, error], entities func(P) []T) iter.Seq2[T, error] {
	return func(yield func(T, error) bool) {
		for p, err := range seq {
			if err != nil {
				var zero T
				yield(zero, err)
				return
			}
			for _, e := range entities(p) {
				if !yield(e, nil) {
					return
				}
			}
		}
	}
}

func listingEntities[T any](l *Listing[T]) []T { return l.Entities }

// cursorPages iterates a cursor listing: fetch gets the page after cursor
// ("" for the first) and returns it with the next cursor ("" on the last).
func cursorPages[P any](ctx context.Context, path string, fetch func(ctx context.Context, cursor string) (P, string, error)) iter.Seq2[P, error] {
	return func(yield func(P, error) bool) {
		cursor := ""
		seen := map[string]bool{}
		for {
			p, next, err := fetch(ctx, cursor)
			if err != nil {
				var zero P
				yield(zero, err)
				return
			}
			if !yield(p, nil) {
				return
			}
			if next == "" {
				return
			}
			if seen[next] {
				var zero P
				yield(zero, fmt.Errorf("genesys: GET %s: the server repeated cursor %.40q", path, next))
				return
			}
			seen[next] = true
			cursor = next
		}
	}
}
