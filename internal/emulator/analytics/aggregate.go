package analytics

import "time"

// Stats is a StatisticalSummary of one metric and qualifier in one bucket:
// durations in milliseconds of the segments' parts inside the bucket, and
// how many segments overlap it.
type Stats struct {
	Sum   int64
	Count int64
	Max   int64
	Min   int64
}

func (s *Stats) add(ms int64) {
	if s.Count == 0 || ms < s.Min {
		s.Min = ms
	}
	s.Max = max(s.Max, ms)
	s.Sum += ms
	s.Count++
}

// MetricData is one metric of one bucket.
type MetricData struct {
	Metric    string
	Qualifier string
	Stats     Stats
}

// IntervalData is one granularity bucket with data.
type IntervalData struct {
	Start, End time.Time
	Metrics    []MetricData
}

// bucket accumulates one granularity bucket of one user.
type bucket struct {
	start, end int64 // the bucket as reported (clipped to the interval end)
	sys        [numSystemPresences]Stats
	org        [numOrgPresences]Stats
	rout       [numRoutingStatuses]Stats
	any        bool
}

// metricSet is the parsed metric list of an aggregates query, in order.
type metricSet []string

func (ms metricSet) presence() bool {
	for _, m := range ms {
		if m == MetricSystemPresence || m == MetricOrganizationPresence {
			return true
		}
	}
	return false
}

// buckets walks the buckets of [w.from, ivEnd) of width g that hold data
// (data stops at w.to, the horizon-clamped end) and calls emit for each.
// pres and rout are the user's spans over the window, sorted. b is reused
// between calls; emit must not keep it.
func buckets(w window, ivEnd, g int64, pres, rout []span, b *bucket, emit func(*bucket)) {
	pi, ri := 0, 0
	for b0 := w.from; b0 < w.to; b0 += g {
		*b = bucket{start: b0, end: min(b0+g, ivEnd)}
		hi := min(b.end, w.to)
		for pi < len(pres) && pres[pi].end <= b0 {
			pi++
		}
		for _, sp := range pres[pi:] {
			if sp.start >= hi {
				break
			}
			d := min(sp.end, hi) - max(sp.start, b0)
			op := orgPresence(sp.val)
			b.org[op].add(d)
			b.sys[orgPresenceDefs[op].system].add(d)
			b.any = true
		}
		for ri < len(rout) && rout[ri].end <= b0 {
			ri++
		}
		for _, sp := range rout[ri:] {
			if sp.start >= hi {
				break
			}
			b.rout[sp.val].add(min(sp.end, hi) - max(sp.start, b0))
			b.any = true
		}
		if b.any {
			emit(b)
		}
	}
}

// appendMetrics appends the metrics of b in query order, qualifiers in a
// fixed order, leaving out qualifiers without data.
func (m *Model) appendMetrics(out []MetricData, b *bucket, metrics metricSet) []MetricData {
	for _, metric := range metrics {
		switch metric {
		case MetricSystemPresence:
			for i, s := range b.sys {
				if s.Count > 0 {
					out = append(out, MetricData{Metric: metric, Qualifier: systemPresenceNames[i], Stats: s})
				}
			}
		case MetricOrganizationPresence:
			for i, s := range b.org {
				if s.Count > 0 {
					out = append(out, MetricData{Metric: metric, Qualifier: m.orgIDs[i], Stats: s})
				}
			}
		case MetricAgentRoutingStatus:
			for i, s := range b.rout {
				if s.Count > 0 {
					out = append(out, MetricData{Metric: metric, Qualifier: routingStatusNames[i], Stats: s})
				}
			}
		}
	}
	return out
}

// Aggregate returns the ground truth of one active user's aggregates over
// [from, to) at the given granularity (zero: one bucket for the whole
// interval) as seen at horizon: the same segments Detail returns, clipped
// to each bucket, open segments counting up to the horizon. Buckets without
// data are left out, as the API does.
func (m *Model) Aggregate(userID string, from, to time.Time, granularity time.Duration, horizon time.Time, metrics []string) []IntervalData {
	p := m.profile(userID)
	w := newWindow(from, to, horizon)
	if !p.active || w.empty() {
		return nil
	}
	g := granularity.Milliseconds()
	if g <= 0 {
		g = to.UnixMilli() - w.from
	}
	pres, rout := m.timeline(&p, w.from, w.to, nil, nil)
	var out []IntervalData
	var b bucket
	buckets(w, to.UnixMilli(), g, pres, rout, &b, func(b *bucket) {
		ms := m.appendMetrics(nil, b, metrics)
		if len(ms) > 0 {
			out = append(out, IntervalData{Start: time.UnixMilli(b.start).UTC(), End: time.UnixMilli(b.end).UTC(), Metrics: ms})
		}
	})
	return out
}
