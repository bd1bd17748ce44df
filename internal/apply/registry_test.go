package apply_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/usersync/syncer/internal/apply"
	"github.com/usersync/syncer/internal/diff"
)

// Every operation kind the planner knows has an executor: a kind without
// one would fail every operation of it.
func TestEveryKindHasAnExecutor(t *testing.T) {
	t.Parallel()
	if len(diff.Kinds()) == 0 {
		t.Fatal("no kinds registered")
	}
	for _, k := range diff.Kinds() {
		if !apply.HasExecutor(k.Kind) {
			t.Errorf("kind %s has no executor (apply.RegisterExecutor in internal/apply/kind_*.go)", k.Kind)
		}
	}
	if apply.HasExecutor("set_station") {
		t.Error("an unregistered kind has an executor")
	}
	defer func() {
		if r := recover(); r == nil || !strings.Contains(r.(string), "not registered in package diff") {
			t.Errorf("an executor for a kind diff does not know: %v", r)
		}
	}()
	apply.RegisterExecutor("set_station", apply.Executor{Call: apply.PerUser(func(context.Context, *apply.Exec, *diff.Operation, string) error { return nil })})
}

// A plan with an operation of an unknown kind, or without its payload, is
// refused before anything is journaled or called.
func TestInvalidPlanRefused(t *testing.T) {
	_, c, st := setup(t)
	ref := &diff.UserRef{ID: "u-x", Key: "user:u-x"}
	for name, op := range map[string]diff.Operation{
		"unknown kind": {ID: "set_station:user:u-x", Kind: "set_station", User: ref, Calls: 1},
		"no payload":   {ID: "set_external_id:user:u-x", Kind: diff.KindSetExternalID, User: ref, Calls: 1},
	} {
		plan := &diff.Plan{Schema: diff.SchemaVersion, Fingerprint: "sha256:" + name, Operations: []diff.Operation{
			{ID: "delete_user:user:u-y", Kind: diff.KindDeleteUser, User: &diff.UserRef{ID: "u-y", Key: "user:u-y"}, Calls: 1}, op}}
		res, err := apply.New(c, st, apply.Config{}).Apply(context.Background(), plan)
		if !errors.Is(err, apply.ErrInvalid) || !strings.Contains(err.Error(), "operation 2 ("+op.ID+")") {
			t.Errorf("%s: %v, want ErrInvalid naming operation 2", name, err)
		}
		if res != nil {
			t.Errorf("%s: a result %+v", name, res)
		}
		if _, err := st.Plan(context.Background(), apply.PlanID(plan)); err == nil {
			t.Errorf("%s: the plan was journaled", name)
		}
	}
}
