// Package textfmt formats text for people: numbers in run summaries, plans
// and the benchmark report, and untrusted strings (Safe, Quote) escaped so
// that nothing a feed or the org holds can act on a terminal or a log.
package textfmt

import (
	"strconv"
	"strings"
)

// Thousands writes n with comma thousands separators: 1908 → "1,908".
func Thousands(n int64) string {
	s := strconv.FormatInt(n, 10)
	digits := strings.TrimPrefix(s, "-")
	var b strings.Builder
	if len(digits) < len(s) {
		b.WriteByte('-')
	}
	for i, c := range digits {
		if i > 0 && (len(digits)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	return b.String()
}
