package feed

import (
	"cmp"
	"fmt"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/usersync/syncer/internal/textfmt"
)

// Format is a feed's file format.
type Format string

// Formats.
const (
	FormatCSV   Format = "csv"
	FormatJSONL Format = "jsonl"
)

// Defaults of Config.
const (
	DefaultMaxRecordBytes = 1 << 20
	DefaultMaxProblems    = 1000
)

// Config says how to read one feed. Its zero value reads a snapshot CSV
// (or JSONL, by content) in our column layout, without reference checks.
type Config struct {
	// File names the feed in problems. Default "feed".
	File string
	// Name is the feed's name in the configuration (feeds.NAME), used in
	// hints such as "set feeds.hr.delimiter". Default: the hints say
	// feeds.<name>.
	Name string
	// Format of the file. Default: by the extension of File (.jsonl,
	// .ndjson → JSONL, else CSV), or JSONL when the first byte is '{'.
	Format Format
	// Mode of the feed. Default ModeSnapshot, but ModeDelta for a CSV file
	// in the Genesys admin-import layout: the importer only creates and
	// updates people, and never takes one left out of the file for a
	// leaver.
	Mode Mode
	// Delimiter of a CSV file: ',', ';', '\t' or '|' (see ParseDelimiter).
	// Default: detected from the header line (the candidate that splits it
	// into the most columns; on a tie, the one the first data lines agree
	// with, then the first of , ; tab |).
	Delimiter rune
	// ListSeparator separates the items of a list cell in CSV. Default
	// "|"; "," for the Genesys admin-import layout (recognised by an
	// email_manager, roles_divisions or location_work column, or by a
	// header of admin-import columns only with phone_work or extension);
	// ";" when the file itself is delimited by '|'.
	ListSeparator string
	// Columns maps our field names (employee_id, email…) to the header (or
	// JSONL key) the file uses for them, e.g. {"employee_id": "Personnel
	// No"}. Unmapped fields keep their own names.
	Columns map[string]string
	// IgnoreColumns lists columns (or JSONL keys) to read past, matched as
	// headers are (case-insensitively, spaces, hyphens and camelCase as
	// underscores). Any other column that is not a feed field makes the
	// file unusable (unknown_column). A listed column that is a feed field
	// is read past too: the feed then leaves that attribute alone.
	IgnoreColumns []string
	// Refs, when set, resolves skill, language, queue, role and division
	// names to ids; an unknown name rejects its row. Read only: Parse
	// ignores it (see Parsed.Resolve).
	Refs *Refs
	// Directory, when set, finds managers who are not in the feed. Without
	// it a manager must be in the feed. Read only: Parse ignores it.
	Directory Directory
	// MaxRecordBytes bounds one row (CSV record or JSONL line). Default
	// DefaultMaxRecordBytes.
	MaxRecordBytes int
	// MaxProblems bounds the problems listed (rows are still all
	// validated and counted). Default DefaultMaxProblems.
	MaxProblems int
	// UtilizationProfiles are the names of the configured utilization
	// profiles (feeds.NAME.onboard.utilization_profiles): a utilization
	// cell must name one (case-insensitive), else the row is rejected
	// (unknown_profile).
	UtilizationProfiles []string

	// modeDefault says Mode was not set: the layout may choose it.
	modeDefault bool
}

// Delimiters are the CSV delimiters syncer reads, in the order detection
// prefers them on a tie.
var Delimiters = []rune{',', ';', '\t', '|'}

// ParseDelimiter reads a configured delimiter: ",", ";", "|", a tab
// character, or the words "tab", "comma", "semicolon", "pipe".
func ParseDelimiter(s string) (rune, error) {
	switch strings.ToLower(s) {
	case ",", "comma":
		return ',', nil
	case ";", "semicolon":
		return ';', nil
	case "\t", "tab", `\t`:
		return '\t', nil
	case "|", "pipe":
		return '|', nil
	}
	return 0, fmt.Errorf("delimiter %s: want \",\", \";\", \"\\t\" (tab) or \"|\"", textfmt.Quote(s))
}

// delimiterName writes a delimiter for a message: ',' or '\t'.
func delimiterName(d rune) string { return strconv.QuoteRune(d) }

// delimiterYAML writes a delimiter as the configuration takes it.
func delimiterYAML(d rune) string { return strconv.Quote(string(d)) }

// configKey names a key of this feed's configuration in a hint.
func (c Config) configKey(key string) string {
	name := c.Name
	if name == "" {
		name = "<name>"
	}
	return "feeds." + name + "." + key
}

func (c Config) withDefaults() Config {
	c.File = cmp.Or(c.File, "feed")
	c.modeDefault = c.Mode == ""
	c.Mode = cmp.Or(c.Mode, ModeSnapshot)
	c.MaxRecordBytes = cmp.Or(c.MaxRecordBytes, DefaultMaxRecordBytes)
	c.MaxProblems = cmp.Or(c.MaxProblems, DefaultMaxProblems)
	if c.Format == "" {
		switch strings.ToLower(filepath.Ext(c.File)) {
		case ".jsonl", ".ndjson":
			c.Format = FormatJSONL
		case ".csv", ".txt":
			c.Format = FormatCSV
		}
	}
	return c
}

// headerMap resolves file headers (or JSONL keys) to fields.
type headerMap struct {
	custom map[string]Field // normalized file header → field
	mapped FieldSet         // fields renamed by Config.Columns
	theirs []string         // the headers of Config.Columns, as written
	ignore map[string]bool  // normalized Config.IgnoreColumns
}

func newHeaderMap(columns map[string]string, ignore []string) (headerMap, error) {
	h := headerMap{custom: map[string]Field{}, ignore: map[string]bool{}}
	for ours, theirs := range columns {
		f, ok := ParseField(ours)
		if !ok {
			return h, &unknownFieldError{name: ours}
		}
		h.custom[normalizeHeader(theirs)] = f
		h.mapped = h.mapped.With(f)
		h.theirs = append(h.theirs, theirs)
	}
	for _, c := range ignore {
		h.ignore[normalizeHeader(c)] = true
	}
	return h, nil
}

// headerKind is what a header (or JSONL key) is to syncer.
type headerKind uint8

const (
	headerUnknown headerKind = iota
	headerField              // a feed field
	headerAdmin              // a feed field under its admin-import name
	headerSkip               // read past: Config.IgnoreColumns
)

// lookup returns what a header is and, for a field, which. An admin-import
// header (headerAdmin) marks the layout.
func (h headerMap) lookup(header string) (f Field, kind headerKind, admin bool) {
	n := normalizeHeader(header)
	if h.ignore[n] {
		return 0, headerSkip, false
	}
	if f, ok := h.custom[n]; ok {
		return f, headerField, false
	}
	if f, ok := ParseField(n); ok && !h.mapped.Has(f) {
		return f, headerField, false
	}
	if f, ok := adminAliases[n]; ok && !h.mapped.Has(f) {
		return f, headerAdmin, true
	}
	return 0, headerUnknown, false
}

// suggest returns the known header closest to an unknown one: our field
// names, their aliases, the admin-import names and the mapped headers, at
// most one edit away for a name of up to four characters and two for a
// longer one (a swap of two letters is one edit). "" when none is close.
func (h headerMap) suggest(header string) string {
	n := normalizeHeader(header)
	limit := 1
	if utf8.RuneCountInString(n) > 4 {
		limit = 2
	}
	var names []string
	for f, s := range fieldNames {
		if !h.mapped.Has(Field(f)) {
			names = append(names, s)
		}
	}
	for _, m := range []map[string]Field{aliases, adminAliases} {
		for a, f := range m {
			if !h.mapped.Has(f) {
				names = append(names, a)
			}
		}
	}
	slices.Sort(names)
	best, bestDist := "", limit+1
	for _, c := range names {
		if d := textfmt.EditDistance(n, c, bestDist); d < bestDist {
			best, bestDist = c, d
		}
	}
	for _, theirs := range slices.Sorted(slices.Values(h.theirs)) {
		if d := textfmt.EditDistance(n, normalizeHeader(theirs), bestDist); d < bestDist {
			best, bestDist = theirs, d
		}
	}
	return best
}
