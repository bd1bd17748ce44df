package analytics

import (
	"bufio"
	"net/http"
	"strconv"
	"sync"
	"time"
)

// Results pages are written straight to the response as they are generated,
// one user at a time, with hand-written JSON into reused buffers: a page of
// a thousand agents over a month is tens of megabytes that are never held in
// memory at once.

// pageBuffers are the per-request scratch space, pooled.
type pageBuffers struct {
	out  []byte
	pres []span
	rout []span
	b    bucket
	tmp  []byte
}

var pagePool = sync.Pool{New: func() any { return new(pageBuffers) }}

const flushAt = 32 << 10

func (s *Service) writeDetailsPage(w http.ResponseWriter, j *job, after string, pageSize int) {
	win := newWindow(j.interval.start, j.interval.end, j.horizon)
	hasData := func(u User) bool { return !win.empty() && s.model.hasActivity(u) }
	pb := pagePool.Get().(*pageBuffers)
	defer pagePool.Put(pb)

	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusOK)
	bw := bufio.NewWriterSize(w, flushAt)
	out := append(pb.out[:0], `{"userDetails":[`...)
	n, segments, last, more := 0, 0, "", false
	maxSegments := s.cfg.MaxPageSegments
	for u := range s.candidates(j, after, hasData) {
		if n == pageSize || (maxSegments > 0 && segments >= maxSegments) {
			more = true
			break
		}
		if n > 0 {
			out = append(out, ',')
		}
		p := s.model.profile(u.ID)
		pb.pres, pb.rout = s.model.timeline(&p, win.from, win.to, pb.pres, pb.rout)
		out = s.appendUserDetail(out, u.ID, win, pb.pres, pb.rout)
		segments += len(pb.pres) + len(pb.rout)
		n++
		last = u.ID
		if len(out) > flushAt {
			_, _ = bw.Write(out)
			out = out[:0]
		}
	}
	out = append(out, ']')
	if more {
		out = append(out, `,"cursor":`...)
		out = appendString(out, s.cursors.encode(j.kind, j.id, last))
	}
	out = append(out, `,"dataAvailabilityDate":`...)
	out = appendTime(out, j.horizon.UnixMilli())
	out = append(out, "}\n"...)
	_, _ = bw.Write(out)
	_ = bw.Flush()
	pb.out = out[:0]
}

func (s *Service) appendUserDetail(out []byte, userID string, win window, pres, rout []span) []byte {
	out = append(out, `{"userId":`...)
	out = appendString(out, userID)
	if len(pres) > 0 {
		out = append(out, `,"primaryPresence":[`...)
		for i, sp := range pres {
			if i > 0 {
				out = append(out, ',')
			}
			op := orgPresence(sp.val)
			out = appendSpanTimes(out, sp, win)
			out = append(out, `,"systemPresence":"`...)
			out = append(out, systemPresenceNames[orgPresenceDefs[op].system]...)
			out = append(out, `","organizationPresenceId":"`...)
			out = append(out, s.model.orgIDs[op]...)
			out = append(out, `"}`...)
		}
		out = append(out, ']')
	}
	if len(rout) > 0 {
		out = append(out, `,"routingStatus":[`...)
		for i, sp := range rout {
			if i > 0 {
				out = append(out, ',')
			}
			out = appendSpanTimes(out, sp, win)
			out = append(out, `,"routingStatus":"`...)
			out = append(out, routingStatusNames[sp.val]...)
			out = append(out, `"}`...)
		}
		out = append(out, ']')
	}
	return append(out, '}')
}

// appendSpanTimes opens a record object with its start and, unless the span
// is open at the horizon, its end.
func appendSpanTimes(out []byte, sp span, win window) []byte {
	out = append(out, `{"startTime":`...)
	out = appendTime(out, sp.start)
	if sp.end <= win.horizon {
		out = append(out, `,"endTime":`...)
		out = appendTime(out, sp.end)
	}
	return out
}

func (s *Service) writeAggregatesPage(w http.ResponseWriter, j *job, after string) {
	win := newWindow(j.interval.start, j.interval.end, j.horizon)
	presence := j.metrics.presence()
	hasData := func(u User) bool {
		if win.empty() || !s.model.hasActivity(u) {
			return false
		}
		return presence || s.model.profile(u.ID).agent
	}
	g := j.granularity.Milliseconds()
	ivEnd := j.interval.end.UnixMilli()
	if g <= 0 {
		g = ivEnd - win.from
	}
	pb := pagePool.Get().(*pageBuffers)
	defer pagePool.Put(pb)

	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusOK)
	bw := bufio.NewWriterSize(w, flushAt)
	out := append(pb.out[:0], `{"systemToOrganizationMappings":{`...)
	for sp := range numSystemPresences {
		if sp > 0 {
			out = append(out, ',')
		}
		out = appendString(out, systemPresenceNames[sp])
		out = append(out, ":["...)
		k := 0
		for op, def := range orgPresenceDefs {
			if def.system == sp {
				if k > 0 {
					out = append(out, ',')
				}
				out = appendString(out, s.model.orgIDs[op])
				k++
			}
		}
		out = append(out, ']')
	}
	out = append(out, `},"results":[`...)
	n, last, more := 0, "", false
	for u := range s.candidates(j, after, hasData) {
		if n == j.pageSize {
			more = true
			break
		}
		if n > 0 {
			out = append(out, ',')
		}
		p := s.model.profile(u.ID)
		pb.pres, pb.rout = s.model.timeline(&p, win.from, win.to, pb.pres, pb.rout)
		out = append(out, `{"group":{"userId":`...)
		out = appendString(out, u.ID)
		out = append(out, `},"data":[`...)
		first := true
		buckets(win, ivEnd, g, pb.pres, pb.rout, &pb.b, func(b *bucket) {
			pb.tmp = s.appendBucketMetrics(pb.tmp[:0], b, j.metrics)
			if len(pb.tmp) == 0 {
				return
			}
			if !first {
				out = append(out, ',')
			}
			first = false
			out = append(out, `{"interval":"`...)
			out = appendTimeRaw(out, b.start)
			out = append(out, '/')
			out = appendTimeRaw(out, b.end)
			out = append(out, `","metrics":[`...)
			out = append(out, pb.tmp...)
			out = append(out, "]}"...)
		})
		out = append(out, "]}"...)
		n++
		last = u.ID
		if len(out) > flushAt {
			_, _ = bw.Write(out)
			out = out[:0]
		}
	}
	out = append(out, ']')
	if more {
		out = append(out, `,"cursor":`...)
		out = appendString(out, s.cursors.encode(j.kind, j.id, last))
	}
	out = append(out, "}\n"...)
	_, _ = bw.Write(out)
	_ = bw.Flush()
	pb.out = out[:0]
}

// appendBucketMetrics appends the comma-separated metric objects of b.
func (s *Service) appendBucketMetrics(out []byte, b *bucket, metrics metricSet) []byte {
	one := func(metric, qualifier string, st Stats) {
		if st.Count == 0 {
			return
		}
		if len(out) > 0 {
			out = append(out, ',')
		}
		out = append(out, `{"metric":"`...)
		out = append(out, metric...)
		out = append(out, `","qualifier":"`...)
		out = append(out, qualifier...)
		out = append(out, `","stats":{"max":`...)
		out = strconv.AppendInt(out, st.Max, 10)
		out = append(out, `,"min":`...)
		out = strconv.AppendInt(out, st.Min, 10)
		out = append(out, `,"count":`...)
		out = strconv.AppendInt(out, st.Count, 10)
		out = append(out, `,"sum":`...)
		out = strconv.AppendInt(out, st.Sum, 10)
		out = append(out, "}}"...)
	}
	for _, metric := range metrics {
		switch metric {
		case MetricSystemPresence:
			for i, st := range b.sys {
				one(metric, systemPresenceNames[i], st)
			}
		case MetricOrganizationPresence:
			for i, st := range b.org {
				one(metric, s.model.orgIDs[i], st)
			}
		case MetricAgentRoutingStatus:
			for i, st := range b.rout {
				one(metric, routingStatusNames[i], st)
			}
		}
	}
	return out
}

func appendTime(out []byte, ms int64) []byte {
	out = append(out, '"')
	out = appendTimeRaw(out, ms)
	return append(out, '"')
}

// AppendMillis appends Unix milliseconds as 2006-01-02T15:04:05.000Z, the
// way the API writes times, without quotes; the emulator core renders its
// people data with it.
func AppendMillis(out []byte, ms int64) []byte { return appendTimeRaw(out, ms) }

// appendTimeRaw appends Unix milliseconds as 2006-01-02T15:04:05.000Z. It
// is the hot path of every results page, several times faster than
// time.Time.AppendFormat; years outside 0000–9999 fall back to it.
func appendTimeRaw(out []byte, ms int64) []byte {
	days := floorDiv(ms, msPerDay)
	rem := ms - days*msPerDay
	y, m, d := civilDate(days)
	if y < 0 || y > 9999 {
		return time.UnixMilli(ms).UTC().AppendFormat(out, timeLayout)
	}
	n := len(out)
	out = append(out, "0000-00-00T00:00:00.000Z"...)
	b := out[n : n+24]
	putDigits(b[0:4], y)
	putDigits(b[5:7], m)
	putDigits(b[8:10], d)
	putDigits(b[11:13], rem/msPerHour)
	putDigits(b[14:16], rem/msPerMinute%60)
	putDigits(b[17:19], rem/1000%60)
	putDigits(b[20:23], rem%1000)
	return out
}

// putDigits writes v, 0 ≤ v < 10^len(b), zero-padded into b.
func putDigits(b []byte, v int64) {
	for i := len(b) - 1; i >= 0; i-- {
		b[i] = byte('0' + v%10)
		v /= 10
	}
}

// civilDate converts days since 1970-01-01 to a proleptic Gregorian date
// (Howard Hinnant's days_from_civil inverse).
func civilDate(days int64) (year, month, day int64) {
	z := days + 719468
	era := floorDiv(z, 146097)
	doe := z - era*146097
	yoe := (doe - doe/1460 + doe/36524 - doe/146096) / 365
	doy := doe - (365*yoe + yoe/4 - yoe/100)
	mp := (5*doy + 2) / 153
	day = doy - (153*mp+2)/5 + 1
	month = mp + 3
	if mp >= 10 {
		month = mp - 9
	}
	year = yoe + era*400
	if month <= 2 {
		year++
	}
	return year, month, day
}

// appendString appends s as a JSON string.
func appendString(out []byte, s string) []byte {
	const hexDigits = "0123456789abcdef"
	out = append(out, '"')
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '"' || c == '\\':
			out = append(out, '\\', c)
		case c < 0x20:
			out = append(out, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
		default:
			out = append(out, c)
		}
	}
	return append(out, '"')
}
