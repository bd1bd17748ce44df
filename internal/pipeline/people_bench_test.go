package pipeline_test

import (
	"context"
	"testing"
	"time"

	"github.com/usersync/syncer/internal/emulator"
	"github.com/usersync/syncer/internal/pipeline"
)

// BenchmarkPeopleData runs every stream but the analytics jobs (measured by
// BenchmarkAnalyticsStreams) on a 5,000-user org, the optional ones
// included: reference, directory, users with every default expand, skills,
// languages, queues, roles, utilization and development_activities, then
// runs again on the unchanged org. Reports calls against the minimum the
// run states (target ≤ 1.05 both times), the rows loaded, the wall time
// without a rate limit, and the history rows the second run wrote (target
// 0).
//
//	go test -run '^$' -bench BenchmarkPeopleData -benchtime 1x ./internal/pipeline
func BenchmarkPeopleData(b *testing.B) {
	_, c := org(b, emulator.Config{Users: 5000, Seed: 18})
	var streams []string
	for _, n := range pipeline.StreamNames() {
		if n != pipeline.StreamUserDetails && n != pipeline.StreamUserAggregates {
			streams = append(streams, n)
		}
	}
	cfg := pipeline.ForwardConfig{Streams: streams}
	var first, again pipeline.Summary
	var wall time.Duration
	var history int
	for b.Loop() {
		b.StopTimer()
		e := newEnv(b)
		b.StartTimer()
		start := time.Now()
		first = benchRun(b, e, c, cfg)
		wall = time.Since(start)
		b.StopTimer()
		before := peopleHistory(b, e)
		again = benchRun(b, e, c, cfg)
		history = peopleHistory(b, e) - before
		b.StartTimer()
	}
	b.ReportMetric(float64(first.Calls.Total), "calls")
	b.ReportMetric(float64(first.MinCalls()), "min-calls")
	b.ReportMetric(float64(first.Calls.Total)/float64(max(first.MinCalls(), 1)), "calls/min-calls")
	b.ReportMetric(float64(again.Calls.Total)/float64(max(again.MinCalls(), 1)), "resync-calls/min-calls")
	b.ReportMetric(float64(first.Rows()), "rows")
	b.ReportMetric(wall.Seconds(), "s")
	b.ReportMetric(float64(history), "resync-history-rows")
	b.ReportMetric(0, "ns/op")
}

func benchRun(b *testing.B, e *env, c pipeline.ForwardAPI, cfg pipeline.ForwardConfig) pipeline.Summary {
	b.Helper()
	streams, err := pipeline.ForwardStreams(c, cfg)
	if err != nil {
		b.Fatal(err)
	}
	sum, err := e.runner.Run(context.Background(), "people", streams, nil)
	if err != nil {
		b.Fatal(err)
	}
	return sum
}
