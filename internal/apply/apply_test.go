package apply_test

import (
	"context"
	"errors"
	"net/http/httptest"
	"testing"

	"github.com/usersync/syncer/internal/apply"
	"github.com/usersync/syncer/internal/diff"
	"github.com/usersync/syncer/internal/emulator"
	"github.com/usersync/syncer/internal/genesys"
	"github.com/usersync/syncer/internal/pgtest"
	"github.com/usersync/syncer/internal/ratelimit"
	"github.com/usersync/syncer/internal/store"
)

func setup(t *testing.T) (*emulator.Server, *genesys.Client, *store.Store) {
	t.Helper()
	srv, err := emulator.New(emulator.Config{Seed: 3, Users: 20, RatePerMinute: -1})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv)
	t.Cleanup(ts.Close)
	c, err := genesys.NewClient(genesys.WithBaseURL(ts.URL), genesys.WithCredentials(emulator.DefaultClientID, emulator.DefaultClientSecret),
		genesys.WithBudget(ratelimit.New(ratelimit.Config{RequestsPerMinute: 600_000, Burst: 1000, MaxInFlight: 16})))
	if err != nil {
		t.Fatal(err)
	}
	dbURL, schema := pgtest.Schema(t)
	st := store.New(pgtest.Pool(t, dbURL, schema), store.Config{Schema: schema})
	if _, err := st.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	return srv, c, st
}

func activeUsers(srv *emulator.Server) []emulator.UserView {
	var out []emulator.UserView
	for _, u := range srv.Users() {
		if u.State == "active" {
			out = append(out, u)
		}
	}
	return out
}

// TestFailureSkipsOnlyDependents: a create refused with 409 fails, the
// operations on that user are skipped and reported, the other users'
// operations are done, and the journal says so.
func TestFailureSkipsOnlyDependents(t *testing.T) {
	srv, c, st := setup(t)
	us := activeUsers(srv)
	a, taken := us[0], us[1]
	title := "Changed"
	joiner := diff.UserRef{Key: "employee:X1", Email: taken.Email}
	plan := &diff.Plan{Schema: diff.SchemaVersion, Fingerprint: "sha256:test", Authority: "hr", Operations: []diff.Operation{
		{ID: "create_user:employee:X1", Kind: diff.KindCreateUser, User: &joiner, Calls: 1,
			Create: &diff.CreateUser{Name: "Dup", Email: taken.Email, DivisionID: taken.DivisionID}},
		{ID: "set_external_id:employee:X1", Kind: diff.KindSetExternalID, User: &joiner, Calls: 1,
			ExternalID: &diff.ExternalID{AuthorityName: "hr", ExternalKey: "X1"}, DependsOn: []string{"create_user:employee:X1"}},
		{ID: "update_user:a", Kind: diff.KindUpdateUser, User: &diff.UserRef{ID: a.ID, Key: "user:" + a.ID, Email: a.Email}, Calls: 1,
			Update: &diff.UpdateUser{Title: &title}, ExpectedVersion: a.Version},
		{ID: "add_roles:employee:X1#1", Kind: diff.KindAddRoles, User: &joiner, Calls: 1,
			Grants: []diff.Grant{{RoleID: a.Grants[0].RoleID, DivisionID: a.Grants[0].DivisionID}}, DependsOn: []string{"create_user:employee:X1"}},
	}}
	res, err := apply.New(c, st, apply.Config{}).Apply(context.Background(), plan)
	if err != nil {
		t.Fatal(err)
	}
	if res.Done != 1 || res.Failed != 1 || res.Skipped != 2 || res.OK() {
		t.Fatalf("result %+v", res)
	}
	f := res.Failures[0]
	if f.OpID != "create_user:employee:X1" || f.HTTPStatus != 409 || f.Code == "" || f.User != taken.Email {
		t.Fatalf("failure %+v; want the create with 409 and its Genesys code", f)
	}
	if u, _ := srv.User(a.ID); u.Title != title {
		t.Fatalf("the independent update did not happen: title %q", u.Title)
	}
	ops, err := st.Operations(context.Background(), res.PlanID)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{store.OpFailed, store.OpSkipped, store.OpDone, store.OpSkipped}
	for i, o := range ops {
		if o.Status != want[i] {
			t.Errorf("operation %d (%s) is %s, want %s", i, o.Kind, o.Status, want[i])
		}
	}
	if ops[0].HTTPStatus != 409 || ops[0].ErrorCode == "" || ops[0].CorrelationID == "" {
		t.Errorf("journal of the failed create: %+v", ops[0])
	}
	saved, _ := st.Plan(context.Background(), res.PlanID)
	if saved.Status != store.PlanFailed {
		t.Errorf("plan status %s, want failed", saved.Status)
	}
}

// TestTrippedGuardAndSchema: nothing is journaled or called for a plan with
// a tripped guard or another schema.
func TestTrippedGuardAndSchema(t *testing.T) {
	_, c, st := setup(t)
	plan := &diff.Plan{Schema: diff.SchemaVersion, Fingerprint: "sha256:x", Guards: []diff.Verdict{{Guard: diff.GuardMaxChanges, Tripped: true, Message: "too many"}},
		Operations: []diff.Operation{{ID: "delete_user:x", Kind: diff.KindDeleteUser, User: &diff.UserRef{ID: "x", Key: "user:x"}, Calls: 1}}}
	a := apply.New(c, st, apply.Config{})
	if _, err := a.Apply(context.Background(), plan); err == nil {
		t.Fatal("a tripped guard was applied")
	}
	if _, err := st.Plan(context.Background(), apply.PlanID(plan)); err == nil {
		t.Fatal("a refused plan was journaled")
	}
	plan.Schema, plan.Guards = 99, nil
	if _, err := a.Apply(context.Background(), plan); err == nil {
		t.Fatal("a plan of another schema was applied")
	}
}

// TestApplyHoldsThePlansLock: while another process applies a plan (holds
// its lock), an apply of the same plan refuses with ErrBusy and makes no
// call; once the lock is free it applies.
func TestApplyHoldsThePlansLock(t *testing.T) {
	srv, c, st := setup(t)
	a := activeUsers(srv)[0]
	title := "Locked out"
	plan := &diff.Plan{Schema: diff.SchemaVersion, Fingerprint: "sha256:lock", Operations: []diff.Operation{
		{ID: "update_user:a", Kind: diff.KindUpdateUser, User: &diff.UserRef{ID: a.ID, Key: "user:" + a.ID, Email: a.Email}, Calls: 1,
			Update: &diff.UpdateUser{Title: &title}, ExpectedVersion: a.Version},
	}}
	ctx := context.Background()
	other, err := st.TryLock(ctx, apply.LockName(apply.PlanID(plan)), store.LockConfig{})
	if err != nil {
		t.Fatal(err)
	}
	before := srv.Stats().Total
	res, err := apply.New(c, st, apply.Config{}).Apply(ctx, plan)
	if !errors.Is(err, apply.ErrBusy) {
		t.Fatalf("apply while another holds the plan: %v, want ErrBusy", err)
	}
	if res.Done != 0 || srv.Stats().Total != before {
		t.Errorf("the refused apply did %d operations and %d calls", res.Done, srv.Stats().Total-before)
	}
	if err := other.Release(ctx); err != nil {
		t.Fatal(err)
	}
	res, err = apply.New(c, st, apply.Config{}).Apply(ctx, plan)
	if err != nil || res.Done != 1 {
		t.Fatalf("apply after the lock was freed: %+v, %v", res, err)
	}
	// An apply releases the lock when it ends.
	again, err := st.TryLock(ctx, apply.LockName(apply.PlanID(plan)), store.LockConfig{})
	if err != nil {
		t.Fatalf("the lock is still held after the apply: %v", err)
	}
	again.Release(ctx)
}
