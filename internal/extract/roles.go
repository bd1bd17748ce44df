package extract

import (
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

// RolesAPI is what the role-grants stream calls.
type RolesAPI interface {
	RoleSubjectGrantPages(ctx context.Context, roleID string, opts *genesys.ListOptions) iter.Seq2[*genesys.Listing[genesys.SubjectDivisionGrants], error]
	GetAuthorizationSubject(ctx context.Context, subjectID string) (genesys.AuthzSubject, error)
}

// RoleOverCapError says a role has more subjects than the role-side listing
// can reach, so the grants must be read per user instead. It wraps the
// listing's *genesys.PagingCapError.
type RoleOverCapError struct {
	RoleID string
	Cap    int
	Err    error
}

func (e *RoleOverCapError) Error() string {
	return fmt.Sprintf("role %s has more than %d subjects; its grants cannot be read completely from the role side", e.RoleID, e.Cap)
}

func (e *RoleOverCapError) Unwrap() error { return e.Err }

// Batch sizes of the grant readers: the users whose grants one batch holds.
const (
	roleSideBatchUsers = 1000
	perUserBatchUsers  = 200
)

// GrantsConfig configures RoleGrants. The zero value works.
type GrantsConfig struct {
	// Workers read that many roles (or users) at once. Default
	// DefaultWorkers.
	Workers int
	// PagingCap is the role-side listing's deep-paging cap. Default
	// genesys.PagingCap.
	PagingCap int
	// UserIDs, when set, gives the users whose grants are read one by one
	// (RoleGrantsByUser) when a role has more subjects than its listing
	// reaches; it may wait for them. Nil: such a role fails the read with
	// its *RoleOverCapError.
	UserIDs func(ctx context.Context) ([]string, error)
}

// Grant is one role granted to a user in a division.
type Grant struct {
	UserID     string
	RoleID     string
	DivisionID string
}

// GrantBatch is the complete grant list of the users it names.
type GrantBatch struct {
	Users []string
	Rows  []Grant
}

// RoleGrants reads every user's role grants from the role side
// (GET /authorization/roles/{id}/subjectgrants: Σ ⌈subjects/pageSize⌉ calls,
// against one call per user from the subject side). Grants of groups are
// left out: user_role_grants holds the grants made to users. A user's grants
// are complete only when every role has been read, so grants are kept
// compactly (role and division indexes) until then and sent in batches.
//
// A role with more subjects than cfg.PagingCap fails the role side with a
// *RoleOverCapError before anything is sent; the grants are then read user
// by user, of the users cfg.UserIDs gives, or the read fails with it. It
// closes out when it returns.
func RoleGrants(ctx context.Context, api RolesAPI, roles []genesys.Role, cfg GrantsConfig, prog Counter, out chan<- GrantBatch) error {
	defer close(out)
	err := roleSide(ctx, api, roles, cfg, prog, out)
	var over *RoleOverCapError
	if !errors.As(err, &over) || cfg.UserIDs == nil {
		return err
	}
	ids, uerr := cfg.UserIDs(ctx)
	if uerr != nil {
		if cerr := ctx.Err(); cerr != nil {
			return cerr
		}
		return fmt.Errorf("%w; reading grants user by user needs the user ids: %w", err, uerr)
	}
	return grantsByUser(ctx, api, ids, cfg.Workers, prog, out)
}

// roleSide reads the grants role by role; see RoleGrants.
func roleSide(ctx context.Context, api RolesAPI, roles []genesys.Role, cfg GrantsConfig, prog Counter, out chan<- GrantBatch) error {
	pagingCap := cmp.Or(cfg.PagingCap, genesys.PagingCap)
	prog.AddTotal(int64(len(roles)))
	type pair struct{ role, division int32 }
	var (
		mu        sync.Mutex
		byUser    = map[string][]pair{}
		divisions []string
		divIndex  = map[string]int32{}
	)
	divIdx := func(id string) int32 {
		if i, ok := divIndex[id]; ok {
			return i
		}
		divisions = append(divisions, id)
		divIndex[id] = int32(len(divisions) - 1)
		return int32(len(divisions) - 1)
	}
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(max(cmp.Or(cfg.Workers, DefaultWorkers), 1))
	for ri, r := range roles {
		g.Go(func() error {
			page := 0
			for l, err := range api.RoleSubjectGrantPages(gctx, r.ID, &genesys.ListOptions{PageSize: genesys.MaxReferencePageSize, PagingCap: pagingCap}) {
				page++
				var capErr *genesys.PagingCapError
				if errors.As(err, &capErr) {
					return &RoleOverCapError{RoleID: r.ID, Cap: pagingCap, Err: err}
				}
				if err != nil {
					return fmt.Errorf("list subject grants of role %s page %d: %w", r.ID, page, err)
				}
				if page == 1 {
					prog.MinCalls(int64(genesys.Pages(l.Total, genesys.MaxReferencePageSize)))
				}
				mu.Lock()
				for _, s := range l.Entities {
					if s.Type != "" && s.Type != genesys.SubjectTypeUser {
						continue
					}
					for _, d := range s.Divisions {
						byUser[s.ID] = append(byUser[s.ID], pair{int32(ri), divIdx(d.ID)})
					}
				}
				mu.Unlock()
			}
			prog.Done(1)
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return err
	}
	users := make([]string, 0, len(byUser))
	for u := range byUser {
		users = append(users, u)
	}
	slices.Sort(users)
	for start := 0; start < len(users); start += roleSideBatchUsers {
		b := GrantBatch{Users: users[start:min(start+roleSideBatchUsers, len(users))]}
		for _, u := range b.Users {
			ps := byUser[u]
			slices.SortFunc(ps, func(a, b pair) int {
				if a.role != b.role {
					return int(a.role - b.role)
				}
				return int(a.division - b.division)
			})
			ps = slices.Compact(ps)
			for _, p := range ps {
				b.Rows = append(b.Rows, Grant{UserID: u, RoleID: roles[p.role].ID, DivisionID: divisions[p.division]})
			}
			delete(byUser, u)
		}
		if err := send(ctx, out, b); err != nil {
			return err
		}
	}
	return nil
}

// RoleGrantsByUser reads each user's grants from the subject side
// (GET /authorization/subjects/{id}: one call per user), in batches of a
// few hundred users: the reverse path's read of a few users, and
// RoleGrants' fallback when a role is over the role-side listing's cap. It
// closes out when it returns.
func RoleGrantsByUser(ctx context.Context, api RolesAPI, userIDs []string, workers int, prog Counter, out chan<- GrantBatch) error {
	defer close(out)
	return grantsByUser(ctx, api, userIDs, workers, prog, out)
}

func grantsByUser(ctx context.Context, api RolesAPI, userIDs []string, workers int, prog Counter, out chan<- GrantBatch) error {
	return byUser(ctx, userIDs, ByUserConfig{Workers: workers, BatchSize: perUserBatchUsers}, prog,
		func(ctx context.Context, uid string) ([]Grant, error) {
			s, err := api.GetAuthorizationSubject(ctx, uid)
			if errors.Is(err, genesys.ErrNotFound) {
				return nil, nil // deleted since it was listed: no grants
			}
			if err != nil {
				return nil, fmt.Errorf("read grants of user %s: %w", uid, err)
			}
			var rows []Grant
			seen := map[[2]string]bool{}
			for _, gr := range s.Grants {
				if gr.Role == nil || gr.Division == nil {
					continue
				}
				k := [2]string{gr.Role.ID, gr.Division.ID}
				if !seen[k] {
					seen[k] = true
					rows = append(rows, Grant{UserID: uid, RoleID: gr.Role.ID, DivisionID: gr.Division.ID})
				}
			}
			return rows, nil
		}, func(users []string, rows []Grant) GrantBatch { return GrantBatch{Users: users, Rows: rows} }, out)
}
