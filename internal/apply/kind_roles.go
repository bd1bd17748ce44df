package apply

import (
	"context"

	"github.com/usersync/syncer/internal/diff"
	"github.com/usersync/syncer/internal/genesys"
)

func init() {
	RegisterExecutor(diff.KindAddRoles, Executor{Call: PerUser(grants(API.GrantRoles))})
	RegisterExecutor(diff.KindRemoveRoles, Executor{Call: PerUser(grants(API.RevokeRoles))})
}

// grants grants or revokes the operation's role grants of one user.
func grants(call func(api API, ctx context.Context, subjectID string, grants []genesys.RoleDivisionPair) error) func(context.Context, *Exec, *diff.Operation, string) error {
	return func(ctx context.Context, x *Exec, o *diff.Operation, id string) error {
		pairs := make([]genesys.RoleDivisionPair, len(o.Grants))
		for i, g := range o.Grants {
			pairs[i] = genesys.RoleDivisionPair{RoleID: g.RoleID, DivisionID: g.DivisionID}
		}
		return call(x.API(), ctx, id, pairs)
	}
}
