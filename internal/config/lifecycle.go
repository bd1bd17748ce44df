package config

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"gopkg.in/yaml.v3"
)

// Onboard is what joiners get beyond their attributes and lists. An absent
// key takes the planner's default (diff.Onboard, listed in docs/feeds.md).
type Onboard struct {
	// SendInvite sends each joiner the plan creates the activation email.
	// Default true.
	SendInvite *bool `yaml:"send_invite"`
	// ResendInviteAfter resends an invitation that is still outstanding
	// (never followed by a password login) and older than this, e.g. 30d.
	// Default 0: never resend.
	ResendInviteAfter Days `yaml:"resend_invite_after"`
	// UtilizationProfiles are named utilizations the feed's utilization
	// column chooses from: profile name → media type (call, callback,
	// chat, email, message) → its settings.
	UtilizationProfiles map[string]map[string]MediaUtilization `yaml:"utilization_profiles"`
}

// MediaUtilization is one media type of a utilization profile.
type MediaUtilization struct {
	// Capacity is how many conversations of the type an agent takes at
	// once, 0 to 25. Required.
	Capacity *int `yaml:"capacity"`
	// InterruptedBy lists the media types that may interrupt it.
	InterruptedBy []string `yaml:"interrupted_by"`
	// IncludeNonACD counts non-ACD conversations against the capacity.
	IncludeNonACD bool `yaml:"include_non_acd"`
}

// UtilizationMediaTypes are the media types of a utilization, as the
// Platform API spells them.
var UtilizationMediaTypes = []string{"call", "callback", "chat", "email", "message"}

// MaxUtilizationCapacity is the largest capacity of a media type ("The
// maximum capacity for each interaction type is 25").
const MaxUtilizationCapacity = 25

// Days is a duration written in days ("30d") or as a Go duration
// ("720h").
type Days time.Duration

// UnmarshalYAML reads "30d", "1.5d" or a Go duration.
func (d *Days) UnmarshalYAML(n *yaml.Node) error {
	v, err := ParseDays(n.Value)
	if err != nil {
		return err
	}
	*d = Days(v)
	return nil
}

// ParseDays reads a number of days ("30d") or a Go duration ("720h").
func ParseDays(s string) (time.Duration, error) {
	s = strings.TrimSpace(s)
	if n, ok := strings.CutSuffix(s, "d"); ok {
		f, err := strconv.ParseFloat(n, 64)
		if err != nil {
			return 0, fmt.Errorf("%q is not a number of days", s)
		}
		return time.Duration(f * float64(24*time.Hour)), nil
	}
	return time.ParseDuration(s)
}

// validateLifecycle checks a feed's onboard and offboard keys beyond their
// types.
func (p *parser) validateLifecycle(k string, f *Feed) {
	if f.Onboard.ResendInviteAfter < 0 {
		p.errorf(k+".onboard.resend_invite_after", "must not be negative")
	}
	if f.Offboard.DeleteAfter < 0 {
		p.errorf(k+".offboard.delete_after", "must not be negative")
	}
	for _, name := range sortedKeys(f.Onboard.UtilizationProfiles) {
		pk := k + ".onboard.utilization_profiles." + name
		prof := f.Onboard.UtilizationProfiles[name]
		if strings.TrimSpace(name) == "" {
			p.errorf(pk, "a profile needs a name")
		}
		if len(prof) == 0 {
			p.errorf(pk, "sets no media type; a person without a profile keeps the org's utilization")
		}
		for _, mt := range sortedKeys(prof) {
			mk := pk + "." + mt
			m := prof[mt]
			if !slices.Contains(UtilizationMediaTypes, mt) {
				p.notOneOf(mk, "not", mt, UtilizationMediaTypes)
				continue
			}
			switch {
			case m.Capacity == nil:
				p.errorf(mk+".capacity", "is required (0 to %d)", MaxUtilizationCapacity)
			case *m.Capacity < 0 || *m.Capacity > MaxUtilizationCapacity:
				p.errorf(mk+".capacity", "must be between 0 and %d, got %d", MaxUtilizationCapacity, *m.Capacity)
			}
			for i, it := range m.InterruptedBy {
				ik := fmt.Sprintf("%s.interrupted_by[%d]", mk, i)
				switch {
				case !slices.Contains(UtilizationMediaTypes, it):
					p.notOneOf(ik, "not", it, UtilizationMediaTypes)
				case it == mt:
					p.errorf(ik, "a media type cannot interrupt itself")
				case slices.Contains(m.InterruptedBy[:i], it):
					p.errorf(ik, "%s is listed twice", it)
				}
			}
		}
	}
}
