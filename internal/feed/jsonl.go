package feed

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"unicode/utf8"

	"github.com/usersync/syncer/internal/textfmt"
)

// jsonlScanner streams raw rows from a JSONL file: one JSON object per
// line, blank lines skipped.
//
// A key that is not a feed field (nor read past by Config.IgnoreColumns or
// as an admin-import column) makes the file unusable, as an unknown CSV
// column does: each such key is reported once, on the line where it first
// appears, and finish returns them when the whole file has been read.
type jsonlScanner struct {
	cfg     Config
	br      *bufio.Reader
	hm      headerMap
	line    int
	columns FieldSet
	seen    map[string]bool // unknown keys reported
	unknown []Problem
	buf     []byte
}

func newJSONLScanner(br *bufio.Reader, cfg Config) (*jsonlScanner, error) {
	hm, err := newHeaderMap(cfg.Columns, cfg.IgnoreColumns)
	if err != nil {
		return nil, fmt.Errorf("feed column mapping: %w", err)
	}
	return &jsonlScanner{cfg: cfg, br: br, hm: hm, seen: map[string]bool{}}, nil
}

// finish returns the problems that make the file unusable once it has
// been read: its unknown keys.
func (s *jsonlScanner) finish() []Problem { return s.unknown }

// readLine returns the next line without its end, or tooLong when it
// exceeds MaxRecordBytes (the rest of the line is skipped).
func (s *jsonlScanner) readLine() (line []byte, tooLong bool, err error) {
	s.buf = s.buf[:0]
	for {
		chunk, err := s.br.ReadSlice('\n')
		if !tooLong {
			if len(s.buf)+len(chunk) > s.cfg.MaxRecordBytes {
				tooLong = true
				s.buf = s.buf[:0]
			} else {
				s.buf = append(s.buf, chunk...)
			}
		}
		switch {
		case errors.Is(err, bufio.ErrBufferFull):
			continue
		case errors.Is(err, io.EOF):
			if len(s.buf) == 0 && !tooLong && len(chunk) == 0 {
				return nil, false, io.EOF
			}
			return bytes.TrimRight(s.buf, "\r\n"), tooLong, nil
		case err != nil:
			return nil, false, err
		}
		return bytes.TrimRight(s.buf, "\r\n"), tooLong, nil
	}
}

func (s *jsonlScanner) next() (*rawRow, *Problem, error) {
	for {
		line, tooLong, err := s.readLine()
		if err != nil {
			if errors.Is(err, io.EOF) {
				return nil, nil, io.EOF
			}
			return nil, nil, fmt.Errorf("read %s line %d: %w", s.cfg.File, s.line+1, err)
		}
		s.line++
		row := &rawRow{line: s.line}
		bad := func(col int, code, format string, args ...any) (*rawRow, *Problem, error) {
			row.problems = append(row.problems, Problem{File: s.cfg.File, Line: s.line, Column: col, Code: code, Severity: SeverityError, Reason: fmt.Sprintf(format, args...)})
			return row, nil, nil
		}
		if tooLong {
			return bad(0, CodeRecordTooLarge, "the line is over %d bytes", s.cfg.MaxRecordBytes)
		}
		if s.line == 1 {
			line = bytes.TrimPrefix(line, bomUTF8)
			if bytes.HasPrefix(line, bomUTF16LE) || bytes.HasPrefix(line, bomUTF16BE) {
				p := Problem{File: s.cfg.File, Line: 1, Code: CodeEncoding, Severity: SeverityError, Reason: "the file is UTF-16; save it as UTF-8"}
				return nil, &p, nil
			}
		}
		if len(bytes.TrimSpace(line)) == 0 {
			continue
		}
		if !utf8.Valid(line) {
			at := invalidUTF8At(string(line))
			// Read what identity the line has, to protect the person; the
			// row is rejected either way.
			_ = s.parseObject(bytes.ToValidUTF8(line, []byte("\uFFFD")), row)
			row.problems = nil
			return bad(at+1, CodeEncoding, "invalid UTF-8 at byte %d; save the file as UTF-8", at+1)
		}
		if err := s.parseObject(line, row); err != nil {
			var se *json.SyntaxError
			col := 0
			switch {
			case errors.As(err, &se):
				col = int(se.Offset)
			case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
				col, err = len(line)+1, errors.New("the JSON object is not closed on its line")
			}
			return bad(col, CodeSyntax, "%s", textfmt.Safe(err.Error()))
		}
		return row, nil, nil
	}
}

// parseObject reads one JSON object, recording each key's byte column.
func (s *jsonlScanner) parseObject(line []byte, row *rawRow) error {
	dec := json.NewDecoder(bytes.NewReader(line))
	dec.UseNumber()
	tok, err := dec.Token()
	if err != nil {
		return err
	}
	if d, ok := tok.(json.Delim); !ok || d != '{' {
		return errors.New("each line must be one JSON object")
	}
	for dec.More() {
		off := int(dec.InputOffset())
		tok, err := dec.Token()
		if err != nil {
			return err
		}
		key, _ := tok.(string)
		col := off + 1
		if i := bytes.IndexByte(line[off:], '"'); i >= 0 {
			col = off + i + 1
		}
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return err
		}
		f, kind, _ := s.hm.lookup(key)
		switch kind {
		case headerSkip:
			continue
		case headerUnknown:
			if !s.seen[key] && len(s.unknown) < s.cfg.MaxProblems {
				s.seen[key] = true
				s.unknown = append(s.unknown, Problem{File: s.cfg.File, Line: s.line, Column: col, Code: CodeUnknownColumn, Severity: SeverityError,
					Reason: unknownColumnReason(s.cfg, s.hm, "key", key, 0)})
			}
			continue
		}
		if row.cells[f].present {
			row.problems = append(row.problems, Problem{File: s.cfg.File, Line: s.line, Column: col, Field: f.String(), Code: CodeSyntax, Severity: SeverityError,
				Reason: fmt.Sprintf("%s given twice", f)})
			continue
		}
		c, problem := jsonCell(raw, f)
		c.col = col
		if problem != "" {
			row.problems = append(row.problems, Problem{File: s.cfg.File, Line: s.line, Column: col, Field: f.String(), Code: CodeBadValue, Severity: SeverityError, Reason: problem})
			continue
		}
		row.cells[f] = c
		if c.present {
			s.columns = s.columns.With(f)
		}
	}
	if _, err := dec.Token(); err != nil { // the closing brace
		return err
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return errors.New("text after the JSON object")
	}
	return nil
}

// jsonCell converts a JSON value to a cell. null is "not given".
func jsonCell(raw json.RawMessage, f Field) (cell, string) {
	raw = bytes.TrimSpace(raw)
	switch {
	case string(raw) == "null":
		return cell{}, ""
	case raw[0] == '"':
		var s string
		if err := json.Unmarshal(raw, &s); err != nil {
			return cell{}, textfmt.Safe(err.Error())
		}
		return cell{present: true, text: s}, ""
	case raw[0] == '[':
		if !isListField(f) {
			return cell{}, fmt.Sprintf("%s is a single value, not a list", f)
		}
		var elems []json.RawMessage
		if err := json.Unmarshal(raw, &elems); err != nil {
			return cell{}, textfmt.Safe(err.Error())
		}
		c := cell{present: true, isList: true, list: make([]item, 0, len(elems))}
		for i, el := range elems {
			el = bytes.TrimSpace(el)
			switch {
			case len(el) > 0 && el[0] == '"':
				var s string
				_ = json.Unmarshal(el, &s)
				c.list = append(c.list, item{text: s})
			case len(el) > 0 && el[0] == '{':
				var obj map[string]json.RawMessage
				if err := json.Unmarshal(el, &obj); err != nil {
					return cell{}, fmt.Sprintf("item %d: %s", i+1, textfmt.Safe(err.Error()))
				}
				c.list = append(c.list, item{obj: obj})
			default:
				return cell{}, fmt.Sprintf("item %d of %s: want a string or an object, got %s", i+1, f, textfmt.Safe(clip(string(el))))
			}
		}
		return c, ""
	case raw[0] == '{':
		return cell{}, fmt.Sprintf("%s: want a string or a list, got an object", f)
	}
	// Numbers and booleans as text: acd_auto_answer true, employee_id 1042.
	if isListField(f) {
		return cell{}, fmt.Sprintf("%s: want a string or a list, got %s", f, textfmt.Safe(clip(string(raw))))
	}
	return cell{present: true, text: string(raw)}, ""
}

func isListField(f Field) bool {
	return f == FieldSkills || f == FieldLanguages || f == FieldQueues || f == FieldRoles || f == FieldProfileSkills
}
