package schedule_test

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/usersync/syncer/internal/schedule"
	"github.com/usersync/syncer/internal/store"
)

// A feed job whose run parks its plan: recorded as awaiting approval, not
// as a failure; the plan counted in syncer_plans_awaiting_approval; and,
// once someone approves it, the job runs at once, without waiting for its
// next tick, to apply it.
func TestApprovedPlanRunsItsFeedAtOnce(t *testing.T) {
	t.Parallel()
	dbURL, schema := newSchema(t)
	r := newReplica(t, dbURL, schema, nil)
	const (
		none = iota
		parked
		approved
		applied
	)
	var state, runs atomic.Int32
	job := schedule.Job{
		Name: "feed:hr", Schedule: "@every 1h",
		Run: func(ctx context.Context, name string) (schedule.Result, error) {
			runs.Add(1)
			id, err := r.store.BeginExclusiveRun(ctx, name)
			if err != nil {
				return schedule.Result{}, err
			}
			outcome := store.StatusAwaitingApproval
			if state.Load() == approved {
				outcome = store.StatusSucceeded
				state.Store(applied)
			} else {
				state.Store(parked)
			}
			return schedule.Result{RunID: id, Outcome: outcome}, r.store.EndRun(ctx, id, store.RunResult{Status: outcome})
		},
		Plans: func(context.Context) (schedule.PlanCounts, error) {
			switch state.Load() {
			case parked:
				return schedule.PlanCounts{Awaiting: 1}, nil
			case approved:
				return schedule.PlanCounts{Approved: 1}, nil
			}
			return schedule.PlanCounts{}, nil
		},
	}
	s, err := schedule.New(r.store, []schedule.Job{job}, schedule.Config{RunOnStart: true, LeaseTTL: 400 * time.Millisecond, Logger: testLogger(t)})
	if err != nil {
		t.Fatal(err)
	}
	reg := s.Metrics().Registry()
	if got := value(t, reg, "syncer_runs_total", "pipeline", "feed:hr", "outcome", store.StatusAwaitingApproval); got != 0 {
		t.Errorf("runs awaiting approval before any run = %v", got)
	}
	stop := start(t, s)
	waitFor(t, 10*time.Second, "the run on start to park its plan", func() bool {
		return value(t, reg, "syncer_plans_awaiting_approval", "pipeline", "feed:hr") == 1
	})
	if got := value(t, reg, "syncer_runs_total", "pipeline", "feed:hr", "outcome", store.StatusAwaitingApproval); got != 1 {
		t.Errorf("syncer_runs_total{outcome=awaiting_approval} = %v, want 1", got)
	}
	if st := s.Status()[0]; st.ConsecutiveFailures != 0 || st.LastSuccess != nil || st.BackoffUntil != nil || st.LastOutcome == nil || *st.LastOutcome != store.StatusAwaitingApproval {
		t.Errorf("after a parked run: %+v; want no failure, no success, no back-off", st)
	}

	state.Store(approved)
	waitFor(t, 10*time.Second, "a run applying the approved plan", func() bool { return state.Load() == applied })
	waitFor(t, 10*time.Second, "the gauge to follow", func() bool {
		return value(t, reg, "syncer_plans_awaiting_approval", "pipeline", "feed:hr") == 0
	})
	// The approval is applied: nothing runs again until the next tick, an
	// hour away, however many times the scheduler looks.
	time.Sleep(time.Second)
	if _, err := stop(); err != nil {
		t.Fatal(err)
	}
	if n := runs.Load(); n != 2 {
		t.Errorf("%d runs; want the one on start and the one applying the approval", n)
	}
	if got := value(t, reg, "syncer_runs_total", "pipeline", "feed:hr", "outcome", store.StatusSucceeded); got != 1 {
		t.Errorf("syncer_runs_total{outcome=succeeded} = %v, want 1", got)
	}
	if got := value(t, reg, "syncer_schedule_ticks_total", "pipeline", "feed:hr", "result", schedule.TickStarted); got != 2 {
		t.Errorf("ticks started = %v, want 2", got)
	}
}
