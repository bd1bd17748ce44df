package apply

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/usersync/syncer/internal/diff"
	"github.com/usersync/syncer/internal/genesys"
)

// errUnresolved: a user the operation names has no id (its create failed
// or has not happened).
var errUnresolved = errors.New("user not resolved")

// resolve returns the user id of a reference.
func (r *run) resolve(ref diff.UserRef) (string, error) {
	if ref.ID != "" {
		return ref.ID, nil
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if id := r.created[ref.Key]; id != "" {
		return id, nil
	}
	return "", fmt.Errorf("%w: %s was to be created by this plan and was not", errUnresolved, ref.Key)
}

func (r *run) resolveAll(refs []diff.UserRef) ([]string, error) {
	ids := make([]string, len(refs))
	for i, ref := range refs {
		id, err := r.resolve(ref)
		if err != nil {
			return nil, err
		}
		ids[i] = id
	}
	return ids, nil
}

func (r *run) touch(ids ...string) {
	r.mu.Lock()
	for _, id := range ids {
		r.touched[id] = true
	}
	r.mu.Unlock()
}

func (r *run) write() { r.writes.Add(1) }
func (r *run) read()  { r.reads.Add(1) }

// call makes the API call(s) of one operation. retry says that an earlier
// attempt may have happened.
func (r *run) call(ctx context.Context, o *diff.Operation, retry bool) (any, error) {
	api := r.a.api
	switch o.Kind {
	case diff.KindCreateUser:
		return r.create(ctx, o, retry)
	case diff.KindRestoreUser, diff.KindSetState:
		state := o.State
		return r.versioned(ctx, o, func(v int, _ *genesys.User) (genesys.UpdateUser, error) {
			return genesys.UpdateUser{State: &state, Version: v}, nil
		})
	case diff.KindUpdateUser:
		return r.versioned(ctx, o, func(v int, fresh *genesys.User) (genesys.UpdateUser, error) {
			b, err := r.updateBody(o.Update, fresh)
			b.Version = v
			return b, err
		})
	case diff.KindMoveDivision:
		ids, err := r.resolveAll(o.Members)
		if err != nil {
			return nil, err
		}
		r.write()
		if err := api.MoveUsersToDivision(ctx, o.DivisionID, ids); err != nil {
			return nil, err
		}
		r.mu.Lock()
		for _, id := range ids {
			// A division move bumps the user's version (as the emulator
			// does); later versioned writes of this plan expect one more.
			if v, ok := r.versions[id]; ok {
				r.versions[id] = v + 1
			} else {
				r.bumps[id]++
			}
		}
		r.mu.Unlock()
		r.touch(ids...)
		return nil, nil
	case diff.KindAddQueueMembers, diff.KindRemoveQueueMembers:
		ids, err := r.resolveAll(o.Members)
		if err != nil {
			return nil, err
		}
		r.write()
		if o.Kind == diff.KindAddQueueMembers {
			err = api.AddQueueMembers(ctx, o.QueueID, ids)
		} else {
			err = api.RemoveQueueMembers(ctx, o.QueueID, ids)
		}
		if err == nil {
			r.touch(ids...)
		}
		return nil, err
	case diff.KindSetACDAutoAnswer:
		users := make([]genesys.PatchUser, len(o.ACD))
		ids := make([]string, len(o.ACD))
		for i, a := range o.ACD {
			id, err := r.resolve(a.User)
			if err != nil {
				return nil, err
			}
			v := a.ACDAutoAnswer
			users[i], ids[i] = genesys.PatchUser{ID: id, AcdAutoAnswer: &v}, id
		}
		r.write()
		if _, err := api.PatchUsersBulk(ctx, users); err != nil {
			return nil, err
		}
		r.touch(ids...)
		return nil, nil
	}

	if o.User == nil {
		return nil, fmt.Errorf("operation %s (%s) has no user", o.ID, o.Kind)
	}
	id, err := r.resolve(*o.User)
	if err != nil {
		return nil, err
	}
	r.touch(id)
	r.write()
	switch o.Kind {
	case diff.KindSetExternalID:
		_, err = api.AddUserExternalID(ctx, id, genesys.UserExternalIdentifier{AuthorityName: o.ExternalID.AuthorityName, ExternalKey: o.ExternalID.ExternalKey})
	case diff.KindSetSkills:
		_, err = api.PatchUserRoutingSkills(ctx, id, skillPosts(o.Skills))
	case diff.KindReplaceSkills:
		_, err = api.ReplaceUserRoutingSkills(ctx, id, skillPosts(o.Skills))
	case diff.KindRemoveSkill:
		err = api.DeleteUserRoutingSkill(ctx, id, o.RemoveID)
	case diff.KindSetLanguages:
		langs := make([]genesys.UserRoutingLanguagePost, len(o.Languages))
		for i, l := range o.Languages {
			langs[i] = genesys.UserRoutingLanguagePost{ID: l.ID, Proficiency: l.Proficiency}
		}
		_, err = api.PatchUserRoutingLanguages(ctx, id, langs)
	case diff.KindRemoveLanguage:
		err = api.DeleteUserRoutingLanguage(ctx, id, o.RemoveID)
	case diff.KindSetQueueJoined:
		err = r.setJoined(ctx, id, o.Queues)
	case diff.KindAddRoles, diff.KindRemoveRoles:
		grants := make([]genesys.RoleDivisionPair, len(o.Grants))
		for i, g := range o.Grants {
			grants[i] = genesys.RoleDivisionPair{RoleID: g.RoleID, DivisionID: g.DivisionID}
		}
		if o.Kind == diff.KindAddRoles {
			err = api.GrantRoles(ctx, id, grants)
		} else {
			err = api.RevokeRoles(ctx, id, grants)
		}
	case diff.KindDeleteUser:
		err = api.DeleteUser(ctx, id)
		if errors.Is(err, genesys.ErrNotFound) && retry {
			err = nil // the earlier attempt deleted it
		}
	default:
		return nil, fmt.Errorf("operation %s: unknown kind %q", o.ID, o.Kind)
	}
	return nil, err
}

func skillPosts(ps []diff.Proficiency) []genesys.UserRoutingSkillPost {
	out := make([]genesys.UserRoutingSkillPost, len(ps))
	for i, p := range ps {
		out[i] = genesys.UserRoutingSkillPost{ID: p.ID, Proficiency: p.Proficiency}
	}
	return out
}

// updateBody is the PATCH of an update. The addresses and employerInfo it
// rewrites whole are laid over the plan's Base, or over fresh, the user as
// re-read after a 409 (or before a created user's first PATCH), so that
// what changed since the plan is kept.
func (r *run) updateBody(u *diff.UpdateUser, fresh *genesys.User) (genesys.UpdateUser, error) {
	if u == nil {
		return genesys.UpdateUser{}, errors.New("update without attributes")
	}
	b := genesys.UpdateUser{Name: u.Name, Email: u.Email, Title: u.Title, Department: u.Department}
	var base diff.UserBase
	switch {
	case fresh != nil:
		base = baseOf(fresh)
	case u.Base != nil:
		base = *u.Base
	}
	if phones, ok := u.Addresses(base); ok {
		b.Addresses = contacts(phones)
	}
	if e, ok := u.EmployerInfo(base); ok {
		b.EmployerInfo = &genesys.EmployerInfo{OfficialName: e.OfficialName, EmployeeID: e.EmployeeID, EmployeeType: e.EmployeeType, DateHire: e.DateHire}
	}
	if u.Locations != nil {
		b.Locations = make([]genesys.LocationRef, len(u.Locations))
		for i, id := range u.Locations {
			b.Locations[i] = genesys.LocationRef{ID: id}
		}
	}
	switch {
	case u.ClearManager:
		empty := ""
		b.Manager = &empty
	case u.Manager != nil:
		id, err := r.resolve(*u.Manager)
		if err != nil {
			return b, fmt.Errorf("manager: %w", err)
		}
		b.Manager = &id
	}
	return b, nil
}

// contacts are phones as the API takes them: a never nil list, so that an
// empty one is sent as [] (no phone left).
func contacts(cs []diff.Contact) []genesys.Contact {
	out := make([]genesys.Contact, len(cs))
	for i, c := range cs {
		out[i] = genesys.Contact{MediaType: c.MediaType, Type: c.Type, Address: c.Number, Extension: c.Extension}
	}
	return out
}

// baseOf is what a PATCH of u's addresses or employerInfo rewrites whole.
func baseOf(u *genesys.User) diff.UserBase {
	var b diff.UserBase
	_, others := genesys.WorkPhone(u.Addresses)
	for _, c := range others {
		num, ext := c.PhoneParts()
		b.OtherPhones = append(b.OtherPhones, diff.Contact{MediaType: c.MediaType, Type: c.Type, Number: num, Extension: ext})
	}
	if e := u.EmployerInfo; e != nil {
		b.EmployerInfo = diff.EmployerInfo{OfficialName: e.OfficialName, EmployeeID: e.EmployeeID, EmployeeType: e.EmployeeType, DateHire: e.DateHire}
	}
	return b
}

// versioned makes a PATCH /users/{id} with the version the user should
// have; on 409 it re-reads the user and tries again with the version read
// and the body rebuilt over the user read, at most MaxConflictRetries
// times.
func (r *run) versioned(ctx context.Context, o *diff.Operation, body func(version int, fresh *genesys.User) (genesys.UpdateUser, error)) (any, error) {
	id, err := r.resolve(*o.User)
	if err != nil {
		return nil, err
	}
	r.touch(id)
	r.mu.Lock()
	v, known := r.versions[id]
	if !known {
		v = o.ExpectedVersion
		if v != 0 {
			v += r.bumps[id]
		}
	}
	r.mu.Unlock()
	var fresh *genesys.User
	for attempt := 0; ; attempt++ {
		if v == 0 {
			st := genesys.StateActive
			if o.Kind == diff.KindRestoreUser {
				st = genesys.StateDeleted
			}
			u, err := r.getUser(ctx, id, st)
			if err != nil {
				return nil, err
			}
			v, fresh = u.Version, &u
		}
		b, err := body(v, fresh)
		if err != nil {
			return nil, err
		}
		r.write()
		u, err := r.a.api.UpdateUser(ctx, id, b)
		if err == nil {
			r.mu.Lock()
			r.versions[id] = u.Version
			r.mu.Unlock()
			return opResult{UserID: id, Version: u.Version}, nil
		}
		if !errors.Is(err, genesys.ErrConflict) || attempt >= r.a.cfg.MaxConflictRetries {
			return nil, err
		}
		r.a.log.Warn("version conflict; re-reading the user", "plan_id", r.id, "op", o.ID, "user_id", id, "version", v, "attempt", attempt+1)
		v = 0
	}
}

// getUser reads a user in any state: GET /users/{id} finds active and
// inactive users, state=deleted the deleted ones.
func (r *run) getUser(ctx context.Context, id, state string) (genesys.User, error) {
	order := []string{"", genesys.StateDeleted}
	if state == genesys.StateDeleted {
		order = []string{genesys.StateDeleted, ""}
	}
	var err error
	for _, st := range order {
		r.read()
		var u genesys.User
		u, err = r.a.api.GetUser(ctx, id, &genesys.GetUserOptions{State: st, Expand: []string{"employerInfo"}})
		if err == nil || !errors.Is(err, genesys.ErrNotFound) {
			return u, err
		}
	}
	return genesys.User{}, err
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

// setJoined joins or unjoins queues. The queue-side add of a new member is
// asynchronous, and PATCH /users/{id}/queues ignores queues the user is
// not (yet) a member of, so the flags are sent again until every queue is
// in the answer, for at most JoinWait.
func (r *run) setJoined(ctx context.Context, id string, queues []diff.QueueJoined) error {
	want := make([]genesys.QueueJoin, len(queues))
	for i, q := range queues {
		want[i] = genesys.QueueJoin{ID: q.ID, Joined: q.Joined}
	}
	deadline := time.Now().Add(r.a.cfg.JoinWait)
	wait := 50 * time.Millisecond
	first := true
	for {
		if !first {
			r.write()
		}
		first = false
		l, err := r.a.api.PatchUserQueues(ctx, id, want)
		if err != nil {
			return err
		}
		var missing []genesys.QueueJoin
		for _, w := range want {
			if !slices.ContainsFunc(l.Entities, func(q genesys.UserQueue) bool { return q.ID == w.ID && q.Joined == w.Joined }) {
				missing = append(missing, w)
			}
		}
		if len(missing) == 0 {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("user %s is still not a member of %d queue(s) after %s (first %s); the joined flag was not set",
				id, len(missing), r.a.cfg.JoinWait, missing[0].ID)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(wait):
		}
		wait = min(2*wait, 2*time.Second)
		want = missing
	}
}
