package analytics

import (
	"cmp"
	"encoding/binary"
	"encoding/hex"
	"math"
	"slices"
	"time"
)

// SystemPresence values as Genesys Cloud spells them.
const (
	PresenceOffline   = "OFFLINE"
	PresenceAvailable = "AVAILABLE"
	PresenceOnQueue   = "ON_QUEUE"
	PresenceBusy      = "BUSY"
	PresenceAway      = "AWAY"
	PresenceBreak     = "BREAK"
	PresenceMeal      = "MEAL"
	PresenceMeeting   = "MEETING"
	PresenceTraining  = "TRAINING"
	PresenceIdle      = "IDLE"
)

// Routing status values as Genesys Cloud spells them.
const (
	RoutingOffQueue      = "OFF_QUEUE"
	RoutingIdle          = "IDLE"
	RoutingInteracting   = "INTERACTING"
	RoutingNotResponding = "NOT_RESPONDING"
	RoutingCommunicating = "COMMUNICATING"
)

// systemPresence indexes systemPresenceNames.
type systemPresence uint8

const (
	spOffline systemPresence = iota
	spAvailable
	spOnQueue
	spBusy
	spAway
	spBreak
	spMeal
	spMeeting
	spTraining
	spIdle
	numSystemPresences
)

var systemPresenceNames = [numSystemPresences]string{
	PresenceOffline, PresenceAvailable, PresenceOnQueue, PresenceBusy, PresenceAway,
	PresenceBreak, PresenceMeal, PresenceMeeting, PresenceTraining, PresenceIdle,
}

// routingStatus indexes routingStatusNames.
type routingStatus uint8

const (
	rsOffQueue routingStatus = iota
	rsIdle
	rsInteracting
	rsNotResponding
	rsCommunicating
	numRoutingStatuses
)

var routingStatusNames = [numRoutingStatuses]string{
	RoutingOffQueue, RoutingIdle, RoutingInteracting, RoutingNotResponding, RoutingCommunicating,
}

// orgPresence is one organisation presence (the presence definitions an org
// configures); each maps onto one system presence. BUSY and AWAY have a
// second, custom definition so that tOrganizationPresence differs from
// tSystemPresence.
type orgPresence uint8

const (
	opOffline orgPresence = iota
	opAvailable
	opOnQueue
	opBusy
	opDoNotDisturb
	opAway
	opBeRightBack
	opBreak
	opMeal
	opMeeting
	opTraining
	opIdle
	numOrgPresences
)

var orgPresenceDefs = [numOrgPresences]struct {
	system systemPresence
	name   string
}{
	{spOffline, "Offline"},
	{spAvailable, "Available"},
	{spOnQueue, "On Queue"},
	{spBusy, "Busy"},
	{spBusy, "Do Not Disturb"},
	{spAway, "Away"},
	{spAway, "Be Right Back"},
	{spBreak, "Break"},
	{spMeal, "Meal"},
	{spMeeting, "Meeting"},
	{spTraining, "Training"},
	{spIdle, "Idle"},
}

const (
	msPerMinute = int64(60_000)
	msPerHour   = 60 * msPerMinute
	msPerDay    = 24 * msPerHour
	// maxDayGap bounds the search for neighbouring working days: every
	// active user works every Wednesday, so two working days are never more
	// than 7 days apart.
	maxDayGap = 8
	// activePercent of active users have any presence history at all.
	activePercent = 92
	// agentPercent of users with history are ACD agents (go on queue).
	agentPercent = 80
)

// Model generates the presence and routing-status history of every user of
// an organisation from a seed. It is a pure function of (seed, user id,
// time): nothing is stored, so any window of any user can be produced on
// demand and two calls always agree. The zero value is the model of seed 0.
type Model struct {
	seed   uint64
	orgIDs [numOrgPresences]string
}

// NewModel returns the model of the given seed.
func NewModel(seed int64) *Model {
	m := &Model{seed: uint64(seed)}
	for i, def := range orgPresenceDefs {
		m.orgIDs[i] = uuidFrom(hashString(m.seed^0x6f7267707265, def.name))
	}
	return m
}

// OrganizationPresenceIDs maps each system presence to the ids of the
// organisation presences that report it, in a fixed order (the default one
// first).
func (m *Model) OrganizationPresenceIDs() map[string][]string {
	out := make(map[string][]string, numSystemPresences)
	for i, def := range orgPresenceDefs {
		name := systemPresenceNames[def.system]
		out[name] = append(out[name], m.orgIDs[i])
	}
	return out
}

// PresenceRecord is one primary-presence segment. End is the zero time while
// the segment is still open at the data horizon.
type PresenceRecord struct {
	Start                  time.Time
	End                    time.Time
	SystemPresence         string
	OrganizationPresenceID string
}

// RoutingRecord is one routing-status segment. End is the zero time while
// the segment is still open at the data horizon.
type RoutingRecord struct {
	Start         time.Time
	End           time.Time
	RoutingStatus string
}

// UserDetail is the ground truth of one user's details over a window: the
// segments that overlap it, unclipped, exactly as a details job returns them.
type UserDetail struct {
	UserID          string
	PrimaryPresence []PresenceRecord
	RoutingStatus   []RoutingRecord
}

// span is one segment in Unix milliseconds; val is an orgPresence or a
// routingStatus. end is the true end, even past the horizon.
type span struct {
	start, end int64
	val        uint8
}

// profile is what a user's whole history hangs on.
type profile struct {
	hash      uint64
	active    bool  // has any history
	agent     bool  // goes on queue
	baseStart int64 // usual shift start, ms after midnight UTC
	baseLen   int64 // usual shift length, ms
}

func (m *Model) profile(userID string) profile {
	h := hashString(m.seed, userID)
	r := rng{s: h}
	p := profile{hash: h}
	p.active = r.intn(100) < activePercent
	p.agent = r.intn(100) < agentPercent
	p.baseStart = 5*msPerHour + r.intn(17)*30*msPerMinute // 05:00–13:00
	p.baseLen = 7*msPerHour + r.intn(5)*30*msPerMinute    // 7h–9h
	return p
}

// hasActivity reports whether the user has any history; users the source
// reports as inactive or deleted never have any.
func (m *Model) hasActivity(u User) bool {
	return u.hasActivityState() && m.profile(u.ID).active
}

// shift is one day's working shift; start and end are Unix ms.
type shift struct {
	day        int64
	working    bool
	start, end int64
}

func (m *Model) shift(p *profile, day int64) shift {
	s := shift{day: day}
	wd := weekday(day)
	if wd == time.Saturday || wd == time.Sunday {
		return s
	}
	r := rng{s: mix(p.hash, uint64(day)^0x7368696674)}
	off := r.intn(100) < 6
	if off && wd != time.Wednesday {
		return s
	}
	s.working = true
	s.start = day*msPerDay + p.baseStart + r.between(-20*msPerMinute, 20*msPerMinute) + r.intn(1000)
	s.end = s.start + p.baseLen + r.between(-30*msPerMinute, 30*msPerMinute) + r.intn(1000)
	return s
}

// weekday of a day number (days since the Unix epoch, a Thursday).
func weekday(day int64) time.Weekday {
	return time.Weekday(((day+4)%7 + 7) % 7)
}

func floorDiv(a, b int64) int64 {
	q := a / b
	if a%b != 0 && (a < 0) != (b < 0) {
		q--
	}
	return q
}

// interruption is a planned departure from the shift's main presence.
type interruption struct {
	start, end int64
	op         orgPresence
}

// shiftContent appends the presence spans covering [sh.start, sh.end) and,
// for agents, the routing spans covering every ON_QUEUE span preceded by the
// OFF_QUEUE span since the last routing span already in rout.
func (m *Model) shiftContent(p *profile, sh shift, pres, rout []span) ([]span, []span) {
	r := rng{s: mix(p.hash, uint64(sh.day)^0x636f6e74656e74)}
	main := opAvailable
	if p.agent {
		main = opOnQueue
	}
	login := sh.start + r.between(msPerMinute, 6*msPerMinute)
	length := sh.end - sh.start
	var plan [16]interruption
	n := 0
	add := func(at, dur int64, op orgPresence) {
		if n < len(plan) {
			plan[n] = interruption{start: at, end: at + dur, op: op}
			n++
		}
	}
	// Scheduled breaks and a meal.
	add(sh.start+2*msPerHour+r.between(-20*msPerMinute, 20*msPerMinute), r.between(10*msPerMinute, 15*msPerMinute), opBreak)
	add(sh.start+length/2+r.between(-30*msPerMinute, 30*msPerMinute), r.between(30*msPerMinute, 60*msPerMinute), opMeal)
	if p.agent || r.intn(2) == 0 {
		add(sh.end-2*msPerHour+r.between(-20*msPerMinute, 20*msPerMinute), r.between(10*msPerMinute, 15*msPerMinute), opBreak)
	}
	// Unplanned departures.
	anywhere := func() int64 { return login + r.intn(max(length-2*msPerHour, msPerHour)) }
	if r.intn(100) < 25 {
		add(anywhere(), (1+r.intn(2))*30*msPerMinute, opMeeting)
	}
	if r.intn(100) < 10 {
		add(anywhere(), r.between(60*msPerMinute, 120*msPerMinute), opTraining)
	}
	if r.intn(100) < 15 {
		add(anywhere(), r.between(5*msPerMinute, 15*msPerMinute), opIdle)
	}
	for range r.intn(3) {
		op := opAway
		if r.intn(3) == 0 {
			op = opBeRightBack
		}
		add(anywhere(), r.between(2*msPerMinute, 10*msPerMinute), op)
	}
	busy := r.intn(2)
	if !p.agent {
		busy += 2
	}
	for range busy {
		op := opBusy
		if r.intn(4) == 0 {
			op = opDoNotDisturb
		}
		add(anywhere(), r.between(5*msPerMinute, 20*msPerMinute), op)
	}
	// Accept departures in plan order (scheduled ones first), each only if
	// it keeps a minute clear of those already accepted and ends 5 minutes
	// before the shift does; then lay them out in time order.
	var kept [16]interruption
	k := 0
	for _, in := range plan[:n] {
		in.end = min(in.end, sh.end-5*msPerMinute)
		if in.start < login || in.end <= in.start {
			continue
		}
		clear := true
		for _, o := range kept[:k] {
			if in.start < o.end+msPerMinute && o.start < in.end+msPerMinute {
				clear = false
				break
			}
		}
		if clear {
			kept[k] = in
			k++
		}
	}
	slices.SortFunc(kept[:k], func(a, b interruption) int { return cmp.Compare(a.start, b.start) })
	ps := len(pres)
	t := sh.start
	pres = appendSpan(pres, t, login, uint8(opAvailable))
	t = login
	for _, in := range kept[:k] {
		pres = appendSpan(pres, t, in.start, uint8(main))
		pres = appendSpan(pres, in.start, in.end, uint8(in.op))
		t = in.end
	}
	pres = appendSpan(pres, t, sh.end, uint8(main))
	if !p.agent {
		return pres, rout
	}
	// Routing status while on queue: idle, then an interaction (or a missed
	// alert, or a non-ACD call), again and again.
	for _, sp := range pres[ps:] {
		if orgPresence(sp.val) != opOnQueue {
			continue
		}
		if n := len(rout); n > 0 && rout[n-1].end < sp.start {
			// Off queue since the previous on-queue span, possibly in an
			// earlier shift.
			rout = appendSpan(rout, rout[n-1].end, sp.start, uint8(rsOffQueue))
		}
		t := sp.start
		for t < sp.end {
			idle := max(int64(r.exp(150_000)), 5_000)
			rout = appendSpan(rout, t, min(t+idle, sp.end), uint8(rsIdle))
			t += idle
			if t >= sp.end {
				break
			}
			var d int64
			var st routingStatus
			switch x := r.intn(100); {
			case x < 6:
				st, d = rsNotResponding, r.between(15_000, 60_000)
			case x < 12:
				st, d = rsCommunicating, r.between(msPerMinute, 8*msPerMinute)
			default:
				st, d = rsInteracting, max(int64(r.exp(360_000)), 30_000)
			}
			rout = appendSpan(rout, t, min(t+d, sp.end), uint8(st))
			t += d
		}
	}
	return pres, rout
}

// appendSpan appends [start, end) with val, merging it into the last span
// when that one has the same value and touches it. Empty spans are dropped.
func appendSpan(s []span, start, end int64, val uint8) []span {
	if end <= start {
		return s
	}
	if n := len(s); n > 0 && s[n-1].val == val && s[n-1].end == start {
		s[n-1].end = end
		return s
	}
	return append(s, span{start: start, end: end, val: val})
}

// timeline returns every span of the user that overlaps [from, to), with
// true start and end times (spans may begin before from and end after to).
// The window is Unix ms, from < to; pres and rout are reused buffers whose
// contents are discarded.
func (m *Model) timeline(p *profile, from, to int64, pres, rout []span) ([]span, []span) {
	// first: two working days back from the last shift that starts before
	// from, so that the OFFLINE and OFF_QUEUE spans containing from are
	// bounded on the left by generated content.
	first := int64(math.MinInt64)
	seen := 0
	for d := floorDiv(from, msPerDay); d >= floorDiv(from, msPerDay)-3*maxDayGap; d-- {
		sh := m.shift(p, d)
		if !sh.working || sh.start >= from {
			continue
		}
		seen++
		if seen == 2 {
			first = d
			break
		}
	}
	// last: the first shift that starts at or after to bounds the spans
	// containing to on the right.
	last := int64(math.MinInt64)
	for d := floorDiv(to, msPerDay); d <= floorDiv(to, msPerDay)+2*maxDayGap; d++ {
		sh := m.shift(p, d)
		if sh.working && sh.start >= to {
			last = d
			break
		}
	}
	if first == math.MinInt64 || last == math.MinInt64 {
		// Unreachable with the Wednesday rule; fail closed with no data.
		return pres, rout
	}
	pres, rout = pres[:0], rout[:0]
	prevEnd := int64(math.MinInt64)
	for d := first; d <= last; d++ {
		sh := m.shift(p, d)
		if !sh.working {
			continue
		}
		if prevEnd != math.MinInt64 {
			pres = appendSpan(pres, prevEnd, sh.start, uint8(opOffline))
		}
		pres, rout = m.shiftContent(p, sh, pres, rout)
		prevEnd = sh.end
	}
	return keepOverlapping(pres, from, to), keepOverlapping(rout, from, to)
}

// keepOverlapping removes the spans that do not overlap [from, to).
func keepOverlapping(s []span, from, to int64) []span {
	out := s[:0]
	for _, sp := range s {
		if sp.end > from && sp.start < to {
			out = append(out, sp)
		}
	}
	return out
}

// Detail returns the ground truth of one active user's details over
// [from, to) as seen at horizon: segments overlapping [from, min(to,
// horizon)), with End zero for segments still open at horizon. It does not
// consult any user source: the caller decides whether the user is active
// (Service.Detail does).
func (m *Model) Detail(userID string, from, to, horizon time.Time) UserDetail {
	d := UserDetail{UserID: userID}
	p := m.profile(userID)
	if !p.active {
		return d
	}
	w := newWindow(from, to, horizon)
	if w.empty() {
		return d
	}
	pres, rout := m.timeline(&p, w.from, w.to, nil, nil)
	for _, sp := range pres {
		op := orgPresence(sp.val)
		d.PrimaryPresence = append(d.PrimaryPresence, PresenceRecord{
			Start:                  time.UnixMilli(sp.start).UTC(),
			End:                    w.endTime(sp.end),
			SystemPresence:         systemPresenceNames[orgPresenceDefs[op].system],
			OrganizationPresenceID: m.orgIDs[op],
		})
	}
	for _, sp := range rout {
		d.RoutingStatus = append(d.RoutingStatus, RoutingRecord{
			Start:         time.UnixMilli(sp.start).UTC(),
			End:           w.endTime(sp.end),
			RoutingStatus: routingStatusNames[sp.val],
		})
	}
	return d
}

// window is a query interval clamped to the data horizon, in Unix ms.
type window struct {
	from, to int64 // to = min(interval end, horizon)
	horizon  int64
}

func newWindow(from, to, horizon time.Time) window {
	h := horizon.UnixMilli()
	return window{from: from.UnixMilli(), to: min(to.UnixMilli(), h), horizon: h}
}

func (w window) empty() bool { return w.from >= w.to }

// endTime is a span's reported end: none while it is open at the horizon.
func (w window) endTime(end int64) time.Time {
	if end > w.horizon {
		return time.Time{}
	}
	return time.UnixMilli(end).UTC()
}

// Hashing and randomness: small, allocation-free and stable across Go
// releases (math/rand's generators are not guaranteed to be).

func hashString(seed uint64, s string) uint64 {
	h := uint64(14695981039346656037) ^ seed
	for i := 0; i < len(s); i++ {
		h ^= uint64(s[i])
		h *= 1099511628211
	}
	return mix(h, seed)
}

func mix(a, b uint64) uint64 {
	z := a ^ (b * 0x9e3779b97f4a7c15)
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	return z ^ (z >> 31)
}

// rng is SplitMix64.
type rng struct{ s uint64 }

func (r *rng) next() uint64 {
	r.s += 0x9e3779b97f4a7c15
	z := r.s
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	return z ^ (z >> 31)
}

// intn returns a uniform value in [0, n); n > 0.
func (r *rng) intn(n int64) int64 { return int64(r.next() % uint64(n)) }

// between returns a uniform value in [lo, hi].
func (r *rng) between(lo, hi int64) int64 { return lo + r.intn(hi-lo+1) }

func (r *rng) float() float64 { return float64(r.next()>>11) / (1 << 53) }

// exp returns an exponentially distributed value with the given mean.
func (r *rng) exp(mean float64) float64 { return -mean * math.Log(1-r.float()) }

// uuidFrom formats a hash as a version-4-shaped UUID.
func uuidFrom(h uint64) string {
	var b [16]byte
	binary.BigEndian.PutUint64(b[:8], h)
	binary.BigEndian.PutUint64(b[8:], mix(h, 0x75756964))
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	var out [36]byte
	hex.Encode(out[0:8], b[0:4])
	out[8] = '-'
	hex.Encode(out[9:13], b[4:6])
	out[13] = '-'
	hex.Encode(out[14:18], b[6:8])
	out[18] = '-'
	hex.Encode(out[19:23], b[8:10])
	out[23] = '-'
	hex.Encode(out[24:], b[10:])
	return string(out[:])
}
