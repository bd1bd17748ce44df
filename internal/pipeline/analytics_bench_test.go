package pipeline_test

import (
	"context"
	"runtime/metrics"
	"sync/atomic"
	"testing"
	"time"

	"github.com/usersync/syncer/internal/emulator"
	"github.com/usersync/syncer/internal/emulator/analytics"
	"github.com/usersync/syncer/internal/extract"
	"github.com/usersync/syncer/internal/pipeline"
)

// BenchmarkAnalyticsStreams runs user_details and user_aggregates (PT30M)
// over three days of a 1,000-user org into a fresh schema, jobs fulfilled
// at once so that the figures are the syncer's: rows per second loaded,
// calls against the minimum, and the peak memory Go held, which stays
// bounded by the results page and the load chunk, not the window.
func BenchmarkAnalyticsStreams(b *testing.B) {
	clk := newClock(t0)
	_, c := org(b, emulator.Config{Users: 1000, Seed: 29, Analytics: analytics.Config{Now: clk.Now, JobDelay: -1}})
	cfg := pipeline.ForwardConfig{
		Streams: []string{pipeline.StreamUserDetails, pipeline.StreamUserAggregates},
		Analytics: extract.AnalyticsConfig{
			Now:          clk.Now,
			Start:        t0.Add(-72 * time.Hour),
			MaxInterval:  24 * time.Hour,
			PollInterval: time.Millisecond,
		},
	}
	var rows, calls, minCalls int64
	var elapsed time.Duration
	var peak uint64
	for b.Loop() {
		b.StopTimer()
		e := newEnv(b)
		b.StartTimer()
		p := startPeak()
		start := time.Now()
		streams, err := pipeline.ForwardStreams(c, cfg)
		if err != nil {
			b.Fatal(err)
		}
		sum, err := e.runner.Run(context.Background(), "nightly", streams, nil)
		if err != nil {
			b.Fatal(err)
		}
		elapsed += time.Since(start)
		peak = max(peak, p.stop())
		rows += sum.Rows()
		calls += sum.Calls.Total
		minCalls += sum.MinCalls()
	}
	b.ReportMetric(float64(rows)/elapsed.Seconds(), "rows/s")
	b.ReportMetric(float64(rows)/float64(b.N), "rows/op")
	b.ReportMetric(float64(calls)/float64(max(minCalls, 1)), "calls/min")
	b.ReportMetric(float64(peak)/(1<<20), "MB_peak")
}

type peak struct {
	max  atomic.Uint64
	quit chan struct{}
	done chan struct{}
}

// startPeak samples the memory the Go runtime holds from the OS.
func startPeak() *peak {
	p := &peak{quit: make(chan struct{}), done: make(chan struct{})}
	s := []metrics.Sample{{Name: "/memory/classes/total:bytes"}, {Name: "/memory/classes/heap/released:bytes"}}
	go func() {
		defer close(p.done)
		for {
			metrics.Read(s)
			if v := s[0].Value.Uint64() - s[1].Value.Uint64(); v > p.max.Load() {
				p.max.Store(v)
			}
			select {
			case <-p.quit:
				return
			case <-time.After(5 * time.Millisecond):
			}
		}
	}()
	return p
}

func (p *peak) stop() uint64 {
	close(p.quit)
	<-p.done
	return p.max.Load()
}
