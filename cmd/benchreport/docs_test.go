package main

import (
	"math"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// The figures README.md and docs/bi.md quote are the benchmark's, as
// bench/results/latest.json (what `make bench` last measured) holds them:
// a doc left behind by a new measurement fails here.
func TestDocsQuoteTheBench(t *testing.T) {
	t.Parallel()
	rep, err := readJSON("../../bench/results/latest.json")
	if err != nil {
		t.Fatal(err)
	}
	figure := func(bench, unit string) (float64, bool) {
		for _, f := range rep.Figures {
			if f.Benchmark == bench && f.Unit == unit && f.Value != nil {
				return *f.Value, true
			}
		}
		return 0, false
	}
	quotes := []struct {
		doc, re     string
		bench, unit string
	}{
		{"README.md", `\*\*([\d.]+) kB per\s+user-day\*\*`, "BenchmarkWarehouse", "kB/user-day"},
		{"README.md", `grows by about ([\d,]+) GB a year`, "BenchmarkWarehouse", "GB/year-50k-users"},
		{"docs/bi.md", `\*\*all analytics\*\* \| \*\*([\d.]+)\*\*`, "BenchmarkWarehouse", "kB/user-day"},
		{"docs/bi.md", `grows by about \*\*([\d,]+) GB a year\*\*`, "BenchmarkWarehouse", "GB/year-50k-users"},
		{"docs/bi.md", `\| daily rollups of the segments[^|]*\| ([\d.]+) \|`, "BenchmarkWarehouse", "rollup_kB/user-day"},
		{"docs/bi.md", `([\d.]+) s for a 5,000-user org`, "BenchmarkWarehouse", "org_month_rollup_query_s"},
		{"docs/bi.md", `presence took ([\d.]+) s in the bench`, "BenchmarkWarehouse", "drop_month_s"},
		{"docs/bi.md", `the rollups costs the loader ([\d.]+) %`, "BenchmarkWarehouse", "rollup_load_%"},
	}
	for _, q := range quotes {
		b, err := os.ReadFile("../../" + q.doc)
		if err != nil {
			t.Fatal(err)
		}
		m := regexp.MustCompile(q.re).FindSubmatch(b)
		if m == nil {
			t.Errorf("%s no longer quotes %s %s (%s)", q.doc, q.bench, q.unit, q.re)
			continue
		}
		text := strings.ReplaceAll(string(m[1]), ",", "")
		quoted, err := strconv.ParseFloat(text, 64)
		if err != nil {
			t.Fatalf("%s: %q: %v", q.doc, m[1], err)
		}
		measured, ok := figure(q.bench, q.unit)
		if !ok {
			t.Errorf("bench/results/latest.json has no %s %s, which %s quotes", q.bench, q.unit, q.doc)
			continue
		}
		// The quote is the figure rounded to the digits it shows, or
		// "about" it (within 2 %).
		step := 1.0
		if _, frac, ok := strings.Cut(text, "."); ok {
			step = math.Pow(10, -float64(len(frac)))
		}
		if d := math.Abs(quoted - measured); d > step/2+1e-9 && d > 0.02*math.Abs(measured) {
			t.Errorf("%s quotes %s for %s %s; the bench measured %v", q.doc, m[1], q.bench, q.unit, measured)
		}
	}
}

// The reverse path's figures the docs quote are the benchmark's too.
func TestDocsQuoteThePlanBench(t *testing.T) {
	t.Parallel()
	rep, err := readJSON("../../bench/results/latest.json")
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]float64{}
	for _, f := range rep.Figures {
		if f.Benchmark == "BenchmarkPlanRefresh50k" && f.Value != nil {
			want[f.Unit] = *f.Value
		}
	}
	for _, q := range []struct{ doc, re, unit string }{
		{"README.md", `of a 50,000-user org costs ([\d,]+) calls to plan`, "first_plan_calls"},
		{"docs/feeds.md", `\*\*([\d,]+) calls\*\* for the first plan`, "first_plan_calls"},
		{"docs/feeds.md", `forward load makes only those ([\d,]+)\.`, "fresh_plan_calls"},
	} {
		b, err := os.ReadFile("../../" + q.doc)
		if err != nil {
			t.Fatal(err)
		}
		m := regexp.MustCompile(q.re).FindSubmatch(b)
		if m == nil {
			t.Errorf("%s no longer quotes %s (%s)", q.doc, q.unit, q.re)
			continue
		}
		got, _ := strconv.ParseFloat(strings.ReplaceAll(string(m[1]), ",", ""), 64)
		if w, ok := want[q.unit]; !ok || got != w {
			t.Errorf("%s quotes %s %s; the bench measured %v", q.doc, m[1], q.unit, w)
		}
	}
}
