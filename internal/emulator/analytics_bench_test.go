package emulator

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/usersync/syncer/internal/emulator/analytics"
)

// BenchmarkAnalyticsDetailsThroughServer reads every results page (1000
// users each) of a one-day details job over a 20,000-user org through the
// whole server: bearer check, stats, and the org's users in id order. B/op
// is what the server allocates for all pages, against the MB of results.
func BenchmarkAnalyticsDetailsThroughServer(b *testing.B) {
	s, err := New(Config{Users: 20000, RatePerMinute: -1, Analytics: analytics.Config{JobDelay: -1}})
	if err != nil {
		b.Fatal(err)
	}
	ts := httptest.NewServer(s)
	defer ts.Close()
	token := s.tokens.issue()
	do := func(method, url, body string, buf *bytes.Buffer) {
		req, _ := http.NewRequest(method, ts.URL+url, strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+token)
		req.Header.Set("Content-Type", "application/json")
		resp, err := ts.Client().Do(req)
		if err != nil {
			b.Fatal(err)
		}
		defer resp.Body.Close()
		buf.Reset()
		if _, err := io.Copy(buf, resp.Body); err != nil || resp.StatusCode >= 300 {
			b.Fatalf("%s %s = %d %v %s", method, url, resp.StatusCode, err, buf.Bytes())
		}
	}
	var buf bytes.Buffer
	do("POST", "/api/v2/analytics/users/details/jobs", `{"interval":"2026-02-26T00:00:00Z/2026-02-27T00:00:00Z"}`, &buf)
	id := strings.Split(buf.String(), `"`)[3]
	var pages, total int
	readAll := func() {
		pages, total = 0, 0
		cursor := ""
		for {
			url := "/api/v2/analytics/users/details/jobs/" + id + "/results?pageSize=1000"
			if cursor != "" {
				url += "&cursor=" + cursor
			}
			do("GET", url, "", &buf)
			pages++
			total += buf.Len()
			i := bytes.LastIndex(buf.Bytes(), []byte(`"cursor":"`))
			if i < 0 {
				return
			}
			rest := buf.Bytes()[i+10:]
			cursor = string(rest[:bytes.IndexByte(rest, '"')])
		}
	}
	readAll() // grow the buffers and the id index outside the timing
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		readAll()
	}
	b.ReportMetric(float64(pages), "pages")
	b.ReportMetric(float64(total)/1e6, "MB-results")
}
