package feed

import (
	"fmt"
	"net/mail"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/usersync/syncer/internal/textfmt"
)

// Length bounds, in characters (Unicode code points, not bytes).
//
// Genesys Cloud documents no length limit for a user's name, title,
// department or employee id, nor for the names of skills, languages,
// queues, roles or divisions; so these are ours: 255 for text and 254 for
// an email address (RFC 5321: a path is at most 256 octets, two of them
// the angle brackets). docs/feeds.md lists them, and a test checks that
// table against maxRunes.
const (
	// MaxTextLength bounds names, titles, departments, ids and the names
	// of the items of a list (skills, languages, queues, roles, divisions).
	MaxTextLength = 255
	// MaxEmailLength bounds an email address (RFC 5321).
	MaxEmailLength = 254
	// MaxExtensionLength bounds a phone extension (digits).
	MaxExtensionLength = 20
	// maxPhoneDigits and minPhoneDigits bound the digits of a number in
	// E.164 form (country code included): ITU-T E.164 allows 15; fewer
	// than 7 is no subscriber number anywhere.
	maxPhoneDigits = 15
	minPhoneDigits = 7
	// maxLocalPart and maxLabel are RFC 5321's and RFC 1035's bounds on an
	// address's local part and on one label of its domain.
	maxLocalPart = 64
	maxLabel     = 63
)

// maxRunes is the bound of each single-value field; 0 for the enumerated
// fields (state, action, acd_auto_answer: anything but their few values is
// bad_value) and for the lists, whose items are bounded one by one by
// MaxTextLength.
var maxRunes = [numFields]int{
	FieldEmployeeID:        MaxTextLength,
	FieldEmail:             MaxEmailLength,
	FieldName:              MaxTextLength,
	FieldTitle:             MaxTextLength,
	FieldDepartment:        MaxTextLength,
	FieldManagerEmployeeID: MaxTextLength,
	FieldManagerEmail:      MaxEmailLength,
	FieldDivision:          MaxTextLength,
	FieldExtension:         MaxExtensionLength,
	FieldLocation:          MaxTextLength,
	FieldEmployeeType:      MaxTextLength,
	FieldDefaultStation:    MaxTextLength,
}

// MaxLength returns the most characters a value of f may hold, or 0 when
// f is enumerated (state, action, acd_auto_answer), has a format of its own
// (phone_work: E.164; hire_date: a date) or is a list (each item of a list
// is bounded by MaxTextLength).
func MaxLength(f Field) int {
	if f < numFields {
		return maxRunes[f]
	}
	return 0
}

// tooLong reports a value over max characters: its length in characters,
// and whether it is over. Bytes bound characters from above, so a short
// value is never counted.
func tooLong(v string, max int) (int, bool) {
	if max <= 0 || len(v) <= max {
		return 0, false
	}
	n := utf8.RuneCountInString(v)
	return n, n > max
}

func tooLongReason(what, v string, n, max int) string {
	return fmt.Sprintf("%s %s is %d characters long; the limit is %d", what, textfmt.Quote(clip(v)), n, max)
}

// joinersOK says whether a field may hold the zero-width joiner and
// non-joiner: display text may (Persian, Indic scripts and emoji need
// them), identifiers may not (an invisible character makes two ids that
// look the same differ).
func joinersOK(f Field) bool {
	switch f {
	case FieldName, FieldTitle, FieldDepartment, FieldDivision, FieldSkills, FieldLanguages, FieldQueues, FieldRoles, FieldLocation:
		return true
	}
	return false
}

// forbiddenRune reports whether a one-line field may not hold r: C0
// controls (tab, CR and LF included: the field is one line), DEL, C1
// controls (CSI, NEL), the line and paragraph separators, and the Unicode
// format characters that reorder or hide text (bidi controls, zero-width
// space, BOM, tag characters), but for the two joiners when joiners is
// set.
func forbiddenRune(r rune, joiners bool) bool {
	switch {
	case r < 0x20, r >= 0x7f && r <= 0x9f, r == '\u2028', r == '\u2029':
		return true
	case r < 0xad:
		return false
	case r == '\u200c' || r == '\u200d':
		return !joiners
	}
	return unicode.Is(unicode.Cf, r)
}

// controlAt finds the characters a one-line field may not hold: the
// 1-based character position of the first, that character, and how many
// there are. pos is 0 when there are none.
func controlAt(s string, joiners bool) (pos int, first rune, count int) {
	i := 0
	for i < len(s) && s[i] >= 0x20 && s[i] < 0x7f {
		i++ // plain ASCII, the common case
	}
	if i == len(s) {
		return 0, 0, 0
	}
	n := i // characters before i: all ASCII
	for _, r := range s[i:] {
		n++
		if forbiddenRune(r, joiners) {
			if count == 0 {
				pos, first = n, r
			}
			count++
		}
	}
	return pos, first, count
}

// controlReason describes the forbidden characters of v (see controlAt)
// without printing them: the value appears escaped.
func controlReason(what, v string, pos int, r rune, count int) string {
	more := ""
	if count > 1 {
		more = fmt.Sprintf(" (and %d more)", count-1)
	}
	return fmt.Sprintf("%s %s holds %s at character %d%s; a one-line field may not hold control characters, escape sequences or invisible formatting characters",
		what, textfmt.Quote(clip(v)), describeRune(r), pos, more)
}

// runeNames names the characters people meet in exports.
var runeNames = map[rune]string{
	0x00: "NUL", '\t': "tab", '\n': "line feed", '\v': "vertical tab", '\f': "form feed", '\r': "carriage return",
	0x1b: "escape, which starts a terminal escape sequence", 0x7f: "delete", 0x85: "next line",
	0x9b: "control sequence introducer, which starts a terminal escape sequence",
	0xad: "soft hyphen", 0x61c: "Arabic letter mark", 0x200b: "zero width space", 0x200c: "zero width non-joiner",
	0x200d: "zero width joiner", 0x200e: "left-to-right mark", 0x200f: "right-to-left mark",
	0x2028: "line separator", 0x2029: "paragraph separator", 0x202a: "left-to-right embedding",
	0x202b: "right-to-left embedding", 0x202c: "pop directional formatting", 0x202d: "left-to-right override",
	0x202e: "right-to-left override", 0x2060: "word joiner", 0x2066: "left-to-right isolate",
	0x2067: "right-to-left isolate", 0x2068: "first strong isolate", 0x2069: "pop directional isolate",
	0xfeff: "byte order mark",
}

// describeRune names a character by code point, never by itself:
// "U+001B (escape, which starts a terminal escape sequence)".
func describeRune(r rune) string {
	name, ok := runeNames[r]
	switch {
	case ok:
	case r < 0x20 || r == 0x7f:
		name = "control character"
	case r >= 0x80 && r <= 0x9f:
		name = "C1 control character"
	case r >= 0xe0000 && r <= 0xe007f:
		name = "tag character, invisible"
	default:
		name = "invisible format character"
	}
	return fmt.Sprintf("U+%04X (%s)", r, name)
}

// emailProblem returns why s is not an address syncer accepts, or "".
//
// The address must be bare (no display name, comment or angle brackets),
// plain ASCII, with a dot-atom local part of at most 64 characters (no
// quoted local part) and a domain of at least two labels, each 1-63
// letters, digits or hyphens, neither starting nor ending with a hyphen,
// under a top-level label that is not all digits. Internationalised
// addresses are refused: Genesys Cloud does not document support for a
// UTF-8 local part (SMTPUTF8), and an internationalised domain must be
// written in its ASCII (xn--) form, as DNS holds it. An xn-- label is
// accepted as the letters, digits and hyphens it is; its Punycode is not
// decoded. The length (at most 254) is checked by the caller (too_long).
func emailProblem(s string) string {
	at := strings.LastIndexByte(s, '@')
	if at < 0 {
		return "has no @"
	}
	for i, r := range s {
		if r >= utf8.RuneSelf {
			if i < at {
				return fmt.Sprintf("has a non-ASCII character at character %d of its local part: internationalised (UTF-8) local parts are not accepted, as Genesys Cloud does not document support for them", utf8.RuneCountInString(s[:i])+1)
			}
			return fmt.Sprintf("has a non-ASCII character in its domain %s: write an internationalised domain in its ASCII form (xn--…), as DNS holds it", textfmt.Quote(clip(s[at+1:])))
		}
	}
	switch {
	case strings.ContainsAny(s, "<>"):
		return "is not a bare address: write it without a display name or angle brackets (ana@example.com)"
	case strings.ContainsAny(s, "()"):
		return "is not a bare address: it holds a comment in parentheses"
	case strings.ContainsRune(s[:at], '"'):
		return "has a quoted local part, which is not accepted"
	case strings.ContainsAny(s, " \t"):
		return "holds a space"
	}
	if strings.Count(s, "@") > 1 {
		return "has more than one @"
	}
	local, domain := s[:at], s[at+1:]
	switch {
	case local == "":
		return "has nothing before the @"
	case len(local) > maxLocalPart:
		return fmt.Sprintf("has a local part of %d characters; the limit is %d", len(local), maxLocalPart)
	case local[0] == '.' || local[len(local)-1] == '.':
		return "has a local part that starts or ends with a dot"
	case strings.Contains(local, ".."):
		return "has two dots in a row in its local part"
	}
	for i := 0; i < len(local); i++ {
		if c := local[i]; !isAtext(c) && c != '.' {
			return fmt.Sprintf("has %s in its local part, which is not accepted", textfmt.Quote(string(c)))
		}
	}
	labels := strings.Split(domain, ".")
	if len(labels) < 2 {
		return fmt.Sprintf("has the one-label domain %s; want at least two labels, as in example.com", textfmt.Quote(clip(domain)))
	}
	for _, l := range labels {
		switch {
		case l == "":
			return fmt.Sprintf("has an empty label in its domain %s (two dots in a row, or a dot at an end)", textfmt.Quote(clip(domain)))
		case len(l) > maxLabel:
			return fmt.Sprintf("has a domain label of %d characters; the limit is %d", len(l), maxLabel)
		case l[0] == '-' || l[len(l)-1] == '-':
			return fmt.Sprintf("has the domain label %s, which starts or ends with a hyphen", textfmt.Quote(clip(l)))
		}
		for i := 0; i < len(l); i++ {
			c := l[i]
			if c == '-' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' {
				continue
			}
			what := textfmt.Quote(string(c))
			if c == '_' {
				what = "an underscore"
			}
			return fmt.Sprintf("has %s in the domain label %s; a label holds only letters, digits and hyphens", what, textfmt.Quote(clip(l)))
		}
	}
	if tld := labels[len(labels)-1]; strings.Trim(tld, "0123456789") == "" {
		return fmt.Sprintf("has the all-digit top-level domain %s", textfmt.Quote(tld))
	}
	// The rules above are stricter than RFC 5322's addr-spec; the standard
	// parser confirms that what passed them is one bare address.
	if a, err := mail.ParseAddress(s); err != nil || a.Name != "" || a.Address != s {
		return "is not a bare address"
	}
	return ""
}

// isAtext reports whether c may appear in a dot-atom local part (RFC 5322
// atext).
func isAtext(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.IndexByte("!#$%&'*+-/=?^_`{|}~", c) >= 0
}

// validEmail reports whether s is an address syncer accepts.
func validEmail(s string) bool {
	_, long := tooLong(s, MaxEmailLength)
	return !long && emailProblem(s) == ""
}

// phoneProblem returns the E.164 form of a work phone number as written in
// a feed ("+1 (317) 555-0101" is "+13175550101"), or why it is not one:
// the number must start with + and its country code, then digits grouped
// by spaces, hyphens, dots or parentheses; 7 to 15 digits in all, the first
// not 0. A national number ("317-555-0101") is refused: its country is a
// guess, and Genesys Cloud would store it under one.
func phoneProblem(v string) (string, string) {
	if !strings.HasPrefix(v, "+") {
		return "", "is not in international form: write it with + and the country code, as +1 317 555 0101 (E.164)"
	}
	var digits []byte
	for i, r := range v[1:] {
		switch {
		case r >= '0' && r <= '9':
			digits = append(digits, byte(r))
		case r == ' ' || r == '-' || r == '.' || r == '(' || r == ')' || r == '\u00a0':
		case r == 'x' || r == 'X' || r == '#' || r == ';' || r == ',':
			return "", fmt.Sprintf("holds %s at character %d: write an extension in the extension column", textfmt.Quote(string(r)), utf8.RuneCountInString(v[:i+1])+1)
		default:
			return "", fmt.Sprintf("holds %s at character %d; a number is + and digits, grouped by spaces, hyphens, dots or parentheses", textfmt.Quote(string(r)), utf8.RuneCountInString(v[:i+1])+1)
		}
	}
	switch {
	case len(digits) < minPhoneDigits:
		return "", fmt.Sprintf("has %d digits; an E.164 number has %d to %d, country code included", len(digits), minPhoneDigits, maxPhoneDigits)
	case len(digits) > maxPhoneDigits:
		return "", fmt.Sprintf("has %d digits; an E.164 number has at most %d, country code included", len(digits), maxPhoneDigits)
	case digits[0] == '0':
		return "", "has a country code starting with 0"
	}
	return "+" + string(digits), ""
}

// extensionProblem returns why v is not a phone extension (digits), or "".
func extensionProblem(v string) string {
	for i, r := range v {
		if r < '0' || r > '9' {
			return fmt.Sprintf("holds %s at character %d; an extension is digits", textfmt.Quote(string(r)), utf8.RuneCountInString(v[:i])+1)
		}
	}
	return ""
}

// isoShaped reports whether v is written like a date, NNNN-NN-NN.
func isoShaped(v string) bool {
	if len(v) != len(HireDateLayout) {
		return false
	}
	for i := 0; i < len(v); i++ {
		if (i == 4 || i == 7) != (v[i] == '-') || v[i] != '-' && (v[i] < '0' || v[i] > '9') {
			return false
		}
	}
	return true
}

// HireDateLayout is the layout of a hire date: ISO 8601, as Genesys
// Cloud's employerInfo.dateHire takes it (yyyy-MM-dd).
const HireDateLayout = "2006-01-02"
