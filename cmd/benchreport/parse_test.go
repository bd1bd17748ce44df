package main

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestParseBench(t *testing.T) {
	t.Parallel()
	in := strings.Join([]string{
		"goos: linux",
		"pkg: github.com/usersync/syncer/internal/genesys",
		"BenchmarkRateBudget/matched-3000-2         \t       1\t  2996 calls/min\t        99.87 achieved/allowed-%\t         0 429-%",
		"--- BENCH: BenchmarkRateBudget/matched-3000-2",
		"    bench_test.go:97: headers true",
		"BenchmarkForward50k-2     \t       1\t         0 429s\t         1.050 calls/min-calls\t  72.64 peak-rss-MB",
		"--- FAIL: BenchmarkLoad-2",
		"--- SKIP: BenchmarkApply",
		"BenchmarkLoad-2 this line is a log line, not a result",
		"PASS",
	}, "\n")
	got, err := ParseBench(strings.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	want := BenchOutput{
		Metrics: []Metric{
			{"BenchmarkRateBudget/matched-3000", "calls/min", 2996},
			{"BenchmarkRateBudget/matched-3000", "achieved/allowed-%", 99.87},
			{"BenchmarkRateBudget/matched-3000", "429-%", 0},
			{"BenchmarkForward50k", "429s", 0},
			{"BenchmarkForward50k", "calls/min-calls", 1.05},
			{"BenchmarkForward50k", "peak-rss-MB", 72.64},
		},
		Failed:  []string{"BenchmarkLoad"},
		Skipped: []string{"BenchmarkApply"},
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("ParseBench (-want +got):\n%s", d)
	}
	if v, ok := got.Get("BenchmarkForward50k", "peak-rss-MB"); !ok || v != 72.64 {
		t.Errorf("Get = %v, %v", v, ok)
	}
	if _, ok := got.Get("BenchmarkForward50k", "s"); ok {
		t.Error("Get found a metric that was not printed")
	}
}

func TestTargetCheck(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		target Target
		v      float64
		want   bool
	}{
		{Target{Op: "<=", Value: 1.05}, 1.05, true},
		{Target{Op: "<=", Value: 1.05}, 1.06, false},
		{Target{Op: ">=", Value: 90}, 89.9, false},
		{Target{Op: ">=", Value: 90}, 95, true},
		{Target{Op: "<", Value: 10}, 10, false},
		{Target{Op: ">", Value: 1}, 1.01, true},
	} {
		if got := tc.target.Check(tc.v); got != tc.want {
			t.Errorf("%s check %v = %v, want %v", tc.target, tc.v, got, tc.want)
		}
	}
}
