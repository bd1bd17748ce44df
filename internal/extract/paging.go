package extract

import (
	"context"
	"fmt"
	"iter"

	"github.com/usersync/syncer/internal/genesys"
)

// DefaultWorkers is how many calls a producer keeps in flight unless told.
const DefaultWorkers = 4

// Counter receives a producer's progress: the units of work it expects
// (pages, queues, windows) and has done, and the calls its data needs at
// the least.
type Counter interface {
	AddTotal(n int64)
	Done(n int64)
	MinCalls(n int64)
}

// ReadAll reads every page of a small listing through the client's page
// iterator, counting the pages as the minimum calls (their number is known
// from the first page). what names the listing in errors, with the page
// that failed; a listing past the paging cap fails with the iterator's
// *genesys.PagingCapError.
func ReadAll[T any](ctx context.Context, pages iter.Seq2[*genesys.Listing[T], error], prog Counter, what string) ([]T, error) {
	var all []T
	page := 0
	for l, err := range pages {
		page++
		if err != nil {
			return nil, fmt.Errorf("list %s page %d: %w", what, page, err)
		}
		if page == 1 {
			n := int64(genesys.Pages(l.Total, max(l.PageSize, 1)))
			prog.AddTotal(n)
			prog.MinCalls(n)
		}
		prog.Done(1)
		all = append(all, l.Entities...)
	}
	return all, nil
}

// collect gathers the items of an item iterator.
func collect[T any](items iter.Seq2[T, error]) ([]T, error) {
	var all []T
	for v, err := range items {
		if err != nil {
			return nil, err
		}
		all = append(all, v)
	}
	return all, nil
}

// send sends v on out unless ctx ends first.
func send[T any](ctx context.Context, out chan<- T, v T) error {
	select {
	case out <- v:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
