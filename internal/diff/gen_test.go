package diff

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/usersync/syncer/internal/feed"
)

// world is a generated org and a feed about it.
type world struct {
	refs   *feed.Refs
	cur    *Current
	csv    string
	mode   feed.Mode
	skills []string // names
	langs  []string
	queues []string
	roles  []string
	divs   []string
	divIDs []string
}

func newRefs() (*feed.Refs, []string, []string, []string, []string, []string, []string) {
	skills := []string{"Billing", "Sales", "Technical Support", "Retention", "Claims", "Chat", "Email", "Escalations"}
	langs := []string{"English", "Spanish", "French", "German", "Portuguese"}
	queues := []string{"Sales Inbound", "Billing Support", "Tech Support", "Retention Desk", "Claims", "VIP"}
	roles := []string{"Agent", "Supervisor", "Employee", "Quality Evaluator"}
	divs := []string{"Home", "Sales", "Support"}
	divIDs := []string{"dv-home", "dv-sales", "dv-support"}
	mk := func(prefix string, names []string) feed.Dimension {
		m := map[string]string{}
		for i, n := range names {
			m[fmt.Sprintf("%s-%02d", prefix, i)] = n
		}
		return feed.NewDimension(m)
	}
	d := map[string]string{}
	for i, n := range divs {
		d[divIDs[i]] = n
	}
	st := map[string]string{}
	for i := range genStations {
		st[fmt.Sprintf("st-%03d", i)] = fmt.Sprintf("Desk %03d", i)
	}
	refs := &feed.Refs{Skills: mk("sk", skills), Languages: mk("la", langs), Queues: mk("qu", queues), Roles: mk("ro", roles),
		Divisions: feed.NewDimension(d), Locations: mk("lo", locations), Stations: feed.NewDimension(st), HomeDivisionID: "dv-home"}
	return refs, skills, langs, queues, roles, divs, divIDs
}

// locations are the generated org's locations (ids lo-00…).
var locations = []string{"Dublin", "Indianapolis", "Austin"}

// genStations is the number of the generated org's stations (ids st-000…).
const genStations = 400

// genAsOf is when the generated state was read; genOffboarded when an
// apply deactivated some of its inactive users.
var (
	genAsOf       = time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	genOffboarded = time.Date(2026, 1, 5, 0, 0, 0, 0, time.UTC)
)

// genOnboard are the utilization profiles of the generated feeds.
var genOnboard = Onboard{UtilizationProfiles: map[string]UtilizationProfile{
	"voice-only": {"call": {MaximumCapacity: 1}, "chat": {MaximumCapacity: 0}, "email": {MaximumCapacity: 0}},
	"blended":    {"call": {MaximumCapacity: 1}, "chat": {MaximumCapacity: 2, InterruptableMediaTypes: []string{"call"}}},
}}

// lifecycle gives a generated user its stations, verifiers, utilization,
// profile skills and invitation, from a source of its own (so that the
// rest of a seed's org is what it always was); next hands out stations.
func lifecycle(r *rand.Rand, u *User, next *int) {
	if u.State == StateDeleted {
		return
	}
	u.StationsKnown, u.ProfileSkillsKnown, u.InviteKnown = true, true, true
	if r.IntN(2) == 0 && *next < genStations/2 {
		u.DefaultStationID = fmt.Sprintf("st-%03d", *next)
		*next++
		if r.IntN(2) == 0 {
			u.AssociatedStationID = u.DefaultStationID
		}
	}
	if u.State == StateActive {
		u.VerifiersKnown = true
		for k := range r.IntN(3) {
			u.Verifiers = append(u.Verifiers, fmt.Sprintf("vf-%s-%d", u.ID, k))
		}
		switch r.IntN(4) {
		case 0:
			u.Utilization = &Utilization{}
		case 1:
			u.Utilization = &Utilization{Agent: true, Media: cloneMap(genOnboard.UtilizationProfiles["blended"])}
		case 2:
			u.Utilization = &Utilization{Agent: true, Media: map[string]MediaUtilization{"chat": {MaximumCapacity: 4}}}
		}
	}
	u.ProfileSkills = pick(r, [][]string{nil, {"Excel"}, {"Coaching", "Excel"}})
	if r.IntN(4) > 0 {
		u.WelcomeSent = genAsOf.AddDate(0, 0, -r.IntN(60))
		u.LoggedIn = r.IntN(2) == 0
	}
	if u.State == StateInactive && r.IntN(2) == 0 {
		u.OffboardedAt = genOffboarded
	}
}

func pick[T any](r *rand.Rand, xs []T) T { return xs[r.IntN(len(xs))] }

// subset returns distinct random indexes.
func subset(r *rand.Rand, n, max int) []int {
	k := r.IntN(max + 1)
	return r.Perm(n)[:min(k, n)]
}

// genWorld builds a current org of n people and a feed that keeps some,
// changes some (every attribute kind), drops some and adds joiners, with
// deleted users whose email a joiner reuses.
func genWorld(seed uint64, n int, mode feed.Mode) *world {
	r := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	refs, skills, langs, queues, roles, divs, divIDs := newRefs()
	w := &world{refs: refs, cur: &Current{AsOf: genAsOf}, mode: mode, skills: skills, langs: langs, queues: queues, roles: roles, divs: divs, divIDs: divIDs}
	lr := rand.New(rand.NewPCG(seed, 0x11fe))
	nextStation := 0
	levels := []float64{0, 1, 2, 2.5, 3, 4, 5}
	states := []string{StateActive, StateActive, StateActive, StateInactive, StateDeleted}
	for i := range n {
		u := User{ID: fmt.Sprintf("u-%04d", i), Email: fmt.Sprintf("person.%04d@example.com", i), Name: fmt.Sprintf("Person %d", i),
			Title: pick(r, []string{"", "Agent", "Senior Agent", "Team Lead"}), Department: pick(r, []string{"", "Care", "Sales"}),
			State: pick(r, states), DivisionID: pick(r, divIDs), Version: 1 + r.IntN(9), ACDAutoAnswer: r.IntN(2) == 0,
			Skills: map[string]float64{}, Languages: map[string]float64{}, Queues: map[string]bool{}}
		if u.State != StateDeleted && r.IntN(5) > 0 {
			u.ExternalIDs = map[string]string{"hr": fmt.Sprintf("E%04d", i)}
		}
		if i > 0 && r.IntN(3) > 0 {
			u.ManagerID = fmt.Sprintf("u-%04d", r.IntN(i))
		}
		for _, j := range subset(r, len(skills), 4) {
			u.Skills[fmt.Sprintf("sk-%02d", j)] = pick(r, levels)
		}
		for _, j := range subset(r, len(langs), 2) {
			u.Languages[fmt.Sprintf("la-%02d", j)] = pick(r, levels)
		}
		for _, j := range subset(r, len(queues), 3) {
			u.Queues[fmt.Sprintf("qu-%02d", j)] = r.IntN(4) > 0
		}
		for _, j := range subset(r, len(roles), 2) {
			u.Grants = append(u.Grants, Grant{RoleID: fmt.Sprintf("ro-%02d", j), DivisionID: pick(r, divIDs)})
		}
		switch r.IntN(5) {
		case 0:
		case 1:
			u.WorkPhone = Phone{Extension: fmt.Sprint(4000 + i)}
		case 2:
			u.WorkPhone = Phone{Number: fmt.Sprintf("3175550%03d", i)} // Genesys answered a national display
		default:
			u.WorkPhone = Phone{Number: fmt.Sprintf("+13175550%03d", i), Extension: pick(r, []string{"", "101"})}
		}
		if r.IntN(3) == 0 {
			u.OtherPhones = []Contact{{MediaType: "PHONE", Type: "MOBILE", Number: fmt.Sprintf("+13176660%03d", i)}}
		}
		for _, j := range subset(r, len(locations), 2) {
			u.LocationIDs = append(u.LocationIDs, fmt.Sprintf("lo-%02d", j))
		}
		u.DateHire = pick(r, []string{"", "2019-04-01", "2021-11-15"})
		lifecycle(lr, &u, &nextStation)
		w.cur.Users = append(w.cur.Users, u)
	}

	var b strings.Builder
	header := "employee_id,email,name,title,department,manager_employee_id,division,state,skills,languages,queues,roles,acd_auto_answer,phone_work,extension,location,hire_date,employee_type,utilization,default_station,profile_skills"
	if mode == feed.ModeDelta {
		header += ",action"
	}
	b.WriteString(header + "\n")
	var ids []string // employee ids already written, for managers
	// freed are the stations of leavers, which joiners take; free stations
	// nobody holds are handed out from the second half of the range.
	var freed []string
	nextFree := genStations / 2
	row := func(id, email, name string, keepFrom *User) {
		title := pick(r, []string{"Agent", "Senior Agent", "Team Lead", ""})
		dept := pick(r, []string{"Care", "Sales", "Retention"})
		div := pick(r, divs)
		state := pick(r, []string{"active", "active", "active", "inactive", ""})
		mgr := ""
		if len(ids) > 0 && r.IntN(3) > 0 {
			mgr = pick(r, ids)
		}
		list := func(names []string, max int, item func(string) string) string {
			var parts []string
			for _, j := range subset(r, len(names), max) {
				parts = append(parts, item(names[j]))
			}
			return strings.Join(parts, "|")
		}
		sk := list(skills, 5, func(s string) string { return fmt.Sprintf("%s:%g", s, pick(r, levels)) })
		la := list(langs, 3, func(s string) string { return fmt.Sprintf("%s:%g", s, pick(r, levels)) })
		qu := list(queues, 4, func(s string) string {
			return s + pick(r, []string{"", ":joined", ":unjoined"})
		})
		ro := list(roles, 3, func(s string) string { return s + pick(r, []string{"", "@Home", "@Sales", "@Support"}) })
		acd := pick(r, []string{"true", "false", ""})
		phone := pick(r, []string{"", "+1 317 555 0999", "+44 20 7946 0958"})
		ext := pick(r, []string{"", "", "101", "2044"})
		loc := pick(r, append([]string{"", "dublin"}, locations...))
		hired := pick(r, []string{"", "2019-04-01", "2024-02-29"})
		if keepFrom != nil && r.IntN(2) == 0 {
			phone, ext = keepFrom.WorkPhone.Number, keepFrom.WorkPhone.Extension
			if phone != "" && !strings.HasPrefix(phone, "+") {
				phone = "+1" + phone
			}
		}
		if keepFrom != nil && r.IntN(3) == 0 {
			// An unchanged person: the row says what the org has.
			title, dept, acd = keepFrom.Title, keepFrom.Department, fmt.Sprint(keepFrom.ACDAutoAnswer)
			for k, id := range divIDs {
				if id == keepFrom.DivisionID {
					div = divs[k]
				}
			}
			state = keepFrom.State
		}
		etype := pick(lr, []string{"", "Full-time", "Contractor"})
		util := pick(lr, []string{"", "", "voice-only", "Blended"})
		station := ""
		switch k := lr.IntN(4); {
		case keepFrom != nil && k == 0:
			station = w.refs.Stations.Name(keepFrom.DefaultStationID)
		case keepFrom == nil && len(freed) > 0 && k < 2:
			station, freed = freed[0], freed[1:]
		case k == 1 && nextFree < genStations:
			station = fmt.Sprintf("st-%03d", nextFree) // by id
			nextFree++
		}
		psk := pick(lr, []string{"", "Excel", "Excel|Mentoring", "coaching"})
		fmt.Fprintf(&b, "%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s", id, email, name, title, dept, mgr, div, state, sk, la, qu, ro, acd, phone, ext, loc, hired,
			etype, util, station, psk)
		if mode == feed.ModeDelta {
			b.WriteString(",upsert")
		}
		b.WriteString("\n")
		ids = append(ids, id)
	}
	// Rows come in random order, so that the feed's reporting lines may
	// run against the org's (a manager becomes the report of their report).
	var rows []func()
	for i := range w.cur.Users {
		u := &w.cur.Users[i]
		id := fmt.Sprintf("E%04d", i)
		switch {
		case u.State == StateDeleted && r.IntN(2) == 0:
			rows = append(rows, func() { row(id, u.Email, u.Name, nil) }) // a returning employee: restore
		case u.State == StateDeleted:
		case r.IntN(6) == 0:
			if mode == feed.ModeDelta && r.IntN(2) == 0 {
				rows = append(rows, func() { fmt.Fprintf(&b, "%s,,,,,,,,,,,,,,,,,,,,,offboard\n", id) })
				if u.DefaultStationID != "" && u.State == StateActive {
					freed = append(freed, u.DefaultStationID)
				}
			} else if mode == feed.ModeSnapshot && u.DefaultStationID != "" && u.State == StateActive {
				freed = append(freed, u.DefaultStationID)
			}
			// else a leaver (snapshot) or untouched (delta)
		default:
			email := u.Email
			if r.IntN(10) == 0 {
				email = fmt.Sprintf("renamed.%04d@example.com", i)
			}
			name := pick(r, []string{u.Name, u.Name + " Jr"})
			rows = append(rows, func() { row(id, email, name, u) })
		}
	}
	for j := range n / 5 {
		rows = append(rows, func() {
			row(fmt.Sprintf("N%04d", j), fmt.Sprintf("joiner.%04d@example.com", j), fmt.Sprintf("Joiner %d", j), nil)
		})
	}
	r.Shuffle(len(rows), func(i, j int) { rows[i], rows[j] = rows[j], rows[i] })
	for _, emit := range rows {
		emit()
	}
	// Then the lines themselves, so that a report may come before the
	// manager it names.
	lines := strings.Split(strings.TrimSuffix(b.String(), "\n"), "\n")
	body := lines[1:]
	r.Shuffle(len(body), func(i, j int) { body[i], body[j] = body[j], body[i] })
	w.csv = lines[0] + "\n" + strings.Join(body, "\n") + "\n"
	return w
}

func (w *world) read(t testing.TB) *feed.Feed {
	t.Helper()
	f, err := feed.Read(strings.NewReader(w.csv), feed.Config{File: "gen.csv", Mode: w.mode, Refs: w.refs, Directory: w,
		UtilizationProfiles: genOnboard.ProfileNames()})
	if err != nil {
		t.Fatal(err)
	}
	if len(f.Rejected) > 0 {
		t.Fatalf("generated feed has rejected rows: %v", f.Problems[:min(5, len(f.Problems))])
	}
	return f
}

// HasEmployeeID and HasEmail make the world a feed.Directory.
func (w *world) HasEmployeeID(id string) bool {
	for _, u := range w.cur.Users {
		if u.ExternalIDs["hr"] == id {
			return true
		}
	}
	return false
}

func (w *world) HasEmail(e string) bool {
	for _, u := range w.cur.Users {
		if strings.EqualFold(u.Email, e) {
			return true
		}
	}
	return false
}
