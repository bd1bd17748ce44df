package apply

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/usersync/syncer/internal/diff"
	"github.com/usersync/syncer/internal/genesys"
)

func init() {
	RegisterExecutor(diff.KindAddQueueMembers, Executor{Call: queueMembers(API.AddQueueMembers)})
	RegisterExecutor(diff.KindRemoveQueueMembers, Executor{Call: queueMembers(API.RemoveQueueMembers)})
	RegisterExecutor(diff.KindSetQueueJoined, Executor{Call: PerUser(func(ctx context.Context, x *Exec, o *diff.Operation, id string) error {
		return x.r.setJoined(ctx, id, o.Queues)
	})})
}

// queueMembers adds or removes the members of a queue, on the queue side.
func queueMembers(call func(api API, ctx context.Context, queueID string, userIDs []string) error) func(context.Context, *Exec, *diff.Operation) (any, error) {
	return func(ctx context.Context, x *Exec, o *diff.Operation) (any, error) {
		ids, err := x.ResolveAll(o.Members)
		if err != nil {
			return nil, err
		}
		x.Write()
		if err := call(x.API(), ctx, o.QueueID, ids); err != nil {
			return nil, err
		}
		x.Touch(ids...)
		return nil, nil
	}
}

// setJoined joins or unjoins queues. The queue-side add of a new member is
// asynchronous, and PATCH /users/{id}/queues ignores queues the user is
// not (yet) a member of, so the flags are sent again until every queue is
// in the answer, for at most JoinWait.
func (r *run) setJoined(ctx context.Context, id string, queues []diff.QueueJoined) error {
	want := make([]genesys.QueueJoin, len(queues))
	for i, q := range queues {
		want[i] = genesys.QueueJoin{ID: q.ID, Joined: q.Joined}
	}
	deadline := time.Now().Add(r.a.cfg.JoinWait)
	wait := 50 * time.Millisecond
	first := true
	for {
		if !first {
			r.write()
		}
		first = false
		l, err := r.a.api.PatchUserQueues(ctx, id, want)
		if err != nil {
			return err
		}
		var missing []genesys.QueueJoin
		for _, w := range want {
			if !slices.ContainsFunc(l.Entities, func(q genesys.UserQueue) bool { return q.ID == w.ID && q.Joined == w.Joined }) {
				missing = append(missing, w)
			}
		}
		if len(missing) == 0 {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("user %s is still not a member of %d queue(s) after %s (first %s); the joined flag was not set",
				id, len(missing), r.a.cfg.JoinWait, missing[0].ID)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(wait):
		}
		wait = min(2*wait, 2*time.Second)
		want = missing
	}
}
