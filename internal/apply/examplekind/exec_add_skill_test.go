package examplekind

// This file is the apply half of the example kind: what would be
// internal/apply/kind_add_skill.go.

import (
	"context"
	"errors"

	"github.com/usersync/syncer/internal/apply"
	"github.com/usersync/syncer/internal/diff"
	"github.com/usersync/syncer/internal/genesys"
)

// skillAdder is the client method add_skill calls. A built-in kind adds
// it to apply.API instead (internal/apply/api.go), so that the compiler
// checks the client has it; this example cannot change that file.
type skillAdder interface {
	AddUserRoutingSkill(ctx context.Context, userID string, s genesys.UserRoutingSkillPost) (genesys.UserRoutingSkill, error)
}

func init() {
	apply.RegisterExecutor(KindAddSkill, apply.Executor{Call: apply.PerUser(func(ctx context.Context, x *apply.Exec, o *diff.Operation, userID string) error {
		body, err := diff.DecodePayload[AddSkill](o)
		if err != nil {
			return err
		}
		api, ok := x.API().(skillAdder)
		if !ok {
			return errors.New("the API client has no AddUserRoutingSkill")
		}
		_, err = api.AddUserRoutingSkill(ctx, userID, genesys.UserRoutingSkillPost{ID: body.SkillID, Proficiency: body.Proficiency})
		return err
	})})
}
