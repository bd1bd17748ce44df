package schedule_test

import (
	"net/http"
	"net/http/httptest"
	"runtime"
	"testing"

	"github.com/usersync/syncer/internal/schedule"
	"github.com/usersync/syncer/internal/schedule/metricstest"
)

// /metrics exposes the gauges a leak shows in, with plausible values: the
// soak of internal/chaos compares them at its start and end.
func TestMetricsExposeRuntimeGauges(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(schedule.NewMetrics(nil).Handler())
	defer srv.Close()
	runtime.GC() // go_gc_heap_live_bytes is 0 before the first GC
	code, body := httpGet(t, srv.URL)
	if code != http.StatusOK {
		t.Fatalf("/metrics = %d", code)
	}
	mfs := metricstest.Parse(t, body)
	for _, c := range []struct {
		name string
		min  float64
	}{
		{"go_goroutines", 2}, // this test and the server's at least
		{"go_memstats_heap_inuse_bytes", 64 << 10},
		{"go_gc_heap_live_bytes", 64 << 10},
		{"process_resident_memory_bytes", 1 << 20},
	} {
		mf := mfs[c.name]
		if mf == nil || len(mf.GetMetric()) != 1 || mf.GetMetric()[0].GetGauge() == nil {
			t.Errorf("/metrics lacks the gauge %s", c.name)
			continue
		}
		if v := mf.GetMetric()[0].GetGauge().GetValue(); v < c.min {
			t.Errorf("%s = %v, want at least %v", c.name, v, c.min)
		}
	}
}
