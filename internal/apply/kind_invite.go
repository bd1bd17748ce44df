package apply

import (
	"context"
	"time"

	"github.com/usersync/syncer/internal/diff"
	"github.com/usersync/syncer/internal/genesys"
)

func init() {
	RegisterExecutor(diff.KindSendInvite, Executor{Call: PerUser(func(ctx context.Context, x *Exec, o *diff.Operation, id string) error {
		body, err := diff.DecodePayload[diff.Invite](o)
		if err != nil {
			return err
		}
		if body.Force && x.Retry() {
			// A resend an earlier attempt may have made: not twice. (Without
			// force, Genesys Cloud does not send an outstanding invitation
			// again.)
			if sent, err := x.welcomeSentSince(ctx, id, x.Plan().Reads.StateAt); err != nil || sent {
				return err
			}
		}
		return x.API().SendInvite(ctx, id, body.Force)
	})})
}

// welcomeSentSince reports whether the user was sent the activation email
// at or after t (zero t: never).
func (x *Exec) welcomeSentSince(ctx context.Context, id string, t time.Time) (bool, error) {
	if t.IsZero() {
		return false, nil
	}
	x.Read()
	u, err := x.API().GetUser(ctx, id, &genesys.GetUserOptions{Expand: []string{"dateWelcomeSent"}})
	if err != nil {
		return false, err
	}
	at, err := time.Parse(time.RFC3339, u.DateWelcomeSent)
	return err == nil && !at.Before(t), nil
}
