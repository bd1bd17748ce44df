package feed

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"
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

// newCSVScanner reads the BOM, picks the delimiter and reads the header.
// Problems on the header are fatal and returned; warnings go to warn.
func newCSVScanner(r io.Reader, cfg Config, warn func(Problem)) (*csvScanner, []Problem, error) {
	br := bufio.NewReaderSize(r, 64<<10)
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
	delim := cfg.Delimiter
	if delim == 0 {
		delim = sniffDelimiter(br)
	}
	if delim != ',' && delim != ';' && delim != '\t' {
		return nil, fatal(0, "", CodeHeader, "delimiter %q: want ',' or ';'", delim), nil
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
	s.offset = s.cr.InputOffset()
	s.budget.base = s.budget.read
	s.line, _ = s.cr.FieldPos(len(header) - 1)

	hm, err := newHeaderMap(cfg.Columns)
	if err != nil {
		return nil, nil, fmt.Errorf("feed column mapping: %w", err)
	}
	s.width = len(header)
	s.fields = make([]int, len(header))
	at := map[Field]int{}
	for i, h := range header {
		s.fields[i] = -1
		if !utf8.ValidString(h) {
			return nil, fatal(i+1, "", CodeEncoding, "the header is not UTF-8 (invalid byte at %d); save the file as UTF-8", invalidUTF8At(h)+1), nil
		}
		if strings.TrimSpace(h) == "" {
			continue
		}
		f, known, admin := hm.lookup(h)
		s.admin = s.admin || admin
		if !known {
			if !admin {
				warn(Problem{File: cfg.File, Line: 1, Column: i + 1, Field: h, Code: CodeUnknownColumn, Severity: SeverityWarning,
					Reason: fmt.Sprintf("column %q is not a feed field; ignored", clip(h))})
			}
			continue
		}
		if prev, dup := at[f]; dup {
			return nil, fatal(i+1, f.String(), CodeHeader, "columns %d and %d both hold %s", prev, i+1, f), nil
		}
		at[f] = i + 1
		s.fields[i] = int(f)
		s.columns = s.columns.With(f)
	}
	var missing []string
	if !s.columns.Has(FieldEmployeeID) && !s.columns.Has(FieldEmail) {
		missing = append(missing, "employee_id or email")
	}
	if cfg.Mode == ModeSnapshot {
		for _, f := range []Field{FieldEmail, FieldName} {
			if !s.columns.Has(f) && !(f == FieldEmail && len(missing) > 0) {
				missing = append(missing, f.String())
			}
		}
	}
	if len(missing) > 0 {
		var out []Problem
		for _, m := range missing {
			name := m
			if mapped, ok := cfg.Columns[m]; ok {
				name = fmt.Sprintf("%s (mapped to %q)", m, mapped)
			}
			out = append(out, Problem{File: cfg.File, Line: 1, Field: m, Code: CodeMissingColumn, Severity: SeverityError,
				Reason: fmt.Sprintf("required column %s is missing (header: %s)", name, clip(strings.Join(header, string(delim))))})
		}
		return nil, out, nil
	}
	s.listSep = cfg.ListSeparator
	if s.listSep == "" {
		s.listSep = "|"
		if s.admin {
			s.listSep = ","
		}
	}
	return s, nil, nil
}

// sniffDelimiter counts commas and semicolons outside quotes in the first
// line.
func sniffDelimiter(br *bufio.Reader) rune {
	buf, _ := br.Peek(br.Size())
	commas, semis := 0, 0
	quoted := false
loop:
	for _, c := range buf {
		switch c {
		case '"':
			quoted = !quoted
		case '\n':
			if !quoted {
				break loop
			}
		case ',':
			if !quoted {
				commas++
			}
		case ';':
			if !quoted {
				semis++
			}
		}
	}
	if semis > commas {
		return ';'
	}
	return ','
}

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
			row.problems = append(row.problems, Problem{File: s.cfg.File, Line: line, Column: min(len(rec), s.width+1), Code: CodeFieldCount, Severity: SeverityError,
				Reason: fmt.Sprintf("the row has %d fields, the header %d", len(rec), s.width)})
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
