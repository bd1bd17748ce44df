package apply

import (
	"context"

	"github.com/usersync/syncer/internal/diff"
	"github.com/usersync/syncer/internal/genesys"
)

func init() {
	RegisterExecutor(diff.KindSetExternalID, Executor{Call: PerUser(func(ctx context.Context, x *Exec, o *diff.Operation, id string) error {
		_, err := x.API().AddUserExternalID(ctx, id, genesys.UserExternalIdentifier{AuthorityName: o.ExternalID.AuthorityName, ExternalKey: o.ExternalID.ExternalKey})
		return err
	})})
}
