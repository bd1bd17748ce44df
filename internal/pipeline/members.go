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
	return Stream{Name: StreamMembersOf, Tables: []string{"user_queues", "user_role_grants"},
		Run: func(ctx context.Context, _ load.Watermark, out *Out) (*load.Watermark, error) {
			if len(userIDs) == 0 {
				return nil, nil
			}
			room := max(workers, 1)
			g, gctx := errgroup.WithContext(ctx)
			if queues {
				g.Go(func() error {
					return Relay(gctx, out, room, func(ctx context.Context, batches chan<- extract.MembershipBatch) error {
						return extract.QueueMembershipsByUser(ctx, api, userIDs, workers, usersPerMembershipBatch, out.Progress(), batches)
					}, membershipBatch)
				})
			}
			if roles {
				g.Go(func() error {
					return Relay(gctx, out, room, func(ctx context.Context, batches chan<- extract.GrantBatch) error {
						return extract.RoleGrantsByUser(ctx, api, userIDs, workers, out.Progress(), batches)
					}, grantBatch)
				})
			}
			return nil, g.Wait()
		}}
}
