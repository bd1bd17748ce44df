package apply

import (
	"context"

	"github.com/usersync/syncer/internal/diff"
)

func init() {
	// Releasing a station the user no longer has answers 204: a retry is
	// harmless.
	RegisterExecutor(diff.KindClearAssociatedStation, Executor{Call: PerUser(func(ctx context.Context, x *Exec, _ *diff.Operation, id string) error {
		return x.API().ClearAssociatedStation(ctx, id)
	})})
	RegisterExecutor(diff.KindClearDefaultStation, Executor{Call: PerUser(func(ctx context.Context, x *Exec, _ *diff.Operation, id string) error {
		return x.API().ClearDefaultStation(ctx, id)
	})})
	RegisterExecutor(diff.KindSetDefaultStation, Executor{Call: PerUser(func(ctx context.Context, x *Exec, o *diff.Operation, id string) error {
		st, err := diff.DecodePayload[diff.DefaultStation](o)
		if err != nil {
			return err
		}
		return x.API().SetDefaultStation(ctx, id, st.StationID)
	})})
}
