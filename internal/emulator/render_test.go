package emulator

import (
	"encoding/json"
	"testing"
)

func FuzzAppendStr(f *testing.F) {
	for _, s := range []string{"", "plain", `quo"te`, `back\slash`, "tab\tnew\nline\r", "\x00\x1f", "héllo wörld", "\xff\xfe bad", "€\u2028"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		var got, want string
		if err := json.Unmarshal(appendStr(nil, s), &got); err != nil {
			t.Fatalf("appendStr(%q) is not a JSON string: %v", s, err)
		}
		raw, _ := json.Marshal(s)
		_ = json.Unmarshal(raw, &want)
		if got != want {
			t.Fatalf("appendStr(%q) decodes to %q, encoding/json gives %q", s, got, want)
		}
	})
}
