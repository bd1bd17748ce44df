package extract

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"

	"golang.org/x/sync/errgroup"

	"github.com/usersync/syncer/internal/genesys"
)

// RolesAPI is what the role-grants stream calls.
type RolesAPI interface {
	ListRoleSubjectGrants(ctx context.Context, roleID string, opts *genesys.ListOptions) (*genesys.Listing[genesys.SubjectDivisionGrants], error)
	GetAuthorizationSubject(ctx context.Context, subjectID string) (genesys.AuthzSubject, error)
}

// RoleOverCapError says a role has more subjects than the role-side listing
// can reach, so the grants must be read per user instead.
type RoleOverCapError struct {
	RoleID string
	Cap    int
}

func (e *RoleOverCapError) Error() string {
	return fmt.Sprintf("role %s has more than %d subjects; its grants cannot be read completely from the role side", e.RoleID, e.Cap)
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
// compactly (role and division indexes) until then and sent in batches of
// batchSize users.
//
// A role with more subjects than pagingCap (0: genesys.PagingCap) fails
// with a *RoleOverCapError before anything is sent; RoleGrantsByUser then
// reads the grants per user.
func RoleGrants(ctx context.Context, api RolesAPI, roles []genesys.Role, workers, batchSize, pagingCap int, prog UsersCounter, out chan<- GrantBatch) error {
	if pagingCap <= 0 {
		pagingCap = genesys.PagingCap
	}
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
	g.SetLimit(max(workers, 1))
	for ri, r := range roles {
		g.Go(func() error {
			for page := 1; ; page++ {
				l, err := api.ListRoleSubjectGrants(gctx, r.ID, &genesys.ListOptions{PageSize: genesys.MaxReferencePageSize, PageNumber: page})
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
				if l.NextURI == "" || len(l.Entities) == 0 {
					break
				}
				if page*genesys.MaxReferencePageSize >= pagingCap {
					return &RoleOverCapError{RoleID: r.ID, Cap: pagingCap}
				}
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
	batchSize = max(batchSize, 1)
	for start := 0; start < len(users); start += batchSize {
		b := GrantBatch{Users: users[start:min(start+batchSize, len(users))]}
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
		select {
		case out <- b:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	return nil
}

// RoleGrantsByUser reads each user's grants from the subject side
// (GET /authorization/subjects/{id}: one call per user), batchSize users per
// batch: the fallback when a role is over the role-side listing's cap.
func RoleGrantsByUser(ctx context.Context, api RolesAPI, userIDs []string, workers, batchSize int, prog UsersCounter, out chan<- GrantBatch) error {
	prog.AddTotal(int64(len(userIDs)))
	prog.MinCalls(int64(len(userIDs)))
	batchSize = max(batchSize, 1)
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(max(workers, 1))
	for start := 0; start < len(userIDs); start += batchSize {
		users := userIDs[start:min(start+batchSize, len(userIDs))]
		g.Go(func() error {
			b := GrantBatch{Users: users}
			for _, uid := range users {
				s, err := api.GetAuthorizationSubject(gctx, uid)
				if errors.Is(err, genesys.ErrNotFound) {
					continue // deleted since it was listed: no grants
				}
				if err != nil {
					return fmt.Errorf("read grants of user %s: %w", uid, err)
				}
				seen := map[[2]string]bool{}
				for _, gr := range s.Grants {
					if gr.Role == nil || gr.Division == nil {
						continue
					}
					k := [2]string{gr.Role.ID, gr.Division.ID}
					if !seen[k] {
						seen[k] = true
						b.Rows = append(b.Rows, Grant{UserID: uid, RoleID: gr.Role.ID, DivisionID: gr.Division.ID})
					}
				}
			}
			prog.Done(int64(len(users)))
			select {
			case out <- b:
				return nil
			case <-gctx.Done():
				return gctx.Err()
			}
		})
	}
	return g.Wait()
}
