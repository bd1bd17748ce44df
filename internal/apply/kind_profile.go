package apply

import (
	"context"
	"errors"
	"fmt"

	"github.com/usersync/syncer/internal/diff"
	"github.com/usersync/syncer/internal/genesys"
)

func init() {
	RegisterExecutor(diff.KindUpdateUser, Executor{Call: func(ctx context.Context, x *Exec, o *diff.Operation) (any, error) {
		return x.r.versioned(ctx, o, "", func(v int, fresh *genesys.User) (genesys.UpdateUser, error) {
			b, err := x.r.updateBody(o.Update, fresh)
			b.Version = v
			return b, err
		})
	}})
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
