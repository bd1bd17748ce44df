package ratelimit

import (
	"net/http"
	"testing"
	"time"
)

func TestParseLimit(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name                  string
		count, allowed, reset string
		want                  Limit
		ok                    bool
	}{
		{"all three", "120", "300", "41", Limit{Count: 120, Allowed: 300, Reset: 41 * time.Second}, true},
		{"spaces", " 1 ", " 300", "0 ", Limit{Count: 1, Allowed: 300}, true},
		{"decimal reset", "5", "300", "1.5", Limit{Count: 5, Allowed: 300, Reset: 1500 * time.Millisecond}, true},
		{"missing reset", "5", "300", "", Limit{Count: 5, Allowed: 300}, true},
		{"bad reset", "5", "300", "soon", Limit{Count: 5, Allowed: 300}, true},
		{"count over allowed", "301", "300", "2", Limit{Count: 301, Allowed: 300, Reset: 2 * time.Second}, true},
		{"missing count", "", "300", "2", Limit{}, false},
		{"missing allowed", "3", "", "2", Limit{}, false},
		{"zero allowed", "3", "0", "2", Limit{}, false},
		{"negative count", "-1", "300", "2", Limit{}, false},
		{"decimal count", "1.5", "300", "2", Limit{}, false},
		{"huge allowed", "1", "99999999999999", "2", Limit{}, false},
		{"negative reset", "5", "300", "-3", Limit{Count: 5, Allowed: 300}, true},
		{"huge reset", "5", "300", "1e300", Limit{Count: 5, Allowed: 300}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			h := http.Header{}
			for k, v := range map[string]string{HeaderCount: tt.count, HeaderAllowed: tt.allowed, HeaderReset: tt.reset} {
				if v != "" {
					h.Set(k, v)
				}
			}
			got, ok := ParseLimit(h)
			if ok != tt.ok || got != tt.want {
				t.Errorf("ParseLimit(%q, %q, %q) = %+v, %v; want %+v, %v", tt.count, tt.allowed, tt.reset, got, ok, tt.want, tt.ok)
			}
		})
	}
}

func TestParseRetryAfter(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		in   string
		want time.Duration
		ok   bool
	}{
		{"3", 3 * time.Second, true},
		{" 0 ", 0, true},
		{"2.5", 2500 * time.Millisecond, true},
		{now.Add(90 * time.Second).Format(http.TimeFormat), 90 * time.Second, true},
		{now.Add(-time.Hour).Format(http.TimeFormat), 0, true},
		{"", 0, false},
		{"-1", 0, false},
		{"NaN", 0, false},
		{"Inf", 0, false},
		{"1e300", 0, false},
		{"tomorrow", 0, false},
		{"604801", 0, false},
	}
	for _, tt := range tests {
		got, ok := ParseRetryAfter(tt.in, now)
		if got != tt.want || ok != tt.ok {
			t.Errorf("ParseRetryAfter(%q) = %v, %v; want %v, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
}

func FuzzParseLimit(f *testing.F) {
	f.Add("120", "300", "41")
	f.Add("1.5", "300", "2")
	f.Add("", "", "")
	f.Add("9223372036854775807", "1", "-1")
	f.Fuzz(func(t *testing.T, count, allowed, reset string) {
		h := http.Header{}
		h.Set(HeaderCount, count)
		h.Set(HeaderAllowed, allowed)
		h.Set(HeaderReset, reset)
		l, ok := ParseLimit(h)
		if !ok {
			if l != (Limit{}) {
				t.Fatalf("not ok but got %+v", l)
			}
			return
		}
		if l.Count < 0 || l.Allowed <= 0 || l.Reset < 0 || l.Reset > maxHeaderSeconds*time.Second {
			t.Fatalf("out of range: %+v", l)
		}
		if r := l.Remaining(); r < 0 || r > l.Allowed {
			t.Fatalf("remaining %d out of range for %+v", r, l)
		}
	})
}

func FuzzParseRetryAfter(f *testing.F) {
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	f.Add("3")
	f.Add("2.5")
	f.Add("Sun, 01 Mar 2026 12:01:30 GMT")
	f.Add("-1")
	f.Add("")
	f.Fuzz(func(t *testing.T, v string) {
		d, ok := ParseRetryAfter(v, now)
		if !ok && d != 0 {
			t.Fatalf("not ok but got %v", d)
		}
		if d < 0 || d > maxHeaderSeconds*time.Second {
			t.Fatalf("ParseRetryAfter(%q) = %v, out of range", v, d)
		}
	})
}
