package extract

import (
	"context"
	"errors"
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
	all, _, err := readPages(pages, prog, what, 0, false)
	return all, err
}

// ReadUpToCap is ReadAll for a listing that may be longer than the API
// pages (pagingCap results; 0: unknown): it returns what it could read
// and, in capped, the *genesys.PagingCapError that ended it, instead of
// failing. The minimum counts only the pages under the cap.
func ReadUpToCap[T any](ctx context.Context, pages iter.Seq2[*genesys.Listing[T], error], prog Counter, what string, pagingCap int) (all []T, capped *genesys.PagingCapError, err error) {
	return readPages(pages, prog, what, pagingCap, true)
}

func readPages[T any](pages iter.Seq2[*genesys.Listing[T], error], prog Counter, what string, pagingCap int, upToCap bool) (all []T, capped *genesys.PagingCapError, err error) {
	page := 0
	for l, err := range pages {
		page++
		if upToCap && errors.As(err, &capped) {
			return all, capped, nil
		}
		if err != nil {
			return nil, nil, fmt.Errorf("list %s page %d: %w", what, page, err)
		}
		if page == 1 {
			size := max(l.PageSize, 1)
			n := int64(genesys.Pages(l.Total, size))
			if pagingCap > 0 {
				n = min(n, int64(pagingCap/size))
			}
			prog.AddTotal(n)
			prog.MinCalls(n)
		}
		prog.Done(1)
		all = append(all, l.Entities...)
	}
	return all, nil, nil
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
