package store_test

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/usersync/syncer/internal/store"
)

func TestRecentRunsKeepsTheLatestPerPipelineWithTheirMinimum(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := newStore(t, true)
	record := func(pipeline string, minCalls ...int64) int64 {
		t.Helper()
		id, err := s.StartRun(ctx, pipeline)
		if err != nil {
			t.Fatal(err)
		}
		for i, n := range minCalls {
			stream := fmt.Sprintf("s%d", i)
			if err := s.StartStreamRun(ctx, id, stream); err != nil {
				t.Fatal(err)
			}
			if err := s.FinishStreamRun(ctx, id, stream, store.RunResult{Status: store.StatusSucceeded, Calls: store.StreamCalls{MinCalls: n}}); err != nil {
				t.Fatal(err)
			}
		}
		if err := s.FinishRun(ctx, id, store.RunResult{Status: store.StatusSucceeded}); err != nil {
			t.Fatal(err)
		}
		return id
	}
	var nightly []int64
	for i := range 4 {
		nightly = append(nightly, record("nightly", int64(i), 10))
	}
	feed := record("feed:hr") // no stream runs: no minimum
	record("other", 1)

	got, err := s.RecentRuns(ctx, "", 3)
	if err != nil {
		t.Fatal(err)
	}
	type row struct {
		Pipeline string
		ID, Min  int64
	}
	var rows []row
	for _, r := range got {
		rows = append(rows, row{r.Pipeline, r.ID, r.MinCalls})
	}
	want := []row{{"feed:hr", feed, 0}, {"nightly", nightly[3], 13}, {"nightly", nightly[2], 12}, {"nightly", nightly[1], 11}, {"other", nightly[3] + 2, 1}}
	if d := cmp.Diff(want, rows); d != "" {
		t.Errorf("RecentRuns(all, 3) (-want +got):\n%s", d)
	}
	one, err := s.RecentRuns(ctx, "nightly", 30)
	if err != nil || len(one) != 4 || one[3].ID != nightly[0] || one[3].MinCalls != 10 {
		t.Errorf("RecentRuns(nightly, 30) = %+v, %v; want its 4 runs, the oldest last with minimum 10", one, err)
	}
	srs, err := s.StreamRuns(ctx, nightly[1])
	if err != nil || len(srs) != 2 || srs[0].DecodeMinCalls() != 1 || srs[1].DecodeMinCalls() != 10 {
		t.Errorf("StreamRuns minimums = %+v, %v", srs, err)
	}
}

func TestPlanSummariesCountOperationsByKindAndStatus(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := newStore(t, true)
	body := json.RawMessage(`{"feed": "/data/hr.csv", "totals": {"create": 1}, "users": [{"name": "x"}], "operations": [{"id": "a"}]}`)
	ops := []store.Operation{{Seq: 0, Kind: "create_user"}, {Seq: 1, Kind: "set_skills"}, {Seq: 2, Kind: "set_skills"}}
	if err := s.CreatePlan(ctx, store.Plan{ID: "plan-a", Fingerprint: "f", Body: body}, ops); err != nil {
		t.Fatal(err)
	}
	if _, err := s.BeginOperation(ctx, "plan-a", 1); err != nil {
		t.Fatal(err)
	}
	if err := s.FinishOperation(ctx, "plan-a", 1, store.OpResult{Status: store.OpDone}); err != nil {
		t.Fatal(err)
	}
	if err := s.CreatePlan(ctx, store.Plan{ID: "plan-b", Fingerprint: "f", Body: json.RawMessage(`{"feed": "/other.csv"}`)}, nil); err != nil {
		t.Fatal(err)
	}
	got, err := s.PlanSummaries(ctx, "/data/hr.csv", 10)
	if err != nil || len(got) != 1 {
		t.Fatalf("PlanSummaries(hr) = %+v, %v; want plan-a alone", got, err)
	}
	p := got[0]
	want := map[string]map[string]int{"create_user": {"pending": 1}, "set_skills": {"done": 1, "pending": 1}}
	if d := cmp.Diff(want, p.Operations); d != "" || p.ID != "plan-a" || p.Feed != "/data/hr.csv" {
		t.Errorf("summary %s of %s: operations (-want +got):\n%s", p.ID, p.Feed, d)
	}
	var b map[string]any
	if err := json.Unmarshal(p.Body, &b); err != nil || b["users"] != nil || b["operations"] != nil || b["totals"] == nil {
		t.Errorf("summary body = %s, %v; want the totals without users and operations", p.Body, err)
	}
	all, err := s.PlanSummaries(ctx, "", 10)
	if err != nil || len(all) != 2 || all[1].Operations == nil {
		t.Errorf("PlanSummaries(all) = %+v, %v; want both plans", all, err)
	}
}
