package feed

import (
	"bufio"
	"bytes"
	"cmp"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"

	"github.com/usersync/syncer/internal/textfmt"
)

// scanner is what both parsers provide: raw rows one at a time, then the
// problems that make the file unusable but show only once it is all read.
type scanner interface {
	next() (*rawRow, *Problem, error)
	finish() []Problem
}

// Parsed is a feed judged without org data: every check that needs no
// API call (encoding, delimiter, header, columns, row syntax, field rules,
// duplicates, manager loops and managers within the feed) is done. Its
// Resolve adds what needs the org (names, managers outside the feed) and
// gives the Feed.
//
// The rows are kept (one record each, the valid ones to become
// Employees); the file is never read again.
type Parsed struct {
	File    string
	Format  Format
	Mode    Mode
	Columns FieldSet
	// Rows counts data rows read (the header and blank lines not
	// included); never 0, which is a *Error (no_rows).
	Rows int
	// Rejected lists the rows rejected so far, in file order.
	Rejected []Rejected
	// Problems lists every error and warning found so far, sorted by line
	// then column, at most Config.MaxProblems of them (then a
	// too_many_problems warning).
	Problems []Problem

	cfg      Config
	recs     []*record
	all      []Problem // Problems before the bound
	resolved bool
}

// Valid returns the number of rows not rejected so far.
func (p *Parsed) Valid() int { return p.Rows - len(p.Rejected) }

// Errors returns the problems with SeverityError.
func (p *Parsed) Errors() []Problem { return errorsOnly(p.Problems) }

// UnidentifiedRejects counts rejected rows that have neither an employee
// id nor an email (see Feed.UnidentifiedRejects).
func (p *Parsed) UnidentifiedRejects() int { return unidentified(p.Rejected) }

// Read parses and resolves a whole feed: Parse, then Resolve with
// cfg.Refs and cfg.Directory.
func Read(r io.Reader, cfg Config) (*Feed, error) {
	p, err := Parse(r, cfg)
	if err != nil {
		return nil, err
	}
	return p.Resolve(cfg.Refs, cfg.Directory), nil
}

// Parse reads and judges a whole feed without org data, and so without any
// network or database I/O. Rows stream through the parser one at a time.
//
// Parse returns a *Error when the file as a whole is unusable: empty, a
// header and no data rows, a wrong delimiter, an unknown or missing column,
// a bad header, UTF-16, a record over the size bound. Then no row may be
// acted on. A configuration Parse cannot follow (mode, format, delimiter,
// column mapping) and an I/O failure are other errors. cfg.Refs and
// cfg.Directory are not used: pass them to Resolve.
func Parse(r io.Reader, cfg Config) (*Parsed, error) {
	cfg = cfg.withDefaults()
	if cfg.Mode != ModeSnapshot && cfg.Mode != ModeDelta {
		return nil, fmt.Errorf("feed %s: unknown mode %q (want snapshot or delta)", cfg.File, cfg.Mode)
	}
	out := &Parsed{File: cfg.File, Mode: cfg.Mode, cfg: cfg}

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
	var columns func() FieldSet
	switch cfg.Format {
	case FormatCSV:
		cs, fatal, err := newCSVScanner(br, cfg)
		if err != nil {
			return nil, err
		}
		if fatal != nil {
			return nil, &Error{Problems: fatal}
		}
		sc, listSep, admin = cs, cs.listSep, cs.admin
		columns = func() FieldSet { return cs.columns }
		cfg.Mode, out.Mode = cs.cfg.Mode, cs.cfg.Mode // the admin-import layout reads as a delta by default
	case FormatJSONL:
		js, err := newJSONLScanner(br, cfg)
		if err != nil {
			return nil, err
		}
		sc = js
		columns = func() FieldSet { return js.columns }
	default:
		return nil, fmt.Errorf("feed %s: unknown format %q (want csv or jsonl)", cfg.File, cfg.Format)
	}

	b := &rowBuilder{cfg: cfg, listSep: listSep, admin: admin}
	var problems []Problem
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
		out.recs = append(out.recs, &rec)
	}
	if fatal := sc.finish(); len(fatal) > 0 {
		return nil, &Error{Problems: fatal}
	}
	out.Columns = columns()
	if out.Rows == 0 {
		reason := "the feed has a header but no data rows; nothing to plan"
		if cfg.Format == FormatJSONL {
			reason = "the feed has no rows (the file is empty or blank); nothing to plan"
		}
		return nil, &Error{Problems: []Problem{{File: cfg.File, Code: CodeNoRows, Severity: SeverityError, Reason: reason}}}
	}
	linkManagers(out.recs)
	problems = append(problems, checkDuplicates(out.recs, cfg.File)...)
	problems = append(problems, checkCycles(out.recs, cfg.File)...)
	problems = append(problems, checkManagers(out.recs, cfg.File, nil, false)...)
	sortProblems(problems)
	out.all = problems
	out.Problems = bound(problems, cfg)
	out.Rejected = rejectedRows(out.recs)
	return out, nil
}

// Resolve checks what needs the org: the names of skills, languages,
// queues, roles and divisions against refs (nil: not checked, and the
// Feed's ids stay empty), and managers who are not in the feed against dir
// (nil: such a manager is not found). Rows whose manager is rejected by
// this are rejected in turn. It costs no I/O and does not read the file
// again.
//
// Resolve hands the Parsed's rows over to the Feed: call it once.
func (p *Parsed) Resolve(refs *Refs, dir Directory) *Feed {
	if p.resolved {
		panic("feed: Parsed.Resolve called twice")
	}
	p.resolved = true
	out := &Feed{File: p.File, Format: p.Format, Mode: p.Mode, Columns: p.Columns, Rows: p.Rows, Resolved: refs != nil}
	problems := slices.Clip(p.all)
	if refs != nil {
		// Rejected rows too, so that one round of fixes sees every problem.
		for _, rec := range p.recs {
			if rec.emp.Action != ActionUpsert {
				continue
			}
			probs := resolve(p.File, rec, refs)
			for _, pr := range probs {
				rec.reject(pr)
			}
			problems = append(problems, probs...)
		}
	}
	problems = append(problems, checkManagers(p.recs, p.File, dir, true)...)
	sortProblems(problems)
	out.Problems = bound(problems, p.cfg)
	out.Rejected = rejectedRows(p.recs)
	out.Employees = make([]Employee, 0, len(p.recs)-len(out.Rejected))
	for _, rec := range p.recs {
		if !rec.rejected {
			out.Employees = append(out.Employees, rec.emp)
		}
	}
	p.recs = nil
	return out
}

func sortProblems(ps []Problem) {
	slices.SortStableFunc(ps, func(a, b Problem) int {
		return cmp.Or(cmp.Compare(a.Line, b.Line), cmp.Compare(a.Column, b.Column))
	})
}

// bound returns at most cfg.MaxProblems problems, then a warning saying how
// many more there are.
func bound(ps []Problem, cfg Config) []Problem {
	if len(ps) <= cfg.MaxProblems {
		return slices.Clone(ps)
	}
	n := len(ps) - cfg.MaxProblems
	return append(slices.Clone(ps[:cfg.MaxProblems]), Problem{File: cfg.File, Code: CodeTooManyProblems, Severity: SeverityWarning,
		Reason: fmt.Sprintf("%d more problems not listed (raise MaxProblems to see them)", n)})
}

func rejectedRows(recs []*record) []Rejected {
	var out []Rejected
	for _, rec := range recs {
		if rec.rejected {
			out = append(out, Rejected{Line: rec.emp.Line, EmployeeID: rec.emp.EmployeeID, Email: rec.emp.Email,
				Codes: slices.Clone(rec.codes), Reason: rec.reason})
		}
	}
	return out
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

func unidentified(rs []Rejected) int {
	n := 0
	for _, r := range rs {
		if r.EmployeeID == "" && r.Email == "" {
			n++
		}
	}
	return n
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

func problemAt(file string, rec *record, f Field, code, reason string) Problem {
	return Problem{File: file, Line: rec.emp.Line, Column: rec.cols[f], Field: f.String(), Code: code, Severity: SeverityError, Reason: reason}
}

// checkDuplicates rejects every row that shares an employee id or an
// email with another, rejected or not: two rows claiming one person are
// both suspect.
func checkDuplicates(recs []*record, file string) []Problem {
	var probs []Problem
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
				// Name a few of the other lines: a broken export may give
				// thousands of rows one placeholder email.
				const shown = 5
				var others []string
				for _, j := range idx[:min(len(idx), shown+1)] {
					if j != i && len(others) < shown {
						others = append(others, strconv.Itoa(recs[j].emp.Line))
					}
				}
				where := strings.Join(others, ", ")
				if more := len(idx) - 1 - len(others); more > 0 {
					where += fmt.Sprintf(" and %d more lines", more)
				}
				v := recs[i].emp.EmployeeID
				if f == FieldEmail {
					v = recs[i].emp.Email
				}
				p := problemAt(file, recs[i], f, code, fmt.Sprintf("%s is also on line %s", textfmt.Quote(clip(v)), where))
				probs = append(probs, p)
				recs[i].reject(p)
			}
		}
	}
	dup(FieldEmployeeID, CodeDuplicateID, func(e *Employee) string { return strings.ToLower(e.EmployeeID) })
	dup(FieldEmail, CodeDuplicateEmail, func(e *Employee) string { return strings.ToLower(e.Email) })
	return probs
}

// linkManagers sets each record's mgr: the row of its manager in the feed
// (by employee id or email, case-insensitively), managerOutside, or
// noManager.
func linkManagers(recs []*record) {
	byKey := make(map[string]int, 2*len(recs))
	for i, rec := range recs {
		e := &rec.emp
		if e.EmployeeID != "" {
			byKey["employee:"+strings.ToLower(e.EmployeeID)] = i
		}
		if e.Email != "" {
			byKey["email:"+strings.ToLower(e.Email)] = i
		}
	}
	for _, rec := range recs {
		rec.mgr = noManager
		if k := strings.ToLower(rec.emp.ManagerKey()); k != "" {
			rec.mgr = managerOutside
			if j, ok := byKey[k]; ok {
				rec.mgr = j
			}
		}
	}
}

func managerField(e *Employee) Field {
	if e.ManagerEmployeeID != "" {
		return FieldManagerEmployeeID
	}
	return FieldManagerEmail
}

// checkCycles rejects the rows whose managers, through rows of the feed
// still valid, lead back to them.
func checkCycles(recs []*record, file string) []Problem {
	var probs []Problem
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
				desc := textfmt.Safe(strings.Join(names, " -> "))
				for _, c := range cycle {
					reason := "managers form a loop: " + desc
					if len(cycle) == 1 {
						reason = "the employee is their own manager"
					}
					p := problemAt(file, recs[c], managerField(&recs[c].emp), CodeManagerCycle, reason)
					probs = append(probs, p)
					recs[c].reject(p)
				}
				break
			}
			state[i] = 1
			path = append(path, i)
			if recs[i].mgr < 0 {
				break
			}
			i = recs[i].mgr
		}
		for _, p := range path {
			state[p] = 2
		}
	}
	return probs
}

// checkManagers rejects the rows whose manager's row is rejected or
// offboarded, and in turn the rows they manage: such a row cannot be
// applied either. With final set it first rejects the rows whose manager
// is neither in the feed nor found by dir; without, it leaves them for
// Resolve. It takes time linear in the rows, however long a chain of
// managers the feed holds.
func checkManagers(recs []*record, file string, dir Directory, final bool) []Problem {
	var probs []Problem
	reject := func(rec *record, code, reason string) {
		p := problemAt(file, rec, managerField(&rec.emp), code, reason)
		probs = append(probs, p)
		rec.reject(p)
	}
	active := func(rec *record) bool { return !rec.rejected && rec.emp.Action == ActionUpsert }
	managerKey := func(e *Employee) string { return textfmt.Quote(clip(cmp.Or(e.ManagerEmployeeID, e.ManagerEmail))) }

	// The reports of each row, as offsets into one slice.
	start := make([]int32, len(recs)+1)
	for _, rec := range recs {
		if rec.mgr >= 0 {
			start[rec.mgr+1]++
		}
	}
	for i := range recs {
		start[i+1] += start[i]
	}
	reports := make([]int32, start[len(recs)])
	fill := slices.Clone(start[:len(recs)])
	for i, rec := range recs {
		if rec.mgr >= 0 {
			reports[fill[rec.mgr]] = int32(i)
			fill[rec.mgr]++
		}
	}

	for _, rec := range recs {
		e := &rec.emp
		switch {
		case !active(rec):
		case rec.mgr >= 0 && !recs[rec.mgr].rejected && recs[rec.mgr].emp.Action == ActionOffboard:
			reject(rec, CodeManagerOffboarded, fmt.Sprintf("manager %s is offboarded on line %d", managerKey(e), recs[rec.mgr].emp.Line))
		case rec.mgr != managerOutside || !final:
		case dir != nil && e.ManagerEmployeeID != "" && dir.HasEmployeeID(e.ManagerEmployeeID),
			dir != nil && e.ManagerEmployeeID == "" && dir.HasEmail(e.ManagerEmail):
		default:
			where := "in the feed"
			if dir != nil {
				where = "in the feed or in the org"
			}
			reject(rec, CodeManagerNotFound, fmt.Sprintf("manager %s is not %s", managerKey(e), where))
		}
	}
	// From every rejected row down to the rows it manages.
	var queue []int32
	for i, rec := range recs {
		if rec.rejected {
			queue = append(queue, int32(i))
		}
	}
	for len(queue) > 0 {
		j := queue[0]
		queue = queue[1:]
		for _, i := range reports[start[j]:start[j+1]] {
			if rec := recs[i]; active(rec) {
				reject(rec, CodeManagerRejected, fmt.Sprintf("manager %s is on line %d, which was rejected", managerKey(&rec.emp), recs[j].emp.Line))
				queue = append(queue, i)
			}
		}
	}
	return probs
}
