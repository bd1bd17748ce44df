package analytics

import (
	"iter"
	"slices"
	"strings"
)

// User is what the analytics service needs to know about one user.
type User struct {
	ID string
	// State is the user's Genesys state: "active" (or empty), "inactive" or
	// "deleted". Only active users have presence history.
	State string
}

func (u User) hasActivityState() bool { return u.State == "" || u.State == "active" }

// UserSource is the organisation's user list as the analytics service reads
// it. The emulator core implements it over its org model; the service asks
// for it on every results page, so it must be cheap and must not copy the
// whole org.
type UserSource interface {
	// UsersFrom yields the users whose id sorts at or after from (all users
	// when from is empty) in ascending id order.
	UsersFrom(from string) iter.Seq[User]
}

// StaticUsers is a UserSource over a fixed list of users.
type StaticUsers []User

// NewStaticUsers returns a StaticUsers holding a sorted copy of users.
func NewStaticUsers(users []User) StaticUsers {
	s := slices.Clone(users)
	slices.SortFunc(s, func(a, b User) int { return strings.Compare(a.ID, b.ID) })
	return StaticUsers(s)
}

// UsersFrom implements UserSource; s must be sorted by id.
func (s StaticUsers) UsersFrom(from string) iter.Seq[User] {
	return func(yield func(User) bool) {
		i, _ := slices.BinarySearchFunc(s, from, func(u User, id string) int { return strings.Compare(u.ID, id) })
		for _, u := range s[i:] {
			if !yield(u) {
				return
			}
		}
	}
}

// UserLookup is an optional interface of a UserSource that can find one
// user by id faster than UsersFrom(id) can; filtered jobs and ground-truth
// helpers use it when the source has it.
type UserLookup interface {
	UserByID(id string) (User, bool)
}

// lookup returns the user with the given id.
func lookup(src UserSource, id string) (User, bool) {
	if l, ok := src.(UserLookup); ok {
		return l.UserByID(id)
	}
	for u := range src.UsersFrom(id) {
		return u, u.ID == id
	}
	return User{}, false
}
