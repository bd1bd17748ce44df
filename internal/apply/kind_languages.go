package apply

import (
	"context"

	"github.com/usersync/syncer/internal/diff"
	"github.com/usersync/syncer/internal/genesys"
)

func init() {
	RegisterExecutor(diff.KindSetLanguages, Executor{Call: PerUser(func(ctx context.Context, x *Exec, o *diff.Operation, id string) error {
		langs := make([]genesys.UserRoutingLanguagePost, len(o.Languages))
		for i, l := range o.Languages {
			langs[i] = genesys.UserRoutingLanguagePost{ID: l.ID, Proficiency: l.Proficiency}
		}
		_, err := x.API().PatchUserRoutingLanguages(ctx, id, langs)
		return err
	})})
	RegisterExecutor(diff.KindRemoveLanguage, Executor{Call: PerUser(func(ctx context.Context, x *Exec, o *diff.Operation, id string) error {
		return x.API().DeleteUserRoutingLanguage(ctx, id, o.RemoveID)
	})})
}
