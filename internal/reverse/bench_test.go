package reverse_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/usersync/syncer/internal/diff"
	"github.com/usersync/syncer/internal/emulator"
	"github.com/usersync/syncer/internal/feed"
	"github.com/usersync/syncer/internal/genesys"
	"github.com/usersync/syncer/internal/procstat"
	"github.com/usersync/syncer/internal/ratelimit"
	"github.com/usersync/syncer/internal/reverse"
)

// BenchmarkHRFeed20k plans and applies a 20,000-employee snapshot feed
// with 10 % of the people changed (titles and departments, skills, queues,
// joiners, leavers) against an emulated org of that size, at a scaled rate
// limit. Run it once: go test ./internal/reverse -run '^$' -bench HRFeed20k -benchtime 1x
//
// Metrics: refresh_s (state into Postgres), plan_s (read state + feed +
// diff), plan_cpu_s (its CPU; the emulator is idle meanwhile), calls_min (the plan's own estimate: one call per operation, the
// least the endpoints allow) and calls_used (write calls the apply made),
// apply_s at the scaled rate and apply_min_at_300rpm (calls_used at the
// Genesys default budget).
func BenchmarkHRFeed20k(b *testing.B) {
	const users, rpm = 20000, 30000
	e := newEnv(b, emulator.Config{Seed: 7, Users: users})
	ctx := context.Background()
	// The roles stream cannot page the employee role's 20,000 subjects
	// (the listing cap is 10,000): this feed leaves roles alone.
	e.svc = reverse.New(e.api, e.store, reverse.Config{Workers: 16, SkipRoleGrants: true})
	sp := e.spec("feed20k.csv")
	sp.Diff.Guards = diff.Guards{MaxOffboards: new(-1), MaxOffboardPercent: new(float64(-1)), MaxQueueLossPercent: new(float64(-1)), MaxChanges: new(-1)}
	sp.Diff.RatePerMinute = rpm
	sp.Diff.Owned = sp.Diff.Owned.Without(feed.FieldRoles) // empty roles cells add nothing

	rows := orgRows(e.srv)
	rng := rand.New(rand.NewPCG(7, 20000))
	skills, queues := names(e.srv.Skills()), e.srv.Queues()
	changed := map[int]bool{}
	for len(changed) < users/10 {
		i := rng.IntN(len(rows))
		if changed[i] || rows[i].State != "active" {
			continue
		}
		changed[i] = true
		r := &rows[i]
		switch len(changed) % 4 {
		case 0:
			r.Title, r.Department = "Senior "+r.Title, "Dept "+fmt.Sprint(rng.IntN(20))
		case 1:
			r.Skills = append(r.Skills[:0:0], r.Skills[min(1, len(r.Skills)):]...)
			if s := skills[rng.IntN(len(skills))]; !hasItem(r.Skills, s) {
				r.Skills = append(r.Skills, s+":3")
			}
		case 2:
			if q := queues[rng.IntN(len(queues))].Name; !hasItem(r.Queues, q) {
				r.Queues = append(r.Queues, q)
			}
		case 3:
			r.ACD = map[string]string{"true": "false", "false": "true"}[r.ACD]
		}
	}
	var kept []row
	leavers := 0
	for i, r := range rows {
		if !changed[i] && r.State == "active" && leavers < users/200 && rng.IntN(50) == 0 {
			leavers++
			continue
		}
		kept = append(kept, r)
	}
	for k := range users / 200 {
		kept = append(kept, row{EmployeeID: fmt.Sprintf("E9%06d", k), Email: fmt.Sprintf("bench.joiner.%d@example.com", k), Name: fmt.Sprintf("Bench Joiner %d", k),
			State: "active", Division: rows[0].Division, Skills: []string{skills[k%len(skills)] + ":2"}, Queues: []string{queues[k%len(queues)].Name},
			ACD: "false"})
	}
	for i := range kept {
		kept[i].Roles = nil
	}
	writeFeed(b, sp.Path, kept)

	t0 := time.Now()
	if _, err := e.svc.Refresh(ctx, reverse.Reads{AllQueues: true}, nil); err != nil {
		b.Fatal(err)
	}
	refresh := time.Since(t0)
	// Plan and apply through a client whose budget is the scaled rate.
	scaled, err := genesys.NewClient(genesys.WithBaseURL(e.url), genesys.WithCredentials(emulator.DefaultClientID, emulator.DefaultClientSecret),
		genesys.WithBudget(ratelimit.New(ratelimit.Config{RequestsPerMinute: rpm, Burst: 50, MaxInFlight: 16})))
	if err != nil {
		b.Fatal(err)
	}
	svc := reverse.New(scaled, e.store, reverse.Config{Workers: 8, SkipRoleGrants: true})

	b.ResetTimer()
	for b.Loop() {
		t1, cpu1 := time.Now(), procstat.CPU()
		p, err := svc.Plan(ctx, sp, false)
		if err != nil {
			b.Fatal(err)
		}
		planTime, planCPU := time.Since(t1), procstat.CPU()-cpu1
		t2 := time.Now()
		res, err := svc.Apply(ctx, sp, p.Plan, reverse.ApplyOptions{})
		if err != nil {
			b.Fatal(err)
		}
		applyTime := time.Since(t2)
		if res.Failed > 0 {
			b.Fatalf("%d failures, first: %s", res.Failed, reverse.Describe(res.Failures[0]))
		}
		b.ReportMetric(refresh.Seconds(), "refresh_s")
		b.ReportMetric(planTime.Seconds(), "plan_s")
		b.ReportMetric(planCPU.Seconds(), "plan_cpu_s")
		b.ReportMetric(float64(p.Plan.Totals.Changed()), "users_changed")
		b.ReportMetric(float64(p.Plan.Totals.Calls), "calls_min")
		b.ReportMetric(float64(res.Writes), "calls_used")
		b.ReportMetric(float64(res.Reads), "reads_used")
		b.ReportMetric(float64(res.Writes)/float64(max(1, p.Plan.Totals.Calls)), "calls_used/min")
		b.ReportMetric(applyTime.Seconds(), "apply_s")
		b.ReportMetric(float64(res.Writes)/300, "apply_min_at_300rpm")
	}
}

// BenchmarkPlanRefresh50k measures what a plan of an HR feed costs in API
// calls on a 50,000-user emulated org: the first plan on an empty
// database, a second plan, and a plan within refresh_max_age of a complete
// load (a forward load of users, memberships and grants just before). The
// feed is a nightly HR snapshot (no queues or roles columns) of
// the org with 5 % of the people changed, 50 leavers and 50 joiners.
// Run it once: go test ./internal/reverse -run '^$' -bench PlanRefresh50k -benchtime 1x
//
// Metrics: first_plan_calls (target ≤ 1,000), replan_calls,
// fresh_plan_calls (target ≤ 50), first_plan_s, plan_cpu_s (the CPU of a
// plan from Postgres: state, feed, diff; the emulator is idle meanwhile).
func BenchmarkPlanRefresh50k(b *testing.B) {
	const users, rpm = 50000, 30000
	e := newEnv(b, emulator.Config{Seed: 7, Users: users, RatePerMinute: rpm * 2})
	ctx := context.Background()
	scaled, err := genesys.NewClient(genesys.WithBaseURL(e.url), genesys.WithCredentials(emulator.DefaultClientID, emulator.DefaultClientSecret),
		genesys.WithBudget(ratelimit.New(ratelimit.Config{RequestsPerMinute: rpm, Burst: 50, MaxInFlight: 16})))
	if err != nil {
		b.Fatal(err)
	}
	svc := reverse.New(scaled, e.store, reverse.Config{Workers: 8})
	sp := e.spec("nightly50k.csv")
	sp.Diff.Owned = diff.DefaultOwned
	sp.Diff.Guards = diff.Guards{MaxOffboards: new(-1), MaxOffboardPercent: new(float64(-1)), MaxQueueLossPercent: new(float64(-1)), MaxChanges: new(-1)}

	rows := orgRows(e.srv)
	rng := rand.New(rand.NewPCG(7, 50000))
	var kept []row
	leavers, changed := 0, 0
	for _, r := range rows {
		if r.State != "active" {
			continue // an HR snapshot lists the people employed
		}
		switch {
		case leavers < 50 && rng.IntN(100) == 0:
			leavers++
			continue
		case rng.IntN(20) == 0:
			r.Title, changed = "Senior "+r.Title, changed+1
		}
		kept = append(kept, r)
	}
	for k := range 50 {
		kept = append(kept, row{EmployeeID: fmt.Sprintf("E9%06d", k), Email: fmt.Sprintf("bench.joiner.%d@example.com", k),
			Name: fmt.Sprintf("Bench Joiner %d", k), State: "active", Division: rows[0].Division})
	}
	writeColumns(b, sp.Path, kept, []string{"employee_id", "email", "name", "title", "department", "manager_employee_id", "division", "state"})

	count := func() int64 { st := e.srv.Stats(); return st.Total - st.RouteTotal("POST /oauth/token") }
	for b.Loop() {
		c0, t0 := count(), time.Now()
		first, err := svc.Plan(ctx, sp, true)
		if err != nil {
			b.Fatal(err)
		}
		firstCalls, firstTime := count()-c0, time.Since(t0)
		c1 := count()
		if _, err := svc.Plan(ctx, sp, true); err != nil {
			b.Fatal(err)
		}
		replan := count() - c1
		// A forward pipeline loads the org (users, queue memberships and,
		// with the directory stream, the stations a default_station column
		// names) within the hour; a plan with refresh_max_age uses it.
		if _, err := svc.Refresh(ctx, reverse.Reads{AllQueues: true, Stations: true}, nil); err != nil {
			b.Fatal(err)
		}
		fresh := sp
		fresh.RefreshMaxAge = time.Hour
		c2 := count()
		cpu0 := procstat.CPU()
		p, err := svc.Plan(ctx, fresh, true)
		if err != nil {
			b.Fatal(err)
		}
		cpu := procstat.CPU() - cpu0
		freshCalls := count() - c2
		if p.Reads.Refreshed {
			b.Fatalf("the plan within refresh_max_age refreshed: %+v", p.Reads)
		}
		b.ReportMetric(float64(firstCalls), "first_plan_calls")
		b.ReportMetric(firstTime.Seconds(), "first_plan_s")
		b.ReportMetric(float64(replan), "replan_calls")
		b.ReportMetric(float64(freshCalls), "fresh_plan_calls")
		b.ReportMetric(cpu.Seconds(), "plan_cpu_s")
		b.ReportMetric(float64(len(kept)), "feed_rows")
		b.ReportMetric(float64(first.Plan.Totals.Changed()), "users_changed")
		b.ReportMetric(float64(len(first.Reads.MembersOf)), "leavers_read")
	}
}
