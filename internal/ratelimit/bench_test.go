package ratelimit

import (
	"context"
	"net/http"
	"testing"
)

// BenchmarkAcquireDone measures the budget's own cost per request (Acquire
// and Done with headers), with a rate so high that nobody waits: the
// overhead every API call pays.
func BenchmarkAcquireDone(b *testing.B) {
	bud := New(Config{RequestsPerMinute: 1e12, Burst: 1 << 20, MaxInFlight: 64})
	h := limitHeaders(10, 1000000, 30)
	ctx := context.Background()
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			p, err := bud.Acquire(ctx, Low)
			if err != nil {
				b.Fatal(err)
			}
			p.Done(http.StatusOK, h)
		}
	})
}
