package emulator

import (
	"reflect"
	"regexp"
	"testing"
)

var uuidRE = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)

func TestGenerateIsDeterministic(t *testing.T) {
	t.Parallel()
	a, b := generate(7, 500), generate(7, 500)
	c := generate(8, 500)
	sa, sb, sc := &Server{org: a}, &Server{org: b}, &Server{org: c}
	if !reflect.DeepEqual(sa.Users(), sb.Users()) || !reflect.DeepEqual(sa.Queues(), sb.Queues()) {
		t.Fatal("same seed and size gave different orgs")
	}
	if reflect.DeepEqual(sa.Users(), sc.Users()) {
		t.Fatal("different seeds gave the same org")
	}
}

func TestGenerateShape(t *testing.T) {
	t.Parallel()
	const n = 2000
	o := generate(3, n)
	if err := o.check(); err != nil {
		t.Fatalf("invariants: %v", err)
	}
	if len(o.users) != n {
		t.Fatalf("users = %d, want %d", len(o.users), n)
	}
	var states [numStates]int
	var maxSkills, maxLangs, maxQueues, withManager, withExt, joined, notJoined int
	for i := range o.users {
		u := &o.users[i]
		states[u.state]++
		if !uuidRE.MatchString(u.id) {
			t.Fatalf("user id %q is not UUID-shaped", u.id)
		}
		maxSkills = max(maxSkills, len(u.skills))
		maxLangs = max(maxLangs, len(u.languages))
		maxQueues = max(maxQueues, len(u.queues))
		if u.manager >= 0 {
			withManager++
		}
		if len(u.externalIDs) > 0 {
			withExt++
		}
		for _, s := range append(append([]skillRef{}, u.skills...), u.languages...) {
			if s.proficiency < 0 || s.proficiency > 5 {
				t.Fatalf("proficiency %v out of 0–5", s.proficiency)
			}
		}
		for _, q := range u.queues {
			if q.joined {
				joined++
			} else {
				notJoined++
			}
		}
		if u.employeeID == "" || u.email == "" || u.name == "" || u.title == "" || u.department == "" {
			t.Fatalf("user %d misses a field: %+v", i, u)
		}
	}
	if states[stActive] < n*3/4 || states[stInactive] == 0 || states[stDeleted] == 0 {
		t.Errorf("state mix = %v, want mostly active with some inactive and deleted", states)
	}
	if maxSkills != 20 || maxLangs != 5 || maxQueues != 30 {
		t.Errorf("max skills/languages/queues = %d/%d/%d, want 20/5/30", maxSkills, maxLangs, maxQueues)
	}
	if withManager != n-1 || withExt < n*9/10 || joined == 0 || notJoined == 0 {
		t.Errorf("managers %d, external ids %d, joined %d, not joined %d", withManager, withExt, joined, notJoined)
	}
}

func TestOrgWritesKeepInvariants(t *testing.T) {
	t.Parallel()
	o := generate(5, 400)
	// Rename, change state, move memberships: the listing order and the
	// queue mirrors must follow.
	for i := int32(0); i < 400; i += 7 {
		o.setNameState(i, "Zed "+o.users[i].name, stInactive)
		if len(o.users[i].queues) > 0 {
			o.removeMembership(i, o.users[i].queues[0].queue)
		}
		o.addMembership(i, int32(int(i)%len(o.queues)), true)
		o.setJoined(i, int32(int(i)%len(o.queues)), false)
	}
	for i := int32(3); i < 400; i += 11 {
		o.setNameState(i, o.users[i].name, stDeleted)
	}
	if err := o.check(); err != nil {
		t.Fatalf("invariants after writes: %v", err)
	}
}
