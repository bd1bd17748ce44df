package feed

import (
	"cmp"
	"path/filepath"
	"strings"
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
	// Format of the file. Default: by the extension of File (.jsonl,
	// .ndjson → JSONL, else CSV), or JSONL when the first byte is '{'.
	Format Format
	// Mode of the feed. Default ModeSnapshot.
	Mode Mode
	// Delimiter of a CSV file: ',' or ';'. Default: whichever of the two
	// occurs more often in the header line (',' on a tie).
	Delimiter rune
	// ListSeparator separates the items of a list cell in CSV. Default "|",
	// or "," for the Genesys admin-import layout (recognised by its
	// email_manager, roles_divisions, phone_work or location_work column).
	ListSeparator string
	// Columns maps our field names (employee_id, email…) to the header (or
	// JSONL key) the file uses for them, e.g. {"employee_id": "Personnel
	// No"}. Unmapped fields keep their own names.
	Columns map[string]string
	// Refs, when set, resolves skill, language, queue, role and division
	// names to ids; an unknown name rejects its row.
	Refs *Refs
	// Directory, when set, finds managers who are not in the feed. Without
	// it a manager must be in the feed.
	Directory Directory
	// MaxRecordBytes bounds one row (CSV record or JSONL line). Default
	// DefaultMaxRecordBytes.
	MaxRecordBytes int
	// MaxProblems bounds the problems listed (rows are still all
	// validated and counted). Default DefaultMaxProblems.
	MaxProblems int
}

func (c Config) withDefaults() Config {
	c.File = cmp.Or(c.File, "feed")
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
}

func newHeaderMap(columns map[string]string) (headerMap, error) {
	h := headerMap{custom: map[string]Field{}}
	for ours, theirs := range columns {
		f, ok := ParseField(ours)
		if !ok {
			return h, &unknownFieldError{name: ours}
		}
		h.custom[normalizeHeader(theirs)] = f
		h.mapped = h.mapped.With(f)
	}
	return h, nil
}

// lookup returns the field for a header and whether the header belongs to
// the admin-import layout.
func (h headerMap) lookup(header string) (f Field, known, admin bool) {
	n := normalizeHeader(header)
	if f, ok := h.custom[n]; ok {
		return f, true, false
	}
	if f, ok := ParseField(n); ok && !h.mapped.Has(f) {
		return f, true, false
	}
	if f, ok := adminAliases[n]; ok && !h.mapped.Has(f) {
		return f, true, true
	}
	return 0, false, adminIgnored[n]
}
