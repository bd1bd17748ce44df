package diff

import (
	"fmt"
	"maps"
	"slices"

	"github.com/usersync/syncer/internal/feed"
)

// The kinds of a user's utilization: a profile of the configuration set
// (joiners, rehires, and matched users whose utilization was read), and a
// leaver's reset to the org's settings.
const (
	KindSetUtilization   Kind = "set_utilization"   // PUT /api/v2/routing/users/{id}/utilization
	KindResetUtilization Kind = "reset_utilization" // DELETE /api/v2/routing/users/{id}/utilization
)

// SetUtilization is the payload of a set_utilization: the profile's name
// (for people) and the media types it sets.
type SetUtilization struct {
	Profile     string             `json:"profile"`
	Utilization UtilizationProfile `json:"utilization"`
}

func init() {
	RegisterKind(KindSpec{
		Kind: KindResetUtilization,
		// A leaver step, before the state changes (40).
		Phase: 36,
		Endpoint: Endpoint{Method: "DELETE", Path: "/api/v2/routing/users/{userId}/utilization",
			Permissions: []string{"routing:utilization:manage"}, AnyOf: true},
		Target: TargetUser, Payload: Payload{None: true},
		Simulate: PerUser(func(_ *Sim, _ *Operation, u *User) error {
			u.Utilization = &Utilization{}
			return nil
		}),
		Verify: Verify{Replan: []Part{PartUtilization}},
		Plan:   planResetUtilization,
		When:   "leavers leaving now, with offboard.reset_utilization (not read first)",
	})
	RegisterKind(KindSpec{
		Kind: KindSetUtilization,
		// After the routing attributes (skills 60–70, languages 80–90),
		// before queue membership (100).
		Phase: 92,
		Endpoint: Endpoint{Method: "PUT", Path: "/api/v2/routing/users/{userId}/utilization",
			Permissions: []string{"routing:utilization:manage"}, AnyOf: true},
		Target: TargetUser, Payload: PayloadOf[SetUtilization](),
		Simulate: PerUser(func(_ *Sim, o *Operation, u *User) error {
			body, err := DecodePayload[SetUtilization](o)
			if err != nil {
				return err
			}
			if err := body.Utilization.Check(); err != nil {
				return fmt.Errorf("400: %w", err)
			}
			u.Utilization = &Utilization{Agent: true, Media: cloneMap(body.Utilization)}
			return nil
		}),
		Verify: Verify{Replan: []Part{PartUtilization}},
		Plan:   planUtilization,
		When:   "joiners, rehires and users whose utilization differs from the row's profile",
	})
}

// MaxCapacity is the largest maximum capacity of a media type ("The
// maximum capacity for each interaction type is 25").
const MaxCapacity = 25

// MediaTypes are the media types a utilization sets.
var MediaTypes = []string{"call", "callback", "chat", "email", "message"}

// Check reports what the API would refuse in a profile: no media type, an
// unknown one, a capacity outside 0–MaxCapacity, an interrupting media
// type that is unknown, repeated or the type itself.
func (p UtilizationProfile) Check() error {
	if len(p) == 0 {
		return fmt.Errorf("a utilization profile sets no media type")
	}
	for _, mt := range slices.Sorted(maps.Keys(p)) {
		m := p[mt]
		switch {
		case !slices.Contains(MediaTypes, mt):
			return fmt.Errorf("media type %q is not one of %v", mt, MediaTypes)
		case m.MaximumCapacity < 0 || m.MaximumCapacity > MaxCapacity:
			return fmt.Errorf("%s: capacity %d is not between 0 and %d", mt, m.MaximumCapacity, MaxCapacity)
		}
		for k, it := range m.InterruptableMediaTypes {
			switch {
			case !slices.Contains(MediaTypes, it):
				return fmt.Errorf("%s: interrupting media type %q is not one of %v", mt, it, MediaTypes)
			case it == mt:
				return fmt.Errorf("%s: a media type cannot interrupt itself", mt)
			case slices.Contains(m.InterruptableMediaTypes[:k], it):
				return fmt.Errorf("%s: interrupting media type %q is listed twice", mt, it)
			}
		}
	}
	return nil
}

// planUtilization gives the row's profile to a joiner (whose utilization
// is the org's), a rehire (reactivated or restored: not read, the profile
// is set again), or a matched user whose utilization was read and is not
// the profile (owned: replaced; not owned: only set when the user has
// none of its own).
func planUtilization(x *Person) {
	row, u := x.Row(), x.User()
	if row == nil || x.Action() == ActionOffboard || !row.Has.Has(feed.FieldUtilization) || row.Utilization == "" {
		return
	}
	prof, ok := x.Settings().Onboard.Profile(row.Utilization)
	if !ok {
		return // the feed checked the name against the same settings
	}
	before := ""
	switch a := x.Action(); {
	case a == ActionCreate:
	case a == ActionRestore || a == ActionReactivate:
		if u.Utilization != nil && prof.Matches(u.Utilization) {
			return
		}
	case u.Utilization == nil || prof.Matches(u.Utilization):
		return
	case u.Utilization.Agent && !x.owns(feed.FieldUtilization):
		return
	default:
		before = "the organization's"
		if u.Utilization.Agent {
			before = "its own"
		}
	}
	c := Change{Attr: "utilization", Before: before, After: row.Utilization}
	if before == "its own" {
		c.Reason = x.ownedBy("utilization")
	}
	x.Change(c)
	x.Op("", func(o *Operation) {
		o.Payload = EncodePayload(SetUtilization{Profile: row.Utilization, Utilization: prof})
	})
}

// planResetUtilization reverts a leaver leaving now to the org's
// utilization: unless the plan knows it follows the org's already, without
// reading it first (the DELETE answers alike whether or not the user had
// settings of its own, and costs what the read would).
func planResetUtilization(x *Person) {
	u := x.User()
	if !x.Settings().Offboard.ResetUtilization || !x.LeavingNow() || (u.Utilization != nil && !u.Utilization.Agent) {
		return
	}
	before := "not read"
	if u.Utilization != nil {
		before = "its own"
	}
	x.Change(Change{Attr: "utilization", Before: before, After: "the organization's", Reason: x.offboardBy("reset_utilization")})
	x.Op("", nil)
}
