package apply

import (
	"context"

	"github.com/usersync/syncer/internal/diff"
)

func init() {
	RegisterExecutor(diff.KindSetProfileSkills, Executor{Call: PerUser(func(ctx context.Context, x *Exec, o *diff.Operation, id string) error {
		body, err := diff.DecodePayload[diff.ProfileSkills](o)
		if err != nil {
			return err
		}
		_, err = x.API().SetProfileSkills(ctx, id, body.Skills)
		return err
	})})
}
