package analytics

import (
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

var (
	friday   = time.Date(2026, 11, 20, 0, 0, 0, 0, time.UTC)
	saturday = friday.Add(24 * time.Hour)
	farAway  = time.Date(2100, 1, 1, 0, 0, 0, 0, time.UTC)
)

func testUserID(i int) string { return uuidFrom(mix(uint64(i), 0x75736572)) }

// checkRecords asserts the invariants every user's history keeps over a
// window [from, to) seen at horizon.
func checkTimeline(t *testing.T, d UserDetail, from, to, horizon time.Time) {
	t.Helper()
	effTo := to
	if horizon.Before(effTo) {
		effTo = horizon
	}
	type rec struct {
		start, end time.Time
		val        string
	}
	check := func(kind string, recs []rec) {
		t.Helper()
		if len(recs) == 0 {
			return
		}
		if recs[0].start.After(from) {
			t.Errorf("%s %s: first segment starts %s, after the window start %s", d.UserID, kind, recs[0].start, from)
		}
		for i, r := range recs {
			open := r.end.IsZero()
			if open && i != len(recs)-1 {
				t.Fatalf("%s %s: segment %d of %d is open", d.UserID, kind, i, len(recs))
			}
			if !open && !r.end.After(r.start) {
				t.Fatalf("%s %s: segment %d is empty or reversed: %s–%s", d.UserID, kind, i, r.start, r.end)
			}
			if !open && r.end.After(horizon) {
				t.Fatalf("%s %s: segment %d ends %s after the horizon %s but has an end", d.UserID, kind, i, r.end, horizon)
			}
			if !r.start.Before(effTo) {
				t.Fatalf("%s %s: segment %d starts %s, not before %s", d.UserID, kind, i, r.start, effTo)
			}
			if i > 0 {
				p := recs[i-1]
				if !p.end.Equal(r.start) {
					t.Fatalf("%s %s: gap or overlap between segments %d and %d: %s vs %s", d.UserID, kind, i-1, i, p.end, r.start)
				}
				if p.val == r.val {
					t.Fatalf("%s %s: segments %d and %d both %s", d.UserID, kind, i-1, i, r.val)
				}
			}
		}
		if last := recs[len(recs)-1]; !last.end.IsZero() && last.end.Before(effTo) {
			t.Errorf("%s %s: last segment ends %s before the window end %s", d.UserID, kind, last.end, effTo)
		}
	}
	var pres, rout []rec
	for _, r := range d.PrimaryPresence {
		pres = append(pres, rec{r.Start, r.End, r.SystemPresence + "/" + r.OrganizationPresenceID})
	}
	for _, r := range d.RoutingStatus {
		rout = append(rout, rec{r.Start, r.End, r.RoutingStatus})
	}
	check("presence", pres)
	check("routing", rout)
	// Routing is anything but OFF_QUEUE exactly while the presence is
	// ON_QUEUE: sample the window, walking both sorted lists.
	if len(rout) == 0 {
		return
	}
	pi, ri := 0, 0
	for ts := from; ts.Before(effTo); ts = ts.Add(97 * time.Second) {
		for pi < len(pres)-1 && !ts.Before(pres[pi].end) {
			pi++
		}
		for ri < len(rout)-1 && !ts.Before(rout[ri].end) {
			ri++
		}
		p, r := pres[pi].val, rout[ri].val
		onQueue := strings.HasPrefix(p, PresenceOnQueue+"/")
		if onQueue != (r != RoutingOffQueue) {
			t.Fatalf("%s at %s: presence %s with routing status %s", d.UserID, ts, p, r)
		}
	}
}

func TestTimelineInvariants(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name              string
		from, to, horizon time.Time
	}{
		{"one weekday", friday, friday.Add(24 * time.Hour), farAway},
		{"weekend", saturday, saturday.Add(48 * time.Hour), farAway},
		{"one minute at noon", friday.Add(12 * time.Hour), friday.Add(12*time.Hour + time.Minute), farAway},
		{"31 days", friday.Add(-30 * 24 * time.Hour), friday.Add(24 * time.Hour), farAway},
		{"horizon mid-window", friday, friday.Add(48 * time.Hour), friday.Add(14*time.Hour + 7*time.Minute)},
		{"odd boundaries", friday.Add(-3*time.Hour - 17*time.Second), friday.Add(29*time.Hour + 123*time.Millisecond), farAway},
		{"before the epoch", time.Date(1969, 12, 29, 0, 0, 0, 0, time.UTC), time.Date(1970, 1, 3, 0, 0, 0, 0, time.UTC), farAway},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			m := NewModel(42)
			withData := 0
			users := 60
			if tt.to.Sub(tt.from) > 7*24*time.Hour {
				users = 20
			}
			for i := range users {
				d := m.Detail(testUserID(i), tt.from, tt.to, tt.horizon)
				if len(d.PrimaryPresence) > 0 {
					withData++
				}
				checkTimeline(t, d, tt.from, tt.to, tt.horizon)
			}
			if withData == 0 {
				t.Fatal("no user has any presence")
			}
		})
	}
}

func TestWindowsCompose(t *testing.T) {
	t.Parallel()
	// The history does not depend on the window it is read through: two
	// adjacent windows give the same segments as their union, the segment
	// crossing the boundary appearing in both.
	m := NewModel(3)
	a, b, c := friday.Add(-2*24*time.Hour), friday.Add(7*time.Hour+13*time.Minute), friday.Add(3*24*time.Hour)
	for i := range 40 {
		id := testUserID(i)
		whole := m.Detail(id, a, c, farAway)
		left, right := m.Detail(id, a, b, farAway), m.Detail(id, b, c, farAway)
		joinedP := append([]PresenceRecord(nil), left.PrimaryPresence...)
		for _, r := range right.PrimaryPresence {
			if n := len(joinedP); n > 0 && joinedP[n-1] == r {
				continue
			}
			joinedP = append(joinedP, r)
		}
		joinedR := append([]RoutingRecord(nil), left.RoutingStatus...)
		for _, r := range right.RoutingStatus {
			if n := len(joinedR); n > 0 && joinedR[n-1] == r {
				continue
			}
			joinedR = append(joinedR, r)
		}
		if diff := cmp.Diff(whole.PrimaryPresence, joinedP); diff != "" {
			t.Fatalf("user %s presence differs (-whole +joined):\n%s", id, diff)
		}
		if diff := cmp.Diff(whole.RoutingStatus, joinedR); diff != "" {
			t.Fatalf("user %s routing differs (-whole +joined):\n%s", id, diff)
		}
	}
}

func TestModelDeterminism(t *testing.T) {
	t.Parallel()
	from, to := friday, friday.Add(24*time.Hour)
	same, other := 0, 0
	for i := range 30 {
		id := testUserID(i)
		a := NewModel(11).Detail(id, from, to, farAway)
		b := NewModel(11).Detail(id, from, to, farAway)
		if diff := cmp.Diff(a, b); diff != "" {
			t.Fatalf("same seed, different history for %s:\n%s", id, diff)
		}
		c := NewModel(12).Detail(id, from, to, farAway)
		if cmp.Equal(a, c) {
			same++
		} else {
			other++
		}
	}
	if other < 25 {
		t.Fatalf("seeds 11 and 12 give the same history for %d of 30 users", same)
	}
}

func TestWeekendIsOffline(t *testing.T) {
	t.Parallel()
	m := NewModel(5)
	from, to := saturday.Add(time.Hour), saturday.Add(47*time.Hour)
	for i := range 100 {
		d := m.Detail(testUserID(i), from, to, farAway)
		for _, r := range d.PrimaryPresence {
			if r.SystemPresence != PresenceOffline {
				t.Fatalf("user %s is %s at the weekend (%s–%s)", d.UserID, r.SystemPresence, r.Start, r.End)
			}
		}
		for _, r := range d.RoutingStatus {
			if r.RoutingStatus != RoutingOffQueue {
				t.Fatalf("user %s is %s at the weekend", d.UserID, r.RoutingStatus)
			}
		}
	}
}

func TestPopulationMix(t *testing.T) {
	t.Parallel()
	m := NewModel(9)
	const n = 4000
	active, agents := 0, 0
	seen := map[string]int{}
	for i := range n {
		p := m.profile(testUserID(i))
		if !p.active {
			continue
		}
		active++
		if p.agent {
			agents++
		}
		if i < 200 {
			d := m.Detail(testUserID(i), friday.Add(-4*24*time.Hour), friday.Add(24*time.Hour), farAway)
			for _, r := range d.PrimaryPresence {
				seen[r.SystemPresence]++
			}
			for _, r := range d.RoutingStatus {
				seen[r.RoutingStatus]++
			}
		}
	}
	if pct := active * 100 / n; pct < 88 || pct > 96 {
		t.Errorf("%d%% of users have history, want about %d%%", pct, activePercent)
	}
	if pct := agents * 100 / active; pct < 75 || pct > 85 {
		t.Errorf("%d%% of users with history are agents, want about %d%%", pct, agentPercent)
	}
	for _, v := range append(systemPresenceNames[:], routingStatusNames[:]...) {
		if seen[v] == 0 {
			t.Errorf("no segment is %s", v)
		}
	}
}

func TestOrganizationPresenceIDs(t *testing.T) {
	t.Parallel()
	uuid := regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)
	a, b := NewModel(1).OrganizationPresenceIDs(), NewModel(1).OrganizationPresenceIDs()
	if !cmp.Equal(a, b) {
		t.Fatal("organization presence ids differ between two models of one seed")
	}
	if cmp.Equal(a, NewModel(2).OrganizationPresenceIDs()) {
		t.Fatal("organization presence ids do not depend on the seed")
	}
	seen := map[string]bool{}
	for _, sp := range systemPresenceNames {
		ids := a[sp]
		if len(ids) == 0 {
			t.Errorf("no organization presence for %s", sp)
		}
		for _, id := range ids {
			if !uuid.MatchString(id) || seen[id] {
				t.Errorf("organization presence id %q of %s is not a fresh UUID", id, sp)
			}
			seen[id] = true
		}
	}
	if len(a[PresenceBusy]) != 2 || len(a[PresenceAway]) != 2 {
		t.Errorf("BUSY and AWAY should have two organization presences each: %v", a)
	}
}

func ExampleModel_Detail() {
	m := NewModel(7)
	d := m.Detail(testUserID(1), saturday, saturday.Add(time.Hour), farAway)
	for _, r := range d.PrimaryPresence {
		fmt.Println(r.SystemPresence, r.Start.Before(saturday), r.End.After(saturday.Add(time.Hour)))
	}
	// Output: OFFLINE true true
}

func TestWindowEdgesAtSegmentBoundaries(t *testing.T) {
	t.Parallel()
	// A window that ends exactly where a segment starts does not include
	// it; one that starts exactly where a segment ends does not include
	// that one either.
	m := NewModel(8)
	for i := range 20 {
		id := testUserID(i)
		d := m.Detail(id, friday, friday.Add(24*time.Hour), farAway)
		if len(d.PrimaryPresence) == 0 {
			continue
		}
		for _, r := range d.PrimaryPresence[1:] {
			before := m.Detail(id, r.Start.Add(-time.Hour), r.Start, farAway)
			if last := before.PrimaryPresence[len(before.PrimaryPresence)-1]; !last.End.Equal(r.Start) {
				t.Fatalf("window ending at %s: last segment %+v", r.Start, last)
			}
			after := m.Detail(id, r.Start, r.Start.Add(time.Hour), farAway)
			if first := after.PrimaryPresence[0]; first != r {
				t.Fatalf("window starting at %s: first segment %+v, want %+v", r.Start, first, r)
			}
		}
	}
}
