package apply

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/usersync/syncer/internal/diff"
	"github.com/usersync/syncer/internal/genesys"
)

func init() {
	RegisterExecutor(diff.KindCreateUser, Executor{
		Call:   func(ctx context.Context, x *Exec, o *diff.Operation) (any, error) { return x.r.create(ctx, o, x.retry) },
		Recall: recallCreate,
	})
	RegisterExecutor(diff.KindRestoreUser, Executor{Call: patchState(genesys.StateDeleted)})
	RegisterExecutor(diff.KindSetState, Executor{Call: patchState("")})
	RegisterExecutor(diff.KindDeleteUser, Executor{Call: PerUser(func(ctx context.Context, x *Exec, _ *diff.Operation, id string) error {
		err := x.API().DeleteUser(ctx, id)
		if errors.Is(err, genesys.ErrNotFound) && x.Retry() {
			return nil // the earlier attempt deleted it
		}
		return err
	})})
}

// patchState sets the user's state alone, in a versioned PATCH; the user
// is looked for in readState first when its version must be read.
func patchState(readState string) func(context.Context, *Exec, *diff.Operation) (any, error) {
	return func(ctx context.Context, x *Exec, o *diff.Operation) (any, error) {
		state := o.State
		return x.r.versioned(ctx, o, readState, func(v int, _ *genesys.User) (genesys.UpdateUser, error) {
			return genesys.UpdateUser{State: &state, Version: v}, nil
		})
	}
}

// recallCreate takes back the id of a user an earlier apply created.
func recallCreate(x *Exec, o *diff.Operation, raw json.RawMessage) {
	if len(raw) == 0 {
		return
	}
	var res opResult
	if json.Unmarshal(raw, &res) == nil && res.UserID != "" {
		x.r.created[o.User.Key] = res.UserID
	}
}

// create makes a user, unless an earlier attempt did: when retry is set,
// or the outcome of the call is unknown, or the email is taken, the user
// is looked up by external id and email first, and adopted when found.
func (r *run) create(ctx context.Context, o *diff.Operation, retry bool) (any, error) {
	c := o.Create
	if retry {
		if u, ok, err := r.lookup(ctx, o); err != nil {
			return nil, fmt.Errorf("look up %s before creating it again: %w", c.Email, err)
		} else if ok {
			return r.adopt(o, u, true), nil
		}
	}
	if !retry && !r.plan.Reads.LookedUp && r.plan.Authority != "" {
		// The plan did not look its joiners up (it used a recent load): an
		// account registered under the employee id with another email
		// would otherwise get a twin.
		if emp, ok := strings.CutPrefix(o.User.Key, "employee:"); ok {
			r.read()
			u, err := r.a.api.GetUserByExternalID(ctx, r.plan.Authority, emp, nil)
			switch {
			case err == nil && u.ID != "":
				return nil, fmt.Errorf("%w: employee %s is already user %s (external id %s/%s, email %s); not created: plan the feed again",
					ErrExists, emp, u.ID, r.plan.Authority, emp, u.Email)
			case err != nil && !errors.Is(err, genesys.ErrNotFound):
				return nil, fmt.Errorf("look up employee %s before creating the user: %w", emp, err)
			}
		}
	}
	r.write()
	body := genesys.CreateUser{Name: c.Name, Email: c.Email, DivisionID: c.DivisionID, Title: c.Title, Department: c.Department, State: c.State}
	if c.WorkPhone != nil {
		body.Addresses = contacts([]diff.Contact{{MediaType: diff.MediaPhone, Type: diff.TypeWork, Number: c.WorkPhone.Number, Extension: c.WorkPhone.Extension}})
	}
	u, err := r.a.api.CreateUser(ctx, body)
	if err == nil {
		return r.adopt(o, u, false), nil
	}
	if errors.Is(err, genesys.ErrOutcomeUnknown) || (retry && errors.Is(err, genesys.ErrConflict)) {
		if found, ok, lerr := r.lookup(ctx, o); lerr == nil && ok {
			return r.adopt(o, found, true), nil
		}
	}
	return nil, err
}

func (r *run) adopt(o *diff.Operation, u genesys.User, adopted bool) opResult {
	r.mu.Lock()
	r.created[o.User.Key] = u.ID
	r.versions[u.ID] = u.Version
	r.touched[u.ID] = true
	r.mu.Unlock()
	return opResult{UserID: u.ID, Version: u.Version, Adopted: adopted}
}

// lookup finds the user a create operation makes: by the plan's external
// id authority and the person's employee id, then by email in any state.
func (r *run) lookup(ctx context.Context, o *diff.Operation) (genesys.User, bool, error) {
	if emp, ok := strings.CutPrefix(o.User.Key, "employee:"); ok && r.plan.Authority != "" {
		r.read()
		u, err := r.a.api.GetUserByExternalID(ctx, r.plan.Authority, emp, nil)
		switch {
		case err == nil && u.ID != "":
			return u, true, nil
		case err != nil && !errors.Is(err, genesys.ErrNotFound):
			return u, false, err
		}
	}
	email := o.Create.Email
	r.read()
	res, err := r.a.api.SearchUsers(ctx, genesys.UserSearchRequest{PageSize: 25, Query: []genesys.UserSearchCriteria{
		{Type: "EXACT", Fields: []string{"email"}, Value: email},
		{Type: "EXACT", Fields: []string{"state"}, Values: []string{genesys.StateActive, genesys.StateInactive, genesys.StateDeleted}},
	}})
	if err != nil {
		return genesys.User{}, false, err
	}
	for _, u := range res.Results {
		if strings.EqualFold(u.Email, email) {
			return u, true, nil
		}
	}
	return genesys.User{}, false, nil
}
