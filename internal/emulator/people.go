package emulator

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/usersync/syncer/internal/emulator/analytics"
)

// People data beyond the user listing (issue 18): presence and routing
// status, out-of-office periods, teams, certifications, group details and
// development activities. How sure each rule is, is said in doc.go
// ("People data"). Times are Unix milliseconds; a user's share is a few
// dozen bytes plus its activities (about 3 of 48 bytes each for an agent).

// presence indexes presenceDefs: the organisation presences a user can be
// in. Their ids are those of the analytics model's organisation presences
// (its organizationPresenceId), so the presence expand and the details jobs
// name the same definitions.
type presence uint8

const (
	prOffline presence = iota
	prAvailable
	prOnQueue
	prBusy
	prDoNotDisturb
	prAway
	prBeRightBack
	prBreak
	prMeal
	prMeeting
	prTraining
	prIdle
	numPresences
)

// presenceDefs are the system presence of each organisation presence, as
// the presence expand spells it ("On Queue") and as analytics does
// (ON_QUEUE). The secondary Busy and Away definitions follow their
// primary one, in the analytics model's order.
var presenceDefs = [numPresences]struct{ system, analytics string }{
	{"Offline", analytics.PresenceOffline},
	{"Available", analytics.PresenceAvailable},
	{"On Queue", analytics.PresenceOnQueue},
	{"Busy", analytics.PresenceBusy},
	{"Busy", analytics.PresenceBusy},
	{"Away", analytics.PresenceAway},
	{"Away", analytics.PresenceAway},
	{"Break", analytics.PresenceBreak},
	{"Meal", analytics.PresenceMeal},
	{"Meeting", analytics.PresenceMeeting},
	{"Training", analytics.PresenceTraining},
	{"Idle", analytics.PresenceIdle},
}

// routing is a routing status.
type routing uint8

const (
	rtOffQueue routing = iota
	rtIdle
	rtInteracting
	rtNotResponding
	rtCommunicating
	numRoutings
)

var routingNames = [numRoutings]string{"OFF_QUEUE", "IDLE", "INTERACTING", "NOT_RESPONDING", "COMMUNICATING"}

// outOfOffice is a user's out-of-office period. It is active while now is
// in [start, end), or from start on when indefinite (end is then 0).
type outOfOffice struct {
	id         string
	start, end int64
	indefinite bool
}

func (p *outOfOffice) active(now int64) bool {
	return p != nil && p.start <= now && (p.indefinite || now < p.end)
}

// team is a work team of the org, in one division.
type team struct {
	entity
	division int32
}

// groupMeta are the Group fields of o.groups[k] beyond id and name.
type groupMeta struct {
	description  string
	typ          string // official or social
	visibility   string // public, members or owners
	rulesVisible bool
	version      int32
	modified     int64
}

// Development activity types and statuses, as the API spells them
// (GET /api/v2/users/development/activities: types and statuses).
var (
	activityTypes    = []string{"Informational", "Coaching", "AssessedContent", "Assessment"}
	activityStatuses = []string{"Planned", "InProgress", "Completed", "InvalidSchedule", "NotCompleted"}
)

const (
	actInformational uint8 = iota
	actCoaching
	actAssessedContent
	actAssessment
)

const (
	stPlanned uint8 = iota
	stInProgress
	stCompleted
	stInvalidSchedule
	stNotCompleted
)

// passMark is the percentage score a scored activity is passed with.
const passMark = 70

// module is a learning module: its assignments are development activities
// of its type.
type module struct {
	entity
	typ uint8
}

// activity is one development activity of a user (the attendee): a
// learning assignment of a module, or a coaching appointment (module -1).
// Its id is derived from serial; facilitator and creator are user indexes
// plus one (0: none).
type activity struct {
	created, due, completed int64 // completed 0: not completed
	serial                  uint32
	facilitator, creator    int32
	module                  int16
	status                  uint8
	score                   int8 // percentageScore; -1: none
}

func (o *org) activityType(a *activity) uint8 {
	if a.module < 0 {
		return actCoaching
	}
	return o.modules[a.module].typ
}

// overdue reports isOverdue: due before now and not completed.
func (a *activity) overdue(now int64) bool { return a.status != stCompleted && a.due < now }

var (
	certificationNames = []string{"Genesys Cloud Certified Professional", "PCI DSS Awareness", "GDPR Essentials",
		"HIPAA Privacy", "ITIL 4 Foundation", "Lean Six Sigma Yellow Belt", "De-escalation Level 2",
		"First Aid at Work", "CompTIA A+", "Certified Customer Experience Professional", "Mental Health First Aid",
		"Fraud Awareness", "Accessibility Champion", "Sales Excellence", "Bilingual Support (Spanish)"}
	moduleDefs = []struct {
		name string
		typ  uint8
	}{
		{"Data Protection Essentials", actInformational}, {"Product Launch Briefing", actInformational},
		{"New Billing Platform", actInformational}, {"Security Awareness", actAssessedContent},
		{"Complaint Handling", actAssessedContent}, {"Vulnerable Customers", actAssessedContent},
		{"Call Quality Standards", actAssessedContent}, {"Payment Card Compliance", actAssessment},
		{"Product Knowledge Check", actAssessment}, {"Annual Code of Conduct", actAssessment},
	}
	coachingTopics = []string{"Call control", "Empathy and tone", "Quality review", "Handle time", "Career development",
		"First contact resolution", "Objection handling", "Wellbeing check-in"}
)

const (
	msMinute = int64(time.Minute / time.Millisecond)
	msHour   = 60 * msMinute
	msDay    = 24 * msHour
)

// decoratePeople gives a generated org its people data, relative to epoch
// (Config.Epoch). It draws from a stream of its own, so every other part of
// the org is what the same seed always gave.
func decoratePeople(o *org, seed int64, epoch time.Time) {
	g := newGenerator(seed, 0x70656f706c65)
	e := epoch.UnixMilli()
	o.epoch, o.seed = e, uint64(seed)
	ids := analytics.NewModel(seed).OrganizationPresenceIDs()
	seen := map[string]int{}
	for k, d := range presenceDefs {
		o.presenceIDs[k] = ids[d.analytics][seen[d.analytics]]
		seen[d.analytics]++
	}

	o.groupMeta = make([]groupMeta, len(o.groups))
	for k := range o.groups {
		m := &o.groupMeta[k]
		m.typ, m.visibility, m.rulesVisible = "official", "public", true
		if g.r.IntN(100) < 15 {
			m.typ = "social"
		}
		switch p := g.r.IntN(100); {
		case p < 15:
			m.visibility = "members"
		case p < 22:
			m.visibility = "owners"
		}
		m.rulesVisible = g.r.IntN(100) < 85
		m.version = int32(1 + g.r.IntN(6))
		m.modified = e - int64(1+g.r.IntN(1400))*msDay - g.r.Int64N(msDay)
		if g.r.IntN(4) != 0 {
			m.description = "Members of " + o.groups[k].name
		}
	}

	nTeams := clamp(len(o.users)/15, 3, 5000)
	byDiv := make([][]int32, len(o.divisions))
	for k := range nTeams {
		d := int32(g.r.IntN(len(o.divisions)))
		o.teams = append(o.teams, team{entity: entity{g.uuid(), fmt.Sprintf("%s Pod %d", g.pick(skillAreas), k+1)}, division: d})
		byDiv[d] = append(byDiv[d], int32(k))
	}
	for _, d := range moduleDefs {
		o.modules = append(o.modules, module{entity: entity{g.uuid(), d.name}, typ: d.typ})
	}

	for i := range o.users {
		u := &o.users[i]
		live := u.state != stDeleted
		agent := live && len(u.queues) > 0
		o.drawPresence(g, int32(i), e)
		if live && g.r.IntN(100) < 8 {
			u.ooo = drawOutOfOffice(g, e)
		}
		if agent && g.r.IntN(100) < 60 {
			if l := byDiv[u.division]; len(l) > 0 && g.r.IntN(10) < 8 {
				u.team = l[g.r.IntN(len(l))] + 1
			} else {
				u.team = int32(g.r.IntN(len(o.teams))) + 1
			}
		}
		if live {
			for _, c := range g.draw(len(certificationNames), drawCount(g)) {
				u.certs = append(u.certs, certificationNames[c])
			}
		}
		if agent {
			n := g.r.IntN(7)
			u.activities = make([]activity, 0, n)
			for range n {
				u.activities = append(u.activities, o.drawActivity(g, int32(i), e))
			}
		}
	}
}

// drawCount draws 0–3 certifications, most users having none or one.
func drawCount(g *generator) int {
	switch p := g.r.IntN(100); {
	case p < 55:
		return 0
	case p < 80:
		return 1
	case p < 93:
		return 2
	}
	return 3
}

// drawPresence gives user i a presence and a matching routing status as of
// now: inactive and deleted users are Offline and OFF_QUEUE; On Queue only
// for members of a queue, with a routing status other than OFF_QUEUE.
func (o *org) drawPresence(g *generator, i int32, now int64) {
	u := &o.users[i]
	pr := prOffline
	if u.state == stActive {
		switch p := g.r.IntN(100); {
		case p < 42:
			pr = prOffline
		case p < 66:
			pr = prOnQueue
		case p < 78:
			pr = prAvailable
		case p < 81:
			pr = prAway
		case p < 82:
			pr = prBeRightBack
		case p < 85:
			pr = prBusy
		case p < 86:
			pr = prDoNotDisturb
		case p < 89:
			pr = prBreak
		case p < 92:
			pr = prMeal
		case p < 94:
			pr = prTraining
		case p < 96:
			pr = prMeeting
		default:
			pr = prIdle
		}
		if pr == prOnQueue && len(u.queues) == 0 {
			pr = prAvailable
		}
	}
	since := now - g.r.Int64N(3*msHour)
	if pr == prOffline {
		since = now - g.r.Int64N(3*msDay)
	}
	o.setPresence(g, i, pr, since, now)
}

// setPresence sets user i's presence since the given time, and a routing
// status that matches it: OFF_QUEUE since then unless On Queue, else one of
// the on-queue statuses since a moment between then and now.
func (o *org) setPresence(g *generator, i int32, pr presence, since, now int64) {
	u := &o.users[i]
	u.presence, u.presenceSince = pr, since
	if pr != prOnQueue {
		u.routing, u.routingSince = rtOffQueue, since
		return
	}
	switch p := g.r.IntN(100); {
	case p < 45:
		u.routing = rtIdle
	case p < 88:
		u.routing = rtInteracting
	case p < 95:
		u.routing = rtCommunicating
	default:
		u.routing = rtNotResponding
	}
	u.routingSince = since + g.r.Int64N(max(now-since, 1))
}

// goOffline makes user i Offline and OFF_QUEUE from now, as a user set
// inactive or deleted is.
func (o *org) goOffline(i int32) {
	u := &o.users[i]
	if u.presence == prOffline && u.routing == rtOffQueue {
		return
	}
	now := o.clock()
	u.presence, u.presenceSince = prOffline, now
	u.routing, u.routingSince = rtOffQueue, now
}

// drawOutOfOffice draws a period around now: current (a fifth of them
// indefinite), upcoming within six weeks, or past within two months.
func drawOutOfOffice(g *generator, now int64) *outOfOffice {
	day := now - now%msDay
	p := &outOfOffice{id: g.uuid()}
	switch k := g.r.IntN(100); {
	case k < 40:
		p.start = day - int64(1+g.r.IntN(14))*msDay + 9*msHour
		if g.r.IntN(5) == 0 {
			p.indefinite = true
			return p
		}
		p.end = day + int64(1+g.r.IntN(14))*msDay + 17*msHour
	case k < 70:
		p.start = day + int64(2+g.r.IntN(40))*msDay + 8*msHour
		p.end = p.start + int64(1+g.r.IntN(14))*msDay + 9*msHour
	default:
		p.end = day - int64(1+g.r.IntN(60))*msDay + 17*msHour
		p.start = p.end - int64(1+g.r.IntN(14))*msDay - 8*msHour
	}
	return p
}

// drawActivity draws a development activity of user i, due between about
// nine months ago and two months ahead of now: a coaching appointment with
// the user's manager a quarter of the time, else an assignment of a
// learning module, assigned by the manager.
func (o *org) drawActivity(g *generator, i int32, now int64) activity {
	u := &o.users[i]
	o.activitySerial++
	a := activity{serial: o.activitySerial, module: -1, score: -1}
	if g.r.IntN(4) != 0 {
		a.module = int16(g.r.IntN(len(o.modules)))
	}
	if u.manager >= 0 {
		a.creator = u.manager + 1
		if a.module < 0 {
			a.facilitator = u.manager + 1
		}
	}
	a.due = now + (int64(g.r.IntN(330))-270)*msDay + int64(8+g.r.IntN(10))*msHour
	a.created = min(a.due-int64(3+g.r.IntN(45))*msDay, now-int64(1+g.r.IntN(48))*msHour)
	typ := o.activityType(&a)
	switch p := g.r.IntN(100); {
	case a.due < now && p < 70, a.due >= now && p < 25:
		a.status = stCompleted
		latest := min(now, a.due+int64(g.r.IntN(5))*msDay)
		a.completed = a.created + g.r.Int64N(max(latest-a.created, msHour))
		if typ == actAssessedContent || typ == actAssessment {
			a.score = int8(45 + g.r.IntN(56))
		}
	case a.due >= now && p < 70:
		a.status = stPlanned
	case a.due >= now:
		a.status = stInProgress
	case typ == actCoaching && p < 75:
		a.status = stInvalidSchedule
	case p < 82:
		a.status = stInProgress
	case p < 90:
		a.status = stPlanned
	default:
		a.status = stNotCompleted
	}
	return a
}

// clock is the org's current time in Unix ms: the server's clock, or the
// epoch for an org without one (tests of generate alone).
func (o *org) clock() int64 {
	if o.now != nil {
		return o.now().UnixMilli()
	}
	return o.epoch
}

// appendMs appends Unix ms as the API writes times: UTC, milliseconds, Z.
func appendMs(b []byte, ms int64) []byte { return analytics.AppendMillis(b, ms) }

func formatMs(ms int64) string { return string(appendMs(nil, ms)) }

// appendUserRef appends {"id":…,"selfUri":"/api/v2/users/…"}.
func appendUserRef(b []byte, id string) []byte {
	b = append(b, `{"id":"`...)
	b = append(b, id...)
	b = append(b, `","selfUri":"/api/v2/users/`...)
	b = append(b, id...)
	return append(b, `"}`...)
}

// peopleFrags renders the constant JSON of presence definitions, teams and
// groups once (indexReference calls it).
func (o *org) peopleFrags() {
	for k, d := range presenceDefs {
		var b []byte
		b = append(b, `{"source":"PURECLOUD","primary":true,"presenceDefinition":{"id":`...)
		b = appendStr(b, o.presenceIDs[k])
		b = appendField(b, "systemPresence", d.system, false)
		b = appendField(b, "selfUri", "/api/v2/presencedefinitions/"+o.presenceIDs[k], false)
		b = append(b, `},"modifiedDate":"`...)
		o.presenceFrags[k] = string(b)
	}
	o.teamFrags = make([]string, len(o.teams))
	for k, t := range o.teams {
		var b []byte
		b = append(b, '{')
		b = appendField(b, "id", t.id, true)
		b = appendField(b, "name", t.name, false)
		b = appendKey(b, "division", false)
		b = appendRef(b, o.divisions[t.division].entity, "/api/v2/authorization/divisions/")
		b = appendField(b, "selfUri", "/api/v2/teams/"+t.id, false)
		o.teamFrags[k] = string(append(b, '}'))
	}
	o.groupFrags = make([]string, len(o.groups))
	for k, e := range o.groups {
		var b []byte
		b = append(b, '{')
		b = appendField(b, "id", e.id, true)
		b = appendField(b, "name", e.name, false)
		typ, vis, rules := "official", "public", true
		if k < len(o.groupMeta) {
			m := o.groupMeta[k]
			typ, vis, rules = m.typ, m.visibility, m.rulesVisible
		}
		b = appendField(b, "type", typ, false)
		b = appendBoolField(b, "rulesVisible", rules)
		b = appendField(b, "visibility", vis, false)
		b = appendField(b, "selfUri", "/api/v2/groups/"+e.id, false)
		o.groupFrags[k] = string(append(b, '}'))
	}
}

// appendPeople appends the presence, routingStatus, outOfOffice, team and
// certifications expands of u.
func (o *org) appendPeople(b []byte, u *user, exp expand) []byte {
	if exp&expPresence != 0 {
		b = appendKey(b, "presence", false)
		b = append(b, o.presenceFrags[u.presence]...)
		b = appendMs(b, u.presenceSince)
		b = append(b, `","selfUri":"/api/v2/users/`...)
		b = append(b, u.id...)
		b = append(b, `/presences/PURECLOUD"}`...)
	}
	if exp&expRoutingStatus != 0 {
		b = append(b, `,"routingStatus":{"userId":"`...)
		b = append(b, u.id...)
		b = append(b, `","status":"`...)
		b = append(b, routingNames[u.routing]...)
		b = append(b, `","startTime":"`...)
		b = appendMs(b, u.routingSince)
		b = append(b, `"}`...)
	}
	if exp&expOutOfOffice != 0 {
		b = appendKey(b, "outOfOffice", false)
		b = o.appendOutOfOffice(b, u)
	}
	if exp&expTeam != 0 && u.team != 0 {
		b = appendKey(b, "team", false)
		b = append(b, o.teamFrags[u.team-1]...)
	}
	if exp&expCertifications != 0 {
		b = appendKey(b, "certifications", false)
		b = append(b, '[')
		for k, c := range u.certs {
			if k > 0 {
				b = append(b, ',')
			}
			b = appendStr(b, c)
		}
		b = append(b, ']')
	}
	return b
}

// appendOutOfOffice appends u's OutOfOffice. A user without a period gets
// the record of one who never set any: not active, not indefinite, no id
// and no dates.
func (o *org) appendOutOfOffice(b []byte, u *user) []byte {
	p := u.ooo
	b = append(b, '{')
	if p != nil {
		b = appendField(b, "id", p.id, true)
		b = append(b, ',')
	}
	b = append(b, `"user":`...)
	b = appendUserRef(b, u.id)
	if p != nil {
		b = append(b, `,"startDate":"`...)
		b = appendMs(b, p.start)
		b = append(b, '"')
		if !p.indefinite {
			b = append(b, `,"endDate":"`...)
			b = appendMs(b, p.end)
			b = append(b, '"')
		}
	}
	b = appendBoolField(b, "active", p.active(o.clock()))
	b = appendBoolField(b, "indefinite", p != nil && p.indefinite)
	b = append(b, `,"selfUri":"/api/v2/users/`...)
	b = append(b, u.id...)
	return append(b, `/outofoffice"}`...)
}

// activityID is the id of the activity with that serial: UUID-shaped,
// derived from the org's seed and the serial, so nothing is stored.
func (o *org) activityID(serial uint32) string {
	h1 := splitmix(o.seed ^ uint64(serial)*0x9e3779b97f4a7c15)
	h2 := splitmix(h1 ^ 0x6163746976697479)
	var b [16]byte
	for k := range 8 {
		b[k] = byte(h1 >> (8 * k))
		b[8+k] = byte(h2 >> (8 * k))
	}
	return formatUUID(b)
}

// derivedUUID is a UUID-shaped id derived from another id and a salt (a
// station's line appearance id), so nothing is stored.
func derivedUUID(id string, salt uint64) string {
	h := salt
	for k := 0; k < len(id); k++ {
		h = (h ^ uint64(id[k])) * 0x100000001b3
	}
	h1 := splitmix(h)
	h2 := splitmix(h1 ^ salt)
	var b [16]byte
	for k := range 8 {
		b[k] = byte(h1 >> (8 * k))
		b[8+k] = byte(h2 >> (8 * k))
	}
	return formatUUID(b)
}

func splitmix(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ x>>30) * 0xbf58476d1ce4e5b9
	x = (x ^ x>>27) * 0x94d049bb133111eb
	return x ^ x>>31
}

// formatUUID formats 16 bytes in the version 4 layout.
func formatUUID(b [16]byte) string {
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	var s [36]byte
	k := 0
	for n, c := range b {
		if n == 4 || n == 6 || n == 8 || n == 10 {
			s[k] = '-'
			k++
		}
		s[k], s[k+1] = hexDigits[c>>4], hexDigits[c&0xf]
		k += 2
	}
	return string(s[:])
}

// appendActivity appends attendee u's activity a as a DevelopmentActivity.
func (o *org) appendActivity(b []byte, u *user, a *activity, now int64) []byte {
	id := o.activityID(a.serial)
	typ := o.activityType(a)
	b = append(b, '{')
	b = appendField(b, "id", id, true)
	if a.completed != 0 {
		b = append(b, `,"dateCompleted":"`...)
		b = appendMs(b, a.completed)
		b = append(b, '"')
	}
	if a.creator != 0 {
		b = appendKey(b, "createdBy", false)
		b = appendUserRef(b, o.users[a.creator-1].id)
	}
	b = append(b, `,"dateCreated":"`...)
	b = appendMs(b, a.created)
	b = append(b, '"')
	if a.score >= 0 {
		b = appendIntField(b, "percentageScore", int(a.score), false)
		b = appendBoolField(b, "isPassed", a.score >= passMark)
	}
	if typ != actCoaching {
		b = append(b, `,"isLatest":true,"isModuleArchived":false`...)
		b = appendField(b, "selfUri", "/api/v2/learning/assignments/"+id, false)
		b = appendField(b, "name", o.modules[a.module].name, false)
	} else {
		b = appendField(b, "selfUri", "/api/v2/coaching/appointments/"+id, false)
		b = appendField(b, "name", "Coaching: "+coachingTopics[a.serial%uint32(len(coachingTopics))], false)
	}
	b = appendField(b, "type", activityTypes[typ], false)
	b = appendField(b, "status", activityStatuses[a.status], false)
	b = append(b, `,"dateDue":"`...)
	b = appendMs(b, a.due)
	b = append(b, '"')
	if a.facilitator != 0 {
		b = appendKey(b, "facilitator", false)
		b = appendUserRef(b, o.users[a.facilitator-1].id)
	}
	b = append(b, `,"attendees":[`...)
	b = appendUserRef(b, u.id)
	b = append(b, ']')
	b = appendBoolField(b, "isOverdue", a.overdue(now))
	return append(b, '}')
}

// The people churn of /_emulator/mutate (MutateRequest.People).

// churnPeople moves the volatile people data of user i: its presence and
// routing status always, and one time in three also its out-of-office
// period, its team or its certifications. It returns the fields changed.
func (o *org) churnPeople(g *generator, i int32) []string {
	u := &o.users[i]
	now := o.clock()
	fields := []string{}
	if u.state == stActive {
		old := u.presence
		for range 8 {
			o.drawPresence(g, i, now)
			if u.presence != old {
				break
			}
		}
		if u.presence == old {
			pr := prAvailable
			if old == prAvailable {
				pr = prOffline
			}
			o.setPresence(g, i, pr, now, now)
		}
		u.presenceSince, u.routingSince = now, now
		fields = append(fields, "presence", "routingStatus")
	}
	if g.r.IntN(3) != 0 {
		return fields
	}
	switch g.r.IntN(3) {
	case 0:
		switch p := u.ooo; {
		case p == nil || (!p.indefinite && p.end <= now):
			// A new period: from now, or in a few days.
			np := &outOfOffice{id: g.uuid(), start: now, end: now + int64(1+g.r.IntN(10))*msDay}
			if g.r.IntN(2) == 0 {
				np.start += int64(1+g.r.IntN(10)) * msDay
				np.end += np.start - now
			}
			u.ooo = np
		case p.start > now:
			u.ooo = nil // an upcoming period cancelled
		default:
			// A current period ends now.
			np := *p
			np.indefinite, np.end = false, now
			u.ooo = &np
		}
		fields = append(fields, "outOfOffice")
	case 1:
		if len(o.teams) == 0 || u.state == stDeleted {
			break
		}
		if u.team != 0 && g.r.IntN(3) == 0 {
			u.team = 0
		} else {
			u.team = int32(g.r.IntN(len(o.teams))) + 1
		}
		fields = append(fields, "team")
	default:
		c := certificationNames[g.r.IntN(len(certificationNames))]
		if k := slices.Index(u.certs, c); k >= 0 {
			u.certs = slices.Delete(slices.Clone(u.certs), k, k+1)
		} else {
			u.certs = append(slices.Clone(u.certs), c)
		}
		u.version++ // certifications are part of the user document
		fields = append(fields, "certifications")
	}
	return fields
}

// normalizeCertifications trims the certifications of a PATCH and drops
// repeats (case-insensitive), keeping the first spelling and the order; an
// empty name answers 400.
func normalizeCertifications(in []string) ([]string, *apiError) {
	if len(in) > maxCertifications {
		return nil, badRequest("At most %d certifications can be set; %d were given", maxCertifications, len(in))
	}
	out := make([]string, 0, len(in))
	for n, c := range in {
		c = strings.TrimSpace(c)
		if c == "" {
			return nil, badRequest("certifications[%d] must not be empty", n)
		}
		if !slices.ContainsFunc(out, func(x string) bool { return strings.EqualFold(x, c) }) {
			out = append(out, c)
		}
	}
	return out, nil
}

// maxCertifications bounds a user's certifications (undocumented: the
// emulator's choice).
const maxCertifications = 100
