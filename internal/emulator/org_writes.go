package emulator

import (
	"slices"
)

// Org methods used by the write endpoints. Like the ones in org.go they keep
// every index and invariant true; callers have validated their arguments.

// newUserID returns a fresh UUID-shaped user id. Ids are drawn from a
// stream keyed by the org's serial, so the same sequence of creates on the
// same org gives the same ids.
func (o *org) newUserID() string {
	for {
		o.serial++
		id := newGenerator(int64(o.serial), 0x6372656174).uuid()
		if _, taken := o.byID[id]; !taken {
			return id
		}
	}
}

// managesTransitively reports whether user a is b or one of b's managers
// (up the chain). Making a the manager of b then closes no cycle only when
// b does not manage a.
func (o *org) managesTransitively(a, b int32) bool {
	for steps := 0; b >= 0 && steps <= len(o.users); steps++ {
		if a == b {
			return true
		}
		b = o.users[b].manager
	}
	return false
}

// wouldCycle reports whether making m the manager of i closes a cycle:
// i is m itself or one of m's managers.
func (o *org) wouldCycle(i, m int32) bool { return o.managesTransitively(i, m) }

// removeExternalID removes one external id of user i; it reports whether
// the user had it.
func (o *org) removeExternalID(i int32, e ExternalID) bool {
	u := &o.users[i]
	k := slices.Index(u.externalIDs, e)
	if k < 0 {
		return false
	}
	u.externalIDs = slices.Delete(u.externalIDs, k, k+1)
	delete(o.byExt, extKey{e.AuthorityName, e.ExternalKey})
	return true
}

// deleteUser makes user i a leaver the way DELETE /users/{id} does: state
// deleted (which leaves every queue) and no role grants. Skills, languages
// and external ids stay, so a restore brings them back.
func (o *org) deleteUser(i int32) {
	u := &o.users[i]
	o.setNameState(i, u.name, stDeleted)
	u.grants = nil
}

// setState changes user i's state as PATCH /users/{id} does. Becoming
// inactive unjoins every queue (the user stays a member) and removes every
// role grant, as Genesys Cloud does ("all roles assigned to the user are
// removed"; reactivation does not restore them); the churn of
// /_emulator/mutate uses it too. Becoming deleted is deleteUser.
func (o *org) setState(i int32, st userState) {
	if st == stDeleted {
		o.deleteUser(i)
		return
	}
	u := &o.users[i]
	o.setNameState(i, u.name, st)
	if st == stInactive {
		for _, q := range u.queues {
			o.setJoined(i, q.queue, false)
		}
		u.grants = nil
	}
}

// addGrant grants role r in division d to user i unless it already has it;
// it reports whether it changed anything.
func (o *org) addGrant(i int32, g grant) bool {
	u := &o.users[i]
	if slices.Contains(u.grants, g) {
		return false
	}
	u.grants = append(u.grants, g)
	return true
}

// removeGrant removes a direct grant of user i; it reports whether it had it.
func (o *org) removeGrant(i int32, g grant) bool {
	u := &o.users[i]
	k := slices.Index(u.grants, g)
	if k < 0 {
		return false
	}
	u.grants = slices.Delete(u.grants, k, k+1)
	return true
}
