package textfmt_test

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/usersync/syncer/internal/textfmt"
)

func TestSafe(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"":                    "",
		"Ana Lima":            "Ana Lima",
		"José Ñúñez 李":        "José Ñúñez 李",
		"a\x1b[2Kb":           `a\x1b[2Kb`,
		"x\r\nNo changes":     `x\r\nNo changes`,
		"tab\there":           `tab\there`,
		"del\x7f":             `del\x7f`,
		"c1\u0085next":        `c1\u0085next`,
		"csi\u009b31m":        `csi\u009b31m`,
		"rtl\u202egnp.exe":    `rtl\u202egnp.exe`,
		"zero\u200bwidth":     `zero\u200bwidth`,
		"bom\ufeff":           `bom\ufeff`,
		"ls\u2028ps\u2029":    `ls\u2028ps\u2029`,
		"bad\xffutf8":         `bad\xffutf8`,
		`back\slash "quoted"`: `back\slash "quoted"`,
		"emoji 🙂 ok":          "emoji 🙂 ok",
	} {
		got := textfmt.Safe(in)
		if got != want {
			t.Errorf("Safe(%q) = %q, want %q", in, got, want)
		}
		for _, r := range got {
			if r < 0x20 || r == 0x7f || (r >= 0x80 && r <= 0x9f) {
				t.Errorf("Safe(%q) kept control rune %U", in, r)
			}
		}
		if !utf8.ValidString(got) {
			t.Errorf("Safe(%q) = %q is not valid UTF-8", in, got)
		}
	}
}

func TestQuote(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"":             `""`,
		"Billing":      `"Billing"`,
		"José":         `"José"`,
		`say "hi"`:     `"say \"hi\""`,
		`C:\temp`:      `"C:\\temp"`,
		"a\x1b[31mred": `"a\x1b[31mred"`,
		"\"\n":         `"\"\n"`,
	} {
		if got := textfmt.Quote(in); got != want {
			t.Errorf("Quote(%q) = %s, want %s", in, got, want)
		}
	}
}

func FuzzSafe(f *testing.F) {
	for _, s := range []string{"", "plain", "a\x1b[2K", "\u202e", "\xff\xfe", "é\u0085"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for _, out := range []string{textfmt.Safe(s), textfmt.Quote(s)} {
			if !utf8.ValidString(out) {
				t.Fatalf("not UTF-8: %q", out)
			}
			if strings.ContainsFunc(out, func(r rune) bool { return r < 0x20 || (r >= 0x7f && r <= 0x9f) || r == '\u202e' }) {
				t.Fatalf("control character survived: %q", out)
			}
		}
	})
}
