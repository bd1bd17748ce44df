package diff

import (
	"fmt"
	"strings"
	"testing"

	"github.com/usersync/syncer/internal/feed"
)

// benchOrg builds an org of n agents and a snapshot feed in which a tenth
// of them change: 1 % leave, 2 % join, 7 % move (title, skills, queues,
// acdAutoAnswer).
func benchOrg(n int) (*Current, string, *feed.Refs) {
	refs := testRefs()
	sk := func(i int) string { return fmt.Sprintf("sk-%02d", i%8) }
	qu := func(i int) string { return fmt.Sprintf("qu-%02d", i%6) }
	_, skills, _, queues, _, _, _ := newRefs()
	cur := &Current{Users: make([]User, 0, n)}
	var b strings.Builder
	b.WriteString("employee_id,email,name,title,department,manager_employee_id,division,state,skills,queues,roles,acd_auto_answer\n")
	for i := range n {
		e := fmt.Sprintf("E%06d", i)
		u := User{ID: fmt.Sprintf("u-%06d", i), Email: fmt.Sprintf("agent.%06d@example.com", i), Name: "Agent " + e, Title: "Agent",
			Department: "Care", State: StateActive, DivisionID: "dv-sales", ExternalIDs: map[string]string{"hr": e}, Version: 3,
			Skills: map[string]float64{sk(i): 3, sk(i + 1): 4}, Queues: map[string]bool{qu(i): true},
			Grants: []Grant{{RoleID: "ro-00", DivisionID: "dv-sales"}}}
		mgr := ""
		if i >= 10 {
			mgr = fmt.Sprintf("E%06d", i/10)
			u.ManagerID = fmt.Sprintf("u-%06d", i/10)
		}
		cur.Users = append(cur.Users, u)
		title, skillList, queueList, acd := "Agent", fmt.Sprintf("%s:3|%s:4", skills[i%8], skills[(i+1)%8]), queues[i%6], "false"
		switch {
		case i%100 == 0 && i*10 >= n: // not a manager (managers are the first tenth)
			continue // a leaver
		case i%100 < 8 && i >= 10:
			title, skillList, queueList, acd = "Senior Agent", fmt.Sprintf("%s:5|%s:4", skills[i%8], skills[(i+2)%8]), queues[i%6]+"|"+queues[(i+1)%6], "true"
		}
		fmt.Fprintf(&b, "%s,%s,%s,%s,Care,%s,Sales,active,%s,%s,Agent@Sales,%s\n", e, u.Email, u.Name, title, mgr, skillList, queueList, acd)
	}
	for j := range n / 50 {
		fmt.Fprintf(&b, "N%06d,joiner.%06d@example.com,Joiner %d,Agent,Care,E000010,Sales,active,Billing:3,Sales Inbound,Agent@Sales,true\n", j, j, j)
	}
	return cur, b.String(), refs
}

// naiveCalls is what one call per item would cost: a call per skill,
// per queue membership, per acdAutoAnswer change, per division move.
func naiveCalls(p *Plan) int {
	n := 0
	for _, o := range p.Operations {
		switch {
		case len(o.Members) > 0:
			n += len(o.Members)
		case len(o.ACD) > 0:
			n += len(o.ACD)
		case len(o.Skills) > 0:
			n += len(o.Skills)
		case len(o.Languages) > 0:
			n += len(o.Languages)
		case len(o.Grants) > 0:
			n += len(o.Grants)
		default:
			n++
		}
	}
	return n
}

// BenchmarkPlan20k plans a 20,000-employee snapshot with 10 % changes.
func BenchmarkPlan20k(b *testing.B) {
	cur, text, refs := benchOrg(20_000)
	f, err := feed.Read(strings.NewReader(text), feed.Config{File: "bench.csv", Refs: refs})
	if err != nil {
		b.Fatal(err)
	}
	if len(f.Rejected) > 0 {
		b.Fatalf("rejected: %v", f.Problems[0])
	}
	cfg := Config{Authority: "hr", Owned: DefaultOwned.With(feed.FieldSkills, feed.FieldQueues), Guards: Guards{MaxOffboards: new(-1)}}
	b.ReportAllocs()
	var p *Plan
	for b.Loop() {
		p, err = Compute(f, cur, refs, cfg)
		if err != nil {
			b.Fatal(err)
		}
	}
	changed := p.Totals.Changed()
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(len(f.Employees)), "ns/employee")
	b.ReportMetric(float64(changed), "changed-users")
	b.ReportMetric(float64(p.Totals.Calls), "calls")
	b.ReportMetric(float64(p.Totals.Calls)/float64(changed), "calls/changed-user")
	b.ReportMetric(float64(naiveCalls(p))/float64(p.Totals.Calls), "naive/planned-calls")
	b.ReportMetric(float64(p.Estimate.Seconds), "s-at-300rpm")
}

// TestPlanLargeOrgConverges runs the benchmark's org through the property
// at a size where batching matters.
func TestPlanLargeOrgConverges(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("-short: skipping the 3,000-employee plan")
	}
	cur, text, refs := benchOrg(3_000)
	f, err := feed.Read(strings.NewReader(text), feed.Config{File: "bench.csv", Refs: refs})
	if err != nil {
		t.Fatal(err)
	}
	cfg := Config{Authority: "hr", Owned: DefaultOwned.With(feed.FieldSkills, feed.FieldQueues), Guards: Guards{MaxOffboards: new(-1)}}
	p, err := Compute(f, cur, refs, cfg)
	if err != nil {
		t.Fatal(err)
	}
	checkConverges(t, f, cur, refs, cfg, p)
}
