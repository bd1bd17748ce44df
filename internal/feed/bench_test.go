package feed

import (
	"fmt"
	"io"
	"runtime"
	"testing"
)

// genFeed streams a realistic snapshot CSV of n employees without holding
// it in memory: managers form a tree, every list column is filled.
type genFeed struct {
	n, i int
	buf  []byte
}

func newGenFeed(n int) *genFeed {
	return &genFeed{n: n, buf: []byte("employee_id,email,name,title,department,manager_employee_id,division,state,skills,languages,queues,roles,acd_auto_answer\n")}
}

func (g *genFeed) Read(p []byte) (int, error) {
	for len(g.buf) < len(p) && g.i < g.n {
		i := g.i
		mgr := ""
		if i > 0 {
			mgr = fmt.Sprintf("E%06d", (i-1)/10)
		}
		g.buf = fmt.Appendf(g.buf, "E%06d,agent.%06d@example.com,\"Agent %d, Jr\",Agent,Customer Care,%s,Sales,active,Billing:%d|Sales:3.5,English:5|Spanish:%d,Sales Inbound|Billing Support:unjoined,Agent@Sales|Employee,%t\n",
			i, i, i, mgr, i%6, i%5, i%2 == 0)
		g.i++
	}
	if len(g.buf) == 0 {
		return 0, io.EOF
	}
	n := copy(p, g.buf)
	g.buf = g.buf[:copy(g.buf, g.buf[n:])]
	return n, nil
}

func benchmarkRead(b *testing.B, rows int) {
	refs := testRefs()
	b.ReportAllocs()
	var f *Feed
	for b.Loop() {
		var err error
		f, err = Read(newGenFeed(rows), Config{File: "bench.csv", Refs: refs})
		if err != nil {
			b.Fatal(err)
		}
	}
	if len(f.Employees) != rows {
		b.Fatalf("read %d employees of %d: %v", len(f.Employees), rows, f.Problems[:min(3, len(f.Problems))])
	}
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*rows), "ns/row")
	b.ReportMetric(float64(rows)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
	// What stays live is the result itself: the valid employees.
	b.ReportMetric(float64(ms.HeapAlloc)/float64(rows), "live-B/row")
	runtime.KeepAlive(f)
}

// BenchmarkParse20k is the judging of a nightly snapshot before any API
// call: Parse alone, without the names and managers Resolve checks.
func BenchmarkParse20k(b *testing.B) {
	b.ReportAllocs()
	const rows = 20_000
	var p *Parsed
	for b.Loop() {
		var err error
		p, err = Parse(newGenFeed(rows), Config{File: "bench.csv"})
		if err != nil {
			b.Fatal(err)
		}
	}
	if p.Valid() != rows {
		b.Fatalf("parsed %d valid rows of %d: %v", p.Valid(), rows, p.Problems[:min(3, len(p.Problems))])
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*rows), "ns/row")
	b.ReportMetric(float64(rows)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
}

// BenchmarkRead20k is the normal nightly snapshot size.
func BenchmarkRead20k(b *testing.B) { benchmarkRead(b, 20_000) }

// BenchmarkRead200k shows a 200,000-row feed works in bounded memory per row.
func BenchmarkRead200k(b *testing.B) { benchmarkRead(b, 200_000) }

// TestReadLargeFeed reads a generated 20,000-row feed: every row valid,
// managers resolved through the feed itself.
func TestReadLargeFeed(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("-short: skipping the 20,000-row feed")
	}
	f, err := Read(newGenFeed(20_000), Config{File: "gen.csv", Refs: testRefs()})
	if err != nil {
		t.Fatal(err)
	}
	if len(f.Employees) != 20_000 || len(f.Problems) != 0 {
		t.Fatalf("employees %d, problems %d", len(f.Employees), len(f.Problems))
	}
}
