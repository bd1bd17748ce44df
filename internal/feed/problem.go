package feed

import (
	"fmt"
	"strings"

	"github.com/usersync/syncer/internal/textfmt"
)

// Severity says whether a problem rejects its row.
type Severity string

// Severities.
const (
	// SeverityError rejects the row (or, on line 1 or for the encoding of
	// the whole file, the file).
	SeverityError Severity = "error"
	// SeverityWarning is reported and the row is kept.
	SeverityWarning Severity = "warning"
)

// Problem codes, stable for scripts and summaries. docs/feeds.md lists
// every one; a test compares that table with these constants.
const (
	CodeEncoding          = "encoding"          // not UTF-8, or a UTF-16 file
	CodeSyntax            = "syntax"            // CSV quoting or JSON syntax
	CodeRecordTooLarge    = "record_too_large"  // a row over Config.MaxRecordBytes
	CodeHeader            = "header"            // empty file, duplicate column
	CodeDelimiter         = "delimiter"         // the header (or the data) is split by another delimiter (file)
	CodeMissingColumn     = "missing_column"    // a required column is absent
	CodeUnknownColumn     = "unknown_column"    // a column (or JSONL key) syncer does not know (file)
	CodeNoRows            = "no_rows"           // a header and no data rows, or a JSONL file with no rows (file)
	CodeFieldCount        = "field_count"       // a row with more fields than the header
	CodeRequired          = "required"          // a required value is empty
	CodeTooLong           = "too_long"          // a value over its length bound
	CodeControlCharacter  = "control_character" // a control, escape or invisible formatting character in a value
	CodeBadEmail          = "bad_email"         // not an address
	CodeBadValue          = "bad_value"         // bad state, action, boolean, hire date or list item
	CodeBadPhone          = "bad_phone"         // a work phone not in E.164 form, or an extension that is not digits
	CodeBadProficiency    = "bad_proficiency"   // not a number or outside 0–5
	CodeDuplicateID       = "duplicate_employee_id"
	CodeDuplicateEmail    = "duplicate_email"
	CodeDuplicateItem     = "duplicate_item"     // the same skill, queue… twice in one row
	CodeUnknownName       = "unknown_name"       // skill, language, queue, role, division, location or station not in the org
	CodeUnknownProfile    = "unknown_profile"    // a utilization profile the configuration does not name
	CodeManagerNotFound   = "manager_not_found"  // neither in the feed nor in the org
	CodeManagerRejected   = "manager_rejected"   // the manager's own row was rejected
	CodeManagerOffboarded = "manager_offboarded" // delta: the manager is offboarded by this feed
	CodeManagerCycle      = "manager_cycle"      // managers form a loop
	CodeFormula           = "formula"            // starts with = + - @ (warning; kept verbatim)
	CodeTooManyProblems   = "too_many_problems"  // reporting stopped at Config.MaxProblems
)

// Problem is one thing wrong in a feed, placed precisely.
//
// Reason never holds a feed's bytes as they were: every value it quotes
// went through textfmt.Quote or textfmt.Safe, so a problem can be printed
// on a terminal or written to a log as it is.
//
// Line is the 1-based physical line where the record (or, for CSV, the
// field) starts; 0 means the whole file. Column is, for CSV, the 1-based
// field number (A=1 in a spreadsheet), and for JSONL the 1-based byte
// column of the key or of the syntax error; 0 means the whole row.
type Problem struct {
	File     string   `json:"file"`
	Line     int      `json:"line"`
	Column   int      `json:"column,omitempty"`
	Field    string   `json:"field,omitempty"`
	Code     string   `json:"code"`
	Severity Severity `json:"severity"`
	Reason   string   `json:"reason"`
}

// Error formats the problem like a compiler message:
// "hr.csv:12:5: skills: proficiency "7" outside 0–5 (bad_proficiency)".
//
// File, Field and Reason are escaped once more (textfmt.Safe), so that not
// even a Problem built by hand can print a control character.
func (p *Problem) Error() string {
	var b strings.Builder
	b.WriteString(textfmt.Safe(p.File))
	if p.Line > 0 {
		fmt.Fprintf(&b, ":%d", p.Line)
		if p.Column > 0 {
			fmt.Fprintf(&b, ":%d", p.Column)
		}
	}
	b.WriteString(": ")
	if p.Severity == SeverityWarning {
		b.WriteString("warning: ")
	}
	if p.Field != "" {
		b.WriteString(textfmt.Safe(p.Field))
		b.WriteString(": ")
	}
	b.WriteString(textfmt.Safe(p.Reason))
	fmt.Fprintf(&b, " (%s)", p.Code)
	return b.String()
}

// Error is returned by Parse (and Read) when the file as a whole cannot be
// used: empty, no data rows, a wrong delimiter, an unknown or missing
// column, a bad header, not UTF-8 text, a record over the size bound. No
// record of such a file may lead to a change.
type Error struct {
	Problems []Problem
}

func (e *Error) Error() string {
	switch len(e.Problems) {
	case 0:
		return "feed: unusable file"
	case 1:
		return "feed: " + e.Problems[0].Error()
	}
	return fmt.Sprintf("feed: %s (and %d more problems)", e.Problems[0].Error(), len(e.Problems)-1)
}
