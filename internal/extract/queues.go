package extract

import (
	"context"
	"fmt"
	"iter"

	"golang.org/x/sync/errgroup"

	"github.com/usersync/syncer/internal/genesys"
)

// QueuesAPI is what the queue-membership stream calls.
type QueuesAPI interface {
	QueueMemberPages(ctx context.Context, queueID string, opts *genesys.QueueMembersOptions) iter.Seq2[*genesys.Listing[genesys.QueueMember], error]
	UserQueuePages(ctx context.Context, userID string, opts *genesys.UserQueuesOptions) iter.Seq2[*genesys.Listing[genesys.UserQueue], error]
}

// Membership is one user's membership of one queue.
type Membership struct {
	UserID  string
	QueueID string
	Joined  bool
}

// MembershipBatch is the complete membership list of its owners: the
// queues (queue side) or the users (per user) it names.
type MembershipBatch struct {
	// ByQueue is true when Owners are queue ids, false for user ids.
	ByQueue bool
	Owners  []string
	Rows    []Membership
}

// QueueMembershipsByQueue reads every queue's members from the queue side,
// workers queues at a time, one batch per queue. It closes out when it
// returns.
func QueueMembershipsByQueue(ctx context.Context, api QueuesAPI, queues []genesys.Queue, workers int, prog Counter, out chan<- MembershipBatch) error {
	defer close(out)
	var minCalls int64
	for _, q := range queues {
		minCalls += int64(max(1, ceilDiv(q.MemberCount, genesys.MaxQueueMembersPageSize)))
	}
	prog.MinCalls(minCalls)
	prog.AddTotal(int64(len(queues)))
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(max(workers, 1))
	for _, q := range queues {
		g.Go(func() error {
			var rows []Membership
			opts := &genesys.QueueMembersOptions{ListOptions: genesys.ListOptions{PageSize: genesys.MaxQueueMembersPageSize, PagingCap: genesys.PagingCap}}
			page := 0
			for l, err := range api.QueueMemberPages(gctx, q.ID, opts) {
				page++
				if err != nil {
					return fmt.Errorf("list members of queue %s page %d: %w", q.ID, page, err)
				}
				for _, m := range l.Entities {
					rows = append(rows, Membership{UserID: memberUserID(m), QueueID: q.ID, Joined: m.Joined})
				}
			}
			prog.Done(1)
			return send(gctx, out, MembershipBatch{ByQueue: true, Owners: []string{q.ID}, Rows: rows})
		})
	}
	return g.Wait()
}

func memberUserID(m genesys.QueueMember) string {
	if m.ID != "" {
		return m.ID
	}
	if m.User != nil {
		return m.User.ID
	}
	return ""
}

// QueueMembershipsByUser reads each user's queues, joined and not joined
// (the endpoint lists joined queues only by default: two listings a user),
// one batch per batchSize users. It closes out when it returns.
func QueueMembershipsByUser(ctx context.Context, api QueuesAPI, userIDs []string, workers, batchSize int, prog Counter, out chan<- MembershipBatch) error {
	return ByUser(ctx, userIDs, ByUserConfig{Workers: workers, BatchSize: max(batchSize, 1), CallsPerUser: 2}, prog,
		func(ctx context.Context, uid string) ([]Membership, error) {
			var rows []Membership
			for _, joined := range []bool{true, false} {
				opts := &genesys.UserQueuesOptions{
					ListOptions: genesys.ListOptions{PageSize: genesys.MaxUserQueuesPageSize, PagingCap: genesys.PagingCap},
					Joined:      &joined,
				}
				page := 0
				for l, err := range api.UserQueuePages(ctx, uid, opts) {
					page++
					if err != nil {
						return nil, fmt.Errorf("list queues of user %s (joined=%t) page %d: %w", uid, joined, page, err)
					}
					for _, q := range l.Entities {
						rows = append(rows, Membership{UserID: uid, QueueID: q.ID, Joined: q.Joined})
					}
				}
			}
			return rows, nil
		}, func(users []string, rows []Membership) MembershipBatch {
			return MembershipBatch{Owners: users, Rows: rows}
		}, out)
}
