package analytics

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// readAggregates reads every page of an aggregates job.
func (h *harness) readAggregates(id string) []aggregatesPage {
	h.t.Helper()
	var pages []aggregatesPage
	cursor := ""
	for {
		path := aggregatesJobs + "/" + id + "/results"
		if cursor != "" {
			path += "?cursor=" + cursor
		}
		code, _, raw := h.do(http.MethodGet, path, nil)
		if code != http.StatusOK {
			h.t.Fatalf("GET %s = %d %s", path, code, raw)
		}
		p := decode[aggregatesPage](h.t, raw)
		pages = append(pages, p)
		if p.Cursor == nil {
			return pages
		}
		if len(pages) > 1000 {
			h.t.Fatal("endless cursor")
		}
		cursor = *p.Cursor
	}
}

func parseIv(t *testing.T, s string) (time.Time, time.Time) {
	t.Helper()
	a, b, _ := strings.Cut(s, "/")
	from, err1 := time.Parse(time.RFC3339Nano, a)
	to, err2 := time.Parse(time.RFC3339Nano, b)
	if err1 != nil || err2 != nil {
		t.Fatalf("bad interval %q", s)
	}
	return from, to
}

// TestAggregatesReconcileWithDetails proves that an aggregates job and a
// details job over the same interval tell the same story: for every user
// and qualifier, the bucket sums add up to the durations of the detail
// segments clipped to the interval (open ones counting up to the
// availability date), and every bucket's presence time is the bucket's
// length, since a user always has exactly one presence.
func TestAggregatesReconcileWithDetails(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name        string
		from, to    time.Time
		granularity string
		lag         time.Duration
	}{
		{"a day by the hour", start.Add(-39 * time.Hour), start.Add(-15 * time.Hour), "PT1H", time.Hour},
		{"two days by 15 minutes, open at now", start.Add(-47 * time.Hour), start.Add(time.Hour), "PT15M", -1},
		{"a week by day, clamped", start.Add(-6*24*time.Hour - 7*time.Minute), start.Add(24 * time.Hour), "P1D", 30 * time.Minute},
		{"one bucket", start.Add(-10 * time.Hour), start.Add(-2 * time.Hour), "", time.Hour},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			h := newHarness(t, Config{Seed: 21, JobDelay: -1, DataLag: tt.lag}, testOrg(35))
			horizon := h.svc.Horizon()
			iv := ivString(tt.from, tt.to)
			details := h.submit(detailsJobs, detailsBody(iv))
			body := aggregatesBody(iv)
			body["granularity"] = tt.granularity
			if tt.granularity == "" {
				delete(body, "granularity")
			}
			aggs := h.submit(aggregatesJobs, body)

			// Expected sums per user, metric and qualifier from the details.
			type key struct{ user, metric, qualifier string }
			want := map[key]int64{}
			clip := func(startS string, endS *string) int64 {
				s, _ := time.Parse(time.RFC3339Nano, startS)
				e := horizon
				if endS != nil {
					e, _ = time.Parse(time.RFC3339Nano, *endS)
				}
				s, e = maxTime(s, tt.from), minTime(minTime(e, tt.to), horizon)
				return max(e.Sub(s).Milliseconds(), 0)
			}
			orgToSystem := map[string]string{}
			users := 0
			for _, p := range h.readDetails(details, 1000) {
				for _, u := range p.UserDetails {
					users++
					for _, r := range u.PrimaryPresence {
						d := clip(r.StartTime, r.EndTime)
						want[key{u.UserID, MetricSystemPresence, r.SystemPresence}] += d
						want[key{u.UserID, MetricOrganizationPresence, r.OrganizationPresenceID}] += d
						orgToSystem[r.OrganizationPresenceID] = r.SystemPresence
					}
					for _, r := range u.RoutingStatus {
						want[key{u.UserID, MetricAgentRoutingStatus, r.RoutingStatus}] += clip(r.StartTime, r.EndTime)
					}
				}
			}
			for k, v := range want {
				if v == 0 {
					delete(want, k) // touches the interval only at an edge
				}
			}
			got := map[key]int64{}
			groups := 0
			for _, p := range h.readAggregates(aggs) {
				for sys, orgs := range p.SystemToOrganizationMappings {
					for _, o := range orgs {
						if s, ok := orgToSystem[o]; ok && s != sys {
							t.Fatalf("mapping puts %s under %s, details under %s", o, sys, s)
						}
					}
				}
				for _, res := range p.Results {
					groups++
					user := res.Group["userId"]
					for _, d := range res.Data {
						bFrom, bTo := parseIv(t, d.Interval)
						if bFrom.Before(tt.from) || bTo.After(tt.to) || !bFrom.Before(bTo) {
							t.Fatalf("bucket %s outside the interval", d.Interval)
						}
						var presence int64
						for _, m := range d.Metrics {
							if m.Stats.Sum == nil || m.Stats.Count < 1 || m.Stats.Min > m.Stats.Max || m.Stats.Max > *m.Stats.Sum {
								t.Fatalf("user %s bucket %s: bad stats %+v", user, d.Interval, m)
							}
							got[key{user, m.Metric, m.Qualifier}] += *m.Stats.Sum
							if m.Metric == MetricSystemPresence {
								presence += *m.Stats.Sum
							}
						}
						if wantLen := minTime(bTo, horizon).Sub(bFrom).Milliseconds(); presence != wantLen {
							t.Fatalf("user %s bucket %s: presence adds up to %d ms, want %d", user, d.Interval, presence, wantLen)
						}
					}
				}
			}
			if groups != users || users == 0 {
				t.Fatalf("%d aggregate groups, %d detail users", groups, users)
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Fatalf("sums (-from details +from aggregates):\n%s", diff)
			}
		})
	}
}

func minTime(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}

func maxTime(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

func TestAggregatesPagingAndFilters(t *testing.T) {
	t.Parallel()
	h := newHarness(t, Config{JobDelay: -1}, testOrg(120))
	all := h.expectedUsers()
	tests := []struct {
		name    string
		body    map[string]any
		want    []string
		atLeast int
	}{
		{"pages of 25", with(aggregatesBody(workday), "pageSize", 25), all, 3},
		{"filter", with(with(aggregatesBody(workday), "pageSize", 1), "filter", map[string]any{
			"type": "or", "predicates": []any{
				map[string]any{"dimension": "userId", "value": all[7]},
				map[string]any{"dimension": "userId", "value": all[2]},
			}}), []string{all[2], all[7]}, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			pages := h.readAggregates(h.submit(aggregatesJobs, tt.body))
			if len(pages) < tt.atLeast {
				t.Fatalf("%d pages, want at least %d", len(pages), tt.atLeast)
			}
			var got []string
			for _, p := range pages {
				for _, r := range p.Results {
					got = append(got, r.Group["userId"])
					if len(r.Data) == 0 {
						t.Fatalf("group %s has no data", r.Group["userId"])
					}
				}
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Fatalf("groups (-want +got):\n%s", diff)
			}
		})
	}
	t.Run("routing only leaves out non-agents", func(t *testing.T) {
		t.Parallel()
		body := with(aggregatesBody(workday), "metrics", []string{MetricAgentRoutingStatus})
		var got int
		for _, p := range h.readAggregates(h.submit(aggregatesJobs, body)) {
			for _, r := range p.Results {
				got++
				if !h.svc.Model().profile(r.Group["userId"]).agent {
					t.Fatalf("non-agent %s in routing aggregates", r.Group["userId"])
				}
				for _, d := range r.Data {
					for _, m := range d.Metrics {
						if m.Metric != MetricAgentRoutingStatus {
							t.Fatalf("metric %s not asked for", m.Metric)
						}
					}
				}
			}
		}
		agents := 0
		for _, id := range all {
			if h.svc.Model().profile(id).agent {
				agents++
			}
		}
		if got != agents || got == len(all) {
			t.Fatalf("%d groups, want the %d agents of %d users", got, agents, len(all))
		}
	})
}

func TestAggregateGroundTruth(t *testing.T) {
	t.Parallel()
	h := newHarness(t, Config{JobDelay: -1, Seed: 4}, testOrg(10))
	from, to := start.Add(-39*time.Hour), start.Add(-15*time.Hour)
	id := h.submit(aggregatesJobs, with(aggregatesBody(ivString(from, to)), "granularity", "PT30M"))
	for _, p := range h.readAggregates(id) {
		for _, r := range p.Results {
			truth := h.svc.Aggregate(r.Group["userId"], from, to, 30*time.Minute,
				[]string{MetricSystemPresence, MetricOrganizationPresence, MetricAgentRoutingStatus})
			if len(truth) != len(r.Data) {
				t.Fatalf("user %s: %d buckets, truth has %d", r.Group["userId"], len(r.Data), len(truth))
			}
			for i, d := range r.Data {
				if want := ivString(truth[i].Start, truth[i].End); d.Interval != want {
					t.Fatalf("bucket %d = %s, want %s", i, d.Interval, want)
				}
				if len(d.Metrics) != len(truth[i].Metrics) {
					t.Fatalf("bucket %s: %d metrics, want %d", d.Interval, len(d.Metrics), len(truth[i].Metrics))
				}
				for k, m := range d.Metrics {
					w := truth[i].Metrics[k]
					if m.Metric != w.Metric || m.Qualifier != w.Qualifier || *m.Stats.Sum != w.Stats.Sum || m.Stats.Count != w.Stats.Count {
						t.Fatalf("bucket %s metric %d = %+v, want %+v", d.Interval, k, m, w)
					}
				}
			}
		}
	}
}

func TestParseGranularity(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   string
		want time.Duration
		ok   bool
	}{
		{"PT15M", 15 * time.Minute, true},
		{"PT30M", 30 * time.Minute, true},
		{"PT1H", time.Hour, true},
		{"PT2H30M", 150 * time.Minute, true},
		{"P1D", 24 * time.Hour, true},
		{"P1W", 7 * 24 * time.Hour, true},
		{"P1DT12H", 36 * time.Hour, true},
		{"PT5M", 0, false},
		{"P1M", 0, false},
		{"P1Y", 0, false},
		{"PT", 0, false},
		{"P", 0, false},
		{"1H", 0, false},
		{"PT1H1", 0, false},
		{"PT0M", 0, false},
		{"PTT1H", 0, false},
		{"PT9999999H", 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			t.Parallel()
			got, err := parseGranularity(tt.in)
			if (err == nil) != tt.ok || got != tt.want {
				t.Fatalf("parseGranularity(%q) = %v, %v; want %v, ok=%v", tt.in, got, err, tt.want, tt.ok)
			}
		})
	}
}

func FuzzParseGranularity(f *testing.F) {
	for _, s := range []string{"PT15M", "P1D", "P1W", "PT2H30M", "P1M", "", "PTT"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := parseGranularity(s)
		if err == nil && (d <= 0 || d%(15*time.Minute) != 0) {
			t.Fatalf("parseGranularity(%q) = %v without error", s, d)
		}
	})
}

func FuzzParseInterval(f *testing.F) {
	for _, s := range []string{"2026-11-01T00:00:00Z/2026-11-02T00:00:00Z", "2026-11-01T00:00:00.000+02:00/2026-11-01T00:00:01Z", "/", "x/y", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		iv, err := parseInterval(s, DefaultMaxInterval)
		if err == nil && (!iv.start.Before(iv.end) || iv.end.Sub(iv.start) > DefaultMaxInterval) {
			t.Fatalf("parseInterval(%q) = %v without error", s, iv)
		}
	})
}
