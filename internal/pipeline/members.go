package pipeline

import (
	"context"

	"golang.org/x/sync/errgroup"

	"github.com/usersync/syncer/internal/extract"
	"github.com/usersync/syncer/internal/load"
)

// StreamMembersOf reads the queue memberships and role grants of named
// users, user by user.
const StreamMembersOf = "members_of"

// MembersAPI is what MembersOfStream calls.
type MembersAPI interface {
	extract.QueuesAPI
	extract.RolesAPI
}

// MembersOfStream reads the queue memberships (queues) and role grants
// (roles) of the users named, user by user, and replaces what is stored for
// them: the reverse path's read of the few users a plan offboards, when the
// feed does not speak for queues or roles and reading every membership of
// the org would cost far more. It is not a snapshot: nobody else's rows are
// touched.
func MembersOfStream(api MembersAPI, userIDs []string, queues, roles bool, workers int) Stream {
	return Stream{Name: StreamMembersOf, Load: func(ctx context.Context, tx *load.Tx, p *StreamProgress) (*load.Watermark, error) {
		if len(userIDs) == 0 || (!queues && !roles) {
			return nil, nil
		}
		g, gctx := errgroup.WithContext(ctx)
		if queues {
			batches := make(chan extract.MembershipBatch, max(workers, 1))
			g.Go(func() error {
				defer close(batches)
				return extract.QueueMembershipsByUser(gctx, api, userIDs, workers, usersPerMembershipBatch, p, batches)
			})
			g.Go(func() error {
				for b := range batches {
					rows := membershipRows(b.Rows)
					if err := tx.QueueMembersByUser(gctx, b.Owners, rows); err != nil {
						return err
					}
					p.Rows(int64(len(rows)))
				}
				return nil
			})
		}
		if roles {
			batches := make(chan extract.GrantBatch, max(workers, 1))
			g.Go(func() error {
				defer close(batches)
				return extract.RoleGrantsByUser(gctx, api, userIDs, workers, 200, p, batches)
			})
			g.Go(func() error { return loadGrants(gctx, tx, p, batches) })
		}
		return nil, g.Wait()
	}}
}
