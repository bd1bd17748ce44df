package apply

import (
	"context"
	"errors"
	"fmt"

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

// call makes the API call(s) of one operation, by its kind's executor.
// retry says that an earlier attempt may have happened.
func (r *run) call(ctx context.Context, o *diff.Operation, retry bool) (any, error) {
	e, ok := executors[o.Kind]
	if !ok {
		return nil, fmt.Errorf("operation %s: unknown kind %q", o.ID, o.Kind)
	}
	return e.Call(ctx, &Exec{r: r, retry: retry}, o)
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

// versioned makes a PATCH /users/{id} with the version the user should
// have; on 409 it re-reads the user and tries again with the version read
// and the body rebuilt over the user read, at most MaxConflictRetries
// times. A user whose version is not known yet is read first, looked for
// in readState first ("" or genesys.StateDeleted, see getUser).
func (r *run) versioned(ctx context.Context, o *diff.Operation, readState string, body func(version int, fresh *genesys.User) (genesys.UpdateUser, error)) (any, error) {
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
			u, err := r.getUser(ctx, id, readState)
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
