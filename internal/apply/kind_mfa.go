package apply

import (
	"context"
	"errors"

	"github.com/usersync/syncer/internal/diff"
	"github.com/usersync/syncer/internal/genesys"
)

func init() {
	RegisterExecutor(diff.KindDeleteVerifier, Executor{Call: PerUser(func(ctx context.Context, x *Exec, o *diff.Operation, id string) error {
		err := x.API().DeleteVerifier(ctx, id, o.RemoveID)
		if errors.Is(err, genesys.ErrNotFound) && x.Retry() {
			return nil // the earlier attempt deleted it
		}
		return err
	})})
}
