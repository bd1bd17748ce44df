package extract

import (
	"context"
	"fmt"
	"slices"
	"sync"

	"golang.org/x/sync/errgroup"

	"github.com/usersync/syncer/internal/genesys"
)

// RolesAPI is what the role-grants stream calls.
type RolesAPI interface {
	ListRoleSubjectGrants(ctx context.Context, roleID string, opts *genesys.ListOptions) (*genesys.Listing[genesys.SubjectDivisionGrants], error)
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
func RoleGrants(ctx context.Context, api RolesAPI, roles []genesys.Role, workers, batchSize int, prog UsersCounter, out chan<- GrantBatch) error {
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
				if page*genesys.MaxReferencePageSize >= genesys.PagingCap {
					return fmt.Errorf("role %s has more than %d subjects; its grants cannot be read completely", r.ID, genesys.PagingCap)
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
