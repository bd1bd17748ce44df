package emulator

import (
	"cmp"
	"slices"
	"strings"
	"sync/atomic"
	"time"
)

// User states as the API spells them.
const (
	StateActive   = "active"
	StateInactive = "inactive"
	StateDeleted  = "deleted"
)

// userState is a user's state, compact. Its order is the index into
// org.byState.
type userState uint8

const (
	stActive userState = iota
	stInactive
	stDeleted
	numStates
)

func (s userState) String() string {
	switch s {
	case stActive:
		return StateActive
	case stInactive:
		return StateInactive
	default:
		return StateDeleted
	}
}

func parseState(s string) (userState, bool) {
	switch s {
	case StateActive:
		return stActive, true
	case StateInactive:
		return stInactive, true
	case StateDeleted:
		return stDeleted, true
	}
	return 0, false
}

// entity is a named reference-data object: division, role, skill, language,
// group or location.
type entity struct {
	id   string
	name string
}

type division struct {
	entity
	home bool
}

type role struct {
	entity
	description string
	permissions []string
}

// queue is a routing queue. members holds user indexes sorted ascending;
// joined counts the members with the joined flag. Both are maintained by
// org.addMembership, org.removeMembership and org.setJoined only.
type queue struct {
	entity
	division int32
	members  []int32
	joined   int
}

// skillRef is one routing skill or language of a user (index into
// org.skills or org.languages) with its proficiency (0–5).
type skillRef struct {
	ref         int32
	proficiency float64
}

// queueRef is one queue membership of a user.
type queueRef struct {
	queue  int32
	joined bool
}

// grant is one role granted to a user in a division.
type grant struct {
	role     int32
	division int32
}

// ExternalID is an external identifier of a user: an authority (e.g. "hr")
// and the key it knows the user by.
type ExternalID struct {
	AuthorityName string `json:"authorityName"`
	ExternalKey   string `json:"externalKey"`
}

// user is one user. References to other org objects are indexes into the
// org's slices, so a user costs a few hundred bytes even with 20 skills and
// 30 queues. Slices are kept sorted by ref (skills, languages, queues) so
// per-user listings need no sort.
type user struct {
	id            string
	name          string
	email         string
	username      string
	title         string
	department    string
	employeeID    string
	employeeType  string
	dateHire      string
	state         userState
	acdAutoAnswer bool
	division      int32
	manager       int32 // -1: none. Invariant: no cycles (a forest).
	version       int32
	skills        []skillRef
	languages     []skillRef
	queues        []queueRef
	groups        []int32
	locations     []int32
	addresses     []contact
	grants        []grant
	externalIDs   []ExternalID

	// The joiner and leaver resources (lifecycle.go). defaultStation and
	// associatedStation are station indexes plus one (0: none).
	defaultStation    int32
	associatedStation int32
	verifiers         []verifier
	utilization       utilization // nil: the org's settings
	profileSkills     []string
	welcomeSent       string // dateWelcomeSent, RFC 3339; "": never
	lastLogin         string // dateLastLogin, RFC 3339; "": never

	// People data (people.go). Times are Unix ms. Invariants: On Queue
	// exactly when the routing status is not OFF_QUEUE; users not active
	// are Offline; deleted users are on no team.
	presence      presence
	routing       routing
	presenceSince int64
	routingSince  int64
	ooo           *outOfOffice // nil: never set one
	team          int32        // team index plus one; 0: none
	certs         []string     // certification names, distinct, in order
	activities    []activity   // as attendee
}

// extKey indexes users by external id.
type extKey struct {
	authority string
	key       string
}

// org is the whole in-memory organisation. It is not safe for concurrent
// use: the Server guards it with its RWMutex (reads under RLock, every change
// under Lock).
//
// Invariants (checked by org.check in tests):
//   - users are never removed: a leaver's state becomes deleted, so indexes
//     into users stay valid forever;
//   - byID, byEmail (lower-cased, deleted users included) and byExt index
//     every user;
//   - byState[s] lists the users of state s and byState[numStates] all
//     users, each sorted by (name, id): the listing order of GET /users;
//   - a user's queue refs and the queues' member lists mirror each other,
//     and queue.joined counts the joined members;
//   - the manager graph is a forest (no cycles); generated users have
//     managers before them, PATCH /users/{id} refuses a cycle.
type org struct {
	divisions []division
	roles     []role
	skills    []entity
	languages []entity
	groups    []entity
	locations []entity
	queues    []queue
	stations  []station
	users     []user

	// People data (people.go): groupMeta parallels groups.
	groupMeta   []groupMeta
	teams       []team
	modules     []module
	presenceIDs [numPresences]string
	// epoch is Config.Epoch in Unix ms, what generated people data is
	// relative to; now is the server's clock (nil: epoch); seed derives
	// activity ids; activitySerial numbers activities.
	epoch          int64
	now            func() time.Time
	seed           uint64
	activitySerial uint32

	byID       map[string]int32
	byEmail    map[string]int32
	byExt      map[extKey]int32
	divisionID map[string]int32
	roleID     map[string]int32
	skillID    map[string]int32
	languageID map[string]int32
	queueID    map[string]int32
	groupID    map[string]int32
	locationID map[string]int32
	stationID  map[string]int32

	byState [numStates + 1][]int32

	// seq counts the writes to the org (Server.write bumps it); cache[i]
	// holds user i's rendered JSON, valid only while its seq is current.
	// The cache is filled under the read lock, hence atomic pointers.
	seq   uint64
	cache []atomic.Pointer[rendered]
	// skillFrags and languageFrags are the constant JSON of each skill and
	// language in a user's expanded list (render.go). Rebuild them with
	// indexReference when skills or languages change.
	skillFrags, languageFrags []skillFrag
	// presenceFrags, teamFrags and groupFrags are the constant JSON of the
	// presence definitions, teams and groups (people.go).
	presenceFrags         [numPresences]string
	teamFrags, groupFrags []string

	// serial numbers the users created after generation (see newUserID).
	serial int
}

// lessUser orders users for listings: by name, then id.
func (o *org) cmpUser(a, b int32) int {
	ua, ub := &o.users[a], &o.users[b]
	return cmp.Or(strings.Compare(ua.name, ub.name), strings.Compare(ua.id, ub.id))
}

// buildIndexes (re)builds every index from the slices.
func (o *org) buildIndexes() {
	n := len(o.users)
	o.byID = make(map[string]int32, n)
	o.byEmail = make(map[string]int32, n)
	o.byExt = make(map[extKey]int32, n)
	for i := range o.users {
		u := &o.users[i]
		o.byID[u.id] = int32(i)
		o.byEmail[strings.ToLower(u.email)] = int32(i)
		for _, e := range u.externalIDs {
			o.byExt[extKey{e.AuthorityName, e.ExternalKey}] = int32(i)
		}
	}
	o.indexReference()
	o.divisionID = indexOf(o.divisions, func(d division) string { return d.id })
	o.roleID = indexOf(o.roles, func(r role) string { return r.id })
	o.skillID = indexOf(o.skills, func(e entity) string { return e.id })
	o.languageID = indexOf(o.languages, func(e entity) string { return e.id })
	o.groupID = indexOf(o.groups, func(e entity) string { return e.id })
	o.locationID = indexOf(o.locations, func(e entity) string { return e.id })
	o.queueID = indexOf(o.queues, func(q queue) string { return q.id })
	o.stationID = indexOf(o.stations, func(s station) string { return s.id })

	o.cache = make([]atomic.Pointer[rendered], n, n+n/8)

	all := make([]int32, n)
	var counts [numStates]int
	for i := range o.users {
		all[i] = int32(i)
		counts[o.users[i].state]++
	}
	slices.SortFunc(all, o.cmpUser)
	for s := range numStates {
		o.byState[s] = make([]int32, 0, counts[s])
	}
	for _, i := range all {
		s := o.users[i].state
		o.byState[s] = append(o.byState[s], i)
	}
	o.byState[numStates] = all
}

// indexReference renders the per-skill and per-language fragments.
func (o *org) indexReference() {
	o.skillFrags = skillFrags(o.skills, false)
	o.languageFrags = skillFrags(o.languages, true)
	o.peopleFrags()
}

func indexOf[T any](xs []T, id func(T) string) map[string]int32 {
	m := make(map[string]int32, len(xs))
	for i, x := range xs {
		m[id(x)] = int32(i)
	}
	return m
}

// unlist removes user i from the sorted state listings. Call it before
// changing the user's name or state, and list after.
func (o *org) unlist(i int32) {
	for _, s := range []userState{o.users[i].state, numStates} {
		l := o.byState[s]
		if k, ok := slices.BinarySearchFunc(l, i, o.cmpUser); ok {
			o.byState[s] = slices.Delete(l, k, k+1)
		}
	}
}

// list inserts user i into the sorted state listings.
func (o *org) list(i int32) {
	for _, s := range []userState{o.users[i].state, numStates} {
		l := o.byState[s]
		k, ok := slices.BinarySearchFunc(l, i, o.cmpUser)
		if !ok {
			o.byState[s] = slices.Insert(l, k, i)
		}
	}
}

// addUser appends u, indexes it and returns its index. The caller has made
// sure id, email and external ids are free.
func (o *org) addUser(u user) int32 {
	i := int32(len(o.users))
	o.users = append(o.users, u)
	if len(o.cache) == cap(o.cache) {
		// Grow by hand: atomics must not be copied, only their values.
		grown := make([]atomic.Pointer[rendered], len(o.cache), 2*len(o.cache)+16)
		for k := range o.cache {
			grown[k].Store(o.cache[k].Load())
		}
		o.cache = grown
	}
	o.cache = o.cache[:len(o.cache)+1]
	nu := &o.users[i]
	o.byID[nu.id] = i
	o.byEmail[strings.ToLower(nu.email)] = i
	for _, e := range nu.externalIDs {
		o.byExt[extKey{e.AuthorityName, e.ExternalKey}] = i
	}
	for _, q := range nu.queues {
		o.queues[q.queue].members = insertSorted(o.queues[q.queue].members, i)
		if q.joined {
			o.queues[q.queue].joined++
		}
	}
	o.list(i)
	if nu.presenceSince == 0 {
		nu.presenceSince = o.clock()
		nu.routingSince = nu.presenceSince
	}
	return i
}

// setNameState changes user i's name and/or state, keeping the listings
// sorted. A user becoming deleted leaves every queue, as in Genesys Cloud,
// and its stations ("extensions, default stations, and permissions are not
// reassigned when a user is restored": Genesys Cloud user management FAQ).
func (o *org) setNameState(i int32, name string, st userState) {
	u := &o.users[i]
	if u.name == name && u.state == st {
		return
	}
	o.unlist(i)
	u.name, u.state = name, st
	o.list(i)
	if st != stActive {
		o.goOffline(i)
	}
	if st == stDeleted {
		for len(u.queues) > 0 {
			o.removeMembership(i, u.queues[0].queue)
		}
		o.releaseStations(i)
		u.team = 0
	}
}

// setEmail changes user i's email and the email index.
func (o *org) setEmail(i int32, email string) {
	u := &o.users[i]
	delete(o.byEmail, strings.ToLower(u.email))
	u.email = email
	o.byEmail[strings.ToLower(email)] = i
}

// addExternalID registers an external id for user i, replacing the key the
// user had for that authority.
func (o *org) addExternalID(i int32, e ExternalID) {
	u := &o.users[i]
	for k, old := range u.externalIDs {
		if old.AuthorityName == e.AuthorityName {
			delete(o.byExt, extKey{old.AuthorityName, old.ExternalKey})
			u.externalIDs = slices.Delete(u.externalIDs, k, k+1)
			break
		}
	}
	u.externalIDs = append(u.externalIDs, e)
	o.byExt[extKey{e.AuthorityName, e.ExternalKey}] = i
}

// addMembership makes user i a member of queue q (or updates its joined
// flag when it already is one).
func (o *org) addMembership(i, q int32, joined bool) {
	u := &o.users[i]
	k, ok := slices.BinarySearchFunc(u.queues, q, func(r queueRef, q int32) int { return cmp.Compare(r.queue, q) })
	if ok {
		o.setJoined(i, q, joined)
		return
	}
	u.queues = slices.Insert(u.queues, k, queueRef{queue: q, joined: joined})
	o.queues[q].members = insertSorted(o.queues[q].members, i)
	if joined {
		o.queues[q].joined++
	}
}

// removeMembership removes user i from queue q; it reports whether i was a
// member.
func (o *org) removeMembership(i, q int32) bool {
	u := &o.users[i]
	k, ok := slices.BinarySearchFunc(u.queues, q, func(r queueRef, q int32) int { return cmp.Compare(r.queue, q) })
	if !ok {
		return false
	}
	if u.queues[k].joined {
		o.queues[q].joined--
	}
	u.queues = slices.Delete(u.queues, k, k+1)
	qm := o.queues[q].members
	if m, ok := slices.BinarySearch(qm, i); ok {
		o.queues[q].members = slices.Delete(qm, m, m+1)
	}
	return true
}

// setJoined sets the joined flag of user i on queue q; it reports whether i
// is a member (non-members are left alone, as PATCH /users/{id}/queues does).
func (o *org) setJoined(i, q int32, joined bool) bool {
	u := &o.users[i]
	k, ok := slices.BinarySearchFunc(u.queues, q, func(r queueRef, q int32) int { return cmp.Compare(r.queue, q) })
	if !ok {
		return false
	}
	if u.queues[k].joined != joined {
		u.queues[k].joined = joined
		if joined {
			o.queues[q].joined++
		} else {
			o.queues[q].joined--
		}
	}
	return true
}

// setSkill adds or updates a skill (or language, with the languages slice)
// of a user, keeping the slice sorted by ref.
func setSkill(refs []skillRef, ref int32, proficiency float64) []skillRef {
	k, ok := slices.BinarySearchFunc(refs, ref, func(r skillRef, ref int32) int { return cmp.Compare(r.ref, ref) })
	if ok {
		refs[k].proficiency = proficiency
		return refs
	}
	return slices.Insert(refs, k, skillRef{ref: ref, proficiency: proficiency})
}

// removeSkill removes ref from refs; it reports whether it was there.
func removeSkill(refs []skillRef, ref int32) ([]skillRef, bool) {
	k, ok := slices.BinarySearchFunc(refs, ref, func(r skillRef, ref int32) int { return cmp.Compare(r.ref, ref) })
	if !ok {
		return refs, false
	}
	return slices.Delete(refs, k, k+1), true
}

func insertSorted(xs []int32, x int32) []int32 {
	k, ok := slices.BinarySearch(xs, x)
	if ok {
		return xs
	}
	return slices.Insert(xs, k, x)
}

// userByID returns the index of the user with that id.
func (o *org) userByID(id string) (int32, bool) {
	i, ok := o.byID[id]
	return i, ok
}
