package apply

import (
	"context"

	"github.com/usersync/syncer/internal/diff"
	"github.com/usersync/syncer/internal/genesys"
)

func init() {
	RegisterExecutor(diff.KindSetSkills, Executor{Call: PerUser(func(ctx context.Context, x *Exec, o *diff.Operation, id string) error {
		_, err := x.API().PatchUserRoutingSkills(ctx, id, skillPosts(o.Skills))
		return err
	})})
	RegisterExecutor(diff.KindReplaceSkills, Executor{Call: PerUser(func(ctx context.Context, x *Exec, o *diff.Operation, id string) error {
		_, err := x.API().ReplaceUserRoutingSkills(ctx, id, skillPosts(o.Skills))
		return err
	})})
	RegisterExecutor(diff.KindRemoveSkill, Executor{Call: PerUser(func(ctx context.Context, x *Exec, o *diff.Operation, id string) error {
		return x.API().DeleteUserRoutingSkill(ctx, id, o.RemoveID)
	})})
}

func skillPosts(ps []diff.Proficiency) []genesys.UserRoutingSkillPost {
	out := make([]genesys.UserRoutingSkillPost, len(ps))
	for i, p := range ps {
		out[i] = genesys.UserRoutingSkillPost{ID: p.ID, Proficiency: p.Proficiency}
	}
	return out
}
