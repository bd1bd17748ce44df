package textfmt

import (
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Safe returns s with everything a terminal, a log reader or a spreadsheet
// could take for something other than text escaped: C0 and C1 control
// characters (so ESC sequences, CR and LF), DEL, invalid UTF-8 bytes, and
// the Unicode format characters that reorder or hide text (bidi overrides,
// zero-width joiners, BOM). Escapes are Go-style (\x1b, \u202e), so the
// result reads like strconv.Quote without the surrounding quotes. Plain text
// comes back unchanged and unallocated.
//
// Every string that came from a feed or from the org and reaches a
// terminal, a log, a plan file or an error goes through Safe (or Quote):
// an HR feed is hostile input, and a name holding "\r\x1b[2K" could
// otherwise print a fake line over the real plan.
func Safe(s string) string {
	i := unsafeAt(s)
	if i < 0 {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 16)
	b.WriteString(s[:i])
	for i < len(s) {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			b.WriteString(`\x`)
			b.WriteString(strconv.FormatUint(uint64(s[i]), 16))
		case unsafeRune(r):
			q := strconv.QuoteRuneToASCII(r) // '\x1b', '\u202e'
			b.WriteString(q[1 : len(q)-1])
		default:
			b.WriteString(s[i : i+size])
		}
		i += size
	}
	return b.String()
}

// Quote is strconv.Quote for people: the value in double quotes with what
// Safe escapes escaped, and a double quote or backslash inside escaped too
// (so the quotes cannot be closed early and an escape is never ambiguous),
// while printable non-ASCII text stays as it is ("José", not "Jos\u00e9").
func Quote(s string) string {
	var b strings.Builder
	b.Grow(len(s) + 2)
	b.WriteByte('"')
	for i := 0; i < len(s); {
		c := s[i]
		if c == '"' || c == '\\' {
			b.WriteByte('\\')
			b.WriteByte(c)
			i++
			continue
		}
		j := i + 1
		for j < len(s) && s[j] != '"' && s[j] != '\\' {
			j++
		}
		b.WriteString(Safe(s[i:j]))
		i = j
	}
	b.WriteByte('"')
	return b.String()
}

// unsafeAt returns the index of the first byte Safe would change, or -1.
func unsafeAt(s string) int {
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c < 0x20 || c == 0x7f {
				return i
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if (r == utf8.RuneError && size == 1) || unsafeRune(r) {
			return i
		}
		i += size
	}
	return -1
}

// unsafeRune reports whether r is a control character (C0, DEL, C1) or an
// invisible format character (category Cf: bidi controls, zero-width
// characters, soft hyphen, BOM), or a line or paragraph separator.
func unsafeRune(r rune) bool {
	return r < 0x20 || (r >= 0x7f && r <= 0x9f) || r == '\u2028' || r == '\u2029' || unicode.Is(unicode.Cf, r)
}
