package feed

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/usersync/syncer/internal/textfmt"
)

var (
	bomUTF8    = []byte{0xEF, 0xBB, 0xBF}
	bomUTF16LE = []byte{0xFF, 0xFE}
	bomUTF16BE = []byte{0xFE, 0xFF}
)

// errRecordTooLarge stops a CSV read whose current record exceeds
// Config.MaxRecordBytes, typically an unterminated quote.
var errRecordTooLarge = errors.New("record too large")

// budgetReader fails once more than max bytes (plus the CSV reader's own
// buffer) have been read since the last record boundary, so one bad quote
// cannot make the parser hold the rest of the file.
type budgetReader struct {
	r    io.Reader
	read int64
	base int64
	max  int64
}

func (b *budgetReader) Read(p []byte) (int, error) {
	const slack = 64 << 10 // encoding/csv reads ahead through a 4 KiB bufio.Reader
	if b.read-b.base > b.max+slack {
		return 0, errRecordTooLarge
	}
	n, err := b.r.Read(p)
	b.read += int64(n)
	return n, err
}

// csvScanner streams raw rows from a CSV file.
type csvScanner struct {
	cfg     Config
	cr      *csv.Reader
	budget  *budgetReader
	fields  []int // column index → field, or -1
	columns FieldSet
	listSep string
	admin   bool
	width   int
	offset  int64 // byte offset of the previous record's end
	line    int   // last line of the previous record
}

// newCSVScanner reads the BOM, picks the delimiter and reads and judges
// the header. Problems on the header make the file unusable and are
// returned.
func newCSVScanner(br *bufio.Reader, cfg Config) (*csvScanner, []Problem, error) {
	fatal := func(col int, field, code, format string, args ...any) []Problem {
		return []Problem{{File: cfg.File, Line: 1, Column: col, Field: field, Code: code, Severity: SeverityError, Reason: fmt.Sprintf(format, args...)}}
	}
	head, _ := br.Peek(3)
	switch {
	case bytes.HasPrefix(head, bomUTF8):
		_, _ = br.Discard(3)
	case bytes.HasPrefix(head, bomUTF16LE), bytes.HasPrefix(head, bomUTF16BE):
		return nil, fatal(0, "", CodeEncoding, "the file is UTF-16; save it as UTF-8"), nil
	}
	buf, _ := br.Peek(br.Size())
	sn := sniffLines(buf)
	delim := cfg.Delimiter
	if delim == 0 {
		delim = sn.choose()
	}
	if !slices.Contains(Delimiters, delim) {
		return nil, nil, fmt.Errorf("feed %s: delimiter %s: want one of ',', ';', '\\t', '|'", cfg.File, delimiterName(delim))
	}
	hm, err := newHeaderMap(cfg.Columns, cfg.IgnoreColumns)
	if err != nil {
		return nil, nil, fmt.Errorf("feed column mapping: %w", err)
	}
	s := &csvScanner{cfg: cfg, budget: &budgetReader{r: br, max: int64(cfg.MaxRecordBytes)}}
	s.cr = csv.NewReader(s.budget)
	s.cr.Comma = delim
	s.cr.FieldsPerRecord = -1
	s.cr.ReuseRecord = true

	header, err := s.cr.Read()
	switch {
	case errors.Is(err, io.EOF):
		return nil, fatal(0, "", CodeHeader, "the file is empty: want a header line"), nil
	case errors.Is(err, errRecordTooLarge):
		return nil, fatal(0, "", CodeRecordTooLarge, "the header is over %d bytes", cfg.MaxRecordBytes), nil
	case err != nil:
		var pe *csv.ParseError
		if errors.As(err, &pe) {
			p := syntaxProblem(cfg.File, pe)
			p.Reason = "header: " + p.Reason
			return nil, []Problem{p}, nil
		}
		return nil, nil, fmt.Errorf("read %s header: %w", cfg.File, err)
	}
	header = slices.Clone(header) // ReuseRecord: the next Read overwrites it
	s.offset = s.cr.InputOffset()
	s.budget.base = s.budget.read
	s.line, _ = s.cr.FieldPos(len(header) - 1)

	for i, h := range header {
		if !utf8.ValidString(h) {
			return nil, fatal(i+1, "", CodeEncoding, "the header is not UTF-8 (invalid byte at %d); save the file as UTF-8", invalidUTF8At(h)+1), nil
		}
	}
	if p := checkDelimiter(cfg, hm, header, delim, sn); p != nil {
		return nil, []Problem{*p}, nil
	}

	s.width = len(header)
	s.fields = make([]int, len(header))
	at := map[Field]int{}
	var problems []Problem
	// The admin-import layout: an admin-only column, or only admin-import
	// columns with a phone among them (see adminColumns).
	onlyAdmin, phone := true, false
	for i, h := range header {
		s.fields[i] = -1
		if strings.TrimSpace(h) == "" {
			continue
		}
		f, kind, admin := hm.lookup(h)
		s.admin = s.admin || admin
		if kind != headerSkip {
			n := normalizeHeader(h)
			onlyAdmin = onlyAdmin && slices.Contains(adminColumns, n)
			phone = phone || n == FieldPhoneWork.String() || n == FieldExtension.String()
		}
		switch kind {
		case headerSkip:
			continue
		case headerUnknown:
			problems = append(problems, Problem{File: cfg.File, Line: 1, Column: i + 1, Code: CodeUnknownColumn, Severity: SeverityError,
				Reason: unknownColumnReason(cfg, hm, fmt.Sprintf("column %d", i+1), h, delim)})
			continue
		}
		if prev, dup := at[f]; dup {
			problems = append(problems, Problem{File: cfg.File, Line: 1, Column: i + 1, Field: f.String(), Code: CodeHeader, Severity: SeverityError,
				Reason: fmt.Sprintf("columns %d and %d both hold %s", prev, i+1, f)})
			continue
		}
		at[f] = i + 1
		s.fields[i] = int(f)
		s.columns = s.columns.With(f)
	}
	s.admin = s.admin || onlyAdmin && phone
	if s.admin && cfg.modeDefault {
		cfg.Mode = ModeDelta
		s.cfg.Mode = ModeDelta
	}
	for _, m := range missingColumns(cfg, hm, s.columns, s.admin) {
		problems = append(problems, Problem{File: cfg.File, Line: 1, Field: m.field, Code: CodeMissingColumn, Severity: SeverityError,
			Reason: fmt.Sprintf("required column %s is missing (header: %s)", m.name, textfmt.Safe(clip(strings.Join(header, string(delim)))))})
	}
	if len(problems) > 0 {
		return nil, problems, nil
	}
	s.listSep = cfg.ListSeparator
	switch {
	case s.listSep != "":
	case s.admin:
		s.listSep = ","
	case delim == '|':
		s.listSep = ";"
	default:
		s.listSep = "|"
	}
	return s, nil, nil
}

// missing is a required column the header lacks: the field, and how a
// message names it.
type missing struct{ field, name string }

// missingColumns returns the required columns absent from a header (or
// from every row of a JSONL file): an identity, and in snapshot mode and in
// the admin-import layout (whose importer requires both) email and name.
func missingColumns(cfg Config, hm headerMap, columns FieldSet, admin bool) []missing {
	var out []missing
	add := func(field, name string) {
		header := field
		if mapped, ok := cfg.Columns[field]; ok {
			name = fmt.Sprintf("%s (mapped to %s)", name, textfmt.Quote(mapped))
			header = mapped
		}
		if hm.ignore[normalizeHeader(header)] {
			name += " (it is listed in ignore_columns)"
		}
		out = append(out, missing{field, name})
	}
	noIdentity := !columns.Has(FieldEmployeeID) && !columns.Has(FieldEmail)
	if noIdentity {
		add("employee_id or email", "employee_id or email")
	}
	if cfg.Mode == ModeSnapshot || admin {
		if !columns.Has(FieldEmail) && !noIdentity {
			add(FieldEmail.String(), FieldEmail.String())
		}
		if !columns.Has(FieldName) {
			add(FieldName.String(), FieldName.String())
		}
	}
	return out
}

// unknownColumnReason says that a column (or JSONL key) is not a feed
// field, with the closest name syncer knows and, when the name holds
// another delimiter, that hint.
func unknownColumnReason(cfg Config, hm headerMap, what, name string, delim rune) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s is not a feed field", what, textfmt.Quote(clip(name)))
	if s := hm.suggest(name); s != "" {
		fmt.Fprintf(&b, " (did you mean %s?)", textfmt.Quote(s))
	}
	for _, d := range Delimiters {
		if d != delim && delim != 0 && strings.ContainsRune(name, d) && len(strings.Split(name, string(d))) > 1 {
			fmt.Fprintf(&b, "; it holds %s: are columns joined by a second delimiter?", delimiterName(d))
			break
		}
	}
	fmt.Fprintf(&b, "; correct it, or list it in %s to read past it", cfg.configKey("ignore_columns"))
	return b.String()
}

// checkDelimiter finds a header read with the wrong delimiter: one column
// that another delimiter splits into several, or a header whose data
// lines are split by another delimiter.
func checkDelimiter(cfg Config, hm headerMap, header []string, delim rune, sn sniff) *Problem {
	problem := func(format string, args ...any) *Problem {
		return &Problem{File: cfg.File, Line: 1, Code: CodeDelimiter, Severity: SeverityError, Reason: fmt.Sprintf(format, args...)}
	}
	if len(header) == 1 {
		if _, kind, _ := hm.lookup(header[0]); kind != headerUnknown {
			return nil // a one-column feed, such as a delta of employee ids
		}
		best, parts := rune(0), 1
		for _, d := range Delimiters {
			if n := len(strings.Split(header[0], string(d))); n > parts {
				best, parts = d, n
			}
		}
		switch {
		case best == 0 && spaceSeparated(hm, header[0]):
			return problem("the header is one column, %s, whose names seem separated by spaces; syncer takes ',', ';', '\\t' or '|' as the delimiter",
				textfmt.Quote(clip(header[0])))
		case best == 0:
			return nil // reported as an unknown column
		case cfg.Delimiter != 0 && best != delim:
			return problem("the header is one column; the file seems to be delimited by %s, not %s (set %s: %s)",
				delimiterName(best), delimiterName(delim), cfg.configKey("delimiter"), delimiterYAML(best))
		default:
			// The delimiter is inside the one field: it was quoted.
			return problem("the header is one column, %s, holding %d names separated by %s: is the whole header line in quotes?",
				textfmt.Quote(clip(header[0])), parts, delimiterName(best))
		}
	}
	di := slices.Index(Delimiters, delim)
	if len(sn.data) == 0 {
		return nil
	}
	for _, line := range sn.data {
		if line[di] != 1 {
			return nil
		}
	}
	for i, d := range Delimiters {
		agree := true
		for _, line := range sn.data {
			agree = agree && line[i] == len(header)
		}
		if agree && i != di {
			return problem("the header is delimited by %s into %d columns, but the data lines by %s; save the file with one delimiter",
				delimiterName(delim), len(header), delimiterName(d))
		}
	}
	return nil
}

// spaceSeparated reports whether a header cell is feed field names
// separated by spaces: two or more words, at least two of them fields.
func spaceSeparated(hm headerMap, h string) bool {
	words := strings.Fields(h)
	known := 0
	for _, w := range words {
		if _, kind, _ := hm.lookup(w); kind != headerUnknown {
			known++
		}
	}
	return len(words) > 1 && known > 1
}

// sniff is what the first lines of a CSV file say about its delimiter:
// for each of Delimiters, how many fields it splits the header line into,
// and the first data lines.
type sniff struct {
	header [4]int
	data   [][4]int
}

// sniffLines splits the first records of buf (quotes respected, blank
// lines skipped) and counts each candidate delimiter's fields.
func sniffLines(buf []byte) sniff {
	const dataLines = 5
	var sn sniff
	var cur [4]int
	blankLine, quoted, n := true, false, 0
	end := func() {
		if !blankLine {
			for i := range cur {
				cur[i]++
			}
			if n == 0 {
				sn.header = cur
			} else {
				sn.data = append(sn.data, cur)
			}
			n++
		}
		cur, blankLine = [4]int{}, true
	}
	for _, c := range buf {
		if n > dataLines {
			return sn
		}
		switch {
		case c == '"':
			quoted = !quoted
		case quoted:
		case c == '\n':
			end()
			continue
		case c == ',':
			cur[0]++
		case c == ';':
			cur[1]++
		case c == '\t':
			cur[2]++
		case c == '|':
			cur[3]++
		}
		if c != '\r' && c != ' ' {
			blankLine = false
		}
	}
	if n == 0 && !blankLine {
		end() // a header without a line end
	}
	return sn
}

// choose picks the delimiter that splits the header into the most
// fields; on a tie, the one every sampled data line agrees with; then the
// first in Delimiters. ',' when none splits it.
func (sn sniff) choose() rune {
	most := 1
	for _, n := range sn.header {
		most = max(most, n)
	}
	if most == 1 {
		return ','
	}
	first := -1
	for i, n := range sn.header {
		if n != most {
			continue
		}
		if first < 0 {
			first = i
		}
		agree := len(sn.data) > 0
		for _, line := range sn.data {
			agree = agree && line[i] == n
		}
		if agree {
			return Delimiters[i]
		}
	}
	return Delimiters[first]
}

// finish returns nothing: a CSV file's unusable header is found before
// its rows.
func (s *csvScanner) finish() []Problem { return nil }

// next returns the next raw row. It returns io.EOF at the end and a
// non-nil fatal problem when reading cannot go on.
func (s *csvScanner) next() (*rawRow, *Problem, error) {
	for {
		rec, err := s.cr.Read()
		if err != nil {
			line := s.line + 1
			switch {
			case errors.Is(err, io.EOF):
				return nil, nil, io.EOF
			case errors.Is(err, errRecordTooLarge):
				return nil, &Problem{File: s.cfg.File, Line: line, Code: CodeRecordTooLarge, Severity: SeverityError,
					Reason: fmt.Sprintf("a record is over %d bytes (an unterminated quote?); reading stopped", s.cfg.MaxRecordBytes)}, nil
			}
			var pe *csv.ParseError
			if !errors.As(err, &pe) {
				return nil, nil, fmt.Errorf("read %s: %w", s.cfg.File, err)
			}
			s.mark()
			s.line = pe.Line
			row := &rawRow{line: pe.StartLine}
			row.problems = append(row.problems, syntaxProblem(s.cfg.File, pe))
			return row, nil, nil
		}
		line, _ := s.cr.FieldPos(0)
		s.line, _ = s.cr.FieldPos(len(rec) - 1)
		s.mark()
		if blank(rec) {
			continue
		}
		row := &rawRow{line: line}
		if len(rec) != s.width && !(len(rec) > s.width && blank(rec[s.width:])) {
			reason := fmt.Sprintf("the row has %d fields, the header %d", len(rec), s.width)
			if s.cr.Comma == '|' && len(rec) > s.width && s.listSep != "|" {
				reason += fmt.Sprintf(" (the file is delimited by '|', so list items are separated by %s)", textfmt.Quote(s.listSep))
			}
			row.problems = append(row.problems, Problem{File: s.cfg.File, Line: line, Column: min(len(rec), s.width+1), Code: CodeFieldCount, Severity: SeverityError,
				Reason: reason})
		}
		for i, v := range rec {
			if i >= len(s.fields) || s.fields[i] < 0 {
				continue
			}
			f := Field(s.fields[i])
			row.cells[f] = cell{present: true, text: strings.Clone(v), col: i + 1}
		}
		// Columns of the header, even if this row is short: the row
		// speaks for them (a short row is rejected above anyway).
		for i, f := range s.fields {
			if f >= 0 && !row.cells[f].present {
				row.cells[f] = cell{present: true, col: i + 1}
			}
		}
		if len(row.problems) > 0 {
			// Keep identity cells only, so a short row still protects its person.
			for f := range numFields {
				if f != FieldEmployeeID && f != FieldEmail {
					row.cells[f].text = ""
				}
			}
		}
		return row, nil, nil
	}
}

// syntaxProblem reports a CSV parse error. A record that spans lines is
// reported where it starts, since that is where its quote opened: an
// unterminated quote runs on through the rows after it, and the parser
// only notices at the end of the swallowed text, maybe thousands of lines
// further down.
func syntaxProblem(file string, pe *csv.ParseError) Problem {
	p := Problem{File: file, Line: pe.Line, Column: pe.Column, Code: CodeSyntax, Severity: SeverityError,
		Reason: pe.Err.Error() + " (column is the byte position)"}
	if pe.StartLine > 0 && pe.StartLine < pe.Line {
		p.Line, p.Column = pe.StartLine, 0
		p.Reason = fmt.Sprintf("%s at line %d, byte %d, in a record that starts on this line and spans %d lines: an unterminated quote here swallows the rows after it",
			pe.Err, pe.Line, pe.Column, pe.Line-pe.StartLine+1)
	}
	return p
}

func (s *csvScanner) mark() {
	s.offset = s.cr.InputOffset()
	s.budget.base = s.offset
}

func blank(rec []string) bool {
	for _, v := range rec {
		if strings.TrimSpace(v) != "" {
			return false
		}
	}
	return true
}
