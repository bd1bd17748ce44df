package config

import (
	"log/slog"
	"regexp"
	"strings"
	"unicode"
)

// Secret is a string that never prints its value: not through fmt, not
// through slog, not through JSON.
type Secret string

// Value returns the secret itself, for the one place that needs it.
func (s Secret) Value() string { return string(s) }

// String implements fmt.Stringer.
func (s Secret) String() string {
	if s == "" {
		return ""
	}
	return "[redacted]"
}

// GoString implements fmt.GoStringer, for %#v.
func (s Secret) GoString() string { return `config.Secret("` + s.String() + `")` }

// LogValue implements slog.LogValuer.
func (s Secret) LogValue() slog.Value { return slog.StringValue(s.String()) }

// MarshalText keeps secrets out of JSON and YAML output.
func (s Secret) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

var uuidRE = regexp.MustCompile(`^[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}$`)

// looksLikeSecret reports whether s has the shape of a credential rather
// than of a name: a UUID (OAuth client ids are UUIDs), or a token of 16 or
// more characters with no space that either mixes lower case, upper case
// and digits (base64 and generated secrets), or runs letters and digits
// together for 16 characters without a separator (hex keys). Names such
// as GENESYS_CLIENT_SECRET_2 or DATABASE_URL do not match. It decides
// which message a refused value gets, and hides keys that match; values
// are never shown either way.
func looksLikeSecret(s string) bool {
	if uuidRE.MatchString(s) {
		return true
	}
	if len(s) < 16 || strings.ContainsAny(s, " \t") {
		return false
	}
	var lower, upper, digit bool
	run, longRun, runLetters, runDigits := 0, false, false, false
	for _, r := range s {
		switch {
		case r >= 'a' && r <= 'z':
			lower = true
		case r >= 'A' && r <= 'Z':
			upper = true
		case r >= '0' && r <= '9':
			digit = true
		}
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			run++
			runLetters = runLetters || unicode.IsLetter(r)
			runDigits = runDigits || unicode.IsDigit(r)
			if run >= 16 && runLetters && runDigits {
				longRun = true
			}
		} else {
			run, runLetters, runDigits = 0, false, false
		}
	}
	return (lower && upper && digit) || longRun
}
