package feed

import (
	"bufio"
	"bytes"
	"cmp"
	"fmt"
	"io"
	"slices"
	"strings"
)

// scanner is what both parsers provide: raw rows one at a time.
type scanner interface {
	next() (*rawRow, *Problem, error)
}

// Read parses and validates a whole feed. Rows stream through the parser
// one at a time; the valid employees are kept, as the diff needs them all.
//
// Read returns a *Error when the file as a whole is unusable (bad header,
// missing required column, UTF-16, a record over the size bound); then no
// row may be acted on. Otherwise the Feed lists the valid employees, the
// rejected rows and every problem; a non-nil error other than *Error is an
// I/O failure.
func Read(r io.Reader, cfg Config) (*Feed, error) {
	cfg = cfg.withDefaults()
	if cfg.Mode != ModeSnapshot && cfg.Mode != ModeDelta {
		return nil, fmt.Errorf("feed %s: unknown mode %q (want snapshot or delta)", cfg.File, cfg.Mode)
	}
	out := &Feed{File: cfg.File, Mode: cfg.Mode}
	var warnings []Problem
	warn := func(p Problem) { warnings = append(warnings, p) }

	br := bufio.NewReaderSize(r, 64<<10)
	if cfg.Format == "" {
		head, _ := br.Peek(512)
		head = bytes.TrimLeft(bytes.TrimPrefix(head, bomUTF8), " \t\r\n")
		cfg.Format = FormatCSV
		if len(head) > 0 && head[0] == '{' {
			cfg.Format = FormatJSONL
		}
	}
	out.Format = cfg.Format

	var sc scanner
	listSep, admin := cmp.Or(cfg.ListSeparator, "|"), false
	switch cfg.Format {
	case FormatCSV:
		cs, fatal, err := newCSVScanner(br, cfg, warn)
		if err != nil {
			return nil, err
		}
		if fatal != nil {
			return nil, &Error{Problems: fatal}
		}
		sc, listSep, admin, out.Columns = cs, cs.listSep, cs.admin, cs.columns
	case FormatJSONL:
		js, err := newJSONLScanner(br, cfg, warn)
		if err != nil {
			return nil, err
		}
		sc = js
		defer func() { out.Columns = js.columns }()
	default:
		return nil, fmt.Errorf("feed %s: unknown format %q (want csv or jsonl)", cfg.File, cfg.Format)
	}

	b := &rowBuilder{cfg: cfg, listSep: listSep, admin: admin}
	var (
		recs     []*record // pointers: records are large and the slice grows
		problems []Problem
	)
	for {
		raw, fatal, err := sc.next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
		if fatal != nil {
			return nil, &Error{Problems: append(errorsOnly(problems), *fatal)}
		}
		out.Rows++
		rec, probs := b.build(raw)
		for _, p := range probs {
			if p.Severity == SeverityError {
				rec.reject(p)
			}
		}
		problems = append(problems, probs...)
		recs = append(recs, &rec)
	}
	problems = append(problems, warnings...)
	problems = append(problems, crossCheck(recs, cfg)...)

	slices.SortStableFunc(problems, func(a, b Problem) int {
		return cmp.Or(cmp.Compare(a.Line, b.Line), cmp.Compare(a.Column, b.Column))
	})
	if len(problems) > cfg.MaxProblems {
		n := len(problems) - cfg.MaxProblems
		problems = append(problems[:cfg.MaxProblems], Problem{File: cfg.File, Code: CodeTooManyProblems, Severity: SeverityWarning,
			Reason: fmt.Sprintf("%d more problems not listed (raise MaxProblems to see them)", n)})
	}
	out.Problems = problems
	out.Resolved = cfg.Refs != nil
	out.Employees = make([]Employee, 0, len(recs))
	for _, rec := range recs {
		if rec.rejected {
			out.Rejected = append(out.Rejected, Rejected{Line: rec.emp.Line, EmployeeID: rec.emp.EmployeeID, Email: rec.emp.Email,
				Codes: rec.codes, Reason: rec.reason})
			continue
		}
		out.Employees = append(out.Employees, rec.emp)
	}
	return out, nil
}

func errorsOnly(ps []Problem) []Problem {
	var out []Problem
	for _, p := range ps {
		if p.Severity == SeverityError {
			out = append(out, p)
		}
	}
	return out
}

// reject marks the record rejected, keeping the first reason.
func (r *record) reject(p Problem) {
	if !r.rejected {
		r.reason = p.Error()
	}
	r.rejected = true
	if !slices.Contains(r.codes, p.Code) {
		r.codes = append(r.codes, p.Code)
	}
}

// crossCheck finds what no single row shows: duplicate people, managers
// who do not exist or were rejected, and manager cycles.
func crossCheck(recs []*record, cfg Config) []Problem {
	var probs []Problem
	add := func(rec *record, f Field, code, format string, args ...any) {
		p := Problem{File: cfg.File, Line: rec.emp.Line, Column: rec.cols[f], Field: f.String(), Code: code, Severity: SeverityError, Reason: fmt.Sprintf(format, args...)}
		probs = append(probs, p)
		rec.reject(p)
	}

	// Duplicates, rejected or not: two rows claiming one person are both
	// suspect.
	dup := func(f Field, code string, key func(*Employee) string) {
		lines := map[string][]int{}
		for i := range recs {
			if k := key(&recs[i].emp); k != "" {
				lines[k] = append(lines[k], i)
			}
		}
		for _, idx := range lines {
			if len(idx) < 2 {
				continue
			}
			for _, i := range idx {
				var others []string
				for _, j := range idx {
					if j != i {
						others = append(others, fmt.Sprint(recs[j].emp.Line))
					}
				}
				v := recs[i].emp.EmployeeID
				if f == FieldEmail {
					v = recs[i].emp.Email
				}
				add(recs[i], f, code, "%q is also on line %s", clip(v), strings.Join(others, ", "))
			}
		}
	}
	dup(FieldEmployeeID, CodeDuplicateID, func(e *Employee) string { return strings.ToLower(e.EmployeeID) })
	dup(FieldEmail, CodeDuplicateEmail, func(e *Employee) string { return strings.ToLower(e.Email) })

	// Index every row by both keys.
	byKey := map[string]int{}
	for i := range recs {
		e := &recs[i].emp
		if e.EmployeeID != "" {
			byKey["employee:"+strings.ToLower(e.EmployeeID)] = i
		}
		if e.Email != "" {
			byKey["email:"+strings.ToLower(e.Email)] = i
		}
	}
	managerField := func(e *Employee) Field {
		if e.ManagerEmployeeID != "" {
			return FieldManagerEmployeeID
		}
		return FieldManagerEmail
	}
	managerOf := func(i int) (int, bool) {
		k := strings.ToLower(recs[i].emp.ManagerKey())
		if k == "" {
			return 0, false
		}
		j, ok := byKey[k]
		return j, ok
	}

	// Cycles among rows that are still valid.
	state := make([]uint8, len(recs)) // 0 new, 1 on path, 2 done
	for start := range recs {
		if state[start] != 0 {
			continue
		}
		var path []int
		i := start
		for {
			if state[i] == 2 || recs[i].rejected || recs[i].emp.Action != ActionUpsert {
				break
			}
			if state[i] == 1 {
				at := slices.Index(path, i)
				cycle := path[at:]
				names := make([]string, 0, len(cycle)+1)
				for _, c := range cycle {
					names = append(names, recs[c].emp.Key())
				}
				names = append(names, recs[i].emp.Key())
				desc := strings.Join(names, " -> ")
				for _, c := range cycle {
					if len(cycle) == 1 {
						add(recs[c], managerField(&recs[c].emp), CodeManagerCycle, "the employee is their own manager")
					} else {
						add(recs[c], managerField(&recs[c].emp), CodeManagerCycle, "managers form a loop: %s", desc)
					}
				}
				break
			}
			state[i] = 1
			path = append(path, i)
			j, ok := managerOf(i)
			if !ok {
				break
			}
			i = j
		}
		for _, p := range path {
			state[p] = 2
		}
	}

	// Managers, until no more rows are rejected: a row whose manager's row
	// was rejected cannot be applied either.
	inOrg := make([]bool, len(recs))
	for changed := true; changed; {
		changed = false
		for i := range recs {
			rec := recs[i]
			e := &rec.emp
			if rec.rejected || inOrg[i] || e.Action != ActionUpsert || e.ManagerKey() == "" {
				continue
			}
			f := managerField(e)
			mk := e.ManagerEmployeeID
			if mk == "" {
				mk = e.ManagerEmail
			}
			j, inFeed := managerOf(i)
			switch {
			case inFeed && recs[j].rejected:
				add(rec, f, CodeManagerRejected, "manager %q is on line %d, which was rejected", clip(mk), recs[j].emp.Line)
				changed = true
			case inFeed && recs[j].emp.Action == ActionOffboard:
				add(rec, f, CodeManagerOffboarded, "manager %q is offboarded on line %d", clip(mk), recs[j].emp.Line)
				changed = true
			case inFeed:
				// Valid for now; a later pass rechecks it.
			case cfg.Directory != nil && f == FieldManagerEmployeeID && cfg.Directory.HasEmployeeID(mk),
				cfg.Directory != nil && f == FieldManagerEmail && cfg.Directory.HasEmail(mk):
				inOrg[i] = true
			default:
				where := "in the feed"
				if cfg.Directory != nil {
					where = "in the feed or in the org"
				}
				add(rec, f, CodeManagerNotFound, "manager %q is not %s", clip(mk), where)
				changed = true
			}
		}
	}
	return probs
}
