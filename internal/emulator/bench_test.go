package emulator

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"runtime"
	"syscall"
	"testing"
	"time"
)

// BenchmarkListUsersPage measures GET /api/v2/users pages of 100 served per
// second over a real loopback HTTP connection with rate limiting off, with
// GOMAXPROCS=1 so server and client share one core (the per-core figure; the
// target is ≥ 5,000 pages/s). Pages cycle through the first 100 pages of
// the active users; an iteration (ns/op) is a batch of 500 pages.
func BenchmarkListUsersPage(b *testing.B) {
	for _, expand := range []string{"", "skills,languages"} {
		b.Run("expand="+expand, func(b *testing.B) {
			s, err := New(Config{Users: 12000, RatePerMinute: -1})
			if err != nil {
				b.Fatal(err)
			}
			ts := httptest.NewServer(s)
			defer ts.Close()
			token := s.tokens.issue()
			// A large read buffer keeps the client from reading a page 4 KiB at a
			// time: the core is shared, so client syscalls count against it.
			client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 4, ReadBufferSize: 256 << 10}}
			urls := make([]string, 100)
			for k := range urls {
				urls[k] = fmt.Sprintf("%s/api/v2/users?pageSize=100&pageNumber=%d", ts.URL, k+1)
				if expand != "" {
					urls[k] += "&expand=" + expand
				}
			}
			// Warm up: one pass over the pages fills the rendering cache, as
			// a long sync would.
			for _, u := range urls {
				req, _ := http.NewRequest("GET", u, nil)
				req.Header.Set("Authorization", "Bearer "+token)
				resp, err := client.Do(req)
				if err != nil {
					b.Fatal(err)
				}
				_, _ = io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
			}
			prev := runtime.GOMAXPROCS(1)
			defer runtime.GOMAXPROCS(prev)
			var bytes int64
			n := 0
			cpu0 := cpuTime()
			start := time.Now()
			// Each iteration serves a batch of pages, so even -benchtime 1x
			// (make bench) measures a steady rate.
			const batch = 500
			for b.Loop() {
				for range batch {
					req, _ := http.NewRequest("GET", urls[n%len(urls)], nil)
					req.Header.Set("Authorization", "Bearer "+token)
					resp, err := client.Do(req)
					if err != nil {
						b.Fatal(err)
					}
					m, _ := io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
					if resp.StatusCode != 200 {
						b.Fatalf("status %d", resp.StatusCode)
					}
					bytes += m
					n++
				}
			}
			elapsed := time.Since(start).Seconds()
			cpu := (cpuTime() - cpu0).Seconds()
			b.ReportMetric(float64(n)/elapsed, "pages/s")
			// CPU seconds of the whole process (server and client): on a
			// shared machine this is the steadier per-core figure.
			b.ReportMetric(float64(n)/cpu, "pages/cpu-s")
			b.ReportMetric(float64(bytes)/float64(n)/1024, "KiB/page")
		})
	}
}

// BenchmarkBuildOrg200k measures generating and indexing an org of 200,000
// users (target: < 10 s and < 2 GB): seconds per build and the heap the org
// holds after a GC.
func BenchmarkBuildOrg200k(b *testing.B) {
	const n = 200000
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	var s *Server
	var secs, cpuSecs float64
	builds := 0
	for b.Loop() {
		s = nil
		runtime.GC()
		start, cpu0 := time.Now(), cpuTime()
		var err error
		s, err = New(Config{Users: n})
		if err != nil {
			b.Fatal(err)
		}
		secs += time.Since(start).Seconds()
		cpuSecs += (cpuTime() - cpu0).Seconds()
		builds++
	}
	b.StopTimer()
	runtime.GC()
	runtime.ReadMemStats(&after)
	if got := s.UserCount(""); got != n {
		b.Fatalf("built %d users", got)
	}
	b.ReportMetric(secs/float64(builds), "s/build")
	// CPU seconds (all threads, GC included): steadier than wall time on a
	// shared machine.
	b.ReportMetric(cpuSecs/float64(builds), "cpu-s/build")
	b.ReportMetric(float64(after.HeapAlloc-before.HeapAlloc)/(1<<20), "MB-heap")
	b.ReportMetric(float64(after.Sys)/(1<<20), "MB-sys")
	runtime.KeepAlive(s)
}

// cpuTime is the user+system CPU time of the process so far.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkServeUsersPage measures the emulator's own work per
// GET /api/v2/users page of 100 (ServeHTTP with the whole pipeline: faults,
// auth, rate limit off, handler, stats) without the network and client, on
// one core: the server's share of BenchmarkListUsersPage.
func BenchmarkServeUsersPage(b *testing.B) {
	s, err := New(Config{Users: 12000, RatePerMinute: -1})
	if err != nil {
		b.Fatal(err)
	}
	token := s.tokens.issue()
	// The people expands are rendered on every request (not cached): their
	// cost shows against the plain page.
	for _, expand := range []string{"", peopleBenchExpands} {
		b.Run("expand="+expand, func(b *testing.B) {
			reqs := make([]*http.Request, 100)
			for k := range reqs {
				u := fmt.Sprintf("/api/v2/users?pageSize=100&pageNumber=%d", k+1)
				if expand != "" {
					u += "&expand=" + expand
				}
				reqs[k], _ = http.NewRequest("GET", u, nil)
				reqs[k].Header.Set("Authorization", "Bearer "+token)
			}
			w := &discardWriter{h: http.Header{}}
			for _, r := range reqs { // warm the rendering cache
				s.ServeHTTP(w, r)
			}
			prev := runtime.GOMAXPROCS(1)
			defer runtime.GOMAXPROCS(prev)
			n := 0
			cpu0, start := cpuTime(), time.Now()
			for b.Loop() {
				for range 500 {
					clear(w.h)
					w.status = 0
					s.ServeHTTP(w, reqs[n%len(reqs)])
					if w.status != 200 {
						b.Fatalf("status %d", w.status)
					}
					n++
				}
			}
			b.ReportMetric(float64(n)/time.Since(start).Seconds(), "pages/s")
			b.ReportMetric(float64(n)/(cpuTime()-cpu0).Seconds(), "pages/cpu-s")
		})
	}
}

// peopleBenchExpands are the people expands (people.go).
const peopleBenchExpands = "presence,routingStatus,outOfOffice,team,certifications"

// discardWriter is a ResponseWriter that keeps the status and drops the
// body.
type discardWriter struct {
	h      http.Header
	status int
}

func (w *discardWriter) Header() http.Header { return w.h }
func (w *discardWriter) Write(p []byte) (int, error) {
	if w.status == 0 {
		w.status = 200
	}
	return len(p), nil
}
func (w *discardWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
}
