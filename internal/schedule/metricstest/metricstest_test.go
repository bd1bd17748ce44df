package metricstest_test

import (
	"testing"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/usersync/syncer/internal/schedule/metricstest"
)

func TestSumMatchesLabelSubsets(t *testing.T) {
	mfs := metricstest.Parse(t, `# TYPE runs counter
runs{pipeline="a",outcome="ok"} 3
runs{pipeline="a",outcome="failed"} 1
runs{pipeline="b",outcome="ok"} 5
`)
	for _, c := range []struct {
		labels []string
		want   float64
		found  bool
	}{
		{nil, 9, true},
		{[]string{"pipeline", "a"}, 4, true},
		{[]string{"pipeline", "a", "outcome", "ok"}, 3, true},
		{[]string{"pipeline", "c"}, 0, false},
	} {
		got, found := metricstest.Sum(mfs["runs"], c.labels...)
		if got != c.want || found != c.found {
			t.Errorf("Sum(runs, %v) = %v, %t; want %v, %t", c.labels, got, found, c.want, c.found)
		}
	}
	if _, found := metricstest.Sum(mfs["absent"]); found {
		t.Error("a missing family matched")
	}
}

func TestGatherByName(t *testing.T) {
	reg := prometheus.NewRegistry()
	g := prometheus.NewGauge(prometheus.GaugeOpts{Name: "depth"})
	reg.MustRegister(g)
	g.Set(7)
	if v, _ := metricstest.Sum(metricstest.Gather(t, reg)["depth"]); v != 7 {
		t.Errorf("depth = %v, want 7", v)
	}
}
