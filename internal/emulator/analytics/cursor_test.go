package analytics

import (
	"testing"
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
