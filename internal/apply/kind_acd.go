package apply

import (
	"context"

	"github.com/usersync/syncer/internal/diff"
	"github.com/usersync/syncer/internal/genesys"
)

func init() {
	RegisterExecutor(diff.KindSetACDAutoAnswer, Executor{Call: func(ctx context.Context, x *Exec, o *diff.Operation) (any, error) {
		users := make([]genesys.PatchUser, len(o.ACD))
		ids := make([]string, len(o.ACD))
		for i, a := range o.ACD {
			id, err := x.Resolve(a.User)
			if err != nil {
				return nil, err
			}
			v := a.ACDAutoAnswer
			users[i], ids[i] = genesys.PatchUser{ID: id, AcdAutoAnswer: &v}, id
		}
		x.Write()
		if _, err := x.API().PatchUsersBulk(ctx, users); err != nil {
			return nil, err
		}
		x.Touch(ids...)
		return nil, nil
	}})
}
