package emulator

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"strings"
)

// MutateRequest asks for churn: a share of the users change (movers), some
// leave, some join. The same request on the same org state always makes the
// same changes.
type MutateRequest struct {
	// Seed drives every random choice. Default 1.
	Seed int64 `json:"seed"`
	// Percent of the users not deleted that change (movers and leavers).
	// Default 5, or 0 when People is set (a request for people churn
	// alone).
	Percent float64 `json:"percent"`
	// Leavers among them (become inactive or deleted, half each). Default a
	// tenth of the changed users.
	Leavers *int `json:"leavers,omitempty"`
	// Joiners are new active users. Default the number of leavers.
	Joiners *int `json:"joiners,omitempty"`
	// People is the percent of the users not deleted whose people data
	// moves (people.go): presence and routing status for active users
	// (since now), and one time in three the out-of-office period (a new
	// one, a current one ended, an upcoming one cancelled), the team or the
	// certifications. Default 0: none. Its choices come from a stream of
	// their own, after the movers, leavers and joiners, so adding it
	// changes nothing else. Only a certification change bumps the user's
	// version (certifications are part of the user document).
	People float64 `json:"people,omitempty"`
}

// MutateResult says what a mutation changed.
type MutateResult struct {
	Seed    int64        `json:"seed"`
	Changed []UserChange `json:"changed"`
	Left    []UserChange `json:"left"`
	Joined  []string     `json:"joined"`
	// People names the users whose people data moved and what moved:
	// presence, routingStatus, outOfOffice, team, certifications.
	People []UserChange `json:"people"`
}

// UserChange names one user and what changed about it. Fields use the API's
// names: division, manager, title, department, name, skills, languages,
// queues, acdAutoAnswer, state. The user's version goes up by one when a
// field other than skills, languages and queues changed.
type UserChange struct {
	UserID string   `json:"userId"`
	Fields []string `json:"fields"`
}

// Mutate churns the org as req says and reports what changed.
func (s *Server) Mutate(req MutateRequest) (MutateResult, error) {
	req.Seed = cmp.Or(req.Seed, 1)
	if req.Percent == 0 && req.People == 0 {
		req.Percent = 5
	}
	if req.Percent < 0 || req.Percent > 100 || math.IsNaN(req.Percent) {
		return MutateResult{}, fmt.Errorf("emulator: mutate: percent %v must be in [0, 100]", req.Percent)
	}
	if req.People < 0 || req.People > 100 || math.IsNaN(req.People) {
		return MutateResult{}, fmt.Errorf("emulator: mutate: people %v must be in [0, 100]", req.People)
	}
	for name, p := range map[string]*int{"leavers": req.Leavers, "joiners": req.Joiners} {
		if p != nil && *p < 0 {
			return MutateResult{}, fmt.Errorf("emulator: mutate: %s %d is negative", name, *p)
		}
	}
	var res MutateResult
	s.write(func(o *org) { res = o.mutate(req) })
	s.cfg.Logger.Info("emulator mutated", "seed", req.Seed, "changed", len(res.Changed), "left", len(res.Left), "joined", len(res.Joined), "people", len(res.People))
	return res, nil
}

func (o *org) mutate(req MutateRequest) MutateResult {
	g := newGenerator(req.Seed, 0x6d757461)
	res := MutateResult{Seed: req.Seed, Changed: []UserChange{}, Left: []UserChange{}, Joined: []string{}, People: []UserChange{}}

	var live []int32
	for i := range o.users {
		if o.users[i].state != stDeleted {
			live = append(live, int32(i))
		}
	}
	n := min(len(live), int(math.Round(float64(len(live))*req.Percent/100)))
	// Partial Fisher-Yates: the first n of live are the chosen users.
	for k := range n {
		j := k + g.r.IntN(len(live)-k)
		live[k], live[j] = live[j], live[k]
	}
	chosen := live[:n]
	leavers := n / 10
	if req.Leavers != nil {
		leavers = min(*req.Leavers, n)
	}
	joiners := leavers
	if req.Joiners != nil {
		joiners = *req.Joiners
	}

	for k, i := range chosen {
		if k < leavers {
			st := stInactive
			if g.r.IntN(2) == 0 {
				st = stDeleted
			}
			o.leave(i, st)
			res.Left = append(res.Left, UserChange{UserID: o.users[i].id, Fields: []string{"state"}})
			continue
		}
		if fields := o.move(g, i); len(fields) > 0 {
			res.Changed = append(res.Changed, UserChange{UserID: o.users[i].id, Fields: fields})
		}
	}
	for range joiners {
		u := g.user(o, len(o.users))
		u.state = stActive
		if _, taken := o.byID[u.id]; taken {
			u.id = o.newUserID()
		}
		if _, taken := o.byEmail[strings.ToLower(u.email)]; taken {
			u.email = strings.Replace(u.email, "@", fmt.Sprintf(".j%d@", len(o.users)), 1)
			u.username = u.email
		}
		for k := range u.queues {
			u.queues[k].joined = g.r.IntN(10) < 7
		}
		if len(u.grants) == 0 {
			u.grants = []grant{{role: 0, division: 0}}
		}
		i := o.addUser(u)
		res.Joined = append(res.Joined, o.users[i].id)
	}
	if req.People > 0 {
		res.People = o.mutatePeople(req)
	}
	return res
}

// mutatePeople moves the people data of req.People percent of the users
// not deleted (churnPeople), drawn from a stream of its own.
func (o *org) mutatePeople(req MutateRequest) []UserChange {
	g := newGenerator(req.Seed, 0x70656f)
	var live []int32
	for i := range o.users {
		if o.users[i].state != stDeleted {
			live = append(live, int32(i))
		}
	}
	n := min(len(live), int(math.Round(float64(len(live))*req.People/100)))
	for k := range n {
		j := k + g.r.IntN(len(live)-k)
		live[k], live[j] = live[j], live[k]
	}
	out := []UserChange{}
	for _, i := range live[:n] {
		if fields := o.churnPeople(g, i); len(fields) > 0 {
			out = append(out, UserChange{UserID: o.users[i].id, Fields: fields})
		}
	}
	return out
}

// leave makes user i a leaver, inactive or deleted, as PATCH state or
// DELETE /users/{id} would.
func (o *org) leave(i int32, st userState) {
	o.setState(i, st)
	o.users[i].version++
}

// subresourceFields are the changes that leave a user's version alone.
var subresourceFields = []string{"skills", "languages", "queues"}

// move applies one to three random changes to user i and returns the
// fields changed.
func (o *org) move(g *generator, i int32) []string {
	u := &o.users[i]
	var fields []string
	for _, kind := range g.distinct(9, 1+g.r.IntN(3)) {
		var f string
		switch kind {
		case 0:
			if len(o.divisions) > 1 {
				u.division = (u.division + 1 + int32(g.r.IntN(len(o.divisions)-1))) % int32(len(o.divisions))
				f = "division"
			}
		case 1:
			if i > 0 {
				m := int32(g.r.IntN(int(i)))
				if m != u.manager && !o.wouldCycle(i, m) {
					u.manager, f = m, "manager"
				}
			}
		case 2:
			if t := g.pick(titles); t != u.title {
				u.title, f = t, "title"
			}
		case 3:
			if d := g.pick(departments); d != u.department {
				u.department, f = d, "department"
			}
		case 4:
			first, _, _ := strings.Cut(u.name, " ")
			if name := first + " " + g.pick(lastNames); name != u.name {
				o.setNameState(i, name, u.state)
				f = "name"
			}
		case 5:
			old := slices.Clone(u.skills)
			if u.skills = churnSkills(g, u.skills, len(o.skills), 20); !slices.Equal(old, u.skills) {
				f = "skills"
			}
		case 6:
			old := slices.Clone(u.languages)
			if u.languages = churnSkills(g, u.languages, len(o.languages), 5); !slices.Equal(old, u.languages) {
				f = "languages"
			}
		case 7:
			if o.churnQueues(g, i) {
				f = "queues"
			}
		case 8:
			u.acdAutoAnswer, f = !u.acdAutoAnswer, "acdAutoAnswer"
		}
		if f != "" && !slices.Contains(fields, f) {
			fields = append(fields, f)
		}
	}
	// As with the write endpoints, only changes to the user document bump
	// its version; skills, languages and queues are resources of their own.
	if slices.ContainsFunc(fields, func(f string) bool { return !slices.Contains(subresourceFields, f) }) {
		u.version++
	}
	slices.Sort(fields)
	return fields
}

// churnSkills adds, removes or re-rates one skill (or language).
func churnSkills(g *generator, refs []skillRef, n, maxRefs int) []skillRef {
	switch op := g.r.IntN(3); {
	case op == 0 && len(refs) < maxRefs:
		return setSkill(refs, int32(g.r.IntN(n)), g.proficiency())
	case op == 1 && len(refs) > 0:
		refs, _ = removeSkill(refs, refs[g.r.IntN(len(refs))].ref)
		return refs
	case len(refs) > 0:
		k := g.r.IntN(len(refs))
		refs[k].proficiency = math.Mod(refs[k].proficiency+1, 5.5)
		return refs
	}
	return setSkill(refs, int32(g.r.IntN(n)), g.proficiency())
}

// churnQueues adds, removes or toggles one queue membership of user i.
func (o *org) churnQueues(g *generator, i int32) bool {
	u := &o.users[i]
	switch op := g.r.IntN(3); {
	case op == 0 && len(u.queues) < 30:
		q := int32(g.r.IntN(len(o.queues)))
		if slices.ContainsFunc(u.queues, func(r queueRef) bool { return r.queue == q }) {
			return false
		}
		o.addMembership(i, q, u.state == stActive && g.r.IntN(2) == 0)
		return true
	case op == 1 && len(u.queues) > 0:
		return o.removeMembership(i, u.queues[g.r.IntN(len(u.queues))].queue)
	case len(u.queues) > 0:
		r := u.queues[g.r.IntN(len(u.queues))]
		joined := !r.joined && u.state == stActive
		return joined != r.joined && o.setJoined(i, r.queue, joined)
	}
	return false
}

// Reset regenerates the org from the configuration (undoing every write
// and mutation), zeroes the stats, clears the faults, the rate-limit
// windows and the analytics jobs. Issued tokens stay valid.
func (s *Server) Reset() {
	o := newOrg(s.cfg)
	s.write(func(*org) { s.org = o })
	s.stats.reset()
	s.limiter.reset()
	s.faults.set(Faults{Seed: s.cfg.Seed})
	s.analytics.Reset()
}
