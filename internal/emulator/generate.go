package emulator

import (
	"encoding/hex"
	"fmt"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"time"
)

// ExternalAuthority is the authority name of the external ids the generator
// gives users: their HR employee id.
const ExternalAuthority = "hr"

// EmailDomain is the domain of generated email addresses.
const EmailDomain = "example.com"

var (
	firstNames = strings.Fields(`Aaliyah Aaron Abigail Adam Adrian Aisha Alex Alice Amara Amir Ana Andre Anna
		Arjun Aurora Ava Beatriz Ben Bianca Caleb Camila Carlos Chen Chloe Chris Clara Daniel Dara David Diego
		Dmitri Elena Eli Emma Ethan Eva Farah Felix Fatima Gabriel Grace Hana Hannah Hugo Ian Ines Isaac Ivy
		Jack Jade James Javier Jin Jonas Julia Kai Karim Kate Kenji Lara Leo Liam Lina Lucas Luna Maya Mei
		Mia Miguel Nadia Noah Nora Olga Omar Oscar Paula Priya Quinn Rafael Rosa Ruby Sam Sara Sofia Tariq
		Theo Uma Victor Wei Yara Yusuf Zara Zoe`)
	lastNames = strings.Fields(`Abbott Adeyemi Alvarez Andersen Bakker Banerjee Becker Bianchi Brown Castro
		Chen Cohen Costa Dubois Dvorak Eriksson Fischer Fernandez Garcia Gomez Gupta Haddad Hansen Hughes Ito
		Jansen Johnson Kaur Khan Kim Kowalski Larsen Lee Lopez Martin Meyer Moreau Murphy Nakamura Nguyen
		Novak Okafor Olsen Park Patel Perez Petrov Quinn Rossi Sato Schmidt Silva Singh Smith Suzuki Tanaka
		Taylor Torres Wagner Walsh Wang Weber Williams Wilson Yamamoto Young Zhang Zimmermann`)
	titles = []string{"Agent", "Senior Agent", "Team Lead", "Supervisor", "Workforce Analyst",
		"Quality Analyst", "Trainer", "Operations Manager", "Contact Centre Manager", "Support Engineer",
		"Sales Representative", "Account Manager", "Billing Specialist", "HR Partner", "IT Administrator"}
	departments = []string{"Customer Service", "Sales", "Billing", "Technical Support", "Retention",
		"Collections", "Onboarding", "Quality", "Workforce Management", "Operations", "IT", "HR"}
	divisionNames = []string{"Home", "North America", "EMEA", "APAC", "LATAM", "Sales", "Support",
		"Billing", "Retail", "Enterprise", "Partners", "Outsourcer A", "Outsourcer B", "Back Office",
		"Collections", "Premium", "SMB", "Public Sector", "Healthcare", "Finance"}
	roleNames = []string{"employee", "Agent", "Supervisor", "Admin", "Master Admin", "Quality Evaluator",
		"Quality Administrator", "Reporting Admin", "Workforce Management Admin", "Trainer",
		"Communicate - User", "Telephony Admin", "Routing Admin", "People Admin"}
	rolePermissions = []string{"routing:queue:view", "directory:user:view", "analytics:userDetail:view",
		"authorization:grant:view", "routing:skill:assign", "quality:evaluation:view", "wfm:schedule:view",
		"directory:user:edit", "routing:queue:edit", "authorization:grant:add"}
	skillAreas = []string{"Billing", "Sales", "Support", "Retention", "Collections", "Mobile", "Broadband",
		"TV", "Insurance", "Claims", "Loans", "Cards", "Travel", "Returns", "Escalations", "VIP",
		"Onboarding", "Technical", "Fraud", "Accessibility"}
	skillLevels = []string{"Tier 1", "Tier 2", "Tier 3", "Chat", "Email", "Voice", "Callback", "Social",
		"Messaging", "Outbound", "Expert", "Trainee", "Backlog", "Complaints", "Spanish Line", "Night Shift",
		"Weekend", "Priority", "Specialist", "General"}
	languageNames = []string{"English", "Spanish", "French", "German", "Portuguese", "Italian", "Dutch",
		"Polish", "Swedish", "Danish", "Norwegian", "Finnish", "Japanese", "Korean", "Mandarin", "Cantonese",
		"Arabic", "Hebrew", "Turkish", "Russian", "Hindi", "Tagalog", "Vietnamese", "Thai", "Greek"}
	locationNames = []string{"Dublin", "Austin", "Toronto", "London", "Frankfurt", "Sydney", "Tokyo",
		"Manila", "Bogota", "Sao Paulo", "Krakow", "Johannesburg", "Singapore", "Denver", "Lisbon",
		"Indianapolis", "Raleigh", "Mumbai", "Mexico City", "Cape Town"}
	employeeTypes = []string{"Full-time", "Part-time", "Contractor"}
)

// generator draws every random choice of one org from one seeded source, in
// a fixed order, so a seed and a size always give the same org. Users' small
// slices are carved out of shared arenas (capped, so a later append copies)
// to keep a 200,000-user build to a few large allocations.
type generator struct {
	r *rand.Rand

	refs    arena[skillRef]
	queues  arena[queueRef]
	ints    arena[int32]
	grants  arena[grant]
	ext     arena[ExternalID]
	scratch []int32
	dates   map[int]string
}

func newGenerator(seed int64, stream uint64) *generator {
	return &generator{r: rand.New(rand.NewPCG(uint64(seed), stream)), dates: map[int]string{}}
}

// arena hands out slices of one large backing array.
type arena[T any] struct{ buf []T }

// take returns an empty slice with capacity n; appending past n copies, so
// slices never overwrite each other.
func (a *arena[T]) take(n int) []T {
	if n == 0 {
		return nil
	}
	if len(a.buf) < n {
		a.buf = make([]T, max(n, 16<<10))
	}
	s := a.buf[:0:n]
	a.buf = a.buf[n:]
	return s
}

var (
	lowerFirstNames = lowerAll(firstNames)
	lowerLastNames  = lowerAll(lastNames)
)

func lowerAll(xs []string) []string {
	out := make([]string, len(xs))
	for k, x := range xs {
		out[k] = strings.ToLower(x)
	}
	return out
}

// employeeID is the employee id of user number i: E0000001, E0000002, ...
func employeeID(i int) string {
	n := strconv.Itoa(i + 1)
	if len(n) < 7 {
		n = "0000000"[:7-len(n)] + n
	}
	return "E" + n
}

// hireDate returns the date d days after 2010-01-01, formatted once per day.
func (g *generator) hireDate(d int) string {
	s, ok := g.dates[d]
	if !ok {
		s = time.Date(2010, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, d).Format("2006-01-02")
		g.dates[d] = s
	}
	return s
}

// uuid returns a UUID-shaped (version 4 layout) id drawn from the generator.
func (g *generator) uuid() string {
	var b [16]byte
	for k := 0; k < 16; k += 8 {
		v := g.r.Uint64()
		for j := range 8 {
			b[k+j] = byte(v >> (8 * j))
		}
	}
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	var s [36]byte
	hex.Encode(s[0:8], b[0:4])
	s[8] = '-'
	hex.Encode(s[9:13], b[4:6])
	s[13] = '-'
	hex.Encode(s[14:18], b[6:8])
	s[18] = '-'
	hex.Encode(s[19:23], b[8:10])
	s[23] = '-'
	hex.Encode(s[24:], b[10:])
	return string(s[:])
}

func (g *generator) pick(xs []string) string { return xs[g.r.IntN(len(xs))] }

// proficiency is a skill or language proficiency 0–5 in steps of 0.5.
func (g *generator) proficiency() float64 { return float64(g.r.IntN(11)) / 2 }

func clamp(v, lo, hi int) int { return max(lo, min(v, hi)) }

// testEpoch is the epoch of generate: what tests of the org alone use.
var testEpoch = time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)

// generate builds the org for seed and n users, its people data relative
// to testEpoch.
func generate(seed int64, n int) *org { return generateAt(seed, n, testEpoch) }

// generateAt builds the org for seed and n users, its people data
// (presence, out-of-office periods, development activities) relative to
// epoch. It allocates in bulk (one slice per kind, indexes into them) so
// 200,000 users build in a few seconds and well under 2 GB.
func generateAt(seed int64, n int, epoch time.Time) *org {
	g := newGenerator(seed, 0x5eed)
	o := &org{}

	nDiv := clamp(n/500, 4, len(divisionNames))
	for k := range nDiv {
		o.divisions = append(o.divisions, division{entity: entity{g.uuid(), divisionNames[k]}, home: k == 0})
	}
	for _, name := range roleNames {
		perms := slices.Clone(rolePermissions[:1+g.r.IntN(len(rolePermissions))])
		o.roles = append(o.roles, role{entity: entity{g.uuid(), name}, description: name + " role", permissions: perms})
	}
	nSkills := clamp(n/20, 30, len(skillAreas)*len(skillLevels))
	for k := range nSkills {
		name := skillAreas[k%len(skillAreas)] + " - " + skillLevels[(k/len(skillAreas))%len(skillLevels)]
		o.skills = append(o.skills, entity{g.uuid(), name})
	}
	for _, name := range languageNames {
		o.languages = append(o.languages, entity{g.uuid(), name})
	}
	nGroups := clamp(n/50, 5, 500)
	for k := range nGroups {
		o.groups = append(o.groups, entity{g.uuid(), fmt.Sprintf("%s Team %d", g.pick(departments), k+1)})
	}
	for _, name := range locationNames[:clamp(n/1000, 5, len(locationNames))] {
		o.locations = append(o.locations, entity{g.uuid(), name})
	}
	nQueues := clamp(n/25, 10, 2000)
	for k := range nQueues {
		name := fmt.Sprintf("%s %s %d", g.pick(skillAreas), g.pick([]string{"Queue", "Line", "Desk", "Team"}), k+1)
		o.queues = append(o.queues, queue{entity: entity{g.uuid(), name}, division: int32(g.r.IntN(nDiv))})
	}

	o.users = make([]user, 0, n)
	for range n {
		o.users = append(o.users, g.user(o, len(o.users)))
	}
	o.serial = n
	decorate(o, seed)
	decoratePeople(o, seed, epoch)
	o.buildIndexes()
	// Queue member lists are built after the users so each is appended in
	// index order and needs no sort.
	for i := range o.users {
		for _, q := range o.users[i].queues {
			qu := &o.queues[q.queue]
			qu.members = append(qu.members, int32(i))
			if q.joined {
				qu.joined++
			}
		}
	}
	return o
}

// user draws user number i (serial i) of o. Managers are drawn among the
// users before it, which keeps the manager graph a forest.
func (g *generator) user(o *org, i int) user {
	fi, li := g.r.IntN(len(firstNames)), g.r.IntN(len(lastNames))
	first, last := firstNames[fi], lastNames[li]
	email := lowerFirstNames[fi] + "." + lowerLastNames[li] + "." + strconv.Itoa(i+1) + "@" + EmailDomain
	u := user{
		id:            g.uuid(),
		name:          first + " " + last,
		email:         email,
		username:      email,
		title:         g.pick(titles),
		department:    g.pick(departments),
		employeeID:    employeeID(i),
		employeeType:  g.pick(employeeTypes),
		dateHire:      g.hireDate(g.r.IntN(5400)),
		division:      int32(g.r.IntN(len(o.divisions))),
		manager:       -1,
		version:       int32(1 + g.r.IntN(6)),
		acdAutoAnswer: g.r.IntN(5) == 0,
		addresses:     generatedContacts(i),
	}
	switch p := g.r.IntN(100); {
	case p < 85:
		u.state = stActive
	case p < 95:
		u.state = stInactive
	default:
		u.state = stDeleted
	}
	if i > 0 {
		// A manager from the first fifth of the users before this one: a
		// few layers of management over many agents.
		u.manager = int32(g.r.IntN(max(1, i/5)))
	}
	refs := g.draw(len(o.skills), g.r.IntN(21))
	u.skills = g.refs.take(len(refs))
	for _, ref := range refs {
		u.skills = append(u.skills, skillRef{ref: ref, proficiency: g.proficiency()})
	}
	refs = g.draw(len(o.languages), g.r.IntN(6))
	u.languages = g.refs.take(len(refs))
	for _, ref := range refs {
		u.languages = append(u.languages, skillRef{ref: ref, proficiency: g.proficiency()})
	}
	if u.state != stDeleted {
		refs = g.draw(len(o.queues), g.r.IntN(31))
		u.queues = g.queues.take(len(refs))
		for _, q := range refs {
			u.queues = append(u.queues, queueRef{queue: q, joined: u.state == stActive && g.r.IntN(10) < 7})
		}
		u.grants = append(g.grants.take(3), grant{role: 0, division: 0})
		for range g.r.IntN(3) {
			gr := grant{role: int32(1 + g.r.IntN(len(o.roles)-1)), division: int32(g.r.IntN(len(o.divisions)))}
			if !slices.Contains(u.grants, gr) {
				u.grants = append(u.grants, gr)
			}
		}
	}
	if u.state == stInactive {
		// Genesys Cloud removes every role of a user set inactive (and does
		// not restore them on reactivation). The draws above still happen,
		// so the rest of the org does not depend on this rule.
		u.grants = nil
	}
	u.groups = g.distinct(len(o.groups), g.r.IntN(4))
	if g.r.IntN(10) < 8 {
		u.locations = append(g.ints.take(1), int32(g.r.IntN(len(o.locations))))
	}
	if g.r.IntN(50) != 0 {
		u.externalIDs = append(g.ext.take(1), ExternalID{AuthorityName: ExternalAuthority, ExternalKey: u.employeeID})
	}
	return u
}

// distinct draws k distinct values in [0, n), sorted ascending, in a slice
// of their own.
func (g *generator) distinct(n, k int) []int32 {
	d := g.draw(n, k)
	return append(g.ints.take(len(d)), d...)
}

// draw is distinct into a scratch slice, valid until the next draw.
func (g *generator) draw(n, k int) []int32 {
	k = min(k, n)
	out := g.scratch[:0]
	for len(out) < k {
		v := int32(g.r.IntN(n))
		if !slices.Contains(out, v) {
			out = append(out, v)
		}
	}
	slices.Sort(out)
	g.scratch = out
	return out
}
