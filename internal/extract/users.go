package extract

import (
	"bytes"
	"cmp"
	"context"
	"errors"
	"fmt"
	"iter"
	"slices"
	"sync"

	"golang.org/x/sync/errgroup"

	"github.com/usersync/syncer/internal/genesys"
)

// UsersAPI is what the users stream calls.
type UsersAPI interface {
	// ListUsers reads the pages whose numbers the stream plans (several
	// at once, ascending and descending); UserPages follows a listing
	// that grew past its planned pages.
	ListUsers(ctx context.Context, opts *genesys.ListUsersOptions) (*genesys.Listing[genesys.User], error)
	UserPages(ctx context.Context, opts *genesys.ListUsersOptions) iter.Seq2[*genesys.Listing[genesys.User], error]
	SearchUsers(ctx context.Context, req genesys.UserSearchRequest) (*genesys.UsersSearchResponse, error)
	UserRoutingSkills(ctx context.Context, userID string, opts *genesys.UserRoutingOptions) iter.Seq2[genesys.UserRoutingSkill, error]
	UserRoutingLanguages(ctx context.Context, userID string, opts *genesys.UserRoutingOptions) iter.Seq2[genesys.UserRoutingLanguage, error]
}

// UsersConfig configures the users stream. The zero value reads active
// users with no expands.
type UsersConfig struct {
	// States to read. Default active.
	States []string
	// Expand values of GET /api/v2/users.
	Expand []string
	// PageSize of GET /api/v2/users. Default 500.
	PageSize int
	// Workers fetch pages concurrently. Default DefaultWorkers.
	Workers int
	// PagingCap is the deep-paging cap of page-numbered listings and of the
	// users search. Default genesys.PagingCap.
	PagingCap int
	// Divisions are the ids the listing is split by when a state has more
	// users than two listings (ascending and descending) can reach.
	Divisions []string
	// OnTotal, when set, is told each state's number of users as soon as
	// its first page is read.
	OnTotal func(state string, total int)
}

// UsersPage is one page of users, ready to load.
type UsersPage struct {
	Users []genesys.User
	// Reread counts users whose skills or languages were re-read from the
	// per-user endpoints because the expand was missing or possibly
	// truncated.
	Reread int
}

// PartitionError says that a partition of the users listing is over the
// paging cap even after splitting, so it cannot be read completely.
type PartitionError struct {
	State    string
	Division string
	Total    int
	Cap      int
}

func (e *PartitionError) Error() string {
	return fmt.Sprintf("users with state=%s in division %s: %d users, over the %d-result paging cap of the users search; narrow the pipeline's scope or ask Genesys to raise the cap", e.State, e.Division, e.Total, e.Cap)
}

// expandSuspect is the list length at which an expanded skills or
// languages list may have been cut to one page: expands are best effort, so
// such users are re-read from the per-user endpoints.
const expandSuspect = 25

// Users reads every user of the configured states into out, one page per
// send, never the same user twice. It splits a state whose listing is over
// the paging cap (ascending and descending listings, then the users search
// per division) and fails with a *PartitionError rather than truncating.
// It closes out when it returns.
func Users(ctx context.Context, api UsersAPI, cfg UsersConfig, prog Counter, out chan<- UsersPage) error {
	defer close(out)
	cfg.PageSize = cmp.Or(cfg.PageSize, genesys.MaxUsersPageSize)
	cfg.Workers = cmp.Or(cfg.Workers, DefaultWorkers)
	cfg.PagingCap = cmp.Or(cfg.PagingCap, genesys.PagingCap)
	if len(cfg.States) == 0 {
		cfg.States = []string{genesys.StateActive}
	}
	x := &usersRun{api: api, cfg: cfg, prog: prog, out: out, seen: map[string]bool{}}
	for _, st := range cfg.States {
		if err := x.state(ctx, st); err != nil {
			return err
		}
	}
	return nil
}

type usersRun struct {
	api  UsersAPI
	cfg  UsersConfig
	prog Counter
	out  chan<- UsersPage

	mu   sync.Mutex
	seen map[string]bool
}

func (x *usersRun) listOpts(state string, page int, desc bool) *genesys.ListUsersOptions {
	o := &genesys.ListUsersOptions{State: state, Expand: x.cfg.Expand}
	o.PageSize, o.PageNumber = x.cfg.PageSize, page
	if desc {
		o.SortOrder = "DESC"
	}
	return o
}

func (x *usersRun) state(ctx context.Context, state string) error {
	first, err := x.api.ListUsers(ctx, x.listOpts(state, 1, false))
	if err != nil {
		return fmt.Errorf("list users state=%s page 1: %w", state, err)
	}
	total := first.Total
	if x.cfg.OnTotal != nil {
		x.cfg.OnTotal(state, total)
	}
	pages := genesys.Pages(total, x.cfg.PageSize)
	x.prog.MinCalls(int64(pages))
	capPages := x.cfg.PagingCap / x.cfg.PageSize
	if pages <= capPages {
		x.prog.AddTotal(int64(pages))
		if err := x.emit(ctx, first.Entities); err != nil {
			return err
		}
		x.prog.Done(1)
		err := x.listPages(ctx, state, 2, pages, first.NextURI != "" && pages == 1)
		if capErr := (*genesys.PagingCapError)(nil); errors.As(err, &capErr) {
			// The listing grew past the cap while it was read: split it
			// (the users already sent are not sent again).
			return x.byDivision(ctx, state, max(total, capErr.Total))
		}
		return err
	}
	if total <= 2*x.cfg.PagingCap {
		// Read the first cap's worth ascending and the rest descending;
		// verify that the two halves met before trusting them.
		descPages := genesys.Pages(total-capPages*x.cfg.PageSize, x.cfg.PageSize)
		x.prog.AddTotal(int64(capPages + descPages))
		n, err := x.twoWays(ctx, state, first, capPages, descPages)
		if err != nil {
			return err
		}
		if n == total {
			return nil
		}
		// The listing changed under us or sorting has ties: fall back (the
		// users already sent are not sent again).
	}
	return x.byDivision(ctx, state, total)
}

// listPages fetches pages [from, to] concurrently and sends them; with more
// set it keeps following nextUri after `to` (the listing grew mid-run), up
// to the paging cap (a *genesys.PagingCapError past it).
func (x *usersRun) listPages(ctx context.Context, state string, from, to int, more bool) error {
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(x.cfg.Workers)
	var lastHasNext bool
	for p := from; p <= to; p++ {
		g.Go(func() error {
			l, err := x.api.ListUsers(gctx, x.listOpts(state, p, false))
			if err != nil {
				return fmt.Errorf("list users state=%s page %d: %w", state, p, err)
			}
			if p == to {
				lastHasNext = l.NextURI != ""
			}
			x.prog.Done(1)
			return x.emit(gctx, l.Entities)
		})
	}
	if err := g.Wait(); err != nil {
		return err
	}
	if !(lastHasNext || more) {
		return nil
	}
	opts := x.listOpts(state, to+1, false)
	opts.PagingCap = x.cfg.PagingCap
	p := to
	for l, err := range x.api.UserPages(ctx, opts) {
		p++
		if err != nil {
			return fmt.Errorf("list users state=%s page %d: %w", state, p, err)
		}
		x.prog.AddTotal(1)
		x.prog.Done(1)
		if err := x.emit(ctx, l.Entities); err != nil {
			return err
		}
	}
	return nil
}

// twoWays reads capPages ascending and descPages descending pages, sends
// each page as it arrives (users already sent are skipped), and returns how
// many distinct users the pages held: the total when the two halves met.
// Only the ids are kept, so memory does not grow with the pages.
func (x *usersRun) twoWays(ctx context.Context, state string, first *genesys.Listing[genesys.User], capPages, descPages int) (int, error) {
	var mu sync.Mutex
	ids := map[string]struct{}{}
	add := func(us []genesys.User) {
		mu.Lock()
		defer mu.Unlock()
		for _, u := range us {
			ids[u.ID] = struct{}{}
		}
	}
	add(first.Entities)
	x.prog.Done(1)
	if err := x.emit(ctx, first.Entities); err != nil {
		return 0, err
	}
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(x.cfg.Workers)
	fetch := func(p int, desc bool) {
		g.Go(func() error {
			l, err := x.api.ListUsers(gctx, x.listOpts(state, p, desc))
			if err != nil {
				return fmt.Errorf("list users state=%s page %d (desc=%t): %w", state, p, desc, err)
			}
			x.prog.Done(1)
			add(l.Entities)
			return x.emit(gctx, l.Entities)
		})
	}
	for p := 2; p <= capPages; p++ {
		fetch(p, false)
	}
	for p := 1; p <= descPages; p++ {
		fetch(p, true)
	}
	if err := g.Wait(); err != nil {
		return 0, err
	}
	return len(ids), nil
}

// byDivision reads a state through the users search, one division at a time.
func (x *usersRun) byDivision(ctx context.Context, state string, total int) error {
	if len(x.cfg.Divisions) == 0 {
		return &PartitionError{State: state, Division: "(none known)", Total: total, Cap: x.cfg.PagingCap}
	}
	size := genesys.MaxSearchPageSize
	for _, div := range x.cfg.Divisions {
		req := genesys.UserSearchRequest{
			PageSize: size, PageNumber: 1, Expand: x.cfg.Expand, SortBy: "id", SortOrder: "ASC",
			Query: []genesys.UserSearchCriteria{
				{Type: "EXACT", Fields: []string{"state"}, Value: state},
				{Type: "EXACT", Fields: []string{"divisionId"}, Value: div},
			},
		}
		first, err := x.api.SearchUsers(ctx, req)
		if err != nil {
			return fmt.Errorf("search users state=%s division %s: %w", state, div, err)
		}
		if first.Total > x.cfg.PagingCap {
			return &PartitionError{State: state, Division: div, Total: first.Total, Cap: x.cfg.PagingCap}
		}
		pages := genesys.Pages(first.Total, size)
		x.prog.AddTotal(int64(pages))
		x.prog.Done(1)
		if err := x.emit(ctx, first.Results); err != nil {
			return err
		}
		g, gctx := errgroup.WithContext(ctx)
		g.SetLimit(x.cfg.Workers)
		for p := 2; p <= pages; p++ {
			g.Go(func() error {
				r := req
				r.PageNumber = p
				res, err := x.api.SearchUsers(gctx, r)
				if err != nil {
					return fmt.Errorf("search users state=%s division %s page %d: %w", state, div, p, err)
				}
				x.prog.Done(1)
				return x.emit(gctx, res.Results)
			})
		}
		if err := g.Wait(); err != nil {
			return err
		}
	}
	return nil
}

// emit drops users already sent (a user can move between pages while the
// listing is read), re-reads suspicious expands, and sends the rest.
func (x *usersRun) emit(ctx context.Context, users []genesys.User, more ...genesys.User) error {
	users = append(users, more...)
	for i, u := range users {
		if u.ID == "" {
			// Dropping it would let the snapshot mark a real user deleted.
			return fmt.Errorf("the users listing returned a user without an id (entry %d of %d, name %q): refusing a snapshot with a hole in it", i+1, len(users), u.Name)
		}
	}
	x.mu.Lock()
	fresh := make([]genesys.User, 0, len(users))
	for _, u := range users {
		if x.seen[u.ID] {
			continue
		}
		x.seen[u.ID] = true
		fresh = append(fresh, u)
	}
	x.mu.Unlock()
	for len(fresh) > 0 {
		n := min(len(fresh), x.cfg.PageSize)
		page := UsersPage{Users: fresh[:n]}
		fresh = fresh[n:]
		reread, err := x.completeExpands(ctx, page.Users)
		if err != nil {
			return err
		}
		page.Reread = reread
		if err := send(ctx, x.out, page); err != nil {
			return err
		}
	}
	return nil
}

// completeExpands re-reads skills and languages of users whose expanded
// list is missing from the answer or as long as one page of it.
func (x *usersRun) completeExpands(ctx context.Context, users []genesys.User) (int, error) {
	wantSkills := slices.Contains(x.cfg.Expand, "skills")
	wantLangs := slices.Contains(x.cfg.Expand, "languages")
	if !wantSkills && !wantLangs {
		return 0, nil
	}
	n := 0
	for i := range users {
		u := &users[i]
		if u.State == "deleted" {
			// The API serves no skills or languages of a deleted user
			// (404), and a deleted user can hold none.
			continue
		}
		touched := false
		if wantSkills && (!hasKey(u.Raw, "skills") || len(u.Skills) >= expandSuspect) {
			skills, err := collect(x.api.UserRoutingSkills(ctx, u.ID, perUserOptions()))
			switch {
			case errors.Is(err, genesys.ErrNotFound):
				// Deleted since the listing: it holds no skills now, and
				// the next run reads it as deleted.
				skills = nil
			case err != nil:
				return n, fmt.Errorf("re-read skills of user %s: %w", u.ID, err)
			}
			u.Skills, touched = skills, true
		}
		if wantLangs && (!hasKey(u.Raw, "languages") || len(u.Languages) >= expandSuspect) {
			langs, err := collect(x.api.UserRoutingLanguages(ctx, u.ID, perUserOptions()))
			switch {
			case errors.Is(err, genesys.ErrNotFound):
				langs = nil // deleted since the listing, as above
			case err != nil:
				return n, fmt.Errorf("re-read languages of user %s: %w", u.ID, err)
			}
			u.Languages, touched = langs, true
		}
		if touched {
			n++
		}
	}
	return n, nil
}

// perUserOptions are the options of a user's skill and language listings:
// the largest page, kept under the API's paging cap.
func perUserOptions() *genesys.UserRoutingOptions {
	return &genesys.UserRoutingOptions{ListOptions: genesys.ListOptions{PagingCap: genesys.PagingCap}}
}

// hasKey reports whether the top-level JSON object raw has key. The check
// is textual on `"key":`, which is exact for the API's compact JSON at the
// top level of a user only when the key does not also appear nested; the
// expands checked here (skills, languages) never appear nested in a user.
func hasKey(raw []byte, key string) bool {
	if raw == nil {
		return true // not decoded from JSON: trust the struct
	}
	return bytes.Contains(raw, []byte(`"`+key+`":`)) || bytes.Contains(raw, []byte(`"`+key+`" :`))
}
