package store_test

import (
	"context"
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
