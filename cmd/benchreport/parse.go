package main

import (
	"bufio"
	"io"
	"regexp"
	"strconv"
	"strings"
)

// Metric is one value a benchmark reported (b.ReportMetric or the
// standard ns/op, B/op, allocs/op).
type Metric struct {
	Benchmark string  // name without the -GOMAXPROCS suffix, e.g. BenchmarkRateBudget/matched-3000
	Unit      string  // e.g. calls/min
	Value     float64 // as printed
}

// BenchOutput is what one `go test -bench` run printed.
type BenchOutput struct {
	Metrics []Metric
	// Failed names the benchmarks that printed --- FAIL or --- SKIP.
	Failed  []string
	Skipped []string
}

var (
	procSuffix = regexp.MustCompile(`-\d+$`)
	failLine   = regexp.MustCompile(`^\s*--- (FAIL|SKIP): (\S+)`)
)

// ParseBench reads `go test -bench` output. A result line is
//
//	BenchmarkName-2   	       1	  123.4 unit	  5 other-unit
//
// (the name, the iteration count, then value-unit pairs separated by
// tabs). Other lines are ignored.
func ParseBench(r io.Reader) (BenchOutput, error) {
	var out BenchOutput
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if m := failLine.FindStringSubmatch(line); m != nil {
			name := procSuffix.ReplaceAllString(m[2], "")
			if m[1] == "FAIL" {
				out.Failed = append(out.Failed, name)
			} else {
				out.Skipped = append(out.Skipped, name)
			}
			continue
		}
		if !strings.HasPrefix(line, "Benchmark") {
			continue
		}
		fields := strings.Split(line, "\t")
		if len(fields) < 3 {
			continue
		}
		name := procSuffix.ReplaceAllString(strings.TrimSpace(fields[0]), "")
		if _, err := strconv.Atoi(strings.TrimSpace(fields[1])); err != nil {
			continue // not a result line (e.g. a log line starting with the name)
		}
		for _, f := range fields[2:] {
			parts := strings.Fields(f)
			if len(parts) != 2 {
				continue
			}
			v, err := strconv.ParseFloat(parts[0], 64)
			if err != nil {
				continue
			}
			out.Metrics = append(out.Metrics, Metric{Benchmark: name, Unit: parts[1], Value: v})
		}
	}
	return out, sc.Err()
}

// Get returns the value of a benchmark's metric.
func (o BenchOutput) Get(bench, unit string) (float64, bool) {
	for _, m := range o.Metrics {
		if m.Benchmark == bench && m.Unit == unit {
			return m.Value, true
		}
	}
	return 0, false
}
