package analytics

import (
	"testing"
	"time"
)

func TestCursorRoundTrip(t *testing.T) {
	t.Parallel()
	c := cursorCodec{key: []byte("k")}
	tests := []struct {
		kind      jobKind
		job, user string
	}{
		{kindDetails, "job-1", "user-1"},
		{kindAggregates, "3f1c-…", "ü"},
		{kindDetails, "j", string(make([]byte, 300))},
	}
	for _, tt := range tests {
		cur := c.encode(tt.kind, tt.job, tt.user)
		got, err := c.decode(tt.kind, tt.job, cur)
		if err != nil || got != tt.user {
			t.Fatalf("decode(encode(%q)) = %q, %v", tt.user, got, err)
		}
		if _, err := c.decode(tt.kind, tt.job+"x", cur); err == nil {
			t.Fatal("cursor accepted for another job")
		}
		if _, err := (cursorCodec{key: []byte("other")}).decode(tt.kind, tt.job, cur); err == nil {
			t.Fatal("cursor accepted under another key")
		}
	}
}

func FuzzCursorDecode(f *testing.F) {
	c := cursorCodec{key: []byte("fuzz")}
	f.Add(c.encode(kindDetails, "job", "user"))
	f.Add(c.encode(kindAggregates, "job", "u"))
	f.Add("")
	f.Add("AAAA")
	f.Fuzz(func(t *testing.T, s string) {
		user, err := c.decode(kindDetails, "job", s)
		if err != nil {
			return
		}
		// Anything accepted must be exactly what the codec itself writes.
		if c.encode(kindDetails, "job", user) != s {
			t.Fatalf("decode accepted %q, which the codec does not produce", s)
		}
	})
}

func TestAppendTimeMatchesTimeFormat(t *testing.T) {
	t.Parallel()
	r := rng{s: 1}
	lo, hi := time.Date(1600, 1, 1, 0, 0, 0, 0, time.UTC).UnixMilli(), time.Date(2400, 1, 1, 0, 0, 0, 0, time.UTC).UnixMilli()
	cases := []int64{0, -1, 1, 951782400000 /* 2000-02-29 */, 4107542399999, lo, hi}
	for range 50_000 {
		cases = append(cases, lo+r.intn(hi-lo))
	}
	for _, ms := range cases {
		want := time.UnixMilli(ms).UTC().Format(timeLayout)
		if got := string(appendTimeRaw(nil, ms)); got != want {
			t.Fatalf("appendTimeRaw(%d) = %s, want %s", ms, got, want)
		}
	}
}

func FuzzAppendTime(f *testing.F) {
	f.Add(int64(0))
	f.Add(int64(-62135596800000)) // 0001-01-01
	f.Add(int64(253402300799999)) // 9999-12-31T23:59:59.999
	f.Fuzz(func(t *testing.T, ms int64) {
		if ms < -62135596800000 || ms > 253402300799999 {
			return
		}
		if got, want := string(appendTimeRaw(nil, ms)), time.UnixMilli(ms).UTC().Format(timeLayout); got != want {
			t.Fatalf("appendTimeRaw(%d) = %s, want %s", ms, got, want)
		}
	})
}
