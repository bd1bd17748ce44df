package emulator

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"
)

// The joiner and leaver resources of a user (lifecycle_routes.go serves
// them): stations, MFA verifiers, utilization, profile skills and the
// activation invite. How sure each rule is, is said in doc.go ("Joiners and
// leavers").

// station is a phone (or WebRTC softphone) of the org. defaultUser and
// associatedUser are user indexes plus one (0: none); a user's
// defaultStation and associatedStation are station indexes plus one, and
// the two sides mirror each other (org.check).
type station struct {
	entity
	typ            string
	defaultUser    int32
	associatedUser int32
}

// verifier is one MFA verifier of a user (an authenticator app, a phone).
type verifier struct {
	id, name string
	def      bool
}

// MediaTypes are the media types of a utilization, as the API spells them
// (MediaUtilization: "Values include call, chat, email, callback, and
// message").
var MediaTypes = []string{"call", "callback", "chat", "email", "message"}

// MaxCapacity is the largest maximumCapacity of a media type ("The maximum
// capacity for each interaction type is 25", Resource Center).
const MaxCapacity = 25

// mediaUtilization is one media type's settings.
type mediaUtilization struct {
	capacity      int
	interruptible []string // media types, sorted
	includeNonAcd bool
}

// utilization is a user's own utilization (level Agent): the media types
// it sets; the others follow the org default.
type utilization map[string]mediaUtilization

// orgUtilization is the organisation's default utilization.
var orgUtilization = utilization{
	"call":     {capacity: 1},
	"callback": {capacity: 1, interruptible: []string{"call"}},
	"chat":     {capacity: 3, interruptible: []string{"call"}},
	"email":    {capacity: 1, interruptible: []string{"call", "chat"}},
	"message":  {capacity: 4, interruptible: []string{"call"}},
}

var profileSkillNames = []string{"Customer empathy", "De-escalation", "Excel", "Product knowledge", "Coaching",
	"Upselling", "Technical writing", "Sign language", "Mentoring", "Workforce planning"}

var verifierNames = []string{"Authenticator app", "Mobile phone (SMS)", "Security key"}

// decorate gives the users of a generated org their stations, verifiers,
// utilization, profile skills, welcome and login dates. It draws from a
// stream of its own, so that every other part of the org is what the same
// seed always gave.
func decorate(o *org, seed int64) {
	g := newGenerator(seed, 0x5747)
	n := len(o.users)
	nStations := max(10, n*6/10)
	for k := range nStations {
		typ := "inin_webrtc_softphone"
		if k%3 == 0 {
			typ = "inin_remote"
		}
		o.stations = append(o.stations, station{entity: entity{g.uuid(), fmt.Sprintf("Desk %05d", k+1)}, typ: typ})
	}
	next := 0
	base := time.Date(2024, 1, 1, 9, 0, 0, 0, time.UTC)
	for i := range o.users {
		u := &o.users[i]
		if u.state == stDeleted {
			continue
		}
		if next < nStations && g.r.IntN(2) == 0 {
			st := int32(next)
			next++
			u.defaultStation, o.stations[st].defaultUser = st+1, int32(i)+1
			if g.r.IntN(5) < 2 {
				u.associatedStation, o.stations[st].associatedUser = st+1, int32(i)+1
			}
		}
		nv := 0
		switch p := g.r.IntN(10); {
		case u.state == stActive && p < 6:
			nv = 1 + g.r.IntN(2)
		case u.state == stInactive && p < 3:
			nv = 1
		}
		for k := range nv {
			u.verifiers = append(u.verifiers, verifier{id: g.uuid(), name: verifierNames[(i+k)%len(verifierNames)], def: k == 0})
		}
		if g.r.IntN(100) < 15 {
			u.utilization = utilization{"call": {capacity: 1}, "chat": {capacity: 1 + g.r.IntN(4), interruptible: []string{"call"}}}
		}
		for _, k := range g.draw(len(profileSkillNames), g.r.IntN(4)) {
			u.profileSkills = append(u.profileSkills, profileSkillNames[k])
		}
		if g.r.IntN(10) < 9 {
			u.welcomeSent = base.AddDate(0, 0, -g.r.IntN(900)).Format(time.RFC3339)
			if u.state == stActive && g.r.IntN(10) < 8 {
				u.lastLogin = base.AddDate(0, 0, g.r.IntN(300)).Format(time.RFC3339)
			}
		}
	}
}

// releaseStations clears user i's default and associated stations.
func (o *org) releaseStations(i int32) {
	o.clearDefaultStation(i)
	o.clearAssociatedStation(i)
}

func (o *org) clearDefaultStation(i int32) {
	u := &o.users[i]
	if u.defaultStation != 0 {
		o.stations[u.defaultStation-1].defaultUser = 0
		u.defaultStation = 0
	}
}

func (o *org) clearAssociatedStation(i int32) {
	u := &o.users[i]
	if u.associatedStation != 0 {
		o.stations[u.associatedStation-1].associatedUser = 0
		u.associatedStation = 0
	}
}

// setDefaultStation makes station st user i's default station (the
// caller has checked that no other user holds it).
func (o *org) setDefaultStation(i, st int32) {
	o.clearDefaultStation(i)
	o.users[i].defaultStation, o.stations[st].defaultUser = st+1, i+1
}

// parseUtilization checks a UtilizationRequest's map (what needs no org
// state): known media types, a capacity of 0 to MaxCapacity for each, and
// interrupting media types that are known, listed once and not the type
// itself.
func parseUtilization(body map[string]*mediaUtilizationBody) (utilization, *apiError) {
	if len(body) == 0 {
		return nil, badRequest("utilization must set at least one media type; DELETE /api/v2/routing/users/{userId}/utilization reverts to the organization's settings")
	}
	out := utilization{}
	for _, mt := range slices.Sorted(maps.Keys(body)) {
		m := body[mt]
		if !slices.Contains(MediaTypes, mt) {
			return nil, badRequest("utilization: media type %q is not one of %s", mt, strings.Join(MediaTypes, ", "))
		}
		if m == nil || m.MaximumCapacity == nil {
			return nil, badRequest("utilization.%s.maximumCapacity is required", mt)
		}
		if c := *m.MaximumCapacity; c < 0 || c > MaxCapacity {
			return nil, badRequest("utilization.%s.maximumCapacity %d must be between 0 and %d", mt, c, MaxCapacity)
		}
		mu := mediaUtilization{capacity: *m.MaximumCapacity, includeNonAcd: m.IncludeNonAcd != nil && *m.IncludeNonAcd}
		for _, it := range m.InterruptableMediaTypes {
			switch {
			case !slices.Contains(MediaTypes, it):
				return nil, badRequest("utilization.%s.interruptableMediaTypes: %q is not one of %s", mt, it, strings.Join(MediaTypes, ", "))
			case it == mt:
				return nil, badRequest("utilization.%s.interruptableMediaTypes: a media type cannot interrupt itself", mt)
			case slices.Contains(mu.interruptible, it):
				return nil, badRequest("utilization.%s.interruptableMediaTypes: %q is listed twice", mt, it)
			}
			mu.interruptible = append(mu.interruptible, it)
		}
		slices.Sort(mu.interruptible)
		out[mt] = mu
	}
	return out, nil
}

// utilizationOf is what GET /routing/users/{id}/utilization answers for u:
// the org's settings with the user's own laid over them, and the level
// they come from.
func utilizationOf(u *user) agentUtilization {
	out := agentUtilization{Utilization: map[string]mediaUtilizationJSON{}, Level: "Organization"}
	if u.utilization != nil {
		out.Level = "Agent"
	}
	for _, mt := range MediaTypes {
		m, ok := u.utilization[mt]
		if !ok {
			m = orgUtilization[mt]
		}
		out.Utilization[mt] = mediaUtilizationJSON{MaximumCapacity: m.capacity, InterruptableMediaTypes: append([]string{}, m.interruptible...), IncludeNonAcd: m.includeNonAcd}
	}
	return out
}

// normalizeProfileSkills trims the skills of a PUT and drops repeats
// (case-insensitive), keeping the first spelling and the order.
func normalizeProfileSkills(in []string) ([]string, *apiError) {
	if len(in) > maxProfileSkills {
		return nil, badRequest("At most %d profile skills can be set; %d were given", maxProfileSkills, len(in))
	}
	out := make([]string, 0, len(in))
	for n, s := range in {
		s = strings.TrimSpace(s)
		if s == "" {
			return nil, badRequest("Entry %d: a profile skill must not be empty", n)
		}
		if !slices.ContainsFunc(out, func(x string) bool { return strings.EqualFold(x, s) }) {
			out = append(out, s)
		}
	}
	return out, nil
}

// maxProfileSkills bounds PUT /users/{id}/profileskills (undocumented: the
// emulator's choice).
const maxProfileSkills = 100

// appendLifecycle appends the station, profileSkills, dateWelcomeSent and
// dateLastLogin expands of u (the dates only when set, as the API leaves
// out what it does not have).
func (o *org) appendLifecycle(b []byte, u *user, exp expand) []byte {
	if exp&expStation != 0 {
		b = appendKey(b, "station", false)
		b = append(b, '{')
		first := true
		one := func(key string, st int32, associated string) {
			if st == 0 {
				return
			}
			b = appendKey(b, key, first)
			first = false
			s := &o.stations[st-1]
			b = append(b, '{')
			b = appendField(b, "id", s.id, true)
			b = appendField(b, "name", s.name, false)
			b = appendField(b, "type", s.typ, false)
			if associated != "" {
				b = appendField(b, "associatedDate", associated, false)
			}
			b = append(b, '}')
		}
		one("associatedStation", u.associatedStation, u.lastLogin)
		one("effectiveStation", cmpOr32(u.associatedStation, u.defaultStation), "")
		one("defaultStation", u.defaultStation, "")
		one("lastAssociatedStation", lastAssociatedStation(u), "")
		b = append(b, '}')
	}
	if exp&expProfileSkills != 0 {
		b = appendKey(b, "profileSkills", false)
		b = append(b, '[')
		for k, p := range u.profileSkills {
			if k > 0 {
				b = append(b, ',')
			}
			b = appendStr(b, p)
		}
		b = append(b, ']')
	}
	if exp&expDateWelcomeSent != 0 && u.welcomeSent != "" {
		b = appendField(b, "dateWelcomeSent", u.welcomeSent, false)
	}
	if exp&expDateLastLogin != 0 && u.lastLogin != "" {
		b = appendField(b, "dateLastLogin", u.lastLogin, false)
	}
	return b
}

func cmpOr32(a, b int32) int32 {
	if a != 0 {
		return a
	}
	return b
}
