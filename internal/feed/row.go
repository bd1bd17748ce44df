package feed

import (
	"encoding/json"
	"fmt"
	"math"
	"net/mail"
	"strconv"
	"strings"
	"unicode/utf8"
)

// cell is one field of a raw row, as either parser found it.
type cell struct {
	present bool
	text    string
	list    []item // JSONL arrays; nil for text cells
	isList  bool
	col     int
}

// item is one element of a list: its text form ("Billing:4") or, from
// JSONL, an object's members.
type item struct {
	text string
	obj  map[string]json.RawMessage
}

// rawRow is a record before interpretation.
type rawRow struct {
	line  int
	cells [numFields]cell
	// problems found while reading (syntax, encoding, field count).
	problems []Problem
}

// record is a row being validated.
type record struct {
	emp      Employee
	cols     [numFields]int
	rejected bool
	codes    []string
	reason   string
}

// rowBuilder turns raw rows into employees.
type rowBuilder struct {
	cfg     Config
	listSep string
	// admin is the Genesys admin-import layout, where empty manager and
	// list cells mean "not given" rather than "none".
	admin bool
}

func (b *rowBuilder) problem(r *rawRow, f Field, code, format string, args ...any) Problem {
	field := ""
	col := 0
	if f < numFields {
		field = f.String()
		col = r.cells[f].col
	}
	return Problem{File: b.cfg.File, Line: r.line, Column: col, Field: field, Code: code, Severity: SeverityError, Reason: fmt.Sprintf(format, args...)}
}

// build interprets a raw row. Problems with SeverityError reject it.
func (b *rowBuilder) build(r *rawRow) (record, []Problem) {
	var rec record
	probs := r.problems
	e := &rec.emp
	e.Line = r.line
	for f := range numFields {
		rec.cols[f] = r.cells[f].col
		if r.cells[f].present {
			e.Has = e.Has.With(f)
		}
	}
	bad := func(f Field, code, format string, args ...any) {
		probs = append(probs, b.problem(r, f, code, format, args...))
	}
	if len(r.problems) > 0 {
		// The reader could not split this row properly: report that alone,
		// keeping whatever identity it found so the person is protected.
		e.EmployeeID = strings.TrimSpace(strings.ToValidUTF8(r.cells[FieldEmployeeID].text, "\uFFFD"))
		e.Email = strings.TrimSpace(strings.ToValidUTF8(r.cells[FieldEmail].text, "\uFFFD"))
		return rec, probs
	}
	text := func(f Field) string {
		c := r.cells[f]
		if !c.present {
			return ""
		}
		if c.isList {
			bad(f, CodeBadValue, "expected a string, not a list")
			return ""
		}
		v := c.text
		if !utf8.ValidString(v) {
			bad(f, CodeEncoding, "invalid UTF-8 at byte %d; save the file as UTF-8", invalidUTF8At(v)+1)
			v = strings.ToValidUTF8(v, "\uFFFD")
		}
		v = strings.TrimSpace(v)
		if isFormula(v) {
			p := b.problem(r, f, CodeFormula, "value %q starts with %q: kept verbatim as text, never evaluated", clip(v), v[:1])
			p.Severity = SeverityWarning
			probs = append(probs, p)
		}
		return v
	}

	// Identity first, so that a rejected row can still protect its person.
	e.EmployeeID = text(FieldEmployeeID)
	e.Email = text(FieldEmail)

	e.Action = ActionUpsert
	if a := strings.ToLower(text(FieldAction)); a != "" {
		switch Action(a) {
		case ActionUpsert, ActionOffboard:
			e.Action = Action(a)
		default:
			bad(FieldAction, CodeBadValue, "action %q: want upsert or offboard", clip(a))
		}
		if b.cfg.Mode == ModeSnapshot && e.Action == ActionOffboard {
			bad(FieldAction, CodeBadValue, "action offboard is for delta feeds; in a snapshot leave the row out")
		}
	}
	if e.Email != "" && !validEmail(e.Email) {
		bad(FieldEmail, CodeBadEmail, "%q is not an email address", clip(e.Email))
	}
	if e.EmployeeID == "" && e.Email == "" {
		switch {
		case e.Has.Has(FieldEmployeeID):
			bad(FieldEmployeeID, CodeRequired, "employee_id and email are both empty: the row identifies nobody")
		default:
			bad(FieldEmail, CodeRequired, "email is empty: the row identifies nobody")
		}
	}
	if e.Action == ActionOffboard {
		// An offboarding row only identifies someone; the rest is ignored.
		e.Has = e.Has.Without(FieldName, FieldTitle, FieldDepartment, FieldManagerEmployeeID, FieldManagerEmail,
			FieldDivision, FieldState, FieldSkills, FieldLanguages, FieldQueues, FieldRoles, FieldACDAutoAnswer)
		return rec, probs
	}

	e.Name = text(FieldName)
	if e.Name == "" {
		if r.cells[FieldName].present {
			bad(FieldName, CodeRequired, "name is empty")
		} else {
			probs = append(probs, Problem{File: b.cfg.File, Line: r.line, Field: "name", Code: CodeRequired, Severity: SeverityError,
				Reason: "an upsert needs a name and the row has none"})
		}
	}
	if e.Email == "" && e.EmployeeID != "" {
		bad(FieldEmail, CodeRequired, "an upsert needs an email")
	}
	e.Title = text(FieldTitle)
	e.Department = text(FieldDepartment)
	e.ManagerEmployeeID = text(FieldManagerEmployeeID)
	e.ManagerEmail = text(FieldManagerEmail)
	if e.ManagerEmail != "" && !validEmail(e.ManagerEmail) {
		bad(FieldManagerEmail, CodeBadEmail, "%q is not an email address", clip(e.ManagerEmail))
	}
	// The two manager columns are one attribute.
	if e.Has.Has(FieldManagerEmployeeID) || e.Has.Has(FieldManagerEmail) {
		e.Has = e.Has.With(FieldManagerEmployeeID, FieldManagerEmail)
		if b.admin && e.ManagerEmployeeID == "" && e.ManagerEmail == "" {
			// The admin-import layout: an empty email_manager keeps the manager.
			e.Has = e.Has.Without(FieldManagerEmployeeID, FieldManagerEmail)
		}
	}
	e.Division = text(FieldDivision)
	if e.Division == "" {
		// An empty division means "not given": a user always has one.
		e.Has = e.Has.Without(FieldDivision)
	}
	if s := strings.ToLower(text(FieldState)); s != "" {
		switch s {
		case StateActive, StateInactive:
			e.State = s
		default:
			bad(FieldState, CodeBadValue, "state %q: want active or inactive", clip(s))
		}
	} else {
		e.Has = e.Has.Without(FieldState)
	}
	if c := r.cells[FieldACDAutoAnswer]; c.present {
		v := strings.ToLower(text(FieldACDAutoAnswer))
		switch v {
		case "true", "yes", "y", "1":
			e.ACDAutoAnswer = true
		case "false", "no", "n", "0":
		case "":
			e.Has = e.Has.Without(FieldACDAutoAnswer)
		default:
			bad(FieldACDAutoAnswer, CodeBadValue, "%q is not a boolean (true/false, yes/no, 1/0)", clip(v))
		}
	}

	e.Skills = b.proficiencies(r, FieldSkills, "skill", &probs)
	e.Languages = b.proficiencies(r, FieldLanguages, "language", &probs)
	e.Queues = b.queues(r, &probs)
	e.Roles = b.grants(r, &probs)
	for _, f := range []Field{FieldSkills, FieldLanguages, FieldQueues, FieldRoles} {
		c := r.cells[f]
		// In the admin-import layout an empty list cell means "not given".
		if c.present && !c.isList && strings.TrimSpace(c.text) == "" && b.admin {
			e.Has = e.Has.Without(f)
		}
	}
	if b.cfg.Refs != nil {
		b.resolve(r, e, &probs)
	}
	return rec, probs
}

// items splits a list cell into items.
func (b *rowBuilder) items(r *rawRow, f Field, probs *[]Problem) []item {
	c := r.cells[f]
	if !c.present {
		return nil
	}
	if c.isList {
		return c.list
	}
	if !utf8.ValidString(c.text) {
		*probs = append(*probs, b.problem(r, f, CodeEncoding, "invalid UTF-8 at byte %d; save the file as UTF-8", invalidUTF8At(c.text)+1))
		return nil
	}
	var out []item
	for part := range strings.SplitSeq(c.text, b.listSep) {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		out = append(out, item{text: part})
	}
	return out
}

func (b *rowBuilder) formula(r *rawRow, f Field, v string, probs *[]Problem) {
	if isFormula(v) {
		p := b.problem(r, f, CodeFormula, "item %q starts with %q: kept verbatim as text, never evaluated", clip(v), v[:1])
		p.Severity = SeverityWarning
		*probs = append(*probs, p)
	}
}

func (b *rowBuilder) proficiencies(r *rawRow, f Field, what string, probs *[]Problem) []Proficiency {
	items := b.items(r, f, probs)
	if items == nil {
		return nil
	}
	out := make([]Proficiency, 0, len(items))
	seen := map[string]bool{}
	for _, it := range items {
		var name, level string
		switch {
		case it.obj != nil:
			name = jsonString(it.obj["name"])
			level = jsonScalar(it.obj["proficiency"])
			if level == "" {
				*probs = append(*probs, b.problem(r, f, CodeBadProficiency, "%s %q has no proficiency", what, clip(name)))
				continue
			}
		default:
			i := strings.LastIndexByte(it.text, ':')
			if i < 0 {
				*probs = append(*probs, b.problem(r, f, CodeBadProficiency, "%s %q has no proficiency: write Name:0-5", what, clip(it.text)))
				continue
			}
			name, level = strings.TrimSpace(it.text[:i]), strings.TrimSpace(it.text[i+1:])
		}
		if name == "" {
			*probs = append(*probs, b.problem(r, f, CodeBadValue, "a %s without a name", what))
			continue
		}
		b.formula(r, f, name, probs)
		if strings.Count(level, ",") == 1 && !strings.Contains(level, ".") {
			level = strings.Replace(level, ",", ".", 1) // a decimal comma, as semicolon-delimited spreadsheets write it
		}
		v, err := strconv.ParseFloat(level, 64)
		switch {
		case err != nil || math.IsNaN(v) || math.IsInf(v, 0):
			*probs = append(*probs, b.problem(r, f, CodeBadProficiency, "%s %q: proficiency %q is not a number", what, clip(name), clip(level)))
			continue
		case v < 0 || v > 5:
			*probs = append(*probs, b.problem(r, f, CodeBadProficiency, "%s %q: proficiency %s outside 0-5", what, clip(name), level))
			continue
		}
		if k := foldName(name); seen[k] {
			*probs = append(*probs, b.problem(r, f, CodeDuplicateItem, "%s %q listed twice", what, clip(name)))
			continue
		} else {
			seen[k] = true
		}
		out = append(out, Proficiency{Name: name, Level: v})
	}
	return out
}

func (b *rowBuilder) queues(r *rawRow, probs *[]Problem) []Queue {
	items := b.items(r, FieldQueues, probs)
	if items == nil {
		return nil
	}
	out := make([]Queue, 0, len(items))
	seen := map[string]bool{}
	for _, it := range items {
		q := Queue{Joined: true}
		switch {
		case it.obj != nil:
			q.Name = jsonString(it.obj["name"])
			if raw, ok := it.obj["joined"]; ok && string(raw) != "null" {
				if err := json.Unmarshal(raw, &q.Joined); err != nil {
					*probs = append(*probs, b.problem(r, FieldQueues, CodeBadValue, "queue %q: joined %s is not a boolean", clip(q.Name), clip(string(raw))))
					continue
				}
			}
		default:
			q.Name = it.text
			if i := strings.LastIndexByte(it.text, ':'); i >= 0 {
				switch strings.ToLower(strings.TrimSpace(it.text[i+1:])) {
				case "joined":
					q.Name = strings.TrimSpace(it.text[:i])
				case "unjoined":
					q.Name, q.Joined = strings.TrimSpace(it.text[:i]), false
				}
			}
		}
		if q.Name == "" {
			*probs = append(*probs, b.problem(r, FieldQueues, CodeBadValue, "a queue without a name"))
			continue
		}
		b.formula(r, FieldQueues, q.Name, probs)
		if k := foldName(q.Name); seen[k] {
			*probs = append(*probs, b.problem(r, FieldQueues, CodeDuplicateItem, "queue %q listed twice", clip(q.Name)))
			continue
		} else {
			seen[k] = true
		}
		out = append(out, q)
	}
	return out
}

func (b *rowBuilder) grants(r *rawRow, probs *[]Problem) []Grant {
	items := b.items(r, FieldRoles, probs)
	if items == nil {
		return nil
	}
	out := make([]Grant, 0, len(items))
	seen := map[string]bool{}
	for _, it := range items {
		var g Grant
		switch {
		case it.obj != nil:
			g.Role = cmpOr(jsonString(it.obj["role"]), jsonString(it.obj["name"]))
			g.Division = jsonString(it.obj["division"])
		default:
			g.Role = it.text
			if i := strings.LastIndexByte(it.text, '@'); i >= 0 {
				g.Role, g.Division = strings.TrimSpace(it.text[:i]), strings.TrimSpace(it.text[i+1:])
			}
		}
		if g.Role == "" {
			*probs = append(*probs, b.problem(r, FieldRoles, CodeBadValue, "a role without a name"))
			continue
		}
		b.formula(r, FieldRoles, g.Role, probs)
		if k := foldName(g.Role) + "@" + foldName(g.Division); seen[k] {
			*probs = append(*probs, b.problem(r, FieldRoles, CodeDuplicateItem, "role %q listed twice", clip(g.Role+"@"+g.Division)))
			continue
		} else {
			seen[k] = true
		}
		out = append(out, g)
	}
	return out
}

// resolve fills the ids from Config.Refs.
func (b *rowBuilder) resolve(r *rawRow, e *Employee, probs *[]Problem) {
	refs := b.cfg.Refs
	unknown := func(f Field, what string, d Dimension, name string) {
		if s := d.Suggest(name); s != "" {
			*probs = append(*probs, b.problem(r, f, CodeUnknownName, "unknown %s %q (did you mean %q?)", what, clip(name), s))
			return
		}
		*probs = append(*probs, b.problem(r, f, CodeUnknownName, "unknown %s %q", what, clip(name)))
	}
	if e.Division != "" {
		if id, ok := refs.Divisions.ID(e.Division); ok {
			e.DivisionID = id
		} else {
			unknown(FieldDivision, "division", refs.Divisions, e.Division)
		}
	}
	for i := range e.Skills {
		if id, ok := refs.Skills.ID(e.Skills[i].Name); ok {
			e.Skills[i].ID = id
		} else {
			unknown(FieldSkills, "skill", refs.Skills, e.Skills[i].Name)
		}
	}
	for i := range e.Languages {
		if id, ok := refs.Languages.ID(e.Languages[i].Name); ok {
			e.Languages[i].ID = id
		} else {
			unknown(FieldLanguages, "language", refs.Languages, e.Languages[i].Name)
		}
	}
	for i := range e.Queues {
		if id, ok := refs.Queues.ID(e.Queues[i].Name); ok {
			e.Queues[i].ID = id
		} else {
			unknown(FieldQueues, "queue", refs.Queues, e.Queues[i].Name)
		}
	}
	seen := map[[2]string]bool{}
	for i := range e.Roles {
		g := &e.Roles[i]
		if id, ok := refs.Roles.ID(g.Role); ok {
			g.RoleID = id
		} else {
			unknown(FieldRoles, "role", refs.Roles, g.Role)
		}
		switch {
		case g.Division == "":
			g.DivisionID = cmpOr(e.DivisionID, refs.HomeDivisionID)
		default:
			if id, ok := refs.Divisions.ID(g.Division); ok {
				g.DivisionID = id
			} else {
				unknown(FieldRoles, "division", refs.Divisions, g.Division)
			}
		}
		k := [2]string{g.RoleID, g.DivisionID}
		if g.RoleID != "" && g.DivisionID != "" && seen[k] {
			*probs = append(*probs, b.problem(r, FieldRoles, CodeDuplicateItem, "role %q granted twice in the same division", clip(g.Role)))
		}
		seen[k] = true
	}
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// isFormula reports whether a spreadsheet would take v for a formula.
func isFormula(v string) bool {
	return v != "" && strings.ContainsRune("=+-@", rune(v[0]))
}

// validEmail accepts a bare address (no display name) with a dotted domain.
func validEmail(s string) bool {
	if len(s) > 254 || strings.ContainsAny(s, " \t\r\n<>,;\"()[]\\") {
		return false
	}
	a, err := mail.ParseAddress(s)
	if err != nil || a.Address != s {
		return false
	}
	at := strings.LastIndexByte(s, '@')
	if at <= 0 {
		return false
	}
	domain := s[at+1:]
	return strings.Contains(domain, ".") && !strings.HasPrefix(domain, ".") && !strings.HasSuffix(domain, ".") && !strings.Contains(domain, "..")
}

// invalidUTF8At returns the byte offset of the first invalid sequence.
func invalidUTF8At(s string) int {
	for i, r := range s {
		if r == utf8.RuneError {
			if _, size := utf8.DecodeRuneInString(s[i:]); size == 1 {
				return i
			}
		}
	}
	return len(s)
}

// clip shortens a value quoted in a message.
func clip(s string) string {
	const max = 60
	if len(s) <= max {
		return s
	}
	cut := max
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}

// jsonString returns a JSON string's value, or "" for anything else.
func jsonString(raw json.RawMessage) string {
	var s string
	if json.Unmarshal(raw, &s) != nil {
		return ""
	}
	return strings.TrimSpace(s)
}

// jsonScalar returns a JSON string or number as text.
func jsonScalar(raw json.RawMessage) string {
	if s := jsonString(raw); s != "" {
		return s
	}
	var n json.Number
	if json.Unmarshal(raw, &n) != nil {
		return ""
	}
	return n.String()
}
