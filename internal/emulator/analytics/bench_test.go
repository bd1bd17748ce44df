package analytics

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"runtime"
	"strings"
	"testing"
)

// BenchmarkDetailsResults reads every results page of a one-day details job
// over the whole org. The bytes/op it reports is everything the service
// allocates to produce all pages (the client reads into one reused buffer):
// it must stay far below the size of the results, which are generated and
// streamed a user at a time.
func BenchmarkDetailsResults(b *testing.B) {
	for _, n := range []int{20_000} {
		b.Run(fmt.Sprintf("users=%d", n), func(b *testing.B) {
			h := newBenchHarness(b, n)
			id := h.submitBench(detailsJobs, detailsBody(workday))
			var buf bytes.Buffer
			var pages, bodyBytes int
			readAll := func() {
				pages, bodyBytes = 0, 0
				cursor := ""
				for {
					path := detailsJobs + "/" + id + "/results?pageSize=1000"
					if cursor != "" {
						path += "&cursor=" + cursor
					}
					buf.Reset()
					h.get(path, &buf)
					pages++
					bodyBytes += buf.Len()
					cursor = cursorOf(buf.Bytes())
					if cursor == "" {
						break
					}
				}
			}
			readAll() // grow the client's buffer and the server's pools
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				readAll()
			}
			b.ReportMetric(float64(pages), "pages")
			b.ReportMetric(float64(bodyBytes)/1e6, "MB-results")
			var ms runtime.MemStats
			runtime.ReadMemStats(&ms)
			b.ReportMetric(float64(ms.HeapInuse)/1e6, "MB-heap-inuse")
		})
	}
}

// BenchmarkFirstPageLargeOrg reads the first details page of a one-day job
// over a 200,000-user org: its cost must not depend on the org's size.
func BenchmarkFirstPageLargeOrg(b *testing.B) {
	for _, n := range []int{2_000, 200_000} {
		b.Run(fmt.Sprintf("users=%d", n), func(b *testing.B) {
			h := newBenchHarness(b, n)
			id := h.submitBench(detailsJobs, detailsBody(workday))
			var buf bytes.Buffer
			h.get(detailsJobs+"/"+id+"/results?pageSize=100", &buf)
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				buf.Reset()
				h.get(detailsJobs+"/"+id+"/results?pageSize=100", &buf)
			}
		})
	}
}

// BenchmarkAggregatesResults reads every page of a one-day PT15M aggregates
// job over 2,000 users.
func BenchmarkAggregatesResults(b *testing.B) {
	h := newBenchHarness(b, 2_000)
	id := h.submitBench(aggregatesJobs, with(with(aggregatesBody(workday), "granularity", "PT15M"), "pageSize", 500))
	var buf bytes.Buffer
	var bodyBytes int
	readAll := func() {
		bodyBytes = 0
		cursor := ""
		for {
			path := aggregatesJobs + "/" + id + "/results"
			if cursor != "" {
				path += "?cursor=" + cursor
			}
			buf.Reset()
			h.get(path, &buf)
			bodyBytes += buf.Len()
			if cursor = cursorOf(buf.Bytes()); cursor == "" {
				break
			}
		}
	}
	readAll()
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		readAll()
	}
	b.ReportMetric(float64(bodyBytes)/1e6, "MB-results")
}

type benchHarness struct {
	b *testing.B
	*harness
}

func newBenchHarness(b *testing.B, n int) benchHarness {
	users := make([]User, n)
	for i := range users {
		users[i] = User{ID: testUserID(i)}
	}
	t := &testing.T{}
	h := newHarness(t, Config{JobDelay: -1, Seed: 1}, NewStaticUsers(users))
	b.Cleanup(h.srv.Close)
	return benchHarness{b: b, harness: h}
}

func (h benchHarness) submitBench(base string, body any) string {
	code, _, raw := h.do(http.MethodPost, base, body)
	if code != http.StatusAccepted {
		h.b.Fatalf("POST %s = %d %s", base, code, raw)
	}
	s := string(raw)
	i := strings.Index(s, `"jobId":"`)
	return s[i+9 : i+9+36]
}

func (h benchHarness) get(path string, buf *bytes.Buffer) {
	resp, err := h.srv.Client().Get(h.srv.URL + path)
	if err != nil {
		h.b.Fatal(err)
	}
	defer resp.Body.Close()
	if _, err := io.Copy(buf, resp.Body); err != nil {
		h.b.Fatal(err)
	}
	if resp.StatusCode != http.StatusOK {
		h.b.Fatalf("GET %s = %d %s", path, resp.StatusCode, buf.Bytes())
	}
}

// cursorOf finds the cursor of a results page without decoding it.
func cursorOf(body []byte) string {
	i := bytes.LastIndex(body, []byte(`"cursor":"`))
	if i < 0 {
		return ""
	}
	rest := body[i+len(`"cursor":"`):]
	return string(rest[:bytes.IndexByte(rest, '"')])
}
